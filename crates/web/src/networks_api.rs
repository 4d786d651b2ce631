//! Networks through the JSON API: my networks, a network and my membership
//! of it, its members (admins), changing a membership (admins), inviting
//! (admins), and creating a network (operators).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use enishi_store::memberships::{self, MemberFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::ApiJson;
use crate::auth::{Me, Viewer};
use crate::ctx::PageCtx;
use crate::network_admin::{Change, InviteForm, Refused, apply, check_invite};
use crate::networks::{invite, record};
use crate::operator::{NewNetworkForm, check_new_network, create_network};
use crate::scope::NetworkScope;
use crate::{AppError, AppState};

/// A network as its members see it.
#[derive(Serialize, ToSchema)]
pub struct NetworkBody {
    pub slug: String,
    pub name_ja: String,
    pub name_en: String,
    pub description_ja: String,
    pub description_en: String,
    /// `#rrggbb`
    pub accent_color: String,
    /// `invitation`, `request` or `domain`.
    pub join_policy: String,
    pub purposes_version: i64,
    pub guidelines_version: i64,
}

impl From<&enishi_store::networks::Network> for NetworkBody {
    fn from(n: &enishi_store::networks::Network) -> NetworkBody {
        NetworkBody {
            slug: n.slug.clone(),
            name_ja: n.name_ja.clone(),
            name_en: n.name_en.clone(),
            description_ja: n.description_ja.clone(),
            description_en: n.description_en.clone(),
            accent_color: n.accent_color.clone(),
            join_policy: n.join_policy.clone(),
            purposes_version: n.purposes_version,
            guidelines_version: n.guidelines_version,
        }
    }
}

/// One of my networks.
#[derive(Serialize, ToSchema)]
pub struct MyNetworkBody {
    #[serde(flatten)]
    pub network: NetworkBody,
    /// `owner`, `admin`, `moderator` or `member`.
    pub role: String,
    /// `active` or `pending`.
    pub status: String,
}

/// My networks (active memberships and pending requests).
#[utoipa::path(get, path = "/api/v1/networks", tag = "networks",
    responses((status = 200, description = "My networks", body = [MyNetworkBody]),
              (status = 401, description = "Not signed in", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn my_networks(
    State(state): State<AppState>,
    Me(me): Me,
) -> Result<Json<Vec<MyNetworkBody>>, AppError> {
    let list = memberships::networks_of(&state.db, me.account.id).await?;
    Ok(Json(
        list.iter()
            .map(|(n, role, status)| MyNetworkBody {
                network: n.into(),
                role: role.clone(),
                status: status.clone(),
            })
            .collect(),
    ))
}

/// A network and my membership of it.
#[derive(Serialize, ToSchema)]
pub struct NetworkWithMeBody {
    pub network: NetworkBody,
    pub membership: MembershipBody,
}

/// A membership.
#[derive(Serialize, ToSchema)]
pub struct MembershipBody {
    pub id: i64,
    pub account_id: i64,
    pub display_name: Option<String>,
    pub role: String,
    /// `alumni`, `employee` or `hr`.
    pub kind: String,
    /// `pending`, `active`, `suspended` or `left`.
    pub status: String,
    /// Unix milliseconds.
    pub joined_at: Option<i64>,
}

/// A network I belong to (404 for any other, existing or not).
#[utoipa::path(get, path = "/api/v1/n/{slug}", tag = "networks",
    params(("slug" = String, Path, description = "The network's slug")),
    responses((status = 200, description = "The network", body = NetworkWithMeBody),
              (status = 404, description = "No such network of yours", body = crate::error::Problem),
              (status = 403, description = "Consent to changed purposes of use required", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn network(scope: NetworkScope) -> Json<NetworkWithMeBody> {
    let m = &scope.membership;
    Json(NetworkWithMeBody {
        network: scope.network.as_ref().into(),
        membership: MembershipBody {
            id: m.id,
            account_id: m.account_id,
            display_name: None,
            role: m.role.clone(),
            kind: m.kind.clone(),
            status: m.status.clone(),
            joined_at: m.joined_at,
        },
    })
}

#[derive(Deserialize, IntoParams)]
pub struct MembersParams {
    /// Filter by role.
    pub role: Option<String>,
    /// Filter by kind.
    pub kind: Option<String>,
    /// Filter by status.
    pub status: Option<String>,
    /// From the previous page's `Link: <…>; rel="next"` header.
    pub before: Option<i64>,
    /// 1–500 (default 100).
    pub limit: Option<i64>,
}

/// The members (admins only): on the first page pending requests, then
/// everyone else newest first, `limit` at a time; the next page's address
/// is in the `Link` header (`rel="next"`).
#[utoipa::path(get, path = "/api/v1/n/{slug}/members", tag = "networks",
    params(("slug" = String, Path, description = "The network's slug"), MembersParams),
    responses((status = 200, description = "Members", body = [MembershipBody],
               headers(("link" = String, description = "`<…>; rel=\"next\"` while more follow"))),
              (status = 404, description = "No such network where you are an admin", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn members(
    State(state): State<AppState>,
    scope: NetworkScope,
    Query(q): Query<MembersParams>,
) -> Result<Response, AppError> {
    let filter = MemberFilter {
        role: q.role,
        kind: q.kind,
        status: q.status,
    };
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let (rows, next) = memberships::page(&state.db, scope.id(), &filter, q.before, limit).await?;
    let body = Json(
        rows.into_iter()
            .map(|r| MembershipBody {
                id: r.id,
                account_id: r.account_id,
                display_name: Some(r.display_name),
                role: r.role,
                kind: r.kind,
                status: r.status,
                joined_at: r.joined_at,
            })
            .collect::<Vec<_>>(),
    );
    let Some(before) = next else {
        return Ok(body.into_response());
    };
    let mut link = format!(
        "/api/v1/n/{}/members?before={before}&limit={limit}",
        scope.slug()
    );
    for (k, v) in [
        ("role", &filter.role),
        ("kind", &filter.kind),
        ("status", &filter.status),
    ] {
        if let Some(v) = v {
            link.push_str(&format!(
                "&{k}={}",
                url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            ));
        }
    }
    Ok((
        [(axum::http::header::LINK, format!("<{link}>; rel=\"next\""))],
        body,
    )
        .into_response())
}

/// A change to a membership: one of `approve`, `decline`, `role` (with
/// `role`), `kind` (with `kind`), `suspend`, `reinstate`, `remove`.
#[derive(Deserialize, ToSchema)]
pub struct MemberChangeBody {
    pub action: String,
    pub role: Option<String>,
    pub kind: Option<String>,
}

/// Change a membership (admins only).
#[utoipa::path(post, path = "/api/v1/n/{slug}/members/{id}", tag = "networks",
    params(("slug" = String, Path, description = "The network's slug"), ("id" = i64, Path, description = "Membership id")),
    request_body = MemberChangeBody,
    responses((status = 204, description = "Changed"),
              (status = 404, description = "No such membership in this network", body = crate::error::Problem),
              (status = 409, description = "Not allowed (an owner, yourself, or the last owner)", body = crate::error::Problem),
              (status = 422, description = "Unknown action, role or kind", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn change_member(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    scope: NetworkScope,
    Path(path): Path<(String, i64)>,
    ApiJson(body): ApiJson<MemberChangeBody>,
) -> Result<StatusCode, AppError> {
    let change = Change::parse(
        &body.action,
        body.role.as_deref().unwrap_or(""),
        body.kind.as_deref().unwrap_or(""),
    )
    .ok_or(AppError::Invalid {
        field: "action",
        message: ctx.t("invalid.member_action"),
    })?;
    match apply(&state, &scope, path.1, &change, &viewer.ip_text()).await? {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(Refused::NotFound) => Err(AppError::NotFound),
        Err(Refused::NotAllowed) => Err(AppError::Conflict(ctx.t("admin.notice_not_allowed"))),
        Err(Refused::LastOwner) => Err(AppError::Conflict(ctx.t("admin.notice_last_owner"))),
    }
}

/// An invitation to send.
#[derive(Deserialize, ToSchema)]
pub struct InviteBody {
    pub email: String,
    /// `member`, `moderator`, `admin` (or `owner`, by owners).
    pub role: String,
    /// `alumni`, `employee` or `hr`.
    pub kind: String,
}

/// Invite someone by e-mail (admins only).
#[utoipa::path(post, path = "/api/v1/n/{slug}/invitations", tag = "networks",
    params(("slug" = String, Path, description = "The network's slug")),
    request_body = InviteBody,
    responses((status = 202, description = "Invitation queued for sending"),
              (status = 422, description = "Invalid address, role or kind", body = crate::error::Problem),
              (status = 404, description = "No such network where you are an admin", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn create_invitation(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    scope: NetworkScope,
    ApiJson(body): ApiJson<InviteBody>,
) -> Result<StatusCode, AppError> {
    let form = InviteForm {
        email: body.email,
        role: body.role,
        kind: body.kind,
    };
    let (address, role, kind) = check_invite(&scope, &form).map_err(|key| AppError::Invalid {
        field: "invitation",
        message: ctx.t(key),
    })?;
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
    Ok(StatusCode::ACCEPTED)
}

/// A network to create.
#[derive(Deserialize, ToSchema)]
pub struct NewNetworkBody {
    /// a–z, 0–9 and `-`, 3–40 characters.
    pub slug: String,
    pub name_ja: String,
    #[serde(default)]
    pub name_en: String,
    /// The first owner, invited by e-mail.
    pub owner_email: String,
    /// `invitation` or `request`.
    pub join_policy: String,
}

/// Create a network and invite its first owner (operators only).
#[utoipa::path(post, path = "/api/v1/operator/networks", tag = "networks",
    request_body = NewNetworkBody,
    responses((status = 201, description = "Created", body = NetworkBody),
              (status = 422, description = "Invalid or taken slug, name or address", body = crate::error::Problem),
              (status = 404, description = "Not an operator", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn create_network_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    Me(me): Me,
    ApiJson(body): ApiJson<NewNetworkBody>,
) -> Result<Response, AppError> {
    let form = NewNetworkForm {
        slug: body.slug,
        name_ja: body.name_ja,
        name_en: body.name_en,
        owner_email: body.owner_email,
        join_policy: body.join_policy,
    };
    let invalid = |key| AppError::Invalid {
        field: "network",
        message: ctx.t(key),
    };
    let request = check_new_network(&form).map_err(invalid)?;
    let network = create_network(&state, &request, me.account.id, ctx.lang, &viewer.ip_text())
        .await?
        .map_err(invalid)?;
    Ok((StatusCode::CREATED, Json(NetworkBody::from(&network))).into_response())
}

/// Asking to join (request policy) or joining as staff (domain policy).
#[derive(Deserialize, ToSchema)]
pub struct JoinBody {
    /// Must be `true`: the caller has read and agrees to the network's
    /// current purposes of use and guidelines.
    pub consent: bool,
    /// `alumni` or `employee` (request policy).
    #[serde(default)]
    pub kind: String,
    /// A note to the admins (request policy, up to 500 characters).
    #[serde(default)]
    pub note: String,
}

/// Join a network that takes requests or staff by domain.
#[utoipa::path(post, path = "/api/v1/n/{slug}/join", tag = "networks",
    params(("slug" = String, Path, description = "The network's slug")),
    request_body = JoinBody,
    responses((status = 201, description = "Joined (`active`) or requested (`pending`)", body = MembershipBody),
              (status = 422, description = "No consent, bad kind or note, no verified company address", body = crate::error::Problem),
              (status = 404, description = "No such network taking requests or staff by domain", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn join(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    Me(me): Me,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<JoinBody>,
) -> Result<Response, AppError> {
    let (network, policy) = crate::networks::joinable(&state, &slug).await?;
    let m = crate::networks::join_network(
        &state,
        &network,
        policy,
        me.account.id,
        &body.kind,
        &body.note,
        body.consent,
        &viewer.ip_text(),
    )
    .await?
    .map_err(|key| AppError::Invalid {
        field: "join",
        message: ctx.t(key),
    })?;
    let body = MembershipBody {
        id: m.id,
        account_id: m.account_id,
        display_name: None,
        role: m.role,
        kind: m.kind,
        status: m.status,
        joined_at: m.joined_at,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// A decision on the network's current purposes of use and guidelines.
#[derive(Deserialize, ToSchema)]
pub struct ConsentBody {
    /// `true` to agree; `false` declines and leaves the network.
    pub accept: bool,
}

/// Agree (again) to the current purposes and guidelines, or decline and leave.
#[utoipa::path(post, path = "/api/v1/n/{slug}/consent", tag = "networks",
    params(("slug" = String, Path, description = "The network's slug")),
    request_body = ConsentBody,
    responses((status = 204, description = "Recorded"),
              (status = 404, description = "No such network of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn consent(
    State(state): State<AppState>,
    viewer: Viewer,
    scope: NetworkScope,
    ApiJson(body): ApiJson<ConsentBody>,
) -> Result<StatusCode, AppError> {
    crate::networks::decide_consent(&state, &scope, body.accept, &viewer.ip_text()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Leave a network.
#[utoipa::path(post, path = "/api/v1/n/{slug}/leave", tag = "networks",
    params(("slug" = String, Path, description = "The network's slug")),
    responses((status = 204, description = "Left"),
              (status = 409, description = "The last owner must hand over first", body = crate::error::Problem),
              (status = 404, description = "No such network of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn leave(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    scope: NetworkScope,
) -> Result<StatusCode, AppError> {
    if !crate::networks::leave_network(&state, &scope, &viewer.ip_text()).await? {
        return Err(AppError::Conflict(ctx.t("leave.last_owner")));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Change the network's settings (admins only). `listed` is `"yes"` or absent.
#[utoipa::path(post, path = "/api/v1/n/{slug}/settings", tag = "networks",
    params(("slug" = String, Path, description = "The network's slug")),
    request_body = crate::network_admin::SettingsForm,
    responses((status = 204, description = "Saved"),
              (status = 422, description = "A setting is not valid", body = crate::error::Problem),
              (status = 404, description = "No such network where you are an admin", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn settings(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    scope: NetworkScope,
    ApiJson(form): ApiJson<crate::network_admin::SettingsForm>,
) -> Result<StatusCode, AppError> {
    crate::network_admin::apply_settings(&state, &scope, &form, &viewer.ip_text())
        .await?
        .map_err(|key| AppError::Invalid {
            field: "settings",
            message: ctx.t(key),
        })?;
    Ok(StatusCode::NO_CONTENT)
}

/// The version just published.
#[derive(Serialize, ToSchema)]
pub struct VersionBody {
    pub version: i64,
}

/// Publish a new version of the purposes of use (`purposes`) or the
/// guidelines (`guidelines`); members are asked to agree again (admins only).
#[utoipa::path(post, path = "/api/v1/n/{slug}/documents", tag = "networks",
    params(("slug" = String, Path, description = "The network's slug")),
    request_body = crate::network_admin::DocumentForm,
    responses((status = 201, description = "Published", body = VersionBody),
              (status = 422, description = "Unknown kind, empty or too long", body = crate::error::Problem),
              (status = 404, description = "No such network where you are an admin", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn documents(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    scope: NetworkScope,
    ApiJson(form): ApiJson<crate::network_admin::DocumentForm>,
) -> Result<Response, AppError> {
    let version = crate::network_admin::publish(&state, &scope, &form, &viewer.ip_text())
        .await?
        .map_err(|key| AppError::Invalid {
            field: "document",
            message: ctx.t(key),
        })?;
    Ok((StatusCode::CREATED, Json(VersionBody { version })).into_response())
}
