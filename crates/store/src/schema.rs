//! What the migrated schema looks like, read back from each engine's
//! catalogue, so a test can prove the two migration folders agree.

use sqlx::FromRow;

use crate::{Backend, Db, Result, db_run};

/// One column as the engine reports it, with the type normalised so that
/// equivalent declarations compare equal across engines.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Column {
    pub table: String,
    pub column: String,
    /// `bigint`, `text`, `boolean`, `bytes`, `double`, or the engine's own
    /// name for anything else (which then shows up as a difference).
    pub kind: String,
    pub not_null: bool,
}

#[derive(FromRow)]
struct RawColumn {
    table_name: String,
    column_name: String,
    column_type: String,
    not_null: bool,
}

/// Every column of every table of ours (sqlx's bookkeeping table excluded),
/// sorted by table and column.
pub async fn columns(db: &Db) -> Result<Vec<Column>> {
    let raw: Vec<RawColumn> = match db {
        Db::Sqlite(pool) => {
            sqlx::query_as(
                "SELECT m.name AS table_name, p.name AS column_name, p.type AS column_type, \
                        (p.\"notnull\" = 1 OR p.pk > 0) AS not_null \
                 FROM sqlite_schema m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
                   AND m.name <> '_sqlx_migrations'",
            )
            .fetch_all(pool)
            .await?
        }
        Db::Postgres(pool) => {
            sqlx::query_as(
                "SELECT CAST(table_name AS TEXT) AS table_name, \
                        CAST(column_name AS TEXT) AS column_name, \
                        CAST(data_type AS TEXT) AS column_type, \
                        (is_nullable = 'NO') AS not_null \
                 FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'",
            )
            .fetch_all(pool)
            .await?
        }
    };
    let backend = db.backend();
    let mut columns: Vec<Column> = raw
        .into_iter()
        .map(|r| Column {
            kind: normalise_type(backend, &r.column_type),
            table: r.table_name,
            column: r.column_name,
            not_null: r.not_null,
        })
        .collect();
    columns.sort();
    Ok(columns)
}

/// The bundled SQLite's version, or PostgreSQL's `server_version`.
pub async fn engine_version(db: &Db) -> Result<String> {
    Ok(db_run!(db, |pool| {
        match db.backend() {
            Backend::Sqlite => {
                sqlx::query_scalar("SELECT sqlite_version()")
                    .fetch_one(pool)
                    .await
            }
            Backend::Postgres => {
                sqlx::query_scalar("SHOW server_version")
                    .fetch_one(pool)
                    .await
            }
        }
    })?)
}

/// Maps a declared type to the name both engines share. SQLite's `INTEGER`
/// is 64-bit, so it matches PostgreSQL's `bigint`; PostgreSQL's `integer`
/// does not (ARCHITECTURE.md: BIGINT for every integer read as `i64`).
pub fn normalise_type(backend: Backend, declared: &str) -> String {
    let t = declared.trim().to_ascii_lowercase();
    let base = t.split('(').next().unwrap_or("").trim();
    let same = match (backend, base) {
        (Backend::Sqlite, "integer" | "int" | "bigint") => "bigint",
        (Backend::Postgres, "bigint") => "bigint",
        (_, "text") => "text",
        (Backend::Postgres, "character varying") => "text",
        (_, "boolean" | "bool") => "boolean",
        (Backend::Sqlite, "blob") | (Backend::Postgres, "bytea") => "bytes",
        (Backend::Sqlite, "real" | "double") | (Backend::Postgres, "double precision") => "double",
        _ => return format!("{}:{t}", backend.name()),
    };
    same.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equivalent_declarations_meet() {
        assert_eq!(normalise_type(Backend::Sqlite, "INTEGER"), "bigint");
        assert_eq!(normalise_type(Backend::Sqlite, "BIGINT"), "bigint");
        assert_eq!(normalise_type(Backend::Postgres, "bigint"), "bigint");
        assert_eq!(
            normalise_type(Backend::Postgres, "character varying"),
            "text"
        );
        assert_eq!(normalise_type(Backend::Sqlite, "BOOLEAN"), "boolean");
        assert_eq!(normalise_type(Backend::Postgres, "bytea"), "bytes");
    }

    #[test]
    fn narrower_postgres_integers_do_not_pass_as_bigint() {
        assert_eq!(
            normalise_type(Backend::Postgres, "integer"),
            "postgres:integer"
        );
        assert_eq!(
            normalise_type(Backend::Postgres, "smallint"),
            "postgres:smallint"
        );
    }
}
