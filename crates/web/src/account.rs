//! Accounts and sign-in: password and magic-link sign-in, sign-out (here
//! and everywhere), password reset, account settings, e-mail addresses,
//! sessions and personal API tokens.
//!
//! No page tells whether an address has an account: sign-in failures read
//! the same, link requests always answer "if it is registered, a link is on
//! its way", and unknown addresses cost the same argon2 time. Attempts are
//! limited per address and per client IP (429 with `Retry-After`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::http::header::{SET_COOKIE, USER_AGENT};
use axum::response::{IntoResponse, Redirect, Response};
use enishi_core::secret::{hash_token, hex};
use enishi_core::{Lang, email, password, tz};
use enishi_store::accounts::{self, AddEmail, RemoveEmail, VerifyEmail};
use enishi_store::login_tokens::{self, LinkState, Purpose};
use enishi_store::{Db, api_tokens, audit, now_ms, sessions, throttle};
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
/// An address-verification link lives this long.
pub const VERIFY_LINK_TTL_MS: i64 = 24 * 60 * 60 * 1000;

const MINUTE: i64 = 60 * 1000;
/// Failed password sign-ins per address per 15 minutes.
const FAILS_PER_ACCOUNT: i64 = 5;
/// Sign-in attempts per client IP per 15 minutes.
const ATTEMPTS_PER_IP: i64 = 30;
/// Link requests (sign-in or reset) per address per 15 minutes.
const LINKS_PER_ADDRESS: i64 = 3;
/// Link requests per client IP per 15 minutes.
const LINKS_PER_IP: i64 = 10;
/// Link requests across the installation per minute (keeps the mail
/// queue from ballooning under a distributed flood).
const LINKS_PER_MINUTE: i64 = 120;

fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    hex(&bytes)
}

fn query_token(raw: Option<&str>) -> String {
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

/// Records a security event.
pub async fn record(
    state: &AppState,
    actor: Option<i64>,
    action: &str,
    target: Option<&str>,
    ip: &str,
) {
    let entry = audit::NewEntry {
        actor_id: actor,
        action,
        target,
        ip: Some(ip),
        ..Default::default()
    };
    if let Err(e) = audit::record(&state.db, &entry, now_ms()).await {
        tracing::error!(error = %e, action, "could not write the audit log");
    }
}

/// Counts a hit; `Err(429)` once `limit` is passed in the window.
async fn limit(db: &Db, key: &str, limit: i64, window_ms: i64) -> Result<(), AppError> {
    let now = now_ms();
    let (hits, started) = throttle::hit(db, key, now, window_ms).await?;
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
async fn start_session(
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

fn clear_session(response: &mut Response, state: &AppState) {
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

fn done_notice(ctx: &PageCtx, done: Option<&str>) -> Option<&'static str> {
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
    fn new(ctx: PageCtx, title: &str, body: &[&str]) -> NoticePage {
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
async fn limit_links(db: &Db, address: &str, ip: &str) -> Result<(), AppError> {
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

fn link_problem(ctx: PageCtx, state: &LinkState, again: &'static str) -> NoticePage {
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

fn check_new_password(form: &NewPasswordForm) -> Result<(), &'static str> {
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

// ───────────────────────────── settings ─────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "account/settings.html")]
pub struct SettingsPage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub display_name: String,
    pub lang: String,
    pub time_zone: String,
    pub zones: &'static [&'static str],
    pub has_password: bool,
    pub notice: Option<&'static str>,
    pub error: Option<&'static str>,
    pub password_error: Option<&'static str>,
}

impl SettingsPage {
    fn of(ctx: PageCtx, account: &accounts::Account) -> SettingsPage {
        SettingsPage {
            ctx,
            section: "settings",
            display_name: account.display_name.clone(),
            lang: account.lang.clone(),
            time_zone: account.time_zone.clone(),
            zones: tz::ZONES,
            has_password: account.password_hash.is_some(),
            notice: None,
            error: None,
            password_error: None,
        }
    }
}

/// `GET /account`
pub async fn settings_page(ctx: PageCtx, Me(me): Me, Query(q): Query<NextQuery>) -> SettingsPage {
    let notice = done_notice(&ctx, q.done.as_deref());
    SettingsPage {
        notice,
        ..SettingsPage::of(ctx, &me.account)
    }
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub lang: String,
    #[serde(default)]
    pub time_zone: String,
}

/// Longest display name, in characters.
pub const NAME_MAX: usize = 100;

/// `POST /account`
pub async fn save_settings(
    State(state): State<AppState>,
    ctx: PageCtx,
    Me(me): Me,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> Result<Response, AppError> {
    let name = form.display_name.trim();
    let problem = if name.is_empty() {
        Some("invalid.name_empty")
    } else if name.chars().count() > NAME_MAX {
        Some("invalid.name_too_long")
    } else if Lang::from_code(&form.lang).is_none_or(|l| l.code() != form.lang) {
        Some("invalid.lang")
    } else if !tz::is_known(&form.time_zone) {
        Some("invalid.time_zone")
    } else {
        None
    };
    if let Some(key) = problem {
        let mut page = SettingsPage::of(ctx, &me.account);
        page.error = Some(page.ctx.t(key));
        page.display_name = form.display_name.chars().take(NAME_MAX * 2).collect();
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    accounts::update_settings(&state.db, me.account.id, name, &form.lang, &form.time_zone).await?;
    let mut response = Redirect::to("/account?done=saved").into_response();
    response.headers_mut().append(
        SET_COOKIE,
        csrf::set_cookie(
            LANG_COOKIE,
            &form.lang,
            60 * 60 * 24 * 365,
            state.config.secure_cookies(),
        ),
    );
    Ok(response)
}

/// `POST /account/password`: sets or changes the password (the current
/// one is required when there is one); other sessions end.
pub async fn change_password(
    State(state): State<AppState>,
    ctx: PageCtx,
    Me(me): Me,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<NewPasswordForm>,
) -> Result<Response, AppError> {
    let mut problem = check_new_password(&form).err();
    if problem.is_none() && me.account.password_hash.is_some() {
        limit(
            &state.db,
            &format!("password:change:{}", me.account.id),
            FAILS_PER_ACCOUNT,
            15 * MINUTE,
        )
        .await?;
        if !auth::verify_password(
            form.current.chars().take(password::MAX_CHARS + 1).collect(),
            me.account.password_hash.clone(),
        )
        .await
        {
            problem = Some("invalid.current_password");
        }
    }
    if let Some(key) = problem {
        let mut page = SettingsPage::of(ctx, &me.account);
        page.password_error = Some(page.ctx.t(key));
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let hash = auth::hash_password(form.password.clone()).await?;
    accounts::set_password_hash(&state.db, me.account.id, Some(&hash)).await?;
    sessions::revoke_all(&state.db, me.account.id, me.session_id).await?;
    record(
        &state,
        Some(me.account.id),
        "password.changed",
        None,
        &viewer.ip_text(),
    )
    .await;
    Ok(Redirect::to("/account?done=password").into_response())
}

// ───────────────────────────── e-mail addresses ─────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "account/emails.html")]
pub struct EmailsPage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub emails: Vec<accounts::AccountEmail>,
    pub notice: Option<&'static str>,
    pub error: Option<&'static str>,
    pub draft: String,
}

async fn emails_of(
    state: &AppState,
    ctx: PageCtx,
    account_id: i64,
) -> Result<EmailsPage, AppError> {
    Ok(EmailsPage {
        ctx,
        section: "emails",
        emails: accounts::emails(&state.db, account_id).await?,
        notice: None,
        error: None,
        draft: String::new(),
    })
}

/// `GET /account/emails`
pub async fn emails_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Me(me): Me,
    Query(q): Query<NextQuery>,
) -> Result<EmailsPage, AppError> {
    let notice = done_notice(&ctx, q.done.as_deref());
    Ok(EmailsPage {
        notice,
        ..emails_of(&state, ctx, me.account.id).await?
    })
}

#[derive(Deserialize)]
pub struct AddEmailForm {
    #[serde(default)]
    pub email: String,
}

/// `POST /account/emails`: adds an address and sends it a verification link.
pub async fn add_email(
    State(state): State<AppState>,
    ctx: PageCtx,
    Me(me): Me,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<AddEmailForm>,
) -> Result<Response, AppError> {
    let refuse = |mut page: EmailsPage, key: &'static str| {
        page.error = Some(page.ctx.t(key));
        page.draft = form.email.chars().take(254).collect();
        (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    };
    let address = match email::normalise(&form.email) {
        Ok(a) => a,
        Err(e) => {
            return Ok(refuse(
                emails_of(&state, ctx, me.account.id).await?,
                e.key(),
            ));
        }
    };
    limit_links(&state.db, &address, &viewer.ip_text()).await?;
    match accounts::add_email(&state.db, me.account.id, &address).await? {
        AddEmail::AlreadyYours => Ok(refuse(
            emails_of(&state, ctx, me.account.id).await?,
            "invalid.email_already_yours",
        )),
        AddEmail::Added(_) => {
            let token = issue_link(
                &state.db,
                Purpose::VerifyEmail,
                me.account.id,
                &address,
                VERIFY_LINK_TTL_MS,
            )
            .await?;
            let link = state.link(&format!("/account/emails/verify?token={token}"));
            let lang = Lang::from_code(&me.account.lang).unwrap_or(ctx.lang);
            mail::send(&state, &address, lang, mail::Kind::VerifyEmail, &link).await?;
            record(
                &state,
                Some(me.account.id),
                "email.added",
                Some(&address),
                &viewer.ip_text(),
            )
            .await;
            Ok(Redirect::to("/account/emails?done=verification_sent").into_response())
        }
    }
}

/// `GET /account/emails/verify?token=…`: the link itself proves the
/// mailbox, so no sign-in is needed.
pub async fn verify_email(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    let token = query_token(q.token.as_deref());
    let link = login_tokens::consume(
        &state.db,
        Purpose::VerifyEmail,
        &hash_token(&token),
        now_ms(),
    )
    .await?;
    let LinkState::Valid { account_id, email } = &link else {
        return Ok((
            axum::http::StatusCode::GONE,
            link_problem(ctx, &link, "none"),
        )
            .into_response());
    };
    let (status, title, body) = match accounts::verify_email(&state.db, *account_id, email).await? {
        VerifyEmail::Verified | VerifyEmail::AlreadyVerified => {
            record(
                &state,
                Some(*account_id),
                "email.verified",
                Some(email),
                &viewer.ip_text(),
            )
            .await;
            (
                axum::http::StatusCode::OK,
                "verify.done_title",
                "verify.done_body",
            )
        }
        VerifyEmail::TakenElsewhere => (
            axum::http::StatusCode::CONFLICT,
            "verify.taken_title",
            "verify.taken_body",
        ),
        VerifyEmail::Gone => (
            axum::http::StatusCode::GONE,
            "link.unknown_title",
            "link.unknown_body",
        ),
    };
    let mut page = NoticePage::new(ctx, title, &[body]);
    page.action = Some(("/account/emails", "verify.to_emails"));
    Ok((status, page).into_response())
}

/// `POST /account/emails/{email_id}/primary`
pub async fn make_primary(
    State(state): State<AppState>,
    Me(me): Me,
    viewer: Viewer,
    Path(email_id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    if !accounts::make_primary(&state.db, me.account.id, email_id).await? {
        return Err(AppError::NotFound);
    }
    record(
        &state,
        Some(me.account.id),
        "email.primary",
        Some(&email_id.to_string()),
        &viewer.ip_text(),
    )
    .await;
    Ok(Redirect::to("/account/emails?done=primary").into_response())
}

/// `POST /account/emails/{email_id}/remove`
pub async fn remove_email(
    State(state): State<AppState>,
    Me(me): Me,
    viewer: Viewer,
    Path(email_id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    match accounts::remove_email(&state.db, me.account.id, email_id).await? {
        RemoveEmail::NotFound => Err(AppError::NotFound),
        RemoveEmail::IsPrimary => {
            Ok(Redirect::to("/account/emails?done=is_primary").into_response())
        }
        RemoveEmail::Removed(address) => {
            record(
                &state,
                Some(me.account.id),
                "email.removed",
                Some(&address),
                &viewer.ip_text(),
            )
            .await;
            Ok(Redirect::to("/account/emails?done=removed").into_response())
        }
    }
}

// ───────────────────────────── sessions ─────────────────────────────

/// One row of the sessions page.
pub struct SessionRow {
    pub id: i64,
    pub current: bool,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub ip: String,
    pub browser: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "account/sessions.html")]
pub struct SessionsPage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub sessions: Vec<SessionRow>,
    pub notice: Option<&'static str>,
}

/// A short, human description of a user-agent string.
pub fn describe_browser(user_agent: &str) -> String {
    let browser = ["Edg/", "OPR/", "Firefox/", "Chrome/", "Safari/"]
        .iter()
        .find(|m| user_agent.contains(*m))
        .map(|m| match *m {
            "Edg/" => "Edge",
            "OPR/" => "Opera",
            "Firefox/" => "Firefox",
            "Chrome/" => "Chrome",
            _ => "Safari",
        });
    let system = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Mac OS X", "macOS"),
        ("Windows", "Windows"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(m, _)| user_agent.contains(m))
    .map(|(_, n)| *n);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} · {s}"),
        (Some(b), None) => b.to_string(),
        (None, Some(s)) => s.to_string(),
        (None, None) => user_agent.chars().take(40).collect(),
    }
}

/// `GET /account/sessions`
pub async fn sessions_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Me(me): Me,
    Query(q): Query<NextQuery>,
) -> Result<SessionsPage, AppError> {
    let rows = sessions::list(&state.db, me.account.id, now_ms()).await?;
    let notice = done_notice(&ctx, q.done.as_deref());
    Ok(SessionsPage {
        ctx,
        section: "sessions",
        sessions: rows
            .into_iter()
            .map(|s| SessionRow {
                current: Some(s.id) == me.session_id,
                id: s.id,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                ip: s.ip.unwrap_or_default(),
                browser: describe_browser(s.user_agent.as_deref().unwrap_or("")),
            })
            .collect(),
        notice,
    })
}

/// `POST /account/sessions/{session_id}/revoke`
pub async fn revoke_session(
    State(state): State<AppState>,
    Me(me): Me,
    viewer: Viewer,
    Path(session_id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    if !sessions::revoke(&state.db, me.account.id, session_id).await? {
        return Err(AppError::NotFound);
    }
    record(
        &state,
        Some(me.account.id),
        "session.revoked",
        Some(&session_id.to_string()),
        &viewer.ip_text(),
    )
    .await;
    if me.session_id == Some(session_id) {
        let mut response = Redirect::to("/signin?done=signed_out").into_response();
        clear_session(&mut response, &state);
        return Ok(response);
    }
    Ok(Redirect::to("/account/sessions?done=revoked").into_response())
}

/// `POST /account/sessions/revoke-all`: signs out everywhere, here too.
pub async fn revoke_all_sessions(
    State(state): State<AppState>,
    Me(me): Me,
    viewer: Viewer,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let ended = sessions::revoke_all(&state.db, me.account.id, None).await?;
    record(
        &state,
        Some(me.account.id),
        "signout.everywhere",
        Some(&ended.to_string()),
        &viewer.ip_text(),
    )
    .await;
    let mut response = Redirect::to("/signin?done=signed_out_everywhere").into_response();
    clear_session(&mut response, &state);
    Ok(response)
}

// ───────────────────────────── API tokens ─────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "account/tokens.html")]
pub struct TokensPage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub tokens: Vec<api_tokens::ApiToken>,
    /// The token just created: shown this once.
    pub created: Option<String>,
    pub notice: Option<&'static str>,
    pub error: Option<&'static str>,
}

/// Longest token name, in characters.
pub const TOKEN_NAME_MAX: usize = 60;

/// Validates a token name; the catalogue key of the problem otherwise.
pub fn check_token_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    if name.is_empty() {
        return Err("invalid.token_name_empty");
    }
    if name.chars().count() > TOKEN_NAME_MAX {
        return Err("invalid.token_name_too_long");
    }
    Ok(name.to_string())
}

/// Creates a token; returns it in full (the only time it is shown).
pub async fn new_token(
    state: &AppState,
    account_id: i64,
    name: &str,
    ip: &str,
) -> Result<(api_tokens::ApiToken, String), AppError> {
    let secret = format!("{}{}", auth::API_TOKEN_PREFIX, random_hex());
    let prefix: String = secret
        .chars()
        .take(auth::API_TOKEN_PREFIX.len() + 6)
        .collect();
    let row = api_tokens::create(
        &state.db,
        account_id,
        name,
        &hash_token(&secret),
        &prefix,
        now_ms(),
    )
    .await?;
    record(state, Some(account_id), "token.created", Some(name), ip).await;
    Ok((row, secret))
}

/// `GET /account/tokens`
pub async fn tokens_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Me(me): Me,
    Query(q): Query<NextQuery>,
) -> Result<TokensPage, AppError> {
    let notice = done_notice(&ctx, q.done.as_deref());
    Ok(TokensPage {
        ctx,
        section: "tokens",
        tokens: api_tokens::list(&state.db, me.account.id).await?,
        created: None,
        notice,
        error: None,
    })
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    pub name: String,
}

/// `POST /account/tokens`
pub async fn create_token(
    State(state): State<AppState>,
    ctx: PageCtx,
    Me(me): Me,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> Result<Response, AppError> {
    let (created, error, status) = match check_token_name(&form.name) {
        Ok(name) => {
            let (_, secret) = new_token(&state, me.account.id, &name, &viewer.ip_text()).await?;
            (Some(secret), None, axum::http::StatusCode::CREATED)
        }
        Err(key) => (
            None,
            Some(ctx.t(key)),
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        ),
    };
    let tokens = api_tokens::list(&state.db, me.account.id).await?;
    Ok((
        status,
        TokensPage {
            ctx,
            section: "tokens",
            tokens,
            created,
            notice: None,
            error,
        },
    )
        .into_response())
}

/// `POST /account/tokens/{token_id}/revoke`
pub async fn revoke_token(
    State(state): State<AppState>,
    Me(me): Me,
    viewer: Viewer,
    Path(token_id): Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let revoked = api_tokens::revoke(&state.db, me.account.id, token_id, now_ms())
        .await?
        .ok_or(AppError::NotFound)?;
    record(
        &state,
        Some(me.account.id),
        "token.revoked",
        Some(&revoked.name),
        &viewer.ip_text(),
    )
    .await;
    Ok(Redirect::to("/account/tokens?done=token_revoked").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_are_described_briefly() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
        assert_eq!(describe_browser(chrome), "Chrome · Linux");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(describe_browser(iphone), "Safari · iPhone");
        assert_eq!(describe_browser(""), "");
    }

    #[test]
    fn token_names() {
        assert_eq!(check_token_name("  CI "), Ok("CI".into()));
        assert_eq!(check_token_name(" "), Err("invalid.token_name_empty"));
        assert_eq!(
            check_token_name(&"x".repeat(61)),
            Err("invalid.token_name_too_long")
        );
    }

    #[test]
    fn only_hex_survives_in_link_tokens() {
        assert_eq!(query_token(Some("ab12<script>")), "ab12c");
        assert_eq!(query_token(None), "");
        assert_eq!(query_token(Some(&"a".repeat(100))).len(), 64);
    }
}
