//! The invited person's side: HR's record as a draft to correct, claimed
//! and joined, or declined for good.

use super::*;

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
    /// An exit invitation (the page opens with a farewell and welcome).
    pub exit: bool,
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
        exit: r.origin == "exit",
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
