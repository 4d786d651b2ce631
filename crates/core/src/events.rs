//! Events: reunions (同窓会), meetups and business-matching evenings
//! (交流会) — what an event must say, who may see, run and register for
//! it, and what a registration must answer.
//!
//! Times are planned as a wall-clock time in a named zone (Tokyo unless
//! said otherwise) and stored as instants ([`crate::calendar`]). Seats
//! are counted with guests; the store enforces capacity with one
//! conditional write.

use crate::calendar;
use crate::networks::{Kind as MemberKind, Role};
use crate::opportunities::clean_line;
use crate::profile::check_link;

pub use crate::opportunities::FieldError;

/// Characters a title may have.
pub const MAX_TITLE_CHARS: usize = 100;
/// Characters a description may have (markdown).
pub const MAX_DESCRIPTION_CHARS: usize = 8_000;
/// Characters of a venue, an address.
pub const MAX_PLACE_CHARS: usize = 200;
/// The largest capacity anyone plans for.
pub const MAX_CAPACITY: i64 = 100_000;
/// Guests one registration may bring, at most.
pub const MAX_GUESTS: i64 = 10;
/// Registration questions.
pub const MAX_QUESTIONS: usize = 10;
/// Characters of a question, a choice, an answer.
pub const MAX_QUESTION_CHARS: usize = 200;
/// Choices of one question.
pub const MAX_CHOICES: usize = 10;
/// People an event may be shown to by invitation list.
pub const MAX_INVITED: usize = 2_000;
/// How long an event may last (an all-weekend offsite at most).
pub const MAX_LENGTH_MS: i64 = 7 * 86_400_000;
/// Length of a 1:1 meeting slot at a business-matching event, minutes.
pub const MEETING_MINUTES: [i64; 4] = [10, 15, 20, 30];

/// Where it happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    InPerson,
    Online,
    Hybrid,
}

words!(Format { InPerson = "in_person", Online = "online", Hybrid = "hybrid" });

impl Format {
    pub fn has_venue(self) -> bool {
        self != Format::Online
    }

    pub fn has_online(self) -> bool {
        self != Format::InPerson
    }
}

/// Who it is shown to (and who may register).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Every member.
    Network,
    /// Alumni only (and the organisers).
    Alumni,
    /// Members of one group.
    Group,
    /// The people on its invitation list.
    Invited,
}

words!(Audience { Network = "network", Alumni = "alumni", Group = "group", Invited = "invited" });

/// Where an event stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// A member proposed it; moderators decide.
    Proposed,
    /// Open to its audience.
    Published,
    /// Called off (registrations stay, for the record).
    Cancelled,
    /// A proposal moderators turned down.
    Declined,
}

words!(Status { Proposed = "proposed", Published = "published", Cancelled = "cancelled", Declined = "declined" });

/// A person's answer to an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rsvp {
    Going,
    Waitlisted,
    NotGoing,
}

words!(Rsvp { Going = "going", Waitlisted = "waitlisted", NotGoing = "not_going" });

/// A registration question.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Question {
    pub text: String,
    /// Empty: a short text answer; otherwise one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    #[serde(default)]
    pub required: bool,
}

/// An event as typed in the form or the API.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Input {
    pub title: String,
    pub description: String,
    /// `2026-12-20` (also `2026/12/20`, `2026年12月20日`).
    pub starts_on: String,
    /// `18:30`
    pub starts_time: String,
    /// Empty: the day it starts.
    pub ends_on: String,
    pub ends_time: String,
    /// IANA name; empty: Asia/Tokyo.
    pub tz: String,
    pub format: String,
    pub venue: String,
    pub address: String,
    pub map_url: String,
    pub online_url: String,
    /// Empty: no limit.
    pub capacity: String,
    pub waitlist: bool,
    /// Guests each registration may bring (empty: none).
    pub guests: String,
    /// Empty: registration stays open until it starts.
    pub deadline_on: String,
    pub deadline_time: String,
    pub audience: String,
    pub group_id: Option<i64>,
    /// One question a line; `[a / b]` at the end makes it a choice, a
    /// leading `*` makes it required.
    pub questions: String,
    pub business_matching: bool,
    /// Minutes of a 1:1 meeting slot (business matching; empty: 20).
    pub meeting_minutes: String,
}

/// A checked event, ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub title: String,
    pub description: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub tz: String,
    pub format: Format,
    pub venue: String,
    pub address: String,
    pub map_url: String,
    pub online_url: String,
    pub capacity: Option<i64>,
    pub waitlist: bool,
    pub guests: i64,
    pub deadline: Option<i64>,
    pub audience: Audience,
    pub group_id: Option<i64>,
    pub questions: Vec<Question>,
    pub business_matching: bool,
    pub meeting_minutes: i64,
}

fn err(field: &'static str, key: &'static str) -> FieldError {
    FieldError { field, key }
}

fn small_number(text: &str) -> Option<i64> {
    let t = crate::text::to_half_width_ascii(text.trim()).replace(',', "");
    if t.is_empty() || t.len() > 9 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// The instant of a typed day and time in `tz`; the key of what is wrong.
fn when(
    tz: Option<&jiff::tz::TimeZone>,
    day: &str,
    time: &str,
) -> Result<Option<i64>, &'static str> {
    if day.trim().is_empty() && time.trim().is_empty() {
        return Ok(None);
    }
    let day = crate::time::parse_day(day).ok_or("invalid.event_day")?;
    let (h, m) = calendar::parse_time(time).ok_or("invalid.event_time")?;
    let Some(tz) = tz else { return Ok(None) };
    calendar::instant(tz, day, h, m)
        .map(Some)
        .ok_or("invalid.event_day")
}

/// Reads the questions' text (one a line).
pub fn parse_questions(text: &str) -> Result<Vec<Question>, &'static str> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut line = clean_line(line);
        if line.is_empty() {
            continue;
        }
        let required = line.starts_with('*') || line.starts_with('＊');
        if required {
            line = line.trim_start_matches(['*', '＊']).trim().to_string();
        }
        let mut choices = Vec::new();
        let normalised = line.replace('［', "[").replace('］', "]");
        if normalised.ends_with(']')
            && let Some(open) = normalised.rfind('[')
        {
            choices = normalised[open + 1..normalised.len() - 1]
                .split(['/', '／'])
                .map(clean_line)
                .filter(|c| !c.is_empty())
                .collect();
            line = normalised[..open].trim().to_string();
            if choices.len() < 2 || choices.len() > MAX_CHOICES {
                return Err("invalid.event_question_choices");
            }
        }
        if line.is_empty() {
            return Err("invalid.event_question_empty");
        }
        if line.chars().count() > MAX_QUESTION_CHARS
            || choices
                .iter()
                .any(|c| c.chars().count() > MAX_QUESTION_CHARS)
        {
            return Err("invalid.event_question_long");
        }
        out.push(Question {
            text: line,
            choices,
            required,
        });
    }
    if out.len() > MAX_QUESTIONS {
        return Err("invalid.event_questions_many");
    }
    Ok(out)
}

/// The questions as the form shows them again.
pub fn questions_text(questions: &[Question]) -> String {
    questions
        .iter()
        .map(|q| {
            let mut line = String::new();
            if q.required {
                line.push('*');
            }
            line.push_str(&q.text);
            if !q.choices.is_empty() {
                line.push_str(&format!(" [{}]", q.choices.join(" / ")));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks an event. `now` (Unix ms) refuses a start or deadline in the
/// past — unless editing keeps the stored one (`kept_start`,
/// `kept_deadline`), so a running event's details can still be fixed.
pub fn check(
    input: &Input,
    now: i64,
    kept_start: Option<i64>,
    kept_deadline: Option<i64>,
) -> Result<Draft, Vec<FieldError>> {
    let mut errors = Vec::new();
    let title = clean_line(&input.title);
    if title.is_empty() {
        errors.push(err("title", "invalid.event_title_empty"));
    } else if title.chars().count() > MAX_TITLE_CHARS {
        errors.push(err("title", "invalid.event_title_long"));
    }
    let description = input.description.replace("\r\n", "\n").trim().to_string();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        errors.push(err("description", "invalid.event_description_long"));
    }
    let tz_name = if input.tz.trim().is_empty() {
        crate::tz::DEFAULT.to_string()
    } else {
        input.tz.trim().to_string()
    };
    let tz = calendar::zone(&tz_name);
    if tz.is_none() {
        errors.push(err("tz", "invalid.event_tz"));
    }
    let starts_at = match when(tz.as_ref(), &input.starts_on, &input.starts_time) {
        Ok(Some(t)) => Some(t),
        Ok(None) if input.starts_on.trim().is_empty() => {
            errors.push(err("starts_on", "invalid.event_start_missing"));
            None
        }
        Ok(None) => None,
        Err(key) => {
            errors.push(err("starts_on", key));
            None
        }
    };
    let ends_on = if input.ends_on.trim().is_empty() {
        &input.starts_on
    } else {
        &input.ends_on
    };
    let ends_at = if input.ends_time.trim().is_empty() {
        errors.push(err("ends_time", "invalid.event_end_missing"));
        None
    } else if input.ends_on.trim().is_empty() && starts_at.is_none() {
        // the start's day is wrong (and said so): the end's is the same
        None
    } else {
        match when(tz.as_ref(), ends_on, &input.ends_time) {
            Ok(t) => t,
            Err(key) => {
                errors.push(err("ends_time", key));
                None
            }
        }
    };
    if let Some(start) = starts_at {
        if start < now && kept_start != Some(start) {
            errors.push(err("starts_on", "invalid.event_start_past"));
        }
        if let Some(end) = ends_at {
            if end <= start {
                errors.push(err("ends_time", "invalid.event_end_before_start"));
            } else if end - start > MAX_LENGTH_MS {
                errors.push(err("ends_time", "invalid.event_too_long"));
            }
        }
    }
    let format = Format::parse(input.format.trim());
    if format.is_none() {
        errors.push(err("format", "invalid.event_format"));
    }
    let venue = clean_line(&input.venue);
    let address = clean_line(&input.address);
    for (field, value) in [("venue", &venue), ("address", &address)] {
        if value.chars().count() > MAX_PLACE_CHARS {
            errors.push(err(field, "invalid.event_place_long"));
        }
    }
    if format.is_some_and(Format::has_venue) && venue.is_empty() {
        errors.push(err("venue", "invalid.event_venue_missing"));
    }
    let mut link = |field: &'static str, value: &str, needed: bool| -> String {
        if value.trim().is_empty() {
            if needed {
                errors.push(err(field, "invalid.event_online_missing"));
            }
            return String::new();
        }
        check_link(value).unwrap_or_else(|| {
            errors.push(err(field, "invalid.link"));
            String::new()
        })
    };
    let map_url = link("map_url", &input.map_url, false);
    let online_url = link(
        "online_url",
        &input.online_url,
        format.is_some_and(Format::has_online),
    );
    let capacity = if input.capacity.trim().is_empty() {
        None
    } else {
        match small_number(&input.capacity) {
            Some(n) if (1..=MAX_CAPACITY).contains(&n) => Some(n),
            _ => {
                errors.push(err("capacity", "invalid.event_capacity"));
                None
            }
        }
    };
    let guests = if input.guests.trim().is_empty() {
        0
    } else {
        match small_number(&input.guests) {
            Some(n) if n <= MAX_GUESTS => n,
            _ => {
                errors.push(err("guests", "invalid.event_guests"));
                0
            }
        }
    };
    let deadline = match when(tz.as_ref(), &input.deadline_on, &input.deadline_time) {
        Ok(d) => d,
        Err(key) => {
            errors.push(err("deadline_on", key));
            None
        }
    };
    if let Some(d) = deadline {
        if d < now && kept_deadline != Some(d) {
            errors.push(err("deadline_on", "invalid.event_deadline_past"));
        } else if starts_at.is_some_and(|s| d > s) {
            errors.push(err("deadline_on", "invalid.event_deadline_after_start"));
        }
    }
    let audience = Audience::parse(input.audience.trim());
    if audience.is_none() {
        errors.push(err("audience", "invalid.event_audience"));
    }
    if audience == Some(Audience::Group) && input.group_id.is_none() {
        errors.push(err("group_id", "invalid.event_group"));
    }
    let questions = parse_questions(&input.questions).unwrap_or_else(|key| {
        errors.push(err("questions", key));
        Vec::new()
    });
    let meeting_minutes = if input.meeting_minutes.trim().is_empty() {
        20
    } else {
        match small_number(&input.meeting_minutes) {
            Some(n) if MEETING_MINUTES.contains(&n) => n,
            _ => {
                errors.push(err("meeting_minutes", "invalid.event_meeting_minutes"));
                20
            }
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let (Some(starts_at), Some(ends_at), Some(format), Some(audience)) =
        (starts_at, ends_at, format, audience)
    else {
        return Err(vec![err("starts_on", "invalid.event_start_missing")]);
    };
    Ok(Draft {
        title,
        description,
        starts_at,
        ends_at,
        tz: tz_name,
        format,
        venue: if format.has_venue() {
            venue
        } else {
            String::new()
        },
        address: if format.has_venue() {
            address
        } else {
            String::new()
        },
        map_url: if format.has_venue() {
            map_url
        } else {
            String::new()
        },
        online_url: if format.has_online() {
            online_url
        } else {
            String::new()
        },
        capacity,
        waitlist: input.waitlist && capacity.is_some(),
        guests,
        deadline,
        audience,
        group_id: if audience == Audience::Group {
            input.group_id
        } else {
            None
        },
        questions,
        business_matching: input.business_matching,
        meeting_minutes,
    })
}

/// Who looks at an event.
#[derive(Clone, Copy, Debug, Default)]
pub struct Viewer {
    pub kind: Option<MemberKind>,
    pub role: Option<Role>,
    /// Created it or was made a co-organiser.
    pub organiser: bool,
    /// A member of its audience group.
    pub in_group: bool,
    /// On its invitation list.
    pub invited: bool,
    /// Already registered (a registration outlives a change of audience).
    pub registered: bool,
}

impl Viewer {
    fn is_admin(&self) -> bool {
        self.role.is_some_and(Role::is_admin)
    }

    fn is_moderator(&self) -> bool {
        matches!(self.role, Some(Role::Moderator | Role::Admin | Role::Owner))
    }
}

/// Whether a member with `role` publishes directly (admins, moderators);
/// others propose.
pub fn publishes_directly(role: Role) -> bool {
    matches!(role, Role::Moderator | Role::Admin | Role::Owner)
}

/// Whether the viewer may see the event at all.
pub fn may_see(status: Status, audience: Audience, v: &Viewer) -> bool {
    if v.organiser || v.is_admin() {
        return true;
    }
    match status {
        Status::Proposed | Status::Declined => v.is_moderator(),
        Status::Published | Status::Cancelled => {
            v.registered
                || match audience {
                    Audience::Network => true,
                    Audience::Alumni => v.kind == Some(MemberKind::Alumni),
                    Audience::Group => v.in_group,
                    Audience::Invited => v.invited,
                }
        }
    }
}

/// Whether the viewer runs it: edits, attendee list, check-in, charts.
pub fn may_manage(v: &Viewer) -> bool {
    v.organiser || v.is_admin()
}

/// Whether the viewer decides on proposals.
pub fn may_decide(v: &Viewer) -> bool {
    v.is_moderator()
}

/// Where registration stands for an event (Unix ms `now`).
pub fn registration_open(
    status: Status,
    starts_at: i64,
    deadline: Option<i64>,
    now: i64,
) -> Result<(), &'static str> {
    match status {
        Status::Published => {}
        Status::Cancelled => return Err("invalid.event_cancelled"),
        Status::Proposed | Status::Declined => return Err("invalid.event_not_published"),
    }
    if now >= deadline.unwrap_or(starts_at) {
        return Err("invalid.event_registration_closed");
    }
    Ok(())
}

/// A registration as typed.
#[derive(Clone, Debug, Default)]
pub struct RsvpInput {
    /// `going` or `not_going` (the waitlist is where "going" lands when
    /// full).
    pub answer: String,
    pub guests: String,
    /// One answer per question, in order.
    pub answers: Vec<String>,
    /// Leave me off the attendee list others see.
    pub unlisted: bool,
}

/// A checked registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RsvpDraft {
    pub going: bool,
    pub guests: i64,
    pub answers: Vec<String>,
    pub unlisted: bool,
}

/// Checks a registration against the event's questions and guest limit.
pub fn check_rsvp(
    input: &RsvpInput,
    questions: &[Question],
    max_guests: i64,
) -> Result<RsvpDraft, Vec<FieldError>> {
    let mut errors = Vec::new();
    let going = match Rsvp::parse(input.answer.trim()) {
        Some(Rsvp::Going) => true,
        Some(Rsvp::NotGoing) => false,
        _ => {
            errors.push(err("answer", "invalid.event_rsvp"));
            false
        }
    };
    let guests = if input.guests.trim().is_empty() {
        0
    } else {
        small_number(&input.guests).unwrap_or(i64::MAX)
    };
    if going && guests > max_guests {
        errors.push(err("guests", "invalid.event_guests_over"));
    }
    let mut answers = Vec::new();
    if going {
        for (i, q) in questions.iter().enumerate() {
            let a = clean_line(input.answers.get(i).map(String::as_str).unwrap_or(""));
            if a.chars().count() > MAX_QUESTION_CHARS {
                errors.push(err("answers", "invalid.event_answer_long"));
            } else if q.required && a.is_empty() {
                errors.push(err("answers", "invalid.event_answer_missing"));
            } else if !q.choices.is_empty() && !a.is_empty() && !q.choices.contains(&a) {
                errors.push(err("answers", "invalid.event_answer_choice"));
            }
            answers.push(a);
        }
    }
    if errors.is_empty() {
        Ok(RsvpDraft {
            going,
            guests: if going { guests } else { 0 },
            answers,
            unlisted: input.unlisted,
        })
    } else {
        errors.dedup();
        Err(errors)
    }
}

/// The starts of the 1:1 meeting slots of an event (Unix ms).
pub fn meeting_slots(starts_at: i64, ends_at: i64, minutes: i64) -> Vec<i64> {
    let step = minutes.max(5) * 60_000;
    let mut out = Vec::new();
    let mut t = starts_at;
    while t + step <= ends_at && out.len() < 200 {
        out.push(t);
        t += step;
    }
    out
}

/// The e-mail reminders: how long before the start each goes out.
pub const REMINDERS_MS: [(&str, i64); 2] = [("day", 86_400_000), ("hour", 3_600_000)];

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-12-01T00:00:00Z
    const NOW: i64 = 1_796_083_200_000;

    fn input() -> Input {
        Input {
            title: "OB・OG 交流会 2026".into(),
            description: "年末の交流会です".into(),
            starts_on: "2026-12-20".into(),
            starts_time: "18:30".into(),
            ends_time: "21:00".into(),
            format: "in_person".into(),
            venue: "本社 20F ラウンジ".into(),
            capacity: "100".into(),
            waitlist: true,
            audience: "network".into(),
            ..Input::default()
        }
    }

    fn keys(r: Result<Draft, Vec<FieldError>>) -> Vec<&'static str> {
        r.err().unwrap().iter().map(|e| e.key).collect()
    }

    #[test]
    fn a_good_event_is_planned_in_tokyo_by_default() {
        let d = check(&input(), NOW, None, None).unwrap();
        assert_eq!(d.tz, "Asia/Tokyo");
        assert_eq!(crate::time::iso_utc(d.starts_at), "2026-12-20T09:30:00Z");
        assert_eq!(d.ends_at - d.starts_at, 150 * 60_000);
        assert_eq!((d.capacity, d.waitlist, d.guests), (Some(100), true, 0));
        assert!(d.online_url.is_empty());
        // the same wall-clock time in London is a different instant
        let mut i = input();
        i.tz = "Europe/London".into();
        let london = check(&i, NOW, None, None).unwrap();
        assert_eq!(london.starts_at - d.starts_at, 9 * 3_600_000);
        // no capacity: no waitlist either
        i.capacity = String::new();
        assert!(!check(&i, NOW, None, None).unwrap().waitlist);
    }

    #[test]
    fn bad_events_say_what_is_wrong() {
        let mut i = input();
        i.ends_time = "18:00".into();
        assert_eq!(
            keys(check(&i, NOW, None, None)),
            ["invalid.event_end_before_start"]
        );
        i.ends_time = "18:30".into();
        assert_eq!(
            keys(check(&i, NOW, None, None)),
            ["invalid.event_end_before_start"]
        );
        for bad in ["0", "-5", "十", "1.5", "100001", "99999999999"] {
            let mut i = input();
            i.capacity = bad.into();
            assert_eq!(
                keys(check(&i, NOW, None, None)),
                ["invalid.event_capacity"],
                "{bad}"
            );
        }
        let mut i = input();
        i.tz = "Asia/Tokio".into();
        assert_eq!(keys(check(&i, NOW, None, None)), ["invalid.event_tz"]);
        let mut i = input();
        i.starts_on = "2026-11-30".into();
        assert_eq!(
            keys(check(&i, NOW, None, None)),
            ["invalid.event_start_past"]
        );
        // …but a stored start may stay when editing
        let d = check(&i, NOW, None, None).err();
        assert!(d.is_some());
        let start = calendar::instant(
            &calendar::zone("Asia/Tokyo").unwrap(),
            (2026, 11, 30),
            18,
            30,
        );
        assert!(check(&i, NOW, start, None).is_ok());
        let mut i = input();
        i.starts_on = "2026-02-30".into();
        assert_eq!(keys(check(&i, NOW, None, None)), ["invalid.event_day"]);
        let mut i = input();
        i.starts_time = "25:00".into();
        assert_eq!(keys(check(&i, NOW, None, None)), ["invalid.event_time"]);
        let mut i = input();
        i.starts_on = String::new();
        i.starts_time = String::new();
        assert_eq!(
            keys(check(&i, NOW, None, None)),
            ["invalid.event_start_missing"]
        );
        let mut i = input();
        i.format = "online".into();
        assert_eq!(
            keys(check(&i, NOW, None, None)),
            ["invalid.event_online_missing"]
        );
        i.online_url = "javascript:alert(1)".into();
        assert_eq!(keys(check(&i, NOW, None, None)), ["invalid.link"]);
        i.online_url = "https://meet.example.com/abc".into();
        let d = check(&i, NOW, None, None).unwrap();
        assert!(d.venue.is_empty(), "an online event keeps no venue");
        let mut i = input();
        i.venue = String::new();
        assert_eq!(
            keys(check(&i, NOW, None, None)),
            ["invalid.event_venue_missing"]
        );
        let mut i = input();
        i.deadline_on = "2026-12-21".into();
        i.deadline_time = "12:00".into();
        assert_eq!(
            keys(check(&i, NOW, None, None)),
            ["invalid.event_deadline_after_start"]
        );
        let mut i = input();
        i.ends_on = "2026-12-31".into();
        assert_eq!(keys(check(&i, NOW, None, None)), ["invalid.event_too_long"]);
        let mut i = input();
        i.audience = "group".into();
        assert_eq!(keys(check(&i, NOW, None, None)), ["invalid.event_group"]);
        let mut i = input();
        i.guests = "11".into();
        i.meeting_minutes = "7".into();
        i.title = " ".into();
        assert_eq!(
            keys(check(&i, NOW, None, None)),
            [
                "invalid.event_title_empty",
                "invalid.event_guests",
                "invalid.event_meeting_minutes"
            ]
        );
    }

    #[test]
    fn questions_are_lines_with_choices_in_brackets() {
        let q = parse_questions(
            "*お名前の読み\n\n食事の制限 [なし / ベジタリアン／ハラル]\n参加の動機 ［交流／商談］",
        )
        .unwrap();
        assert_eq!(q.len(), 3);
        assert!(q[0].required && q[0].choices.is_empty() && q[0].text == "お名前の読み");
        assert_eq!(q[1].choices, ["なし", "ベジタリアン", "ハラル"]);
        assert_eq!(q[2].text, "参加の動機");
        assert_eq!(parse_questions(&questions_text(&q)).unwrap(), q);
        assert_eq!(
            parse_questions("ひとつだけ [a]"),
            Err("invalid.event_question_choices")
        );
        assert_eq!(
            parse_questions("[a / b]"),
            Err("invalid.event_question_empty")
        );
        assert_eq!(
            parse_questions(&"q\n".repeat(11)),
            Err("invalid.event_questions_many")
        );
        assert_eq!(
            parse_questions(&"長".repeat(201)),
            Err("invalid.event_question_long")
        );
    }

    #[test]
    fn registrations_answer_the_questions() {
        let q = parse_questions("*所属\n食事 [なし / ベジタリアン]").unwrap();
        let mut r = RsvpInput {
            answer: "going".into(),
            guests: "1".into(),
            answers: vec!["営業部".into(), "なし".into()],
            unlisted: true,
        };
        let d = check_rsvp(&r, &q, 2).unwrap();
        assert_eq!((d.going, d.guests, d.unlisted), (true, 1, true));
        r.guests = "3".into();
        let e = check_rsvp(&r, &q, 2).unwrap_err();
        assert_eq!(e[0].key, "invalid.event_guests_over");
        r.guests = "x".into();
        assert_eq!(
            check_rsvp(&r, &q, 2).unwrap_err()[0].key,
            "invalid.event_guests_over"
        );
        r.guests = String::new();
        r.answers = vec![String::new(), "焼肉".into()];
        let keys: Vec<_> = check_rsvp(&r, &q, 2)
            .unwrap_err()
            .iter()
            .map(|e| e.key)
            .collect();
        assert_eq!(
            keys,
            [
                "invalid.event_answer_missing",
                "invalid.event_answer_choice"
            ]
        );
        r.answer = "maybe".into();
        assert_eq!(
            check_rsvp(&r, &q, 2).unwrap_err()[0].key,
            "invalid.event_rsvp"
        );
        // "not going" needs no answers
        r.answer = "not_going".into();
        assert!(!check_rsvp(&r, &q, 2).unwrap().going);
    }

    #[test]
    fn who_sees_runs_and_decides() {
        let member = Viewer {
            kind: Some(MemberKind::Employee),
            role: Some(Role::Member),
            ..Viewer::default()
        };
        let alumna = Viewer {
            kind: Some(MemberKind::Alumni),
            ..member
        };
        let moderator = Viewer {
            role: Some(Role::Moderator),
            ..member
        };
        assert!(may_see(Status::Published, Audience::Network, &member));
        assert!(!may_see(Status::Published, Audience::Alumni, &member));
        assert!(may_see(Status::Published, Audience::Alumni, &alumna));
        assert!(!may_see(Status::Published, Audience::Invited, &alumna));
        assert!(may_see(
            Status::Published,
            Audience::Invited,
            &Viewer {
                invited: true,
                ..alumna
            }
        ));
        assert!(may_see(
            Status::Published,
            Audience::Group,
            &Viewer {
                in_group: true,
                ..member
            }
        ));
        assert!(!may_see(Status::Proposed, Audience::Network, &member));
        assert!(may_see(Status::Proposed, Audience::Network, &moderator));
        assert!(may_see(
            Status::Proposed,
            Audience::Network,
            &Viewer {
                organiser: true,
                ..member
            }
        ));
        assert!(!may_manage(&moderator) && may_decide(&moderator));
        assert!(may_manage(&Viewer {
            organiser: true,
            ..member
        }));
        assert!(may_manage(&Viewer {
            role: Some(Role::Admin),
            ..member
        }));
        assert!(publishes_directly(Role::Moderator) && !publishes_directly(Role::Member));
    }

    #[test]
    fn registration_closes_at_the_deadline_or_the_start() {
        let start = NOW + 86_400_000;
        assert!(registration_open(Status::Published, start, None, NOW).is_ok());
        assert_eq!(
            registration_open(Status::Published, start, Some(NOW), NOW),
            Err("invalid.event_registration_closed")
        );
        assert_eq!(
            registration_open(Status::Published, NOW, None, NOW),
            Err("invalid.event_registration_closed")
        );
        assert_eq!(
            registration_open(Status::Cancelled, start, None, NOW),
            Err("invalid.event_cancelled")
        );
        assert_eq!(
            registration_open(Status::Proposed, start, None, NOW),
            Err("invalid.event_not_published")
        );
    }

    #[test]
    fn meeting_slots_fill_the_event() {
        let s = meeting_slots(NOW, NOW + 3_600_000, 20);
        assert_eq!(s, [NOW, NOW + 1_200_000, NOW + 2_400_000]);
        assert_eq!(meeting_slots(NOW, NOW + 1_000_000, 20), Vec::<i64>::new());
    }
}
