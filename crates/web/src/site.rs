//! The site shell: the home page, the language switch, and the health
//! probes operators point their load balancer at.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::response::{IntoResponse, Response};
use enishi_core::Lang;
use serde::Deserialize;

use crate::csrf::{self, CsrfForm};
use crate::ctx::{LANG_COOKIE, PageCtx};
use crate::error::KeepBody;
use crate::{AppError, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    pub ctx: PageCtx,
    /// (slug, name, status) of the signed-in person's networks.
    pub networks: Vec<(String, String, String)>,
    /// (slug, name) of networks that invite requests on the home page.
    pub listed: Vec<(String, String)>,
    pub notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct HomeQuery {
    pub done: Option<String>,
}

/// `GET /`: what Enishi is; for a signed-in person, their networks first.
pub async fn home(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: crate::auth::Viewer,
    Query(q): Query<HomeQuery>,
) -> Result<HomePage, AppError> {
    let networks = match viewer.account() {
        Some(a) => enishi_store::memberships::networks_of(&state.db, a.id)
            .await?
            .into_iter()
            .map(|(n, _, status)| {
                let name = crate::networks::name_in(&n, ctx.lang).to_string();
                (n.slug, name, status)
            })
            .collect(),
        None => Vec::new(),
    };
    let listed = enishi_store::networks::listed(&state.db)
        .await?
        .into_iter()
        .map(|n| {
            let name = crate::networks::name_in(&n, ctx.lang).to_string();
            (n.slug, name)
        })
        .collect();
    let notice = (q.done.as_deref() == Some("left")).then(|| ctx.t("notice.left_network"));
    Ok(HomePage {
        ctx,
        networks,
        listed,
        notice,
    })
}

#[derive(Deserialize)]
pub struct LanguageForm {
    pub lang: String,
    #[serde(default)]
    pub next: String,
}

/// Where a form may send the visitor back to: a path on this site only
/// (no scheme, no `//host`, no backslashes), else the home page.
pub fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    if local { next } else { "/" }
}

/// `POST /lang`: remembers the chosen language for a year and goes back.
pub async fn set_language(
    State(state): State<AppState>,
    CsrfForm(form): CsrfForm<LanguageForm>,
) -> Result<Response, AppError> {
    let lang = Lang::from_code(&form.lang).ok_or(AppError::BadRequest)?;
    Ok((
        StatusCode::SEE_OTHER,
        [
            (LOCATION, safe_next(&form.next).to_string()),
            (
                SET_COOKIE,
                csrf::set_cookie(
                    LANG_COOKIE,
                    lang.code(),
                    60 * 60 * 24 * 365,
                    state.config.secure_cookies(),
                )
                .to_str()
                .unwrap_or_default()
                .to_string(),
            ),
        ],
    )
        .into_response())
}

/// `GET /healthz`: the process answers.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: the process answers and its database takes queries.
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => "ready".into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            let mut response =
                (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
            response.extensions_mut().insert(KeepBody);
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/n/acme?x=1"), "/n/acme?x=1");
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil",
            "",
            "javascript:alert(1)",
            "/a\nb",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }
}
