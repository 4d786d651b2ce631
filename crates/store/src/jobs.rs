//! The durable job queue. A job is claimed by one conditional write; on
//! PostgreSQL the candidate row is picked `FOR UPDATE SKIP LOCKED`, so
//! workers on several app nodes never take the same job or wait on each
//! other; on SQLite the write transaction (`BEGIN IMMEDIATE`) serialises
//! claims. A claimed job whose worker died is taken again once its lock is
//! stale. Failed attempts are retried with back-off up to `max_attempts`,
//! then kept as `failed` with the last error — never lost, never retried
//! forever.

use sqlx::FromRow;

use crate::{Backend, Db, Result, db_run};

#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: i64,
    pub locked_at: Option<i64>,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, kind, payload, status, attempts, max_attempts, run_at, locked_at, locked_by, last_error, created_at, updated_at";

/// Adds a job; returns its id.
pub async fn enqueue(
    db: &Db,
    kind: &str,
    payload: &str,
    run_at: i64,
    max_attempts: i64,
    now: i64,
) -> Result<i64> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar(
            "INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, locked_at, locked_by, last_error, created_at, updated_at) \
             VALUES ($1, $2, 'queued', 0, $3, $4, NULL, NULL, NULL, $5, $5) RETURNING id",
        )
        .bind(kind)
        .bind(payload)
        .bind(max_attempts)
        .bind(run_at)
        .bind(now)
        .fetch_one(pool)
        .await
    })?)
}

/// Claims the next due job for `worker`: queued and due, or running with a
/// lock older than `stale_before` (its worker died). Counts the attempt.
pub async fn claim(db: &Db, worker: &str, now: i64, stale_before: i64) -> Result<Option<Job>> {
    let lock = match db.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_at = $1, locked_by = $2, updated_at = $1 \
         WHERE id = (SELECT id FROM jobs \
                     WHERE (status = 'queued' AND run_at <= $1) OR (status = 'running' AND locked_at < $3) \
                     ORDER BY run_at, id LIMIT 1{lock}) \
         RETURNING {COLUMNS}"
    );
    let mut tx = db.begin_write().await?;
    let job: Option<Job> = db_run!(tx tx, |conn| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .bind(worker)
            .bind(stale_before)
            .fetch_optional(&mut *conn)
            .await
    })?;
    tx.commit().await?;
    Ok(job)
}

/// Marks a claimed job done.
pub async fn complete(db: &Db, id: i64, now: i64) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query("UPDATE jobs SET status = 'done', locked_at = NULL, locked_by = NULL, last_error = NULL, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ())
    })?;
    Ok(())
}

/// Records a failed attempt: queued again at `retry_at`, or `failed` for
/// good when `retry_at` is `None`.
pub async fn fail(db: &Db, id: i64, error: &str, now: i64, retry_at: Option<i64>) -> Result<()> {
    let (status, run_at) = match retry_at {
        Some(at) => ("queued", at),
        None => ("failed", now),
    };
    db_run!(db, |pool| {
        sqlx::query(
            "UPDATE jobs SET status = $1, run_at = $2, last_error = $3, locked_at = NULL, locked_by = NULL, updated_at = $4 \
             WHERE id = $5",
        )
        .bind(status)
        .bind(run_at)
        .bind(error)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Job>> {
    let sql = format!("SELECT {COLUMNS} FROM jobs WHERE id = $1");
    Ok(db_run!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(
        sql
    ))
    .bind(id)
    .fetch_optional(pool)
    .await)?)
}

/// The newest jobs, optionally of one status, for the operator page.
pub async fn recent(db: &Db, status: Option<&str>, limit: i64) -> Result<Vec<Job>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM jobs WHERE ($1 IS NULL OR status = $1) ORDER BY id DESC LIMIT $2"
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(status)
            .bind(limit)
            .fetch_all(pool)
            .await
    })?)
}

/// How many jobs are in each status.
pub async fn counts(db: &Db) -> Result<Vec<(String, i64)>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT status, CAST(COUNT(*) AS BIGINT) FROM jobs GROUP BY status ORDER BY status",
        )
        .fetch_all(pool)
        .await
    })?)
}
