//! A network as its members and would-be members meet it: the network home,
//! the public landing page for request/domain networks, joining (by
//! invitation, by request, by verified company domain) with explicit
//! consent to the purposes of use and guidelines, consenting again when
//! they change, and leaving.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use enishi_core::Lang;
use enishi_core::networks::{JoinPolicy, Kind, Role};
use enishi_core::secret::hash_token;
use enishi_store::accounts::{self, NewAccount};
use enishi_store::invitations::{self, Invitation};
use enishi_store::memberships::{self, Consent};
use enishi_store::networks::{self, Document, Network};
use enishi_store::now_ms;
use serde::Deserialize;

use crate::auth::{Me, Viewer};
use crate::csrf::CsrfForm;
use crate::ctx::PageCtx;
use crate::scope::NetworkScope;
use crate::signin::{NoFields, NoticePage, query_token, random_hex, start_session};
use crate::site::safe_next;
use crate::{AppError, AppState, mail};

/// An invitation lives this long.
pub const INVITATION_TTL_MS: i64 = 30 * 24 * 60 * 60 * 1000;
/// Longest note with a join request.
pub const NOTE_MAX: usize = 500;

/// The network's name in `lang`.
pub fn name_in(network: &Network, lang: Lang) -> &str {
    match lang {
        Lang::En if !network.name_en.is_empty() => &network.name_en,
        _ => &network.name_ja,
    }
}

/// The network's description in `lang`.
pub fn description_in(network: &Network, lang: Lang) -> &str {
    match lang {
        Lang::En if !network.description_en.is_empty() => &network.description_en,
        _ => &network.description_ja,
    }
}

fn body_in(doc: &Document, lang: Lang) -> String {
    match lang {
        Lang::En if !doc.body_en.is_empty() => doc.body_en.clone(),
        _ => doc.body_ja.clone(),
    }
}

/// What a list of addresses typed by an organiser came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Addresses {
    /// The active members' accounts, each once, in the order typed.
    Found(Vec<i64>),
    /// Nothing typed.
    Empty,
    /// More than allowed.
    TooMany,
    /// This address is not an active member's.
    Unknown(String),
}

/// The active members with the addresses in `text` (one a line, or
/// separated by spaces, commas, 、 or ;), at most `max`.
pub async fn members_by_addresses(
    state: &AppState,
    net: enishi_store::networks::NetworkId,
    text: &str,
    max: usize,
) -> Result<Addresses, AppError> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == '、' || c == ';')
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Ok(Addresses::Empty);
    }
    if words.len() > max {
        return Ok(Addresses::TooMany);
    }
    let mut accounts = Vec::new();
    for w in words {
        match membership_by_address(state, net, w)
            .await?
            .filter(|m| m.status == "active")
        {
            Some(m) if !accounts.contains(&m.account_id) => accounts.push(m.account_id),
            Some(_) => {}
            None => return Ok(Addresses::Unknown(w.to_string())),
        }
    }
    Ok(Addresses::Found(accounts))
}

/// The membership (whatever its status) of the account whose verified
/// address `email` is, in the network `net`; `None` for an address that
/// is not one, nobody's, or not a member's.
pub async fn membership_by_address(
    state: &AppState,
    net: enishi_store::networks::NetworkId,
    email: &str,
) -> Result<Option<enishi_store::memberships::Membership>, AppError> {
    let Ok(address) = enishi_core::email::normalise(email) else {
        return Ok(None);
    };
    match accounts::by_verified_email(&state.db, &address).await? {
        Some(a) => Ok(enishi_store::memberships::of_account(&state.db, net, a.id).await?),
        None => Ok(None),
    }
}

/// Records an action in the network's audit log.
pub async fn record(
    state: &AppState,
    network: &Network,
    actor: Option<i64>,
    action: &str,
    target: Option<&str>,
    ip: &str,
) {
    state
        .record_event(Some(network.id), actor, action, target, ip)
        .await;
}

/// A new single-use invitation to `network` and its link (built from
/// `--base-url`). Every invitation, by hand or from the roster, starts here.
pub async fn new_invitation(
    state: &AppState,
    network: &Network,
    invitation: &NewLink<'_>,
) -> Result<(Invitation, String), AppError> {
    let token = random_hex();
    let created = invitations::create(
        &state.db,
        network.scope(),
        &invitations::NewInvitation {
            email: invitation.email,
            role: invitation.role.as_str(),
            kind: invitation.kind.as_str(),
            token_hash: &hash_token(&token),
            invited_by: invitation.invited_by,
            expires_at: now_ms() + INVITATION_TTL_MS,
            record_id: invitation.record_id,
        },
    )
    .await?;
    let link = state.link(&format!("/n/{}/invite?token={token}", network.slug));
    Ok((created, link))
}

/// Who an invitation is for.
pub struct NewLink<'a> {
    pub email: &'a str,
    pub role: Role,
    pub kind: Kind,
    pub invited_by: Option<i64>,
    /// The roster record it invites.
    pub record_id: Option<i64>,
}

/// Invites `address` to `network` with `role` and `kind`, and e-mails the
/// link, in the language of the address's account if it has one.
pub async fn invite(
    state: &AppState,
    network: &Network,
    address: &str,
    role: Role,
    kind: Kind,
    invited_by: Option<i64>,
    lang: Lang,
) -> Result<Invitation, AppError> {
    let (invitation, link) = new_invitation(
        state,
        network,
        &NewLink {
            email: address,
            role,
            kind,
            invited_by,
            record_id: None,
        },
    )
    .await?;
    let lang = match accounts::by_verified_email(&state.db, address).await? {
        Some(a) => Lang::from_code(&a.lang).unwrap_or(lang),
        None => lang,
    };
    let name = name_in(network, lang).to_string();
    mail::send_with(
        state,
        address,
        lang,
        mail::Kind::Invitation,
        &link,
        &[("network", &name)],
    )
    .await?;
    Ok(invitation)
}

/// The purposes of use and guidelines as shown for consent.
pub struct Documents {
    pub purposes: String,
    pub guidelines: String,
    pub purposes_version: i64,
    pub guidelines_version: i64,
}

async fn documents(state: &AppState, network: &Network, lang: Lang) -> Result<Documents, AppError> {
    let purposes = networks::current_document(&state.db, network.scope(), "purposes").await?;
    let guidelines = networks::current_document(&state.db, network.scope(), "guidelines").await?;
    Ok(Documents {
        purposes: body_in(&purposes, lang),
        guidelines: body_in(&guidelines, lang),
        purposes_version: purposes.version,
        guidelines_version: guidelines.version,
    })
}

/// The network's current guidelines in `lang` (the report form shows
/// them).
pub async fn guidelines(
    state: &AppState,
    network: &Network,
    lang: Lang,
) -> Result<String, AppError> {
    Ok(documents(state, network, lang).await?.guidelines)
}

fn consent_of<'a>(docs: &Documents, ip: &'a str) -> Consent<'a> {
    Consent {
        purposes_version: docs.purposes_version,
        guidelines_version: docs.guidelines_version,
        ip: Some(ip),
    }
}

// ───────────────────────────── home ─────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "networks/home.html")]
pub struct HomePage {
    pub ctx: PageCtx,
    pub name: String,
    pub description: String,
    pub slug: String,
    pub is_admin: bool,
    /// Moderators and admins see the way to the reports.
    pub is_moderator: bool,
    pub role_label: &'static str,
    pub kind_label: &'static str,
}

/// `GET /n/{slug}`
pub async fn home(ctx: PageCtx, scope: NetworkScope) -> HomePage {
    HomePage {
        name: name_in(&scope.network, ctx.lang).to_string(),
        description: description_in(&scope.network, ctx.lang).to_string(),
        slug: scope.slug().to_string(),
        is_admin: scope.is_admin(),
        is_moderator: scope.role >= enishi_core::networks::Role::Moderator,
        role_label: ctx.t(&format!("role.{}", scope.role.as_str())),
        kind_label: ctx.t(&format!("kind.{}", scope.kind.as_str())),
        ctx,
    }
}

// ───────────────────────────── landing and join ─────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "networks/join.html")]
pub struct JoinPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub policy: &'static str,
    pub docs: Documents,
    pub signed_in: bool,
    /// Already a member (active or pending): no form, a note instead.
    pub status: Option<String>,
    pub error: Option<&'static str>,
    /// The input the error belongs to (`""`: the whole form).
    pub error_field: &'static str,
    pub note: String,
}

async fn landing_network(state: &AppState, slug: &str) -> Result<(Network, JoinPolicy), AppError> {
    let network = networks::by_slug(&state.db, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let policy = JoinPolicy::parse(&network.join_policy).ok_or(AppError::NotFound)?;
    if !policy.has_landing_page() {
        return Err(AppError::NotFound);
    }
    Ok((network, policy))
}

async fn join_page(
    state: &AppState,
    ctx: PageCtx,
    viewer: &Viewer,
    network: &Network,
    policy: JoinPolicy,
) -> Result<JoinPage, AppError> {
    let status = match viewer.account() {
        Some(a) => memberships::of_account(&state.db, network.scope(), a.id)
            .await?
            .filter(|m| m.status == "active" || m.status == "pending" || m.status == "suspended")
            .map(|m| m.status),
        None => None,
    };
    Ok(JoinPage {
        slug: network.slug.clone(),
        name: name_in(network, ctx.lang).to_string(),
        description: description_in(network, ctx.lang).to_string(),
        policy: policy.as_str(),
        docs: documents(state, network, ctx.lang).await?,
        signed_in: viewer.account().is_some(),
        status,
        error: None,
        error_field: "",
        note: String::new(),
        ctx,
    })
}

/// `GET /n/{slug}/join`: the public landing page of a network that takes
/// requests or staff by domain (404 for invitation-only networks).
pub async fn landing(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> Result<JoinPage, AppError> {
    let (network, policy) = landing_network(&state, &slug).await?;
    join_page(&state, ctx, &viewer, &network, policy).await
}

#[derive(Deserialize)]
pub struct JoinForm {
    #[serde(default)]
    pub consent: Option<String>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub kind: String,
}

/// Why a join was refused, or what came of it.
pub type JoinResult = Result<memberships::Membership, &'static str>;

/// Joins `network` by its policy for `account_id`: a request (pending, with
/// `kind` and `note`) or, by a verified company address, an active
/// membership. `Err(key)` explains a refusal. One request however often
/// it is sent; the consent is recorded with the documents' versions.
#[allow(clippy::too_many_arguments)]
pub async fn join_network(
    state: &AppState,
    network: &Network,
    policy: JoinPolicy,
    account_id: i64,
    kind: &str,
    note: &str,
    consented: bool,
    ip: &str,
) -> Result<JoinResult, AppError> {
    if !consented {
        return Ok(Err("invalid.consent_required"));
    }
    if note.chars().count() > NOTE_MAX {
        return Ok(Err("invalid.note_too_long"));
    }
    let docs = documents(state, network, Lang::Ja).await?;
    let consent = consent_of(&docs, ip);
    let new = match policy {
        JoinPolicy::Request => {
            let kind = match Kind::parse(kind) {
                Some(k @ (Kind::Alumni | Kind::Employee)) => k,
                _ => return Ok(Err("invalid.kind")),
            };
            let note = Some(note.trim()).filter(|n| !n.is_empty());
            memberships::NewMembership {
                account_id,
                role: "member",
                kind: kind.as_str(),
                status: "pending",
                note,
            }
        }
        JoinPolicy::Domain => {
            let domains = network.domains();
            let addresses = accounts::emails(&state.db, account_id).await?;
            let at_domain = |e: &&accounts::AccountEmail| {
                enishi_core::networks::email_in_domains(&e.email, &domains)
            };
            if !addresses
                .iter()
                .filter(at_domain)
                .any(|e| e.verified_at.is_some())
            {
                let unverified = addresses.iter().any(|e| at_domain(&e));
                return Ok(Err(if unverified {
                    "invalid.domain_unverified"
                } else {
                    "invalid.domain_missing"
                }));
            }
            memberships::NewMembership {
                account_id,
                role: "member",
                kind: "employee",
                status: "active",
                note: None,
            }
        }
        JoinPolicy::Invitation => return Err(AppError::NotFound),
    };
    let (membership, created) =
        memberships::join(&state.db, network.scope(), &new, &consent).await?;
    if created {
        let action = if membership.status == "active" {
            "network.joined_by_domain"
        } else {
            "network.join_requested"
        };
        record(state, network, Some(account_id), action, None, ip).await;
    }
    Ok(Ok(membership))
}

/// `POST /n/{slug}/join`: asks to join (request policy) or joins as staff
/// with a verified company address (domain policy).
pub async fn join(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    Me(me): Me,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<JoinForm>,
) -> Result<Response, AppError> {
    let (network, policy) = landing_network(&state, &slug).await?;
    let consented = form.consent.as_deref() == Some("yes");
    let outcome = join_network(
        &state,
        &network,
        policy,
        me.account.id,
        &form.kind,
        &form.note,
        consented,
        &viewer.ip_text(),
    )
    .await?;
    match outcome {
        Ok(m) if m.status == "active" => Ok(Redirect::to(&format!("/n/{slug}")).into_response()),
        Ok(_) => {
            let mut notice = NoticePage::new(ctx, "join.requested_title", &["join.requested_body"]);
            notice.action = Some(("/", "join.back_home"));
            Ok(notice.into_response())
        }
        Err(key) => {
            let mut page = join_page(&state, ctx, &viewer, &network, policy).await?;
            page.note = form.note.chars().take(NOTE_MAX * 2).collect();
            page.error = Some(page.ctx.t(key));
            page.error_field = crate::ctx::field_of(key);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// The network of a landing page (request or domain policy), or 404.
pub async fn joinable(state: &AppState, slug: &str) -> Result<(Network, JoinPolicy), AppError> {
    landing_network(state, slug).await
}

// ───────────────────────────── invitations ─────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "networks/invite.html")]
pub struct InvitePage {
    pub ctx: PageCtx,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub token: String,
    pub email: String,
    pub docs: Documents,
    /// The address already has an account (the invitation links to it).
    pub has_account: bool,
    /// Someone else is signed in in this browser.
    pub other_account: bool,
    pub error: Option<&'static str>,
    /// The input the error belongs to (`""`: the whole form).
    pub error_field: &'static str,
    pub display_name: String,
    /// What HR has on record (an invitation from the alumni roster), for
    /// the person to check and correct.
    pub record: Option<crate::intake::RecordDraft>,
}

#[derive(Deserialize, Default)]
pub struct TokenQuery {
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub next: Option<String>,
}

pub(crate) fn invitation_problem(ctx: PageCtx, key: &str) -> Response {
    let page = NoticePage::new(
        ctx,
        &format!("invite.{key}_title"),
        &[&format!("invite.{key}_body")],
    );
    (StatusCode::GONE, page).into_response()
}

/// Finds a usable invitation of this network for `token`, or the page that
/// explains why not (another network's, unknown, expired, used, revoked).
pub(crate) async fn usable_invitation(
    state: &AppState,
    network: &Network,
    token: &str,
) -> Result<Result<Invitation, &'static str>, AppError> {
    let Some(invitation) =
        invitations::by_token(&state.db, network.scope(), &hash_token(token)).await?
    else {
        return Ok(Err("invalid"));
    };
    Ok(if invitation.accepted_at.is_some() {
        Err("used")
    } else if invitation.revoked_at.is_some() {
        Err("revoked")
    } else if invitation.expires_at <= now_ms() {
        Err("expired")
    } else {
        Ok(invitation)
    })
}

async fn invite_page(
    state: &AppState,
    ctx: PageCtx,
    viewer: &Viewer,
    network: &Network,
    token: String,
    invitation: &Invitation,
) -> Result<InvitePage, AppError> {
    let owner = accounts::by_verified_email(&state.db, &invitation.email).await?;
    let other_account = match (&owner, viewer.account()) {
        (Some(owner), Some(me)) => owner.id != me.id,
        _ => false,
    };
    Ok(InvitePage {
        slug: network.slug.clone(),
        name: name_in(network, ctx.lang).to_string(),
        description: description_in(network, ctx.lang).to_string(),
        token,
        email: invitation.email.clone(),
        docs: documents(state, network, ctx.lang).await?,
        has_account: owner.is_some() || viewer.account().is_some(),
        other_account,
        error: None,
        error_field: "",
        display_name: String::new(),
        record: match invitation.record_id {
            Some(id) => crate::intake::draft_of(state, network.scope(), id).await?,
            None => None,
        },
        ctx,
    })
}

/// `GET /n/{slug}/invite?token=…`
pub async fn invitation(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    Path(slug): Path<String>,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    let network = networks::by_slug(&state.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let token = query_token(q.token.as_deref());
    let invitation = match usable_invitation(&state, &network, &token).await? {
        Ok(i) => i,
        Err(why) => return Ok(invitation_problem(ctx, why)),
    };
    if let Some(record_id) = invitation.record_id {
        enishi_store::intake::mark_opened(&state.db, network.scope(), record_id).await?;
    }
    Ok(
        invite_page(&state, ctx, &viewer, &network, token, &invitation)
            .await?
            .into_response(),
    )
}

#[derive(Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub consent: Option<String>,
    #[serde(default)]
    pub display_name: String,
    /// Corrections to HR's record (alumni-roster invitations).
    #[serde(flatten)]
    pub record: crate::intake::DraftFields,
}

/// `POST /n/{slug}/invite`: accepts the invitation with consent. The link
/// proves the mailbox, so it signs the person in: to the account that has
/// the address verified, or to the signed-in account (which gains the
/// address), or to a new account.
pub async fn accept_invitation(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    headers: HeaderMap,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<AcceptForm>,
) -> Result<Response, AppError> {
    let network = networks::by_slug(&state.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let token = query_token(Some(&form.token));
    let invitation = match usable_invitation(&state, &network, &token).await? {
        Ok(i) => i,
        Err(why) => return Ok(invitation_problem(ctx, why)),
    };
    let mut page = invite_page(&state, ctx, &viewer, &network, token, &invitation).await?;
    page.display_name = form.display_name.chars().take(200).collect();
    page.record = page.record.take().map(|d| d.with(&form.record));
    let refuse = |mut page: InvitePage, status: StatusCode, key: &'static str| {
        page.error = Some(page.ctx.t(key));
        page.error_field = crate::ctx::field_of(key);
        Ok((status, page).into_response())
    };
    if page.other_account {
        return refuse(page, StatusCode::CONFLICT, "invite.other_account");
    }
    if let Some(Err((_, key))) = page.record.as_ref().map(|d| d.check()) {
        page.error = Some(page.ctx.t(key));
        page.error_field = "";
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    if form.consent.as_deref() != Some("yes") {
        return refuse(
            page,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid.consent_required",
        );
    }
    let account = match (
        accounts::by_verified_email(&state.db, &invitation.email).await?,
        viewer.account(),
    ) {
        (Some(owner), _) => owner,
        (None, Some(me)) => {
            // The invitation proves this address: it joins the signed-in account.
            accounts::add_email(&state.db, me.id, &invitation.email).await?;
            accounts::verify_email(&state.db, me.id, &invitation.email).await?;
            me.clone()
        }
        (None, None) => {
            let name = form.display_name.trim();
            if name.is_empty() || name.chars().count() > crate::account::NAME_MAX {
                let key = if name.is_empty() {
                    "invalid.name_empty"
                } else {
                    "invalid.name_too_long"
                };
                return refuse(page, StatusCode::UNPROCESSABLE_ENTITY, key);
            }
            let new = NewAccount {
                display_name: name,
                email: &invitation.email,
                email_verified: true,
                lang: page.ctx.lang.code(),
                time_zone: enishi_core::tz::DEFAULT,
                is_operator: false,
            };
            match accounts::create(&state.db, &new).await {
                Ok(a) => a,
                // Verified elsewhere a moment ago: that account it is.
                Err(enishi_store::StoreError::Conflict(_)) => {
                    accounts::by_verified_email(&state.db, &invitation.email)
                        .await?
                        .ok_or_else(|| AppError::Internal("address vanished".into()))?
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    if !invitations::accept(&state.db, network.scope(), invitation.id, account.id).await? {
        return Ok(invitation_problem(page.ctx, "used"));
    }
    if let Some(draft) = &page.record {
        // HR's record becomes the person's profile before the membership
        // would create an empty one
        crate::intake::claim_record(&state, network.scope(), draft, account.id).await?;
    }
    let ip = viewer.ip_text();
    let consent = consent_of(&page.docs, &ip);
    let existing = memberships::of_account(&state.db, network.scope(), account.id).await?;
    match existing {
        // Already in (or pending): activate with the invited role, never demote.
        Some(m) if m.status != "left" => {
            if m.status == "pending" {
                memberships::set_status(&state.db, network.scope(), m.id, "active").await?;
            }
            let invited = Role::parse(&invitation.role).unwrap_or(Role::Member);
            if Role::parse(&m.role).is_some_and(|r| r < invited) {
                memberships::set_role(&state.db, network.scope(), m.id, invited.as_str()).await?;
            }
            memberships::renew_consent(&state.db, network.scope(), account.id, &consent).await?;
        }
        _ => {
            memberships::join(
                &state.db,
                network.scope(),
                &memberships::NewMembership {
                    account_id: account.id,
                    role: &invitation.role,
                    kind: &invitation.kind,
                    status: "active",
                    note: None,
                },
                &consent,
            )
            .await?;
        }
    }
    if let Some(draft) = &page.record {
        crate::intake::join_record(&state, network.scope(), draft, account.id).await?;
    }
    record(
        &state,
        &network,
        Some(account.id),
        "network.joined_by_invitation",
        Some(&invitation.email),
        &ip,
    )
    .await;
    let to = format!("/n/{}", network.slug);
    if viewer.account().is_some_and(|a| a.id == account.id) {
        return Ok(Redirect::to(&to).into_response());
    }
    start_session(&state, &account, &headers, &viewer, &to).await
}

// ───────────────────────────── consent and leaving ─────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "networks/consent.html")]
pub struct ConsentPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub name: String,
    pub docs: Documents,
    pub next: String,
    pub error: Option<&'static str>,
    /// The input the error belongs to (`""`: the whole form).
    pub error_field: &'static str,
}

/// `GET /n/{slug}/consent`: asks again after the documents changed.
pub async fn consent_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    let next = safe_next(q.next.as_deref().unwrap_or("")).to_string();
    let next = if next == "/" {
        format!("/n/{}", scope.slug())
    } else {
        next
    };
    if scope.membership.consent_is_current(&scope.network) {
        return Ok(Redirect::to(&next).into_response());
    }
    Ok(ConsentPage {
        slug: scope.slug().to_string(),
        name: name_in(&scope.network, ctx.lang).to_string(),
        docs: documents(&state, &scope.network, ctx.lang).await?,
        next,
        error: None,
        error_field: "",
        ctx,
    }
    .into_response())
}

#[derive(Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    pub consent: Option<String>,
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub next: String,
}

/// Records a member's decision on the current documents: agreeing renews
/// the consent; declining is recorded and the member leaves.
pub async fn decide_consent(
    state: &AppState,
    scope: &NetworkScope,
    accept: bool,
    ip: &str,
) -> Result<(), AppError> {
    let docs = documents(state, &scope.network, Lang::Ja).await?;
    let consent = consent_of(&docs, ip);
    let account_id = scope.membership.account_id;
    if accept {
        memberships::renew_consent(&state.db, scope.id(), account_id, &consent).await?;
        record(
            state,
            &scope.network,
            Some(account_id),
            "network.consent_renewed",
            None,
            ip,
        )
        .await;
    } else {
        memberships::record_consent(&state.db, scope.id(), account_id, &consent, "declined")
            .await?;
        memberships::set_status(&state.db, scope.id(), scope.membership.id, "left").await?;
        record(
            state,
            &scope.network,
            Some(account_id),
            "network.left_declining_consent",
            None,
            ip,
        )
        .await;
    }
    Ok(())
}

/// `POST /n/{slug}/consent`: agrees (and goes on) or declines (and leaves).
pub async fn give_consent(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    scope: NetworkScope,
    CsrfForm(form): CsrfForm<ConsentForm>,
) -> Result<Response, AppError> {
    let ip = viewer.ip_text();
    if form.decision == "decline" {
        decide_consent(&state, &scope, false, &ip).await?;
        return Ok(Redirect::to("/?done=left").into_response());
    }
    if form.consent.as_deref() != Some("yes") {
        let page = ConsentPage {
            slug: scope.slug().to_string(),
            name: name_in(&scope.network, ctx.lang).to_string(),
            error: Some(ctx.t("invalid.consent_required")),
            error_field: "consent",
            docs: documents(&state, &scope.network, ctx.lang).await?,
            next: safe_next(&form.next).to_string(),
            ctx,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    decide_consent(&state, &scope, true, &ip).await?;
    let next = safe_next(&form.next);
    let next = if next == "/" {
        format!("/n/{}", scope.slug())
    } else {
        next.to_string()
    };
    Ok(Redirect::to(&next).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "networks/leave.html")]
pub struct LeavePage {
    pub ctx: PageCtx,
    pub slug: String,
    pub name: String,
    pub last_owner: bool,
}

/// `GET /n/{slug}/leave`: says what leaving means, asks to confirm.
pub async fn leave_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
) -> Result<LeavePage, AppError> {
    let last_owner =
        scope.role == Role::Owner && memberships::active_owners(&state.db, scope.id()).await? <= 1;
    Ok(LeavePage {
        slug: scope.slug().to_string(),
        name: name_in(&scope.network, ctx.lang).to_string(),
        last_owner,
        ctx,
    })
}

/// Ends `scope`'s membership by the member's choice. `false` when they
/// are the last owner (who must hand over first).
pub async fn leave_network(
    state: &AppState,
    scope: &NetworkScope,
    ip: &str,
) -> Result<bool, AppError> {
    if scope.role == Role::Owner && memberships::active_owners(&state.db, scope.id()).await? <= 1 {
        return Ok(false);
    }
    memberships::set_status(&state.db, scope.id(), scope.membership.id, "left").await?;
    record(
        state,
        &scope.network,
        Some(scope.membership.account_id),
        "network.left",
        None,
        ip,
    )
    .await;
    Ok(true)
}

/// `POST /n/{slug}/leave`
pub async fn leave(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    scope: NetworkScope,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    if !leave_network(&state, &scope, &viewer.ip_text()).await? {
        let page = LeavePage {
            slug: scope.slug().to_string(),
            name: name_in(&scope.network, ctx.lang).to_string(),
            last_owner: true,
            ctx,
        };
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    Ok(Redirect::to("/?done=left").into_response())
}
