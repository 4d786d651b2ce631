//! Direct messages over real HTTP, on both databases: writing to someone
//! from the pages and the API, unread counts, a double click sending once,
//! the recipient's choice of who may write, blocks, suspension, admins
//! reaching members, group conversations and their limit, sharing a
//! contact card, reporting a message, and live events — on PostgreSQL
//! across two app nodes through LISTEN/NOTIFY.

use std::time::Duration;

use enishi_store::networks::Network;
use enishi_testkit::{Backend, TestApp, Visitor, dual_test, unique_number};
use reqwest::Method;
use serde_json::{Value, json};

use crate::{api, join, make_network};

struct Person {
    v: Visitor,
    id: i64,
    profile: i64,
}

async fn person(app: &TestApp, net: &Network, role: &str, kind: &str, name: &str) -> Person {
    let email = format!("d{}@example.jp", unique_number());
    let account = app.create_account(&email, name, None, false).await;
    join(app, net, account.id, role, kind).await;
    let profile = crate::profile_of(app, net, account.id).await;
    let v = app.visitor_signed_in_as(account.id).await;
    Person {
        v,
        id: account.id,
        profile,
    }
}

/// Starts a conversation through the API: (status, body).
async fn write(from: &Person, to: &[i64], body: &str) -> (u16, Value) {
    api(
        &from.v,
        Method::POST,
        "/api/v1/n/alpha/conversations",
        Some(json!({"to": to, "body": body})),
    )
    .await
}

/// The header's unread count on the network's home page.
async fn header_unread(v: &Visitor) -> i64 {
    crate::header_count(v, "data-unread-messages").await
}

async fn messages_of(v: &Visitor, conversation: i64) -> (u16, Vec<Value>) {
    let (status, body) = api(
        v,
        Method::GET,
        &format!("/api/v1/n/alpha/conversations/{conversation}/messages"),
        None,
    )
    .await;
    (status, body.as_array().cloned().unwrap_or_default())
}

async fn writing_reading_and_unread_counts(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let a = person(&app, &net, "member", "alumni", "佐藤 花子").await;
    let b = person(&app, &net, "member", "alumni", "鈴木 一郎").await;
    let c = person(&app, &net, "member", "alumni", "高橋 三郎").await;

    // A finds B from the "new message" page and writes from its form
    let (status, html) =
        a.v.get_text(&format!("/n/alpha/messages/new?to={}", b.profile))
            .await;
    assert_eq!(status, 200);
    assert!(html.contains("鈴木"), "the chosen person is listed");
    let once = field_value(&html, "once");
    let to = b.profile.to_string();
    let send = [
        ("to", to.as_str()),
        ("body", "お久しぶりです！\n今度ランチでも"),
        ("once", once.as_str()),
    ];
    let res = a.v.post_form("/n/alpha/messages", &send).await;
    assert_eq!(res.status(), 303);
    let location = crate::header(&res, "location").to_string();
    let conversation: i64 = location
        .trim_start_matches("/n/alpha/messages/")
        .split('#')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // a double click: the same form again lands in the same conversation, one message
    let res = a.v.post_form("/n/alpha/messages", &send).await;
    assert_eq!(res.status(), 303);
    assert_eq!(crate::header(&res, "location"), location);

    // B sees one unread message in the header and the inbox
    assert_eq!(header_unread(&b.v).await, 1);
    let (status, inbox) = api(&b.v, Method::GET, "/api/v1/n/alpha/conversations", None).await;
    assert_eq!(status, 200);
    assert_eq!(inbox[0]["id"], conversation);
    assert_eq!(inbox[0]["unread"], 1);
    assert!(inbox[0]["name"].as_str().unwrap().contains("佐藤"));

    // reading the conversation marks it read
    let (status, html) =
        b.v.get_text(&format!("/n/alpha/messages/{conversation}"))
            .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("お久しぶりです！\n今度ランチでも"),
        "line breaks kept"
    );
    assert_eq!(header_unread(&b.v).await, 0);

    // B answers through the API; Idempotency-Key makes a retry one message
    let reply = |key: &'static str| {
        b.v.client
            .post(b.v.url(&format!(
                "/api/v1/n/alpha/conversations/{conversation}/messages"
            )))
            .header("x-csrf-token", b.v.csrf_token().unwrap())
            .header("idempotency-key", key)
            .json(&json!({"body": "いいですね、<b>来週</b>はどうですか"}))
            .send()
    };
    let res = reply("reply-0123456789abcdef").await.unwrap();
    assert_eq!(res.status(), 201);
    let first: Value = res.json().await.unwrap();
    let res = reply("reply-0123456789abcdef").await.unwrap();
    assert_eq!(res.status(), 200, "a retry is the same message");
    let second: Value = res.json().await.unwrap();
    assert!(first["id"].as_i64().is_some());
    assert_eq!(first["id"], second["id"]);
    // a key we cannot use is refused, not ignored
    assert_eq!(reply("short").await.unwrap().status(), 422);
    let (_, list) = messages_of(&a.v, conversation).await;
    assert_eq!(list.len(), 2, "{list:?}");
    assert_eq!(list[1]["text"], "いいですね、<b>来週</b>はどうですか");
    assert_eq!(list[1]["mine"], false);
    // the page escapes it
    let (_, html) =
        a.v.get_text(&format!("/n/alpha/messages/{conversation}"))
            .await;
    assert!(
        html.contains("&lt;b&gt;来週&lt;/b&gt;") || html.contains("&#60;b&#62;来週&#60;/b&#62;"),
        "escaped"
    );
    assert!(!html.contains("<b>来週</b>"));
    // the script's fragment: only what follows the given message
    let since = format!(
        "/n/alpha/messages/{conversation}/since?after={}",
        list[0]["id"]
    );
    let (status, items) = a.v.get_text(&since).await;
    assert_eq!(status, 200);
    assert_eq!(items.matches("<li class=\"message").count(), 1, "{items}");

    // writing again to B continues the same conversation
    let (status, body) = write(&a, &[b.profile], "もう一通").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["conversation_id"], conversation);

    // C is not in it: 404 everywhere
    let (status, _) = messages_of(&c.v, conversation).await;
    assert_eq!(status, 404);
    let (status, _) =
        c.v.get_text(&format!("/n/alpha/messages/{conversation}"))
            .await;
    assert_eq!(status, 404);
    let res =
        c.v.post_form(
            &format!("/n/alpha/messages/{conversation}"),
            &[("body", "割り込み")],
        )
        .await;
    assert_eq!(res.status(), 404);
    let (status, _) = c.v.get_text(&since).await;
    assert_eq!(status, 404);

    // bad input: empty, too long, nobody, oneself only, an unknown profile
    let (status, body) = write(&a, &[b.profile], "  \n ").await;
    assert_eq!(status, 422);
    assert!(body["detail"].as_str().unwrap().contains("body"), "{body}");
    let long = "あ".repeat(4_001);
    let (status, body) = write(&a, &[b.profile], &long).await;
    assert_eq!(status, 422);
    assert!(body["detail"].as_str().unwrap().contains("4,000"), "{body}");
    assert!(write(&a, &[b.profile], &"あ".repeat(4_000)).await.0 == 201);
    assert_eq!(write(&a, &[], "誰に？").await.0, 422);
    assert_eq!(write(&a, &[a.profile], "自分に").await.0, 422);
    assert_eq!(write(&a, &[999_999_999], "誰？").await.0, 422);
    let res =
        a.v.post_form(
            &format!("/n/alpha/messages/{conversation}"),
            &[("body", ""), ("once", "x")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("メッセージを書いてください"), "a clear error");
    // an unreadable body is refused, not a crash
    let res =
        a.v.client
            .post(a.v.url("/api/v1/n/alpha/conversations"))
            .header("x-csrf-token", a.v.csrf_token().unwrap())
            .header("content-type", "application/json")
            .body("{\"to\": \"everyone\"")
            .send()
            .await
            .unwrap();
    assert!(
        matches!(res.status().as_u16(), 400 | 422),
        "{}",
        res.status()
    );
    app.stop().await;
}

fn field_value(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("field {name}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

async fn who_may_write_blocks_and_suspension(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let a = person(&app, &net, "member", "alumni", "佐藤 花子").await;
    let b = person(&app, &net, "member", "alumni", "鈴木 一郎").await;
    let admin = person(&app, &net, "admin", "hr", "人事 部長").await;

    // B accepts nobody: A is refused (with a clear reason), the admin is not
    let (status, _) = api(
        &b.v,
        Method::PUT,
        "/api/v1/n/alpha/message-settings",
        Some(json!({"reach": "nobody"})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = write(&a, &[b.profile], "こんにちは").await;
    assert_eq!(status, 422);
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("受け付けていない"),
        "{body}"
    );
    let (status, body) = write(&admin, &[b.profile], "運営からのお知らせです").await;
    assert_eq!(status, 201, "{body}");
    let admin_conversation = body["conversation_id"].as_i64().unwrap();
    let (_, list) = messages_of(&b.v, admin_conversation).await;
    assert_eq!(list[0]["admin"], true, "marked as from the admins");

    // shared: only people who share a group (or a hiring year) with B
    let (status, _) = api(
        &b.v,
        Method::PUT,
        "/api/v1/n/alpha/message-settings",
        Some(json!({"reach": "shared"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(write(&a, &[b.profile], "こんにちは").await.0, 422);
    let (status, group) = api(
        &a.v,
        Method::POST,
        "/api/v1/n/alpha/groups",
        Some(json!({"name": "2009年入社", "category": "era", "access": "open", "space": "shared"})),
    )
    .await;
    assert!(status == 201 || status == 202, "{group}");
    let group = group["id"].as_i64().unwrap();
    // an admin approves a proposed group; then B joins it
    let res = admin
        .v
        .post_form(
            &format!("/n/alpha/groups/{group}/review"),
            &[("decision", "approve")],
        )
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let (status, body) = api(
        &b.v,
        Method::POST,
        &format!("/api/v1/n/alpha/groups/{group}/join"),
        None,
    )
    .await;
    assert!(status < 300, "{status} {body}");
    let (status, body) = write(&a, &[b.profile], "同じグループですね").await;
    assert_eq!(status, 201, "{body}");
    let conversation = body["conversation_id"].as_i64().unwrap();
    // an unknown setting is refused
    let (status, _) = api(
        &b.v,
        Method::PUT,
        "/api/v1/n/alpha/message-settings",
        Some(json!({"reach": "friends"})),
    )
    .await;
    assert_eq!(status, 422);

    // B blocks A: A can no longer write, in the old conversation or a new one
    let (status, _) = api(
        &b.v,
        Method::PUT,
        &format!("/api/v1/n/alpha/blocks/{}", a.profile),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, body) = send_in(conversation, &a.v, "まだ？").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(write(&a, &[b.profile], "別の会話で").await.0, 422);
    // nor can B write to A while blocking
    assert_eq!(send_in(conversation, &b.v, "…").await.0, 422);
    // the page says so instead of showing the form
    let (_, html) =
        a.v.get_text(&format!("/n/alpha/messages/{conversation}"))
            .await;
    assert!(html.contains("いまは送信できません"));
    // admins still reach B
    assert_eq!(write(&admin, &[b.profile], "確認です").await.0, 201);
    // blocking oneself or a stranger's profile: 404
    let (status, _) = api(
        &b.v,
        Method::PUT,
        &format!("/api/v1/n/alpha/blocks/{}", b.profile),
        None,
    )
    .await;
    assert_eq!(status, 404);
    // unblocking opens the conversation again
    let (status, _) = api(
        &b.v,
        Method::DELETE,
        &format!("/api/v1/n/alpha/blocks/{}", a.profile),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(send_in(conversation, &a.v, "よかった").await.0, 201);

    // a suspended member is written to by nobody, admins included
    let membership = enishi_store::memberships::of_account(&app.db, net.scope(), b.id)
        .await
        .unwrap()
        .unwrap();
    enishi_store::memberships::set_status(&app.db, net.scope(), membership.id, "suspended")
        .await
        .unwrap();
    assert_eq!(send_in(conversation, &a.v, "いますか").await.0, 422);
    assert_eq!(write(&admin, &[b.profile], "停止中です").await.0, 422);
    // and B cannot reach anything of the network
    let (status, _) = messages_of(&b.v, conversation).await;
    assert_eq!(status, 404);
    app.stop().await;
}

async fn send_in(conversation: i64, v: &Visitor, body: &str) -> (u16, Value) {
    let path = format!("/api/v1/n/alpha/conversations/{conversation}/messages");
    api(v, Method::POST, &path, Some(json!({ "body": body }))).await
}

async fn group_conversations_and_their_limit(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let a = person(&app, &net, "member", "alumni", "佐藤 花子").await;
    let mut others = Vec::new();
    for i in 0..20 {
        others.push(person(&app, &net, "member", "alumni", &format!("同期 {i}")).await);
    }
    let ids: Vec<i64> = others.iter().map(|p| p.profile).collect();
    // 20 others + A = 21 people: refused
    let (status, body) = write(&a, &ids, "同期会のお知らせ").await;
    assert_eq!(status, 422);
    assert!(body["detail"].as_str().unwrap().contains("20"), "{body}");
    // 19 others: a group conversation with a title
    let (status, body) = api(
        &a.v,
        Method::POST,
        "/api/v1/n/alpha/conversations",
        Some(json!({"to": &ids[..19], "title": "2009年 同期会", "body": "同期会のお知らせ"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let conversation = body["conversation_id"].as_i64().unwrap();
    // a title on more than one line is refused
    let (status, _) = api(
        &a.v,
        Method::POST,
        "/api/v1/n/alpha/conversations",
        Some(json!({"to": &ids[..2], "title": "一行目\n二行目", "body": "x"})),
    )
    .await;
    assert_eq!(status, 422);
    // everyone in it reads and answers; the 20th person is not in it
    let (status, list) = messages_of(&others[5].v, conversation).await;
    assert_eq!(status, 200);
    assert_eq!(list.len(), 1);
    let (status, inbox) = api(
        &others[5].v,
        Method::GET,
        "/api/v1/n/alpha/conversations",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(inbox[0]["name"], "2009年 同期会");
    assert_eq!(messages_of(&others[19].v, conversation).await.0, 404);
    // leaving a group conversation closes it to the one who left
    let res = others[5]
        .v
        .post_form(&format!("/n/alpha/messages/{conversation}/leave"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(messages_of(&others[5].v, conversation).await.0, 404);
    let (_, inbox) = api(
        &others[5].v,
        Method::GET,
        "/api/v1/n/alpha/conversations",
        None,
    )
    .await;
    assert!(inbox.as_array().unwrap().is_empty());
    app.stop().await;
}

async fn sharing_a_contact_card(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let a = person(&app, &net, "member", "alumni", "佐藤 花子").await;
    let b = person(&app, &net, "member", "alumni", "鈴木 一郎").await;
    // A's profile has a phone and an e-mail address
    let (status, body) = api(
        &a.v,
        Method::PUT,
        "/api/v1/n/alpha/profile",
        Some(json!({"family": "佐藤", "given": "花子", "phone": "090-1234-5678", "email": "hanako@example.jp"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = write(&b, &[a.profile], "名刺交換しませんか").await;
    let conversation = body["conversation_id"].as_i64().unwrap();
    let path = format!("/n/alpha/messages/{conversation}/contact");
    // nothing chosen: refused
    let res = a.v.post_form(&path, &[]).await;
    assert_eq!(res.status(), 422);
    // the phone only
    let res = a.v.post_form(&path, &[("fields", "phone")]).await;
    assert_eq!(res.status(), 303);
    let (_, list) = messages_of(&b.v, conversation).await;
    let card = &list.last().unwrap()["card"];
    assert_eq!(card, &json!([["phone", "090-1234-5678"]]));
    let (_, html) =
        b.v.get_text(&format!("/n/alpha/messages/{conversation}"))
            .await;
    assert!(html.contains("090-1234-5678"));
    assert!(
        !html.contains("hanako@example.jp"),
        "what was not chosen is not shared"
    );
    app.stop().await;
}

async fn reporting_a_message(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let a = person(&app, &net, "member", "alumni", "佐藤 花子").await;
    let b = person(&app, &net, "member", "alumni", "鈴木 一郎").await;
    let moderator = person(&app, &net, "moderator", "alumni", "見守 太郎").await;
    let (_, body) = write(&a, &[b.profile], "失礼なメッセージ").await;
    let conversation = body["conversation_id"].as_i64().unwrap();
    let (_, list) = messages_of(&b.v, conversation).await;
    let message = list[0]["id"].as_i64().unwrap();
    let report = format!("/n/alpha/messages/{conversation}/report/{message}");
    // a reason is needed; one's own message cannot be reported
    assert_eq!(
        b.v.post_form(&report, &[("reason", "")])
            .await
            .status()
            .as_u16(),
        422
    );
    assert_eq!(
        a.v.post_form(&report, &[("reason", "spam")])
            .await
            .status()
            .as_u16(),
        422
    );
    // the moderator is not in the conversation: 404 for them to report it
    assert_eq!(
        moderator
            .v
            .post_form(&report, &[("reason", "spam")])
            .await
            .status()
            .as_u16(),
        404
    );
    let res = b.v.post_form(&report, &[("reason", "harassment")]).await;
    assert_eq!(res.status(), 303);
    let (status, queue) = api(
        &moderator.v,
        Method::GET,
        "/api/v1/n/alpha/moderation/reports",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let item = queue
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["target"] == "message")
        .expect("the report is in the queue")
        .clone();
    assert_eq!(item["target_id"], message);
    assert!(item["html"].as_str().unwrap().contains("失礼なメッセージ"));
    // the queue page shows it without a link into the conversation
    let (_, html) = moderator.v.get_text("/n/alpha/moderation").await;
    assert!(html.contains("失礼なメッセージ"));
    // hidden: gone for B, shown to A with the reason
    let res = moderator
        .v
        .post_form(
            &format!("/n/alpha/moderation/{}", item["id"]),
            &[("action", "hide"), ("note", "言葉づかい")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, list) = messages_of(&b.v, conversation).await;
    assert!(list.is_empty(), "{list:?}");
    let (_, list) = messages_of(&a.v, conversation).await;
    assert_eq!(list[0]["hidden"], "言葉づかい");
    // the API reports messages too (with the conversation as post_id)
    let (_, body) = write(&a, &[b.profile], "もう一度失礼").await;
    assert_eq!(body["conversation_id"], conversation);
    let (_, list) = messages_of(&b.v, conversation).await;
    let (status, body) = api(
        &b.v,
        Method::POST,
        "/api/v1/n/alpha/reports",
        Some(json!({"target": "message", "id": list[0]["id"], "post_id": conversation, "reason": "harassment"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    app.stop().await;
}

/// Reads a live stream until an event of `kind` arrives (or 15 s pass).
async fn next_event(res: &mut reqwest::Response, kind: &str) -> String {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let chunk = tokio::time::timeout_at(deadline, res.chunk())
            .await
            .unwrap_or_else(|_| panic!("no `{kind}` event within 15 s; got: {seen}"))
            .unwrap()
            .expect("the stream stays open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
        if let Some(at) = seen.find(&format!("event: {kind}\n")) {
            return seen[at..].to_string();
        }
    }
}

async fn live_events_reach_the_recipient(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let a = person(&app, &net, "member", "alumni", "佐藤 花子").await;
    let b = person(&app, &net, "member", "alumni", "鈴木 一郎").await;
    let c = person(&app, &net, "member", "alumni", "高橋 三郎").await;

    // B and C listen
    let mut b_stream = b.v.get("/live").await;
    assert_eq!(b_stream.status(), 200);
    assert!(crate::header(&b_stream, "content-type").starts_with("text/event-stream"));
    next_event(&mut b_stream, "ready").await;
    let mut c_stream = c.v.get("/live").await;
    next_event(&mut c_stream, "ready").await;

    let (status, body) = write(&a, &[b.profile], "聞こえますか").await;
    assert_eq!(status, 201);
    let conversation = body["conversation_id"].as_i64().unwrap();
    let event = next_event(&mut b_stream, "message").await;
    assert!(
        event.contains(&format!("\"conversation\":{conversation}")),
        "{event}"
    );
    assert!(
        !event.contains("聞こえますか"),
        "events carry ids, never words"
    );

    // C hears nothing of it: C's next event is about C's own message
    let (_, body) = write(&a, &[c.profile], "Cさんへ").await;
    let to_c = body["conversation_id"].as_i64().unwrap();
    let event = next_event(&mut c_stream, "message").await;
    assert!(
        event.contains(&format!("\"conversation\":{to_c}")),
        "{event}"
    );
    assert!(!event.contains(&format!("\"conversation\":{conversation}")));

    // anonymous visitors get no stream
    let anonymous = app.new_visitor();
    let res = anonymous.get("/live").await;
    assert_eq!(res.status(), 303);

    if backend == Backend::Postgres {
        // two app nodes over one database: B listens on the second, A
        // writes through the first; LISTEN/NOTIFY carries the event over
        let node = app.second_node().await;
        let b2 = b.v.on(&node.base);
        let mut stream = b2.get("/live").await;
        assert_eq!(stream.status(), 200);
        next_event(&mut stream, "ready").await;
        // the listener subscribes right after start-up; give it a moment
        // and retry once, as a reconnecting page would catch up anyway
        let mut got = None;
        for _ in 0..3 {
            let (status, _) = write(&a, &[b.profile], "別のサーバーから").await;
            assert_eq!(status, 201);
            let res =
                tokio::time::timeout(Duration::from_secs(5), next_event(&mut stream, "message"))
                    .await;
            if let Ok(event) = res {
                got = Some(event);
                break;
            }
        }
        let event = got.expect("the second node heard the first node's message");
        assert!(
            event.contains(&format!("\"conversation\":{conversation}")),
            "{event}"
        );
    }
    app.stop().await;
}

dual_test!(
    writing_reading_and_unread_counts,
    who_may_write_blocks_and_suspension,
    group_conversations_and_their_limit,
    sharing_a_contact_card,
    reporting_a_message,
    live_events_reach_the_recipient,
);
