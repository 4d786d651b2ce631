//! The layers every request passes through, outermost first:
//! request id → tracing span → request id echoed on the response →
//! security headers → CSRF cookie → error rendering → viewer (session or
//! API token) → panic catcher →
//! timeout → body-size limit → the route.

use std::any::Any;

use axum::Router;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue, Request, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::ctx::REQUEST_ID;
use crate::{AppError, AppState, auth, csrf, error};

/// Content-Security-Policy: our own scripts and styles only; no inline
/// script; no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Request ids: 16 random hex digits, or the caller's own `x-request-id`
/// when it sends one (a proxy's id then follows the request through).
#[derive(Clone, Copy, Default)]
struct MakeId;

impl MakeRequestId for MakeId {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).ok()?;
        let id: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".into());
    AppError::Internal(format!("panic: {message}")).into_response()
}

/// Refuses bodies over the limit with 413: `--body-limit` for most routes,
/// room for a photo on upload routes ([`crate::routes::UPLOAD_PATHS`]). A
/// declared length over the limit is refused before reading; a body that
/// turns out longer stops being read at the limit.
/// How far past the limit a declared body is still read (and discarded) so
/// that its sender gets the 413 page rather than a reset connection.
const DRAIN_MAX: u64 = 32 * 1024 * 1024;

async fn limit_body(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: middleware::Next,
) -> Response {
    let path = req.uri().path();
    let limit = if crate::routes::UPLOAD_PATHS
        .iter()
        .any(|p| path.ends_with(p))
    {
        state
            .config
            .body_limit
            .max(crate::images::MAX_BYTES + 512 * 1024)
    } else if crate::routes::IMPORT_PATHS
        .iter()
        .any(|p| path.ends_with(p))
    {
        state.config.import_limit + 64 * 1024
    } else {
        state.config.body_limit
    };
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(n) = declared.filter(|&n| n > limit as u64) {
        // A client still sending its body when the connection closes sees
        // "broken pipe", not our message. Read and discard a moderately
        // oversized body (no memory kept; the request timeout bounds it) so
        // the person sees why; anything far larger is cut off at once.
        // A client waiting for an answer before it sends (no data arrives,
        // or `Expect: 100-continue`, which reading would accept) is answered
        // at once.
        let waits = req.headers().get(axum::http::header::EXPECT).is_some();
        if n <= limit as u64 + DRAIN_MAX && !waits {
            let mut body = req.into_body();
            let idle = std::time::Duration::from_millis(250);
            while let Ok(Some(Ok(_))) = tokio::time::timeout(idle, body.frame()).await {}
        }
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            [(axum::http::header::CONNECTION, "close")],
        )
            .into_response();
    }
    let req = req.map(|body| axum::body::Body::new(http_body_util::Limited::new(body, limit)));
    next.run(req).await
}

/// Wraps the route table's router in the common layers.
pub fn wrap(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    let request_id = HeaderName::from_static(REQUEST_ID);
    let mut security = vec![
        (CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)),
        (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (
            REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ),
        (X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
        (
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(self), geolocation=(), microphone=()"),
        ),
    ];
    if state.config.secure_cookies() {
        security.push((
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    let mut router = router
        .layer(middleware::from_fn_with_state(state.clone(), limit_body))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            state.config.request_timeout,
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(axum::Extension(state.clone()))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::resolve_viewer,
        ))
        .layer(middleware::from_fn(error::render_errors))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            csrf::ensure_token,
        ));
    for (name, value) in security {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }
    router.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(request_id.clone(), MakeId))
            .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            })
            .on_response(DefaultOnResponse::new().level(Level::INFO)))
            .layer(PropagateRequestIdLayer::new(request_id)),
    )
}

#[cfg(test)]
mod tests {
    use axum::body::{Body, to_bytes};
    use axum::http::Request;
    use axum::routing::get;
    use enishi_store::Db;
    use tower::ServiceExt;

    use super::*;
    use crate::WebConfig;

    async fn boom() -> &'static str {
        panic!("secret-internal-detail")
    }

    fn app() -> Router {
        let pool = enishi_store::sqlx::SqlitePool::connect_lazy("sqlite::memory:").unwrap();
        let state = AppState::new(
            Db::Sqlite(pool),
            WebConfig::new("http://127.0.0.1/".parse().unwrap()),
        );
        let router = Router::new()
            .route("/boom", get(boom))
            .route("/api/v1/boom", get(boom));
        wrap(router, &state).with_state(state)
    }

    async fn call(path: &str) -> (StatusCode, String, String, String) {
        let res = app()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let id = res.headers()[REQUEST_ID].to_str().unwrap().to_string();
        let kind = res.headers()["content-type"].to_str().unwrap().to_string();
        let status = res.status();
        let body =
            String::from_utf8(to_bytes(res.into_body(), 1 << 20).await.unwrap().to_vec()).unwrap();
        (status, id, kind, body)
    }

    #[tokio::test]
    async fn a_panic_becomes_a_500_page_with_the_request_id_and_no_internals() {
        let (status, id, kind, body) = call("/boom").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(kind.starts_with("text/html"));
        assert!(body.contains("<h1>エラーが発生しました</h1>"), "{body}");
        assert!(body.contains(&format!("<code>{id}</code>")), "{body}");
        assert!(!body.contains("secret-internal-detail"));
    }

    #[tokio::test]
    async fn a_panic_under_the_api_becomes_a_problem_document() {
        let (status, id, kind, body) = call("/api/v1/boom").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(kind, "application/problem+json");
        let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(problem["status"], 500);
        assert_eq!(problem["code"], "internal");
        assert_eq!(problem["request_id"], id.as_str());
        assert!(!body.contains("secret-internal-detail"));
    }
}
