//! The business-matching evening in headless Chromium: HR creates the
//! event, an alumna pitches her business and is approved, an alumnus
//! books a 1:1 with her and she accepts, both are checked in at the door
//! by their ticket codes, they exchange business cards, and the
//! organiser page's era chart counts them.

use enishi_core::profile::{Stint, YearMonth};
use enishi_store::networks::Network;
use enishi_store::profiles::StintsChange;
use enishi_testkit::{Backend, Browser, TestApp, dual_test};

use crate::browser::{
    assert_accessible, click, fill, sign_in_with_password, text_of, wait_h1, wait_text,
};

async fn stint(app: &TestApp, net: &Network, account: i64, joined: i64, department: &str) {
    let profile = crate::profile_of(app, net, account).await;
    let p = enishi_store::profiles::get(&app.db, net.scope(), profile)
        .await
        .unwrap()
        .unwrap()
        .profile;
    let stints = vec![Stint {
        joined: YearMonth::new(joined, 4),
        left: YearMonth::new(joined + 6, 3),
        departments: vec![department.into()],
        ..Stint::default()
    }];
    enishi_store::profiles::save(&app.db, net.scope(), profile, &p, StintsChange::Own(stints))
        .await
        .unwrap();
}

async fn set_value(browser: &Browser, css: &str, value: &str) {
    browser
        .client
        .execute(
            "document.querySelector(arguments[0]).value = arguments[1];",
            vec![css.into(), value.into()],
        )
        .await
        .unwrap();
}

async fn events_journey(backend: Backend) {
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
            ("hr@example.jp", "人事 花子", "owner", "hr"),
            ("sato@example.jp", "佐藤 美咲", "member", "alumni"),
            ("ito@example.jp", "伊藤 健", "member", "alumni"),
        ],
    )
    .await;
    let (sato, ito) = (ids[1], ids[2]);
    stint(&app, &network, sato, 2006, "営業部").await;
    stint(&app, &network, ito, 2016, "開発部").await;
    enishi_store::businesses::create(
        &app.db,
        network.scope(),
        sato,
        &enishi_store::businesses::NewBusiness {
            name: "佐藤事業承継ラボ",
            kana: "",
            offer: "中小企業の事業承継と M&A の相談",
            industry: "金融",
            url: "",
        },
        enishi_store::now_ms(),
    )
    .await
    .unwrap();
    let c = &browser.client;
    let day =
        enishi_core::calendar::local_in(enishi_store::now_ms() + 10 * 86_400_000, "Asia/Tokyo")
            .iso_day();

    // HR creates the business-matching evening
    sign_in_with_password(
        &browser,
        &app,
        "hr@example.jp",
        "/n/sample-shoji/events/new",
    )
    .await;
    wait_h1(&browser, "イベントをつくる").await;
    assert_accessible(&browser, "new event").await;
    fill(&browser, "#f-title", "アルムナイ・ビジネス交流会").await;
    fill(&browser, "#f-description", "ピッチと商談の夕べです").await;
    set_value(&browser, "#f-starts_on", &day).await;
    set_value(&browser, "#f-starts_time", "18:00").await;
    set_value(&browser, "#f-ends_time", "20:00").await;
    fill(&browser, "#f-venue", "本社 3F ホール").await;
    fill(&browser, "#f-capacity", "100").await;
    click(&browser, "#f-business_matching").await;
    browser.screenshot(&format!("events-new-{tag}")).await;
    click(&browser, "form.panel button[type='submit']").await;
    wait_h1(&browser, "アルムナイ・ビジネス交流会").await;
    let id: i64 = c
        .current_url()
        .await
        .unwrap()
        .path()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let event = format!("/n/sample-shoji/events/{id}");

    // 佐藤 registers and applies to pitch her business
    sign_in_with_password(&browser, &app, "sato@example.jp", &event).await;
    wait_h1(&browser, "アルムナイ・ビジネス交流会").await;
    assert_accessible(&browser, "event").await;
    browser.screenshot(&format!("events-show-{tag}")).await;
    click(&browser, "form[action$='/rsvp'] button[value='going']").await;
    wait_text(
        &browser,
        "//*[contains(@class, 'flash')][contains(., '参加登録しました')]",
    )
    .await;
    // the event page links the business matching
    assert_eq!(
        text_of(&browser, "#matching-link").await,
        "ピッチ・案件・商談"
    );
    c.goto(&app.url(&format!("{event}/matching")))
        .await
        .unwrap();
    wait_h1(&browser, "ビジネス交流：アルムナイ・ビジネス交流会").await;
    fill(&browser, "#p-pitch", "事業承継の相談、承ります").await;
    click(&browser, "#pitch-form button").await;
    wait_text(
        &browser,
        "//*[contains(@class, 'flash')][contains(., 'ピッチに申し込みました')]",
    )
    .await;

    // HR approves it
    sign_in_with_password(
        &browser,
        &app,
        "hr@example.jp",
        &format!("{event}/matching"),
    )
    .await;
    wait_h1(&browser, "ビジネス交流：アルムナイ・ビジネス交流会").await;
    click(&browser, "#pitches button[value='approved']").await;
    wait_text(
        &browser,
        "//*[contains(@class, 'flash')][contains(., 'ピッチの可否を決めました')]",
    )
    .await;

    // 伊藤 registers and books a 1:1 with her at the first slot
    sign_in_with_password(&browser, &app, "ito@example.jp", &event).await;
    wait_h1(&browser, "アルムナイ・ビジネス交流会").await;
    click(&browser, "form[action$='/rsvp'] button[value='going']").await;
    wait_text(
        &browser,
        "//*[contains(@class, 'flash')][contains(., '参加登録しました')]",
    )
    .await;
    c.goto(&app.url(&format!("{event}/matching")))
        .await
        .unwrap();
    wait_h1(&browser, "ビジネス交流：アルムナイ・ビジネス交流会").await;
    assert!(
        text_of(&browser, "#pitches")
            .await
            .contains("佐藤事業承継ラボ")
    );
    fill(&browser, "#m-note", "事業承継の件でご相談させてください").await;
    click(&browser, "#meeting-form button").await;
    wait_text(
        &browser,
        "//*[contains(@class, 'flash')][contains(., '商談を申し込みました')]",
    )
    .await;
    assert_accessible(&browser, "matching").await;
    browser.screenshot(&format!("events-matching-{tag}")).await;

    // 佐藤 accepts; both see it in their schedule
    sign_in_with_password(
        &browser,
        &app,
        "sato@example.jp",
        &format!("{event}/matching"),
    )
    .await;
    wait_h1(&browser, "ビジネス交流：アルムナイ・ビジネス交流会").await;
    click(&browser, "#meetings button[value='accepted']").await;
    wait_text(
        &browser,
        "//*[contains(@class, 'flash')][contains(., '商談を受けました')]",
    )
    .await;
    let schedule = text_of(&browser, "#meetings").await;
    assert!(
        schedule.contains("18:00") && schedule.contains("伊藤 健") && schedule.contains("確定"),
        "{schedule}"
    );
    // her ticket and her card code
    c.goto(&app.url(&format!("{event}/ticket"))).await.unwrap();
    wait_h1(&browser, "受付票").await;
    assert_accessible(&browser, "ticket").await;
    browser.screenshot(&format!("events-ticket-{tag}")).await;
    let sato_ticket = text_of(&browser, "#ticket-code").await;
    c.goto(&app.url("/n/sample-shoji/cards")).await.unwrap();
    wait_h1(&browser, "名刺交換").await;
    let sato_card = text_of(&browser, "#card-code").await;
    fill(&browser, "#c-company", "佐藤事業承継ラボ").await;
    click(&browser, "input[name='shown'][value='company']").await;
    click(&browser, "form[action='/n/sample-shoji/cards'] button").await;
    wait_text(
        &browser,
        "//*[contains(@class, 'flash')][contains(., '名刺を保存しました')]",
    )
    .await;

    // 伊藤's ticket; he asks 佐藤 for her card by its code
    sign_in_with_password(&browser, &app, "ito@example.jp", &format!("{event}/ticket")).await;
    wait_h1(&browser, "受付票").await;
    let ito_ticket = text_of(&browser, "#ticket-code").await;
    c.goto(&app.url("/n/sample-shoji/cards")).await.unwrap();
    wait_h1(&browser, "名刺交換").await;
    fill(&browser, "#x-code", &sato_card.to_lowercase()).await;
    click(
        &browser,
        "form[action='/n/sample-shoji/cards/exchange'] button",
    )
    .await;
    wait_text(
        &browser,
        "//*[contains(@class, 'flash')][contains(., '名刺交換を申し込みました')]",
    )
    .await;

    // at the door, HR types both codes
    sign_in_with_password(&browser, &app, "hr@example.jp", &format!("{event}/checkin")).await;
    wait_h1(&browser, "受付").await;
    for (code, name) in [(&sato_ticket, "佐藤 美咲"), (&ito_ticket, "伊藤 健")] {
        fill(&browser, "#c-code", code).await;
        click(&browser, "form.panel button").await;
        wait_text(
            &browser,
            &format!("//*[@id='door-result'][contains(., '{name} さんを受付しました')]"),
        )
        .await;
    }
    assert_eq!(
        text_of(&browser, "#checked-count").await,
        "受付済み 2 / 2 人"
    );
    assert_accessible(&browser, "check-in").await;
    browser.screenshot(&format!("events-checkin-{tag}")).await;
    // the era chart counts the two registrants, one per era
    c.goto(&app.url(&format!("{event}/manage"))).await.unwrap();
    wait_h1(&browser, "主催者ページ：アルムナイ・ビジネス交流会").await;
    let hired = text_of(&browser, ".chart-box:first-child").await;
    assert!(hired.contains("登録者の入社年代 2 人"), "{hired}");
    let source = c.source().await.unwrap();
    for label in ["2005–2009</text>", "2015–2019</text>"] {
        assert!(source.contains(label), "{label}");
    }
    assert_accessible(&browser, "manage").await;
    browser.screenshot(&format!("events-manage-{tag}")).await;

    // 佐藤 confirms the exchange; 伊藤 has her card
    sign_in_with_password(&browser, &app, "sato@example.jp", "/n/sample-shoji/cards").await;
    wait_h1(&browser, "名刺交換").await;
    assert!(text_of(&browser, "#waiting").await.contains("伊藤 健"));
    click(&browser, "#waiting button[value='confirmed']").await;
    wait_text(
        &browser,
        "//*[contains(@class, 'flash')][contains(., '名刺を交換しました')]",
    )
    .await;
    sign_in_with_password(&browser, &app, "ito@example.jp", "/n/sample-shoji/cards").await;
    wait_h1(&browser, "名刺交換").await;
    let received = text_of(&browser, "#received").await;
    assert!(
        received.contains("佐藤 美咲") && received.contains("佐藤事業承継ラボ"),
        "{received}"
    );
    assert_accessible(&browser, "cards").await;
    browser.screenshot(&format!("events-cards-{tag}")).await;
    browser.close().await;
    app.stop().await;
}

dual_test!(events_journey);
