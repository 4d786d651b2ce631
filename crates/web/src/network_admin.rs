//! Running a network (owners and admins): the members list with filters
//! and counts, approving requests, changing role and kind, suspending,
//! removing; invitations; settings and new versions of the purposes of use
//! and guidelines. Every action is written to the audit log.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use enishi_core::email;
use enishi_core::networks::{JoinPolicy, Kind, Role, check_colour, parse_domains};
use enishi_store::invitations::{self, Invitation};
use enishi_store::memberships::{self, MemberFilter, MemberRow};
use enishi_store::networks::{self, NetworkSettings};
use serde::Deserialize;

use crate::auth::Viewer;
use crate::csrf::CsrfForm;
use crate::ctx::PageCtx;
use crate::networks::{invite, name_in, record};
use crate::scope::NetworkScope;
use crate::signin::{NoFields, limit};
use crate::{AppError, AppState};

/// Invitations one admin may send per hour.
const INVITES_PER_HOUR: i64 = 200;

#[derive(Deserialize, Default)]
pub struct MembersQuery {
    pub role: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub done: Option<String>,
    /// The next page starts after this membership.
    pub before: Option<i64>,
}

/// Members per page of the members list.
pub const MEMBERS_PAGE: i64 = 100;

#[derive(Template, WebTemplate)]
#[template(path = "networks/admin_members.html")]
pub struct MembersPage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub slug: String,
    pub name: String,
    pub members: Vec<MemberRow>,
    /// How many match the filter (all pages).
    pub total: i64,
    /// The next page's address.
    pub next: Option<String>,
    pub counts: Vec<(String, String, i64)>,
    pub filter: MemberFilter,
    pub my_role: Role,
    pub my_account: i64,
    pub notice: Option<&'static str>,
}

fn only_known(value: Option<String>, known: &[&str]) -> Option<String> {
    value.filter(|v| known.contains(&v.as_str()))
}

fn admin_notice(ctx: &PageCtx, done: Option<&str>) -> Option<&'static str> {
    let key = match done? {
        "updated" => "admin.notice_updated",
        "invited" => "admin.notice_invited",
        "revoked" => "admin.notice_invitation_revoked",
        "saved" => "notice.saved",
        "published" => "admin.notice_published",
        "last_owner" => "admin.notice_last_owner",
        "not_allowed" => "admin.notice_not_allowed",
        _ => return None,
    };
    Some(ctx.t(key))
}

/// `GET /n/{slug}/admin/members`
pub async fn members(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Query(q): Query<MembersQuery>,
) -> Result<MembersPage, AppError> {
    let words = |all: &[&'static str]| all.to_vec();
    let filter = MemberFilter {
        role: only_known(
            q.role,
            &words(&Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>()),
        ),
        kind: only_known(
            q.kind,
            &words(&Kind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>()),
        ),
        status: only_known(
            q.status,
            &["invited", "pending", "active", "suspended", "left"],
        ),
    };
    let (members, next) =
        memberships::page(&state.db, scope.id(), &filter, q.before, MEMBERS_PAGE).await?;
    let next = next.map(|before| {
        let mut url = format!("/n/{}/admin/members?before={before}", scope.slug());
        for (k, v) in [
            ("role", &filter.role),
            ("kind", &filter.kind),
            ("status", &filter.status),
        ] {
            if let Some(v) = v {
                url.push_str(&format!("&{k}={v}"));
            }
        }
        url
    });
    Ok(MembersPage {
        notice: admin_notice(&ctx, q.done.as_deref()),
        slug: scope.slug().to_string(),
        name: name_in(&scope.network, ctx.lang).to_string(),
        total: memberships::count(&state.db, scope.id(), &filter).await?,
        next,
        members,
        counts: memberships::counts(&state.db, scope.id()).await?,
        filter,
        my_role: scope.role,
        my_account: scope.membership.account_id,
        section: "members",
        ctx,
    })
}

#[derive(Deserialize)]
pub struct MemberAction {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub kind: String,
}

/// What an admin may do to a membership: one decision, used by the page
/// and the API alike.
pub enum Change {
    Approve,
    Decline,
    Role(Role),
    Kind(Kind),
    Suspend,
    Reinstate,
    Remove,
}

impl Change {
    pub fn parse(action: &str, role: &str, kind: &str) -> Option<Change> {
        Some(match action {
            "approve" => Change::Approve,
            "decline" => Change::Decline,
            "role" => Change::Role(Role::parse(role)?),
            "kind" => Change::Kind(Kind::parse(kind)?),
            "suspend" => Change::Suspend,
            "reinstate" => Change::Reinstate,
            "remove" => Change::Remove,
            _ => return None,
        })
    }

    fn audit_action(&self) -> &'static str {
        match self {
            Change::Approve => "member.approved",
            Change::Decline => "member.declined",
            Change::Role(_) => "member.role_changed",
            Change::Kind(_) => "member.kind_changed",
            Change::Suspend => "member.suspended",
            Change::Reinstate => "member.reinstated",
            Change::Remove => "member.removed",
        }
    }
}

/// Why a change was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    NotFound,
    /// The admin may not do this to this member (an owner, themselves…).
    NotAllowed,
    /// It would leave the network without an active owner.
    LastOwner,
}

/// Applies `change` to membership `id` as `scope` (the admin).
pub async fn apply(
    state: &AppState,
    scope: &NetworkScope,
    id: i64,
    change: &Change,
    ip: &str,
) -> Result<Result<(), Refused>, AppError> {
    let Some(target) = memberships::get(&state.db, scope.id(), id).await? else {
        return Ok(Err(Refused::NotFound));
    };
    let target_role = Role::parse(&target.role).unwrap_or(Role::Member);
    let is_self = target.account_id == scope.membership.account_id;
    // Owners are managed by owners only; nobody suspends or removes themselves (they leave).
    if !scope.role.may_grant(target_role)
        || (is_self && matches!(change, Change::Suspend | Change::Remove | Change::Decline))
    {
        return Ok(Err(Refused::NotAllowed));
    }
    let losing_owner = target_role == Role::Owner
        && target.status == "active"
        && matches!(change, Change::Suspend | Change::Remove | Change::Role(_))
        && !matches!(change, Change::Role(Role::Owner));
    if losing_owner && memberships::active_owners(&state.db, scope.id()).await? <= 1 {
        return Ok(Err(Refused::LastOwner));
    }
    let net = scope.id();
    let changed = match change {
        Change::Approve if target.status == "pending" => {
            memberships::set_status(&state.db, net, id, "active").await?
        }
        Change::Decline if target.status == "pending" => {
            memberships::remove(&state.db, net, id).await?
        }
        Change::Approve | Change::Decline => return Ok(Err(Refused::NotAllowed)),
        Change::Role(role) => {
            if !scope.role.may_grant(*role) {
                return Ok(Err(Refused::NotAllowed));
            }
            memberships::set_role(&state.db, net, id, role.as_str()).await?
        }
        Change::Kind(kind) => memberships::set_kind(&state.db, net, id, kind.as_str()).await?,
        Change::Suspend if target.status == "active" => {
            memberships::set_status(&state.db, net, id, "suspended").await?
        }
        Change::Reinstate if target.status == "suspended" => {
            memberships::set_status(&state.db, net, id, "active").await?
        }
        Change::Suspend | Change::Reinstate => return Ok(Err(Refused::NotAllowed)),
        Change::Remove => memberships::remove(&state.db, net, id).await?,
    };
    if !changed {
        return Ok(Err(Refused::NotFound));
    }
    let target_text = format!("membership {id} (account {})", target.account_id);
    record(
        state,
        &scope.network,
        Some(scope.membership.account_id),
        change.audit_action(),
        Some(&target_text),
        ip,
    )
    .await;
    Ok(Ok(()))
}

/// `POST /n/{slug}/admin/members/{membership_id}`
pub async fn change_member(
    State(state): State<AppState>,
    viewer: Viewer,
    scope: NetworkScope,
    Path((_, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<MemberAction>,
) -> Result<Response, AppError> {
    let change = Change::parse(&form.action, &form.role, &form.kind).ok_or(AppError::BadRequest)?;
    let done = match apply(&state, &scope, id, &change, &viewer.ip_text()).await? {
        Ok(()) => "updated",
        Err(Refused::NotFound) => return Err(AppError::NotFound),
        Err(Refused::NotAllowed) => "not_allowed",
        Err(Refused::LastOwner) => "last_owner",
    };
    Ok(Redirect::to(&format!("/n/{}/admin/members?done={done}", scope.slug())).into_response())
}

// ───────────────────────────── invitations ─────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "networks/admin_invitations.html")]
pub struct InvitationsPage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub slug: String,
    pub name: String,
    pub invitations: Vec<Invitation>,
    pub roles: Vec<&'static str>,
    pub notice: Option<&'static str>,
    pub error: Option<&'static str>,
    /// The input the error belongs to (`""`: the whole form).
    pub error_field: &'static str,
    pub draft: String,
}

async fn invitations_page(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
) -> Result<InvitationsPage, AppError> {
    Ok(InvitationsPage {
        slug: scope.slug().to_string(),
        name: name_in(&scope.network, ctx.lang).to_string(),
        invitations: invitations::open(&state.db, scope.id()).await?,
        roles: Role::ALL
            .iter()
            .filter(|r| scope.role.may_grant(**r))
            .map(|r| r.as_str())
            .collect(),
        notice: None,
        error: None,
        error_field: "",
        draft: String::new(),
        section: "invitations",
        ctx,
    })
}

/// `GET /n/{slug}/admin/invitations`
pub async fn invitations_list(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Query(q): Query<MembersQuery>,
) -> Result<InvitationsPage, AppError> {
    let notice = admin_notice(&ctx, q.done.as_deref());
    Ok(InvitationsPage {
        notice,
        ..invitations_page(&state, ctx, &scope).await?
    })
}

#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub kind: String,
}

/// Checks an invitation request; the catalogue key of the problem otherwise.
pub fn check_invite(
    scope: &NetworkScope,
    form: &InviteForm,
) -> Result<(String, Role, Kind), &'static str> {
    let address = email::normalise(&form.email).map_err(|e| e.key())?;
    let role = Role::parse(&form.role).ok_or("invalid.role")?;
    if !scope.role.may_grant(role) {
        return Err("invalid.role_not_allowed");
    }
    let kind = Kind::parse(&form.kind).ok_or("invalid.kind")?;
    Ok((address, role, kind))
}

/// `POST /n/{slug}/admin/invitations`
pub async fn create_invitation(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    scope: NetworkScope,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> Result<Response, AppError> {
    let (address, role, kind) = match check_invite(&scope, &form) {
        Ok(v) => v,
        Err(key) => {
            let mut page = invitations_page(&state, ctx, &scope).await?;
            page.error = Some(page.ctx.t(key));
            page.error_field = crate::ctx::field_of(key);
            page.draft = form.email.chars().take(254).collect();
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    limit(
        &state.db,
        &format!("invite:{}:{}", scope.id().0, scope.membership.account_id),
        INVITES_PER_HOUR,
        60 * 60 * 1000,
    )
    .await?;
    invite(
        &state,
        &scope.network,
        &address,
        role,
        kind,
        Some(scope.membership.account_id),
        ctx.lang,
    )
    .await?;
    record(
        &state,
        &scope.network,
        Some(scope.membership.account_id),
        "invitation.sent",
        Some(&address),
        &viewer.ip_text(),
    )
    .await;
    Ok(Redirect::to(&format!(
        "/n/{}/admin/invitations?done=invited",
        scope.slug()
    ))
    .into_response())
}

/// `POST /n/{slug}/admin/invitations/{invitation_id}/revoke`
pub async fn revoke_invitation(
    State(state): State<AppState>,
    viewer: Viewer,
    scope: NetworkScope,
    Path((_, id)): Path<(String, i64)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    if !invitations::revoke(&state.db, scope.id(), id).await? {
        return Err(AppError::NotFound);
    }
    record(
        &state,
        &scope.network,
        Some(scope.membership.account_id),
        "invitation.revoked",
        Some(&id.to_string()),
        &viewer.ip_text(),
    )
    .await;
    Ok(Redirect::to(&format!(
        "/n/{}/admin/invitations?done=revoked",
        scope.slug()
    ))
    .into_response())
}

// ───────────────────────────── settings ─────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "networks/admin_settings.html")]
pub struct SettingsPage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub slug: String,
    pub name: String,
    pub form: SettingsForm,
    /// The current purposes of use and guidelines.
    pub documents: Vec<networks::Document>,
    pub notice: Option<&'static str>,
    pub error: Option<&'static str>,
    /// The input the error belongs to (`""`: the whole form).
    pub error_field: &'static str,
}

#[derive(Deserialize, Clone, Debug, Default, utoipa::ToSchema)]
pub struct SettingsForm {
    #[serde(default)]
    pub name_ja: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub description_ja: String,
    #[serde(default)]
    pub description_en: String,
    #[serde(default)]
    pub accent_color: String,
    #[serde(default)]
    pub join_policy: String,
    #[serde(default)]
    pub staff_domains: String,
    #[serde(default)]
    pub listed: Option<String>,
    /// `"yes"`: new members' first posts wait for a moderator's approval.
    #[serde(default)]
    pub first_post_review: Option<String>,
}

async fn settings_page(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
    form: SettingsForm,
) -> Result<SettingsPage, AppError> {
    Ok(SettingsPage {
        slug: scope.slug().to_string(),
        name: name_in(&scope.network, ctx.lang).to_string(),
        form,
        documents: vec![
            networks::current_document(&state.db, scope.id(), "purposes").await?,
            networks::current_document(&state.db, scope.id(), "guidelines").await?,
        ],
        notice: None,
        error: None,
        error_field: "",
        section: "settings",
        ctx,
    })
}

/// `GET /n/{slug}/admin/settings`
pub async fn settings(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Query(q): Query<MembersQuery>,
) -> Result<SettingsPage, AppError> {
    let mut form = current_settings(&scope.network);
    form.first_post_review = networks::first_post_review(&state.db, scope.id())
        .await?
        .then(|| "yes".to_string());
    let notice = admin_notice(&ctx, q.done.as_deref());
    Ok(SettingsPage {
        notice,
        ..settings_page(&state, ctx, &scope, form).await?
    })
}

/// Longest network name, in characters.
pub const NETWORK_NAME_MAX: usize = 100;
/// Longest description, in characters.
pub const DESCRIPTION_MAX: usize = 2000;

/// Checked settings, or the catalogue key of the first problem.
pub fn check_settings(
    form: &SettingsForm,
) -> Result<(String, JoinPolicy, Vec<String>), &'static str> {
    if form.name_ja.trim().is_empty() {
        return Err("invalid.network_name_empty");
    }
    if form.name_ja.chars().count() > NETWORK_NAME_MAX
        || form.name_en.chars().count() > NETWORK_NAME_MAX
    {
        return Err("invalid.network_name_too_long");
    }
    if form.description_ja.chars().count() > DESCRIPTION_MAX
        || form.description_en.chars().count() > DESCRIPTION_MAX
    {
        return Err("invalid.description_too_long");
    }
    let colour = check_colour(&form.accent_color).ok_or("invalid.colour")?;
    let policy = JoinPolicy::parse(&form.join_policy).ok_or("invalid.join_policy")?;
    let domains = parse_domains(&form.staff_domains).map_err(|_| "invalid.domains")?;
    if policy == JoinPolicy::Domain && domains.is_empty() {
        return Err("invalid.domains_needed");
    }
    Ok((colour, policy, domains))
}

/// Checks and saves `form` as the network's settings; `Err(key)` names the
/// first problem.
pub async fn apply_settings(
    state: &AppState,
    scope: &NetworkScope,
    form: &SettingsForm,
    ip: &str,
) -> Result<Result<(), &'static str>, AppError> {
    let (colour, policy, domains) = match check_settings(form) {
        Ok(v) => v,
        Err(key) => return Ok(Err(key)),
    };
    let settings = NetworkSettings {
        name_ja: form.name_ja.trim(),
        name_en: form.name_en.trim(),
        description_ja: form.description_ja.trim(),
        description_en: form.description_en.trim(),
        accent_color: &colour,
        join_policy: policy.as_str(),
        staff_domains: &domains,
        listed: form.listed.as_deref() == Some("yes"),
    };
    networks::update_settings(&state.db, scope.id(), &settings).await?;
    networks::set_first_post_review(
        &state.db,
        scope.id(),
        form.first_post_review.as_deref() == Some("yes"),
    )
    .await?;
    record(
        state,
        &scope.network,
        Some(scope.membership.account_id),
        "network.settings_changed",
        None,
        ip,
    )
    .await;
    Ok(Ok(()))
}

/// `POST /n/{slug}/admin/settings`
pub async fn save_settings(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    scope: NetworkScope,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> Result<Response, AppError> {
    if let Err(key) = apply_settings(&state, &scope, &form, &viewer.ip_text()).await? {
        let mut page = settings_page(&state, ctx, &scope, form).await?;
        page.error = Some(page.ctx.t(key));
        page.error_field = crate::ctx::field_of(key);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    Ok(Redirect::to(&format!("/n/{}/admin/settings?done=saved", scope.slug())).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct DocumentForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub body_ja: String,
    #[serde(default)]
    pub body_en: String,
}

/// Longest purposes or guidelines text, in characters.
pub const DOCUMENT_MAX: usize = 20_000;

/// Publishes a new version of the purposes of use or the guidelines;
/// `Err(key)` names the problem. Every member is asked to consent again at
/// their next visit.
pub async fn publish(
    state: &AppState,
    scope: &NetworkScope,
    form: &DocumentForm,
    ip: &str,
) -> Result<Result<i64, &'static str>, AppError> {
    if !matches!(form.kind.as_str(), "purposes" | "guidelines") {
        return Ok(Err("invalid.document_kind"));
    }
    if form.body_ja.trim().is_empty() {
        return Ok(Err("invalid.document_empty"));
    }
    if form.body_ja.chars().count() > DOCUMENT_MAX || form.body_en.chars().count() > DOCUMENT_MAX {
        return Ok(Err("invalid.document_too_long"));
    }
    let by = scope.membership.account_id;
    let version = networks::publish_document(
        &state.db,
        scope.id(),
        &form.kind,
        form.body_ja.trim(),
        form.body_en.trim(),
        by,
    )
    .await?;
    let what = format!("{} v{version}", form.kind);
    record(
        state,
        &scope.network,
        Some(by),
        "network.document_published",
        Some(&what),
        ip,
    )
    .await;
    Ok(Ok(version))
}

/// The settings form filled with the network's current settings.
fn current_settings(network: &enishi_store::networks::Network) -> SettingsForm {
    SettingsForm {
        name_ja: network.name_ja.clone(),
        name_en: network.name_en.clone(),
        description_ja: network.description_ja.clone(),
        description_en: network.description_en.clone(),
        accent_color: network.accent_color.clone(),
        join_policy: network.join_policy.clone(),
        staff_domains: network.domains().join(", "),
        listed: network.listed.then(|| "yes".to_string()),
        first_post_review: None,
    }
}

/// `POST /n/{slug}/admin/documents`
pub async fn publish_document(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    scope: NetworkScope,
    CsrfForm(form): CsrfForm<DocumentForm>,
) -> Result<Response, AppError> {
    if let Err(key) = publish(&state, &scope, &form, &viewer.ip_text()).await? {
        let mut page = settings_page(&state, ctx, &scope, current_settings(&scope.network)).await?;
        page.error = Some(page.ctx.t(key));
        page.error_field = crate::ctx::field_of(key);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    Ok(Redirect::to(&format!(
        "/n/{}/admin/settings?done=published",
        scope.slug()
    ))
    .into_response())
}
