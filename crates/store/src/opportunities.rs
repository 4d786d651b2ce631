//! Opportunities, the members they were picked for, saves, answers
//! (interest, referral, mentor offer) with HR's pipeline stage and notes,
//! outcomes, and who may post. Who may see, answer and run an opportunity
//! is decided by `core::opportunities`; this module stores and lists,
//! always scoped by network.

use sqlx::FromRow;

use crate::networks::NetworkId;
use crate::posts::{AUTHOR, Author};
use crate::{Db, IdList, Result, StoreError, db_run, unique_violation};

/// An opportunity as stored.
#[derive(Clone, Debug, FromRow)]
pub struct Opportunity {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub audience: String,
    pub group_id: Option<i64>,
    pub status: String,
    /// ISO day, Japan time.
    pub deadline: Option<String>,
    /// JSON list.
    pub skills: String,
    /// JSON of `core::opportunities::Details`.
    pub details: String,
    pub posted_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

const OPPORTUNITY: &str = "o.id, o.kind, o.title, o.description, o.audience, o.group_id, o.status, \
     o.deadline, o.skills, o.details, o.posted_by, o.created_at, o.updated_at";

/// An opportunity to store (checked by `core::opportunities::check`).
pub struct NewOpportunity<'a> {
    pub kind: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub audience: &'a str,
    pub group_id: Option<i64>,
    pub status: &'a str,
    pub deadline: Option<&'a str>,
    pub skills: &'a str,
    pub details: &'a str,
    /// The accounts it is shown to when picked by hand.
    pub picks: &'a [i64],
}

async fn replace_picks(tx: &mut crate::DbTx, net: NetworkId, id: i64, picks: &[i64]) -> Result<()> {
    db_run!(tx tx, |conn| {
        sqlx::query("DELETE FROM opportunity_picks WHERE network_id = $1 AND opportunity_id = $2")
            .bind(net.0)
            .bind(id)
            .execute(&mut *conn)
            .await
            .map(|_| ())
    })?;
    for account in picks {
        db_run!(tx tx, |conn| {
            sqlx::query(
                "INSERT INTO opportunity_picks (network_id, opportunity_id, account_id) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(net.0)
            .bind(id)
            .bind(*account)
            .execute(&mut *conn)
            .await
            .map(|_| ())
        })?;
    }
    Ok(())
}

/// Stores an opportunity posted by `poster`; its id.
pub async fn create(
    db: &Db,
    net: NetworkId,
    new: &NewOpportunity<'_>,
    poster: i64,
    now: i64,
) -> Result<i64> {
    let mut tx = db.begin_write().await?;
    let id: i64 = db_run!(tx tx, |conn| {
        sqlx::query_scalar(
            "INSERT INTO opportunities (network_id, kind, title, description, audience, group_id, status, \
             deadline, skills, details, posted_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
        )
        .bind(net.0)
        .bind(new.kind)
        .bind(new.title)
        .bind(new.description)
        .bind(new.audience)
        .bind(new.group_id)
        .bind(new.status)
        .bind(new.deadline)
        .bind(new.skills)
        .bind(new.details)
        .bind(poster)
        .bind(now)
        .fetch_one(&mut *conn)
        .await
    })?;
    replace_picks(&mut tx, net, id, new.picks).await?;
    tx.commit().await?;
    Ok(id)
}

/// Rewrites an opportunity (its kind stays); `false` when it is not there.
pub async fn update(
    db: &Db,
    net: NetworkId,
    id: i64,
    new: &NewOpportunity<'_>,
    now: i64,
) -> Result<bool> {
    let mut tx = db.begin_write().await?;
    let n = db_run!(tx tx, |conn| {
        sqlx::query(
            "UPDATE opportunities SET title = $3, description = $4, audience = $5, group_id = $6, \
             status = $7, deadline = $8, skills = $9, details = $10, updated_at = $11 \
             WHERE network_id = $1 AND id = $2",
        )
        .bind(net.0)
        .bind(id)
        .bind(new.title)
        .bind(new.description)
        .bind(new.audience)
        .bind(new.group_id)
        .bind(new.status)
        .bind(new.deadline)
        .bind(new.skills)
        .bind(new.details)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Ok(false);
    }
    replace_picks(&mut tx, net, id, new.picks).await?;
    tx.commit().await?;
    Ok(true)
}

/// An opportunity as one member stands to it.
#[derive(Clone, Debug, FromRow)]
pub struct Listed {
    #[sqlx(flatten)]
    pub opportunity: Opportunity,
    /// The member was picked for it.
    pub picked: bool,
    /// The member belongs to its audience group.
    pub in_group: bool,
    pub saved: bool,
    /// The member's own answers (not counting withdrawn ones).
    pub mine: i64,
    /// Everyone's answers (shown to those who run it).
    pub answers: i64,
    /// Who posted it, as their profile here shows them.
    #[sqlx(flatten)]
    pub poster: Author,
}

/// The network's opportunities (all, or only `only`) as `account` stands
/// to each, newest first. Networks have tens of opportunities open, not
/// thousands; the caller keeps those the member may see.
pub async fn listed(
    db: &Db,
    net: NetworkId,
    account: i64,
    only: Option<i64>,
) -> Result<Vec<Listed>> {
    let sql = format!(
        "SELECT {OPPORTUNITY}, \
         EXISTS (SELECT 1 FROM opportunity_picks k WHERE k.network_id = o.network_id \
           AND k.opportunity_id = o.id AND k.account_id = $2) AS picked, \
         (o.group_id IS NOT NULL AND EXISTS (SELECT 1 FROM group_members g WHERE g.network_id = o.network_id \
           AND g.group_id = o.group_id AND g.account_id = $2 AND g.standing IN ('owner', 'member'))) AS in_group, \
         EXISTS (SELECT 1 FROM opportunity_saves s WHERE s.network_id = o.network_id \
           AND s.opportunity_id = o.id AND s.account_id = $2) AS saved, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM opportunity_answers a WHERE a.network_id = o.network_id \
           AND a.opportunity_id = o.id AND a.account_id = $2 AND a.stage <> 'withdrawn') AS mine, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM opportunity_answers a WHERE a.network_id = o.network_id \
           AND a.opportunity_id = o.id) AS answers, {AUTHOR} \
         FROM opportunities o \
         LEFT JOIN profiles p ON p.network_id = o.network_id AND p.account_id = o.posted_by \
         WHERE o.network_id = $1 AND ($3 = 0 OR o.id = $3) \
         ORDER BY o.created_at DESC, o.id DESC"
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(account)
            .bind(only.unwrap_or(0))
            .fetch_all(pool)
            .await
    })?)
}

/// The accounts an opportunity was picked for (for its edit form).
pub async fn picked_accounts(db: &Db, net: NetworkId, id: i64) -> Result<Vec<i64>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar(
            "SELECT account_id FROM opportunity_picks WHERE network_id = $1 AND opportunity_id = $2 \
             ORDER BY account_id",
        )
        .bind(net.0)
        .bind(id)
        .fetch_all(pool)
        .await
    })?)
}

/// Saves (or unsaves) an opportunity for a member.
pub async fn set_saved(
    db: &Db,
    net: NetworkId,
    id: i64,
    account: i64,
    on: bool,
    now: i64,
) -> Result<()> {
    db_run!(db, |pool| {
        if on {
            sqlx::query(
                "INSERT INTO opportunity_saves (network_id, opportunity_id, account_id, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(net.0)
            .bind(id)
            .bind(account)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ())
        } else {
            sqlx::query(
                "DELETE FROM opportunity_saves WHERE network_id = $1 AND opportunity_id = $2 AND account_id = $3",
            )
            .bind(net.0)
            .bind(id)
            .bind(account)
            .execute(pool)
            .await
            .map(|_| ())
        }
    })?;
    Ok(())
}

// ─────────────────────────────── answers ───────────────────────────────

/// An answer as stored, with the answering member's profile.
#[derive(Clone, Debug, FromRow)]
pub struct AnswerRow {
    pub id: i64,
    pub opportunity_id: i64,
    pub account_id: i64,
    pub answer: String,
    pub note: String,
    pub cv_url: String,
    pub referred_name: String,
    pub referred_email: String,
    pub relationship: String,
    pub consent_at: Option<i64>,
    pub stage: String,
    pub stage_reason: String,
    pub created_at: i64,
    pub updated_at: i64,
    #[sqlx(flatten)]
    pub author: Author,
}

fn answer_select() -> String {
    format!(
        "SELECT a.id, a.opportunity_id, a.account_id, a.answer, a.note, a.cv_url, a.referred_name, \
         a.referred_email, a.relationship, a.consent_at, a.stage, a.stage_reason, a.created_at, \
         a.updated_at, {AUTHOR} FROM opportunity_answers a \
         LEFT JOIN profiles p ON p.network_id = a.network_id AND p.account_id = a.account_id"
    )
}

/// An answer to store (checked by `core::opportunities`).
pub struct NewAnswer<'a> {
    pub opportunity_id: i64,
    pub account_id: i64,
    pub answer: &'a str,
    pub note: &'a str,
    pub cv_url: &'a str,
    pub referred_name: &'a str,
    pub referred_email: &'a str,
    pub relationship: &'a str,
    /// When the referrer confirmed the person agreed (referrals).
    pub consent_at: Option<i64>,
}

/// What storing an answer did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answered {
    Created(i64),
    /// The member had answered so already (or the person was referred
    /// already): nothing was added.
    Already,
}

/// Stores an answer at the first stage.
pub async fn answer(db: &Db, net: NetworkId, new: &NewAnswer<'_>, now: i64) -> Result<Answered> {
    let res = db_run!(db, |pool| {
        sqlx::query_scalar(
            "INSERT INTO opportunity_answers (network_id, opportunity_id, account_id, answer, note, cv_url, \
             referred_name, referred_email, relationship, consent_at, stage, stage_reason, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'interested', '', $11, $11) RETURNING id",
        )
        .bind(net.0)
        .bind(new.opportunity_id)
        .bind(new.account_id)
        .bind(new.answer)
        .bind(new.note)
        .bind(new.cv_url)
        .bind(new.referred_name)
        .bind(new.referred_email)
        .bind(new.relationship)
        .bind(new.consent_at)
        .bind(now)
        .fetch_one(pool)
        .await
    });
    match res {
        Ok(id) => Ok(Answered::Created(id)),
        Err(e) if unique_violation(&e) => Ok(Answered::Already),
        Err(e) => Err(StoreError::Sqlx(e)),
    }
}

/// Puts a withdrawn answer back in the pipeline with what its author
/// wrote this time; `false` if it was not withdrawn (nothing changes).
pub async fn renew(
    db: &Db,
    net: NetworkId,
    id: i64,
    note: &str,
    cv_url: &str,
    now: i64,
) -> Result<bool> {
    let done = db_run!(db, |pool| {
        sqlx::query(
            "UPDATE opportunity_answers SET stage = 'interested', stage_reason = '', note = $3, \
             cv_url = $4, updated_at = $5 WHERE network_id = $1 AND id = $2 AND stage = 'withdrawn'",
        )
        .bind(net.0)
        .bind(id)
        .bind(note)
        .bind(cv_url)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(done == 1)
}

/// An opportunity's answers (its pipeline), oldest first.
pub async fn answers(db: &Db, net: NetworkId, opportunity: i64) -> Result<Vec<AnswerRow>> {
    let sql = format!(
        "{} WHERE a.network_id = $1 AND a.opportunity_id = $2 ORDER BY a.created_at, a.id",
        answer_select()
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(opportunity)
            .fetch_all(pool)
            .await
    })?)
}

/// One member's answers to an opportunity.
pub async fn answers_of(
    db: &Db,
    net: NetworkId,
    opportunity: i64,
    account: i64,
) -> Result<Vec<AnswerRow>> {
    let sql = format!(
        "{} WHERE a.network_id = $1 AND a.opportunity_id = $2 AND a.account_id = $3 ORDER BY a.created_at, a.id",
        answer_select()
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(opportunity)
            .bind(account)
            .fetch_all(pool)
            .await
    })?)
}

/// One answer to an opportunity.
pub async fn get_answer(
    db: &Db,
    net: NetworkId,
    opportunity: i64,
    id: i64,
) -> Result<Option<AnswerRow>> {
    let sql = format!(
        "{} WHERE a.network_id = $1 AND a.opportunity_id = $2 AND a.id = $3",
        answer_select()
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(opportunity)
            .bind(id)
            .fetch_optional(pool)
            .await
    })?)
}

/// Moves an answer to `stage`.
pub async fn set_stage(
    db: &Db,
    net: NetworkId,
    id: i64,
    stage: &str,
    reason: &str,
    now: i64,
) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query(
            "UPDATE opportunity_answers SET stage = $3, stage_reason = $4, updated_at = $5 \
             WHERE network_id = $1 AND id = $2",
        )
        .bind(net.0)
        .bind(id)
        .bind(stage)
        .bind(reason)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// HR's note on an answer, with its writer's profile.
#[derive(Clone, Debug, FromRow)]
pub struct Note {
    pub id: i64,
    pub answer_id: i64,
    pub body: String,
    pub created_at: i64,
    pub author_id: Option<i64>,
    #[sqlx(flatten)]
    pub author: Author,
}

/// Adds an HR note to an answer.
pub async fn add_note(
    db: &Db,
    net: NetworkId,
    answer: i64,
    author: i64,
    body: &str,
    now: i64,
) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query(
            "INSERT INTO opportunity_notes (network_id, answer_id, author_id, body, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(net.0)
        .bind(answer)
        .bind(author)
        .bind(body)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// The notes on an opportunity's answers, oldest first.
pub async fn notes(db: &Db, net: NetworkId, opportunity: i64) -> Result<Vec<Note>> {
    let sql = format!(
        "SELECT n.id, n.answer_id, n.body, n.created_at, n.author_id, {AUTHOR} FROM opportunity_notes n \
         JOIN opportunity_answers a ON a.network_id = n.network_id AND a.id = n.answer_id \
         LEFT JOIN profiles p ON p.network_id = n.network_id AND p.account_id = n.author_id \
         WHERE n.network_id = $1 AND a.opportunity_id = $2 ORDER BY n.created_at, n.id"
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(opportunity)
            .fetch_all(pool)
            .await
    })?)
}

// ─────────────────────────────── outcomes ───────────────────────────────

/// An outcome as stored.
#[derive(Clone, Debug, FromRow)]
pub struct OutcomeRow {
    pub id: i64,
    pub opportunity_id: i64,
    pub answer_id: i64,
    pub outcome: String,
    pub on_day: String,
    pub amount_band: Option<String>,
    pub note: String,
    pub created_at: i64,
}

/// An outcome to record (checked by `core::opportunities::check_outcome`).
pub struct NewOutcome<'a> {
    pub opportunity_id: i64,
    pub answer_id: i64,
    pub outcome: &'a str,
    pub on_day: &'a str,
    pub amount_band: Option<&'a str>,
    pub note: &'a str,
    pub recorded_by: i64,
}

/// Records (or corrects) the outcome of a won answer: one per answer.
pub async fn record_outcome(db: &Db, net: NetworkId, new: &NewOutcome<'_>, now: i64) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query(
            "INSERT INTO opportunity_outcomes (network_id, opportunity_id, answer_id, outcome, on_day, \
             amount_band, note, recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (network_id, answer_id) DO UPDATE SET outcome = excluded.outcome, \
             on_day = excluded.on_day, amount_band = excluded.amount_band, note = excluded.note, \
             recorded_by = excluded.recorded_by",
        )
        .bind(net.0)
        .bind(new.opportunity_id)
        .bind(new.answer_id)
        .bind(new.outcome)
        .bind(new.on_day)
        .bind(new.amount_band)
        .bind(new.note)
        .bind(new.recorded_by)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Whose outcomes [`outcomes`] reads.
#[derive(Clone, Copy, Debug)]
pub enum OutcomesOf {
    /// One opportunity's.
    Opportunity(i64),
    /// The opportunities this account posted (a poster's tally).
    PostedBy(i64),
    /// The whole network's (admins).
    Network,
}

/// The outcomes recorded for answers that are still won: an answer HR
/// moved back off "won" keeps its row (moving it back restores it) but
/// does not count.
pub async fn outcomes(db: &Db, net: NetworkId, of: OutcomesOf) -> Result<Vec<OutcomeRow>> {
    let (opportunity, poster) = match of {
        OutcomesOf::Opportunity(id) => (id, 0),
        OutcomesOf::PostedBy(account) => (0, account),
        OutcomesOf::Network => (0, 0),
    };
    Ok(db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT c.id, c.opportunity_id, c.answer_id, c.outcome, c.on_day, c.amount_band, c.note, \
             c.created_at FROM opportunity_outcomes c \
             JOIN opportunity_answers a ON a.network_id = c.network_id AND a.id = c.answer_id \
             JOIN opportunities o ON o.network_id = c.network_id AND o.id = c.opportunity_id \
             WHERE c.network_id = $1 AND a.stage = 'won' AND ($2 = 0 OR c.opportunity_id = $2) \
             AND ($3 = 0 OR o.posted_by = $3) \
             ORDER BY c.on_day DESC, c.id DESC",
        )
        .bind(net.0)
        .bind(opportunity)
        .bind(poster)
        .fetch_all(pool)
        .await
    })?)
}

// ─────────────────────────── who may post; opting out ───────────────────────────

/// A member an admin authorised to post opportunities.
#[derive(Clone, Debug, FromRow)]
pub struct Poster {
    pub membership_id: i64,
    pub account_id: i64,
    pub kind: String,
    #[sqlx(flatten)]
    pub author: Author,
}

/// The members authorised to post (admins post anyway).
pub async fn posters(db: &Db, net: NetworkId) -> Result<Vec<Poster>> {
    let sql = format!(
        "SELECT m.id AS membership_id, m.account_id, m.kind, {AUTHOR} FROM memberships m \
         LEFT JOIN profiles p ON p.network_id = m.network_id AND p.account_id = m.account_id \
         WHERE m.network_id = $1 AND m.opportunity_poster = 1 AND m.status = 'active' ORDER BY m.id"
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .fetch_all(pool)
            .await
    })?)
}

/// Authorises (or stops authorising) a member to post.
pub async fn set_poster(db: &Db, net: NetworkId, account: i64, on: bool) -> Result<bool> {
    let n = db_run!(db, |pool| {
        sqlx::query(
            "UPDATE memberships SET opportunity_poster = $3 WHERE network_id = $1 AND account_id = $2",
        )
        .bind(net.0)
        .bind(account)
        .bind(i64::from(on))
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

/// Sets whether a member is left out of HR's match lists.
pub async fn set_opt_out(db: &Db, net: NetworkId, account: i64, out: bool) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query(
            "UPDATE memberships SET match_opt_out = $3 WHERE network_id = $1 AND account_id = $2",
        )
        .bind(net.0)
        .bind(account)
        .bind(i64::from(out))
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Of `accounts`, those who may be suggested to HR: active members who
/// did not opt out.
pub async fn matchable(db: &Db, net: NetworkId, accounts: &[i64]) -> Result<Vec<i64>> {
    if accounts.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT account_id FROM memberships WHERE network_id = $1 AND status = 'active' \
         AND match_opt_out = 0 AND {}",
        db.dialect().in_list("account_id", 2)
    );
    let ids = IdList(accounts.to_vec());
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(&ids)
            .fetch_all(pool)
            .await
    })?)
}
