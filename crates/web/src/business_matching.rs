//! Business matching pages and API (seed 003): an event's pitches (from
//! alumni-business listings, approved by the organisers), the company's
//! projects attached to it, 1:1 meetings (商談) in its slots, and business
//! cards (名刺) exchanged by code or QR — shared only when the owner
//! confirms.
//!
//! Meetings are asked for by people registered for the event, of people
//! who pitch there or posted an attached project; nobody is booked twice
//! in a slot (the store's seats). Everything answers 404 for an event the
//! member may not see.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use enishi_core::business_matching::{self as rules, Card, CardField, PitchInput, PitchStatus};
use enishi_core::events::FieldError;
use enishi_core::notifications::Kind as NoticeKind;
use enishi_store::business_matching::{self as stored, Answered, Asked};
use enishi_store::now_ms;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::ApiJson;
use crate::csrf::CsrfForm;
use crate::ctx::PageCtx;
use crate::events::{EventCtx, event_for, managed};
use crate::posts::AuthorView;
use crate::scope::NetworkScope;
use crate::{AppError, AppState};

/// A pitch as shown.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PitchBody {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub business_id: i64,
    pub business_name: String,
    pub pitch: String,
    pub slides_url: String,
    /// `pending`, `approved` or `declined`.
    pub status: String,
}

/// A project attached to the event.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ProjectBody {
    pub opportunity_id: i64,
    pub title: String,
    /// Who to meet about it (its poster), if still a member.
    pub host_id: Option<i64>,
}

/// A meeting as one of its two people sees it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MeetingBody {
    pub id: i64,
    /// Unix milliseconds.
    pub slot_at: i64,
    /// `18:40`, in the caller's zone.
    pub slot: String,
    /// `requested`, `accepted`, `declined` or `cancelled`.
    pub status: String,
    /// The caller is the one asked.
    pub asked_of_me: bool,
    pub other_id: i64,
    pub other_name: String,
    pub note: String,
}

/// A slot of the event.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SlotBody {
    pub at: i64,
    pub label: String,
}

/// Everything of an event's business matching the caller may see.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MatchingBody {
    /// Approved pitches (organisers see every one).
    pub pitches: Vec<PitchBody>,
    pub projects: Vec<ProjectBody>,
    pub meetings: Vec<MeetingBody>,
    pub slots: Vec<SlotBody>,
    /// People one may ask for a meeting: (account, name).
    pub hosts: Vec<HostBody>,
}

/// Someone who takes meetings at the event.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct HostBody {
    pub account_id: i64,
    pub name: String,
    /// What they bring (a business's name, a project's title).
    pub about: String,
}

/// The event when it is a business-matching one (404 otherwise).
async fn matching_event(
    state: &AppState,
    scope: &NetworkScope,
    id: i64,
) -> Result<EventCtx, AppError> {
    let e = event_for(state, scope, id).await?;
    if e.event().business_matching == 0 {
        return Err(AppError::NotFound);
    }
    Ok(e)
}

/// What the caller may see of an event's business matching.
pub async fn matching_of(
    state: &AppState,
    scope: &NetworkScope,
    ctx: &PageCtx,
    e: &EventCtx,
) -> Result<MatchingBody, AppError> {
    let me = scope.membership.account_id;
    let all = stored::pitches(&state.db, scope.id(), e.id()).await?;
    let pitches: Vec<PitchBody> = all
        .iter()
        .filter(|p| e.may_manage() || p.status == "approved" || p.account_id == me)
        .map(|p| PitchBody {
            id: p.id,
            account_id: p.account_id,
            name: AuthorView::of(
                scope,
                ctx.lang,
                Some(p.account_id),
                &p.author,
                ctx.t("posts.former_member"),
            )
            .name,
            business_id: p.business_id,
            business_name: p.business_name.clone(),
            pitch: p.pitch.clone(),
            slides_url: p.slides_url.clone(),
            status: p.status.clone(),
        })
        .collect();
    let attached = stored::projects(&state.db, scope.id(), e.id()).await?;
    let posters: Vec<i64> = attached.iter().filter_map(|p| p.posted_by).collect();
    let members = enishi_store::memberships::active_among(&state.db, scope.id(), &posters).await?;
    let projects: Vec<ProjectBody> = attached
        .into_iter()
        .map(|p| ProjectBody {
            opportunity_id: p.opportunity_id,
            title: p.title,
            host_id: p.posted_by.filter(|a| members.contains(a)),
        })
        .collect();
    let mut hosts: Vec<HostBody> = Vec::new();
    for p in pitches.iter().filter(|p| p.status == "approved") {
        hosts.push(HostBody {
            account_id: p.account_id,
            name: p.name.clone(),
            about: p.business_name.clone(),
        });
    }
    for p in &projects {
        if let Some(h) = p.host_id {
            hosts.push(HostBody {
                account_id: h,
                name: AuthorView::name_of_account(state, scope, ctx, h).await?,
                about: p.title.clone(),
            });
        }
    }
    let slots: Vec<SlotBody> = enishi_core::events::meeting_slots(
        e.event().starts_at,
        e.event().ends_at,
        e.event().meeting_minutes,
    )
    .into_iter()
    .map(|at| SlotBody {
        at,
        label: enishi_core::calendar::local_in(at, ctx.tz()).hh_mm(),
    })
    .collect();
    let mut meetings = Vec::new();
    for m in stored::meetings_of(&state.db, scope.id(), e.id(), me).await? {
        let asked_of_me = m.host_id == me;
        let other_id = if asked_of_me {
            m.requester_id
        } else {
            m.host_id
        };
        meetings.push(MeetingBody {
            id: m.id,
            slot_at: m.slot_at,
            slot: enishi_core::calendar::local_in(m.slot_at, ctx.tz()).hh_mm(),
            status: m.status,
            asked_of_me,
            other_id,
            other_name: AuthorView::name_of_account(state, scope, ctx, other_id).await?,
            note: m.note,
        });
    }
    Ok(MatchingBody {
        pitches,
        projects,
        meetings,
        slots,
        hosts,
    })
}

// ─────────────────────────────── rules' glue ───────────────────────────────

/// Applies to pitch one of the member's businesses.
pub async fn apply(
    state: &AppState,
    scope: &NetworkScope,
    e: &EventCtx,
    input: &PitchInput,
) -> Result<Result<i64, Vec<FieldError>>, AppError> {
    let me = scope.membership.account_id;
    let owns = match input.business_id {
        Some(b) => enishi_store::businesses::get(&state.db, scope.id(), b)
            .await?
            .is_some_and(|b| b.account_id == me),
        None => false,
    };
    let pitch = match rules::check_pitch(input, owns) {
        Ok(p) => p,
        Err(errors) => return Ok(Err(errors)),
    };
    match stored::apply(
        &state.db,
        scope.id(),
        &stored::NewPitch {
            event: e.id(),
            account: me,
            business: pitch.business_id,
            pitch: &pitch.pitch,
            slides_url: &pitch.slides_url,
        },
        now_ms(),
    )
    .await?
    {
        Some(id) => Ok(Ok(id)),
        None => Ok(Err(vec![FieldError {
            field: "business_id",
            key: "invalid.pitch_twice",
        }])),
    }
}

/// Asks for a meeting (the member must be registered, going).
pub async fn request_meeting(
    state: &AppState,
    scope: &NetworkScope,
    ctx: &PageCtx,
    e: &EventCtx,
    host: i64,
    slot: i64,
    note: &str,
) -> Result<Result<i64, FieldError>, AppError> {
    let me = scope.membership.account_id;
    if e.mine() != Some("going") && !e.may_manage() {
        return Ok(Err(FieldError {
            field: "host",
            key: "invalid.meeting_not_going",
        }));
    }
    let m = matching_of(state, scope, ctx, e).await?;
    let hosts: Vec<i64> = m.hosts.iter().map(|h| h.account_id).collect();
    let slots: Vec<i64> = m.slots.iter().map(|s| s.at).collect();
    let note = match rules::check_meeting(me, host, &hosts, slot, &slots, note) {
        Ok(n) => n,
        Err(e) => return Ok(Err(e)),
    };
    for who in [me, host] {
        if stored::busy(&state.db, scope.id(), e.id(), who, slot).await? {
            return Ok(Err(FieldError {
                field: "slot",
                key: if who == me {
                    "invalid.meeting_you_busy"
                } else {
                    "invalid.meeting_busy"
                },
            }));
        }
    }
    let id = stored::request(
        &state.db,
        scope.id(),
        &stored::NewMeeting {
            event: e.id(),
            requester: me,
            host,
            slot,
            note: &note,
        },
        now_ms(),
    )
    .await?;
    crate::notifications::notify(
        state,
        scope,
        &[(host, NoticeKind::EventMeetingRequested)],
        crate::notifications::About {
            event: Some(e.id()),
            ..Default::default()
        },
    )
    .await;
    Ok(Ok(id))
}

/// The host accepts or declines; `Err(key)` when the slot is taken.
pub async fn answer_meeting(
    state: &AppState,
    scope: &NetworkScope,
    e: &EventCtx,
    meeting: i64,
    accept: bool,
) -> Result<Result<(), &'static str>, AppError> {
    let me = scope.membership.account_id;
    let requester = stored::meetings_of(&state.db, scope.id(), e.id(), me)
        .await?
        .into_iter()
        .find(|m| m.id == meeting && m.host_id == me)
        .map(|m| m.requester_id)
        .ok_or(AppError::NotFound)?;
    match stored::answer(&state.db, scope.id(), e.id(), meeting, me, accept, now_ms()).await? {
        Answered::Done => {
            crate::notifications::notify(
                state,
                scope,
                &[(
                    requester,
                    if accept {
                        NoticeKind::EventMeetingAccepted
                    } else {
                        NoticeKind::EventMeetingDeclined
                    },
                )],
                crate::notifications::About {
                    event: Some(e.id()),
                    ..Default::default()
                },
            )
            .await;
            Ok(Ok(()))
        }
        Answered::Busy => Ok(Err("invalid.meeting_busy")),
        Answered::NotFound => Ok(Err("invalid.meeting_answered")),
    }
}

// ─────────────────────────────── pages ───────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "events/matching.html")]
pub struct MatchingPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub event_id: i64,
    pub title: String,
    pub m: MatchingBody,
    pub my_businesses: Vec<(i64, String)>,
    pub may_manage: bool,
    pub going: bool,
    /// The member (not offered as their own meeting's other side).
    pub me: i64,
    pub open_projects: Vec<(i64, String, bool)>,
    pub error: Option<&'static str>,
    pub notice: Option<&'static str>,
}

async fn matching_page(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
    id: i64,
    error: Option<&'static str>,
    notice: Option<&'static str>,
) -> Result<MatchingPage, AppError> {
    let e = matching_event(state, scope, id).await?;
    let m = matching_of(state, scope, &ctx, &e).await?;
    let me = scope.membership.account_id;
    let my_businesses = enishi_store::businesses::list(&state.db, scope.id())
        .await?
        .into_iter()
        .filter(|b| b.account_id == me)
        .map(|b| (b.id, b.name))
        .collect();
    let open_projects = if e.may_manage() {
        let attached: Vec<i64> = m.projects.iter().map(|p| p.opportunity_id).collect();
        crate::opportunities::visible(state, scope)
            .await?
            .into_iter()
            .filter(|o| o.status == enishi_core::opportunities::Status::Open)
            .map(|o| {
                (
                    o.id(),
                    o.row.opportunity.title.clone(),
                    attached.contains(&o.id()),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(MatchingPage {
        slug: scope.slug().to_string(),
        event_id: id,
        title: e.event().title.clone(),
        m,
        my_businesses,
        may_manage: e.may_manage(),
        going: e.mine() == Some("going"),
        me,
        open_projects,
        error,
        notice,
        ctx,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    pub done: String,
}

fn notice_of(done: &str) -> Option<&'static str> {
    match done {
        "applied" => Some("matching.done_applied"),
        "decided" => Some("matching.done_decided"),
        "projects" => Some("matching.done_projects"),
        "requested" => Some("matching.done_requested"),
        "accepted" => Some("matching.done_accepted"),
        "declined" => Some("matching.done_declined"),
        _ => None,
    }
}

/// `GET /n/{slug}/events/{event_id}/matching`
pub async fn page(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    Query(q): Query<DoneQuery>,
) -> Result<MatchingPage, AppError> {
    matching_page(&state, ctx, &scope, id, None, notice_of(&q.done)).await
}

fn back(scope: &NetworkScope, id: i64, done: &str) -> Response {
    Redirect::to(&format!(
        "/n/{}/events/{id}/matching?done={done}",
        scope.slug()
    ))
    .into_response()
}

async fn refused_page(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
    id: i64,
    key: &'static str,
) -> Result<Response, AppError> {
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        matching_page(state, ctx, scope, id, Some(key), None).await?,
    )
        .into_response())
}

/// A pitch application as typed.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct PitchForm {
    pub business_id: String,
    pub pitch: String,
    pub slides_url: String,
}

impl PitchForm {
    fn input(&self) -> PitchInput {
        PitchInput {
            business_id: self.business_id.trim().parse().ok(),
            pitch: self.pitch.clone(),
            slides_url: self.slides_url.clone(),
        }
    }
}

/// `POST /n/{slug}/events/{event_id}/pitches`
pub async fn apply_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<PitchForm>,
) -> Result<Response, AppError> {
    let e = matching_event(&state, &scope, id).await?;
    match apply(&state, &scope, &e, &form.input()).await? {
        Ok(_) => Ok(back(&scope, id, "applied")),
        Err(errors) => refused_page(&state, ctx, &scope, id, errors[0].key).await,
    }
}

/// An organiser's decision.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct DecisionForm {
    /// `approved` or `declined` (pitches); `accepted` or `declined`
    /// (meetings); `confirmed` or `declined` (card exchanges).
    pub decision: String,
}

/// Approves or declines a pitch (organisers).
pub async fn decide(
    state: &AppState,
    scope: &NetworkScope,
    e: &EventCtx,
    pitch: i64,
    decision: &str,
) -> Result<Result<(), &'static str>, AppError> {
    let status = match PitchStatus::parse(decision.trim()) {
        Some(s @ (PitchStatus::Approved | PitchStatus::Declined)) => s,
        _ => return Ok(Err("invalid.pitch_decision")),
    };
    if !stored::decide_pitch(
        &state.db,
        scope.id(),
        e.id(),
        pitch,
        status.as_str(),
        now_ms(),
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(Ok(()))
}

/// `POST /n/{slug}/events/{event_id}/pitches/{pitch_id}`
pub async fn decide_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id, pitch)): Path<(String, i64, i64)>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, AppError> {
    let e = managed(&state, &scope, id).await?;
    matching_event(&state, &scope, id).await?;
    match decide(&state, &scope, &e, pitch, &form.decision).await? {
        Ok(()) => Ok(back(&scope, id, "decided")),
        Err(key) => refused_page(&state, ctx, &scope, id, key).await,
    }
}

/// `POST /n/{slug}/events/{event_id}/projects`: the projects attached
/// (organisers; `opportunity` repeated).
pub async fn projects_form(
    State(state): State<AppState>,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    managed(&state, &scope, id).await?;
    matching_event(&state, &scope, id).await?;
    let ids: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "opportunity")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    attach(&state, &scope, id, &ids).await?;
    Ok(back(&scope, id, "projects"))
}

/// Attaches the opportunities the organiser may see (others are ignored).
pub async fn attach(
    state: &AppState,
    scope: &NetworkScope,
    event: i64,
    ids: &[i64],
) -> Result<(), AppError> {
    let visible: Vec<i64> = crate::opportunities::visible(state, scope)
        .await?
        .iter()
        .map(|o| o.id())
        .filter(|o| ids.contains(o))
        .collect();
    stored::set_projects(&state.db, scope.id(), event, &visible).await?;
    Ok(())
}

/// A meeting request as typed.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct MeetingForm {
    pub host: String,
    /// The slot's start (Unix ms).
    pub slot: String,
    pub note: String,
}

/// `POST /n/{slug}/events/{event_id}/meetings`
pub async fn request_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<MeetingForm>,
) -> Result<Response, AppError> {
    let e = matching_event(&state, &scope, id).await?;
    let host = form.host.trim().parse().unwrap_or(0);
    let slot = form.slot.trim().parse().unwrap_or(0);
    match request_meeting(&state, &scope, &ctx, &e, host, slot, &form.note).await? {
        Ok(_) => Ok(back(&scope, id, "requested")),
        Err(err) => refused_page(&state, ctx, &scope, id, err.key).await,
    }
}

/// `POST /n/{slug}/events/{event_id}/meetings/{meeting_id}`
pub async fn answer_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id, meeting)): Path<(String, i64, i64)>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, AppError> {
    let e = matching_event(&state, &scope, id).await?;
    let accept = match form.decision.as_str() {
        "accepted" => true,
        "declined" => false,
        _ => return refused_page(&state, ctx, &scope, id, "invalid.meeting_decision").await,
    };
    match answer_meeting(&state, &scope, &e, meeting, accept).await? {
        Ok(()) => Ok(back(
            &scope,
            id,
            if accept { "accepted" } else { "declined" },
        )),
        Err(key) => refused_page(&state, ctx, &scope, id, key).await,
    }
}

// ─────────────────────────────── cards ───────────────────────────────

/// A card as its owner writes it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct CardBody {
    pub name: String,
    pub company: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    pub url: String,
    /// The fields shared on exchange: `company`, `title`, `email`,
    /// `phone`, `url` (the name always is).
    pub shown: Vec<String>,
}

impl CardBody {
    fn of(c: &Card) -> CardBody {
        CardBody {
            name: c.name.clone(),
            company: c.company.clone(),
            title: c.title.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            url: c.url.clone(),
            shown: c.shown.clone(),
        }
    }
    fn card(&self) -> Card {
        Card {
            name: self.name.clone(),
            company: self.company.clone(),
            title: self.title.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            url: self.url.clone(),
            shown: self.shown.clone(),
        }
    }
}

/// The member's card and code (a card is made with their name on first
/// use: nothing else is on it until they add it).
pub async fn my_card(
    state: &AppState,
    scope: &NetworkScope,
    ctx: &PageCtx,
) -> Result<(Card, String), AppError> {
    let me = scope.membership.account_id;
    if let Some((json, code)) = stored::card_of(&state.db, scope.id(), me).await? {
        return Ok((serde_json::from_str(&json).unwrap_or_default(), code));
    }
    let card = Card {
        name: AuthorView::name_of_account(state, scope, ctx, me).await?,
        ..Card::default()
    };
    let code = new_code();
    stored::save_card(
        &state.db,
        scope.id(),
        me,
        &serde_json::to_string(&card).unwrap_or_default(),
        &code,
        now_ms(),
    )
    .await?;
    Ok((card, code))
}

/// A card code: eight characters of Crockford's base 32 (no I, L, O, U).
fn new_code() -> String {
    let mut bytes = [0u8; 5];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    enishi_core::tickets::code(&bytes, 8)
}

/// A typed code, comparable with stored ones (spaces and dashes dropped).
fn read_code(input: &str) -> String {
    enishi_core::tickets::typed(input)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// Saves the member's card.
pub async fn save_card(
    state: &AppState,
    scope: &NetworkScope,
    ctx: &PageCtx,
    body: &CardBody,
) -> Result<Result<Card, Vec<FieldError>>, AppError> {
    let card = match rules::check_card(&body.card()) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let (_, code) = my_card(state, scope, ctx).await?;
    stored::save_card(
        &state.db,
        scope.id(),
        scope.membership.account_id,
        &serde_json::to_string(&card).unwrap_or_default(),
        &code,
        now_ms(),
    )
    .await?;
    Ok(Ok(card))
}

/// Asks the holder of `code` for an exchange. `Ok(Err(key))` for an
/// unknown code or one's own.
pub async fn exchange(
    state: &AppState,
    scope: &NetworkScope,
    ctx: &PageCtx,
    code: &str,
) -> Result<Result<&'static str, &'static str>, AppError> {
    let me = scope.membership.account_id;
    crate::signin::limit(&state.db, &format!("cards:{me}"), 30, 60_000).await?;
    let Some(owner) = stored::by_code(&state.db, scope.id(), &read_code(code)).await? else {
        return Ok(Err("invalid.card_code"));
    };
    if owner == me {
        return Ok(Err("invalid.card_own"));
    }
    // one's own card goes with the request
    my_card(state, scope, ctx).await?;
    Ok(Ok(
        match stored::ask_exchange(&state.db, scope.id(), me, owner, None, now_ms()).await? {
            Asked::Created(_) => "cards.done_asked",
            Asked::Already(s) if s == "confirmed" => "cards.done_already",
            Asked::Already(_) => "cards.done_asked",
        },
    ))
}

/// A card received.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReceivedBody {
    pub exchange_id: i64,
    pub account_id: i64,
    pub card: CardBody,
}

fn shared_card(ctx: &PageCtx, scope: &NetworkScope, row: &stored::ExchangeRow) -> CardBody {
    let mut card: Card = row
        .card
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default();
    if card.name.is_empty() {
        card.name = AuthorView::of(
            scope,
            ctx.lang,
            Some(row.other_id),
            &row.author,
            ctx.t("posts.former_member"),
        )
        .name;
    }
    CardBody::of(&card.shared())
}

#[derive(Template, WebTemplate)]
#[template(path = "events/cards.html")]
pub struct CardsPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub card: CardBody,
    pub code: String,
    pub qr: String,
    pub typed: String,
    pub waiting: Vec<(i64, String)>,
    pub received: Vec<CardBody>,
    pub errors: Vec<FieldError>,
    pub error: Option<&'static str>,
    pub notice: Option<&'static str>,
}

impl CardsPage {
    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| self.ctx.t(e.key))
    }
    pub fn shows(&self, field: &str) -> bool {
        self.card.shown.iter().any(|s| s == field)
    }
    pub fn fields(&self) -> &'static [CardField] {
        CardField::ALL
    }
}

#[allow(clippy::too_many_arguments)]
async fn cards_page(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
    edited: Option<CardBody>,
    typed: String,
    errors: Vec<FieldError>,
    error: Option<&'static str>,
    notice: Option<&'static str>,
) -> Result<CardsPage, AppError> {
    let (card, code) = my_card(state, scope, &ctx).await?;
    let me = scope.membership.account_id;
    let link = state.link(&format!("/n/{}/cards?code={code}", scope.slug()));
    let qr = enishi_core::tickets::qr_svg(&link, ctx.t("cards.qr")).unwrap_or_default();
    let waiting = stored::waiting_for(&state.db, scope.id(), me)
        .await?
        .iter()
        .map(|r| (r.id, shared_card(&ctx, scope, r).name))
        .collect();
    let received = stored::received(&state.db, scope.id(), me)
        .await?
        .iter()
        .map(|r| shared_card(&ctx, scope, r))
        .collect();
    Ok(CardsPage {
        slug: scope.slug().to_string(),
        card: edited.unwrap_or_else(|| CardBody::of(&card)),
        code,
        qr,
        typed,
        waiting,
        received,
        errors,
        error,
        notice,
        ctx,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CardsQuery {
    /// A code scanned from someone's QR (fills the exchange form).
    pub code: String,
    pub done: String,
}

/// `GET /n/{slug}/cards`
pub async fn cards(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Query(q): Query<CardsQuery>,
) -> Result<CardsPage, AppError> {
    let notice = match q.done.as_str() {
        "saved" => Some("cards.done_saved"),
        "asked" => Some("cards.done_asked"),
        "already" => Some("cards.done_already"),
        "confirmed" => Some("cards.done_confirmed"),
        "declined" => Some("cards.done_declined"),
        _ => None,
    };
    cards_page(&state, ctx, &scope, None, q.code, Vec::new(), None, notice).await
}

/// `POST /n/{slug}/cards`: the member's card (checkboxes `shown`).
pub async fn save_card_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let body = CardBody {
        name: get("name"),
        company: get("company"),
        title: get("title"),
        email: get("email"),
        phone: get("phone"),
        url: get("url"),
        shown: pairs
            .iter()
            .filter(|(k, _)| k == "shown")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    match save_card(&state, &scope, &ctx, &body).await? {
        Ok(_) => Ok(Redirect::to(&format!("/n/{}/cards?done=saved", scope.slug())).into_response()),
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            cards_page(
                &state,
                ctx,
                &scope,
                Some(body),
                String::new(),
                errors,
                None,
                None,
            )
            .await?,
        )
            .into_response()),
    }
}

/// A code typed or scanned.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CodeForm {
    pub code: String,
}

/// `POST /n/{slug}/cards/exchange`
pub async fn exchange_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response, AppError> {
    match exchange(&state, &scope, &ctx, &form.code).await? {
        Ok(key) => Ok(Redirect::to(&format!(
            "/n/{}/cards?done={}",
            scope.slug(),
            key.trim_start_matches("cards.done_")
        ))
        .into_response()),
        Err(key) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            cards_page(
                &state,
                ctx,
                &scope,
                None,
                form.code,
                Vec::new(),
                Some(key),
                None,
            )
            .await?,
        )
            .into_response()),
    }
}

/// `POST /n/{slug}/cards/exchanges/{exchange_id}`: confirm or decline.
pub async fn decide_exchange_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, AppError> {
    let confirm = decide_exchange(&state, &scope, &ctx, id, &form.decision).await?;
    Ok(Redirect::to(&format!(
        "/n/{}/cards?done={}",
        scope.slug(),
        if confirm { "confirmed" } else { "declined" }
    ))
    .into_response())
}

/// Confirms (`confirmed`) or declines an exchange asked of the member;
/// 404 for one that is not theirs or no longer open.
pub async fn decide_exchange(
    state: &AppState,
    scope: &NetworkScope,
    ctx: &PageCtx,
    id: i64,
    decision: &str,
) -> Result<bool, AppError> {
    let me = scope.membership.account_id;
    if !stored::waiting_for(&state.db, scope.id(), me)
        .await?
        .iter()
        .any(|w| w.id == id)
    {
        return Err(AppError::NotFound);
    }
    let confirm = decision == "confirmed";
    if !confirm && decision != "declined" {
        return Err(AppError::fields(
            ctx,
            [("decision", "invalid.card_decision")],
        ));
    }
    if !stored::decide_exchange(
        &state.db,
        scope.id(),
        id,
        scope.membership.account_id,
        confirm,
        now_ms(),
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(confirm)
}

// ─────────────────────────────── API ───────────────────────────────

fn refused(ctx: &PageCtx, errors: &[FieldError]) -> AppError {
    AppError::fields(ctx, errors.iter().map(|e| (e.field, e.key)))
}

/// An event's business matching: pitches, projects, the caller's
/// meetings, the slots and whom one may meet.
#[utoipa::path(get, path = "/api/v1/n/{slug}/events/{event_id}/matching", tag = "events",
    params(("slug" = String, Path, description = "The network's slug"),
           ("event_id" = i64, Path, description = "A business-matching event")),
    responses((status = 200, description = "What the caller may see", body = MatchingBody),
              (status = 404, description = "No such business-matching event for you", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn matching_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<Json<MatchingBody>, AppError> {
    let e = matching_event(&state, &scope, id).await?;
    Ok(Json(matching_of(&state, &scope, &ctx, &e).await?))
}

/// A pitch application through the API.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct PitchApiInput {
    /// One of the caller's alumni-business listings.
    pub business_id: Option<i64>,
    /// One line (up to 120 characters).
    pub pitch: String,
    pub slides_url: String,
}

/// The id of what was made.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CreatedBody {
    pub id: i64,
}

/// Applies to pitch one of the caller's businesses.
#[utoipa::path(post, path = "/api/v1/n/{slug}/events/{event_id}/pitches", tag = "events",
    params(("slug" = String, Path, description = "The network's slug"),
           ("event_id" = i64, Path, description = "A business-matching event")),
    request_body = PitchApiInput,
    responses((status = 201, description = "Applied (the organisers decide)", body = CreatedBody),
              (status = 422, description = "Refused fields", body = crate::error::Problem),
              (status = 404, description = "No such business-matching event for you", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn apply_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    ApiJson(input): ApiJson<PitchApiInput>,
) -> Result<(StatusCode, Json<CreatedBody>), AppError> {
    let e = matching_event(&state, &scope, id).await?;
    let input = PitchInput {
        business_id: input.business_id,
        pitch: input.pitch,
        slides_url: input.slides_url,
    };
    let id = apply(&state, &scope, &e, &input)
        .await?
        .map_err(|errors| refused(&ctx, &errors))?;
    Ok((StatusCode::CREATED, Json(CreatedBody { id })))
}

/// Approves or declines a pitch (organisers).
#[utoipa::path(post, path = "/api/v1/n/{slug}/events/{event_id}/pitches/{pitch_id}", tag = "events",
    params(("slug" = String, Path, description = "The network's slug"),
           ("event_id" = i64, Path, description = "A business-matching event"),
           ("pitch_id" = i64, Path, description = "The pitch")),
    request_body = DecisionForm,
    responses((status = 204, description = "Decided"),
              (status = 422, description = "Unknown decision", body = crate::error::Problem),
              (status = 404, description = "Not yours to run", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn decide_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id, pitch)): Path<(String, i64, i64)>,
    ApiJson(input): ApiJson<DecisionForm>,
) -> Result<StatusCode, AppError> {
    let e = managed(&state, &scope, id).await?;
    matching_event(&state, &scope, id).await?;
    decide(&state, &scope, &e, pitch, &input.decision)
        .await?
        .map_err(|key| AppError::fields(&ctx, [("decision", key)]))?;
    Ok(StatusCode::NO_CONTENT)
}

/// The projects to attach.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ProjectsInput {
    /// Opportunities of this network (others are ignored).
    pub opportunities: Vec<i64>,
}

/// Sets the projects attached to the event (organisers).
#[utoipa::path(put, path = "/api/v1/n/{slug}/events/{event_id}/projects", tag = "events",
    params(("slug" = String, Path, description = "The network's slug"),
           ("event_id" = i64, Path, description = "A business-matching event")),
    request_body = ProjectsInput,
    responses((status = 200, description = "Attached", body = MatchingBody),
              (status = 404, description = "Not yours to run", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn projects_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    ApiJson(input): ApiJson<ProjectsInput>,
) -> Result<Json<MatchingBody>, AppError> {
    managed(&state, &scope, id).await?;
    let e = matching_event(&state, &scope, id).await?;
    attach(&state, &scope, id, &input.opportunities).await?;
    Ok(Json(matching_of(&state, &scope, &ctx, &e).await?))
}

/// A meeting request through the API.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct MeetingInput {
    /// Someone who pitches or owns an attached project.
    pub host_id: i64,
    /// The slot's start (Unix ms), from `slots`.
    pub slot_at: i64,
    pub note: String,
}

/// Asks for a 1:1 meeting (callers registered as going).
#[utoipa::path(post, path = "/api/v1/n/{slug}/events/{event_id}/meetings", tag = "events",
    params(("slug" = String, Path, description = "The network's slug"),
           ("event_id" = i64, Path, description = "A business-matching event")),
    request_body = MeetingInput,
    responses((status = 201, description = "Asked", body = CreatedBody),
              (status = 422, description = "Refused (slot taken, not a host, …)", body = crate::error::Problem),
              (status = 404, description = "No such business-matching event for you", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn request_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    ApiJson(input): ApiJson<MeetingInput>,
) -> Result<(StatusCode, Json<CreatedBody>), AppError> {
    let e = matching_event(&state, &scope, id).await?;
    let id = request_meeting(
        &state,
        &scope,
        &ctx,
        &e,
        input.host_id,
        input.slot_at,
        &input.note,
    )
    .await?
    .map_err(|err| refused(&ctx, &[err]))?;
    Ok((StatusCode::CREATED, Json(CreatedBody { id })))
}

/// Accepts or declines a meeting asked of the caller.
#[utoipa::path(post, path = "/api/v1/n/{slug}/events/{event_id}/meetings/{meeting_id}", tag = "events",
    params(("slug" = String, Path, description = "The network's slug"),
           ("event_id" = i64, Path, description = "A business-matching event"),
           ("meeting_id" = i64, Path, description = "A meeting asked of the caller")),
    request_body = DecisionForm,
    responses((status = 204, description = "Answered"),
              (status = 422, description = "The slot is taken, or already answered", body = crate::error::Problem),
              (status = 404, description = "Not asked of you", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn answer_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id, meeting)): Path<(String, i64, i64)>,
    ApiJson(input): ApiJson<DecisionForm>,
) -> Result<StatusCode, AppError> {
    let e = matching_event(&state, &scope, id).await?;
    let accept = match input.decision.as_str() {
        "accepted" => true,
        "declined" => false,
        _ => {
            return Err(AppError::fields(
                &ctx,
                [("decision", "invalid.meeting_decision")],
            ));
        }
    };
    answer_meeting(&state, &scope, &e, meeting, accept)
        .await?
        .map_err(|key| AppError::fields(&ctx, [("slot", key)]))?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's card, its code (for the QR) and what they received.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CardsBody {
    pub card: CardBody,
    pub code: String,
    /// Exchanges waiting for the caller to confirm: (id, name).
    pub waiting: Vec<WaitingBody>,
    pub received: Vec<CardBody>,
}

/// An exchange waiting for the caller.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct WaitingBody {
    pub exchange_id: i64,
    pub name: String,
}

async fn cards_body(
    state: &AppState,
    scope: &NetworkScope,
    ctx: &PageCtx,
) -> Result<CardsBody, AppError> {
    let (card, code) = my_card(state, scope, ctx).await?;
    let me = scope.membership.account_id;
    Ok(CardsBody {
        card: CardBody::of(&card),
        code,
        waiting: stored::waiting_for(&state.db, scope.id(), me)
            .await?
            .iter()
            .map(|r| WaitingBody {
                exchange_id: r.id,
                name: shared_card(ctx, scope, r).name,
            })
            .collect(),
        received: stored::received(&state.db, scope.id(), me)
            .await?
            .iter()
            .map(|r| shared_card(ctx, scope, r))
            .collect(),
    })
}

/// The caller's card, code, waiting exchanges and received cards.
#[utoipa::path(get, path = "/api/v1/n/{slug}/cards", tag = "events",
    params(("slug" = String, Path, description = "The network's slug")),
    responses((status = 200, description = "Cards", body = CardsBody),
              (status = 404, description = "No such network of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn cards_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
) -> Result<Json<CardsBody>, AppError> {
    Ok(Json(cards_body(&state, &scope, &ctx).await?))
}

/// Saves the caller's card.
#[utoipa::path(put, path = "/api/v1/n/{slug}/cards", tag = "events",
    params(("slug" = String, Path, description = "The network's slug")),
    request_body = CardBody,
    responses((status = 200, description = "Saved", body = CardsBody),
              (status = 422, description = "Refused fields", body = crate::error::Problem),
              (status = 404, description = "No such network of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn save_card_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    ApiJson(body): ApiJson<CardBody>,
) -> Result<Json<CardsBody>, AppError> {
    save_card(&state, &scope, &ctx, &body)
        .await?
        .map_err(|errors| refused(&ctx, &errors))?;
    Ok(Json(cards_body(&state, &scope, &ctx).await?))
}

/// What asking for an exchange came to.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AskedBody {
    /// `asked` or `already` (exchanged before).
    pub result: String,
}

/// Asks the holder of a card code for an exchange (one's own card goes
/// with it; theirs comes once they confirm).
#[utoipa::path(post, path = "/api/v1/n/{slug}/cards/exchanges", tag = "events",
    params(("slug" = String, Path, description = "The network's slug")),
    request_body = CodeForm,
    responses((status = 200, description = "Asked", body = AskedBody),
              (status = 422, description = "Unknown code, or one's own", body = crate::error::Problem),
              (status = 404, description = "No such network of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn exchange_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    ApiJson(input): ApiJson<CodeForm>,
) -> Result<Json<AskedBody>, AppError> {
    let key = exchange(&state, &scope, &ctx, &input.code)
        .await?
        .map_err(|key| AppError::fields(&ctx, [("code", key)]))?;
    Ok(Json(AskedBody {
        result: key.trim_start_matches("cards.done_").to_string(),
    }))
}

/// Confirms or declines an exchange asked of the caller.
#[utoipa::path(post, path = "/api/v1/n/{slug}/cards/exchanges/{exchange_id}", tag = "events",
    params(("slug" = String, Path, description = "The network's slug"),
           ("exchange_id" = i64, Path, description = "An exchange asked of the caller")),
    request_body = DecisionForm,
    responses((status = 204, description = "Decided"),
              (status = 422, description = "Unknown decision", body = crate::error::Problem),
              (status = 404, description = "Not asked of you, or decided", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn decide_exchange_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    ApiJson(input): ApiJson<DecisionForm>,
) -> Result<StatusCode, AppError> {
    decide_exchange(&state, &scope, &ctx, id, &input.decision).await?;
    Ok(StatusCode::NO_CONTENT)
}
