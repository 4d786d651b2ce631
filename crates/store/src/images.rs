//! Uploaded images, already decoded, cleaned and resized by the web
//! layer's pipeline: two JPEG sizes per image, kept in the database (one
//! backup holds everything). Addressed by an unguessable key.

use crate::networks::NetworkId;
use crate::{Db, Result, db_run, now_ms};

/// The two sizes kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// 512 px on the longer side.
    Large,
    /// 128 px.
    Small,
}

/// A cleaned image, ready to store.
pub struct NewImage<'a> {
    pub key: &'a str,
    pub account_id: Option<i64>,
    /// What it is for (`profile`, later `post`, `event`).
    pub purpose: &'a str,
    pub width: i64,
    pub height: i64,
    pub large: &'a [u8],
    pub small: &'a [u8],
}

pub async fn insert(db: &Db, net: NetworkId, image: &NewImage<'_>) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query(
            "INSERT INTO images (network_id, key, account_id, purpose, width, height, large, small, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(net.0)
        .bind(image.key)
        .bind(image.account_id)
        .bind(image.purpose)
        .bind(image.width)
        .bind(image.height)
        .bind(image.large)
        .bind(image.small)
        .bind(now_ms())
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The bytes of one size of an image of the network.
pub async fn get(db: &Db, net: NetworkId, key: &str, size: Size) -> Result<Option<Vec<u8>>> {
    let sql = match size {
        Size::Large => "SELECT large FROM images WHERE network_id = $1 AND key = $2",
        Size::Small => "SELECT small FROM images WHERE network_id = $1 AND key = $2",
    };
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar(sql)
            .bind(net.0)
            .bind(key)
            .fetch_optional(pool)
            .await
    })?)
}

/// Removes an image (a replaced profile photo).
pub async fn delete(db: &Db, net: NetworkId, key: &str) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query("DELETE FROM images WHERE network_id = $1 AND key = $2")
            .bind(net.0)
            .bind(key)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// How many images the network holds (tests: nothing stored on refusal).
pub async fn count(db: &Db, net: NetworkId) -> Result<i64> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM images WHERE network_id = $1")
            .bind(net.0)
            .fetch_one(pool)
            .await
    })?)
}

/// Who uploaded an image of the network and what for: (account, purpose).
pub async fn owner(db: &Db, net: NetworkId, key: &str) -> Result<Option<(Option<i64>, String)>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_as("SELECT account_id, purpose FROM images WHERE network_id = $1 AND key = $2")
            .bind(net.0)
            .bind(key)
            .fetch_optional(pool)
            .await
    })?)
}
