//! Alumni businesses (アルムナイ経由のビジネス), as pages and API: the
//! directory with the people directory's Japanese search and an industry
//! filter, a member's own listings (up to five), and an enquiry that
//! becomes a conversation with the owner — the owner's address is never
//! shown, and their choice of who may message them still holds.
//!
//! A listing is edited only by its owner (admins may remove one); anyone
//! else gets 404 for its edit routes.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use enishi_core::businesses::{self as rules, FieldError, Input, MAX_PER_MEMBER};
use enishi_core::search::Query as SearchQuery;
use enishi_store::businesses::{self as stored, Business, NewBusiness};
use enishi_store::now_ms;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::ApiJson;
use crate::csrf::CsrfForm;
use crate::ctx::PageCtx;
use crate::messages::StartInput;
use crate::posts::AuthorView;
use crate::scope::NetworkScope;
use crate::{AppError, AppState};

/// A listing as written in the form or the API.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct BusinessInput {
    pub name: String,
    /// フリガナ (optional): lets kana and romaji find a kanji name.
    pub kana: String,
    /// What it offers.
    pub offer: String,
    pub industry: String,
    /// Its website (http or https).
    pub url: String,
}

/// A listing as shown.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BusinessBody {
    pub id: i64,
    pub name: String,
    pub kana: String,
    pub offer: String,
    pub industry: String,
    pub url: String,
    /// The owner's profile.
    pub owner_profile_id: Option<i64>,
    pub owner_name: String,
    /// The caller owns it.
    pub mine: bool,
    pub updated_at: i64,
}

fn body_of(ctx: &PageCtx, scope: &NetworkScope, b: &Business) -> BusinessBody {
    BusinessBody {
        id: b.id,
        name: b.name.clone(),
        kana: b.kana.clone(),
        offer: b.offer.clone(),
        industry: b.industry.clone(),
        url: b.url.clone(),
        owner_profile_id: b.owner.profile_id,
        owner_name: owner_of(ctx, scope, b).name,
        mine: b.account_id == scope.membership.account_id,
        updated_at: b.updated_at,
    }
}

fn owner_of(ctx: &PageCtx, scope: &NetworkScope, b: &Business) -> AuthorView {
    AuthorView::of(
        scope,
        ctx.lang,
        Some(b.account_id),
        &b.owner,
        ctx.t("posts.former_member"),
    )
}

/// The listings matching `q` (all when empty) in `industry`, best match
/// first (newest first without a query).
pub async fn search(
    state: &AppState,
    scope: &NetworkScope,
    q: &str,
    industry: &str,
) -> Result<Vec<Business>, AppError> {
    Ok(matching(
        stored::list(&state.db, scope.id()).await?,
        q,
        industry,
    ))
}

/// [`search`] over listings already loaded.
fn matching(all: Vec<Business>, q: &str, industry: &str) -> Vec<Business> {
    let query = SearchQuery::parse(q);
    let mut found: Vec<(u32, Business)> = all
        .into_iter()
        .filter(|b| rules::in_industry(industry, &b.industry))
        .filter_map(|b| {
            rules::score(&query, &b.name, &b.kana, &b.industry, &b.offer).map(|s| (s, b))
        })
        .collect();
    // a stable sort keeps the newest first among equals
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    found.into_iter().map(|(_, b)| b).collect()
}

/// The listing `id` (404 when not in this network, or its owner left).
async fn business_for(
    state: &AppState,
    scope: &NetworkScope,
    id: i64,
) -> Result<Business, AppError> {
    stored::get(&state.db, scope.id(), id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The listing when the member may change it: its owner; admins may
/// remove (`removing`).
async fn owned(
    state: &AppState,
    scope: &NetworkScope,
    id: i64,
    removing: bool,
) -> Result<Business, AppError> {
    let b = business_for(state, scope, id).await?;
    if b.account_id == scope.membership.account_id || (removing && scope.is_admin()) {
        Ok(b)
    } else {
        Err(AppError::NotFound)
    }
}

/// Creates (`id: None`) or rewrites a listing of the member's own.
pub async fn save(
    state: &AppState,
    scope: &NetworkScope,
    id: Option<i64>,
    input: &BusinessInput,
) -> Result<Result<i64, Vec<FieldError>>, AppError> {
    let listing = match rules::check(&Input {
        name: input.name.clone(),
        kana: input.kana.clone(),
        offer: input.offer.clone(),
        industry: input.industry.clone(),
        url: input.url.clone(),
    }) {
        Ok(l) => l,
        Err(e) => return Ok(Err(e)),
    };
    let new = NewBusiness {
        name: &listing.name,
        kana: &listing.kana,
        offer: &listing.offer,
        industry: &listing.industry,
        url: &listing.url,
    };
    let me = scope.membership.account_id;
    match id {
        Some(id) => {
            stored::update(&state.db, scope.id(), id, &new, now_ms()).await?;
            Ok(Ok(id))
        }
        None => {
            if stored::count_of(&state.db, scope.id(), me).await? >= MAX_PER_MEMBER {
                return Ok(Err(vec![FieldError {
                    field: "name",
                    key: "invalid.business_too_many",
                }]));
            }
            Ok(Ok(stored::create(
                &state.db,
                scope.id(),
                me,
                &new,
                now_ms(),
            )
            .await?))
        }
    }
}

/// Sends an enquiry: a conversation with the owner, starting with it.
pub async fn enquire(
    state: &AppState,
    scope: &NetworkScope,
    b: &Business,
    ctx: &PageCtx,
    body: &str,
) -> Result<Result<i64, &'static str>, AppError> {
    if b.account_id == scope.membership.account_id {
        return Ok(Err("invalid.business_own"));
    }
    let Some(profile) = b.owner.profile_id else {
        return Ok(Err("invalid.conversation_unknown"));
    };
    let text = body.trim();
    if text.is_empty() {
        return Ok(Err("invalid.message_empty"));
    }
    let first = format!(
        "{}\n\n{}",
        ctx.tf1("businesses.enquiry_about", "name", &b.name),
        text
    );
    let input = StartInput {
        to: vec![profile],
        title: String::new(),
        body: first,
    };
    match crate::messages::start(state, scope, &input, None).await? {
        Ok(c) => Ok(Ok(c)),
        Err(errors) => Ok(Err(errors
            .first()
            .map(|e| e.key)
            .unwrap_or("invalid.message_empty"))),
    }
}

// ─────────────────────────────── pages ───────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "businesses/list.html")]
pub struct ListPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub items: Vec<BusinessBody>,
    pub q: String,
    pub industry: String,
    pub industries: Vec<String>,
    pub notice: Option<&'static str>,
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
pub struct ListQuery {
    /// Words to find (names, readings, industry, offer).
    pub q: String,
    /// Only this industry.
    pub industry: String,
    #[param(ignore)]
    pub done: String,
}

/// `GET /n/{slug}/businesses`
pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Query(q): Query<ListQuery>,
) -> Result<ListPage, AppError> {
    let all = stored::list(&state.db, scope.id()).await?;
    let mut industries: Vec<String> = all
        .iter()
        .map(|b| b.industry.clone())
        .filter(|i| !i.is_empty())
        .collect();
    industries.sort();
    industries.dedup();
    let items = matching(all, &q.q, &q.industry)
        .iter()
        .map(|b| body_of(&ctx, &scope, b))
        .collect();
    let notice = match q.done.as_str() {
        "removed" => Some("businesses.done_removed"),
        _ => None,
    };
    Ok(ListPage {
        slug: scope.slug().to_string(),
        items,
        q: q.q,
        industry: q.industry,
        industries,
        notice,
        ctx,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "businesses/form.html")]
pub struct FormPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub editing: Option<i64>,
    pub input: BusinessInput,
    pub errors: Vec<FieldError>,
}

impl FormPage {
    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| self.ctx.t(e.key))
    }
}

fn form_page(
    ctx: PageCtx,
    scope: &NetworkScope,
    editing: Option<i64>,
    input: BusinessInput,
    errors: Vec<FieldError>,
) -> FormPage {
    FormPage {
        slug: scope.slug().to_string(),
        editing,
        input,
        errors,
        ctx,
    }
}

/// `GET /n/{slug}/businesses/new`
pub async fn new_form(ctx: PageCtx, scope: NetworkScope) -> FormPage {
    form_page(ctx, &scope, None, BusinessInput::default(), Vec::new())
}

/// `POST /n/{slug}/businesses`
pub async fn create_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    CsrfForm(input): CsrfForm<BusinessInput>,
) -> Result<Response, AppError> {
    match save(&state, &scope, None, &input).await? {
        Ok(id) => Ok(
            Redirect::to(&format!("/n/{}/businesses/{id}?done=saved", scope.slug()))
                .into_response(),
        ),
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            form_page(ctx, &scope, None, input, errors),
        )
            .into_response()),
    }
}

/// `GET /n/{slug}/businesses/{business_id}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<FormPage, AppError> {
    let b = owned(&state, &scope, id, false).await?;
    let input = BusinessInput {
        name: b.name,
        kana: b.kana,
        offer: b.offer,
        industry: b.industry,
        url: b.url,
    };
    Ok(form_page(ctx, &scope, Some(id), input, Vec::new()))
}

/// The edit form's fields, with `remove` for the delete button.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct UpdateForm {
    #[serde(flatten)]
    pub input: BusinessInput,
    pub remove: String,
}

/// `POST /n/{slug}/businesses/{business_id}`: save, or remove.
pub async fn update_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<UpdateForm>,
) -> Result<Response, AppError> {
    if form.remove == "1" {
        owned(&state, &scope, id, true).await?;
        stored::delete(&state.db, scope.id(), id).await?;
        return Ok(
            Redirect::to(&format!("/n/{}/businesses?done=removed", scope.slug())).into_response(),
        );
    }
    owned(&state, &scope, id, false).await?;
    match save(&state, &scope, Some(id), &form.input).await? {
        Ok(id) => Ok(
            Redirect::to(&format!("/n/{}/businesses/{id}?done=saved", scope.slug()))
                .into_response(),
        ),
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            form_page(ctx, &scope, Some(id), form.input, errors),
        )
            .into_response()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "businesses/show.html")]
pub struct ShowPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub b: BusinessBody,
    pub owner: AuthorView,
    pub offer_html: String,
    pub may_remove: bool,
    pub error: Option<&'static str>,
    pub body: String,
    pub notice: Option<&'static str>,
}

async fn show_page(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
    id: i64,
    error: Option<&'static str>,
    body: String,
    notice: Option<&'static str>,
) -> Result<ShowPage, AppError> {
    let b = business_for(state, scope, id).await?;
    Ok(ShowPage {
        slug: scope.slug().to_string(),
        b: body_of(&ctx, scope, &b),
        owner: owner_of(&ctx, scope, &b),
        offer_html: crate::markdown::render(&b.offer),
        may_remove: scope.is_admin() || b.account_id == scope.membership.account_id,
        error,
        body,
        notice,
        ctx,
    })
}

/// `GET /n/{slug}/businesses/{business_id}`
pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    Query(q): Query<ListQuery>,
) -> Result<ShowPage, AppError> {
    let notice = match q.done.as_str() {
        "saved" => Some("businesses.done_saved"),
        _ => None,
    };
    show_page(&state, ctx, &scope, id, None, String::new(), notice).await
}

/// An enquiry.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct EnquiryInput {
    pub body: String,
}

/// `POST /n/{slug}/businesses/{business_id}/enquiry`
pub async fn enquiry_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(input): CsrfForm<EnquiryInput>,
) -> Result<Response, AppError> {
    let b = business_for(&state, &scope, id).await?;
    match enquire(&state, &scope, &b, &ctx, &input.body).await? {
        Ok(c) => Ok(Redirect::to(&format!("/n/{}/messages/{c}", scope.slug())).into_response()),
        Err(key) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            show_page(&state, ctx, &scope, id, Some(key), input.body, None).await?,
        )
            .into_response()),
    }
}

// ─────────────────────────────── API ───────────────────────────────

fn refused(ctx: &PageCtx, errors: &[FieldError]) -> AppError {
    AppError::fields(ctx, errors.iter().map(|e| (e.field, e.key)))
}

/// The network's alumni businesses.
#[utoipa::path(get, path = "/api/v1/n/{slug}/businesses", tag = "businesses",
    params(("slug" = String, Path, description = "The network's slug"), ListQuery),
    responses((status = 200, description = "Best match first", body = [BusinessBody]),
              (status = 404, description = "No such network of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn list_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<BusinessBody>>, AppError> {
    Ok(Json(
        search(&state, &scope, &q.q, &q.industry)
            .await?
            .iter()
            .map(|b| body_of(&ctx, &scope, b))
            .collect(),
    ))
}

/// Lists one of the caller's businesses (at most five each).
#[utoipa::path(post, path = "/api/v1/n/{slug}/businesses", tag = "businesses",
    params(("slug" = String, Path, description = "The network's slug")),
    request_body = BusinessInput,
    responses((status = 201, description = "Listed", body = BusinessBody),
              (status = 422, description = "Refused fields", body = crate::error::Problem),
              (status = 404, description = "No such network of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn create_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    ApiJson(input): ApiJson<BusinessInput>,
) -> Result<(StatusCode, Json<BusinessBody>), AppError> {
    let id = save(&state, &scope, None, &input)
        .await?
        .map_err(|e| refused(&ctx, &e))?;
    let b = business_for(&state, &scope, id).await?;
    Ok((StatusCode::CREATED, Json(body_of(&ctx, &scope, &b))))
}

/// One listing.
#[utoipa::path(get, path = "/api/v1/n/{slug}/businesses/{business_id}", tag = "businesses",
    params(("slug" = String, Path, description = "The network's slug"),
           ("business_id" = i64, Path, description = "The listing")),
    responses((status = 200, description = "The listing", body = BusinessBody),
              (status = 404, description = "No such listing", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn get_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<Json<BusinessBody>, AppError> {
    let b = business_for(&state, &scope, id).await?;
    Ok(Json(body_of(&ctx, &scope, &b)))
}

/// Rewrites one of the caller's listings.
#[utoipa::path(put, path = "/api/v1/n/{slug}/businesses/{business_id}", tag = "businesses",
    params(("slug" = String, Path, description = "The network's slug"),
           ("business_id" = i64, Path, description = "The listing")),
    request_body = BusinessInput,
    responses((status = 200, description = "Saved", body = BusinessBody),
              (status = 422, description = "Refused fields", body = crate::error::Problem),
              (status = 404, description = "Not your listing", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn update_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    ApiJson(input): ApiJson<BusinessInput>,
) -> Result<Json<BusinessBody>, AppError> {
    owned(&state, &scope, id, false).await?;
    save(&state, &scope, Some(id), &input)
        .await?
        .map_err(|e| refused(&ctx, &e))?;
    let b = business_for(&state, &scope, id).await?;
    Ok(Json(body_of(&ctx, &scope, &b)))
}

/// Removes a listing (its owner, or an admin).
#[utoipa::path(delete, path = "/api/v1/n/{slug}/businesses/{business_id}", tag = "businesses",
    params(("slug" = String, Path, description = "The network's slug"),
           ("business_id" = i64, Path, description = "The listing")),
    responses((status = 204, description = "Removed"),
              (status = 404, description = "Not yours to remove", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn delete_api(
    State(state): State<AppState>,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<StatusCode, AppError> {
    owned(&state, &scope, id, true).await?;
    stored::delete(&state.db, scope.id(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The conversation an enquiry started.
#[derive(Serialize, ToSchema)]
pub struct EnquiryBody {
    pub conversation_id: i64,
}

/// Sends an enquiry to a listing's owner: a conversation with them (or
/// the one the two already have), starting with it.
#[utoipa::path(post, path = "/api/v1/n/{slug}/businesses/{business_id}/enquiries", tag = "businesses",
    params(("slug" = String, Path, description = "The network's slug"),
           ("business_id" = i64, Path, description = "The listing")),
    request_body = EnquiryInput,
    responses((status = 201, description = "Sent", body = EnquiryBody),
              (status = 422, description = "Refused (empty, own listing, the owner takes no messages from you)", body = crate::error::Problem),
              (status = 404, description = "No such listing", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn enquiry_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    ApiJson(input): ApiJson<EnquiryInput>,
) -> Result<(StatusCode, Json<EnquiryBody>), AppError> {
    let b = business_for(&state, &scope, id).await?;
    let c = enquire(&state, &scope, &b, &ctx, &input.body)
        .await?
        .map_err(|key| AppError::InvalidFields(vec![format!("body: {}", ctx.t(key))]))?;
    Ok((
        StatusCode::CREATED,
        Json(EnquiryBody { conversation_id: c }),
    ))
}
