//! Journeys in headless Chromium: what a person sees, asserted as text,
//! with a basic accessibility check on every page and screenshots under
//! `target/screens/` for people to look at.

use enishi_testkit::{Backend, Browser, TestApp, dual_test};
use fantoccini::Locator;

pub(crate) async fn text_of(browser: &Browser, css: &str) -> String {
    browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("no {css}"))
        .text()
        .await
        .unwrap()
}

pub(crate) async fn assert_accessible(browser: &Browser, page: &str) {
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
    assert_accessible(&browser, "home (ja, desktop)").await;
    browser.screenshot(&format!("home-ja-desktop-{tag}")).await;

    browser.close().await;
}

/// Swagger UI (third-party, so outside our accessibility checks) renders
/// our OpenAPI document under our Content-Security-Policy.
async fn api_docs_render_under_our_csp(backend: Backend) {
    let Some(browser) = Browser::start(1280, 860).await else {
        return;
    };
    let app = TestApp::start(backend).await;
    let tag = backend.name();
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

dual_test!(smoke_journey, api_docs_render_under_our_csp);

pub(crate) async fn fill(browser: &Browser, css: &str, value: &str) {
    let field = browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("no {css}"));
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

/// Waits for something at `xpath`; panics with the page when it never comes.
pub(crate) async fn wait_text(browser: &Browser, xpath: &str) {
    wait_locator(browser, Locator::XPath(xpath)).await;
}

/// Waits (fantoccini's own wait, ~30 s) until `what` is on the page;
/// panics with the page's source if it never is.
async fn wait_locator(browser: &Browser, what: Locator<'_>) {
    if browser.client.wait().for_element(what).await.is_err() {
        panic!(
            "nothing at {what:?}; page: {}",
            browser.client.source().await.unwrap_or_default()
        );
    }
}

pub(crate) async fn click(browser: &Browser, css: &str) {
    browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("no {css}"))
        .click()
        .await
        .unwrap();
}

pub(crate) async fn wait_h1(browser: &Browser, text: &str) {
    let xpath = format!("//h1[normalize-space()='{text}']");
    if browser
        .client
        .wait()
        .for_element(Locator::XPath(&xpath))
        .await
        .is_err()
    {
        panic!(
            "no h1 {text:?}; page: {}",
            browser.client.source().await.unwrap_or_default()
        );
    }
}

async fn wait_css(browser: &Browser, css: &str) {
    if browser
        .client
        .wait()
        .for_element(Locator::Css(css))
        .await
        .is_err()
    {
        panic!(
            "no {css}; page: {}",
            browser.client.source().await.unwrap_or_default()
        );
    }
}

async fn sign_out(browser: &Browser) {
    click(browser, ".session-bar form[action='/signout'] button").await;
    wait_h1(browser, "サインイン").await;
}

/// The operator creates a network in the browser; its owner accepts the
/// invitation from the mail sink with consent; the owner invites an admin
/// and a member, who both join; the owner of another network cannot reach
/// the first by URL or API.
async fn network_journey(backend: Backend) {
    let Some(browser) = Browser::start(1280, 900).await else {
        return;
    };
    let app = TestApp::start(backend).await;
    let tag = backend.name();
    app.create_account("op@example.jp", "運営者", None, true)
        .await;
    let c = &browser.client;

    // the operator signs in with a link from the mail sink
    c.goto(&app.url("/signin")).await.unwrap();
    fill(&browser, "#link-email", "op@example.jp").await;
    click(&browser, "form[action='/signin/link'] button").await;
    wait_h1(&browser, "メールを確認してください").await;
    c.goto(
        &app.mail
            .wait_for("op@example.jp")
            .await
            .link("/signin/link?token="),
    )
    .await
    .unwrap();
    click(&browser, "form[action='/signin/link/confirm'] button").await;
    wait_h1(&browser, "アカウント").await;

    c.goto(&app.url("/operator/networks")).await.unwrap();
    fill(&browser, "#slug", "sample-shoji").await;
    fill(&browser, "#name-ja", "サンプル商事 アルムナイ").await;
    fill(&browser, "#name-en", "Sample Shoji Alumni").await;
    fill(&browser, "#owner", "owner@sample.example.jp").await;
    assert_accessible(&browser, "operator networks").await;
    browser
        .screenshot(&format!("operator-networks-desktop-{tag}"))
        .await;
    click(&browser, "form[action='/operator/networks'] button").await;
    browser
        .client
        .wait()
        .for_element(Locator::Css(".flash"))
        .await
        .unwrap();
    assert_eq!(
        text_of(&browser, ".rows .row-main").await,
        "サンプル商事 アルムナイ"
    );
    sign_out(&browser).await;

    // the owner accepts the invitation, consenting explicitly
    c.set_window_size(390, 844).await.unwrap();
    let mail = app.mail.wait_for("owner@sample.example.jp").await;
    assert_eq!(mail.subject(), "サンプル商事 アルムナイ への招待");
    c.goto(&mail.link("/invite?token=")).await.unwrap();
    wait_h1(&browser, "サンプル商事 アルムナイ").await;
    assert_accessible(&browser, "invitation").await;
    browser
        .screenshot(&format!("network-invitation-phone-{tag}"))
        .await;
    let consent = c.find(Locator::Css("#consent")).await.unwrap();
    assert_eq!(
        consent.prop("checked").await.unwrap().as_deref(),
        Some("false"),
        "not ticked in advance"
    );
    fill(&browser, "#display-name", "人事 花子").await;
    consent.click().await.unwrap();
    click(
        &browser,
        "form[action='/n/sample-shoji/invite'] button[type='submit']",
    )
    .await;
    wait_css(&browser, "p.badges").await;
    assert!(c.source().await.unwrap().contains("オーナー"));
    assert_eq!(
        text_of(&browser, ".network-switcher a").await,
        "サンプル商事 アルムナイ"
    );
    browser
        .screenshot(&format!("network-home-owner-phone-{tag}"))
        .await;

    // the owner invites an admin and a member
    c.set_window_size(1280, 900).await.unwrap();
    for (address, role, kind) in [
        ("admin@sample.example.jp", "admin", "hr"),
        ("member@example.com", "member", "alumni"),
    ] {
        c.goto(&app.url("/n/sample-shoji/admin/invitations"))
            .await
            .unwrap();
        fill(&browser, "#invite-email", address).await;
        c.find(Locator::Css(&format!(
            "#invite-role option[value='{role}']"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
        c.find(Locator::Css(&format!(
            "#invite-kind option[value='{kind}']"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
        click(
            &browser,
            "form[action='/n/sample-shoji/admin/invitations'] button",
        )
        .await;
        browser
            .client
            .wait()
            .for_element(Locator::Css(".flash"))
            .await
            .unwrap();
    }
    assert_eq!(
        c.find_all(Locator::Css(".rows .row")).await.unwrap().len(),
        2,
        "two open invitations"
    );
    assert_accessible(&browser, "invitations").await;
    browser
        .screenshot(&format!("network-invitations-desktop-{tag}"))
        .await;
    sign_out(&browser).await;

    // both join from their e-mail
    for (address, name) in [
        ("admin@sample.example.jp", "管理 一郎"),
        ("member@example.com", "鈴木 仁志"),
    ] {
        c.goto(&app.mail.wait_for(address).await.link("/invite?token="))
            .await
            .unwrap();
        fill(&browser, "#display-name", name).await;
        click(&browser, "#consent").await;
        click(
            &browser,
            "form[action='/n/sample-shoji/invite'] button[type='submit']",
        )
        .await;
        wait_css(&browser, "p.badges").await;
        sign_out(&browser).await;
    }

    // the owner sees three active members
    c.goto(
        &app.mail
            .wait_for("owner@sample.example.jp")
            .await
            .link("/invite?token="),
    )
    .await
    .unwrap();
    let owner = enishi_store::accounts::by_verified_email(&app.db, "owner@sample.example.jp")
        .await
        .unwrap()
        .unwrap();
    let owner_visitor = app.visitor_signed_in_as(owner.id).await;
    let (_, page) = owner_visitor
        .get_text("/n/sample-shoji/admin/members")
        .await;
    assert!(
        page.contains("3人") && page.contains("管理 一郎") && page.contains("鈴木 仁志"),
        "{page}"
    );
    c.goto(&app.url("/signin")).await.unwrap();
    fill(&browser, "#link-email", "owner@sample.example.jp").await;
    click(&browser, "form[action='/signin/link'] button").await;
    wait_h1(&browser, "メールを確認してください").await;
    c.goto(
        &app.mail
            .wait_for_nth("owner@sample.example.jp", 2)
            .await
            .link("/signin/link?token="),
    )
    .await
    .unwrap();
    click(&browser, "form[action='/signin/link/confirm'] button").await;
    wait_h1(&browser, "アカウント").await;
    c.goto(&app.url("/n/sample-shoji/admin/members"))
        .await
        .unwrap();
    wait_h1(&browser, "メンバー").await;
    assert_eq!(
        c.find_all(Locator::Css(".member-row")).await.unwrap().len(),
        3
    );
    assert_accessible(&browser, "members").await;
    browser
        .screenshot(&format!("network-members-desktop-{tag}"))
        .await;

    // another network's owner reaches nothing of this one
    let other = crate::make_network(&app, "other-co", "invitation").await;
    let other_owner = crate::fresh_account(&app, false).await;
    crate::join(&app, &other, other_owner.id, "owner", "hr").await;
    let outsider = app.visitor_signed_in_as(other_owner.id).await;
    let member_id = enishi_store::memberships::list(
        &app.db,
        enishi_store::networks::by_slug(&app.db, "sample-shoji")
            .await
            .unwrap()
            .unwrap()
            .scope(),
        &Default::default(),
    )
    .await
    .unwrap()[0]
        .id;
    for path in [
        "/n/sample-shoji",
        "/n/sample-shoji/admin/members",
        "/api/v1/n/sample-shoji",
        "/api/v1/n/sample-shoji/members",
    ] {
        assert_eq!(outsider.get(path).await.status(), 404, "{path}");
    }
    let res = outsider
        .post_form(
            &format!("/n/other-co/admin/members/{member_id}"),
            &[("action", "suspend")],
        )
        .await;
    assert_eq!(
        res.status(),
        404,
        "another network's member id under one's own slug"
    );
    browser.close().await;
}

dual_test!(network_journey);

pub(crate) async fn sign_in_with_password(
    browser: &Browser,
    app: &TestApp,
    email: &str,
    next: &str,
) {
    let c = &browser.client;
    c.delete_all_cookies().await.unwrap();
    c.goto(&app.url(&format!("/signin?next={next}")))
        .await
        .unwrap();
    fill(browser, "#pw-email", email).await;
    fill(browser, "#pw-password", "a long enough password").await;
    click(browser, "form[action='/signin'] button").await;
    // the click returns before the next page; wait until it is signed in
    // (or a check right after would read the sign-in page)
    wait_for(browser, "form[action='/signout']").await;
}

/// Waits until `css` is on the page (fantoccini's own wait, ~30 s).
pub(crate) async fn wait_for(browser: &Browser, css: &str) {
    wait_locator(browser, Locator::Css(css)).await;
}

/// Members of the journeys' network `sample-shoji`, made with the
/// journeys' password: (address, name, role, kind) each; their account
/// ids, in order.
pub(crate) async fn members(
    app: &TestApp,
    network: &enishi_store::networks::Network,
    people: &[(&str, &str, &str, &str)],
) -> Vec<i64> {
    let mut ids = Vec::new();
    for (email, name, role, kind) in people {
        let account = app
            .create_account(email, name, Some("a long enough password"), false)
            .await;
        crate::join(app, network, account.id, role, kind).await;
        ids.push(account.id);
    }
    ids
}

/// A member edits their profile, uploads a photo and hides their company;
/// another member searches すずき and sees the card — without the company.
async fn profile_journey(backend: Backend) {
    let Some(browser) = Browser::start(390, 844).await else {
        return;
    };
    let app = TestApp::start(backend).await;
    let tag = backend.name();
    let network = crate::make_network(&app, "sample-shoji", "invitation").await;
    members(
        &app,
        &network,
        &[
            ("suzuki@example.jp", "鈴木 仁志", "member", "alumni"),
            ("sato@example.jp", "佐藤 美咲", "member", "alumni"),
        ],
    )
    .await;
    let c = &browser.client;

    sign_in_with_password(
        &browser,
        &app,
        "suzuki@example.jp",
        "/n/sample-shoji/profile",
    )
    .await;
    wait_h1(&browser, "プロフィールの編集").await;
    fill(&browser, "#f-family_kana", "スズキ").await;
    fill(&browser, "#f-given_kana", "ヒトシ").await;
    fill(&browser, "#f-nickname", "すーさん").await;
    fill(&browser, "#f-company", "ステルス株式会社").await;
    fill(&browser, "#f-title", "プロダクトマネージャー").await;
    fill(&browser, "#f-stint_joined_0", "2009-04").await;
    fill(&browser, "#f-stint_left_0", "2015-03").await;
    fill(&browser, "#f-stint_departments_0", "営業本部").await;
    fill(&browser, "#f-skills", "SQL, 法人営業").await;
    click(&browser, "input[name='open_to'][value='mentoring']").await;
    c.find(Locator::Css("#vis-company option[value='me']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_accessible(&browser, "profile edit").await;
    browser
        .screenshot(&format!("profile-edit-phone-{tag}"))
        .await;
    click(&browser, "form.profile-form button[type='submit']").await;
    wait_h1(&browser, "鈴木 仁志").await;
    assert_eq!(
        text_of(&browser, ".flash").await,
        "プロフィールを保存しました。"
    );
    assert_eq!(
        text_of(&browser, ".person-head .card-era").await,
        "2009–2015 営業本部"
    );
    assert_eq!(
        text_of(&browser, ".company").await,
        "ステルス株式会社",
        "the person sees their own hidden company"
    );

    // the photo: a real PNG from disk through the file input
    let photo = std::env::temp_dir().join(format!("enishi-photo-{tag}-{}.png", std::process::id()));
    image::RgbImage::from_fn(800, 600, |x, y| {
        image::Rgb([(x / 4) as u8, (y / 3) as u8, 160])
    })
    .save(&photo)
    .unwrap();
    c.goto(&app.url("/n/sample-shoji/profile")).await.unwrap();
    c.find(Locator::Css("#f-photo"))
        .await
        .unwrap()
        .send_keys(photo.to_str().unwrap())
        .await
        .unwrap();
    click(
        &browser,
        "form[action='/n/sample-shoji/profile/photo'] button",
    )
    .await;
    c.wait()
        .for_element(Locator::XPath(
            "//p[@class='flash' and normalize-space()='写真を更新しました。']",
        ))
        .await
        .unwrap();
    assert!(c.find(Locator::Css("img.photo-large")).await.is_ok());
    let _ = std::fs::remove_file(&photo);

    // a colleague finds him by the reading, without the hidden company
    sign_in_with_password(
        &browser,
        &app,
        "sato@example.jp",
        "/n/sample-shoji/directory",
    )
    .await;
    wait_h1(&browser, "名簿").await;
    fill(&browser, "#q", "すずき").await;
    click(&browser, "form.search-form button[type='submit']").await;
    c.wait()
        .for_element(Locator::XPath(
            "//p[@class='result-count' and normalize-space()='1人']",
        ))
        .await
        .unwrap();
    let card = text_of(&browser, ".person-card").await;
    assert!(
        card.contains("鈴木 仁志") && card.contains("スズキ ヒトシ"),
        "{card}"
    );
    assert!(
        card.contains("2009–2015 営業本部") && card.contains("すーさん"),
        "{card}"
    );
    assert!(
        card.contains("プロダクトマネージャー") && card.contains("メンタリング"),
        "{card}"
    );
    assert!(
        !card.contains("ステルス"),
        "the hidden company is not on the card: {card}"
    );
    let loaded = c
        .execute(
            "const i = document.querySelector('.person-card img.avatar'); return i !== null && i.complete && i.naturalWidth === 128",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        loaded,
        serde_json::Value::Bool(true),
        "the photo shows on the card"
    );
    assert_accessible(&browser, "directory").await;
    browser
        .screenshot(&format!("directory-search-phone-{tag}"))
        .await;
    click(&browser, ".person-card a").await;
    wait_h1(&browser, "鈴木 仁志").await;
    let page = c.source().await.unwrap();
    assert!(!page.contains("ステルス"), "nor on the profile page");
    assert_accessible(&browser, "person").await;
    browser.screenshot(&format!("person-phone-{tag}")).await;
    // and searching for the hidden company finds no one
    c.goto(&app.url("/n/sample-shoji/directory?q=ステルス"))
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::XPath(
            "//p[@class='result-count' and normalize-space()='0人']",
        ))
        .await
        .unwrap();
    browser.close().await;
}

dual_test!(profile_journey);
