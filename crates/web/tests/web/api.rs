//! The JSON API frame: server information, the OpenAPI document (checked
//! against a committed snapshot) and Swagger UI.

use enishi_testkit::{Backend, TestApp, dual_test};
use serde_json::Value;

use crate::header;

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/openapi.json");

async fn server_information(backend: Backend) {
    let app = TestApp::start(backend).await;
    let res = app.get("/api/v1/server").await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), "application/json");
    let info: Value = res.json().await.unwrap();
    assert_eq!(info["name"], "Enishi");
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["languages"], serde_json::json!(["ja", "en"]));
    assert_eq!(info["default_language"], "ja");
}

async fn openapi_document_is_served(backend: Backend) {
    let app = TestApp::start(backend).await;
    let res = app.get("/api/openapi.json").await;
    assert_eq!(res.status(), 200);
    let doc: Value = res.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["paths"]["/api/v1/server"]["get"].is_object());
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}

async fn swagger_ui_is_embedded(backend: Backend) {
    let app = TestApp::start(backend).await;
    let res = app.get("/api/docs").await;
    assert_eq!(res.status(), 308);
    assert_eq!(header(&res, "location"), "/api/docs/");
    let (status, html) = app.get_text("/api/docs/").await;
    assert_eq!(status, 200);
    assert!(html.contains("swagger-ui"), "{html}");
    let (status, js) = app.get_text("/api/docs/swagger-initializer.js").await;
    assert_eq!(status, 200);
    assert!(js.contains("/api/openapi.json"), "{js}");
    assert_eq!(app.get("/api/docs/no-such-file.js").await.status(), 404);
}

dual_test!(
    server_information,
    openapi_document_is_served,
    swagger_ui_is_embedded
);

/// The generated document must match the committed snapshot, so every API
/// change shows up in review. `UPDATE_SNAPSHOTS=1` rewrites it.
#[test]
fn openapi_document_matches_the_snapshot() {
    let current = enishi_web::api::openapi_json();
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::write(SNAPSHOT, format!("{current}\n")).unwrap();
    }
    let committed = std::fs::read_to_string(SNAPSHOT).unwrap_or_else(|_| {
        panic!("{SNAPSHOT} is missing; run with UPDATE_SNAPSHOTS=1 to create it")
    });
    if committed.trim_end() != current.trim_end() {
        let first = committed
            .lines()
            .zip(current.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(current.lines().count()));
        panic!(
            "the OpenAPI document changed from line {}: {:?} → {:?}; review it and run with UPDATE_SNAPSHOTS=1 to accept",
            first + 1,
            committed.lines().nth(first),
            current.lines().nth(first)
        );
    }
}
