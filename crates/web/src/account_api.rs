//! The account through the JSON API: who am I, and personal API tokens.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use enishi_store::api_tokens;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::account::{check_token_name, new_token};
use crate::api::ApiJson;
use crate::auth::{Me, Viewer};
use crate::ctx::PageCtx;
use crate::signin::record;
use crate::{AppError, AppState};

/// The signed-in account.
#[derive(Serialize, ToSchema)]
pub struct MeBody {
    pub id: i64,
    pub display_name: String,
    /// `ja` or `en`.
    pub lang: String,
    /// IANA zone, e.g. `Asia/Tokyo`.
    pub time_zone: String,
    pub is_operator: bool,
    pub has_password: bool,
    /// The primary e-mail address.
    pub email: Option<String>,
}

/// Who am I.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "account",
    responses(
        (status = 200, description = "The signed-in account", body = MeBody),
        (status = 401, description = "Not signed in, or a revoked token", body = crate::error::Problem)
    ),
    security(("token" = []), ("session" = []))
)]
pub async fn me(State(state): State<AppState>, Me(me): Me) -> Result<Json<MeBody>, AppError> {
    let a = &me.account;
    Ok(Json(MeBody {
        id: a.id,
        display_name: a.display_name.clone(),
        lang: a.lang.clone(),
        time_zone: a.time_zone.clone(),
        is_operator: a.is_operator,
        has_password: a.password_hash.is_some(),
        email: enishi_store::accounts::primary_email(&state.db, a.id).await?,
    }))
}

/// A personal API token (never its secret, except once at creation).
#[derive(Serialize, ToSchema)]
pub struct TokenBody {
    pub id: i64,
    pub name: String,
    /// The first characters, to recognise it.
    pub prefix: String,
    /// Unix milliseconds.
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl From<api_tokens::ApiToken> for TokenBody {
    fn from(t: api_tokens::ApiToken) -> TokenBody {
        TokenBody {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// My API tokens, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/me/tokens",
    tag = "account",
    responses((status = 200, description = "Tokens", body = [TokenBody]), (status = 401, description = "Not signed in, or a revoked token", body = crate::error::Problem)),
    security(("token" = []), ("session" = []))
)]
pub async fn list_tokens(
    State(state): State<AppState>,
    Me(me): Me,
) -> Result<Json<Vec<TokenBody>>, AppError> {
    Ok(Json(
        api_tokens::list(&state.db, me.account.id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewTokenBody {
    /// 1–60 characters, e.g. the program that will use it.
    pub name: String,
}

/// A token just created: `token` is shown this once.
#[derive(Serialize, ToSchema)]
pub struct CreatedTokenBody {
    #[serde(flatten)]
    pub token: TokenBody,
    /// Send as `Authorization: Bearer <token>`. Not retrievable later.
    pub secret: String,
}

/// Create an API token.
#[utoipa::path(
    post,
    path = "/api/v1/me/tokens",
    tag = "account",
    request_body = NewTokenBody,
    responses(
        (status = 201, description = "Created; the secret is shown this once", body = CreatedTokenBody),
        (status = 422, description = "Invalid name", body = crate::error::Problem),
        (status = 401, description = "Not signed in, or a revoked token", body = crate::error::Problem)
    ),
    security(("token" = []), ("session" = []))
)]
pub async fn create_token(
    State(state): State<AppState>,
    ctx: PageCtx,
    Me(me): Me,
    viewer: Viewer,
    ApiJson(body): ApiJson<NewTokenBody>,
) -> Result<Response, AppError> {
    let name = check_token_name(&body.name).map_err(|key| AppError::Invalid {
        field: "name",
        message: ctx.t(key),
    })?;
    let (row, secret) = new_token(&state, me.account.id, &name, &viewer.ip_text()).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedTokenBody {
            token: row.into(),
            secret,
        }),
    )
        .into_response())
}

/// Revoke an API token.
#[utoipa::path(
    delete,
    path = "/api/v1/me/tokens/{id}",
    tag = "account",
    params(("id" = i64, Path, description = "Token id")),
    responses((status = 204, description = "Revoked"), (status = 404, description = "No such live token of yours", body = crate::error::Problem), (status = 401, description = "Not signed in, or a revoked token", body = crate::error::Problem)),
    security(("token" = []), ("session" = []))
)]
pub async fn revoke_token(
    State(state): State<AppState>,
    Me(me): Me,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    let revoked = api_tokens::revoke(&state.db, me.account.id, id, enishi_store::now_ms())
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
    Ok(StatusCode::NO_CONTENT)
}
