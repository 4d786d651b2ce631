//! Signing in and out: password and magic-link sign-in, sign-out, password
//! reset by e-mailed link, and the helpers every account page shares
//! (single-use links, rate limits, the audit record).
//!
//! No page tells whether an address has an account: sign-in failures read
//! the same, link requests always answer "if it is registered, a link is on
//! its way", and unknown addresses cost the same argon2 time. Attempts are
//! limited per address and per client IP (429 with `Retry-After`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::{SET_COOKIE, USER_AGENT};
use axum::response::{IntoResponse, Redirect, Response};
use enishi_core::secret::hash_token;
use enishi_core::{Lang, email, password};
use enishi_store::accounts;
use enishi_store::login_tokens::{self, LinkState, Purpose};
use enishi_store::{Db, now_ms, sessions, throttle};
use serde::Deserialize;

use crate::auth::{self, Me, SESSION_COOKIE, SESSION_TTL_MS, Viewer};
use crate::csrf::{self, CsrfForm};
use crate::ctx::{LANG_COOKIE, PageCtx};
use crate::site::safe_next;
use crate::{AppError, AppState, mail};

/// A sign-in link lives this long.
pub const SIGNIN_LINK_TTL_MS: i64 = 15 * 60 * 1000;
/// A password-reset link lives this long.
pub const RESET_LINK_TTL_MS: i64 = 60 * 60 * 1000;

pub(crate) const MINUTE: i64 = 60 * 1000;
/// Failed password sign-ins per address per 15 minutes.
pub(crate) const FAILS_PER_ACCOUNT: i64 = 5;
/// Sign-in attempts per client IP per 15 minutes.
const ATTEMPTS_PER_IP: i64 = 30;
/// Link requests (sign-in or reset) per address per 15 minutes.
const LINKS_PER_ADDRESS: i64 = 3;
/// Link requests per client IP per 15 minutes.
const LINKS_PER_IP: i64 = 10;
/// Link requests across the installation per minute (keeps the mail
/// queue from ballooning under a distributed flood).
const LINKS_PER_MINUTE: i64 = 120;

/// 256 random bits as hex (the same generator as CSRF tokens).
pub(crate) fn random_hex() -> String {
    csrf::random_token()
}

pub(crate) fn query_token(raw: Option<&str>) -> String {
    raw.unwrap_or_default()
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(64)
        .collect()
}

/// Creates a single-use link for `account_id` and returns its token.
pub async fn issue_link(
    db: &Db,
    purpose: Purpose,
    account_id: i64,
    email: &str,
    ttl_ms: i64,
) -> Result<String, AppError> {
    let token = random_hex();
    let now = now_ms();
    login_tokens::create(
        db,
        purpose,
        account_id,
        email,
        &hash_token(&token),
        now,
        now + ttl_ms,
    )
    .await?;
    Ok(token)
}

/// The URL of a sign-in link, built from `--base-url`.
pub fn signin_url(state: &AppState, token: &str) -> String {
    state.link(&format!("/signin/link?token={token}"))
}

/// Records a security event (not tied to a network).
pub async fn record(
    state: &AppState,
    actor: Option<i64>,
    action: &str,
    target: Option<&str>,
    ip: &str,
) {
    state.record_event(None, actor, action, target, ip).await;
}

/// Counts a hit; `Err(429)` once `limit` is passed in the window.
pub(crate) async fn limit(db: &Db, key: &str, limit: i64, window_ms: i64) -> Result<(), AppError> {
    let now = now_ms();
    let (hits, started) = throttle::hit(db, key, now, window_ms).await?;
    over(hits, started, limit, window_ms, now)
}

/// `Err(429)` when `hits` in the window that began at `started` pass
/// `limit`, with the seconds to wait.
pub(crate) fn over(
    hits: i64,
    started: i64,
    limit: i64,
    window_ms: i64,
    now: i64,
) -> Result<(), AppError> {
    if hits > limit {
        let wait = ((started + window_ms - now) / 1000).max(1) as u64;
        return Err(AppError::TooManyRequests(wait));
    }
    Ok(())
}

async fn check_not_over(db: &Db, key: &str, limit: i64, window_ms: i64) -> Result<(), AppError> {
    let now = now_ms();
    let (hits, started) = throttle::peek(db, key, now, window_ms).await?;
    if hits >= limit {
        return Err(AppError::TooManyRequests(
            ((started + window_ms - now) / 1000).max(1) as u64,
        ));
    }
    Ok(())
}

/// Starts a session: a new session token (the id rotates at every sign-in),
/// a new CSRF token, and the account's language.
pub(crate) async fn start_session(
    state: &AppState,
    account: &accounts::Account,
    headers: &HeaderMap,
    viewer: &Viewer,
    to: &str,
) -> Result<Response, AppError> {
    let token = random_hex();
    let now = now_ms();
    let ip = viewer.ip_text();
    let user_agent = headers
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(300).collect::<String>());
    sessions::create(
        &state.db,
        &sessions::NewSession {
            token_hash: &hash_token(&token),
            account_id: account.id,
            now,
            expires_at: now + SESSION_TTL_MS,
            ip: Some(&ip),
            user_agent: user_agent.as_deref(),
        },
    )
    .await?;
    let secure = state.config.secure_cookies();
    let mut response = Redirect::to(to).into_response();
    let cookies = response.headers_mut();
    cookies.append(
        SET_COOKIE,
        csrf::set_cookie(
            SESSION_COOKIE,
            &token,
            (SESSION_TTL_MS / 1000) as u64,
            secure,
        ),
    );
    cookies.append(
        SET_COOKIE,
        csrf::set_cookie(
            csrf::COOKIE_NAME,
            &csrf::random_token(),
            60 * 60 * 24 * 365,
            secure,
        ),
    );
    let lang = Lang::from_code(&account.lang).unwrap_or_default();
    cookies.append(
        SET_COOKIE,
        csrf::set_cookie(LANG_COOKIE, lang.code(), 60 * 60 * 24 * 365, secure),
    );
    Ok(response)
}

pub(crate) fn clear_session(response: &mut Response, state: &AppState) {
    response.headers_mut().append(
        SET_COOKIE,
        auth::clear_cookie(SESSION_COOKIE, state.config.secure_cookies()),
    );
}

// ───────────────────────────── sign-in ─────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "account/signin.html")]
pub struct SigninPage {
    pub ctx: PageCtx,
    pub next: String,
    pub email: String,
    pub error: Option<&'static str>,
    /// Always `""`: sign-in messages concern the whole form.
    pub error_field: &'static str,
    pub notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    pub next: Option<String>,
    #[serde(default)]
    pub done: Option<String>,
    #[serde(default)]
    pub token: Option<String>,
}

pub(crate) fn done_notice(ctx: &PageCtx, done: Option<&str>) -> Option<&'static str> {
    let key = match done? {
        "signed_out" => "notice.signed_out",
        "signed_out_everywhere" => "notice.signed_out_everywhere",
        "saved" => "notice.saved",
        "password" => "notice.password_changed",
        "verification_sent" => "notice.verification_sent",
        "primary" => "notice.primary_changed",
        "removed" => "notice.email_removed",
        "revoked" => "notice.session_revoked",
        "token_revoked" => "notice.token_revoked",
        "is_primary" => "notice.cannot_remove_primary",
        _ => return None,
    };
    Some(ctx.t(key))
}

/// `GET /signin`
pub async fn signin_page(ctx: PageCtx, viewer: Viewer, Query(q): Query<NextQuery>) -> Response {
    let next = safe_next(q.next.as_deref().unwrap_or("/account")).to_string();
    if viewer.account().is_some() {
        return Redirect::to(&next).into_response();
    }
    let notice = done_notice(&ctx, q.done.as_deref());
    SigninPage {
        error_field: "",
        ctx,
        next,
        email: String::new(),
        error: None,
        notice,
    }
    .into_response()
}

/// A form with nothing but its CSRF token.
#[derive(Deserialize)]
pub struct NoFields {}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub next: String,
}

/// `POST /signin`: password sign-in.
pub async fn signin_password(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, AppError> {
    let next = safe_next(if form.next.is_empty() {
        "/account"
    } else {
        &form.next
    })
    .to_string();
    let again = |ctx: PageCtx, key: &'static str| SigninPage {
        error_field: "",
        error: Some(ctx.t(key)),
        ctx,
        next: next.clone(),
        email: form.email.chars().take(254).collect(),
        notice: None,
    };
    let address = match email::normalise(&form.email) {
        Ok(a) => a,
        Err(e) => {
            return Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                again(ctx, e.key()),
            )
                .into_response());
        }
    };
    if form.password.chars().count() > password::MAX_CHARS {
        return Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            again(ctx, "invalid.password_too_long"),
        )
            .into_response());
    }
    let ip = viewer.ip_text();
    limit(
        &state.db,
        &format!("signin:ip:{ip}"),
        ATTEMPTS_PER_IP,
        15 * MINUTE,
    )
    .await?;
    let fail_key = format!("signin:fail:{address}");
    check_not_over(&state.db, &fail_key, FAILS_PER_ACCOUNT, 15 * MINUTE).await?;
    let account = accounts::by_verified_email(&state.db, &address).await?;
    let hash = account.as_ref().and_then(|a| a.password_hash.clone());
    let ok = auth::verify_password(form.password.clone(), hash).await;
    match account {
        Some(account) if ok => {
            throttle::clear(&state.db, &fail_key).await?;
            record(
                &state,
                Some(account.id),
                "signin.password",
                Some(&address),
                &ip,
            )
            .await;
            start_session(&state, &account, &headers, &viewer, &next).await
        }
        account => {
            throttle::hit(&state.db, &fail_key, now_ms(), 15 * MINUTE).await?;
            record(
                &state,
                account.map(|a| a.id),
                "signin.failed",
                Some(&address),
                &ip,
            )
            .await;
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                again(ctx, "signin.wrong_password"),
            )
                .into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct LinkRequestForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub next: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "account/notice.html")]
pub struct NoticePage {
    pub ctx: PageCtx,
    pub title: &'static str,
    pub body: Vec<String>,
    /// Offer a form to ask for a new link of this kind (`signin`/`reset`).
    pub ask_again: Option<&'static str>,
    pub action: Option<(&'static str, &'static str)>,
}

impl NoticePage {
    pub(crate) fn new(ctx: PageCtx, title: &str, body: &[&str]) -> NoticePage {
        NoticePage {
            title: ctx.t(title),
            body: body.iter().map(|k| ctx.t(k).to_string()).collect(),
            ctx,
            ask_again: None,
            action: None,
        }
    }
}

/// Applies the limits on link requests for `address` from `ip`.
pub(crate) async fn limit_links(db: &Db, address: &str, ip: &str) -> Result<(), AppError> {
    limit(db, &format!("link:ip:{ip}"), LINKS_PER_IP, 15 * MINUTE).await?;
    limit(
        db,
        &format!("link:addr:{address}"),
        LINKS_PER_ADDRESS,
        15 * MINUTE,
    )
    .await?;
    limit(db, "link:all", LINKS_PER_MINUTE, MINUTE).await
}

/// `POST /signin/link`: e-mails a sign-in link (if the address has an
/// account; the answer is the same either way).
pub async fn request_link(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<LinkRequestForm>,
) -> Result<Response, AppError> {
    let address = match email::normalise(&form.email) {
        Ok(a) => a,
        Err(e) => {
            let page = SigninPage {
                error_field: "",
                error: Some(ctx.t(e.key())),
                ctx,
                next: safe_next(&form.next).to_string(),
                email: form.email.chars().take(254).collect(),
                notice: None,
            };
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    limit_links(&state.db, &address, &viewer.ip_text()).await?;
    if let Some(account) = accounts::by_verified_email(&state.db, &address).await? {
        let token = issue_link(
            &state.db,
            Purpose::SignIn,
            account.id,
            &address,
            SIGNIN_LINK_TTL_MS,
        )
        .await?;
        let mut link = signin_url(&state, &token);
        let next = safe_next(&form.next);
        if next != "/" {
            link.push_str("&next=");
            link.extend(url::form_urlencoded::byte_serialize(next.as_bytes()));
        }
        let lang = Lang::from_code(&account.lang).unwrap_or(ctx.lang);
        mail::send(&state, &address, lang, mail::Kind::SignInLink, &link).await?;
        record(
            &state,
            Some(account.id),
            "signin.link_sent",
            Some(&address),
            &viewer.ip_text(),
        )
        .await;
    }
    Ok(NoticePage::new(
        ctx,
        "signin.link_sent_title",
        &["signin.link_sent_body", "signin.link_sent_hint"],
    )
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "account/link_confirm.html")]
pub struct LinkConfirmPage {
    pub ctx: PageCtx,
    pub token: String,
    pub next: String,
}

pub(crate) fn link_problem(ctx: PageCtx, state: &LinkState, again: &'static str) -> NoticePage {
    let (title, body) = match state {
        LinkState::Expired => ("link.expired_title", "link.expired_body"),
        LinkState::Used => ("link.used_title", "link.used_body"),
        _ => ("link.unknown_title", "link.unknown_body"),
    };
    let mut page = NoticePage::new(ctx, title, &[body]);
    page.ask_again = Some(again);
    page
}

/// `GET /signin/link?token=…`: asks for one click before the link is spent
/// (mail scanners that open links must not sign anyone in or use them up).
pub async fn link_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    let token = query_token(q.token.as_deref());
    let link =
        login_tokens::peek(&state.db, Purpose::SignIn, &hash_token(&token), now_ms()).await?;
    if !matches!(link, LinkState::Valid { .. }) {
        return Ok((
            axum::http::StatusCode::GONE,
            link_problem(ctx, &link, "signin"),
        )
            .into_response());
    }
    let next = safe_next(q.next.as_deref().unwrap_or("/account")).to_string();
    Ok(LinkConfirmPage { ctx, token, next }.into_response())
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub next: String,
}

/// `POST /signin/link/confirm`: spends the link and signs in.
pub async fn confirm_link(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> Result<Response, AppError> {
    let token = query_token(Some(&form.token));
    let link =
        login_tokens::consume(&state.db, Purpose::SignIn, &hash_token(&token), now_ms()).await?;
    let LinkState::Valid { account_id, email } = &link else {
        return Ok((
            axum::http::StatusCode::GONE,
            link_problem(ctx, &link, "signin"),
        )
            .into_response());
    };
    let account = accounts::by_id(&state.db, *account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    record(
        &state,
        Some(account.id),
        "signin.link",
        Some(email),
        &viewer.ip_text(),
    )
    .await;
    let next = safe_next(if form.next.is_empty() {
        "/account"
    } else {
        &form.next
    })
    .to_string();
    start_session(&state, &account, &headers, &viewer, &next).await
}

/// `POST /signout`
pub async fn signout(
    State(state): State<AppState>,
    Me(me): Me,
    viewer: Viewer,
    headers: HeaderMap,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    if let Some(token) = csrf::cookie(&headers, SESSION_COOKIE) {
        sessions::revoke_token(&state.db, &hash_token(token)).await?;
    }
    record(
        &state,
        Some(me.account.id),
        "signout",
        None,
        &viewer.ip_text(),
    )
    .await;
    let mut response = Redirect::to("/signin?done=signed_out").into_response();
    clear_session(&mut response, &state);
    Ok(response)
}

// ───────────────────────────── password reset ─────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "account/reset.html")]
pub struct ResetPage {
    pub ctx: PageCtx,
    /// `None`: the form asking for a link; `Some`: the new-password form.
    pub token: Option<String>,
    pub error: Option<&'static str>,
}

/// `GET /password/reset[?token=…]`
pub async fn reset_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    if q.token.is_none() {
        return Ok(ResetPage {
            ctx,
            token: None,
            error: None,
        }
        .into_response());
    }
    let token = query_token(q.token.as_deref());
    let link = login_tokens::peek(
        &state.db,
        Purpose::ResetPassword,
        &hash_token(&token),
        now_ms(),
    )
    .await?;
    if !matches!(link, LinkState::Valid { .. }) {
        return Ok((
            axum::http::StatusCode::GONE,
            link_problem(ctx, &link, "reset"),
        )
            .into_response());
    }
    Ok(ResetPage {
        ctx,
        token: Some(token),
        error: None,
    }
    .into_response())
}

/// `POST /password/reset/request`
pub async fn request_reset(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<LinkRequestForm>,
) -> Result<Response, AppError> {
    let address = match email::normalise(&form.email) {
        Ok(a) => a,
        Err(e) => {
            let page = ResetPage {
                error: Some(ctx.t(e.key())),
                ctx,
                token: None,
            };
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    limit_links(&state.db, &address, &viewer.ip_text()).await?;
    if let Some(account) = accounts::by_verified_email(&state.db, &address).await? {
        let token = issue_link(
            &state.db,
            Purpose::ResetPassword,
            account.id,
            &address,
            RESET_LINK_TTL_MS,
        )
        .await?;
        let link = state.link(&format!("/password/reset?token={token}"));
        let lang = Lang::from_code(&account.lang).unwrap_or(ctx.lang);
        mail::send(&state, &address, lang, mail::Kind::ResetPassword, &link).await?;
        record(
            &state,
            Some(account.id),
            "password.reset_requested",
            Some(&address),
            &viewer.ip_text(),
        )
        .await;
    }
    Ok(NoticePage::new(
        ctx,
        "signin.link_sent_title",
        &["reset.sent_body", "signin.link_sent_hint"],
    )
    .into_response())
}

#[derive(Deserialize)]
pub struct NewPasswordForm {
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub current: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub confirm: String,
}

pub(crate) fn check_new_password(form: &NewPasswordForm) -> Result<(), &'static str> {
    password::check(&form.password).map_err(|e| e.key())?;
    if form.password != form.confirm {
        return Err("invalid.password_mismatch");
    }
    Ok(())
}

/// `POST /password/reset`: sets the new password, ends every session and
/// signs in afresh.
pub async fn reset_password(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<NewPasswordForm>,
) -> Result<Response, AppError> {
    let token = query_token(Some(&form.token));
    if let Err(key) = check_new_password(&form) {
        let page = ResetPage {
            error: Some(ctx.t(key)),
            ctx,
            token: Some(token),
        };
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let link = login_tokens::consume(
        &state.db,
        Purpose::ResetPassword,
        &hash_token(&token),
        now_ms(),
    )
    .await?;
    let LinkState::Valid { account_id, email } = &link else {
        return Ok((
            axum::http::StatusCode::GONE,
            link_problem(ctx, &link, "reset"),
        )
            .into_response());
    };
    let hash = auth::hash_password(form.password.clone()).await?;
    accounts::set_password_hash(&state.db, *account_id, Some(&hash)).await?;
    login_tokens::spend_all(&state.db, Purpose::ResetPassword, *account_id, now_ms()).await?;
    sessions::revoke_all(&state.db, *account_id, None).await?;
    record(
        &state,
        Some(*account_id),
        "password.reset",
        Some(email),
        &viewer.ip_text(),
    )
    .await;
    let account = accounts::by_id(&state.db, *account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    start_session(
        &state,
        &account,
        &headers,
        &viewer,
        "/account?done=password",
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hex_survives_in_link_tokens() {
        assert_eq!(query_token(Some("ab12<script>")), "ab12c");
        assert_eq!(query_token(None), "");
        assert_eq!(query_token(Some(&"a".repeat(100))).len(), 64);
    }
}
