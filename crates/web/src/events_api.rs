//! Events through the API: list, create, read, rewrite, register, and
//! for organisers the registrants, the door's check-in, era balance,
//! invitations and a message to everyone. The rules are the pages'
//! ([`crate::events`]).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use enishi_core::eras::Bar;
use enishi_core::events::{FieldError, RsvpInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::ApiJson;
use crate::auth::Viewer;
use crate::ctx::PageCtx;
use crate::events::{self, Door, EventCtx, EventForm, RsvpOutcome, event_for, managed};
use crate::scope::NetworkScope;
use crate::{AppError, AppState};

fn refused(ctx: &PageCtx, errors: &[FieldError]) -> AppError {
    AppError::fields(ctx, errors.iter().map(|e| (e.field, e.key)))
}

/// An event as the API shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EventBody {
    pub id: i64,
    pub title: String,
    /// Markdown.
    pub description: String,
    /// Unix milliseconds.
    pub starts_at: i64,
    pub ends_at: i64,
    /// The IANA zone it was planned in.
    pub tz: String,
    /// `in_person`, `online` or `hybrid`.
    pub format: String,
    pub venue: String,
    pub address: String,
    pub map_url: String,
    /// Only for people going, and organisers (empty otherwise).
    pub online_url: String,
    /// `null`: no limit.
    pub capacity: Option<i64>,
    /// Seats held (with guests).
    pub taken: i64,
    pub waitlist: bool,
    /// Guests a registration may bring.
    pub guests: i64,
    /// Unix milliseconds; `null`: until it starts.
    pub deadline: Option<i64>,
    /// `network`, `alumni`, `group` or `invited`.
    pub audience: String,
    pub group_id: Option<i64>,
    pub questions: Vec<QuestionBody>,
    pub business_matching: bool,
    pub meeting_minutes: i64,
    /// `proposed`, `published`, `cancelled` or `declined`.
    pub status: String,
    /// People going.
    pub going: i64,
    /// The caller's registration: `going`, `waitlisted`, `not_going`.
    pub mine: Option<String>,
    /// The caller runs it.
    pub organiser: bool,
}

/// A registration question.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct QuestionBody {
    pub text: String,
    /// Empty: a short text answer; otherwise one of these.
    pub choices: Vec<String>,
    pub required: bool,
}

fn body_of(e: &EventCtx) -> EventBody {
    let ev = e.event();
    EventBody {
        id: ev.id,
        title: ev.title.clone(),
        description: ev.description.clone(),
        starts_at: ev.starts_at,
        ends_at: ev.ends_at,
        tz: ev.tz.clone(),
        format: ev.format.clone(),
        venue: ev.venue.clone(),
        address: ev.address.clone(),
        map_url: ev.map_url.clone(),
        online_url: if e.may_manage() || e.mine() == Some("going") {
            ev.online_url.clone()
        } else {
            String::new()
        },
        capacity: ev.capacity,
        taken: ev.taken,
        waitlist: ev.waitlist != 0,
        guests: ev.guests,
        deadline: ev.deadline,
        audience: ev.audience.clone(),
        group_id: ev.group_id,
        questions: e
            .questions
            .iter()
            .map(|q| QuestionBody {
                text: q.text.clone(),
                choices: q.choices.clone(),
                required: q.required,
            })
            .collect(),
        business_matching: ev.business_matching != 0,
        meeting_minutes: ev.meeting_minutes,
        status: ev.status.clone(),
        going: e.row.going,
        mine: e.row.mine.clone(),
        organiser: e.may_manage(),
    }
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
pub struct ListQuery {
    /// `1`: events that have ended, latest first.
    pub past: String,
}

/// The events the caller may see: upcoming, soonest first (or past).
#[utoipa::path(get, path = "/api/v1/n/{slug}/events", tag = "events",
    params(("slug" = String, Path, description = "The network's slug"), ListQuery),
    responses((status = 200, description = "Events", body = [EventBody]),
              (status = 404, description = "No such network of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn list_api(
    State(state): State<AppState>,
    scope: NetworkScope,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<EventBody>>, AppError> {
    Ok(Json(
        events::visible(&state, &scope, !q.past.is_empty())
            .await?
            .iter()
            .map(body_of)
            .collect(),
    ))
}

/// An event as written through the API (times as the organiser's wall
/// clock in `tz`).
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct EventInput {
    pub title: String,
    pub description: String,
    /// `YYYY-MM-DD`
    pub starts_on: String,
    /// `HH:MM`
    pub starts_time: String,
    /// Empty: the day it starts.
    pub ends_on: String,
    pub ends_time: String,
    /// IANA name (default `Asia/Tokyo`).
    pub tz: String,
    /// `in_person`, `online` or `hybrid`.
    pub format: String,
    pub venue: String,
    pub address: String,
    pub map_url: String,
    pub online_url: String,
    /// `null`: no limit.
    pub capacity: Option<i64>,
    pub waitlist: bool,
    pub guests: Option<i64>,
    pub deadline_on: String,
    pub deadline_time: String,
    /// `network`, `alumni`, `group` (with `group_id`) or `invited` (with
    /// `invited`).
    pub audience: String,
    pub group_id: Option<i64>,
    /// Invited members' addresses.
    pub invited: Vec<String>,
    /// One question a line: `[a / b]` at the end for a choice, a leading
    /// `*` for a required one.
    pub questions: String,
    pub business_matching: bool,
    /// 10, 15, 20 or 30.
    pub meeting_minutes: Option<i64>,
    /// Co-organisers' addresses.
    pub organisers: Vec<String>,
}

impl EventInput {
    fn form(&self) -> EventForm {
        let num = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        let flag = |b: bool| if b { "1".to_string() } else { String::new() };
        EventForm {
            title: self.title.clone(),
            description: self.description.clone(),
            starts_on: self.starts_on.clone(),
            starts_time: self.starts_time.clone(),
            ends_on: self.ends_on.clone(),
            ends_time: self.ends_time.clone(),
            tz: self.tz.clone(),
            format: self.format.clone(),
            venue: self.venue.clone(),
            address: self.address.clone(),
            map_url: self.map_url.clone(),
            online_url: self.online_url.clone(),
            capacity: num(self.capacity),
            waitlist: flag(self.waitlist),
            guests: num(self.guests),
            deadline_on: self.deadline_on.clone(),
            deadline_time: self.deadline_time.clone(),
            audience: self.audience.clone(),
            group: num(self.group_id),
            invited: self.invited.join("\n"),
            questions: self.questions.clone(),
            business_matching: flag(self.business_matching),
            meeting_minutes: num(self.meeting_minutes),
            organisers: self.organisers.join("\n"),
        }
    }
}

/// Creates an event (moderators and admins publish; members propose).
#[utoipa::path(post, path = "/api/v1/n/{slug}/events", tag = "events",
    params(("slug" = String, Path, description = "The network's slug")),
    request_body = EventInput,
    responses((status = 201, description = "Created (or proposed)", body = EventBody),
              (status = 422, description = "Refused fields", body = crate::error::Problem),
              (status = 404, description = "No such network of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn create_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    viewer: Viewer,
    ApiJson(input): ApiJson<EventInput>,
) -> Result<(StatusCode, Json<EventBody>), AppError> {
    let id = events::save(&state, &scope, &input.form(), None, &viewer.ip_text())
        .await?
        .map_err(|e| refused(&ctx, &e))?;
    Ok((
        StatusCode::CREATED,
        Json(body_of(&event_for(&state, &scope, id).await?)),
    ))
}

/// One event.
#[utoipa::path(get, path = "/api/v1/n/{slug}/events/{event_id}", tag = "events",
    params(("slug" = String, Path, description = "The network's slug"),
           ("event_id" = i64, Path, description = "The event")),
    responses((status = 200, description = "The event", body = EventBody),
              (status = 404, description = "No such event for you", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn get_api(
    State(state): State<AppState>,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<Json<EventBody>, AppError> {
    Ok(Json(body_of(&event_for(&state, &scope, id).await?)))
}

/// Rewrites an event (organisers); its calendar entry's SEQUENCE goes up.
#[utoipa::path(put, path = "/api/v1/n/{slug}/events/{event_id}", tag = "events",
    params(("slug" = String, Path, description = "The network's slug"),
           ("event_id" = i64, Path, description = "The event")),
    request_body = EventInput,
    responses((status = 200, description = "Saved", body = EventBody),
              (status = 422, description = "Refused fields", body = crate::error::Problem),
              (status = 404, description = "Not yours to run", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn update_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    viewer: Viewer,
    Path((_slug, id)): Path<(String, i64)>,
    ApiJson(input): ApiJson<EventInput>,
) -> Result<Json<EventBody>, AppError> {
    let e = managed(&state, &scope, id).await?;
    events::save(&state, &scope, &input.form(), Some(&e), &viewer.ip_text())
        .await?
        .map_err(|e| refused(&ctx, &e))?;
    Ok(Json(body_of(&event_for(&state, &scope, id).await?)))
}

/// What to do with an event.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ActionInput {
    /// `cancel` (organisers), `publish` or `decline` (moderators, for a
    /// proposal).
    pub action: String,
}

/// Cancels, publishes or declines an event.
#[utoipa::path(post, path = "/api/v1/n/{slug}/events/{event_id}/status", tag = "events",
    params(("slug" = String, Path, description = "The network's slug"),
           ("event_id" = i64, Path, description = "The event")),
    request_body = ActionInput,
    responses((status = 200, description = "Done", body = EventBody),
              (status = 422, description = "Not possible now", body = crate::error::Problem),
              (status = 404, description = "Not yours to decide", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn status_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    viewer: Viewer,
    Path((_slug, id)): Path<(String, i64)>,
    ApiJson(input): ApiJson<ActionInput>,
) -> Result<Json<EventBody>, AppError> {
    let e = event_for(&state, &scope, id).await?;
    crate::events_pages::act(&state, &scope, &e, input.action.trim(), &viewer.ip_text())
        .await?
        .map_err(|key| AppError::fields(&ctx, [("action", key)]))?;
    Ok(Json(body_of(&event_for(&state, &scope, id).await?)))
}

/// A registration through the API.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct RsvpBody {
    /// `going` (the waitlist when full, if it has one) or `not_going`.
    pub answer: String,
    pub guests: Option<i64>,
    /// One answer per question, in order.
    pub answers: Vec<String>,
    /// Leave me off the attendee list others see.
    pub unlisted: bool,
}

/// What registering came to.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RsvpResult {
    /// `going`, `waitlisted` or `not_going`.
    pub status: String,
}

/// Registers the caller (or changes their answer).
#[utoipa::path(put, path = "/api/v1/n/{slug}/events/{event_id}/rsvp", tag = "events",
    params(("slug" = String, Path, description = "The network's slug"),
           ("event_id" = i64, Path, description = "The event")),
    request_body = RsvpBody,
    responses((status = 200, description = "Registered", body = RsvpResult),
              (status = 422, description = "Refused (full, closed, answers)", body = crate::error::Problem),
              (status = 404, description = "No such event for you", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn rsvp_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    ApiJson(body): ApiJson<RsvpBody>,
) -> Result<Json<RsvpResult>, AppError> {
    let e = event_for(&state, &scope, id).await?;
    let input = RsvpInput {
        answer: body.answer,
        guests: body.guests.map(|g| g.to_string()).unwrap_or_default(),
        answers: body.answers,
        unlisted: body.unlisted,
    };
    match events::rsvp(&state, &scope, &e, &input).await? {
        RsvpOutcome::Done { status } => Ok(Json(RsvpResult { status })),
        RsvpOutcome::Refused(errors) => Err(refused(&ctx, &errors)),
    }
}

/// A registration as organisers see it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RegistrantBody {
    pub registration_id: i64,
    pub account_id: i64,
    pub profile_id: Option<i64>,
    pub name: String,
    pub status: String,
    pub guests: i64,
    pub answers: Vec<String>,
    pub unlisted: bool,
    /// Unix milliseconds.
    pub checked_in_at: Option<i64>,
}

/// The registrations of an event (organisers).
#[utoipa::path(get, path = "/api/v1/n/{slug}/events/{event_id}/registrations", tag = "events",
    params(("slug" = String, Path, description = "The network's slug"),
           ("event_id" = i64, Path, description = "The event")),
    responses((status = 200, description = "In registration order", body = [RegistrantBody]),
              (status = 404, description = "Not yours to run", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn registrations_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<Json<Vec<RegistrantBody>>, AppError> {
    managed(&state, &scope, id).await?;
    let rows = enishi_store::events::attendees(&state.db, scope.id(), id).await?;
    Ok(Json(
        rows.iter()
            .map(|a| {
                let r = &a.registration;
                RegistrantBody {
                    registration_id: r.id,
                    account_id: r.account_id,
                    profile_id: a.author.profile_id,
                    name: crate::posts::AuthorView::of(
                        &scope,
                        ctx.lang,
                        Some(r.account_id),
                        &a.author,
                        ctx.t("posts.former_member"),
                    )
                    .name,
                    status: r.status.clone(),
                    guests: r.guests,
                    answers: serde_json::from_str(&r.answers).unwrap_or_default(),
                    unlisted: r.unlisted != 0,
                    checked_in_at: r.checked_in_at,
                }
            })
            .collect(),
    ))
}

/// A ticket at the door.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CheckinInput {
    /// As typed or scanned (`123-K7QF3MZP`).
    pub code: String,
}

/// What the door said.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CheckinResult {
    /// `checked_in` or `already`.
    pub result: String,
    pub account_id: i64,
    pub name: String,
    /// When they were checked in (Unix ms).
    pub at: Option<i64>,
    /// The sentence the door page shows.
    pub text: String,
}

/// Checks a ticket in (organisers). Idempotent: a second scan answers
/// `already` with the first time. Forged tickets, other events' and
/// cancelled registrations get 422.
#[utoipa::path(post, path = "/api/v1/n/{slug}/events/{event_id}/checkin", tag = "events",
    params(("slug" = String, Path, description = "The network's slug"),
           ("event_id" = i64, Path, description = "The event")),
    request_body = CheckinInput,
    responses((status = 200, description = "Checked in (or already)", body = CheckinResult),
              (status = 422, description = "Not a ticket for this event", body = crate::error::Problem),
              (status = 404, description = "Not yours to run", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn checkin_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    ApiJson(input): ApiJson<CheckinInput>,
) -> Result<Json<CheckinResult>, AppError> {
    let e = managed(&state, &scope, id).await?;
    crate::signin::limit(
        &state.db,
        &format!("checkin:{}", scope.membership.account_id),
        120,
        60_000,
    )
    .await?;
    let door = events::check_in(&state, &scope, &e, &input.code).await?;
    let name = crate::events_pages::door_name(&state, &scope, &ctx, &door).await?;
    let (_, text) = crate::events_pages::door_text(&ctx, &door, &name);
    let (result, account_id, at) = match door {
        Door::In(a) => ("checked_in", a, Some(enishi_store::now_ms())),
        Door::Already(a, at) => ("already", a, Some(at)),
        Door::Forged => {
            return Err(AppError::fields(
                &ctx,
                [("code", "invalid.event_ticket_forged")],
            ));
        }
        Door::OtherEvent => {
            return Err(AppError::fields(
                &ctx,
                [("code", "invalid.event_ticket_other")],
            ));
        }
        Door::NotGoing => {
            return Err(AppError::fields(
                &ctx,
                [("code", "invalid.event_ticket_not_going")],
            ));
        }
    };
    Ok(Json(CheckinResult {
        result: result.into(),
        account_id,
        name,
        at,
        text,
    }))
}

/// One bar.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BarBody {
    /// `2005–2009`, a department, or empty for "not known".
    pub label: String,
    pub count: usize,
}

/// How people spread.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SpreadBody {
    pub total: usize,
    pub hired: Vec<BarBody>,
    pub left: Vec<BarBody>,
    pub departments: Vec<BarBody>,
}

/// Era balance of an event.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BalanceBody {
    pub invited: SpreadBody,
    pub registered: SpreadBody,
    pub checked_in: SpreadBody,
    /// The hire-year era holding more than half of the registrants.
    pub dominant_era: Option<String>,
    /// People worth inviting to even it out, most needed first.
    pub suggestions: Vec<SuggestionBody>,
}

/// Someone to invite, and why.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SuggestionBody {
    pub account_id: i64,
    pub name: String,
    pub era: String,
    pub department: String,
    /// Registrants of that era and department, and all registrants.
    pub registered: usize,
    pub total: usize,
    pub why: String,
}

fn spread_body(s: &enishi_core::eras::Spread) -> SpreadBody {
    let bars = |b: &[Bar]| {
        b.iter()
            .map(|b| BarBody {
                label: b.label.clone(),
                count: b.count,
            })
            .collect()
    };
    SpreadBody {
        total: s.total,
        hired: bars(&s.hired),
        left: bars(&s.left),
        departments: bars(&s.departments),
    }
}

/// Era balance of an event and whom to invite (organisers).
#[utoipa::path(get, path = "/api/v1/n/{slug}/events/{event_id}/balance", tag = "events",
    params(("slug" = String, Path, description = "The network's slug"),
           ("event_id" = i64, Path, description = "The event")),
    responses((status = 200, description = "Spreads and suggestions", body = BalanceBody),
              (status = 404, description = "Not yours to run", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn balance_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<Json<BalanceBody>, AppError> {
    let e = managed(&state, &scope, id).await?;
    let attendees = enishi_store::events::attendees(&state.db, scope.id(), id).await?;
    let b = events::balance(&state, &scope, &e, &attendees).await?;
    let suggestions =
        crate::events_pages::suggestions(&state, &scope, &ctx, &e, &attendees, &b.registrants, 50)
            .await?
            .into_iter()
            .map(|(s, who, why)| SuggestionBody {
                account_id: s.id,
                name: who.name,
                era: s.era,
                department: s.department,
                registered: s.registered,
                total: s.total,
                why,
            })
            .collect();
    Ok(Json(BalanceBody {
        dominant_era: enishi_core::eras::dominant(&b.registered).map(|b| b.label.clone()),
        invited: spread_body(&b.invited),
        registered: spread_body(&b.registered),
        checked_in: spread_body(&b.checked_in),
        suggestions,
    }))
}

/// Whom to invite.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct InviteInput {
    /// Members' account ids (from the suggestions).
    pub accounts: Vec<i64>,
    /// Members' addresses.
    pub addresses: Vec<String>,
}

/// How many were newly invited.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct InvitedBody {
    pub invited: usize,
}

/// Invites members (organisers): the invitation list, a bell, and an
/// e-mail for those who want event mail.
#[utoipa::path(post, path = "/api/v1/n/{slug}/events/{event_id}/invites", tag = "events",
    params(("slug" = String, Path, description = "The network's slug"),
           ("event_id" = i64, Path, description = "The event")),
    request_body = InviteInput,
    responses((status = 200, description = "Invited", body = InvitedBody),
              (status = 422, description = "Unknown addresses or nobody", body = crate::error::Problem),
              (status = 404, description = "Not yours to run", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn invites_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    ApiJson(input): ApiJson<InviteInput>,
) -> Result<Json<InvitedBody>, AppError> {
    let e = managed(&state, &scope, id).await?;
    let mut accounts = input.accounts.clone();
    if !input.addresses.is_empty() {
        match crate::networks::members_by_addresses(
            &state,
            scope.id(),
            &input.addresses.join("\n"),
            enishi_core::events::MAX_INVITED,
        )
        .await?
        {
            crate::networks::Addresses::Found(a) => accounts.extend(a),
            crate::networks::Addresses::TooMany => {
                return Err(AppError::fields(
                    &ctx,
                    [("addresses", "invalid.event_invited_many")],
                ));
            }
            _ => {
                return Err(AppError::fields(
                    &ctx,
                    [("addresses", "invalid.event_invited_unknown")],
                ));
            }
        }
    }
    let members = enishi_store::memberships::active_among(&state.db, scope.id(), &accounts).await?;
    let accounts: Vec<i64> = accounts
        .into_iter()
        .filter(|a| members.contains(a))
        .collect();
    if accounts.is_empty() {
        return Err(AppError::fields(
            &ctx,
            [("accounts", "invalid.event_invited_empty")],
        ));
    }
    let invited = events::invite(&state, &scope, e.id(), e.status, &accounts).await?;
    Ok(Json(InvitedBody { invited }))
}

/// The organisers' words.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct MessageInput {
    pub body: String,
}

/// How many were told.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MessagedBody {
    pub told: usize,
}

/// Writes to everyone registered (organisers).
#[utoipa::path(post, path = "/api/v1/n/{slug}/events/{event_id}/message", tag = "events",
    params(("slug" = String, Path, description = "The network's slug"),
           ("event_id" = i64, Path, description = "The event")),
    request_body = MessageInput,
    responses((status = 200, description = "Sent", body = MessagedBody),
              (status = 422, description = "Empty or too long", body = crate::error::Problem),
              (status = 404, description = "Not yours to run", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn message_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    ApiJson(input): ApiJson<MessageInput>,
) -> Result<Json<MessagedBody>, AppError> {
    let e = managed(&state, &scope, id).await?;
    let told = crate::events_pages::message_all(&state, &scope, &e, &input.body)
        .await?
        .map_err(|key| AppError::fields(&ctx, [("body", key)]))?;
    Ok(Json(MessagedBody { told }))
}
