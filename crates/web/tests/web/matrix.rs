//! The authorization matrix: every row of the route table, called by every
//! kind of visitor, must answer as its access rule says. The router is built
//! from the same table, so a new route cannot escape this test; a row whose
//! path parameters have no sample here fails it until one is added.
//!
//! Visitors so far: anonymous. Accounts, networks and roles add "account in
//! another network", alumni member, current-staff member, moderator,
//! admin/owner and operator, each a column below.

use axum::http::Method;
use enishi_testkit::{Backend, TestApp, dual_test};
use enishi_web::routes::{self, Access};

/// A concrete path for a path template: each `{param}` gets a sample value
/// that exists.
fn sample_path(template: &str) -> String {
    let css = enishi_web::assets::url("app.css")
        .trim_start_matches("/static/")
        .to_string();
    let samples = [("{file}", css.as_str()), ("{*file}", "index.html")];
    let mut path = template.to_string();
    for (param, value) in samples {
        path = path.replace(param, value);
    }
    assert!(
        !path.contains('{'),
        "route {template}: add a sample value for its parameters in matrix.rs"
    );
    path
}

/// What an anonymous visitor must get from a route with `access`.
fn anonymous_may_call(access: Access) -> bool {
    match access {
        Access::Public => true,
    }
}

async fn every_route_answers_as_its_rule_says(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.get("/").await; // a CSRF token, as a browser would have
    let table = routes::table();
    assert!(table.len() >= 9, "the table lists every route");
    for route in &table {
        let (method, template) = route.method_and_path();
        let path = sample_path(&template);
        let res = if method == Method::GET {
            app.get(&path).await
        } else if method == Method::POST {
            // a valid submission, so that a refusal can only come from access rules
            app.post_form(&path, &[("lang", "ja"), ("next", "/")]).await
        } else {
            panic!("{method} {template}: teach the matrix how to call this method");
        };
        let status = res.status().as_u16();
        if anonymous_may_call(route.access) {
            assert!(
                !matches!(status, 401 | 403 | 404) && status < 500,
                "{method} {template} ({path}) is {:?} but answered {status} to an anonymous visitor",
                route.access
            );
        } else {
            assert!(
                matches!(status, 401 | 403 | 404 | 303),
                "{method} {template}: {status}"
            );
        }
    }
}

dual_test!(every_route_answers_as_its_rule_says);

#[test]
fn every_route_appears_once() {
    let mut seen = std::collections::HashSet::new();
    for route in routes::table() {
        let (method, path) = route.method_and_path();
        assert!(
            seen.insert((method.clone(), path.clone())),
            "{method} {path} is listed twice"
        );
    }
}
