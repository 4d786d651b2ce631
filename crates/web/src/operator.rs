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

// ───────────────────────────── networks ─────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "operator/networks.html")]
pub struct NetworksPage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub networks: Vec<enishi_store::networks::Network>,
    pub form: NewNetworkForm,
    pub error: Option<&'static str>,
    /// The input the error belongs to (`""`: the whole form).
    pub error_field: &'static str,
    pub notice: Option<&'static str>,
}

#[derive(Deserialize, Default, Clone, Debug)]
pub struct NewNetworkForm {
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub name_ja: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub owner_email: String,
    #[serde(default)]
    pub join_policy: String,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    pub done: Option<String>,
}

async fn networks_page(
    state: &AppState,
    ctx: PageCtx,
    form: NewNetworkForm,
) -> Result<NetworksPage, AppError> {
    Ok(NetworksPage {
        ctx,
        section: "networks",
        networks: enishi_store::networks::all(&state.db).await?,
        form,
        error: None,
        error_field: "",
        notice: None,
    })
}

/// `GET /operator/networks`
pub async fn networks(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<DoneQuery>,
) -> Result<NetworksPage, AppError> {
    let notice = (q.done.as_deref() == Some("created")).then(|| ctx.t("operator.network_created"));
    let form = NewNetworkForm {
        join_policy: "invitation".into(),
        ..Default::default()
    };
    Ok(NetworksPage {
        notice,
        ..networks_page(&state, ctx, form).await?
    })
}

/// A checked request for a new network.
pub struct NetworkRequest {
    pub slug: String,
    pub name_ja: String,
    pub name_en: String,
    pub owner: String,
    pub policy: enishi_core::networks::JoinPolicy,
}

/// Checks a new-network request; the catalogue key of the problem otherwise.
pub fn check_new_network(form: &NewNetworkForm) -> Result<NetworkRequest, &'static str> {
    let slug = enishi_core::networks::check_slug(&form.slug).map_err(|e| e.key())?;
    let name_ja = form.name_ja.trim();
    if name_ja.is_empty() {
        return Err("invalid.network_name_empty");
    }
    if name_ja.chars().count() > crate::network_admin::NETWORK_NAME_MAX
        || form.name_en.trim().chars().count() > crate::network_admin::NETWORK_NAME_MAX
    {
        return Err("invalid.network_name_too_long");
    }
    let owner = enishi_core::email::normalise(&form.owner_email).map_err(|e| e.key())?;
    let policy =
        enishi_core::networks::JoinPolicy::parse(&form.join_policy).ok_or("invalid.join_policy")?;
    if policy == enishi_core::networks::JoinPolicy::Domain {
        // Domains are set in the network's settings; start it invitation-only.
        return Err("invalid.domain_policy_later");
    }
    Ok(NetworkRequest {
        slug,
        name_ja: name_ja.to_string(),
        name_en: form.name_en.trim().to_string(),
        owner,
        policy,
    })
}

/// Creates the network (with default purposes of use and guidelines in
/// both languages) and invites its first owner. `Err(key)` for a taken slug.
pub async fn create_network(
    state: &AppState,
    request: &NetworkRequest,
    operator_id: i64,
    lang: enishi_core::Lang,
    ip: &str,
) -> Result<Result<enishi_store::networks::Network, &'static str>, AppError> {
    let ja = crate::i18n::Tr::new(enishi_core::Lang::Ja);
    let en = crate::i18n::Tr::new(enishi_core::Lang::En);
    let name_en = if request.name_en.is_empty() {
        request.name_ja.clone()
    } else {
        request.name_en.clone()
    };
    let new = enishi_store::networks::NewNetwork {
        slug: &request.slug,
        name_ja: &request.name_ja,
        name_en: &name_en,
        description_ja: "",
        description_en: "",
        accent_color: "#22406b",
        join_policy: request.policy.as_str(),
        staff_domains: &[],
        listed: false,
        purposes: (ja.get("defaults.purposes"), en.get("defaults.purposes")),
        guidelines: (ja.get("defaults.guidelines"), en.get("defaults.guidelines")),
        created_by: Some(operator_id),
    };
    let network = match enishi_store::networks::create(&state.db, &new).await {
        Ok(n) => n,
        Err(enishi_store::StoreError::Conflict(_)) => return Ok(Err("invalid.slug_taken")),
        Err(e) => return Err(e.into()),
    };
    crate::networks::invite(
        state,
        &network,
        &request.owner,
        enishi_core::networks::Role::Owner,
        enishi_core::networks::Kind::Hr,
        Some(operator_id),
        lang,
    )
    .await?;
    crate::networks::record(
        state,
        &network,
        Some(operator_id),
        "network.created",
        Some(&request.owner),
        ip,
    )
    .await;
    Ok(Ok(network))
}

/// `POST /operator/networks`
pub async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: crate::auth::Viewer,
    crate::auth::Me(me): crate::auth::Me,
    crate::csrf::CsrfForm(form): crate::csrf::CsrfForm<NewNetworkForm>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let outcome = match check_new_network(&form) {
        Ok(request) => {
            create_network(&state, &request, me.account.id, ctx.lang, &viewer.ip_text()).await?
        }
        Err(key) => Err(key),
    };
    match outcome {
        Ok(_) => {
            Ok(axum::response::Redirect::to("/operator/networks?done=created").into_response())
        }
        Err(key) => {
            let mut page = networks_page(&state, ctx, form).await?;
            page.error = Some(page.ctx.t(key));
            page.error_field = match crate::ctx::field_of(key) {
                "email" => "owner_email",
                field => field,
            };
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
