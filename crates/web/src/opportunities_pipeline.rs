//! HR's side of an opportunity: the pipeline of answers (interested → in
//! conversation → proposed → won / not this time, with HR-only notes), the
//! person told only at the stages HR chooses, outcomes recorded when won,
//! the ranked match list with reasons (its own page), and which staff may
//! post.
//!
//! Only those who run the opportunity (admins, its poster) reach these;
//! everyone else gets 404 ([`crate::opportunities::managed`]).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use enishi_core::notifications::Kind as NoticeKind;
use enishi_core::opportunities::{self as rules, AmountBand, Answer, FieldError, Kind, Stage};
use enishi_store::now_ms;
use enishi_store::opportunities::{self as stored, AnswerRow, NewOutcome};
use serde::Deserialize;

use crate::auth::Viewer;
use crate::csrf::CsrfForm;
use crate::ctx::PageCtx;
use crate::notifications::About;
use crate::opportunities::{MatchView, OppCtx, field, managed, matches};
use crate::opportunities_pages::{OppView, view};
use crate::posts::AuthorView;
use crate::scope::NetworkScope;
use crate::{AppError, AppState};

/// What HR does to one answer.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AnswerAction {
    /// `stage`, `note` or `outcome`.
    pub action: String,
    /// `stage`: `interested`, `talking`, `proposed`, `won` or `not_now`.
    pub stage: String,
    /// `stage`: why not this time (required for `not_now`; HR only).
    pub reason: String,
    /// `stage`: tell the person (in the app, and by e-mail if they want).
    pub notify: bool,
    /// `note`: HR's note (never shown to the person).
    pub body: String,
    /// `outcome`: the day (rehired on, contracted on, hired on, done on).
    pub on: String,
    /// `outcome`, projects: `under_1m`, `1m_5m`, `5m_20m`, `over_20m` or
    /// `undisclosed`.
    pub band: String,
    /// `outcome`: a short note.
    pub note: String,
}

/// The same, from the page's forms (a ticked box arrives as text).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerActionForm {
    pub action: String,
    pub stage: String,
    pub reason: String,
    pub notify: Option<String>,
    pub body: String,
    pub on: String,
    pub band: String,
    pub note: String,
}

impl AnswerActionForm {
    fn action(&self) -> AnswerAction {
        AnswerAction {
            action: self.action.clone(),
            stage: self.stage.clone(),
            reason: self.reason.clone(),
            notify: self.notify.is_some(),
            body: self.body.clone(),
            on: self.on.clone(),
            band: self.band.clone(),
            note: self.note.clone(),
        }
    }
}

/// Does `action` to the answer `answer_id` of `o`.
pub async fn act(
    state: &AppState,
    scope: &NetworkScope,
    o: &OppCtx,
    answer_id: i64,
    action: &AnswerAction,
    ip: &str,
) -> Result<Result<(), Vec<FieldError>>, AppError> {
    let a = stored::get_answer(&state.db, scope.id(), o.id(), answer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = now_ms();
    match action.action.as_str() {
        "stage" => {
            if a.stage == Stage::Withdrawn.as_str() {
                // the person took it back: theirs to answer again
                return Ok(Err(vec![field("stage", "invalid.opportunity_withdrawn")]));
            }
            let change = match rules::check_stage(&action.stage, &action.reason) {
                Ok(c) => c,
                Err(e) => return Ok(Err(vec![e])),
            };
            stored::set_stage(
                &state.db,
                scope.id(),
                a.id,
                change.stage.as_str(),
                &change.reason,
                now,
            )
            .await?;
            if action.notify
                && let Some(kind) = NoticeKind::of_stage(change.stage)
            {
                crate::notifications::notify(
                    state,
                    scope,
                    &[(a.account_id, kind)],
                    About {
                        opportunity: Some(o.id()),
                        ..About::default()
                    },
                )
                .await;
            }
        }
        "note" => {
            let body = match rules::check_note(&action.body) {
                Ok(b) if !b.is_empty() => b,
                Ok(_) => return Ok(Err(vec![field("body", "invalid.opportunity_note_empty")])),
                Err(k) => return Ok(Err(vec![field("body", k)])),
            };
            stored::add_note(
                &state.db,
                scope.id(),
                a.id,
                scope.membership.account_id,
                &body,
                now,
            )
            .await?;
        }
        "outcome" => {
            let stage = Stage::parse(&a.stage).unwrap_or(Stage::Interested);
            let draft = match rules::check_outcome(
                o.kind,
                Answer::parse(&a.answer).unwrap_or(Answer::Interest),
                stage,
                &action.on,
                &action.band,
                &action.note,
            ) {
                Ok(d) => d,
                Err(e) => return Ok(Err(e)),
            };
            stored::record_outcome(
                &state.db,
                scope.id(),
                &NewOutcome {
                    opportunity_id: o.id(),
                    answer_id: a.id,
                    outcome: draft.outcome.as_str(),
                    on_day: &draft.on,
                    amount_band: draft.band.map(AmountBand::as_str),
                    note: &draft.note,
                    recorded_by: scope.membership.account_id,
                },
                now,
            )
            .await?;
        }
        _ => return Ok(Err(vec![field("action", "invalid.opportunity_action")])),
    }
    if action.action != "note" {
        // who moved whom, and what was recorded, for the audit log
        crate::networks::record(
            state,
            &scope.network,
            Some(scope.membership.account_id),
            &format!("opportunity.{}", action.action),
            Some(&format!("{}/{}", o.id(), a.id)),
            ip,
        )
        .await;
    }
    Ok(Ok(()))
}

/// Takes the member's own answer back (while it is not decided); HR sees
/// it as withdrawn. `Err(key)` when it may no longer be.
pub async fn withdraw(
    state: &AppState,
    scope: &NetworkScope,
    o: &OppCtx,
    answer_id: i64,
) -> Result<Result<(), &'static str>, AppError> {
    let a = stored::get_answer(&state.db, scope.id(), o.id(), answer_id)
        .await?
        .filter(|a| a.account_id == scope.membership.account_id)
        .ok_or(AppError::NotFound)?;
    if !Stage::parse(&a.stage).is_some_and(Stage::may_withdraw) {
        return Ok(Err("invalid.opportunity_withdraw_decided"));
    }
    stored::set_stage(
        &state.db,
        scope.id(),
        a.id,
        Stage::Withdrawn.as_str(),
        "",
        now_ms(),
    )
    .await?;
    Ok(Ok(()))
}

/// `POST /n/{slug}/opportunities/{opportunity_id}/answers/{answer_id}/withdraw`
pub async fn withdraw_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id, answer_id)): Path<(String, i64, i64)>,
    CsrfForm(_): CsrfForm<crate::signin::NoFields>,
) -> Result<Response, AppError> {
    let o = crate::opportunities::opportunity_for(&state, &scope, id).await?;
    withdraw(&state, &scope, &o, answer_id)
        .await?
        .map_err(|key| AppError::Conflict(ctx.t(key)))?;
    Ok(Redirect::to(&format!(
        "/n/{}/opportunities/{id}?done=withdrawn",
        scope.slug()
    ))
    .into_response())
}

// ─────────────────────────────── the pipeline page ───────────────────────────────

/// An answer on HR's board.
#[derive(Clone, Debug)]
pub struct AnswerView {
    pub id: i64,
    pub who: AuthorView,
    pub profile_id: Option<i64>,
    pub answer: String,
    pub stage: String,
    pub stage_reason: String,
    pub note: String,
    pub cv_url: String,
    pub referred_name: String,
    pub referred_email: String,
    pub relationship: String,
    pub consent_at: Option<i64>,
    pub created_at: i64,
    pub notes: Vec<NoteView>,
    pub outcome: Option<OutcomeView>,
}

#[derive(Clone, Debug)]
pub struct NoteView {
    pub who: String,
    pub body: String,
    pub created_at: i64,
}

#[derive(Clone, Debug)]
pub struct OutcomeView {
    pub outcome: String,
    pub on: String,
    pub band: String,
    pub note: String,
}

/// One column of the board.
#[derive(Clone, Debug)]
pub struct Column {
    pub stage: &'static str,
    pub answers: Vec<AnswerView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "opportunities/pipeline.html")]
pub struct PipelinePage {
    pub ctx: PageCtx,
    pub slug: String,
    pub o: OppView,
    pub is_project: bool,
    pub columns: Vec<Column>,
    pub errors: Vec<FieldError>,
    /// The answer the errors are about.
    pub error_answer: i64,
    pub notice: Option<&'static str>,
    pub today: String,
}

impl PipelinePage {
    /// The stages HR chooses from.
    pub fn stages(&self) -> &'static [Stage] {
        Stage::BY_HR
    }
    pub fn bands(&self) -> &'static [AmountBand] {
        AmountBand::ALL
    }
    /// Answers in every stage.
    pub fn total(&self) -> usize {
        self.columns.iter().map(|c| c.answers.len()).sum()
    }
    /// The recorded amount band of an answer (empty when none).
    pub fn band_of(&self, a: &AnswerView) -> String {
        a.outcome
            .as_ref()
            .map(|o| o.band.clone())
            .unwrap_or_default()
    }
    pub fn errors_for(&self, answer: &i64) -> Vec<&'static str> {
        if *answer != self.error_answer {
            return Vec::new();
        }
        self.errors.iter().map(|e| self.ctx.t(e.key)).collect()
    }
}

/// The answers of `o` as HR sees them, with notes and outcomes.
pub async fn board(
    state: &AppState,
    ctx: &PageCtx,
    scope: &NetworkScope,
    o: &OppCtx,
) -> Result<Vec<AnswerView>, AppError> {
    let notes = stored::notes(&state.db, scope.id(), o.id()).await?;
    let outcomes = stored::outcomes(
        &state.db,
        scope.id(),
        stored::OutcomesOf::Opportunity(o.id()),
    )
    .await?;
    let former = ctx.t("posts.former_member");
    let rows: Vec<AnswerRow> = stored::answers(&state.db, scope.id(), o.id()).await?;
    Ok(rows
        .into_iter()
        .map(|a| AnswerView {
            id: a.id,
            who: AuthorView::of(scope, ctx.lang, Some(a.account_id), &a.author, former),
            profile_id: a.author.profile_id,
            notes: notes
                .iter()
                .filter(|n| n.answer_id == a.id)
                .map(|n| NoteView {
                    who: AuthorView::of(scope, ctx.lang, n.author_id, &n.author, former).name,
                    body: n.body.clone(),
                    created_at: n.created_at,
                })
                .collect(),
            outcome: outcomes
                .iter()
                .find(|x| x.answer_id == a.id)
                .map(|x| OutcomeView {
                    outcome: x.outcome.clone(),
                    on: x.on_day.clone(),
                    band: x.amount_band.clone().unwrap_or_default(),
                    note: x.note.clone(),
                }),
            answer: a.answer,
            stage: a.stage,
            stage_reason: a.stage_reason,
            note: a.note,
            cv_url: a.cv_url,
            referred_name: a.referred_name,
            referred_email: a.referred_email,
            relationship: a.relationship,
            consent_at: a.consent_at,
            created_at: a.created_at,
        })
        .collect())
}

async fn pipeline_page(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
    o: &OppCtx,
    errors: (i64, Vec<FieldError>),
    notice: Option<&'static str>,
) -> Result<PipelinePage, AppError> {
    let all = board(state, &ctx, scope, o).await?;
    let columns = Stage::ALL
        .iter()
        .map(|s| Column {
            stage: s.as_str(),
            answers: all
                .iter()
                .filter(|a| a.stage == s.as_str())
                .cloned()
                .collect(),
        })
        .collect();
    Ok(PipelinePage {
        slug: scope.slug().to_string(),
        o: view(ctx.tr, o),
        is_project: o.kind == Kind::Project,
        columns,
        error_answer: errors.0,
        errors: errors.1,
        notice,
        today: rules::iso_day(crate::opportunities::today()),
        ctx,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    pub done: String,
}

/// `GET /n/{slug}/opportunities/{opportunity_id}/pipeline`
pub async fn pipeline(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    Query(q): Query<DoneQuery>,
) -> Result<PipelinePage, AppError> {
    let o = managed(&state, &scope, id).await?;
    let notice = match q.done.as_str() {
        "stage" => Some("opportunities.done_stage"),
        "note" => Some("opportunities.done_note"),
        "outcome" => Some("opportunities.done_outcome"),
        _ => None,
    };
    pipeline_page(&state, ctx, &scope, &o, (0, Vec::new()), notice).await
}

/// `POST /n/{slug}/opportunities/{opportunity_id}/answers/{answer_id}`
pub async fn answer_action_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    viewer: Viewer,
    Path((_slug, id, answer_id)): Path<(String, i64, i64)>,
    CsrfForm(form): CsrfForm<AnswerActionForm>,
) -> Result<Response, AppError> {
    let o = managed(&state, &scope, id).await?;
    let action = form.action();
    match act(&state, &scope, &o, answer_id, &action, &viewer.ip_text()).await? {
        Ok(()) => Ok(Redirect::to(&format!(
            "/n/{}/opportunities/{id}/pipeline?done={}#answer-{answer_id}",
            scope.slug(),
            action.action
        ))
        .into_response()),
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            pipeline_page(&state, ctx, &scope, &o, (answer_id, errors), None).await?,
        )
            .into_response()),
    }
}

// ─────────────────────────────── the match list ───────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "opportunities/matches.html")]
pub struct MatchesPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub o: OppView,
    pub matches: Vec<MatchView>,
}

/// `GET /n/{slug}/opportunities/{opportunity_id}/matches`: the people who
/// fit best, with reasons (its own page: it searches the directory several
/// times, which the pipeline's stage changes should not wait for).
pub async fn matches_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<MatchesPage, AppError> {
    let o = managed(&state, &scope, id).await?;
    let matches = matches(&state, &ctx, &scope, &o).await?;
    Ok(MatchesPage {
        slug: scope.slug().to_string(),
        o: view(ctx.tr, &o),
        matches,
        ctx,
    })
}

// ─────────────────────────────── who may post ───────────────────────────────

/// A member authorised to post.
#[derive(Clone, Debug)]
pub struct PosterView {
    pub account_id: i64,
    pub who: AuthorView,
    pub kind: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "opportunities/posters.html")]
pub struct PostersPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub posters: Vec<PosterView>,
    pub error: Option<&'static str>,
    pub notice: Option<&'static str>,
    pub email: String,
}

async fn posters_page(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
    error: Option<&'static str>,
    notice: Option<&'static str>,
    email: String,
) -> Result<PostersPage, AppError> {
    let former = ctx.t("posts.former_member");
    let posters = stored::posters(&state.db, scope.id())
        .await?
        .into_iter()
        .map(|p| PosterView {
            account_id: p.account_id,
            who: AuthorView::of(scope, ctx.lang, Some(p.account_id), &p.author, former),
            kind: p.kind,
        })
        .collect();
    Ok(PostersPage {
        slug: scope.slug().to_string(),
        posters,
        error,
        notice,
        email,
        ctx,
    })
}

/// `GET /n/{slug}/opportunities/posters`
pub async fn posters(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Query(q): Query<DoneQuery>,
) -> Result<PostersPage, AppError> {
    let notice = match q.done.as_str() {
        "added" => Some("opportunities.done_poster_added"),
        "removed" => Some("opportunities.done_poster_removed"),
        _ => None,
    };
    posters_page(&state, ctx, &scope, None, notice, String::new()).await
}

/// Authorising someone by address, or removing them.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct PosterForm {
    /// `add` (with `email`) or `remove` (with `account`).
    pub action: String,
    pub email: String,
    pub account: String,
}

/// `POST /n/{slug}/opportunities/posters`: current staff only (alumni
/// post through HR).
pub async fn posters_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<PosterForm>,
) -> Result<Response, AppError> {
    let (st, sc) = (&state, &scope);
    let refuse = |key: &'static str, ctx: PageCtx, email: String| async move {
        Ok::<Response, AppError>(
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                posters_page(st, ctx, sc, Some(key), None, email).await?,
            )
                .into_response(),
        )
    };
    let (account, on) = match form.action.as_str() {
        "add" => {
            let member = crate::networks::membership_by_address(&state, scope.id(), &form.email)
                .await?
                .filter(|m| m.status == "active");
            match member {
                Some(m) if m.kind == "employee" || m.kind == "hr" => (m.account_id, true),
                Some(_) => return refuse("invalid.poster_not_staff", ctx, form.email).await,
                None => return refuse("invalid.poster_unknown", ctx, form.email).await,
            }
        }
        "remove" => match form.account.trim().parse::<i64>() {
            Ok(a) => (a, false),
            Err(_) => return Err(AppError::NotFound),
        },
        _ => return refuse("invalid.opportunity_action", ctx, form.email).await,
    };
    if !stored::set_poster(&state.db, scope.id(), account, on).await? {
        return Err(AppError::NotFound);
    }
    crate::networks::record(
        &state,
        &scope.network,
        Some(scope.membership.account_id),
        if on {
            "opportunity.poster_added"
        } else {
            "opportunity.poster_removed"
        },
        Some(&account.to_string()),
        &viewer.ip_text(),
    )
    .await;
    let done = if on { "added" } else { "removed" };
    Ok(Redirect::to(&format!(
        "/n/{}/opportunities/posters?done={done}",
        scope.slug()
    ))
    .into_response())
}
