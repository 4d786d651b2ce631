//! Single-use links we e-mail: magic sign-in links, password resets and
//! address verifications. Stored hashed; spent by one conditional write, so
//! two clicks can never both succeed.

use crate::{Db, Result, db_run};

/// What a link is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    SignIn,
    ResetPassword,
    VerifyEmail,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::SignIn => "sign_in",
            Purpose::ResetPassword => "reset_password",
            Purpose::VerifyEmail => "verify_email",
        }
    }
}

/// The state of a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkState {
    /// Valid (and, for [`consume`], now spent).
    Valid {
        account_id: i64,
        email: String,
    },
    Expired,
    Used,
    Unknown,
}

pub async fn create(
    db: &Db,
    purpose: Purpose,
    account_id: i64,
    email: &str,
    token_hash: &str,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query(
            "INSERT INTO login_tokens (token_hash, purpose, account_id, email, created_at, expires_at, used_at) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL)",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .bind(account_id)
        .bind(email)
        .bind(now)
        .bind(expires_at)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    account_id: i64,
    email: String,
    expires_at: i64,
    used_at: Option<i64>,
}

/// Tells what a link is, without spending it.
pub async fn peek(db: &Db, purpose: Purpose, token_hash: &str, now: i64) -> Result<LinkState> {
    let row: Option<Row> = db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT account_id, email, expires_at, used_at FROM login_tokens WHERE token_hash = $1 AND purpose = $2",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .fetch_optional(pool)
        .await
    })?;
    Ok(match row {
        None => LinkState::Unknown,
        Some(r) if r.used_at.is_some() => LinkState::Used,
        Some(r) if r.expires_at <= now => LinkState::Expired,
        Some(r) => LinkState::Valid {
            account_id: r.account_id,
            email: r.email,
        },
    })
}

/// Spends a link: succeeds at most once, and only before it expires.
pub async fn consume(db: &Db, purpose: Purpose, token_hash: &str, now: i64) -> Result<LinkState> {
    let spent: Option<(i64, String)> = db_run!(db, |pool| {
        sqlx::query_as(
            "UPDATE login_tokens SET used_at = $1 \
             WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 \
             RETURNING account_id, email",
        )
        .bind(now)
        .bind(token_hash)
        .bind(purpose.as_str())
        .fetch_optional(pool)
        .await
    })?;
    match spent {
        Some((account_id, email)) => Ok(LinkState::Valid { account_id, email }),
        None => peek(db, purpose, token_hash, now).await,
    }
}

/// Spends every unused link of `purpose` for an account (a password reset
/// invalidates older reset links).
pub async fn spend_all(db: &Db, purpose: Purpose, account_id: i64, now: i64) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query("UPDATE login_tokens SET used_at = $1 WHERE account_id = $2 AND purpose = $3 AND used_at IS NULL")
            .bind(now)
            .bind(account_id)
            .bind(purpose.as_str())
            .execute(pool)
            .await
            .map(|_| ())
    })?;
    Ok(())
}
