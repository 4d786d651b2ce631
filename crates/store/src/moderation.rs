//! Reports and moderation decisions: storing a report (once per person per
//! target), the queue of open reports in the spaces a moderator handles,
//! hiding and restoring posts and comments, and closing every open report
//! on a target at once. Who may do what is `core::moderation`'s.

use sqlx::FromRow;

use crate::networks::NetworkId;
use crate::{Db, Result, TextList, db_run};

/// A report to store.
pub struct NewReport<'a> {
    /// `post`, `comment` or `message`.
    pub target: &'a str,
    pub target_id: i64,
    /// The thread: the post (the target itself, or the comment's post);
    /// for a message, its conversation.
    pub post_id: i64,
    /// The space the content lives in: `shared`, `alumni` or `staff`.
    pub space: &'a str,
    pub reporter_id: i64,
    pub reason: &'a str,
    pub note: &'a str,
}

/// Stores a report; `false` when this person had reported it already.
pub async fn report(db: &Db, net: NetworkId, new: &NewReport<'_>, now: i64) -> Result<bool> {
    let n = db_run!(db, |pool| {
        sqlx::query(
            "INSERT INTO reports (network_id, target, target_id, post_id, space, reporter_id, reason, \
             note, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9) \
             ON CONFLICT (network_id, target, target_id, reporter_id) DO NOTHING",
        )
        .bind(net.0)
        .bind(new.target)
        .bind(new.target_id)
        .bind(new.post_id)
        .bind(new.space)
        .bind(new.reporter_id)
        .bind(new.reason)
        .bind(new.note)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// An open report with the content it is about.
#[derive(Clone, Debug, FromRow)]
pub struct Open {
    pub id: i64,
    pub target: String,
    pub target_id: i64,
    pub post_id: i64,
    pub space: String,
    pub reason: String,
    pub note: String,
    pub created_at: i64,
    /// The reported words and their author.
    pub body: String,
    pub author_id: Option<i64>,
    pub hidden_at: Option<i64>,
}

/// Reports shown in a queue at most.
pub const MAX_QUEUE: i64 = 500;

/// Which reports a queue lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    /// Open reports, oldest first.
    Open,
    /// Reports whose content a moderator hid and is still hidden (to
    /// restore), one per content.
    Hidden,
}

/// Reports in `spaces` about content that still exists.
pub async fn queue(db: &Db, net: NetworkId, spaces: &[&str], which: Queue) -> Result<Vec<Open>> {
    if spaces.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT r.id, r.target, r.target_id, r.post_id, r.space, r.reason, r.note, r.created_at, \
         COALESCE(p.body, c.body, ms.body, pr.family || ' ' || pr.given) AS body, \
         COALESCE(p.author_id, c.author_id, ms.author_id, pr.account_id) AS author_id, \
         COALESCE(p.hidden_at, c.hidden_at, ms.hidden_at) AS hidden_at \
         FROM reports r \
         LEFT JOIN posts p ON r.target = 'post' AND p.network_id = r.network_id AND p.id = r.target_id \
         LEFT JOIN post_comments c ON r.target = 'comment' AND c.network_id = r.network_id AND c.id = r.target_id \
         LEFT JOIN messages ms ON r.target = 'message' AND ms.network_id = r.network_id AND ms.id = r.target_id \
         LEFT JOIN profiles pr ON r.target = 'profile' AND pr.network_id = r.network_id AND pr.id = r.target_id \
         WHERE r.network_id = $1 AND {} AND {} \
           AND (p.id IS NOT NULL OR c.id IS NOT NULL OR ms.id IS NOT NULL OR pr.id IS NOT NULL) \
         ORDER BY r.created_at, r.id LIMIT $3",
        match which {
            Queue::Open => "r.status = 'open'",
            Queue::Hidden => {
                "r.status IN ('hidden', 'suspended') AND COALESCE(p.hidden_at, c.hidden_at, ms.hidden_at) IS NOT NULL \
                 AND r.decided_at = COALESCE(p.hidden_at, c.hidden_at, ms.hidden_at)"
            }
        },
        db.dialect().in_list("r.space", 2)
    );
    let spaces = TextList(spaces.iter().map(|s| s.to_string()).collect());
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(&spaces)
            .bind(MAX_QUEUE)
            .fetch_all(pool)
            .await
    })?)
}

/// A report's target and space.
#[derive(Clone, Debug, FromRow)]
pub struct Report {
    pub id: i64,
    pub target: String,
    pub target_id: i64,
    pub post_id: i64,
    pub space: String,
    pub reason: String,
    pub status: String,
}

/// One report of the network.
pub async fn get(db: &Db, net: NetworkId, id: i64) -> Result<Option<Report>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT id, target, target_id, post_id, space, reason, status FROM reports \
             WHERE network_id = $1 AND id = $2",
        )
        .bind(net.0)
        .bind(id)
        .fetch_optional(pool)
        .await
    })?)
}

/// Hides (`Some((now, reason))`) or shows again (`None`) a post or a
/// comment, and closes every open report on it with `status`, in one
/// transaction. Whether the content exists.
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    db: &Db,
    net: NetworkId,
    target: &str,
    target_id: i64,
    hide: Option<Option<(i64, &str)>>,
    status: &str,
    by: i64,
    note: &str,
    now: i64,
) -> Result<bool> {
    let table = match target {
        "post" => "posts",
        "comment" => "post_comments",
        "message" => "messages",
        // a profile is not hidden; its reports only close
        "profile" if hide.is_none() => "",
        _ => return Ok(false),
    };
    let mut tx = db.begin_write().await?;
    if let Some(hidden) = hide {
        let (at, reason) = match hidden {
            Some((at, reason)) => (Some(at), Some(reason)),
            None => (None, None),
        };
        let sql = format!(
            "UPDATE {table} SET hidden_at = $3, hidden_reason = $4 WHERE network_id = $1 AND id = $2"
        );
        let n = db_run!(tx tx, |conn| {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(net.0)
                .bind(target_id)
                .bind(at)
                .bind(reason)
                .execute(&mut *conn)
                .await
                .map(|r| r.rows_affected())
        })?;
        if n != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        if target == "comment" {
            // a post's count is of the comments people can read: a comment
            // leaves it when hidden and comes back when restored (the
            // flag makes the change once, whatever the repeats)
            let (sql, flag) = if at.is_some() {
                (
                    "UPDATE posts SET comment_count = comment_count - 1 WHERE network_id = $1 AND id = \
                  (SELECT post_id FROM post_comments WHERE network_id = $1 AND id = $2 AND counted = TRUE)",
                    false,
                )
            } else {
                (
                    "UPDATE posts SET comment_count = comment_count + 1 WHERE network_id = $1 AND id = \
                  (SELECT post_id FROM post_comments WHERE network_id = $1 AND id = $2 AND counted = FALSE)",
                    true,
                )
            };
            db_run!(tx tx, |conn| {
                sqlx::query(sql)
                    .bind(net.0)
                    .bind(target_id)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("UPDATE post_comments SET counted = $3 WHERE network_id = $1 AND id = $2")
                    .bind(net.0)
                    .bind(target_id)
                    .bind(flag)
                    .execute(&mut *conn)
                    .await
                    .map(|r| r.rows_affected())
            })?;
        }
    }
    db_run!(tx tx, |conn| {
        sqlx::query(
            "UPDATE reports SET status = $4, decided_by = $5, decided_at = $6, decision_note = $7 \
             WHERE network_id = $1 AND target = $2 AND target_id = $3 AND status = 'open'",
        )
        .bind(net.0)
        .bind(target)
        .bind(target_id)
        .bind(status)
        .bind(by)
        .bind(now)
        .bind(note)
        .execute(&mut *conn)
        .await
        .map(|_| ())
    })?;
    tx.commit().await?;
    Ok(true)
}

/// The account behind a reported target: `None` when the target is gone;
/// `Some(None)` when its author's account is.
pub async fn author_of(
    db: &Db,
    net: NetworkId,
    target: &str,
    target_id: i64,
) -> Result<Option<Option<i64>>> {
    let sql = match target {
        "post" => "SELECT author_id FROM posts WHERE network_id = $1 AND id = $2",
        "comment" => "SELECT author_id FROM post_comments WHERE network_id = $1 AND id = $2",
        "message" => "SELECT author_id FROM messages WHERE network_id = $1 AND id = $2",
        "profile" => "SELECT account_id FROM profiles WHERE network_id = $1 AND id = $2",
        _ => return Ok(None),
    };
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar(sql)
            .bind(net.0)
            .bind(target_id)
            .fetch_optional(pool)
            .await
    })?)
}
