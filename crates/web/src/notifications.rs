//! In-app notifications: made where things happen (a comment, a reply, a
//! reaction, a group decision), counted on the header's bell, listed on
//! `/notifications` across the person's networks (seeing them marks them
//! read), told live to open pages through `GET /live`, and offered to
//! programs through the API. Who is told is `core::notifications`'.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use enishi_core::Lang;
use enishi_core::notifications::{Kind, PAGE_SIZE};
use enishi_store::notifications::{self as stored, Listed, NewNotification};
use enishi_store::now_ms;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Viewer;
use crate::ctx::PageCtx;
use crate::live::Event;
use crate::scope::NetworkScope;
use crate::{AppError, AppState};

/// What a notification is about.
#[derive(Clone, Copy, Debug, Default)]
pub struct About {
    pub post: Option<i64>,
    pub comment: Option<i64>,
    pub group: Option<i64>,
}

/// Tells `who` (account, kind) that the member of `scope` did something
/// `about`: stored, then told live. A failure is logged, not returned:
/// what happened has happened.
pub async fn notify(state: &AppState, scope: &NetworkScope, who: &[(i64, Kind)], about: About) {
    let actor = scope.membership.account_id;
    for (account, kind) in who {
        let new = NewNotification {
            account_id: *account,
            kind: kind.as_str(),
            actor_id: Some(actor),
            post_id: about.post,
            comment_id: about.comment,
            group_id: about.group,
        };
        match stored::add(&state.db, scope.id(), &new, now_ms()).await {
            Ok(Some(id)) => {
                state
                    .live
                    .publish(Event {
                        to: vec![*account],
                        what: "notification".into(),
                        network: scope.network.id,
                        conversation: None,
                        id: Some(id),
                    })
                    .await
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "could not store a notification"),
        }
    }
}

/// A notification as the page and the API show it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: i64,
    /// `comment`, `reply`, `reaction`, `group_approved`, `group_declined`
    /// or `join_accepted`.
    pub kind: String,
    /// The network's slug and name.
    pub network: String,
    pub network_name: String,
    /// What happened, in the caller's language.
    pub text: String,
    /// Where it happened (a path on this site).
    pub href: String,
    /// Unix milliseconds.
    pub created_at: i64,
    pub unread: bool,
}

fn view(ctx: &PageCtx, n: &Listed) -> NotificationView {
    let s = |o: &Option<String>| o.clone().unwrap_or_default();
    let actor = if n.actor.profile_id.is_some() {
        enishi_core::profile::name_in(
            ctx.lang,
            &s(&n.actor.family),
            &s(&n.actor.given),
            &s(&n.actor.family_romaji),
            &s(&n.actor.given_romaji),
        )
    } else {
        ctx.t("posts.former_member").to_string()
    };
    let group = n.group_name.clone().unwrap_or_default();
    let text = ctx.tf(
        &format!("notifications.{}", n.kind),
        &[("who", actor.as_str()), ("group", group.as_str())],
    );
    let href = match (n.post_id, n.comment_id, n.group_id) {
        (Some(p), Some(c), _) => format!("/n/{}/posts/{p}#comment-{c}", n.slug),
        (Some(p), None, _) => format!("/n/{}/posts/{p}", n.slug),
        (None, _, Some(g)) => format!("/n/{}/groups/{g}", n.slug),
        _ => format!("/n/{}", n.slug),
    };
    NotificationView {
        id: n.id,
        kind: n.kind.clone(),
        network: n.slug.clone(),
        network_name: if ctx.lang == Lang::En {
            n.name_en.clone()
        } else {
            n.name_ja.clone()
        },
        text,
        href,
        created_at: n.created_at,
        unread: n.read_at.is_none(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications/list.html")]
pub struct ListPage {
    pub ctx: PageCtx,
    pub items: Vec<NotificationView>,
    /// The person is in more than one network (each line names its own).
    pub several: bool,
}

/// `GET /notifications`: the newest notifications; seeing them marks them
/// read.
pub async fn page(
    State(state): State<AppState>,
    mut ctx: PageCtx,
    viewer: Viewer,
) -> Result<ListPage, AppError> {
    let me = viewer.account().ok_or(AppError::NotFound)?.id;
    let list = stored::list(&state.db, me, PAGE_SIZE).await?;
    if let Some(newest) = list.first() {
        let marked = stored::mark_read(&state.db, me, newest.id, now_ms()).await? as i64;
        // the header was counted before this page marked them read
        if let Some(header) = ctx.me.as_mut() {
            header.unread_notifications = (header.unread_notifications - marked).max(0);
        }
    }
    Ok(ListPage {
        items: list.iter().map(|n| view(&ctx, n)).collect(),
        several: viewer.networks.len() > 1,
        ctx,
    })
}

/// The caller's newest notifications in all their networks (listing them
/// does not mark them read).
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications",
    responses((status = 200, description = "Notifications, newest first", body = Vec<NotificationView>),
              (status = 401, description = "Not signed in", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn list_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
) -> Result<Json<Vec<NotificationView>>, AppError> {
    let me = viewer.account().ok_or(AppError::NotFound)?.id;
    let list = stored::list(&state.db, me, PAGE_SIZE).await?;
    Ok(Json(list.iter().map(|n| view(&ctx, n)).collect()))
}

/// Marks all the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "notifications",
    responses((status = 204, description = "Marked read"),
              (status = 401, description = "Not signed in", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn read_api(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<StatusCode, AppError> {
    let me = viewer.account().ok_or(AppError::NotFound)?.id;
    stored::mark_read(&state.db, me, i64::MAX, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}
