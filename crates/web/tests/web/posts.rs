//! The feed over real HTTP, on both databases: posting (and a double
//! click posting once), comments with one level of replies, reactions,
//! editing and deleting with who may do each, news audiences that do not
//! exist for the wrong readers (pages and API), pins, keyset pages without
//! gaps or repeats, the "new posts" count, and an attack corpus of
//! markdown and HTML rendered harmless.

use enishi_store::networks::Network;
use enishi_store::posts::{self, NewPost};
use enishi_testkit::{Backend, TestApp, Visitor, dual_test};
use serde_json::{Value, json};

use crate::{api, fresh_account, join, make_network};

struct Member {
    visitor: Visitor,
    account_id: i64,
}

async fn member(app: &TestApp, network: &Network, role: &str, kind: &str) -> Member {
    let account = fresh_account(app, false).await;
    join(app, network, account.id, role, kind).await;
    let visitor = app.visitor_signed_in_as(account.id).await;
    visitor.get("/").await;
    Member {
        visitor,
        account_id: account.id,
    }
}

/// Posts the composer form; the post's id from the redirect (or the status).
async fn post_form(v: &Visitor, slug: &str, fields: &[(&str, &str)]) -> Result<i64, (u16, String)> {
    let res = v.post_form(&format!("/n/{slug}/posts"), fields).await;
    let status = res.status().as_u16();
    if status == 303 {
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let id = location
            .split("/posts/")
            .nth(1)
            .and_then(|rest| rest.split('?').next())
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("{location}"));
        Ok(id)
    } else {
        Err((status, res.text().await.unwrap()))
    }
}

/// A post as `v` reads it through the API.
async fn read(v: &Visitor, id: i64) -> Value {
    let (status, body) = api(
        v,
        reqwest::Method::GET,
        &format!("/api/v1/n/alpha/posts/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// A reaction's (count, mine) on a post as read.
fn reaction(post: &Value, word: &str) -> (i64, bool) {
    let r = post["reactions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["reaction"] == word)
        .unwrap();
    (r["count"].as_i64().unwrap(), r["mine"].as_bool().unwrap())
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect()
}

async fn posting_commenting_reacting(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let author = member(&app, &net, "member", "alumni").await;
    let colleague = member(&app, &net, "member", "alumni").await;
    let third = member(&app, &net, "member", "employee").await;
    let owner = member(&app, &net, "owner", "hr").await;

    // a double click: the same form (same one-time key) twice → one post
    let once = "0123456789abcdef0123456789abcdef";
    let form = [
        ("kind", "post"),
        ("body", "**同期会**のお知らせです"),
        ("once", once),
    ];
    let first = post_form(&author.visitor, "alpha", &form).await.unwrap();
    let second = post_form(&author.visitor, "alpha", &form).await.unwrap();
    assert_eq!(first, second, "a repeated one-time key is the same post");
    assert_eq!(posts::count(&app.db, net.scope()).await.unwrap(), 1);
    // both at once, as two racing requests with a fresh key
    let key = "fedcba9876543210fedcba9876543210";
    let race = [("kind", "post"), ("body", "二重送信"), ("once", key)];
    let (a, b) = tokio::join!(
        post_form(&author.visitor, "alpha", &race),
        post_form(&author.visitor, "alpha", &race)
    );
    assert_eq!(a.unwrap(), b.unwrap());
    assert_eq!(posts::count(&app.db, net.scope()).await.unwrap(), 2);

    let (status, html) = colleague.visitor.get_text("/n/alpha/feed").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<strong>同期会</strong>のお知らせです"),
        "{html}"
    );
    assert!(html.contains(&format!("id=\"post-{first}\"")));

    // comments and one level of replies
    let path = format!("/n/alpha/posts/{first}/comments");
    let res = colleague
        .visitor
        .post_form(
            &path,
            &[("body", "行きます！"), ("once", "c0000000000000000001")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let body = read(&colleague.visitor, first).await;
    let top = body["comments"][0]["id"].as_i64().unwrap();
    let res = author
        .visitor
        .post_form(
            &path,
            &[
                ("body", "ありがとう"),
                ("reply_to", &top.to_string()),
                ("once", "c0000000000000000002"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let body = read(&author.visitor, first).await;
    let reply = body["comments"][0]["replies"][0]["id"].as_i64().unwrap();
    // the reply form as the page renders it, sent twice (a double click)
    let (_, html) = author
        .visitor
        .get_text(&format!("/n/alpha/posts/{first}"))
        .await;
    let once = html
        .split("name=\"once\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    assert!(
        once.ends_with(&format!("-{top}")),
        "the reply form's key: {once}"
    );
    for _ in 0..2 {
        let res = author
            .visitor
            .post_form(
                &path,
                &[
                    ("body", "二度押し"),
                    ("reply_to", &top.to_string()),
                    ("once", &once),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
    }
    let body = read(&author.visitor, first).await;
    assert_eq!(
        body["comments"][0]["replies"].as_array().unwrap().len(),
        2,
        "one reply per key: {body}"
    );
    // a reply to a reply joins the thread
    let (status, _) = api(
        &third.visitor,
        reqwest::Method::POST,
        &path.replace("/n/", "/api/v1/n/"),
        Some(json!({"body": "私も", "reply_to": reply})),
    )
    .await;
    assert_eq!(status, 201);
    let body = read(&third.visitor, first).await;
    assert_eq!(body["comment_count"], 4);
    assert_eq!(body["comments"].as_array().unwrap().len(), 1);
    assert_eq!(body["comments"][0]["replies"].as_array().unwrap().len(), 3);
    // bad comments: empty, too long, replying to nothing
    let res = colleague
        .visitor
        .post_form(&path, &[("body", "  \n ")])
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("コメントを入力してください")
    );
    let (status, problem) = api(
        &colleague.visitor,
        reqwest::Method::POST,
        &format!("/api/v1/n/alpha/posts/{first}/comments"),
        Some(json!({"body": "x".repeat(4001)})),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("(body: コメントは4,000文字以内"),
        "{problem}"
    );
    let (status, _) = api(
        &colleague.visitor,
        reqwest::Method::POST,
        &format!("/api/v1/n/alpha/posts/{first}/comments"),
        Some(json!({"body": "x", "reply_to": 999_999})),
    )
    .await;
    assert_eq!(status, 422);
    let body = read(&third.visitor, first).await;
    assert_eq!(body["comment_count"], 4, "refused comments are not counted");
    let (_, html) = author
        .visitor
        .get_text(&format!("/n/alpha/posts/{first}"))
        .await;
    assert!(html.contains("コメント 4件"), "{html}");

    // reactions: a fixed set, once per person, taken back
    let react = format!("/n/alpha/posts/{first}/react");
    for v in [&colleague.visitor, &colleague.visitor, &third.visitor] {
        let res = v
            .post_form(
                &react,
                &[
                    ("reaction", "celebrate"),
                    ("on", "1"),
                    ("back", "/n/alpha/feed"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
        assert_eq!(
            res.headers()["location"],
            &*format!("/n/alpha/feed#post-{first}")
        );
    }
    // the page's buttons turn a reaction over (no `on`)
    for _ in 0..2 {
        let res = third
            .visitor
            .post_form(&react, &[("reaction", "thanks")])
            .await;
        assert_eq!(res.status(), 303);
    }
    assert_eq!(
        reaction(&read(&third.visitor, first).await, "thanks"),
        (0, false)
    );
    let res = third
        .visitor
        .post_form(&react, &[("reaction", "thanks")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        reaction(&read(&third.visitor, first).await, "thanks"),
        (1, true)
    );
    let res = colleague
        .visitor
        .post_form(&react, &[("reaction", "angry"), ("on", "1")])
        .await;
    assert_eq!(res.status(), 400);
    let res = colleague
        .visitor
        .post_form(
            &react,
            &[
                ("reaction", "like"),
                ("on", "1"),
                ("back", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(
        res.headers()["location"],
        &*format!("/n/alpha/posts/{first}#post-{first}"),
        "no open redirect"
    );
    let body = read(&colleague.visitor, first).await;
    assert_eq!(reaction(&body, "celebrate"), (2, true));
    let (status, _) = api(
        &colleague.visitor,
        reqwest::Method::DELETE,
        &format!("/api/v1/n/alpha/posts/{first}/reactions/celebrate"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = api(
        &colleague.visitor,
        reqwest::Method::PUT,
        &format!("/api/v1/n/alpha/posts/{first}/reactions/angry"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let body = read(&author.visitor, first).await;
    assert_eq!(reaction(&body, "celebrate"), (1, false));
    // the feed reads reactions with its posts: the same counts, and each
    // viewer's own, on the first page and on a later one (a cursor)
    for (who, v) in [
        ("author", &author.visitor),
        ("colleague", &colleague.visitor),
        ("third", &third.visitor),
    ] {
        let alone = read(v, first).await;
        for query in ["", "?after=9223372036854775807.9223372036854775807"] {
            let (status, feed) = api(
                v,
                reqwest::Method::GET,
                &format!("/api/v1/n/alpha/posts{query}"),
                None,
            )
            .await;
            assert_eq!(status, 200, "{feed}");
            let listed = feed["posts"]
                .as_array()
                .unwrap()
                .iter()
                .chain(feed["pinned"].as_array().unwrap())
                .find(|p| p["id"] == first)
                .unwrap_or_else(|| panic!("{who}{query}: {feed}"));
            assert_eq!(listed["reactions"], alone["reactions"], "{who}{query}");
        }
    }
    assert_eq!(
        reaction(&read(&third.visitor, first).await, "thanks"),
        (1, true)
    );
    assert_eq!(
        reaction(&read(&colleague.visitor, first).await, "like"),
        (1, true)
    );
    assert_eq!(
        reaction(&read(&colleague.visitor, first).await, "celebrate"),
        (1, false)
    );

    // only the author edits; the post is then marked edited
    let edit = format!("/n/alpha/posts/{first}/edit");
    assert_eq!(colleague.visitor.get(&edit).await.status(), 404);
    assert_eq!(
        owner.visitor.get(&edit).await.status(),
        404,
        "admins remove, they do not rewrite"
    );
    let res = colleague
        .visitor
        .post_form(&edit, &[("body", "乗っ取り")])
        .await;
    assert_eq!(res.status(), 404);
    let res = author.visitor.post_form(&edit, &[("body", "")]).await;
    assert_eq!(res.status(), 422);
    let res = author
        .visitor
        .post_form(&edit, &[("body", "同期会は**6月**です")])
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = colleague
        .visitor
        .get_text(&format!("/n/alpha/posts/{first}"))
        .await;
    assert!(
        html.contains("<strong>6月</strong>") && html.contains("編集済み"),
        "{html}"
    );
    assert!(!html.contains("乗っ取り"));

    // the author or an admin deletes comments and posts; others get 404
    let (status, _) = api(
        &third.visitor,
        reqwest::Method::DELETE,
        &format!("/api/v1/n/alpha/posts/{first}/comments/{top}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let res = colleague
        .visitor
        .post_form(&format!("/n/alpha/posts/{first}/delete"), &[])
        .await;
    assert_eq!(res.status(), 404);
    let res = colleague
        .visitor
        .post_form(
            &format!("/n/alpha/posts/{first}/comments/{top}/delete"),
            &[],
        )
        .await;
    assert_eq!(
        res.status(),
        303,
        "the comment's author deletes it, with its replies"
    );
    let body = read(&author.visitor, first).await;
    assert_eq!(body["comment_count"], 0);
    assert_eq!(body["comments"], json!([]));
    let (status, _) = api(
        &owner.visitor,
        reqwest::Method::DELETE,
        &format!("/api/v1/n/alpha/posts/{first}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        author
            .visitor
            .get(&format!("/n/alpha/posts/{first}"))
            .await
            .status(),
        404
    );
    let audit = enishi_store::audit::recent(&app.db, None, 20)
        .await
        .unwrap();
    assert!(
        audit.iter().any(|e| e.action == "post.deleted"
            && e.actor_id == Some(owner.account_id)
            && e.target.as_deref() == Some(&*first.to_string())),
        "an admin's deletion is audited"
    );
    assert!(
        !audit.iter().any(|e| e.action == "comment.deleted"),
        "an author's own deletion is not an admin action"
    );
    let _ = author.account_id;
}

async fn bad_posts_are_refused_and_attacks_rendered_harmless(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let m = member(&app, &net, "member", "alumni").await;

    // empty, too long (a field error at the limit), news by a member
    let err = post_form(&m.visitor, "alpha", &[("body", " \n\t ")])
        .await
        .unwrap_err();
    assert_eq!(err.0, 422);
    assert!(err.1.contains("本文を入力してください"), "{}", err.1);
    let long = "あ".repeat(50_000);
    let err = post_form(&m.visitor, "alpha", &[("body", &long)])
        .await
        .unwrap_err();
    assert_eq!(err.0, 422);
    assert!(err.1.contains("20,000文字以内"));
    assert!(err.1.contains(&long), "what was typed is kept in the form");
    let at_limit = "あ".repeat(20_000);
    assert!(
        post_form(&m.visitor, "alpha", &[("body", &at_limit)])
            .await
            .is_ok()
    );
    let err = post_form(
        &m.visitor,
        "alpha",
        &[("kind", "news"), ("title", "t"), ("body", "b")],
    )
    .await
    .unwrap_err();
    assert_eq!(err.0, 422);
    assert!(err.1.contains("お知らせを書けるのは管理者だけです"));
    let (status, problem) = api(
        &m.visitor,
        reqwest::Method::POST,
        "/api/v1/n/alpha/posts",
        Some(json!({"kind": "poll", "body": "x"})),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("(kind: 投稿の種類は"),
        "{problem}"
    );
    let (status, _) = api(
        &m.visitor,
        reqwest::Method::POST,
        "/api/v1/n/alpha/posts",
        Some(json!({"body": 5})),
    )
    .await;
    assert_eq!(status, 422);
    let res = m
        .visitor
        .client
        .post(m.visitor.url("/api/v1/n/alpha/posts"))
        .header("x-csrf-token", m.visitor.csrf_token().unwrap())
        .header("idempotency-key", "bad key!")
        .json(&json!({"body": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    // an API retry with the same Idempotency-Key is the same post
    let mut seen = Vec::new();
    for expected in [201, 200] {
        let res = m
            .visitor
            .client
            .post(m.visitor.url("/api/v1/n/alpha/posts"))
            .header("x-csrf-token", m.visitor.csrf_token().unwrap())
            .header("idempotency-key", "retry-0123456789abcdef")
            .json(&json!({"body": "再送"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), expected);
        seen.push(res.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    assert_eq!(seen[0], seen[1]);
    assert_eq!(posts::count(&app.db, net.scope()).await.unwrap(), 2);

    // the attack corpus: each post is stored and shown, harmless
    let corpus = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "<a href=\"javascript&colon;alert(1)\">x</a>",
        "<a href=\"https://example.jp\" onclick=\"steal()\">link</a>",
        "<svg onload=alert(1)><script>alert(2)</script></svg>",
        "<p style=\"width: expression(alert(1))\">css</p>",
        "<style>body{background:url(javascript:alert(1))}</style>",
        "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<form action=\"https://evil.example\"><input name=x></form>",
        "<b><i>broken</b></i> <div><span>unclosed",
        "![tracker](https://evil.example/pixel.gif)",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<object data=\"evil.swf\"></object><embed src=\"evil.swf\">",
        "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
    ];
    let body = corpus.join("\n\n");
    let id = post_form(&m.visitor, "alpha", &[("body", &body)])
        .await
        .unwrap();
    let (_, html) = m.visitor.get_text(&format!("/n/alpha/posts/{id}")).await;
    let start = html.find(&format!("id=\"post-{id}\"")).unwrap();
    let article = &html[start..start + html[start..].find("</article>").unwrap()];
    // escaped text may say anything; what matters is the markup: every tag
    // that reached the page, with its attributes
    let tags: Vec<String> = article
        .split('<')
        .skip(1)
        .map(|t| t.split('>').next().unwrap().to_lowercase())
        .collect();
    // the markdown's own tags, and the page's frame around the post
    let frame = [
        "article", "header", "footer", "div", "span", "h2", "time", "form", "input", "button",
        "img",
    ];
    let allowed: Vec<&str> = enishi_web::markdown::TAGS
        .iter()
        .chain(frame.iter())
        .copied()
        .collect();
    for tag in &tags {
        let name = tag
            .trim_start_matches('/')
            .split([' ', '\n'])
            .next()
            .unwrap();
        assert!(allowed.contains(&name), "<{tag}> survived: {article}");
        for bad in [
            "javascript:",
            "data:",
            "expression(",
            "style=",
            "srcdoc",
            "formaction",
        ] {
            assert!(!tag.contains(bad), "{bad} survived in <{tag}>");
        }
        assert!(
            !tag.split_whitespace()
                .any(|attr| attr.starts_with("on") && attr.contains('=')),
            "an event handler survived in <{tag}>"
        );
    }
    let body_start = article.find("post-body").unwrap();
    let body_html =
        &article[body_start..article[body_start..].find("post-actions").unwrap() + body_start];
    for tag in [
        "<form", "<input", "<img", "<iframe", "<svg", "<math", "<object", "<embed", "<meta",
        "<style", "<script",
    ] {
        assert!(
            !body_html.to_lowercase().contains(tag),
            "{tag} in the post's body: {body_html}"
        );
    }
    assert!(
        article.contains("href=\"https://example.jp\""),
        "safe links stay: {article}"
    );
    assert!(article.contains("broken"), "text of broken markup stays");
    // the API serves the same sanitised HTML
    let (_, body) = api(
        &m.visitor,
        reqwest::Method::GET,
        &format!("/api/v1/n/alpha/posts/{id}"),
        None,
    )
    .await;
    let served = body["html"].as_str().unwrap().to_lowercase();
    assert_eq!(
        body["html"].as_str().unwrap(),
        &body_html[body_html.find('>').unwrap() + 1..body_html.rfind("</div>").unwrap()],
        "the API serves what the page shows"
    );
    assert!(
        !served.contains("<script")
            && !served.contains("<img")
            && !served.contains("href=\"javascript")
    );
}

async fn news_audiences_pins_and_pages(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let alumnus = member(&app, &net, "member", "alumni").await;
    let staff = member(&app, &net, "moderator", "employee").await;
    let hr = member(&app, &net, "admin", "hr").await;

    let alumni_news = post_form(
        &hr.visitor,
        "alpha",
        &[
            ("kind", "news"),
            ("title", "OB・OG限定の集い"),
            ("audience", "alumni"),
            ("body", "アルムナイだけへのお知らせ"),
        ],
    )
    .await
    .unwrap();
    let staff_news = post_form(
        &hr.visitor,
        "alpha",
        &[
            ("kind", "news"),
            ("title", "社内向け"),
            ("audience", "staff"),
            ("body", "社員だけへのお知らせ"),
        ],
    )
    .await
    .unwrap();
    let err = post_form(
        &hr.visitor,
        "alpha",
        &[
            ("kind", "news"),
            ("title", ""),
            ("audience", "martians"),
            ("body", "x"),
        ],
    )
    .await
    .unwrap_err();
    assert_eq!(err.0, 422);
    assert!(err.1.contains("タイトルを入力してください") && err.1.contains("公開範囲は"));

    // the wrong audience: not in the feed, and 404 by URL through pages and API
    let (_, html) = staff.visitor.get_text("/n/alpha/feed").await;
    assert!(!html.contains("アルムナイだけへのお知らせ") && html.contains("社員だけへのお知らせ"));
    let (_, html) = alumnus.visitor.get_text("/n/alpha/feed").await;
    assert!(html.contains("アルムナイだけへのお知らせ") && !html.contains("社員だけへのお知らせ"));
    for (who, id) in [
        (&staff.visitor, alumni_news),
        (&alumnus.visitor, staff_news),
    ] {
        assert_eq!(who.get(&format!("/n/alpha/posts/{id}")).await.status(), 404);
        assert_eq!(
            who.get(&format!("/api/v1/n/alpha/posts/{id}"))
                .await
                .status(),
            404
        );
        let res = who
            .post_form(
                &format!("/n/alpha/posts/{id}/comments"),
                &[("body", "覗き見")],
            )
            .await;
        assert_eq!(res.status(), 404);
        let res = who
            .post_form(
                &format!("/n/alpha/posts/{id}/react"),
                &[("reaction", "like"), ("on", "1")],
            )
            .await;
        assert_eq!(res.status(), 404);
        let (status, _) = api(
            who,
            reqwest::Method::PUT,
            &format!("/api/v1/n/alpha/posts/{id}/reactions/like"),
            None,
        )
        .await;
        assert_eq!(status, 404);
    }
    let (_, feed) = api(
        &staff.visitor,
        reqwest::Method::GET,
        "/api/v1/n/alpha/posts",
        None,
    )
    .await;
    assert!(!ids(&feed["posts"]).contains(&alumni_news));
    let (_, feed) = api(
        &hr.visitor,
        reqwest::Method::GET,
        "/api/v1/n/alpha/posts",
        None,
    )
    .await;
    assert!(
        ids(&feed["posts"]).contains(&alumni_news) && ids(&feed["posts"]).contains(&staff_news),
        "admins read all news"
    );

    // pins: news only, on top and out of the stream, at most five
    let member_post = post_form(&alumnus.visitor, "alpha", &[("body", "ふつうの投稿")])
        .await
        .unwrap();
    let res = hr
        .visitor
        .post_form(
            &format!("/n/alpha/posts/{member_post}/pin"),
            &[("pin", "1")],
        )
        .await;
    assert_eq!(res.status(), 409);
    let res = staff
        .visitor
        .post_form(
            &format!("/n/alpha/posts/{alumni_news}/pin"),
            &[("pin", "1")],
        )
        .await;
    assert_eq!(res.status(), 404, "moderators do not pin");
    let res = hr
        .visitor
        .post_form(
            &format!("/n/alpha/posts/{alumni_news}/pin"),
            &[("pin", "1")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, feed) = api(
        &alumnus.visitor,
        reqwest::Method::GET,
        "/api/v1/n/alpha/posts",
        None,
    )
    .await;
    assert_eq!(ids(&feed["pinned"]), vec![alumni_news]);
    assert!(
        !ids(&feed["posts"]).contains(&alumni_news),
        "a pinned item is not repeated below"
    );
    let (_, feed) = api(
        &staff.visitor,
        reqwest::Method::GET,
        "/api/v1/n/alpha/posts",
        None,
    )
    .await;
    assert!(
        ids(&feed["pinned"]).is_empty(),
        "a pin does not widen the audience"
    );
    let mut news = Vec::new();
    for i in 0..6 {
        let id = post_form(
            &hr.visitor,
            "alpha",
            &[
                ("kind", "news"),
                ("title", &format!("社報{i}")),
                ("body", "本文"),
            ],
        )
        .await
        .unwrap();
        let res = hr
            .visitor
            .post_form(&format!("/n/alpha/posts/{id}/pin"), &[("pin", "1")])
            .await;
        assert_eq!(res.status(), 303);
        news.push(id);
    }
    let (_, feed) = api(
        &hr.visitor,
        reqwest::Method::GET,
        "/api/v1/n/alpha/posts",
        None,
    )
    .await;
    let pinned = ids(&feed["pinned"]);
    assert_eq!(pinned.len(), 5);
    assert_eq!(pinned[0], news[5], "the newest pin first");
    assert!(
        !pinned.contains(&alumni_news),
        "the oldest pin was released"
    );
    assert!(
        ids(&feed["posts"]).contains(&alumni_news),
        "and is back in the stream"
    );
    let res = hr
        .visitor
        .post_form(&format!("/n/alpha/posts/{}/pin", news[5]), &[("pin", "0")])
        .await;
    assert_eq!(res.status(), 303);
    let (_, feed) = api(
        &hr.visitor,
        reqwest::Method::GET,
        "/api/v1/n/alpha/posts",
        None,
    )
    .await;
    assert_eq!(ids(&feed["pinned"]).len(), 4);

    // keyset pages: 50 posts, some written in the same millisecond, every
    // one exactly once, newest first, across pages and the page links
    let t0 = enishi_store::now_ms() - 10_000_000;
    let mut made = Vec::new();
    for i in 0..50 {
        let new = NewPost {
            html: "",
            group_id: None,
            kind: "post",
            author_id: alumnus.account_id,
            title: "",
            body: "連番",
            audience: "everyone",
            once_key: None,
            held: false,
            image: None,
        };
        made.push(
            posts::create(&app.db, net.scope(), &new, t0 + (i / 3) as i64)
                .await
                .unwrap()
                .0,
        );
    }
    let mut walked = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(c) => format!("/api/v1/n/alpha/posts?after={c}"),
            None => "/api/v1/n/alpha/posts".into(),
        };
        let (status, page) = api(&alumnus.visitor, reqwest::Method::GET, &path, None).await;
        assert_eq!(status, 200);
        assert!(
            after.is_none() || page["pinned"] == json!([]),
            "pins only on the first page"
        );
        walked.extend(ids(&page["posts"]));
        match page["next"].as_str() {
            Some(n) => after = Some(n.to_string()),
            None => break,
        }
    }
    let mut unique = walked.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), walked.len(), "no post twice");
    let tail: Vec<i64> = walked
        .iter()
        .copied()
        .filter(|id| made.contains(id))
        .collect();
    let mut expected = made.clone();
    expected.reverse();
    assert_eq!(tail, expected, "newest first, ties by id");
    assert_eq!(
        walked.len(),
        50 + 4,
        "the 50, the alumnus's own post, the alumni news and news[0] (pins released) and news[5] (unpinned)"
    );
    // the page's own links walk the same way
    let (_, html) = alumnus.visitor.get_text("/n/alpha/feed").await;
    let next = html.split("rel=\"next\"").next().unwrap();
    let href = next
        .rsplit("href=\"")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&#x2f;", "/")
        .replace("&amp;", "&");
    let (status, older) = alumnus.visitor.get_text(&href).await;
    assert_eq!(status, 200, "{href}");
    assert!(older.contains("連番") && !older.contains("id=\"composer-heading\""));
    // junk cursors are the first page, never an error
    for junk in ["x", "1.2.3", "-5.1", "%00"] {
        assert_eq!(
            alumnus
                .visitor
                .get(&format!("/n/alpha/feed?after={junk}"))
                .await
                .status(),
            200
        );
    }

    // the "new posts" count
    let (_, page) = api(
        &alumnus.visitor,
        reqwest::Method::GET,
        "/api/v1/n/alpha/posts",
        None,
    )
    .await;
    let newest = &page["posts"][0];
    let since = format!("{}.{}", newest["created_at"], newest["id"]);
    let (_, n) = api(
        &alumnus.visitor,
        reqwest::Method::GET,
        &format!("/api/v1/n/alpha/posts/newer?since={since}"),
        None,
    )
    .await;
    assert_eq!(n["count"], 0);
    post_form(&staff.visitor, "alpha", &[("body", "新着")])
        .await
        .unwrap();
    post_form(
        &hr.visitor,
        "alpha",
        &[
            ("kind", "news"),
            ("title", "社員向け"),
            ("audience", "staff"),
            ("body", "x"),
        ],
    )
    .await
    .unwrap();
    let (_, n) = api(
        &alumnus.visitor,
        reqwest::Method::GET,
        &format!("/api/v1/n/alpha/posts/newer?since={since}"),
        None,
    )
    .await;
    assert_eq!(
        n["count"], 1,
        "news for staff is not counted for an alumnus"
    );
    let (status, _) = api(
        &alumnus.visitor,
        reqwest::Method::GET,
        "/api/v1/n/alpha/posts/newer?since=junk",
        None,
    )
    .await;
    assert_eq!(status, 400);
}

dual_test!(
    posting_commenting_reacting,
    bad_posts_are_refused_and_attacks_rendered_harmless,
    news_audiences_pins_and_pages
);

/// The composer with a picture: a multipart form.
async fn post_with_picture(
    v: &enishi_testkit::Visitor,
    body: &str,
    picture: Vec<u8>,
    alt: &str,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("csrf", v.csrf_token().unwrap())
        .text("kind", "post")
        .text("body", body.to_string())
        .text("image_alt", alt.to_string())
        .text("once", format!("{:032x}", enishi_testkit::unique_number()))
        .part(
            "image",
            reqwest::multipart::Part::bytes(picture).file_name("photo.png"),
        );
    v.client
        .post(v.url("/n/alpha/posts"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn pictures_in_posts(backend: enishi_testkit::Backend) {
    use serde_json::json;
    let app = enishi_testkit::TestApp::start(backend).await;
    let net = crate::make_network(&app, "alpha", "request").await;
    let author = crate::fresh_account(&app, false).await;
    crate::join(&app, &net, author.id, "member", "alumni").await;
    let a = app.visitor_signed_in_as(author.id).await;
    let reader = crate::fresh_account(&app, false).await;
    crate::join(&app, &net, reader.id, "member", "alumni").await;
    let r = app.visitor_signed_in_as(reader.id).await;
    let images = || enishi_store::images::count(&app.db, net.scope());

    // the page's composer: words and a picture
    let res = post_with_picture(
        &a,
        "同期会の写真です",
        crate::profiles::png(900, 600),
        "居酒屋で乾杯する8人",
    )
    .await;
    assert_eq!(res.status(), 303);
    let location = crate::header(&res, "location").to_string();
    let (_, html) = r.get_text(location.split('?').next().unwrap()).await;
    assert!(html.contains(r#"alt="居酒屋で乾杯する8人""#), "{html}");
    let src_at = html
        .find(r#"class="post-image" src=""#)
        .expect("the picture");
    let src = &html[src_at + 24..];
    let src = &src[..src.find('"').unwrap()];
    let res = r.get(src).await;
    assert_eq!(res.status(), 200);
    assert_eq!(crate::header(&res, "content-type"), "image/jpeg");
    assert_eq!(images().await.unwrap(), 1);

    // refused words store no picture; a file that is not a picture is refused
    let res = post_with_picture(&a, "  ", crate::profiles::png(100, 100), "").await;
    assert_eq!(res.status(), 422);
    let res = post_with_picture(&a, "写真です", b"not a picture".to_vec(), "").await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("JPEG・PNG・WebP の画像を選んでください"),
        "a clear message about the picture"
    );
    assert_eq!(images().await.unwrap(), 1, "nothing left behind");

    // the API: upload, then name it in a post (once, and only one's own)
    let form = reqwest::multipart::Form::new().part(
        "image",
        reqwest::multipart::Part::bytes(crate::profiles::png(300, 300)).file_name("a.png"),
    );
    let res = a
        .client
        .post(a.url("/api/v1/n/alpha/images"))
        .header("x-csrf-token", a.csrf_token().unwrap())
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let uploaded: serde_json::Value = res.json().await.unwrap();
    let key = uploaded["key"].as_str().unwrap().to_string();
    let (status, _) = crate::api(
        &r,
        reqwest::Method::POST,
        "/api/v1/n/alpha/posts",
        Some(json!({"body": "他人の画像", "image": key})),
    )
    .await;
    assert_eq!(status, 422, "not the reader's picture");
    let (status, body) = crate::api(
        &a,
        reqwest::Method::POST,
        "/api/v1/n/alpha/posts",
        Some(json!({"body": "APIから", "image": key, "image_alt": "青い四角"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["image"], uploaded["url"]);
    assert_eq!(body["image_alt"], "青い四角");
    let post = body["id"].as_i64().unwrap();
    let (status, _) = crate::api(
        &a,
        reqwest::Method::POST,
        "/api/v1/n/alpha/posts",
        Some(json!({"body": "もう一度", "image": key})),
    )
    .await;
    assert_eq!(status, 422, "a picture goes with one post");
    let (status, _) = crate::api(
        &a,
        reqwest::Method::POST,
        "/api/v1/n/alpha/posts",
        Some(json!({"body": "長い説明", "image": "0".repeat(32), "image_alt": "x".repeat(301)})),
    )
    .await;
    assert_eq!(status, 422);
    // an upload not on a post yet is its uploader's alone
    let form = reqwest::multipart::Form::new().part(
        "image",
        reqwest::multipart::Part::bytes(crate::profiles::png(200, 200)).file_name("b.png"),
    );
    let res = a
        .client
        .post(a.url("/api/v1/n/alpha/images"))
        .header("x-csrf-token", a.csrf_token().unwrap())
        .multipart(form)
        .send()
        .await
        .unwrap();
    let loose: serde_json::Value = res.json().await.unwrap();
    let loose_url = loose["url"].as_str().unwrap();
    assert_eq!(a.get(loose_url).await.status(), 200);
    assert_eq!(r.get(loose_url).await.status(), 404);
    // a picture in an alumni-only group stays there, even for staff who
    // learn its address
    let staff = crate::fresh_account(&app, false).await;
    crate::join(&app, &net, staff.id, "member", "employee").await;
    let s = app.visitor_signed_in_as(staff.id).await;
    let group = enishi_store::groups::create(
        &app.db,
        net.scope(),
        &enishi_store::groups::NewGroup {
            name: "OBだけ",
            description: "",
            category: "interest",
            access: "open",
            space: "alumni",
            status: "active",
            creator: author.id,
        },
        enishi_store::now_ms(),
    )
    .await
    .unwrap();
    let (status, body) = crate::api(
        &a,
        reqwest::Method::POST,
        &format!("/api/v1/n/alpha/groups/{group}/posts"),
        Some(json!({"body": "OBだけの写真", "image": loose["key"]})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        r.get(loose_url).await.status(),
        200,
        "alumni may see it now"
    );
    assert_eq!(s.get(loose_url).await.status(), 404, "staff may not");
    // deleting the post deletes its picture
    let (status, _) = crate::api(
        &a,
        reqwest::Method::DELETE,
        &format!("/api/v1/n/alpha/posts/{post}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let url = uploaded["url"].as_str().unwrap();
    assert_eq!(r.get(url).await.status(), 404);
    app.stop().await;
}

enishi_testkit::dual_test!(pictures_in_posts);
