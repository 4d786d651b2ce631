//! Opportunities through the JSON API: list (or "for you"), post, read,
//! edit, answer; and for those who run one, its pipeline, stage changes,
//! notes and outcomes, and its match list. The rules are the pages'
//! ([`crate::opportunities`]): an opportunity the caller may not see is
//! 404, and so is its pipeline for anyone who does not run it.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use enishi_core::opportunities::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::ApiJson;
use crate::auth::Viewer;
use crate::ctx::PageCtx;
use crate::opportunities::{
    AnswerInput, OppCtx, OpportunityForm, answer, for_you, managed, matches, opportunity_for, save,
    visible,
};
use crate::opportunities_pipeline::{AnswerAction, act, board};
use crate::scope::NetworkScope;
use crate::{AppError, AppState};

/// An opportunity as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct OpportunityBody {
    pub id: i64,
    /// `project`, `rehire`, `referral`, `mentoring` or `speaking`.
    pub kind: String,
    pub title: String,
    /// Markdown.
    pub description: String,
    /// `network`, `alumni`, `group` or `picked`.
    pub audience: String,
    pub group_id: Option<i64>,
    /// `open`, `paused`, `closed` or `filled`.
    pub status: String,
    /// The last day answers are taken (Japan time), `YYYY-MM-DD`.
    pub deadline: Option<String>,
    pub skills: Vec<String>,
    /// Kind-specific: work_mode, duration, rate_min, rate_max, rate_unit,
    /// role, department, conditions, ats_url, reward.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// The caller saved it.
    pub saved: bool,
    /// How many answers the caller gave.
    pub answered: i64,
    /// Everyone's answers (only for those who run it; otherwise null).
    pub answers: Option<i64>,
    /// Why it is for the caller (in "for you" lists).
    pub reasons: Option<String>,
    pub created_at: i64,
}

fn body_of(o: &OppCtx, reasons: Option<String>) -> OpportunityBody {
    let op = &o.row.opportunity;
    OpportunityBody {
        id: op.id,
        kind: o.kind.as_str().into(),
        title: op.title.clone(),
        description: op.description.clone(),
        audience: o.audience.as_str().into(),
        group_id: op.group_id,
        status: o.status.as_str().into(),
        deadline: op.deadline.clone(),
        skills: o.skills.clone(),
        details: serde_json::to_value(&o.details).unwrap_or_default(),
        saved: o.row.saved,
        answered: o.row.mine,
        answers: o.may_manage().then_some(o.row.answers),
        reasons,
        created_at: op.created_at,
    }
}

fn refused(ctx: &PageCtx, errors: &[FieldError]) -> AppError {
    AppError::fields(ctx, errors.iter().map(|e| (e.field, e.key)))
}

#[derive(Deserialize, IntoParams)]
pub struct ListParams {
    /// Only this kind.
    pub kind: Option<String>,
    /// `true`: only open opportunities that fit the caller, best first,
    /// with reasons.
    pub for_you: Option<bool>,
}

/// The opportunities that exist for the caller (or those "for you").
#[utoipa::path(get, path = "/api/v1/n/{slug}/opportunities", tag = "opportunities",
    params(("slug" = String, Path, description = "The network's slug"), ListParams),
    responses((status = 200, description = "Newest first (for you: best fit first)", body = [OpportunityBody]),
              (status = 404, description = "No such network of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn list_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Query(p): Query<ListParams>,
) -> Result<Json<Vec<OpportunityBody>>, AppError> {
    let kind = p
        .kind
        .as_deref()
        .and_then(enishi_core::opportunities::Kind::parse);
    let keep = |o: &OppCtx| kind.is_none_or(|k| o.kind == k);
    if p.for_you == Some(true) {
        return Ok(Json(
            for_you(&state, ctx.tr, &scope, None, 20)
                .await?
                .into_iter()
                .filter(|f| keep(&f.opportunity))
                .map(|f| body_of(&f.opportunity, Some(f.reasons)))
                .collect(),
        ));
    }
    Ok(Json(
        visible(&state, &scope)
            .await?
            .iter()
            .filter(|o| keep(o))
            .map(|o| body_of(o, None))
            .collect(),
    ))
}

/// An opportunity as posted through the API.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct OpportunityInput {
    /// `project`, `rehire`, `referral`, `mentoring` or `speaking` (fixed once posted).
    pub kind: String,
    pub title: String,
    pub description: String,
    /// `network`, `alumni`, `group` (with `group_id`) or `picked` (with `picked`).
    pub audience: String,
    pub group_id: Option<i64>,
    /// The picked members' addresses.
    pub picked: Vec<String>,
    /// `open` (default), `paused`, `closed` or `filled`.
    pub status: String,
    /// `YYYY-MM-DD`, not in the past.
    pub deadline: String,
    pub skills: Vec<String>,
    /// Projects: `remote`, `onsite` or `hybrid`.
    pub work_mode: String,
    pub duration: String,
    /// Projects: yen; both empty means "to discuss".
    pub rate_min: Option<i64>,
    pub rate_max: Option<i64>,
    /// `hour`, `day`, `month` (default) or `total`.
    pub rate_unit: String,
    /// Rehire openings and referral requests.
    pub role: String,
    pub department: String,
    pub conditions: String,
    pub ats_url: String,
    pub reward: String,
}

impl OpportunityInput {
    fn form(&self) -> OpportunityForm {
        let num = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        OpportunityForm {
            kind: self.kind.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            audience: self.audience.clone(),
            group: self.group_id.map(|g| g.to_string()).unwrap_or_default(),
            picked: self.picked.join("\n"),
            status: self.status.clone(),
            deadline: self.deadline.clone(),
            skills: self.skills.join("\n"),
            work_mode: self.work_mode.clone(),
            duration: self.duration.clone(),
            rate_min: num(self.rate_min),
            rate_max: num(self.rate_max),
            rate_unit: self.rate_unit.clone(),
            role: self.role.clone(),
            department: self.department.clone(),
            conditions: self.conditions.clone(),
            ats_url: self.ats_url.clone(),
            reward: self.reward.clone(),
        }
    }
}

/// Posts an opportunity (admins, and staff an admin authorised).
#[utoipa::path(post, path = "/api/v1/n/{slug}/opportunities", tag = "opportunities",
    params(("slug" = String, Path, description = "The network's slug")),
    request_body = OpportunityInput,
    responses((status = 201, description = "Posted", body = OpportunityBody),
              (status = 422, description = "Refused fields", body = crate::error::Problem),
              (status = 404, description = "Not yours to post in", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn create_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    viewer: Viewer,
    ApiJson(input): ApiJson<OpportunityInput>,
) -> Result<(StatusCode, Json<OpportunityBody>), AppError> {
    let id = save(&state, &scope, &input.form(), None, &viewer.ip_text())
        .await?
        .map_err(|e| refused(&ctx, &e))?;
    let o = opportunity_for(&state, &scope, id).await?;
    Ok((StatusCode::CREATED, Json(body_of(&o, None))))
}

/// One opportunity.
#[utoipa::path(get, path = "/api/v1/n/{slug}/opportunities/{opportunity_id}", tag = "opportunities",
    params(("slug" = String, Path, description = "The network's slug"),
           ("opportunity_id" = i64, Path, description = "The opportunity")),
    responses((status = 200, description = "The opportunity", body = OpportunityBody),
              (status = 404, description = "No such opportunity for you", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn get_api(
    State(state): State<AppState>,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<Json<OpportunityBody>, AppError> {
    Ok(Json(body_of(
        &opportunity_for(&state, &scope, id).await?,
        None,
    )))
}

/// Rewrites an opportunity (its kind stays); also how it is paused,
/// closed or marked filled.
#[utoipa::path(put, path = "/api/v1/n/{slug}/opportunities/{opportunity_id}", tag = "opportunities",
    params(("slug" = String, Path, description = "The network's slug"),
           ("opportunity_id" = i64, Path, description = "The opportunity")),
    request_body = OpportunityInput,
    responses((status = 200, description = "Saved", body = OpportunityBody),
              (status = 422, description = "Refused fields", body = crate::error::Problem),
              (status = 404, description = "Not yours to run", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn update_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    viewer: Viewer,
    Path((_slug, id)): Path<(String, i64)>,
    ApiJson(input): ApiJson<OpportunityInput>,
) -> Result<Json<OpportunityBody>, AppError> {
    let o = managed(&state, &scope, id).await?;
    save(&state, &scope, &input.form(), Some(&o), &viewer.ip_text())
        .await?
        .map_err(|e| refused(&ctx, &e))?;
    Ok(Json(body_of(
        &opportunity_for(&state, &scope, id).await?,
        None,
    )))
}

/// What answering gave.
#[derive(Serialize, ToSchema)]
pub struct AnsweredBody {
    /// The answer (a repeated interest or offer gives the first one's).
    pub id: i64,
}

/// Answers an opportunity: interest (note, CV link), a referral (the
/// person's name, address, relationship, and `agreed`: they agreed to be
/// introduced; HR contacts them, nobody is e-mailed automatically), or an
/// offer to mentor. Referrals: at most 10 a minute.
#[utoipa::path(post, path = "/api/v1/n/{slug}/opportunities/{opportunity_id}/answers", tag = "opportunities",
    params(("slug" = String, Path, description = "The network's slug"),
           ("opportunity_id" = i64, Path, description = "The opportunity")),
    request_body = AnswerInput,
    responses((status = 201, description = "Answered", body = AnsweredBody),
              (status = 422, description = "Refused (closed, past the deadline, own, bad fields)", body = crate::error::Problem),
              (status = 429, description = "Too many referrals", body = crate::error::Problem),
              (status = 404, description = "No such opportunity for you", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn answer_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    ApiJson(input): ApiJson<AnswerInput>,
) -> Result<(StatusCode, Json<AnsweredBody>), AppError> {
    let o = opportunity_for(&state, &scope, id).await?;
    let id = answer(&state, &scope, &o, &input)
        .await?
        .map_err(|e| refused(&ctx, &e))?;
    Ok((StatusCode::CREATED, Json(AnsweredBody { id })))
}

/// An answer in the pipeline.
#[derive(Serialize, ToSchema)]
pub struct AnswerBody {
    pub id: i64,
    /// The answering member's profile.
    pub profile_id: Option<i64>,
    pub name: String,
    /// `interest`, `referral` or `mentor`.
    pub answer: String,
    /// `interested`, `talking`, `proposed`, `won` or `not_now`.
    pub stage: String,
    pub stage_reason: String,
    pub note: String,
    pub cv_url: String,
    pub referred_name: String,
    pub referred_email: String,
    pub relationship: String,
    /// When the referrer confirmed the person agreed to be introduced.
    pub consent_at: Option<i64>,
    /// HR's notes, oldest first.
    pub notes: Vec<String>,
    /// `rehired`, `contracted`, `referral_hired`, `mentoring_done` or `talk_given`.
    pub outcome: Option<String>,
    pub outcome_on: Option<String>,
    pub amount_band: Option<String>,
    pub created_at: i64,
}

/// The pipeline: every answer, with HR's notes and outcomes.
#[utoipa::path(get, path = "/api/v1/n/{slug}/opportunities/{opportunity_id}/answers", tag = "opportunities",
    params(("slug" = String, Path, description = "The network's slug"),
           ("opportunity_id" = i64, Path, description = "The opportunity")),
    responses((status = 200, description = "Oldest first", body = [AnswerBody]),
              (status = 404, description = "Not yours to run", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn answers_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<Json<Vec<AnswerBody>>, AppError> {
    let o = managed(&state, &scope, id).await?;
    Ok(Json(
        board(&state, &ctx, &scope, &o)
            .await?
            .into_iter()
            .map(|a| AnswerBody {
                id: a.id,
                profile_id: a.profile_id,
                name: a.who.name,
                answer: a.answer,
                stage: a.stage,
                stage_reason: a.stage_reason,
                note: a.note,
                cv_url: a.cv_url,
                referred_name: a.referred_name,
                referred_email: a.referred_email,
                relationship: a.relationship,
                consent_at: a.consent_at,
                notes: a.notes.into_iter().map(|n| n.body).collect(),
                outcome: a.outcome.as_ref().map(|x| x.outcome.clone()),
                outcome_on: a.outcome.as_ref().map(|x| x.on.clone()),
                amount_band: a
                    .outcome
                    .as_ref()
                    .map(|x| x.band.clone())
                    .filter(|b| !b.is_empty()),
                created_at: a.created_at,
            })
            .collect(),
    ))
}

/// Moves an answer to a stage (optionally telling the person), adds an
/// HR-only note, or records the outcome of a won answer — by `action`.
#[utoipa::path(post, path = "/api/v1/n/{slug}/opportunities/{opportunity_id}/answers/{answer_id}", tag = "opportunities",
    params(("slug" = String, Path, description = "The network's slug"),
           ("opportunity_id" = i64, Path, description = "The opportunity"),
           ("answer_id" = i64, Path, description = "The answer")),
    request_body = AnswerAction,
    responses((status = 204, description = "Done"),
              (status = 422, description = "Refused fields", body = crate::error::Problem),
              (status = 404, description = "Not yours to run", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn answer_action_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    viewer: Viewer,
    Path((_slug, id, answer_id)): Path<(String, i64, i64)>,
    ApiJson(action): ApiJson<AnswerAction>,
) -> Result<StatusCode, AppError> {
    let o = managed(&state, &scope, id).await?;
    act(&state, &scope, &o, answer_id, &action, &viewer.ip_text())
        .await?
        .map_err(|e| refused(&ctx, &e))?;
    Ok(StatusCode::NO_CONTENT)
}

/// Someone who fits.
#[derive(Serialize, ToSchema)]
pub struct MatchBody {
    pub profile_id: i64,
    pub name: String,
    pub era: String,
    pub score: u32,
    /// Why, in the caller's language.
    pub reasons: String,
}

/// The members who fit best, with reasons (never people who opted out;
/// only fields the caller may see count).
#[utoipa::path(get, path = "/api/v1/n/{slug}/opportunities/{opportunity_id}/matches", tag = "opportunities",
    params(("slug" = String, Path, description = "The network's slug"),
           ("opportunity_id" = i64, Path, description = "The opportunity")),
    responses((status = 200, description = "Best fit first", body = [MatchBody]),
              (status = 404, description = "Not yours to run", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn matches_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<Json<Vec<MatchBody>>, AppError> {
    let o = managed(&state, &scope, id).await?;
    Ok(Json(
        matches(&state, &ctx, &scope, &o)
            .await?
            .into_iter()
            .map(|m| MatchBody {
                profile_id: m.profile_id,
                name: m.name,
                era: m.era,
                score: m.score,
                reasons: m.reasons,
            })
            .collect(),
    ))
}

/// Whether the caller saved it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct SavedBody {
    pub saved: bool,
}

/// Saves an opportunity for later (or unsaves it).
#[utoipa::path(put, path = "/api/v1/n/{slug}/opportunities/{opportunity_id}/saved", tag = "opportunities",
    params(("slug" = String, Path, description = "The network's slug"),
           ("opportunity_id" = i64, Path, description = "The opportunity")),
    request_body = SavedBody,
    responses((status = 200, description = "Saved or not, now", body = SavedBody),
              (status = 404, description = "No such opportunity for you", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn saved_api(
    State(state): State<AppState>,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    ApiJson(body): ApiJson<SavedBody>,
) -> Result<Json<SavedBody>, AppError> {
    let o = opportunity_for(&state, &scope, id).await?;
    enishi_store::opportunities::set_saved(
        &state.db,
        scope.id(),
        o.id(),
        scope.membership.account_id,
        body.saved,
        enishi_store::now_ms(),
    )
    .await?;
    Ok(Json(body))
}

/// The caller's matching choice in this network.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct MatchingBody {
    /// `false`: never suggest me to HR in match lists.
    pub suggest_me: bool,
}

/// Whether HR's match lists may suggest the caller.
#[utoipa::path(put, path = "/api/v1/n/{slug}/opportunity-matching", tag = "opportunities",
    params(("slug" = String, Path, description = "The network's slug")),
    request_body = MatchingBody,
    responses((status = 200, description = "The choice, now", body = MatchingBody),
              (status = 404, description = "No such network of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn matching_api(
    State(state): State<AppState>,
    scope: NetworkScope,
    ApiJson(body): ApiJson<MatchingBody>,
) -> Result<Json<MatchingBody>, AppError> {
    enishi_store::opportunities::set_opt_out(
        &state.db,
        scope.id(),
        scope.membership.account_id,
        !body.suggest_me,
    )
    .await?;
    Ok(Json(body))
}

/// Takes the caller's own answer back while it is not decided (HR sees it
/// as withdrawn).
#[utoipa::path(delete, path = "/api/v1/n/{slug}/opportunities/{opportunity_id}/answers/{answer_id}", tag = "opportunities",
    params(("slug" = String, Path, description = "The network's slug"),
           ("opportunity_id" = i64, Path, description = "The opportunity"),
           ("answer_id" = i64, Path, description = "One of the caller's answers")),
    responses((status = 204, description = "Withdrawn"),
              (status = 409, description = "Already decided or withdrawn", body = crate::error::Problem),
              (status = 404, description = "No such answer of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn withdraw_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id, answer_id)): Path<(String, i64, i64)>,
) -> Result<StatusCode, AppError> {
    let o = opportunity_for(&state, &scope, id).await?;
    crate::opportunities_pipeline::withdraw(&state, &scope, &o, answer_id)
        .await?
        .map_err(|key| AppError::Conflict(ctx.t(key)))?;
    Ok(StatusCode::NO_CONTENT)
}
