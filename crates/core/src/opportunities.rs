//! Opportunities: work the company hands to alumni (業務委託・副業・協業),
//! rehire openings (出戻り採用), referral requests (推薦), mentoring and
//! knowledge asks, and talks at company events — who may see and answer
//! them, how HR moves each answer through its pipeline, and what is
//! recorded when one is won (the outcomes the insight dashboards count).
//!
//! Matching lives in [`crate::matching`]; alumni businesses in
//! [`crate::businesses`].

use crate::networks::{Kind as MemberKind, Role};
use crate::profile::{OpenTo, check_link};
use crate::text::to_half_width_ascii;

/// Characters a title may have.
pub const MAX_TITLE_CHARS: usize = 100;
/// Characters a description may have (markdown).
pub const MAX_DESCRIPTION_CHARS: usize = 4_000;
/// Characters of a short field (role, department, duration, reward, …).
pub const MAX_SHORT_CHARS: usize = 200;
/// Characters of a note (an interest's, a referral's, HR's).
pub const MAX_NOTE_CHARS: usize = 2_000;
/// Skills an opportunity may ask for.
pub const MAX_SKILLS: usize = 10;
/// Characters of one skill.
pub const MAX_SKILL_CHARS: usize = 40;
/// People an opportunity may be shown to by hand.
pub const MAX_PICKED: usize = 200;
/// The largest rate (yen) anyone types on purpose.
pub const MAX_RATE_YEN: i64 = 1_000_000_000;
/// Referrals one person may send per minute.
pub const REFERRALS_PER_MINUTE: i64 = 10;

/// What the company offers or asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// 業務委託・副業・協業: paid work or a partnership.
    Project,
    /// 出戻り採用: a position alumni may come back to.
    Rehire,
    /// A role alumni may refer someone for.
    Referral,
    /// A mentoring or knowledge-sharing ask.
    Mentoring,
    /// A talk at a company event.
    Speaking,
}

words!(Kind { Project = "project", Rehire = "rehire", Referral = "referral", Mentoring = "mentoring", Speaking = "speaking" });

impl Kind {
    /// The open-to flags that say a person wants this kind.
    pub fn open_to(self) -> &'static [OpenTo] {
        match self {
            Kind::Project => &[OpenTo::Contract, OpenTo::Partnership],
            Kind::Rehire => &[OpenTo::Rehire],
            Kind::Referral => &[OpenTo::Referral],
            Kind::Mentoring => &[OpenTo::Mentoring],
            Kind::Speaking => &[OpenTo::Speaking],
        }
    }

    /// How a member may answer this kind.
    pub fn answers(self) -> &'static [Answer] {
        match self {
            Kind::Project | Kind::Speaking => &[Answer::Interest],
            Kind::Rehire => &[Answer::Interest, Answer::Referral],
            Kind::Referral => &[Answer::Referral],
            Kind::Mentoring => &[Answer::Mentor],
        }
    }

    /// What a won `answer` to this kind is recorded as: a referral is
    /// a referral hire whatever the opening.
    pub fn outcome(self, answer: Answer) -> Outcome {
        if answer == Answer::Referral {
            return Outcome::ReferralHired;
        }
        match self {
            Kind::Project => Outcome::Contracted,
            Kind::Rehire => Outcome::Rehired,
            Kind::Referral => Outcome::ReferralHired,
            Kind::Mentoring => Outcome::MentoringDone,
            Kind::Speaking => Outcome::TalkGiven,
        }
    }
}

/// Who an opportunity is shown to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Every member.
    Network,
    /// Alumni only (current staff do not see it).
    Alumni,
    /// The members of one group.
    Group,
    /// People picked by hand.
    Picked,
}

words!(Audience { Network = "network", Alumni = "alumni", Group = "group", Picked = "picked" });

/// Where an opportunity stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Taking answers.
    Open,
    /// Shown, not taking answers for now.
    Paused,
    Closed,
    /// Someone was found.
    Filled,
}

words!(Status { Open = "open", Paused = "paused", Closed = "closed", Filled = "filled" });

/// Where project work happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkMode {
    Remote,
    Onsite,
    Hybrid,
}

words!(WorkMode { Remote = "remote", Onsite = "onsite", Hybrid = "hybrid" });

/// What a rate is per.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateUnit {
    Hour,
    Day,
    Month,
    /// For the whole project.
    Total,
}

words!(RateUnit { Hour = "hour", Day = "day", Month = "month", Total = "total" });

/// How a member answers an opportunity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// "I'm interested" (with a note, optionally a CV link).
    Interest,
    /// "I know someone" (their name and address; HR contacts them).
    Referral,
    /// "I can mentor / share what I know".
    Mentor,
}

words!(Answer { Interest = "interest", Referral = "referral", Mentor = "mentor" });

/// Where an answer is in HR's pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Interested,
    /// HR is talking with the person.
    Talking,
    /// HR proposed terms (an offer, a contract).
    Proposed,
    Won,
    /// 今回は見送り, with a reason.
    NotNow,
    /// The member took their answer back (only they can; HR sees it).
    Withdrawn,
}

words!(Stage { Interested = "interested", Talking = "talking", Proposed = "proposed", Won = "won", NotNow = "not_now", Withdrawn = "withdrawn" });

impl Stage {
    /// The stages HR moves answers to (withdrawing is the member's).
    pub const BY_HR: &'static [Stage] = &[
        Stage::Interested,
        Stage::Talking,
        Stage::Proposed,
        Stage::Won,
        Stage::NotNow,
    ];

    /// Whether the member may still take their answer back: not once it
    /// was decided (won, not this time) or already withdrawn.
    pub fn may_withdraw(self) -> bool {
        matches!(self, Stage::Interested | Stage::Talking | Stage::Proposed)
    }
}

/// What was achieved (one per won answer; counted by the dashboards).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Rehired,
    Contracted,
    ReferralHired,
    MentoringDone,
    TalkGiven,
}

words!(Outcome { Rehired = "rehired", Contracted = "contracted", ReferralHired = "referral_hired", MentoringDone = "mentoring_done", TalkGiven = "talk_given" });

/// The size of a contract, in bands (amounts are HR's business; bands are
/// enough to count business won through alumni).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmountBand {
    /// Under ¥1,000,000.
    Under1m,
    /// ¥1,000,000 – ¥5,000,000.
    From1mTo5m,
    /// ¥5,000,000 – ¥20,000,000.
    From5mTo20m,
    /// ¥20,000,000 or more.
    Over20m,
    /// Not told.
    Undisclosed,
}

words!(AmountBand { Under1m = "under_1m", From1mTo5m = "1m_5m", From5mTo20m = "5m_20m", Over20m = "over_20m", Undisclosed = "undisclosed" });

/// One refused field: the form's field name and the catalogue key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub key: &'static str,
}

fn err(field: &'static str, key: &'static str) -> FieldError {
    FieldError { field, key }
}

/// Kind-specific details, stored as JSON beside the opportunity.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Details {
    /// Projects.
    pub work_mode: Option<WorkMode>,
    pub duration: String,
    /// Yen; both empty means "to discuss" (応相談).
    pub rate_min: Option<i64>,
    pub rate_max: Option<i64>,
    pub rate_unit: Option<RateUnit>,
    /// Rehire openings and referral requests.
    pub role: String,
    /// Any kind: the department it is for.
    pub department: String,
    /// Rehire openings.
    pub conditions: String,
    /// Rehire openings: the posting in the company's ATS.
    pub ats_url: String,
    /// Referral requests.
    pub reward: String,
}

/// An opportunity as written in a form or the API (all text).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Input {
    pub kind: String,
    pub title: String,
    pub description: String,
    pub audience: String,
    pub status: String,
    /// `2026-12-31` (also 2026/12/31, 2026年12月31日); empty: none.
    pub deadline: String,
    /// Comma-, 、- or line-separated.
    pub skills: String,
    pub work_mode: String,
    pub duration: String,
    pub rate_min: String,
    pub rate_max: String,
    pub rate_unit: String,
    pub role: String,
    pub department: String,
    pub conditions: String,
    pub ats_url: String,
    pub reward: String,
}

/// An opportunity, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub kind: Kind,
    pub title: String,
    pub description: String,
    pub audience: Audience,
    pub status: Status,
    /// ISO `YYYY-MM-DD`, the last day (Japan time) answers are taken.
    pub deadline: Option<String>,
    pub skills: Vec<String>,
    pub details: Details,
}

pub(crate) fn clean_line(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_string()
}

fn short(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    value: &str,
    key: &'static str,
) -> String {
    let v = clean_line(value);
    if v.chars().count() > MAX_SHORT_CHARS {
        errors.push(err(field, key));
    }
    v
}

/// Skills as typed: split on commas (either width), 、 and lines; blank
/// and repeated ones dropped.
pub fn split_skills(input: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in input.split([',', '，', '、', '\n', ';', '；']) {
        let s = clean_line(part);
        if !s.is_empty()
            && !out
                .iter()
                .any(|o| crate::search::normalise(o) == crate::search::normalise(&s))
        {
            out.push(s);
        }
    }
    out
}

/// A yen amount as typed: `800000`, `800,000`, `８０万`? — digits only
/// (commas and full-width digits allowed); `Err` for anything else.
fn yen(input: &str) -> Result<Option<i64>, ()> {
    let t: String = to_half_width_ascii(input.trim())
        .chars()
        .filter(|c| *c != ',' && *c != '¥' && *c != '円' && !c.is_whitespace())
        .collect();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<i64>() {
        Ok(n) if (0..=MAX_RATE_YEN).contains(&n) => Ok(Some(n)),
        _ => Err(()),
    }
}

/// A day as `(y, m, d)` in ISO form.
pub fn iso_day(day: (i64, u32, u32)) -> String {
    format!("{:04}-{:02}-{:02}", day.0, day.1, day.2)
}

/// Checks an opportunity. `today` is Japan's today; `kept_deadline` is the
/// stored deadline when editing (keeping a deadline that has passed is no
/// error; setting one in the past is).
pub fn check(
    input: &Input,
    today: (i64, u32, u32),
    kept_deadline: Option<&str>,
) -> Result<Draft, Vec<FieldError>> {
    let mut errors = Vec::new();
    let kind = Kind::parse(input.kind.trim());
    if kind.is_none() {
        errors.push(err("kind", "invalid.opportunity_kind"));
    }
    let title = clean_line(&input.title);
    if title.is_empty() {
        errors.push(err("title", "invalid.opportunity_title_empty"));
    } else if title.chars().count() > MAX_TITLE_CHARS {
        errors.push(err("title", "invalid.opportunity_title_long"));
    }
    let description = input.description.replace("\r\n", "\n").trim().to_string();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        errors.push(err("description", "invalid.opportunity_description_long"));
    }
    let audience = Audience::parse(input.audience.trim());
    if audience.is_none() {
        errors.push(err("audience", "invalid.opportunity_audience"));
    }
    let status = if input.status.trim().is_empty() {
        Some(Status::Open)
    } else {
        Status::parse(input.status.trim())
    };
    if status.is_none() {
        errors.push(err("status", "invalid.opportunity_status"));
    }
    let deadline = if input.deadline.trim().is_empty() {
        None
    } else {
        match crate::time::parse_day(&input.deadline) {
            None => {
                errors.push(err("deadline", "invalid.opportunity_deadline"));
                None
            }
            Some(day) => {
                let iso = iso_day(day);
                if day < today && kept_deadline != Some(iso.as_str()) {
                    errors.push(err("deadline", "invalid.opportunity_deadline_past"));
                }
                Some(iso)
            }
        }
    };
    let skills = split_skills(&input.skills);
    if skills.len() > MAX_SKILLS {
        errors.push(err("skills", "invalid.opportunity_skills_many"));
    } else if skills.iter().any(|s| s.chars().count() > MAX_SKILL_CHARS) {
        errors.push(err("skills", "invalid.opportunity_skill_long"));
    }
    let mut details = Details::default();
    match kind {
        Some(Kind::Project) => {
            let mode = input.work_mode.trim();
            if !mode.is_empty() {
                details.work_mode = WorkMode::parse(mode);
                if details.work_mode.is_none() {
                    errors.push(err("work_mode", "invalid.opportunity_work_mode"));
                }
            }
            details.duration = short(
                &mut errors,
                "duration",
                &input.duration,
                "invalid.opportunity_short_long",
            );
            let min = yen(&input.rate_min);
            let max = yen(&input.rate_max);
            if min.is_err() {
                errors.push(err("rate_min", "invalid.opportunity_rate"));
            }
            if max.is_err() {
                errors.push(err("rate_max", "invalid.opportunity_rate"));
            }
            let (min, max) = (min.unwrap_or(None), max.unwrap_or(None));
            if let (Some(a), Some(b)) = (min, max)
                && a > b
            {
                errors.push(err("rate_max", "invalid.opportunity_rate_range"));
            }
            details.rate_min = min;
            details.rate_max = max;
            let unit = input.rate_unit.trim();
            if min.is_some() || max.is_some() {
                details.rate_unit = RateUnit::parse(if unit.is_empty() { "month" } else { unit });
                if details.rate_unit.is_none() {
                    errors.push(err("rate_unit", "invalid.opportunity_rate_unit"));
                }
            }
        }
        Some(Kind::Rehire) | Some(Kind::Referral) => {
            details.role = short(
                &mut errors,
                "role",
                &input.role,
                "invalid.opportunity_short_long",
            );
            if details.role.is_empty() {
                errors.push(err("role", "invalid.opportunity_role_empty"));
            }
            if kind == Some(Kind::Rehire) {
                details.conditions = short(
                    &mut errors,
                    "conditions",
                    &input.conditions,
                    "invalid.opportunity_short_long",
                );
                let url = input.ats_url.trim();
                if !url.is_empty() {
                    match check_link(url) {
                        Some(u) if u.chars().count() <= 500 => details.ats_url = u,
                        _ => errors.push(err("ats_url", "invalid.opportunity_link")),
                    }
                }
            } else {
                details.reward = short(
                    &mut errors,
                    "reward",
                    &input.reward,
                    "invalid.opportunity_short_long",
                );
            }
        }
        Some(Kind::Mentoring) | Some(Kind::Speaking) | None => {}
    }
    // the department it is for (matching looks for past stints there)
    details.department = short(
        &mut errors,
        "department",
        &input.department,
        "invalid.opportunity_short_long",
    );
    match (kind, audience, status) {
        (Some(kind), Some(audience), Some(status)) if errors.is_empty() => Ok(Draft {
            kind,
            title,
            description,
            audience,
            status,
            deadline,
            skills,
            details,
        }),
        _ => Err(errors),
    }
}

/// Whether a member may post opportunities: admins, and current staff an
/// admin authorised.
pub fn may_post(kind: MemberKind, role: Role, authorised: bool) -> bool {
    role.is_admin() || (authorised && matches!(kind, MemberKind::Employee | MemberKind::Hr))
}

/// How a member stands to one opportunity.
#[derive(Clone, Copy, Debug, Default)]
pub struct Viewer {
    pub kind: Option<MemberKind>,
    pub role: Option<Role>,
    /// They posted it.
    pub poster: bool,
    /// They are a member of its audience group.
    pub in_group: bool,
    /// They were picked for it.
    pub picked: bool,
}

impl Viewer {
    fn is_admin(&self) -> bool {
        self.role.is_some_and(Role::is_admin)
    }
}

/// Whether the opportunity exists for the viewer (anything else is 404).
pub fn may_see(audience: Audience, v: &Viewer) -> bool {
    if v.is_admin() || v.poster {
        return true;
    }
    match audience {
        Audience::Network => true,
        Audience::Alumni => v.kind == Some(MemberKind::Alumni),
        Audience::Group => v.in_group,
        Audience::Picked => v.picked,
    }
}

/// Whether the viewer runs it: its pipeline, matches, edits.
pub fn may_manage(v: &Viewer) -> bool {
    v.is_admin() || v.poster
}

/// Whether an answer may be given now; `Err(key)` says why not.
pub fn may_answer(
    kind: Kind,
    status: Status,
    deadline: Option<&str>,
    today: (i64, u32, u32),
    answer: Answer,
    v: &Viewer,
) -> Result<(), &'static str> {
    if v.poster {
        return Err("invalid.opportunity_own");
    }
    if !kind.answers().contains(&answer) {
        return Err("invalid.opportunity_answer_kind");
    }
    match status {
        Status::Open => {}
        Status::Paused => return Err("invalid.opportunity_paused"),
        Status::Closed | Status::Filled => return Err("invalid.opportunity_closed"),
    }
    if deadline.is_some_and(|d| d < iso_day(today).as_str()) {
        return Err("invalid.opportunity_deadline_passed");
    }
    Ok(())
}

/// A note (an answer's, HR's) as typed; `Err(key)` when too long.
pub fn check_note(input: &str) -> Result<String, &'static str> {
    let note = input.replace("\r\n", "\n").trim().to_string();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err("invalid.opportunity_note_long");
    }
    Ok(note)
}

/// A referral as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReferralInput {
    pub name: String,
    pub email: String,
    pub relationship: String,
    pub note: String,
    /// The referrer confirms the person agreed to be introduced.
    pub agreed: bool,
}

/// A referral, checked (the address normalised).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Referral {
    pub name: String,
    pub email: String,
    pub relationship: String,
    pub note: String,
}

/// Checks a referral's fields (whether the person is the referrer or
/// already a member is the caller's question: it needs the database).
pub fn check_referral(input: &ReferralInput) -> Result<Referral, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = clean_line(&input.name);
    if name.is_empty() {
        errors.push(err("name", "invalid.referral_name_empty"));
    } else if name.chars().count() > MAX_SHORT_CHARS {
        errors.push(err("name", "invalid.opportunity_short_long"));
    }
    let email = match crate::email::normalise(&input.email) {
        Ok(e) => e,
        Err(_) => {
            errors.push(err("email", "invalid.referral_email"));
            String::new()
        }
    };
    let relationship = clean_line(&input.relationship);
    if relationship.is_empty() {
        errors.push(err("relationship", "invalid.referral_relationship_empty"));
    } else if relationship.chars().count() > MAX_SHORT_CHARS {
        errors.push(err("relationship", "invalid.opportunity_short_long"));
    }
    let note = match check_note(&input.note) {
        Ok(n) => n,
        Err(key) => {
            errors.push(err("note", key));
            String::new()
        }
    };
    if !input.agreed {
        errors.push(err("agreed", "invalid.referral_not_agreed"));
    }
    if errors.is_empty() {
        Ok(Referral {
            name,
            email,
            relationship,
            note,
        })
    } else {
        Err(errors)
    }
}

/// A CV or portfolio link, if given; `Err(key)` when not an http(s) link.
pub fn check_cv_link(input: &str) -> Result<String, &'static str> {
    let t = input.trim();
    if t.is_empty() {
        return Ok(String::new());
    }
    match check_link(t) {
        Some(u) if u.chars().count() <= 500 => Ok(u),
        _ => Err("invalid.opportunity_link"),
    }
}

/// A stage change as HR writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageChange {
    pub stage: Stage,
    /// Required for "not this time"; kept for HR only.
    pub reason: String,
}

/// Checks a stage change.
pub fn check_stage(stage: &str, reason: &str) -> Result<StageChange, FieldError> {
    let stage = Stage::parse(stage.trim())
        .filter(|s| Stage::BY_HR.contains(s))
        .ok_or(err("stage", "invalid.opportunity_stage"))?;
    let reason = clean_line(reason);
    if stage == Stage::NotNow && reason.is_empty() {
        return Err(err("reason", "invalid.opportunity_reason_empty"));
    }
    if reason.chars().count() > MAX_SHORT_CHARS {
        return Err(err("reason", "invalid.opportunity_short_long"));
    }
    Ok(StageChange { stage, reason })
}

/// An outcome, checked: what it is (from the opportunity's kind), its day,
/// the amount band (projects only, required there) and a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutcomeDraft {
    pub outcome: Outcome,
    /// ISO day: rehired on, contracted on, hired on, done on.
    pub on: String,
    pub band: Option<AmountBand>,
    pub note: String,
}

/// Checks an outcome for an answer at `stage` to an opportunity of `kind`.
pub fn check_outcome(
    kind: Kind,
    answer: Answer,
    stage: Stage,
    on: &str,
    band: &str,
    note: &str,
) -> Result<OutcomeDraft, Vec<FieldError>> {
    let mut errors = Vec::new();
    if stage != Stage::Won {
        errors.push(err("stage", "invalid.outcome_not_won"));
    }
    let day = crate::time::parse_day(on);
    if day.is_none() {
        errors.push(err("on", "invalid.outcome_day"));
    }
    let band = if kind == Kind::Project {
        let b = AmountBand::parse(band.trim());
        if b.is_none() {
            errors.push(err("band", "invalid.outcome_band"));
        }
        b
    } else {
        None
    };
    let note = clean_line(note);
    if note.chars().count() > MAX_SHORT_CHARS {
        errors.push(err("note", "invalid.opportunity_short_long"));
    }
    match day {
        Some(day) if errors.is_empty() => Ok(OutcomeDraft {
            outcome: kind.outcome(answer),
            on: iso_day(day),
            band,
            note,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: (i64, u32, u32) = (2026, 12, 4);

    fn project() -> Input {
        Input {
            kind: "project".into(),
            title: "データ基盤の刷新（業務委託）".into(),
            description: "BigQuery への移行".into(),
            audience: "network".into(),
            skills: "SQL、BigQuery, ＳＱＬ\n".into(),
            work_mode: "remote".into(),
            rate_min: "６００,０００".into(),
            rate_max: "800000円".into(),
            ..Input::default()
        }
    }

    fn keys(r: Result<Draft, Vec<FieldError>>) -> Vec<&'static str> {
        r.err().unwrap_or_default().iter().map(|e| e.key).collect()
    }

    #[test]
    fn a_project_is_checked_and_cleaned() {
        let d = check(&project(), TODAY, None).unwrap();
        assert_eq!(d.kind, Kind::Project);
        assert_eq!(d.status, Status::Open);
        assert_eq!(d.skills, vec!["SQL", "BigQuery"], "ＳＱＬ is SQL again");
        assert_eq!(d.details.rate_min, Some(600_000));
        assert_eq!(d.details.rate_max, Some(800_000));
        assert_eq!(d.details.rate_unit, Some(RateUnit::Month));
        assert_eq!(d.details.work_mode, Some(WorkMode::Remote));
        // "to discuss": no rate, no unit
        let mut i = project();
        i.rate_min.clear();
        i.rate_max.clear();
        let d = check(&i, TODAY, None).unwrap();
        assert_eq!((d.details.rate_min, d.details.rate_unit), (None, None));
    }

    #[test]
    fn bad_projects_say_why() {
        let mut i = project();
        i.rate_min = "900000".into();
        assert_eq!(
            keys(check(&i, TODAY, None)),
            vec!["invalid.opportunity_rate_range"]
        );
        i.rate_min = "-5".into();
        i.rate_max = "たくさん".into();
        assert_eq!(
            keys(check(&i, TODAY, None)),
            vec!["invalid.opportunity_rate", "invalid.opportunity_rate"]
        );
        let mut i = project();
        i.deadline = "2026-12-03".into();
        assert_eq!(
            keys(check(&i, TODAY, None)),
            vec!["invalid.opportunity_deadline_past"]
        );
        // keeping the stored deadline while editing is fine
        assert!(check(&i, TODAY, Some("2026-12-03")).is_ok());
        i.deadline = "2026-02-30".into();
        assert_eq!(
            keys(check(&i, TODAY, None)),
            vec!["invalid.opportunity_deadline"]
        );
        i.deadline = "2026年12月4日".into();
        assert_eq!(
            check(&i, TODAY, None).unwrap().deadline.as_deref(),
            Some("2026-12-04"),
            "today is still open"
        );
        let mut i = project();
        i.title = " \u{7} ".into();
        i.kind = "job".into();
        i.audience = "world".into();
        i.skills = (0..11)
            .map(|n| format!("s{n}"))
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(
            keys(check(&i, TODAY, None)),
            vec![
                "invalid.opportunity_kind",
                "invalid.opportunity_title_empty",
                "invalid.opportunity_audience",
                "invalid.opportunity_skills_many"
            ]
        );
    }

    #[test]
    fn rehire_and_referral_need_a_role() {
        let i = Input {
            kind: "rehire".into(),
            title: "出戻り歓迎：営業マネージャー".into(),
            audience: "alumni".into(),
            ats_url: "javascript:alert(1)".into(),
            rate_min: "1".into(),
            ..Input::default()
        };
        assert_eq!(
            keys(check(&i, TODAY, None)),
            vec!["invalid.opportunity_role_empty", "invalid.opportunity_link"]
        );
        let i = Input {
            kind: "referral".into(),
            role: "SRE".into(),
            reward: "紹介料 30万円".into(),
            ats_url: "https://ignored.example".into(),
            ..i
        };
        let d = check(&i, TODAY, None).unwrap();
        assert_eq!(d.details.role, "SRE");
        assert_eq!(d.details.reward, "紹介料 30万円");
        assert_eq!(d.details.ats_url, "", "not a rehire: no ATS link kept");
        assert_eq!(d.details.rate_min, None, "not a project: no rate kept");
    }

    fn viewer(kind: MemberKind, role: Role) -> Viewer {
        Viewer {
            kind: Some(kind),
            role: Some(role),
            ..Viewer::default()
        }
    }

    #[test]
    fn who_sees_and_runs_an_opportunity() {
        let alum = viewer(MemberKind::Alumni, Role::Member);
        let staff = viewer(MemberKind::Employee, Role::Member);
        let hr = viewer(MemberKind::Hr, Role::Admin);
        assert!(may_see(Audience::Network, &staff));
        assert!(may_see(Audience::Alumni, &alum));
        assert!(!may_see(Audience::Alumni, &staff));
        assert!(may_see(Audience::Alumni, &hr));
        assert!(!may_see(Audience::Group, &alum));
        assert!(may_see(
            Audience::Group,
            &Viewer {
                in_group: true,
                ..alum
            }
        ));
        assert!(!may_see(Audience::Picked, &alum));
        assert!(may_see(
            Audience::Picked,
            &Viewer {
                picked: true,
                ..alum
            }
        ));
        let poster = Viewer {
            poster: true,
            ..staff
        };
        assert!(may_see(Audience::Picked, &poster) && may_manage(&poster));
        assert!(!may_manage(&alum) && !may_manage(&staff) && may_manage(&hr));
        assert!(may_post(MemberKind::Employee, Role::Member, true));
        assert!(!may_post(MemberKind::Employee, Role::Member, false));
        assert!(
            !may_post(MemberKind::Alumni, Role::Member, true),
            "only current staff can be authorised"
        );
        assert!(may_post(MemberKind::Hr, Role::Owner, false));
    }

    #[test]
    fn answers_only_while_open_and_of_the_right_kind() {
        let alum = viewer(MemberKind::Alumni, Role::Member);
        let ok = |status, deadline, answer| {
            may_answer(Kind::Rehire, status, deadline, TODAY, answer, &alum)
        };
        assert_eq!(
            ok(Status::Open, Some("2026-12-04"), Answer::Interest),
            Ok(())
        );
        assert_eq!(ok(Status::Open, None, Answer::Referral), Ok(()));
        assert_eq!(
            ok(Status::Open, None, Answer::Mentor),
            Err("invalid.opportunity_answer_kind")
        );
        assert_eq!(
            ok(Status::Open, Some("2026-12-03"), Answer::Interest),
            Err("invalid.opportunity_deadline_passed")
        );
        assert_eq!(
            ok(Status::Paused, None, Answer::Interest),
            Err("invalid.opportunity_paused")
        );
        assert_eq!(
            ok(Status::Filled, None, Answer::Interest),
            Err("invalid.opportunity_closed")
        );
        let poster = Viewer {
            poster: true,
            ..alum
        };
        assert_eq!(
            may_answer(
                Kind::Project,
                Status::Open,
                None,
                TODAY,
                Answer::Interest,
                &poster
            ),
            Err("invalid.opportunity_own")
        );
    }

    #[test]
    fn referrals_need_consent_and_a_real_address() {
        let mut r = ReferralInput {
            name: "山田 花子".into(),
            email: "Hanako@Example.JP".into(),
            relationship: "前職の同僚".into(),
            note: String::new(),
            agreed: true,
        };
        assert_eq!(check_referral(&r).unwrap().email, "hanako@example.jp");
        r.agreed = false;
        r.email = "not an address".into();
        let keys: Vec<_> = check_referral(&r)
            .unwrap_err()
            .iter()
            .map(|e| e.key)
            .collect();
        assert_eq!(
            keys,
            vec!["invalid.referral_email", "invalid.referral_not_agreed"]
        );
    }

    #[test]
    fn stages_and_outcomes() {
        assert_eq!(
            check_stage("not_now", " ").unwrap_err().key,
            "invalid.opportunity_reason_empty"
        );
        assert_eq!(check_stage("won", "").unwrap().stage, Stage::Won);
        assert!(check_stage("hired", "").is_err());
        assert!(
            check_stage("withdrawn", "").is_err(),
            "only the member withdraws"
        );
        assert!(Stage::Talking.may_withdraw());
        assert!(!Stage::Won.may_withdraw() && !Stage::Withdrawn.may_withdraw());
        let o = check_outcome(
            Kind::Project,
            Answer::Interest,
            Stage::Won,
            "2026/12/1",
            "1m_5m",
            "",
        )
        .unwrap();
        assert_eq!(
            (o.outcome, o.on.as_str(), o.band),
            (
                Outcome::Contracted,
                "2026-12-01",
                Some(AmountBand::From1mTo5m)
            )
        );
        let keys: Vec<_> =
            check_outcome(Kind::Project, Answer::Interest, Stage::Talking, "x", "", "")
                .unwrap_err()
                .iter()
                .map(|e| e.key)
                .collect();
        assert_eq!(
            keys,
            vec![
                "invalid.outcome_not_won",
                "invalid.outcome_day",
                "invalid.outcome_band"
            ]
        );
        let o = check_outcome(
            Kind::Rehire,
            Answer::Interest,
            Stage::Won,
            "2027-01-01",
            "junk",
            "",
        )
        .unwrap();
        assert_eq!((o.outcome, o.band), (Outcome::Rehired, None));
        // someone referred to a rehire opening is a referral hire
        let o = check_outcome(
            Kind::Rehire,
            Answer::Referral,
            Stage::Won,
            "2027-01-01",
            "",
            "",
        )
        .unwrap();
        assert_eq!(o.outcome, Outcome::ReferralHired);
        let o = check_outcome(
            Kind::Mentoring,
            Answer::Mentor,
            Stage::Won,
            "2027-01-01",
            "",
            "",
        )
        .unwrap();
        assert_eq!(o.outcome, Outcome::MentoringDone);
    }
}
