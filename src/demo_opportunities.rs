//! The opportunities demo part: open opportunities of each kind posted by
//! HR (a データ分析 project that fits the demo alumnus, so "for you" has
//! something to show, with a deadline a month away), interest, mentor
//! offers and referrals (with the referrer's recorded agreement) at
//! different stages, outcomes of every kind that has happened here (a
//! project contracted, a rehire, a referral hired, mentoring done), and
//! alumni businesses to search. Deterministic.

use enishi_core::opportunities::{Answer, Details, Kind, RateUnit, WorkMode, iso_day};
use enishi_store::accounts;
use enishi_store::businesses::{self, NewBusiness};
use enishi_store::opportunities::{
    self as stored, Answered, NewAnswer, NewOpportunity, NewOutcome,
};
use enishi_store::{Db, StoreError, networks, now_ms};

use crate::demo::NETWORK_SLUG;

struct Demo {
    kind: &'static str,
    title: &'static str,
    description: &'static str,
    audience: &'static str,
    status: &'static str,
    skills: &'static [&'static str],
    details: Details,
    /// Days before today it was posted.
    age: i64,
}

fn demos() -> Vec<Demo> {
    vec![
        Demo {
            kind: "project",
            title: "データ基盤の BigQuery 移行（業務委託）",
            description: "社内のデータ基盤を BigQuery に移行します。\n\n- 既存の集計 SQL の移行と検証\n- ダッシュボードの作り直し\n\n週2〜3日、リモートで関わっていただける方を探しています。",
            audience: "network",
            status: "open",
            skills: &["SQL", "BigQuery"],
            details: Details {
                work_mode: Some(WorkMode::Remote),
                duration: "2027年1月〜6月（延長あり）".into(),
                rate_min: Some(600_000),
                rate_max: Some(800_000),
                rate_unit: Some(RateUnit::Month),
                department: "データ分析部".into(),
                ..Details::default()
            },
            age: 3,
        },
        Demo {
            kind: "rehire",
            title: "出戻り歓迎：法人営業マネージャー",
            description: "法人営業部でマネージャーを募集しています。当社での経験を活かして、もう一度一緒に働きませんか。",
            audience: "alumni",
            status: "open",
            skills: &["法人営業"],
            details: Details {
                role: "法人営業マネージャー".into(),
                department: "営業本部".into(),
                conditions: "正社員・東京本社（週2日在宅可）".into(),
                ats_url: "https://careers.sample-shoji.example/jobs/1024".into(),
                ..Details::default()
            },
            age: 6,
        },
        Demo {
            kind: "referral",
            title: "SRE を紹介してください",
            description: "クラウド基盤を支える SRE を探しています。お知り合いにいらっしゃれば、ご本人の了承を得てご紹介ください。",
            audience: "network",
            status: "open",
            skills: &["AWS", "Kubernetes"],
            details: Details {
                role: "SRE（サイト信頼性エンジニア）".into(),
                department: "情報システム部".into(),
                reward: "入社時に紹介のお礼 30万円".into(),
                ..Details::default()
            },
            age: 10,
        },
        Demo {
            kind: "mentoring",
            title: "新任マネージャー向けメンタリングのお願い",
            description: "今年マネージャーになった社員の相談相手を探しています。月1回・1時間のオンライン面談を半年ほど。",
            audience: "network",
            status: "open",
            skills: &["マネジメント"],
            details: Details::default(),
            age: 14,
        },
        Demo {
            kind: "speaking",
            title: "社内勉強会での登壇（生成AIの業務活用）",
            description: "3月の社内勉強会で、生成AIを業務で使った経験を30分ほどお話しいただける方を探しています。",
            audience: "network",
            status: "open",
            skills: &["生成AI"],
            details: Details::default(),
            age: 20,
        },
        Demo {
            kind: "project",
            title: "新卒採用サイトのリニューアル",
            description: "新卒採用サイトのデザインと制作をお願いしました。",
            audience: "network",
            status: "filled",
            skills: &["デザイン"],
            details: Details {
                work_mode: Some(WorkMode::Hybrid),
                duration: "2026年7月〜9月".into(),
                ..Details::default()
            },
            age: 150,
        },
        Demo {
            kind: "rehire",
            title: "経理スペシャリスト（出戻り）",
            description: "決算を担当する経理スペシャリストを募集しました。",
            audience: "alumni",
            status: "filled",
            skills: &["経理"],
            details: Details {
                role: "経理スペシャリスト".into(),
                department: "経理部".into(),
                ..Details::default()
            },
            age: 120,
        },
    ]
}

const BUSINESSES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "桜デザイン事務所",
        "サクラデザインジムショ",
        "デザイン",
        "採用サイト・会社案内・ロゴの制作。元広報部のメンバーで立ち上げました。",
        "https://sakura-design.example",
    ),
    (
        "山田会計事務所",
        "ヤマダカイケイジムショ",
        "会計",
        "記帳代行、決算、年末調整。スタートアップの経理の立ち上げもお手伝いします。",
        "",
    ),
    (
        "合同会社ミナトデータ",
        "ミナトデータ",
        "データ分析",
        "BigQuery・dbt によるデータ基盤の構築と、分析チームの育成。",
        "https://minato-data.example",
    ),
    (
        "ひかり翻訳",
        "ヒカリホンヤク",
        "翻訳",
        "英語・中国語の契約書と技術文書の翻訳。",
        "",
    ),
];

/// Loads the part (see the module's doc).
pub async fn load(db: &Db) -> Result<(), StoreError> {
    let Some(network) = networks::by_slug(db, NETWORK_SLUG).await? else {
        return Ok(());
    };
    let net = network.scope();
    let Some(hr) = accounts::by_verified_email(db, "owner@demo.enishi.invalid").await? else {
        return Ok(());
    };
    let member = |i: u64| async move {
        accounts::by_verified_email(db, &format!("member{i}@demo.enishi.invalid")).await
    };
    let now = now_ms();
    let day = 86_400_000_i64;
    for (k, d) in demos().into_iter().enumerate() {
        let skills = serde_json::to_string(&d.skills).unwrap_or_else(|_| "[]".into());
        let details = serde_json::to_string(&d.details).unwrap_or_else(|_| "{}".into());
        let created = now - d.age * day;
        // the project that fits the demo alumnus closes in a month
        let deadline = (k == 0).then(|| iso_day(enishi_core::time::jst_day(now + 30 * day)));
        let id = stored::create(
            db,
            net,
            &NewOpportunity {
                kind: d.kind,
                title: d.title,
                description: d.description,
                audience: d.audience,
                group_id: None,
                status: d.status,
                deadline: deadline.as_deref(),
                skills: &skills,
                details: &details,
                picks: &[],
            },
            hr.id,
            created,
        )
        .await?;
        // a few answers: members in order, the first further along
        let answers: &[(u64, &str)] = match k {
            0 => &[(2, "talking"), (5, "interested"), (11, "interested")],
            1 => &[(8, "interested")],
            2 => &[(3, "won"), (7, "talking")],
            3 => &[(13, "interested"), (15, "won")],
            5 => &[(4, "won"), (9, "not_now")],
            6 => &[(6, "won")],
            _ => &[],
        };
        for (n, (who, stage)) in answers.iter().enumerate() {
            let Some(account) = member(*who).await? else {
                continue;
            };
            let answer = match d.kind {
                "mentoring" => Answer::Mentor,
                "referral" => Answer::Referral,
                _ => Answer::Interest,
            };
            // a referral names someone outside the network, who agreed
            let referred = (answer == Answer::Referral).then(|| {
                let names = ["木村 彩", "林 大輔"];
                (names[n % 2], format!("referred{n}@example.invalid"))
            });
            let at = created + (n as i64 + 1) * day / 2;
            let Answered::Created(answer_id) = stored::answer(
                db,
                net,
                &NewAnswer {
                    opportunity_id: id,
                    account_id: account.id,
                    answer: answer.as_str(),
                    note: if referred.is_some() {
                        "インフラ運用の経験が長く、転職を考えていると聞いています。"
                    } else {
                        "ぜひお手伝いさせてください。"
                    },
                    cv_url: "",
                    referred_name: referred.as_ref().map(|r| r.0).unwrap_or(""),
                    referred_email: referred.as_ref().map(|r| r.1.as_str()).unwrap_or(""),
                    relationship: if referred.is_some() {
                        "前職の同僚"
                    } else {
                        ""
                    },
                    consent_at: referred.as_ref().map(|_| at),
                },
                at,
            )
            .await?
            else {
                continue;
            };
            let reason = if *stage == "not_now" {
                "稼働時期が合わなかった"
            } else {
                ""
            };
            stored::set_stage(db, net, answer_id, stage, reason, at + day).await?;
            if *stage == "won" {
                let outcome = Kind::parse(d.kind)
                    .map(|k| k.outcome(answer).as_str())
                    .unwrap_or("contracted");
                let band = (d.kind == "project").then_some("1m_5m");
                let on = iso_day(enishi_core::time::jst_day(at + 2 * day));
                stored::record_outcome(
                    db,
                    net,
                    &NewOutcome {
                        opportunity_id: id,
                        answer_id,
                        outcome,
                        on_day: &on,
                        amount_band: band,
                        note: "",
                        recorded_by: hr.id,
                    },
                    at + 2 * day,
                )
                .await?;
            }
        }
    }
    for (i, (name, kana, industry, offer, url)) in BUSINESSES.iter().enumerate() {
        let Some(owner) = member(20 + i as u64).await? else {
            continue;
        };
        businesses::create(
            db,
            net,
            owner.id,
            &NewBusiness {
                name,
                kana,
                offer,
                industry,
                url,
            },
            now - (30 + i as i64) * day,
        )
        .await?;
    }
    Ok(())
}
