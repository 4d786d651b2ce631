//! Invitations to a network: for one address, with the role and kind the
//! person will have; single use; stored hashed; scoped by [`NetworkId`].

use sqlx::FromRow;

use crate::networks::NetworkId;
use crate::{Db, Result, db_run, now_ms};

#[derive(Clone, Debug, FromRow)]
pub struct Invitation {
    pub id: i64,
    pub network_id: i64,
    pub email: String,
    pub role: String,
    pub kind: String,
    pub invited_by: Option<i64>,
    pub created_at: i64,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
    pub accepted_by: Option<i64>,
    pub revoked_at: Option<i64>,
    /// The alumni record this invitation is for (an HR import).
    pub record_id: Option<i64>,
}

const COLUMNS: &str = "id, network_id, email, role, kind, invited_by, created_at, expires_at, accepted_at, accepted_by, revoked_at, record_id";

pub struct NewInvitation<'a> {
    pub email: &'a str,
    pub role: &'a str,
    pub kind: &'a str,
    pub token_hash: &'a str,
    pub invited_by: Option<i64>,
    pub expires_at: i64,
    pub record_id: Option<i64>,
}

pub async fn create(db: &Db, net: NetworkId, new: &NewInvitation<'_>) -> Result<Invitation> {
    let sql = format!(
        "INSERT INTO invitations (network_id, email, role, kind, token_hash, invited_by, created_at, expires_at, \
         accepted_at, accepted_by, revoked_at, record_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, NULL, $9) \
         RETURNING {COLUMNS}"
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(new.email)
            .bind(new.role)
            .bind(new.kind)
            .bind(new.token_hash)
            .bind(new.invited_by)
            .bind(now_ms())
            .bind(new.expires_at)
            .bind(new.record_id)
            .fetch_one(pool)
            .await
    })?)
}

/// The invitation with this token hash, in this network.
pub async fn by_token(db: &Db, net: NetworkId, token_hash: &str) -> Result<Option<Invitation>> {
    let sql =
        format!("SELECT {COLUMNS} FROM invitations WHERE network_id = $1 AND token_hash = $2");
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(token_hash)
            .fetch_optional(pool)
            .await
    })?)
}

/// Spends an invitation for `account_id`: succeeds once, before expiry,
/// unless revoked.
pub async fn accept(db: &Db, net: NetworkId, id: i64, account_id: i64) -> Result<bool> {
    let now = now_ms();
    let n = db_run!(db, |pool| {
        sqlx::query(
            "UPDATE invitations SET accepted_at = $1, accepted_by = $2 \
             WHERE network_id = $3 AND id = $4 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $1",
        )
        .bind(now)
        .bind(account_id)
        .bind(net.0)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Open invitations (neither accepted, revoked nor expired), newest first.
pub async fn open(db: &Db, net: NetworkId) -> Result<Vec<Invitation>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM invitations WHERE network_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL \
         AND expires_at > $2 ORDER BY id DESC"
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(now_ms())
            .fetch_all(pool)
            .await
    })?)
}

/// Revokes an open invitation of this network.
pub async fn revoke(db: &Db, net: NetworkId, id: i64) -> Result<bool> {
    let n = db_run!(db, |pool| {
        sqlx::query("UPDATE invitations SET revoked_at = $1 WHERE network_id = $2 AND id = $3 AND accepted_at IS NULL AND revoked_at IS NULL")
            .bind(now_ms())
            .bind(net.0)
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}
