//! Networks (tenants), their purposes of use and guidelines (versioned),
//! memberships and consent records, and invitations.
//!
//! Every function that touches tenant-owned rows takes the [`NetworkId`]
//! first and puts it in the SQL, so a row of another network cannot be
//! reached by its id alone.

use sqlx::FromRow;

use crate::{Db, Result, StoreError, db_run, now_ms, unique_violation};

/// The id of a network: the first argument of every tenant-owned query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NetworkId(pub i64);

#[derive(Clone, Debug, FromRow)]
pub struct Network {
    pub id: i64,
    pub slug: String,
    pub name_ja: String,
    pub name_en: String,
    pub description_ja: String,
    pub description_en: String,
    pub accent_color: String,
    pub join_policy: String,
    /// Comma-separated, for the domain join policy.
    pub staff_domains: String,
    pub listed: bool,
    pub purposes_version: i64,
    pub guidelines_version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Network {
    pub fn scope(&self) -> NetworkId {
        NetworkId(self.id)
    }

    pub fn domains(&self) -> Vec<String> {
        self.staff_domains
            .split(',')
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

const NETWORK_COLUMNS: &str = "id, slug, name_ja, name_en, description_ja, description_en, accent_color, join_policy, \
     staff_domains, listed, purposes_version, guidelines_version, created_at, updated_at";

/// What a network starts with.
pub struct NewNetwork<'a> {
    pub slug: &'a str,
    pub name_ja: &'a str,
    pub name_en: &'a str,
    pub description_ja: &'a str,
    pub description_en: &'a str,
    pub accent_color: &'a str,
    pub join_policy: &'a str,
    pub staff_domains: &'a [String],
    pub listed: bool,
    pub purposes: (&'a str, &'a str),
    pub guidelines: (&'a str, &'a str),
    pub created_by: Option<i64>,
}

/// Creates a network with version 1 of its purposes and guidelines.
/// [`StoreError::Conflict`]`("slug")` when the slug is taken.
pub async fn create(db: &Db, new: &NewNetwork<'_>) -> Result<Network> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let sql = format!(
        "INSERT INTO networks (slug, name_ja, name_en, description_ja, description_en, accent_color, join_policy, \
         staff_domains, listed, purposes_version, guidelines_version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, 1, $10, $10) RETURNING {NETWORK_COLUMNS}"
    );
    let inserted: std::result::Result<Network, sqlx::Error> = db_run!(tx tx, |conn| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(new.slug)
            .bind(new.name_ja)
            .bind(new.name_en)
            .bind(new.description_ja)
            .bind(new.description_en)
            .bind(new.accent_color)
            .bind(new.join_policy)
            .bind(new.staff_domains.join(","))
            .bind(new.listed)
            .bind(now)
            .fetch_one(&mut *conn)
            .await
    });
    let network = match inserted {
        Err(e) if unique_violation(&e) => return Err(StoreError::Conflict("slug")),
        other => other?,
    };
    for (kind, (ja, en)) in [("purposes", new.purposes), ("guidelines", new.guidelines)] {
        db_run!(tx tx, |conn| {
            sqlx::query(
                "INSERT INTO network_documents (network_id, kind, version, body_ja, body_en, created_by, created_at) \
                 VALUES ($1, $2, 1, $3, $4, $5, $6)",
            )
            .bind(network.id)
            .bind(kind)
            .bind(ja)
            .bind(en)
            .bind(new.created_by)
            .bind(now)
            .execute(&mut *conn)
            .await
            .map(|_| ())
        })?;
    }
    tx.commit().await?;
    Ok(network)
}

pub async fn by_slug(db: &Db, slug: &str) -> Result<Option<Network>> {
    let sql = format!("SELECT {NETWORK_COLUMNS} FROM networks WHERE slug = $1");
    Ok(db_run!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(
        sql
    ))
    .bind(slug)
    .fetch_optional(pool)
    .await)?)
}

pub async fn by_id(db: &Db, id: NetworkId) -> Result<Option<Network>> {
    let sql = format!("SELECT {NETWORK_COLUMNS} FROM networks WHERE id = $1");
    Ok(db_run!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(
        sql
    ))
    .bind(id.0)
    .fetch_optional(pool)
    .await)?)
}

/// Every network, by slug (the operator's list).
pub async fn all(db: &Db) -> Result<Vec<Network>> {
    let sql = format!("SELECT {NETWORK_COLUMNS} FROM networks ORDER BY slug");
    Ok(db_run!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(
        sql
    ))
    .fetch_all(pool)
    .await)?)
}

/// Networks that show themselves on the home page: listed, and open to
/// requests or staff by domain (an invitation-only network has nothing to
/// offer a visitor).
pub async fn listed(db: &Db) -> Result<Vec<Network>> {
    let sql = format!(
        "SELECT {NETWORK_COLUMNS} FROM networks WHERE listed = $1 AND join_policy IN ('request', 'domain') ORDER BY name_ja, id"
    );
    Ok(db_run!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(
        sql
    ))
    .bind(true)
    .fetch_all(pool)
    .await)?)
}

/// Settings an admin may change.
pub struct NetworkSettings<'a> {
    pub name_ja: &'a str,
    pub name_en: &'a str,
    pub description_ja: &'a str,
    pub description_en: &'a str,
    pub accent_color: &'a str,
    pub join_policy: &'a str,
    pub staff_domains: &'a [String],
    pub listed: bool,
}

pub async fn update_settings(db: &Db, id: NetworkId, s: &NetworkSettings<'_>) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query(
            "UPDATE networks SET name_ja = $1, name_en = $2, description_ja = $3, description_en = $4, \
             accent_color = $5, join_policy = $6, staff_domains = $7, listed = $8, updated_at = $9 WHERE id = $10",
        )
        .bind(s.name_ja)
        .bind(s.name_en)
        .bind(s.description_ja)
        .bind(s.description_en)
        .bind(s.accent_color)
        .bind(s.join_policy)
        .bind(s.staff_domains.join(","))
        .bind(s.listed)
        .bind(now_ms())
        .bind(id.0)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// One version of the purposes of use or the guidelines.
#[derive(Clone, Debug, FromRow)]
pub struct Document {
    pub kind: String,
    pub version: i64,
    pub body_ja: String,
    pub body_en: String,
    pub created_at: i64,
}

/// The current version of `kind` (`purposes` or `guidelines`).
pub async fn current_document(db: &Db, id: NetworkId, kind: &str) -> Result<Document> {
    Ok(db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT kind, version, body_ja, body_en, created_at FROM network_documents \
             WHERE network_id = $1 AND kind = $2 ORDER BY version DESC LIMIT 1",
        )
        .bind(id.0)
        .bind(kind)
        .fetch_one(pool)
        .await
    })?)
}

/// Publishes a new version of `kind`; members are asked to consent again.
pub async fn publish_document(
    db: &Db,
    id: NetworkId,
    kind: &str,
    ja: &str,
    en: &str,
    by: i64,
) -> Result<i64> {
    let column = match kind {
        "purposes" => "purposes_version",
        "guidelines" => "guidelines_version",
        other => return Err(StoreError::Config(format!("unknown document kind {other}"))),
    };
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let sql = format!(
        "UPDATE networks SET {column} = {column} + 1, updated_at = $1 WHERE id = $2 RETURNING {column}"
    );
    let version: i64 = db_run!(tx tx, |conn| {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(now).bind(id.0).fetch_one(&mut *conn).await
    })?;
    db_run!(tx tx, |conn| {
        sqlx::query(
            "INSERT INTO network_documents (network_id, kind, version, body_ja, body_en, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id.0)
        .bind(kind)
        .bind(version)
        .bind(ja)
        .bind(en)
        .bind(by)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map(|_| ())
    })?;
    tx.commit().await?;
    Ok(version)
}

/// Whether new members' first posts wait for a moderator.
pub async fn first_post_review(db: &Db, id: NetworkId) -> Result<bool> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar("SELECT first_post_review FROM networks WHERE id = $1")
            .bind(id.0)
            .fetch_optional(pool)
            .await
    })?
    .unwrap_or(false))
}

/// Turns the review of new members' first posts on or off.
pub async fn set_first_post_review(db: &Db, id: NetworkId, on: bool) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query("UPDATE networks SET first_post_review = $2 WHERE id = $1")
            .bind(id.0)
            .bind(on)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}
