//! Opening the database: the SQLite file under the data directory by
//! default, or PostgreSQL from a `postgres://` URL. Every failure becomes one
//! sentence saying what is wrong and how to fix it; passwords never appear in
//! messages or logs.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::{Db, Result, StoreError};

/// File name of the embedded database inside the data directory.
pub const SQLITE_FILE: &str = "enishi.sqlite3";

/// Where the database is. `Debug` and [`DbConfig::describe`] hide passwords.
#[derive(Clone, PartialEq, Eq)]
pub enum DbConfig {
    Sqlite { path: PathBuf },
    Postgres { url: String },
}

impl fmt::Debug for DbConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl DbConfig {
    /// The embedded database in `data_dir`.
    pub fn sqlite_in(data_dir: &Path) -> DbConfig {
        DbConfig::Sqlite {
            path: data_dir.join(SQLITE_FILE),
        }
    }

    /// Parses `--database-url`: `postgres://…`, `postgresql://…`,
    /// `sqlite://PATH` or `sqlite:PATH`.
    pub fn from_url(url: &str) -> Result<DbConfig> {
        let url = url.trim();
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err(StoreError::Config(
                    "the SQLite database URL has no file path; write sqlite://./enishi-data/enishi.sqlite3".into(),
                ));
            }
            return Ok(DbConfig::Sqlite { path: path.into() });
        }
        let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("postgres" | "postgresql") => {
                let parsed = url::Url::parse(url).map_err(|e| {
                    StoreError::Config(format!(
                        "the PostgreSQL URL is malformed ({e}); write postgres://USER:PASSWORD@HOST:5432/DATABASE"
                    ))
                })?;
                if parsed.host_str().is_none_or(str::is_empty) && !url.contains("host=") {
                    return Err(StoreError::Config(
                        "the PostgreSQL URL names no host; write postgres://USER:PASSWORD@HOST:5432/DATABASE".into(),
                    ));
                }
                PgConnectOptions::from_str(url).map_err(|e| {
                    StoreError::Config(format!(
                        "the PostgreSQL URL is malformed ({}); write postgres://USER:PASSWORD@HOST:5432/DATABASE",
                        redact_error(&e.to_string(), url)
                    ))
                })?;
                Ok(DbConfig::Postgres {
                    url: url.to_string(),
                })
            }
            Some(other) => Err(StoreError::Config(format!(
                "unsupported database URL scheme {other:?}: Enishi uses SQLite (leave --database-url out) or PostgreSQL (postgres://…)"
            ))),
            None => Err(StoreError::Config(
                "the database URL is malformed: it must start with postgres:// or sqlite://".into(),
            )),
        }
    }

    /// A description safe for logs: the file path, or the PostgreSQL URL
    /// without its password.
    pub fn describe(&self) -> String {
        match self {
            DbConfig::Sqlite { path } => format!("SQLite {}", path.display()),
            DbConfig::Postgres { url } => match url::Url::parse(url) {
                Ok(mut u) => {
                    if u.password().is_some() {
                        let _ = u.set_password(Some("****"));
                    }
                    u.set_query(None);
                    format!("PostgreSQL {u}")
                }
                Err(_) => "PostgreSQL (unparseable URL)".into(),
            },
        }
    }

    /// Opens (and for SQLite creates) the database. Does not migrate.
    pub async fn open(&self) -> Result<Db> {
        match self {
            DbConfig::Sqlite { path } => open_sqlite(path).await,
            DbConfig::Postgres { url } => open_postgres(url).await,
        }
    }
}

fn redact_error(message: &str, url: &str) -> String {
    match url::Url::parse(url)
        .ok()
        .and_then(|u| u.password().map(str::to_owned))
    {
        Some(pw) if !pw.is_empty() => message.replace(&pw, "****"),
        _ => message.to_string(),
    }
}

/// How much of the SQLite file is read through memory mapping: 64 GiB.
/// SQLite caps it at its compile-time maximum, 2 GiB by default, which a
/// directory of 1M profiles outgrows (a 4 GB file: the pages past 2 GiB
/// were read with system calls into each connection's cache, and a page
/// of results took 1.5 ms to read its 24 profiles); the repository's
/// `.cargo/config.toml` builds the bundled SQLite with this as its
/// maximum (a test checks it took).
///
/// Each pooled connection has its own 2 MiB page cache; the directory's
/// indexes outgrow it at ~20,000 profiles, and then every B-tree step of
/// a search reads its page with a system call into that cache — the
/// directory's per-row cost (statement alone, 100k profiles: count 2.9 →
/// 0.9 ms, a level of 1,000 matches 2.1 → 1.1 ms). Mapped, the pages are
/// the kernel's page cache, shared by all connections, read without a
/// copy. They show in the process's RSS as file-backed pages (`RssFile`),
/// which the kernel reclaims like any cache: `bench/run` reports them
/// apart from the process's own memory.
pub const MMAP_BYTES: u64 = 1 << 36;

async fn open_sqlite(path: &Path) -> Result<Db> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Connect(format!(
                "cannot create the data directory {}: {e}. Choose a writable directory with --data-dir",
                dir.display()
            ))
        })?;
    }
    without_memory_statistics();
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .pragma("temp_store", "memory")
        // read the file through one shared mapping instead of copying pages
        // into each connection's 2 MiB cache (see [`MMAP_BYTES`])
        .pragma("mmap_size", MMAP_BYTES.to_string())
        .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(500));
    let pool = sqlite_pool(8, 1)
        .connect_with(options)
        .await
        .map_err(|e| {
            StoreError::Connect(format!(
                "cannot open the SQLite database {}: {}. Check that the file and its directory are writable",
                path.display(),
                root_cause(&e)
            ))
        })?;
    Ok(Db::Sqlite(pool))
}

/// A pool of `max` SQLite connections (`min` kept open), each with
/// [`stable_plans`]: the server's pool and a bulk writer's alike.
fn sqlite_pool(max: u32, min: u32) -> SqlitePoolOptions {
    SqlitePoolOptions::new()
        .max_connections(max)
        .min_connections(min)
        .after_connect(|conn, _| Box::pin(stable_plans(conn)))
        .acquire_timeout(Duration::from_secs(10))
}

/// WAL pages a [bulk writer](Db::bulk_writer) lets build up before its
/// commit checkpoints them into the database file: 100,000 pages (~400 MB
/// of WAL), about ten of an import's batches at 1M profiles.
///
/// Each batch of an import or of the generator inserts into B-trees at
/// random places (kana order, e-mail, the words), so a batch of 2,000 rows
/// dirties some 10,000 pages; with SQLite's default (a checkpoint once the
/// WAL passes 1,000 pages, i.e. after every batch) each such page is
/// written twice per batch, into the WAL and then into the file, with two
/// `fsync`s — half the import's CPU was the kernel's (1M rows into 1M
/// profiles: 71 s system time of 150 s, 39 GB written). Checkpointed every
/// ten batches, a page several batches dirtied is copied into the file
/// once: that import 182–190 → 136 s, the generator at 100k −15 %
/// (BENCHMARKS.md, eighth run).
pub const BULK_CHECKPOINT_PAGES: u32 = 100_000;

impl Db {
    /// A handle for one long series of write transactions — an import, the
    /// generator — on the same database. On SQLite it is a pool of one
    /// connection of its own that checkpoints the WAL only every
    /// [`BULK_CHECKPOINT_PAGES`] (the pooled connections keep SQLite's
    /// default, so a server's own writes still checkpoint as they did, and
    /// may meet the larger WAL a bulk writer left); on PostgreSQL it is this
    /// handle. End it with [`Db::finish_bulk`].
    pub async fn bulk_writer(&self) -> Result<Db> {
        match self {
            Db::Sqlite(pool) => {
                let options = pool
                    .connect_options()
                    .as_ref()
                    .clone()
                    .pragma("wal_autocheckpoint", BULK_CHECKPOINT_PAGES.to_string());
                let bulk = sqlite_pool(1, 0).connect_with(options).await?;
                Ok(Db::Sqlite(bulk))
            }
            Db::Postgres(_) => Ok(self.clone()),
        }
    }

    /// Runs `write` with a [bulk writer](Db::bulk_writer) and then
    /// [finishes](Db::finish_bulk) it, whatever `write` returned. The
    /// error of `write` wins over the end's: the checkpoint's error is
    /// reported only when the writes succeeded.
    pub async fn bulk_write<T, E>(
        &self,
        write: impl AsyncFnOnce(&Db) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let bulk = self.bulk_writer().await?;
        let written = write(&bulk).await;
        let finished = bulk.finish_bulk().await;
        let value = written?;
        finished?;
        Ok(value)
    }

    /// Ends a [bulk writer](Db::bulk_writer): on SQLite, checkpoints what it
    /// left in the WAL and truncates the WAL file (when a reader holds on
    /// to it, the next checkpoint finishes the work), then closes its
    /// connection. Other writers wait while it copies (up to the ~400 MB
    /// above, a second or two). Nothing on PostgreSQL.
    pub async fn finish_bulk(self) -> Result<()> {
        if let Db::Sqlite(pool) = &self {
            // (busy readers make it a partial checkpoint, not an error)
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(pool)
                .await?;
            pool.close().await;
        }
        Ok(())
    }
}

/// Turns off SQLite's memory statistics, once per process, before SQLite
/// starts: with them on, every allocation and free inside SQLite takes one
/// process-wide mutex to keep the totals (`perf` under load: ~3 % of the
/// server's CPU in `pthread_mutex_lock`/`unlock` on SQLite). Nothing reads
/// the totals. Too late (SQLite already started) is harmless: it stays on.
fn without_memory_statistics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: SQLITE_CONFIG_MEMSTATUS takes one int. sqlite3_config is
        // not thread-safe against other SQLite calls: it runs inside the
        // Once, before this process opens its first SQLite connection (the
        // only other SQLite user, the pool, is made after it returns); if
        // SQLite had started anyway, it refuses with SQLITE_MISUSE and
        // changes nothing.
        let rc = unsafe {
            libsqlite3_sys::sqlite3_config(
                libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS,
                0 as std::ffi::c_int,
            )
        };
        if rc != libsqlite3_sys::SQLITE_OK {
            tracing::debug!(rc, "SQLite memory statistics stay on");
        }
    });
}

/// Turns on SQLite's query planner stability guarantee for a new
/// connection.
///
/// Without it, a statement whose plan *could* depend on a bound value —
/// every `LIMIT $n`, since SQLite 3.46 reads a bound LIMIT when planning —
/// is marked expired whenever that value is bound again, and SQLite parses
/// and plans it afresh on every execution: sqlx's statement cache then
/// saves nothing (the feed's two post queries were prepared on every
/// request). With it, a prepared statement keeps its plan, as on
/// PostgreSQL; our plans do not lean on bound values (where the planner
/// needs help, the SQL names the index).
pub(crate) async fn stable_plans(conn: &mut sqlx::SqliteConnection) -> sqlx::Result<()> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    // SAFETY: `db` is the live connection handle, locked for us alone
    // while `handle` lives; SQLITE_DBCONFIG_ENABLE_QPSG takes an int and
    // an optional `int*` for the setting that results (none wanted).
    let rc = unsafe {
        libsqlite3_sys::sqlite3_db_config(
            db,
            libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
            1 as std::ffi::c_int,
            std::ptr::null_mut::<std::ffi::c_int>(),
        )
    };
    if rc != libsqlite3_sys::SQLITE_OK {
        return Err(sqlx::Error::Configuration(
            format!("SQLite refused the planner stability setting (code {rc})").into(),
        ));
    }
    Ok(())
}

async fn open_postgres(url: &str) -> Result<Db> {
    let options = PgConnectOptions::from_str(url)
        .map_err(|e| StoreError::Config(redact_error(&e.to_string(), url)))?
        .application_name("enishi")
        .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(500));
    let target = format!(
        "{}:{}/{}",
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or("(default database)")
    );
    // One direct connection first: the pool retries a refused connection
    // until its timeout and then reports only "timed out", which hides the
    // cause an operator needs to see.
    let probe = tokio::time::timeout(Duration::from_secs(10), options.connect())
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)
        .and_then(|r| r)
        .map_err(|e| StoreError::Connect(explain_pg(&target, &e, url)))?;
    let _ = sqlx::Connection::close(probe).await;
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .map_err(|e| StoreError::Connect(explain_pg(&target, &e, url)))?;
    Ok(Db::Postgres(pool))
}

fn explain_pg(target: &str, err: &sqlx::Error, url: &str) -> String {
    let advice = match err {
        sqlx::Error::Database(db) => match db.code().as_deref() {
            Some("3D000") => {
                "that database does not exist; create it (createdb NAME) or fix the URL"
            }
            Some("28P01" | "28000") => "PostgreSQL refused the user name or password in the URL",
            Some("53300") => {
                "PostgreSQL has no free connections; raise max_connections or close others"
            }
            _ => "PostgreSQL refused the connection",
        },
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused: is PostgreSQL running there, and is the host and port right?"
        }
        sqlx::Error::PoolTimedOut => "no answer within 10 seconds: is the host reachable?",
        sqlx::Error::Tls(_) => "the TLS handshake failed: check sslmode in the URL",
        _ => "check that the server is running and the URL is right",
    };
    format!(
        "cannot connect to PostgreSQL at {target}: {} ({advice})",
        redact_error(&root_cause(err), url)
    )
}

fn root_cause(err: &sqlx::Error) -> String {
    match err {
        sqlx::Error::Database(db) => db.message().to_string(),
        sqlx::Error::Io(io) => io.to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pooled SQLite connection plans once: the setting reads back
    /// as on, and a statement with a bound LIMIT, run again with another
    /// value, is not prepared again (SQLite counts re-preparations).
    #[tokio::test]
    async fn sqlite_connections_keep_their_plans() {
        let dir = tempfile::tempdir().unwrap();
        let Db::Sqlite(pool) = open_sqlite(&dir.path().join("plans.sqlite3"))
            .await
            .unwrap()
        else {
            panic!("a SQLite pool");
        };
        let mut conn = pool.acquire().await.unwrap();
        for limit in [1_i64, 2, 3] {
            let n: Vec<i64> = sqlx::query_scalar(
                "SELECT value FROM json_each('[1,2,3,4]') ORDER BY value LIMIT $1",
            )
            .bind(limit)
            .fetch_all(&mut *conn)
            .await
            .unwrap();
            assert_eq!(n.len() as i64, limit);
        }
        let mut handle = conn.lock_handle().await.unwrap();
        let db = handle.as_raw_handle().as_ptr();
        let mut on: std::ffi::c_int = -1;
        // SAFETY: the locked live handle; -1 asks for the current value
        let rc = unsafe {
            libsqlite3_sys::sqlite3_db_config(
                db,
                libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
                -1 as std::ffi::c_int,
                &mut on as *mut std::ffi::c_int,
            )
        };
        assert_eq!((rc, on), (libsqlite3_sys::SQLITE_OK, 1));
        // the statement sqlx cached ran three times, prepared once
        let mut stmt = unsafe { libsqlite3_sys::sqlite3_next_stmt(db, std::ptr::null_mut()) };
        let mut found = false;
        while !stmt.is_null() {
            // SAFETY: statements of this locked connection
            let sql = unsafe { std::ffi::CStr::from_ptr(libsqlite3_sys::sqlite3_sql(stmt)) };
            if sql.to_string_lossy().contains("json_each") {
                found = true;
                let reprepared = unsafe {
                    libsqlite3_sys::sqlite3_stmt_status(
                        stmt,
                        libsqlite3_sys::SQLITE_STMTSTATUS_REPREPARE,
                        0,
                    )
                };
                assert_eq!(reprepared, 0, "a bound LIMIT made SQLite plan again");
            }
            stmt = unsafe { libsqlite3_sys::sqlite3_next_stmt(db, stmt) };
        }
        assert!(found, "sqlx kept the statement");
    }

    /// The whole of a big file is mapped: the bundled SQLite was built
    /// with the repository's `.cargo/config.toml` (its default cap is
    /// 2 GiB, and `PRAGMA mmap_size` reads back the capped value).
    #[tokio::test]
    async fn sqlite_maps_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let Db::Sqlite(pool) = open_sqlite(&dir.path().join("mmap.sqlite3")).await.unwrap() else {
            panic!("a SQLite pool");
        };
        let mapped: i64 = sqlx::query_scalar("PRAGMA mmap_size")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(mapped as u64, MMAP_BYTES);
    }

    #[test]
    fn parses_supported_urls() {
        assert_eq!(
            DbConfig::from_url("sqlite://./x/db.sqlite3").unwrap(),
            DbConfig::Sqlite {
                path: "./x/db.sqlite3".into()
            }
        );
        assert_eq!(
            DbConfig::from_url("sqlite:/tmp/a.db?mode=rwc").unwrap(),
            DbConfig::Sqlite {
                path: "/tmp/a.db".into()
            }
        );
        assert!(matches!(
            DbConfig::from_url("postgresql://u:p@db.example:5432/enishi"),
            Ok(DbConfig::Postgres { .. })
        ));
    }

    #[test]
    fn rejects_malformed_urls_with_advice() {
        for (url, needle) in [
            (
                "mysql://root@localhost/x",
                "unsupported database URL scheme",
            ),
            ("localhost:5432", "must start with postgres://"),
            ("postgres://u@host:notaport/db", "malformed"),
            ("postgres:///db", "names no host"),
            ("sqlite://", "no file path"),
        ] {
            let err = DbConfig::from_url(url).unwrap_err().to_string();
            assert!(err.contains(needle), "{url}: {err}");
        }
    }

    #[test]
    fn passwords_never_show() {
        let cfg =
            DbConfig::from_url("postgres://enishi:s3cr3t@db:5432/enishi?sslmode=require").unwrap();
        let shown = format!("{cfg:?} {}", cfg.describe());
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("enishi:****@db:5432/enishi"), "{shown}");
        assert!(!shown.contains("sslmode"), "{shown}");
        assert_eq!(
            redact_error("bad s3cr3t here", "postgres://u:s3cr3t@h/d"),
            "bad **** here"
        );
    }
}
