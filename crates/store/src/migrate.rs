//! Schema migrations, one folder per engine (`migrations/sqlite`,
//! `migrations/postgres`), both embedded in the binary. The two folders
//! must describe the same tables and columns; `tests/store.rs` compares the
//! migrated schemas of both engines and fails on any drift.
//!
//! Each migration runs in its own transaction (DDL is transactional on both
//! engines), so a failing one leaves the database as it was before it, and
//! the error names it.

use sqlx::migrate::MigrateError;
pub use sqlx::migrate::Migrator;

use crate::{Db, Result, StoreError};

/// The embedded SQLite migrations.
pub static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
/// The embedded PostgreSQL migrations.
pub static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

/// Brings the database up to this binary's schema.
pub async fn run(db: &Db) -> Result<()> {
    match db {
        Db::Sqlite(_) => run_with(db, &SQLITE).await?,
        Db::Postgres(_) => run_with(db, &POSTGRES).await?,
    }
    // members who joined before profiles existed get theirs (made in Rust:
    // the search index needs our tokens)
    crate::profiles::backfill(db).await?;
    // an index written by an older binary gets this one's tokens; the
    // planner then needs statistics for the new entries and indexes (without
    // them SQLite may drive a search from the wrong side: seconds, not ms)
    if crate::profiles::reindex(db).await? > 0 {
        crate::housekeeping::vacuum_directory(db).await?;
        analyze(db).await?;
    }
    Ok(())
}

/// Fresh planner statistics for every table.
async fn analyze(db: &Db) -> Result<()> {
    crate::db_run!(db, |pool| {
        sqlx::query("ANALYZE")
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Runs `migrator` against `db`, turning sqlx's errors into messages that
/// name the migration and say what to do.
pub async fn run_with(db: &Db, migrator: &Migrator) -> Result<()> {
    let outcome = match db {
        Db::Sqlite(pool) => migrator.run(pool).await,
        Db::Postgres(pool) => migrator.run(pool).await,
    };
    outcome.map_err(|err| explain(migrator, err))
}

/// `0002_add_people` for version 2, as the file is named.
fn name_of(migrator: &Migrator, version: i64) -> String {
    migrator
        .iter()
        .find(|m| m.version == version)
        .map(|m| format!("{version:04}_{}", m.description.replace(' ', "_")))
        .unwrap_or_else(|| format!("{version:04}"))
}

fn explain(migrator: &Migrator, err: MigrateError) -> StoreError {
    match err {
        MigrateError::ExecuteMigration(source, version) => StoreError::MigrationFailed {
            name: name_of(migrator, version),
            reason: source.to_string(),
        },
        MigrateError::VersionMissing(version) => StoreError::MigrationHistory(format!(
            "the database has migration {version}, which this Enishi does not know: it was \
             upgraded by a newer version. Run that version (or newer), or restore a backup"
        )),
        MigrateError::VersionMismatch(version) => StoreError::MigrationHistory(format!(
            "migration {} was changed after it had been applied to this database; \
             a released migration must never change",
            name_of(migrator, version)
        )),
        MigrateError::Dirty(version) => StoreError::MigrationHistory(format!(
            "migration {} was left half-applied; restore a backup",
            name_of(migrator, version)
        )),
        MigrateError::Execute(source) => StoreError::Sqlx(source),
        other => StoreError::MigrationHistory(format!("cannot migrate the database: {other}")),
    }
}
