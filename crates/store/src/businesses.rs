//! Alumni businesses: listings members keep of their companies and
//! services, scoped by network. Searching them is `core::businesses`'
//! (the directory's Japanese matching, in Rust over the network's
//! listings: a network has hundreds, not millions).

use sqlx::FromRow;

use crate::networks::NetworkId;
use crate::posts::{AUTHOR, Author};
use crate::{Db, Result, db_run};

/// A listing, with its owner's profile.
#[derive(Clone, Debug, FromRow)]
pub struct Business {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub kana: String,
    pub offer: String,
    pub industry: String,
    pub url: String,
    pub created_at: i64,
    pub updated_at: i64,
    #[sqlx(flatten)]
    pub owner: Author,
}

/// A listing to store (checked by `core::businesses::check`).
pub struct NewBusiness<'a> {
    pub name: &'a str,
    pub kana: &'a str,
    pub offer: &'a str,
    pub industry: &'a str,
    pub url: &'a str,
}

fn select() -> String {
    format!(
        "SELECT b.id, b.account_id, b.name, b.kana, b.offer, b.industry, b.url, b.created_at, \
         b.updated_at, {AUTHOR} FROM businesses b \
         JOIN memberships m ON m.network_id = b.network_id AND m.account_id = b.account_id \
         LEFT JOIN profiles p ON p.network_id = b.network_id AND p.account_id = b.account_id"
    )
}

/// The listings of the network's active members, newest first.
pub async fn list(db: &Db, net: NetworkId) -> Result<Vec<Business>> {
    let sql = format!(
        "{} WHERE b.network_id = $1 AND m.status = 'active' ORDER BY b.updated_at DESC, b.id DESC",
        select()
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .fetch_all(pool)
            .await
    })?)
}

/// One listing of an active member.
pub async fn get(db: &Db, net: NetworkId, id: i64) -> Result<Option<Business>> {
    let sql = format!(
        "{} WHERE b.network_id = $1 AND b.id = $2 AND m.status = 'active'",
        select()
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(id)
            .fetch_optional(pool)
            .await
    })?)
}

/// How many listings a member has.
pub async fn count_of(db: &Db, net: NetworkId, account: i64) -> Result<i64> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM businesses WHERE network_id = $1 AND account_id = $2",
        )
        .bind(net.0)
        .bind(account)
        .fetch_one(pool)
        .await
    })?)
}

/// Stores a listing of `account`'s; its id.
pub async fn create(
    db: &Db,
    net: NetworkId,
    account: i64,
    new: &NewBusiness<'_>,
    now: i64,
) -> Result<i64> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar(
            "INSERT INTO businesses (network_id, account_id, name, kana, offer, industry, url, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        )
        .bind(net.0)
        .bind(account)
        .bind(new.name)
        .bind(new.kana)
        .bind(new.offer)
        .bind(new.industry)
        .bind(new.url)
        .bind(now)
        .fetch_one(pool)
        .await
    })?)
}

/// Rewrites a listing.
pub async fn update(
    db: &Db,
    net: NetworkId,
    id: i64,
    new: &NewBusiness<'_>,
    now: i64,
) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query(
            "UPDATE businesses SET name = $3, kana = $4, offer = $5, industry = $6, url = $7, updated_at = $8 \
             WHERE network_id = $1 AND id = $2",
        )
        .bind(net.0)
        .bind(id)
        .bind(new.name)
        .bind(new.kana)
        .bind(new.offer)
        .bind(new.industry)
        .bind(new.url)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Removes a listing.
pub async fn delete(db: &Db, net: NetworkId, id: i64) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query("DELETE FROM businesses WHERE network_id = $1 AND id = $2")
            .bind(net.0)
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ())
    })?;
    Ok(())
}
