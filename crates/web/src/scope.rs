//! The tenant boundary. For every route under `/n/{slug}` (and
//! `/api/v1/n/{slug}`) the access layer resolves the network and the
//! viewer's membership once, here, and puts a [`NetworkScope`] in the
//! request; handlers take it from there and pass its `NetworkId` to every
//! store call.
//!
//! Outsiders get 404 whether or not the network exists — never 403 — so
//! existence is not leaked. Anonymous visitors are sent to sign in before
//! anything is looked up, for the same reason.

use std::sync::Arc;

use axum::extract::{FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use enishi_core::networks::{Kind, Role};
use enishi_store::memberships::{self, Membership};
use enishi_store::networks::{Network, NetworkId};

use crate::auth::Viewer;
use crate::{AppError, AppState};

/// A network and the viewer's active membership of it.
#[derive(Clone, Debug)]
pub struct NetworkScope {
    pub network: Arc<Network>,
    pub membership: Membership,
    pub role: Role,
    pub kind: Kind,
}

impl NetworkScope {
    pub fn id(&self) -> NetworkId {
        self.network.scope()
    }

    pub fn is_admin(&self) -> bool {
        self.role.is_admin()
    }

    pub fn slug(&self) -> &str {
        &self.network.slug
    }

    /// Whether the member may post opportunities.
    pub fn may_post_opportunities(&self) -> bool {
        enishi_core::opportunities::may_post(
            self.kind,
            self.role,
            self.membership.opportunity_poster != 0,
        )
    }
}

impl FromRequestParts<AppState> for NetworkScope {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<NetworkScope, AppError> {
        parts
            .extensions
            .get::<NetworkScope>()
            .cloned()
            .ok_or_else(|| AppError::Internal("route has no network scope".into()))
    }
}

/// What a network route requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// An active member who has consented to the current documents.
    Member,
    /// An active member, consent pending or not (the consent and leave pages).
    MemberAnyConsent,
    /// An active owner or admin (with current consent).
    Admin,
    /// An active moderator, admin or owner (with current consent).
    Moderator,
    /// Someone who may post opportunities: an admin, or current staff an
    /// admin authorised (`core::opportunities::may_post`).
    Poster,
}

/// The access layer of network routes.
pub async fn enforce(state: AppState, need: Need, req: Request, next: Next) -> Response {
    let Some(viewer) = req.extensions().get::<Viewer>().cloned() else {
        return AppError::Internal("viewer not resolved".into()).into_response();
    };
    let Some(account) = viewer.account().cloned() else {
        return crate::auth::sign_in_first(&req);
    };
    let (mut parts, body) = req.into_parts();
    let slug = match RawPathParams::from_request_parts(&mut parts, &()).await {
        Ok(params) => params
            .iter()
            .find(|(k, _)| *k == "slug")
            .map(|(_, v)| v.to_string()),
        Err(_) => None,
    };
    let mut req = Request::from_parts(parts, body);
    let Some(slug) = slug else {
        return AppError::Internal("network route without {slug}".into()).into_response();
    };
    // the header read the active memberships already (pages); the API asks
    let found = match viewer.memberships.iter().find(|(n, _)| n.slug == slug) {
        Some((network, membership)) => scope_of(network.clone(), membership.clone()),
        None => resolve(&state, &slug, account.id).await,
    };
    let scope = match found {
        Ok(Some(scope)) => scope,
        Ok(None) => return AppError::NotFound.into_response(),
        Err(e) => return e.into_response(),
    };
    if need == Need::Admin && !scope.is_admin() {
        return AppError::NotFound.into_response();
    }
    if need == Need::Moderator && scope.role < Role::Moderator {
        return AppError::NotFound.into_response();
    }
    if need == Need::Poster && !scope.may_post_opportunities() {
        return AppError::NotFound.into_response();
    }
    if need != Need::MemberAnyConsent && !scope.membership.consent_is_current(&scope.network) {
        if crate::auth::is_api(req.uri().path()) {
            return AppError::ConsentRequired.into_response();
        }
        let next: String = url::form_urlencoded::byte_serialize(
            req.uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/")
                .as_bytes(),
        )
        .collect();
        return Redirect::to(&format!("/n/{slug}/consent?next={next}")).into_response();
    }
    req.extensions_mut().insert(scope);
    next.run(req).await
}

/// The network `slug` and `account_id`'s active membership of it; `None`
/// for a network that does not exist, or one the account is not an active
/// member of (suspended, pending, left, never joined).
pub async fn resolve(
    state: &AppState,
    slug: &str,
    account_id: i64,
) -> Result<Option<NetworkScope>, AppError> {
    let Some((network, membership)) =
        memberships::network_with_membership(&state.db, slug, account_id).await?
    else {
        return Ok(None);
    };
    scope_of(network, membership)
}

/// The scope of an active `membership` of `network`; `None` for any other
/// status.
fn scope_of(network: Network, membership: Membership) -> Result<Option<NetworkScope>, AppError> {
    if membership.status != "active" {
        return Ok(None);
    }
    let (Some(role), Some(kind)) = (Role::parse(&membership.role), Kind::parse(&membership.kind))
    else {
        return Err(AppError::Internal(format!(
            "membership {} has an unknown role or kind",
            membership.id
        )));
    };
    Ok(Some(NetworkScope {
        network: Arc::new(network),
        membership,
        role,
        kind,
    }))
}
