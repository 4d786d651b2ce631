//! The audit log: who did what, to what, when and from where. Security
//! events now (sign-in, tokens, password and e-mail changes, operator
//! actions); each later capability adds its admin actions.

use sqlx::FromRow;

use crate::{Db, Result, db_run};

#[derive(Clone, Debug, FromRow)]
pub struct Entry {
    pub id: i64,
    pub network_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub detail: Option<String>,
    pub created_at: i64,
}

/// What to record.
#[derive(Clone, Debug, Default)]
pub struct NewEntry<'a> {
    pub network_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub target: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub detail: Option<&'a str>,
}

pub async fn record(db: &Db, entry: &NewEntry<'_>, now: i64) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query(
            "INSERT INTO audit_log (network_id, actor_id, action, target, ip, detail, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(entry.network_id)
        .bind(entry.actor_id)
        .bind(entry.action)
        .bind(entry.target)
        .bind(entry.ip)
        .bind(entry.detail)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Installation-wide entries, newest first (keyset: ids below `before`).
pub async fn recent(db: &Db, before: Option<i64>, limit: i64) -> Result<Vec<Entry>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT id, network_id, actor_id, action, target, ip, detail, created_at FROM audit_log \
             WHERE id < $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(pool)
        .await
    })?)
}
