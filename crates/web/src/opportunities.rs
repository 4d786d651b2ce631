//! Opportunities: what the company offers alumni (projects, rehire
//! openings, referral requests, mentoring asks, talks) and how members
//! answer them. This module holds the rules' glue shared by the pages
//! ([`crate::opportunities_pages`]), HR's pipeline
//! ([`crate::opportunities_pipeline`]) and the API
//! ([`crate::opportunities_api`]).
//!
//! Every rule comes from `core::opportunities`; [`opportunity_for`]
//! resolves an opportunity and how the member stands to it once, and
//! answers 404 for one they may not see (another audience) — the same as
//! for one that does not exist. Matching ([`matches`], [`for_you`]) reads
//! profiles as the viewer may see them and never lists people who opted
//! out.

use enishi_core::matching::{self, Fit, Reason, Wants};
use enishi_core::opportunities::{
    self as rules, Answer, Audience, Details, FieldError, Input, Kind, MAX_PICKED, Status,
};
use enishi_core::privacy::Viewer as ProfileViewer;
use enishi_core::profile::Filter;
use enishi_core::search::Query;
use enishi_store::directory::{self, Search, Sort};
use enishi_store::now_ms;
use enishi_store::opportunities::{self as stored, Answered, Listed, NewAnswer, NewOpportunity};
use serde::Deserialize;

use crate::ctx::PageCtx;
use crate::i18n::Tr;
use crate::notifications::About;
use crate::scope::NetworkScope;
use crate::{AppError, AppState};

/// Japan's today.
pub fn today() -> (i64, u32, u32) {
    enishi_core::time::jst_day(now_ms())
}

/// An opportunity as the member stands to it.
#[derive(Clone, Debug)]
pub struct OppCtx {
    pub row: Listed,
    pub kind: Kind,
    pub audience: Audience,
    pub status: Status,
    pub details: Details,
    pub skills: Vec<String>,
    pub viewer: rules::Viewer,
}

impl OppCtx {
    pub fn id(&self) -> i64 {
        self.row.opportunity.id
    }
    pub fn may_manage(&self) -> bool {
        rules::may_manage(&self.viewer)
    }
    /// Whether answers are taken now (and `Err(key)` why not).
    pub fn may_answer(&self, answer: Answer) -> Result<(), &'static str> {
        rules::may_answer(
            self.kind,
            self.status,
            self.row.opportunity.deadline.as_deref(),
            today(),
            answer,
            &self.viewer,
        )
    }
    /// What matching reads of it.
    pub fn wants(&self) -> Wants<'_> {
        Wants {
            kind: Some(self.kind),
            skills: &self.skills,
            department: &self.details.department,
            role: &self.details.role,
        }
    }
}

fn parsed(scope: &NetworkScope, row: Listed) -> Result<OppCtx, AppError> {
    let o = &row.opportunity;
    let (Some(kind), Some(audience), Some(status)) = (
        Kind::parse(&o.kind),
        Audience::parse(&o.audience),
        Status::parse(&o.status),
    ) else {
        return Err(AppError::Internal(format!(
            "opportunity {} has unknown words",
            o.id
        )));
    };
    let viewer = rules::Viewer {
        kind: Some(scope.kind),
        role: Some(scope.role),
        poster: o.posted_by == Some(scope.membership.account_id),
        in_group: row.in_group,
        picked: row.picked,
    };
    Ok(OppCtx {
        kind,
        audience,
        status,
        details: serde_json::from_str(&o.details).unwrap_or_default(),
        skills: serde_json::from_str(&o.skills).unwrap_or_default(),
        viewer,
        row,
    })
}

/// The opportunities that exist for the member, newest first.
pub async fn visible(state: &AppState, scope: &NetworkScope) -> Result<Vec<OppCtx>, AppError> {
    let rows = stored::listed(&state.db, scope.id(), scope.membership.account_id, None).await?;
    let mut out = Vec::new();
    for row in rows {
        let o = parsed(scope, row)?;
        if rules::may_see(o.audience, &o.viewer) {
            out.push(o);
        }
    }
    Ok(out)
}

/// The opportunity `id` as the member stands to it; 404 when it does not
/// exist for them.
pub async fn opportunity_for(
    state: &AppState,
    scope: &NetworkScope,
    id: i64,
) -> Result<OppCtx, AppError> {
    let row = stored::listed(&state.db, scope.id(), scope.membership.account_id, Some(id))
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    let o = parsed(scope, row)?;
    if !rules::may_see(o.audience, &o.viewer) {
        return Err(AppError::NotFound);
    }
    Ok(o)
}

/// The opportunity `id` when the member runs it (404 otherwise).
pub async fn managed(state: &AppState, scope: &NetworkScope, id: i64) -> Result<OppCtx, AppError> {
    let o = opportunity_for(state, scope, id).await?;
    if !o.may_manage() {
        return Err(AppError::NotFound);
    }
    Ok(o)
}

// ─────────────────────────────── writing ───────────────────────────────

/// An opportunity as written in the form (all text).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct OpportunityForm {
    pub kind: String,
    pub title: String,
    pub description: String,
    pub audience: String,
    /// The audience group's id.
    pub group: String,
    /// The picked people's addresses, one per line (or comma-separated).
    pub picked: String,
    pub status: String,
    pub deadline: String,
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

impl OpportunityForm {
    fn input(&self) -> Input {
        Input {
            kind: self.kind.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            audience: self.audience.clone(),
            status: self.status.clone(),
            deadline: self.deadline.clone(),
            skills: self.skills.clone(),
            work_mode: self.work_mode.clone(),
            duration: self.duration.clone(),
            rate_min: self.rate_min.clone(),
            rate_max: self.rate_max.clone(),
            rate_unit: self.rate_unit.clone(),
            role: self.role.clone(),
            department: self.department.clone(),
            conditions: self.conditions.clone(),
            ats_url: self.ats_url.clone(),
            reward: self.reward.clone(),
        }
    }

    /// The form filled from a stored opportunity (to edit it).
    pub async fn of(state: &AppState, scope: &NetworkScope, o: &OppCtx) -> Result<Self, AppError> {
        let op = &o.row.opportunity;
        let d = &o.details;
        let mut picked = Vec::new();
        for account in stored::picked_accounts(&state.db, scope.id(), op.id).await? {
            if let Some(e) = enishi_store::accounts::primary_email(&state.db, account).await? {
                picked.push(e);
            }
        }
        let num = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        Ok(OpportunityForm {
            kind: o.kind.as_str().into(),
            title: op.title.clone(),
            description: op.description.clone(),
            audience: o.audience.as_str().into(),
            group: op.group_id.map(|g| g.to_string()).unwrap_or_default(),
            picked: picked.join("\n"),
            status: o.status.as_str().into(),
            deadline: op.deadline.clone().unwrap_or_default(),
            skills: o.skills.join(", "),
            work_mode: d
                .work_mode
                .map(|m| m.as_str().to_string())
                .unwrap_or_default(),
            duration: d.duration.clone(),
            rate_min: num(d.rate_min),
            rate_max: num(d.rate_max),
            rate_unit: d
                .rate_unit
                .map(|u| u.as_str().to_string())
                .unwrap_or_default(),
            role: d.role.clone(),
            department: d.department.clone(),
            conditions: d.conditions.clone(),
            ats_url: d.ats_url.clone(),
            reward: d.reward.clone(),
        })
    }
}

/// One refused field.
pub(crate) fn field(field: &'static str, key: &'static str) -> FieldError {
    FieldError { field, key }
}

/// The accounts of the members whose addresses are in `text`.
async fn picked_accounts(
    state: &AppState,
    scope: &NetworkScope,
    text: &str,
) -> Result<Result<Vec<i64>, FieldError>, AppError> {
    use crate::networks::Addresses;
    Ok(
        match crate::networks::members_by_addresses(state, scope.id(), text, MAX_PICKED).await? {
            Addresses::Found(accounts) => Ok(accounts),
            Addresses::Empty => Err(field("picked", "invalid.opportunity_picked_empty")),
            Addresses::TooMany => Err(field("picked", "invalid.opportunity_picked_many")),
            Addresses::Unknown(_) => Err(field("picked", "invalid.opportunity_picked_unknown")),
        },
    )
}

/// Creates an opportunity (`existing: None`) or rewrites one; its id.
pub async fn save(
    state: &AppState,
    scope: &NetworkScope,
    form: &OpportunityForm,
    existing: Option<&OppCtx>,
    ip: &str,
) -> Result<Result<i64, Vec<FieldError>>, AppError> {
    let mut input = form.input();
    if let Some(o) = existing {
        // the kind is what it was posted as
        input.kind = o.kind.as_str().to_string();
    }
    let kept = existing.and_then(|o| o.row.opportunity.deadline.as_deref());
    let checked = rules::check(&input, today(), kept);
    let mut errors = checked.as_ref().err().cloned().unwrap_or_default();
    let audience = Audience::parse(form.audience.trim());
    let mut group_id = None;
    if audience == Some(Audience::Group) {
        // a group the poster can reach and read
        group_id = crate::groups::readable_id(state, scope, &form.group).await?;
        if group_id.is_none() {
            errors.push(field("group", "invalid.opportunity_group"));
        }
    }
    let mut picks = Vec::new();
    if audience == Some(Audience::Picked) {
        match picked_accounts(state, scope, &form.picked).await? {
            Ok(p) => picks = p,
            Err(e) => errors.push(e),
        }
    }
    let draft = match checked {
        Ok(d) if errors.is_empty() => d,
        _ => return Ok(Err(errors)),
    };
    let skills = serde_json::to_string(&draft.skills).unwrap_or_else(|_| "[]".into());
    let details = serde_json::to_string(&draft.details).unwrap_or_else(|_| "{}".into());
    let new = NewOpportunity {
        kind: draft.kind.as_str(),
        title: &draft.title,
        description: &draft.description,
        audience: draft.audience.as_str(),
        group_id,
        status: draft.status.as_str(),
        deadline: draft.deadline.as_deref(),
        skills: &skills,
        details: &details,
        picks: &picks,
    };
    let now = now_ms();
    let id = match existing {
        Some(o) => {
            stored::update(&state.db, scope.id(), o.id(), &new, now).await?;
            o.id()
        }
        None => {
            stored::create(
                &state.db,
                scope.id(),
                &new,
                scope.membership.account_id,
                now,
            )
            .await?
        }
    };
    crate::networks::record(
        state,
        &scope.network,
        Some(scope.membership.account_id),
        if existing.is_some() {
            "opportunity.updated"
        } else {
            "opportunity.created"
        },
        Some(&id.to_string()),
        ip,
    )
    .await;
    Ok(Ok(id))
}

/// An answer as written in the form or the API.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AnswerInput {
    /// `interest`, `referral` or `mentor` (which ones an opportunity takes
    /// depends on its kind).
    pub answer: String,
    /// A note to HR.
    pub note: String,
    /// A CV or portfolio link (interest).
    pub cv_url: String,
    /// Referrals: the person's name, address and how the referrer knows
    /// them.
    pub name: String,
    pub email: String,
    pub relationship: String,
    /// Referrals: the referrer confirms the person agreed to be introduced.
    pub agreed: bool,
}

/// The answer form: a ticked box arrives as text.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    pub answer: String,
    pub note: String,
    pub cv_url: String,
    pub name: String,
    pub email: String,
    pub relationship: String,
    pub agreed: Option<String>,
}

impl AnswerForm {
    pub fn input(&self) -> AnswerInput {
        AnswerInput {
            answer: self.answer.clone(),
            note: self.note.clone(),
            cv_url: self.cv_url.clone(),
            name: self.name.clone(),
            email: self.email.clone(),
            relationship: self.relationship.clone(),
            agreed: self.agreed.is_some(),
        }
    }
}

/// Answers an opportunity: the answer's id (a repeated interest or offer
/// gives the first one's). Referrals are throttled per person; nobody is
/// e-mailed about them — HR decides whom to contact.
pub async fn answer(
    state: &AppState,
    scope: &NetworkScope,
    o: &OppCtx,
    input: &AnswerInput,
) -> Result<Result<i64, Vec<FieldError>>, AppError> {
    let Some(kind) = Answer::parse(input.answer.trim()) else {
        return Ok(Err(vec![field(
            "answer",
            "invalid.opportunity_answer_kind",
        )]));
    };
    if let Err(key) = o.may_answer(kind) {
        return Ok(Err(vec![field("answer", key)]));
    }
    let me = scope.membership.account_id;
    let mut errors = Vec::new();
    let note = rules::check_note(&input.note)
        .map_err(|k| errors.push(field("note", k)))
        .unwrap_or_default();
    let cv_url = if kind == Answer::Interest {
        rules::check_cv_link(&input.cv_url)
            .map_err(|k| errors.push(field("cv_url", k)))
            .unwrap_or_default()
    } else {
        String::new()
    };
    let mut referral = None;
    if kind == Answer::Referral {
        // counted before the checks on purpose: "already a member" tells
        // whether an address is in the network, so tries are limited too
        crate::signin::limit(
            &state.db,
            &format!("referrals:{me}"),
            rules::REFERRALS_PER_MINUTE,
            60_000,
        )
        .await?;
        match rules::check_referral(&rules::ReferralInput {
            name: input.name.clone(),
            email: input.email.clone(),
            relationship: input.relationship.clone(),
            note: input.note.clone(),
            agreed: input.agreed,
        }) {
            Ok(r) => {
                // one of the referrer's own addresses (verified or not), or
                // anyone's who is in the network already
                let own = enishi_store::accounts::emails(&state.db, me)
                    .await?
                    .iter()
                    .any(|e| e.email == r.email);
                let member =
                    crate::networks::membership_by_address(state, scope.id(), &r.email).await?;
                if own || member.as_ref().is_some_and(|m| m.account_id == me) {
                    errors.push(field("email", "invalid.referral_self"));
                } else if member.is_some() {
                    errors.push(field("email", "invalid.referral_member"));
                }
                referral = Some(r);
            }
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let now = now_ms();
    let r = referral.as_ref();
    let new = NewAnswer {
        opportunity_id: o.id(),
        account_id: me,
        answer: kind.as_str(),
        note: r.map(|r| r.note.as_str()).unwrap_or(&note),
        cv_url: &cv_url,
        referred_name: r.map(|r| r.name.as_str()).unwrap_or(""),
        referred_email: r.map(|r| r.email.as_str()).unwrap_or(""),
        relationship: r.map(|r| r.relationship.as_str()).unwrap_or(""),
        consent_at: r.map(|_| now),
    };
    let tell_poster = || async {
        if let Some(poster) = o.row.opportunity.posted_by {
            crate::notifications::notify(
                state,
                scope,
                &[(
                    poster,
                    enishi_core::notifications::Kind::OpportunityAnswered,
                )],
                About {
                    opportunity: Some(o.id()),
                    ..About::default()
                },
            )
            .await;
        }
    };
    let id = match stored::answer(&state.db, scope.id(), &new, now).await? {
        Answered::Created(id) => {
            tell_poster().await;
            id
        }
        Answered::Already if kind == Answer::Referral => {
            return Ok(Err(vec![field("email", "invalid.referral_already")]));
        }
        Answered::Already => {
            let a = stored::answers_of(&state.db, scope.id(), o.id(), me)
                .await?
                .into_iter()
                .find(|a| a.answer == kind.as_str())
                .ok_or_else(|| AppError::Internal("answer vanished".into()))?;
            // answering again after withdrawing puts it back in the
            // pipeline with what was written this time, and the poster
            // hears of it as of a new answer
            if a.stage == rules::Stage::Withdrawn.as_str()
                && stored::renew(&state.db, scope.id(), a.id, new.note, new.cv_url, now).await?
            {
                tell_poster().await;
            }
            a.id
        }
    };
    Ok(Ok(id))
}

// ─────────────────────────────── matching ───────────────────────────────

/// Someone who fits an opportunity, as HR sees them.
#[derive(Clone, Debug)]
pub struct MatchView {
    pub profile_id: i64,
    pub account_id: i64,
    pub name: String,
    pub era: String,
    pub score: u32,
    /// "スキル: SQL, BigQuery · 2012–2018 データ分析部 · 業務委託に関心あり"
    pub reasons: String,
}

/// Candidates drawn from the directory per signal, at most.
const POOL_PER_SIGNAL: usize = 100;
/// Skills of an opportunity that each draw candidates (the others still
/// count in the score).
const SKILLS_SEARCHED: usize = 3;
/// People shown in a match list.
pub const MATCHES_SHOWN: usize = 30;
/// The best of a kept ranking that each view reads and scores afresh.
const MATCHES_RECHECKED: usize = 3 * MATCHES_SHOWN;

/// The reasons in words, best first, joined with " · ".
pub fn reasons_text(tr: Tr, reasons: &[Reason]) -> String {
    reasons
        .iter()
        .map(|r| match r {
            Reason::OpenTo(o) => tr.fmt(
                "opportunities.reason_open_to",
                &[("what", tr.get(&format!("open_to.{}", o.as_str())))],
            ),
            Reason::Skills(s) => tr.fmt(
                "opportunities.reason_skills",
                &[("skills", s.join(", ").as_str())],
            ),
            Reason::Stint {
                joined,
                left,
                department,
            } => {
                let years = match (joined, left) {
                    (Some(j), Some(l)) => format!("{j}–{l}"),
                    (Some(j), None) => format!("{j}–"),
                    (None, Some(l)) => format!("–{l}"),
                    (None, None) => String::new(),
                };
                format!("{years} {department}").trim().to_string()
            }
            Reason::Role(t) => tr.fmt("opportunities.reason_role", &[("title", t.as_str())]),
            Reason::LeftIn(y) => tr.fmt(
                "opportunities.reason_left",
                &[("year", y.to_string().as_str())],
            ),
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The alumni of `pool` who may be matched to `o` (active, not opted
/// out, shown the opportunity), scored and best first.
async fn scored(
    state: &AppState,
    scope: &NetworkScope,
    o: &OppCtx,
    pool: Vec<enishi_store::profiles::Stored>,
) -> Result<Vec<(i64, Fit, enishi_store::profiles::Stored)>, AppError> {
    let pool: Vec<enishi_store::profiles::Stored> = pool
        .into_iter()
        .filter(|p| p.kind.as_deref() == Some("alumni"))
        .collect();
    let accounts: Vec<i64> = pool.iter().filter_map(|p| p.account_id).collect();
    let mut allowed: std::collections::HashSet<i64> =
        stored::matchable(&state.db, scope.id(), &accounts)
            .await?
            .into_iter()
            .collect();
    // only people the opportunity is shown to
    match o.audience {
        Audience::Group => {
            let members: std::collections::HashSet<i64> = match o.row.opportunity.group_id {
                Some(g) => enishi_store::groups::members(&state.db, scope.id(), g)
                    .await?
                    .into_iter()
                    .filter(|m| m.standing == "owner" || m.standing == "member")
                    .map(|m| m.account_id)
                    .collect(),
                None => Default::default(),
            };
            allowed.retain(|a| members.contains(a));
        }
        Audience::Picked => {
            let picks: std::collections::HashSet<i64> =
                stored::picked_accounts(&state.db, scope.id(), o.id())
                    .await?
                    .into_iter()
                    .collect();
            allowed.retain(|a| picks.contains(a));
        }
        Audience::Network | Audience::Alumni => {}
    }
    let year = today().0;
    let wants = o.wants();
    Ok(matching::rank(
        pool.into_iter()
            .filter(|p| p.account_id.is_some_and(|a| allowed.contains(&a)))
            .filter_map(|p| matching::fit(&wants, &p.profile, year).map(|f| (p.id, f, p)))
            .collect(),
    ))
}

/// The profiles that fit `o`, best first (ids): alumni the directory
/// finds by each signal (the kind's open-to flags, up to three skills, the
/// department), as `viewer` may search, at most [`POOL_PER_SIGNAL`] each,
/// scored.
async fn ranked_candidates(
    state: &AppState,
    scope: &NetworkScope,
    o: &OppCtx,
    viewer: enishi_core::privacy::Viewer,
) -> Result<Vec<i64>, AppError> {
    let mut filters = Vec::new();
    let alumni = Some("alumni".to_string());
    for flag in o.kind.open_to() {
        filters.push(Filter {
            open_to: vec![*flag],
            kind: alumni.clone(),
            ..Filter::default()
        });
    }
    for skill in o.skills.iter().take(SKILLS_SEARCHED) {
        filters.push(Filter {
            skill: Some(skill.clone()),
            kind: alumni.clone(),
            ..Filter::default()
        });
    }
    if !o.details.department.is_empty() {
        filters.push(Filter {
            department: Some(o.details.department.clone()),
            kind: alumni.clone(),
            ..Filter::default()
        });
    }
    let mut pool: Vec<enishi_store::profiles::Stored> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for filter in filters {
        let page = directory::search(
            &state.db,
            scope.id(),
            &Search {
                viewer,
                query: Query::parse(""),
                filter,
                sort: Sort::Recent,
                after: None,
                limit: POOL_PER_SIGNAL,
                era_of: None,
            },
        )
        .await?;
        for hit in page.hits {
            if seen.insert(hit.stored.id) {
                pool.push(hit.stored);
            }
        }
    }
    Ok(scored(state, scope, o, pool)
        .await?
        .into_iter()
        .map(|(id, _, _)| id)
        .collect())
}

/// The members who fit `o` best, with reasons — alumni drawn from the
/// directory by each signal (open-to, skills, department), read as the
/// viewer may see them, never people who opted out or who may not see the
/// opportunity.
///
/// Finding and ranking the candidates is the cost (a handful of directory
/// searches, hundreds of profiles): that ranking is kept a few minutes
/// (an edit of the opportunity starts again). Each view reads the best
/// [`MATCHES_RECHECKED`] of it afresh and scores them again, so an
/// opt-out, a field made private or a change of kind counts at once; a
/// profile that has just come to fit appears when the ranking is next
/// made.
pub async fn matches(
    state: &AppState,
    ctx: &PageCtx,
    scope: &NetworkScope,
    o: &OppCtx,
) -> Result<Vec<MatchView>, AppError> {
    let viewer = crate::profiles::search_viewer(scope);
    let key = (
        scope.network.id,
        o.id(),
        o.row.opportunity.updated_at,
        viewer == enishi_core::privacy::Viewer::Admin,
    );
    let ranked = state
        .recent
        .match_pools
        .get_or_try_load(key, || ranked_candidates(state, scope, o, viewer))
        .await?;
    let me = scope.membership.account_id;
    let head: Vec<i64> = ranked.iter().take(MATCHES_RECHECKED).copied().collect();
    let pool = directory::seen_by_id(&state.db, scope.id(), &head, viewer).await?;
    Ok(scored(state, scope, o, pool)
        .await?
        .into_iter()
        .filter(|(_, _, p)| p.account_id != Some(me))
        .take(MATCHES_SHOWN)
        .map(|(id, fit, p)| MatchView {
            profile_id: id,
            account_id: p.account_id.unwrap_or_default(),
            name: p.profile.display_name(ctx.lang),
            era: p.profile.era(),
            score: fit.score,
            reasons: reasons_text(ctx.tr, &fit.reasons),
        })
        .collect())
}

/// An opportunity for the member, with why.
#[derive(Clone, Debug)]
pub struct ForYou {
    pub opportunity: OppCtx,
    pub score: u32,
    pub reasons: String,
}

/// Open opportunities for the member (posted since `since`, if given),
/// best fit first: scored by the same [`matching::fit`] HR's list uses,
/// on the member's profile as HR sees it. Their own postings and those
/// they answered are left out.
pub async fn for_you(
    state: &AppState,
    tr: Tr,
    scope: &NetworkScope,
    since: Option<i64>,
    limit: usize,
) -> Result<Vec<ForYou>, AppError> {
    let me = scope.membership.account_id;
    let Some(mine) = enishi_store::profiles::of_account(&state.db, scope.id(), me).await? else {
        return Ok(Vec::new());
    };
    let all = visible(state, scope).await?;
    Ok(for_you_of(tr, &mine.profile, all, since, limit))
}

/// [`for_you`] over opportunities already loaded (`all`, as
/// [`visible`] gives them) for the member whose profile is `mine`.
pub fn for_you_of(
    tr: Tr,
    mine: &enishi_core::profile::Profile,
    all: Vec<OppCtx>,
    since: Option<i64>,
    limit: usize,
) -> Vec<ForYou> {
    let seen = mine.seen_by(ProfileViewer::Admin);
    let year = today().0;
    let candidates: Vec<(i64, Fit, OppCtx)> = all
        .into_iter()
        .filter(|o| {
            o.may_answer(o.kind.answers()[0]).is_ok()
                && o.row.mine == 0
                && since.is_none_or(|s| o.row.opportunity.created_at >= s)
        })
        .filter_map(|o| matching::fit(&o.wants(), &seen, year).map(|f| (o.id(), f, o)))
        .collect();
    // best first; the newest among equals (ids grow with time)
    let mut ranked = candidates;
    ranked.sort_by(|a, b| b.1.score.cmp(&a.1.score).then(b.0.cmp(&a.0)));
    ranked
        .into_iter()
        .take(limit)
        .map(|(_, fit, o)| ForYou {
            reasons: reasons_text(tr, &fit.reasons),
            score: fit.score,
            opportunity: o,
        })
        .collect()
}
