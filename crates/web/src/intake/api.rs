//! Leaver intake through the JSON API (network admins): upload a file,
//! read the suggested mapping and the preview, change the mapping, start
//! the import and follow its progress; the roster, invitations by
//! selection, exit invitations, the do-not-contact list and the settings.
//! The same functions as the pages do the work, so both refuse the same
//! input with the same messages.

use axum::Json;
use axum::body::Bytes;
use axum::extract::RawQuery;
use serde::Serialize;
use utoipa::ToSchema;

use super::*;
use crate::api::ApiJson;

/// Import counts: what the import did, or (in a preview) would do.
#[derive(Serialize, ToSchema)]
pub struct CountsBody {
    pub new: i64,
    /// Already members: HR's stints added to their profile.
    pub linked: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub invalid: i64,
    /// People who declined before: nothing stored.
    pub skipped: i64,
}

impl From<Tally> for CountsBody {
    fn from(t: Tally) -> CountsBody {
        CountsBody {
            new: t.new,
            linked: t.linked,
            updated: t.updated,
            unchanged: t.unchanged,
            invalid: t.invalid,
            skipped: t.skipped,
        }
    }
}

/// A header of the file and the column it is mapped to.
#[derive(Serialize, ToSchema)]
pub struct HeaderBody {
    pub index: usize,
    pub text: String,
    /// The column word (`employee_number`, `name`, `email`, `left`, …);
    /// empty: not imported (never stored).
    pub column: String,
    /// Looks sensitive (退職理由, 給与, …): Enishi will not keep it.
    pub sensitive: bool,
    /// The first data row's value.
    pub sample: String,
}

/// A valid row as it will be stored.
#[derive(Serialize, ToSchema)]
pub struct RowBody {
    pub line: usize,
    /// `new`, `linked`, `update`, `unchanged` or `skipped`.
    pub outcome: String,
    pub employee_number: String,
    pub name: String,
    pub kana: String,
    pub email: String,
    /// The only address is at the company's domain (it dies at leaving).
    pub company_address_only: bool,
    pub joined: String,
    pub left: String,
    pub department: String,
    pub title: String,
}

/// An invalid row: its line number and every reason, in the caller's
/// language.
#[derive(Serialize, ToSchema)]
pub struct InvalidBody {
    pub line: usize,
    pub reasons: String,
}

/// What the file would do under its current mapping.
#[derive(Serialize, ToSchema)]
pub struct PreviewBody {
    /// Problems with the mapping (nothing can start until they are fixed).
    pub mapping_errors: Vec<String>,
    pub counts: CountsBody,
    /// Rows with a company address only.
    pub company_address_only: usize,
    /// The first 20 valid rows.
    pub rows: Vec<RowBody>,
    /// Every invalid row (up to 1,000; all are in `errors_csv`).
    pub invalid: Vec<InvalidBody>,
}

/// An import: the kept file, its mapping, its progress.
#[derive(Serialize, ToSchema)]
pub struct ImportBody {
    pub id: i64,
    pub file_name: String,
    /// `utf-8`, `utf-8-bom` or `shift_jis`.
    pub encoding: String,
    /// `uploaded` (awaiting the mapping), `queued`, `running`, `done`, `failed`.
    pub status: String,
    pub total_rows: i64,
    pub done_rows: i64,
    /// What the import did (zero until it runs).
    pub counts: CountsBody,
    pub headers: Vec<HeaderBody>,
    /// Only while `uploaded`.
    pub preview: Option<PreviewBody>,
    /// The invalid rows as a CSV to fix and upload again.
    pub errors_csv: String,
    pub error: Option<String>,
}

async fn import_body(
    state: &AppState,
    ctx: &PageCtx,
    scope: &NetworkScope,
    import: Import,
) -> Result<ImportBody, AppError> {
    let preview = preview(state, ctx, scope, &import, &import.mapping_names()).await?;
    let headers = preview
        .headers
        .iter()
        .map(|h| HeaderBody {
            index: h.index,
            text: h.text.clone(),
            column: h.chosen.clone(),
            sensitive: h.sensitive,
            sample: h.sample.clone(),
        })
        .collect();
    let shown = (import.status == "uploaded").then(|| PreviewBody {
        mapping_errors: preview.mapping_errors.clone(),
        counts: preview.tally.into(),
        company_address_only: preview.company_only,
        rows: preview
            .rows
            .iter()
            .map(|r| RowBody {
                line: r.line,
                outcome: r.outcome.to_string(),
                employee_number: r.employee_number.clone(),
                name: r.name.clone(),
                kana: r.kana.clone(),
                email: r.email.clone(),
                company_address_only: r.company_only,
                joined: r.joined.clone(),
                left: r.left.clone(),
                department: r.department.clone(),
                title: r.title.clone(),
            })
            .collect(),
        invalid: preview
            .invalid
            .iter()
            .map(|i| InvalidBody {
                line: i.line,
                reasons: i.reasons.clone(),
            })
            .collect(),
    });
    Ok(ImportBody {
        errors_csv: format!("/n/{}/admin/imports/{}/errors.csv", scope.slug(), import.id),
        id: import.id,
        file_name: import.file_name,
        encoding: import.encoding,
        status: import.status,
        total_rows: import.total_rows,
        done_rows: import.done_rows,
        counts: CountsBody {
            new: import.new_rows,
            linked: import.linked_rows,
            updated: import.updated_rows,
            unchanged: import.unchanged_rows,
            invalid: import.invalid_rows,
            skipped: import.skipped_rows,
        },
        headers,
        preview: shown,
        error: import.error,
    })
}

/// Upload a leavers' CSV (the request body is the file as exported: CP932
/// or UTF-8). Nothing is imported yet: the answer has the suggested
/// mapping and the preview. `file_name` (query) names it in the list.
#[utoipa::path(post, path = "/api/v1/n/{slug}/imports", tag = "intake",
    params(("slug" = String, Path, description = "The network's slug"),
           ("file_name" = Option<String>, Query, description = "The file's name, for the list")),
    request_body(content = Vec<u8>, content_type = "text/csv", description = "The CSV file"),
    responses((status = 201, description = "Kept for preview", body = ImportBody),
              (status = 413, description = "Larger than the import limit", body = crate::error::Problem),
              (status = 422, description = "Not a readable CSV (empty, binary, unknown encoding, …)", body = crate::error::Problem),
              (status = 404, description = "No such network where you are an admin", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn upload_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    scope: NetworkScope,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportBody>), AppError> {
    if body.len() > state.config.import_limit {
        return Err(AppError::Rejected {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            detail: ctx.tf1(
                "intake.file_too_large",
                "mb",
                &(state.config.import_limit / (1024 * 1024)).to_string(),
            ),
        });
    }
    let file_name = url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "file_name")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| "upload.csv".into());
    let import = keep_file(&state, &scope, &viewer, &file_name, body.to_vec())
        .await?
        .map_err(|e| AppError::Invalid {
            field: "file",
            message: ctx.t(e.key()),
        })?;
    let body = import_body(&state, &ctx, &scope, import).await?;
    Ok((StatusCode::CREATED, Json(body)))
}

/// An import with its progress (poll it while `queued` or `running`), and
/// its preview while `uploaded`.
#[utoipa::path(get, path = "/api/v1/n/{slug}/imports/{import_id}", tag = "intake",
    params(("slug" = String, Path, description = "The network's slug"),
           ("import_id" = i64, Path, description = "The import")),
    responses((status = 200, description = "The import", body = ImportBody),
              (status = 404, description = "No such import in a network where you are an admin", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn import_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<Json<ImportBody>, AppError> {
    let import = load_import(&state, &scope, id).await?;
    Ok(Json(import_body(&state, &ctx, &scope, import).await?))
}

/// A mapping: header text → column word (`""` or `skip`: not imported).
#[derive(Deserialize, ToSchema)]
pub struct MappingBody {
    pub mapping: BTreeMap<String, String>,
}

/// The mapping as the page's form would send it, checked: every header
/// named must be in the file and every word known.
fn mapping_form(
    ctx: &PageCtx,
    import: &Import,
    headers: &[String],
    body: &MappingBody,
) -> Result<MappingForm, AppError> {
    let mut bad = Vec::new();
    let mut fields = BTreeMap::new();
    for (header, word) in &body.mapping {
        let word = if word == "skip" { "" } else { word.as_str() };
        match headers.iter().position(|h| h == header) {
            None => bad.push(format!("{header}: {}", ctx.t("intake.api_no_such_header"))),
            Some(_) if !word.is_empty() && Column::parse(word).is_none() => {
                bad.push(format!("{header}: {}", ctx.t("intake.api_no_such_column")))
            }
            Some(i) => {
                fields.insert(format!("col{i}"), word.to_string());
            }
        }
    }
    if !bad.is_empty() {
        return Err(AppError::InvalidFields(bad));
    }
    // headers not named keep their current column (as the preview shows it)
    let current = Mapping::from_names(headers, &import.mapping_names());
    for i in 0..headers.len() {
        fields.entry(format!("col{i}")).or_insert_with(|| {
            current
                .0
                .get(i)
                .copied()
                .flatten()
                .map(|c| c.as_str().to_string())
                .unwrap_or_default()
        });
    }
    Ok(MappingForm { fields })
}

/// Change the mapping of an import not started yet (headers not named keep
/// theirs); answers with the new preview.
#[utoipa::path(put, path = "/api/v1/n/{slug}/imports/{import_id}/mapping", tag = "intake",
    params(("slug" = String, Path, description = "The network's slug"),
           ("import_id" = i64, Path, description = "The import")),
    request_body = MappingBody,
    responses((status = 200, description = "The import with its new preview", body = ImportBody),
              (status = 409, description = "The import has started", body = crate::error::Problem),
              (status = 422, description = "A header not in the file, or an unknown column", body = crate::error::Problem),
              (status = 404, description = "No such import in a network where you are an admin", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn remap_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    ApiJson(body): ApiJson<MappingBody>,
) -> Result<Json<ImportBody>, AppError> {
    let import = load_import(&state, &scope, id).await?;
    let headers = super::stored_file(&state, &scope, import.id).await?.headers;
    let form = mapping_form(&ctx, &import, &headers, &body)?;
    if save_mapping(&state, &scope, import, &form).await?.is_none() {
        return Err(AppError::Conflict(ctx.t("intake.api_started")));
    }
    let import = load_import(&state, &scope, id).await?;
    Ok(Json(import_body(&state, &ctx, &scope, import).await?))
}

/// Start the import under its current mapping (remembered for the
/// network's next file). It runs in the background: poll the import.
#[utoipa::path(post, path = "/api/v1/n/{slug}/imports/{import_id}/run", tag = "intake",
    params(("slug" = String, Path, description = "The network's slug"),
           ("import_id" = i64, Path, description = "The import")),
    responses((status = 202, description = "Started (or already running or done)", body = ImportBody),
              (status = 422, description = "The mapping has errors", body = crate::error::Problem),
              (status = 404, description = "No such import in a network where you are an admin", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn run_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
) -> Result<(StatusCode, Json<ImportBody>), AppError> {
    let import = load_import(&state, &scope, id).await?;
    if import.status == "uploaded" {
        let names = import.mapping_names();
        if !start(&state, &scope, &viewer, &import, names).await? {
            return Err(AppError::Invalid {
                field: "mapping",
                message: ctx.t("intake.map_fix"),
            });
        }
    }
    let import = load_import(&state, &scope, id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(import_body(&state, &ctx, &scope, import).await?),
    ))
}

/// A record of the roster.
#[derive(Serialize, ToSchema)]
pub struct RecordBody {
    pub id: i64,
    /// The pending profile (admins see it in the directory); after
    /// joining, the person's.
    pub profile_id: Option<i64>,
    pub name: String,
    pub employee_number: String,
    /// After declining: only a hint (`t***@gmail.com`).
    pub email: String,
    pub company_address_only: bool,
    /// `scheduled`, `pending`, `sent`, `opened`, `joined`, `declined`,
    /// `failed` (the mail server refused it) or `expired`.
    pub state: String,
    /// `import` or `exit`.
    pub origin: String,
    /// `2015-03`
    pub left: String,
    pub department: String,
    /// On the do-not-contact list.
    pub do_not_contact: bool,
    pub reminders: i64,
    /// ISO 8601 instants.
    pub send_at: Option<String>,
    pub sent_at: Option<String>,
    pub opened_at: Option<String>,
    pub joined_at: Option<String>,
}

impl From<Record> for RecordBody {
    fn from(r: Record) -> RecordBody {
        let v = RecordView::of(r);
        let iso = |t: Option<i64>| t.map(enishi_core::time::iso_utc);
        RecordBody {
            id: v.record.id,
            profile_id: v.record.profile_id,
            name: v.name,
            employee_number: v.record.employee_number,
            email: v.record.email,
            company_address_only: v.record.company_address_only,
            state: v.record.shown,
            origin: v.record.origin,
            left: v.left,
            department: v.record.department,
            do_not_contact: v.record.blocked,
            reminders: v.record.reminders,
            send_at: iso(v.record.send_at),
            sent_at: iso(v.record.sent_at),
            opened_at: iso(v.record.opened_at),
            joined_at: iso(v.record.joined_at),
        }
    }
}

/// One page of the roster.
#[derive(Serialize, ToSchema)]
pub struct RosterBody {
    /// How many records are in each state (the whole roster).
    pub counts: BTreeMap<String, i64>,
    pub records: Vec<RecordBody>,
    /// Pass as `after` for the next page; null on the last.
    pub next: Option<i64>,
}

/// The roster: records by id, filtered by `state`, `left_year`,
/// `department`; `after` (from `next`) and `limit` (1–500, default 100).
#[utoipa::path(get, path = "/api/v1/n/{slug}/alumni", tag = "intake",
    params(("slug" = String, Path, description = "The network's slug"),
           ("state" = Option<String>, Query, description = "A state"),
           ("left_year" = Option<i64>, Query, description = "Year they left"),
           ("department" = Option<String>, Query, description = "Department, exactly"),
           ("after" = Option<i64>, Query, description = "From the previous page's `next`"),
           ("limit" = Option<i64>, Query, description = "1–500")),
    responses((status = 200, description = "Records", body = RosterBody),
              (status = 404, description = "No such network where you are an admin", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn roster_api(
    State(state): State<AppState>,
    scope: NetworkScope,
    Query(q): Query<RosterApiQuery>,
) -> Result<Json<RosterBody>, AppError> {
    let limit = q.limit.unwrap_or(ROSTER_PAGE).clamp(1, 500);
    let filter = RosterQuery {
        state: q.state,
        left_year: q.left_year,
        department: q.department,
        ..RosterQuery::default()
    }
    .filter();
    let (rows, more) = roster_rows(&state, &scope, &filter, q.after, limit).await?;
    Ok(Json(RosterBody {
        counts: store::state_counts(&state.db, scope.id()).await?,
        next: more.then(|| rows.last().map(|r| r.id)).flatten(),
        records: rows.into_iter().map(RecordBody::from).collect(),
    }))
}

#[derive(Deserialize, Default)]
pub struct RosterApiQuery {
    pub state: Option<String>,
    pub left_year: Option<String>,
    pub department: Option<String>,
    pub after: Option<i64>,
    pub limit: Option<i64>,
}

/// Whom to invite: `ids`, or `all: true` with the roster's filters.
#[derive(Deserialize, ToSchema, Default)]
pub struct InviteRecordsBody {
    #[serde(default)]
    pub ids: Vec<i64>,
    #[serde(default)]
    pub all: bool,
    pub state: Option<String>,
    pub left_year: Option<i64>,
    pub department: Option<String>,
}

/// How many invitations went out.
#[derive(Serialize, ToSchema)]
pub struct InvitedBody {
    /// Sent now.
    pub sent: usize,
    /// Queued: they go out over the next minutes (the roster shows them as
    /// `scheduled` until then).
    pub queued: usize,
}

/// Invite records (at most 5,000 a call; the first 100 are sent at once,
/// the rest within minutes): people who joined, declined, are
/// on the do-not-contact list or have no address are left out; a second
/// invitation makes the first link stop working.
#[utoipa::path(post, path = "/api/v1/n/{slug}/alumni/invitations", tag = "intake",
    params(("slug" = String, Path, description = "The network's slug")),
    request_body = InviteRecordsBody,
    responses((status = 200, description = "Sent", body = InvitedBody),
              (status = 422, description = "Neither ids nor all", body = crate::error::Problem),
              (status = 404, description = "No such network where you are an admin", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn invite_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    scope: NetworkScope,
    ApiJson(body): ApiJson<InviteRecordsBody>,
) -> Result<Json<InvitedBody>, AppError> {
    let filter = if body.all {
        RosterQuery {
            state: body.state,
            left_year: body.left_year.map(|y| y.to_string()),
            department: body.department,
            ..RosterQuery::default()
        }
        .filter()
    } else if body.ids.is_empty() {
        return Err(AppError::Invalid {
            field: "ids",
            message: ctx.t("intake.api_nobody"),
        });
    } else {
        RecordFilter {
            ids: Some(body.ids.into_iter().take(INVITE_BATCH as usize).collect()),
            ..RecordFilter::default()
        }
    };
    let invited = invite_selection(&state, &scope, &viewer, &filter).await?;
    Ok(Json(InvitedBody {
        sent: invited.sent,
        queued: invited.queued,
    }))
}

/// A scheduled (or, past the leave date, sent) exit invitation.
#[derive(Serialize, ToSchema)]
pub struct ExitBody {
    pub record: RecordBody,
    /// Sent now (the leave date has passed); else it goes out at `send_at`.
    pub sent: bool,
}

/// Register a departing employee's personal address and leave date: a warm
/// invitation goes out at 10:00 Japan time on that day (at once if it has
/// passed).
#[utoipa::path(post, path = "/api/v1/n/{slug}/alumni/exit-invitations", tag = "intake",
    params(("slug" = String, Path, description = "The network's slug")),
    request_body = ExitForm,
    responses((status = 201, description = "Scheduled or sent", body = ExitBody),
              (status = 422, description = "A field is refused (named in the problem)", body = crate::error::Problem),
              (status = 404, description = "No such network where you are an admin", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn exit_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    scope: NetworkScope,
    ApiJson(form): ApiJson<ExitForm>,
) -> Result<(StatusCode, Json<ExitBody>), AppError> {
    let (r, sent) = match schedule_exit(&state, &scope, &form).await? {
        Err((field, key)) => {
            return Err(AppError::Invalid {
                field,
                message: ctx.t(key),
            });
        }
        Ok(Exit::Sent(r)) => (r, true),
        Ok(Exit::Scheduled(r, _)) => (r, false),
    };
    record(
        &state,
        &scope.network,
        Some(scope.membership.account_id),
        "intake.exit_invitation",
        Some(&format!("record:{}", r.id)),
        &viewer.ip_text(),
    )
    .await;
    Ok((
        StatusCode::CREATED,
        Json(ExitBody {
            record: r.into(),
            sent,
        }),
    ))
}

/// An address for the do-not-contact list.
#[derive(Deserialize, ToSchema)]
pub struct DoNotContactBody {
    pub email: String,
}

/// Add an address to the do-not-contact list (kept across imports; only a
/// hash and a hint are stored).
#[utoipa::path(post, path = "/api/v1/n/{slug}/alumni/do-not-contact", tag = "intake",
    params(("slug" = String, Path, description = "The network's slug")),
    request_body = DoNotContactBody,
    responses((status = 204, description = "Added"),
              (status = 422, description = "Not an e-mail address", body = crate::error::Problem),
              (status = 404, description = "No such network where you are an admin", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn block_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    scope: NetworkScope,
    ApiJson(body): ApiJson<DoNotContactBody>,
) -> Result<StatusCode, AppError> {
    let address = email::normalise(&body.email).map_err(|e| AppError::Invalid {
        field: "email",
        message: ctx.t(e.key()),
    })?;
    add_block(&state, &scope, &viewer, &address).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The roster's settings.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct IntakeSettingsBody {
    /// `ja` or `en`: invitations to people whose language is unknown.
    pub invite_lang: String,
    /// Unanswered invitations get at most two reminders (after 7 days,
    /// then 14 more).
    pub reminders: bool,
    /// Days a pending record nobody accepted is kept (30–3650).
    pub retention_days: i64,
}

fn settings_body(s: &store::Settings) -> IntakeSettingsBody {
    IntakeSettingsBody {
        invite_lang: s.invite_lang.clone(),
        reminders: s.reminders,
        retention_days: s.retention_days,
    }
}

/// The roster's settings.
#[utoipa::path(get, path = "/api/v1/n/{slug}/alumni/settings", tag = "intake",
    params(("slug" = String, Path, description = "The network's slug")),
    responses((status = 200, description = "Settings", body = IntakeSettingsBody),
              (status = 404, description = "No such network where you are an admin", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn settings_api(
    State(state): State<AppState>,
    scope: NetworkScope,
) -> Result<Json<IntakeSettingsBody>, AppError> {
    let s = store::settings(&state.db, scope.id()).await?;
    Ok(Json(settings_body(&s)))
}

/// Change the roster's settings.
#[utoipa::path(put, path = "/api/v1/n/{slug}/alumni/settings", tag = "intake",
    params(("slug" = String, Path, description = "The network's slug")),
    request_body = IntakeSettingsBody,
    responses((status = 200, description = "Saved", body = IntakeSettingsBody),
              (status = 422, description = "A field is refused", body = crate::error::Problem),
              (status = 404, description = "No such network where you are an admin", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn save_settings_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    scope: NetworkScope,
    ApiJson(body): ApiJson<IntakeSettingsBody>,
) -> Result<Json<IntakeSettingsBody>, AppError> {
    let form = IntakeSettingsForm {
        invite_lang: body.invite_lang,
        reminders: body.reminders.then(|| "yes".into()),
        retention_days: body.retention_days.to_string(),
    };
    let stored = store::settings(&state.db, scope.id()).await?;
    let settings = apply_settings(stored, &form).map_err(|(field, key)| AppError::Invalid {
        field,
        message: ctx.t(key),
    })?;
    keep_settings(&state, &scope, &viewer, &settings).await?;
    Ok(Json(settings_body(&settings)))
}
