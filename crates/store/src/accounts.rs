//! Accounts: one per person, global across networks, with several e-mail
//! addresses of which one verified address is primary. An address verified
//! on one account cannot be verified on another (a partial unique index),
//! so an invitation reaching a known address finds that account.

use sqlx::FromRow;

use crate::{Db, Result, StoreError, db_run, now_ms, unique_violation};

#[derive(Clone, Debug, FromRow)]
pub struct Account {
    pub id: i64,
    pub display_name: String,
    pub lang: String,
    pub time_zone: String,
    pub password_hash: Option<String>,
    pub is_operator: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct AccountEmail {
    pub id: i64,
    pub account_id: i64,
    pub email: String,
    pub verified_at: Option<i64>,
    pub is_primary: bool,
    pub created_at: i64,
}

/// What a new account starts with.
pub struct NewAccount<'a> {
    pub display_name: &'a str,
    /// Normalised (see `enishi_core::email::normalise`).
    pub email: &'a str,
    pub email_verified: bool,
    pub lang: &'a str,
    pub time_zone: &'a str,
    pub is_operator: bool,
}

pub(crate) const ACCOUNT_COLUMNS: &str = "a.id, a.display_name, a.lang, a.time_zone, a.password_hash, a.is_operator, a.created_at, a.updated_at";

/// Creates an account with its first (primary) address. Fails with
/// [`StoreError::Conflict`] when the address is already verified elsewhere.
pub async fn create(db: &Db, new: &NewAccount<'_>) -> Result<Account> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let account: Account = db_run!(tx tx, |conn| {
        sqlx::query_as(
            "INSERT INTO accounts (display_name, lang, time_zone, password_hash, is_operator, created_at, updated_at) \
             VALUES ($1, $2, $3, NULL, $4, $5, $5) \
             RETURNING id, display_name, lang, time_zone, password_hash, is_operator, created_at, updated_at",
        )
        .bind(new.display_name)
        .bind(new.lang)
        .bind(new.time_zone)
        .bind(new.is_operator)
        .bind(now)
        .fetch_one(&mut *conn)
        .await
    })?;
    let verified_at = new.email_verified.then_some(now);
    let inserted = db_run!(tx tx, |conn| {
        sqlx::query(
            "INSERT INTO account_emails (account_id, email, verified_at, is_primary, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(account.id)
        .bind(new.email)
        .bind(verified_at)
        .bind(true)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map(|_| ())
    });
    match inserted {
        Err(e) if unique_violation(&e) => return Err(StoreError::Conflict("email")),
        other => other?,
    }
    tx.commit().await?;
    Ok(account)
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Account>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = $1");
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(pool)
            .await
    })?)
}

/// The account on which `email` (normalised) is verified.
pub async fn by_verified_email(db: &Db, email: &str) -> Result<Option<Account>> {
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS} FROM accounts a JOIN account_emails e ON e.account_id = a.id \
         WHERE e.email = $1 AND e.verified_at IS NOT NULL"
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(email)
            .fetch_optional(pool)
            .await
    })?)
}

pub async fn set_operator(db: &Db, id: i64, is_operator: bool) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query("UPDATE accounts SET is_operator = $1, updated_at = $2 WHERE id = $3")
            .bind(is_operator)
            .bind(now_ms())
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ())
    })?;
    Ok(())
}

pub async fn update_settings(
    db: &Db,
    id: i64,
    display_name: &str,
    lang: &str,
    time_zone: &str,
) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query("UPDATE accounts SET display_name = $1, lang = $2, time_zone = $3, updated_at = $4 WHERE id = $5")
            .bind(display_name)
            .bind(lang)
            .bind(time_zone)
            .bind(now_ms())
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ())
    })?;
    Ok(())
}

pub async fn set_password_hash(db: &Db, id: i64, hash: Option<&str>) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query("UPDATE accounts SET password_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(hash)
            .bind(now_ms())
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ())
    })?;
    Ok(())
}

/// Every address of an account, primary first, then in the order added.
pub async fn emails(db: &Db, account_id: i64) -> Result<Vec<AccountEmail>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT id, account_id, email, verified_at, is_primary, created_at FROM account_emails \
             WHERE account_id = $1 ORDER BY is_primary DESC, id",
        )
        .bind(account_id)
        .fetch_all(pool)
        .await
    })?)
}

/// The primary address of an account.
pub async fn primary_email(db: &Db, account_id: i64) -> Result<Option<String>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar(
            "SELECT email FROM account_emails WHERE account_id = $1 AND is_primary = $2",
        )
        .bind(account_id)
        .bind(true)
        .fetch_optional(pool)
        .await
    })?)
}

/// Outcome of adding an address.
#[derive(Debug, PartialEq, Eq)]
pub enum AddEmail {
    /// Added, unverified; a verification link should go out.
    Added(AccountEmail),
    /// This account has it already.
    AlreadyYours,
}

/// Adds an unverified address. Whether another account has it is not
/// revealed here: that is settled when (if) it is verified.
pub async fn add_email(db: &Db, account_id: i64, email: &str) -> Result<AddEmail> {
    let inserted: std::result::Result<AccountEmail, sqlx::Error> = db_run!(db, |pool| {
        sqlx::query_as(
            "INSERT INTO account_emails (account_id, email, verified_at, is_primary, created_at) \
             VALUES ($1, $2, NULL, $3, $4) \
             RETURNING id, account_id, email, verified_at, is_primary, created_at",
        )
        .bind(account_id)
        .bind(email)
        .bind(false)
        .bind(now_ms())
        .fetch_one(pool)
        .await
    });
    match inserted {
        Ok(row) => Ok(AddEmail::Added(row)),
        Err(e) if unique_violation(&e) => Ok(AddEmail::AlreadyYours),
        Err(e) => Err(e.into()),
    }
}

/// Outcome of verifying an address.
#[derive(Debug, PartialEq, Eq)]
pub enum VerifyEmail {
    Verified,
    AlreadyVerified,
    /// Another account verified it first.
    TakenElsewhere,
    /// The address is no longer on the account.
    Gone,
}

/// Marks `email` verified on `account_id`; other accounts' unverified
/// claims on it are dropped.
pub async fn verify_email(db: &Db, account_id: i64, email: &str) -> Result<VerifyEmail> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let current: Option<Option<i64>> = db_run!(tx tx, |conn| {
        sqlx::query_scalar("SELECT verified_at FROM account_emails WHERE account_id = $1 AND email = $2")
            .bind(account_id)
            .bind(email)
            .fetch_optional(&mut *conn)
            .await
    })?;
    match current {
        None => return Ok(VerifyEmail::Gone),
        Some(Some(_)) => return Ok(VerifyEmail::AlreadyVerified),
        Some(None) => {}
    }
    let updated = db_run!(tx tx, |conn| {
        sqlx::query("UPDATE account_emails SET verified_at = $1 WHERE account_id = $2 AND email = $3")
            .bind(now)
            .bind(account_id)
            .bind(email)
            .execute(&mut *conn)
            .await
            .map(|_| ())
    });
    match updated {
        Err(e) if unique_violation(&e) => return Ok(VerifyEmail::TakenElsewhere),
        other => other?,
    }
    db_run!(tx tx, |conn| {
        sqlx::query("DELETE FROM account_emails WHERE email = $1 AND account_id <> $2 AND verified_at IS NULL")
            .bind(email)
            .bind(account_id)
            .execute(&mut *conn)
            .await
            .map(|_| ())
    })?;
    tx.commit().await?;
    Ok(VerifyEmail::Verified)
}

/// Makes a verified address primary. `false` when it is not a verified
/// address of this account.
pub async fn make_primary(db: &Db, account_id: i64, email_id: i64) -> Result<bool> {
    let mut tx = db.begin_write().await?;
    let eligible: Option<i64> = db_run!(tx tx, |conn| {
        sqlx::query_scalar(
            "SELECT id FROM account_emails WHERE id = $1 AND account_id = $2 AND verified_at IS NOT NULL",
        )
        .bind(email_id)
        .bind(account_id)
        .fetch_optional(&mut *conn)
        .await
    })?;
    if eligible.is_none() {
        return Ok(false);
    }
    db_run!(tx tx, |conn| {
        sqlx::query("UPDATE account_emails SET is_primary = (id = $1) WHERE account_id = $2")
            .bind(email_id)
            .bind(account_id)
            .execute(&mut *conn)
            .await
            .map(|_| ())
    })?;
    tx.commit().await?;
    Ok(true)
}

/// Outcome of removing an address.
#[derive(Debug, PartialEq, Eq)]
pub enum RemoveEmail {
    Removed(String),
    /// The primary address must be replaced before it can go.
    IsPrimary,
    NotFound,
}

pub async fn remove_email(db: &Db, account_id: i64, email_id: i64) -> Result<RemoveEmail> {
    let mut tx = db.begin_write().await?;
    let row: Option<AccountEmail> = db_run!(tx tx, |conn| {
        sqlx::query_as(
            "SELECT id, account_id, email, verified_at, is_primary, created_at FROM account_emails \
             WHERE id = $1 AND account_id = $2",
        )
        .bind(email_id)
        .bind(account_id)
        .fetch_optional(&mut *conn)
        .await
    })?;
    let Some(row) = row else {
        return Ok(RemoveEmail::NotFound);
    };
    if row.is_primary {
        return Ok(RemoveEmail::IsPrimary);
    }
    db_run!(tx tx, |conn| {
        sqlx::query("DELETE FROM account_emails WHERE id = $1 AND account_id = $2")
            .bind(email_id)
            .bind(account_id)
            .execute(&mut *conn)
            .await
            .map(|_| ())
    })?;
    tx.commit().await?;
    Ok(RemoveEmail::Removed(row.email))
}
