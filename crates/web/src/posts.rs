//! The feed, as pages: company news pinned on top, then members' posts
//! newest first (keyset pages), a post with its comments and replies,
//! reactions, editing and deleting. [`crate::posts_api`] offers the same
//! through the JSON API; both go through the functions here, so the rules
//! (core::posts) are applied once.
//!
//! A news item addressed to alumni or to staff does not exist for anyone
//! else: reading, commenting on or reacting to it by URL answers 404.
//! Forms carry a one-time key, so a double click posts once.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use enishi_core::Lang;
use enishi_core::groups::Space;
use enishi_core::moderation;
use enishi_core::posts::{
    self, Audience, Cursor, FieldError, MAX_BODY_CHARS, MAX_COMMENT_CHARS, MAX_TITLE_CHARS,
    PAGE_SIZE, PostKind, Reaction,
};
use enishi_core::privacy::{Field, may_see};
use enishi_core::profile::Visibilities;
use enishi_core::text::grouped;
use enishi_store::images::Size;
use enishi_store::now_ms;
use enishi_store::posts::{
    self as stored, Added, Author, Comment, Feed, NewComment, NewPost, Post,
};
use serde::Deserialize;

use crate::auth::Viewer;
use crate::csrf::{CsrfForm, random_token};
use crate::ctx::PageCtx;
use crate::images;
use crate::profiles::viewer_of;
use crate::scope::NetworkScope;
use crate::{AppError, AppState};

// ─────────────────────────────── rules ───────────────────────────────

/// The audiences `scope`'s member may read.
pub fn audiences(scope: &NetworkScope) -> Vec<Audience> {
    Audience::readable_by(scope.kind, scope.role)
}

/// The stored HTML of a post or comment, or (rows written before it was
/// stored) the body rendered now.
fn cooked(html: &str, body: &str) -> String {
    if html.is_empty() {
        crate::markdown::render(body)
    } else {
        html.to_string()
    }
}

/// A post the member may read, or 404: news of another audience, and
/// posts of a group the member may not read, do not exist for them.
pub async fn visible_post(
    state: &AppState,
    scope: &NetworkScope,
    id: i64,
) -> Result<Post, AppError> {
    let post = stored::get(&state.db, scope.id(), id, &audiences(scope))
        .await?
        .ok_or(AppError::NotFound)?;
    let moderator = moderates(state, scope, &post).await?;
    if (post.hidden_at.is_some() || post.held_at.is_some())
        && !moderation::sees_hidden(post.author_id, scope.membership.account_id, moderator)
    {
        return Err(AppError::NotFound);
    }
    Ok(post)
}

/// The space a post lives in: its group's, or the network's shared one.
/// 404 when the post is in a group the member may not read.
pub async fn space_of(
    state: &AppState,
    scope: &NetworkScope,
    post: &Post,
) -> Result<Space, AppError> {
    match post.group_id {
        None => Ok(Space::Shared),
        Some(group_id) => {
            let group = crate::groups::group_for(state, scope, group_id).await?;
            if group.may_read() {
                Ok(group.space)
            } else {
                Err(AppError::NotFound)
            }
        }
    }
}

/// Whether the member moderates the post's space (404 as [`space_of`]).
pub async fn moderates(
    state: &AppState,
    scope: &NetworkScope,
    post: &Post,
) -> Result<bool, AppError> {
    let space = space_of(state, scope, post).await?;
    Ok(moderation::may_moderate(space, scope.kind, scope.role))
}

/// Hidden posts take no comments or reactions, not even from their author.
pub fn open_for_replies(post: &Post) -> Result<(), AppError> {
    if post.hidden_at.is_some() || post.held_at.is_some() {
        Err(AppError::NotFound)
    } else {
        Ok(())
    }
}

/// A post as written in a form or an API call.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PostInput {
    /// `post` (default) or `news` (admins).
    pub kind: String,
    /// News only.
    pub title: String,
    /// Markdown.
    pub body: String,
    /// News only: `everyone` (default), `alumni` or `staff`.
    pub audience: String,
    /// A picture: the key `POST /api/v1/n/{slug}/images` gave (the
    /// caller's own upload, not on another post yet).
    pub image: String,
    /// What the picture shows, for people who cannot see it.
    pub image_alt: String,
}

fn kind_of(input: &PostInput, scope: &NetworkScope) -> Result<PostKind, Vec<FieldError>> {
    let kind = match input.kind.trim() {
        "" => Some(PostKind::Post),
        word => PostKind::parse(word),
    };
    match kind {
        Some(PostKind::News) if !posts::may_write_news(scope.role) => Err(vec![FieldError {
            field: "kind",
            key: "invalid.post_news_admins",
        }]),
        Some(k) => Ok(k),
        None => Err(vec![FieldError {
            field: "kind",
            key: "invalid.post_kind",
        }]),
    }
}

/// Checks and stores a new post in the network's feed (`group`: `None`)
/// or a group's (the caller checked that the member may post there): its
/// id and whether it is new (a repeated one-time key returns the first
/// post).
pub async fn create(
    state: &AppState,
    scope: &NetworkScope,
    group: Option<i64>,
    input: &PostInput,
    once_key: Option<&str>,
) -> Result<Result<(i64, bool), Vec<FieldError>>, AppError> {
    let kind = match kind_of(input, scope) {
        Ok(PostKind::News) if group.is_some() => {
            return Ok(Err(vec![FieldError {
                field: "kind",
                key: "invalid.post_news_group",
            }]));
        }
        Ok(k) => k,
        Err(e) => return Ok(Err(e)),
    };
    let draft = match posts::check_post(kind, &input.title, &input.body, &input.audience) {
        Ok(d) => d,
        Err(e) => return Ok(Err(e)),
    };
    let image = match check_image(state, scope, input).await? {
        Ok(i) => i,
        Err(e) => return Ok(Err(vec![e])),
    };
    let once = once_key.and_then(posts::check_once_key);
    let html = crate::markdown::render(&draft.body);
    let held = must_wait(state, scope).await?;
    let new = NewPost {
        image: image.as_ref().map(|(k, a)| (k.as_str(), a.as_str())),
        held,
        html: &html,
        kind: draft.kind.as_str(),
        group_id: group,
        author_id: scope.membership.account_id,
        title: &draft.title,
        body: &draft.body,
        audience: draft.audience.as_str(),
        once_key: once.as_deref(),
    };
    let (id, fresh) = stored::create(&state.db, scope.id(), &new, now_ms()).await?;
    // a held post tells nobody until a moderator approves it
    if fresh
        && !held
        && let Some(post) = stored::get(&state.db, scope.id(), id, &audiences(scope)).await?
        && let Err(e) =
            crate::notifications::notify_mentions(state, scope, &post, &draft.body, None).await
    {
        tracing::error!(error = %e, "could not tell the people mentioned");
    }
    Ok(Ok((id, fresh)))
}

/// Characters a picture's description may have.
pub const MAX_IMAGE_ALT_CHARS: usize = 300;

/// The picture a new post names, checked: the member's own upload for a
/// post, on no other post yet (else a field error, the same for someone
/// else's key and a made-up one).
async fn check_image(
    state: &AppState,
    scope: &NetworkScope,
    input: &PostInput,
) -> Result<Result<Option<(String, String)>, FieldError>, AppError> {
    let key = input.image.trim();
    if key.is_empty() {
        return Ok(Ok(None));
    }
    let alt: String = input
        .image_alt
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_string();
    if alt.chars().count() > MAX_IMAGE_ALT_CHARS {
        return Ok(Err(FieldError {
            field: "image_alt",
            key: "invalid.post_image_alt",
        }));
    }
    let mine = enishi_store::images::owner(&state.db, scope.id(), key)
        .await?
        .is_some_and(|(owner, purpose)| {
            owner == Some(scope.membership.account_id) && purpose == "post"
        });
    if !mine || stored::image_in_use(&state.db, scope.id(), key).await? {
        return Ok(Err(FieldError {
            field: "image",
            key: "invalid.post_image",
        }));
    }
    Ok(Ok(Some((key.to_string(), alt))))
}

/// Cleans an uploaded picture (the photo pipeline, cut to fit) and stores
/// it as the member's, for a post: its key.
pub async fn store_image(
    state: &AppState,
    scope: &NetworkScope,
    file: Vec<u8>,
) -> Result<Result<String, crate::images::ImageError>, AppError> {
    crate::images::store(state, scope, file, crate::images::Shape::Fit, "post").await
}

/// Whether the member's new post waits for a moderator: the network
/// reviews new members' first posts, they are a plain member, and they
/// have nothing published yet.
pub async fn must_wait(state: &AppState, scope: &NetworkScope) -> Result<bool, AppError> {
    if scope.role != enishi_core::networks::Role::Member
        || !enishi_store::networks::first_post_review(&state.db, scope.id()).await?
    {
        return Ok(false);
    }
    Ok(!stored::has_published(&state.db, scope.id(), scope.membership.account_id).await?)
}

/// Changes a post the viewer wrote (others: 404, as if it were not there
/// to change).
pub async fn edit(
    state: &AppState,
    scope: &NetworkScope,
    post: &Post,
    input: &PostInput,
) -> Result<Result<(), Vec<FieldError>>, AppError> {
    if !posts::may_edit(post.author_id, scope.membership.account_id) {
        return Err(AppError::NotFound);
    }
    let kind = PostKind::parse(&post.kind).unwrap_or(PostKind::Post);
    let draft = match posts::check_post(kind, &input.title, &input.body, &input.audience) {
        Ok(d) => d,
        Err(e) => return Ok(Err(e)),
    };
    let words = stored::Words {
        title: &draft.title,
        body: &draft.body,
        html: &crate::markdown::render(&draft.body),
        audience: draft.audience.as_str(),
    };
    stored::update(&state.db, scope.id(), post.id, &words, now_ms()).await?;
    Ok(Ok(()))
}

/// Deletes a post (its author, or an admin — recorded in the audit log
/// when it is someone else's).
pub async fn remove(
    state: &AppState,
    scope: &NetworkScope,
    viewer: &Viewer,
    post: &Post,
) -> Result<(), AppError> {
    let me = scope.membership.account_id;
    if !posts::may_delete(post.author_id, me, scope.role) {
        return Err(AppError::NotFound);
    }
    stored::delete(&state.db, scope.id(), post.id).await?;
    if let Some(key) = &post.image_key {
        enishi_store::images::delete(&state.db, scope.id(), key).await?;
    }
    if post.author_id != Some(me) {
        state
            .record_event(
                Some(scope.network.id),
                Some(me),
                "post.deleted",
                Some(&post.id.to_string()),
                &viewer.ip_text(),
            )
            .await;
    }
    Ok(())
}

/// Adds a comment (or a reply) to a readable post; in a group, only its
/// members comment (others: 404, like posting there).
pub async fn add_comment(
    state: &AppState,
    scope: &NetworkScope,
    post: &Post,
    body: &str,
    reply_to: Option<i64>,
    once_key: Option<&str>,
) -> Result<Result<i64, FieldError>, AppError> {
    open_for_replies(post)?;
    // in a group, its members comment (readers of an open group only read)
    if let Some(group_id) = post.group_id
        && !crate::groups::group_for(state, scope, group_id)
            .await?
            .may_post()
    {
        return Err(AppError::NotFound);
    }
    let body = match posts::check_comment(body) {
        Ok(b) => b,
        Err(e) => return Ok(Err(e)),
    };
    let once = once_key.and_then(posts::check_once_key);
    let html = crate::markdown::render(&body);
    let new = NewComment {
        html: &html,
        post_id: post.id,
        reply_to,
        author_id: scope.membership.account_id,
        body: &body,
        once_key: once.as_deref(),
    };
    match stored::add_comment(&state.db, scope.id(), &new, now_ms()).await? {
        Added::Created(id) => {
            let parent = match reply_to {
                Some(parent) => stored::comment(&state.db, scope.id(), post.id, parent)
                    .await?
                    .and_then(|c| c.author_id),
                None => None,
            };
            let who = enishi_core::notifications::for_comment(
                scope.membership.account_id,
                post.author_id,
                parent,
            );
            let about = crate::notifications::About {
                post: Some(post.id),
                comment: Some(id),
                ..Default::default()
            };
            crate::notifications::notify(state, scope, &who, about).await;
            if let Err(e) =
                crate::notifications::notify_mentions(state, scope, post, &body, Some(id)).await
            {
                tracing::error!(error = %e, "could not tell the people mentioned");
            }
            Ok(Ok(id))
        }
        Added::Repeated(id) => Ok(Ok(id)),
        Added::NoSuchParent => Ok(Err(FieldError {
            field: "reply_to",
            key: "invalid.comment_parent",
        })),
    }
}

/// Deletes a comment and its replies (its author or an admin).
pub async fn remove_comment(
    state: &AppState,
    scope: &NetworkScope,
    viewer: &Viewer,
    post: &Post,
    comment_id: i64,
) -> Result<(), AppError> {
    let comment = stored::comment(&state.db, scope.id(), post.id, comment_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let me = scope.membership.account_id;
    if !posts::may_delete(comment.author_id, me, scope.role) {
        return Err(AppError::NotFound);
    }
    stored::delete_comment(&state.db, scope.id(), post.id, comment.id).await?;
    if comment.author_id != Some(me) {
        state
            .record_event(
                Some(scope.network.id),
                Some(me),
                "comment.deleted",
                Some(&format!("{}/{}", post.id, comment.id)),
                &viewer.ip_text(),
            )
            .await;
    }
    Ok(())
}

// ─────────────────────────────── views ───────────────────────────────

/// An author as a post shows them.
#[derive(Clone, Debug)]
pub struct AuthorView {
    pub name: String,
    /// Their profile page, when they have one here.
    pub href: Option<String>,
    pub initial: String,
    pub hue: u8,
    pub photo: Option<String>,
}

impl AuthorView {
    /// The people of `accounts` as their profiles here show them, in the
    /// order given (one read for them all).
    pub async fn of_accounts(
        state: &crate::AppState,
        scope: &NetworkScope,
        ctx: &crate::ctx::PageCtx,
        accounts: &[i64],
    ) -> Result<Vec<AuthorView>, crate::AppError> {
        Ok(
            enishi_store::posts::authors_of_accounts(&state.db, scope.id(), accounts)
                .await?
                .iter()
                .map(|(id, author)| {
                    AuthorView::of(
                        scope,
                        ctx.lang,
                        Some(*id),
                        author,
                        ctx.t("posts.former_member"),
                    )
                })
                .collect(),
        )
    }

    /// One person's name as their profile here shows it.
    pub async fn name_of_account(
        state: &crate::AppState,
        scope: &NetworkScope,
        ctx: &crate::ctx::PageCtx,
        account: i64,
    ) -> Result<String, crate::AppError> {
        Ok(AuthorView::of_accounts(state, scope, ctx, &[account])
            .await?
            .pop()
            .map(|a| a.name)
            .unwrap_or_default())
    }

    pub fn of(
        scope: &NetworkScope,
        ctx_lang: Lang,
        author_id: Option<i64>,
        a: &Author,
        former: &str,
    ) -> AuthorView {
        let Some(profile_id) = a.profile_id else {
            return AuthorView {
                name: former.to_string(),
                href: None,
                initial: "?".into(),
                hue: 0,
                photo: None,
            };
        };
        let s = |o: &Option<String>| o.clone().unwrap_or_default();
        let name = enishi_core::profile::name_in(
            ctx_lang,
            &s(&a.family),
            &s(&a.given),
            &s(&a.family_romaji),
            &s(&a.given_romaji),
        );
        let vis: Visibilities = a
            .visibility
            .as_deref()
            .and_then(|v| serde_json::from_str(v).ok())
            .unwrap_or_default();
        let photo = a
            .photo_key
            .as_deref()
            .filter(|_| may_see(vis.of(Field::Photo), viewer_of(scope, author_id)))
            .map(|k| images::url(scope.slug(), k, Size::Small));
        AuthorView {
            initial: s(&a.family)
                .chars()
                .next()
                .map(String::from)
                .unwrap_or_else(|| "?".into()),
            hue: (enishi_core::names::mix(profile_id as u64) % 8) as u8,
            href: Some(format!("/n/{}/people/{profile_id}", scope.slug())),
            photo,
            name,
        }
    }
}

/// One reaction button.
#[derive(Clone, Debug)]
pub struct ReactionView {
    pub word: &'static str,
    pub symbol: &'static str,
    pub count: i64,
    pub mine: bool,
}

/// A post as the feed and its page show it.
#[derive(Clone, Debug)]
pub struct PostView {
    pub id: i64,
    /// The group it was written in.
    pub group_id: Option<i64>,
    pub is_news: bool,
    pub title: String,
    pub body_html: String,
    /// The audience word of news not addressed to everyone.
    pub audience: Option<String>,
    pub author: AuthorView,
    pub created_at: i64,
    pub edited: bool,
    pub pinned: bool,
    pub comment_count: i64,
    pub reactions: Vec<ReactionView>,
    pub may_edit: bool,
    pub may_delete: bool,
    pub may_pin: bool,
    /// Hidden by a moderator: why (shown to its author and moderators).
    pub hidden: Option<String>,
    /// Whether the viewer may report it (not their own, not hidden).
    pub may_report: bool,
    /// Waiting for a moderator's approval (shown to its author).
    pub held: bool,
    /// Its picture's address and description.
    pub image: Option<(String, String)>,
}

/// The views of `list`, with their reactions: as read with the posts (the
/// feeds), or else one query for all.
pub async fn views(
    state: &AppState,
    ctx: &PageCtx,
    scope: &NetworkScope,
    list: &[Post],
) -> Result<Vec<PostView>, AppError> {
    let me = scope.membership.account_id;
    let counted: Vec<(i64, String, i64, bool)> = match list
        .iter()
        .map(|p| p.reactions())
        .collect::<Option<Vec<_>>>()
    {
        Some(read) => list
            .iter()
            .zip(read)
            .flat_map(|(p, rs)| rs.into_iter().map(move |(w, n, mine)| (p.id, w, n, mine)))
            .collect(),
        None => {
            let ids: Vec<i64> = list.iter().map(|p| p.id).collect();
            stored::reactions(&state.db, scope.id(), &ids, me).await?
        }
    };
    Ok(list
        .iter()
        .map(|p| {
            let reactions = Reaction::ALL
                .iter()
                .map(|r| {
                    let hit = counted
                        .iter()
                        .find(|(id, word, _, _)| *id == p.id && word == r.as_str());
                    ReactionView {
                        word: r.as_str(),
                        symbol: r.symbol(),
                        count: hit.map(|h| h.2).unwrap_or(0),
                        mine: hit.is_some_and(|h| h.3),
                    }
                })
                .collect();
            let is_news = p.kind == PostKind::News.as_str();
            PostView {
                id: p.id,
                group_id: p.group_id,
                is_news,
                title: p.title.clone(),
                body_html: cooked(&p.html, &p.body),
                audience: (p.audience != Audience::Everyone.as_str()).then(|| p.audience.clone()),
                author: AuthorView::of(
                    scope,
                    ctx.lang,
                    p.author_id,
                    &p.author,
                    ctx.t("posts.former_member"),
                ),
                created_at: p.created_at,
                edited: p.edited_at.is_some(),
                pinned: p.pinned_at.is_some(),
                comment_count: p.comment_count,
                reactions,
                may_edit: posts::may_edit(p.author_id, me),
                may_delete: posts::may_delete(p.author_id, me, scope.role),
                may_pin: is_news && scope.is_admin(),
                hidden: p
                    .hidden_at
                    .map(|_| p.hidden_reason.clone().unwrap_or_default()),
                may_report: p.author_id != Some(me) && p.hidden_at.is_none() && p.held_at.is_none(),
                held: p.held_at.is_some(),
                image: p.image_key.as_deref().map(|k| {
                    (
                        images::url(scope.slug(), k, Size::Large),
                        p.image_alt.clone(),
                    )
                }),
            }
        })
        .collect())
}

// ─────────────────────────────── feed ───────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "posts/feed.html")]
pub struct FeedPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub pinned: Vec<PostView>,
    pub posts: Vec<PostView>,
    /// The next page's link, when there is one.
    pub next: Option<String>,
    pub first_page: bool,
    /// The newest post's cursor, for the "new posts" hint.
    pub newest: String,
    pub may_write_news: bool,
    pub input: PostInput,
    pub errors: Vec<FieldError>,
    pub once: String,
    pub notice: Option<&'static str>,
    /// The body's limit, written out (`20,000`).
    pub max_body: String,
    pub max_title: usize,
}

impl FeedPage {
    /// The message for form field `field`, if it was refused.
    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| self.ctx.t(e.key))
    }
}

#[derive(Deserialize, Default)]
pub struct FeedQuery {
    pub after: Option<String>,
    pub done: Option<String>,
}

/// One page of the feed as stored: the pinned news (first page only),
/// the stream's posts, and where the next page starts.
pub struct FeedSlice {
    pub pinned: Vec<Post>,
    pub posts: Vec<Post>,
    pub next: Option<Cursor>,
}

/// Where a post stands in the feed's order.
pub fn cursor_of(p: &Post) -> Cursor {
    Cursor {
        created_at: p.created_at,
        id: p.id,
    }
}

/// The page of the feed that starts after `after`, as `scope`'s member
/// may read it.
pub async fn load_feed(
    state: &AppState,
    scope: &NetworkScope,
    which: Feed,
    after: Option<Cursor>,
) -> Result<FeedSlice, AppError> {
    let aud = audiences(scope);
    let me = scope.membership.account_id;
    let (pinned, mut posts) = if after.is_none() && which == Feed::Network {
        stored::first_page(&state.db, scope.id(), me, &aud, PAGE_SIZE + 1).await?
    } else {
        (
            Vec::new(),
            stored::feed(&state.db, scope.id(), which, me, &aud, after, PAGE_SIZE + 1).await?,
        )
    };
    let more = posts.len() as i64 > PAGE_SIZE;
    posts.truncate(PAGE_SIZE as usize);
    let next = posts.last().filter(|_| more).map(cursor_of);
    Ok(FeedSlice {
        pinned,
        posts,
        next,
    })
}

async fn feed_page(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
    after: Option<Cursor>,
    input: PostInput,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
) -> Result<FeedPage, AppError> {
    let page = load_feed(state, scope, Feed::Network, after).await?;
    let next = page
        .next
        .map(|c| format!("/n/{}/feed?after={}", scope.slug(), c.encode()));
    let newest = page
        .pinned
        .iter()
        .chain(page.posts.iter())
        .map(cursor_of)
        .max_by_key(|c| (c.created_at, c.id))
        .map(|c| c.encode())
        .unwrap_or_else(|| "0.0".into());
    // one reactions query for the pinned news and the page together
    let pinned_count = page.pinned.len();
    let mut posts = views(state, &ctx, scope, &[page.pinned, page.posts].concat()).await?;
    let pinned: Vec<PostView> = posts.drain(..pinned_count).collect();
    Ok(FeedPage {
        slug: scope.slug().to_string(),
        pinned,
        posts,
        next,
        first_page: after.is_none(),
        newest,
        may_write_news: posts::may_write_news(scope.role),
        input,
        errors,
        once: once_key(),
        notice,
        max_body: grouped(MAX_BODY_CHARS as i64),
        max_title: MAX_TITLE_CHARS,
        ctx,
    })
}

/// `GET /n/{slug}/feed`
pub async fn feed(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Query(q): Query<FeedQuery>,
) -> Result<FeedPage, AppError> {
    let after = q.after.as_deref().and_then(Cursor::decode);
    let notice = match q.done.as_deref() {
        Some("deleted") => Some(ctx.t("posts.notice_deleted")),
        _ => None,
    };
    feed_page(
        &state,
        ctx,
        &scope,
        after,
        PostInput::default(),
        Vec::new(),
        notice,
    )
    .await
}

/// A fresh one-time key for a form: 32 hex digits, so that a reply form's
/// `{key}-{comment id}` stays within the 64 characters a key may have.
fn once_key() -> String {
    random_token()[..32].to_string()
}

/// The composer's fields, with the one-time key.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PostForm {
    pub kind: String,
    pub title: String,
    pub body: String,
    pub audience: String,
    pub once: String,
}

/// The composer as sent: a urlencoded form, or a multipart one when it
/// carries a picture (the CSRF field is checked either way).
pub struct Composer {
    pub form: PostForm,
    pub image: Vec<u8>,
    pub image_alt: String,
}

impl axum::extract::FromRequest<AppState> for Composer {
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &AppState) -> Result<Self, AppError> {
        let multipart = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let CsrfForm(pairs) =
                CsrfForm::<Vec<(String, String)>>::from_request(req, state).await?;
            return Ok(Composer::of(pairs, Vec::new()));
        }
        let upload = crate::profiles::CsrfUpload::from_request(req, state).await?;
        Ok(Composer::of(upload.fields, upload.file))
    }
}

impl Composer {
    fn of(pairs: Vec<(String, String)>, image: Vec<u8>) -> Composer {
        let field = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        Composer {
            form: PostForm {
                kind: field("kind"),
                title: field("title"),
                body: field("body"),
                audience: field("audience"),
                once: field("once"),
            },
            image,
            image_alt: field("image_alt"),
        }
    }

    /// The post as written, with its picture stored first when the words
    /// are fine (so a refused post leaves no picture behind): the input,
    /// or the input and what was refused.
    pub async fn input(
        self,
        state: &AppState,
        scope: &NetworkScope,
        group: Option<i64>,
    ) -> Result<Result<PostInput, (PostInput, Vec<FieldError>)>, AppError> {
        let mut input = PostInput {
            kind: if group.is_some() {
                "post".into()
            } else {
                self.form.kind
            },
            title: self.form.title,
            body: self.form.body,
            audience: self.form.audience,
            image: String::new(),
            image_alt: self.image_alt,
        };
        if self.image.is_empty() {
            return Ok(Ok(input));
        }
        let errors = precheck(scope, group, &input);
        if !errors.is_empty() {
            return Ok(Err((input, errors)));
        }
        match store_image(state, scope, self.image).await? {
            Ok(key) => {
                input.image = key;
                Ok(Ok(input))
            }
            Err(e) => Ok(Err((
                input,
                vec![FieldError {
                    field: "image",
                    key: e.key(),
                }],
            ))),
        }
    }
}

/// What [`create`] would refuse in the words of a post (before anything
/// is stored).
pub fn precheck(scope: &NetworkScope, group: Option<i64>, input: &PostInput) -> Vec<FieldError> {
    match kind_of(input, scope) {
        Ok(PostKind::News) if group.is_some() => vec![FieldError {
            field: "kind",
            key: "invalid.post_news_group",
        }],
        Ok(kind) => posts::check_post(kind, &input.title, &input.body, &input.audience)
            .err()
            .unwrap_or_default(),
        Err(e) => e,
    }
}

/// `POST /n/{slug}/posts`
pub async fn create_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    composer: Composer,
) -> Result<Response, AppError> {
    let once = composer.form.once.clone();
    let input = match composer.input(&state, &scope, None).await? {
        Ok(input) => input,
        Err((input, errors)) => {
            let page = feed_page(&state, ctx, &scope, None, input, errors, None).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    match create(&state, &scope, None, &input, Some(&once)).await? {
        Ok((id, _)) => Ok(
            Redirect::to(&format!("/n/{}/posts/{id}?done=posted", scope.slug())).into_response(),
        ),
        Err(errors) => {
            let page = feed_page(&state, ctx, &scope, None, input, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

// ─────────────────────────────── a post ───────────────────────────────

/// A comment with its replies, as the page shows it.
#[derive(Clone, Debug)]
pub struct CommentView {
    pub id: i64,
    /// Hidden by a moderator: why.
    pub hidden: Option<String>,
    pub may_report: bool,
    pub body_html: String,
    pub author: AuthorView,
    pub created_at: i64,
    pub may_delete: bool,
    pub replies: Vec<CommentView>,
}

/// The comments as the member sees them: hidden ones only for their
/// author and the space's moderators (`moderator`), marked.
pub fn comment_views(
    ctx: &PageCtx,
    scope: &NetworkScope,
    list: &[Comment],
    moderator: bool,
) -> Vec<CommentView> {
    let me = scope.membership.account_id;
    let list: Vec<&Comment> = list
        .iter()
        .filter(|c| c.hidden_at.is_none() || moderation::sees_hidden(c.author_id, me, moderator))
        .collect();
    let view = |c: &&Comment| CommentView {
        hidden: c
            .hidden_at
            .map(|_| c.hidden_reason.clone().unwrap_or_default()),
        may_report: c.author_id != Some(me) && c.hidden_at.is_none(),
        id: c.id,
        body_html: cooked(&c.html, &c.body),
        author: AuthorView::of(
            scope,
            ctx.lang,
            c.author_id,
            &c.author,
            ctx.t("posts.former_member"),
        ),
        created_at: c.created_at,
        may_delete: posts::may_delete(c.author_id, me, scope.role),
        replies: Vec::new(),
    };
    let mut top: Vec<CommentView> = list
        .iter()
        .filter(|c| c.parent_id.is_none())
        .map(view)
        .collect();
    for reply in list.iter().filter(|c| c.parent_id.is_some()) {
        if let Some(parent) = top.iter_mut().find(|t| Some(t.id) == reply.parent_id) {
            parent.replies.push(view(reply));
        }
    }
    top
}

#[derive(Template, WebTemplate)]
#[template(path = "posts/post.html")]
pub struct PostPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub post: PostView,
    pub comments: Vec<CommentView>,
    pub comment_body: String,
    pub comment_error: Option<&'static str>,
    pub reply_to: Option<i64>,
    pub once: String,
    pub notice: Option<&'static str>,
    pub max_comment: String,
    /// The network's guidelines, on the report form.
    pub guidelines: String,
    /// A refused report: which form (`post`, `c{comment id}`) and why.
    pub report_error_key: String,
    pub report_error: Option<&'static str>,
}

impl PostPage {
    /// Whether the refused comment being shown again replied to `id`.
    pub fn replying_to(&self, id: &i64) -> bool {
        self.reply_to == Some(*id)
    }
}

#[derive(Deserialize, Default)]
pub struct PostQuery {
    pub done: Option<String>,
}

pub async fn post_page(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
    post: &Post,
    comment: (String, Option<&'static str>, Option<i64>),
    notice: Option<&'static str>,
) -> Result<PostPage, AppError> {
    let list = stored::comments(&state.db, scope.id(), post.id).await?;
    let view = views(state, &ctx, scope, std::slice::from_ref(post))
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    Ok(PostPage {
        slug: scope.slug().to_string(),
        post: view,
        comments: comment_views(&ctx, scope, &list, moderates(state, scope, post).await?),
        comment_body: comment.0,
        comment_error: comment.1,
        reply_to: comment.2,
        once: once_key(),
        notice,
        max_comment: grouped(MAX_COMMENT_CHARS as i64),
        guidelines: crate::networks::guidelines(state, &scope.network, ctx.lang).await?,
        report_error_key: String::new(),
        report_error: None,
        ctx,
    })
}

/// `GET /n/{slug}/posts/{post_id}`
pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    Query(q): Query<PostQuery>,
) -> Result<PostPage, AppError> {
    let post = visible_post(&state, &scope, id).await?;
    let notice = match q.done.as_deref() {
        Some("posted") => Some(ctx.t("posts.notice_posted")),
        Some("saved") => Some(ctx.t("posts.notice_saved")),
        Some("commented") => Some(ctx.t("posts.notice_commented")),
        Some("comment_deleted") => Some(ctx.t("posts.notice_comment_deleted")),
        Some("pinned") => Some(ctx.t("posts.notice_pinned")),
        Some("reported") => Some(ctx.t("moderation.notice_reported")),
        Some("unpinned") => Some(ctx.t("posts.notice_unpinned")),
        _ => None,
    };
    post_page(
        &state,
        ctx,
        &scope,
        &post,
        (String::new(), None, None),
        notice,
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "posts/edit.html")]
pub struct EditPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub id: i64,
    pub is_news: bool,
    pub input: PostInput,
    pub errors: Vec<FieldError>,
    /// The body's limit, written out (`20,000`).
    pub max_body: String,
    pub max_title: usize,
}

impl EditPage {
    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| self.ctx.t(e.key))
    }
}

fn edit_page(
    ctx: PageCtx,
    scope: &NetworkScope,
    post: &Post,
    input: PostInput,
    errors: Vec<FieldError>,
) -> EditPage {
    EditPage {
        slug: scope.slug().to_string(),
        id: post.id,
        is_news: post.kind == PostKind::News.as_str(),
        input,
        errors,
        max_body: grouped(MAX_BODY_CHARS as i64),
        max_title: MAX_TITLE_CHARS,
        ctx,
    }
}

/// `GET /n/{slug}/posts/{post_id}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<EditPage, AppError> {
    let post = visible_post(&state, &scope, id).await?;
    if !posts::may_edit(post.author_id, scope.membership.account_id) {
        return Err(AppError::NotFound);
    }
    let input = PostInput {
        kind: post.kind.clone(),
        title: post.title.clone(),
        body: post.body.clone(),
        audience: post.audience.clone(),
        ..Default::default()
    };
    Ok(edit_page(ctx, &scope, &post, input, Vec::new()))
}

/// `POST /n/{slug}/posts/{post_id}/edit`
pub async fn save_edit(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<PostForm>,
) -> Result<Response, AppError> {
    let post = visible_post(&state, &scope, id).await?;
    let input = PostInput {
        kind: post.kind.clone(),
        title: form.title,
        body: form.body,
        audience: form.audience,
        ..Default::default()
    };
    match edit(&state, &scope, &post, &input).await? {
        Ok(()) => {
            Ok(Redirect::to(&format!("/n/{}/posts/{id}?done=saved", scope.slug())).into_response())
        }
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            edit_page(ctx, &scope, &post, input, errors),
        )
            .into_response()),
    }
}

/// `POST /n/{slug}/posts/{post_id}/delete`
pub async fn delete_form(
    State(state): State<AppState>,
    scope: NetworkScope,
    viewer: Viewer,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(_): CsrfForm<crate::signin::NoFields>,
) -> Result<Response, AppError> {
    let post = visible_post(&state, &scope, id).await?;
    remove(&state, &scope, &viewer, &post).await?;
    Ok(Redirect::to(&format!("/n/{}/feed?done=deleted", scope.slug())).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PinForm {
    /// `1` pins, anything else releases.
    pub pin: String,
}

/// `POST /n/{slug}/posts/{post_id}/pin` (admins)
pub async fn pin_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<PinForm>,
) -> Result<Response, AppError> {
    let post = visible_post(&state, &scope, id).await?;
    let pin = form.pin == "1";
    if !stored::set_pinned(&state.db, scope.id(), post.id, pin.then(now_ms)).await? {
        return Err(AppError::Conflict(ctx.t("posts.pin_news_only")));
    }
    let done = if pin { "pinned" } else { "unpinned" };
    Ok(Redirect::to(&format!("/n/{}/posts/{id}?done={done}", scope.slug())).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReactForm {
    pub reaction: String,
    /// `1` adds, `0` takes back; empty turns it over (the page's buttons).
    pub on: String,
    /// Where to go back to (the feed or the post), a path of this network.
    pub back: String,
}

/// Tells a post's author that the member reacted (once until they saw it).
pub async fn reacted(state: &AppState, scope: &NetworkScope, post: &Post) {
    use enishi_core::notifications::{Kind, for_reaction};
    if let Some(author) = for_reaction(scope.membership.account_id, post.author_id) {
        let about = crate::notifications::About {
            post: Some(post.id),
            ..Default::default()
        };
        crate::notifications::notify(state, scope, &[(author, Kind::Reaction)], about).await;
    }
}

/// `POST /n/{slug}/posts/{post_id}/react`
pub async fn react_form(
    State(state): State<AppState>,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<ReactForm>,
) -> Result<Response, AppError> {
    let post = visible_post(&state, &scope, id).await?;
    open_for_replies(&post)?;
    let reaction = Reaction::parse(&form.reaction).ok_or(AppError::BadRequest)?;
    let (net, me, now) = (scope.id(), scope.membership.account_id, now_ms());
    match form.on.as_str() {
        // the page's buttons turn a reaction over
        "" => {
            if stored::toggle(&state.db, net, post.id, me, reaction.as_str(), now).await? {
                reacted(&state, &scope, &post).await;
            }
        }
        on => {
            stored::react(
                &state.db,
                net,
                post.id,
                me,
                reaction.as_str(),
                on == "1",
                now,
            )
            .await?;
            if on == "1" {
                reacted(&state, &scope, &post).await;
            }
        }
    }
    let own = format!("/n/{}/", scope.slug());
    let back = if form.back.starts_with(&own) && !form.back.contains("//") {
        form.back
    } else {
        format!("/n/{}/posts/{id}", scope.slug())
    };
    Ok(Redirect::to(&format!("{back}#post-{id}")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CommentForm {
    pub body: String,
    pub reply_to: String,
    pub once: String,
}

/// `POST /n/{slug}/posts/{post_id}/comments`
pub async fn comment_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<CommentForm>,
) -> Result<Response, AppError> {
    let post = visible_post(&state, &scope, id).await?;
    let reply_to = match form.reply_to.trim() {
        "" => None,
        t => Some(t.parse::<i64>().map_err(|_| AppError::BadRequest)?),
    };
    match add_comment(
        &state,
        &scope,
        &post,
        &form.body,
        reply_to,
        Some(&form.once),
    )
    .await?
    {
        Ok(cid) => Ok(Redirect::to(&format!(
            "/n/{}/posts/{id}?done=commented#comment-{cid}",
            scope.slug()
        ))
        .into_response()),
        Err(e) => {
            let page = post_page(
                &state,
                ctx.clone(),
                &scope,
                &post,
                (form.body, Some(ctx.t(e.key)), reply_to),
                None,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// `POST /n/{slug}/posts/{post_id}/comments/{comment_id}/delete`
pub async fn delete_comment_form(
    State(state): State<AppState>,
    scope: NetworkScope,
    viewer: Viewer,
    Path((_slug, id, comment_id)): Path<(String, i64, i64)>,
    CsrfForm(_): CsrfForm<crate::signin::NoFields>,
) -> Result<Response, AppError> {
    let post = visible_post(&state, &scope, id).await?;
    remove_comment(&state, &scope, &viewer, &post, comment_id).await?;
    Ok(Redirect::to(&format!(
        "/n/{}/posts/{id}?done=comment_deleted",
        scope.slug()
    ))
    .into_response())
}
