//! Every e-mail we send, rendered, with its fate: `queued` until the worker
//! takes it; `sent` through SMTP; `stored` when no SMTP server is configured
//! (the operator reads it in the outbox page); `failed` with the server's
//! answer.

use sqlx::FromRow;

use crate::{Db, Result, db_run};

#[derive(Clone, Debug, FromRow)]
pub struct Message {
    pub id: i64,
    pub to_addr: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub status: String,
    pub error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    /// The one-click unsubscribe link (RFC 8058), for mail people can
    /// switch off.
    pub list_unsubscribe: Option<String>,
    /// An event's `.ics`, attached (confirmations, cancellations).
    pub calendar: Option<String>,
}

const COLUMNS: &str = "id, to_addr, subject, text_body, html_body, status, error, created_at, sent_at, \
     list_unsubscribe, calendar";

pub struct NewMessage<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    /// See [`Message::list_unsubscribe`].
    pub list_unsubscribe: Option<&'a str>,
    /// See [`Message::calendar`].
    pub calendar: Option<&'a str>,
}

/// Stores a message and the job that will send it, atomically.
pub async fn enqueue(db: &Db, msg: &NewMessage<'_>, now: i64) -> Result<i64> {
    let mut tx = db.begin_write().await?;
    let id: i64 = db_run!(tx tx, |conn| {
        sqlx::query_scalar(
            "INSERT INTO outbox (to_addr, subject, text_body, html_body, status, error, created_at, sent_at, list_unsubscribe, calendar) \
             VALUES ($1, $2, $3, $4, 'queued', NULL, $5, NULL, $6, $7) RETURNING id",
        )
        .bind(msg.to)
        .bind(msg.subject)
        .bind(msg.text)
        .bind(msg.html)
        .bind(now)
        .bind(msg.list_unsubscribe)
        .bind(msg.calendar)
        .fetch_one(&mut *conn)
        .await
    })?;
    let payload = format!("{{\"message_id\":{id}}}");
    db_run!(tx tx, |conn| {
        sqlx::query(
            "INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, locked_at, locked_by, last_error, created_at, updated_at) \
             VALUES ('send_email', $1, 'queued', 0, 5, $2, NULL, NULL, NULL, $2, $2)",
        )
        .bind(payload)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map(|_| ())
    })?;
    tx.commit().await?;
    Ok(id)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Message>> {
    let sql = format!("SELECT {COLUMNS} FROM outbox WHERE id = $1");
    Ok(db_run!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(
        sql
    ))
    .bind(id)
    .fetch_optional(pool)
    .await)?)
}

/// Records what happened to a message.
pub async fn mark(
    db: &Db,
    id: i64,
    status: &str,
    error: Option<&str>,
    sent_at: Option<i64>,
) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query("UPDATE outbox SET status = $1, error = $2, sent_at = $3 WHERE id = $4")
            .bind(status)
            .bind(error)
            .bind(sent_at)
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ())
    })?;
    Ok(())
}

/// Records that a message went out through SMTP and forgets its body: the
/// bodies of sign-in, reset and invitation mails hold live links, which no
/// one but the recipient should be able to read afterwards (operators
/// included). Recipient, subject and time stay for the record.
pub async fn mark_sent(db: &Db, id: i64, sent_at: i64) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query(
            "UPDATE outbox SET status = 'sent', error = NULL, sent_at = $1, text_body = '', html_body = '' WHERE id = $2",
        )
        .bind(sent_at)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// The newest messages (keyset: ids below `before`).
pub async fn recent(db: &Db, before: Option<i64>, limit: i64) -> Result<Vec<Message>> {
    let sql = format!("SELECT {COLUMNS} FROM outbox WHERE id < $1 ORDER BY id DESC LIMIT $2");
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(before.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(pool)
            .await
    })?)
}

/// Messages queued in the last `window_ms` (to keep the queue from
/// ballooning under a flood of requests).
pub async fn queued_since(db: &Db, since: i64) -> Result<i64> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM outbox WHERE created_at >= $1")
            .bind(since)
            .fetch_one(pool)
            .await
    })?)
}
