//! Memberships (account × network) and the consent history. Every query is
//! scoped by [`NetworkId`].

use sqlx::FromRow;

use crate::networks::{Network, NetworkId};
use crate::{Db, Result, db_run, now_ms};

#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct Membership {
    pub id: i64,
    pub network_id: i64,
    pub account_id: i64,
    pub role: String,
    pub kind: String,
    pub status: String,
    pub request_note: Option<String>,
    pub purposes_version: Option<i64>,
    pub guidelines_version: Option<i64>,
    pub consented_at: Option<i64>,
    pub joined_at: Option<i64>,
    pub left_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Who may start a conversation with them (`core::messages::Reach`).
    pub dm_from: String,
    /// An admin authorised this member (current staff) to post
    /// opportunities (0/1).
    pub opportunity_poster: i64,
    /// Left out of HR's match lists (0/1).
    pub match_opt_out: i64,
}

impl Membership {
    /// Whether the member has agreed to the network's current documents.
    pub fn consent_is_current(&self, network: &Network) -> bool {
        self.purposes_version == Some(network.purposes_version)
            && self.guidelines_version == Some(network.guidelines_version)
    }
}

const COLUMNS: &str = "m.id, m.network_id, m.account_id, m.role, m.kind, m.status, m.request_note, \
     m.purposes_version, m.guidelines_version, m.consented_at, m.joined_at, m.left_at, m.created_at, m.updated_at, m.dm_from, \
     m.opportunity_poster, m.match_opt_out";

/// An account's membership of a network, whatever its status.
pub async fn of_account(db: &Db, net: NetworkId, account_id: i64) -> Result<Option<Membership>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM memberships m WHERE m.network_id = $1 AND m.account_id = $2"
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(account_id)
            .fetch_optional(pool)
            .await
    })?)
}

/// The columns of a network (`n`) with a membership of it (`m`), read as
/// [`NetworkMembership`].
pub(crate) fn network_membership_columns() -> String {
    format!(
        "{COLUMNS}, n.slug, n.name_ja, n.name_en, n.description_ja, n.description_en, \
         n.accent_color, n.join_policy, n.staff_domains, n.listed, n.purposes_version AS n_purposes_version, \
         n.guidelines_version AS n_guidelines_version, n.created_at AS n_created_at, n.updated_at AS n_updated_at"
    )
}

/// A network with a membership of it, as [`network_membership_columns`]
/// reads them.
#[derive(FromRow)]
pub(crate) struct NetworkMembership {
    #[sqlx(flatten)]
    membership: Membership,
    slug: String,
    name_ja: String,
    name_en: String,
    description_ja: String,
    description_en: String,
    accent_color: String,
    join_policy: String,
    staff_domains: String,
    listed: bool,
    n_purposes_version: i64,
    n_guidelines_version: i64,
    n_created_at: i64,
    n_updated_at: i64,
}

impl NetworkMembership {
    pub(crate) fn into_pair(self) -> (Network, Membership) {
        (
            Network {
                id: self.membership.network_id,
                slug: self.slug,
                name_ja: self.name_ja,
                name_en: self.name_en,
                description_ja: self.description_ja,
                description_en: self.description_en,
                accent_color: self.accent_color,
                join_policy: self.join_policy,
                staff_domains: self.staff_domains,
                listed: self.listed,
                purposes_version: self.n_purposes_version,
                guidelines_version: self.n_guidelines_version,
                created_at: self.n_created_at,
                updated_at: self.n_updated_at,
            },
            self.membership,
        )
    }
}

/// The network `slug` with `account_id`'s membership of it (whatever its
/// status), in one statement — network pages whose header did not already
/// bring it ask (`notifications::header`); `None` when there is no such
/// network or no membership.
pub async fn network_with_membership(
    db: &Db,
    slug: &str,
    account_id: i64,
) -> Result<Option<(Network, Membership)>> {
    let sql = format!(
        "SELECT {} FROM networks n JOIN memberships m ON m.network_id = n.id AND m.account_id = $2 \
         WHERE n.slug = $1",
        network_membership_columns()
    );
    let row: Option<NetworkMembership> = db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(slug)
            .bind(account_id)
            .fetch_optional(pool)
            .await
    })?;
    Ok(row.map(NetworkMembership::into_pair))
}

/// A membership by id, within the network.
pub async fn get(db: &Db, net: NetworkId, id: i64) -> Result<Option<Membership>> {
    let sql = format!("SELECT {COLUMNS} FROM memberships m WHERE m.network_id = $1 AND m.id = $2");
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(id)
            .fetch_optional(pool)
            .await
    })?)
}

/// The consent given with a join or a renewal.
#[derive(Clone, Copy, Debug)]
pub struct Consent<'a> {
    pub purposes_version: i64,
    pub guidelines_version: i64,
    pub ip: Option<&'a str>,
}

/// Records a consent decision (`accepted` or `declined`) in the history.
pub async fn record_consent(
    db: &Db,
    net: NetworkId,
    account_id: i64,
    consent: &Consent<'_>,
    decision: &str,
) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query(
            "INSERT INTO consents (network_id, account_id, purposes_version, guidelines_version, decision, ip, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(net.0)
        .bind(account_id)
        .bind(consent.purposes_version)
        .bind(consent.guidelines_version)
        .bind(decision)
        .bind(consent.ip)
        .bind(now_ms())
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Who joins, as what.
#[derive(Clone, Copy, Debug)]
pub struct NewMembership<'a> {
    pub account_id: i64,
    pub role: &'a str,
    pub kind: &'a str,
    /// `active` or `pending`.
    pub status: &'a str,
    pub note: Option<&'a str>,
}

/// Puts an account into the network with `status` (`active` or
/// `pending`), recording consent. An existing membership that has `left`
/// (or was declined) starts again; an active, pending or suspended one is
/// returned unchanged with `false`.
pub async fn join(
    db: &Db,
    net: NetworkId,
    new: &NewMembership<'_>,
    consent: &Consent<'_>,
) -> Result<(Membership, bool)> {
    let now = now_ms();
    let joined_at = (new.status == "active").then_some(now);
    let mut tx = db.begin_write().await?;
    let sql = format!(
        "INSERT INTO memberships (network_id, account_id, role, kind, status, request_note, purposes_version, \
         guidelines_version, consented_at, joined_at, left_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, $9, $9) \
         ON CONFLICT (network_id, account_id) DO UPDATE SET \
           role = excluded.role, kind = excluded.kind, status = excluded.status, request_note = excluded.request_note, \
           purposes_version = excluded.purposes_version, guidelines_version = excluded.guidelines_version, \
           consented_at = excluded.consented_at, joined_at = excluded.joined_at, left_at = NULL, updated_at = excluded.updated_at \
         WHERE memberships.status IN ('left', 'invited') \
         RETURNING {}",
        COLUMNS.replace("m.", "")
    );
    let written: Option<Membership> = db_run!(tx tx, |conn| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(new.account_id)
            .bind(new.role)
            .bind(new.kind)
            .bind(new.status)
            .bind(new.note)
            .bind(consent.purposes_version)
            .bind(consent.guidelines_version)
            .bind(now)
            .bind(joined_at)
            .fetch_optional(&mut *conn)
            .await
    })?;
    tx.commit().await?;
    crate::profiles::ensure_for_account(db, net, new.account_id).await?;
    match written {
        Some(m) => {
            record_consent(db, net, new.account_id, consent, "accepted").await?;
            Ok((m, true))
        }
        None => {
            let existing = of_account(db, net, new.account_id)
                .await?
                .expect("a conflicting membership exists");
            Ok((existing, false))
        }
    }
}

/// Renews consent to the current documents.
pub async fn renew_consent(
    db: &Db,
    net: NetworkId,
    account_id: i64,
    consent: &Consent<'_>,
) -> Result<()> {
    let now = now_ms();
    db_run!(db, |pool| {
        sqlx::query(
            "UPDATE memberships SET purposes_version = $1, guidelines_version = $2, consented_at = $3, updated_at = $3 \
             WHERE network_id = $4 AND account_id = $5",
        )
        .bind(consent.purposes_version)
        .bind(consent.guidelines_version)
        .bind(now)
        .bind(net.0)
        .bind(account_id)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    record_consent(db, net, account_id, consent, "accepted").await
}

/// Sets the status (`active`, `suspended`, `left`); `left` records the time.
/// Returns whether a membership of this network changed.
pub async fn set_status(db: &Db, net: NetworkId, id: i64, status: &str) -> Result<bool> {
    let now = now_ms();
    let n = db_run!(db, |pool| {
        sqlx::query(
            "UPDATE memberships SET status = $1, updated_at = $2, \
               left_at = CASE WHEN $1 = 'left' THEN $2 ELSE left_at END, \
               joined_at = CASE WHEN $1 = 'active' AND joined_at IS NULL THEN $2 ELSE joined_at END \
             WHERE network_id = $3 AND id = $4",
        )
        .bind(status)
        .bind(now)
        .bind(net.0)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

pub async fn set_role(db: &Db, net: NetworkId, id: i64, role: &str) -> Result<bool> {
    set_text(db, net, id, "role", role).await
}

/// Changes what a member is (alumni, employee, hr). A change ends an
/// authorisation to post opportunities: someone who left and came back is
/// authorised again by an admin, not by their old flag.
pub async fn set_kind(db: &Db, net: NetworkId, id: i64, kind: &str) -> Result<bool> {
    let n = db_run!(db, |pool| {
        sqlx::query(
            "UPDATE memberships SET opportunity_poster = CASE WHEN kind = $1 THEN opportunity_poster ELSE 0 END, \
             kind = $1, updated_at = $2 WHERE network_id = $3 AND id = $4",
        )
        .bind(kind)
        .bind(now_ms())
        .bind(net.0)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

async fn set_text(
    db: &Db,
    net: NetworkId,
    id: i64,
    column: &'static str,
    value: &str,
) -> Result<bool> {
    let sql = format!(
        "UPDATE memberships SET {column} = $1, updated_at = $2 WHERE network_id = $3 AND id = $4"
    );
    let n = db_run!(db, |pool| {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(value)
            .bind(now_ms())
            .bind(net.0)
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Removes a membership (the person may be invited again later).
pub async fn remove(db: &Db, net: NetworkId, id: i64) -> Result<bool> {
    let n = db_run!(db, |pool| {
        sqlx::query("DELETE FROM memberships WHERE network_id = $1 AND id = $2")
            .bind(net.0)
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// How many active owners the network has (the last one cannot go).
pub async fn active_owners(db: &Db, net: NetworkId) -> Result<i64> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM memberships WHERE network_id = $1 AND role = 'owner' AND status = 'active'",
        )
        .bind(net.0)
        .fetch_one(pool)
        .await
    })?)
}

/// A row of the members list: the membership with the account's name.
/// (No e-mail address: contact details are the person's to share, and
/// admins reach members through the platform.)
#[derive(Clone, Debug, FromRow)]
pub struct MemberRow {
    pub id: i64,
    pub account_id: i64,
    pub display_name: String,
    pub role: String,
    pub kind: String,
    pub status: String,
    pub request_note: Option<String>,
    pub joined_at: Option<i64>,
    pub created_at: i64,
}

/// Filters of the members list; `None` means any.
#[derive(Clone, Debug, Default)]
pub struct MemberFilter {
    pub role: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
}

/// Every member matching the filter (pending requests first, then by
/// name): for small networks and tests; pages use [`page`].
pub async fn list(db: &Db, net: NetworkId, filter: &MemberFilter) -> Result<Vec<MemberRow>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT m.id, m.account_id, a.display_name, m.role, m.kind, m.status, m.request_note, \
                    m.joined_at, m.created_at \
             FROM memberships m JOIN accounts a ON a.id = m.account_id \
             WHERE m.network_id = $1 AND ($2 IS NULL OR m.role = $2) AND ($3 IS NULL OR m.kind = $3) \
               AND ($4 IS NULL OR m.status = $4) \
             ORDER BY CASE WHEN m.status = 'pending' THEN 0 ELSE 1 END, a.display_name, m.id",
        )
        .bind(net.0)
        .bind(filter.role.as_deref())
        .bind(filter.kind.as_deref())
        .bind(filter.status.as_deref())
        .fetch_all(pool)
        .await
    })?)
}

/// Pending requests shown first on the members list, at most.
pub const PENDING_SHOWN: i64 = 200;

/// One page of the members list: on the first page the pending requests
/// (up to [`PENDING_SHOWN`]), then everyone else newest first, `limit` at a
/// time after membership `before`; and the cursor of the next page. Each
/// query walks the primary key, so a page costs the same at 100 members
/// and at a million.
pub async fn page(
    db: &Db,
    net: NetworkId,
    filter: &MemberFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<(Vec<MemberRow>, Option<i64>)> {
    /// `status`: exactly that one, or (empty) every status but pending.
    async fn rows(
        db: &Db,
        net: NetworkId,
        filter: &MemberFilter,
        status: &str,
        before: i64,
        limit: i64,
    ) -> Result<Vec<MemberRow>> {
        // every status but pending, or exactly one (bound as $6)
        let which = if status.is_empty() {
            "m.status <> 'pending'"
        } else {
            "m.status = $6"
        };
        let sql = format!(
            "SELECT m.id, m.account_id, a.display_name, m.role, m.kind, m.status, m.request_note, \
                    m.joined_at, m.created_at \
             FROM memberships m JOIN accounts a ON a.id = m.account_id \
             WHERE m.network_id = $1 AND ($2 IS NULL OR m.role = $2) AND ($3 IS NULL OR m.kind = $3) \
               AND {which} AND m.id < $4 \
             ORDER BY m.id DESC LIMIT $5"
        );
        Ok(db_run!(db, |pool| {
            let q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(net.0)
                .bind(filter.role.as_deref())
                .bind(filter.kind.as_deref())
                .bind(before)
                .bind(limit);
            if status.is_empty() { q } else { q.bind(status) }
                .fetch_all(pool)
                .await
        })?)
    }
    let status = filter.status.as_deref().unwrap_or("");
    let limit = limit.max(1);
    let mut shown = Vec::new();
    if status.is_empty() && before.is_none() {
        shown = rows(db, net, filter, "pending", i64::MAX, PENDING_SHOWN).await?;
    }
    // with a status chosen, that status is the list; else everyone not pending
    let mut rest = rows(
        db,
        net,
        filter,
        status,
        before.unwrap_or(i64::MAX),
        limit + 1,
    )
    .await?;
    let next = (rest.len() as i64 > limit).then(|| rest[limit as usize - 1].id);
    rest.truncate(limit as usize);
    shown.extend(rest);
    Ok((shown, next))
}

/// How many members the filter matches, from the tally the database keeps
/// (migration 0009): a few rows, whatever the network's size.
pub async fn count(db: &Db, net: NetworkId, filter: &MemberFilter) -> Result<i64> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM member_tally WHERE network_id = $1 \
               AND ($2 IS NULL OR role = $2) AND ($3 IS NULL OR kind = $3) AND ($4 IS NULL OR status = $4)",
        )
        .bind(net.0)
        .bind(filter.role.as_deref())
        .bind(filter.kind.as_deref())
        .bind(filter.status.as_deref())
        .fetch_one(pool)
        .await
    })?)
}

/// Counts by status, and by role and kind among active members
/// (`("status", "active", 12)`, …), from the tally; nothing with none.
pub async fn counts(db: &Db, net: NetworkId) -> Result<Vec<(String, String, i64)>> {
    let tally: Vec<(String, String, String, i64)> = db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT status, role, kind, n FROM member_tally WHERE network_id = $1 AND n > 0 \
             ORDER BY status, role, kind",
        )
        .bind(net.0)
        .fetch_all(pool)
        .await
    })?;
    let mut sums: std::collections::BTreeMap<(&str, &str), i64> = Default::default();
    for (status, role, kind, n) in &tally {
        *sums.entry(("status", status)).or_default() += n;
        if status == "active" {
            *sums.entry(("role", role)).or_default() += n;
            *sums.entry(("kind", kind)).or_default() += n;
        }
    }
    Ok(sums
        .into_iter()
        .map(|((what, value), n)| (what.to_string(), value.to_string(), n))
        .collect())
}

/// A signed-in person's networks (any status but `left`), for the switcher
/// and home page.
pub async fn networks_of(db: &Db, account_id: i64) -> Result<Vec<(Network, String, String)>> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        network: Network,
        member_role: String,
        member_status: String,
    }
    let rows: Vec<Row> = db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT n.id, n.slug, n.name_ja, n.name_en, n.description_ja, n.description_en, n.accent_color, \
                    n.join_policy, n.staff_domains, n.listed, n.purposes_version, n.guidelines_version, \
                    n.created_at, n.updated_at, m.role AS member_role, m.status AS member_status \
             FROM memberships m JOIN networks n ON n.id = m.network_id \
             WHERE m.account_id = $1 AND m.status IN ('active', 'pending') ORDER BY n.name_ja, n.id",
        )
        .bind(account_id)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|r| (r.network, r.member_role, r.member_status))
        .collect())
}

/// Of `accounts`, the active members of the network.
pub async fn active_among(db: &Db, net: NetworkId, accounts: &[i64]) -> Result<Vec<i64>> {
    if accounts.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT account_id FROM memberships WHERE network_id = $1 AND status = 'active' AND {}",
        db.dialect().in_list("account_id", 2)
    );
    let ids = crate::IdList(accounts.to_vec());
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(&ids)
            .fetch_all(pool)
            .await
    })?)
}
