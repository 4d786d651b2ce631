//! Demo data for `enishi serve --demo` and `enishi demo`.
//!
//! Demo data comes in parts, one per capability, each loaded at most once
//! per database (a `demo:<part>` marker in `meta`), so running `--demo`
//! again changes nothing while a newer version's new parts still arrive.
//! So far: demo accounts (an operator and an alumnus). The networks,
//! profiles, posts and events capabilities each add their part to
//! [`PARTS`].

use enishi_store::{Db, StoreError, meta, now_ms};

type Loader =
    for<'a> fn(
        &'a Db,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<(), StoreError>> + Send + 'a>>;

/// Every part, in the order it must load.
const PARTS: &[(&str, Loader)] = &[
    ("accounts", |db| Box::pin(load_accounts(db))),
    ("network", |db| Box::pin(load_network(db))),
];

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
