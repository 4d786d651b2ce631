//! Moderation, as pages and API: any member reports a post or a comment
//! with a reason (the guidelines are on the form); the moderators of the
//! content's space — for an alumni-only group, alumni moderators only —
//! get a queue and hide, restore or dismiss. Hidden content disappears for
//! everyone but its author (who is shown what was hidden and why) and the
//! space's moderators; every decision is in the audit log.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use enishi_core::groups::Space;
use enishi_core::moderation::{self, Action, FieldError, Target};
use enishi_store::moderation::{self as stored, NewReport, Queue};
use enishi_store::now_ms;
use enishi_store::posts::{self as posts_store, Post};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::ApiJson;
use crate::auth::Viewer;
use crate::csrf::CsrfForm;
use crate::ctx::PageCtx;
use crate::posts::{space_of, visible_post};
use crate::scope::NetworkScope;
use crate::{AppError, AppState};

/// A report as written.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ReportInput {
    /// `post`, `comment` or `message`.
    pub target: String,
    /// The post's, the comment's or the message's id.
    pub id: i64,
    /// For a comment: its post; for a message: its conversation.
    pub post_id: Option<i64>,
    /// `harassment`, `spam`, `privacy`, `guidelines` or `other` (needs a note).
    pub reason: String,
    pub note: String,
}

/// Files a report about content the member can see (and did not write).
/// `Ok(false)`: they had reported it already.
pub async fn file(
    state: &AppState,
    scope: &NetworkScope,
    post: &Post,
    target: Target,
    target_id: i64,
    reason: &str,
    note: &str,
) -> Result<Result<bool, Vec<FieldError>>, AppError> {
    let (reason, note) = match moderation::check_report(reason, note) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    let me = scope.membership.account_id;
    let author = match target {
        Target::Post => post.author_id,
        Target::Comment => {
            posts_store::comment(&state.db, scope.id(), post.id, target_id)
                .await?
                .filter(|c| c.hidden_at.is_none())
                .ok_or(AppError::NotFound)?
                .author_id
        }
        // messages and profiles are filed by their own functions
        Target::Message | Target::Profile => return Err(AppError::NotFound),
    };
    if author == Some(me) {
        // one's own words are deleted, not reported
        return Ok(Err(vec![FieldError {
            field: "target",
            key: "invalid.report_own",
        }]));
    }
    let space = space_of(state, scope, post).await?;
    let new = NewReport {
        target: target.as_str(),
        target_id,
        post_id: post.id,
        space: space.as_str(),
        reporter_id: me,
        reason: reason.as_str(),
        note: &note,
    };
    Ok(Ok(
        stored::report(&state.db, scope.id(), &new, now_ms()).await?
    ))
}

/// Files a report about a message the member received in conversation
/// `c` (their own words: refused). It goes to the network's moderators
/// (the shared space's queue).
pub async fn file_message(
    state: &AppState,
    scope: &NetworkScope,
    c: &enishi_store::messages::Conversation,
    message_id: i64,
    reason: &str,
    note: &str,
) -> Result<Result<bool, Vec<FieldError>>, AppError> {
    let message = enishi_store::messages::message(&state.db, scope.id(), message_id)
        .await?
        .filter(|m| m.conversation_id == c.id && m.hidden_at.is_none())
        .ok_or(AppError::NotFound)?;
    let (reason, note) = match moderation::check_report(reason, note) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    let me = scope.membership.account_id;
    if message.author_id == Some(me) {
        return Ok(Err(vec![FieldError {
            field: "target",
            key: "invalid.report_own",
        }]));
    }
    let new = NewReport {
        target: Target::Message.as_str(),
        target_id: message.id,
        post_id: c.id,
        space: Space::Shared.as_str(),
        reporter_id: me,
        reason: reason.as_str(),
        note: &note,
    };
    Ok(Ok(
        stored::report(&state.db, scope.id(), &new, now_ms()).await?
    ))
}

/// Files a report about a member's profile (not one's own) to the
/// network's moderators.
pub async fn file_profile(
    state: &AppState,
    scope: &NetworkScope,
    profile: i64,
    reason: &str,
    note: &str,
) -> Result<Result<bool, Vec<FieldError>>, AppError> {
    // what does not exist for the member is 404 before any field is checked
    let (person, _) = crate::profiles::visible_person(state, scope, profile).await?;
    let (reason, note) = match moderation::check_report(reason, note) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    if person.account_id == Some(scope.membership.account_id) {
        return Ok(Err(vec![FieldError {
            field: "target",
            key: "invalid.report_own",
        }]));
    }
    let new = NewReport {
        target: Target::Profile.as_str(),
        target_id: person.id,
        post_id: person.id,
        space: Space::Shared.as_str(),
        reporter_id: scope.membership.account_id,
        reason: reason.as_str(),
        note: &note,
    };
    Ok(Ok(
        stored::report(&state.db, scope.id(), &new, now_ms()).await?
    ))
}

/// `POST /n/{slug}/people/{profile_id}/report`
pub async fn report_profile_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, profile)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<ReportForm>,
) -> Result<Response, AppError> {
    match file_profile(&state, &scope, profile, &form.reason, &form.note).await? {
        Ok(_) => Ok(Redirect::to(&format!(
            "/n/{}/people/{profile}?done=reported",
            scope.slug()
        ))
        .into_response()),
        Err(errors) => Err(AppError::fields(
            &ctx,
            errors.iter().map(|e| (e.field, e.key)),
        )),
    }
}

/// `POST /n/{slug}/messages/{conversation_id}/report/{dm_id}`
pub async fn report_message_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, conversation, message)): Path<(String, i64, i64)>,
    CsrfForm(form): CsrfForm<ReportForm>,
) -> Result<Response, AppError> {
    let c = crate::messages::conversation_for(&state, &scope, conversation).await?;
    match file_message(&state, &scope, &c, message, &form.reason, &form.note).await? {
        Ok(_) => Ok(Redirect::to(&format!(
            "/n/{}/messages/{conversation}?done=reported",
            scope.slug()
        ))
        .into_response()),
        Err(errors) => {
            let mut page = crate::messages::page_with_error(
                &state,
                ctx.clone(),
                &scope,
                &c,
                errors.first().map(|e| e.key),
            )
            .await?;
            page.report_error_key = format!("m{message}");
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReportForm {
    pub reason: String,
    pub note: String,
}

async fn report_page_target(
    state: &AppState,
    ctx: &PageCtx,
    scope: &NetworkScope,
    post_id: i64,
    target: Target,
    target_id: i64,
    form: ReportForm,
) -> Result<Response, AppError> {
    let post = visible_post(state, scope, post_id).await?;
    match file(
        state,
        scope,
        &post,
        target,
        target_id,
        &form.reason,
        &form.note,
    )
    .await?
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/n/{}/posts/{post_id}?done=reported",
            scope.slug()
        ))
        .into_response()),
        Err(errors) => {
            let mut page = crate::posts::post_page(
                state,
                ctx.clone(),
                scope,
                &post,
                (String::new(), None, None),
                None,
            )
            .await?;
            page.report_error_key = match target {
                Target::Post => "post".to_string(),
                Target::Comment => format!("c{target_id}"),
                Target::Message => format!("m{target_id}"),
                Target::Profile => format!("p{target_id}"),
            };
            page.report_error = errors.first().map(|e| ctx.t(e.key));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// `POST /n/{slug}/posts/{post_id}/report`
pub async fn report_post_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<ReportForm>,
) -> Result<Response, AppError> {
    report_page_target(&state, &ctx, &scope, id, Target::Post, id, form).await
}

/// `POST /n/{slug}/posts/{post_id}/comments/{comment_id}/report`
pub async fn report_comment_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id, comment_id)): Path<(String, i64, i64)>,
    CsrfForm(form): CsrfForm<ReportForm>,
) -> Result<Response, AppError> {
    report_page_target(&state, &ctx, &scope, id, Target::Comment, comment_id, form).await
}

/// Whether the report was new.
#[derive(Serialize, ToSchema)]
pub struct Reported {
    /// `false` when the caller had reported it already.
    pub new: bool,
}

/// Reports a post or a comment to the moderators of its space.
#[utoipa::path(post, path = "/api/v1/n/{slug}/reports", tag = "moderation",
    params(("slug" = String, Path, description = "The network's slug")),
    request_body = ReportInput,
    responses((status = 201, description = "Reported", body = Reported),
              (status = 200, description = "Already reported by the caller", body = Reported),
              (status = 422, description = "Refused fields", body = crate::error::Problem),
              (status = 404, description = "No such content for you (or your own)", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn report_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    ApiJson(input): ApiJson<ReportInput>,
) -> Result<(StatusCode, Json<Reported>), AppError> {
    let target = Target::parse(&input.target).ok_or(AppError::Invalid {
        field: "target",
        message: ctx.t("invalid.report_target"),
    })?;
    let filed = if target == Target::Profile {
        file_profile(&state, &scope, input.id, &input.reason, &input.note).await?
    } else if target == Target::Message {
        let conversation = input.post_id.ok_or(AppError::Invalid {
            field: "post_id",
            message: ctx.t("invalid.report_target"),
        })?;
        let c = crate::messages::conversation_for(&state, &scope, conversation).await?;
        file_message(&state, &scope, &c, input.id, &input.reason, &input.note).await?
    } else {
        let post_id = match target {
            Target::Comment => input.post_id.ok_or(AppError::Invalid {
                field: "post_id",
                message: ctx.t("invalid.report_target"),
            })?,
            _ => input.id,
        };
        let post = visible_post(&state, &scope, post_id).await?;
        file(
            &state,
            &scope,
            &post,
            target,
            input.id,
            &input.reason,
            &input.note,
        )
        .await?
    };
    let new =
        filed.map_err(|errors| AppError::fields(&ctx, errors.iter().map(|e| (e.field, e.key))))?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(Reported { new })))
}

// ─────────────────────────────── the queue ───────────────────────────────

/// An open report as a moderator sees it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct QueueItem {
    pub id: i64,
    /// `post` or `comment`.
    pub target: String,
    pub target_id: i64,
    pub post_id: i64,
    /// `shared`, `alumni` or `staff`.
    pub space: String,
    pub reason: String,
    pub note: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// The reported words, as sanitised HTML.
    pub html: String,
    pub hidden: bool,
    /// What a moderator may do with it.
    pub actions: Vec<&'static str>,
}

/// The reports the member moderates: open ones, or (`Queue::Hidden`) one
/// per piece of content now hidden.
pub async fn queue_of(
    state: &AppState,
    scope: &NetworkScope,
    which: Queue,
) -> Result<Vec<QueueItem>, AppError> {
    let spaces: Vec<&str> = moderation::queues(scope.kind, scope.role)
        .iter()
        .map(|s| s.as_str())
        .collect();
    let mut rows = stored::queue(&state.db, scope.id(), &spaces, which).await?;
    if which == Queue::Hidden {
        let mut seen = std::collections::HashSet::new();
        rows.retain(|r| seen.insert((r.target.clone(), r.target_id)));
    }
    Ok(rows
        .into_iter()
        .map(|r| QueueItem {
            actions: Target::parse(&r.target)
                .map(|t| moderation::actions_for(t, r.hidden_at.is_some()))
                .unwrap_or_default()
                .iter()
                .map(|a| a.as_str())
                .collect(),
            // messages and names are plain text; posts and comments markdown
            html: if r.target == Target::Message.as_str() || r.target == Target::Profile.as_str() {
                crate::markdown::plain(&r.body)
            } else {
                crate::markdown::render(&r.body)
            },
            id: r.id,
            target: r.target,
            target_id: r.target_id,
            post_id: r.post_id,
            space: r.space,
            reason: r.reason,
            note: r.note,
            created_at: r.created_at,
            hidden: r.hidden_at.is_some(),
        })
        .collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "moderation/queue.html")]
pub struct QueuePage {
    pub ctx: PageCtx,
    pub slug: String,
    pub items: Vec<QueueItem>,
    /// Content now hidden, to restore.
    pub hidden: Vec<QueueItem>,
    /// New members' first posts waiting for approval.
    pub held: Vec<HeldItem>,
    pub notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    pub done: Option<String>,
}

/// `GET /n/{slug}/moderation` (moderators)
pub async fn queue(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    axum::extract::Query(q): axum::extract::Query<QueueQuery>,
) -> Result<QueuePage, AppError> {
    let notice = match q.done.as_deref() {
        Some(word) if Action::parse(word).is_some() => Some(ctx.word("moderation.done", word)),
        Some("approved") => Some(ctx.t("moderation.done_approved")),
        Some("declined") => Some(ctx.t("moderation.done_declined")),
        _ => None,
    };
    Ok(QueuePage {
        slug: scope.slug().to_string(),
        items: queue_of(&state, &scope, Queue::Open).await?,
        hidden: queue_of(&state, &scope, Queue::Hidden).await?,
        held: held_of(&state, &scope).await?,
        notice,
        ctx,
    })
}

/// A moderator's decision.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct DecisionInput {
    /// `hide`, `restore`, `dismiss`, `warn` (tell the author, keep the
    /// content) or `suspend` (hide it and suspend the author's membership;
    /// moderators suspend members, admins also moderators). A profile is
    /// warned, suspended or dismissed, not hidden.
    pub action: String,
    /// Shown to the author when hiding, warning or suspending (the
    /// report's reason otherwise).
    pub note: String,
}

/// Applies a decision to a report's target (and closes every open report
/// on it). 404 for a report outside the member's spaces.
pub async fn decide(
    state: &AppState,
    ctx: &PageCtx,
    scope: &NetworkScope,
    viewer: &Viewer,
    report_id: i64,
    input: &DecisionInput,
) -> Result<Action, AppError> {
    let report = stored::get(&state.db, scope.id(), report_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let space = Space::parse(&report.space).ok_or(AppError::NotFound)?;
    if !moderation::may_moderate(space, scope.kind, scope.role) {
        return Err(AppError::NotFound);
    }
    let action = Action::parse(&input.action).ok_or(AppError::Invalid {
        field: "action",
        message: ctx.t("invalid.moderation_action"),
    })?;
    let note = moderation::check_note(&input.note).map_err(|e| AppError::Invalid {
        field: e.field,
        message: ctx.t(e.key),
    })?;
    let reason_label = ctx.word("report_reason", &report.reason);
    let why = if note.is_empty() {
        reason_label.to_string()
    } else {
        note.clone()
    };
    let me = scope.membership.account_id;
    let now = now_ms();
    let target = Target::parse(&report.target).ok_or(AppError::NotFound)?;
    // restoring is for what can be hidden (actions_for lists hide or
    // restore by the content's state; either is fine here)
    let fits = moderation::actions_for(target, false).contains(&action)
        || (action == Action::Restore && target != Target::Profile);
    if !fits {
        return Err(AppError::Invalid {
            field: "action",
            message: ctx.t("invalid.moderation_action"),
        });
    }
    // warnings and suspensions are about a person: the target's author
    let author = if matches!(action, Action::Warn | Action::Suspend) {
        let author = stored::author_of(&state.db, scope.id(), &report.target, report.target_id)
            .await?
            .ok_or(AppError::NotFound)?
            .ok_or(AppError::Invalid {
                field: "action",
                message: ctx.t("invalid.moderation_author_gone"),
            })?;
        Some(author)
    } else {
        None
    };
    let mut suspended = None;
    if action == Action::Suspend {
        let author = author.unwrap_or_default();
        let membership = enishi_store::memberships::of_account(&state.db, scope.id(), author)
            .await?
            .ok_or(AppError::NotFound)?;
        let target_role = enishi_core::networks::Role::parse(&membership.role)
            .unwrap_or(enishi_core::networks::Role::Member);
        if !moderation::may_suspend(
            scope.role,
            target_role,
            author == scope.membership.account_id,
        ) {
            return Err(AppError::Invalid {
                field: "action",
                message: ctx.t("invalid.moderation_cannot_suspend"),
            });
        }
        suspended = Some(membership.id);
    }
    let hides = target != Target::Profile;
    let (hide, status) = match action {
        Action::Hide => (Some(Some((now, why.as_str()))), "hidden"),
        Action::Restore => (Some(None), "dismissed"),
        Action::Dismiss => (None, "dismissed"),
        Action::Warn => (None, "warned"),
        Action::Suspend if hides => (Some(Some((now, why.as_str()))), "suspended"),
        Action::Suspend => (None, "suspended"),
    };
    if !stored::decide(
        &state.db,
        scope.id(),
        &report.target,
        report.target_id,
        hide,
        status,
        me,
        &note,
        now,
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    if let Some(membership) = suspended {
        enishi_store::memberships::set_status(&state.db, scope.id(), membership, "suspended")
            .await?;
    }
    if let Some(author) = author {
        // the author is told (a suspended one by e-mail only: they can no
        // longer open the network)
        let post = match target {
            Target::Post => Some(report.target_id),
            Target::Comment => Some(report.post_id),
            _ => None,
        };
        let about = crate::notifications::About {
            post: post.filter(|_| action == Action::Warn),
            comment: (target == Target::Comment && action == Action::Warn)
                .then_some(report.target_id),
            note: Some(why.clone()),
            ..Default::default()
        };
        let kind = if action == Action::Warn {
            enishi_core::notifications::Kind::Warned
        } else {
            enishi_core::notifications::Kind::Suspended
        };
        crate::notifications::notify(state, scope, &[(author, kind)], about).await;
    }
    state
        .record_event(
            Some(scope.network.id),
            Some(me),
            &format!("moderation.{}", action.as_str()),
            Some(&format!("{}/{}", report.target, report.target_id)),
            &viewer.ip_text(),
        )
        .await;
    Ok(action)
}

/// `POST /n/{slug}/moderation/{report_id}` (moderators)
pub async fn decide_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    viewer: Viewer,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(input): CsrfForm<DecisionInput>,
) -> Result<Response, AppError> {
    let action = decide(&state, &ctx, &scope, &viewer, id, &input).await?;
    Ok(Redirect::to(&format!(
        "/n/{}/moderation?done={}",
        scope.slug(),
        action.as_str()
    ))
    .into_response())
}

/// The open reports the caller moderates, oldest first.
#[utoipa::path(get, path = "/api/v1/n/{slug}/moderation/reports", tag = "moderation",
    params(("slug" = String, Path, description = "The network's slug")),
    responses((status = 200, description = "Open reports", body = Vec<QueueItem>),
              (status = 404, description = "No such network you moderate", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn queue_api(
    State(state): State<AppState>,
    scope: NetworkScope,
) -> Result<Json<Vec<QueueItem>>, AppError> {
    Ok(Json(queue_of(&state, &scope, Queue::Open).await?))
}

/// Hides, restores or dismisses a report's target.
#[utoipa::path(post, path = "/api/v1/n/{slug}/moderation/reports/{report_id}", tag = "moderation",
    params(("slug" = String, Path, description = "The network's slug"),
           ("report_id" = i64, Path, description = "The report")),
    request_body = DecisionInput,
    responses((status = 204, description = "Done"),
              (status = 422, description = "Refused fields", body = crate::error::Problem),
              (status = 404, description = "No such report you moderate", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn decide_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    viewer: Viewer,
    Path((_slug, id)): Path<(String, i64)>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> Result<StatusCode, AppError> {
    decide(&state, &ctx, &scope, &viewer, id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ─────────────────────────────── first posts ───────────────────────────────

/// A new member's post waiting for approval, as a moderator sees it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct HeldItem {
    /// The post.
    pub id: i64,
    /// The group it was written in, if any.
    pub group_id: Option<i64>,
    /// `shared`, `alumni` or `staff`.
    pub space: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// The post as sanitised HTML.
    pub html: String,
}

/// Posts held for review in the spaces the member moderates.
pub async fn held_of(state: &AppState, scope: &NetworkScope) -> Result<Vec<HeldItem>, AppError> {
    Ok(posts_store::held(&state.db, scope.id())
        .await?
        .into_iter()
        .filter_map(|(p, space)| {
            let space = space
                .as_deref()
                .and_then(Space::parse)
                .unwrap_or(Space::Shared);
            moderation::may_moderate(space, scope.kind, scope.role).then(|| HeldItem {
                id: p.id,
                group_id: p.group_id,
                space: space.as_str().to_string(),
                created_at: p.created_at,
                html: if p.html.is_empty() {
                    crate::markdown::render(&p.body)
                } else {
                    p.html.clone()
                },
            })
        })
        .collect())
}

/// A moderator's decision about a held post.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ReleaseInput {
    /// `approve` (it is published now) or `decline` (it stays hidden; its
    /// author is shown the note).
    pub decision: String,
    pub note: String,
}

/// Publishes or declines a held post of a space the member moderates (404
/// otherwise, and for a post that is not held).
pub async fn release(
    state: &AppState,
    ctx: &PageCtx,
    scope: &NetworkScope,
    viewer: &Viewer,
    post_id: i64,
    input: &ReleaseInput,
) -> Result<&'static str, AppError> {
    let item = held_of(state, scope)
        .await?
        .into_iter()
        .find(|h| h.id == post_id)
        .ok_or(AppError::NotFound)?;
    let note = moderation::check_note(&input.note).map_err(|e| AppError::Invalid {
        field: e.field,
        message: ctx.t(e.key),
    })?;
    let (declined, done, kind) = match input.decision.as_str() {
        "approve" => (
            None,
            "approved",
            enishi_core::notifications::Kind::PostApproved,
        ),
        "decline" => (
            Some(if note.is_empty() {
                ctx.t("moderation.declined_default").to_string()
            } else {
                note
            }),
            "declined",
            enishi_core::notifications::Kind::PostDeclined,
        ),
        _ => {
            return Err(AppError::Invalid {
                field: "decision",
                message: ctx.t("invalid.release_decision"),
            });
        }
    };
    let post = posts_store::get(
        &state.db,
        scope.id(),
        item.id,
        enishi_core::posts::Audience::ALL,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    if !posts_store::release(
        &state.db,
        scope.id(),
        item.id,
        declined.as_deref(),
        now_ms(),
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    if let Some(author) = post.author_id {
        let about = crate::notifications::About {
            post: Some(item.id),
            note: declined.clone(),
            ..Default::default()
        };
        crate::notifications::notify(state, scope, &[(author, kind)], about).await;
    }
    if declined.is_none() {
        // now that it is published, the people it mentions hear of it
        let published = posts_store::get(
            &state.db,
            scope.id(),
            item.id,
            enishi_core::posts::Audience::ALL,
        )
        .await?;
        if let Some(p) = published
            && let Err(e) =
                crate::notifications::notify_mentions(state, scope, &p, &p.body, None).await
        {
            tracing::error!(error = %e, "could not tell the people mentioned");
        }
    }
    state
        .record_event(
            Some(scope.network.id),
            Some(scope.membership.account_id),
            &format!("moderation.first_post_{done}"),
            Some(&format!("post/{}", item.id)),
            &viewer.ip_text(),
        )
        .await;
    Ok(done)
}

/// `POST /n/{slug}/moderation/held/{post_id}` (moderators)
pub async fn release_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    viewer: Viewer,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(input): CsrfForm<ReleaseInput>,
) -> Result<Response, AppError> {
    let done = release(&state, &ctx, &scope, &viewer, id, &input).await?;
    Ok(Redirect::to(&format!("/n/{}/moderation?done={done}", scope.slug())).into_response())
}

/// New members' posts waiting for approval in the spaces the caller
/// moderates, oldest first.
#[utoipa::path(get, path = "/api/v1/n/{slug}/moderation/held", tag = "moderation",
    params(("slug" = String, Path, description = "The network's slug")),
    responses((status = 200, description = "Held posts", body = Vec<HeldItem>),
              (status = 404, description = "No such network you moderate", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn held_api(
    State(state): State<AppState>,
    scope: NetworkScope,
) -> Result<Json<Vec<HeldItem>>, AppError> {
    Ok(Json(held_of(&state, &scope).await?))
}

/// Publishes (`approve`) or declines a held post.
#[utoipa::path(post, path = "/api/v1/n/{slug}/moderation/held/{post_id}", tag = "moderation",
    params(("slug" = String, Path, description = "The network's slug"),
           ("post_id" = i64, Path, description = "The held post")),
    request_body = ReleaseInput,
    responses((status = 204, description = "Done"),
              (status = 422, description = "Unknown decision or too long a note", body = crate::error::Problem),
              (status = 404, description = "No such held post in your spaces", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn release_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    viewer: Viewer,
    Path((_slug, id)): Path<(String, i64)>,
    ApiJson(input): ApiJson<ReleaseInput>,
) -> Result<StatusCode, AppError> {
    release(&state, &ctx, &scope, &viewer, id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}
