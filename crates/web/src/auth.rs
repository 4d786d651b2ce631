//! Who is asking: the [`resolve_viewer`] middleware reads the session
//! cookie (pages and API) or a personal API token (`Authorization: Bearer`,
//! API only), works out the client's IP (honouring `X-Forwarded-For` only
//! from `--trusted-proxies`), and puts a [`Viewer`] in the request. With
//! cookie authentication, a state-changing API call must also carry the CSRF
//! token (`X-CSRF-Token`) or come from our own origin (`Origin`).
//!
//! Passwords are hashed with argon2id (RustCrypto defaults: 19 MiB, 2
//! passes) on the blocking pool.
//!
//! Sessions are rows of our own `sessions` table rather than a
//! tower-sessions store (ARCHITECTURE.md suggested one): people must list
//! their sessions with device and place, revoke one, and sign out
//! everywhere, which needs `account_id`, `ip` and `user_agent` columns and
//! queries by account that the tower-sessions store interface (opaque
//! records by id) does not offer; and we keep no anonymous sessions at all
//! (the CSRF token is a cookie of its own).

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, LazyLock};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, ORIGIN, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use enishi_core::secret::hash_token;
use enishi_store::accounts::{self, Account};
use enishi_store::memberships::Membership;
use enishi_store::networks::Network;
use enishi_store::{api_tokens, now_ms, sessions};

use crate::csrf::{self, COOKIE_NAME as CSRF_COOKIE, tokens_match};
use crate::{AppError, AppState};

/// Cookie holding the session token.
pub const SESSION_COOKIE: &str = "enishi_session";
/// Sessions last this long after the last request.
pub const SESSION_TTL_MS: i64 = 30 * 24 * 60 * 60 * 1000;
/// Activity is written back at most this often per session.
const TOUCH_EVERY_MS: i64 = 5 * 60 * 1000;
/// Prefix of personal API tokens (helps secret scanners recognise them).
pub const API_TOKEN_PREFIX: &str = "enishi_";

/// A signed-in account and how it proved itself.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub account: Account,
    /// The session, when signed in by cookie.
    pub session_id: Option<i64>,
    /// The API token, when signed in by token.
    pub token_id: Option<i64>,
}

/// The person (or program) behind a request.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub signed_in: Option<Arc<SignedIn>>,
    pub ip: IpAddr,
    /// The person's active memberships with their networks, read with the
    /// header (pages only): the header's network switcher, and the network
    /// pages' access layer, which finds its scope here without a statement
    /// of its own (`scope::enforce`).
    pub memberships: Arc<Vec<(Network, Membership)>>,
    /// Unread direct messages in those networks (pages only).
    pub unread_messages: i64,
    /// Unread notifications in those networks (pages only).
    pub unread_notifications: i64,
}

impl Viewer {
    pub fn account(&self) -> Option<&Account> {
        self.signed_in.as_ref().map(|s| &s.account)
    }

    pub fn is_operator(&self) -> bool {
        self.account().is_some_and(|a| a.is_operator)
    }

    pub fn ip_text(&self) -> String {
        self.ip.to_string()
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Viewer, AppError> {
        parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .ok_or_else(|| AppError::Internal("viewer not resolved".into()))
    }
}

/// The signed-in account of a request, or 401 (routes whose access rule
/// requires sign-in never reach the handler without one).
pub struct Me(pub Arc<SignedIn>);

impl FromRequestParts<AppState> for Me {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Me, AppError> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        viewer.signed_in.map(Me).ok_or(AppError::Unauthorized)
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Whether `path` is under the JSON API (answers are problem documents,
/// not pages).
pub fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// The answer to a visitor who must sign in first: a page request (GET) is
/// sent to the sign-in page and back; anything else gets 401.
pub fn sign_in_first(req: &axum::extract::Request) -> Response {
    if !is_api(req.uri().path()) && req.method() == Method::GET {
        let here = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let next: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
        return axum::response::Redirect::to(&format!("/signin?next={next}")).into_response();
    }
    AppError::Unauthorized.into_response()
}

/// Middleware: resolves the [`Viewer`] (see the module docs).
pub async fn resolve_viewer(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    let ip = enishi_core::net::client_ip(peer, forwarded, &state.config.trusted_proxies);
    let api = is_api(req.uri().path());
    let now = now_ms();

    let mut signed_in = None;
    if let Some(token) = bearer(req.headers()).filter(|_| api) {
        match api_tokens::authenticate(&state.db, &hash_token(token), now).await {
            Ok(Some(t)) => match accounts::by_id(&state.db, t.account_id).await {
                Ok(Some(account)) => {
                    signed_in = Some(SignedIn {
                        account,
                        session_id: None,
                        token_id: Some(t.id),
                    })
                }
                Ok(None) => return AppError::Unauthorized.into_response(),
                Err(e) => return AppError::from(e).into_response(),
            },
            Ok(None) => return AppError::Unauthorized.into_response(),
            Err(e) => return AppError::from(e).into_response(),
        }
    } else if let Some(token) = csrf::cookie(req.headers(), SESSION_COOKIE) {
        match session_account(&state, token, now).await {
            Ok(found) => signed_in = found,
            Err(e) => return e.into_response(),
        }
        if signed_in.is_some()
            && api
            && !is_safe(req.method())
            && !api_csrf_ok(&state, req.headers())
        {
            return AppError::CsrfFailed.into_response();
        }
    }
    let had_cookie = csrf::cookie(req.headers(), SESSION_COOKIE).is_some();
    let stale_cookie = had_cookie && signed_in.is_none();
    let mut header = enishi_store::notifications::Header::default();
    if let Some(s) = signed_in.as_ref().filter(|_| !api) {
        match enishi_store::notifications::header(&state.db, s.account.id).await {
            Ok(h) => header = h,
            Err(e) => return AppError::from(e).into_response(),
        }
    }
    let (unread_messages, unread_notifications) =
        (header.unread_messages, header.unread_notifications);
    let viewer = Viewer {
        signed_in: signed_in.map(Arc::new),
        ip,
        memberships: Arc::new(header.networks),
        unread_messages,
        unread_notifications,
    };
    req.extensions_mut().insert(viewer.clone());
    let mut response = next.run(req).await;
    // The error renderer, outside this layer, shows who is signed in.
    response.extensions_mut().insert(viewer);
    if stale_cookie
        && !response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .any(is_session_cookie)
    {
        response.headers_mut().append(
            SET_COOKIE,
            clear_cookie(SESSION_COOKIE, state.config.secure_cookies()),
        );
    }
    response
}

fn is_session_cookie(v: &HeaderValue) -> bool {
    v.to_str().is_ok_and(|s| s.starts_with(SESSION_COOKIE))
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Cookie-authenticated API writes: the CSRF header, or our own origin.
fn api_csrf_ok(state: &AppState, headers: &HeaderMap) -> bool {
    let header_token = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
    let cookie_token = csrf::cookie(headers, CSRF_COOKIE);
    if let (Some(h), Some(c)) = (header_token, cookie_token)
        && tokens_match(h, c)
    {
        return true;
    }
    let ours = state.config.base_url.origin().ascii_serialization();
    headers
        .get(ORIGIN)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|origin| origin == ours)
}

async fn session_account(
    state: &AppState,
    token: &str,
    now: i64,
) -> Result<Option<SignedIn>, AppError> {
    let Some(session) = sessions::live_with_account(&state.db, &hash_token(token), now).await?
    else {
        return Ok(None);
    };
    if now - session.last_seen_at > TOUCH_EVERY_MS {
        sessions::touch(&state.db, session.id, now, now + SESSION_TTL_MS).await?;
    }
    Ok(Some(SignedIn {
        account: session.account,
        session_id: Some(session.id),
        token_id: None,
    }))
}

/// A cookie that deletes `name`.
pub fn clear_cookie(name: &str, secure: bool) -> HeaderValue {
    csrf::set_cookie(name, "", 0, secure)
}

/// Hashes a password with argon2id (on the blocking pool).
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = new_salt()?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("argon2: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(format!("argon2 task: {e}")))?
}

/// A hash of a password nobody knows, so that a sign-in attempt for an
/// unknown address costs the same time as one for a known address.
static DECOY_HASH: LazyLock<String> = LazyLock::new(|| {
    new_salt()
        .ok()
        .and_then(|salt| {
            Argon2::default()
                .hash_password(b"decoy password never used", &salt)
                .map(|h| h.to_string())
                .ok()
        })
        .unwrap_or_default()
});

/// 16 random bytes from the operating system, as a salt.
fn new_salt() -> Result<SaltString, AppError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("random source: {e}")))?;
    SaltString::encode_b64(&bytes).map_err(|e| AppError::Internal(format!("salt: {e}")))
}

/// Checks `password` against `hash` (or against a decoy when `hash` is
/// `None`, returning `false` after the same work).
pub async fn verify_password(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let decoy = hash.is_none();
        let stored = hash.unwrap_or_else(|| DECOY_HASH.clone());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        ok && !decoy
    })
    .await
    .unwrap_or(false)
}
