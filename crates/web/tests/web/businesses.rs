//! Alumni businesses over real HTTP, on both databases: listing one's own
//! (checked, at most five), the directory's Japanese search (kana, romaji,
//! width) and the industry filter, an enquiry that becomes a conversation
//! without showing anyone's address, and who may change or remove a
//! listing.

use enishi_store::networks::Network;
use enishi_testkit::{Backend, TestApp, Visitor, dual_test, unique_number};
use reqwest::Method;
use serde_json::{Value, json};

use crate::{api, join, make_network};

struct Person {
    v: Visitor,
    id: i64,
    email: String,
}

async fn person(app: &TestApp, net: &Network, role: &str, kind: &str, name: &str) -> Person {
    let email = format!("b{}@example.jp", unique_number());
    let account = app.create_account(&email, name, None, false).await;
    join(app, net, account.id, role, kind).await;
    let v = app.visitor_signed_in_as(account.id).await;
    v.get("/").await;
    Person {
        v,
        id: account.id,
        email,
    }
}

async fn list(v: &Visitor, query: &str) -> Vec<String> {
    let (s, body) = api(
        v,
        Method::GET,
        &format!("/api/v1/n/alpha/businesses{query}"),
        None,
    )
    .await;
    assert_eq!(s, 200, "{body}");
    body.as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap().to_string())
        .collect()
}

async fn listing(v: &Visitor, body: Value) -> (u16, Value) {
    api(v, Method::POST, "/api/v1/n/alpha/businesses", Some(body)).await
}

async fn listings_search_and_enquiries(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let owner = person(&app, &net, "member", "alumni", "起業 一郎").await;
    let staff = person(&app, &net, "member", "employee", "購買 花子").await;
    let hr = person(&app, &net, "admin", "hr", "人事 次郎").await;
    // through the form: checked, with messages
    let res = owner
        .v
        .post_form(
            "/n/alpha/businesses",
            &[("name", ""), ("offer", ""), ("url", "javascript:alert(1)")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    for m in [
        "名前を入力してください。",
        "提供しているものを書いてください。",
        "「https://」で始まるURLを入力してください。",
    ] {
        assert!(html.contains(m), "{m}");
    }
    let res = owner
        .v
        .post_form(
            "/n/alpha/businesses",
            &[
                ("name", "株式会社桜デザイン"),
                ("kana", "サクラデザイン"),
                ("industry", "デザイン"),
                ("offer", "ロゴ制作、ＷＥＢサイト"),
                ("url", "https://sakura.example.jp"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (s, b) = listing(
        &owner.v,
        json!({"name": "山田会計事務所", "offer": "記帳代行・決算", "industry": "会計"}),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let books = b["id"].as_i64().unwrap();
    // the directory's search: kanji, kana, half-width kana, romaji, words
    for (q, want) in [
        ("?q=桜", vec!["株式会社桜デザイン"]),
        ("?q=さくら", vec!["株式会社桜デザイン"]),
        ("?q=%EF%BD%BB%EF%BD%B8%EF%BE%97", vec!["株式会社桜デザイン"]),
        ("?q=sakura", vec!["株式会社桜デザイン"]),
        ("?q=web", vec!["株式会社桜デザイン"]),
        ("?q=決算", vec!["山田会計事務所"]),
        ("?q=桜+決算", vec![]),
        ("?industry=会計", vec!["山田会計事務所"]),
    ] {
        assert_eq!(list(&staff.v, q).await, want, "{q}");
    }
    assert_eq!(list(&staff.v, "").await.len(), 2);
    let (s, html) = staff.v.get_text("/n/alpha/businesses?q=さくら").await;
    assert_eq!(s, 200);
    assert!(html.contains("株式会社桜デザイン") && !html.contains("山田会計事務所"));
    // an enquiry becomes a conversation with the owner; no address shown
    let (s, html) = staff
        .v
        .get_text(&format!("/n/alpha/businesses/{books}"))
        .await;
    assert_eq!(s, 200);
    assert!(!html.contains(&owner.email));
    let res = staff
        .v
        .post_form(
            &format!("/n/alpha/businesses/{books}/enquiry"),
            &[("body", "来期の決算をお願いできますか")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/n/alpha/messages/"), "{to}");
    // the owner reads it in their messages, with what it is about
    let (s, page) = owner.v.get_text(&to).await;
    assert_eq!(s, 200);
    assert!(page.contains("【山田会計事務所へのお問い合わせ】"));
    assert!(page.contains("来期の決算をお願いできますか"));
    // empty enquiries and one's own listing are refused
    let (s, body) = api(
        &staff.v,
        Method::POST,
        &format!("/api/v1/n/alpha/businesses/{books}/enquiries"),
        Some(json!({"body": "  "})),
    )
    .await;
    assert_eq!(s, 422, "{body}");
    let (s, body) = api(
        &owner.v,
        Method::POST,
        &format!("/api/v1/n/alpha/businesses/{books}/enquiries"),
        Some(json!({"body": "自分宛"})),
    )
    .await;
    assert_eq!(s, 422);
    assert!(
        body.to_string()
            .contains("ご自分の掲載には問い合わせできません")
    );
    // only the owner edits; an admin may remove; others see 404
    for path in [format!("/n/alpha/businesses/{books}/edit")] {
        assert_eq!(staff.v.get(&path).await.status(), 404);
        assert_eq!(hr.v.get(&path).await.status(), 404);
        assert_eq!(owner.v.get(&path).await.status(), 200);
    }
    let (s, _) = api(
        &staff.v,
        Method::PUT,
        &format!("/api/v1/n/alpha/businesses/{books}"),
        Some(json!({"name": "乗っ取り", "offer": "x"})),
    )
    .await;
    assert_eq!(s, 404);
    let (s, _) = api(
        &staff.v,
        Method::DELETE,
        &format!("/api/v1/n/alpha/businesses/{books}"),
        None,
    )
    .await;
    assert_eq!(s, 404);
    let (s, b) = api(
        &owner.v,
        Method::PUT,
        &format!("/api/v1/n/alpha/businesses/{books}"),
        Some(json!({"name": "山田会計事務所", "offer": "記帳代行・決算・年末調整", "industry": "会計"})),
    )
    .await;
    assert_eq!(
        (s, b["offer"].as_str()),
        (200, Some("記帳代行・決算・年末調整"))
    );
    let res =
        hr.v.post_form(&format!("/n/alpha/businesses/{books}"), &[("remove", "1")])
            .await;
    assert_eq!(res.status(), 303);
    assert_eq!(list(&staff.v, "?q=決算").await, Vec::<String>::new());
    // five listings each
    for n in 0..4 {
        let (s, _) = listing(&owner.v, json!({"name": format!("事業{n}"), "offer": "x"})).await;
        assert_eq!(s, 201);
    }
    let (s, body) = listing(&owner.v, json!({"name": "六つ目", "offer": "x"})).await;
    assert_eq!(s, 422);
    assert!(body.to_string().contains("1人5件まで"), "{body}");
    // a member who left takes their listings out of the directory
    enishi_store::memberships::set_status(
        &app.db,
        net.scope(),
        enishi_store::memberships::of_account(&app.db, net.scope(), owner.id)
            .await
            .unwrap()
            .unwrap()
            .id,
        "left",
    )
    .await
    .unwrap();
    assert!(list(&staff.v, "").await.is_empty());
    app.stop().await;
}

dual_test!(listings_search_and_enquiries);
