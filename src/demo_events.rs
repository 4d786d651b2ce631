//! The events demo part: last year's big reunion (ended, 30 people
//! checked in across the eras), the year-end reunion coming up (its
//! registrants lean to the latest era, so the organiser page warns and
//! suggests whom to invite; the demo alumnus is going), an online study
//! session, a business-matching evening (pitches from alumni businesses —
//! one approved, one waiting —, the データ基盤 project attached, 1:1
//! meetings booked) and a member's proposal waiting for a moderator. The
//! demo alumnus and 佐藤 have exchanged business cards. Deterministic.

use enishi_core::business_matching::Card;
use enishi_core::calendar;
use enishi_store::business_matching::{self as bm, Asked, NewMeeting, NewPitch};
use enishi_store::events::{self as stored, Ask, NewEvent};
use enishi_store::{Db, StoreError, accounts, businesses, networks, now_ms, opportunities};

use crate::demo::NETWORK_SLUG;

/// 19:00 Tokyo time `days` from today (negative: in the past).
fn evening(days: i64, hour: u32) -> i64 {
    let tokyo = calendar::zone("Asia/Tokyo").expect("Asia/Tokyo");
    let l = calendar::local(now_ms() + days * 86_400_000, &tokyo);
    calendar::instant(&tokyo, (i64::from(l.year), l.month, l.day), hour, 0).unwrap_or(0)
}

struct Demo {
    title: &'static str,
    description: &'static str,
    days: i64,
    hours: i64,
    format: &'static str,
    venue: &'static str,
    address: &'static str,
    online_url: &'static str,
    capacity: Option<i64>,
    questions: &'static str,
    business_matching: bool,
    status: &'static str,
    /// Members (by number) going; the last `checked_in` of them checked
    /// in.
    going: std::ops::Range<u64>,
    checked_in: bool,
}

fn demos() -> Vec<Demo> {
    vec![
        Demo {
            title: "2025 OB・OG 大交流会",
            description: "創業 50 周年を記念した大交流会。各世代の卒業生と社員が 30 名以上集まりました。",
            days: -60,
            hours: 3,
            format: "in_person",
            venue: "サンプル商事 本社 20F ラウンジ",
            address: "東京都千代田区丸の内 1-1-1",
            online_url: "",
            capacity: Some(120),
            questions: "",
            business_matching: false,
            status: "published",
            going: 0..30,
            checked_in: true,
        },
        Demo {
            title: "年末 OB・OG 交流会 2026",
            description: "今年も年末の交流会を開きます。\n\n- 18:30 受付\n- 19:00 乾杯・近況紹介\n- 20:30 世代をまぜたテーブルトーク\n\nご家族・同伴者の方も 1 名までどうぞ。",
            days: 16,
            hours: 3,
            format: "in_person",
            venue: "サンプル商事 本社 20F ラウンジ",
            address: "東京都千代田区丸の内 1-1-1",
            online_url: "",
            capacity: Some(60),
            questions: "*在籍していた部署\n食事の制限 [なし / ベジタリアン / ハラル / その他]",
            business_matching: false,
            status: "published",
            going: 30..40,
            checked_in: false,
        },
        Demo {
            title: "オンライン勉強会：データ分析のいま",
            description: "データ分析部の OB・OG と現役社員で、最近の分析基盤の話をします。",
            days: 9,
            hours: 1,
            format: "online",
            venue: "",
            address: "",
            online_url: "https://meet.sample-shoji.example/data-study",
            capacity: None,
            questions: "",
            business_matching: false,
            status: "published",
            going: 5..12,
            checked_in: false,
        },
        Demo {
            title: "アルムナイ・ビジネス交流会",
            description: "アルムナイの事業のピッチと、サンプル商事からお願いしたい案件の紹介、1 対 1 の商談の場です。名刺交換もアプリでどうぞ。",
            days: 30,
            hours: 3,
            format: "in_person",
            venue: "サンプル商事 本社 3F ホール",
            address: "東京都千代田区丸の内 1-1-1",
            online_url: "",
            capacity: Some(100),
            questions: "",
            business_matching: true,
            status: "published",
            going: 12..30,
            checked_in: false,
        },
        Demo {
            title: "有志のもくもく会（提案）",
            description: "週末に集まって各自の作業をする会を提案します。",
            days: 23,
            hours: 3,
            format: "in_person",
            venue: "渋谷のコワーキング",
            address: "",
            online_url: "",
            capacity: Some(15),
            questions: "",
            business_matching: false,
            status: "proposed",
            going: 0..0,
            checked_in: false,
        },
    ]
}

/// Loads the part (see the module's doc).
pub async fn load(db: &Db) -> Result<(), StoreError> {
    let Some(network) = networks::by_slug(db, NETWORK_SLUG).await? else {
        return Ok(());
    };
    let net = network.scope();
    let Some(hr) = accounts::by_verified_email(db, "owner@demo.enishi.invalid").await? else {
        return Ok(());
    };
    let alumnus = accounts::by_verified_email(db, crate::demo::ALUMNUS_EMAIL).await?;
    let sato = accounts::by_verified_email(db, "sato@demo.enishi.invalid").await?;
    let proposer = accounts::by_verified_email(db, "tanaka@demo.enishi.invalid").await?;
    let now = now_ms();
    for (k, d) in demos().into_iter().enumerate() {
        let starts_at = evening(d.days, 19);
        let questions = serde_json::to_string(
            &enishi_core::events::parse_questions(d.questions).unwrap_or_default(),
        )
        .unwrap_or_else(|_| "[]".into());
        let creator = if d.status == "proposed" {
            proposer.as_ref().map_or(hr.id, |p| p.id)
        } else {
            hr.id
        };
        let id = stored::create(
            db,
            net,
            &NewEvent {
                title: d.title,
                description: d.description,
                starts_at,
                ends_at: starts_at + d.hours * 3_600_000,
                tz: "Asia/Tokyo",
                format: d.format,
                venue: d.venue,
                address: d.address,
                map_url: "",
                online_url: d.online_url,
                capacity: d.capacity,
                waitlist: d.capacity.is_some(),
                guests: if k == 1 { 1 } else { 0 },
                deadline: None,
                audience: "network",
                group_id: None,
                questions: &questions,
                business_matching: d.business_matching,
                meeting_minutes: 20,
            },
            d.status,
            &format!("{:064x}", 0x5eed_0000_u64 + k as u64),
            creator,
            now - 20 * 86_400_000,
        )
        .await?;
        let mut going = Vec::new();
        for i in d.going.clone() {
            if let Some(a) =
                accounts::by_verified_email(db, &format!("member{i}@demo.enishi.invalid")).await?
            {
                going.push(a.id);
            }
        }
        if k == 1 {
            // the year-end reunion leans to one recent era (seed 002's
            // worry): the organiser page warns and suggests other eras
            going = leaning(db, net, 9, 2).await?;
        }
        // the demo alumnus goes to the year-end reunion and the evening
        if (k == 1 || k == 3)
            && let Some(a) = &alumnus
        {
            going.push(a.id);
        }
        if k == 3
            && let Some(s) = &sato
        {
            going.push(s.id);
        }
        for (n, account) in going.iter().enumerate() {
            let answers = if k == 1 {
                format!(
                    "[\"{}\", \"なし\"]",
                    ["営業本部", "開発本部", "人事部"][n % 3]
                )
            } else {
                "[]".into()
            };
            let done = stored::register(
                db,
                net,
                id,
                *account,
                &Ask {
                    going: true,
                    guests: 0,
                    answers: &answers,
                    unlisted: n % 7 == 6,
                    waitlist: true,
                },
                now - (19 - n as i64 % 10) * 86_400_000,
            )
            .await?;
            if d.checked_in
                && let stored::Registered::Done { id: reg, .. } = done
            {
                stored::check_in(db, net, reg, hr.id, starts_at + (n as i64 % 40) * 60_000).await?;
            }
        }
        if d.business_matching {
            business_matching(db, &network, id, hr.id, starts_at, &alumnus, &sato).await?;
        }
    }
    // the demo alumnus and 佐藤 exchanged cards
    if let (Some(a), Some(s)) = (&alumnus, &sato) {
        for (who, card, code) in [
            (
                a,
                Card {
                    name: "鈴木 仁志".into(),
                    company: "鈴木データラボ".into(),
                    title: "代表".into(),
                    email: crate::demo::ALUMNUS_EMAIL.into(),
                    shown: vec!["company".into(), "title".into(), "email".into()],
                    ..Card::default()
                },
                "SZK0DEMO",
            ),
            (
                s,
                Card {
                    name: "佐藤 美咲".into(),
                    company: "佐藤デザイン事務所".into(),
                    title: "デザイナー".into(),
                    shown: vec!["company".into(), "title".into()],
                    ..Card::default()
                },
                "STO0DEMO",
            ),
        ] {
            bm::save_card(
                db,
                net,
                who.id,
                &serde_json::to_string(&card).unwrap_or_default(),
                code,
                now,
            )
            .await?;
        }
        if let Asked::Created(x) =
            bm::ask_exchange(db, net, s.id, a.id, None, now - 3_600_000).await?
        {
            bm::decide_exchange(db, net, x, a.id, true, now - 3_000_000).await?;
        }
    }
    Ok(())
}

/// `most` members who joined in the latest era anyone did, and `few`
/// from before it.
async fn leaning(
    db: &Db,
    net: networks::NetworkId,
    most: usize,
    few: usize,
) -> Result<Vec<i64>, StoreError> {
    let mut members = Vec::new();
    for i in 0..40 {
        if let Some(a) =
            accounts::by_verified_email(db, &format!("member{i}@demo.enishi.invalid")).await?
        {
            members.push(a.id);
        }
    }
    let rows = stored::era_rows(db, net, Some(&members), 0).await?;
    let mut hired: Vec<(i64, i32)> = Vec::new();
    for r in rows {
        let Some(ym) = r.joined_ym else { continue };
        let year = enishi_core::profile::YearMonth(ym).year() as i32;
        match hired.iter_mut().find(|(a, _)| *a == r.account_id) {
            Some((_, y)) => *y = (*y).min(year),
            None => hired.push((r.account_id, year)),
        }
    }
    let Some(latest) = hired.iter().map(|(_, y)| enishi_core::eras::era(*y)).max() else {
        return Ok(Vec::new());
    };
    let recent = hired
        .iter()
        .filter(|(_, y)| enishi_core::eras::era(*y) == latest)
        .map(|(a, _)| *a)
        .take(most);
    let older = hired
        .iter()
        .filter(|(_, y)| enishi_core::eras::era(*y) != latest)
        .map(|(a, _)| *a)
        .take(few);
    Ok(recent.chain(older).collect())
}

/// Pitches from the alumni businesses (the first approved, the second
/// waiting), the データ基盤 project attached, and meetings booked.
async fn business_matching(
    db: &Db,
    network: &networks::Network,
    event: i64,
    hr: i64,
    starts_at: i64,
    alumnus: &Option<accounts::Account>,
    sato: &Option<accounts::Account>,
) -> Result<(), StoreError> {
    let net = network.scope();
    let now = now_ms();
    let listed = businesses::list(db, net).await?;
    let mut pitchers = Vec::new();
    for (n, b) in listed.iter().take(3).enumerate() {
        if let Some(p) = bm::apply(
            db,
            net,
            &NewPitch {
                event,
                account: b.account_id,
                business: b.id,
                pitch: [
                    "事業承継・M&A の相談を承ります",
                    "採用広報の動画を作ります",
                    "経理の仕組みづくりを手伝います",
                ][n],
                slides_url: "",
            },
            now - 5 * 86_400_000,
        )
        .await?
        {
            let status = if n == 1 { "pending" } else { "approved" };
            bm::decide_pitch(db, net, event, p, status, now - 4 * 86_400_000).await?;
            if status == "approved" {
                pitchers.push(b.account_id);
            }
        }
    }
    let project = opportunities::listed(db, net, hr, None)
        .await?
        .into_iter()
        .find(|o| o.opportunity.title.starts_with("データ基盤"))
        .map(|o| o.opportunity.id);
    if let Some(p) = project {
        bm::set_projects(db, net, event, &[p]).await?;
    }
    // 佐藤 meets the first pitcher at the first slot (accepted); the demo
    // alumnus asked HR about the project at the second (waiting)
    let slot = |n: i64| starts_at + n * 20 * 60_000;
    if let (Some(s), Some(first)) = (sato, pitchers.first())
        && s.id != *first
    {
        let m = bm::request(
            db,
            net,
            &NewMeeting {
                event,
                requester: s.id,
                host: *first,
                slot: slot(0),
                note: "事業承継の件でご相談させてください",
            },
            now - 2 * 86_400_000,
        )
        .await?;
        bm::answer(db, net, event, m, *first, true, now - 86_400_000).await?;
    }
    if let (Some(a), Some(_)) = (alumnus, project) {
        bm::request(
            db,
            net,
            &NewMeeting {
                event,
                requester: a.id,
                host: hr,
                slot: slot(1),
                note: "データ基盤の案件に関心があります",
            },
            now - 86_400_000,
        )
        .await?;
    }
    Ok(())
}
