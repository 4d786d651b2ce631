//! Multi-row inserts. SQLite gets `VALUES (…), (…)` statements, chunked so
//! that none binds more values than it allows ([`crate::Dialect::max_binds`]);
//! PostgreSQL gets one array per column (`INSERT … SELECT … FROM UNNEST`),
//! one statement text whatever the number of rows. Every value of a column
//! must be of one type (checked on both engines).
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

/// A plain lower-case SQL identifier (table and column names from our
/// code are checked before they are formatted into a statement).
pub(crate) fn is_identifier(s: &str) -> bool {
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
    let kinds: Vec<Kind> = rows
        .first()
        .map_or_else(Vec::new, |r| r.iter().map(Kind::of).collect());
    if let Some((row, col)) = rows.iter().enumerate().find_map(|(i, r)| {
        r.iter()
            .zip(&kinds)
            .position(|(v, k)| Kind::of(v) != *k)
            .map(|c| (i, c))
    }) {
        return Err(StoreError::Config(format!(
            "bulk insert into {table}: row {row} has another type in column {}",
            columns[col]
        )));
    }
    if kinds
        .iter()
        .any(|k| matches!(k, Kind::Cast(ty) if !is_identifier(ty)))
    {
        return Err(StoreError::Config(format!(
            "bulk insert into {table}: a cast to something other than a plain type name"
        )));
    }
    match tx.backend() {
        Backend::Sqlite => insert_values(tx, table, columns, &kinds, rows, suffix).await,
        Backend::Postgres => {
            insert_unnest(tx, table, columns, &kinds, rows, suffix, overriding).await
        }
    }
}

/// What a column holds, from its first row's value.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Int,
    Text,
    Bool,
    Cast(&'static str),
}

impl Kind {
    fn of(v: &SqlValue) -> Kind {
        match v {
            SqlValue::Int(_) => Kind::Int,
            SqlValue::Text(_) => Kind::Text,
            SqlValue::Bool(_) => Kind::Bool,
            SqlValue::Cast(_, ty) => Kind::Cast(ty),
        }
    }
}

/// SQLite: `VALUES (…), (…)`, as many rows per statement as its bind limit
/// allows.
async fn insert_values(
    tx: &mut DbTx,
    table: &str,
    columns: &[&str],
    kinds: &[Kind],
    rows: &[Vec<SqlValue>],
    suffix: &str,
) -> Result<u64> {
    let rows_per_statement = (tx.dialect().max_binds() / columns.len()).max(1);
    let mut written = 0;
    for chunk in rows.chunks(rows_per_statement) {
        let sql = insert_sql(table, columns, kinds, chunk.len(), suffix);
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

/// Rows per PostgreSQL statement: the arrays of one statement are one
/// message, built in memory.
const UNNEST_ROWS: usize = 5_000;

/// PostgreSQL: one array per column, `INSERT … SELECT … FROM UNNEST(…)`.
/// The statement's text does not grow with the rows, so it is parsed and
/// planned once per connection, and no statement is megabytes of text: an
/// import of 100k rows spent 25.0 s in its four bulk inserts as `VALUES`
/// lists and 16.4 s as arrays (statement timings, same build otherwise).
async fn insert_unnest(
    tx: &mut DbTx,
    table: &str,
    columns: &[&str],
    kinds: &[Kind],
    rows: &[Vec<SqlValue>],
    suffix: &str,
    overriding: bool,
) -> Result<u64> {
    let sql = unnest_sql(table, columns, kinds, suffix, overriding);
    let mut written = 0;
    for chunk in rows.chunks(UNNEST_ROWS) {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
        for (col, kind) in kinds.iter().enumerate() {
            let cells = chunk.iter().map(|r| &r[col]);
            query = match kind {
                Kind::Int => query.bind(
                    cells
                        .map(|v| match v {
                            SqlValue::Int(v) => *v,
                            _ => None,
                        })
                        .collect::<Vec<Option<i64>>>(),
                ),
                Kind::Bool => query.bind(
                    cells
                        .map(|v| match v {
                            SqlValue::Bool(v) => *v,
                            _ => None,
                        })
                        .collect::<Vec<Option<bool>>>(),
                ),
                Kind::Text | Kind::Cast(_) => query.bind(
                    cells
                        .map(|v| match v {
                            SqlValue::Text(v) => v.as_deref(),
                            SqlValue::Cast(v, _) => Some(v.as_str()),
                            _ => None,
                        })
                        .collect::<Vec<Option<&str>>>(),
                ),
            };
        }
        let crate::TxInner::Postgres(conn) = tx.inner_mut() else {
            return Err(StoreError::Config("UNNEST inserts are PostgreSQL's".into()));
        };
        written += query.execute(&mut **conn).await?.rows_affected();
    }
    Ok(written)
}

/// `INSERT INTO table (a, b) SELECT u.a, CAST(u.b AS ty) FROM
/// UNNEST($1::int8[], $2::text[]) AS u(a, b)`.
fn unnest_sql(
    table: &str,
    columns: &[&str],
    kinds: &[Kind],
    suffix: &str,
    overriding: bool,
) -> String {
    let names = columns.join(", ");
    let selected: Vec<String> = columns
        .iter()
        .zip(kinds)
        .map(|(c, k)| match k {
            Kind::Cast(ty) => format!("CAST(u.{c} AS {ty})"),
            _ => format!("u.{c}"),
        })
        .collect();
    let arrays: Vec<String> = kinds
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let ty = match k {
                Kind::Int => "int8",
                Kind::Bool => "bool",
                Kind::Text | Kind::Cast(_) => "text",
            };
            format!("${}::{ty}[]", i + 1)
        })
        .collect();
    let mut sql = format!(
        "INSERT INTO {table} ({names}) {}SELECT {} FROM UNNEST({}) AS u({names})",
        if overriding {
            "OVERRIDING SYSTEM VALUE "
        } else {
            ""
        },
        selected.join(", "),
        arrays.join(", "),
    );
    if !suffix.is_empty() {
        sql.push(' ');
        sql.push_str(suffix);
    }
    sql
}

/// SQLite's statement for `rows` rows. Plain `?` placeholders: binding a
/// numbered one (`$n`) makes the driver look its name up in a list, so a
/// statement with thousands of them binds in quadratic time (80 % of an
/// import's time, profiled).
fn insert_sql(table: &str, columns: &[&str], kinds: &[Kind], rows: usize, suffix: &str) -> String {
    let cells: Vec<String> = kinds
        .iter()
        .map(|k| match k {
            Kind::Cast(ty) => format!("CAST(? AS {ty})"),
            _ => "?".to_string(),
        })
        .collect();
    let row = format!("({})", cells.join(", "));
    let mut sql = format!(
        "INSERT INTO {table} ({}) VALUES {}",
        columns.join(", "),
        vec![row.as_str(); rows].join(", ")
    );
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
    fn sqlite_binds_plain_placeholders_row_by_row() {
        assert_eq!(
            insert_sql(
                "t",
                &["a", "b"],
                &[Kind::Int, Kind::Cast("text")],
                2,
                "ON CONFLICT DO NOTHING"
            ),
            "INSERT INTO t (a, b) VALUES (?, CAST(? AS text)), (?, CAST(? AS text)) \
             ON CONFLICT DO NOTHING"
        );
        assert_eq!(
            insert_sql("t", &["a"], &[Kind::Text], 1, ""),
            "INSERT INTO t (a) VALUES (?)"
        );
    }

    #[test]
    fn postgres_binds_one_array_per_column() {
        assert_eq!(
            unnest_sql(
                "t",
                &["id", "flag", "v"],
                &[Kind::Int, Kind::Bool, Kind::Cast("tsvector")],
                "ON CONFLICT DO NOTHING",
                true
            ),
            "INSERT INTO t (id, flag, v) OVERRIDING SYSTEM VALUE SELECT u.id, u.flag, \
             CAST(u.v AS tsvector) FROM UNNEST($1::int8[], $2::bool[], $3::text[]) \
             AS u(id, flag, v) ON CONFLICT DO NOTHING"
        );
        assert_eq!(
            unnest_sql("t", &["a"], &[Kind::Text], "", false),
            "INSERT INTO t (a) SELECT u.a FROM UNNEST($1::text[]) AS u(a)"
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
