//! The web layer over real HTTP against the real server (enishi-testkit),
//! on SQLite and PostgreSQL; plus the catalogue checks and the browser
//! journeys. One test binary for the crate, modules by subject.

mod accounts;
mod api;
mod browser;
mod browser_community;
mod browser_events;
mod browser_intake;
mod browser_opportunities;
mod business_matching;
mod businesses;
mod errors;
mod events;
mod groups;
mod i18n;
mod intake;
mod invitations;
mod matrix;
mod messages;
mod moderation;
mod networks;
mod notifications;
mod opportunities;
mod posts;
mod profiles;
mod site;

/// The `<h1>` text of an HTML page (our pages have exactly one).
pub fn h1(html: &str) -> String {
    let start = html.find("<h1").expect("an <h1>");
    let open_end = html[start..].find('>').unwrap() + start + 1;
    let close = html[open_end..].find("</h1>").unwrap() + open_end;
    html[open_end..close].trim().to_string()
}

pub fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .unwrap_or_else(|| panic!("missing header {name}"))
        .to_str()
        .unwrap()
}

use enishi_store::accounts::Account;
use enishi_store::memberships;
use enishi_store::networks::{self as store_networks, Network};
use enishi_testkit::{TestApp, unique_number};

/// A network made directly in the database (default documents, no owner).
pub async fn make_network(app: &TestApp, slug: &str, policy: &str) -> Network {
    let ja = enishi_web::i18n::Tr::new(enishi_core::Lang::Ja);
    store_networks::create(
        &app.db,
        &store_networks::NewNetwork {
            slug,
            name_ja: slug,
            name_en: slug,
            description_ja: "",
            description_en: "",
            accent_color: "#22406b",
            join_policy: policy,
            staff_domains: &[],
            listed: true,
            purposes: (ja.get("defaults.purposes"), ""),
            guidelines: (ja.get("defaults.guidelines"), ""),
            created_by: None,
        },
    )
    .await
    .unwrap()
}

pub async fn fresh_account(app: &TestApp, operator: bool) -> Account {
    let email = format!("p{}@example.jp", unique_number());
    app.create_account(&email, "Matrix", None, operator).await
}

/// Puts `account` in `network` as an active member with current consent.
pub async fn join(
    app: &TestApp,
    network: &Network,
    account_id: i64,
    role: &str,
    kind: &str,
) -> i64 {
    let current = store_networks::by_id(&app.db, network.scope())
        .await
        .unwrap()
        .unwrap();
    let consent = memberships::Consent {
        purposes_version: current.purposes_version,
        guidelines_version: current.guidelines_version,
        ip: None,
    };
    memberships::join(
        &app.db,
        network.scope(),
        &memberships::NewMembership {
            account_id,
            role,
            kind,
            status: "active",
            note: None,
        },
        &consent,
    )
    .await
    .unwrap()
    .0
    .id
}

/// A JSON API call as `v` (session cookie and CSRF header): the status and
/// the body (`null` when there is none).
pub async fn api(
    v: &enishi_testkit::Visitor,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut req = v
        .client
        .request(method, v.url(path))
        .header("x-csrf-token", v.csrf_token().unwrap());
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

/// A count in the header of the network `alpha`'s home page: the element
/// carrying the attribute `marker` (`data-unread-messages`, …).
pub async fn header_count(v: &enishi_testkit::Visitor, marker: &str) -> i64 {
    let (status, html) = v.get_text("/n/alpha").await;
    assert_eq!(status, 200);
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in the header"));
    let text = &html[at..];
    let start = text.find('>').unwrap() + 1;
    let end = text.find('<').unwrap();
    text[start..end].trim().parse().unwrap()
}

/// The profile id of `account` in `network`.
pub async fn profile_of(app: &TestApp, network: &Network, account: i64) -> i64 {
    enishi_store::profiles::of_account(&app.db, network.scope(), account)
        .await
        .unwrap()
        .expect("a member has a profile")
        .id
}
