//! The roster's records: the states HR sees, invitations sent, opened,
//! answered and scheduled, the do-not-contact list, and the retention
//! purge. Every query is scoped by [`NetworkId`], but for the sweeps that
//! look across networks for what is due (each then acts per network).

use std::collections::BTreeMap;

use sqlx::FromRow;

use super::{DEFAULT_RETENTION_DAYS, hint, state, suppression_key};
use crate::networks::NetworkId;
use crate::profiles;
use crate::{Db, DbTx, Result, db_run, now_ms};

// ─────────────────────────────── records ────────────────────────────────

/// A record as HR's roster shows it.
#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct Record {
    pub id: i64,
    pub profile_id: Option<i64>,
    pub account_id: Option<i64>,
    pub employee_number: String,
    /// The address (after declining: only its hint).
    pub email: String,
    pub company_address_only: bool,
    pub lang: String,
    /// The stored state.
    pub state: String,
    /// The state HR sees ([`shown_state`]).
    pub shown: String,
    pub left_ym: Option<i64>,
    pub department: String,
    pub invitation_id: Option<i64>,
    pub sent_at: Option<i64>,
    pub reminders: i64,
    pub opened_at: Option<i64>,
    pub joined_at: Option<i64>,
    pub declined_at: Option<i64>,
    pub created_at: i64,
    pub family: Option<String>,
    pub given: Option<String>,
    pub family_kana: Option<String>,
    pub given_kana: Option<String>,
    /// On the do-not-contact list.
    pub blocked: bool,
    /// `import` or `exit` (an admin's exit invitation).
    pub origin: String,
    /// When a scheduled invitation goes out.
    pub send_at: Option<i64>,
}

impl Record {
    /// Whether an invitation may go to this record now (a second one
    /// replaces the first).
    pub fn invitable(&self) -> bool {
        !self.blocked
            && !self.email.is_empty()
            && !matches!(self.state.as_str(), state::JOINED | state::DECLINED)
    }
}

/// The state HR sees, as SQL over `alumni_records r`, its invitation `i`
/// and the invitation e-mail `o` (outbox), with the current time in
/// parameter `$now`: a sent invitation whose e-mail was rejected is
/// `failed`; one that ran out unanswered is `expired`; else the stored one.
/// The one definition the roster's rows, filter and counts use.
fn shown_state(now: usize) -> String {
    format!(
        "(CASE WHEN r.state IN ('sent', 'opened') AND o.status = 'failed' THEN 'failed' \
         WHEN r.state IN ('sent', 'opened') AND i.expires_at <= ${now} THEN 'expired' \
         ELSE r.state END)"
    )
}

/// The tables [`shown_state`] reads.
const RECORD_JOINS: &str = "FROM alumni_records r \
     LEFT JOIN outbox o ON o.id = r.message_id \
     LEFT JOIN invitations i ON i.network_id = r.network_id AND i.id = r.invitation_id";

/// The roster's columns, with the current time in `$3`.
fn record_select() -> String {
    format!(
        "SELECT r.id, r.profile_id, r.account_id, r.employee_number, r.email, r.company_address_only, \
         r.lang, r.state, {} AS shown, r.left_ym, r.department, r.invitation_id, r.sent_at, r.reminders, \
         r.opened_at, r.joined_at, r.declined_at, r.created_at, p.family, p.given, p.family_kana, p.given_kana, \
         EXISTS (SELECT 1 FROM do_not_contact d WHERE d.network_id = r.network_id \
           AND d.key_hash = r.email_key) AS blocked, r.origin, r.send_at \
         {RECORD_JOINS} \
         LEFT JOIN profiles p ON p.network_id = r.network_id AND p.id = r.profile_id",
        shown_state(3)
    )
}

/// Which records a roster page shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordFilter {
    /// A shown state ([`state`]).
    pub state: Option<String>,
    pub left_year: Option<i64>,
    pub department: Option<String>,
    /// Only these ids (hand-picked).
    pub ids: Option<Vec<i64>>,
}

/// Records matching `f`, by id, after `after`, at most `limit`.
pub async fn records(
    db: &Db,
    net: NetworkId,
    f: &RecordFilter,
    after: i64,
    limit: i64,
) -> Result<Vec<Record>> {
    let mut sql = format!(
        "{} WHERE r.network_id = $1 AND r.id > $2 AND ($7 = '' OR {} = $7)",
        record_select(),
        shown_state(3)
    );
    sql.push_str(" AND ($4 < 0 OR (r.left_ym >= $4 * 100 AND r.left_ym <= $4 * 100 + 12))");
    sql.push_str(" AND ($5 = '' OR r.department = $5)");
    if let Some(ids) = &f.ids {
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        sql.push_str(&format!(" AND r.id IN ({})", list.join(", ")));
    }
    sql.push_str(" ORDER BY r.id LIMIT $6");
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(after)
            .bind(now_ms())
            .bind(f.left_year.unwrap_or(-1))
            .bind(f.department.clone().unwrap_or_default())
            .bind(limit)
            .bind(f.state.clone().unwrap_or_default())
            .fetch_all(pool)
            .await
    })?)
}

/// One record of the network.
pub async fn record(db: &Db, net: NetworkId, id: i64) -> Result<Option<Record>> {
    let sql = format!("{} WHERE r.network_id = $1 AND r.id = $2", record_select());
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(id)
            .bind(now_ms())
            .fetch_optional(pool)
            .await
    })?)
}

/// How many records are in each shown state (states with none are absent).
pub async fn state_counts(db: &Db, net: NetworkId) -> Result<BTreeMap<String, i64>> {
    let sql = format!(
        "SELECT {} AS shown, CAST(COUNT(*) AS BIGINT) {RECORD_JOINS} \
         WHERE r.network_id = $1 GROUP BY 1",
        shown_state(2)
    );
    let rows: Vec<(String, i64)> = db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(now_ms())
            .fetch_all(pool)
            .await
    })?;
    Ok(rows.into_iter().collect())
}

/// Records that an invitation went out.
pub async fn mark_sent(
    db: &Db,
    net: NetworkId,
    id: i64,
    invitation_id: i64,
    message_id: i64,
) -> Result<()> {
    let now = now_ms();
    db_run!(db, |pool| {
        sqlx::query(
            "UPDATE alumni_records SET state = 'sent', invitation_id = $3, message_id = $4, sent_at = $5, \
             opened_at = NULL, updated_at = $5 WHERE network_id = $1 AND id = $2 AND state NOT IN ('joined', 'declined')",
        )
        .bind(net.0)
        .bind(id)
        .bind(invitation_id)
        .bind(message_id)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The person opened their invitation link.
pub async fn mark_opened(db: &Db, net: NetworkId, id: i64) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query(
            "UPDATE alumni_records SET state = 'opened', opened_at = $3, updated_at = $3 \
             WHERE network_id = $1 AND id = $2 AND state = 'sent'",
        )
        .bind(net.0)
        .bind(id)
        .bind(now_ms())
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The person joined as `account_id`, with `profile_id` theirs now.
pub async fn mark_joined(
    db: &Db,
    net: NetworkId,
    id: i64,
    account_id: i64,
    profile_id: i64,
) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query(
            "UPDATE alumni_records SET state = 'joined', account_id = $3, profile_id = $4, joined_at = $5, \
             updated_at = $5 WHERE network_id = $1 AND id = $2",
        )
        .bind(net.0)
        .bind(id)
        .bind(account_id)
        .bind(profile_id)
        .bind(now_ms())
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The person declined: their HR record (profile, stints, index entry) is
/// deleted, the record keeps only its state and the address's hint, and
/// the address and employee number are suppressed for good.
pub async fn decline(db: &Db, net: NetworkId, id: i64) -> Result<bool> {
    let Some(r) = record(db, net, id).await? else {
        return Ok(false);
    };
    if matches!(r.state.as_str(), state::JOINED | state::DECLINED) {
        return Ok(false);
    }
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    if let Some(p) = r.profile_id.filter(|_| r.account_id.is_none()) {
        profiles::delete_in(&mut tx, net, p).await?;
    }
    let mut keys = vec![(suppression_key("email", &r.email), hint(&r.email))];
    if !r.employee_number.is_empty() {
        let shown: String = r.employee_number.chars().take(2).collect();
        keys.push((
            suppression_key("employee", &r.employee_number),
            format!("#{shown}**"),
        ));
    }
    for (key, shown) in &keys {
        suppress_in(&mut tx, net, key, shown, "declined", None, now).await?;
    }
    db_run!(tx tx, |conn| {
        sqlx::query(
            "UPDATE alumni_records SET state = 'declined', declined_at = $3, email = $4, email_key = '', \
             employee_number = '', profile_id = NULL, fingerprint = '', department = '', left_ym = NULL, \
             updated_at = $3 WHERE network_id = $1 AND id = $2",
        )
        .bind(net.0)
        .bind(id)
        .bind(now)
        .bind(hint(&r.email))
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    Ok(true)
}

async fn suppress_in(
    tx: &mut DbTx,
    net: NetworkId,
    key: &str,
    hint: &str,
    reason: &str,
    by: Option<i64>,
    now: i64,
) -> Result<()> {
    db_run!(tx tx, |conn| {
        sqlx::query(
            "INSERT INTO do_not_contact (network_id, key_hash, hint, reason, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (network_id, key_hash) DO UPDATE SET reason = \
             CASE WHEN excluded.reason = 'declined' THEN excluded.reason ELSE do_not_contact.reason END",
        )
        .bind(net.0)
        .bind(key)
        .bind(hint)
        .bind(reason)
        .bind(by)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// HR puts an address on the do-not-contact list (kept across re-imports:
/// it is never invited or reminded).
pub async fn add_do_not_contact(db: &Db, net: NetworkId, email: &str, by: i64) -> Result<()> {
    let mut tx = db.begin_write().await?;
    suppress_in(
        &mut tx,
        net,
        &suppression_key("email", email),
        &hint(email),
        "hr",
        Some(by),
        now_ms(),
    )
    .await?;
    tx.commit().await
}

/// The do-not-contact list: (hint, reason, when), newest first.
pub async fn do_not_contact(db: &Db, net: NetworkId) -> Result<Vec<(String, String, i64)>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT hint, reason, created_at FROM do_not_contact WHERE network_id = $1 \
             ORDER BY id DESC LIMIT 500",
        )
        .bind(net.0)
        .fetch_all(pool)
        .await
    })?)
}

/// Whether `email` is on the network's do-not-contact list (declined, or
/// added by HR).
pub async fn is_blocked(db: &Db, net: NetworkId, email: &str) -> Result<bool> {
    let key = suppression_key("email", email);
    let found: Option<i64> = db_run!(db, |pool| {
        sqlx::query_scalar("SELECT id FROM do_not_contact WHERE network_id = $1 AND key_hash = $2")
            .bind(net.0)
            .bind(&key)
            .fetch_optional(pool)
            .await
    })?;
    Ok(found.is_some())
}

/// Deletes pending records nobody accepted within their network's
/// retention period (default [`DEFAULT_RETENTION_DAYS`]), with HR's
/// profile copy, and writes one audit entry per network. Returns how many.
pub async fn purge_expired(db: &Db, now: i64) -> Result<u64> {
    let due: Vec<(i64, i64, Option<i64>, Option<i64>)> = db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT r.id, r.network_id, r.profile_id, r.account_id FROM alumni_records r \
             LEFT JOIN intake_settings s ON s.network_id = r.network_id \
             WHERE r.state NOT IN ('joined', 'declined') \
             AND r.created_at <= $1 - COALESCE(s.retention_days, $2) * 86400000",
        )
        .bind(now)
        .bind(DEFAULT_RETENTION_DAYS)
        .fetch_all(pool)
        .await
    })?;
    let mut per_network: BTreeMap<i64, u64> = BTreeMap::new();
    for (id, network_id, profile_id, account_id) in &due {
        let net = NetworkId(*network_id);
        let mut tx = db.begin_write().await?;
        if let (Some(p), None) = (profile_id, account_id) {
            profiles::delete_in(&mut tx, net, *p).await?;
        }
        db_run!(tx tx, |conn| {
            sqlx::query("DELETE FROM alumni_records WHERE network_id = $1 AND id = $2")
                .bind(net.0)
                .bind(*id)
                .execute(&mut *conn)
                .await
                .map(|r| r.rows_affected())
        })?;
        tx.commit().await?;
        *per_network.entry(*network_id).or_default() += 1;
    }
    for (network_id, n) in &per_network {
        let detail = format!("{n} pending records past the retention period");
        crate::audit::record(
            db,
            &crate::audit::NewEntry {
                network_id: Some(*network_id),
                action: "intake.retention_purged",
                detail: Some(&detail),
                ..Default::default()
            },
            now,
        )
        .await?;
    }
    Ok(due.len() as u64)
}

// ─────────────────────── scheduled and reminded ────────────────────────

/// Days after the first invitation, then after the first reminder, before
/// a reminder goes out.
pub const REMINDER_AFTER_DAYS: [i64; 2] = [7, 14];
/// The most reminders one invitation gets.
pub const MAX_REMINDERS: i64 = REMINDER_AFTER_DAYS.len() as i64;

/// Makes record `id` an exit invitation that goes out at `send_at` in
/// `lang`, on `by`'s behalf. Refused (`false`) once the person joined or
/// declined.
pub async fn schedule(
    db: &Db,
    net: NetworkId,
    id: i64,
    send_at: i64,
    lang: &str,
    by: i64,
) -> Result<bool> {
    let changed = db_run!(db, |pool| {
        sqlx::query(
            "UPDATE alumni_records SET state = 'scheduled', origin = 'exit', send_at = $3, lang = $4, \
             scheduled_by = $5, updated_at = $6 \
             WHERE network_id = $1 AND id = $2 AND state NOT IN ('joined', 'declined')",
        )
        .bind(net.0)
        .bind(id)
        .bind(send_at)
        .bind(lang)
        .bind(by)
        .bind(now_ms())
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(changed == 1)
}

/// Queues records `ids` to be invited by the sweep, on `by`'s behalf (a
/// large selection is sent a batch at a time, not in the request).
/// Records that joined or declined meanwhile are left alone. Returns how
/// many were queued.
pub async fn queue_invitations(db: &Db, net: NetworkId, ids: &[i64], by: i64) -> Result<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let now = now_ms();
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    let sql = format!(
        "UPDATE alumni_records SET state = 'scheduled', send_at = $2, scheduled_by = $3, updated_at = $2 \
         WHERE network_id = $1 AND state NOT IN ('joined', 'declined') AND id IN ({})",
        list.join(", ")
    );
    Ok(db_run!(db, |pool| {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(now)
            .bind(by)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?)
}

/// Something due, found across networks: `(network, record id, who
/// scheduled it or sent the invitation, reminders so far)`.
#[derive(Clone, Copy, Debug, FromRow, PartialEq, Eq)]
pub struct Due {
    pub network_id: i64,
    pub id: i64,
    pub actor: Option<i64>,
    pub reminders: i64,
}

/// Scheduled invitations whose time has come, oldest first.
pub async fn due_scheduled(db: &Db, now: i64, limit: i64) -> Result<Vec<Due>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT network_id, id, scheduled_by AS actor, reminders FROM alumni_records \
             WHERE state = 'scheduled' AND send_at <= $1 ORDER BY send_at, id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(pool)
        .await
    })?)
}

/// Takes a due scheduled invitation for sending (`true` for exactly one
/// caller): it becomes an ordinary pending record that is sent next.
pub async fn take_scheduled(db: &Db, net: NetworkId, id: i64, now: i64) -> Result<bool> {
    let changed = db_run!(db, |pool| {
        sqlx::query(
            "UPDATE alumni_records SET state = 'pending', send_at = NULL, updated_at = $3 \
             WHERE network_id = $1 AND id = $2 AND state = 'scheduled' AND send_at <= $3",
        )
        .bind(net.0)
        .bind(id)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(changed == 1)
}

/// Invitations due a reminder: shown as sent or opened ([`shown_state`]:
/// not joined, declined, rejected by the mail server or run out), fewer than [`MAX_REMINDERS`]
/// so far, the last one [`REMINDER_AFTER_DAYS`] ago, not on the
/// do-not-contact list, in a network that has reminders on.
pub async fn due_reminders(db: &Db, now: i64, limit: i64) -> Result<Vec<Due>> {
    let sql = format!(
        "SELECT r.network_id, r.id, i.invited_by AS actor, r.reminders {RECORD_JOINS} \
         LEFT JOIN intake_settings s ON s.network_id = r.network_id \
         WHERE {} IN ('sent', 'opened') AND r.reminders < $2 \
         AND r.sent_at <= $1 - (CASE WHEN r.reminders = 0 THEN $3 ELSE $4 END) * 86400000 \
         AND (s.reminders IS NULL OR s.reminders = TRUE) \
         AND NOT EXISTS (SELECT 1 FROM do_not_contact d WHERE d.network_id = r.network_id \
           AND d.key_hash = r.email_key) \
         ORDER BY r.sent_at, r.id LIMIT $5",
        shown_state(1)
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .bind(MAX_REMINDERS)
            .bind(REMINDER_AFTER_DAYS[0])
            .bind(REMINDER_AFTER_DAYS[1])
            .bind(limit)
            .fetch_all(pool)
            .await
    })?)
}

/// Counts reminder number `so_far + 1` of record `id` (`true` for exactly
/// one caller; the caller then sends it).
pub async fn take_reminder(db: &Db, net: NetworkId, id: i64, so_far: i64) -> Result<bool> {
    let changed = db_run!(db, |pool| {
        sqlx::query(
            "UPDATE alumni_records SET reminders = reminders + 1, updated_at = $4 \
             WHERE network_id = $1 AND id = $2 AND reminders = $3 AND state IN ('sent', 'opened')",
        )
        .bind(net.0)
        .bind(id)
        .bind(so_far)
        .bind(now_ms())
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(changed == 1)
}
