//! Pages for the platform operator: the mail outbox (where messages wait
//! when no SMTP server is configured), the job queue, and the audit log.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use enishi_store::{audit, jobs, outbox};
use serde::Deserialize;

use crate::ctx::PageCtx;
use crate::{AppError, AppState};

const PAGE: i64 = 50;

#[derive(Template, WebTemplate)]
#[template(path = "operator/home.html")]
pub struct HomePage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub counts: Vec<(String, i64)>,
    pub failed: Vec<jobs::Job>,
}

/// `GET /operator`
pub async fn home(State(state): State<AppState>, ctx: PageCtx) -> Result<HomePage, AppError> {
    Ok(HomePage {
        ctx,
        section: "home",
        counts: jobs::counts(&state.db).await?,
        failed: jobs::recent(&state.db, Some("failed"), 10).await?,
    })
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub before: Option<i64>,
    pub status: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "operator/outbox.html")]
pub struct OutboxPage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub messages: Vec<outbox::Message>,
    pub older: Option<i64>,
}

/// `GET /operator/outbox`
pub async fn outbox(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<ListQuery>,
) -> Result<OutboxPage, AppError> {
    let messages = outbox::recent(&state.db, q.before, PAGE).await?;
    let older = (messages.len() as i64 == PAGE)
        .then(|| messages.last().map(|m| m.id))
        .flatten();
    Ok(OutboxPage {
        ctx,
        section: "outbox",
        messages,
        older,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "operator/message.html")]
pub struct MessagePage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub message: outbox::Message,
}

/// `GET /operator/outbox/{message_id}`: the message as text (links in it
/// are plain text here, never rendered HTML).
pub async fn message(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> Result<MessagePage, AppError> {
    let message = outbox::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(MessagePage {
        ctx,
        section: "outbox",
        message,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "operator/jobs.html")]
pub struct JobsPage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub jobs: Vec<jobs::Job>,
    pub counts: Vec<(String, i64)>,
    pub status: String,
}

/// `GET /operator/jobs[?status=failed]`
pub async fn jobs(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<ListQuery>,
) -> Result<JobsPage, AppError> {
    let status = q
        .status
        .filter(|s| ["queued", "running", "done", "failed"].contains(&s.as_str()));
    Ok(JobsPage {
        ctx,
        section: "jobs",
        jobs: jobs::recent(&state.db, status.as_deref(), PAGE * 2).await?,
        counts: jobs::counts(&state.db).await?,
        status: status.unwrap_or_default(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "operator/audit.html")]
pub struct AuditPage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub entries: Vec<audit::Entry>,
    pub older: Option<i64>,
}

/// `GET /operator/audit`
pub async fn audit(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<ListQuery>,
) -> Result<AuditPage, AppError> {
    let entries = audit::recent(&state.db, q.before, PAGE).await?;
    let older = (entries.len() as i64 == PAGE)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    Ok(AuditPage {
        ctx,
        section: "audit",
        entries,
        older,
    })
}
