//! Direct messages through the JSON API: the inbox, starting a
//! conversation, reading and sending messages, blocking, and who may write
//! to the caller. The rules are the pages' ([`crate::messages`]): a
//! conversation exists only for its people (404 for anyone else).
//! `Idempotency-Key` on a create makes a retried request one message.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use enishi_core::messages::PAGE_SIZE;
use enishi_store::messages as stored;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::ApiJson;
use crate::auth::Viewer;
use crate::ctx::PageCtx;
use crate::messages::{
    MessageView, StartInput, conversation_for, inbox, message_views, people_of, seen, send,
    set_block, set_reach, start,
};
use crate::posts_api::{AuthorBody, refused};
use crate::scope::NetworkScope;
use crate::{AppError, AppState};

/// A conversation in the inbox.
#[derive(Serialize, ToSchema)]
pub struct ConversationBody {
    pub id: i64,
    /// Its title, else the other people's names.
    pub name: String,
    /// The other people (up to four).
    pub people: Vec<AuthorBody>,
    /// Messages the caller has not read.
    pub unread: i64,
    /// Unix milliseconds of the last message.
    pub last_message_at: i64,
    /// The last message, shortened.
    pub last: String,
}

/// The caller's conversations, the latest first.
#[utoipa::path(get, path = "/api/v1/n/{slug}/conversations", tag = "messages",
    params(("slug" = String, Path, description = "The network's slug")),
    responses((status = 200, description = "The inbox", body = Vec<ConversationBody>),
              (status = 404, description = "No such network of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn inbox_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
) -> Result<Json<Vec<ConversationBody>>, AppError> {
    let list = inbox(&state, &ctx, &scope).await?;
    Ok(Json(
        list.into_iter()
            .map(|c| ConversationBody {
                id: c.id,
                name: c.name,
                people: c.people.iter().map(AuthorBody::of).collect(),
                unread: c.unread,
                last_message_at: c.at,
                last: c.last,
            })
            .collect(),
    ))
}

/// The conversation a message went to.
#[derive(Serialize, ToSchema)]
pub struct Started {
    pub conversation_id: i64,
}

fn idempotency_key<'a>(ctx: &PageCtx, headers: &'a HeaderMap) -> Result<Option<&'a str>, AppError> {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    if key.is_some_and(|k| enishi_core::posts::check_once_key(k).is_none()) {
        return Err(AppError::Invalid {
            field: "Idempotency-Key",
            message: ctx.t("invalid.idempotency_key"),
        });
    }
    Ok(key)
}

/// Writes to one person (continuing the conversation the two have) or
/// starts a group conversation (up to 20 people with the caller). People
/// who do not accept messages from the caller are refused as a whole.
#[utoipa::path(post, path = "/api/v1/n/{slug}/conversations", tag = "messages",
    params(("slug" = String, Path, description = "The network's slug"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request one message")),
    request_body = StartInput,
    responses((status = 201, description = "Sent", body = Started),
              (status = 422, description = "Refused fields", body = crate::error::Problem),
              (status = 404, description = "No such network of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn start_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    headers: HeaderMap,
    ApiJson(input): ApiJson<StartInput>,
) -> Result<(StatusCode, Json<Started>), AppError> {
    let key = idempotency_key(&ctx, &headers)?;
    let id = start(&state, &scope, &input, key)
        .await?
        .map_err(|e| refused(&ctx, &e))?;
    Ok((
        StatusCode::CREATED,
        Json(Started {
            conversation_id: id,
        }),
    ))
}

/// A message as the caller sees it.
#[derive(Serialize, ToSchema)]
pub struct MessageBody {
    pub id: i64,
    pub author: AuthorBody,
    /// Whether the caller wrote it.
    pub mine: bool,
    /// Written by one of the network's admins.
    pub admin: bool,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Plain text (empty for a contact card).
    pub text: String,
    /// A shared contact card: `[field, value]` pairs (`email`, `phone`,
    /// `company`, `title`, `links`).
    pub card: Vec<(String, String)>,
    /// Hidden by a moderator: why (only its author sees it).
    pub hidden: Option<String>,
}

impl MessageBody {
    fn of(m: &MessageView) -> MessageBody {
        MessageBody {
            id: m.id,
            author: AuthorBody::of(&m.who),
            mine: m.mine,
            admin: m.admin,
            created_at: m.at,
            text: m.text.clone(),
            card: m
                .card
                .iter()
                .map(|(word, _, v)| (word.to_string(), v.clone()))
                .collect(),
            hidden: m.hidden.clone(),
        }
    }
}

/// Which messages to list.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct MessagesParams {
    /// Only messages after this id, oldest first (what a client polls for).
    pub after: Option<i64>,
    /// The page before this id, oldest first (scrolling back).
    pub before: Option<i64>,
}

/// Messages of a conversation, oldest first: the latest page, the page
/// before `before`, or what came after `after`. Reading marks them read.
#[utoipa::path(get, path = "/api/v1/n/{slug}/conversations/{conversation_id}/messages", tag = "messages",
    params(("slug" = String, Path, description = "The network's slug"),
           ("conversation_id" = i64, Path, description = "The conversation"), MessagesParams),
    responses((status = 200, description = "Messages", body = Vec<MessageBody>),
              (status = 404, description = "No such conversation of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn messages_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    Query(q): Query<MessagesParams>,
) -> Result<Json<Vec<MessageBody>>, AppError> {
    let c = conversation_for(&state, &scope, id).await?;
    let list = match q.after {
        Some(after) => stored::since(&state.db, scope.id(), c.id, after.max(0), PAGE_SIZE).await?,
        None => {
            let mut l = stored::page(&state.db, scope.id(), c.id, q.before, PAGE_SIZE).await?;
            l.reverse();
            l
        }
    };
    if q.before.is_none() {
        seen(&state, &scope, &c, list.last().map(|m| m.id)).await?;
    }
    let people = people_of(&state, &ctx, &scope, c.id).await?;
    Ok(Json(
        message_views(&scope, &ctx, &people, &list)
            .iter()
            .map(MessageBody::of)
            .collect(),
    ))
}

/// A message to send.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct SendInput {
    pub body: String,
}

/// The new message's id.
#[derive(Serialize, ToSchema)]
pub struct Sent {
    pub id: i64,
}

/// Sends a message in a conversation the caller is in.
#[utoipa::path(post, path = "/api/v1/n/{slug}/conversations/{conversation_id}/messages", tag = "messages",
    params(("slug" = String, Path, description = "The network's slug"),
           ("conversation_id" = i64, Path, description = "The conversation"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request one message")),
    request_body = SendInput,
    responses((status = 201, description = "Sent", body = Sent),
              (status = 200, description = "Sent before with this Idempotency-Key", body = Sent),
              (status = 422, description = "Refused (empty, too long, or the other person can no longer be written to)", body = crate::error::Problem),
              (status = 404, description = "No such conversation of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn send_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    headers: HeaderMap,
    Path((_slug, id)): Path<(String, i64)>,
    ApiJson(input): ApiJson<SendInput>,
) -> Result<(StatusCode, Json<Sent>), AppError> {
    let key = idempotency_key(&ctx, &headers)?;
    let c = conversation_for(&state, &scope, id).await?;
    let (id, new) = send(&state, &scope, &c, &input.body, key)
        .await?
        .map_err(|e| refused(&ctx, &[e]))?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(Sent { id })))
}

/// Blocks a member (by profile): neither can write to the other. They are
/// not told.
#[utoipa::path(put, path = "/api/v1/n/{slug}/blocks/{profile_id}", tag = "messages",
    params(("slug" = String, Path, description = "The network's slug"),
           ("profile_id" = i64, Path, description = "The person's profile")),
    responses((status = 204, description = "Blocked"),
              (status = 404, description = "No such person for you", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn block_api(
    State(state): State<AppState>,
    scope: NetworkScope,
    viewer: Viewer,
    Path((_slug, profile)): Path<(String, i64)>,
) -> Result<Response, AppError> {
    set_block(&state, &scope, &viewer, profile, true).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Lifts a block.
#[utoipa::path(delete, path = "/api/v1/n/{slug}/blocks/{profile_id}", tag = "messages",
    params(("slug" = String, Path, description = "The network's slug"),
           ("profile_id" = i64, Path, description = "The person's profile")),
    responses((status = 204, description = "Unblocked"),
              (status = 404, description = "No such person for you", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn unblock_api(
    State(state): State<AppState>,
    scope: NetworkScope,
    viewer: Viewer,
    Path((_slug, profile)): Path<(String, i64)>,
) -> Result<Response, AppError> {
    set_block(&state, &scope, &viewer, profile, false).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Who may start a conversation with the caller.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ReachBody {
    /// `anyone` (in the network), `shared` (people who share a group or a
    /// hiring year) or `nobody` (admins still can, about network business).
    pub reach: String,
}

/// Changes who may start a conversation with the caller.
#[utoipa::path(put, path = "/api/v1/n/{slug}/message-settings", tag = "messages",
    params(("slug" = String, Path, description = "The network's slug")),
    request_body = ReachBody,
    responses((status = 200, description = "Saved", body = ReachBody),
              (status = 422, description = "Unknown value", body = crate::error::Problem),
              (status = 404, description = "No such network of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn reach_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    ApiJson(input): ApiJson<ReachBody>,
) -> Result<Json<ReachBody>, AppError> {
    set_reach(&state, &scope, &input.reach)
        .await?
        .map_err(|e| refused(&ctx, &[e]))?;
    Ok(Json(ReachBody {
        reach: input.reach.trim().to_string(),
    }))
}
