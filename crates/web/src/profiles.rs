//! Profiles and the alumni directory, as pages: search with filters and
//! sorts, a person's page, editing one's own profile, the photo.
//!
//! What a viewer sees of a person is decided once, by
//! [`Profile::seen_by`] (core::privacy); the pages, the API
//! ([`crate::profiles_api`]) and the search all use it. Directory searches
//! and profile views count against one per-account rate limit
//! ([`VIEWS_PER_MINUTE`]) so the directory cannot be scraped.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequest, Multipart, Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Redirect, Response};
use enishi_core::privacy::{Field, Viewer, Visibility};
use enishi_core::profile::{
    self, Filter, MAX_BIO_CHARS, MAX_LINKS, MAX_SHORT_CHARS, MAX_STINTS, MAX_TAG_CHARS, MAX_TAGS,
    OpenTo, Profile, Stint, WorkStyle, YearMonth, check_link, check_stint, split_tags,
};
use enishi_core::search::Query;
use enishi_store::directory::{self, Count, Search, Sort};
use enishi_store::images::{self as stored_images, Size};
use enishi_store::profiles::{self, StintsChange, Stored};
use enishi_store::{Backend, now_ms};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::csrf::{COOKIE_NAME, CsrfForm, FIELD, cookie, tokens_match};
use crate::ctx::PageCtx;
use crate::images::{self, Shape};
use crate::scope::NetworkScope;
use crate::signin::{limit, over};
use crate::{AppError, AppState};

/// Directory searches and profile views one account may make per minute
/// (pages and API together) unless configured otherwise.
pub const VIEWS_PER_MINUTE: i64 = 120;
/// People per directory page.
pub const PAGE_SIZE: usize = 24;

/// Counts one directory search or profile view against the viewer's limit:
/// in the database on PostgreSQL (every app node sees the same count), in
/// this process on SQLite, which one process serves — a write per view
/// would make every SQLite connection drop its page cache
/// (`store::throttle::InProcess`).
pub async fn count_view(state: &AppState, scope: &NetworkScope) -> Result<(), AppError> {
    let key = format!("views:{}", scope.membership.account_id);
    let limit_per_minute = state.config.views_per_minute;
    match state.db.backend() {
        Backend::Sqlite => {
            let now = now_ms();
            let (hits, started) = state.views.hit(&key, now, 60_000);
            over(hits, started, limit_per_minute, 60_000, now)
        }
        Backend::Postgres => limit(&state.db, &key, limit_per_minute, 60_000).await,
    }
}

/// How `scope`'s member stands to the person with `account_id`.
pub fn viewer_of(scope: &NetworkScope, account_id: Option<i64>) -> Viewer {
    if account_id == Some(scope.membership.account_id) {
        Viewer::Themself
    } else if scope.is_admin() {
        Viewer::Admin
    } else {
        Viewer::Member
    }
}

/// The viewer kind searches run as (one's own card shows as others see it).
pub fn search_viewer(scope: &NetworkScope) -> Viewer {
    if scope.is_admin() {
        Viewer::Admin
    } else {
        Viewer::Member
    }
}

// ─────────────────────────────── input ───────────────────────────────

/// One stint as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(default)]
pub struct StintInput {
    /// `2009-04` (also `2009/4`, `2009年4月`).
    pub joined: String,
    /// Empty while still there.
    pub left: String,
    pub departments: Vec<String>,
    pub titles: Vec<String>,
    pub office: String,
}

/// A profile as the person writes it (the form and the API).
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct ProfileInput {
    pub family: String,
    pub given: String,
    /// フリガナ (katakana or hiragana; half-width is folded).
    pub family_kana: String,
    pub given_kana: String,
    /// Romaji; derived from the kana when left empty.
    pub family_romaji: String,
    pub given_romaji: String,
    pub nickname: String,
    pub company: String,
    pub title: String,
    pub industry: String,
    pub location: String,
    /// One of `employee`, `executive`, `founder`, `freelance`, `public`,
    /// `student`, `between`, `retired`, `other`, or empty.
    pub work_style: String,
    pub skills: Vec<String>,
    pub languages: Vec<String>,
    pub links: Vec<String>,
    /// Markdown.
    pub bio: String,
    /// Any of `rehire`, `contract`, `partnership`, `mentoring`, `speaking`,
    /// `referral`, `staff_contact`.
    pub open_to: Vec<String>,
    pub email: String,
    pub phone: String,
    /// Omitted: keep the stints as they are.
    pub stints: Option<Vec<StintInput>>,
    /// Field → `network`, `admins` or `me`. Fields left out keep theirs.
    pub visibility: BTreeMap<String, String>,
}

/// One refused field: its name (`stints[0].left` for a stint's) and the
/// message key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub key: &'static str,
}

fn clean_line(s: &str) -> String {
    s.trim()
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
}

impl ProfileInput {
    /// The input for a stored profile (the form's starting values).
    pub fn from_profile(p: &Profile) -> ProfileInput {
        ProfileInput {
            family: p.family.clone(),
            given: p.given.clone(),
            family_kana: p.family_kana.clone(),
            given_kana: p.given_kana.clone(),
            family_romaji: profile::capitalise(&p.family_romaji),
            given_romaji: profile::capitalise(&p.given_romaji),
            nickname: p.nickname.clone(),
            company: p.company.clone(),
            title: p.title.clone(),
            industry: p.industry.clone(),
            location: p.location.clone(),
            work_style: p
                .work_style
                .map(|w| w.as_str().to_string())
                .unwrap_or_default(),
            skills: p.skills.clone(),
            languages: p.languages.clone(),
            links: p.links.clone(),
            bio: p.bio.clone(),
            open_to: p.open_to.iter().map(|o| o.as_str().to_string()).collect(),
            email: p.email.clone(),
            phone: p.phone.clone(),
            stints: Some(
                p.stints
                    .iter()
                    .map(|s| StintInput {
                        joined: s.joined.map(|y| y.iso()).unwrap_or_default(),
                        left: s.left.map(|y| y.iso()).unwrap_or_default(),
                        departments: s.departments.clone(),
                        titles: s.titles.clone(),
                        office: s.office.clone(),
                    })
                    .collect(),
            ),
            visibility: Field::ALL
                .iter()
                .filter(|f| f.is_adjustable())
                .map(|f| {
                    (
                        f.as_str().to_string(),
                        p.visibility.of(*f).as_str().to_string(),
                    )
                })
                .collect(),
        }
    }

    /// Reads the edit form's fields.
    pub fn from_form(pairs: &[(String, String)]) -> ProfileInput {
        let one = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let mut stints = Vec::new();
        for i in 0..MAX_STINTS + 2 {
            let s = StintInput {
                joined: one(&format!("stint_joined_{i}")),
                left: one(&format!("stint_left_{i}")),
                departments: split_tags(&one(&format!("stint_departments_{i}"))),
                titles: split_tags(&one(&format!("stint_titles_{i}"))),
                office: one(&format!("stint_office_{i}")),
            };
            let blank = s.joined.trim().is_empty()
                && s.left.trim().is_empty()
                && s.departments.is_empty()
                && s.titles.is_empty()
                && s.office.trim().is_empty();
            if !blank {
                stints.push(s);
            }
        }
        ProfileInput {
            family: one("family"),
            given: one("given"),
            family_kana: one("family_kana"),
            given_kana: one("given_kana"),
            family_romaji: one("family_romaji"),
            given_romaji: one("given_romaji"),
            nickname: one("nickname"),
            company: one("company"),
            title: one("title"),
            industry: one("industry"),
            location: one("location"),
            work_style: one("work_style"),
            skills: split_tags(&one("skills")),
            languages: split_tags(&one("languages")),
            links: one("links")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect(),
            bio: one("bio"),
            open_to: pairs
                .iter()
                .filter(|(k, _)| k == "open_to")
                .map(|(_, v)| v.clone())
                .collect(),
            email: one("email"),
            phone: one("phone"),
            stints: Some(stints),
            visibility: pairs
                .iter()
                .filter_map(|(k, v)| Some((k.strip_prefix("vis_")?.to_string(), v.clone())))
                .collect(),
        }
    }

    /// Checks everything; on success the profile (with the person's
    /// stints, when given) to store.
    pub fn check(
        &self,
        current: &Profile,
        today: YearMonth,
    ) -> Result<(Profile, Option<Vec<Stint>>), Vec<FieldError>> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut err = |field: &str, key: &'static str| {
            errors.push(FieldError {
                field: field.to_string(),
                key,
            })
        };
        let short = |err: &mut dyn FnMut(&str, &'static str), field: &str, value: &str| -> String {
            let v = clean_line(value);
            if v.chars().count() > MAX_SHORT_CHARS {
                err(field, "invalid.too_long_100");
            }
            v
        };
        let family = short(&mut err, "family", &self.family);
        if family.is_empty() {
            err("family", "invalid.family_empty");
        }
        let given = short(&mut err, "given", &self.given);
        let mut kana = |field: &str, value: &str| -> String {
            let v = profile::to_katakana(&clean_line(value));
            if v.chars().count() > MAX_SHORT_CHARS {
                err(field, "invalid.too_long_100");
            } else if !profile::is_kana(&v) {
                err(field, "invalid.kana");
            }
            v
        };
        let family_kana = kana("family_kana", &self.family_kana);
        let given_kana = kana("given_kana", &self.given_kana);
        let mut romaji = |field: &str, value: &str, kana: &str| -> String {
            let v = enishi_core::text::to_half_width_ascii(&clean_line(value)).to_ascii_lowercase();
            if v.is_empty() {
                return if profile::is_kana(kana) && !kana.is_empty() {
                    enishi_core::names::romaji_of(&enishi_core::search::normalise(kana))
                        .replace(' ', "")
                } else {
                    String::new()
                };
            }
            if v.len() > MAX_SHORT_CHARS {
                err(field, "invalid.too_long_100");
            } else if !v
                .chars()
                .all(|c| c.is_ascii_lowercase() || matches!(c, ' ' | '-' | '\'' | '.'))
            {
                err(field, "invalid.romaji");
            }
            v
        };
        let family_romaji = romaji("family_romaji", &self.family_romaji, &family_kana);
        let given_romaji = romaji("given_romaji", &self.given_romaji, &given_kana);
        let nickname = short(&mut err, "nickname", &self.nickname);
        let company = short(&mut err, "company", &self.company);
        let title = short(&mut err, "title", &self.title);
        let industry = short(&mut err, "industry", &self.industry);
        let location = short(&mut err, "location", &self.location);
        let work_style = match self.work_style.trim() {
            "" => None,
            w => match WorkStyle::parse(w) {
                Some(w) => Some(w),
                None => {
                    err("work_style", "invalid.work_style");
                    None
                }
            },
        };
        let mut tags = |field: &str, list: &[String]| -> Vec<String> {
            let joined = list.join(",");
            let tags = split_tags(&joined);
            if tags.len() > MAX_TAGS {
                err(field, "invalid.too_many_tags");
            } else if tags
                .iter()
                .any(|t| t.chars().count() > MAX_TAG_CHARS || t.chars().any(char::is_control))
            {
                err(field, "invalid.tag_too_long");
            }
            tags
        };
        let skills = tags("skills", &self.skills);
        let languages = tags("languages", &self.languages);
        let mut links = Vec::new();
        if self.links.len() > MAX_LINKS {
            err("links", "invalid.too_many_links");
        }
        for l in self.links.iter().filter(|l| !l.trim().is_empty()) {
            match check_link(l) {
                Some(l) => links.push(l),
                None => {
                    err("links", "invalid.link");
                    break;
                }
            }
        }
        let bio = self.bio.trim().replace("\r\n", "\n");
        if bio.chars().count() > MAX_BIO_CHARS {
            err("bio", "invalid.bio_too_long");
        }
        let mut open_to = Vec::new();
        for word in &self.open_to {
            match OpenTo::parse(word) {
                Some(o) if !open_to.contains(&o) => open_to.push(o),
                Some(_) => {}
                None => {
                    err("open_to", "invalid.open_to");
                    break;
                }
            }
        }
        let email = match self.email.trim() {
            "" => String::new(),
            e => match enishi_core::email::normalise(e) {
                Ok(e) => e,
                Err(e) => {
                    err("email", e.key());
                    String::new()
                }
            },
        };
        let phone = enishi_core::text::to_half_width_ascii(&clean_line(&self.phone));
        if phone.len() > 30
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'))
        {
            err("phone", "invalid.phone");
        }
        let mut visibility = current.visibility.clone();
        for (field, level) in &self.visibility {
            match (Field::parse(field), Visibility::parse(level)) {
                (Some(f), Some(v)) if f.is_adjustable() => visibility.set(f, v),
                (Some(f), Some(_)) if !f.is_adjustable() => {
                    err(&format!("vis_{field}"), "invalid.visibility_fixed")
                }
                _ => err(&format!("vis_{field}"), "invalid.visibility"),
            }
        }
        let stints = match &self.stints {
            None => None,
            Some(list) => {
                if list.len() > MAX_STINTS {
                    err("stints", "invalid.too_many_stints");
                }
                let mut out = Vec::new();
                for (i, s) in list.iter().take(MAX_STINTS).enumerate() {
                    match check_stint(&s.joined, &s.left, today) {
                        Ok((joined, left)) => {
                            let departments = split_tags(&s.departments.join(","));
                            let titles = split_tags(&s.titles.join(","));
                            if departments.len() > 10
                                || titles.len() > 10
                                || departments
                                    .iter()
                                    .chain(&titles)
                                    .any(|t| t.chars().count() > MAX_TAG_CHARS)
                            {
                                err(&format!("stint_departments_{i}"), "invalid.tag_too_long");
                            }
                            let office = clean_line(&s.office);
                            if office.chars().count() > MAX_SHORT_CHARS {
                                err(&format!("stint_office_{i}"), "invalid.too_long_100");
                            }
                            out.push(Stint {
                                joined: Some(joined),
                                left,
                                departments,
                                titles,
                                office,
                                employee_number: String::new(),
                            });
                        }
                        Err((which, e)) => err(&format!("stint_{which}_{i}"), e.key()),
                    }
                }
                out.sort_by_key(|s| s.joined);
                Some(out)
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok((
            Profile {
                family,
                given,
                family_kana,
                given_kana,
                family_romaji,
                given_romaji,
                nickname,
                company,
                title,
                industry,
                location,
                work_style,
                skills,
                languages,
                links,
                bio,
                photo: current.photo.clone(),
                open_to,
                email,
                phone,
                stints: current.stints.clone(),
                visibility,
            },
            stints,
        ))
    }
}

/// What a save does to the stints: the person's own, unless they sent
/// exactly what they already see (then HR's record keeps being shown).
pub fn stints_change(stored: &Stored, own: Option<Vec<Stint>>) -> StintsChange {
    match own {
        None => StintsChange::Keep,
        Some(own) => {
            let shown: Vec<Stint> = stored
                .profile
                .stints
                .iter()
                .map(|s| Stint {
                    employee_number: String::new(),
                    ..s.clone()
                })
                .collect();
            if stored.stints_source == profiles::SOURCE_HR && own == shown {
                StintsChange::Keep
            } else {
                StintsChange::Own(own)
            }
        }
    }
}

/// The viewer's own profile (created if missing).
pub async fn my_profile(state: &AppState, scope: &NetworkScope) -> Result<Stored, AppError> {
    let account = scope.membership.account_id;
    profiles::ensure_for_account(&state.db, scope.id(), account).await?;
    profiles::of_account(&state.db, scope.id(), account)
        .await?
        .ok_or(AppError::NotFound)
}

/// This month, for date checks.
pub fn this_month() -> YearMonth {
    YearMonth::of_unix_ms(now_ms())
}

// ─────────────────────────────── directory ───────────────────────────────

/// The directory's query string, parsed leniently: a value that cannot be
/// used is dropped with a note, never a failure.
#[derive(Clone, Debug, Default)]
pub struct DirectoryParams {
    pub q: String,
    pub sort: Option<Sort>,
    pub filter: Filter,
    pub era: bool,
    pub after: Option<String>,
    /// Page size asked for (the API's `limit`), if it is a number.
    pub limit: Option<usize>,
    /// Names of parameters that were ignored (bad years…).
    pub ignored: Vec<&'static str>,
}

impl DirectoryParams {
    pub fn parse(raw: Option<&str>) -> DirectoryParams {
        let pairs: Vec<(String, String)> = raw
            .and_then(|r| serde_urlencoded::from_str(r).ok())
            .unwrap_or_default();
        let mut p = DirectoryParams::default();
        let text = |v: &str| {
            let v = clean_line(v);
            (!v.is_empty()).then(|| v.chars().take(MAX_SHORT_CHARS).collect::<String>())
        };
        for (k, v) in &pairs {
            let year = |ignored: &mut Vec<&'static str>, name: &'static str| -> Option<i64> {
                let v = enishi_core::text::to_half_width_ascii(v.trim());
                if v.is_empty() {
                    return None;
                }
                match v.parse::<i64>() {
                    Ok(y) if (profile::MIN_YEAR..=2100).contains(&y) => Some(y),
                    _ => {
                        ignored.push(name);
                        None
                    }
                }
            };
            match k.as_str() {
                "q" => p.q = v.chars().take(1_000).collect(),
                "sort" => p.sort = Sort::parse(v),
                "joined_from" => p.filter.joined_from = year(&mut p.ignored, "joined_from"),
                "joined_to" => p.filter.joined_to = year(&mut p.ignored, "joined_to"),
                "left_from" => p.filter.left_from = year(&mut p.ignored, "left_from"),
                "left_to" => p.filter.left_to = year(&mut p.ignored, "left_to"),
                "dept" => p.filter.department = text(v),
                "industry" => p.filter.industry = text(v),
                "location" => p.filter.location = text(v),
                "skill" => p.filter.skill = text(v),
                "open" => {
                    if let Some(o) = OpenTo::parse(v)
                        && !p.filter.open_to.contains(&o)
                    {
                        p.filter.open_to.push(o)
                    }
                }
                "kind" => {
                    // `pending`: HR's records not yet joined (admins only; the
                    // directory finds nothing for others)
                    p.filter.kind = if v == PENDING {
                        Some(PENDING.to_string())
                    } else {
                        enishi_core::networks::Kind::parse(v).map(|k| k.as_str().to_string())
                    }
                }
                "era" => p.era = v == "1",
                "after" => p.after = (!v.is_empty()).then(|| v.chars().take(2_000).collect()),
                "limit" => p.limit = v.trim().parse().ok(),
                _ => {}
            }
        }
        p
    }

    /// The sort in effect: relevance when searching, else 五十音順.
    pub fn sort(&self) -> Sort {
        match self.sort {
            Some(Sort::Relevance) if self.q.trim().is_empty() => Sort::Kana,
            Some(s) => s,
            None if self.q.trim().is_empty() => Sort::Kana,
            None => Sort::Relevance,
        }
    }

    /// The query string for another page of the same search.
    pub fn query_string(&self, after: Option<&str>) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if !self.q.is_empty() {
            pairs.push(("q", self.q.clone()));
        }
        if let Some(s) = self.sort {
            pairs.push(("sort", s.as_str().into()));
        }
        let f = &self.filter;
        for (k, v) in [
            ("joined_from", f.joined_from),
            ("joined_to", f.joined_to),
            ("left_from", f.left_from),
            ("left_to", f.left_to),
        ] {
            if let Some(v) = v {
                pairs.push((k, v.to_string()));
            }
        }
        for (k, v) in [
            ("dept", &f.department),
            ("industry", &f.industry),
            ("location", &f.location),
            ("skill", &f.skill),
            ("kind", &f.kind),
        ] {
            if let Some(v) = v {
                pairs.push((k, v.clone()));
            }
        }
        for o in &f.open_to {
            pairs.push(("open", o.as_str().into()));
        }
        if self.era {
            pairs.push(("era", "1".into()));
        }
        if let Some(a) = after {
            pairs.push(("after", a.into()));
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }
}

/// Runs a directory search for `scope`'s member.
pub async fn run_search(
    state: &AppState,
    scope: &NetworkScope,
    params: &DirectoryParams,
    limit: usize,
) -> Result<(directory::Page, Count), AppError> {
    let me = if params.era {
        Some(my_profile(state, scope).await?)
    } else {
        None
    };
    let search = Search {
        viewer: search_viewer(scope),
        query: Query::parse(&params.q),
        filter: params.filter.clone(),
        sort: params.sort(),
        after: params.after.clone(),
        limit,
        era_of: me.as_ref().map(|m| (&m.profile, m.id)),
    };
    Ok(directory::search_counted(&state.db, scope.id(), &search).await?)
}

/// A person as a card shows them.
#[derive(Clone, Debug)]
pub struct Card {
    pub id: i64,
    pub name: String,
    pub kana: String,
    pub nickname: String,
    pub initial: String,
    /// 0–7, the avatar's colour.
    pub hue: u8,
    pub photo: Option<String>,
    pub era: String,
    pub now: String,
    pub open_to: Vec<&'static str>,
}

impl Card {
    pub fn of(slug: &str, id: i64, seen: &Profile, lang: enishi_core::Lang) -> Card {
        let name = seen.display_name(lang);
        let now = [seen.company.as_str(), seen.title.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" · ");
        Card {
            id,
            initial: seen
                .family
                .chars()
                .next()
                .map(String::from)
                .unwrap_or_else(|| "?".into()),
            hue: (enishi_core::names::mix(id as u64) % 8) as u8,
            photo: seen
                .photo
                .as_deref()
                .map(|k| images::url(slug, k, Size::Small)),
            kana: seen.kana_name(),
            nickname: seen.nickname.clone(),
            era: seen.era(),
            now,
            open_to: seen.open_to.iter().map(|o| o.as_str()).collect(),
            name,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "profiles/directory.html")]
pub struct DirectoryPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub network_name: String,
    pub q: String,
    pub sort: &'static str,
    pub filter: Filter,
    pub era: bool,
    pub cards: Vec<Card>,
    pub count: String,
    pub next: Option<String>,
    pub ignored: Vec<&'static str>,
    pub departments: Vec<String>,
    pub open_words: Vec<&'static str>,
    pub sorts: Vec<&'static str>,
    /// The viewer runs the network (may look for HR's pending records).
    pub is_admin: bool,
}

impl DirectoryPage {
    pub fn has_open(&self, word: &str) -> bool {
        self.filter.open_to.iter().any(|o| o.as_str() == word)
    }

    pub fn year(v: &Option<i64>) -> String {
        v.map(|y| y.to_string()).unwrap_or_default()
    }

    pub fn text(v: &Option<String>) -> String {
        v.clone().unwrap_or_default()
    }

    pub fn filters_open(&self) -> bool {
        !self.filter.is_empty() || self.era
    }
}

/// Formats a count ("1,000+" above the limit).
pub fn count_text(count: Count) -> String {
    let digits = enishi_core::text::grouped(i64::try_from(count.n).unwrap_or(i64::MAX));
    if count.more {
        format!("{digits}+")
    } else {
        digits
    }
}

/// `GET /n/{slug}/directory`
pub async fn directory_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    RawQuery(raw): RawQuery,
) -> Result<DirectoryPage, AppError> {
    count_view(&state, &scope).await?;
    let params = DirectoryParams::parse(raw.as_deref());
    let (page, count) = run_search(&state, &scope, &params, PAGE_SIZE).await?;
    let slug = scope.slug().to_string();
    let cards = page
        .hits
        .iter()
        .map(|h| Card::of(&slug, h.stored.id, &h.stored.profile, ctx.lang))
        .collect();
    Ok(DirectoryPage {
        is_admin: scope.is_admin(),
        network_name: crate::networks::name_in(&scope.network, ctx.lang).to_string(),
        q: params.q.clone(),
        sort: params.sort().as_str(),
        filter: params.filter.clone(),
        era: params.era,
        cards,
        count: count_text(count),
        next: page.next.as_deref().map(|a| params.query_string(Some(a))),
        ignored: params.ignored.clone(),
        departments: DEPARTMENT_SUGGESTIONS
            .iter()
            .map(|s| s.to_string())
            .collect(),
        open_words: OpenTo::ALL.iter().map(|o| o.as_str()).collect(),
        sorts: Sort::ALL.iter().map(|s| s.as_str()).collect(),
        slug,
        ctx,
    })
}

/// Common department names, offered as suggestions (any name may be typed).
pub const DEPARTMENT_SUGGESTIONS: &[&str] = &[
    "営業本部",
    "経営企画部",
    "人事部",
    "開発本部",
    "データ分析部",
    "マーケティング部",
    "法務部",
    "経理部",
    "広報部",
    "カスタマーサクセス部",
];

// ─────────────────────────────── a person ───────────────────────────────

/// A stint as a page shows it.
#[derive(Clone, Debug)]
pub struct StintView {
    pub years: String,
    pub departments: String,
    pub titles: String,
    pub office: String,
    pub employee_number: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "profiles/person.html")]
pub struct PersonPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub card: Card,
    pub photo_large: Option<String>,
    pub p: Profile,
    pub stints: Vec<StintView>,
    pub bio_html: String,
    pub is_me: bool,
    /// A member with an account (not one's own profile): the page offers
    /// to write to them (whether they accept it is told on sending).
    pub may_message: bool,
    pub hr_record: bool,
    pub notice: Option<&'static str>,
    /// The network's guidelines, on the report form.
    pub guidelines: String,
    pub report_error_key: String,
}

pub fn stint_views(p: &Profile, ctx: &PageCtx) -> Vec<StintView> {
    p.stints
        .iter()
        .map(|s| StintView {
            years: match (s.joined, s.left) {
                (Some(j), Some(l)) => format!("{} – {}", j.iso(), l.iso()),
                (Some(j), None) => format!("{} – {}", j.iso(), ctx.t("profile.current")),
                _ => String::new(),
            },
            departments: s.departments.join("、"),
            titles: s.titles.join("、"),
            office: s.office.clone(),
            employee_number: s.employee_number.clone(),
        })
        .collect()
}

/// A person of the network, as the viewer may see them (404 if they are
/// not an active member of this network).
use enishi_store::directory::PENDING;

pub async fn visible_person(
    state: &AppState,
    scope: &NetworkScope,
    id: i64,
) -> Result<(Stored, Viewer), AppError> {
    let stored = profiles::get(&state.db, scope.id(), id)
        .await?
        .filter(|s| {
            s.status.as_deref() == Some("active") || (s.account_id.is_none() && scope.is_admin())
        })
        .ok_or(AppError::NotFound)?;
    let viewer = viewer_of(scope, stored.account_id);
    Ok((stored, viewer))
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    pub done: Option<String>,
}

/// `GET /n/{slug}/people/{profile_id}`
pub async fn person_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> Result<PersonPage, AppError> {
    count_view(&state, &scope).await?;
    let (stored, viewer) = visible_person(&state, &scope, id).await?;
    let seen = stored.profile.seen_by(viewer);
    let slug = scope.slug().to_string();
    Ok(PersonPage {
        card: Card::of(&slug, stored.id, &seen, ctx.lang),
        photo_large: seen
            .photo
            .as_deref()
            .map(|k| images::url(&slug, k, Size::Large)),
        stints: stint_views(&seen, &ctx),
        bio_html: crate::markdown::render(&seen.bio),
        is_me: viewer == Viewer::Themself,
        may_message: viewer != Viewer::Themself
            && stored.account_id.is_some()
            && stored.status.as_deref() == Some("active"),
        hr_record: stored.stints_source == profiles::SOURCE_HR && !seen.stints.is_empty(),
        notice: match q.done.as_deref() {
            Some("saved") => Some(ctx.t("profile.notice_saved")),
            Some("reported") => Some(ctx.t("moderation.notice_reported")),
            _ => None,
        },
        guidelines: crate::networks::guidelines(&state, &scope.network, ctx.lang).await?,
        report_error_key: String::new(),
        p: seen,
        slug,
        ctx,
    })
}

// ─────────────────────────────── editing ───────────────────────────────

/// One stint row of the form.
#[derive(Clone, Debug, Default)]
pub struct StintRow {
    pub i: usize,
    pub joined: String,
    pub left: String,
    pub departments: String,
    pub titles: String,
    pub office: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "profiles/edit.html")]
pub struct EditPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub id: i64,
    pub input: ProfileInput,
    pub rows: Vec<StintRow>,
    pub errors: Vec<FieldError>,
    pub photo: Option<String>,
    pub hr_stints: Vec<StintView>,
    pub skill_hints: Vec<String>,
    pub work_styles: Vec<&'static str>,
    pub open_words: Vec<&'static str>,
    pub fields: Vec<(&'static str, String)>,
    pub notice: Option<&'static str>,
}

impl EditPage {
    /// The message for `field`, if it was refused.
    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| self.ctx.t(e.key))
    }

    pub fn opens(&self, word: &str) -> bool {
        self.input.open_to.iter().any(|o| o == word)
    }

    pub fn joined(list: &[String]) -> String {
        list.join(", ")
    }
}

async fn edit_page(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
    stored: &Stored,
    input: ProfileInput,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
) -> Result<EditPage, AppError> {
    let mut rows: Vec<StintRow> = input
        .stints
        .clone()
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, s)| StintRow {
            i,
            joined: s.joined,
            left: s.left,
            departments: s.departments.join(", "),
            titles: s.titles.join(", "),
            office: s.office,
        })
        .collect();
    if rows.len() < MAX_STINTS {
        rows.push(StintRow {
            i: rows.len(),
            ..StintRow::default()
        });
    }
    let hr = profiles::stints(&state.db, scope.id(), stored.id, profiles::SOURCE_HR).await?;
    let hr_view = Profile {
        stints: hr,
        ..Profile::default()
    };
    let slug = scope.slug().to_string();
    Ok(EditPage {
        id: stored.id,
        photo: stored
            .photo_key
            .as_deref()
            .map(|k| images::url(&slug, k, Size::Large)),
        hr_stints: stint_views(&hr_view, &ctx),
        skill_hints: profiles::skill_suggestions(&state.db, scope.id(), "", 20).await?,
        work_styles: WorkStyle::ALL.iter().map(|w| w.as_str()).collect(),
        open_words: OpenTo::ALL.iter().map(|o| o.as_str()).collect(),
        fields: Field::ALL
            .iter()
            .filter(|f| f.is_adjustable())
            .map(|f| {
                (
                    f.as_str(),
                    input
                        .visibility
                        .get(f.as_str())
                        .cloned()
                        .unwrap_or_else(|| f.default_visibility().as_str().to_string()),
                )
            })
            .collect(),
        input,
        rows,
        errors,
        notice,
        slug,
        ctx,
    })
}

/// `GET /n/{slug}/profile`: the viewer's own profile, to edit.
pub async fn edit(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> Result<EditPage, AppError> {
    let stored = my_profile(&state, &scope).await?;
    let input = ProfileInput::from_profile(&stored.profile);
    let notice = match q.done.as_deref() {
        Some("photo") => Some(ctx.t("profile.notice_photo")),
        Some("photo_removed") => Some(ctx.t("profile.notice_photo_removed")),
        _ => None,
    };
    edit_page(&state, ctx, &scope, &stored, input, Vec::new(), notice).await
}

/// Saves the viewer's profile from `input`; the refused fields otherwise.
pub async fn save_input(
    state: &AppState,
    scope: &NetworkScope,
    stored: &Stored,
    input: &ProfileInput,
) -> Result<Result<(), Vec<FieldError>>, AppError> {
    let (profile, own) = match input.check(&stored.profile, this_month()) {
        Ok(ok) => ok,
        Err(errors) => return Ok(Err(errors)),
    };
    let change = stints_change(stored, own);
    profiles::save(&state.db, scope.id(), stored.id, &profile, change).await?;
    Ok(Ok(()))
}

/// `POST /n/{slug}/profile`
pub async fn save(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let stored = my_profile(&state, &scope).await?;
    let input = ProfileInput::from_form(&pairs);
    match save_input(&state, &scope, &stored, &input).await? {
        Ok(()) => Ok(Redirect::to(&format!(
            "/n/{}/people/{}?done=saved",
            scope.slug(),
            stored.id
        ))
        .into_response()),
        Err(errors) => {
            let page = edit_page(&state, ctx, &scope, &stored, input, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

// ─────────────────────────────── photo ───────────────────────────────

/// A multipart form with its CSRF field checked: the file's bytes (the
/// field `photo`, `file` or `image`) and its other text fields.
pub struct CsrfUpload {
    pub file: Vec<u8>,
    /// The name the browser gave the file.
    pub file_name: String,
    /// The form's other fields (up to 64 KB each), in order.
    pub fields: Vec<(String, String)>,
}

impl FromRequest<AppState> for CsrfUpload {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, AppError> {
        let is_multipart = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !is_multipart {
            return Err(AppError::UnsupportedMediaType);
        }
        let expected = cookie(req.headers(), COOKIE_NAME).map(str::to_owned);
        let mut multipart = Multipart::from_request(req, state)
            .await
            .map_err(|e| AppError::from_rejection(e.status(), e.body_text()))?;
        let mut sent = None;
        let mut file = Vec::new();
        let mut file_name = String::new();
        let mut fields = Vec::new();
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| AppError::from_rejection(e.status(), e.body_text()))?
        {
            match field.name() {
                Some(FIELD) => sent = field.text().await.ok(),
                Some("photo" | "file" | "image") => {
                    file_name = field.file_name().unwrap_or_default().to_string();
                    file = field
                        .bytes()
                        .await
                        .map_err(|e| AppError::from_rejection(e.status(), e.body_text()))?
                        .to_vec()
                }
                Some(name) if fields.len() < 32 => {
                    let name = name.to_string();
                    let value = field.text().await.unwrap_or_default();
                    if value.len() <= 64 * 1024 {
                        fields.push((name, value));
                    }
                }
                _ => {}
            }
        }
        match (expected.as_deref(), sent.as_deref()) {
            (Some(e), Some(s)) if e.len() == 64 && tokens_match(e, s) => Ok(CsrfUpload {
                file,
                file_name,
                fields,
            }),
            _ => Err(AppError::CsrfFailed),
        }
    }
}

/// Cleans and stores an uploaded profile photo, replacing the old one.
pub async fn store_photo(
    state: &AppState,
    scope: &NetworkScope,
    stored: &Stored,
    file: Vec<u8>,
) -> Result<Result<String, images::ImageError>, AppError> {
    let key = match images::store(state, scope, file, Shape::Square, "profile").await? {
        Ok(key) => key,
        Err(e) => return Ok(Err(e)),
    };
    profiles::set_photo(&state.db, scope.id(), stored.id, Some(&key)).await?;
    if let Some(old) = &stored.photo_key {
        stored_images::delete(&state.db, scope.id(), old).await?;
    }
    Ok(Ok(key))
}

/// `POST /n/{slug}/profile/photo` (multipart: `csrf`, `photo`)
pub async fn upload_photo(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    upload: CsrfUpload,
) -> Result<Response, AppError> {
    let stored = my_profile(&state, &scope).await?;
    match store_photo(&state, &scope, &stored, upload.file).await? {
        Ok(_) => {
            Ok(Redirect::to(&format!("/n/{}/profile?done=photo", scope.slug())).into_response())
        }
        Err(e) => {
            let input = ProfileInput::from_profile(&stored.profile);
            let errors = vec![FieldError {
                field: "photo".into(),
                key: e.key(),
            }];
            let page = edit_page(&state, ctx, &scope, &stored, input, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// `POST /n/{slug}/profile/photo/delete`
pub async fn remove_photo(
    State(state): State<AppState>,
    scope: NetworkScope,
    CsrfForm(_): CsrfForm<crate::signin::NoFields>,
) -> Result<Response, AppError> {
    let stored = my_profile(&state, &scope).await?;
    profiles::set_photo(&state.db, scope.id(), stored.id, None).await?;
    if let Some(old) = &stored.photo_key {
        stored_images::delete(&state.db, scope.id(), old).await?;
    }
    Ok(Redirect::to(&format!("/n/{}/profile?done=photo_removed", scope.slug())).into_response())
}
