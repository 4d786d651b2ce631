//! HR's roster of alumni records: states, filters, invitations by
//! selection, exit invitations, the do-not-contact list, the settings.

use super::*;

// ─────────────────────────────── roster ────────────────────────────────

#[derive(Deserialize, Default)]
pub struct RosterQuery {
    pub state: Option<String>,
    pub left_year: Option<String>,
    pub department: Option<String>,
    pub after: Option<i64>,
    pub done: Option<String>,
    /// With `done=queued`: how many were sent and queued.
    pub sent: Option<u32>,
    pub queued: Option<u32>,
}

impl RosterQuery {
    pub fn filter(&self) -> RecordFilter {
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
pub const STATES: [&str; 8] = [
    store::state::SCHEDULED,
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

impl RecordView {
    pub fn of(r: Record) -> RecordView {
        RecordView {
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
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "intake/roster.html")]
pub struct RosterPage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub slug: String,
    pub name: String,
    pub counts: BTreeMap<String, i64>,
    pub states: [&'static str; 8],
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

/// One page of records after `after`, at most `limit`, and whether more
/// follow.
pub async fn roster_rows(
    state: &AppState,
    scope: &NetworkScope,
    filter: &RecordFilter,
    after: Option<i64>,
    limit: i64,
) -> Result<(Vec<Record>, bool), AppError> {
    let mut rows =
        store::records(&state.db, scope.id(), filter, after.unwrap_or(0), limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

async fn roster_page(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
    q: &RosterQuery,
) -> Result<RosterPage, AppError> {
    let filter = q.filter();
    let (rows, more) = roster_rows(state, scope, &filter, q.after, ROSTER_PAGE).await?;
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
    let records = rows.into_iter().map(RecordView::of).collect();
    let notice = match q.done.as_deref() {
        Some("invited") => Some(ctx.t("intake.notice_invited").to_string()),
        Some("blocked") => Some(ctx.t("intake.notice_blocked").to_string()),
        Some("none") => Some(ctx.t("intake.notice_none_invitable").to_string()),
        Some("queued") => Some(ctx.tf(
            "intake.notice_queued",
            &[
                ("sent", &q.sent.unwrap_or_default().to_string()),
                ("queued", &q.queued.unwrap_or_default().to_string()),
            ],
        )),
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
pub const INVITE_BATCH: i64 = 5_000;

/// `POST /n/{slug}/admin/alumni/invite` (`id`… hand-picked, or `all=1`
/// with `state`, `left_year`, `department`): invites the selection (records
/// that joined, declined, are on the do-not-contact list or have no
/// address are left out); a second invitation replaces the first link.
pub async fn invite(
    State(state): State<AppState>,
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
    let invited = invite_selection(&state, &scope, &viewer, &filter).await?;
    let done = match invited {
        Invited { sent: 0, .. } => "none".to_string(),
        Invited { queued: 0, .. } => "invited".to_string(),
        Invited { sent, queued } => format!("queued&sent={sent}&queued={queued}"),
    };
    Ok(Redirect::to(&format!("/n/{}/admin/alumni?done={done}", scope.slug())).into_response())
}

/// Invitations one request sends itself; the rest of a selection is queued
/// for the sweep, so a large "invite all" never outlasts the request.
pub const SEND_NOW: usize = 100;

/// What an invitation by selection did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Invited {
    pub sent: usize,
    /// Queued for the sweep (sent within minutes).
    pub queued: usize,
}

/// Invites the records `filter` selects (at most [`INVITE_BATCH`]) that may
/// be invited, on the admin's behalf: the first [`SEND_NOW`] at once, the
/// rest through the sweep; audited.
pub async fn invite_selection(
    state: &AppState,
    scope: &NetworkScope,
    viewer: &Viewer,
    filter: &RecordFilter,
) -> Result<Invited, AppError> {
    let rows = store::records(&state.db, scope.id(), filter, 0, INVITE_BATCH).await?;
    let by = scope.membership.account_id;
    let invitable: Vec<&Record> = rows.iter().filter(|r| r.invitable()).collect();
    let (now, later) = invitable.split_at(invitable.len().min(SEND_NOW));
    if !now.is_empty() {
        let head = Letterhead::load(state, &scope.network).await?;
        for r in now {
            send_invitation(state, &head, r, Some(by), Letter::Invitation).await?;
        }
    }
    let later: Vec<i64> = later.iter().map(|r| r.id).collect();
    let queued = store::queue_invitations(&state.db, scope.id(), &later, by).await? as usize;
    if queued > 0 {
        state.wake_jobs();
    }
    let invited = Invited {
        sent: now.len(),
        queued,
    };
    record(
        state,
        &scope.network,
        Some(by),
        "intake.invited",
        Some(&format!(
            "{} records sent, {} queued",
            invited.sent, invited.queued
        )),
        &viewer.ip_text(),
    )
    .await;
    Ok(invited)
}

/// Which e-mail an invitation goes out as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Letter {
    /// The invitation (for an exit invitation: the warm one).
    Invitation,
    /// A reminder of an unanswered one, with a new link.
    Reminder,
}

/// What every invitation of a network carries, read once for a batch of
/// them: the network, the language for people whose own is unknown, and
/// the purposes of use (an excerpt) in each language.
pub struct Letterhead {
    pub network: Network,
    pub default_lang: Lang,
    purposes_ja: String,
    purposes_en: String,
}

impl Letterhead {
    pub async fn load(state: &AppState, network: &Network) -> Result<Letterhead, AppError> {
        let settings = store::settings(&state.db, network.scope()).await?;
        let purposes =
            enishi_store::networks::current_document(&state.db, network.scope(), "purposes")
                .await?;
        let excerpt = |body: String| body.chars().take(600).collect::<String>();
        Ok(Letterhead {
            network: network.clone(),
            default_lang: Lang::from_code(&settings.invite_lang).unwrap_or(Lang::Ja),
            purposes_ja: excerpt(purposes.body_ja),
            purposes_en: excerpt(purposes.body_en),
        })
    }

    /// The language of e-mails to record `r`: its own if known, else the
    /// network's default for invitations.
    pub fn lang_of(&self, r: &Record) -> Lang {
        Lang::from_code(&r.lang).unwrap_or(self.default_lang)
    }

    fn purposes(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.purposes_ja,
            Lang::En => &self.purposes_en,
        }
    }
}

/// Invites one record on `by`'s behalf: a new single-use link (the old one
/// revoked), the e-mail in the record's language (else the network's
/// default), the record marked sent with the message whose fate shows as
/// `failed` if SMTP refuses it.
pub async fn send_invitation(
    state: &AppState,
    head: &Letterhead,
    r: &Record,
    by: Option<i64>,
    letter: Letter,
) -> Result<(), AppError> {
    let network = &head.network;
    if let Some(old) = r.invitation_id {
        invitations::revoke(&state.db, network.scope(), old).await?;
    }
    let (invitation, link) = crate::networks::new_invitation(
        state,
        network,
        &crate::networks::NewLink {
            email: &r.email,
            role: enishi_core::networks::Role::Member,
            kind: enishi_core::networks::Kind::Alumni,
            invited_by: by,
            record_id: Some(r.id),
        },
    )
    .await?;
    let lang = head.lang_of(r);
    let name = name_in(network, lang).to_string();
    let purposes = head.purposes(lang);
    let kind = match (letter, r.origin.as_str()) {
        (Letter::Reminder, _) => crate::mail::Kind::AlumniReminder,
        (Letter::Invitation, "exit") => crate::mail::Kind::ExitInvitation,
        (Letter::Invitation, _) => crate::mail::Kind::AlumniInvitation,
    };
    let message = crate::mail::send_with(
        state,
        &r.email,
        lang,
        kind,
        &link,
        &[("network", &name), ("purposes", purposes)],
    )
    .await?;
    store::mark_sent(&state.db, network.scope(), r.id, invitation.id, message).await?;
    Ok(())
}

#[derive(Deserialize)]
pub struct BlockForm {
    #[serde(default)]
    pub email: String,
}

/// Adds `address` to the do-not-contact list; audited with its hint.
pub async fn add_block(
    state: &AppState,
    scope: &NetworkScope,
    viewer: &Viewer,
    address: &str,
) -> Result<(), AppError> {
    store::add_do_not_contact(&state.db, scope.id(), address, scope.membership.account_id).await?;
    record(
        state,
        &scope.network,
        Some(scope.membership.account_id),
        "intake.do_not_contact",
        Some(&store::hint(address)),
        &viewer.ip_text(),
    )
    .await;
    Ok(())
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
    add_block(&state, &scope, &viewer, &address).await?;
    Ok(Redirect::to(&format!("/n/{}/admin/alumni?done=blocked", scope.slug())).into_response())
}

// ──────────────────────────── exit invitations ────────────────────────────

/// The hour (Japan time) an exit invitation goes out on the leave date.
pub const EXIT_SEND_HOUR: i64 = 10;
/// How far from today a leave date may be (days, either way).
pub const EXIT_WINDOW_DAYS: i64 = 366;

/// An admin's exit invitation: a departing employee's personal address and
/// leave date (the invitation goes out that morning).
#[derive(Deserialize, Default, Clone, Debug, utoipa::ToSchema)]
pub struct ExitForm {
    #[serde(default)]
    pub family: String,
    #[serde(default)]
    pub given: String,
    /// Their personal address (a company one stops working when they leave).
    #[serde(default)]
    pub email: String,
    /// The leave date, `2026-12-31`.
    #[serde(default)]
    pub left: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub employee_number: String,
    /// `ja` or `en` (empty: the network's default).
    #[serde(default)]
    pub lang: String,
}

/// A refused exit form: the field and the catalogue key.
pub type FieldError = (&'static str, &'static str);

/// What became of an exit invitation.
pub enum Exit {
    /// Goes out at this instant.
    Scheduled(Record, i64),
    /// The leave date has come: sent now.
    Sent(Record),
}

/// Validates `form` and schedules the exit invitation (sent at once when
/// the leave date is today after the sending hour, or past). Shared by the
/// page and the API.
pub async fn schedule_exit(
    state: &AppState,
    scope: &NetworkScope,
    form: &ExitForm,
) -> Result<Result<Exit, FieldError>, AppError> {
    use enishi_core::profile::{MAX_SHORT_CHARS, Stint, YearMonth};
    use enishi_core::time::{jst_ms, parse_day};
    let family = form.family.trim().to_string();
    let given = form.given.trim().to_string();
    let department = form.department.trim().to_string();
    let employee_number: String =
        enishi_core::text::to_half_width_ascii(form.employee_number.trim())
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
    if family.is_empty() {
        return Ok(Err(("family", "invalid.family_empty")));
    }
    for (field, value) in [
        ("family", &family),
        ("given", &given),
        ("department", &department),
        ("employee_number", &employee_number),
    ] {
        if value.chars().count() > MAX_SHORT_CHARS {
            return Ok(Err((field, "invalid.too_long_100")));
        }
    }
    let address = match email::normalise(&form.email) {
        Ok(a) => a,
        Err(e) => return Ok(Err(("email", e.key()))),
    };
    let at_company = address
        .rsplit_once('@')
        .is_some_and(|(_, d)| scope.network.domains().iter().any(|c| c == d));
    if at_company {
        return Ok(Err(("email", "intake.exit_company_address")));
    }
    let Some(day) = parse_day(&form.left) else {
        return Ok(Err(("left", "intake.exit_left_invalid")));
    };
    let now = now_ms();
    let send_at = jst_ms(day, EXIT_SEND_HOUR);
    if (send_at - now).abs() > EXIT_WINDOW_DAYS * 86_400_000 {
        return Ok(Err(("left", "intake.exit_left_window")));
    }
    let lang = match form.lang.as_str() {
        "" => String::new(),
        code => match Lang::from_code(code) {
            Some(l) => l.code().to_string(),
            None => return Ok(Err(("lang", "intake.exit_lang"))),
        },
    };
    if store::is_blocked(&state.db, scope.id(), &address).await? {
        return Ok(Err(("email", "intake.exit_blocked")));
    }
    let leaver = enishi_core::intake::Leaver {
        line: 1,
        employee_number: employee_number.clone(),
        family,
        given,
        family_kana: String::new(),
        given_kana: String::new(),
        family_romaji: String::new(),
        given_romaji: String::new(),
        email: address,
        company_address_only: false,
        stint: Stint {
            joined: None,
            left: YearMonth::new(day.0, day.1 as i64),
            departments: if department.is_empty() {
                vec![]
            } else {
                vec![department]
            },
            titles: vec![],
            office: String::new(),
            employee_number,
        },
    };
    let mut roster =
        store::Roster::for_rows(&state.db, scope.id(), std::slice::from_ref(&leaver)).await?;
    match roster.classify(&leaver) {
        Outcome::Skipped => return Ok(Err(("email", "intake.exit_blocked"))),
        Outcome::Linked { .. } => return Ok(Err(("email", "intake.exit_member"))),
        _ => {}
    }
    store::apply(
        &state.db,
        scope.id(),
        &mut roster,
        std::slice::from_ref(&leaver),
        0,
        None,
    )
    .await?;
    let Some(id) = roster.record_id(roster.classify(&leaver)) else {
        return Err(AppError::Internal(
            "exit record not found after writing it".into(),
        ));
    };
    let by = scope.membership.account_id;
    if !store::schedule(&state.db, scope.id(), id, send_at, &lang, by).await? {
        // joined or declined: nothing to schedule
        return Ok(Err(("email", "intake.exit_member")));
    }
    if send_at <= now && store::take_scheduled(&state.db, scope.id(), id, now).await? {
        let r = store::record(&state.db, scope.id(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        let head = Letterhead::load(state, &scope.network).await?;
        send_invitation(state, &head, &r, Some(by), Letter::Invitation).await?;
        let r = store::record(&state.db, scope.id(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        return Ok(Ok(Exit::Sent(r)));
    }
    let r = store::record(&state.db, scope.id(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Ok(Exit::Scheduled(r, send_at)))
}

#[derive(Template, WebTemplate)]
#[template(path = "intake/exit.html")]
pub struct ExitPage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub slug: String,
    pub name: String,
    pub form: ExitForm,
    pub error: Option<String>,
    pub error_field: &'static str,
    pub notice: Option<String>,
    /// The exit invitations waiting for their day.
    pub scheduled: Vec<RecordView>,
    pub default_lang: String,
}

impl ExitPage {
    /// `2026-12-31` of a scheduled record.
    pub fn day_of(&self, r: &Record) -> String {
        r.send_at
            .map(|ms| {
                let (y, m, d) = enishi_core::time::jst_day(ms);
                format!("{y:04}-{m:02}-{d:02}")
            })
            .unwrap_or_default()
    }
}

async fn exit_page(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
    form: ExitForm,
) -> Result<ExitPage, AppError> {
    let filter = RecordFilter {
        state: Some(store::state::SCHEDULED.into()),
        ..RecordFilter::default()
    };
    let scheduled = store::records(&state.db, scope.id(), &filter, 0, ROSTER_PAGE)
        .await?
        .into_iter()
        .map(RecordView::of)
        .collect();
    Ok(ExitPage {
        section: "exit",
        slug: scope.slug().to_string(),
        name: name_in(&scope.network, ctx.lang).to_string(),
        form,
        error: None,
        error_field: "",
        notice: None,
        scheduled,
        default_lang: store::settings(&state.db, scope.id()).await?.invite_lang,
        ctx,
    })
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    pub done: Option<String>,
    pub at: Option<String>,
}

/// `GET /n/{slug}/admin/alumni/exit`: the exit invitation form and the
/// invitations waiting for their day.
pub async fn exit_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Query(q): Query<DoneQuery>,
) -> Result<ExitPage, AppError> {
    let mut page = exit_page(&state, ctx, &scope, ExitForm::default()).await?;
    page.notice = match q.done.as_deref() {
        Some("scheduled") => Some(page.ctx.tf1(
            "intake.exit_scheduled",
            "date",
            q.at.as_deref().unwrap_or_default(),
        )),
        Some("sent") => Some(page.ctx.t("intake.exit_sent").to_string()),
        _ => None,
    };
    Ok(page)
}

/// `POST /n/{slug}/admin/alumni/exit`
pub async fn exit(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    scope: NetworkScope,
    CsrfForm(form): CsrfForm<ExitForm>,
) -> Result<Response, AppError> {
    let outcome = schedule_exit(&state, &scope, &form).await?;
    let (r, done) = match outcome {
        Err((field, key)) => {
            let mut page = exit_page(&state, ctx, &scope, form).await?;
            page.error = Some(page.ctx.t(key).to_string());
            page.error_field = field;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Ok(Exit::Sent(r)) => (r, "done=sent".to_string()),
        Ok(Exit::Scheduled(r, at)) => {
            let (y, m, d) = enishi_core::time::jst_day(at);
            (r, format!("done=scheduled&at={y:04}-{m:02}-{d:02}"))
        }
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
    Ok(Redirect::to(&format!("/n/{}/admin/alumni/exit?{done}", scope.slug())).into_response())
}

// ─────────────────────────────── settings ────────────────────────────────

/// The roster's settings as the form sends them.
#[derive(Deserialize, Default, Clone, Debug, utoipa::ToSchema)]
pub struct IntakeSettingsForm {
    /// `ja` or `en`: invitations to people whose language is unknown.
    #[serde(default)]
    pub invite_lang: String,
    /// Present (any value): unanswered invitations get reminders.
    #[serde(default)]
    pub reminders: Option<String>,
    /// Days a pending record nobody accepted is kept (30–3650).
    #[serde(default)]
    pub retention_days: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "intake/settings.html")]
pub struct IntakeSettingsPage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub slug: String,
    pub name: String,
    pub form: IntakeSettingsForm,
    pub error: Option<String>,
    pub error_field: &'static str,
    pub notice: Option<String>,
    pub reminder_days: [i64; 2],
}

impl IntakeSettingsPage {
    pub fn reminders_label(&self) -> String {
        let [first, second] = self.reminder_days.map(|d| d.to_string());
        self.ctx.tf(
            "intake.reminders_label",
            &[("first", &first), ("second", &second)],
        )
    }
}

fn settings_form(s: &store::Settings) -> IntakeSettingsForm {
    IntakeSettingsForm {
        invite_lang: s.invite_lang.clone(),
        reminders: s.reminders.then(|| "yes".into()),
        retention_days: s.retention_days.to_string(),
    }
}

fn settings_page(
    ctx: PageCtx,
    scope: &NetworkScope,
    form: IntakeSettingsForm,
) -> IntakeSettingsPage {
    IntakeSettingsPage {
        section: "alumni",
        slug: scope.slug().to_string(),
        name: name_in(&scope.network, ctx.lang).to_string(),
        form,
        error: None,
        error_field: "",
        notice: None,
        reminder_days: store::REMINDER_AFTER_DAYS,
        ctx,
    }
}

/// Checks the settings form against the stored settings.
pub fn apply_settings(
    mut settings: store::Settings,
    form: &IntakeSettingsForm,
) -> Result<store::Settings, FieldError> {
    let Some(lang) = Lang::from_code(form.invite_lang.trim()) else {
        return Err(("invite_lang", "intake.exit_lang"));
    };
    let days: i64 = enishi_core::text::to_half_width_ascii(form.retention_days.trim())
        .parse()
        .map_err(|_| ("retention_days", "intake.retention_invalid"))?;
    if !store::RETENTION_RANGE.contains(&days) {
        return Err(("retention_days", "intake.retention_invalid"));
    }
    settings.invite_lang = lang.code().to_string();
    settings.reminders = form.reminders.is_some();
    settings.retention_days = days;
    Ok(settings)
}

/// Saves the roster's settings; audited.
pub async fn keep_settings(
    state: &AppState,
    scope: &NetworkScope,
    viewer: &Viewer,
    settings: &store::Settings,
) -> Result<(), AppError> {
    store::save_settings(&state.db, scope.id(), settings).await?;
    record(
        state,
        &scope.network,
        Some(scope.membership.account_id),
        "intake.settings",
        Some(&format!(
            "lang={} reminders={} retention={}",
            settings.invite_lang, settings.reminders, settings.retention_days
        )),
        &viewer.ip_text(),
    )
    .await;
    Ok(())
}

/// `GET /n/{slug}/admin/alumni/settings`
pub async fn settings(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Query(q): Query<DoneQuery>,
) -> Result<IntakeSettingsPage, AppError> {
    let stored = store::settings(&state.db, scope.id()).await?;
    let mut page = settings_page(ctx, &scope, settings_form(&stored));
    if q.done.as_deref() == Some("saved") {
        page.notice = Some(page.ctx.t("intake.settings_saved").to_string());
    }
    Ok(page)
}

/// `POST /n/{slug}/admin/alumni/settings`
pub async fn save_settings(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    scope: NetworkScope,
    CsrfForm(form): CsrfForm<IntakeSettingsForm>,
) -> Result<Response, AppError> {
    let stored = store::settings(&state.db, scope.id()).await?;
    match apply_settings(stored, &form) {
        Err((field, key)) => {
            let mut page = settings_page(ctx, &scope, form);
            page.error = Some(page.ctx.t(key).to_string());
            page.error_field = field;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Ok(settings) => {
            keep_settings(&state, &scope, &viewer, &settings).await?;
            Ok(Redirect::to(&format!(
                "/n/{}/admin/alumni/settings?done=saved",
                scope.slug()
            ))
            .into_response())
        }
    }
}
