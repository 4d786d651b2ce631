//! One path for every failure.
//!
//! Handlers return [`AppError`]. Its response carries only an [`ErrorInfo`]
//! extension; the [`render_errors`] middleware, which knows the request (its
//! path, language and request id), turns that — and any other error response
//! that reaches it: axum's extractor rejections, 404 for unknown paths, 405,
//! the body limit's 413, the timeout's 408, a caught panic's 500 — into an
//! HTML page in the visitor's language, or under `/api` into an RFC 9457
//! `application/problem+json` document. 5xx errors are logged with the
//! request id; their internals never reach the visitor.

use askama::Template;
use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::ctx::PageCtx;

/// A failure a handler reports.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("bad request")]
    BadRequest,
    #[error("the form's CSRF token is missing or wrong")]
    CsrfFailed,
    #[error("forbidden")]
    Forbidden,
    #[error("sign-in required")]
    Unauthorized,
    /// The member must agree to the network's current purposes of use and
    /// guidelines first.
    #[error("consent required")]
    ConsentRequired,
    /// A rate limit was hit; try again after this many seconds.
    #[error("too many requests; retry after {0} s")]
    TooManyRequests(u64),
    #[error("not found")]
    NotFound,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// The request conflicts with the current state; `0` is translated.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// A field failed validation; `message` is already translated.
    #[error("invalid {field}: {message}")]
    Invalid {
        field: &'static str,
        message: &'static str,
    },
    /// Several fields failed validation: `field: message` each, translated.
    #[error("invalid fields: {0:?}")]
    InvalidFields(Vec<String>),
    /// An extractor rejected the request; `detail` is axum's message.
    #[error("{status}: {detail}")]
    Rejected { status: StatusCode, detail: String },
    /// Something broke on our side; the text is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn from_rejection(status: StatusCode, detail: String) -> AppError {
        AppError::Rejected { status, detail }
    }

    /// Refused fields (`(field, catalogue key)` each) as one 422, every
    /// message in the caller's language.
    pub fn fields<'a>(
        ctx: &crate::ctx::PageCtx,
        errors: impl IntoIterator<Item = (&'a str, &'static str)>,
    ) -> AppError {
        AppError::InvalidFields(
            errors
                .into_iter()
                .map(|(field, key)| format!("{field}: {}", ctx.t(key)))
                .collect(),
        )
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest => StatusCode::BAD_REQUEST,
            AppError::CsrfFailed | AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::ConsentRequired => StatusCode::FORBIDDEN,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Rejected { status, .. } => *status,
            AppError::Invalid { .. } | AppError::InvalidFields(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn info(&self) -> ErrorInfo {
        let status = self.status();
        let mut info = ErrorInfo::for_status(status);
        match self {
            AppError::CsrfFailed => info.code = "csrf",
            AppError::ConsentRequired => info.code = "consent_required",
            AppError::Rejected { detail, .. } => info.detail = Some(detail.clone()),
            AppError::Conflict(message) => info.detail = Some(message.to_string()),
            AppError::Invalid { field, message } => {
                info.detail = Some(format!("{field}: {message}"))
            }
            AppError::InvalidFields(list) => info.detail = Some(list.join("; ")),
            AppError::Internal(e) | AppError::Unavailable(e) => info.internal = Some(e.clone()),
            _ => {}
        }
        info
    }
}

impl From<enishi_store::StoreError> for AppError {
    fn from(err: enishi_store::StoreError) -> AppError {
        AppError::Internal(err.to_string())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        if let AppError::TooManyRequests(secs) = self {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                HeaderValue::from_str(&secs.max(1).to_string()).expect("digits"),
            );
        }
        response.extensions_mut().insert(self.info());
        response
    }
}

/// What the error renderer needs to know about a failure.
#[derive(Clone, Debug)]
pub struct ErrorInfo {
    /// Catalogue code: `error.{code}.title` and `error.{code}.message`.
    pub code: &'static str,
    pub status: StatusCode,
    /// A technical explanation safe to show (an extractor's message).
    pub detail: Option<String>,
    /// The cause, for the log only.
    pub internal: Option<String>,
}

impl ErrorInfo {
    pub fn for_status(status: StatusCode) -> ErrorInfo {
        ErrorInfo {
            code: code_for(status),
            status,
            detail: None,
            internal: None,
        }
    }
}

/// The catalogue code for an HTTP status.
pub fn code_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "timeout",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        409 => "conflict",
        422 => "unprocessable",
        429 => "too_many_requests",
        503 => "unavailable",
        s if s >= 500 => "internal",
        _ => "bad_request",
    }
}

/// Every code [`code_for`] can return, plus `csrf` (for the catalogue test).
pub const CODES: &[&str] = &[
    "bad_request",
    "unauthorized",
    "forbidden",
    "csrf",
    "consent_required",
    "not_found",
    "method_not_allowed",
    "conflict",
    "timeout",
    "payload_too_large",
    "unsupported_media_type",
    "unprocessable",
    "too_many_requests",
    "internal",
    "unavailable",
];

/// Marks a response whose error body must be sent as it is (health probes).
#[derive(Clone, Copy, Debug)]
pub struct KeepBody;

/// The RFC 9457 problem document we send under `/api`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status code says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: String,
    /// The HTTP status phrase.
    pub title: String,
    pub status: u16,
    /// What went wrong, in the caller's language.
    pub detail: String,
    /// The request path.
    pub instance: String,
    /// Machine-readable reason (`not_found`, `csrf`, …).
    pub code: String,
    /// Quote this when reporting a problem.
    pub request_id: Option<String>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: PageCtx,
    status: u16,
    title: &'static str,
    message: &'static str,
    request_id: Option<String>,
}

/// Middleware: renders every error response (see the module docs).
pub async fn render_errors(req: Request, next: Next) -> Response {
    let is_api = crate::auth::is_api(req.uri().path());
    let mut ctx = PageCtx::from_request_parts_sync(req.headers(), req.extensions(), req.uri());
    let instance = req.uri().path().to_owned();
    let response = next.run(req).await;
    if let Some(viewer) = response.extensions().get::<crate::auth::Viewer>() {
        ctx.set_viewer(viewer);
    }
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response.extensions().get::<KeepBody>().is_some()
    {
        return response;
    }
    // A handler that answered with its own page or document (a form shown
    // again with its errors, a 410 explaining a spent link) keeps it; what
    // carries only an ErrorInfo, or a bare/plain-text body, is rendered here.
    let info = response.extensions().get::<ErrorInfo>().cloned();
    if info.is_none() && !is_plain_or_empty(response.headers()) {
        return response;
    }
    let info = info.unwrap_or_else(|| ErrorInfo::for_status(status));
    let (mut parts, body) = response.into_parts();
    let mut info = info;
    if info.detail.is_none() && status.is_client_error() && is_plain_text(&parts.headers) {
        // axum's rejections explain themselves in a short text body.
        if let Ok(bytes) = axum::body::to_bytes(body, 4096).await {
            let text = String::from_utf8_lossy(&bytes).trim().to_string();
            if !text.is_empty() {
                info.detail = Some(text);
            }
        }
    }
    if status.is_server_error() {
        tracing::error!(
            status = status.as_u16(),
            request_id = ctx.request_id.as_deref().unwrap_or("-"),
            path = %instance,
            cause = info.internal.as_deref().unwrap_or("(no cause recorded)"),
            "request failed"
        );
    }
    parts.headers.remove(CONTENT_LENGTH);
    let body = if is_api {
        let message = ctx.t(&format!("error.{}.message", info.code));
        let problem = Problem {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail: match &info.detail {
                Some(detail) => format!("{message} ({detail})"),
                None => message.to_string(),
            },
            instance,
            code: info.code.into(),
            request_id: ctx.request_id.clone(),
        };
        parts.headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        Body::from(serde_json::to_vec(&problem).unwrap_or_default())
    } else {
        let page = ErrorPage {
            status: status.as_u16(),
            title: ctx.t(&format!("error.{}.title", info.code)),
            message: ctx.t(&format!("error.{}.message", info.code)),
            // Worth quoting to support only when something broke on our side.
            request_id: ctx.request_id.clone().filter(|_| status.is_server_error()),
            ctx,
        };
        parts.headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        Body::from(page.render().unwrap_or_else(|e| {
            tracing::error!(error = %e, "error page failed to render");
            format!("{status}")
        }))
    };
    Response::from_parts(parts, body)
}

fn is_plain_or_empty(headers: &axum::http::HeaderMap) -> bool {
    headers.get(CONTENT_TYPE).is_none() || is_plain_text(headers)
}

fn is_plain_text(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"))
}

/// Fallback for paths no route matches.
pub async fn not_found() -> AppError {
    AppError::NotFound
}
