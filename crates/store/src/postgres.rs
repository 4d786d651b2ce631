//! What is PostgreSQL's own: list parameters as arrays compared with
//! `= ANY($n)`, text aggregation, and the bind limit.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo};
use sqlx::{Encode, Postgres, Type};

use crate::{IdList, TextList};

/// The wire protocol counts parameters in 16 bits.
pub const MAX_BINDS: usize = 65_535;

/// `expr = ANY($n)`: the list arrives as one array parameter.
pub fn in_list(expr: &str, n: usize) -> String {
    format!("{expr} = ANY(${n})")
}

/// `expr IN (SELECT unnest($n))` (see [`crate::Dialect::in_long_list`]).
pub fn in_long_list(expr: &str, n: usize) -> String {
    format!("{expr} IN (SELECT unnest(${n}))")
}

/// The texts of `expr` over a group joined by `sep` (a literal).
pub fn string_agg(expr: &str, sep: &str) -> String {
    format!("string_agg({expr}, '{sep}')")
}

impl Type<Postgres> for IdList {
    fn type_info() -> PgTypeInfo {
        <Vec<i64> as Type<Postgres>>::type_info()
    }
}

impl Encode<'_, Postgres> for IdList {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <Vec<i64> as Encode<Postgres>>::encode_by_ref(&self.0, buf)
    }
}

impl Type<Postgres> for TextList {
    fn type_info() -> PgTypeInfo {
        <Vec<String> as Type<Postgres>>::type_info()
    }
}

impl Encode<'_, Postgres> for TextList {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <Vec<String> as Encode<Postgres>>::encode_by_ref(&self.0, buf)
    }
}
