//! Groups through the JSON API: list, create or propose, read one, join,
//! leave, and its feed. The rules are the pages' ([`crate::groups`]): a
//! group that does not exist for the caller — another space, hidden, or
//! someone else's proposal — is 404, and so are its posts.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use enishi_core::groups::{JoinOutcome, Status};
use enishi_core::posts::Cursor;
use enishi_store::posts::Feed;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::ApiJson;
use crate::auth::Viewer;
use crate::ctx::PageCtx;
use crate::groups::{
    GroupCtx, GroupInput, GroupView, create, group_for, join, leave, visible_groups,
};
use crate::posts::{PostInput, load_feed, views};
use crate::posts_api::{FeedBody, PostBody, body_of, refused};
use crate::scope::NetworkScope;
use crate::{AppError, AppState};

/// The groups that exist for the caller.
#[derive(Serialize, ToSchema)]
pub struct GroupsBody {
    /// Those the caller belongs to, asked for or is invited to.
    pub mine: Vec<GroupView>,
    /// The others they may join or ask for.
    pub others: Vec<GroupView>,
    /// Proposals: the caller's own, and for stewards those to decide.
    pub proposals: Vec<GroupView>,
}

#[derive(Deserialize, IntoParams)]
pub struct GroupsParams {
    /// Only groups of this category.
    pub category: Option<String>,
}

/// The groups that exist for the caller.
#[utoipa::path(get, path = "/api/v1/n/{slug}/groups", tag = "groups",
    params(("slug" = String, Path, description = "The network's slug"), GroupsParams),
    responses((status = 200, description = "The groups", body = GroupsBody),
              (status = 404, description = "No such network of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn list_api(
    State(state): State<AppState>,
    scope: NetworkScope,
    Query(params): Query<GroupsParams>,
) -> Result<Json<GroupsBody>, AppError> {
    let category = params
        .category
        .as_deref()
        .and_then(enishi_core::groups::Category::parse);
    let (mine, others, proposals) = visible_groups(&state, &scope, category).await?;
    Ok(Json(GroupsBody {
        mine,
        others,
        proposals,
    }))
}

async fn body(state: &AppState, scope: &NetworkScope, id: i64) -> Result<GroupView, AppError> {
    let (mine, others, proposals) = visible_groups(state, scope, None).await?;
    mine.iter()
        .chain(others.iter())
        .chain(proposals.iter())
        .find(|g| g.id == id)
        .cloned()
        .ok_or(AppError::NotFound)
}

/// Creates a group (stewards of its space) or proposes it (everyone else;
/// a steward decides). The creator becomes its owner.
#[utoipa::path(post, path = "/api/v1/n/{slug}/groups", tag = "groups",
    params(("slug" = String, Path, description = "The network's slug")),
    request_body = GroupInput,
    responses((status = 201, description = "Created or proposed (see `status`)", body = GroupView),
              (status = 422, description = "Refused fields", body = crate::error::Problem),
              (status = 404, description = "No such network of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn create_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    ApiJson(input): ApiJson<GroupInput>,
) -> Result<(StatusCode, Json<GroupView>), AppError> {
    let (id, _) = create(&state, &scope, &input)
        .await?
        .map_err(|errors| AppError::fields(&ctx, errors.iter().map(|e| (e.field, e.key))))?;
    Ok((StatusCode::CREATED, Json(body(&state, &scope, id).await?)))
}

/// One group.
#[utoipa::path(get, path = "/api/v1/n/{slug}/groups/{group_id}", tag = "groups",
    params(("slug" = String, Path, description = "The network's slug"),
           ("group_id" = i64, Path, description = "The group")),
    responses((status = 200, description = "The group", body = GroupView),
              (status = 404, description = "No such group for you", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn get_api(
    State(state): State<AppState>,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<Json<GroupView>, AppError> {
    group_for(&state, &scope, id).await?;
    Ok(Json(body(&state, &scope, id).await?))
}

/// Joins an open group, asks to join one by request, or accepts an
/// invitation; answers with the caller's standing.
#[utoipa::path(post, path = "/api/v1/n/{slug}/groups/{group_id}/join", tag = "groups",
    params(("slug" = String, Path, description = "The network's slug"),
           ("group_id" = i64, Path, description = "The group")),
    responses((status = 200, description = "The caller's standing now", body = GroupView),
              (status = 404, description = "No such group you may join", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn join_api(
    State(state): State<AppState>,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<Json<GroupView>, AppError> {
    let g = group_for(&state, &scope, id).await?;
    let _: JoinOutcome = join(&state, &scope, &g).await?;
    Ok(Json(body(&state, &scope, id).await?))
}

/// Leaves a group (or withdraws a request, or declines an invitation).
#[utoipa::path(post, path = "/api/v1/n/{slug}/groups/{group_id}/leave", tag = "groups",
    params(("slug" = String, Path, description = "The network's slug"),
           ("group_id" = i64, Path, description = "The group")),
    responses((status = 204, description = "Left"),
              (status = 409, description = "The last owner stays", body = crate::error::Problem),
              (status = 404, description = "No such group for you", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn leave_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<StatusCode, AppError> {
    let g = group_for(&state, &scope, id).await?;
    leave(&state, &scope, &g)
        .await?
        .map_err(|key| AppError::Conflict(ctx.t(key)))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
pub struct GroupFeedParams {
    /// The `next` of the previous page.
    pub after: Option<String>,
}

fn readable(g: &GroupCtx) -> Result<(), AppError> {
    if g.may_read() {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// A group's feed (members, everyone in the space for open groups).
#[utoipa::path(get, path = "/api/v1/n/{slug}/groups/{group_id}/posts", tag = "groups",
    params(("slug" = String, Path, description = "The network's slug"),
           ("group_id" = i64, Path, description = "The group"), GroupFeedParams),
    responses((status = 200, description = "A page of the group's feed", body = FeedBody),
              (status = 404, description = "No such group you may read", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn posts_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    Query(params): Query<GroupFeedParams>,
) -> Result<Json<FeedBody>, AppError> {
    let g = group_for(&state, &scope, id).await?;
    readable(&g)?;
    let after = params.after.as_deref().and_then(Cursor::decode);
    let page = load_feed(&state, &scope, Feed::Group(id), after).await?;
    Ok(Json(FeedBody {
        pinned: Vec::new(),
        posts: views(&state, &ctx, &scope, &page.posts)
            .await?
            .iter()
            .map(PostBody::of)
            .collect(),
        next: page.next.map(|c| c.encode()),
    }))
}

/// Posts in a group (its members only). `Idempotency-Key` as for the
/// network's feed.
#[utoipa::path(post, path = "/api/v1/n/{slug}/groups/{group_id}/posts", tag = "groups",
    params(("slug" = String, Path, description = "The network's slug"),
           ("group_id" = i64, Path, description = "The group"),
           ("Idempotency-Key" = Option<String>, Header, description = "A repeat returns the first post")),
    request_body = PostInput,
    responses((status = 201, description = "Posted", body = PostBody),
              (status = 200, description = "Already posted with this key", body = PostBody),
              (status = 422, description = "Refused fields", body = crate::error::Problem),
              (status = 404, description = "No such group you may post in", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn post_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    headers: HeaderMap,
    Path((_slug, id)): Path<(String, i64)>,
    ApiJson(input): ApiJson<PostInput>,
) -> Result<Response, AppError> {
    let g = group_for(&state, &scope, id).await?;
    if !g.may_post() || g.status != Status::Active {
        return Err(AppError::NotFound);
    }
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let (post_id, new) = crate::posts::create(&state, &scope, Some(id), &input, key)
        .await?
        .map_err(|e| refused(&ctx, &e))?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(body_of(&state, &ctx, &scope, post_id).await?)).into_response())
}

/// What a group's manager does with a member.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct MemberAction {
    /// `approve` or `decline` a request to join, or `remove` a member
    /// (not an owner).
    pub action: String,
}

/// Approves or declines a person's request to join, or removes a member
/// (the group's owners and its space's moderators; others: 404).
#[utoipa::path(post, path = "/api/v1/n/{slug}/groups/{group_id}/members/{profile_id}", tag = "groups",
    params(("slug" = String, Path, description = "The network's slug"),
           ("group_id" = i64, Path, description = "The group"),
           ("profile_id" = i64, Path, description = "The person")),
    request_body = MemberAction,
    responses((status = 204, description = "Done"),
              (status = 422, description = "Unknown action", body = crate::error::Problem),
              (status = 404, description = "No such group you manage, or nothing to do for that person", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn member_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    viewer: Viewer,
    Path((_slug, id, profile)): Path<(String, i64, i64)>,
    ApiJson(input): ApiJson<MemberAction>,
) -> Result<StatusCode, AppError> {
    if !matches!(input.action.as_str(), "approve" | "decline" | "remove") {
        // the group is checked first: what is not the caller's is 404
        crate::groups::group_for(&state, &scope, id).await?;
        return Err(AppError::Invalid {
            field: "action",
            message: ctx.t("invalid.group_member_action"),
        });
    }
    let (person, _) = crate::profiles::visible_person(&state, &scope, profile).await?;
    let who = person.account_id.ok_or(AppError::NotFound)?;
    crate::groups::change_member(&state, &scope, &viewer, id, who, &input.action).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An address to invite.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct InviteInput {
    pub email: String,
}

/// Invites a member to a group by e-mail address (its managers). The
/// answer is the same whether or not the address belongs to a member who
/// may join.
#[utoipa::path(post, path = "/api/v1/n/{slug}/groups/{group_id}/invitations", tag = "groups",
    params(("slug" = String, Path, description = "The network's slug"),
           ("group_id" = i64, Path, description = "The group")),
    request_body = InviteInput,
    responses((status = 202, description = "Invited, if the address is a member's who may join"),
              (status = 404, description = "No such group you manage", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn invite_api(
    State(state): State<AppState>,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    ApiJson(input): ApiJson<InviteInput>,
) -> Result<StatusCode, AppError> {
    crate::groups::invite(&state, &scope, id, &input.email).await?;
    Ok(StatusCode::ACCEPTED)
}

/// A moderator's decision about a proposed group.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ReviewInput {
    /// `approve` or `decline`.
    pub decision: String,
}

/// Approves or declines a proposed group (moderators of its space).
#[utoipa::path(post, path = "/api/v1/n/{slug}/groups/{group_id}/review", tag = "groups",
    params(("slug" = String, Path, description = "The network's slug"),
           ("group_id" = i64, Path, description = "The proposed group")),
    request_body = ReviewInput,
    responses((status = 204, description = "Decided"),
              (status = 409, description = "Already decided", body = crate::error::Problem),
              (status = 422, description = "Unknown decision", body = crate::error::Problem),
              (status = 404, description = "No such group you moderate", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn review_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    viewer: Viewer,
    Path((_slug, id)): Path<(String, i64)>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> Result<StatusCode, AppError> {
    if !matches!(input.decision.as_str(), "approve" | "decline") {
        crate::groups::group_for(&state, &scope, id).await?;
        return Err(AppError::Invalid {
            field: "decision",
            message: ctx.t("invalid.release_decision"),
        });
    }
    crate::groups::review(&state, &ctx, &scope, &viewer, id, &input.decision).await?;
    Ok(StatusCode::NO_CONTENT)
}
