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
    let email = format!("n{}@example.jp", unique_number());
    let account = app.create_account(&email, name, None, false).await;
    join(app, net, account.id, role, "alumni").await;
    let v = app.visitor_signed_in_as(account.id).await;
    Person { v, id: account.id }
}

async fn notifications(v: &Visitor) -> Vec<Value> {
    let (status, body) = api(v, Method::GET, "/api/v1/notifications", None).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

/// The bell's count in the header of the network's home page.
async fn bell(v: &Visitor) -> i64 {
    let (status, html) = v.get_text("/n/alpha").await;
    assert_eq!(status, 200);
    let at = html
        .find("data-unread-notifications")
        .expect("the header's bell");
    let text = &html[at..];
    let start = text.find('>').unwrap() + 1;
    let end = text.find('<').unwrap();
    text[start..end].trim().parse().unwrap()
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
    let a = person(&app, &net, "member", "佐藤 花子").await;
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
