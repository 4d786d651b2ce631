//! The authorization matrix: every row of the route table, called by every
//! kind of visitor, must answer as its access rule says. The router is built
//! from the same table, so a new route cannot escape this test; a row whose
//! path parameters have no sample here fails it until one is added.
//!
//! Visitors so far: anonymous, a signed-in account, a platform operator.
//! Networks add "account in another network", alumni member, current-staff
//! member, moderator and admin/owner as further columns.

use axum::http::Method;
use enishi_store::{accounts, api_tokens, now_ms, outbox, sessions};
use enishi_testkit::{Backend, TestApp, Visitor, dual_test, unique_number};
use enishi_web::routes::{self, Access, Kind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Anonymous,
    Member,
    Operator,
}

/// Objects a route may name, fresh for each call and owned by the caller
/// (so that only the access rule can refuse).
async fn sample_path(app: &TestApp, template: &str, owner: Option<i64>) -> String {
    let mut path = template.to_string();
    if path.contains("{file}") {
        let css = enishi_web::assets::url("app.css")
            .trim_start_matches("/static/")
            .to_string();
        path = path.replace("{file}", &css);
    }
    path = path.replace("{*file}", "index.html");
    let owner = owner.unwrap_or(1);
    if path.contains("{email_id}") {
        let address = format!("m{}@example.jp", unique_number());
        let accounts::AddEmail::Added(row) =
            accounts::add_email(&app.db, owner, &address).await.unwrap()
        else {
            panic!()
        };
        accounts::verify_email(&app.db, owner, &address)
            .await
            .unwrap();
        path = path.replace("{email_id}", &row.id.to_string());
    }
    if path.contains("{session_id}") {
        let now = now_ms();
        let hash = format!("{:064x}", unique_number());
        let id = sessions::create(
            &app.db,
            &sessions::NewSession {
                token_hash: &hash,
                account_id: owner,
                now,
                expires_at: now + 60_000,
                ip: None,
                user_agent: None,
            },
        )
        .await
        .unwrap();
        path = path.replace("{session_id}", &id.to_string());
    }
    if path.contains("{token_id}") || path.contains("{id}") {
        let hash = format!("{:064x}", unique_number());
        let token = api_tokens::create(&app.db, owner, "matrix", &hash, "enishi_x", now_ms())
            .await
            .unwrap();
        path = path
            .replace("{token_id}", &token.id.to_string())
            .replace("{id}", &token.id.to_string());
    }
    if path.contains("{message_id}") {
        let id = outbox::enqueue(
            &app.db,
            &outbox::NewMessage {
                to: "x@example.jp",
                subject: "s",
                text: "t",
                html: "h",
            },
            now_ms(),
        )
        .await
        .unwrap();
        path = path.replace("{message_id}", &id.to_string());
    }
    assert!(
        !path.contains('{'),
        "route {template}: add a sample value for its parameters in matrix.rs"
    );
    path
}

/// Whether `who` may use a route with `access`.
fn allowed(access: Access, who: Who) -> bool {
    match access {
        Access::Public => true,
        Access::SignedIn => who != Who::Anonymous,
        Access::Operator => who == Who::Operator,
    }
}

async fn call(visitor: &Visitor, method: &Method, kind: Kind, path: &str) -> u16 {
    let token = visitor.csrf_token().unwrap_or_default();
    let res = match (method.clone(), kind) {
        (Method::GET, _) => visitor.get(path).await,
        (Method::POST, Kind::Api) => visitor
            .client
            .post(visitor.url(path))
            .header("x-csrf-token", &token)
            .json(&serde_json::json!({"name": "matrix"}))
            .send()
            .await
            .unwrap(),
        (Method::DELETE, Kind::Api) => visitor
            .client
            .delete(visitor.url(path))
            .header("x-csrf-token", &token)
            .send()
            .await
            .unwrap(),
        (Method::POST, _) => {
            let address = format!("f{}@example.jp", unique_number());
            visitor
                .post_form(
                    path,
                    &[
                        ("lang", "ja"),
                        ("next", "/"),
                        ("email", &address),
                        ("name", "matrix"),
                        ("display_name", "Matrix"),
                        ("time_zone", "Asia/Tokyo"),
                        ("password", "a long enough password"),
                        ("confirm", "a long enough password"),
                    ],
                )
                .await
        }
        (m, _) => panic!("{m} {path}: teach the matrix how to call this method"),
    };
    res.status().as_u16()
}

async fn every_route_answers_as_its_rule_says(backend: Backend) {
    let app = TestApp::start(backend).await;
    let member = app
        .create_account("member@example.jp", "Member", None, false)
        .await;
    let operator = app
        .create_account("operator@example.jp", "Operator", None, true)
        .await;
    let table = routes::table();
    assert!(table.len() >= 35, "the table lists every route");
    let mut checked = 0;
    for route in &table {
        let (method, template) = route.method_and_path();
        for who in [Who::Anonymous, Who::Member, Who::Operator] {
            // A fresh visitor per call: some routes sign the caller out.
            let (visitor, owner) = match who {
                Who::Anonymous => (app.new_visitor(), None),
                Who::Member => (app.visitor_signed_in_as(member.id).await, Some(member.id)),
                Who::Operator => (
                    app.visitor_signed_in_as(operator.id).await,
                    Some(operator.id),
                ),
            };
            if who == Who::Anonymous {
                visitor.get("/").await;
            }
            let path = sample_path(&app, &template, owner.or(Some(member.id))).await;
            let status = call(&visitor, &method, route.kind, &path).await;
            let what = format!(
                "{method} {template} ({path}) as {who:?} [{:?}] answered {status}",
                route.access
            );
            if allowed(route.access, who) {
                assert!(
                    !matches!(status, 401 | 403 | 404 | 405) && status < 500,
                    "{what}"
                );
            } else if who == Who::Anonymous {
                let expected = if method == Method::GET && route.kind != Kind::Api {
                    303
                } else {
                    401
                };
                assert_eq!(status, expected, "{what}");
            } else {
                assert_eq!(
                    status, 404,
                    "{what}: a signed-in visitor without the right sees nothing"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, table.len() * 3);
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
