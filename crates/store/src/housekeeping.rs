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

/// Refreshes the statistics during a long bulk write each time a table
/// it fills doubles (from `first` rows written into an empty one), and at
/// its end if a table grew by a tenth since. Plans made while a table was
/// small are kept until the statistics change — PostgreSQL's cached plans,
/// triggers' included: generating 1M people on a server without
/// autovacuum, the listing trigger's update walked the network's profiles
/// for every new member (a batch of 1,000 took 9 s at 480,000).
///
/// With the tables named ([`Self::counting`]) each doubles from what it
/// holds, and PostgreSQL analyses only those due: statistics are per table,
/// and one of 100,000 rows has good ones already. Counted from the write
/// alone and analysing every directory table each time, 100,000 rows
/// imported into a network of 100,000 members on PostgreSQL analysed seven
/// times (1.3 s each, 9.5 s of 24 s) where only HR's (empty) records table
/// needed it.
pub struct RefreshAsItGrows {
    /// The least a write must add before the end refreshes.
    first: i64,
    /// Each table and how it grows; one unnamed entry: the statistics of
    /// every directory table at once ([`refresh_statistics`]).
    tables: Vec<(&'static str, Growth)>,
}

/// How one table grows.
struct Growth {
    /// The rows at which the next refresh is due.
    at: i64,
    /// The rows the table holds, as far as this writer knows.
    rows: i64,
    /// The rows it held when its statistics were last taken.
    refreshed: i64,
}

impl Growth {
    fn holding(rows: i64, first: i64) -> Growth {
        Growth {
            at: first.max(rows.saturating_mul(2)),
            rows,
            refreshed: rows,
        }
    }

    /// Whether the statistics are due after `rows` more.
    fn due(&mut self, rows: i64) -> bool {
        self.rows = self.rows.saturating_add(rows.max(0));
        if self.rows < self.at {
            return false;
        }
        while self.at <= self.rows {
            self.at = self.at.saturating_mul(2);
        }
        self.refreshed = self.rows;
        true
    }

    /// Whether it grew by a tenth (and by `first` rows) since its
    /// statistics were last taken.
    fn due_at_end(&self, first: i64) -> bool {
        let grown = self.rows - self.refreshed;
        grown > 0 && grown >= first.max(self.refreshed / 10)
    }
}

impl RefreshAsItGrows {
    /// For a write into empty tables, refreshing all of the directory's.
    pub fn from(first: i64) -> RefreshAsItGrows {
        let first = first.max(1);
        RefreshAsItGrows {
            first,
            tables: vec![("", Growth::holding(0, first))],
        }
    }

    /// For a write adding at most one row per written row to each of
    /// `tables` (names from our code), as they are now.
    pub async fn counting(
        db: &Db,
        tables: &[&'static str],
        first: i64,
    ) -> Result<RefreshAsItGrows> {
        let first = first.max(1);
        let mut growth = Vec::with_capacity(tables.len());
        for &table in tables {
            if !crate::bulk::is_identifier(table) {
                return Err(crate::StoreError::Config(format!(
                    "rows of {table:?}: not a plain lower-case identifier"
                )));
            }
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let rows: i64 = db_run!(db, |pool| {
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
                    .fetch_one(pool)
                    .await
            })?;
            growth.push((table, Growth::holding(rows, first)));
        }
        Ok(RefreshAsItGrows {
            first,
            tables: growth,
        })
    }

    /// `rows` more were written (and committed).
    pub async fn wrote(&mut self, db: &Db, rows: i64) -> Result<()> {
        let due: Vec<&'static str> = self
            .tables
            .iter_mut()
            .filter_map(|(t, g)| g.due(rows).then_some(*t))
            .collect();
        refresh(db, &due).await
    }

    /// The write is over: refreshes the tables that grew by a tenth (and
    /// by `first` rows) since their statistics were last taken.
    pub async fn finish(self, db: &Db) -> Result<()> {
        let due: Vec<&'static str> = self
            .tables
            .iter()
            .filter(|(_, g)| g.due_at_end(self.first))
            .map(|(t, _)| *t)
            .collect();
        refresh(db, &due).await
    }
}

/// The statistics of `tables` (an unnamed one: every directory table's;
/// SQLite: `PRAGMA optimize`, which picks the tables itself).
async fn refresh(db: &Db, tables: &[&str]) -> Result<()> {
    if tables.is_empty() {
        return Ok(());
    }
    if tables.contains(&"") || db.backend() == crate::Backend::Sqlite {
        return refresh_statistics(db).await;
    }
    let sql = format!("ANALYZE {}", tables.join(", "));
    db_run!(db, |pool| {
        sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Growth;

    #[test]
    fn statistics_are_refreshed_each_time_the_writes_double() {
        let mut r = Growth::holding(0, 1_000);
        let due: Vec<i64> = (1..=40).filter(|_| r.due(500)).map(|i| i * 500).collect();
        assert_eq!(due, [1_000, 2_000, 4_000, 8_000, 16_000]);
        // a write that jumps past several doublings refreshes once
        let mut r = Growth::holding(0, 1_000);
        assert!(r.due(10_000));
        assert!(!r.due(5_000));
        assert!(r.due(1_384));
        assert!(!Growth::holding(0, 1).due(0));
    }

    #[test]
    fn the_doubling_counts_from_what_the_table_holds() {
        // 100,000 rows into 100,000: once, when the table has doubled
        let mut r = Growth::holding(100_000, 1_000);
        let due: Vec<i64> = (1..=50)
            .filter(|_| r.due(2_000))
            .map(|i| i * 2_000)
            .collect();
        assert_eq!(due, [100_000]);
        assert!(
            !r.due_at_end(1_000),
            "nothing written since the last refresh"
        );
        // a few rows into a big table: no refresh during it or at its end
        let mut r = Growth::holding(1_000_000, 1_000);
        assert!(!r.due(2_000));
        assert!(!r.due_at_end(1_000));
        // a tenth more than the last statistics saw: refreshed at the end
        let mut r = Growth::holding(100_000, 1_000);
        assert!(!r.due(10_000));
        assert!(r.due_at_end(1_000));
        // an empty table: as from `first`, and the end refreshes what the
        // doubling left (6,000 written, last refreshed at 4,000)
        let mut r = Growth::holding(0, 1_000);
        let due: Vec<i64> = (1..=3)
            .filter(|_| r.due(2_000))
            .map(|i| i * 2_000)
            .collect();
        assert_eq!(due, [2_000, 4_000]);
        assert!(r.due_at_end(1_000));
        // fewer rows than `first` into an empty table: nothing to refresh
        let mut r = Growth::holding(0, 1_000);
        assert!(!r.due(999));
        assert!(!r.due_at_end(1_000));
    }
}
