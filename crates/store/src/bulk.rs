//! Multi-row inserts: one statement per chunk of rows, chunked so that no
//! statement binds more values than its engine allows. The `VALUES (…), (…)`
//! form is the same on both engines; only the limit differs
//! ([`crate::Dialect::max_binds`]).
//!
//! Rows that other rows point at get their ids before they are written
//! ([`allocate_ids`]): from the table's identity sequence on PostgreSQL,
//! after the largest id on SQLite (the write transaction holds the
//! database's lock, so nobody else takes them). A batch of profiles, their
//! stints and their index entries is then three statements, not three per
//! person.

use crate::{Backend, DbTx, Result, StoreError, db_run};

/// One value of a bulk-inserted row. Nulls are typed, because PostgreSQL
/// wants to know the type of every parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum SqlValue {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(Option<bool>),
    /// Text the engine converts with `CAST($n AS type)` (PostgreSQL's
    /// `tsvector`); the type name comes from our code.
    Cast(String, &'static str),
}

impl From<i64> for SqlValue {
    fn from(v: i64) -> SqlValue {
        SqlValue::Int(Some(v))
    }
}

impl From<Option<i64>> for SqlValue {
    fn from(v: Option<i64>) -> SqlValue {
        SqlValue::Int(v)
    }
}

impl From<String> for SqlValue {
    fn from(v: String) -> SqlValue {
        SqlValue::Text(Some(v))
    }
}

impl From<&str> for SqlValue {
    fn from(v: &str) -> SqlValue {
        SqlValue::Text(Some(v.to_string()))
    }
}

impl From<Option<&str>> for SqlValue {
    fn from(v: Option<&str>) -> SqlValue {
        SqlValue::Text(v.map(str::to_string))
    }
}

impl From<bool> for SqlValue {
    fn from(v: bool) -> SqlValue {
        SqlValue::Bool(Some(v))
    }
}

/// Binds `values` in order onto `query` (either engine's).
pub fn bind_values<'q, DB>(
    mut query: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>,
    values: &[SqlValue],
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>
where
    DB: sqlx::Database,
    for<'t> Option<i64>: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> Option<bool>: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> Option<&'t str>: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> &'t str: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    for value in values {
        query = match value {
            SqlValue::Int(v) => query.bind(*v),
            SqlValue::Text(v) => query.bind(v.as_deref()),
            SqlValue::Bool(v) => query.bind(*v),
            SqlValue::Cast(v, _) => query.bind(v.as_str()),
        };
    }
    query
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !s.as_bytes()[0].is_ascii_digit()
}

/// Inserts `rows` into `table (columns…)`, appending `suffix` (for example
/// `ON CONFLICT (key) DO NOTHING`) to each statement, and returns the number
/// of rows written. `table`, `columns` and `suffix` come from our code, never
/// from users; table and column names are checked to be plain identifiers.
pub async fn bulk_insert(
    tx: &mut DbTx,
    table: &str,
    columns: &[&str],
    rows: &[Vec<SqlValue>],
    suffix: &str,
) -> Result<u64> {
    insert(tx, table, columns, rows, suffix, false).await
}

/// [`bulk_insert`] of rows whose first column is `id`, taken from
/// [`allocate_ids`] (PostgreSQL needs `OVERRIDING SYSTEM VALUE` to accept
/// ids into an identity column).
pub async fn bulk_insert_with_ids(
    tx: &mut DbTx,
    table: &str,
    columns: &[&str],
    rows: &[Vec<SqlValue>],
    suffix: &str,
) -> Result<u64> {
    if columns.first() != Some(&"id") {
        return Err(StoreError::Config(format!(
            "bulk insert into {table} with ids needs `id` as the first column"
        )));
    }
    let overriding = tx.backend() == Backend::Postgres;
    insert(tx, table, columns, rows, suffix, overriding).await
}

/// `n` fresh ids of `table` (whose key column is `id`), in increasing
/// order, for rows written in this transaction.
pub async fn allocate_ids(tx: &mut DbTx, table: &str, n: usize) -> Result<Vec<i64>> {
    if !is_identifier(table) {
        return Err(StoreError::Config(format!(
            "ids of {table:?}: not a plain lower-case identifier"
        )));
    }
    if n == 0 {
        return Ok(Vec::new());
    }
    match tx.backend() {
        Backend::Sqlite => {
            // BEGIN IMMEDIATE holds the write lock until commit
            let sql = format!("SELECT COALESCE(MAX(id), 0) FROM {table}");
            let top: i64 = db_run!(tx tx, |conn| {
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                    .fetch_one(&mut *conn)
                    .await
            })?;
            Ok((1..=n as i64).map(|i| top + i).collect())
        }
        Backend::Postgres => {
            let sql = format!(
                "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, $1)"
            );
            let mut ids: Vec<i64> = db_run!(tx tx, |conn| {
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                    .bind(n as i64)
                    .fetch_all(&mut *conn)
                    .await
            })?;
            ids.sort_unstable();
            Ok(ids)
        }
    }
}

async fn insert(
    tx: &mut DbTx,
    table: &str,
    columns: &[&str],
    rows: &[Vec<SqlValue>],
    suffix: &str,
    overriding: bool,
) -> Result<u64> {
    if !is_identifier(table) || columns.is_empty() || !columns.iter().all(|c| is_identifier(c)) {
        return Err(StoreError::Config(format!(
            "bulk insert into {table:?} needs plain lower-case identifiers"
        )));
    }
    if let Some(bad) = rows.iter().position(|r| r.len() != columns.len()) {
        return Err(StoreError::Config(format!(
            "bulk insert into {table}: row {bad} has {} values for {} columns",
            rows[bad].len(),
            columns.len()
        )));
    }
    let rows_per_statement = (tx.dialect().max_binds() / columns.len()).max(1);
    let mut written = 0;
    for chunk in rows.chunks(rows_per_statement) {
        let casts: Vec<Option<&str>> = chunk[0]
            .iter()
            .map(|v| match v {
                SqlValue::Cast(_, ty) => Some(*ty),
                _ => None,
            })
            .collect();
        if casts.iter().flatten().any(|ty| !is_identifier(ty)) {
            return Err(StoreError::Config(format!(
                "bulk insert into {table}: a cast to something other than a plain type name"
            )));
        }
        let sql = insert_sql(
            tx.backend(),
            table,
            columns,
            &casts,
            chunk.len(),
            suffix,
            overriding,
        );
        let values: Vec<SqlValue> = chunk.iter().flatten().cloned().collect();
        written += db_run!(tx tx, |conn| {
            // not kept in the connection's statement cache: a statement of a
            // thousand rows is megabytes of prepared program, and each batch's
            // last chunk has another length (an import's memory grew by the
            // cached statements, profiled)
            bind_values(sqlx::query(sqlx::AssertSqlSafe(sql)), &values)
                .persistent(false)
                .execute(&mut *conn)
                .await
                .map(|r| r.rows_affected())
        })?;
    }
    Ok(written)
}

/// The statement for `rows` rows; `casts[i]` wraps column `i`'s
/// placeholders in a `CAST`. SQLite gets plain `?` placeholders: binding a
/// numbered one (`$n`) makes the driver look its name up in a list, so a
/// statement with thousands of them binds in quadratic time (80 % of an
/// import's time, profiled).
fn insert_sql(
    backend: Backend,
    table: &str,
    columns: &[&str],
    casts: &[Option<&str>],
    rows: usize,
    suffix: &str,
    overriding: bool,
) -> String {
    let width = columns.len();
    let mut sql = format!(
        "INSERT INTO {table} ({}) {}VALUES ",
        columns.join(", "),
        if overriding {
            "OVERRIDING SYSTEM VALUE "
        } else {
            ""
        }
    );
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for col in 0..width {
            if col > 0 {
                sql.push_str(", ");
            }
            let placeholder = match backend {
                Backend::Sqlite => "?".to_string(),
                Backend::Postgres => format!("${}", row * width + col + 1),
            };
            match casts.get(col).copied().flatten() {
                Some(ty) => sql.push_str(&format!("CAST({placeholder} AS {ty})")),
                None => sql.push_str(&placeholder),
            }
        }
        sql.push(')');
    }
    if !suffix.is_empty() {
        sql.push(' ');
        sql.push_str(suffix);
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_placeholders_row_by_row() {
        assert_eq!(
            insert_sql(
                Backend::Postgres,
                "t",
                &["a", "b"],
                &[],
                2,
                "ON CONFLICT DO NOTHING",
                false
            ),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) ON CONFLICT DO NOTHING"
        );
        assert_eq!(
            insert_sql(Backend::Postgres, "t", &["a"], &[], 1, "", false),
            "INSERT INTO t (a) VALUES ($1)"
        );
        assert_eq!(
            insert_sql(Backend::Sqlite, "t", &["a", "b"], &[], 2, "", false),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"
        );
    }

    #[test]
    fn casts_and_overriding_are_written_where_asked() {
        assert_eq!(
            insert_sql(
                Backend::Postgres,
                "t",
                &["id", "v"],
                &[None, Some("tsvector")],
                2,
                "",
                true
            ),
            "INSERT INTO t (id, v) OVERRIDING SYSTEM VALUE VALUES ($1, CAST($2 AS tsvector)), \
             ($3, CAST($4 AS tsvector))"
        );
    }

    #[test]
    fn only_plain_identifiers_pass() {
        assert!(is_identifier("meta"));
        assert!(is_identifier("tenure_records2"));
        for bad in ["", "1t", "Meta", "t; DROP", "a-b", "a b", "\"x\""] {
            assert!(!is_identifier(bad), "{bad}");
        }
    }
}
