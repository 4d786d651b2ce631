//! # enishi-store — the only place SQL lives
//!
//! [`Db`] is either a SQLite pool (the embedded default) or a PostgreSQL pool.
//! Every query is written once, in the portable dialect described in
//! ARCHITECTURE.md › Portable SQL (`$1…$n` placeholders, BIGINT Unix
//! milliseconds for instants, times set in Rust), and run through
//! [`db_run!`], which expands the *same* body in each arm so that sqlx
//! type-checks it against both engines. Where the engines really differ
//! (lists, search, a few upserts) the difference lives in [`sqlite`] or
//! [`postgres`] behind one [`Dialect`] call.
//!
//! Writes that must be atomic use a [`DbTx`] from [`Db::begin_write`]; on
//! SQLite it starts with `BEGIN IMMEDIATE`, so two writers queue on the busy
//! timeout instead of failing with "database is locked" halfway through.
//!
//! One module per capability (`meta` now; `accounts`, `networks`, `people`, …
//! as they land), each taking the tenant scope as its first argument once
//! networks exist.

pub mod accounts;
pub mod api_tokens;
pub mod audit;
pub mod bulk;
pub mod business_matching;
pub mod businesses;
mod connect;
pub mod directory;
pub mod events;
pub mod groups;
pub mod housekeeping;
pub mod images;
pub mod intake;
pub mod invitations;
pub mod jobs;
pub mod login_tokens;
pub mod memberships;
pub mod messages;
pub mod meta;
pub mod migrate;
pub mod moderation;
pub mod networks;
pub mod notifications;
pub mod opportunities;
pub mod outbox;
pub mod postgres;
pub mod posts;
pub mod profiles;
pub mod schema;
pub mod sessions;
pub mod sqlite;
pub mod throttle;

use std::time::{SystemTime, UNIX_EPOCH};

pub use bulk::{SqlValue, allocate_ids, bind_values, bulk_insert, bulk_insert_with_ids};
pub use connect::{BULK_CHECKPOINT_PAGES, DbConfig};
pub use sqlx;

/// Either database engine's connection pool.
#[derive(Clone, Debug)]
pub enum Db {
    /// The embedded default: one file under the data directory.
    Sqlite(sqlx::SqlitePool),
    /// PostgreSQL, for larger or multi-node installations.
    Postgres(sqlx::PgPool),
}

/// Which engine a [`Db`] or [`DbTx`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Runs the same body against whichever engine a [`Db`] or [`DbTx`] holds.
///
/// ```no_run
/// # async fn example(db: &enishi_store::Db) -> Result<(), enishi_store::StoreError> {
/// use enishi_store::{db_run, sqlx};
/// // over the pool: `pool` is `&SqlitePool` in one arm, `&PgPool` in the other
/// let n: i64 = db_run!(db, |pool| {
///     sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM meta").fetch_one(pool).await
/// })?;
/// // inside a write transaction: `conn` is `&mut SqliteConnection` / `&mut PgConnection`;
/// // write `&mut *conn` when the body uses it more than once
/// let mut tx = db.begin_write().await?;
/// db_run!(tx tx, |conn| {
///     sqlx::query("DELETE FROM meta").execute(&mut *conn).await.map(|r| r.rows_affected())
/// })?;
/// tx.commit().await
/// # }
/// ```
#[macro_export]
macro_rules! db_run {
    (tx $tx:expr, |$conn:ident| $body:expr) => {{
        match $tx.inner_mut() {
            $crate::TxInner::Sqlite(__tx) => {
                #[allow(unused_mut)]
                let mut $conn = &mut **__tx;
                $body
            }
            $crate::TxInner::Postgres(__tx) => {
                #[allow(unused_mut)]
                let mut $conn = &mut **__tx;
                $body
            }
        }
    }};
    ($db:expr, |$conn:ident| $body:expr) => {{
        match $db {
            $crate::Db::Sqlite($conn) => $body,
            $crate::Db::Postgres($conn) => $body,
        }
    }};
}

/// Errors from the storage layer. Messages are written for the person who
/// runs the server: what is wrong and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A configuration problem found before any connection was made.
    #[error("{0}")]
    Config(String),
    /// The database could not be opened or reached.
    #[error("{0}")]
    Connect(String),
    /// A migration failed; the database is as it was before it.
    #[error(
        "migration {name} failed: {reason}. The database was left as it was before this migration; fix the cause and start again"
    )]
    MigrationFailed { name: String, reason: String },
    /// The migration history does not fit this binary.
    #[error("{0}")]
    MigrationHistory(String),
    /// A uniqueness rule refused the write; names what collided.
    #[error("{0} is already taken")]
    Conflict(&'static str),
    /// Any other database error.
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl Db {
    /// Which engine this is.
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// The SQL differences of this engine.
    pub fn dialect(&self) -> Dialect {
        Dialect(self.backend())
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE` on SQLite).
    pub async fn begin_write(&self) -> Result<DbTx> {
        Ok(DbTx(match self {
            Db::Sqlite(pool) => TxInner::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => TxInner::Postgres(pool.begin().await?),
        }))
    }

    /// Answers whether the database takes queries now (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        let one: i64 = db_run!(self, |pool| {
            sqlx::query_scalar("SELECT CAST(1 AS BIGINT)")
                .fetch_one(pool)
                .await
        })?;
        debug_assert_eq!(one, 1);
        Ok(())
    }

    /// Closes every connection (waits for checked-out ones to come back).
    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// A write transaction on either engine. Dropped without [`DbTx::commit`], it
/// rolls back.
#[derive(Debug)]
pub struct DbTx(TxInner);

/// The engine-specific transaction inside a [`DbTx`]; reach it through
/// [`db_run!`] (`db_run!(tx my_tx, |conn| …)`).
#[derive(Debug)]
pub enum TxInner {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl DbTx {
    #[doc(hidden)]
    pub fn inner_mut(&mut self) -> &mut TxInner {
        &mut self.0
    }

    pub fn backend(&self) -> Backend {
        match self.0 {
            TxInner::Sqlite(_) => Backend::Sqlite,
            TxInner::Postgres(_) => Backend::Postgres,
        }
    }

    pub fn dialect(&self) -> Dialect {
        Dialect(self.backend())
    }

    pub async fn commit(self) -> Result<()> {
        match self.0 {
            TxInner::Sqlite(tx) => tx.commit().await?,
            TxInner::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<()> {
        match self.0 {
            TxInner::Sqlite(tx) => tx.rollback().await?,
            TxInner::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }
}

/// The few places where one SQL text cannot serve both engines. Each method
/// forwards to the engine's own module ([`sqlite`], [`postgres`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dialect(pub Backend);

impl Dialect {
    /// A condition testing `expr` against the list bound at placeholder
    /// `$n` (bind an [`IdList`] or [`TextList`] there). One placeholder,
    /// whatever the list's length, so statements stay cacheable.
    pub fn in_list(self, expr: &str, n: usize) -> String {
        match self.0 {
            Backend::Sqlite => sqlite::in_list(expr, n),
            Backend::Postgres => postgres::in_list(expr, n),
        }
    }

    /// [`Dialect::in_list`] for lists of thousands (an import's chunk of
    /// rows). On PostgreSQL a semi-join on the unnested array: with
    /// `= ANY`, the planner estimates each element of a bound array
    /// against the column's statistics, so planning a lookup of 2,000
    /// e-mail addresses took 30 ms and running it 5 ms (psql, 100k records).
    pub fn in_long_list(self, expr: &str, n: usize) -> String {
        match self.0 {
            Backend::Sqlite => sqlite::in_list(expr, n),
            Backend::Postgres => postgres::in_long_list(expr, n),
        }
    }

    /// The texts of `expr` over a group joined by `sep` (a literal without
    /// quotes): `group_concat` on SQLite, `string_agg` on PostgreSQL; NULL
    /// for an empty group.
    pub fn string_agg(self, expr: &str, sep: &str) -> String {
        debug_assert!(!sep.contains('\''));
        match self.0 {
            Backend::Sqlite => sqlite::string_agg(expr, sep),
            Backend::Postgres => postgres::string_agg(expr, sep),
        }
    }

    /// `table` (with its alias) in a `FROM` whose rows are picked by a
    /// range of ids in one network. SQLite would rather read the network's
    /// every entry in an index that starts with `network_id` than the
    /// range of rowids (500 profiles at 1M: every batch of a rebuild read
    /// them all), so it is told `NOT INDEXED` (rowid look-ups still run);
    /// PostgreSQL's key `(network_id, id)` serves both.
    pub fn by_id_range(self, table: &str) -> String {
        match self.0 {
            Backend::Sqlite => format!("{table} NOT INDEXED"),
            Backend::Postgres => table.to_string(),
        }
    }

    /// How many values one statement may bind.
    pub fn max_binds(self) -> usize {
        match self.0 {
            Backend::Sqlite => sqlite::MAX_BINDS,
            Backend::Postgres => postgres::MAX_BINDS,
        }
    }
}

/// A list of integers bound as one parameter (see [`Dialect::in_list`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdList(pub Vec<i64>);

/// A list of strings bound as one parameter (see [`Dialect::in_list`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextList(pub Vec<String>);

/// Whether a write failed on a uniqueness rule (both engines report it).
pub(crate) fn unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(|e| e.is_unique_violation())
}

/// Now, as Unix milliseconds (UTC): how every instant is stored.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
