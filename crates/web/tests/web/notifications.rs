//! In-app notifications over real HTTP, on both databases: a comment, a
//! reply and a reaction tell the right people (never the one who did it;
//! a reaction once until seen), group decisions tell the proposer and the
//! person who asked to join, the bell counts them, the page marks them
//! read, a deleted post takes its notifications along, a suspended
//! member's network drops out of their list, and live events ring the bell.

use std::time::Duration;

use enishi_store::networks::Network;
use enishi_testkit::{Backend, TestApp, Visitor, dual_test, unique_number};
use reqwest::Method;
use serde_json::{Value, json};

use crate::{api, join, make_network};

struct Person {
    v: Visitor,
    id: i64,
}

async fn person(app: &TestApp, net: &Network, role: &str, name: &str) -> Person {
    mailable(app, net, role, name).await.p
}

/// A person with a known address (for the outbox): a [`Person`] that
/// derefs, plus `email`.
struct WithEmail {
    p: Person,
    email: String,
}

impl std::ops::Deref for WithEmail {
    type Target = Person;
    fn deref(&self) -> &Person {
        &self.p
    }
}

async fn person_with_email(app: &TestApp, net: &Network, role: &str, name: &str) -> WithEmail {
    let m = mailable(app, net, role, name).await;
    WithEmail {
        p: m.p,
        email: m.email,
    }
}

async fn notifications(v: &Visitor) -> Vec<Value> {
    let (status, body) = api(v, Method::GET, "/api/v1/notifications", None).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

/// The bell's count in the header of the network's home page.
async fn bell(v: &Visitor) -> i64 {
    crate::header_count(v, "data-unread-notifications").await
}

async fn post_by(p: &Person, body: &str) -> i64 {
    let (status, body) = api(
        &p.v,
        Method::POST,
        "/api/v1/n/alpha/posts",
        Some(json!({ "body": body })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().unwrap()
}

async fn comment_by(p: &Person, post: i64, body: &str, reply_to: Option<i64>) -> i64 {
    let (status, body) = api(
        &p.v,
        Method::POST,
        &format!("/api/v1/n/alpha/posts/{post}/comments"),
        Some(json!({ "body": body, "reply_to": reply_to })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().unwrap()
}

async fn comments_replies_and_reactions(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let a = person(&app, &net, "member", "佐藤 花子").await;
    let b = person(&app, &net, "member", "鈴木 一郎").await;
    let c = person(&app, &net, "member", "高橋 三郎").await;

    let post = post_by(&a, "転職しました").await;
    // the author's own comment tells nobody
    comment_by(&a, post, "補足です", None).await;
    assert!(notifications(&a.v).await.is_empty());
    assert_eq!(bell(&a.v).await, 0);

    // B comments: A is told
    let b_comment = comment_by(&b, post, "おめでとうございます！", None).await;
    let list = notifications(&a.v).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["kind"], "comment");
    assert!(list[0]["text"].as_str().unwrap().contains("鈴木"));
    assert_eq!(
        list[0]["href"],
        format!("/n/alpha/posts/{post}#comment-{b_comment}")
    );
    assert_eq!(list[0]["unread"], true);
    assert_eq!(bell(&a.v).await, 1);

    // C replies to B's comment: B hears "reply", A "comment"
    comment_by(&c, post, "私からも！", Some(b_comment)).await;
    let to_b = notifications(&b.v).await;
    assert_eq!(to_b.len(), 1);
    assert_eq!(to_b[0]["kind"], "reply");
    assert!(to_b[0]["text"].as_str().unwrap().contains("高橋"));
    assert_eq!(notifications(&a.v).await.len(), 2);
    assert!(notifications(&c.v).await.is_empty());

    // B reacts, takes it back, reacts again: one notification until seen
    let react = format!("/api/v1/n/alpha/posts/{post}/reactions/like");
    assert_eq!(api(&b.v, Method::PUT, &react, None).await.0, 204);
    assert_eq!(api(&b.v, Method::DELETE, &react, None).await.0, 204);
    assert_eq!(api(&b.v, Method::PUT, &react, None).await.0, 204);
    let res =
        b.v.post_form(
            &format!("/n/alpha/posts/{post}/react"),
            &[("reaction", "thanks"), ("back", "")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let reactions: Vec<Value> = notifications(&a.v)
        .await
        .into_iter()
        .filter(|n| n["kind"] == "reaction")
        .collect();
    assert_eq!(reactions.len(), 1, "{reactions:?}");
    // reacting to one's own post tells nobody
    let own = format!("/api/v1/n/alpha/posts/{post}/reactions/celebrate");
    assert_eq!(api(&a.v, Method::PUT, &own, None).await.0, 204);
    assert_eq!(notifications(&a.v).await.len(), 3);
    assert_eq!(bell(&a.v).await, 3);

    // the page lists them, newest first, and seeing them marks them read
    let (status, html) = a.v.get_text("/notifications").await;
    assert_eq!(status, 200);
    assert!(html.contains("リアクションしました"));
    assert!(html.contains("コメントしました"));
    assert_eq!(bell(&a.v).await, 0);
    assert!(
        notifications(&a.v)
            .await
            .iter()
            .all(|n| n["unread"] == false)
    );
    // a reaction after that is told again
    assert_eq!(api(&c.v, Method::PUT, &react, None).await.0, 204);
    assert_eq!(bell(&a.v).await, 1);
    // the API marks all read too
    let (status, _) = api(&a.v, Method::POST, "/api/v1/notifications/read", None).await;
    assert_eq!(status, 204);
    assert_eq!(bell(&a.v).await, 0);

    // a deleted post takes its notifications along
    let (status, _) = api(
        &a.v,
        Method::DELETE,
        &format!("/api/v1/n/alpha/posts/{post}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert!(notifications(&a.v).await.is_empty());
    assert!(notifications(&b.v).await.is_empty());

    // a member who is suspended no longer sees that network's notifications
    let post = post_by(&a, "もう一つ").await;
    comment_by(&b, post, "読みました", None).await;
    assert_eq!(notifications(&a.v).await.len(), 1);
    let membership = enishi_store::memberships::of_account(&app.db, net.scope(), a.id)
        .await
        .unwrap()
        .unwrap();
    enishi_store::memberships::set_status(&app.db, net.scope(), membership.id, "suspended")
        .await
        .unwrap();
    assert!(notifications(&a.v).await.is_empty());
    // anonymous callers get nothing
    let anonymous = app.new_visitor();
    let res = anonymous.get("/api/v1/notifications").await;
    assert_eq!(res.status(), 401);
    app.stop().await;
}

async fn group_decisions(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let a = person_with_email(&app, &net, "member", "佐藤 花子").await;
    let b = person(&app, &net, "member", "鈴木 一郎").await;
    let moderator = person(&app, &net, "moderator", "見守 太郎").await;
    // A proposes a group; the moderator approves it: A is told
    let (status, body) = api(
        &a.v,
        Method::POST,
        "/api/v1/n/alpha/groups",
        Some(json!({"name": "関西OB会", "category": "region", "access": "request", "space": "shared"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let group = body["id"].as_i64().unwrap();
    let res = moderator
        .v
        .post_form(
            &format!("/n/alpha/groups/{group}/review"),
            &[("decision", "approve")],
        )
        .await;
    assert!(res.status().is_redirection());
    let list = notifications(&a.v).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["kind"], "group_approved");
    // group decisions are mailed by default
    let to_a = queued_for(&app, &a.email).await;
    assert_eq!(to_a.len(), 1);
    assert!(to_a[0].subject.contains("関西OB会"), "{}", to_a[0].subject);
    assert!(to_a[0].list_unsubscribe.is_some());
    assert!(list[0]["text"].as_str().unwrap().contains("関西OB会"));
    assert_eq!(list[0]["href"], format!("/n/alpha/groups/{group}"));
    // B asks to join; A (its owner) accepts: B is told
    let (status, body) = api(
        &b.v,
        Method::POST,
        &format!("/api/v1/n/alpha/groups/{group}/join"),
        None,
    )
    .await;
    assert!(status < 300, "{body}");
    let res =
        a.v.post_form(
            &format!("/n/alpha/groups/{group}/members"),
            &[("action", "approve"), ("account_id", &b.id.to_string())],
        )
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let list = notifications(&b.v).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["kind"], "join_accepted");
    // a declined proposal is told too
    let (_, body) = api(
        &b.v,
        Method::POST,
        "/api/v1/n/alpha/groups",
        Some(
            json!({"name": "没の会", "category": "interest", "access": "open", "space": "shared"}),
        ),
    )
    .await;
    let declined = body["id"].as_i64().unwrap();
    moderator
        .v
        .post_form(
            &format!("/n/alpha/groups/{declined}/review"),
            &[("decision", "decline")],
        )
        .await;
    assert_eq!(notifications(&b.v).await[0]["kind"], "group_declined");
    app.stop().await;
}

async fn the_bell_rings_live(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let a = person(&app, &net, "member", "佐藤 花子").await;
    let b = person(&app, &net, "member", "鈴木 一郎").await;
    let post = post_by(&a, "ライブ").await;
    let mut stream = a.v.get("/live").await;
    assert_eq!(stream.status(), 200);
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let mut commented = false;
    loop {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .unwrap_or_else(|_| panic!("no notification event; got {seen}"))
            .unwrap()
            .expect("open stream");
        seen.push_str(&String::from_utf8_lossy(&chunk));
        if !commented && seen.contains("event: ready") {
            comment_by(&b, post, "見てます", None).await;
            commented = true;
        }
        if seen.contains("event: notification") {
            break;
        }
    }
    app.stop().await;
}

dual_test!(
    comments_replies_and_reactions,
    group_decisions,
    the_bell_rings_live
);

/// E-mails queued for `to` so far (the outbox is written before the
/// request answers, so this is exact; the SMTP sink gets them later).
async fn queued_for(app: &TestApp, to: &str) -> Vec<enishi_store::outbox::Message> {
    enishi_store::outbox::recent(&app.db, None, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.to_addr == to)
        .collect()
}

struct Mailable {
    p: Person,
    email: String,
    profile: i64,
}

async fn mailable(app: &TestApp, net: &Network, role: &str, name: &str) -> Mailable {
    let email = format!("m{}@example.jp", unique_number());
    let account = app.create_account(&email, name, None, false).await;
    join(app, net, account.id, role, "alumni").await;
    let profile = crate::profile_of(app, net, account.id).await;
    let v = app.visitor_signed_in_as(account.id).await;
    Mailable {
        p: Person { v, id: account.id },
        email,
        profile,
    }
}

async fn message(from: &Person, to: i64, body: &str) -> i64 {
    let (status, body) = api(
        &from.v,
        Method::POST,
        "/api/v1/n/alpha/conversations",
        Some(json!({"to": [to], "body": body})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["conversation_id"].as_i64().unwrap()
}

async fn emails_follow_the_choices_and_unsubscribe_in_one_click(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let a = mailable(&app, &net, "member", "佐藤 花子").await;
    let b = mailable(&app, &net, "member", "鈴木 一郎").await;
    let c = mailable(&app, &net, "member", "高橋 三郎").await;

    // a message: one e-mail, without the words, with the unsubscribe headers
    let conversation = message(&b.p, a.profile, "秘密の相談があります").await;
    let mail = app.mail.wait_for(&a.email).await;
    assert_eq!(mail.subject(), "鈴木 一郎さんからメッセージが届きました");
    assert!(
        !mail.text().contains("秘密の相談"),
        "the words stay in Enishi"
    );
    assert!(
        mail.text()
            .contains(&format!("/n/alpha/messages/{conversation}")),
        "{}",
        mail.text()
    );
    let list_unsubscribe = mail.header("List-Unsubscribe").expect("List-Unsubscribe");
    assert_eq!(
        mail.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let link = list_unsubscribe
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string();
    assert!(link.starts_with(&app.base), "{link}");
    assert!(mail.text().contains(&link), "the footer has the same link");
    // a second message before A read the first: no second e-mail
    let (status, _) = api(
        &b.p.v,
        Method::POST,
        &format!("/api/v1/n/alpha/conversations/{conversation}/messages"),
        Some(json!({"body": "急ぎではないです"})),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(queued_for(&app, &a.email).await.len(), 1);
    // once read, the next one is mailed again
    let (status, _) =
        a.p.v
            .get_text(&format!("/n/alpha/messages/{conversation}"))
            .await;
    assert_eq!(status, 200);
    api(
        &b.p.v,
        Method::POST,
        &format!("/api/v1/n/alpha/conversations/{conversation}/messages"),
        Some(json!({"body": "やっぱり急ぎです"})),
    )
    .await;
    assert_eq!(queued_for(&app, &a.email).await.len(), 2);

    // comments are not mailed by default; switched on, they are
    let post = post_by(&a.p, "近況です").await;
    comment_by(&b.p, post, "いいですね", None).await;
    assert_eq!(queued_for(&app, &a.email).await.len(), 2);
    let (status, body) = api(
        &a.p.v,
        Method::PUT,
        "/api/v1/me/notification-settings",
        Some(json!({"messages": true, "replies": true, "groups": true, "digest": "daily"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["digest"], "daily");
    comment_by(&c.p, post, "私も", None).await;
    let queued = queued_for(&app, &a.email).await;
    assert_eq!(queued.len(), 3);
    assert!(
        queued[0].subject.contains("コメントしました"),
        "{}",
        queued[0].subject
    );
    // an unknown frequency is refused, page and API, and nothing changes
    let (status, _) = api(
        &a.p.v,
        Method::PUT,
        "/api/v1/me/notification-settings",
        Some(json!({"messages": false, "digest": "hourly"})),
    )
    .await;
    assert_eq!(status, 422);
    let res =
        a.p.v
            .post_form("/account/notifications", &[("digest", "hourly")])
            .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("毎日・毎週・受け取らない")
    );
    let (_, body) = api(
        &a.p.v,
        Method::GET,
        "/api/v1/me/notification-settings",
        None,
    )
    .await;
    assert_eq!(body["messages"], true);
    assert_eq!(body["digest"], "daily");

    // the unsubscribe link: GET only asks; a forged token is 404
    let path = link.strip_prefix(&app.base).unwrap().to_string();
    let stranger = app.new_visitor();
    let (status, html) = stranger.get_text(&path).await;
    assert_eq!(status, 200);
    assert!(html.contains("新しいメッセージ"), "{html}");
    let (_, body) = api(
        &a.p.v,
        Method::GET,
        "/api/v1/me/notification-settings",
        None,
    )
    .await;
    assert_eq!(body["messages"], true, "a GET changes nothing");
    let mut forged = path.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == '0' { '1' } else { '0' });
    for bad in [
        forged.as_str(),
        "/unsubscribe/999999-messages-00",
        "/unsubscribe/x",
    ] {
        let res = reqwest::Client::new()
            .post(app.url(bad))
            .form(&[("List-Unsubscribe", "One-Click")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{bad}");
    }
    // RFC 8058: the mail client posts without cookies or a CSRF token
    let res = reqwest::Client::new()
        .post(app.url(&path))
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (_, body) = api(
        &a.p.v,
        Method::GET,
        "/api/v1/me/notification-settings",
        None,
    )
    .await;
    assert_eq!(body["messages"], false);
    assert_eq!(body["replies"], true, "only that kind of mail stops");
    message(&c.p, a.profile, "はじめまして").await;
    assert_eq!(queued_for(&app, &a.email).await.len(), 3);
    app.stop().await;
}

async fn the_digest_tells_what_is_new(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let a = mailable(&app, &net, "member", "佐藤 花子").await;
    let b = mailable(&app, &net, "member", "鈴木 一郎").await;
    let quiet = mailable(&app, &net, "member", "静か 太郎").await;
    let off = mailable(&app, &net, "member", "不要 次郎").await;
    let (status, _) = api(
        &off.p.v,
        Method::PUT,
        "/api/v1/me/notification-settings",
        Some(json!({"messages": false, "digest": "off"})),
    )
    .await;
    assert_eq!(status, 200);
    // new for A: a comment, a message (e-mails for those switched off), a post
    let (status, _) = api(
        &a.p.v,
        Method::PUT,
        "/api/v1/me/notification-settings",
        Some(json!({"messages": false, "replies": false, "groups": false, "digest": "weekly"})),
    )
    .await;
    assert_eq!(status, 200);
    let post = post_by(&a.p, "週末に勉強会をします").await;
    comment_by(&b.p, post, "参加します", None).await;
    message(&b.p, a.profile, "資料を送ります").await;
    post_by(&b.p, "新しい会社に移りました").await;
    // the quiet one has seen everything (B's post is new for them, though:
    // mark them as having had a digest after it)
    let later = enishi_store::now_ms() + 1_000;
    let past = enishi_store::now_ms() - 1_000;
    // (before anyone is due: the worker's sweep runs every 100 ms)
    enishi_store::notifications::digest_sent(&app.db, quiet.p.id, later)
        .await
        .unwrap();
    for (who, prefs) in [
        (
            &a,
            r#"{"messages":false,"replies":false,"groups":false,"digest":"weekly"}"#,
        ),
        (&quiet, "{}"),
        (&off, r#"{"messages":false,"digest":"off"}"#),
    ] {
        enishi_store::notifications::set_prefs(&app.db, who.p.id, prefs, past)
            .await
            .unwrap();
    }
    // the worker's sweep sends it
    let mail = app.mail.wait_for(&a.email).await;
    assert_eq!(mail.subject(), "Enishi の新着まとめ");
    let text = mail.text();
    assert!(
        text.contains("鈴木 一郎さんがあなたの投稿にコメントしました"),
        "{text}"
    );
    assert!(text.contains("未読のメッセージが 1 件あります"), "{text}");
    assert!(text.contains("alpha に新しい投稿が 1 件"), "{text}");
    assert!(!text.contains("資料を送ります"), "no message words");
    assert!(mail.header("List-Unsubscribe").is_some());
    // the next one is due next week at 08:00 Japan time, once
    let due: i64 = match &app.db {
        enishi_store::Db::Sqlite(p) => sqlx_scalar_sqlite(p, a.p.id).await,
        enishi_store::Db::Postgres(p) => sqlx_scalar_pg(p, a.p.id).await,
    };
    let day = 86_400_000;
    assert_eq!(
        (due + enishi_core::time::JST_OFFSET_MS).rem_euclid(day),
        8 * 3_600_000,
        "due at 08:00 Japan time"
    );
    assert!(due > enishi_store::now_ms() + 5 * 86_400_000);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(app.mail.to(&a.email).len(), 1, "one digest");
    // nothing new: no mail; digest off: no mail
    assert!(queued_for(&app, &quiet.email).await.is_empty());
    assert!(queued_for(&app, &off.email).await.is_empty());
    app.stop().await;
}

async fn sqlx_scalar_sqlite(pool: &enishi_store::sqlx::SqlitePool, id: i64) -> i64 {
    enishi_store::sqlx::query_scalar("SELECT digest_due_at FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn sqlx_scalar_pg(pool: &enishi_store::sqlx::PgPool, id: i64) -> i64 {
    enishi_store::sqlx::query_scalar("SELECT digest_due_at FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

dual_test!(
    emails_follow_the_choices_and_unsubscribe_in_one_click,
    the_digest_tells_what_is_new
);

async fn mentions_tell_those_who_may_read(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let a = mailable(&app, &net, "member", "佐藤 花子").await;
    let b = mailable(&app, &net, "member", "鈴木 一郎").await;
    let email = format!("s{}@example.jp", unique_number());
    let staff_account = app.create_account(&email, "社員 次郎", None, false).await;
    join(&app, &net, staff_account.id, "member", "employee").await;
    let staff_profile = crate::profile_of(&app, &net, staff_account.id).await;
    let staff = app.visitor_signed_in_as(staff_account.id).await;

    // the composer's suggestions: people the writer may see, not oneself
    let (status, list) = api(
        &a.p.v,
        Method::GET,
        "/api/v1/n/alpha/people/suggest?q=%E9%88%B4%E6%9C%A8",
        None,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["profile_id"], b.profile);
    assert_eq!(list[0]["href"], format!("/n/alpha/people/{}", b.profile));
    let (_, mine) = api(
        &a.p.v,
        Method::GET,
        "/api/v1/n/alpha/people/suggest?q=%E4%BD%90%E8%97%A4",
        None,
    )
    .await;
    assert!(mine.as_array().unwrap().is_empty(), "not oneself: {mine}");
    let (_, empty) = api(&a.p.v, Method::GET, "/api/v1/n/alpha/people/suggest", None).await;
    assert!(empty.as_array().unwrap().is_empty());

    // a post mentioning B (twice), the staff member, and nonsense ids
    let body = format!(
        "[@鈴木 一郎](/n/alpha/people/{b}) [@社員 次郎](/n/alpha/people/{s}) \
         [@鈴木](/n/alpha/people/{b}) [@誰か](/n/alpha/people/999999) [@beta](/n/beta/people/{b})",
        b = b.profile,
        s = staff_profile
    );
    let post = post_by(&a.p, &body).await;
    let to_b = notifications(&b.p.v).await;
    assert_eq!(to_b.len(), 1, "once: {to_b:?}");
    assert_eq!(to_b[0]["kind"], "mention");
    assert_eq!(to_b[0]["href"], format!("/n/alpha/posts/{post}"));
    assert_eq!(notifications(&staff).await.len(), 1);
    // mentions are mailed by default
    let queued: Vec<_> = enishi_store::outbox::recent(&app.db, None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.to_addr == b.email)
        .collect();
    assert_eq!(queued.len(), 1);
    assert!(
        queued[0].subject.contains("メンション"),
        "{}",
        queued[0].subject
    );
    // the post shows the mention as a link to the profile
    let (_, html) = b.p.v.get_text(&format!("/n/alpha/posts/{post}")).await;
    assert!(html.contains(&format!("href=\"/n/alpha/people/{}\"", b.profile)));

    // in an alumni-only group, the staff member is not told (they cannot read it)
    let (status, group) = api(
        &a.p.v,
        Method::POST,
        "/api/v1/n/alpha/groups",
        Some(
            json!({"name": "OB限定", "category": "interest", "access": "open", "space": "alumni"}),
        ),
    )
    .await;
    assert_eq!(status, 201, "{group}");
    let group = group["id"].as_i64().unwrap();
    enishi_store::groups::decide(
        &app.db,
        net.scope(),
        group,
        "active",
        a.p.id,
        enishi_store::now_ms(),
    )
    .await
    .unwrap();
    let (status, body) = api(
        &a.p.v,
        Method::POST,
        &format!("/api/v1/n/alpha/groups/{group}/posts"),
        Some(json!({"body": format!("[@社員 次郎](/n/alpha/people/{staff_profile}) [@鈴木 一郎](/n/alpha/people/{})", b.profile)})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        notifications(&staff).await.len(),
        1,
        "nothing new for staff"
    );
    assert_eq!(
        notifications(&b.p.v).await.len(),
        2,
        "B (alumni) may read an open alumni group"
    );
    // a mention in a comment points at the comment
    let comment = comment_by(
        &b.p,
        post,
        &format!("[@佐藤 花子](/n/alpha/people/{})", a.profile),
        None,
    )
    .await;
    let to_a: Vec<Value> = notifications(&a.p.v)
        .await
        .into_iter()
        .filter(|n| n["kind"] == "mention")
        .collect();
    assert_eq!(to_a.len(), 1);
    assert_eq!(
        to_a[0]["href"],
        format!("/n/alpha/posts/{post}#comment-{comment}")
    );
    app.stop().await;
}

dual_test!(mentions_tell_those_who_may_read);
