//! The feed through the JSON API: list, read, write, edit and delete posts,
//! comment, react. The rules are the pages' ([`crate::posts`]): news
//! addressed to another audience is 404, only authors edit, authors and
//! admins delete. `Idempotency-Key` on a create makes a retried request
//! (or a double click in a client) one post.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use enishi_core::posts::{Cursor, FieldError, Reaction};
use enishi_store::now_ms;
use enishi_store::posts::{self as stored, Feed};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::ApiJson;
use crate::auth::Viewer;
use crate::ctx::PageCtx;
use crate::posts::{
    AuthorView, CommentView, PostInput, PostView, add_comment, audiences, create, edit, load_feed,
    remove, views, visible_post,
};
use crate::scope::NetworkScope;
use crate::{AppError, AppState};

/// An author as the caller may see them.
#[derive(Serialize, ToSchema)]
pub struct AuthorBody {
    /// In the caller's language's order; "former member" when the account
    /// is gone.
    pub name: String,
    /// Their profile in this network, if any.
    pub profile_id: Option<i64>,
    /// The small photo's URL, when the caller may see it.
    pub photo: Option<String>,
}

impl AuthorBody {
    pub fn of(a: &AuthorView) -> AuthorBody {
        AuthorBody {
            name: a.name.clone(),
            profile_id: a
                .href
                .as_deref()
                .and_then(|h| h.rsplit('/').next())
                .and_then(|id| id.parse().ok()),
            photo: a.photo.clone(),
        }
    }
}

/// One reaction to a post.
#[derive(Serialize, ToSchema)]
pub struct ReactionBody {
    /// `like`, `celebrate`, `thanks` or `insightful`.
    pub reaction: &'static str,
    pub count: i64,
    /// Whether the caller gave it.
    pub mine: bool,
}

/// A comment and its replies.
#[derive(Serialize, ToSchema)]
pub struct CommentBody {
    pub id: i64,
    /// Sanitised HTML of the markdown.
    pub html: String,
    pub author: AuthorBody,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Set when a moderator hid it: the reason given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden: Option<String>,
    #[schema(no_recursion)]
    pub replies: Vec<CommentBody>,
}

impl CommentBody {
    fn of(c: &CommentView) -> CommentBody {
        CommentBody {
            id: c.id,
            html: c.body_html.clone(),
            author: AuthorBody::of(&c.author),
            created_at: c.created_at,
            hidden: c.hidden.clone(),
            replies: c.replies.iter().map(CommentBody::of).collect(),
        }
    }
}

/// A post or news item.
#[derive(Serialize, ToSchema)]
pub struct PostBody {
    pub id: i64,
    /// `post` or `news`.
    pub kind: &'static str,
    /// News only.
    pub title: String,
    /// Sanitised HTML of the markdown.
    pub html: String,
    /// `everyone`, `alumni` or `staff`.
    pub audience: String,
    pub author: AuthorBody,
    /// Unix milliseconds.
    pub created_at: i64,
    pub edited: bool,
    pub pinned: bool,
    pub comment_count: i64,
    pub reactions: Vec<ReactionBody>,
    /// Set when a moderator hid it (only its author and moderators get
    /// it then): the reason given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden: Option<String>,
    /// Its picture's address, and what it shows.
    pub image: Option<String>,
    pub image_alt: Option<String>,
    /// Waiting for a moderator's approval (a new member's first post;
    /// shown to its author).
    pub held: bool,
    /// Only on a single post's answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comments: Option<Vec<CommentBody>>,
}

impl PostBody {
    pub fn of(v: &PostView) -> PostBody {
        PostBody {
            id: v.id,
            kind: if v.is_news { "news" } else { "post" },
            title: v.title.clone(),
            html: v.body_html.clone(),
            audience: v.audience.clone().unwrap_or_else(|| "everyone".into()),
            author: AuthorBody::of(&v.author),
            created_at: v.created_at,
            edited: v.edited,
            pinned: v.pinned,
            comment_count: v.comment_count,
            hidden: v.hidden.clone(),
            image: v.image.as_ref().map(|(src, _)| src.clone()),
            image_alt: v.image.as_ref().map(|(_, alt)| alt.clone()),
            held: v.held,
            reactions: v
                .reactions
                .iter()
                .map(|r| ReactionBody {
                    reaction: r.word,
                    count: r.count,
                    mine: r.mine,
                })
                .collect(),
            comments: None,
        }
    }
}

/// A page of the feed.
#[derive(Serialize, ToSchema)]
pub struct FeedBody {
    /// Pinned news (first page only).
    pub pinned: Vec<PostBody>,
    pub posts: Vec<PostBody>,
    /// Pass as `after` for the next page; null on the last.
    pub next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct FeedParams {
    /// The `next` of the previous page.
    pub after: Option<String>,
}

pub fn refused(ctx: &PageCtx, errors: &[FieldError]) -> AppError {
    AppError::fields(ctx, errors.iter().map(|e| (e.field, e.key)))
}

/// The feed: pinned news, then posts newest first.
#[utoipa::path(get, path = "/api/v1/n/{slug}/posts", tag = "feed",
    params(("slug" = String, Path, description = "The network's slug"), FeedParams),
    responses((status = 200, description = "A page of the feed", body = FeedBody),
              (status = 404, description = "No such network of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Query(params): Query<FeedParams>,
) -> Result<Json<FeedBody>, AppError> {
    let after = params.after.as_deref().and_then(Cursor::decode);
    let page = load_feed(&state, &scope, Feed::Network, after).await?;
    Ok(Json(FeedBody {
        pinned: views(&state, &ctx, &scope, &page.pinned)
            .await?
            .iter()
            .map(PostBody::of)
            .collect(),
        posts: views(&state, &ctx, &scope, &page.posts)
            .await?
            .iter()
            .map(PostBody::of)
            .collect(),
        next: page.next.map(|c| c.encode()),
    }))
}

/// How many new posts there are.
#[derive(Serialize, ToSchema)]
pub struct NewerBody {
    pub count: i64,
}

#[derive(Deserialize, IntoParams)]
pub struct NewerParams {
    /// The newest post the caller has (a cursor: `created_at.id`).
    pub since: String,
}

/// How many posts the caller may read were written after `since` (the
/// feed's "new posts" hint).
#[utoipa::path(get, path = "/api/v1/n/{slug}/posts/newer", tag = "feed",
    params(("slug" = String, Path, description = "The network's slug"), NewerParams),
    responses((status = 200, description = "The count", body = NewerBody),
              (status = 400, description = "A malformed cursor", body = crate::error::Problem),
              (status = 404, description = "No such network of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn newer(
    State(state): State<AppState>,
    scope: NetworkScope,
    Query(params): Query<NewerParams>,
) -> Result<Json<NewerBody>, AppError> {
    let since = Cursor::decode(&params.since).ok_or(AppError::BadRequest)?;
    let count = stored::newer_than(
        &state.db,
        scope.id(),
        Feed::Network,
        &audiences(&scope),
        since,
    )
    .await?;
    Ok(Json(NewerBody { count }))
}

pub async fn body_of(
    state: &AppState,
    ctx: &PageCtx,
    scope: &NetworkScope,
    id: i64,
) -> Result<PostBody, AppError> {
    let post = visible_post(state, scope, id).await?;
    let view = views(state, ctx, scope, std::slice::from_ref(&post))
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    let comments = stored::comments(&state.db, scope.id(), id).await?;
    let mut body = PostBody::of(&view);
    body.comments = Some(
        crate::posts::comment_views(
            ctx,
            scope,
            &comments,
            crate::posts::moderates(state, scope, &post).await?,
        )
        .iter()
        .map(CommentBody::of)
        .collect(),
    );
    Ok(body)
}

/// Writes a post (or, for admins, news). Send `Idempotency-Key` to make
/// retries safe.
#[utoipa::path(post, path = "/api/v1/n/{slug}/posts", tag = "feed",
    params(("slug" = String, Path, description = "The network's slug"),
           ("Idempotency-Key" = Option<String>, Header, description = "16–64 letters, digits or hyphens; a repeat returns the first post")),
    request_body = PostInput,
    responses((status = 201, description = "Posted", body = PostBody),
              (status = 200, description = "Already posted with this key", body = PostBody),
              (status = 422, description = "Refused fields", body = crate::error::Problem),
              (status = 404, description = "No such network of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn create_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    headers: HeaderMap,
    ApiJson(input): ApiJson<PostInput>,
) -> Result<Response, AppError> {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    if key.is_some_and(|k| enishi_core::posts::check_once_key(k).is_none()) {
        return Err(AppError::Invalid {
            field: "Idempotency-Key",
            message: ctx.t("invalid.idempotency_key"),
        });
    }
    let (id, new) = create(&state, &scope, None, &input, key)
        .await?
        .map_err(|e| refused(&ctx, &e))?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(body_of(&state, &ctx, &scope, id).await?)).into_response())
}

/// A post with its comments.
#[utoipa::path(get, path = "/api/v1/n/{slug}/posts/{post_id}", tag = "feed",
    params(("slug" = String, Path, description = "The network's slug"),
           ("post_id" = i64, Path, description = "The post")),
    responses((status = 200, description = "The post", body = PostBody),
              (status = 404, description = "No such post for you", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn get_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<Json<PostBody>, AppError> {
    Ok(Json(body_of(&state, &ctx, &scope, id).await?))
}

/// Changes one's own post (`kind` is ignored: a post stays what it is).
#[utoipa::path(put, path = "/api/v1/n/{slug}/posts/{post_id}", tag = "feed",
    params(("slug" = String, Path, description = "The network's slug"),
           ("post_id" = i64, Path, description = "The post")),
    request_body = PostInput,
    responses((status = 200, description = "Saved", body = PostBody),
              (status = 422, description = "Refused fields", body = crate::error::Problem),
              (status = 404, description = "No such post of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn update_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    ApiJson(input): ApiJson<PostInput>,
) -> Result<Json<PostBody>, AppError> {
    let post = visible_post(&state, &scope, id).await?;
    edit(&state, &scope, &post, &input)
        .await?
        .map_err(|e| refused(&ctx, &e))?;
    Ok(Json(body_of(&state, &ctx, &scope, id).await?))
}

/// Deletes a post (its author, or an admin).
#[utoipa::path(delete, path = "/api/v1/n/{slug}/posts/{post_id}", tag = "feed",
    params(("slug" = String, Path, description = "The network's slug"),
           ("post_id" = i64, Path, description = "The post")),
    responses((status = 204, description = "Deleted"),
              (status = 404, description = "No such post you may delete", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn delete_api(
    State(state): State<AppState>,
    scope: NetworkScope,
    viewer: Viewer,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<StatusCode, AppError> {
    let post = visible_post(&state, &scope, id).await?;
    remove(&state, &scope, &viewer, &post).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A comment as written.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct CommentInput {
    /// Markdown.
    pub body: String,
    /// The comment replied to (a reply to a reply joins its thread).
    pub reply_to: Option<i64>,
}

/// The stored comment's id.
#[derive(Serialize, ToSchema)]
pub struct CommentCreated {
    pub id: i64,
}

/// Comments on a post (or replies to a comment).
#[utoipa::path(post, path = "/api/v1/n/{slug}/posts/{post_id}/comments", tag = "feed",
    params(("slug" = String, Path, description = "The network's slug"),
           ("post_id" = i64, Path, description = "The post"),
           ("Idempotency-Key" = Option<String>, Header, description = "A repeat returns the first comment")),
    request_body = CommentInput,
    responses((status = 201, description = "Stored", body = CommentCreated),
              (status = 422, description = "Refused fields", body = crate::error::Problem),
              (status = 404, description = "No such post for you", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn comment_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    headers: HeaderMap,
    Path((_slug, id)): Path<(String, i64)>,
    ApiJson(input): ApiJson<CommentInput>,
) -> Result<(StatusCode, Json<CommentCreated>), AppError> {
    let post = visible_post(&state, &scope, id).await?;
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let cid = add_comment(&state, &scope, &post, &input.body, input.reply_to, key)
        .await?
        .map_err(|e| refused(&ctx, &[e]))?;
    Ok((StatusCode::CREATED, Json(CommentCreated { id: cid })))
}

/// Deletes a comment and its replies (its author, or an admin).
#[utoipa::path(delete, path = "/api/v1/n/{slug}/posts/{post_id}/comments/{comment_id}", tag = "feed",
    params(("slug" = String, Path, description = "The network's slug"),
           ("post_id" = i64, Path, description = "The post"),
           ("comment_id" = i64, Path, description = "The comment")),
    responses((status = 204, description = "Deleted"),
              (status = 404, description = "No such comment you may delete", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn delete_comment_api(
    State(state): State<AppState>,
    scope: NetworkScope,
    viewer: Viewer,
    Path((_slug, id, comment_id)): Path<(String, i64, i64)>,
) -> Result<StatusCode, AppError> {
    let post = visible_post(&state, &scope, id).await?;
    crate::posts::remove_comment(&state, &scope, &viewer, &post, comment_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn set_reaction(
    state: &AppState,
    scope: &NetworkScope,
    id: i64,
    word: &str,
    on: bool,
) -> Result<StatusCode, AppError> {
    let post = visible_post(state, scope, id).await?;
    crate::posts::open_for_replies(&post)?;
    let reaction = Reaction::parse(word).ok_or(AppError::NotFound)?;
    stored::react(
        &state.db,
        scope.id(),
        post.id,
        scope.membership.account_id,
        reaction.as_str(),
        on,
        now_ms(),
    )
    .await?;
    if on {
        crate::posts::reacted(state, scope, &post).await;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Reacts to a post (again: no change).
#[utoipa::path(put, path = "/api/v1/n/{slug}/posts/{post_id}/reactions/{reaction}", tag = "feed",
    params(("slug" = String, Path, description = "The network's slug"),
           ("post_id" = i64, Path, description = "The post"),
           ("reaction" = String, Path, description = "`like`, `celebrate`, `thanks` or `insightful`")),
    responses((status = 204, description = "Reacted"),
              (status = 404, description = "No such post or reaction", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn react_api(
    State(state): State<AppState>,
    scope: NetworkScope,
    Path((_slug, id, word)): Path<(String, i64, String)>,
) -> Result<StatusCode, AppError> {
    set_reaction(&state, &scope, id, &word, true).await
}

/// Takes a reaction back.
#[utoipa::path(delete, path = "/api/v1/n/{slug}/posts/{post_id}/reactions/{reaction}", tag = "feed",
    params(("slug" = String, Path, description = "The network's slug"),
           ("post_id" = i64, Path, description = "The post"),
           ("reaction" = String, Path, description = "`like`, `celebrate`, `thanks` or `insightful`")),
    responses((status = 204, description = "Taken back"),
              (status = 404, description = "No such post or reaction", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn unreact_api(
    State(state): State<AppState>,
    scope: NetworkScope,
    Path((_slug, id, word)): Path<(String, i64, String)>,
) -> Result<StatusCode, AppError> {
    set_reaction(&state, &scope, id, &word, false).await
}

/// A stored picture, to name in a new post's `image`.
#[derive(Serialize, ToSchema)]
pub struct UploadedImage {
    /// The key to send as the post's `image`.
    pub key: String,
    /// Where the picture is served (to the network's members).
    pub url: String,
}

/// Uploads a picture for a post (multipart, field `image`; JPEG, PNG or
/// WebP up to 5 MB). It is re-encoded without its metadata and cut to fit
/// 512 pixels; name it in `POST …/posts` as `image` (once).
#[utoipa::path(post, path = "/api/v1/n/{slug}/images", tag = "feed",
    params(("slug" = String, Path, description = "The network's slug")),
    request_body(content_type = "multipart/form-data", description = "`image`: the file"),
    responses((status = 201, description = "Stored", body = UploadedImage),
              (status = 422, description = "Not a picture we take", body = crate::error::Problem),
              (status = 404, description = "No such network of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn upload_image_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    mut multipart: axum::extract::Multipart,
) -> Result<(StatusCode, Json<UploadedImage>), AppError> {
    let mut file = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::from_rejection(e.status(), e.body_text()))?
    {
        if matches!(field.name(), Some("image" | "file")) {
            file = field
                .bytes()
                .await
                .map_err(|e| AppError::from_rejection(e.status(), e.body_text()))?
                .to_vec();
        }
    }
    let key = crate::posts::store_image(&state, &scope, file)
        .await?
        .map_err(|e| AppError::Invalid {
            field: "image",
            message: ctx.t(e.key()),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(UploadedImage {
            url: crate::images::url(scope.slug(), &key, enishi_store::images::Size::Large),
            key,
        }),
    ))
}
