//! Signed-in sessions. The cookie holds a random token; we keep its hash,
//! who it belongs to, and enough (when, from where, which browser) for a
//! person to recognise and revoke their sessions.

use sqlx::FromRow;

use crate::{Db, Result, db_run};

#[derive(Clone, Debug, FromRow)]
pub struct Session {
    pub id: i64,
    pub account_id: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

const COLUMNS: &str = "id, account_id, created_at, last_seen_at, expires_at, ip, user_agent";

pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub account_id: i64,
    pub now: i64,
    pub expires_at: i64,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

pub async fn create(db: &Db, new: &NewSession<'_>) -> Result<i64> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar(
            "INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at, expires_at, ip, user_agent) \
             VALUES ($1, $2, $3, $3, $4, $5, $6) RETURNING id",
        )
        .bind(new.token_hash)
        .bind(new.account_id)
        .bind(new.now)
        .bind(new.expires_at)
        .bind(new.ip)
        .bind(new.user_agent)
        .fetch_one(pool)
        .await
    })?)
}

/// A live session as a request needs it: its id, when it was last seen,
/// and its account — one statement, as every signed-in request asks.
#[derive(Clone, Debug)]
pub struct Live {
    pub id: i64,
    pub last_seen_at: i64,
    pub account: crate::accounts::Account,
}

/// The live session with this token hash, with its account.
pub async fn live_with_account(db: &Db, token_hash: &str, now: i64) -> Result<Option<Live>> {
    #[derive(FromRow)]
    struct Row {
        session_id: i64,
        session_seen_at: i64,
        #[sqlx(flatten)]
        account: crate::accounts::Account,
    }
    let sql = format!(
        "SELECT s.id AS session_id, s.last_seen_at AS session_seen_at, {} FROM sessions s \
         JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = $1 AND s.expires_at > $2",
        crate::accounts::ACCOUNT_COLUMNS
    );
    let row: Option<Row> = db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await
    })?;
    Ok(row.map(|r| Live {
        id: r.session_id,
        last_seen_at: r.session_seen_at,
        account: r.account,
    }))
}

/// Records activity and slides the expiry.
pub async fn touch(db: &Db, id: i64, now: i64, expires_at: i64) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3")
            .bind(now)
            .bind(expires_at)
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ())
    })?;
    Ok(())
}

/// An account's live sessions, most recently used first.
pub async fn list(db: &Db, account_id: i64, now: i64) -> Result<Vec<Session>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sessions WHERE account_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC, id DESC"
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(account_id)
            .bind(now)
            .fetch_all(pool)
            .await
    })?)
}

/// Ends one session of an account. `false` if it was not theirs.
pub async fn revoke(db: &Db, account_id: i64, id: i64) -> Result<bool> {
    let n = db_run!(db, |pool| {
        sqlx::query("DELETE FROM sessions WHERE id = $1 AND account_id = $2")
            .bind(id)
            .bind(account_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Ends every session of an account (but `keep`, if given).
pub async fn revoke_all(db: &Db, account_id: i64, keep: Option<i64>) -> Result<u64> {
    Ok(db_run!(db, |pool| {
        sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND id <> $2")
            .bind(account_id)
            .bind(keep.unwrap_or(-1))
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?)
}

/// Ends the session with this token hash (sign out).
pub async fn revoke_token(db: &Db, token_hash: &str) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(pool)
            .await
            .map(|_| ())
    })?;
    Ok(())
}
