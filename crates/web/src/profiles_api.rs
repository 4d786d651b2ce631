//! Profiles and the directory through the JSON API. The same rules as the
//! pages: what a viewer sees comes from `Profile::seen_by`, searches and
//! views count against the same rate limit.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use enishi_core::privacy::{Field, Viewer};
use enishi_core::profile::Profile;
use enishi_store::images::Size;
use enishi_store::profiles::Stored;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::ApiJson;
use crate::ctx::PageCtx;
use crate::images;
use crate::profiles::{
    DirectoryParams, ProfileInput, count_view, my_profile, run_search, save_input, visible_person,
};
use crate::scope::NetworkScope;
use crate::{AppError, AppState};

/// A stint at the company. Fields the viewer may not see are empty.
#[derive(Serialize, ToSchema)]
pub struct StintBody {
    /// `2009-04`
    pub joined: Option<String>,
    /// `2015-03`; null while still there (or when hidden).
    pub left: Option<String>,
    pub departments: Vec<String>,
    pub titles: Vec<String>,
    pub office: String,
    /// Only for admins and the person.
    pub employee_number: String,
}

/// A person as the caller may see them: hidden fields are empty.
#[derive(Serialize, ToSchema)]
pub struct PersonBody {
    pub id: i64,
    /// The name in the caller's language's order.
    pub display_name: String,
    pub family: String,
    pub given: String,
    pub family_kana: String,
    pub given_kana: String,
    pub family_romaji: String,
    pub given_romaji: String,
    pub nickname: String,
    /// `2009–2015 営業本部`
    pub era: String,
    pub company: String,
    pub title: String,
    pub industry: String,
    pub location: String,
    pub work_style: Option<String>,
    pub skills: Vec<String>,
    pub languages: Vec<String>,
    pub links: Vec<String>,
    /// Markdown as written.
    pub bio: String,
    /// Address of the 512 px photo.
    pub photo: Option<String>,
    /// Address of the 128 px photo.
    pub photo_small: Option<String>,
    pub open_to: Vec<String>,
    pub email: String,
    pub phone: String,
    pub stints: Vec<StintBody>,
    /// Only in one's own profile: field → `network`, `admins` or `me`.
    pub visibility: Option<BTreeMap<String, String>>,
}

impl PersonBody {
    pub fn of(
        slug: &str,
        id: i64,
        seen: &Profile,
        viewer: Viewer,
        lang: enishi_core::Lang,
    ) -> PersonBody {
        PersonBody {
            id,
            display_name: seen.display_name(lang),
            family: seen.family.clone(),
            given: seen.given.clone(),
            family_kana: seen.family_kana.clone(),
            given_kana: seen.given_kana.clone(),
            family_romaji: seen.family_romaji.clone(),
            given_romaji: seen.given_romaji.clone(),
            nickname: seen.nickname.clone(),
            era: seen.era(),
            company: seen.company.clone(),
            title: seen.title.clone(),
            industry: seen.industry.clone(),
            location: seen.location.clone(),
            work_style: seen.work_style.map(|w| w.as_str().to_string()),
            skills: seen.skills.clone(),
            languages: seen.languages.clone(),
            links: seen.links.clone(),
            bio: seen.bio.clone(),
            photo: seen
                .photo
                .as_deref()
                .map(|k| images::url(slug, k, Size::Large)),
            photo_small: seen
                .photo
                .as_deref()
                .map(|k| images::url(slug, k, Size::Small)),
            open_to: seen
                .open_to
                .iter()
                .map(|o| o.as_str().to_string())
                .collect(),
            email: seen.email.clone(),
            phone: seen.phone.clone(),
            stints: seen
                .stints
                .iter()
                .map(|s| StintBody {
                    joined: s.joined.map(|y| y.iso()),
                    left: s.left.map(|y| y.iso()),
                    departments: s.departments.clone(),
                    titles: s.titles.clone(),
                    office: s.office.clone(),
                    employee_number: s.employee_number.clone(),
                })
                .collect(),
            visibility: (viewer == Viewer::Themself).then(|| {
                Field::ALL
                    .iter()
                    .filter(|f| f.is_adjustable())
                    .map(|f| {
                        (
                            f.as_str().to_string(),
                            seen.visibility.of(*f).as_str().to_string(),
                        )
                    })
                    .collect()
            }),
        }
    }
}

/// One page of the directory.
#[derive(Serialize, ToSchema)]
pub struct DirectoryBody {
    /// How many match, up to 1,000.
    pub count: usize,
    /// More than `count` match.
    pub count_is_lower_bound: bool,
    /// Pass as `after` for the next page; null on the last.
    pub next: Option<String>,
    pub people: Vec<PersonBody>,
}

/// Searches the directory. Parameters: `q` (text), `sort` (`relevance`,
/// `kana`, `recent`, `left`), `joined_from`, `joined_to`, `left_from`,
/// `left_to` (years), `dept`, `industry`, `location`, `skill`, `open`
/// (repeatable: `rehire`, `contract`, `partnership`, `mentoring`,
/// `speaking`, `referral`, `staff_contact`), `kind` (`alumni`,
/// `employee`, `hr`), `era=1` (your era), `after` (from `next`), `limit`
/// (1–100, default 24). Only what the caller may see is searched.
#[utoipa::path(get, path = "/api/v1/n/{slug}/directory", tag = "directory",
    params(("slug" = String, Path, description = "The network's slug"),
           ("q" = Option<String>, Query, description = "Search text"),
           ("sort" = Option<String>, Query, description = "relevance, kana, recent or left"),
           ("after" = Option<String>, Query, description = "From the previous page's `next`"),
           ("limit" = Option<usize>, Query, description = "1–100")),
    responses((status = 200, description = "People", body = DirectoryBody),
              (status = 404, description = "No such network of yours", body = crate::error::Problem),
              (status = 429, description = "Too many searches; wait", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn directory(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    RawQuery(raw): RawQuery,
) -> Result<Json<DirectoryBody>, AppError> {
    count_view(&state, &scope).await?;
    let params = DirectoryParams::parse(raw.as_deref());
    let limit = params
        .limit
        .unwrap_or(crate::profiles::PAGE_SIZE)
        .clamp(1, 100);
    let (page, count) = run_search(&state, &scope, &params, limit).await?;
    let slug = scope.slug();
    let viewer = crate::profiles::search_viewer(&scope);
    Ok(Json(DirectoryBody {
        count: count.n,
        count_is_lower_bound: count.more,
        next: page.next,
        people: page
            .hits
            .iter()
            .map(|h| PersonBody::of(slug, h.stored.id, &h.stored.profile, viewer, ctx.lang))
            .collect(),
    }))
}

/// A person of the network, as the caller may see them.
#[utoipa::path(get, path = "/api/v1/n/{slug}/people/{profile_id}", tag = "directory",
    params(("slug" = String, Path, description = "The network's slug"),
           ("profile_id" = i64, Path, description = "The person's profile id")),
    responses((status = 200, description = "The person", body = PersonBody),
              (status = 404, description = "No such person in a network of yours", body = crate::error::Problem),
              (status = 429, description = "Too many views; wait", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn person(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<Json<PersonBody>, AppError> {
    count_view(&state, &scope).await?;
    let (stored, viewer) = visible_person(&state, &scope, id).await?;
    let seen = stored.profile.seen_by(viewer);
    Ok(Json(PersonBody::of(
        scope.slug(),
        stored.id,
        &seen,
        viewer,
        ctx.lang,
    )))
}

fn own_body(scope: &NetworkScope, stored: &Stored, lang: enishi_core::Lang) -> PersonBody {
    PersonBody::of(
        scope.slug(),
        stored.id,
        &stored.profile,
        Viewer::Themself,
        lang,
    )
}

/// My profile in the network, all of it, with who may see each field.
#[utoipa::path(get, path = "/api/v1/n/{slug}/profile", tag = "directory",
    params(("slug" = String, Path, description = "The network's slug")),
    responses((status = 200, description = "My profile", body = PersonBody),
              (status = 404, description = "No such network of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn my(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
) -> Result<Json<PersonBody>, AppError> {
    let stored = my_profile(&state, &scope).await?;
    Ok(Json(own_body(&scope, &stored, ctx.lang)))
}

/// Replaces my profile (omit `stints` to keep them; `visibility` lists
/// only the fields to change). Every refused field is named in `detail`.
#[utoipa::path(put, path = "/api/v1/n/{slug}/profile", tag = "directory",
    params(("slug" = String, Path, description = "The network's slug")),
    request_body = ProfileInput,
    responses((status = 200, description = "Saved", body = PersonBody),
              (status = 422, description = "Refused fields", body = crate::error::Problem),
              (status = 404, description = "No such network of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn update(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    ApiJson(input): ApiJson<ProfileInput>,
) -> Result<Json<PersonBody>, AppError> {
    let stored = my_profile(&state, &scope).await?;
    if let Err(errors) = save_input(&state, &scope, &stored, &input).await? {
        return Err(AppError::fields(
            &ctx,
            errors.iter().map(|e| (e.field.as_str(), e.key)),
        ));
    }
    let stored = my_profile(&state, &scope).await?;
    Ok(Json(own_body(&scope, &stored, ctx.lang)))
}
