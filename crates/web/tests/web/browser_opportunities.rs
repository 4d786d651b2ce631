//! The opportunities journey in headless Chromium: HR posts a 業務委託
//! project, its match list shows an alumnus with the reasons, the
//! alumnus finds it under "for you" and says she is interested, HR moves
//! her answer to won (telling her) and records the outcome; she sees the
//! news under the bell.

use enishi_core::profile::{OpenTo, Stint, YearMonth};
use enishi_store::profiles::StintsChange;
use enishi_testkit::{Backend, Browser, TestApp, dual_test};

use crate::browser::{
    assert_accessible, click, fill, sign_in_with_password, text_of, wait_h1, wait_text,
};

async fn opportunities_journey(backend: Backend) {
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
    let sato = ids[1];
    // 佐藤: data analysis 2012–2018, SQL and BigQuery, open to contract work
    let profile = crate::profile_of(&app, &network, sato).await;
    let mut p = enishi_store::profiles::get(&app.db, network.scope(), profile)
        .await
        .unwrap()
        .unwrap()
        .profile;
    p.skills = vec!["SQL".into(), "BigQuery".into()];
    p.open_to = vec![OpenTo::Contract];
    let stints = vec![Stint {
        joined: YearMonth::new(2012, 4),
        left: YearMonth::new(2018, 3),
        departments: vec!["データ分析部".into()],
        ..Stint::default()
    }];
    enishi_store::profiles::save(
        &app.db,
        network.scope(),
        profile,
        &p,
        StintsChange::Own(stints),
    )
    .await
    .unwrap();
    let c = &browser.client;

    // HR posts the project
    sign_in_with_password(
        &browser,
        &app,
        "hr@example.jp",
        "/n/sample-shoji/opportunities/new",
    )
    .await;
    wait_h1(&browser, "募集を掲載する").await;
    assert_accessible(&browser, "new opportunity").await;
    fill(&browser, "#f-title", "データ基盤の BigQuery 移行").await;
    fill(&browser, "#f-description", "集計 SQL の移行をお願いします").await;
    fill(&browser, "#f-skills", "SQL、BigQuery").await;
    fill(&browser, "#f-department", "データ分析部").await;
    click(&browser, "#f-work_mode option[value='remote']").await;
    fill(&browser, "#f-rate_min", "600000").await;
    fill(&browser, "#f-rate_max", "800000").await;
    browser
        .screenshot(&format!("opportunities-new-{tag}"))
        .await;
    click(&browser, "form.panel button[type='submit']").await;
    wait_h1(&browser, "データ基盤の BigQuery 移行").await;
    assert!(
        text_of(&browser, "dl.facts")
            .await
            .contains("¥600,000〜¥800,000／月")
    );
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

    // from the pipeline, its match list shows 佐藤 first, with the reasons
    c.goto(&app.url(&format!("/n/sample-shoji/opportunities/{id}/pipeline")))
        .await
        .unwrap();
    wait_h1(&browser, "応募の管理: データ基盤の BigQuery 移行").await;
    click(
        &browser,
        &format!("a[href='/n/sample-shoji/opportunities/{id}/matches']"),
    )
    .await;
    wait_h1(&browser, "合いそうな人: データ基盤の BigQuery 移行").await;
    let first = text_of(&browser, "#matches li.match-row").await;
    assert!(first.contains("佐藤 美咲"), "{first}");
    assert!(
        first.contains(
            "業務委託・副業に関心あり · スキル: SQL, BigQuery · 2012–2018 データ分析部 · 2018年退職"
        ),
        "{first}"
    );
    assert_accessible(&browser, "match list").await;
    browser
        .screenshot(&format!("opportunities-matches-{tag}"))
        .await;

    // 佐藤 finds it under "for you" and says she is interested
    sign_in_with_password(
        &browser,
        &app,
        "sato@example.jp",
        "/n/sample-shoji/opportunities",
    )
    .await;
    wait_h1(&browser, "募集・仕事").await;
    let for_you = text_of(&browser, "#for-you").await;
    assert!(for_you.contains("データ基盤の BigQuery 移行"), "{for_you}");
    assert!(
        for_you.contains("理由：業務委託・副業に関心あり"),
        "{for_you}"
    );
    assert_accessible(&browser, "opportunities list").await;
    browser
        .screenshot(&format!("opportunities-for-you-{tag}"))
        .await;
    click(&browser, "#for-you a.row-main").await;
    wait_h1(&browser, "データ基盤の BigQuery 移行").await;
    fill(&browser, "#i-note", "前職で同じ移行を担当しました").await;
    click(
        &browser,
        &format!("form[action='/n/sample-shoji/opportunities/{id}/answers'] button"),
    )
    .await;
    wait_text(
        &browser,
        "//*[contains(@class, 'flash')][contains(., '応募しました')]",
    )
    .await;
    assert!(
        text_of(&browser, "#mine-heading")
            .await
            .contains("あなたの応募")
    );
    assert_accessible(&browser, "opportunity answered").await;
    browser
        .screenshot(&format!("opportunities-answered-{tag}"))
        .await;

    // HR moves her answer to won, tells her, and records the outcome
    sign_in_with_password(
        &browser,
        &app,
        "hr@example.jp",
        &format!("/n/sample-shoji/opportunities/{id}/pipeline"),
    )
    .await;
    wait_text(
        &browser,
        "//section[contains(@class, 'stage-interested')]//article[contains(., '前職で同じ移行を担当しました')]",
    )
    .await;
    click(
        &browser,
        "article.answer-card select[name='stage'] option[value='won']",
    )
    .await;
    click(&browser, "article.answer-card input[name='notify']").await;
    click(&browser, "article.answer-card form.stage-form button").await;
    wait_text(
        &browser,
        "//section[contains(@class, 'stage-won')]//article[contains(., '佐藤 美咲')]",
    )
    .await;
    click(
        &browser,
        "article.answer-card form.outcome-form option[value='1m_5m']",
    )
    .await;
    click(&browser, "article.answer-card form.outcome-form button").await;
    wait_text(
        &browser,
        "//section[contains(@class, 'stage-won')]//p[contains(@class, 'flash')][contains(., '業務委託の契約')][contains(., '100万〜500万円')]",
    )
    .await;
    assert_accessible(&browser, "pipeline won").await;
    browser
        .screenshot(&format!("opportunities-won-{tag}"))
        .await;
    c.goto(&app.url("/n/sample-shoji/opportunities"))
        .await
        .unwrap();
    assert!(
        text_of(&browser, "#outcomes-heading + p")
            .await
            .contains("業務委託の契約 1")
    );

    // 佐藤 hears of it
    sign_in_with_password(&browser, &app, "sato@example.jp", "/n/sample-shoji").await;
    assert_eq!(text_of(&browser, "[data-unread-notifications]").await, "1");
    click(&browser, "a.bell-link").await;
    wait_h1(&browser, "お知らせ").await;
    assert_eq!(
        text_of(&browser, "li.notification a").await,
        "「データ基盤の BigQuery 移行」が成立しました。ありがとうございます"
    );
    browser.close().await;
    app.stop().await;
}

dual_test!(opportunities_journey);
