//! Multi-row inserts: one statement per chunk of rows, chunked so that no
//! statement binds more values than its engine allows. The `VALUES (…), (…)`
//! form is the same on both engines; only the limit differs
//! ([`crate::Dialect::max_binds`]).

use crate::{DbTx, Result, StoreError, db_run};

/// One value of a bulk-inserted row. Nulls are typed, because PostgreSQL
/// wants to know the type of every parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum SqlValue {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(Option<bool>),
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
        let sql = insert_sql(table, columns, chunk.len(), suffix);
        written += db_run!(tx tx, |conn| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for value in chunk.iter().flatten() {
                query = match value {
                    SqlValue::Int(v) => query.bind(*v),
                    SqlValue::Text(v) => query.bind(v.clone()),
                    SqlValue::Bool(v) => query.bind(*v),
                };
            }
            query.execute(&mut *conn).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(written)
}

fn insert_sql(table: &str, columns: &[&str], rows: usize, suffix: &str) -> String {
    let width = columns.len();
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for col in 0..width {
            if col > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(row * width + col + 1).to_string());
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
            insert_sql("t", &["a", "b"], 2, "ON CONFLICT DO NOTHING"),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) ON CONFLICT DO NOTHING"
        );
        assert_eq!(
            insert_sql("t", &["a"], 1, ""),
            "INSERT INTO t (a) VALUES ($1)"
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
