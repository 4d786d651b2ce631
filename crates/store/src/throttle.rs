//! Fixed-window counters for rate limits (sign-in attempts, link requests),
//! kept in the database so every app node sees the same counts. One upsert
//! per hit, exact under concurrency on both engines.

use crate::{Db, Result, db_run};

/// Counts a hit on `key`; returns the hits in the current window
/// (this one included) and when that window started.
pub async fn hit(db: &Db, key: &str, now: i64, window_ms: i64) -> Result<(i64, i64)> {
    Ok(db_run!(db, |pool| {
        sqlx::query_as(
            "INSERT INTO throttle (key, window_start, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (key) DO UPDATE SET \
               hits = CASE WHEN throttle.window_start <= $3 THEN 1 ELSE throttle.hits + 1 END, \
               window_start = CASE WHEN throttle.window_start <= $3 THEN $2 ELSE throttle.window_start END \
             RETURNING hits, window_start",
        )
        .bind(key)
        .bind(now)
        .bind(now - window_ms)
        .fetch_one(pool)
        .await
    })?)
}

/// Hits on `key` in the current window, without counting one.
pub async fn peek(db: &Db, key: &str, now: i64, window_ms: i64) -> Result<(i64, i64)> {
    let row: Option<(i64, i64)> = db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT hits, window_start FROM throttle WHERE key = $1 AND window_start > $2",
        )
        .bind(key)
        .bind(now - window_ms)
        .fetch_optional(pool)
        .await
    })?;
    Ok(row.unwrap_or((0, now)))
}

/// Forgets `key` (a successful sign-in clears the account's failures).
pub async fn clear(db: &Db, key: &str) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query("DELETE FROM throttle WHERE key = $1")
            .bind(key)
            .execute(pool)
            .await
            .map(|_| ())
    })?;
    Ok(())
}
