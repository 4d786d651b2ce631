//! In-app notifications as stored: adding one (a reaction only once until
//! it was seen), an account's list across its active networks, marking
//! them read, and the header's counts. Who is told is
//! `core::notifications`'.

use sqlx::FromRow;

use crate::networks::NetworkId;
use crate::posts::Author;
use crate::{Db, Result, db_run};

/// A notification to store.
pub struct NewNotification<'a> {
    pub account_id: i64,
    pub kind: &'a str,
    pub actor_id: Option<i64>,
    pub post_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub group_id: Option<i64>,
    /// Words that go with it (a moderator's warning).
    pub note: Option<&'a str>,
    /// The opportunity it is about (an answer's stage).
    pub opportunity_id: Option<i64>,
    /// The event it is about.
    pub event_id: Option<i64>,
}

/// Stores a notification; `None` when an unread one of the same kind, by
/// the same person, about the same post and comment was there already
/// (nothing is added), else its id.
pub async fn add(
    db: &Db,
    net: NetworkId,
    n: &NewNotification<'_>,
    now: i64,
) -> Result<Option<i64>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar(
            "INSERT INTO notifications (network_id, account_id, kind, actor_id, post_id, comment_id, group_id, created_at, note, opportunity_id, event_id) \
             SELECT CAST($1 AS BIGINT), CAST($2 AS BIGINT), CAST($3 AS TEXT), CAST($4 AS BIGINT), \
             CAST($5 AS BIGINT), CAST($6 AS BIGINT), CAST($7 AS BIGINT), CAST($8 AS BIGINT), CAST($9 AS TEXT), \
             CAST($10 AS BIGINT), CAST($11 AS BIGINT) WHERE NOT EXISTS (SELECT 1 FROM notifications x \
               WHERE x.network_id = $1 AND x.account_id = $2 AND x.kind = $3 AND x.read_at IS NULL \
               AND x.actor_id IS NOT DISTINCT FROM $4 AND x.post_id IS NOT DISTINCT FROM $5 \
               AND x.comment_id IS NOT DISTINCT FROM $6 AND x.group_id IS NOT DISTINCT FROM $7 \
               AND x.opportunity_id IS NOT DISTINCT FROM $10 AND x.event_id IS NOT DISTINCT FROM $11) \
             RETURNING id",
        )
        .bind(net.0)
        .bind(n.account_id)
        .bind(n.kind)
        .bind(n.actor_id)
        .bind(n.post_id)
        .bind(n.comment_id)
        .bind(n.group_id)
        .bind(now)
        .bind(n.note)
        .bind(n.opportunity_id)
        .bind(n.event_id)
        .fetch_optional(pool)
        .await
    })?)
}

/// A notification as listed, with its network and the actor's profile
/// there.
#[derive(Clone, Debug, FromRow)]
pub struct Listed {
    pub id: i64,
    pub network_id: i64,
    pub slug: String,
    pub name_ja: String,
    pub name_en: String,
    pub kind: String,
    pub actor_id: Option<i64>,
    pub post_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub group_id: Option<i64>,
    pub group_name: Option<String>,
    pub note: Option<String>,
    pub opportunity_id: Option<i64>,
    pub opportunity_title: Option<String>,
    pub event_id: Option<i64>,
    pub event_title: Option<String>,
    pub created_at: i64,
    pub read_at: Option<i64>,
    #[sqlx(flatten)]
    pub actor: Author,
}

/// An account's newest notifications in its active networks.
pub async fn list(db: &Db, account_id: i64, limit: i64) -> Result<Vec<Listed>> {
    let sql = format!(
        "SELECT x.id, x.network_id, n.slug, n.name_ja, n.name_en, x.kind, x.actor_id, x.post_id, \
         x.comment_id, x.group_id, g.name AS group_name, x.note, x.opportunity_id, \
         o.title AS opportunity_title, x.event_id, e.title AS event_title, x.created_at, x.read_at, {} \
         FROM notifications x \
         JOIN memberships m ON m.network_id = x.network_id AND m.account_id = x.account_id AND m.status = 'active' \
         JOIN networks n ON n.id = x.network_id \
         LEFT JOIN community_groups g ON g.network_id = x.network_id AND g.id = x.group_id \
         LEFT JOIN opportunities o ON o.network_id = x.network_id AND o.id = x.opportunity_id \
         LEFT JOIN events e ON e.network_id = x.network_id AND e.id = x.event_id \
         LEFT JOIN profiles p ON p.network_id = x.network_id AND p.account_id = x.actor_id \
         WHERE x.account_id = $1 ORDER BY x.id DESC LIMIT $2",
        crate::posts::AUTHOR
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(account_id)
            .bind(limit)
            .fetch_all(pool)
            .await
    })?)
}

/// Marks an account's notifications up to `upto` read.
pub async fn mark_read(db: &Db, account_id: i64, upto: i64, now: i64) -> Result<u64> {
    Ok(db_run!(db, |pool| {
        sqlx::query(
            "UPDATE notifications SET read_at = $3 WHERE account_id = $1 AND id <= $2 AND read_at IS NULL",
        )
        .bind(account_id)
        .bind(upto)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?)
}

/// The header's two counts as SQL columns on `$1` (the account),
/// `unread_messages` and `unread_notifications`: unread direct messages and
/// unread notifications in its active networks.
fn header_count_columns() -> String {
    format!(
        "(SELECT COUNT(*) {}) AS unread_messages, \
         (SELECT COUNT(*) FROM notifications x \
           JOIN memberships ms ON ms.network_id = x.network_id AND ms.account_id = x.account_id AND ms.status = 'active' \
           WHERE x.account_id = $1 AND x.read_at IS NULL) AS unread_notifications",
        crate::messages::unread_of_account()
    )
}

/// The header's counts in one statement: unread direct messages and
/// unread notifications of an account in its active networks.
pub async fn header_counts(db: &Db, account_id: i64) -> Result<(i64, i64)> {
    let sql = format!("SELECT {}", header_count_columns());
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(account_id)
            .fetch_one(pool)
            .await
    })?)
}

/// What a signed-in page's header shows, in one statement: the account's
/// active memberships with their networks (for the switcher, and for the
/// network pages' access check: `web::scope` needs no statement of its own
/// for them) and, when it has any, its unread messages and notifications.
#[derive(Clone, Debug, Default)]
pub struct Header {
    /// Active memberships, by the network's Japanese name.
    pub networks: Vec<(crate::networks::Network, crate::memberships::Membership)>,
    pub unread_messages: i64,
    pub unread_notifications: i64,
}

/// The header of `account_id` (see [`Header`]).
pub async fn header(db: &Db, account_id: i64) -> Result<Header> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        pair: crate::memberships::NetworkMembership,
        unread_messages: i64,
        unread_notifications: i64,
    }
    // the counts do not depend on the row: both engines work them out once
    let counts = header_count_columns();
    let sql = format!(
        "SELECT {}, {counts} \
         FROM memberships m JOIN networks n ON n.id = m.network_id \
         WHERE m.account_id = $1 AND m.status = 'active' ORDER BY n.name_ja, n.id",
        crate::memberships::network_membership_columns()
    );
    let rows: Vec<Row> = db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(account_id)
            .fetch_all(pool)
            .await
    })?;
    Ok(Header {
        unread_messages: rows.first().map(|r| r.unread_messages).unwrap_or(0),
        unread_notifications: rows.first().map(|r| r.unread_notifications).unwrap_or(0),
        networks: rows.into_iter().map(|r| r.pair.into_pair()).collect(),
    })
}

/// An account's e-mail choices (JSON, `core::notifications::EmailPrefs`).
pub async fn prefs(db: &Db, account_id: i64) -> Result<String> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar("SELECT notify_prefs FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(pool)
            .await
    })?
    .unwrap_or_else(|| "{}".to_string()))
}

/// Saves an account's e-mail choices and when its next digest is due.
pub async fn set_prefs(db: &Db, account_id: i64, json: &str, digest_due_at: i64) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query("UPDATE accounts SET notify_prefs = $2, digest_due_at = $3 WHERE id = $1")
            .bind(account_id)
            .bind(json)
            .bind(digest_due_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The account's unsubscribe key, made on first use.
pub async fn unsubscribe_key(db: &Db, account_id: i64, fresh: &str) -> Result<String> {
    db_run!(db, |pool| {
        sqlx::query(
            "UPDATE accounts SET unsubscribe_key = $2 WHERE id = $1 AND unsubscribe_key IS NULL",
        )
        .bind(account_id)
        .bind(fresh)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(stored_key(db, account_id).await?.unwrap_or_default())
}

/// The stored unsubscribe key of an account (to check a link against).
pub async fn stored_key(db: &Db, account_id: i64) -> Result<Option<String>> {
    let key: Option<Option<String>> = db_run!(db, |pool| {
        sqlx::query_scalar("SELECT unsubscribe_key FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(pool)
            .await
    })?;
    Ok(key.flatten())
}

/// An account whose digest is due.
#[derive(Clone, Debug, FromRow)]
pub struct Due {
    pub id: i64,
    pub lang: String,
    pub notify_prefs: String,
    pub digest_due_at: i64,
    pub digest_sent_at: Option<i64>,
    pub created_at: i64,
}

/// Up to `limit` accounts with an active membership whose digest is due
/// at `now`, the most overdue first.
pub async fn due_digests(db: &Db, now: i64, limit: i64) -> Result<Vec<Due>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT a.id, a.lang, a.notify_prefs, a.digest_due_at, a.digest_sent_at, a.created_at FROM accounts a \
             WHERE a.digest_due_at <= $1 \
               AND EXISTS (SELECT 1 FROM memberships m WHERE m.account_id = a.id AND m.status = 'active') \
             ORDER BY a.digest_due_at, a.id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(pool)
        .await
    })?)
}

/// Claims an account's due digest by moving its due time from `was` to
/// `next`: `false` when another node claimed it first.
pub async fn claim_digest(db: &Db, account_id: i64, was: i64, next: i64) -> Result<bool> {
    let n = db_run!(db, |pool| {
        sqlx::query("UPDATE accounts SET digest_due_at = $3 WHERE id = $1 AND digest_due_at = $2")
            .bind(account_id)
            .bind(was)
            .bind(next)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Records that a digest went out at `now`.
pub async fn digest_sent(db: &Db, account_id: i64, now: i64) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query("UPDATE accounts SET digest_sent_at = $2 WHERE id = $1")
            .bind(account_id)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// New posts for everyone since `since`, per active network of the
/// account (news to one audience is left out: a count must not tell about
/// what the person may not read): (network slug, ja name, en name, count).
pub async fn new_posts(
    db: &Db,
    account_id: i64,
    since: i64,
) -> Result<Vec<(String, String, String, i64)>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT n.slug, n.name_ja, n.name_en, COUNT(x.id) FROM memberships m \
             JOIN networks n ON n.id = m.network_id \
             JOIN posts x ON x.network_id = m.network_id AND x.created_at > $2 AND x.group_id IS NULL \
               AND x.hidden_at IS NULL AND x.held_at IS NULL AND x.audience = 'everyone' \
               AND (x.author_id IS NULL OR x.author_id <> $1) \
             WHERE m.account_id = $1 AND m.status = 'active' \
             GROUP BY n.slug, n.name_ja, n.name_en ORDER BY n.slug",
        )
        .bind(account_id)
        .bind(since)
        .fetch_all(pool)
        .await
    })?)
}

/// The e-mail choices (JSON) of `accounts`.
pub async fn prefs_of(db: &Db, accounts: &[i64]) -> Result<Vec<(i64, String)>> {
    if accounts.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, notify_prefs FROM accounts WHERE {}",
        db.dialect().in_list("id", 1)
    );
    let ids = crate::IdList(accounts.to_vec());
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(&ids)
            .fetch_all(pool)
            .await
    })?)
}
