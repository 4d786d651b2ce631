//! Journeys in headless Chromium: what a person sees, asserted as text,
//! with a basic accessibility check on every page and screenshots under
//! `target/screens/` for people to look at.

use enishi_testkit::{Backend, Browser, TestApp, dual_test};
use fantoccini::Locator;

async fn text_of(browser: &Browser, css: &str) -> String {
    browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("no {css}"))
        .text()
        .await
        .unwrap()
}

async fn assert_accessible(browser: &Browser, page: &str) {
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "{page}: {problems:#?}");
}

async fn lang_attribute(browser: &Browser) -> String {
    browser
        .client
        .execute("return document.documentElement.lang", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

/// Home in Japanese → switch to English → a missing page shows a 404 in
/// English → back to Japanese on that same page. Phone-sized window, then
/// desktop.
async fn smoke_journey(backend: Backend) {
    let Some(browser) = Browser::start(390, 844).await else {
        return;
    };
    let app = TestApp::start(backend).await;
    let tag = backend.name();

    browser.client.goto(&app.url("/")).await.unwrap();
    assert_eq!(lang_attribute(&browser).await, "ja");
    assert_eq!(text_of(&browser, "h1").await, "辞めたあとも、縁は続く。");
    assert_eq!(browser.client.title().await.unwrap(), "ホーム · Enishi");
    let cards = browser
        .client
        .find_all(Locator::Css(".card h3"))
        .await
        .unwrap();
    assert_eq!(cards.len(), 4);
    assert_eq!(cards[0].text().await.unwrap(), "名簿と検索");
    assert_accessible(&browser, "home (ja)").await;
    let js_ran = browser
        .client
        .execute(
            "return document.documentElement.classList.contains('js')",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        js_ran,
        serde_json::Value::Bool(true),
        "our script ran under the CSP"
    );
    browser.screenshot(&format!("home-ja-phone-{tag}")).await;

    browser
        .client
        .find(Locator::Css("button[value='en']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .client
        .wait()
        .for_element(Locator::Css("html[lang='en']"))
        .await
        .unwrap();
    assert_eq!(
        text_of(&browser, "h1").await,
        "The tie lasts after you leave."
    );
    assert_eq!(text_of(&browser, ".notice h2").await, "How to join");
    assert_accessible(&browser, "home (en)").await;
    browser.screenshot(&format!("home-en-phone-{tag}")).await;

    browser
        .client
        .goto(&app.url("/members/nobody"))
        .await
        .unwrap();
    assert_eq!(text_of(&browser, "h1").await, "Page not found");
    assert_eq!(text_of(&browser, ".error-status").await, "404");
    assert_accessible(&browser, "404 (en)").await;
    browser
        .screenshot(&format!("not-found-en-phone-{tag}"))
        .await;

    browser
        .client
        .find(Locator::Css("button[value='ja']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .client
        .wait()
        .for_element(Locator::Css("html[lang='ja']"))
        .await
        .unwrap();
    assert_eq!(text_of(&browser, "h1").await, "ページが見つかりません");
    let here = browser.client.current_url().await.unwrap();
    assert_eq!(
        here.path(),
        "/members/nobody",
        "the switch comes back to the same page"
    );
    assert_accessible(&browser, "404 (ja)").await;
    browser
        .screenshot(&format!("not-found-ja-phone-{tag}"))
        .await;

    browser.client.set_window_size(1280, 860).await.unwrap();
    browser.client.goto(&app.url("/")).await.unwrap();
    assert_eq!(text_of(&browser, "h1").await, "辞めたあとも、縁は続く。");
    browser.screenshot(&format!("home-ja-desktop-{tag}")).await;

    // Swagger UI renders our document under our CSP.
    browser.client.goto(&app.url("/api/docs/")).await.unwrap();
    let title = browser
        .client
        .wait()
        .for_element(Locator::Css(".swagger-ui .info .title"))
        .await
        .unwrap();
    assert!(title.text().await.unwrap().starts_with("Enishi API"));
    browser.screenshot(&format!("api-docs-desktop-{tag}")).await;

    browser.close().await;
}

dual_test!(smoke_journey);
