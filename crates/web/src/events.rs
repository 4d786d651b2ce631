//! Events: reunions, meetups and business-matching evenings. This module
//! holds the rules' glue shared by the pages ([`crate::events_pages`]) and
//! the API ([`crate::events_api`]): resolving an event as the member
//! stands to it ([`event_for`] answers 404 for one they may not see —
//! the same as for one that does not exist), saving, registering (seats
//! by the store's conditional write; mails with the calendar file), the
//! calendar files and feed, check-in by ticket, and era balance.

use enishi_core::calendar::{self, Entry, Method};
use enishi_core::eras::{self, Person, Spread};
use enishi_core::events::{
    self as rules, Audience, FieldError, Format, Input, MAX_INVITED, Question, RsvpInput, Status,
};
use enishi_core::tickets;
use enishi_store::events::{self as stored, Attendee, Listed, NewEvent, Registered};
use enishi_store::now_ms;
use serde::Deserialize;

use crate::ctx::PageCtx;
use crate::i18n::Tr;
use crate::networks::Addresses;
use crate::scope::NetworkScope;
use crate::{AppError, AppState};

/// An event as the member stands to it.
#[derive(Clone, Debug)]
pub struct EventCtx {
    pub row: Listed,
    /// The network's slug.
    pub slug: String,
    pub status: Status,
    pub audience: Audience,
    pub format: Format,
    pub questions: Vec<Question>,
    pub viewer: rules::Viewer,
}

impl EventCtx {
    pub fn id(&self) -> i64 {
        self.row.event.id
    }
    pub fn event(&self) -> &stored::Event {
        &self.row.event
    }
    pub fn may_manage(&self) -> bool {
        rules::may_manage(&self.viewer)
    }
    pub fn may_decide(&self) -> bool {
        rules::may_decide(&self.viewer)
    }
    /// Whether registration is open now; `Err(key)` why not.
    pub fn registration_open(&self) -> Result<(), &'static str> {
        let e = self.event();
        rules::registration_open(self.status, e.starts_at, e.deadline, now_ms())
    }
    /// The viewer's registration status.
    pub fn mine(&self) -> Option<&str> {
        self.row.mine.as_deref()
    }
    pub fn seats_left(&self) -> Option<i64> {
        self.event()
            .capacity
            .map(|c| (c - self.event().taken).max(0))
    }
}

fn parsed(scope: &NetworkScope, row: Listed) -> Result<EventCtx, AppError> {
    let e = &row.event;
    let (Some(status), Some(audience), Some(format)) = (
        Status::parse(&e.status),
        Audience::parse(&e.audience),
        Format::parse(&e.format),
    ) else {
        return Err(AppError::Internal(format!(
            "event {} has unknown words",
            e.id
        )));
    };
    let viewer = rules::Viewer {
        kind: Some(scope.kind),
        role: Some(scope.role),
        organiser: row.organiser,
        in_group: row.in_group,
        invited: row.invited,
        registered: row.mine.as_deref().is_some_and(|m| m != "not_going"),
    };
    Ok(EventCtx {
        slug: scope.slug().to_string(),
        questions: serde_json::from_str(&e.questions).unwrap_or_default(),
        status,
        audience,
        format,
        viewer,
        row,
    })
}

/// The events that exist for the member: upcoming (soonest first) or
/// past (latest first).
pub async fn visible(
    state: &AppState,
    scope: &NetworkScope,
    past: bool,
) -> Result<Vec<EventCtx>, AppError> {
    let rows = stored::listed(
        &state.db,
        scope.id(),
        scope.membership.account_id,
        now_ms(),
        past,
        None,
    )
    .await?;
    let mut out = Vec::new();
    for row in rows {
        let e = parsed(scope, row)?;
        if rules::may_see(e.status, e.audience, &e.viewer) {
            out.push(e);
        }
    }
    Ok(out)
}

/// The event `id` as the member stands to it (404 when they may not see
/// it, or it is not in this network).
pub async fn event_for(
    state: &AppState,
    scope: &NetworkScope,
    id: i64,
) -> Result<EventCtx, AppError> {
    let row = stored::listed(
        &state.db,
        scope.id(),
        scope.membership.account_id,
        0,
        false,
        Some(id),
    )
    .await?
    .into_iter()
    .next()
    .ok_or(AppError::NotFound)?;
    let e = parsed(scope, row)?;
    if !rules::may_see(e.status, e.audience, &e.viewer) {
        return Err(AppError::NotFound);
    }
    Ok(e)
}

/// The event `id` when the member runs it (404 otherwise).
pub async fn managed(
    state: &AppState,
    scope: &NetworkScope,
    id: i64,
) -> Result<EventCtx, AppError> {
    let e = event_for(state, scope, id).await?;
    if !e.may_manage() {
        return Err(AppError::NotFound);
    }
    Ok(e)
}

// ─────────────────────────────── times ───────────────────────────────

/// When an event is, in the viewer's zone and language:
/// `2026年12月20日(日) 18:30–21:00 JST`.
pub fn when_text(tr: Tr, starts_at: i64, ends_at: i64, zone: &str) -> String {
    let s = calendar::local_in(starts_at, zone);
    let e = calendar::local_in(ends_at, zone);
    let day = |l: &calendar::Local| {
        tr.fmt(
            "events.day_format",
            &[
                ("y", &l.year.to_string()),
                ("m", &l.month.to_string()),
                ("d", &l.day.to_string()),
                ("mm", &format!("{:02}", l.month)),
                ("dd", &format!("{:02}", l.day)),
                ("w", tr.get(&format!("events.weekday_{}", l.weekday))),
            ],
        )
    };
    if s.iso_day() == e.iso_day() {
        format!("{} {}–{} {}", day(&s), s.hh_mm(), e.hh_mm(), e.abbreviation)
    } else {
        format!(
            "{} {} – {} {} {}",
            day(&s),
            s.hh_mm(),
            day(&e),
            e.hh_mm(),
            e.abbreviation
        )
    }
}

/// [`when_text`] in the viewer's zone, and in the event's own when that
/// differs (someone in London looking at a Tokyo evening).
pub fn when_for(ctx: &PageCtx, e: &stored::Event) -> (String, Option<String>) {
    let mine = when_text(ctx.tr, e.starts_at, e.ends_at, ctx.tz());
    let theirs = when_text(ctx.tr, e.starts_at, e.ends_at, &e.tz);
    (mine.clone(), (theirs != mine).then_some(theirs))
}

// ─────────────────────────────── writing ───────────────────────────────

/// An event as written in the form (all text; a checkbox is `1` when
/// ticked).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct EventForm {
    pub title: String,
    pub description: String,
    pub starts_on: String,
    pub starts_time: String,
    pub ends_on: String,
    pub ends_time: String,
    pub tz: String,
    pub format: String,
    pub venue: String,
    pub address: String,
    pub map_url: String,
    pub online_url: String,
    pub capacity: String,
    pub waitlist: String,
    pub guests: String,
    pub deadline_on: String,
    pub deadline_time: String,
    pub audience: String,
    /// The audience group's id.
    pub group: String,
    /// Invited people's addresses (audience `invited`).
    pub invited: String,
    pub questions: String,
    pub business_matching: String,
    pub meeting_minutes: String,
    /// Co-organisers' addresses.
    pub organisers: String,
}

impl EventForm {
    fn input(&self) -> Input {
        Input {
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
            capacity: self.capacity.clone(),
            waitlist: ticked(&self.waitlist),
            guests: self.guests.clone(),
            deadline_on: self.deadline_on.clone(),
            deadline_time: self.deadline_time.clone(),
            audience: self.audience.clone(),
            group_id: self.group.trim().parse().ok(),
            questions: self.questions.clone(),
            business_matching: ticked(&self.business_matching),
            meeting_minutes: self.meeting_minutes.clone(),
        }
    }

    /// The form filled from a stored event (in its own zone).
    pub async fn of(
        state: &AppState,
        scope: &NetworkScope,
        e: &EventCtx,
    ) -> Result<EventForm, AppError> {
        let ev = e.event();
        let s = calendar::local_in(ev.starts_at, &ev.tz);
        let end = calendar::local_in(ev.ends_at, &ev.tz);
        let d = ev.deadline.map(|d| calendar::local_in(d, &ev.tz));
        let addresses = |accounts: Vec<i64>| async move {
            let mut out = Vec::new();
            for a in accounts {
                if let Some(email) = enishi_store::accounts::primary_email(&state.db, a).await? {
                    out.push(email);
                }
            }
            Ok::<String, AppError>(out.join("\n"))
        };
        let organisers: Vec<i64> = stored::organisers(&state.db, scope.id(), ev.id)
            .await?
            .into_iter()
            .filter(|a| Some(*a) != ev.created_by)
            .collect();
        Ok(EventForm {
            title: ev.title.clone(),
            description: ev.description.clone(),
            starts_on: s.iso_day(),
            starts_time: s.hh_mm(),
            ends_on: if end.iso_day() == s.iso_day() {
                String::new()
            } else {
                end.iso_day()
            },
            ends_time: end.hh_mm(),
            tz: ev.tz.clone(),
            format: ev.format.clone(),
            venue: ev.venue.clone(),
            address: ev.address.clone(),
            map_url: ev.map_url.clone(),
            online_url: ev.online_url.clone(),
            capacity: ev.capacity.map(|c| c.to_string()).unwrap_or_default(),
            waitlist: flag(ev.waitlist != 0),
            guests: ev.guests.to_string(),
            deadline_on: d.as_ref().map(|d| d.iso_day()).unwrap_or_default(),
            deadline_time: d.as_ref().map(|d| d.hh_mm()).unwrap_or_default(),
            audience: ev.audience.clone(),
            group: ev.group_id.map(|g| g.to_string()).unwrap_or_default(),
            invited: if e.audience == Audience::Invited {
                addresses(stored::invited(&state.db, scope.id(), ev.id).await?).await?
            } else {
                String::new()
            },
            questions: rules::questions_text(&e.questions),
            business_matching: flag(ev.business_matching != 0),
            meeting_minutes: ev.meeting_minutes.to_string(),
            organisers: addresses(organisers).await?,
        })
    }
}

/// A form checkbox's value: ticked when sent with any value but `0`.
pub fn ticked(value: &str) -> bool {
    let v = value.trim();
    !v.is_empty() && v != "0" && v != "false"
}

fn flag(on: bool) -> String {
    if on { "1".into() } else { String::new() }
}

fn field(field: &'static str, key: &'static str) -> FieldError {
    FieldError { field, key }
}

/// The accounts typed in an address field (`Ok(None)`: nothing typed).
async fn addresses(
    state: &AppState,
    scope: &NetworkScope,
    text: &str,
    name: &'static str,
    errors: &mut Vec<FieldError>,
) -> Result<Vec<i64>, AppError> {
    match crate::networks::members_by_addresses(state, scope.id(), text, MAX_INVITED).await? {
        Addresses::Found(a) => Ok(a),
        Addresses::Empty => Ok(Vec::new()),
        Addresses::TooMany => {
            errors.push(field(name, "invalid.event_invited_many"));
            Ok(Vec::new())
        }
        Addresses::Unknown(_) => {
            errors.push(field(name, "invalid.event_invited_unknown"));
            Ok(Vec::new())
        }
    }
}

/// Creates an event (`existing: None`) or rewrites one; its id. Members
/// who are not moderators propose (moderators publish it).
pub async fn save(
    state: &AppState,
    scope: &NetworkScope,
    form: &EventForm,
    existing: Option<&EventCtx>,
    ip: &str,
) -> Result<Result<i64, Vec<FieldError>>, AppError> {
    let input = form.input();
    let now = now_ms();
    let checked = rules::check(
        &input,
        now,
        existing.map(|e| e.event().starts_at),
        existing.and_then(|e| e.event().deadline),
    );
    let mut errors = checked.as_ref().err().cloned().unwrap_or_default();
    let audience = Audience::parse(form.audience.trim());
    let mut group_id = None;
    if audience == Some(Audience::Group) {
        group_id = crate::groups::readable_id(state, scope, &form.group).await?;
        if group_id.is_none() && !errors.iter().any(|e| e.field == "group_id") {
            errors.push(field("group_id", "invalid.event_group"));
        }
    }
    let invited = if audience == Some(Audience::Invited) {
        let a = addresses(state, scope, &form.invited, "invited", &mut errors).await?;
        if a.is_empty() && !errors.iter().any(|e| e.field == "invited") {
            errors.push(field("invited", "invalid.event_invited_empty"));
        }
        a
    } else {
        Vec::new()
    };
    let organisers = addresses(state, scope, &form.organisers, "organisers", &mut errors).await?;
    if let (Ok(d), Some(e)) = (&checked, existing)
        && let Some(c) = d.capacity
        && c < e.event().taken
    {
        errors.push(field("capacity", "invalid.event_capacity_below"));
    }
    let draft = match checked {
        Ok(d) if errors.is_empty() => d,
        _ => return Ok(Err(errors)),
    };
    let questions = serde_json::to_string(&draft.questions).unwrap_or_else(|_| "[]".into());
    let new = NewEvent {
        title: &draft.title,
        description: &draft.description,
        starts_at: draft.starts_at,
        ends_at: draft.ends_at,
        tz: &draft.tz,
        format: draft.format.as_str(),
        venue: &draft.venue,
        address: &draft.address,
        map_url: &draft.map_url,
        online_url: &draft.online_url,
        capacity: draft.capacity,
        waitlist: draft.waitlist,
        guests: draft.guests,
        deadline: draft.deadline,
        audience: draft.audience.as_str(),
        group_id,
        questions: &questions,
        business_matching: draft.business_matching,
        meeting_minutes: draft.meeting_minutes,
    };
    let me = scope.membership.account_id;
    let id = match existing {
        Some(e) => {
            let updated = stored::update(&state.db, scope.id(), e.id(), &new, now)
                .await?
                .ok_or(AppError::NotFound)?;
            tell_promoted(state, scope, e.id(), &updated.promoted).await?;
            e.id()
        }
        None => {
            let status = if rules::publishes_directly(scope.role) {
                Status::Published
            } else {
                Status::Proposed
            };
            stored::create(
                &state.db,
                scope.id(),
                &new,
                status.as_str(),
                &crate::csrf::random_token(),
                me,
                now,
            )
            .await?
        }
    };
    let mut all_organisers = organisers;
    if !all_organisers.contains(&me) && existing.is_none() {
        all_organisers.push(me);
    }
    stored::set_organisers(&state.db, scope.id(), id, &all_organisers).await?;
    if !invited.is_empty() {
        let status = match existing {
            Some(e) => e.status,
            None if rules::publishes_directly(scope.role) => Status::Published,
            None => Status::Proposed,
        };
        invite(state, scope, id, status, &invited).await?;
    }
    crate::networks::record(
        state,
        &scope.network,
        Some(me),
        if existing.is_some() {
            "event.updated"
        } else {
            "event.created"
        },
        Some(&format!("event/{id}")),
        ip,
    )
    .await;
    Ok(Ok(id))
}

/// Puts `accounts` on an event's invitation list; those new to it hear of
/// it (bell, and e-mail for who wants event mail) once it is published.
/// How many were new.
pub async fn invite(
    state: &AppState,
    scope: &NetworkScope,
    event: i64,
    status: Status,
    accounts: &[i64],
) -> Result<usize, AppError> {
    let added = stored::invite(
        &state.db,
        scope.id(),
        event,
        accounts,
        scope.membership.account_id,
        now_ms(),
    )
    .await?;
    if status == Status::Published {
        tell_invited(state, scope, event, &added).await;
    }
    Ok(added.len())
}

/// Tells `accounts` they are invited to `event`.
pub async fn tell_invited(state: &AppState, scope: &NetworkScope, event: i64, accounts: &[i64]) {
    let who: Vec<(i64, enishi_core::notifications::Kind)> = accounts
        .iter()
        .filter(|a| **a != scope.membership.account_id)
        .map(|a| (*a, enishi_core::notifications::Kind::EventInvited))
        .collect();
    crate::notifications::notify(
        state,
        scope,
        &who,
        crate::notifications::About {
            event: Some(event),
            ..Default::default()
        },
    )
    .await;
}

// ─────────────────────────────── registering ───────────────────────────────

/// What a registration came to, for the page and the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RsvpOutcome {
    /// `going`, `waitlisted` or `not_going`.
    Done { status: String },
    /// Refused fields.
    Refused(Vec<FieldError>),
}

/// Registers the member (or changes their answer), mails them the
/// confirmation with the calendar file, and those the freed seats
/// promoted.
pub async fn rsvp(
    state: &AppState,
    scope: &NetworkScope,
    e: &EventCtx,
    input: &RsvpInput,
) -> Result<RsvpOutcome, AppError> {
    if let Err(key) = e.registration_open() {
        return Ok(RsvpOutcome::Refused(vec![field("answer", key)]));
    }
    let draft = match rules::check_rsvp(input, &e.questions, e.event().guests) {
        Ok(d) => d,
        Err(errors) => return Ok(RsvpOutcome::Refused(errors)),
    };
    let answers = serde_json::to_string(&draft.answers).unwrap_or_else(|_| "[]".into());
    let me = scope.membership.account_id;
    let done = stored::register(
        &state.db,
        scope.id(),
        e.id(),
        me,
        &stored::Ask {
            going: draft.going,
            guests: draft.guests,
            answers: &answers,
            unlisted: draft.unlisted,
            waitlist: e.event().waitlist != 0,
        },
        now_ms(),
    )
    .await?;
    match done {
        Registered::Full => Ok(RsvpOutcome::Refused(vec![field(
            "answer",
            "invalid.event_full",
        )])),
        Registered::GuestsDoNotFit => Ok(RsvpOutcome::Refused(vec![field(
            "guests",
            "invalid.event_guests_full",
        )])),
        Registered::Done {
            status,
            changed,
            promoted,
            ..
        } => {
            if changed && status != "not_going" {
                let what = if status == "going" {
                    "confirmed"
                } else {
                    "waitlisted"
                };
                if let Err(err) = mail_about(state, &scope.network, e.id(), me, what, None).await {
                    tracing::error!(error = %err, "could not mail a registration");
                }
            }
            tell_promoted(state, scope, e.id(), &promoted).await?;
            Ok(RsvpOutcome::Done { status })
        }
    }
}

/// Tells people moved up from the waitlist (bell and e-mail).
async fn tell_promoted(
    state: &AppState,
    scope: &NetworkScope,
    event: i64,
    promoted: &[stored::Promoted],
) -> Result<(), AppError> {
    if promoted.is_empty() {
        return Ok(());
    }
    let who: Vec<(i64, enishi_core::notifications::Kind)> = promoted
        .iter()
        .map(|p| {
            (
                p.account_id,
                enishi_core::notifications::Kind::EventPromoted,
            )
        })
        .collect();
    crate::notifications::notify(
        state,
        scope,
        &who,
        crate::notifications::About {
            event: Some(event),
            ..Default::default()
        },
    )
    .await;
    for p in promoted {
        if let Err(err) =
            mail_about(state, &scope.network, event, p.account_id, "promoted", None).await
        {
            tracing::error!(error = %err, "could not mail a promotion");
        }
    }
    Ok(())
}

/// Mails `account` about event `id`: `confirmed`, `waitlisted`,
/// `promoted`, `reminder_day`, `reminder_hour`, `cancelled` or
/// `message` (with the organisers' `note`) — in their language, their
/// zone, with the calendar file when it belongs in their calendar.
pub async fn mail_about(
    state: &AppState,
    network: &enishi_store::networks::Network,
    id: i64,
    account: i64,
    what: &str,
    note: Option<&str>,
) -> Result<(), AppError> {
    let Some(ev) = stored::get(&state.db, network.scope(), id).await? else {
        return Ok(());
    };
    // reminders and organisers' messages follow the person's e-mail
    // choices; what changes their place (confirmation, waitlist,
    // promotion, cancellation) always goes
    let topic = matches!(what, "reminder_day" | "reminder_hour" | "message")
        .then_some(enishi_core::notifications::Topic::Events);
    let Some((to, lang)) = crate::notifications::recipient(state, account, topic).await? else {
        return Ok(());
    };
    let Some(acc) = enishi_store::accounts::by_id(&state.db, account).await? else {
        return Ok(());
    };
    let tr = Tr::new(lang);
    let when = when_text(tr, ev.starts_at, ev.ends_at, &acc.time_zone);
    let name = crate::networks::name_in(network, lang).to_string();
    let subject = tr.fmt(
        &format!("events.mail_{what}_subject"),
        &[("title", &ev.title)],
    );
    let text = tr.fmt(
        &format!("events.mail_{what}"),
        &[("title", &ev.title), ("network", &name)],
    );
    let mut lines = vec![tr.fmt("events.mail_when", &[("when", &when)])];
    if !ev.venue.is_empty() {
        lines.push(tr.fmt("events.mail_where", &[("where", &place_of(&ev))]));
    }
    if let Some(n) = note {
        lines.push(n.to_string());
    }
    let path = format!("/n/{}/events/{}", network.slug, ev.id);
    let mail = crate::mail::render_full(
        crate::mail::Kind::Event,
        lang,
        &state.link(&path),
        &[
            ("subject", subject.as_str()),
            ("text", text.as_str()),
            ("network", name.as_str()),
        ],
        &lines,
        None,
    )?;
    let ics = match what {
        "confirmed" | "promoted" => Some(ics_of(state, &network.slug, &[ev], Method::Publish)),
        "cancelled" => Some(ics_of(state, &network.slug, &[ev], Method::Cancel)),
        _ => None,
    };
    crate::mail::queue_with_calendar(state, &to, &mail, None, ics.as_deref()).await?;
    Ok(())
}

/// Venue and address on one line.
pub fn place_of(ev: &stored::Event) -> String {
    [ev.venue.as_str(), ev.address.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

// ─────────────────────────────── calendar ───────────────────────────────

/// The calendar entry of an event (stable UID: network, event and the
/// site's host).
pub fn entry_of(state: &AppState, slug: &str, ev: &stored::Event) -> Entry {
    let host = state.config.base_url.host_str().unwrap_or("enishi.invalid");
    Entry {
        uid: format!("event-{}-{}@{host}", ev.network_id, ev.id),
        sequence: ev.sequence,
        title: ev.title.clone(),
        description: ev.description.clone(),
        location: if ev.venue.is_empty() {
            String::new()
        } else {
            place_of(ev)
        },
        url: state.link(&format!("/n/{slug}/events/{}", ev.id)),
        starts_at: ev.starts_at,
        ends_at: ev.ends_at,
        tz: ev.tz.clone(),
        cancelled: ev.status == "cancelled",
        updated_at: ev.updated_at,
    }
}

/// The `.ics` of events of `scope`'s network.
pub fn ics_of(state: &AppState, slug: &str, events: &[stored::Event], method: Method) -> String {
    let entries: Vec<Entry> = events.iter().map(|e| entry_of(state, slug, e)).collect();
    calendar::ics(&entries, method, "", now_ms())
}

// ─────────────────────────────── check-in ───────────────────────────────

/// The ticket of a registration.
pub fn ticket_of(ev: &stored::Event, registration: i64) -> String {
    tickets::ticket(ev.ticket_key.as_bytes(), ev.id, registration)
}

/// What a typed or scanned code came to at the door.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Door {
    /// Checked in now: the attendee.
    In(i64),
    /// Already, at this instant.
    Already(i64, i64),
    /// Not a ticket of ours.
    Forged,
    /// A real ticket for another event.
    OtherEvent,
    /// A ticket of a registration no longer going.
    NotGoing,
}

/// Checks in the holder of `code` at event `e`.
pub async fn check_in(
    state: &AppState,
    scope: &NetworkScope,
    e: &EventCtx,
    code: &str,
) -> Result<Door, AppError> {
    let Some((number, sig)) = tickets::read(code) else {
        return Ok(Door::Forged);
    };
    let Some(reg) = stored::registration(&state.db, scope.id(), number).await? else {
        return Ok(Door::Forged);
    };
    if reg.event_id != e.id() {
        let other = stored::get(&state.db, scope.id(), reg.event_id).await?;
        let genuine =
            other.is_some_and(|o| tickets::verify(o.ticket_key.as_bytes(), o.id, number, &sig));
        return Ok(if genuine {
            Door::OtherEvent
        } else {
            Door::Forged
        });
    }
    if !tickets::verify(e.event().ticket_key.as_bytes(), e.id(), number, &sig) {
        return Ok(Door::Forged);
    }
    let by = scope.membership.account_id;
    Ok(
        match stored::check_in(&state.db, scope.id(), reg.id, by, now_ms()).await? {
            stored::CheckIn::Done => Door::In(reg.account_id),
            stored::CheckIn::Already(at) => Door::Already(reg.account_id, at),
            stored::CheckIn::NotGoing => Door::NotGoing,
        },
    )
}

// ─────────────────────────────── era balance ───────────────────────────────

/// The people of `accounts` as era balance sees them (first hire year,
/// last leave year, the latest stint's first department).
pub async fn people_of(
    state: &AppState,
    scope: &NetworkScope,
    accounts: Option<&[i64]>,
) -> Result<Vec<Person>, AppError> {
    let rows = stored::era_rows(&state.db, scope.id(), accounts, 5_000).await?;
    let mut out: Vec<Person> = Vec::new();
    for r in rows {
        let joined = r
            .joined_ym
            .map(|ym| enishi_core::profile::YearMonth(ym).year() as i32);
        let left = r
            .left_ym
            .map(|ym| enishi_core::profile::YearMonth(ym).year() as i32);
        let department = serde_json::from_str::<Vec<String>>(&r.departments)
            .unwrap_or_default()
            .into_iter()
            .next();
        match out.last_mut() {
            Some(p) if p.id == r.account_id => {
                p.hired = match (p.hired, joined) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                // the latest stint says where they ended
                p.left = left;
                if department.is_some() {
                    p.department = department;
                }
            }
            _ => out.push(Person {
                id: r.account_id,
                hired: joined,
                left,
                department,
            }),
        }
    }
    // people with no stints still count (as unknown)
    if let Some(list) = accounts {
        let known: std::collections::HashSet<i64> = out.iter().map(|p| p.id).collect();
        for a in list {
            if !known.contains(a) {
                out.push(Person {
                    id: *a,
                    ..Person::default()
                });
            }
        }
    }
    Ok(out)
}

/// The three spreads of an event: invited, registered (going and
/// waitlisted), checked in.
pub struct Balance {
    pub invited: Spread,
    pub registered: Spread,
    pub checked_in: Spread,
    pub registrants: Vec<Person>,
}

/// Era balance of an event.
pub async fn balance(
    state: &AppState,
    scope: &NetworkScope,
    e: &EventCtx,
    attendees: &[Attendee],
) -> Result<Balance, AppError> {
    let invited = stored::invited(&state.db, scope.id(), e.id()).await?;
    let registered: Vec<i64> = attendees
        .iter()
        .filter(|a| a.registration.status != "not_going")
        .map(|a| a.registration.account_id)
        .collect();
    let mut all = invited.clone();
    all.extend(&registered);
    all.sort_unstable();
    all.dedup();
    let people = people_of(state, scope, Some(&all)).await?;
    let pick = |ids: &[i64]| -> Vec<Person> {
        let ids: std::collections::HashSet<&i64> = ids.iter().collect();
        people
            .iter()
            .filter(|p| ids.contains(&p.id))
            .cloned()
            .collect()
    };
    let checked: Vec<i64> = attendees
        .iter()
        .filter(|a| a.registration.checked_in_at.is_some())
        .map(|a| a.registration.account_id)
        .collect();
    let registrants = pick(&registered);
    Ok(Balance {
        invited: eras::spread(&pick(&invited)),
        registered: eras::spread(&registrants),
        checked_in: eras::spread(&pick(&checked)),
        registrants,
    })
}

/// A bar chart of `bars` as SVG (server-rendered; no script): one row a
/// bar, its label and count written beside it. `unknown` labels the bar
/// of people whose era or department is not known.
pub fn chart_svg(bars: &[eras::Bar], title: &str, unknown: &str) -> String {
    use enishi_core::text::escape_html as esc;
    let row = 28;
    let height = (bars.len().max(1) * row + 8) as u32;
    let max = bars.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 360 {height}\" class=\"chart\" \
         role=\"img\" aria-label=\"{}\">",
        esc(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = i * row + 4;
        let width = (b.count * 180 / max).max(if b.count > 0 { 2 } else { 0 });
        let label = if b.label.is_empty() {
            unknown
        } else {
            &b.label
        };
        out.push_str(&format!(
            "<text x=\"0\" y=\"{}\" class=\"chart-label\">{}</text>\
             <rect x=\"130\" y=\"{y}\" width=\"{width}\" height=\"20\" rx=\"3\" class=\"chart-bar\"/>\
             <text x=\"{}\" y=\"{}\" class=\"chart-count\">{}</text>",
            y + 15,
            esc(label),
            136 + width,
            y + 15,
            b.count
        ));
    }
    out.push_str("</svg>");
    out
}

// ─────────────────────────────── reminders ───────────────────────────────

/// Adds the reminder sweep to the job worker.
pub fn register(worker: enishi_jobs::Worker, state: &AppState) -> enishi_jobs::Worker {
    let state = state.clone();
    worker.every("event_reminders", move |now| {
        let state = state.clone();
        Box::pin(async move { reminder_sweep(&state, now).await.map_err(|e| e.to_string()) })
    })
}

/// Mails the reminders that are due (a day and an hour before), each
/// once — marked before it is queued, so two workers never both send.
pub async fn reminder_sweep(state: &AppState, now: i64) -> Result<usize, AppError> {
    let mut sent = 0;
    for (which, before) in rules::REMINDERS_MS {
        let due = stored::reminders_due(&state.db, which, before, now, 500).await?;
        for d in due {
            let net = enishi_store::networks::NetworkId(d.network_id);
            if !stored::mark_reminded(&state.db, net, d.registration_id, which, now).await? {
                continue;
            }
            // someone who registers an hour before gets the hour's
            // reminder, not a "tomorrow" one as well
            if which == "day" && d.starts_at - now <= 3_600_000 {
                continue;
            }
            let Some(network) = enishi_store::networks::by_id(&state.db, net).await? else {
                continue;
            };
            mail_about(
                state,
                &network,
                d.event_id,
                d.account_id,
                &format!("reminder_{which}"),
                None,
            )
            .await?;
            sent += 1;
        }
    }
    Ok(sent)
}
