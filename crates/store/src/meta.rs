//! Installation-wide key/value facts (not tenant-owned): when demo data was
//! loaded, and later similar one-off markers.

use crate::{Db, Result, db_run, now_ms};

/// The value stored under `key`, if any.
pub async fn get(db: &Db, key: &str) -> Result<Option<String>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(pool)
            .await
    })?)
}

/// Stores `value` under `key` unless the key exists. Returns `true` when this
/// call stored it — a race-free "do this once" on both engines.
pub async fn insert_once(db: &Db, key: &str, value: &str) -> Result<bool> {
    let written = db_run!(db, |pool| {
        sqlx::query(
            "INSERT INTO meta (key, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(value)
        .bind(now_ms())
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(written == 1)
}

/// Removes `key`; used when a once-only task failed and may be tried again.
pub async fn remove(db: &Db, key: &str) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query("DELETE FROM meta WHERE key = $1")
            .bind(key)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}
