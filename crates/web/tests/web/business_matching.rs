//! Business matching over real HTTP, on both databases: pitching one's
//! own alumni business (approved by the organisers before others see
//! it), the company's projects attached to the event, 1:1 meetings in
//! slots without double-booking anyone, and business cards exchanged by
//! code — shared only when the owner confirms, only the fields they
//! chose.

use enishi_store::networks::Network;
use enishi_store::now_ms;
use enishi_testkit::{Backend, TestApp, Visitor, dual_test, unique_number};
use reqwest::Method;
use serde_json::{Value, json};

use crate::{api, join, make_network};

struct Person {
    v: Visitor,
    id: i64,
}

async fn person(app: &TestApp, net: &Network, role: &str, kind: &str, name: &str) -> Person {
    let email = format!("b{}@example.jp", unique_number());
    let account = app.create_account(&email, name, None, false).await;
    join(app, net, account.id, role, kind).await;
    let v = app.visitor_signed_in_as(account.id).await;
    v.get("/").await;
    Person { v, id: account.id }
}

async fn matching_event(v: &Visitor, business_matching: bool) -> i64 {
    let l = enishi_core::calendar::local_in(now_ms() + 72 * 3_600_000, "Asia/Tokyo");
    let (s, b) = api(
        v,
        Method::POST,
        "/api/v1/n/alpha/events",
        Some(json!({"title": "アルムナイ交流会", "starts_on": l.iso_day(), "starts_time": "18:00",
                    "ends_time": "20:00", "format": "in_person", "venue": "本社", "audience": "network",
                    "business_matching": business_matching, "meeting_minutes": 20})),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    b["id"].as_i64().unwrap()
}

fn detail(b: &Value) -> &str {
    b["detail"].as_str().unwrap_or("")
}

async fn pitches_projects_and_meetings(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "invitation").await;
    let hr = person(&app, &net, "owner", "hr", "人事 花子").await;
    let seller = person(&app, &net, "member", "alumni", "仲介 太郎").await;
    let buyer = person(&app, &net, "member", "alumni", "買手 次郎").await;
    let third = person(&app, &net, "member", "alumni", "三番 三郎").await;
    let stranger = person(&app, &net, "member", "alumni", "未登録 四郎").await;
    let id = matching_event(&hr.v, true).await;
    let plain = matching_event(&hr.v, false).await;
    let base = format!("/api/v1/n/alpha/events/{id}");
    assert_eq!(
        api(
            &seller.v,
            Method::GET,
            &format!("/api/v1/n/alpha/events/{plain}/matching"),
            None
        )
        .await
        .0,
        404
    );
    assert_eq!(
        seller
            .v
            .get(&format!("/n/alpha/events/{plain}/matching"))
            .await
            .status(),
        404
    );
    for p in [&seller, &buyer, &third] {
        let (s, _) = api(
            &p.v,
            Method::PUT,
            &format!("{base}/rsvp"),
            Some(json!({"answer": "going"})),
        )
        .await;
        assert_eq!(s, 200);
    }
    // the seller's listing, and a pitch from it
    let (s, b) = api(
        &seller.v,
        Method::POST,
        "/api/v1/n/alpha/businesses",
        Some(json!({"name": "仲介ラボ", "offer": "M&A の仲介", "industry": "金融"})),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let business = b["id"].as_i64().unwrap();
    let (s, b) = api(
        &buyer.v,
        Method::POST,
        &format!("{base}/pitches"),
        Some(json!({"business_id": business, "pitch": "他人の事業"})),
    )
    .await;
    assert_eq!(s, 422);
    assert!(detail(&b).contains("自分の事業を選んでください"));
    let (s, b) = api(
        &seller.v,
        Method::POST,
        &format!("{base}/pitches"),
        Some(json!({"business_id": business, "pitch": " "})),
    )
    .await;
    assert_eq!(s, 422);
    assert!(detail(&b).contains("ピッチをひとことで"));
    let (s, b) = api(&seller.v, Method::POST, &format!("{base}/pitches"),
        Some(json!({"business_id": business, "pitch": "事業承継の相談、承ります", "slides_url": "https://example.com/deck"}))).await;
    assert_eq!(s, 201, "{b}");
    let pitch = b["id"].as_i64().unwrap();
    let (s, b) = api(
        &seller.v,
        Method::POST,
        &format!("{base}/pitches"),
        Some(json!({"business_id": business, "pitch": "もう一度"})),
    )
    .await;
    assert_eq!(s, 422);
    assert!(detail(&b).contains("もう申し込んでいます"));
    // others see it once approved; only organisers approve
    let (_, m) = api(&buyer.v, Method::GET, &format!("{base}/matching"), None).await;
    assert_eq!(m["pitches"], json!([]));
    assert_eq!(
        api(
            &buyer.v,
            Method::POST,
            &format!("{base}/pitches/{pitch}"),
            Some(json!({"decision": "approved"}))
        )
        .await
        .0,
        404
    );
    let (s, b) = api(
        &hr.v,
        Method::POST,
        &format!("{base}/pitches/{pitch}"),
        Some(json!({"decision": "maybe"})),
    )
    .await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(
        api(
            &hr.v,
            Method::POST,
            &format!("{base}/pitches/{pitch}"),
            Some(json!({"decision": "approved"}))
        )
        .await
        .0,
        204
    );
    let (_, m) = api(&buyer.v, Method::GET, &format!("{base}/matching"), None).await;
    assert_eq!(m["pitches"][0]["business_name"], "仲介ラボ");
    assert_eq!(m["hosts"][0]["account_id"], seller.id);
    // HR attaches a project; its poster takes meetings about it
    let opportunity = enishi_store::opportunities::create(
        &app.db,
        net.scope(),
        &enishi_store::opportunities::NewOpportunity {
            kind: "project",
            title: "採用広報の動画制作",
            description: "",
            audience: "network",
            group_id: None,
            status: "open",
            deadline: None,
            skills: "[]",
            details: "{}",
            picks: &[],
        },
        hr.id,
        now_ms(),
    )
    .await
    .unwrap();
    assert_eq!(
        api(
            &buyer.v,
            Method::PUT,
            &format!("{base}/projects"),
            Some(json!({"opportunities": [opportunity]}))
        )
        .await
        .0,
        404
    );
    let (s, m) = api(
        &hr.v,
        Method::PUT,
        &format!("{base}/projects"),
        Some(json!({"opportunities": [opportunity, 999_999]})),
    )
    .await;
    assert_eq!(s, 200, "{m}");
    assert_eq!(
        m["projects"],
        json!([{"opportunity_id": opportunity, "title": "採用広報の動画制作", "host_id": hr.id}])
    );
    let slots: Vec<i64> = m["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["at"].as_i64().unwrap())
        .collect();
    assert_eq!(slots.len(), 6, "two hours of 20-minute slots");
    // meetings: asked, accepted, and nobody twice in one slot
    let ask = |v: &Visitor, host: i64, slot: i64| {
        let (client, url, token) = (
            v.client.clone(),
            v.url(&format!("{base}/meetings")),
            v.csrf_token().unwrap(),
        );
        async move {
            let res = client
                .post(url)
                .header("x-csrf-token", token)
                .json(&json!({"host_id": host, "slot_at": slot, "note": "事業承継の件で"}))
                .send()
                .await
                .unwrap();
            (
                res.status().as_u16(),
                res.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let (s, b) = ask(&stranger.v, seller.id, slots[0]).await;
    assert_eq!(s, 422);
    assert!(detail(&b).contains("先に参加登録してください"));
    let (s, b) = ask(&buyer.v, buyer.id, slots[0]).await;
    assert!(s == 422 && detail(&b).contains("自分とは商談できません"));
    let (s, b) = ask(&buyer.v, third.id, slots[0]).await;
    assert!(s == 422 && detail(&b).contains("ピッチする人か案件の担当者"));
    let (s, b) = ask(&buyer.v, seller.id, slots[0] + 60_000).await;
    assert!(s == 422 && detail(&b).contains("イベントの時間枠から選んでください"));
    let (s, b) = ask(&buyer.v, seller.id, slots[0]).await;
    assert_eq!(s, 201, "{b}");
    let first = b["id"].as_i64().unwrap();
    assert_eq!(
        api(
            &buyer.v,
            Method::POST,
            &format!("{base}/meetings/{first}"),
            Some(json!({"decision": "accepted"}))
        )
        .await
        .0,
        404
    );
    assert_eq!(
        api(
            &seller.v,
            Method::POST,
            &format!("{base}/meetings/{first}"),
            Some(json!({"decision": "accepted"}))
        )
        .await
        .0,
        204
    );
    let (s, b) = api(
        &seller.v,
        Method::POST,
        &format!("{base}/meetings/{first}"),
        Some(json!({"decision": "declined"})),
    )
    .await;
    assert!(s == 422 && detail(&b).contains("もう答えています"), "{b}");
    let (s, b) = ask(&buyer.v, hr.id, slots[0]).await;
    assert!(
        s == 422 && detail(&b).contains("あなたの商談がもう入っています"),
        "{b}"
    );
    let (s, b) = ask(&third.v, seller.id, slots[0]).await;
    assert!(
        s == 422 && detail(&b).contains("相手の商談がもう入っています"),
        "{b}"
    );
    // two asks for one slot: the host can accept only one
    let (_, b) = ask(&third.v, seller.id, slots[1]).await;
    let third_ask = b["id"].as_i64().unwrap();
    let (_, b) = ask(&buyer.v, seller.id, slots[1]).await;
    let buyer_ask = b["id"].as_i64().unwrap();
    assert_eq!(
        api(
            &seller.v,
            Method::POST,
            &format!("{base}/meetings/{third_ask}"),
            Some(json!({"decision": "accepted"}))
        )
        .await
        .0,
        204
    );
    let (s, b) = api(
        &seller.v,
        Method::POST,
        &format!("{base}/meetings/{buyer_ask}"),
        Some(json!({"decision": "accepted"})),
    )
    .await;
    assert!(
        s == 422 && detail(&b).contains("相手の商談がもう入っています"),
        "{b}"
    );
    // each sees their own schedule
    let (_, m) = api(&seller.v, Method::GET, &format!("{base}/matching"), None).await;
    let statuses: Vec<(&str, bool)> = m["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["status"].as_str().unwrap(),
                x["asked_of_me"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [("accepted", true), ("accepted", true), ("requested", true)]
    );
    let (_, html) = buyer
        .v
        .get_text(&format!("/n/alpha/events/{id}/matching"))
        .await;
    assert!(
        html.contains("仲介 太郎") && html.contains("確定") && html.contains("申込中"),
        "{html}"
    );
    let (_, html) = buyer.v.get_text("/notifications").await;
    assert!(html.contains("商談を受けました"), "{html}");
    // another network's member sees none of it
    let beta = make_network(&app, "beta", "invitation").await;
    let outsider = app
        .create_account(
            &format!("x{}@example.jp", unique_number()),
            "外部",
            None,
            false,
        )
        .await;
    join(&app, &beta, outsider.id, "owner", "hr").await;
    let ov = app.visitor_signed_in_as(outsider.id).await;
    assert_eq!(
        ov.get(&format!("/n/beta/events/{id}/matching"))
            .await
            .status(),
        404
    );
    app.stop().await;
}

dual_test!(pitches_projects_and_meetings);

async fn cards_are_shared_only_when_confirmed(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "invitation").await;
    let owner = person(&app, &net, "member", "alumni", "鈴木 仁志").await;
    let asker = person(&app, &net, "member", "alumni", "佐藤 美咲").await;
    let other = person(&app, &net, "member", "alumni", "伊藤 健").await;
    // the owner's card: company and title shared, the address kept back
    let (s, b) = api(
        &owner.v,
        Method::PUT,
        "/api/v1/n/alpha/cards",
        Some(json!({
        "name": "鈴木 仁志", "company": "鈴木商店", "title": "代表", "email": "suzuki@example.jp",
        "phone": "03-1234-5678", "shown": ["company", "title"]})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let code = b["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 8);
    let (s, b) = api(
        &owner.v,
        Method::PUT,
        "/api/v1/n/alpha/cards",
        Some(json!({"name": "", "email": "not mail", "phone": "call me"})),
    )
    .await;
    assert_eq!(s, 422);
    assert!(
        detail(&b).contains("名前を入れてください")
            && detail(&b).contains("メールアドレスの形")
            && detail(&b).contains("電話番号は数字"),
        "{b}"
    );
    // the asker types the code (lower case, spaced), nothing is shared yet
    let typed = format!("{} {}", code[..4].to_lowercase(), &code[4..]);
    let (s, b) = api(
        &asker.v,
        Method::POST,
        "/api/v1/n/alpha/cards/exchanges",
        Some(json!({"code": typed})),
    )
    .await;
    assert_eq!((s, b["result"].as_str()), (200, Some("asked")), "{b}");
    let (_, mine) = api(&asker.v, Method::GET, "/api/v1/n/alpha/cards", None).await;
    assert_eq!(mine["received"], json!([]));
    let (s, b) = api(
        &asker.v,
        Method::POST,
        "/api/v1/n/alpha/cards/exchanges",
        Some(json!({"code": "ZZZZZZZZ"})),
    )
    .await;
    assert!(s == 422 && detail(&b).contains("このコードの名刺は見つかりません"));
    let (s, b) = api(
        &owner.v,
        Method::POST,
        "/api/v1/n/alpha/cards/exchanges",
        Some(json!({"code": code})),
    )
    .await;
    assert!(s == 422 && detail(&b).contains("自分のコードです"));
    // only the owner decides
    let (_, theirs) = api(&owner.v, Method::GET, "/api/v1/n/alpha/cards", None).await;
    let exchange = theirs["waiting"][0]["exchange_id"].as_i64().unwrap();
    assert_eq!(theirs["waiting"][0]["name"], "佐藤 美咲");
    assert_eq!(
        api(
            &other.v,
            Method::POST,
            &format!("/api/v1/n/alpha/cards/exchanges/{exchange}"),
            Some(json!({"decision": "confirmed"}))
        )
        .await
        .0,
        404
    );
    assert_eq!(
        api(
            &asker.v,
            Method::POST,
            &format!("/api/v1/n/alpha/cards/exchanges/{exchange}"),
            Some(json!({"decision": "confirmed"}))
        )
        .await
        .0,
        404
    );
    let res = owner
        .v
        .post_form(
            &format!("/n/alpha/cards/exchanges/{exchange}"),
            &[("decision", "confirmed")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, mine) = api(&asker.v, Method::GET, "/api/v1/n/alpha/cards", None).await;
    let card = &mine["received"][0];
    assert_eq!(
        (
            card["name"].as_str(),
            card["company"].as_str(),
            card["title"].as_str()
        ),
        (Some("鈴木 仁志"), Some("鈴木商店"), Some("代表"))
    );
    assert_eq!(
        (card["email"].as_str(), card["phone"].as_str()),
        (Some(""), Some("")),
        "not ticked: not shared"
    );
    let (_, theirs) = api(&owner.v, Method::GET, "/api/v1/n/alpha/cards", None).await;
    assert_eq!(theirs["received"][0]["name"], "佐藤 美咲");
    assert_eq!(theirs["waiting"], json!([]));
    let (s, b) = api(
        &asker.v,
        Method::POST,
        "/api/v1/n/alpha/cards/exchanges",
        Some(json!({"code": code})),
    )
    .await;
    assert_eq!((s, b["result"].as_str()), (200, Some("already")));
    // the page shows the QR code and the received card
    let (s, html) = asker.v.get_text("/n/alpha/cards").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("<svg") && html.contains("鈴木商店") && !html.contains("suzuki@example.jp")
    );
    // declined: nothing shared
    let (_, b) = api(
        &other.v,
        Method::POST,
        "/api/v1/n/alpha/cards/exchanges",
        Some(json!({"code": code})),
    )
    .await;
    assert_eq!(b["result"], "asked");
    let (_, theirs) = api(&owner.v, Method::GET, "/api/v1/n/alpha/cards", None).await;
    let x = theirs["waiting"][0]["exchange_id"].as_i64().unwrap();
    assert_eq!(
        api(
            &owner.v,
            Method::POST,
            &format!("/api/v1/n/alpha/cards/exchanges/{x}"),
            Some(json!({"decision": "declined"}))
        )
        .await
        .0,
        204
    );
    let (_, mine) = api(&other.v, Method::GET, "/api/v1/n/alpha/cards", None).await;
    assert_eq!(mine["received"], json!([]));
    app.stop().await;
}

dual_test!(cards_are_shared_only_when_confirmed);
