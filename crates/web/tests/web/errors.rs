//! Every failure answers with a readable page in the visitor's language, or
//! under /api with an RFC 9457 problem document.

use std::io::{Read, Write};
use std::time::Duration;

use enishi_testkit::{Backend, TestApp, dual_test};
use serde_json::Value;

use crate::{h1, header};

async fn unknown_pages_get_a_translated_404(backend: Backend) {
    let app = TestApp::start(backend).await;
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), 404);
    assert!(header(&res, "content-type").starts_with("text/html"));
    let html = res.text().await.unwrap();
    assert_eq!(h1(&html), "ページが見つかりません");
    assert!(html.contains(r#"<html lang="ja">"#));
    assert!(html.contains(r#"href="/""#), "offers a way home");
    let html = app
        .client
        .get(app.url("/no/such/page"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(h1(&html), "Page not found");
}

async fn api_errors_are_problem_documents(backend: Backend) {
    let app = TestApp::start(backend).await;
    let res = app
        .client
        .get(app.url("/api/v1/nothing-here"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(header(&res, "content-type"), "application/problem+json");
    let request_id = header(&res, "x-request-id").to_string();
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["type"], "about:blank");
    assert_eq!(problem["title"], "Not Found");
    assert_eq!(problem["status"], 404);
    assert_eq!(problem["code"], "not_found");
    assert_eq!(problem["instance"], "/api/v1/nothing-here");
    assert_eq!(problem["request_id"], request_id.as_str());
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .starts_with("The page you are looking for")
    );
    // Japanese by default
    let problem: Value = app.get("/api/v1/nothing-here").await.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("存在しない"));
}

async fn wrong_methods_get_405_with_allow(backend: Backend) {
    let app = TestApp::start(backend).await;
    let res = app.client.delete(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert!(header(&res, "allow").contains("GET"));
    assert_eq!(h1(&res.text().await.unwrap()), "この操作はできません");
    let res = app
        .client
        .post(app.url("/api/v1/server"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(header(&res, "content-type"), "application/problem+json");
}

async fn oversized_bodies_get_413(backend: Backend) {
    let app = TestApp::start_with(backend, |c| c.body_limit = 64 * 1024).await;
    app.get("/").await;
    let token = app.csrf_token().unwrap();
    // A declared length over the limit is refused before any of the body is
    // read (so these requests send none: a client still sending when the
    // server closes can lose the answer to a TCP reset).
    let page = raw_http(
        &app,
        format!(
            "POST /lang HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Cookie: enishi_csrf={token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            200 * 1024
        )
        .into_bytes(),
    )
    .await;
    assert!(page.starts_with("HTTP/1.1 413"), "{page}");
    assert_eq!(h1(&page), "送信内容が大きすぎます");
    let answer = raw_http(
        &app,
        b"POST /api/v1/server HTTP/1.1\r\nHost: x\r\nAccept-Language: en\r\nContent-Type: application/json\r\n\
          Content-Length: 204800\r\nConnection: close\r\n\r\n"
            .to_vec(),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    let problem: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(problem["code"], "payload_too_large");
    assert!(problem["detail"].as_str().unwrap().contains("size limit"));
    // Without Content-Length (chunked), the limit holds while reading.
    let mut request = format!(
        "POST /lang HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Cookie: enishi_csrf={token}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    for _ in 0..20 {
        request.extend_from_slice(
            format!("{:x}\r\n{}\r\n", 10 * 1024, "y".repeat(10 * 1024)).as_bytes(),
        );
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let answer = raw_http(&app, request).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("送信内容が大きすぎます"), "{answer}");
}

/// Sends raw bytes to the app and reads the whole answer.
async fn raw_http(app: &TestApp, request: Vec<u8>) -> String {
    let addr = app.base.trim_start_matches("http://").to_string();
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let _ = stream.write_all(&request);
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .unwrap()
}

/// A request whose body never arrives is cut off by the timeout with 408,
/// as a readable page.
async fn slow_requests_time_out_with_408(backend: Backend) {
    let app =
        TestApp::start_with(backend, |c| c.request_timeout = Duration::from_millis(300)).await;
    let request = "POST /lang HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                   Content-Length: 100\r\nConnection: close\r\n\r\nlang=e";
    let answer = raw_http(&app, request.as_bytes().to_vec()).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("時間がかかりすぎました"), "{answer}");
}

dual_test!(
    unknown_pages_get_a_translated_404,
    api_errors_are_problem_documents,
    wrong_methods_get_405_with_allow,
    oversized_bodies_get_413,
    slow_requests_time_out_with_408,
);
