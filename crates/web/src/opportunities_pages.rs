//! Opportunities as pages: the list with "for you" (ranked, reasons
//! shown), filters and saved ones; posting and editing (admins and
//! authorised staff); one opportunity with the ways to answer it. HR's
//! pipeline and match list are in [`crate::opportunities_pipeline`].

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use enishi_core::opportunities::{
    Answer, Audience, FieldError, Kind, RateUnit, Stage, Status, WorkMode,
};
use enishi_core::text::grouped;
use enishi_store::now_ms;
use enishi_store::opportunities as stored;
use serde::Deserialize;

use crate::auth::Viewer;
use crate::csrf::CsrfForm;
use crate::ctx::PageCtx;
use crate::i18n::Tr;
use crate::opportunities::{
    AnswerForm, OppCtx, OpportunityForm, answer, for_you_of, managed, opportunity_for, save,
    visible,
};
use crate::posts::AuthorView;
use crate::scope::NetworkScope;
use crate::{AppError, AppState};

/// An opportunity in a list or at the top of its page.
#[derive(Clone, Debug)]
pub struct OppView {
    pub id: i64,
    pub kind: &'static str,
    pub title: String,
    pub status: &'static str,
    pub deadline: String,
    /// One line: where, how long, how much; or the role.
    pub summary: String,
    pub skills: Vec<String>,
    pub saved: bool,
    /// The member answered it.
    pub answered: bool,
    /// Answers so far (shown to those who run it).
    pub answers: i64,
    pub may_manage: bool,
}

/// A rate as people read it: `¥600,000〜¥800,000／月` (`¥600,000–¥800,000 a month`), or 応相談.
pub fn rate_text(tr: Tr, min: Option<i64>, max: Option<i64>, unit: Option<RateUnit>) -> String {
    let yen = |n: i64| format!("¥{}", grouped(n));
    let amount = match (min, max) {
        (None, None) => return tr.get("opportunities.rate_to_discuss").to_string(),
        (Some(a), Some(b)) if a == b => yen(a),
        (Some(a), Some(b)) => tr.fmt(
            "opportunities.rate_range",
            &[("min", &yen(a)), ("max", &yen(b))],
        ),
        (Some(a), None) => tr.fmt("opportunities.rate_from", &[("min", &yen(a))]),
        (None, Some(b)) => tr.fmt("opportunities.rate_up_to", &[("max", &yen(b))]),
    };
    match unit {
        Some(u) => format!("{amount}{}", tr.get(&format!("rate_unit.{}", u.as_str()))),
        None => amount,
    }
}

/// The one-line summary of an opportunity.
pub fn summary(tr: Tr, o: &OppCtx) -> String {
    let d = &o.details;
    let mut parts: Vec<String> = Vec::new();
    match o.kind {
        Kind::Project => {
            if let Some(m) = d.work_mode {
                parts.push(tr.get(&format!("work_mode.{}", m.as_str())).to_string());
            }
            if !d.duration.is_empty() {
                parts.push(d.duration.clone());
            }
            parts.push(rate_text(tr, d.rate_min, d.rate_max, d.rate_unit));
        }
        Kind::Rehire | Kind::Referral => {
            parts.push(d.role.clone());
            if !d.department.is_empty() {
                parts.push(d.department.clone());
            }
            if !d.reward.is_empty() {
                parts.push(d.reward.clone());
            }
        }
        Kind::Mentoring | Kind::Speaking => {
            if !d.department.is_empty() {
                parts.push(d.department.clone());
            }
        }
    }
    parts.retain(|p| !p.is_empty());
    parts.join(" · ")
}

pub fn view(tr: Tr, o: &OppCtx) -> OppView {
    let op = &o.row.opportunity;
    OppView {
        id: op.id,
        kind: o.kind.as_str(),
        title: op.title.clone(),
        status: o.status.as_str(),
        deadline: op.deadline.clone().unwrap_or_default(),
        summary: summary(tr, o),
        skills: o.skills.clone(),
        saved: o.row.saved,
        answered: o.row.mine > 0,
        answers: o.row.answers,
        may_manage: o.may_manage(),
    }
}

/// Something for the member, with why.
#[derive(Clone, Debug)]
pub struct ForYouView {
    pub o: OppView,
    pub reasons: String,
}

/// An outcome kind and how many were recorded.
#[derive(Clone, Debug)]
pub struct Tally {
    pub outcome: String,
    pub n: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "opportunities/list.html")]
pub struct ListPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub for_you: Vec<ForYouView>,
    pub items: Vec<OppView>,
    /// The kind filter (empty: all).
    pub kind: String,
    pub saved_only: bool,
    pub may_post: bool,
    pub is_admin: bool,
    pub opted_out: bool,
    pub tallies: Vec<Tally>,
    pub notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    pub kind: String,
    pub saved: String,
    pub done: String,
}

/// `GET /n/{slug}/opportunities`
pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Query(q): Query<ListQuery>,
) -> Result<ListPage, AppError> {
    let kind = Kind::parse(q.kind.trim());
    let saved_only = q.saved == "1";
    let all = visible(&state, &scope).await?;
    let items = all
        .iter()
        .filter(|o| kind.is_none_or(|k| o.kind == k))
        .filter(|o| !saved_only || o.row.saved)
        .map(|o| view(ctx.tr, o))
        .collect();
    let mine =
        enishi_store::profiles::of_account(&state.db, scope.id(), scope.membership.account_id)
            .await?;
    let for_you = mine
        .map(|m| for_you_of(ctx.tr, &m.profile, all, None, 5))
        .unwrap_or_default()
        .into_iter()
        .map(|f| ForYouView {
            o: view(ctx.tr, &f.opportunity),
            reasons: f.reasons,
        })
        .collect();
    let mut tallies: Vec<Tally> = Vec::new();
    if scope.may_post_opportunities() {
        // a poster counts what they posted; admins the whole network's
        let of = if scope.is_admin() {
            stored::OutcomesOf::Network
        } else {
            stored::OutcomesOf::PostedBy(scope.membership.account_id)
        };
        for o in stored::outcomes(&state.db, scope.id(), of).await? {
            match tallies.iter_mut().find(|t| t.outcome == o.outcome) {
                Some(t) => t.n += 1,
                None => tallies.push(Tally {
                    outcome: o.outcome,
                    n: 1,
                }),
            }
        }
    }
    let notice = match q.done.as_str() {
        "opted_out" => Some("opportunities.done_opted_out"),
        "opted_in" => Some("opportunities.done_opted_in"),
        _ => None,
    };
    Ok(ListPage {
        slug: scope.slug().to_string(),
        for_you,
        items,
        kind: kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
        saved_only,
        may_post: scope.may_post_opportunities(),
        is_admin: scope.is_admin(),
        opted_out: scope.membership.match_opt_out != 0,
        tallies,
        notice,
        ctx,
    })
}

/// The matching choice: a ticked box arrives as text.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MatchingForm {
    pub opt_out: Option<String>,
}

/// `POST /n/{slug}/opportunities/matching`: whether HR's match lists may
/// suggest the member.
pub async fn matching_form(
    State(state): State<AppState>,
    scope: NetworkScope,
    CsrfForm(form): CsrfForm<MatchingForm>,
) -> Result<Response, AppError> {
    let out = form.opt_out.is_some();
    stored::set_opt_out(&state.db, scope.id(), scope.membership.account_id, out).await?;
    let done = if out { "opted_out" } else { "opted_in" };
    Ok(Redirect::to(&format!("/n/{}/opportunities?done={done}", scope.slug())).into_response())
}

// ─────────────────────────────── the form ───────────────────────────────

/// A group the poster may show an opportunity to.
#[derive(Clone, Debug)]
pub struct GroupChoice {
    pub id: String,
    pub name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "opportunities/form.html")]
pub struct FormPage {
    pub ctx: PageCtx,
    pub slug: String,
    /// `None` for a new one.
    pub editing: Option<i64>,
    pub form: OpportunityForm,
    pub errors: Vec<FieldError>,
    pub groups: Vec<GroupChoice>,
}

impl FormPage {
    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| self.ctx.t(e.key))
    }
    pub fn kinds(&self) -> &'static [Kind] {
        Kind::ALL
    }
    pub fn audiences(&self) -> &'static [Audience] {
        Audience::ALL
    }
    pub fn statuses(&self) -> &'static [Status] {
        Status::ALL
    }
    pub fn work_modes(&self) -> &'static [WorkMode] {
        WorkMode::ALL
    }
    pub fn rate_units(&self) -> &'static [RateUnit] {
        RateUnit::ALL
    }
}

async fn form_page(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
    editing: Option<i64>,
    form: OpportunityForm,
    errors: Vec<FieldError>,
) -> Result<FormPage, AppError> {
    let groups = crate::groups::active_choices(state, scope)
        .await?
        .into_iter()
        .map(|(id, name)| GroupChoice {
            id: id.to_string(),
            name,
        })
        .collect();
    Ok(FormPage {
        slug: scope.slug().to_string(),
        editing,
        form,
        errors,
        groups,
        ctx,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    pub kind: String,
}

/// `GET /n/{slug}/opportunities/new`
pub async fn new_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Query(q): Query<NewQuery>,
) -> Result<FormPage, AppError> {
    let form = OpportunityForm {
        kind: Kind::parse(&q.kind)
            .unwrap_or(Kind::Project)
            .as_str()
            .into(),
        audience: "network".into(),
        status: "open".into(),
        rate_unit: "month".into(),
        ..OpportunityForm::default()
    };
    form_page(&state, ctx, &scope, None, form, Vec::new()).await
}

/// `POST /n/{slug}/opportunities`
pub async fn create_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<OpportunityForm>,
) -> Result<Response, AppError> {
    match save(&state, &scope, &form, None, &viewer.ip_text()).await? {
        Ok(id) => Ok(Redirect::to(&format!(
            "/n/{}/opportunities/{id}?done=posted",
            scope.slug()
        ))
        .into_response()),
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            form_page(&state, ctx, &scope, None, form, errors).await?,
        )
            .into_response()),
    }
}

/// `GET /n/{slug}/opportunities/{opportunity_id}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<FormPage, AppError> {
    let o = managed(&state, &scope, id).await?;
    let form = OpportunityForm::of(&state, &scope, &o).await?;
    form_page(&state, ctx, &scope, Some(id), form, Vec::new()).await
}

/// `POST /n/{slug}/opportunities/{opportunity_id}`
pub async fn update_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    viewer: Viewer,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<OpportunityForm>,
) -> Result<Response, AppError> {
    let o = managed(&state, &scope, id).await?;
    match save(&state, &scope, &form, Some(&o), &viewer.ip_text()).await? {
        Ok(id) => Ok(Redirect::to(&format!(
            "/n/{}/opportunities/{id}?done=saved",
            scope.slug()
        ))
        .into_response()),
        Err(errors) => {
            let mut form = form;
            form.kind = o.kind.as_str().into();
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                form_page(&state, ctx, &scope, Some(id), form, errors).await?,
            )
                .into_response())
        }
    }
}

// ─────────────────────────────── one opportunity ───────────────────────────────

/// A label and its value, in the facts list.
#[derive(Clone, Debug)]
pub struct Fact {
    pub label: &'static str,
    pub value: String,
    /// Shown as a link.
    pub link: bool,
}

/// One of the member's own answers.
#[derive(Clone, Debug)]
pub struct MineView {
    pub id: i64,
    pub answer: String,
    pub created_at: i64,
    pub text: String,
    pub withdrawn: bool,
    /// Still theirs to take back.
    pub may_withdraw: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "opportunities/show.html")]
pub struct ShowPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub o: OppView,
    pub description_html: String,
    pub facts: Vec<Fact>,
    pub poster: Option<AuthorView>,
    /// The ways the member may answer now.
    pub answers: Vec<&'static str>,
    /// Why answers are not taken (closed, paused, past the deadline).
    pub closed: Option<&'static str>,
    pub mine: Vec<MineView>,
    pub form: AnswerForm,
    pub errors: Vec<FieldError>,
    pub notice: Option<&'static str>,
}

impl ShowPage {
    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| self.ctx.t(e.key))
    }
    pub fn has(&self, answer: &str) -> bool {
        self.answers.contains(&answer)
    }
}

fn facts(tr: Tr, o: &OppCtx) -> Vec<Fact> {
    let d = &o.details;
    let mut out = Vec::new();
    let mut push = |label: &str, value: String, link: bool| {
        if !value.is_empty() {
            out.push(Fact {
                label: tr.get(label),
                value,
                link,
            });
        }
    };
    if o.kind == Kind::Project {
        push(
            "opportunities.work_mode",
            d.work_mode
                .map(|m| tr.get(&format!("work_mode.{}", m.as_str())).to_string())
                .unwrap_or_default(),
            false,
        );
        push("opportunities.duration", d.duration.clone(), false);
        push(
            "opportunities.rate",
            rate_text(tr, d.rate_min, d.rate_max, d.rate_unit),
            false,
        );
    }
    push("opportunities.role", d.role.clone(), false);
    push("opportunities.department", d.department.clone(), false);
    push("opportunities.conditions", d.conditions.clone(), false);
    push("opportunities.reward", d.reward.clone(), false);
    push("opportunities.ats_url", d.ats_url.clone(), true);
    push(
        "opportunities.deadline_label",
        o.row.opportunity.deadline.clone().unwrap_or_default(),
        false,
    );
    out
}

async fn show_page(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
    o: &OppCtx,
    form: AnswerForm,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
) -> Result<ShowPage, AppError> {
    let op = &o.row.opportunity;
    let poster = op.posted_by.map(|p| {
        AuthorView::of(
            scope,
            ctx.lang,
            Some(p),
            &o.row.poster,
            ctx.t("posts.former_member"),
        )
    });
    let kinds = o.kind.answers();
    let answers: Vec<&'static str> = kinds
        .iter()
        .filter(|a| o.may_answer(**a).is_ok())
        .map(|a| a.as_str())
        .collect();
    let closed = if answers.is_empty() && !o.viewer.poster {
        o.may_answer(kinds[0]).err()
    } else {
        None
    };
    let mine = stored::answers_of(&state.db, scope.id(), op.id, scope.membership.account_id)
        .await?
        .into_iter()
        .map(|a| MineView {
            id: a.id,
            withdrawn: a.stage == Stage::Withdrawn.as_str(),
            may_withdraw: Stage::parse(&a.stage).is_some_and(Stage::may_withdraw),
            answer: a.answer.clone(),
            created_at: a.created_at,
            text: if a.answer == Answer::Referral.as_str() {
                format!("{} <{}>", a.referred_name, a.referred_email)
            } else {
                a.note.clone()
            },
        })
        .collect();
    Ok(ShowPage {
        slug: scope.slug().to_string(),
        o: view(ctx.tr, o),
        description_html: crate::markdown::render(&op.description),
        facts: facts(ctx.tr, o),
        poster,
        answers,
        closed,
        mine,
        form,
        errors,
        notice,
        ctx,
    })
}

/// The `?done=` notices the page knows.
fn notice_of(done: &str) -> Option<&'static str> {
    Some(match done {
        "posted" => "opportunities.done_posted",
        "saved" => "opportunities.done_saved",
        "answered" => "opportunities.done_answered",
        "bookmarked" => "opportunities.done_bookmarked",
        "unbookmarked" => "opportunities.done_unbookmarked",
        "withdrawn" => "opportunities.done_withdrawn",
        _ => return None,
    })
}

/// `GET /n/{slug}/opportunities/{opportunity_id}`
pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    Query(q): Query<ListQuery>,
) -> Result<ShowPage, AppError> {
    let o = opportunity_for(&state, &scope, id).await?;
    show_page(
        &state,
        ctx,
        &scope,
        &o,
        AnswerForm::default(),
        Vec::new(),
        notice_of(&q.done),
    )
    .await
}

/// `POST /n/{slug}/opportunities/{opportunity_id}/answers`
pub async fn answer_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<AnswerForm>,
) -> Result<Response, AppError> {
    let o = opportunity_for(&state, &scope, id).await?;
    match answer(&state, &scope, &o, &form.input()).await? {
        Ok(_) => Ok(Redirect::to(&format!(
            "/n/{}/opportunities/{id}?done=answered",
            scope.slug()
        ))
        .into_response()),
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            show_page(&state, ctx, &scope, &o, form, errors, None).await?,
        )
            .into_response()),
    }
}

/// The save button: on or off.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SaveForm {
    pub on: String,
}

/// `POST /n/{slug}/opportunities/{opportunity_id}/save`
pub async fn save_form(
    State(state): State<AppState>,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<SaveForm>,
) -> Result<Response, AppError> {
    let o = opportunity_for(&state, &scope, id).await?;
    let on = form.on == "1";
    stored::set_saved(
        &state.db,
        scope.id(),
        o.id(),
        scope.membership.account_id,
        on,
        now_ms(),
    )
    .await?;
    let done = if on { "bookmarked" } else { "unbookmarked" };
    Ok(Redirect::to(&format!(
        "/n/{}/opportunities/{id}?done={done}",
        scope.slug()
    ))
    .into_response())
}
