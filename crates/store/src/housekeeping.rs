//! Tidying the tables that only grow: ended sessions, spent sign-in links,
//! old rate-limit windows, finished jobs, pending alumni records nobody
//! accepted within the network's retention period. Run at most once an hour across
//! all app nodes (one conditional write decides which node does it).

use crate::{Db, Result, db_run, now_ms};

const HOUR_MS: i64 = 60 * 60 * 1000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// What one run removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tidied {
    pub sessions: u64,
    pub links: u64,
    pub throttle: u64,
    pub jobs: u64,
    /// Pending alumni records past their network's retention period.
    pub records: u64,
}

/// Claims this hour's run: `true` for exactly one caller per hour.
pub async fn claim_run(db: &Db, now: i64) -> Result<bool> {
    let first = db_run!(db, |pool| {
        sqlx::query(
            "INSERT INTO meta (key, value, updated_at) VALUES ('housekeeping_at', $1, $2) \
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(now.to_string())
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    if first == 1 {
        return Ok(true);
    }
    let claimed = db_run!(db, |pool| {
        sqlx::query(
            "UPDATE meta SET value = $1, updated_at = $2 WHERE key = 'housekeeping_at' AND updated_at <= $3",
        )
        .bind(now.to_string())
        .bind(now)
        .bind(now - HOUR_MS)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(claimed == 1)
}

async fn delete(db: &Db, sql: &'static str, before: i64) -> Result<u64> {
    Ok(db_run!(db, |pool| {
        sqlx::query(sql)
            .bind(before)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?)
}

/// Removes what is no longer needed (as of `now`): expired sessions;
/// sign-in, reset and verification links a week after they expired; rate
/// limit windows older than a day; jobs done more than 30 days ago (failed
/// ones stay for the operator); pending alumni records past their
/// network's retention period (audited).
pub async fn tidy(db: &Db, now: i64) -> Result<Tidied> {
    Ok(Tidied {
        sessions: delete(db, "DELETE FROM sessions WHERE expires_at <= $1", now).await?,
        links: delete(
            db,
            "DELETE FROM login_tokens WHERE expires_at <= $1",
            now - 7 * DAY_MS,
        )
        .await?,
        throttle: delete(
            db,
            "DELETE FROM throttle WHERE window_start <= $1",
            now - DAY_MS,
        )
        .await?,
        jobs: delete(
            db,
            "DELETE FROM jobs WHERE status = 'done' AND updated_at <= $1",
            now - 30 * DAY_MS,
        )
        .await?,
        records: crate::intake::purge_expired(db, now).await?,
    })
}

/// Runs [`tidy`] if this caller wins this hour's claim.
pub async fn run_if_due(db: &Db) -> Result<Option<Tidied>> {
    let now = now_ms();
    if !claim_run(db, now).await? {
        return Ok(None);
    }
    tidy(db, now).await.map(Some)
}

/// Refreshes the query planner's statistics after a bulk write (an import,
/// generated people): PostgreSQL plans a search over a freshly filled table
/// from empty statistics — 10× slower (see BENCHMARKS.md) — until
/// autovacuum gets round to it; SQLite's `PRAGMA optimize` analyses what
/// changed enough to matter.
pub async fn refresh_statistics(db: &Db) -> Result<()> {
    let sql = match db.backend() {
        crate::Backend::Postgres => {
            "ANALYZE profiles, profile_search, profile_words, tenures, memberships, accounts, \
             alumni_records"
        }
        crate::Backend::Sqlite => "PRAGMA optimize",
    };
    db_run!(db, |pool| {
        sqlx::query(sql)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// After every profile was written (an upgrade's rebuild, generated
/// people), PostgreSQL's directory tables are vacuumed and analysed at
/// once rather than when autovacuum gets round to them (never, where it is
/// off): a rewrite leaves a dead row version behind every profile and
/// word, which each index scan steps over, and index-only scans read the
/// table until the visibility map is set. At 1M profiles after the
/// upgrade that wrote every profile's words: surname p50 7.6 → 2.5 ms,
/// era filter 41 → 3.3 ms. SQLite reuses its free pages as they are.
pub async fn vacuum_directory(db: &Db) -> Result<()> {
    if let Db::Postgres(pool) = db {
        // (not in a transaction: the simple protocol, one statement)
        sqlx::raw_sql("VACUUM (ANALYZE) profiles, profile_words, profile_search")
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// Refreshes the statistics during a long bulk write each time what it
/// wrote doubles (from `first` rows). Plans made while a table was small
/// are kept until the statistics change — PostgreSQL's cached plans,
/// triggers' included: generating 1M people on a server without
/// autovacuum, the listing trigger's update walked the network's profiles
/// for every new member (a batch of 1,000 took 9 s at 480,000).
pub struct RefreshAsItGrows {
    at: i64,
    written: i64,
}

impl RefreshAsItGrows {
    pub fn from(first: i64) -> RefreshAsItGrows {
        RefreshAsItGrows {
            at: first.max(1),
            written: 0,
        }
    }

    /// `rows` more were written (and committed).
    pub async fn wrote(&mut self, db: &Db, rows: i64) -> Result<()> {
        if self.due(rows) {
            refresh_statistics(db).await?;
        }
        Ok(())
    }

    /// Whether the statistics are due after `rows` more.
    fn due(&mut self, rows: i64) -> bool {
        self.written += rows;
        if self.written < self.at {
            return false;
        }
        while self.at <= self.written {
            self.at *= 2;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::RefreshAsItGrows;

    #[test]
    fn statistics_are_refreshed_each_time_the_writes_double() {
        let mut r = RefreshAsItGrows::from(1_000);
        let due: Vec<i64> = (1..=40).filter(|_| r.due(500)).map(|i| i * 500).collect();
        assert_eq!(due, [1_000, 2_000, 4_000, 8_000, 16_000]);
        // a write that jumps past several doublings refreshes once
        let mut r = RefreshAsItGrows::from(1_000);
        assert!(r.due(10_000));
        assert!(!r.due(5_000));
        assert!(r.due(1_384));
        assert!(!RefreshAsItGrows::from(0).due(0));
    }
}
