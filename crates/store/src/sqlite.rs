//! What is SQLite's own: list parameters as JSON arrays read by
//! `json_each`, text aggregation, and the bind limit.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::sqlite::{SqliteArgumentsBuffer, SqliteTypeInfo};
use sqlx::{Encode, Sqlite, Type};

use crate::{IdList, TextList};

/// `SQLITE_MAX_VARIABLE_NUMBER` of the bundled SQLite (≥ 3.32).
pub const MAX_BINDS: usize = 32_766;

/// `expr IN (SELECT value FROM json_each($n))`: the list arrives as one JSON
/// array, so the statement text does not depend on its length.
pub fn in_list(expr: &str, n: usize) -> String {
    format!("{expr} IN (SELECT value FROM json_each(${n}))")
}

/// The texts of `expr` over a group joined by `sep` (a literal).
pub fn string_agg(expr: &str, sep: &str) -> String {
    format!("group_concat({expr}, '{sep}')")
}

fn encode_json<T: serde::Serialize>(
    items: &[T],
    buf: &mut SqliteArgumentsBuffer,
) -> Result<IsNull, BoxDynError> {
    let json = serde_json::to_string(items)?;
    <String as Encode<Sqlite>>::encode(json, buf)
}

impl Type<Sqlite> for IdList {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }
}

impl Encode<'_, Sqlite> for IdList {
    fn encode_by_ref(&self, buf: &mut SqliteArgumentsBuffer) -> Result<IsNull, BoxDynError> {
        encode_json(&self.0, buf)
    }
}

impl Type<Sqlite> for TextList {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }
}

impl Encode<'_, Sqlite> for TextList {
    fn encode_by_ref(&self, buf: &mut SqliteArgumentsBuffer) -> Result<IsNull, BoxDynError> {
        encode_json(&self.0, buf)
    }
}
