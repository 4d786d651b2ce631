//! Direct messages as stored: conversations and who is in them, messages,
//! read markers, unread counts, blocks and each member's choice of who may
//! write to them. Who may do what is `core::messages`'; every query is
//! scoped by network.

use sqlx::FromRow;

use crate::networks::NetworkId;
use crate::posts::Author;
use crate::{Db, IdList, Result, db_run};

use crate::posts::AUTHOR;

/// Whether message `m` is unread for the conversation member `cm` whose
/// account is bound at `who`: after their read marker, visible, and not
/// their own. Every unread count (inbox, header, e-mail) uses this.
fn unread(who: &str) -> String {
    format!(
        "m.id > cm.last_read_id AND m.hidden_at IS NULL AND (m.author_id IS NULL OR m.author_id <> {who})"
    )
}

/// An account's (bound at `$1`) unread messages in the conversations it
/// is still in, in its active networks: `FROM` to the end of `WHERE`.
pub(crate) fn unread_of_account() -> String {
    format!(
        "FROM conversation_members cm \
         JOIN memberships ms ON ms.network_id = cm.network_id AND ms.account_id = cm.account_id AND ms.status = 'active' \
         JOIN messages m ON m.network_id = cm.network_id AND m.conversation_id = cm.conversation_id \
         WHERE cm.account_id = $1 AND cm.left_at IS NULL AND {}",
        unread("$1")
    )
}

/// What stands between a writer and a recipient (`core::messages::Between`
/// in stored words); `None` from [`between`] when the recipient was never
/// a member of the network.
#[derive(Clone, Debug, FromRow)]
pub struct Between {
    pub status: String,
    pub dm_from: String,
    pub blocked: bool,
    pub shared: bool,
}

/// The recipient's membership status and choice, whether either blocked
/// the other, and whether they share a group or a hiring year.
pub async fn between(
    db: &Db,
    net: NetworkId,
    writer: i64,
    recipient: i64,
) -> Result<Option<Between>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT m.status, m.dm_from, \
             EXISTS (SELECT 1 FROM blocks b WHERE b.network_id = $1 AND \
               ((b.blocker_id = $2 AND b.blocked_id = $3) OR (b.blocker_id = $3 AND b.blocked_id = $2))) AS blocked, \
             (EXISTS (SELECT 1 FROM group_members g1 JOIN group_members g2 \
                 ON g2.network_id = g1.network_id AND g2.group_id = g1.group_id \
               WHERE g1.network_id = $1 AND g1.account_id = $2 AND g2.account_id = $3 \
                 AND g1.standing IN ('owner', 'member') AND g2.standing IN ('owner', 'member')) \
              OR EXISTS (SELECT 1 FROM profiles p1 JOIN profiles p2 ON p2.network_id = p1.network_id \
               WHERE p1.network_id = $1 AND p1.account_id = $2 AND p2.account_id = $3 \
                 AND p1.first_joined IS NOT NULL AND p2.first_joined IS NOT NULL \
                 AND p1.first_joined / 100 = p2.first_joined / 100)) AS shared \
             FROM memberships m WHERE m.network_id = $1 AND m.account_id = $3",
        )
        .bind(net.0)
        .bind(writer)
        .bind(recipient)
        .fetch_optional(pool)
        .await
    })?)
}

/// The accounts of the given profiles (profiles without an account, or of
/// another network, are left out).
pub async fn accounts_of_profiles(
    db: &Db,
    net: NetworkId,
    profiles: &[i64],
) -> Result<Vec<(i64, i64)>> {
    if profiles.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, account_id FROM profiles WHERE network_id = $1 AND account_id IS NOT NULL AND {}",
        db.dialect().in_list("id", 2)
    );
    let ids = IdList(profiles.to_vec());
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(&ids)
            .fetch_all(pool)
            .await
    })?)
}

/// The direct conversation of two people, made when it does not exist
/// (and either who had left it is back in it): its id.
pub async fn direct(db: &Db, net: NetworkId, me: i64, other: i64, now: i64) -> Result<i64> {
    let key = enishi_core::messages::pair_key(me, other);
    let mut tx = db.begin_write().await?;
    let id: i64 = db_run!(tx tx, |conn| {
        sqlx::query(
            "INSERT INTO conversations (network_id, kind, title, pair_key, created_by, created_at, last_message_at) \
             VALUES ($1, 'direct', '', $2, $3, $4, $4) ON CONFLICT (network_id, pair_key) DO NOTHING",
        )
        .bind(net.0)
        .bind(&key)
        .bind(me)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        sqlx::query_scalar("SELECT id FROM conversations WHERE network_id = $1 AND pair_key = $2")
            .bind(net.0)
            .bind(&key)
            .fetch_one(&mut *conn)
            .await
    })?;
    for who in [me, other] {
        add_member(&mut tx, net, id, who, now).await?;
    }
    tx.commit().await?;
    Ok(id)
}

async fn add_member(
    tx: &mut crate::DbTx,
    net: NetworkId,
    conversation: i64,
    who: i64,
    now: i64,
) -> Result<()> {
    db_run!(tx tx, |conn| {
        sqlx::query(
            "INSERT INTO conversation_members (network_id, conversation_id, account_id, joined_at, last_read_id) \
             VALUES ($1, $2, $3, $4, 0) \
             ON CONFLICT (network_id, conversation_id, account_id) DO UPDATE SET left_at = NULL",
        )
        .bind(net.0)
        .bind(conversation)
        .bind(who)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// A new group conversation of `me` and `others`: its id.
pub async fn group(
    db: &Db,
    net: NetworkId,
    me: i64,
    others: &[i64],
    title: &str,
    now: i64,
) -> Result<i64> {
    let mut tx = db.begin_write().await?;
    let id: i64 = db_run!(tx tx, |conn| {
        sqlx::query_scalar(
            "INSERT INTO conversations (network_id, kind, title, pair_key, created_by, created_at, last_message_at) \
             VALUES ($1, 'group', $2, NULL, $3, $4, $4) RETURNING id",
        )
        .bind(net.0)
        .bind(title)
        .bind(me)
        .bind(now)
        .fetch_one(&mut *conn)
        .await
    })?;
    add_member(&mut tx, net, id, me, now).await?;
    for who in others {
        add_member(&mut tx, net, id, *who, now).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// A conversation as one of its people sees it.
#[derive(Clone, Debug, FromRow)]
pub struct Conversation {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub created_by: Option<i64>,
    pub last_message_at: i64,
    /// Up to which message this person has read.
    pub last_read_id: i64,
    /// Set when this person left it.
    pub left_at: Option<i64>,
}

/// The conversation, when `me` is (or was) in it.
pub async fn get(db: &Db, net: NetworkId, id: i64, me: i64) -> Result<Option<Conversation>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT c.id, c.kind, c.title, c.created_by, c.last_message_at, cm.last_read_id, cm.left_at \
             FROM conversation_members cm JOIN conversations c ON c.network_id = cm.network_id AND c.id = cm.conversation_id \
             WHERE cm.network_id = $1 AND cm.conversation_id = $2 AND cm.account_id = $3",
        )
        .bind(net.0)
        .bind(id)
        .bind(me)
        .fetch_optional(pool)
        .await
    })?)
}

/// A line of the inbox.
#[derive(Clone, Debug, FromRow)]
pub struct Summary {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub last_message_at: i64,
    pub unread: i64,
    pub last_body: Option<String>,
    pub last_kind: Option<String>,
    pub last_author: Option<i64>,
}

/// Conversations shown in the inbox at most.
pub const MAX_INBOX: i64 = 200;

/// `me`'s conversations, the latest first, with unread counts and each
/// one's last (visible) message.
pub async fn inbox(db: &Db, net: NetworkId, me: i64) -> Result<Vec<Summary>> {
    let sql = format!(
        "SELECT c.id, c.kind, c.title, c.last_message_at, \
         (SELECT COUNT(*) FROM messages m WHERE m.network_id = cm.network_id AND m.conversation_id = c.id \
            AND {}) AS unread, \
         l.body AS last_body, l.kind AS last_kind, l.author_id AS last_author \
         FROM conversation_members cm \
         JOIN conversations c ON c.network_id = cm.network_id AND c.id = cm.conversation_id \
         LEFT JOIN messages l ON l.network_id = cm.network_id AND l.id = \
           (SELECT MAX(m.id) FROM messages m WHERE m.network_id = cm.network_id AND m.conversation_id = c.id AND m.hidden_at IS NULL) \
         WHERE cm.network_id = $1 AND cm.account_id = $2 AND cm.left_at IS NULL \
         ORDER BY c.last_message_at DESC, c.id DESC LIMIT $3",
        unread("$2")
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(me)
            .bind(MAX_INBOX)
            .fetch_all(pool)
            .await
    })?)
}

/// A person in a conversation.
#[derive(Clone, Debug, FromRow)]
pub struct Person {
    pub conversation_id: i64,
    pub account_id: i64,
    pub left_at: Option<i64>,
    pub last_read_id: i64,
    /// Their role in the network now (`None` when they are gone).
    pub role: Option<String>,
    #[sqlx(flatten)]
    pub author: Author,
}

/// The people of the given conversations (those who left included).
pub async fn people(db: &Db, net: NetworkId, conversations: &[i64]) -> Result<Vec<Person>> {
    if conversations.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT cm.conversation_id, cm.account_id, cm.left_at, cm.last_read_id, ms.role, {AUTHOR} \
         FROM conversation_members cm \
         LEFT JOIN profiles p ON p.network_id = cm.network_id AND p.account_id = cm.account_id \
         LEFT JOIN memberships ms ON ms.network_id = cm.network_id AND ms.account_id = cm.account_id \
         WHERE cm.network_id = $1 AND {} ORDER BY cm.conversation_id, cm.joined_at, cm.account_id",
        db.dialect().in_list("cm.conversation_id", 2)
    );
    let ids = IdList(conversations.to_vec());
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(&ids)
            .fetch_all(pool)
            .await
    })?)
}

/// A message.
#[derive(Clone, Debug, FromRow)]
pub struct Message {
    pub id: i64,
    pub conversation_id: i64,
    pub author_id: Option<i64>,
    pub kind: String,
    pub body: String,
    pub created_at: i64,
    pub hidden_at: Option<i64>,
    pub hidden_reason: Option<String>,
}

const MESSAGE: &str = "SELECT id, conversation_id, author_id, kind, body, created_at, hidden_at, hidden_reason \
     FROM messages WHERE network_id = $1 AND conversation_id = $2";

/// Up to `limit` messages before message `before` (all, when `None`),
/// newest first.
pub async fn page(
    db: &Db,
    net: NetworkId,
    conversation: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Message>> {
    let sql = format!("{MESSAGE} AND id < $3 ORDER BY id DESC LIMIT $4");
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(conversation)
            .bind(before.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(pool)
            .await
    })?)
}

/// Messages after message `after`, oldest first (at most `limit`).
pub async fn since(
    db: &Db,
    net: NetworkId,
    conversation: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<Message>> {
    let sql = format!("{MESSAGE} AND id > $3 ORDER BY id LIMIT $4");
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(conversation)
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await
    })?)
}

/// One message of the network.
pub async fn message(db: &Db, net: NetworkId, id: i64) -> Result<Option<Message>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT id, conversation_id, author_id, kind, body, created_at, hidden_at, hidden_reason \
             FROM messages WHERE network_id = $1 AND id = $2",
        )
        .bind(net.0)
        .bind(id)
        .fetch_optional(pool)
        .await
    })?)
}

/// The message `author` sent with one-time key `key`, if any.
pub async fn by_once_key(
    db: &Db,
    net: NetworkId,
    author: i64,
    key: &str,
) -> Result<Option<Message>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT id, conversation_id, author_id, kind, body, created_at, hidden_at, hidden_reason \
             FROM messages WHERE network_id = $1 AND author_id = $2 AND once_key = $3",
        )
        .bind(net.0)
        .bind(author)
        .bind(key)
        .fetch_optional(pool)
        .await
    })?)
}

/// A message to store (already checked).
pub struct NewMessage<'a> {
    pub conversation_id: i64,
    pub author_id: i64,
    /// `text` or `contact`.
    pub kind: &'a str,
    pub body: &'a str,
    pub once_key: Option<&'a str>,
}

/// Stores a message, moves the conversation up the inbox and marks it read
/// for its author: its id, and whether it is new (a repeated one-time key
/// returns the first message).
pub async fn send(db: &Db, net: NetworkId, new: &NewMessage<'_>, now: i64) -> Result<(i64, bool)> {
    let mut tx = db.begin_write().await?;
    let inserted: Option<i64> = db_run!(tx tx, |conn| {
        sqlx::query_scalar(
            "INSERT INTO messages (network_id, conversation_id, author_id, kind, body, once_key, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (network_id, author_id, once_key) DO NOTHING RETURNING id",
        )
        .bind(net.0)
        .bind(new.conversation_id)
        .bind(new.author_id)
        .bind(new.kind)
        .bind(new.body)
        .bind(new.once_key)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await
    })?;
    let Some(id) = inserted else {
        tx.rollback().await?;
        let first: i64 = db_run!(db, |pool| {
            sqlx::query_scalar(
                "SELECT id FROM messages WHERE network_id = $1 AND author_id = $2 AND once_key = $3",
            )
            .bind(net.0)
            .bind(new.author_id)
            .bind(new.once_key)
            .fetch_one(pool)
            .await
        })?;
        return Ok((first, false));
    };
    db_run!(tx tx, |conn| {
        sqlx::query("UPDATE conversations SET last_message_at = $3 WHERE network_id = $1 AND id = $2")
            .bind(net.0)
            .bind(new.conversation_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        // everyone who had left a direct conversation is back in it
        sqlx::query(
            "UPDATE conversation_members SET left_at = NULL WHERE network_id = $1 AND conversation_id = $2 \
             AND left_at IS NOT NULL AND EXISTS (SELECT 1 FROM conversations c \
               WHERE c.network_id = $1 AND c.id = $2 AND c.kind = 'direct')",
        )
        .bind(net.0)
        .bind(new.conversation_id)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE conversation_members SET last_read_id = $4 \
             WHERE network_id = $1 AND conversation_id = $2 AND account_id = $3",
        )
        .bind(net.0)
        .bind(new.conversation_id)
        .bind(new.author_id)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    Ok((id, true))
}

/// Marks a conversation read up to message `upto` (never backwards).
pub async fn mark_read(
    db: &Db,
    net: NetworkId,
    conversation: i64,
    me: i64,
    upto: i64,
) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query(
            "UPDATE conversation_members SET last_read_id = $4 \
             WHERE network_id = $1 AND conversation_id = $2 AND account_id = $3 AND last_read_id < $4",
        )
        .bind(net.0)
        .bind(conversation)
        .bind(me)
        .bind(upto)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Leaves a conversation (it drops out of the inbox; a new message in a
/// direct conversation brings it back).
pub async fn leave(db: &Db, net: NetworkId, conversation: i64, me: i64, now: i64) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query(
            "UPDATE conversation_members SET left_at = $4 \
             WHERE network_id = $1 AND conversation_id = $2 AND account_id = $3 AND left_at IS NULL",
        )
        .bind(net.0)
        .bind(conversation)
        .bind(me)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Messages in a conversation that `account` has not read (others').
pub async fn unread_in(db: &Db, net: NetworkId, conversation: i64, account: i64) -> Result<i64> {
    let sql = format!(
        "SELECT COUNT(*) FROM conversation_members cm \
         JOIN messages m ON m.network_id = cm.network_id AND m.conversation_id = cm.conversation_id \
         WHERE cm.network_id = $1 AND cm.conversation_id = $2 AND cm.account_id = $3 AND {}",
        unread("$3")
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(conversation)
            .bind(account)
            .fetch_one(pool)
            .await
    })?)
}

/// Unread messages per active network of an account: (network id, count).
pub async fn unread_by_network(db: &Db, account_id: i64) -> Result<Vec<(i64, i64)>> {
    let sql = format!(
        "SELECT cm.network_id, COUNT(*) {} GROUP BY cm.network_id",
        unread_of_account()
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(account_id)
            .fetch_all(pool)
            .await
    })?)
}

/// Blocks `other` for `me` (again: nothing changes).
pub async fn block(db: &Db, net: NetworkId, me: i64, other: i64, now: i64) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query(
            "INSERT INTO blocks (network_id, blocker_id, blocked_id, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (network_id, blocker_id, blocked_id) DO NOTHING",
        )
        .bind(net.0)
        .bind(me)
        .bind(other)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Lifts `me`'s block of `other`.
pub async fn unblock(db: &Db, net: NetworkId, me: i64, other: i64) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query(
            "DELETE FROM blocks WHERE network_id = $1 AND blocker_id = $2 AND blocked_id = $3",
        )
        .bind(net.0)
        .bind(me)
        .bind(other)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Whether `me` blocked `other`.
pub async fn blocked_by_me(db: &Db, net: NetworkId, me: i64, other: i64) -> Result<bool> {
    let n: i64 = db_run!(db, |pool| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM blocks WHERE network_id = $1 AND blocker_id = $2 AND blocked_id = $3",
        )
        .bind(net.0)
        .bind(me)
        .bind(other)
        .fetch_one(pool)
        .await
    })?;
    Ok(n > 0)
}

/// The people `me` blocked, with their profiles.
pub async fn blocked(db: &Db, net: NetworkId, me: i64) -> Result<Vec<(i64, Author)>> {
    #[derive(FromRow)]
    struct Row {
        blocked_id: i64,
        #[sqlx(flatten)]
        author: Author,
    }
    let sql = format!(
        "SELECT b.blocked_id, {AUTHOR} FROM blocks b \
         LEFT JOIN profiles p ON p.network_id = b.network_id AND p.account_id = b.blocked_id \
         WHERE b.network_id = $1 AND b.blocker_id = $2 ORDER BY b.created_at DESC"
    );
    let rows: Vec<Row> = db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(me)
            .fetch_all(pool)
            .await
    })?;
    Ok(rows.into_iter().map(|r| (r.blocked_id, r.author)).collect())
}

/// Changes who may write to `me` (a `core::messages::Reach` word).
pub async fn set_reach(db: &Db, net: NetworkId, me: i64, reach: &str) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query("UPDATE memberships SET dm_from = $3 WHERE network_id = $1 AND account_id = $2")
            .bind(net.0)
            .bind(me)
            .bind(reach)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}
