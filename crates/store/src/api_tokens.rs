//! Personal API tokens: named, shown once, stored hashed, revocable.

use sqlx::FromRow;

use crate::{Db, Result, db_run};

#[derive(Clone, Debug, FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    /// The first characters of the token, to recognise it in a list.
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

const COLUMNS: &str = "id, account_id, name, prefix, created_at, last_used_at, revoked_at";

pub async fn create(
    db: &Db,
    account_id: i64,
    name: &str,
    token_hash: &str,
    prefix: &str,
    now: i64,
) -> Result<ApiToken> {
    let sql = format!(
        "INSERT INTO api_tokens (account_id, name, token_hash, prefix, created_at, last_used_at, revoked_at) \
         VALUES ($1, $2, $3, $4, $5, NULL, NULL) RETURNING {COLUMNS}"
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(account_id)
            .bind(name)
            .bind(token_hash)
            .bind(prefix)
            .bind(now)
            .fetch_one(pool)
            .await
    })?)
}

/// An account's tokens, newest first (revoked ones included, marked).
pub async fn list(db: &Db, account_id: i64) -> Result<Vec<ApiToken>> {
    let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE account_id = $1 ORDER BY id DESC");
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(account_id)
            .fetch_all(pool)
            .await
    })?)
}

/// The live token with this hash; records its use.
pub async fn authenticate(db: &Db, token_hash: &str, now: i64) -> Result<Option<ApiToken>> {
    let sql = format!(
        "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL RETURNING {COLUMNS}"
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .bind(token_hash)
            .fetch_optional(pool)
            .await
    })?)
}

/// Revokes a token of this account. `None` if there is no such live token.
pub async fn revoke(db: &Db, account_id: i64, id: i64, now: i64) -> Result<Option<ApiToken>> {
    let sql = format!(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND account_id = $3 AND revoked_at IS NULL \
         RETURNING {COLUMNS}"
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .bind(id)
            .bind(account_id)
            .fetch_optional(pool)
            .await
    })?)
}
