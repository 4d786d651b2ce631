//! Groups and who is in them. Who may see, read, post in and run a group
//! is decided by `core::groups`; this module stores and lists, always
//! scoped by network. The group's posts live in `posts` (with a
//! `group_id`; see [`crate::posts::Feed`]).

use sqlx::FromRow;

use crate::networks::NetworkId;
use crate::posts::Author;
use crate::{Db, Result, TextList, db_run};

/// A group as stored.
#[derive(Clone, Debug, FromRow)]
pub struct Group {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub category: String,
    pub access: String,
    pub space: String,
    pub status: String,
    pub proposed_by: Option<i64>,
    pub created_at: i64,
}

const GROUP: &str = "g.id, g.name, g.description, g.category, g.access, g.space, g.status, \
     g.proposed_by, g.created_at";

/// A group to store (checked by `core::groups::check`).
pub struct NewGroup<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub category: &'a str,
    pub access: &'a str,
    pub space: &'a str,
    /// `active` when a steward makes it, `proposed` otherwise.
    pub status: &'a str,
    /// Who made or proposed it; they become its owner.
    pub creator: i64,
}

/// Stores a group with its creator as owner; the new group's id.
pub async fn create(db: &Db, net: NetworkId, new: &NewGroup<'_>, now: i64) -> Result<i64> {
    let mut tx = db.begin_write().await?;
    let id: i64 = db_run!(tx tx, |conn| {
        sqlx::query_scalar(
            "INSERT INTO community_groups (network_id, name, description, category, access, space, \
             status, proposed_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(net.0)
        .bind(new.name)
        .bind(new.description)
        .bind(new.category)
        .bind(new.access)
        .bind(new.space)
        .bind(new.status)
        .bind(new.creator)
        .bind(now)
        .fetch_one(&mut *conn)
        .await
    })?;
    db_run!(tx tx, |conn| {
        sqlx::query(
            "INSERT INTO group_members (network_id, group_id, account_id, standing, created_at) \
             VALUES ($1, $2, $3, 'owner', $4)",
        )
        .bind(net.0)
        .bind(id)
        .bind(new.creator)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map(|_| ())
    })?;
    tx.commit().await?;
    Ok(id)
}

/// One group of the network.
pub async fn get(db: &Db, net: NetworkId, id: i64) -> Result<Option<Group>> {
    let sql =
        format!("SELECT {GROUP} FROM community_groups g WHERE g.network_id = $1 AND g.id = $2");
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(id)
            .fetch_optional(pool)
            .await
    })?)
}

/// A group in a list, with the viewer's standing and how many belong.
#[derive(Clone, Debug, FromRow)]
pub struct Listed {
    #[sqlx(flatten)]
    pub group: Group,
    pub standing: Option<String>,
    pub members: i64,
}

/// The network's groups in `spaces`, with `account_id`'s standing in
/// each, by name. (Networks have tens of groups, not thousands; the caller
/// keeps those the viewer may see.)
pub async fn list(
    db: &Db,
    net: NetworkId,
    spaces: &[&str],
    account_id: i64,
) -> Result<Vec<Listed>> {
    let sql = format!(
        "SELECT {GROUP}, m.standing, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM group_members c WHERE c.network_id = g.network_id \
          AND c.group_id = g.id AND c.standing IN ('owner', 'member')) AS members \
         FROM community_groups g LEFT JOIN group_members m ON m.network_id = g.network_id \
         AND m.group_id = g.id AND m.account_id = $2 \
         WHERE g.network_id = $1 AND {} ORDER BY g.name, g.id",
        db.dialect().in_list("g.space", 3)
    );
    let spaces = TextList(spaces.iter().map(|s| s.to_string()).collect());
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(account_id)
            .bind(&spaces)
            .fetch_all(pool)
            .await
    })?)
}

/// `account_id`'s standing in a group, if any.
pub async fn standing(
    db: &Db,
    net: NetworkId,
    group_id: i64,
    account_id: i64,
) -> Result<Option<String>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar(
            "SELECT standing FROM group_members WHERE network_id = $1 AND group_id = $2 AND account_id = $3",
        )
        .bind(net.0)
        .bind(group_id)
        .bind(account_id)
        .fetch_optional(pool)
        .await
    })?)
}

/// Puts `account_id` in a group with `standing` (or changes it).
pub async fn set_standing(
    db: &Db,
    net: NetworkId,
    group_id: i64,
    account_id: i64,
    standing: &str,
    now: i64,
) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query(
            "INSERT INTO group_members (network_id, group_id, account_id, standing, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (network_id, group_id, account_id) \
             DO UPDATE SET standing = excluded.standing",
        )
        .bind(net.0)
        .bind(group_id)
        .bind(account_id)
        .bind(standing)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Changes a standing only if it is `from` now (approving a request,
/// never turning a stranger into a member). Whether it changed.
pub async fn change_standing(
    db: &Db,
    net: NetworkId,
    group_id: i64,
    account_id: i64,
    from: &str,
    to: &str,
) -> Result<bool> {
    let n = db_run!(db, |pool| {
        sqlx::query(
            "UPDATE group_members SET standing = $5 WHERE network_id = $1 AND group_id = $2 \
             AND account_id = $3 AND standing = $4",
        )
        .bind(net.0)
        .bind(group_id)
        .bind(account_id)
        .bind(from)
        .bind(to)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Takes `account_id` out of a group (leaving, declining, removing).
pub async fn remove(db: &Db, net: NetworkId, group_id: i64, account_id: i64) -> Result<bool> {
    let n = db_run!(db, |pool| {
        sqlx::query(
            "DELETE FROM group_members WHERE network_id = $1 AND group_id = $2 AND account_id = $3",
        )
        .bind(net.0)
        .bind(group_id)
        .bind(account_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// How many owners a group has (the last one may not leave).
pub async fn owners(db: &Db, net: NetworkId, group_id: i64) -> Result<i64> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM group_members WHERE network_id = $1 \
             AND group_id = $2 AND standing = 'owner'",
        )
        .bind(net.0)
        .bind(group_id)
        .fetch_one(pool)
        .await
    })?)
}

/// Someone in a group, with their name as their profile shows it.
#[derive(Clone, Debug, FromRow)]
pub struct Member {
    pub account_id: i64,
    pub standing: String,
    pub created_at: i64,
    #[sqlx(flatten)]
    pub author: Author,
}

/// Members shown on a group's page at most.
pub const MAX_MEMBERS_SHOWN: i64 = 500;

/// Everyone with a standing in a group: owners first, then by when they
/// came.
pub async fn members(db: &Db, net: NetworkId, group_id: i64) -> Result<Vec<Member>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT m.account_id, m.standing, m.created_at, p.id AS profile_id, p.family, p.given, \
             p.family_romaji, p.given_romaji, p.photo_key, p.visibility FROM group_members m \
             LEFT JOIN profiles p ON p.network_id = m.network_id AND p.account_id = m.account_id \
             WHERE m.network_id = $1 AND m.group_id = $2 \
             ORDER BY CASE m.standing WHEN 'owner' THEN 0 WHEN 'member' THEN 1 ELSE 2 END, m.created_at, m.account_id \
             LIMIT $3",
        )
        .bind(net.0)
        .bind(group_id)
        .bind(MAX_MEMBERS_SHOWN)
        .fetch_all(pool)
        .await
    })?)
}

/// A steward's answer to a proposal: `active` or `declined`. Whether the
/// group was still proposed.
pub async fn decide(
    db: &Db,
    net: NetworkId,
    id: i64,
    status: &str,
    by: i64,
    now: i64,
) -> Result<bool> {
    let n = db_run!(db, |pool| {
        sqlx::query(
            "UPDATE community_groups SET status = $3, decided_by = $4, decided_at = $5 \
             WHERE network_id = $1 AND id = $2 AND status = 'proposed'",
        )
        .bind(net.0)
        .bind(id)
        .bind(status)
        .bind(by)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}
