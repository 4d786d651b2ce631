//! The feed's storage: posts (company news and members' posts), comments
//! with one level of replies, and reactions. Every query is scoped by
//! network; what a viewer may read (audience) is decided in
//! `core::posts` and passed in as the list of audiences to read.
//!
//! A double click is one post: the form's one-time key is unique per
//! author, and the insert is `ON CONFLICT DO NOTHING` — one conditional
//! write, exact on both engines however the two requests interleave.

use enishi_core::posts::{Audience, Cursor, MAX_PINNED};
use sqlx::FromRow;

use crate::networks::NetworkId;
use crate::{Db, Dialect, IdList, Result, db_run};

/// What a post row carries to the pages, with its author's name and photo
/// as their profile in this network has them.
#[derive(Clone, Debug, FromRow)]
pub struct Post {
    pub id: i64,
    pub kind: String,
    /// The group it was written in; `None` for the network's feed.
    pub group_id: Option<i64>,
    pub author_id: Option<i64>,
    pub title: String,
    pub body: String,
    /// The body as sanitised HTML, made when written ('' for rows older
    /// than that: render the body).
    pub html: String,
    pub audience: String,
    pub pinned_at: Option<i64>,
    pub comment_count: i64,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    /// Set when a moderator hid it; only its author and the space's
    /// moderators see it then, with `hidden_reason`.
    pub hidden_at: Option<i64>,
    pub hidden_reason: Option<String>,
    /// Held for a moderator's approval (a new member's first post).
    pub held_at: Option<i64>,
    /// Its picture (an `images` key) and the words describing it.
    pub image_key: Option<String>,
    pub image_alt: String,
    #[sqlx(flatten)]
    pub author: Author,
    /// Its reactions when read with it (the feeds' reads: see
    /// [`Post::reactions`]); `None` when not.
    #[sqlx(default)]
    pub reacted: Option<String>,
}

impl Post {
    /// The reactions read with the post — (reaction, how many, whether the
    /// viewer gave it), in no particular order — or `None` when the read
    /// did not include them (ask [`reactions`]).
    pub fn reactions(&self) -> Option<Vec<(String, i64, bool)>> {
        let text = self.reacted.as_deref()?;
        Some(
            text.split(',')
                .filter_map(|one| {
                    let mut parts = one.split(' ');
                    let word = parts.next().filter(|w| !w.is_empty())?;
                    let n = parts.next()?.parse().ok()?;
                    let mine = parts.next()? != "0";
                    Some((word.to_string(), n, mine))
                })
                .collect(),
        )
    }
}

/// A post's reactions as one text column of the post read as `alias`
/// (`reaction n mine`, comma-separated; '' for none), the network at `$1`
/// and the viewer at `$viewer`: the feeds read them with their posts, one
/// statement per page instead of two. Reaction words are single words
/// (`core::posts::Reaction`).
fn reacted_sql(dialect: Dialect, alias: &str, viewer: usize) -> String {
    let agg = dialect.string_agg(
        "r.reaction || ' ' || CAST(r.n AS TEXT) || ' ' || CAST(r.mine AS TEXT)",
        ",",
    );
    format!(
        "COALESCE((SELECT {agg} FROM (\
           SELECT reaction, COUNT(*) AS n, \
           MAX(CASE WHEN account_id = ${viewer} THEN 1 ELSE 0 END) AS mine \
           FROM post_reactions WHERE network_id = $1 AND post_id = {alias}.id \
           GROUP BY reaction) r), '') AS reacted"
    )
}

/// The author as their profile in the network shows them; all `None` when
/// the account was deleted or has no profile.
#[derive(Clone, Debug, Default, FromRow)]
pub struct Author {
    pub profile_id: Option<i64>,
    pub family: Option<String>,
    pub given: Option<String>,
    pub family_romaji: Option<String>,
    pub given_romaji: Option<String>,
    pub photo_key: Option<String>,
    /// The profile's visibility settings (JSON), for the photo.
    pub visibility: Option<String>,
}

/// The columns of [`Author`], from a profile joined as `p`.
pub(crate) const AUTHOR: &str = "p.id AS profile_id, p.family, p.given, p.family_romaji, p.given_romaji, \
     p.photo_key, p.visibility";

fn post_select() -> String {
    format!(
        "SELECT x.id, x.kind, x.group_id, x.author_id, x.title, x.body, x.html, x.audience, x.pinned_at, \
         x.comment_count, x.created_at, x.edited_at, x.hidden_at, x.hidden_reason, x.held_at, \
         x.image_key, x.image_alt, {AUTHOR} FROM posts x \
         LEFT JOIN profiles p ON p.network_id = x.network_id AND p.account_id = x.author_id"
    )
}

/// A post to store (already checked by `core::posts::check_post`).
pub struct NewPost<'a> {
    pub kind: &'a str,
    /// The group's feed it goes to; `None` for the network's.
    pub group_id: Option<i64>,
    pub author_id: i64,
    pub title: &'a str,
    pub body: &'a str,
    /// The body as sanitised HTML.
    pub html: &'a str,
    pub audience: &'a str,
    /// The form's one-time key; `None` never collides.
    pub once_key: Option<&'a str>,
    /// Held for a moderator's approval.
    pub held: bool,
    /// Its picture (checked: the author's own, unused) and its description.
    pub image: Option<(&'a str, &'a str)>,
}

/// Stores a post; with a one-time key already used by this author, stores
/// nothing and returns the earlier post's id. `(id, created)`.
pub async fn create(db: &Db, net: NetworkId, new: &NewPost<'_>, now: i64) -> Result<(i64, bool)> {
    let inserted: Option<i64> = db_run!(db, |pool| {
        sqlx::query_scalar(
            "INSERT INTO posts (network_id, kind, author_id, title, body, audience, once_key, \
             comment_count, created_at, group_id, html, held_at, image_key, image_alt) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (network_id, author_id, once_key) DO NOTHING RETURNING id",
        )
        .bind(net.0)
        .bind(new.kind)
        .bind(new.author_id)
        .bind(new.title)
        .bind(new.body)
        .bind(new.audience)
        .bind(new.once_key)
        .bind(now)
        .bind(new.group_id)
        .bind(new.html)
        .bind(new.held.then_some(now))
        .bind(new.image.map(|(k, _)| k))
        .bind(new.image.map(|(_, a)| a).unwrap_or(""))
        .fetch_optional(pool)
        .await
    })?;
    if let Some(id) = inserted {
        return Ok((id, true));
    }
    let earlier: i64 = db_run!(db, |pool| {
        sqlx::query_scalar(
            "SELECT id FROM posts WHERE network_id = $1 AND author_id = $2 AND once_key = $3",
        )
        .bind(net.0)
        .bind(new.author_id)
        .bind(new.once_key)
        .fetch_one(pool)
        .await
    })?;
    Ok((earlier, false))
}

fn audience_binds(audiences: &[Audience]) -> [&'static str; 3] {
    // three fixed placeholders; an audience the viewer may not read binds
    // the empty word, which no post has
    let mut words = [""; 3];
    for (slot, a) in words.iter_mut().zip(audiences) {
        *slot = a.as_str();
    }
    words
}

/// One post, if the viewer may read its audience.
pub async fn get(db: &Db, net: NetworkId, id: i64, audiences: &[Audience]) -> Result<Option<Post>> {
    let sql = format!(
        "{} WHERE x.network_id = $1 AND x.id = $2 AND x.audience IN ($3, $4, $5)",
        post_select()
    );
    let [a, b, c] = audience_binds(audiences);
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(id)
            .bind(a)
            .bind(b)
            .bind(c)
            .fetch_optional(pool)
            .await
    })?)
}

/// The network feed's first page in one statement: the pinned news the
/// viewer may read (at most [`MAX_PINNED`], most recently pinned first; never
/// hidden or held) and the first `limit` posts of the stream as [`feed`]
/// gives them, each with its reactions ([`Post::reactions`]) — one round
/// trip instead of three (every visit to the feed asks).
pub async fn first_page(
    db: &Db,
    net: NetworkId,
    viewer: i64,
    audiences: &[Audience],
    limit: i64,
) -> Result<(Vec<Post>, Vec<Post>)> {
    #[derive(FromRow)]
    struct Row {
        part: i64,
        #[sqlx(flatten)]
        post: Post,
    }
    // the two reads as they are, each ordered and limited, then in order:
    // the pinned news ($10 of them at most), then the stream's page
    let pinned = format!(
        "{} WHERE x.network_id = $1 AND x.pinned_at IS NOT NULL AND x.group_id IS NULL \
         AND x.hidden_at IS NULL AND x.held_at IS NULL AND x.audience IN ($2, $3, $4) \
         ORDER BY x.pinned_at DESC, x.id DESC LIMIT $10",
        post_select()
    );
    let (stream, group_id) = stream_sql(Feed::Network);
    // (reactions on the limited rows only, outside the ordered reads)
    let reacted_n = reacted_sql(db.dialect(), "n", 9);
    let reacted_s = reacted_sql(db.dialect(), "s", 9);
    let sql = format!(
        "SELECT CAST(0 AS BIGINT) AS part, n.pinned_at AS sort_at, n.*, {reacted_n} FROM ({pinned}) n \
         UNION ALL \
         SELECT CAST(1 AS BIGINT) AS part, s.created_at AS sort_at, s.*, {reacted_s} FROM ({stream}) s \
         ORDER BY part, sort_at DESC, id DESC"
    );
    let [a, b, c] = audience_binds(audiences);
    let rows: Vec<Row> = db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(a)
            .bind(b)
            .bind(c)
            .bind(i64::MAX)
            .bind(i64::MAX)
            .bind(limit)
            .bind(group_id)
            .bind(viewer)
            .bind(MAX_PINNED)
            .fetch_all(pool)
            .await
    })?;
    let (pinned, stream): (Vec<Row>, Vec<Row>) = rows.into_iter().partition(|r| r.part == 0);
    Ok((
        pinned.into_iter().map(|r| r.post).collect(),
        stream.into_iter().map(|r| r.post).collect(),
    ))
}

/// Which feed: the network's own, or one group's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feed {
    Network,
    Group(i64),
}

impl Feed {
    /// The condition on `posts` (alias `x`) and the group id to bind at
    /// `$n` (bound either way, so the placeholders stay in sequence).
    fn condition(self, n: usize) -> (String, i64) {
        match self {
            Feed::Network => (format!("x.group_id IS NULL AND ${n} = ${n}"), 0),
            Feed::Group(id) => (format!("x.group_id = ${n}"), id),
        }
    }
}

/// The read of a feed's stream and the group id to bind: audiences at
/// `$2`–`$4`, the cursor at `$5`/`$6`, the limit `$7`, the group `$8`, the
/// viewer `$9` (their own hidden or held posts show to them).
fn stream_sql(which: Feed) -> (String, i64) {
    let (group, group_id) = which.condition(8);
    let sql = format!(
        "{} WHERE x.network_id = $1 AND x.pinned_at IS NULL AND x.audience IN ($2, $3, $4) \
         AND (x.created_at < $5 OR (x.created_at = $5 AND x.id < $6)) AND {group} \
         AND ((x.hidden_at IS NULL AND x.held_at IS NULL) OR x.author_id = $9) \
         ORDER BY x.created_at DESC, x.id DESC LIMIT $7",
        post_select()
    );
    (sql, group_id)
}

/// A page of a feed's stream (everything not pinned), newest first,
/// starting after `after`, as `viewer` reads it (hidden posts show to their
/// author only), each with its reactions ([`Post::reactions`]).
pub async fn feed(
    db: &Db,
    net: NetworkId,
    which: Feed,
    viewer: i64,
    audiences: &[Audience],
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<Post>> {
    let (stream, group_id) = stream_sql(which);
    let sql = format!(
        "SELECT s.*, {} FROM ({stream}) s ORDER BY s.created_at DESC, s.id DESC",
        reacted_sql(db.dialect(), "s", 9)
    );
    let [a, b, c] = audience_binds(audiences);
    let after = after.unwrap_or(Cursor {
        created_at: i64::MAX,
        id: i64::MAX,
    });
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(a)
            .bind(b)
            .bind(c)
            .bind(after.created_at)
            .bind(after.id)
            .bind(limit)
            .bind(group_id)
            .bind(viewer)
            .fetch_all(pool)
            .await
    })?)
}

/// How many posts of a feed the viewer may read were written after
/// `since` (the feed's "new posts" hint).
pub async fn newer_than(
    db: &Db,
    net: NetworkId,
    which: Feed,
    audiences: &[Audience],
    since: Cursor,
) -> Result<i64> {
    let (group, group_id) = which.condition(7);
    let sql = format!(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM posts x WHERE x.network_id = $1 \
         AND x.audience IN ($2, $3, $4) \
         AND (x.created_at > $5 OR (x.created_at = $5 AND x.id > $6)) AND {group} \
         AND x.hidden_at IS NULL AND x.held_at IS NULL"
    );
    let [a, b, c] = audience_binds(audiences);
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(a)
            .bind(b)
            .bind(c)
            .bind(since.created_at)
            .bind(since.id)
            .bind(group_id)
            .fetch_one(pool)
            .await
    })?)
}

/// A post's new words.
pub struct Words<'a> {
    pub title: &'a str,
    pub body: &'a str,
    /// The body as sanitised HTML.
    pub html: &'a str,
    pub audience: &'a str,
}

/// Changes a post's words (the caller checked that the viewer wrote it).
pub async fn update(db: &Db, net: NetworkId, id: i64, words: &Words<'_>, now: i64) -> Result<bool> {
    let n = db_run!(db, |pool| {
        sqlx::query(
            "UPDATE posts SET title = $3, body = $4, audience = $5, edited_at = $6, html = $7 \
             WHERE network_id = $1 AND id = $2",
        )
        .bind(net.0)
        .bind(id)
        .bind(words.title)
        .bind(words.body)
        .bind(words.audience)
        .bind(now)
        .bind(words.html)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Deletes a post with its comments and reactions.
pub async fn delete(db: &Db, net: NetworkId, id: i64) -> Result<bool> {
    let mut tx = db.begin_write().await?;
    for sql in [
        "DELETE FROM reports WHERE network_id = $1 AND post_id = $2",
        "DELETE FROM post_reactions WHERE network_id = $1 AND post_id = $2",
        "DELETE FROM post_comments WHERE network_id = $1 AND post_id = $2",
    ] {
        db_run!(tx tx, |conn| {
            sqlx::query(sql).bind(net.0).bind(id).execute(&mut *conn).await.map(|_| ())
        })?;
    }
    let n = db_run!(tx tx, |conn| {
        sqlx::query("DELETE FROM posts WHERE network_id = $1 AND id = $2")
            .bind(net.0)
            .bind(id)
            .execute(&mut *conn)
            .await
            .map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    Ok(n == 1)
}

/// Pins a news item on top of the feed (`Some(now)`) or releases it
/// (`None`). Only news is pinned; at most [`MAX_PINNED`] stay pinned — a
/// new pin releases the oldest. Whether the post was news and changed.
pub async fn set_pinned(db: &Db, net: NetworkId, id: i64, at: Option<i64>) -> Result<bool> {
    let mut tx = db.begin_write().await?;
    let n = db_run!(tx tx, |conn| {
        sqlx::query("UPDATE posts SET pinned_at = $3 WHERE network_id = $1 AND id = $2 AND kind = 'news'")
            .bind(net.0)
            .bind(id)
            .bind(at)
            .execute(&mut *conn)
            .await
            .map(|r| r.rows_affected())
    })?;
    db_run!(tx tx, |conn| {
        sqlx::query(
            "UPDATE posts SET pinned_at = NULL WHERE network_id = $1 AND pinned_at IS NOT NULL \
             AND id NOT IN (SELECT id FROM posts WHERE network_id = $1 AND pinned_at IS NOT NULL \
             ORDER BY pinned_at DESC, id DESC LIMIT $2)",
        )
        .bind(net.0)
        .bind(MAX_PINNED)
        .execute(&mut *conn)
        .await
        .map(|_| ())
    })?;
    tx.commit().await?;
    Ok(n == 1)
}

// ─────────────────────────────── comments ───────────────────────────────

/// A comment with its author.
#[derive(Clone, Debug, FromRow)]
pub struct Comment {
    pub id: i64,
    pub post_id: i64,
    pub parent_id: Option<i64>,
    pub author_id: Option<i64>,
    pub body: String,
    /// As sanitised HTML ('' for rows older than that).
    pub html: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub hidden_at: Option<i64>,
    pub hidden_reason: Option<String>,
    #[sqlx(flatten)]
    pub author: Author,
}

fn comment_select() -> String {
    format!(
        "SELECT c.id, c.post_id, c.parent_id, c.author_id, c.body, c.html, c.created_at, c.edited_at, \
         c.hidden_at, c.hidden_reason, \
         {AUTHOR} FROM post_comments c \
         LEFT JOIN profiles p ON p.network_id = c.network_id AND p.account_id = c.author_id"
    )
}

/// Comments shown under a post at most (the oldest first).
pub const MAX_COMMENTS_SHOWN: i64 = 500;

/// A post's comments, oldest first (replies are grouped by the page).
pub async fn comments(db: &Db, net: NetworkId, post_id: i64) -> Result<Vec<Comment>> {
    let sql = format!(
        "{} WHERE c.network_id = $1 AND c.post_id = $2 ORDER BY c.created_at, c.id LIMIT $3",
        comment_select()
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(post_id)
            .bind(MAX_COMMENTS_SHOWN)
            .fetch_all(pool)
            .await
    })?)
}

/// One comment of a post.
pub async fn comment(db: &Db, net: NetworkId, post_id: i64, id: i64) -> Result<Option<Comment>> {
    let sql = format!(
        "{} WHERE c.network_id = $1 AND c.post_id = $2 AND c.id = $3",
        comment_select()
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(post_id)
            .bind(id)
            .fetch_optional(pool)
            .await
    })?)
}

/// A comment to store.
pub struct NewComment<'a> {
    pub post_id: i64,
    /// The comment replied to; a reply to a reply joins its thread.
    pub reply_to: Option<i64>,
    pub author_id: i64,
    pub body: &'a str,
    /// The body as sanitised HTML.
    pub html: &'a str,
    pub once_key: Option<&'a str>,
}

/// What adding a comment did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Added {
    /// Stored, with its id.
    Created(i64),
    /// The one-time key was used already: the earlier comment's id.
    Repeated(i64),
    /// The comment replied to is not a comment of this post.
    NoSuchParent,
}

/// Adds a comment and counts it on the post, in one transaction.
pub async fn add_comment(db: &Db, net: NetworkId, new: &NewComment<'_>, now: i64) -> Result<Added> {
    let mut tx = db.begin_write().await?;
    let parent = match new.reply_to {
        None => None,
        Some(reply_to) => {
            let found: Option<(i64, Option<i64>)> = db_run!(tx tx, |conn| {
                sqlx::query_as(
                    "SELECT id, parent_id FROM post_comments WHERE network_id = $1 AND post_id = $2 AND id = $3",
                )
                .bind(net.0)
                .bind(new.post_id)
                .bind(reply_to)
                .fetch_optional(&mut *conn)
                .await
            })?;
            match found {
                Some((id, parent)) => Some(parent.unwrap_or(id)),
                None => return Ok(Added::NoSuchParent),
            }
        }
    };
    let inserted: Option<i64> = db_run!(tx tx, |conn| {
        sqlx::query_scalar(
            "INSERT INTO post_comments (network_id, post_id, parent_id, author_id, body, once_key, created_at, html) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (network_id, author_id, once_key) DO NOTHING RETURNING id",
        )
        .bind(net.0)
        .bind(new.post_id)
        .bind(parent)
        .bind(new.author_id)
        .bind(new.body)
        .bind(new.once_key)
        .bind(now)
        .bind(new.html)
        .fetch_optional(&mut *conn)
        .await
    })?;
    let Some(id) = inserted else {
        let earlier: i64 = db_run!(tx tx, |conn| {
            sqlx::query_scalar(
                "SELECT id FROM post_comments WHERE network_id = $1 AND author_id = $2 AND once_key = $3",
            )
            .bind(net.0)
            .bind(new.author_id)
            .bind(new.once_key)
            .fetch_one(&mut *conn)
            .await
        })?;
        tx.rollback().await?;
        return Ok(Added::Repeated(earlier));
    };
    db_run!(tx tx, |conn| {
        sqlx::query("UPDATE posts SET comment_count = comment_count + 1 WHERE network_id = $1 AND id = $2")
            .bind(net.0)
            .bind(new.post_id)
            .execute(&mut *conn)
            .await
            .map(|_| ())
    })?;
    tx.commit().await?;
    Ok(Added::Created(id))
}

/// Deletes a comment and its replies; how many went.
pub async fn delete_comment(db: &Db, net: NetworkId, post_id: i64, id: i64) -> Result<i64> {
    let mut tx = db.begin_write().await?;
    // hidden comments are already out of the post's count
    let counted: i64 = db_run!(tx tx, |conn| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM post_comments WHERE network_id = $1 AND post_id = $2 \
             AND (id = $3 OR parent_id = $3) AND counted = TRUE",
        )
        .bind(net.0)
        .bind(post_id)
        .bind(id)
        .fetch_one(&mut *conn)
        .await
    })?;
    let n = db_run!(tx tx, |conn| {
        sqlx::query(
            "DELETE FROM post_comments WHERE network_id = $1 AND post_id = $2 AND (id = $3 OR parent_id = $3)",
        )
        .bind(net.0)
        .bind(post_id)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    let n = i64::try_from(n).unwrap_or(0);
    db_run!(tx tx, |conn| {
        sqlx::query("UPDATE posts SET comment_count = comment_count - $3 WHERE network_id = $1 AND id = $2")
            .bind(net.0)
            .bind(post_id)
            .bind(counted)
            .execute(&mut *conn)
            .await
            .map(|_| ())
    })?;
    tx.commit().await?;
    Ok(n)
}

// ─────────────────────────────── reactions ───────────────────────────────

/// Turns one reaction of `account_id` to a post over: takes it back if
/// given, gives it otherwise. Whether it is given now.
pub async fn toggle(
    db: &Db,
    net: NetworkId,
    post_id: i64,
    account_id: i64,
    reaction: &str,
    now: i64,
) -> Result<bool> {
    let taken_back = db_run!(db, |pool| {
        sqlx::query(
            "DELETE FROM post_reactions WHERE network_id = $1 AND post_id = $2 \
             AND account_id = $3 AND reaction = $4",
        )
        .bind(net.0)
        .bind(post_id)
        .bind(account_id)
        .bind(reaction)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    if taken_back > 0 {
        return Ok(false);
    }
    react(db, net, post_id, account_id, reaction, true, now).await?;
    Ok(true)
}

/// Adds (`on`) or takes back one reaction of `account_id` to a post.
pub async fn react(
    db: &Db,
    net: NetworkId,
    post_id: i64,
    account_id: i64,
    reaction: &str,
    on: bool,
    now: i64,
) -> Result<()> {
    if on {
        db_run!(db, |pool| {
            sqlx::query(
                "INSERT INTO post_reactions (network_id, post_id, account_id, reaction, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(net.0)
            .bind(post_id)
            .bind(account_id)
            .bind(reaction)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ())
        })?;
    } else {
        db_run!(db, |pool| {
            sqlx::query(
                "DELETE FROM post_reactions WHERE network_id = $1 AND post_id = $2 \
                 AND account_id = $3 AND reaction = $4",
            )
            .bind(net.0)
            .bind(post_id)
            .bind(account_id)
            .bind(reaction)
            .execute(pool)
            .await
            .map(|_| ())
        })?;
    }
    Ok(())
}

/// Reactions to some posts: (post, reaction, how many, whether `account_id`
/// gave it), in post and reaction-word order.
pub async fn reactions(
    db: &Db,
    net: NetworkId,
    post_ids: &[i64],
    account_id: i64,
) -> Result<Vec<(i64, String, i64, bool)>> {
    if post_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT post_id, reaction, CAST(COUNT(*) AS BIGINT), \
         CAST(SUM(CASE WHEN account_id = $3 THEN 1 ELSE 0 END) AS BIGINT) \
         FROM post_reactions WHERE network_id = $1 AND {} \
         GROUP BY post_id, reaction ORDER BY post_id, reaction",
        db.dialect().in_list("post_id", 2)
    );
    let ids = IdList(post_ids.to_vec());
    let rows: Vec<(i64, String, i64, i64)> = db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(&ids)
            .bind(account_id)
            .fetch_all(pool)
            .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(p, r, n, mine)| (p, r, n, mine > 0))
        .collect())
}

/// How many posts the network has (tests, demo).
pub async fn count(db: &Db, net: NetworkId) -> Result<i64> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM posts WHERE network_id = $1")
            .bind(net.0)
            .fetch_one(pool)
            .await
    })?)
}

/// Whether `author` has a published post in the network (not held, not
/// hidden): who has not is a "new member" for first-post review.
pub async fn has_published(db: &Db, net: NetworkId, author: i64) -> Result<bool> {
    let n: i64 = db_run!(db, |pool| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM posts WHERE network_id = $1 AND author_id = $2 \
             AND held_at IS NULL AND hidden_at IS NULL",
        )
        .bind(net.0)
        .bind(author)
        .fetch_one(pool)
        .await
    })?;
    Ok(n > 0)
}

/// Posts held for review, oldest first, with the space they are in
/// (`None`: the network's feed).
pub async fn held(db: &Db, net: NetworkId) -> Result<Vec<(Post, Option<String>)>> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        post: Post,
        space: Option<String>,
    }
    let sql = format!(
        "{}, g.space FROM posts x \
         LEFT JOIN profiles p ON p.network_id = x.network_id AND p.account_id = x.author_id \
         LEFT JOIN community_groups g ON g.network_id = x.network_id AND g.id = x.group_id \
         WHERE x.network_id = $1 AND x.held_at IS NOT NULL ORDER BY x.held_at, x.id LIMIT 500",
        post_select()
            .split(" FROM posts x")
            .next()
            .unwrap_or_default()
    );
    let rows: Vec<Row> = db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .fetch_all(pool)
            .await
    })?;
    Ok(rows.into_iter().map(|r| (r.post, r.space)).collect())
}

/// Publishes a held post (it enters the feed now) or declines it (hidden,
/// with the reason its author is shown): whether it was held.
pub async fn release(
    db: &Db,
    net: NetworkId,
    id: i64,
    declined: Option<&str>,
    now: i64,
) -> Result<bool> {
    let n = db_run!(db, |pool| {
        match declined {
            None => sqlx::query(
                "UPDATE posts SET held_at = NULL, created_at = $3 \
                 WHERE network_id = $1 AND id = $2 AND held_at IS NOT NULL",
            )
            .bind(net.0)
            .bind(id)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
            Some(reason) => sqlx::query(
                "UPDATE posts SET held_at = NULL, hidden_at = $3, hidden_reason = $4 \
                 WHERE network_id = $1 AND id = $2 AND held_at IS NOT NULL",
            )
            .bind(net.0)
            .bind(id)
            .bind(now)
            .bind(reason)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
        }
    })?;
    Ok(n == 1)
}

/// Whether a post already shows the picture `key`.
pub async fn image_in_use(db: &Db, net: NetworkId, key: &str) -> Result<bool> {
    Ok(by_image(db, net, key).await?.is_some())
}

/// The post showing the picture `key`, if any.
pub async fn by_image(db: &Db, net: NetworkId, key: &str) -> Result<Option<i64>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar("SELECT id FROM posts WHERE network_id = $1 AND image_key = $2")
            .bind(net.0)
            .bind(key)
            .fetch_optional(pool)
            .await
    })?)
}

/// The profiles of `accounts` as authors, in the order given (an account
/// without a profile here is the default: a former member).
pub async fn authors_of_accounts(
    db: &Db,
    net: NetworkId,
    accounts: &[i64],
) -> Result<Vec<(i64, Author)>> {
    if accounts.is_empty() {
        return Ok(Vec::new());
    }
    #[derive(FromRow)]
    struct Row {
        account_id: i64,
        #[sqlx(flatten)]
        author: Author,
    }
    let sql = format!(
        "SELECT p.account_id, {AUTHOR} FROM profiles p WHERE p.network_id = $1 AND {}",
        db.dialect().in_list("p.account_id", 2)
    );
    let ids = IdList(accounts.to_vec());
    let rows: Vec<Row> = db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(&ids)
            .fetch_all(pool)
            .await
    })?;
    let found: std::collections::HashMap<i64, Author> =
        rows.into_iter().map(|r| (r.account_id, r.author)).collect();
    Ok(accounts
        .iter()
        .map(|a| (*a, found.get(a).cloned().unwrap_or_default()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(reacted: Option<&str>) -> Post {
        Post {
            id: 1,
            kind: "post".into(),
            group_id: None,
            author_id: None,
            title: String::new(),
            body: String::new(),
            html: String::new(),
            audience: "everyone".into(),
            pinned_at: None,
            comment_count: 0,
            created_at: 0,
            edited_at: None,
            hidden_at: None,
            hidden_reason: None,
            held_at: None,
            image_key: None,
            image_alt: String::new(),
            author: Author::default(),
            reacted: reacted.map(str::to_string),
        }
    }

    #[test]
    fn reactions_read_with_a_post() {
        assert_eq!(post(None).reactions(), None, "not read: ask");
        assert_eq!(post(Some("")).reactions(), Some(vec![]), "read: none");
        assert_eq!(
            post(Some("like 3 1,thanks 12 0")).reactions(),
            Some(vec![("like".into(), 3, true), ("thanks".into(), 12, false)])
        );
    }
}
