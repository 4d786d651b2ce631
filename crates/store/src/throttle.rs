//! Fixed-window counters for rate limits (sign-in attempts, link requests),
//! kept in the database so every app node sees the same counts. One upsert
//! per hit, exact under concurrency on both engines.
//!
//! [`InProcess`] counts the same way in memory, for a limit hit on every
//! page view where the database is SQLite (see its docs).

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

/// Fixed-window counters in this process's memory, with [`hit`]'s
/// semantics.
///
/// For SQLite, which one process serves (ARCHITECTURE: live updates go
/// through an in-process broadcast), so the counts are as exact as the
/// table's. It matters for a limit counted on every page view (the
/// directory's anti-scraping limit): on SQLite every commit makes every
/// other connection drop its page cache at its next read (WAL change
/// detection), so an upsert per directory search kept every connection's
/// cache cold and each search read its index pages from the file again.
#[derive(Debug, Default)]
pub struct InProcess {
    windows: std::sync::Mutex<std::collections::HashMap<String, (i64, i64)>>,
}

/// Keys kept before the ones whose window has passed are dropped.
const IN_PROCESS_KEYS: usize = 10_000;

impl InProcess {
    /// Counts a hit on `key`; returns the hits in the current window (this
    /// one included) and when that window started — as [`hit`].
    pub fn hit(&self, key: &str, now: i64, window_ms: i64) -> (i64, i64) {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() >= IN_PROCESS_KEYS && !windows.contains_key(key) {
            windows.retain(|_, (start, _)| *start > now - window_ms);
        }
        let entry = windows.entry(key.to_string()).or_insert((now, 0));
        if entry.0 <= now - window_ms {
            *entry = (now, 0);
        }
        entry.1 += 1;
        (entry.1, entry.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_process_windows_count_as_the_table_does() {
        let c = InProcess::default();
        assert_eq!(c.hit("a", 1_000, 60_000), (1, 1_000));
        assert_eq!(c.hit("a", 2_000, 60_000), (2, 1_000));
        assert_eq!(c.hit("b", 2_000, 60_000), (1, 2_000), "keys apart");
        assert_eq!(c.hit("a", 60_999, 60_000), (3, 1_000), "still the window");
        assert_eq!(c.hit("a", 61_000, 60_000), (1, 61_000), "a new window");
    }

    #[test]
    fn in_process_keys_stay_bounded() {
        let c = InProcess::default();
        for i in 0..IN_PROCESS_KEYS {
            c.hit(&i.to_string(), 0, 60_000);
        }
        // a minute on, a new key drops the passed windows
        c.hit("new", 60_000, 60_000);
        let kept = c.windows.lock().unwrap().len();
        assert_eq!(kept, 1);
        // live windows are kept, however many
        for i in 0..IN_PROCESS_KEYS {
            c.hit(&i.to_string(), 61_000, 60_000);
        }
        assert_eq!(c.hit("0", 62_000, 60_000), (2, 61_000));
    }
}
