//! Fresh databases for tests.

use std::sync::atomic::{AtomicU32, Ordering};

use enishi_store::{Backend, Db, DbConfig};
use sqlx::{Connection, Executor};

use crate::PG_ENV;

/// A fresh database, migrated unless made with [`TestDb::create_empty`],
/// removed when dropped.
pub struct TestDb {
    pub db: Db,
    pub backend: Backend,
    /// How to reach it (for starting the real binary against it).
    pub config: DbConfig,
    guard: Guard,
}

enum Guard {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    /// A fresh, migrated database.
    pub async fn create(backend: Backend) -> TestDb {
        let test_db = TestDb::create_empty(backend).await;
        enishi_store::migrate::run(&test_db.db)
            .await
            .expect("migrations apply to a fresh database");
        test_db
    }

    /// A fresh database with no tables at all.
    pub async fn create_empty(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let config = DbConfig::sqlite_in(dir.path());
                let db = config.open().await.expect("open SQLite");
                TestDb {
                    db,
                    backend,
                    config,
                    guard: Guard::Sqlite(dir),
                }
            }
            Backend::Postgres => {
                let admin_url =
                    std::env::var(PG_ENV).unwrap_or_else(|_| panic!("{PG_ENV} is not set"));
                let name = unique_name();
                let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap_or_else(|e| {
                    panic!("{PG_ENV}={admin_url} does not answer ({e}); start PostgreSQL or unset it")
                });
                admin
                    .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                    .await
                    .expect("CREATE DATABASE");
                let _ = admin.close().await;
                let mut url = url::Url::parse(&admin_url).expect("postgres url");
                url.set_path(&format!("/{name}"));
                let config = DbConfig::from_url(url.as_str()).expect("test url");
                let db = config.open().await.expect("open PostgreSQL test database");
                TestDb {
                    db,
                    backend,
                    config,
                    guard: Guard::Postgres { admin_url, name },
                }
            }
        }
    }
}

/// `enishi_test_<pid>_<n>_<nanos>`: unique across parallel test binaries.
fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "enishi_test_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Guard::Postgres { admin_url, name } = &self.guard {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Dropping happens outside async context: a thread with its own
            // runtime drops the database (forcing out pooled connections).
            let dropped = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                rt.block_on(async {
                    let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
                    admin
                        .execute(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        )))
                        .await?;
                    admin.close().await
                })
                .map_err(std::io::Error::other)
            })
            .join();
            if !matches!(dropped, Ok(Ok(()))) {
                eprintln!("warning: could not drop a PostgreSQL test database");
            }
        }
    }
}
