//! CSRF protection for every form: a random token lives in an HttpOnly,
//! SameSite=Lax cookie and is rendered into each form as a hidden `csrf`
//! field; a state-changing request is accepted only when the two match
//! (double-submit, compared in constant time). The [`ensure_token`]
//! middleware gives every visitor a token; [`CsrfForm`] checks it.
//!
//! Once sessions exist the token will be bound to the session; the form
//! field and the extractor stay the same.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use serde::de::DeserializeOwned;

use crate::{AppError, AppState};

/// Name of the cookie holding the token.
pub const COOKIE_NAME: &str = "enishi_csrf";
/// Name of the hidden form field carrying the token.
pub const FIELD: &str = "csrf";

/// The visitor's CSRF token, placed in request extensions by
/// [`ensure_token`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsrfToken(pub String);

/// 32 random bytes as 64 hex digits.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
}

/// A `Set-Cookie` value with our standard attributes.
pub fn set_cookie(name: &str, value: &str, max_age_secs: u64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}"
    ))
    .expect("cookie names and values we build are ASCII")
}

/// Middleware: makes sure the request carries a [`CsrfToken`], issuing a new
/// cookie with the first HTML page a visitor without one receives.
pub async fn ensure_token(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let existing = cookie(req.headers(), COOKIE_NAME)
        .filter(|t| well_formed(t))
        .map(str::to_owned);
    let issued = existing.is_none();
    let token = existing.unwrap_or_else(random_token);
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let mut response = next.run(req).await;
    // Only pages carry forms; static files and API answers stay cookie-free
    // (and so cacheable).
    let is_page = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if issued && is_page {
        response.headers_mut().append(
            SET_COOKIE,
            set_cookie(
                COOKIE_NAME,
                &token,
                60 * 60 * 24 * 365,
                state.config.secure_cookies(),
            ),
        );
    }
    response
}

/// Constant-time comparison of two tokens.
pub fn tokens_match(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// An `application/x-www-form-urlencoded` body whose `csrf` field matches
/// the visitor's cookie, deserialised into `T` (which need not declare the
/// `csrf` field).
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, AppError> {
        let is_form = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(AppError::UnsupportedMediaType);
        }
        let expected = cookie(req.headers(), COOKIE_NAME).map(str::to_owned);
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::from_rejection(e.status(), e.body_text()))?;
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&body).map_err(|_| AppError::BadRequest)?;
        let sent = pairs
            .iter()
            .find(|(k, _)| k == FIELD)
            .map(|(_, v)| v.as_str());
        match (expected.as_deref(), sent) {
            (Some(expected), Some(sent))
                if well_formed(expected) && tokens_match(expected, sent) => {}
            _ => return Err(AppError::CsrfFailed),
        }
        let value = serde_urlencoded::from_bytes(&body).map_err(|_| AppError::BadRequest)?;
        Ok(CsrfForm(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cookies_among_many() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("a=1; enishi_lang=en"));
        headers.append(COOKIE, HeaderValue::from_static("enishi_csrf=\"abc\""));
        assert_eq!(cookie(&headers, "enishi_lang"), Some("en"));
        assert_eq!(cookie(&headers, COOKIE_NAME), Some("abc"));
        assert_eq!(cookie(&headers, "missing"), None);
    }

    #[test]
    fn tokens_are_random_and_compared_exactly() {
        let (a, b) = (random_token(), random_token());
        assert!(well_formed(&a) && well_formed(&b));
        assert_ne!(a, b);
        assert!(tokens_match(&a, &a.clone()));
        assert!(!tokens_match(&a, &b));
        assert!(!tokens_match(&a, &a[..63]));
        assert!(!well_formed("zz"));
    }
}
