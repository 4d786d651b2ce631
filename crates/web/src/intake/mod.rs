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
use enishi_core::intake::{self, Column, Leaver, Mapping, RowError};
use enishi_core::{Lang, email};
use enishi_store::intake::{self as store, Import, Outcome, Record, RecordFilter, Tally};
use enishi_store::invitations;
use enishi_store::now_ms;
use serde::Deserialize;

use crate::auth::Viewer;
use crate::csrf::CsrfForm;
use crate::ctx::PageCtx;
use crate::networks::{name_in, record};
use crate::profiles::CsrfUpload;
use crate::scope::NetworkScope;
use crate::{AppError, AppState};
use enishi_store::networks::Network;

mod api;
mod door;
mod roster;
mod sweep;
pub use api::*;
pub use door::*;
pub use roster::*;
pub use sweep::*;

/// Valid rows shown in a preview ("as they will be stored").
const PREVIEW_ROWS: usize = 20;
/// Invalid rows listed on the page (all of them are in the download).
const SHOWN_INVALID: usize = 1_000;
/// Records per roster page.
const ROSTER_PAGE: i64 = 100;

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

/// Classifies the valid rows in `chunk` (in file order) into `tally`,
/// lists the first [`PREVIEW_ROWS`] in `rows`, and empties `chunk`.
async fn classify_chunk(
    state: &AppState,
    scope: &NetworkScope,
    chunk: &mut Vec<Leaver>,
    tally: &mut Tally,
    rows: &mut Vec<RowView>,
) -> Result<(), AppError> {
    let outcomes = store::classify(&state.db, scope.id(), chunk).await?;
    for (l, outcome) in chunk.drain(..).zip(outcomes) {
        tally.count(outcome);
        if rows.len() < PREVIEW_ROWS {
            rows.push(RowView {
                line: l.line,
                outcome: outcome_word(outcome),
                name: format!("{} {}", l.family, l.given).trim().to_string(),
                kana: format!("{} {}", l.family_kana, l.given_kana)
                    .trim()
                    .to_string(),
                company_only: l.company_address_only,
                joined: l.stint.joined.map(|y| y.iso()).unwrap_or_default(),
                left: l.stint.left.map(|y| y.iso()).unwrap_or_default(),
                department: l.stint.departments.join("・"),
                title: l.stint.titles.join("・"),
                employee_number: l.employee_number,
                email: l.email,
            });
        }
    }
    Ok(())
}

/// Validates and classifies every row of `import` under `names`.
pub async fn preview(
    state: &AppState,
    ctx: &PageCtx,
    scope: &NetworkScope,
    import: &Import,
    names: &BTreeMap<String, String>,
) -> Result<Preview, AppError> {
    let mut file = stored_file(state, scope, import.id).await?;
    let headers = file.headers.clone();
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
    let domains = scope.network.domains();
    let mut chunk: Vec<Leaver> = Vec::with_capacity(store::CLASSIFY_CHUNK);
    let mut tally = Tally::default();
    let mut rows = Vec::new();
    let mut invalid = Vec::new();
    let mut company_only = 0;
    let check = mapping_errors.is_empty();
    let mut evaluator = intake::Evaluator::new(&mapping, today(), &domains);
    while let Some(records) = file.next_rows(&state.db).await? {
        for record in records {
            let verdict = evaluator.verdict(record);
            if first.is_empty() {
                first = verdict.cells.clone();
            }
            if !check {
                continue;
            }
            match verdict.result {
                Ok(l) => {
                    if l.company_address_only {
                        company_only += 1;
                    }
                    chunk.push(l);
                    if chunk.len() == store::CLASSIFY_CHUNK {
                        classify_chunk(state, scope, &mut chunk, &mut tally, &mut rows).await?;
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
    }
    classify_chunk(state, scope, &mut chunk, &mut tally, &mut rows).await?;
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
    let import = match keep_file(&state, &scope, &viewer, &upload.file_name, upload.file).await? {
        Ok(import) => import,
        Err(e) => {
            let page = imports_page(&state, ctx, &scope).await?;
            let message = page.ctx.t(e.key()).to_string();
            return refuse(page, message);
        }
    };
    Ok(Redirect::to(&format!("/n/{}/admin/imports/{}", scope.slug(), import.id)).into_response())
}

/// Decodes an uploaded file and keeps it as an import awaiting its mapping
/// (the network's remembered one to start with); nothing is imported yet.
/// Shared by the page and the API.
pub async fn keep_file(
    state: &AppState,
    scope: &NetworkScope,
    viewer: &Viewer,
    file_name: &str,
    file: Vec<u8>,
) -> Result<Result<Import, intake::FileError>, AppError> {
    let decoded = tokio::task::spawn_blocking(move || {
        let (text, encoding) = intake::decode(&file)?;
        drop(file);
        // the records counted and the parts cut in one pass
        let split = intake::split(&text, store::PART_BYTES)?;
        Ok::<_, intake::FileError>((text, encoding, split))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let (text, encoding, split) = match decoded {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    let parts = split.parts(&text);
    let total = split.rows;
    let remembered = store::settings(&state.db, scope.id()).await?.mapping;
    let file_name: String = file_name.chars().take(200).collect();
    let import = store::create_import(
        &state.db,
        scope.id(),
        &store::NewImport {
            created_by: Some(scope.membership.account_id),
            file_name: &file_name,
            encoding: encoding.as_str(),
            parts: &parts,
            mapping: &remembered,
            total_rows: total as i64,
        },
    )
    .await?;
    record(
        state,
        &scope.network,
        Some(scope.membership.account_id),
        "import.uploaded",
        Some(&format!("import:{}", import.id)),
        &viewer.ip_text(),
    )
    .await;
    Ok(Ok(import))
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

/// The stored file of import `id`: its header read, its records a part at
/// a time. A file that cannot be read was refused at upload; stored, it is
/// an internal error.
pub async fn stored_file(
    state: &AppState,
    scope: &NetworkScope,
    id: i64,
) -> Result<store::StoredFile, AppError> {
    store::StoredFile::open(&state.db, scope.id(), id)
        .await?
        .map_err(|e| AppError::Internal(e.key().into()))
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
    headers: &[String],
    form: &MappingForm,
) -> Result<BTreeMap<String, String>, AppError> {
    let mut names = BTreeMap::new();
    for (i, header) in headers.iter().enumerate() {
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
    import: Import,
    form: &MappingForm,
) -> Result<Option<(Import, BTreeMap<String, String>)>, AppError> {
    if import.status != "uploaded" {
        return Ok(None);
    }
    let headers = stored_file(state, scope, import.id).await?.headers;
    let names = names_from_form(&headers, form)?;
    store::set_mapping(&state.db, scope.id(), import.id, &names).await?;
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
    let import = load_import(&state, &scope, id).await?;
    save_mapping(&state, &scope, import, &form).await?;
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
    let import = load_import(&state, &scope, id).await?;
    let Some((import, names)) = save_mapping(&state, &scope, import, &form).await? else {
        return Ok(
            Redirect::to(&format!("/n/{}/admin/imports/{id}", scope.slug())).into_response(),
        );
    };
    if !start(&state, &scope, &viewer, &import, names).await? {
        let import = load_import(&state, &scope, id).await?;
        let mut page = import_page(&state, ctx, &scope, import).await?;
        page.error = Some(page.ctx.t("intake.map_fix").to_string());
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    Ok(Redirect::to(&format!("/n/{}/admin/imports/{id}", scope.slug())).into_response())
}

/// Starts `import` under the confirmed mapping `names` (remembered for the
/// network's next file) as a background job. `false` when the mapping
/// has errors (nothing started).
pub async fn start(
    state: &AppState,
    scope: &NetworkScope,
    viewer: &Viewer,
    import: &Import,
    names: BTreeMap<String, String>,
) -> Result<bool, AppError> {
    let headers = stored_file(state, scope, import.id).await?.headers;
    if !Mapping::from_names(&headers, &names)
        .check(&headers)
        .is_empty()
    {
        return Ok(false);
    }
    let mut settings = store::settings(&state.db, scope.id()).await?;
    settings.mapping.extend(names);
    store::save_settings(&state.db, scope.id(), &settings).await?;
    if store::queue(&state.db, scope.id(), import.id).await? {
        state.wake_jobs();
        record(
            state,
            &scope.network,
            Some(scope.membership.account_id),
            "import.started",
            Some(&format!("import:{}", import.id)),
            &viewer.ip_text(),
        )
        .await;
    }
    Ok(true)
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
    let mut file = stored_file(&state, &scope, import.id).await?;
    let mut headers = file.headers.clone();
    let mapping = Mapping::from_names(&headers, &import.mapping_names());
    let domains = scope.network.domains();
    headers.push(ctx.t("intake.error_line").to_string());
    headers.push(ctx.t("intake.error_reason").to_string());
    let mut out = String::from("\u{feff}");
    out.push_str(&intake::csv_line(&headers));
    let mut evaluator = intake::Evaluator::new(&mapping, today(), &domains);
    while let Some(records) = file.next_rows(&state.db).await? {
        for record in records {
            let verdict = evaluator.verdict(record);
            if let Err(errors) = verdict.result {
                let mut cells = verdict.cells;
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
