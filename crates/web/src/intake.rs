//! Leaver intake for HR (network admins): upload a leavers' CSV, confirm
//! the column mapping, see the preview (counts, rows as they will be
//! stored, every invalid row with its line and reason), import it as a
//! background job with live progress, download the invalid rows to fix;
//! the roster of alumni records with their invitation states; invitations
//! by selection; the do-not-contact list. Every action is audited.
//!
//! Nothing is written before the admin confirms; the preview runs the same
//! validation and classification as the import itself.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use enishi_core::intake::{self, Column, Mapping, RowError};
use enishi_core::{Lang, email};
use enishi_store::intake::{self as store, Import, Outcome, Record, RecordFilter, Roster, Tally};
use enishi_store::invitations;
use enishi_store::now_ms;
use serde::Deserialize;

use crate::auth::Viewer;
use crate::csrf::CsrfForm;
use crate::ctx::PageCtx;
use crate::networks::{name_in, record};
use crate::profiles::CsrfUpload;
use crate::scope::NetworkScope;
use crate::signin::random_hex;
use crate::{AppError, AppState};
use enishi_core::secret::hash_token;

/// Valid rows shown in a preview ("as they will be stored").
const PREVIEW_ROWS: usize = 20;
/// Invalid rows listed on the page (all of them are in the download).
const SHOWN_INVALID: usize = 1_000;
/// Records per roster page.
const ROSTER_PAGE: i64 = 100;
/// An invitation link lives this long (30 days).
pub const INVITATION_TTL_MS: i64 = 30 * 24 * 3_600_000;

fn today() -> enishi_core::profile::YearMonth {
    enishi_jobs::intake::today()
}

/// One header of the file, as the mapping form shows it.
pub struct HeaderView {
    pub index: usize,
    pub text: String,
    /// The chosen column word (`""`: not imported).
    pub chosen: String,
    pub sensitive: bool,
    /// The first data row's value (a hint of what the column holds).
    pub sample: String,
}

/// A valid row as it will be stored.
pub struct RowView {
    pub line: usize,
    pub outcome: &'static str,
    pub employee_number: String,
    pub name: String,
    pub kana: String,
    pub email: String,
    pub company_only: bool,
    pub joined: String,
    pub left: String,
    pub department: String,
    pub title: String,
}

/// An invalid row: its line and every reason, in the admin's language.
pub struct InvalidView {
    pub line: usize,
    pub reasons: String,
}

/// What the file would do.
pub struct Preview {
    pub headers: Vec<HeaderView>,
    pub mapping_errors: Vec<String>,
    pub tally: Tally,
    pub rows: Vec<RowView>,
    pub invalid: Vec<InvalidView>,
    pub company_only: usize,
}

/// A row error in `ctx`'s language, with its detail.
pub fn reason(ctx: &PageCtx, e: &RowError) -> String {
    let column = e
        .column()
        .map(|c| ctx.t(&c.key()).to_string())
        .unwrap_or_default();
    let detail = e.detail().unwrap_or_default();
    ctx.tf(e.key(), &[("column", &column), ("value", &detail)])
}

fn outcome_word(o: Outcome) -> &'static str {
    match o {
        Outcome::New => "new",
        Outcome::Linked { .. } => "linked",
        Outcome::Update { .. } => "update",
        Outcome::Unchanged { .. } => "unchanged",
        Outcome::Skipped => "skipped",
    }
}

/// Validates and classifies every row of `import` under `names`.
pub async fn preview(
    state: &AppState,
    ctx: &PageCtx,
    scope: &NetworkScope,
    import: &Import,
    names: &BTreeMap<String, String>,
) -> Result<Preview, AppError> {
    let csv = intake::read(&import.body).map_err(|e| AppError::Internal(e.key().into()))?;
    let headers = csv.headers.clone();
    let mapping = Mapping::from_names(&headers, names);
    let mapping_errors: Vec<String> = mapping
        .check(&headers)
        .iter()
        .map(|e| {
            let column = match e {
                intake::MappingError::Twice(c) => ctx.t(&c.key()).to_string(),
                intake::MappingError::Sensitive(i) => headers.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            };
            ctx.tf(e.key(), &[("column", &column), ("header", &column)])
        })
        .collect();
    let mut first: Vec<String> = Vec::new();
    let roster = Roster::load(&state.db, scope.id()).await?;
    let domains = scope.network.domains();
    let mut tally = Tally::default();
    let mut rows = Vec::new();
    let mut invalid = Vec::new();
    let mut company_only = 0;
    let check = mapping_errors.is_empty();
    for verdict in intake::evaluate(csv, &mapping, today(), &domains) {
        if first.is_empty() {
            first = verdict.cells.clone();
        }
        if !check {
            continue;
        }
        match verdict.result {
            Ok(l) => {
                let outcome = roster.classify(&l);
                tally.count(outcome);
                if l.company_address_only {
                    company_only += 1;
                }
                if rows.len() < PREVIEW_ROWS {
                    rows.push(RowView {
                        line: l.line,
                        outcome: outcome_word(outcome),
                        employee_number: l.employee_number.clone(),
                        name: format!("{} {}", l.family, l.given).trim().to_string(),
                        kana: format!("{} {}", l.family_kana, l.given_kana)
                            .trim()
                            .to_string(),
                        email: l.email.clone(),
                        company_only: l.company_address_only,
                        joined: l.stint.joined.map(|y| y.iso()).unwrap_or_default(),
                        left: l.stint.left.map(|y| y.iso()).unwrap_or_default(),
                        department: l.stint.departments.join("・"),
                        title: l.stint.titles.join("・"),
                    });
                }
            }
            Err(errors) => {
                tally.invalid += 1;
                if invalid.len() < SHOWN_INVALID {
                    invalid.push(InvalidView {
                        line: verdict.line,
                        reasons: errors
                            .iter()
                            .map(|e| reason(ctx, e))
                            .collect::<Vec<_>>()
                            .join(" / "),
                    });
                }
            }
        }
    }
    let headers = headers
        .iter()
        .enumerate()
        .map(|(index, text)| HeaderView {
            index,
            text: text.clone(),
            chosen: mapping
                .0
                .get(index)
                .copied()
                .flatten()
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
            sensitive: intake::is_sensitive(text),
            sample: first.get(index).cloned().unwrap_or_default(),
        })
        .collect();
    Ok(Preview {
        headers,
        mapping_errors,
        tally,
        rows,
        invalid,
        company_only,
    })
}

// ─────────────────────────────── pages ────────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "intake/imports.html")]
pub struct ImportsPage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub slug: String,
    pub name: String,
    pub imports: Vec<Import>,
    pub error: Option<String>,
    pub limit_mb: usize,
}

async fn imports_page(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
) -> Result<ImportsPage, AppError> {
    Ok(ImportsPage {
        section: "imports",
        slug: scope.slug().to_string(),
        name: name_in(&scope.network, ctx.lang).to_string(),
        imports: store::recent_imports(&state.db, scope.id(), 20).await?,
        error: None,
        limit_mb: state.config.import_limit / (1024 * 1024),
        ctx,
    })
}

/// `GET /n/{slug}/admin/imports`
pub async fn imports(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
) -> Result<ImportsPage, AppError> {
    imports_page(&state, ctx, &scope).await
}

/// `POST /n/{slug}/admin/imports` (multipart: `csrf`, `file`): keeps the
/// decoded file for preview; nothing is imported yet.
pub async fn upload(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    scope: NetworkScope,
    upload: CsrfUpload,
) -> Result<Response, AppError> {
    let refuse = |mut page: ImportsPage, message: String| {
        page.error = Some(message);
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    if upload.file.is_empty() {
        let page = imports_page(&state, ctx, &scope).await?;
        let message = page.ctx.t("intake.file_missing").to_string();
        return refuse(page, message);
    }
    if upload.file.len() > state.config.import_limit {
        let page = imports_page(&state, ctx, &scope).await?;
        let message = page
            .ctx
            .tf1("intake.file_too_large", "mb", &page.limit_mb.to_string());
        let mut page = page;
        page.error = Some(message);
        return Ok((StatusCode::PAYLOAD_TOO_LARGE, page).into_response());
    }
    let decoded = tokio::task::spawn_blocking(move || {
        let (text, encoding) = intake::decode(&upload.file)?;
        let csv = intake::read(&text)?;
        let total = csv.count();
        Ok::<_, intake::FileError>((text, encoding, total))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let (text, encoding, total) = match decoded {
        Ok(v) => v,
        Err(e) => {
            let page = imports_page(&state, ctx, &scope).await?;
            let message = page.ctx.t(e.key()).to_string();
            return refuse(page, message);
        }
    };
    let remembered = store::settings(&state.db, scope.id()).await?.mapping;
    let file_name: String = upload.file_name.chars().take(200).collect();
    let import = store::create_import(
        &state.db,
        scope.id(),
        &store::NewImport {
            created_by: Some(scope.membership.account_id),
            file_name: &file_name,
            encoding: encoding.as_str(),
            body: &text,
            mapping: &remembered,
            total_rows: total as i64,
        },
    )
    .await?;
    record(
        &state,
        &scope.network,
        Some(scope.membership.account_id),
        "import.uploaded",
        Some(&format!("import:{}", import.id)),
        &viewer.ip_text(),
    )
    .await;
    Ok(Redirect::to(&format!("/n/{}/admin/imports/{}", scope.slug(), import.id)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "intake/import.html")]
pub struct ImportPage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub slug: String,
    pub name: String,
    pub import: Import,
    pub preview: Option<Preview>,
    pub columns: Vec<&'static str>,
    pub error: Option<String>,
}

async fn load_import(state: &AppState, scope: &NetworkScope, id: i64) -> Result<Import, AppError> {
    store::import(&state.db, scope.id(), id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn import_page(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
    import: Import,
) -> Result<ImportPage, AppError> {
    let preview = if import.status == "uploaded" {
        Some(preview(state, &ctx, scope, &import, &import.mapping_names()).await?)
    } else {
        None
    };
    Ok(ImportPage {
        section: "imports",
        slug: scope.slug().to_string(),
        name: name_in(&scope.network, ctx.lang).to_string(),
        import,
        preview,
        columns: Column::ALL.iter().map(|c| c.as_str()).collect(),
        error: None,
        ctx,
    })
}

/// `GET /n/{slug}/admin/imports/{import_id}`: the mapping and preview
/// before importing; progress while it runs; the outcome after.
pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_, id)): Path<(String, i64)>,
) -> Result<ImportPage, AppError> {
    let import = load_import(&state, &scope, id).await?;
    import_page(&state, ctx, &scope, import).await
}

/// The mapping form: `col{i}` = column word or `""` per header.
#[derive(Deserialize)]
pub struct MappingForm {
    #[serde(flatten)]
    pub fields: BTreeMap<String, String>,
}

fn names_from_form(
    import: &Import,
    form: &MappingForm,
) -> Result<BTreeMap<String, String>, AppError> {
    let csv = intake::read(&import.body).map_err(|e| AppError::Internal(e.key().into()))?;
    let mut names = BTreeMap::new();
    for (i, header) in csv.headers.iter().enumerate() {
        let word = form
            .fields
            .get(&format!("col{i}"))
            .map(String::as_str)
            .unwrap_or("");
        if !word.is_empty() && Column::parse(word).is_none() {
            return Err(AppError::BadRequest);
        }
        names.insert(
            header.clone(),
            if word.is_empty() {
                "skip".into()
            } else {
                word.to_string()
            },
        );
    }
    Ok(names)
}

/// Saves the mapping form on an import not started yet; `None` when it
/// has started (nothing to change).
async fn save_mapping(
    state: &AppState,
    scope: &NetworkScope,
    id: i64,
    form: &MappingForm,
) -> Result<Option<(Import, BTreeMap<String, String>)>, AppError> {
    let import = load_import(state, scope, id).await?;
    if import.status != "uploaded" {
        return Ok(None);
    }
    let names = names_from_form(&import, form)?;
    store::set_mapping(&state.db, scope.id(), id, &names).await?;
    Ok(Some((import, names)))
}

/// `POST /n/{slug}/admin/imports/{import_id}/mapping`: shows the preview
/// under the changed mapping (nothing imported).
pub async fn remap(
    State(state): State<AppState>,
    scope: NetworkScope,
    Path((_, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<MappingForm>,
) -> Result<Response, AppError> {
    save_mapping(&state, &scope, id, &form).await?;
    Ok(Redirect::to(&format!("/n/{}/admin/imports/{id}", scope.slug())).into_response())
}

/// `POST /n/{slug}/admin/imports/{import_id}/run`: confirms the mapping
/// (remembered for the network's next file) and starts the import job.
pub async fn run(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    scope: NetworkScope,
    Path((_, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<MappingForm>,
) -> Result<Response, AppError> {
    let Some((import, names)) = save_mapping(&state, &scope, id, &form).await? else {
        return Ok(
            Redirect::to(&format!("/n/{}/admin/imports/{id}", scope.slug())).into_response(),
        );
    };
    let csv = intake::read(&import.body).map_err(|e| AppError::Internal(e.key().into()))?;
    if !Mapping::from_names(&csv.headers, &names)
        .check(&csv.headers)
        .is_empty()
    {
        let import = load_import(&state, &scope, id).await?;
        let mut page = import_page(&state, ctx, &scope, import).await?;
        page.error = Some(page.ctx.t("intake.map_fix").to_string());
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let mut settings = store::settings(&state.db, scope.id()).await?;
    settings.mapping.extend(names);
    store::save_settings(&state.db, scope.id(), &settings).await?;
    if store::queue(&state.db, scope.id(), id).await? {
        state.wake_jobs();
        record(
            &state,
            &scope.network,
            Some(scope.membership.account_id),
            "import.started",
            Some(&format!("import:{id}")),
            &viewer.ip_text(),
        )
        .await;
    }
    Ok(Redirect::to(&format!("/n/{}/admin/imports/{id}", scope.slug())).into_response())
}

/// `GET /n/{slug}/admin/imports/{import_id}/errors.csv`: the invalid rows
/// as they were (plus line and reason), to fix and upload again. Every
/// cell is neutralised against formula injection.
pub async fn errors_csv(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_, id)): Path<(String, i64)>,
) -> Result<Response, AppError> {
    let import = load_import(&state, &scope, id).await?;
    let csv = intake::read(&import.body).map_err(|e| AppError::Internal(e.key().into()))?;
    let mut headers = csv.headers.clone();
    let mapping = Mapping::from_names(&headers, &import.mapping_names());
    let domains = scope.network.domains();
    headers.push(ctx.t("intake.error_line").to_string());
    headers.push(ctx.t("intake.error_reason").to_string());
    let mut out = String::from("\u{feff}");
    out.push_str(&intake::csv_line(&headers));
    for verdict in intake::evaluate(csv, &mapping, today(), &domains) {
        if let Err(errors) = verdict.result {
            let mut cells = verdict.cells.clone();
            cells.resize(headers.len() - 2, String::new());
            cells.push(verdict.line.to_string());
            cells.push(
                errors
                    .iter()
                    .map(|e| reason(&ctx, e))
                    .collect::<Vec<_>>()
                    .join(" / "),
            );
            out.push_str(&intake::csv_line(&cells));
        }
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"import-{id}-errors.csv\""),
            ),
        ],
        out,
    )
        .into_response())
}

// ─────────────────────────────── roster ────────────────────────────────

#[derive(Deserialize, Default)]
pub struct RosterQuery {
    pub state: Option<String>,
    pub left_year: Option<String>,
    pub department: Option<String>,
    pub after: Option<i64>,
    pub done: Option<String>,
}

impl RosterQuery {
    fn filter(&self) -> RecordFilter {
        RecordFilter {
            state: self.state.clone().filter(|s| STATES.contains(&s.as_str())),
            left_year: self
                .left_year
                .as_deref()
                .and_then(|y| {
                    enishi_core::text::to_half_width_ascii(y.trim())
                        .parse()
                        .ok()
                })
                .filter(|y| (1900..=9999).contains(y)),
            department: self
                .department
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_owned),
            ids: None,
        }
    }
}

/// Every state HR sees, in order.
pub const STATES: [&str; 7] = [
    store::state::PENDING,
    store::state::SENT,
    store::state::OPENED,
    store::state::JOINED,
    store::state::DECLINED,
    store::state::FAILED,
    store::state::EXPIRED,
];

/// A roster row.
pub struct RecordView {
    pub record: Record,
    pub name: String,
    pub left: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "intake/roster.html")]
pub struct RosterPage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub slug: String,
    pub name: String,
    pub counts: BTreeMap<String, i64>,
    pub states: [&'static str; 7],
    pub records: Vec<RecordView>,
    pub next: Option<String>,
    pub state: String,
    pub left_year: String,
    pub department: String,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub blocked: Vec<(String, String, i64)>,
}

impl RosterPage {
    pub fn count(&self, state: &str) -> i64 {
        self.counts.get(state).copied().unwrap_or(0)
    }
}

async fn roster_page(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
    q: &RosterQuery,
) -> Result<RosterPage, AppError> {
    let filter = q.filter();
    let mut rows = store::records(
        &state.db,
        scope.id(),
        &filter,
        q.after.unwrap_or(0),
        ROSTER_PAGE + 1,
    )
    .await?;
    let more = rows.len() as i64 > ROSTER_PAGE;
    rows.truncate(ROSTER_PAGE as usize);
    let next = more.then(|| {
        let last = rows.last().map(|r| r.id).unwrap_or_default();
        let mut url = format!("/n/{}/admin/alumni?after={last}", scope.slug());
        for (k, v) in [
            ("state", filter.state.clone()),
            ("left_year", filter.left_year.map(|y| y.to_string())),
            ("department", filter.department.clone()),
        ] {
            if let Some(v) = v {
                url.push_str(&format!("&{k}={}", urlencoding(&v)));
            }
        }
        url
    });
    let records = rows
        .into_iter()
        .map(|r| RecordView {
            name: format!(
                "{} {}",
                r.family.clone().unwrap_or_default(),
                r.given.clone().unwrap_or_default()
            )
            .trim()
            .to_string(),
            left: r
                .left_ym
                .map(|y| enishi_core::profile::YearMonth(y).iso())
                .unwrap_or_default(),
            record: r,
        })
        .collect();
    let notice = match q.done.as_deref() {
        Some("invited") => Some(ctx.t("intake.notice_invited").to_string()),
        Some("blocked") => Some(ctx.t("intake.notice_blocked").to_string()),
        Some("none") => Some(ctx.t("intake.notice_none_invitable").to_string()),
        _ => None,
    };
    Ok(RosterPage {
        section: "alumni",
        slug: scope.slug().to_string(),
        name: name_in(&scope.network, ctx.lang).to_string(),
        counts: store::state_counts(&state.db, scope.id()).await?,
        states: STATES,
        records,
        next,
        state: filter.state.unwrap_or_default(),
        left_year: filter.left_year.map(|y| y.to_string()).unwrap_or_default(),
        department: filter.department.unwrap_or_default(),
        notice,
        error: None,
        blocked: store::do_not_contact(&state.db, scope.id()).await?,
        ctx,
    })
}

fn urlencoding(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// `GET /n/{slug}/admin/alumni`
pub async fn roster(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Query(q): Query<RosterQuery>,
) -> Result<RosterPage, AppError> {
    roster_page(&state, ctx, &scope, &q).await
}

/// Most invitations one request sends.
const INVITE_BATCH: i64 = 5_000;

/// `POST /n/{slug}/admin/alumni/invite` (`id`… hand-picked, or `all=1`
/// with `state`, `left_year`, `department`): invites the selection (records
/// that joined, declined, are on the do-not-contact list or have no
/// address are left out); a second invitation replaces the first link.
pub async fn invite(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    scope: NetworkScope,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    // `id` repeats (hand-picked); `all=1` takes the roster's filter instead
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let ids: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "id")
        .filter_map(|(_, v)| v.parse().ok())
        .take(INVITE_BATCH as usize)
        .collect();
    let q = RosterQuery {
        state: field("state"),
        left_year: field("left_year"),
        department: field("department"),
        ..RosterQuery::default()
    };
    let mut filter = q.filter();
    if field("all").is_none() {
        if ids.is_empty() {
            return Ok(
                Redirect::to(&format!("/n/{}/admin/alumni?done=none", scope.slug()))
                    .into_response(),
            );
        }
        filter = RecordFilter {
            ids: Some(ids),
            ..RecordFilter::default()
        };
    }
    let rows = store::records(&state.db, scope.id(), &filter, 0, INVITE_BATCH).await?;
    let mut sent = 0;
    for r in rows.iter().filter(|r| r.invitable()) {
        send_invitation(&state, &scope, r, ctx.lang).await?;
        sent += 1;
    }
    record(
        &state,
        &scope.network,
        Some(scope.membership.account_id),
        "intake.invited",
        Some(&format!("{sent} records")),
        &viewer.ip_text(),
    )
    .await;
    let done = if sent == 0 { "none" } else { "invited" };
    Ok(Redirect::to(&format!("/n/{}/admin/alumni?done={done}", scope.slug())).into_response())
}

/// Invites one record: a new single-use link (the old one revoked), the
/// e-mail in the record's language (else the admin's), the record marked
/// sent with the message whose fate shows as `failed` if SMTP refuses it.
pub async fn send_invitation(
    state: &AppState,
    scope: &NetworkScope,
    r: &Record,
    fallback: Lang,
) -> Result<(), AppError> {
    if let Some(old) = r.invitation_id {
        invitations::revoke(&state.db, scope.id(), old).await?;
    }
    let token = random_hex();
    let invitation = invitations::create(
        &state.db,
        scope.id(),
        &invitations::NewInvitation {
            email: &r.email,
            role: "member",
            kind: "alumni",
            token_hash: &hash_token(&token),
            invited_by: Some(scope.membership.account_id),
            expires_at: now_ms() + INVITATION_TTL_MS,
            record_id: Some(r.id),
        },
    )
    .await?;
    let lang = Lang::from_code(&r.lang).unwrap_or(fallback);
    let link = state.link(&format!("/n/{}/invite?token={token}", scope.slug()));
    let network = name_in(&scope.network, lang).to_string();
    let purposes =
        enishi_store::networks::current_document(&state.db, scope.id(), "purposes").await?;
    let purposes = match lang {
        Lang::Ja => purposes.body_ja,
        Lang::En => purposes.body_en,
    };
    let purposes: String = purposes.chars().take(600).collect();
    let message = crate::mail::send_with(
        state,
        &r.email,
        lang,
        crate::mail::Kind::AlumniInvitation,
        &link,
        &[("network", &network), ("purposes", &purposes)],
    )
    .await?;
    store::mark_sent(&state.db, scope.id(), r.id, invitation.id, message).await?;
    Ok(())
}

#[derive(Deserialize)]
pub struct BlockForm {
    #[serde(default)]
    pub email: String,
}

/// `POST /n/{slug}/admin/alumni/do-not-contact`
pub async fn block(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    scope: NetworkScope,
    CsrfForm(form): CsrfForm<BlockForm>,
) -> Result<Response, AppError> {
    let address = match email::normalise(&form.email) {
        Ok(a) => a,
        Err(e) => {
            let mut page = roster_page(&state, ctx, &scope, &RosterQuery::default()).await?;
            page.error = Some(page.ctx.t(e.key()).to_string());
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    store::add_do_not_contact(&state.db, scope.id(), &address, scope.membership.account_id).await?;
    record(
        &state,
        &scope.network,
        Some(scope.membership.account_id),
        "intake.do_not_contact",
        Some(&store::hint(&address)),
        &viewer.ip_text(),
    )
    .await;
    Ok(Redirect::to(&format!("/n/{}/admin/alumni?done=blocked", scope.slug())).into_response())
}

// ─────────────────────── the invited person's side ───────────────────────

/// What HR has on record, as the invitation page shows it to the person to
/// correct (their version wins in what others see once they join).
#[derive(Clone, Debug, Default)]
pub struct RecordDraft {
    pub record_id: i64,
    pub family: String,
    pub given: String,
    pub family_kana: String,
    pub given_kana: String,
    pub joined: String,
    pub left: String,
    pub department: String,
    pub title: String,
    /// Who sees the tenure and departments (`network`, `admins`, `me`).
    pub visibility: String,
}

/// The form fields of a [`RecordDraft`] (all optional in the request).
#[derive(Deserialize, Default, Clone)]
pub struct DraftFields {
    #[serde(default)]
    pub family: Option<String>,
    #[serde(default)]
    pub given: Option<String>,
    #[serde(default)]
    pub family_kana: Option<String>,
    #[serde(default)]
    pub given_kana: Option<String>,
    #[serde(default)]
    pub joined: Option<String>,
    #[serde(default)]
    pub left: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub visibility: Option<String>,
}

/// HR's record behind an invitation, as a draft.
pub async fn draft_of(
    state: &AppState,
    net: enishi_store::networks::NetworkId,
    record_id: i64,
) -> Result<Option<RecordDraft>, AppError> {
    let Some(r) = store::record(&state.db, net, record_id).await? else {
        return Ok(None);
    };
    let Some(pid) = r.profile_id else {
        return Ok(None);
    };
    let Some(stored) = enishi_store::profiles::get(&state.db, net, pid).await? else {
        return Ok(None);
    };
    let p = stored.profile;
    let stint = p.stints.first().cloned().unwrap_or_default();
    Ok(Some(RecordDraft {
        record_id,
        family: p.family,
        given: p.given,
        family_kana: p.family_kana,
        given_kana: p.given_kana,
        joined: stint.joined.map(|y| y.iso()).unwrap_or_default(),
        left: stint.left.map(|y| y.iso()).unwrap_or_default(),
        department: stint.departments.join("・"),
        title: stint.titles.join("・"),
        visibility: enishi_core::privacy::Visibility::Network.as_str().into(),
    }))
}

impl RecordDraft {
    /// The draft with what the person typed over it.
    pub fn with(mut self, f: &DraftFields) -> RecordDraft {
        let take = |v: &Option<String>, current: &mut String| {
            if let Some(v) = v {
                *current = v.chars().take(200).collect::<String>().trim().to_string();
            }
        };
        take(&f.family, &mut self.family);
        take(&f.given, &mut self.given);
        take(&f.family_kana, &mut self.family_kana);
        take(&f.given_kana, &mut self.given_kana);
        take(&f.joined, &mut self.joined);
        take(&f.left, &mut self.left);
        take(&f.department, &mut self.department);
        take(&f.title, &mut self.title);
        take(&f.visibility, &mut self.visibility);
        self
    }

    /// Checks the draft: `(field, catalogue key)` of the first problem.
    pub fn check(&self) -> Result<(), (&'static str, &'static str)> {
        use enishi_core::profile::{MAX_SHORT_CHARS, check_stint, is_kana};
        if self.family.is_empty() {
            return Err(("family", "invalid.family_empty"));
        }
        for (field, value) in [
            ("family", &self.family),
            ("given", &self.given),
            ("family_kana", &self.family_kana),
            ("given_kana", &self.given_kana),
            ("department", &self.department),
            ("title", &self.title),
        ] {
            if value.chars().count() > MAX_SHORT_CHARS {
                return Err((field, "invalid.too_long_100"));
            }
        }
        for (field, value) in [
            ("family_kana", &self.family_kana),
            ("given_kana", &self.given_kana),
        ] {
            if !value.is_empty() && !is_kana(value) {
                return Err((field, "invalid.kana"));
            }
        }
        if !self.joined.is_empty() || !self.left.is_empty() {
            check_stint(&self.joined, &self.left, today()).map_err(|(f, e)| (f, e.key()))?;
        }
        if enishi_core::privacy::Visibility::parse(&self.visibility).is_none() {
            return Err(("visibility", "invalid.visibility"));
        }
        Ok(())
    }
}

/// Gives HR's record's profile to `account_id` when the account has none in
/// the network yet (before joining, which would create an empty one).
pub async fn claim_record(
    state: &AppState,
    net: enishi_store::networks::NetworkId,
    draft: &RecordDraft,
    account_id: i64,
) -> Result<(), AppError> {
    use enishi_store::profiles;
    let Some(r) = store::record(&state.db, net, draft.record_id).await? else {
        return Ok(());
    };
    if let Some(pid) = r.profile_id
        && profiles::of_account(&state.db, net, account_id)
            .await?
            .is_none()
    {
        profiles::claim(&state.db, net, pid, account_id).await?;
    }
    Ok(())
}

/// Makes HR's record the joined person's profile, with their corrections:
/// names as they wrote them, their version of the stint (kept apart from
/// HR's), the tenure's visibility; the record is marked joined.
pub async fn join_record(
    state: &AppState,
    net: enishi_store::networks::NetworkId,
    draft: &RecordDraft,
    account_id: i64,
) -> Result<(), AppError> {
    use enishi_core::privacy::{Field, Visibility};
    use enishi_core::profile::{Stint, YearMonth, split_tags};
    use enishi_store::profiles::{self, StintsChange};
    let Some(r) = store::record(&state.db, net, draft.record_id).await? else {
        return Ok(());
    };
    let profile_id = profiles::ensure_for_account(&state.db, net, account_id).await?;
    // already had a profile here: HR's stints go onto it, the pending copy goes
    if let Some(pid) = r.profile_id.filter(|&p| p != profile_id) {
        let hr = profiles::stints(&state.db, net, pid, profiles::SOURCE_HR).await?;
        if let Some(stored) = profiles::get(&state.db, net, profile_id).await? {
            profiles::save(
                &state.db,
                net,
                profile_id,
                &stored.profile,
                StintsChange::Hr(hr),
            )
            .await?;
        }
        profiles::delete_pending(&state.db, net, pid).await?;
    }
    if let Some(stored) = profiles::get(&state.db, net, profile_id).await? {
        let hr = profiles::stints(&state.db, net, profile_id, profiles::SOURCE_HR).await?;
        let mut p = stored.profile.clone();
        p.family = draft.family.clone();
        p.given = draft.given.clone();
        p.family_kana = enishi_core::profile::to_katakana(&draft.family_kana);
        p.given_kana = enishi_core::profile::to_katakana(&draft.given_kana);
        let visibility = Visibility::parse(&draft.visibility).unwrap_or(Visibility::Network);
        p.visibility.set(Field::Tenure, visibility);
        p.visibility.set(Field::Departments, visibility);
        let own = Stint {
            joined: YearMonth::parse(&draft.joined).ok(),
            left: YearMonth::parse(&draft.left).ok(),
            departments: split_tags(&draft.department.replace('・', ",")),
            titles: split_tags(&draft.title.replace('・', ",")),
            office: hr.first().map(|s| s.office.clone()).unwrap_or_default(),
            employee_number: String::new(),
        };
        let same = hr.first().is_some_and(|h| {
            h.joined == own.joined
                && h.left == own.left
                && h.departments == own.departments
                && h.titles == own.titles
        });
        let change = if same || hr.len() > 1 {
            StintsChange::Keep
        } else {
            StintsChange::Own(vec![own])
        };
        profiles::save(&state.db, net, profile_id, &p, change).await?;
    }
    store::mark_joined(&state.db, net, draft.record_id, account_id, profile_id).await?;
    Ok(())
}

#[derive(Deserialize)]
pub struct DeclineForm {
    #[serde(default)]
    pub token: String,
}

/// `POST /n/{slug}/invite/decline`: one click, for good. HR's record of
/// the person is deleted; only a suppression entry stays, so they are never
/// invited again; HR sees "declined".
pub async fn decline(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<DeclineForm>,
) -> Result<Response, AppError> {
    let network = enishi_store::networks::by_slug(&state.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let token = crate::signin::query_token(Some(&form.token));
    let invitation = match crate::networks::usable_invitation(&state, &network, &token).await? {
        Ok(i) => i,
        Err(why) => return Ok(crate::networks::invitation_problem(ctx, why)),
    };
    invitations::revoke(&state.db, network.scope(), invitation.id).await?;
    if let Some(record_id) = invitation.record_id {
        store::decline(&state.db, network.scope(), record_id).await?;
    }
    state
        .record_event(
            Some(network.id),
            None,
            "intake.declined",
            Some(&format!(
                "record:{}",
                invitation.record_id.unwrap_or_default()
            )),
            &viewer.ip_text(),
        )
        .await;
    let page =
        crate::signin::NoticePage::new(ctx, "intake.declined_title", &["intake.declined_body"]);
    Ok(page.into_response())
}
