//! Event pages: the list, the form, an event with its registration form
//! and attendee list, the ticket with its QR code, the `.ics`, the
//! organisers' page (registrants, era balance charts, suggested invitees,
//! a message to everyone, tables), the door's check-in page, and the
//! personal calendar feed.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use enishi_core::calendar::Method;
use enishi_core::eras;
use enishi_core::events::{FieldError, Question, RsvpInput, Status};
use enishi_core::notifications::Kind as NoticeKind;
use enishi_store::events::{self as stored, Attendee};
use enishi_store::now_ms;
use serde::Deserialize;

use crate::auth::Viewer;
use crate::csrf::CsrfForm;
use crate::ctx::PageCtx;
use crate::events::{
    self, Door, EventCtx, EventForm, RsvpOutcome, chart_svg, event_for, managed, place_of,
    ticket_of, when_for,
};
use crate::posts::AuthorView;
use crate::scope::NetworkScope;
use crate::{AppError, AppState};

/// An event as a list row or page header shows it.
#[derive(Clone, Debug)]
pub struct EventView {
    pub id: i64,
    pub title: String,
    pub status: &'static str,
    pub format: &'static str,
    pub when: String,
    /// The same in the event's own zone, when the viewer's differs.
    pub when_there: Option<String>,
    pub place: String,
    pub going: i64,
    pub capacity: Option<i64>,
    pub seats_left: Option<i64>,
    pub mine: String,
    pub business_matching: bool,
    /// The cover picture's address.
    pub cover: Option<String>,
}

/// The network slug an event lives in (for its picture's address).
fn ctx_slug(e: &EventCtx) -> String {
    e.slug.clone()
}

fn view_of(ctx: &PageCtx, e: &EventCtx) -> EventView {
    let ev = e.event();
    let (when, when_there) = when_for(ctx, ev);
    EventView {
        id: ev.id,
        title: ev.title.clone(),
        status: e.status.as_str(),
        format: e.format.as_str(),
        when,
        when_there,
        place: place_of(ev),
        going: e.row.going,
        capacity: ev.capacity,
        seats_left: e.seats_left(),
        mine: e.mine().unwrap_or("").to_string(),
        business_matching: ev.business_matching != 0,
        cover: ev
            .cover_key
            .as_ref()
            .map(|k| crate::images::url(&ctx_slug(e), k, enishi_store::images::Size::Large)),
    }
}

// ─────────────────────────────── list ───────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "events/list.html")]
pub struct ListPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub items: Vec<EventView>,
    pub past: bool,
    pub proposes: bool,
    pub feed: Option<String>,
    pub has_feed: bool,
    pub notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    pub past: String,
    pub done: String,
}

/// `GET /n/{slug}/events`
pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Query(q): Query<ListQuery>,
) -> Result<ListPage, AppError> {
    let past = !q.past.is_empty();
    let items = events::visible(&state, &scope, past)
        .await?
        .iter()
        .map(|e| view_of(&ctx, e))
        .collect();
    let notice = match q.done.as_str() {
        "feed_revoked" => Some("events.feed_revoked"),
        "proposed" => Some("events.done_proposed"),
        _ => None,
    };
    Ok(ListPage {
        slug: scope.slug().to_string(),
        items,
        past,
        proposes: !enishi_core::events::publishes_directly(scope.role),
        feed: None,
        has_feed: stored::feed_of(&state.db, scope.membership.account_id)
            .await?
            .is_some(),
        notice,
        ctx,
    })
}

// ─────────────────────────────── form ───────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "events/form.html")]
pub struct FormPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub editing: Option<i64>,
    pub form: EventForm,
    pub errors: Vec<FieldError>,
    pub zones: Vec<String>,
    pub groups: Vec<(i64, String)>,
    pub proposes: bool,
}

impl FormPage {
    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| self.ctx.t(e.key))
    }
}

async fn form_page(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
    editing: Option<i64>,
    form: EventForm,
    errors: Vec<FieldError>,
) -> Result<FormPage, AppError> {
    let groups = crate::groups::active_choices(state, scope).await?;
    let mut zones: Vec<String> = enishi_core::tz::ZONES
        .iter()
        .map(|z| z.to_string())
        .collect();
    if !form.tz.is_empty() && !zones.contains(&form.tz) {
        // a zone given through the API stays choosable
        zones.push(form.tz.clone());
    }
    Ok(FormPage {
        slug: scope.slug().to_string(),
        editing,
        form,
        errors,
        zones,
        groups,
        proposes: !enishi_core::events::publishes_directly(scope.role) && editing.is_none(),
        ctx,
    })
}

/// `GET /n/{slug}/events/new`
pub async fn new_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
) -> Result<FormPage, AppError> {
    let form = EventForm {
        tz: enishi_core::tz::DEFAULT.into(),
        format: "in_person".into(),
        audience: "network".into(),
        waitlist: "1".into(),
        meeting_minutes: "20".into(),
        ..EventForm::default()
    };
    form_page(&state, ctx, &scope, None, form, Vec::new()).await
}

/// `POST /n/{slug}/events`
pub async fn create_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<EventForm>,
) -> Result<Response, AppError> {
    match events::save(&state, &scope, &form, None, &viewer.ip_text()).await? {
        Ok(id) => Ok(
            Redirect::to(&format!("/n/{}/events/{id}?done=created", scope.slug())).into_response(),
        ),
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            form_page(&state, ctx, &scope, None, form, errors).await?,
        )
            .into_response()),
    }
}

/// `GET /n/{slug}/events/{event_id}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<FormPage, AppError> {
    let e = managed(&state, &scope, id).await?;
    let form = EventForm::of(&state, &scope, &e).await?;
    form_page(&state, ctx, &scope, Some(id), form, Vec::new()).await
}

/// The edit form's fields, or an action (`cancel`, `publish`, `decline`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct UpdateForm {
    #[serde(flatten)]
    pub form: EventForm,
    pub action: String,
}

/// `POST /n/{slug}/events/{event_id}/cover` (multipart: `csrf` and
/// `image`, or `remove=1`): the cover picture (organisers). The event is
/// resolved before the upload is read, so others get 404.
pub async fn cover_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    req: axum::extract::Request,
) -> Result<Response, AppError> {
    use axum::extract::FromRequest;
    managed(&state, &scope, id).await?;
    let upload = crate::profiles::CsrfUpload::from_request(req, &state).await?;
    let back = |done: &str| {
        Redirect::to(&format!("/n/{}/events/{id}?done={done}", scope.slug())).into_response()
    };
    if upload.fields.iter().any(|(k, v)| k == "remove" && v == "1") {
        if let Some(old) = stored::set_cover(&state.db, scope.id(), id, None).await? {
            enishi_store::images::delete(&state.db, scope.id(), &old).await?;
        }
        return Ok(back("cover_removed"));
    }
    let key = match crate::images::store(
        &state,
        &scope,
        upload.file,
        crate::images::Shape::Fit,
        "event",
    )
    .await?
    {
        Ok(key) => key,
        Err(err) => {
            let e = managed(&state, &scope, id).await?;
            let form = EventForm::of(&state, &scope, &e).await?;
            let page = form_page(
                &state,
                ctx,
                &scope,
                Some(id),
                form,
                vec![FieldError {
                    field: "cover",
                    key: err.key(),
                }],
            )
            .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    if let Some(old) = stored::set_cover(&state.db, scope.id(), id, Some(&key)).await? {
        enishi_store::images::delete(&state.db, scope.id(), &old).await?;
    }
    Ok(back("cover"))
}

/// `POST /n/{slug}/events/{event_id}`: save, or cancel / publish /
/// decline.
pub async fn update_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    viewer: Viewer,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(f): CsrfForm<UpdateForm>,
) -> Result<Response, AppError> {
    let e = event_for(&state, &scope, id).await?;
    if !f.action.is_empty() {
        return match act(&state, &scope, &e, &f.action, &viewer.ip_text()).await? {
            Ok(done) => Ok(
                Redirect::to(&format!("/n/{}/events/{id}?done={done}", scope.slug()))
                    .into_response(),
            ),
            Err(key) => Err(AppError::fields(&ctx, [("action", key)])),
        };
    }
    if !e.may_manage() {
        return Err(AppError::NotFound);
    }
    match events::save(&state, &scope, &f.form, Some(&e), &viewer.ip_text()).await? {
        Ok(id) => Ok(
            Redirect::to(&format!("/n/{}/events/{id}?done=saved", scope.slug())).into_response(),
        ),
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            form_page(&state, ctx, &scope, Some(id), f.form, errors).await?,
        )
            .into_response()),
    }
}

/// Cancels (organisers), publishes or declines (moderators, for a
/// proposal): what was done, or `Err(key)`.
pub async fn act(
    state: &AppState,
    scope: &NetworkScope,
    e: &EventCtx,
    action: &str,
    ip: &str,
) -> Result<Result<&'static str, &'static str>, AppError> {
    let (status, done) = match (action, e.status) {
        ("cancel", Status::Published | Status::Proposed) if e.may_manage() => {
            (Status::Cancelled, "cancelled")
        }
        ("publish", Status::Proposed) if e.may_decide() => (Status::Published, "published"),
        ("decline", Status::Proposed) if e.may_decide() => (Status::Declined, "declined"),
        (_, _) if !e.may_manage() && !e.may_decide() => return Err(AppError::NotFound),
        _ => return Ok(Err("invalid.event_action")),
    };
    let now = now_ms();
    stored::set_status(&state.db, scope.id(), e.id(), status.as_str(), now).await?;
    crate::networks::record(
        state,
        &scope.network,
        Some(scope.membership.account_id),
        &format!("event.{done}"),
        Some(&format!("event/{}", e.id())),
        ip,
    )
    .await;
    if status == Status::Published {
        // the invitation list hears of it now that it is open
        let invited = stored::invited(&state.db, scope.id(), e.id()).await?;
        events::tell_invited(state, scope, e.id(), &invited).await;
    }
    if status == Status::Cancelled {
        // everyone registered hears of it, with the calendar's cancellation
        let people: Vec<i64> = stored::attendees(&state.db, scope.id(), e.id())
            .await?
            .into_iter()
            .filter(|a| a.registration.status != "not_going")
            .map(|a| a.registration.account_id)
            .filter(|a| *a != scope.membership.account_id)
            .collect();
        let who: Vec<(i64, NoticeKind)> = people
            .iter()
            .map(|a| (*a, NoticeKind::EventCancelled))
            .collect();
        crate::notifications::notify(
            state,
            scope,
            &who,
            crate::notifications::About {
                event: Some(e.id()),
                ..Default::default()
            },
        )
        .await;
        for a in people {
            if let Err(err) =
                events::mail_about(state, &scope.network, e.id(), a, "cancelled", None).await
            {
                tracing::error!(error = %err, "could not mail a cancellation");
            }
        }
    }
    Ok(Ok(done))
}

// ─────────────────────────────── one event ───────────────────────────────

/// A listed attendee.
#[derive(Clone, Debug)]
pub struct AttendeeView {
    pub registration_id: i64,
    pub person: AuthorView,
    pub status: String,
    pub guests: i64,
    pub checked_in: Option<String>,
    pub answers: Vec<(String, String)>,
    pub unlisted: bool,
}

fn attendee_view(
    ctx: &PageCtx,
    scope: &NetworkScope,
    questions: &[Question],
    a: &Attendee,
) -> AttendeeView {
    let r = &a.registration;
    let answers: Vec<String> = serde_json::from_str(&r.answers).unwrap_or_default();
    AttendeeView {
        registration_id: r.id,
        person: AuthorView::of(
            scope,
            ctx.lang,
            Some(r.account_id),
            &a.author,
            ctx.t("posts.former_member"),
        ),
        status: r.status.clone(),
        guests: r.guests,
        checked_in: r
            .checked_in_at
            .map(|t| enishi_core::calendar::local_in(t, ctx.tz()).hh_mm()),
        answers: questions
            .iter()
            .zip(answers)
            .map(|(q, a)| (q.text.clone(), a))
            .filter(|(_, a)| !a.is_empty())
            .collect(),
        unlisted: r.unlisted != 0,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "events/show.html")]
pub struct ShowPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub e: EventView,
    pub description_html: String,
    pub map_url: String,
    /// Shown to people going, and organisers.
    pub online_url: Option<String>,
    pub organisers: Vec<AuthorView>,
    pub attendees: Vec<AttendeeView>,
    pub hidden_count: usize,
    pub questions: Vec<Question>,
    pub max_guests: i64,
    pub waitlist: bool,
    pub closed: Option<&'static str>,
    pub deadline: Option<String>,
    pub may_manage: bool,
    pub may_decide: bool,
    pub proposed: bool,
    pub mine_guests: i64,
    pub mine_answers: Vec<String>,
    pub mine_unlisted: bool,
    pub errors: Vec<&'static str>,
    pub notice: Option<&'static str>,
}

impl ShowPage {
    /// The member's answer to question `i` (empty when none).
    /// (The template hands the index over by reference, to any depth.)
    pub fn answer_at(&self, i: impl std::fmt::Display) -> &str {
        self.mine_answers
            .get(i.to_string().parse::<usize>().unwrap_or(usize::MAX))
            .map(String::as_str)
            .unwrap_or("")
    }
}

async fn show_page(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
    id: i64,
    errors: Vec<&'static str>,
    notice: Option<&'static str>,
) -> Result<ShowPage, AppError> {
    let e = event_for(state, scope, id).await?;
    let ev = e.event();
    let attendees = stored::attendees(&state.db, scope.id(), id).await?;
    let may_manage = e.may_manage();
    let me = scope.membership.account_id;
    let going: Vec<&Attendee> = attendees
        .iter()
        .filter(|a| a.registration.status == "going")
        .collect();
    let shown: Vec<AttendeeView> = going
        .iter()
        .filter(|a| a.registration.unlisted == 0 || a.registration.account_id == me)
        .map(|a| attendee_view(&ctx, scope, &[], a))
        .collect();
    let hidden_count = going.len() - shown.len();
    let mine = attendees.iter().find(|a| a.registration.account_id == me);
    let organiser_ids = stored::organisers(&state.db, scope.id(), id).await?;
    let organisers = AuthorView::of_accounts(state, scope, &ctx, &organiser_ids).await?;
    let deadline = ev.deadline.map(|d| {
        let l = enishi_core::calendar::local_in(d, ctx.tz());
        format!("{} {}", l.iso_day(), l.hh_mm())
    });
    Ok(ShowPage {
        slug: scope.slug().to_string(),
        e: view_of(&ctx, &e),
        description_html: crate::markdown::render(&ev.description),
        map_url: ev.map_url.clone(),
        online_url: (!ev.online_url.is_empty() && (may_manage || e.mine() == Some("going")))
            .then(|| ev.online_url.clone()),
        organisers,
        attendees: shown,
        hidden_count,
        questions: e.questions.clone(),
        max_guests: ev.guests,
        waitlist: ev.waitlist != 0,
        closed: e.registration_open().err(),
        deadline,
        may_manage,
        may_decide: e.may_decide() && e.status == Status::Proposed,
        proposed: e.status == Status::Proposed,
        mine_guests: mine.map_or(0, |m| m.registration.guests),
        mine_answers: mine
            .map(|m| serde_json::from_str(&m.registration.answers).unwrap_or_default())
            .unwrap_or_default(),
        mine_unlisted: mine.is_some_and(|m| m.registration.unlisted != 0),
        errors,
        notice,
        ctx,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    pub done: String,
}

/// `GET /n/{slug}/events/{event_id}`
pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    Query(q): Query<ShowQuery>,
) -> Result<ShowPage, AppError> {
    let notice = match q.done.as_str() {
        "created" => Some("events.done_created"),
        "saved" => Some("events.done_saved"),
        "going" => Some("events.done_going"),
        "waitlisted" => Some("events.done_waitlisted"),
        "not_going" => Some("events.done_not_going"),
        "cancelled" => Some("events.done_cancelled"),
        "published" => Some("events.done_published"),
        "declined" => Some("events.done_declined"),
        "invited" => Some("events.done_invited"),
        "messaged" => Some("events.done_messaged"),
        "cover" => Some("events.done_cover"),
        "cover_removed" => Some("events.done_cover_removed"),
        _ => None,
    };
    show_page(&state, ctx, &scope, id, Vec::new(), notice).await
}

/// The registration form (answers arrive as `a0`, `a1`, …).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct RsvpForm {
    pub answer: String,
    pub guests: String,
    pub unlisted: String,
    #[serde(flatten)]
    pub rest: std::collections::HashMap<String, String>,
}

impl RsvpForm {
    fn input(&self, questions: usize) -> RsvpInput {
        RsvpInput {
            answer: self.answer.clone(),
            guests: self.guests.clone(),
            answers: (0..questions)
                .map(|i| self.rest.get(&format!("a{i}")).cloned().unwrap_or_default())
                .collect(),
            unlisted: events::ticked(&self.unlisted),
        }
    }
}

/// `POST /n/{slug}/events/{event_id}/rsvp`
pub async fn rsvp_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<RsvpForm>,
) -> Result<Response, AppError> {
    let e = event_for(&state, &scope, id).await?;
    match events::rsvp(&state, &scope, &e, &form.input(e.questions.len())).await? {
        RsvpOutcome::Done { status } => Ok(Redirect::to(&format!(
            "/n/{}/events/{id}?done={status}#rsvp",
            scope.slug()
        ))
        .into_response()),
        RsvpOutcome::Refused(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            show_page(
                &state,
                ctx,
                &scope,
                id,
                errors.iter().map(|e| e.key).collect(),
                None,
            )
            .await?,
        )
            .into_response()),
    }
}

// ─────────────────────────────── ticket and calendar ───────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "events/ticket.html")]
pub struct TicketPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub e: EventView,
    pub code: String,
    pub qr: String,
    pub checked_in: Option<String>,
}

/// `GET /n/{slug}/events/{event_id}/ticket`: the member's ticket (404
/// unless they are going).
pub async fn ticket(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<TicketPage, AppError> {
    let e = event_for(&state, &scope, id).await?;
    let reg = stored::registration_of(&state.db, scope.id(), id, scope.membership.account_id)
        .await?
        .filter(|r| r.status == "going")
        .ok_or(AppError::NotFound)?;
    let code = ticket_of(e.event(), reg.id);
    let link = state.link(&format!(
        "/n/{}/events/{id}/checkin?code={code}",
        scope.slug()
    ));
    let qr = enishi_core::tickets::qr_svg(&link, ctx.t("events.ticket_qr")).unwrap_or_default();
    Ok(TicketPage {
        slug: scope.slug().to_string(),
        e: view_of(&ctx, &e),
        code,
        qr,
        checked_in: reg
            .checked_in_at
            .map(|t| enishi_core::calendar::local_in(t, ctx.tz()).hh_mm()),
        ctx,
    })
}

fn calendar_response(ics: String, name: &str) -> Response {
    let mut r = ics.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// `GET /n/{slug}/events/{event_id}/event.ics`
pub async fn ics(
    State(state): State<AppState>,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<Response, AppError> {
    let e = event_for(&state, &scope, id).await?;
    let method = if e.status == Status::Cancelled {
        Method::Cancel
    } else {
        Method::Publish
    };
    let ics = events::ics_of(
        &state,
        scope.slug(),
        std::slice::from_ref(&e.row.event),
        method,
    );
    Ok(calendar_response(ics, &format!("event-{id}.ics")))
}

/// `GET /calendar/{token}`: the events the token's owner is going to, in
/// every network of theirs (the secret is the only key; revoking it ends
/// the feed).
pub async fn feed(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let token = token.trim_end_matches(".ics");
    let account = stored::feed_account(&state.db, &enishi_core::secret::hash_token(token))
        .await?
        .ok_or(AppError::NotFound)?;
    let since = now_ms() - 30 * 86_400_000;
    let entries: Vec<enishi_core::calendar::Entry> =
        stored::going_events(&state.db, account, since)
            .await?
            .iter()
            .map(|(slug, ev)| events::entry_of(&state, slug, ev))
            .collect();
    let ics = enishi_core::calendar::ics(&entries, Method::Publish, "Enishi", now_ms());
    Ok(calendar_response(ics, "enishi.ics"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FeedForm {
    /// `create` (a new secret; the old one stops) or `revoke`.
    pub action: String,
}

/// `POST /n/{slug}/events/feed`: makes (or replaces) the member's
/// calendar-feed address and shows it once, or revokes it.
pub async fn feed_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    CsrfForm(form): CsrfForm<FeedForm>,
) -> Result<Response, AppError> {
    let me = scope.membership.account_id;
    if form.action == "revoke" {
        stored::revoke_feed(&state.db, me).await?;
        return Ok(
            Redirect::to(&format!("/n/{}/events?done=feed_revoked", scope.slug())).into_response(),
        );
    }
    let token = crate::csrf::random_token();
    stored::set_feed(
        &state.db,
        me,
        &enishi_core::secret::hash_token(&token),
        now_ms(),
    )
    .await?;
    let items = events::visible(&state, &scope, false)
        .await?
        .iter()
        .map(|e| view_of(&ctx, e))
        .collect();
    Ok(ListPage {
        slug: scope.slug().to_string(),
        items,
        past: false,
        proposes: !enishi_core::events::publishes_directly(scope.role),
        feed: Some(state.link(&format!("/calendar/{token}.ics"))),
        has_feed: true,
        notice: None,
        ctx,
    }
    .into_response())
}

// ─────────────────────────────── organisers ───────────────────────────────

/// One chart of the organisers' page.
pub struct ChartView {
    pub title: String,
    pub svg: String,
    pub total: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "events/manage.html")]
pub struct ManagePage {
    pub ctx: PageCtx,
    pub slug: String,
    pub e: EventView,
    pub registrants: Vec<AttendeeView>,
    pub counts: (usize, usize, usize, usize),
    pub charts: Vec<ChartView>,
    pub warning: Option<String>,
    pub suggestions: Vec<(eras::Suggestion, AuthorView, String)>,
    pub questions: Vec<Question>,
    pub error: Option<&'static str>,
}

fn chart(ctx: &PageCtx, key: &str, bars: &[eras::Bar], total: usize) -> ChartView {
    let title = ctx.t(key).to_string();
    ChartView {
        svg: chart_svg(bars, &title, ctx.t("events.era_unknown")),
        title,
        total,
    }
}

async fn manage_page(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
    id: i64,
    error: Option<&'static str>,
) -> Result<ManagePage, AppError> {
    let e = managed(state, scope, id).await?;
    let attendees = stored::attendees(&state.db, scope.id(), id).await?;
    let balance = events::balance(state, scope, &e, &attendees).await?;
    let count = |s: &str| {
        attendees
            .iter()
            .filter(|a| a.registration.status == s)
            .count()
    };
    let checked = attendees
        .iter()
        .filter(|a| a.registration.checked_in_at.is_some())
        .count();
    let charts = vec![
        chart(
            &ctx,
            "events.chart_hired",
            &balance.registered.hired,
            balance.registered.total,
        ),
        chart(
            &ctx,
            "events.chart_left",
            &balance.registered.left,
            balance.registered.total,
        ),
        chart(
            &ctx,
            "events.chart_departments",
            &balance.registered.departments,
            balance.registered.total,
        ),
        chart(
            &ctx,
            "events.chart_invited",
            &balance.invited.hired,
            balance.invited.total,
        ),
        chart(
            &ctx,
            "events.chart_checked_in",
            &balance.checked_in.hired,
            balance.checked_in.total,
        ),
    ];
    let warning = eras::dominant(&balance.registered).map(|b| {
        ctx.tf(
            "events.era_warning",
            &[
                ("era", b.label.as_str()),
                ("n", &b.count.to_string()),
                ("total", &balance.registered.total.to_string()),
            ],
        )
    });
    let suggestions =
        suggestions(state, scope, &ctx, &e, &attendees, &balance.registrants, 20).await?;
    Ok(ManagePage {
        slug: scope.slug().to_string(),
        e: view_of(&ctx, &e),
        registrants: attendees
            .iter()
            .map(|a| attendee_view(&ctx, scope, &e.questions, a))
            .collect(),
        counts: (
            count("going"),
            count("waitlisted"),
            count("not_going"),
            checked,
        ),
        charts,
        warning,
        suggestions,
        questions: e.questions.clone(),
        error,
        ctx,
    })
}

/// Members worth inviting to even out the room, with the reason
/// ("2005–2009 営業: 0 of 40 registrants"): not registered, not invited,
/// wanting event mail.
pub async fn suggestions(
    state: &AppState,
    scope: &NetworkScope,
    ctx: &PageCtx,
    e: &EventCtx,
    attendees: &[Attendee],
    registrants: &[eras::Person],
    limit: usize,
) -> Result<Vec<(eras::Suggestion, AuthorView, String)>, AppError> {
    // the pool (the network's members by era and department) is kept a
    // few minutes per network: reading it is thousands of rows
    let pool = state
        .recent
        .era_pools
        .get_or_try_load(scope.network.id, || events::people_of(state, scope, None))
        .await?;
    let mut taken: std::collections::HashSet<i64> = stored::invited(&state.db, scope.id(), e.id())
        .await?
        .into_iter()
        .collect();
    taken.extend(attendees.iter().map(|a| a.registration.account_id));
    let free: Vec<eras::Person> = pool
        .iter()
        .filter(|p| !taken.contains(&p.id))
        .cloned()
        .collect();
    // best first; then, a batch at a time, only people still active here
    // who want event mail (nobody is pressed with invitations they
    // switched off), until there are enough
    let ranked = eras::suggest(registrants, &free, free.len());
    let mut chosen: Vec<eras::Suggestion> = Vec::new();
    // (ten batches at most: a network where nearly nobody wants event
    // mail gets fewer suggestions, not a slow page)
    for batch in ranked.chunks(limit.max(1) * 2).take(10) {
        let ids: Vec<i64> = batch.iter().map(|s| s.id).collect();
        let active: std::collections::HashSet<i64> =
            enishi_store::memberships::active_among(&state.db, scope.id(), &ids)
                .await?
                .into_iter()
                .collect();
        let wanting: std::collections::HashSet<i64> =
            enishi_store::notifications::prefs_of(&state.db, &ids)
                .await?
                .into_iter()
                .filter(|(_, json)| {
                    enishi_core::notifications::EmailPrefs::from_json(json)
                        .wants(enishi_core::notifications::Topic::Events)
                })
                .map(|(id, _)| id)
                .collect();
        chosen.extend(
            batch
                .iter()
                .filter(|s| active.contains(&s.id) && wanting.contains(&s.id))
                .cloned(),
        );
        if chosen.len() >= limit {
            chosen.truncate(limit);
            break;
        }
    }
    let ids: Vec<i64> = chosen.iter().map(|s| s.id).collect();
    let people = AuthorView::of_accounts(state, scope, ctx, &ids).await?;
    let mut out = Vec::new();
    for (s, who) in chosen.into_iter().zip(people) {
        let group = if s.department.is_empty() {
            s.era.clone()
        } else {
            format!("{} {}", s.era, s.department)
        };
        let why = ctx.tf(
            "events.suggest_why",
            &[
                ("group", group.as_str()),
                ("n", &s.registered.to_string()),
                ("total", &s.total.to_string()),
            ],
        );
        out.push((s, who, why));
    }
    Ok(out)
}

/// `GET /n/{slug}/events/{event_id}/manage`
pub async fn manage(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<ManagePage, AppError> {
    manage_page(&state, ctx, &scope, id, None).await
}

/// `POST /n/{slug}/events/{event_id}/invite`
pub async fn invite_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let e = managed(&state, &scope, id).await?;
    let mut accounts: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "account")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let typed = pairs
        .iter()
        .find(|(k, _)| k == "addresses")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if !typed.trim().is_empty() {
        match crate::networks::members_by_addresses(
            &state,
            scope.id(),
            typed,
            enishi_core::events::MAX_INVITED,
        )
        .await?
        {
            crate::networks::Addresses::Found(a) => accounts.extend(a),
            _ => {
                return Ok((
                    StatusCode::UNPROCESSABLE_ENTITY,
                    manage_page(
                        &state,
                        ctx,
                        &scope,
                        id,
                        Some("invalid.event_invited_unknown"),
                    )
                    .await?,
                )
                    .into_response());
            }
        }
    }
    // only active members of this network are invited
    let members = enishi_store::memberships::active_among(&state.db, scope.id(), &accounts).await?;
    let accounts: Vec<i64> = accounts
        .into_iter()
        .filter(|a| members.contains(a))
        .collect();
    if accounts.is_empty() {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            manage_page(&state, ctx, &scope, id, Some("invalid.event_invited_empty")).await?,
        )
            .into_response());
    }
    events::invite(&state, &scope, e.id(), e.status, &accounts).await?;
    Ok(Redirect::to(&format!("/n/{}/events/{id}?done=invited", scope.slug())).into_response())
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct MessageForm {
    pub body: String,
}

/// Sends the organisers' words to everyone going (and waitlisted): a
/// bell and an e-mail for those who want event mail. `Err(key)` for an
/// empty or overlong message.
pub async fn message_all(
    state: &AppState,
    scope: &NetworkScope,
    e: &EventCtx,
    body: &str,
) -> Result<Result<usize, &'static str>, AppError> {
    let text = body.trim();
    if text.is_empty() {
        return Ok(Err("invalid.message_empty"));
    }
    if text.chars().count() > 2_000 {
        return Ok(Err("invalid.event_message_long"));
    }
    let people: Vec<i64> = stored::attendees(&state.db, scope.id(), e.id())
        .await?
        .into_iter()
        .filter(|a| a.registration.status != "not_going")
        .map(|a| a.registration.account_id)
        .filter(|a| *a != scope.membership.account_id)
        .collect();
    let who: Vec<(i64, NoticeKind)> = people
        .iter()
        .map(|a| (*a, NoticeKind::EventMessage))
        .collect();
    crate::notifications::notify(
        state,
        scope,
        &who,
        crate::notifications::About {
            event: Some(e.id()),
            note: Some(text.to_string()),
            ..Default::default()
        },
    )
    .await;
    for a in &people {
        if let Err(err) =
            events::mail_about(state, &scope.network, e.id(), *a, "message", Some(text)).await
        {
            tracing::error!(error = %err, "could not mail an organisers' message");
        }
    }
    Ok(Ok(people.len()))
}

/// `POST /n/{slug}/events/{event_id}/message`
pub async fn message_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<MessageForm>,
) -> Result<Response, AppError> {
    let e = managed(&state, &scope, id).await?;
    match message_all(&state, &scope, &e, &form.body).await? {
        Ok(_) => Ok(
            Redirect::to(&format!("/n/{}/events/{id}?done=messaged", scope.slug())).into_response(),
        ),
        Err(key) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            manage_page(&state, ctx, &scope, id, Some(key)).await?,
        )
            .into_response()),
    }
}

// ─────────────────────────────── tables ───────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "events/tables.html")]
pub struct TablesPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub e: EventView,
    pub size: usize,
    pub seed: u64,
    pub tables: Vec<Vec<(AuthorView, String)>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TablesQuery {
    pub size: String,
    pub seed: String,
}

/// `GET /n/{slug}/events/{event_id}/tables?size=6&seed=1`: the people
/// going, seated with eras and departments mixed (the same seed gives
/// the same seating; another seed, another).
pub async fn tables(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    Query(q): Query<TablesQuery>,
) -> Result<TablesPage, AppError> {
    let e = managed(&state, &scope, id).await?;
    let size: usize = q
        .size
        .trim()
        .parse()
        .ok()
        .filter(|n| (2..=30).contains(n))
        .unwrap_or(6);
    let seed: u64 = q.seed.trim().parse().unwrap_or(1);
    let attendees = stored::attendees(&state.db, scope.id(), id).await?;
    let going: Vec<i64> = attendees
        .iter()
        .filter(|a| a.registration.status == "going")
        .map(|a| a.registration.account_id)
        .collect();
    let people = events::people_of(&state, &scope, Some(&going)).await?;
    let seated = eras::tables(&people, size, seed);
    let label = |id: i64| -> String {
        people
            .iter()
            .find(|p| p.id == id)
            .map(|p| {
                let era = p
                    .hired
                    .map(|h| eras::era_label(eras::era(h)))
                    .unwrap_or_default();
                [era, p.department.clone().unwrap_or_default()]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default()
    };
    let tables = seated
        .iter()
        .map(|t| {
            t.iter()
                .map(|id| {
                    let a = attendees
                        .iter()
                        .find(|a| a.registration.account_id == *id)
                        .expect("seated people are attendees");
                    (
                        AuthorView::of(
                            &scope,
                            ctx.lang,
                            Some(*id),
                            &a.author,
                            ctx.t("posts.former_member"),
                        ),
                        label(*id),
                    )
                })
                .collect()
        })
        .collect();
    Ok(TablesPage {
        slug: scope.slug().to_string(),
        e: view_of(&ctx, &e),
        size,
        seed,
        tables,
        ctx,
    })
}

// ─────────────────────────────── the door ───────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "events/checkin.html")]
pub struct CheckinPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub e: EventView,
    pub code: String,
    pub q: String,
    pub result: Option<(bool, String)>,
    pub people: Vec<AttendeeView>,
    pub going: usize,
    pub checked: usize,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CheckinQuery {
    pub code: String,
    pub q: String,
}

async fn checkin_page(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
    e: &EventCtx,
    code: String,
    q: String,
    result: Option<(bool, String)>,
) -> Result<CheckinPage, AppError> {
    let attendees = stored::attendees(&state.db, scope.id(), e.id()).await?;
    let going: Vec<&Attendee> = attendees
        .iter()
        .filter(|a| a.registration.status == "going")
        .collect();
    let checked = going
        .iter()
        .filter(|a| a.registration.checked_in_at.is_some())
        .count();
    let query = enishi_core::search::Query::parse(&q);
    let people: Vec<AttendeeView> = going
        .iter()
        .map(|a| attendee_view(&ctx, scope, &[], a))
        .filter(|v| {
            q.trim().is_empty()
                || enishi_core::businesses::score(&query, &v.person.name, "", "", "").is_some()
        })
        .collect();
    Ok(CheckinPage {
        slug: scope.slug().to_string(),
        e: view_of(&ctx, e),
        code,
        q,
        result,
        going: going.len(),
        checked,
        people,
        ctx,
    })
}

/// `GET /n/{slug}/events/{event_id}/checkin` (a scanned QR code opens
/// it with `?code=`; the organiser confirms with one tap)
pub async fn checkin(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    Query(q): Query<CheckinQuery>,
) -> Result<CheckinPage, AppError> {
    let e = managed(&state, &scope, id).await?;
    checkin_page(&state, ctx, &scope, &e, q.code, q.q, None).await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CheckinForm {
    /// A ticket as typed or scanned.
    pub code: String,
    /// Or a registration picked from the list.
    pub registration: String,
}

/// What a door result says, as a sentence.
pub fn door_text(ctx: &PageCtx, door: &Door, name: &str) -> (bool, String) {
    match door {
        Door::In(_) => (true, ctx.tf1("events.checkin_done", "name", name)),
        Door::Already(_, at) => (
            true,
            ctx.tf(
                "events.checkin_already",
                &[
                    ("name", name),
                    (
                        "time",
                        &enishi_core::calendar::local_in(*at, ctx.tz()).hh_mm(),
                    ),
                ],
            ),
        ),
        Door::Forged => (false, ctx.t("invalid.event_ticket_forged").to_string()),
        Door::OtherEvent => (false, ctx.t("invalid.event_ticket_other").to_string()),
        Door::NotGoing => (false, ctx.t("invalid.event_ticket_not_going").to_string()),
    }
}

/// The name of the person a door result is about.
pub async fn door_name(
    state: &AppState,
    scope: &NetworkScope,
    ctx: &PageCtx,
    door: &Door,
) -> Result<String, AppError> {
    let account = match door {
        Door::In(a) | Door::Already(a, _) => *a,
        _ => return Ok(String::new()),
    };
    AuthorView::name_of_account(state, scope, ctx, account).await
}

/// `POST /n/{slug}/events/{event_id}/checkin`
pub async fn checkin_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<CheckinForm>,
) -> Result<Response, AppError> {
    let e = managed(&state, &scope, id).await?;
    let code = match form.registration.trim().parse::<i64>() {
        // a row of the list: the organiser vouches for the person
        Ok(r) => ticket_of(e.event(), r),
        Err(_) => form.code.clone(),
    };
    // a phone at the door checks in a few people a minute; guessing
    // tickets would need millions of tries
    crate::signin::limit(
        &state.db,
        &format!("checkin:{}", scope.membership.account_id),
        120,
        60_000,
    )
    .await?;
    let door = events::check_in(&state, &scope, &e, &code).await?;
    let name = door_name(&state, &scope, &ctx, &door).await?;
    let result = door_text(&ctx, &door, &name);
    let status = if result.0 {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        checkin_page(
            &state,
            ctx,
            &scope,
            &e,
            String::new(),
            String::new(),
            Some(result),
        )
        .await?,
    )
        .into_response())
}
