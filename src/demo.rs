//! Demo data for `enishi serve --demo` and `enishi demo`.
//!
//! Demo data comes in parts, one per capability, each loaded at most once
//! per database (a `demo:<part>` marker in `meta`), so running `--demo`
//! again changes nothing while a newer version's new parts still arrive.
//! So far: demo accounts (an operator and an alumnus), the demo network
//! with its named people, and their profiles with 2,000 generated alumni;
//! the feed (company news, a few hundred posts with comments and
//! reactions from 40 more members); groups of every kind, access and
//! space with their own posts; direct and group conversations; the demo
//! alumnus's post with comments and his notifications; opportunities of
//! each kind with answers and outcomes, and alumni businesses; past and
//! upcoming events with attendees across eras, a business-matching
//! evening with pitches and meetings, and exchanged cards. Later
//! capabilities each add their part to [`PARTS`].

use enishi_store::{Db, StoreError, meta, now_ms};

type Loader =
    for<'a> fn(
        &'a Db,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<(), StoreError>> + Send + 'a>>;

/// Every part, in the order it must load.
const PARTS: &[(&str, Loader)] = &[
    ("accounts", |db| Box::pin(load_accounts(db))),
    ("network", |db| Box::pin(load_network(db))),
    ("profiles", |db| Box::pin(load_profiles(db))),
    ("posts", |db| Box::pin(crate::demo_community::load(db))),
    ("groups", |db| {
        Box::pin(crate::demo_community::load_groups(db))
    }),
    ("messages", |db| {
        Box::pin(crate::demo_community::load_messages(db))
    }),
    ("notifications", |db| {
        Box::pin(crate::demo_community::load_notifications(db))
    }),
    ("opportunities", |db| {
        Box::pin(crate::demo_opportunities::load(db))
    }),
    ("events", |db| Box::pin(crate::demo_events::load(db))),
];

/// How many generated alumni the demo network gets.
pub const DEMO_ALUMNI: u64 = 2_000;

const DEPARTMENTS: &[&str] = &[
    "営業本部",
    "経営企画部",
    "人事部",
    "開発本部",
    "データ分析部",
    "マーケティング部",
    "法務部",
    "経理部",
    "広報部",
    "カスタマーサクセス部",
];
const TITLES: &[&str] = &[
    "",
    "",
    "主任",
    "係長",
    "課長",
    "部長",
    "マネージャー",
    "リーダー",
];
const SKILLS: &[&str] = &[
    "SQL",
    "Python",
    "Rust",
    "BigQuery",
    "法人営業",
    "採用",
    "労務",
    "法務",
    "会計",
    "マーケティング",
    "デザイン",
    "英語",
    "中国語",
    "プロジェクト管理",
    "広報",
    "UXリサーチ",
    "財務分析",
    "新規事業",
];
const COMPANIES: &[(&str, &str)] = &[
    ("株式会社ミライ", "IT・通信"),
    ("あおば銀行", "金融"),
    ("北斗コンサルティング", "コンサルティング"),
    ("さくら製薬", "医療・製薬"),
    ("東都不動産", "不動産"),
    ("ひかり物産", "商社"),
    ("ネクストラボ合同会社", "IT・通信"),
    ("みなと市役所", "公務"),
    ("", ""),
];
const PLACES: &[&str] = &[
    "東京都",
    "東京都",
    "東京都",
    "神奈川県",
    "大阪府",
    "愛知県",
    "福岡県",
    "北海道",
    "京都府",
    "埼玉県",
    "千葉県",
    "海外",
];

/// The `n`th generated alumnus: a consistent (kanji, kana, romaji) name
/// from the project's name table, one or two stints between 1970 and 2026,
/// departments, skills, now-work and open-to flags. The same `n` always
/// gives the same person.
pub fn generated_person(n: u64) -> enishi_store::profiles::NewPerson {
    use enishi_core::names::{mix, person};
    use enishi_core::profile::{OpenTo, Profile, Stint, WorkStyle, YearMonth};
    let name = person(n);
    let r = mix(n ^ 0x5EED);
    let pick = |shift: u32, len: usize| ((r >> shift) % len as u64) as usize;
    let joined_year = 1970 + (r % 50) as i64;
    let stay = 1 + ((r >> 8) % 12) as i64;
    let left_year = (joined_year + stay).min(2026);
    let dept = DEPARTMENTS[pick(16, DEPARTMENTS.len())];
    let mut stints = vec![Stint {
        joined: YearMonth::new(joined_year, 4),
        left: YearMonth::new(left_year, 3),
        departments: vec![dept.to_string()],
        titles: [TITLES[pick(20, TITLES.len())]]
            .iter()
            .filter(|t| !t.is_empty())
            .map(|t| t.to_string())
            .collect(),
        office: String::new(),
        employee_number: format!("S{:06}", 100_000 + n),
    }];
    // about one in eight came back (出戻り)
    if (r >> 24).is_multiple_of(8) && left_year + 3 <= 2025 {
        stints.push(Stint {
            joined: YearMonth::new(left_year + 2, 10),
            left: (r >> 27).is_multiple_of(2).then_some(YearMonth(202503)),
            departments: vec![DEPARTMENTS[pick(28, DEPARTMENTS.len())].to_string()],
            ..Stint::default()
        });
    }
    let skills: Vec<String> = (0..1 + (r >> 32) % 4)
        .map(|i| SKILLS[((mix(n + i * 7919) >> 5) % SKILLS.len() as u64) as usize].to_string())
        .fold(Vec::new(), |mut acc, s| {
            if !acc.contains(&s) {
                acc.push(s);
            }
            acc
        });
    let (company, industry) = COMPANIES[pick(36, COMPANIES.len())];
    let open_to: Vec<OpenTo> = OpenTo::ALL
        .iter()
        .enumerate()
        .filter(|(i, _)| (r >> (40 + i)).is_multiple_of(3))
        .map(|(_, o)| *o)
        .collect();
    let work_style = if company.is_empty() {
        [
            WorkStyle::Freelance,
            WorkStyle::Founder,
            WorkStyle::BetweenJobs,
        ][pick(48, 3)]
    } else {
        WorkStyle::Employee
    };
    let profile = Profile {
        family: name.family.to_string(),
        given: name.given.to_string(),
        family_kana: enishi_core::profile::to_katakana(name.family_kana),
        given_kana: enishi_core::profile::to_katakana(name.given_kana),
        family_romaji: name.family_romaji.clone(),
        given_romaji: name.given_romaji.clone(),
        company: company.to_string(),
        title: if company.is_empty() {
            String::new()
        } else {
            TITLES[pick(52, TITLES.len())].to_string()
        },
        industry: industry.to_string(),
        location: PLACES[pick(56, PLACES.len())].to_string(),
        work_style: Some(work_style),
        skills,
        open_to,
        stints,
        ..Profile::default()
    };
    enishi_store::profiles::NewPerson {
        display_name: format!("{} {}", name.family, name.given),
        kind: "alumni",
        profile,
        joined_at: 1_735_689_600_000 + (n as i64) * 3_600_000,
    }
}

/// Profiles for the named demo people, and 2,000 generated alumni.
async fn load_profiles(db: &Db) -> Result<(), StoreError> {
    use enishi_core::profile::{OpenTo, Profile, Stint, YearMonth};
    use enishi_store::{accounts, networks, profiles};
    let Some(network) = networks::by_slug(db, NETWORK_SLUG).await? else {
        return Ok(());
    };
    let net = network.scope();
    /// (address, セイ, メイ, company, title, joined, left, department)
    type Named = (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        i64,
        Option<i64>,
        &'static str,
    );
    let named: &[Named] = &[
        (
            ALUMNUS_EMAIL,
            "スズキ",
            "ヒトシ",
            "ステルス株式会社",
            "プロダクトマネージャー",
            200904,
            Some(201503),
            "営業本部",
        ),
        (
            "sato@demo.enishi.invalid",
            "サトウ",
            "ミサキ",
            "株式会社ミライ",
            "データアナリスト",
            201204,
            Some(201809),
            "データ分析部",
        ),
        (
            "tanaka@demo.enishi.invalid",
            "タナカ",
            "ケン",
            "",
            "",
            201504,
            None,
            "開発本部",
        ),
        (
            "owner@demo.enishi.invalid",
            "ジンジ",
            "ハナコ",
            "",
            "",
            200504,
            None,
            "人事部",
        ),
        (
            "admin@demo.enishi.invalid",
            "カンリ",
            "イチロウ",
            "",
            "",
            201004,
            None,
            "人事部",
        ),
        (
            "moderator@demo.enishi.invalid",
            "ミモリ",
            "ユミ",
            "北斗コンサルティング",
            "シニアコンサルタント",
            200704,
            Some(201403),
            "営業本部",
        ),
    ];
    for (email, fk, gk, company, title, joined, left, dept) in named {
        let Some(account) = accounts::by_verified_email(db, email).await? else {
            continue;
        };
        let Some(stored) = profiles::of_account(db, net, account.id).await? else {
            continue;
        };
        let p = Profile {
            family_kana: fk.to_string(),
            given_kana: gk.to_string(),
            family_romaji: enishi_core::names::romaji_of(&enishi_core::search::normalise(fk)),
            given_romaji: enishi_core::names::romaji_of(&enishi_core::search::normalise(gk)),
            nickname: if *email == ALUMNUS_EMAIL {
                "すーさん".into()
            } else {
                String::new()
            },
            company: company.to_string(),
            title: title.to_string(),
            skills: vec!["SQL".into(), "法人営業".into()],
            open_to: vec![OpenTo::Mentoring, OpenTo::Contract],
            ..stored.profile.clone()
        };
        let stints = vec![Stint {
            joined: Some(YearMonth(*joined)),
            left: left.map(YearMonth),
            departments: vec![dept.to_string()],
            ..Stint::default()
        }];
        profiles::save(db, net, stored.id, &p, profiles::StintsChange::Hr(stints)).await?;
    }
    insert_generated(db, net, 0, DEMO_ALUMNI, |_| {}).await
}

/// Inserts generated people numbered `first..first + count` in batched
/// transactions, calling `progress` with the running total after each.
async fn insert_generated(
    db: &Db,
    net: enishi_store::networks::NetworkId,
    first: u64,
    count: u64,
    progress: impl Fn(u64),
) -> Result<(), StoreError> {
    let mut done = 0;
    let mut statistics = enishi_store::housekeeping::RefreshAsItGrows::from(10 * BATCH as i64);
    // (SQLite: checkpointed every few batches, see `Db::bulk_writer`)
    db.bulk_write(async |bulk: &Db| {
        while done < count {
            let n = (count - done).min(BATCH as u64);
            let people: Vec<_> = (first + done..first + done + n)
                .map(generated_person)
                .collect();
            enishi_store::profiles::insert_people(bulk, net, &people).await?;
            statistics.wrote(bulk, n as i64).await?;
            done += n;
            progress(done);
        }
        Ok::<(), StoreError>(())
    })
    .await
}

/// Generated people per transaction when adding many.
const BATCH: usize = 1_000;

/// Adds `count` generated alumni to network `slug` in batched
/// transactions (numbered after the people already there, so every run
/// adds new people), calling `progress` with the running total after each
/// batch. `Ok(None)` when there is no such network.
pub async fn add_alumni(
    db: &Db,
    slug: &str,
    count: u64,
    progress: impl Fn(u64),
) -> Result<Option<u64>, StoreError> {
    use enishi_store::{networks, profiles};
    let Some(network) = networks::by_slug(db, slug).await? else {
        return Ok(None);
    };
    let first = DEMO_ALUMNI + profiles::count(db, network.scope()).await?;
    insert_generated(db, network.scope(), first, count, progress).await?;
    // as autovacuum would soon after on a server that has it on
    enishi_store::housekeeping::vacuum_directory(db).await?;
    enishi_store::housekeeping::refresh_statistics(db).await?;
    Ok(Some(count))
}

/// The demo network's slug.
pub const NETWORK_SLUG: &str = "sample-shoji";
/// The password of every demo person but the operator (shown in the README
/// and printed by `serve --demo`).
pub const DEMO_PASSWORD: &str = ALUMNUS_PASSWORD;

/// The people of the demo network: (name, address, role, kind).
pub const PEOPLE: &[(&str, &str, &str, &str)] = &[
    ("人事 花子", "owner@demo.enishi.invalid", "owner", "hr"),
    ("管理 一郎", "admin@demo.enishi.invalid", "admin", "hr"),
    (
        "見守 由美",
        "moderator@demo.enishi.invalid",
        "moderator",
        "alumni",
    ),
    ("鈴木 仁志", ALUMNUS_EMAIL, "member", "alumni"),
    ("佐藤 美咲", "sato@demo.enishi.invalid", "member", "alumni"),
    (
        "田中 健",
        "tanaka@demo.enishi.invalid",
        "member",
        "employee",
    ),
];

async fn load_network(db: &Db) -> Result<(), StoreError> {
    use enishi_store::accounts::{self, NewAccount};
    use enishi_store::{memberships, networks};
    let ja = enishi_web::i18n::Tr::new(enishi_core::Lang::Ja);
    let en = enishi_web::i18n::Tr::new(enishi_core::Lang::En);
    let network = networks::create(
        db,
        &networks::NewNetwork {
            slug: NETWORK_SLUG,
            name_ja: "サンプル商事 アルムナイ",
            name_en: "Sample Shoji Alumni",
            description_ja: "サンプル商事を卒業したみなさんと、いま働く社員・人事をつなぐ公式アルムナイ・ネットワークです。",
            description_en: "The official alumni network of Sample Shoji: its former employees, current staff and HR.",
            accent_color: "#22406b",
            join_policy: "request",
            staff_domains: &[],
            listed: true,
            purposes: (ja.get("defaults.purposes"), en.get("defaults.purposes")),
            guidelines: (ja.get("defaults.guidelines"), en.get("defaults.guidelines")),
            created_by: None,
        },
    )
    .await?;
    let hash = enishi_web::auth::hash_password(DEMO_PASSWORD.to_string())
        .await
        .map_err(|e| StoreError::Config(e.to_string()))?;
    let consent = memberships::Consent {
        purposes_version: 1,
        guidelines_version: 1,
        ip: None,
    };
    for (name, email, role, kind) in PEOPLE {
        let account = match accounts::by_verified_email(db, email).await? {
            Some(a) => a,
            None => {
                let new = NewAccount {
                    display_name: name,
                    email,
                    email_verified: true,
                    lang: "ja",
                    time_zone: enishi_core::tz::DEFAULT,
                    is_operator: false,
                };
                let a = accounts::create(db, &new).await?;
                accounts::set_password_hash(db, a.id, Some(&hash)).await?;
                a
            }
        };
        memberships::join(
            db,
            network.scope(),
            &memberships::NewMembership {
                account_id: account.id,
                role,
                kind,
                status: "active",
                note: None,
            },
            &consent,
        )
        .await?;
    }
    Ok(())
}

/// The demo operator's address (`.invalid`: mail to it can never leave).
pub const OPERATOR_EMAIL: &str = "operator@demo.enishi.invalid";
/// The demo alumnus's address and password, shown in the README.
pub const ALUMNUS_EMAIL: &str = "suzuki@demo.enishi.invalid";
pub const ALUMNUS_PASSWORD: &str = "enishi-demo-2026";

async fn load_accounts(db: &Db) -> Result<(), StoreError> {
    use enishi_store::accounts::{self, NewAccount};
    let new = |display_name, email, is_operator| NewAccount {
        display_name,
        email,
        email_verified: true,
        lang: "ja",
        time_zone: enishi_core::tz::DEFAULT,
        is_operator,
    };
    accounts::create(db, &new("デモ運営者", OPERATOR_EMAIL, true)).await?;
    let alumnus = accounts::create(db, &new("鈴木 仁志", ALUMNUS_EMAIL, false)).await?;
    let hash = enishi_web::auth::hash_password(ALUMNUS_PASSWORD.to_string())
        .await
        .map_err(|e| StoreError::Config(e.to_string()))?;
    accounts::set_password_hash(db, alumnus.id, Some(&hash)).await
}

/// A fresh one-time sign-in link for the demo operator (printed at each
/// `serve --demo`).
pub async fn operator_link(db: &Db, base: &url::Url) -> Result<Option<String>, StoreError> {
    let Some(account) = enishi_store::accounts::by_verified_email(db, OPERATOR_EMAIL).await? else {
        return Ok(None);
    };
    let token = enishi_web::signin::issue_link(
        db,
        enishi_store::login_tokens::Purpose::SignIn,
        account.id,
        OPERATOR_EMAIL,
        60 * 60 * 1000,
    )
    .await
    .map_err(|e| StoreError::Config(e.to_string()))?;
    Ok(Some(format!(
        "{}/signin/link?token={token}",
        base.as_str().trim_end_matches('/')
    )))
}

/// What one call loaded.
pub struct Loaded {
    pub new_parts: Vec<&'static str>,
    pub total_parts: usize,
}

/// Loads every part not loaded before. A part that fails is not marked, so
/// the next run tries it again.
pub async fn load(db: &Db) -> Result<Loaded, StoreError> {
    let mut new_parts = Vec::new();
    for (name, loader) in PARTS {
        let key = format!("demo:{name}");
        if meta::insert_once(db, &key, &now_ms().to_string()).await? {
            if let Err(err) = loader(db).await {
                meta::remove(db, &key).await?;
                return Err(err);
            }
            new_parts.push(*name);
        }
    }
    Ok(Loaded {
        new_parts,
        total_parts: PARTS.len(),
    })
}

/// One line for the operator.
pub fn summary(loaded: &Loaded) -> String {
    if loaded.total_parts == 0 {
        "Demo data: this version has none to load yet.".into()
    } else if loaded.new_parts.is_empty() {
        "Demo data is already loaded.".into()
    } else {
        format!("Demo data loaded: {}.", loaded.new_parts.join(", "))
    }
}
