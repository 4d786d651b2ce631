//! Home page, language negotiation and switch, security headers, assets,
//! health probes.

use enishi_testkit::{Backend, TestApp, dual_test, new_client};

use crate::{h1, header};

async fn home_page_is_japanese_by_default(backend: Backend) {
    let app = TestApp::start(backend).await;
    let res = app.get("/").await;
    assert_eq!(res.status(), 200);
    assert!(header(&res, "content-type").starts_with("text/html"));
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"<html lang="ja">"#));
    assert_eq!(h1(&html), "辞めたあとも、縁は続く。");
    assert!(html.contains("<title>ホーム · Enishi</title>"));
    // the language switch offers English and marks Japanese as current
    assert!(
        html.contains(r#"value="en" lang="en">English</button>"#),
        "{html}"
    );
    assert!(html.contains(r#"value="ja" lang="ja" aria-current="true" disabled>日本語</button>"#));
}

async fn accept_language_picks_english_and_the_cookie_wins(backend: Backend) {
    let app = TestApp::start(backend).await;
    let english = |path: &str| {
        app.client
            .get(app.url(path))
            .header("accept-language", "en-US,en;q=0.9,ja;q=0.5")
    };
    let html = english("/").send().await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"<html lang="en">"#));
    assert_eq!(h1(&html), "The tie lasts after you leave.");
    // Unsupported languages fall back to Japanese.
    let html = app
        .client
        .get(app.url("/"))
        .header("accept-language", "fr, de;q=0.8")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"<html lang="ja">"#));
    // Choosing Japanese with the switch beats the browser's English.
    let res = app
        .post_form("/lang", &[("lang", "ja"), ("next", "/")])
        .await;
    assert_eq!(res.status(), 303);
    let html = english("/").send().await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"<html lang="ja">"#));
}

async fn language_switch_remembers_and_returns(backend: Backend) {
    let app = TestApp::start(backend).await;
    let res = app
        .post_form("/lang", &[("lang", "en"), ("next", "/somewhere?x=1")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(header(&res, "location"), "/somewhere?x=1");
    let cookie = header(&res, "set-cookie");
    assert!(cookie.starts_with("enishi_lang=en;"), "{cookie}");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=31536000"] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain-http sites must not set Secure: {cookie}"
    );
    let (_, html) = app.get_text("/").await;
    assert!(html.contains(r#"<html lang="en">"#));
    // back to Japanese
    app.post_form("/lang", &[("lang", "ja"), ("next", "/")])
        .await;
    let (_, html) = app.get_text("/").await;
    assert_eq!(h1(&html), "辞めたあとも、縁は続く。");
}

async fn language_switch_never_redirects_off_site(backend: Backend) {
    let app = TestApp::start(backend).await;
    for next in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "",
    ] {
        let res = app
            .post_form("/lang", &[("lang", "en"), ("next", next)])
            .await;
        assert_eq!(res.status(), 303, "{next}");
        assert_eq!(header(&res, "location"), "/", "{next}");
    }
}

async fn language_switch_rejects_bad_input(backend: Backend) {
    let app = TestApp::start(backend).await;
    // unknown language: 400 with a readable page
    let res = app
        .post_form("/lang", &[("lang", "xx"), ("next", "/")])
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(h1(&res.text().await.unwrap()), "リクエストを処理できません");
    // missing field
    let res = app.post_form("/lang", &[("next", "/")]).await;
    assert_eq!(res.status(), 400);
    // not a form
    let res = app
        .client
        .post(app.url("/lang"))
        .header("content-type", "application/json")
        .body(r#"{"lang":"en"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
}

async fn forms_without_the_csrf_token_are_refused(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.get("/").await; // has a token cookie now
    let token = app.csrf_token().unwrap();
    let cases: Vec<Vec<(&str, String)>> = vec![
        vec![("lang", "en".into())],
        vec![("lang", "en".into()), ("csrf", "".into())],
        vec![("lang", "en".into()), ("csrf", "0".repeat(64))],
        vec![("lang", "en".into()), ("csrf", token[..63].to_string())],
    ];
    for body in cases {
        let res = app
            .client
            .post(app.url("/lang"))
            .form(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{body:?}");
        let html = res.text().await.unwrap();
        assert_eq!(h1(&html), "フォームの有効期限が切れました");
    }
    // A visitor with no cookie at all (a cross-site form post) is refused too.
    let (stranger, _) = new_client();
    let res = stranger
        .post(app.url("/lang"))
        .form(&[("lang", "en"), ("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // The language did not change.
    let (_, html) = app.get_text("/").await;
    assert!(html.contains(r#"<html lang="ja">"#));
}

async fn every_answer_carries_security_headers(backend: Backend) {
    let app = TestApp::start(backend).await;
    for path in [
        "/",
        "/no-such-page",
        "/api/v1/server",
        "/api/nope",
        "/healthz",
    ] {
        let res = app.get(path).await;
        let csp = header(&res, "content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(header(&res, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(
            header(&res, "referrer-policy"),
            "strict-origin-when-cross-origin"
        );
        assert_eq!(header(&res, "x-request-id").len(), 16, "{path}");
    }
    // A caller's own request id is kept, so a proxy's id follows the request.
    let res = app
        .client
        .get(app.url("/"))
        .header("x-request-id", "proxy-abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&res, "x-request-id"), "proxy-abc-123");
}

async fn https_sites_mark_cookies_secure_and_send_hsts(backend: Backend) {
    let app = TestApp::start_with(backend, |c| {
        c.base_url = "https://alumni.example.co.jp/".parse().unwrap()
    })
    .await;
    let res = app.get("/").await;
    assert!(header(&res, "set-cookie").contains("; Secure"));
    assert!(header(&res, "strict-transport-security").starts_with("max-age="));
}

async fn assets_are_served_under_hashed_names(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, html) = app.get_text("/").await;
    for (ext, content_type) in [
        (".css", "text/css"),
        (".js", "text/javascript"),
        (".svg", "image/svg+xml"),
    ] {
        let url = html
            .match_indices("/static/")
            .map(|(i, _)| &html[i..i + html[i..].find('"').unwrap()])
            .find(|u| u.ends_with(ext))
            .unwrap_or_else(|| panic!("no {ext} asset in the page"));
        let res = app.get(url).await;
        assert_eq!(res.status(), 200, "{url}");
        assert!(
            header(&res, "content-type").starts_with(content_type),
            "{url}"
        );
        assert_eq!(
            header(&res, "cache-control"),
            "public, max-age=31536000, immutable"
        );
        assert!(
            res.headers().get("set-cookie").is_none(),
            "cacheable assets set no cookies"
        );
        assert!(!res.bytes().await.unwrap().is_empty());
    }
    assert!(
        html.contains(r#"defer></script>"#),
        "the script loads with defer"
    );
    for missing in [
        "/static/app.css",
        "/static/app.00000000.css",
        "/static/../Cargo.toml",
    ] {
        assert_eq!(app.get(missing).await.status(), 404, "{missing}");
    }
}

async fn health_probes_report_the_database(backend: Backend) {
    let app = TestApp::start(backend).await;
    assert_eq!(app.get_text("/healthz").await, (200, "ok".to_string()));
    assert_eq!(app.get_text("/readyz").await, (200, "ready".to_string()));
    app.db.close().await;
    assert_eq!(
        app.get_text("/readyz").await,
        (503, "database unavailable".to_string())
    );
    assert_eq!(
        app.get_text("/healthz").await.0,
        200,
        "liveness does not depend on the database"
    );
}

dual_test!(
    home_page_is_japanese_by_default,
    accept_language_picks_english_and_the_cookie_wins,
    language_switch_remembers_and_returns,
    language_switch_never_redirects_off_site,
    language_switch_rejects_bad_input,
    forms_without_the_csrf_token_are_refused,
    every_answer_carries_security_headers,
    https_sites_mark_cookies_secure_and_send_hsts,
    assets_are_served_under_hashed_names,
    health_probes_report_the_database,
);
