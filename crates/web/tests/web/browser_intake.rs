//! The intake journey in headless Chromium: HR uploads the CP932 fixture,
//! checks the mapping and the bad rows, imports, invites; the alumnus opens
//! the link from the real SMTP sink, corrects their tenure, consents, joins
//! and appears in the directory.

use enishi_testkit::{Backend, Browser, TestApp, dual_test};
use fantoccini::Locator;

use crate::browser::{assert_accessible, click, fill, sign_in_with_password, text_of, wait_h1};

const FIXTURE: &[u8] = include_bytes!("../../../core/tests/fixtures/intake/leavers-cp932.csv");

async fn wait_text(browser: &Browser, xpath: &str) {
    if browser
        .client
        .wait()
        .at_most(std::time::Duration::from_secs(30))
        .for_element(Locator::XPath(xpath))
        .await
        .is_err()
    {
        panic!("no {xpath}");
    }
}

async fn intake_journey(backend: Backend) {
    let Some(browser) = Browser::start(1280, 900).await else {
        return;
    };
    let app = TestApp::start(backend).await;
    let tag = backend.name();
    let network = crate::make_network(&app, "sample-shoji", "invitation").await;
    let hr = app
        .create_account(
            "hr@example.jp",
            "人事 花子",
            Some("a long enough password"),
            false,
        )
        .await;
    crate::join(&app, &network, hr.id, "admin", "hr").await;
    let c = &browser.client;

    // HR uploads the file exported from the HR system
    sign_in_with_password(
        &browser,
        &app,
        "hr@example.jp",
        "/n/sample-shoji/admin/imports",
    )
    .await;
    wait_h1(&browser, "CSV取り込み").await;
    let file =
        std::env::temp_dir().join(format!("enishi-leavers-{tag}-{}.csv", std::process::id()));
    std::fs::write(&file, FIXTURE).unwrap();
    c.find(Locator::Css("#import-file"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    click(
        &browser,
        "form[action='/n/sample-shoji/admin/imports'] button",
    )
    .await;
    wait_h1(&browser, "取り込みの確認").await;
    let _ = std::fs::remove_file(&file);
    // the mapping as suggested, the sensitive column flagged, the bad rows listed
    assert_eq!(text_of(&browser, "dd[data-count='new']").await, "30");
    assert_eq!(text_of(&browser, "dd[data-count='invalid']").await, "10");
    let invalid = text_of(&browser, "#invalid-rows").await;
    for line in 34..=43 {
        assert!(invalid.contains(&format!("{line} 行目")), "{invalid}");
    }
    assert!(invalid.contains("存在しない日付です"), "{invalid}");
    assert!(text_of(&browser, "tr.sensitive").await.contains("退職理由"));
    assert!(text_of(&browser, "table.preview").await.contains("髙橋"));
    assert_accessible(&browser, "import preview").await;
    browser.screenshot(&format!("intake-preview-{tag}")).await;
    click(&browser, "button[formaction$='/run']").await;
    wait_text(&browser, "//h2[normalize-space()='完了']").await;
    assert_eq!(text_of(&browser, "dd[data-count='new']").await, "30");
    browser.screenshot(&format!("intake-done-{tag}")).await;

    // the roster: invite one person
    click(&browser, "a[href$='admin/alumni?state=pending']").await;
    wait_h1(&browser, "アルムナイ名簿").await;
    let row = "//tr[td[contains(., 'taro.suzuki@gmail.com')]]//input[@type='checkbox']";
    c.find(Locator::XPath(row))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_accessible(&browser, "roster").await;
    click(&browser, "#invite-form .actions button:not([name])").await;
    wait_text(
        &browser,
        "//p[@class='flash' and normalize-space()='招待メールを送りました。']",
    )
    .await;
    browser.screenshot(&format!("intake-roster-{tag}")).await;
    assert!(text_of(&browser, "table.roster").await.contains("招待済み"));
    // an exit invitation for someone leaving next week, from the phone-width form
    click(&browser, "a[href$='admin/alumni/exit']").await;
    wait_h1(&browser, "退職時の招待").await;
    let (y, m, d) = enishi_core::time::jst_day(enishi_store::now_ms() + 7 * 86_400_000);
    fill(&browser, "#exit-family", "山田").await;
    fill(&browser, "#exit-given", "花子").await;
    fill(&browser, "#exit-email", "hanako.yamada@gmail.com").await;
    // a date input takes the date as the browser's locale shows it; set its value
    c.execute(
        "document.getElementById('exit-left').value = arguments[0];",
        vec![serde_json::json!(format!("{y:04}-{m:02}-{d:02}"))],
    )
    .await
    .unwrap();
    fill(&browser, "#exit-dept", "営業本部").await;
    assert_accessible(&browser, "exit invitation form").await;
    click(&browser, "#exit-form button[type='submit']").await;
    wait_text(
        &browser,
        "//ul[@id='scheduled']/li[contains(., '山田 花子')]",
    )
    .await;
    assert!(text_of(&browser, "p.flash").await.contains("朝10時"));
    browser.screenshot(&format!("intake-exit-{tag}")).await;
    // the roster's settings
    c.goto(&app.url("/n/sample-shoji/admin/alumni/settings"))
        .await
        .unwrap();
    wait_h1(&browser, "名簿と招待の設定").await;
    fill(&browser, "#retention", "0").await;
    click(&browser, "#intake-settings button[type='submit']").await;
    wait_text(&browser, "//p[@class='field-error']").await;
    fill(&browser, "#retention", "730").await;
    click(&browser, "#intake-settings button[type='submit']").await;
    wait_text(&browser, "//p[@class='flash']").await;
    assert_accessible(&browser, "intake settings").await;
    browser.screenshot(&format!("intake-settings-{tag}")).await;
    // someone whose leave date has passed: the warm invitation goes out now
    c.goto(&app.url("/n/sample-shoji/admin/alumni/exit"))
        .await
        .unwrap();
    wait_h1(&browser, "退職時の招待").await;
    let (y, m, d) = enishi_core::time::jst_day(enishi_store::now_ms() - 86_400_000);
    fill(&browser, "#exit-family", "川口").await;
    fill(&browser, "#exit-email", "kawaguchi@gmail.com").await;
    c.execute(
        "document.getElementById('exit-left').value = arguments[0];",
        vec![serde_json::json!(format!("{y:04}-{m:02}-{d:02}"))],
    )
    .await
    .unwrap();
    click(&browser, "#exit-form button[type='submit']").await;
    wait_text(
        &browser,
        "//p[@class='flash' and contains(., 'すぐに送りました')]",
    )
    .await;
    let farewell = app.mail.wait_for("kawaguchi@gmail.com").await;
    c.goto(&app.url(&farewell.link("/invite?token=")[app.url("").len()..]))
        .await
        .unwrap();
    wait_text(&browser, "//div[@id='farewell']").await;
    browser.screenshot(&format!("intake-farewell-{tag}")).await;
    c.goto(&app.url("/n/sample-shoji/admin/alumni"))
        .await
        .unwrap();
    wait_h1(&browser, "アルムナイ名簿").await;
    // the same pages in English
    click(&browser, "button[value='en']").await;
    wait_h1(&browser, "Alumni roster").await;
    assert!(text_of(&browser, "table.roster").await.contains("Invited"));
    assert_accessible(&browser, "roster in English").await;
    browser.screenshot(&format!("intake-roster-en-{tag}")).await;
    c.goto(&app.url("/n/sample-shoji/admin/imports"))
        .await
        .unwrap();
    wait_h1(&browser, "CSV import").await;
    click(&browser, "ul.rows a.row-main").await;
    wait_h1(&browser, "Check the import").await;
    assert!(text_of(&browser, "#import-counts").await.contains("New"));
    browser.screenshot(&format!("intake-done-en-{tag}")).await;
    // the exit invitation and the settings in English
    c.goto(&app.url("/n/sample-shoji/admin/alumni/exit"))
        .await
        .unwrap();
    wait_h1(&browser, "Exit invitations").await;
    assert!(text_of(&browser, "#scheduled").await.contains("Goes out"));
    assert_accessible(&browser, "exit invitations in English").await;
    browser.screenshot(&format!("intake-exit-en-{tag}")).await;
    c.goto(&app.url("/n/sample-shoji/admin/alumni/settings"))
        .await
        .unwrap();
    wait_h1(&browser, "Roster and invitation settings").await;
    assert!(
        text_of(&browser, "#intake-settings")
            .await
            .contains("at most twice")
    );
    browser
        .screenshot(&format!("intake-settings-en-{tag}"))
        .await;

    // the alumnus opens the link from the e-mail, on their own device
    let mail = app.mail.wait_for("taro.suzuki@gmail.com").await;
    let link = mail.link("/invite?token=");
    c.delete_all_cookies().await.unwrap();
    c.goto(&link).await.unwrap();
    wait_h1(&browser, "sample-shoji").await;
    assert_eq!(
        c.find(Locator::Css("#r-left"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap(),
        Some("2009-03".to_string())
    );
    fill(&browser, "#display-name", "鈴木 太郎").await;
    fill(&browser, "#r-left", "2010-03").await;
    click(&browser, "#consent").await;
    assert_accessible(&browser, "invitation").await;
    browser.screenshot(&format!("intake-welcome-{tag}")).await;
    click(
        &browser,
        "form[action='/n/sample-shoji/invite'] button[type='submit']",
    )
    .await;
    // the invitation page has the same <h1>: wait for the address instead
    let mut home = false;
    for _ in 0..300 {
        if c.current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/n/sample-shoji")
        {
            home = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(home, "joined: on the network's home page");
    wait_h1(&browser, "sample-shoji").await;
    // a member now, found by colleagues with their corrected era
    c.goto(&app.url("/n/sample-shoji/directory?q=すずき%20たろう"))
        .await
        .unwrap();
    wait_h1(&browser, "名簿").await;
    let card = text_of(&browser, ".person-card").await;
    assert!(card.contains("鈴木 太郎"), "{card}");
    assert!(card.contains("2001–2010 営業本部"), "{card}");
    browser.screenshot(&format!("intake-joined-{tag}")).await;
    browser.close().await;
}

dual_test!(intake_journey);
