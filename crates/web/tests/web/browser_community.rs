//! The community journey in headless Chromium: an alumnus posts in her
//! era group, a colleague comments (rudely), she finds it through the
//! bell, gets a message and answers it in a conversation that updates
//! live, reports the comment, and a moderator hides it.

use enishi_store::groups::{self, NewGroup};
use enishi_store::now_ms;
use enishi_testkit::{Backend, Browser, TestApp, dual_test};
use fantoccini::Locator;
use reqwest::Method;
use serde_json::json;

use crate::browser::{
    assert_accessible, click, fill, sign_in_with_password, text_of, wait_h1, wait_text,
};

async fn community_journey(backend: Backend) {
    let Some(browser) = Browser::start(390, 844).await else {
        return;
    };
    let app = TestApp::start(backend).await;
    let tag = backend.name();
    let network = crate::make_network(&app, "sample-shoji", "invitation").await;
    let ids = crate::browser::members(
        &app,
        &network,
        &[
            ("sato@example.jp", "佐藤 美咲", "member", "alumni"),
            ("suzuki@example.jp", "鈴木 仁志", "member", "alumni"),
            ("mod@example.jp", "見守 太郎", "moderator", "alumni"),
        ],
    )
    .await;
    let (sato, suzuki) = (ids[0], ids[1]);
    // their era group (2009年入社), both in it
    let group = groups::create(
        &app.db,
        network.scope(),
        &NewGroup {
            name: "2009年入社",
            description: "同期の集まり",
            category: "era",
            access: "open",
            space: "shared",
            status: "active",
            creator: sato,
        },
        now_ms(),
    )
    .await
    .unwrap();
    groups::set_standing(&app.db, network.scope(), group, suzuki, "member", now_ms())
        .await
        .unwrap();
    let c = &browser.client;

    // 佐藤 posts in the group
    sign_in_with_password(
        &browser,
        &app,
        "sato@example.jp",
        &format!("/n/sample-shoji/groups/{group}"),
    )
    .await;
    wait_h1(&browser, "2009年入社").await;
    fill(&browser, "#f-body", "来月、同期で集まりませんか？").await;
    click(
        &browser,
        &format!("form[action='/n/sample-shoji/groups/{group}/posts'] button"),
    )
    .await;
    wait_text(
        &browser,
        "//*[contains(text(), '来月、同期で集まりませんか？')]",
    )
    .await;
    let post: i64 = c
        .current_url()
        .await
        .unwrap()
        .path()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();

    // 鈴木 (a second person, over HTTP) comments rudely
    let colleague = app.visitor_signed_in_as(suzuki).await;
    let (status, body) = crate::api(
        &colleague,
        Method::POST,
        &format!("/api/v1/n/sample-shoji/posts/{post}/comments"),
        Some(json!({"body": "集まりなんて時間の無駄だ"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let comment = body["id"].as_i64().unwrap();

    // 佐藤 sees the bell, opens it, and follows the notification
    c.goto(&app.url("/n/sample-shoji")).await.unwrap();
    assert_eq!(text_of(&browser, "[data-unread-notifications]").await, "1");
    click(&browser, "a.bell-link").await;
    wait_h1(&browser, "お知らせ").await;
    assert_accessible(&browser, "notifications").await;
    browser.screenshot(&format!("community-bell-{tag}")).await;
    let line = text_of(&browser, "li.notification a").await;
    assert_eq!(line, "鈴木 仁志さんがあなたの投稿にコメントしました");
    click(&browser, "li.notification a").await;
    wait_text(
        &browser,
        &format!("//div[@id='comment-{comment}']//*[contains(text(), '時間の無駄')]"),
    )
    .await;

    // a message arrives; she opens the conversation
    let (status, body) = crate::api(
        &colleague,
        Method::POST,
        "/api/v1/n/sample-shoji/conversations",
        Some(json!({"to": [crate::profile_of(&app, &network, sato).await], "body": "さっきはごめん、言いすぎた"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let conversation = body["conversation_id"].as_i64().unwrap();
    c.goto(&app.url("/n/sample-shoji")).await.unwrap();
    assert_eq!(text_of(&browser, "[data-unread-messages]").await, "1");
    click(&browser, "a.messages-link").await;
    wait_h1(&browser, "メッセージ").await;
    click(&browser, "li.conversation-row a.row-main").await;
    wait_text(
        &browser,
        "//p[@class='message-text'][contains(text(), '言いすぎた')]",
    )
    .await;
    assert_accessible(&browser, "conversation").await;
    // wait until the live stream is open, then the colleague writes again:
    // the message appears without a reload
    c.wait()
        .for_element(Locator::Css("ol.messages[data-last]"))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let marker = c
        .execute("window.__same_page = 1; return 1", vec![])
        .await
        .unwrap();
    assert_eq!(marker, json!(1));
    let (status, _) = crate::api(
        &colleague,
        Method::POST,
        &format!("/api/v1/n/sample-shoji/conversations/{conversation}/messages"),
        Some(json!({"body": "今度ちゃんと話そう"})),
    )
    .await;
    assert_eq!(status, 201);
    wait_text(
        &browser,
        "//p[@class='message-text'][contains(text(), '今度ちゃんと話そう')]",
    )
    .await;
    let same = c
        .execute("return window.__same_page === 1", vec![])
        .await
        .unwrap();
    assert_eq!(same, json!(true), "it arrived live, not by a reload");
    browser.screenshot(&format!("community-live-{tag}")).await;
    // she answers
    fill(&browser, "#f-body", "ありがとう。気にしないで").await;
    click(
        &browser,
        &format!("form[action='/n/sample-shoji/messages/{conversation}'] button"),
    )
    .await;
    wait_text(
        &browser,
        "//p[@class='message-text'][contains(text(), '気にしないで')]",
    )
    .await;
    let (_, list) = crate::api(
        &colleague,
        Method::GET,
        &format!("/api/v1/n/sample-shoji/conversations/{conversation}/messages"),
        None,
    )
    .await;
    assert_eq!(
        list.as_array().unwrap().last().unwrap()["text"],
        "ありがとう。気にしないで"
    );

    // she still reports the comment
    c.goto(&app.url(&format!("/n/sample-shoji/posts/{post}")))
        .await
        .unwrap();
    click(
        &browser,
        &format!("#comment-{comment} details.report-box summary"),
    )
    .await;
    c.find(Locator::Css(&format!(
        "#comment-{comment} select[name='reason'] option[value='harassment']"
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    click(
        &browser,
        &format!("#comment-{comment} details.report-box form button"),
    )
    .await;
    wait_text(
        &browser,
        "//*[contains(@class, 'flash')][contains(., '報告しました')]",
    )
    .await;

    // the moderator hides it from the queue
    sign_in_with_password(
        &browser,
        &app,
        "mod@example.jp",
        "/n/sample-shoji/moderation",
    )
    .await;
    wait_h1(&browser, "モデレーション").await;
    assert!(
        text_of(&browser, "article.report")
            .await
            .contains("時間の無駄")
    );
    assert_accessible(&browser, "moderation queue").await;
    browser.screenshot(&format!("community-queue-{tag}")).await;
    click(&browser, "article.report button[value='hide']").await;
    wait_text(&browser, "//*[contains(@class, 'flash')]").await;

    // 佐藤 no longer sees it
    sign_in_with_password(
        &browser,
        &app,
        "sato@example.jp",
        &format!("/n/sample-shoji/posts/{post}"),
    )
    .await;
    wait_text(
        &browser,
        "//*[contains(text(), '来月、同期で集まりませんか？')]",
    )
    .await;
    let source = c.source().await.unwrap();
    assert!(!source.contains("時間の無駄"), "the hidden comment is gone");
    browser.close().await;
    app.stop().await;
}

dual_test!(community_journey);
