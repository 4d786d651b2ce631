//! Reports and moderation over real HTTP, on both databases: reporting
//! (once per person, with a reason; not one's own words), the queue of the
//! right moderators only (alumni-only content never reaches HR), hiding a
//! post and a comment (gone for others, shown to the author with the
//! reason, no comments or reactions on it), restoring, and the audit log.

use enishi_store::networks::Network;
use enishi_testkit::{Backend, TestApp, Visitor, dual_test, unique_number};
use serde_json::{Value, json};

use crate::{api, join, make_network};

struct Person {
    v: Visitor,
    id: i64,
}

async fn person(app: &TestApp, net: &Network, role: &str, kind: &str) -> Person {
    let email = format!("m{}@example.jp", unique_number());
    let account = app.create_account(&email, "見守 太郎", None, false).await;
    join(app, net, account.id, role, kind).await;
    let v = app.visitor_signed_in_as(account.id).await;
    v.get("/").await;
    Person { v, id: account.id }
}

async fn status_of(v: &Visitor, path: &str, fields: &[(&str, &str)]) -> u16 {
    v.post_form(path, fields).await.status().as_u16()
}

async fn queue(v: &Visitor) -> Vec<Value> {
    let (status, body) = api(
        v,
        reqwest::Method::GET,
        "/api/v1/n/alpha/moderation/reports",
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

async fn reporting_hiding_and_restoring(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let author = person(&app, &net, "member", "alumni").await;
    let reporter = person(&app, &net, "member", "alumni").await;
    let moderator = person(&app, &net, "moderator", "alumni").await;
    let hr = person(&app, &net, "owner", "hr").await;
    let staff = person(&app, &net, "member", "employee").await;

    // a rude post and a rude comment in the network's feed
    let (status, body) = api(
        &author.v,
        reqwest::Method::POST,
        "/api/v1/n/alpha/posts",
        Some(json!({"body": "失礼な投稿"})),
    )
    .await;
    assert_eq!(status, 201);
    let post = body["id"].as_i64().unwrap();
    let (status, body) = api(
        &author.v,
        reqwest::Method::POST,
        &format!("/api/v1/n/alpha/posts/{post}/comments"),
        Some(json!({"body": "失礼なコメント"})),
    )
    .await;
    assert_eq!(status, 201);
    let comment = body["id"].as_i64().unwrap();

    // reporting: a reason is needed; "other" needs a note; one's own words cannot be
    let report = format!("/n/alpha/posts/{post}/report");
    assert_eq!(
        status_of(&reporter.v, &report, &[("reason", "boring")]).await,
        422
    );
    let res = reporter
        .v
        .post_form(&report, &[("reason", "other"), ("note", " ")])
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("どこが問題かを書いてください")
    );
    let res = author.v.post_form(&report, &[("reason", "spam")]).await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("ご自身の投稿やコメントは報告できません")
    );
    let (_, html) = reporter.v.get_text(&format!("/n/alpha/posts/{post}")).await;
    assert!(
        html.contains("コミュニティ・ガイドライン") && html.contains("モデレーターに報告する"),
        "the form shows the guidelines"
    );
    let res = reporter
        .v
        .post_form(
            &report,
            &[("reason", "harassment"), ("note", "言葉が乱暴です")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .ends_with("done=reported")
    );
    let (status, body) = api(
        &reporter.v,
        reqwest::Method::POST,
        "/api/v1/n/alpha/reports",
        Some(json!({"target": "post", "id": post, "reason": "spam"})),
    )
    .await;
    assert_eq!(
        (status, body["new"].as_bool()),
        (200, Some(false)),
        "once per person"
    );
    let (status, _) = api(
        &staff.v,
        reqwest::Method::POST,
        "/api/v1/n/alpha/reports",
        Some(json!({"target": "comment", "id": comment, "reason": "harassment"})),
    )
    .await;
    assert_eq!(status, 422, "a comment needs its post");
    let (status, body) = api(
        &staff.v,
        reqwest::Method::POST,
        "/api/v1/n/alpha/reports",
        Some(json!({"target": "comment", "id": comment, "post_id": post, "reason": "harassment"})),
    )
    .await;
    assert_eq!((status, body["new"].as_bool()), (201, Some(true)));

    // the queue: moderators and admins of the shared space; members get 404
    assert_eq!(reporter.v.get("/n/alpha/moderation").await.status(), 404);
    assert_eq!(
        staff
            .v
            .get("/api/v1/n/alpha/moderation/reports")
            .await
            .status(),
        404
    );
    let items = queue(&moderator.v).await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(queue(&hr.v).await.len(), 2);
    let post_report = items.iter().find(|i| i["target"] == "post").unwrap()["id"]
        .as_i64()
        .unwrap();
    let comment_report = items.iter().find(|i| i["target"] == "comment").unwrap()["id"]
        .as_i64()
        .unwrap();
    let (_, html) = moderator.v.get_text("/n/alpha/moderation").await;
    assert!(html.contains("失礼な投稿") && html.contains("言葉が乱暴です"));

    // hide the post: gone for everyone but its author and the moderators
    let decide = format!("/n/alpha/moderation/{post_report}");
    assert_eq!(
        status_of(&reporter.v, &decide, &[("action", "hide")]).await,
        404
    );
    assert_eq!(
        status_of(&moderator.v, &decide, &[("action", "erase")]).await,
        422
    );
    assert_eq!(
        status_of(
            &moderator.v,
            &decide,
            &[
                ("action", "hide"),
                ("note", "言葉遣いがガイドラインに反するため")
            ]
        )
        .await,
        303
    );
    for v in [&reporter.v, &staff.v] {
        assert_eq!(v.get(&format!("/n/alpha/posts/{post}")).await.status(), 404);
        let (_, feed) = api(v, reqwest::Method::GET, "/api/v1/n/alpha/posts", None).await;
        assert_eq!(feed["posts"], json!([]), "not in others' feed");
    }
    let (_, html) = author.v.get_text(&format!("/n/alpha/posts/{post}")).await;
    assert!(
        html.contains("モデレーターにより非表示になりました")
            && html.contains("言葉遣いがガイドラインに反するため"),
        "the author is told what and why"
    );
    let (_, feed) = api(
        &author.v,
        reqwest::Method::GET,
        "/api/v1/n/alpha/posts",
        None,
    )
    .await;
    assert_eq!(
        feed["posts"][0]["hidden"],
        "言葉遣いがガイドラインに反するため"
    );
    // a hidden post takes no comments or reactions, not even its author's
    let (status, _) = api(
        &author.v,
        reqwest::Method::POST,
        &format!("/api/v1/n/alpha/posts/{post}/comments"),
        Some(json!({"body": "なぜ？"})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = api(
        &author.v,
        reqwest::Method::PUT,
        &format!("/api/v1/n/alpha/posts/{post}/reactions/like"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        moderator
            .v
            .get(&format!("/n/alpha/posts/{post}"))
            .await
            .status(),
        200,
        "moderators still see it"
    );
    assert_eq!(
        queue(&moderator.v).await.len(),
        1,
        "the post's reports are closed"
    );
    let audit = enishi_store::audit::recent(&app.db, None, 20)
        .await
        .unwrap();
    assert!(audit.iter().any(|e| e.action == "moderation.hide"
        && e.actor_id == Some(moderator.id)
        && e.target.as_deref() == Some(&*format!("post/{post}"))));

    // restore it from the hidden list
    let (_, html) = moderator.v.get_text("/n/alpha/moderation").await;
    assert!(html.contains("再表示する"));
    assert_eq!(
        status_of(&moderator.v, &decide, &[("action", "restore")]).await,
        303
    );
    assert_eq!(
        reporter
            .v
            .get(&format!("/n/alpha/posts/{post}"))
            .await
            .status(),
        200
    );

    // hide the comment: others do not see it; its author does, marked
    assert_eq!(
        status_of(
            &hr.v,
            &format!("/n/alpha/moderation/{comment_report}"),
            &[("action", "hide")]
        )
        .await,
        303
    );
    let (_, body) = api(
        &reporter.v,
        reqwest::Method::GET,
        &format!("/api/v1/n/alpha/posts/{post}"),
        None,
    )
    .await;
    assert_eq!(body["comments"], json!([]));
    assert_eq!(body["comment_count"], 0, "a hidden comment is not counted");
    let (_, body) = api(
        &author.v,
        reqwest::Method::GET,
        &format!("/api/v1/n/alpha/posts/{post}"),
        None,
    )
    .await;
    assert_eq!(
        body["comments"][0]["hidden"], "攻撃的・差別的な内容",
        "without a note, the report's reason"
    );
    let (status, _) = api(
        &reporter.v,
        reqwest::Method::POST,
        "/api/v1/n/alpha/reports",
        Some(json!({"target": "comment", "id": comment, "post_id": post, "reason": "spam"})),
    )
    .await;
    assert_eq!(status, 404, "hidden comments are not reported again");
    assert!(queue(&hr.v).await.is_empty());
    // restored, it counts again (once, however often it is decided)
    let hidden_report = hidden_reports(&hr.v).await;
    for _ in 0..2 {
        hr.v.post_form(
            &format!("/n/alpha/moderation/{hidden_report}"),
            &[("action", "restore")],
        )
        .await;
    }
    let (_, body) = api(
        &reporter.v,
        reqwest::Method::GET,
        &format!("/api/v1/n/alpha/posts/{post}"),
        None,
    )
    .await;
    assert_eq!(body["comment_count"], 1);
    let _ = (author.id, reporter.id);
}

/// The report behind the one hidden piece of content on the queue page.
async fn hidden_reports(v: &Visitor) -> i64 {
    let (_, html) = v.get_text("/n/alpha/moderation").await;
    let at = html.find("value=\"restore\"").expect("a restore button");
    let form = html[..at].rfind("action=\"/n/alpha/moderation/").unwrap();
    let rest = &html[form + "action=\"/n/alpha/moderation/".len()..];
    rest[..rest.find('"').unwrap()].parse().unwrap()
}

async fn alumni_only_reports_reach_alumni_moderators_only(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let author = person(&app, &net, "member", "alumni").await;
    let reporter = person(&app, &net, "member", "alumni").await;
    let moderator = person(&app, &net, "moderator", "alumni").await;
    let hr = person(&app, &net, "owner", "hr").await;

    // an alumni-only group (made by the alumni moderator: open at once)
    let (status, body) = api(
        &moderator.v,
        reqwest::Method::POST,
        "/api/v1/n/alpha/groups",
        Some(json!({"name": "OB会", "category": "interest", "access": "open", "space": "alumni"})),
    )
    .await;
    assert_eq!((status, body["status"].as_str()), (201, Some("active")));
    let group = body["id"].as_i64().unwrap();
    for p in [&author, &reporter] {
        let (status, _) = api(
            &p.v,
            reqwest::Method::POST,
            &format!("/api/v1/n/alpha/groups/{group}/join"),
            None,
        )
        .await;
        assert_eq!(status, 200);
    }
    let (status, body) = api(
        &author.v,
        reqwest::Method::POST,
        &format!("/api/v1/n/alpha/groups/{group}/posts"),
        Some(json!({"body": "人事には言えない話"})),
    )
    .await;
    assert_eq!(status, 201);
    let post = body["id"].as_i64().unwrap();
    let (status, _) = api(
        &reporter.v,
        reqwest::Method::POST,
        "/api/v1/n/alpha/reports",
        Some(json!({"target": "post", "id": post, "reason": "privacy"})),
    )
    .await;
    assert_eq!(status, 201);

    // HR, owner or not, never sees it; the alumni moderator does
    assert!(
        queue(&hr.v).await.is_empty(),
        "HR's queue has no alumni-only report"
    );
    let (_, html) = hr.v.get_text("/n/alpha/moderation").await;
    assert!(!html.contains("人事には言えない話"));
    let items = queue(&moderator.v).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["space"], "alumni");
    let id = items[0]["id"].as_i64().unwrap();
    let (status, _) = api(
        &hr.v,
        reqwest::Method::POST,
        &format!("/api/v1/n/alpha/moderation/reports/{id}"),
        Some(json!({"action": "hide"})),
    )
    .await;
    assert_eq!(status, 404, "HR cannot act on it either");
    let (status, _) = api(
        &moderator.v,
        reqwest::Method::POST,
        &format!("/api/v1/n/alpha/moderation/reports/{id}"),
        Some(json!({"action": "hide", "note": "個人情報のため"})),
    )
    .await;
    assert_eq!(status, 204);
    let (_, feed) = api(
        &reporter.v,
        reqwest::Method::GET,
        &format!("/api/v1/n/alpha/groups/{group}/posts"),
        None,
    )
    .await;
    assert_eq!(feed["posts"], json!([]));
    let (_, feed) = api(
        &author.v,
        reqwest::Method::GET,
        &format!("/api/v1/n/alpha/groups/{group}/posts"),
        None,
    )
    .await;
    assert_eq!(feed["posts"][0]["hidden"], "個人情報のため");
    let _ = hr.id;
}

async fn person_with_email(
    app: &TestApp,
    net: &Network,
    role: &str,
    kind: &str,
) -> (Person, String) {
    let email = format!("w{}@example.jp", unique_number());
    let account = app.create_account(&email, "発言 太郎", None, false).await;
    join(app, net, account.id, role, kind).await;
    let v = app.visitor_signed_in_as(account.id).await;
    (Person { v, id: account.id }, email)
}

async fn outbox_for(app: &TestApp, to: &str) -> Vec<enishi_store::outbox::Message> {
    enishi_store::outbox::recent(&app.db, None, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.to_addr == to)
        .collect()
}

async fn report_id(v: &Visitor, target: &str, target_id: i64) -> i64 {
    queue(v)
        .await
        .iter()
        .find(|r| r["target"] == target && r["target_id"] == target_id)
        .unwrap_or_else(|| panic!("no open report on {target} {target_id}"))["id"]
        .as_i64()
        .unwrap()
}

async fn warnings_suspensions_and_profiles(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let (author, author_email) = person_with_email(&app, &net, "member", "alumni").await;
    let reporter = person(&app, &net, "member", "alumni").await;
    let moderator = person(&app, &net, "moderator", "alumni").await;
    let (other_moderator, _) = person_with_email(&app, &net, "moderator", "alumni").await;
    let admin = person(&app, &net, "admin", "hr").await;

    // a rude comment: the moderator warns; the comment stays, the author is told
    let (_, body) = api(
        &author.v,
        reqwest::Method::POST,
        "/api/v1/n/alpha/posts",
        Some(json!({"body": "ふつうの投稿"})),
    )
    .await;
    let post = body["id"].as_i64().unwrap();
    let (_, body) = api(
        &author.v,
        reqwest::Method::POST,
        &format!("/api/v1/n/alpha/posts/{post}/comments"),
        Some(json!({"body": "ちょっと言いすぎなコメント"})),
    )
    .await;
    let comment = body["id"].as_i64().unwrap();
    assert_eq!(
        status_of(
            &reporter.v,
            &format!("/n/alpha/posts/{post}/comments/{comment}/report"),
            &[("reason", "harassment")]
        )
        .await,
        303
    );
    let id = report_id(&moderator.v, "comment", comment).await;
    let (status, _) = api(
        &moderator.v,
        reqwest::Method::POST,
        &format!("/api/v1/n/alpha/moderation/reports/{id}"),
        Some(json!({"action": "warn", "note": "言葉づかいに気をつけてください"})),
    )
    .await;
    assert!(status < 300, "{status}");
    let (status, told) = api(
        &author.v,
        reqwest::Method::GET,
        "/api/v1/notifications",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let warned = told
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "warned")
        .expect("the author is told")
        .clone();
    assert!(
        warned["text"]
            .as_str()
            .unwrap()
            .contains("言葉づかいに気をつけてください")
    );
    assert_eq!(
        warned["href"],
        format!("/n/alpha/posts/{post}#comment-{comment}")
    );
    let mails = outbox_for(&app, &author_email).await;
    assert_eq!(mails.len(), 1, "a warning is always mailed");
    assert!(
        mails[0].list_unsubscribe.is_none(),
        "and cannot be unsubscribed from"
    );
    let (_, html) = reporter.v.get_text(&format!("/n/alpha/posts/{post}")).await;
    assert!(
        html.contains("ちょっと言いすぎなコメント"),
        "the comment stays"
    );
    assert!(queue(&moderator.v).await.is_empty(), "the report is closed");

    // a moderator cannot suspend another moderator; an admin can't be
    // suspended by anyone here
    let (_, body) = api(
        &other_moderator.v,
        reqwest::Method::POST,
        "/api/v1/n/alpha/posts",
        Some(json!({"body": "モデレーターの投稿"})),
    )
    .await;
    let mod_post = body["id"].as_i64().unwrap();
    status_of(
        &reporter.v,
        &format!("/n/alpha/posts/{mod_post}/report"),
        &[("reason", "spam")],
    )
    .await;
    let id = report_id(&moderator.v, "post", mod_post).await;
    let (status, body) = api(
        &moderator.v,
        reqwest::Method::POST,
        &format!("/api/v1/n/alpha/moderation/reports/{id}"),
        Some(json!({"action": "suspend"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("利用停止にできません")
    );

    // the author posts spam; the moderator suspends them
    let (_, body) = api(
        &author.v,
        reqwest::Method::POST,
        "/api/v1/n/alpha/posts",
        Some(json!({"body": "激安セール！"})),
    )
    .await;
    let spam = body["id"].as_i64().unwrap();
    status_of(
        &reporter.v,
        &format!("/n/alpha/posts/{spam}/report"),
        &[("reason", "spam")],
    )
    .await;
    let id = report_id(&moderator.v, "post", spam).await;
    let res = moderator
        .v
        .post_form(
            &format!("/n/alpha/moderation/{id}"),
            &[("action", "suspend"), ("note", "宣伝の繰り返し")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        crate::header(&res, "location"),
        "/n/alpha/moderation?done=suspend"
    );
    let membership = enishi_store::memberships::of_account(&app.db, net.scope(), author.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(membership.status, "suspended");
    let (status, _) = author.v.get_text("/n/alpha/feed").await;
    assert_eq!(
        status, 404,
        "a suspended member no longer reaches the network"
    );
    let (status, _) = reporter.v.get_text(&format!("/n/alpha/posts/{spam}")).await;
    assert_eq!(status, 404, "the spam is hidden");
    let mails = outbox_for(&app, &author_email).await;
    assert_eq!(mails.len(), 2);
    assert!(
        mails[0].text_body.contains("宣伝の繰り返し"),
        "{}",
        mails[0].text_body
    );
    // the admin can suspend the other moderator (the report is still open)
    let id = report_id(&admin.v, "post", mod_post).await;
    let (status, body) = api(
        &admin.v,
        reqwest::Method::POST,
        &format!("/api/v1/n/alpha/moderation/reports/{id}"),
        Some(json!({"action": "suspend"})),
    )
    .await;
    assert!(status < 300, "{status} {body}");
    let hidden = queue_hidden_count(&admin.v).await;
    assert!(
        hidden >= 2,
        "suspended content can be restored from the queue page"
    );

    // profiles: reported from the person page, warned or dismissed, never hidden
    let (target, _) = person_with_email(&app, &net, "member", "alumni").await;
    let profile = crate::profile_of(&app, &net, target.id).await;
    let own = crate::profile_of(&app, &net, reporter.id).await;
    assert_eq!(
        status_of(
            &reporter.v,
            &format!("/n/alpha/people/{own}/report"),
            &[("reason", "spam")]
        )
        .await,
        422,
        "not one's own"
    );
    let res = reporter
        .v
        .post_form(
            &format!("/n/alpha/people/{profile}/report"),
            &[("reason", "other"), ("note", "なりすましの疑い")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let item = queue(&moderator.v)
        .await
        .into_iter()
        .find(|r| r["target"] == "profile")
        .unwrap();
    assert_eq!(item["actions"], json!(["warn", "suspend", "dismiss"]));
    assert!(
        item["html"].as_str().unwrap().contains("発言 太郎"),
        "{item}"
    );
    let (status, _) = api(
        &moderator.v,
        reqwest::Method::POST,
        &format!("/api/v1/n/alpha/moderation/reports/{}", item["id"]),
        Some(json!({"action": "hide"})),
    )
    .await;
    assert_eq!(status, 422, "a profile is not hidden");
    let (status, _) = api(
        &moderator.v,
        reqwest::Method::POST,
        &format!("/api/v1/n/alpha/moderation/reports/{}", item["id"]),
        Some(json!({"action": "warn", "note": "プロフィールを見直してください"})),
    )
    .await;
    assert!(status < 300);
    let (_, told) = api(
        &target.v,
        reqwest::Method::GET,
        "/api/v1/notifications",
        None,
    )
    .await;
    assert_eq!(told[0]["kind"], "warned");
    // the API reports profiles too (once per person: the reporter's second
    // report is not new)
    let body = json!({"target": "profile", "id": profile, "reason": "spam"});
    let (status, _) = api(
        &reporter.v,
        reqwest::Method::POST,
        "/api/v1/n/alpha/reports",
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = api(
        &admin.v,
        reqwest::Method::POST,
        "/api/v1/n/alpha/reports",
        Some(json!({"target": "profile", "id": profile, "reason": "spam"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    app.stop().await;
}

async fn queue_hidden_count(v: &Visitor) -> usize {
    let (status, html) = v.get_text("/n/alpha/moderation").await;
    assert_eq!(status, 200);
    html.matches("value=\"restore\"").count()
}

async fn post(p: &Person, body: &str) -> i64 {
    let (status, b) = api(
        &p.v,
        reqwest::Method::POST,
        "/api/v1/n/alpha/posts",
        Some(json!({ "body": body })),
    )
    .await;
    assert_eq!(status, 201, "{b}");
    b["id"].as_i64().unwrap()
}

async fn first_posts_wait_for_a_moderator(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let newcomer = person(&app, &net, "member", "alumni").await;
    let other_newcomer = person(&app, &net, "member", "alumni").await;
    let reader = person(&app, &net, "member", "alumni").await;
    let moderator = person(&app, &net, "moderator", "alumni").await;
    let owner = person(&app, &net, "owner", "hr").await;
    // the owner turns the review on (the settings page shows it)
    enishi_store::networks::set_first_post_review(&app.db, net.scope(), true)
        .await
        .unwrap();
    let (_, html) = owner.v.get_text("/n/alpha/admin/settings").await;
    assert!(
        html.contains(r#"name="first_post_review" value="yes" checked"#),
        "the settings page shows the review is on"
    );
    let first = post(&newcomer, "はじめまして、2010年入社です").await;
    // nobody else sees it yet; its author does, with a note
    let (status, _) = reader.v.get_text(&format!("/n/alpha/posts/{first}")).await;
    assert_eq!(status, 404);
    let (_, feed) = reader.v.get_text("/n/alpha/feed").await;
    assert!(!feed.contains("はじめまして、2010年入社です"));
    let (status, html) = newcomer
        .v
        .get_text(&format!("/n/alpha/posts/{first}"))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("モデレーターの確認後に公開"));
    let (status, _) = api(
        &reader.v,
        reqwest::Method::POST,
        &format!("/api/v1/n/alpha/posts/{first}/comments"),
        Some(json!({"body": "?"})),
    )
    .await;
    assert_eq!(status, 404, "no comments on a held post");
    // moderators and admins are never held
    let by_moderator = post(&moderator, "モデレーターです").await;
    let (status, _) = reader
        .v
        .get_text(&format!("/n/alpha/posts/{by_moderator}"))
        .await;
    assert_eq!(status, 200);
    // the queue lists it; an unknown decision is refused; approving publishes it
    let (status, held) = api(
        &moderator.v,
        reqwest::Method::GET,
        "/api/v1/n/alpha/moderation/held",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(held.as_array().unwrap().len(), 1);
    assert_eq!(held[0]["id"], first);
    let (_, page) = moderator.v.get_text("/n/alpha/moderation").await;
    assert!(page.contains("はじめまして、2010年入社です"));
    let path = format!("/api/v1/n/alpha/moderation/held/{first}");
    let (status, _) = api(
        &moderator.v,
        reqwest::Method::POST,
        &path,
        Some(json!({"decision": "maybe"})),
    )
    .await;
    assert_eq!(status, 422);
    let res = moderator
        .v
        .post_form(
            &format!("/n/alpha/moderation/held/{first}"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (status, _) = reader.v.get_text(&format!("/n/alpha/posts/{first}")).await;
    assert_eq!(status, 200, "published");
    let (_, told) = api(
        &newcomer.v,
        reqwest::Method::GET,
        "/api/v1/notifications",
        None,
    )
    .await;
    assert_eq!(told[0]["kind"], "post_approved");
    // twice: nothing is held any more
    let (status, _) = api(
        &moderator.v,
        reqwest::Method::POST,
        &path,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, 404);
    // the next post of the same member is published at once
    let second = post(&newcomer, "二つ目の投稿").await;
    let (status, _) = reader.v.get_text(&format!("/n/alpha/posts/{second}")).await;
    assert_eq!(status, 200);
    // another newcomer's post is declined: hidden, with the reason
    let other = post(&other_newcomer, "宣伝です").await;
    let (status, _) = api(
        &moderator.v,
        reqwest::Method::POST,
        &format!("/api/v1/n/alpha/moderation/held/{other}"),
        Some(json!({"decision": "decline", "note": "宣伝はご遠慮ください"})),
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = reader.v.get_text(&format!("/n/alpha/posts/{other}")).await;
    assert_eq!(status, 404);
    let (_, html) = other_newcomer
        .v
        .get_text(&format!("/n/alpha/posts/{other}"))
        .await;
    assert!(html.contains("宣伝はご遠慮ください"));
    // members may not release posts
    let third = post(&other_newcomer, "もう一度").await;
    let (status, _) = api(
        &reader.v,
        reqwest::Method::POST,
        &format!("/api/v1/n/alpha/moderation/held/{third}"),
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, 404);
    app.stop().await;
}

dual_test!(
    reporting_hiding_and_restoring,
    alumni_only_reports_reach_alumni_moderators_only,
    warnings_suspensions_and_profiles,
    first_posts_wait_for_a_moderator
);
