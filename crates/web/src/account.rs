//! The account pages: settings (name, language, time zone, password),
//! e-mail addresses (add and verify by link, make primary, remove), signed-in
//! sessions (list, revoke, sign out everywhere) and personal API tokens.
//! Signing in and out lives in [`crate::signin`].

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use enishi_core::secret::hash_token;
use enishi_core::{Lang, email, password, tz};
use enishi_store::accounts::{self, AddEmail, RemoveEmail, VerifyEmail};
use enishi_store::login_tokens::{self, LinkState, Purpose};
use enishi_store::{api_tokens, now_ms, sessions};
use serde::Deserialize;

use crate::auth::{self, Me, Viewer};
use crate::csrf::{self, CsrfForm};
use crate::ctx::{LANG_COOKIE, PageCtx};
use crate::signin::{
    FAILS_PER_ACCOUNT, MINUTE, NewPasswordForm, NextQuery, NoFields, NoticePage,
    check_new_password, clear_session, done_notice, issue_link, limit, limit_links, link_problem,
    query_token, random_hex, record,
};
use crate::{AppError, AppState, mail};

/// An address-verification link lives this long.
pub const VERIFY_LINK_TTL_MS: i64 = 24 * 60 * 60 * 1000;

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
    /// The input `error` belongs to.
    pub error_field: &'static str,
    pub password_error: Option<&'static str>,
    /// The input `password_error` belongs to.
    pub password_field: &'static str,
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
            error_field: "",
            password_error: None,
            password_field: "",
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
        page.error_field = crate::ctx::field_of(key);
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
        page.password_field = crate::ctx::field_of(key);
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
    /// The input `error` belongs to.
    pub error_field: &'static str,
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
        error_field: "",
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
        page.error_field = crate::ctx::field_of(key);
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
    /// The input `error` belongs to.
    pub error_field: &'static str,
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
        error_field: "",
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
            error_field: if error.is_some() { "name" } else { "" },
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
}
