//! Business matching as stored: pitches, projects attached to an event,
//! 1:1 meetings with the seats that keep anyone from being booked twice,
//! business cards and their exchanges. The rules are
//! `core::business_matching`'s; everything is scoped by network.

use sqlx::FromRow;

use crate::networks::NetworkId;
use crate::posts::{AUTHOR, Author};
use crate::{Db, Result, StoreError, db_run, unique_violation};

/// A pitch with its business and who pitches.
#[derive(Clone, Debug, FromRow)]
pub struct PitchRow {
    pub id: i64,
    pub account_id: i64,
    pub business_id: i64,
    pub business_name: String,
    pub pitch: String,
    pub slides_url: String,
    pub status: String,
    #[sqlx(flatten)]
    pub author: Author,
}

/// A pitch application.
pub struct NewPitch<'a> {
    pub event: i64,
    pub account: i64,
    pub business: i64,
    pub pitch: &'a str,
    pub slides_url: &'a str,
}

/// Applies to pitch a business at an event; the pitch's id, or `None`
/// when that business already applied.
pub async fn apply(db: &Db, net: NetworkId, new: &NewPitch<'_>, now: i64) -> Result<Option<i64>> {
    let done = db_run!(db, |pool| {
        sqlx::query_scalar(
            "INSERT INTO event_pitches (network_id, event_id, account_id, business_id, pitch, slides_url, \
             status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7) RETURNING id",
        )
        .bind(net.0)
        .bind(new.event)
        .bind(new.account)
        .bind(new.business)
        .bind(new.pitch)
        .bind(new.slides_url)
        .bind(now)
        .fetch_one(pool)
        .await
    });
    match done {
        Ok(id) => Ok(Some(id)),
        Err(e) if unique_violation(&e) => Ok(None),
        Err(e) => Err(StoreError::Sqlx(e)),
    }
}

/// The pitches of an event, in application order.
pub async fn pitches(db: &Db, net: NetworkId, event: i64) -> Result<Vec<PitchRow>> {
    let sql = format!(
        "SELECT x.id, x.account_id, x.business_id, b.name AS business_name, x.pitch, x.slides_url, \
         x.status, {AUTHOR} FROM event_pitches x \
         JOIN businesses b ON b.network_id = x.network_id AND b.id = x.business_id \
         LEFT JOIN profiles p ON p.network_id = x.network_id AND p.account_id = x.account_id \
         WHERE x.network_id = $1 AND x.event_id = $2 ORDER BY x.created_at, x.id"
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(event)
            .fetch_all(pool)
            .await
    })?)
}

/// Approves or declines a pitch; `false` when it is not this event's.
pub async fn decide_pitch(
    db: &Db,
    net: NetworkId,
    event: i64,
    pitch: i64,
    status: &str,
    now: i64,
) -> Result<bool> {
    let n = db_run!(db, |pool| {
        sqlx::query(
            "UPDATE event_pitches SET status = $4, updated_at = $5 \
             WHERE network_id = $1 AND event_id = $2 AND id = $3",
        )
        .bind(net.0)
        .bind(event)
        .bind(pitch)
        .bind(status)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

/// A project attached to an event.
#[derive(Clone, Debug, FromRow)]
pub struct ProjectRow {
    pub opportunity_id: i64,
    pub title: String,
    pub kind: String,
    pub status: String,
    pub posted_by: Option<i64>,
}

/// Makes the event's projects exactly `opportunities` (of this network).
pub async fn set_projects(
    db: &Db,
    net: NetworkId,
    event: i64,
    opportunities: &[i64],
) -> Result<()> {
    let mut tx = db.begin_write().await?;
    db_run!(tx tx, |conn| {
        sqlx::query("DELETE FROM event_projects WHERE network_id = $1 AND event_id = $2")
            .bind(net.0)
            .bind(event)
            .execute(&mut *conn)
            .await
            .map(|_| ())
    })?;
    for o in opportunities {
        db_run!(tx tx, |conn| {
            sqlx::query(
                "INSERT INTO event_projects (network_id, event_id, opportunity_id) \
                 SELECT $1, $2, o.id FROM opportunities o WHERE o.network_id = $1 AND o.id = $3 \
                 ON CONFLICT DO NOTHING",
            )
            .bind(net.0)
            .bind(event)
            .bind(*o)
            .execute(&mut *conn)
            .await
            .map(|_| ())
        })?;
    }
    tx.commit().await?;
    Ok(())
}

/// The projects attached to an event.
pub async fn projects(db: &Db, net: NetworkId, event: i64) -> Result<Vec<ProjectRow>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT o.id AS opportunity_id, o.title, o.kind, o.status, o.posted_by FROM event_projects x \
             JOIN opportunities o ON o.network_id = x.network_id AND o.id = x.opportunity_id \
             WHERE x.network_id = $1 AND x.event_id = $2 ORDER BY o.id",
        )
        .bind(net.0)
        .bind(event)
        .fetch_all(pool)
        .await
    })?)
}

// ─────────────────────────────── meetings ───────────────────────────────

/// A meeting as one of its two people sees it.
#[derive(Clone, Debug, FromRow)]
pub struct MeetingRow {
    pub id: i64,
    pub requester_id: i64,
    pub host_id: i64,
    pub slot_at: i64,
    pub status: String,
    pub note: String,
}

/// Whether `account` has an accepted meeting in `slot` of `event`.
pub async fn busy(db: &Db, net: NetworkId, event: i64, account: i64, slot: i64) -> Result<bool> {
    let n: Option<i64> = db_run!(db, |pool| {
        sqlx::query_scalar(
            "SELECT meeting_id FROM event_meeting_seats WHERE network_id = $1 AND event_id = $2 \
             AND account_id = $3 AND slot_at = $4",
        )
        .bind(net.0)
        .bind(event)
        .bind(account)
        .bind(slot)
        .fetch_optional(pool)
        .await
    })?;
    Ok(n.is_some())
}

/// A meeting request.
pub struct NewMeeting<'a> {
    pub event: i64,
    pub requester: i64,
    pub host: i64,
    /// The slot's start (Unix ms).
    pub slot: i64,
    pub note: &'a str,
}

/// Asks for a meeting; its id.
pub async fn request(db: &Db, net: NetworkId, new: &NewMeeting<'_>, now: i64) -> Result<i64> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar(
            "INSERT INTO event_meetings (network_id, event_id, requester_id, host_id, slot_at, status, note, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'requested', $6, $7, $7) RETURNING id",
        )
        .bind(net.0)
        .bind(new.event)
        .bind(new.requester)
        .bind(new.host)
        .bind(new.slot)
        .bind(new.note)
        .bind(now)
        .fetch_one(pool)
        .await
    })?)
}

/// What answering a request came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answered {
    Done,
    /// One of the two already has a meeting in that slot.
    Busy,
    /// Not a request of `host`'s still open.
    NotFound,
}

/// Accepts (booking both people's seats in the slot — all or nothing) or
/// declines a request made to `host`.
pub async fn answer(
    db: &Db,
    net: NetworkId,
    event: i64,
    meeting: i64,
    host: i64,
    accept: bool,
    now: i64,
) -> Result<Answered> {
    let mut tx = db.begin_write().await?;
    let row: Option<MeetingRow> = db_run!(tx tx, |conn| {
        sqlx::query_as(
            "SELECT id, requester_id, host_id, slot_at, status, note FROM event_meetings \
             WHERE network_id = $1 AND event_id = $2 AND id = $3 AND host_id = $4 AND status = 'requested'",
        )
        .bind(net.0)
        .bind(event)
        .bind(meeting)
        .bind(host)
        .fetch_optional(&mut *conn)
        .await
    })?;
    let Some(m) = row else {
        tx.rollback().await?;
        return Ok(Answered::NotFound);
    };
    if accept {
        for person in [m.requester_id, m.host_id] {
            let seated = db_run!(tx tx, |conn| {
                sqlx::query(
                    "INSERT INTO event_meeting_seats (network_id, event_id, account_id, slot_at, meeting_id) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(net.0)
                .bind(event)
                .bind(person)
                .bind(m.slot_at)
                .bind(m.id)
                .execute(&mut *conn)
                .await
                .map(|_| ())
            });
            match seated {
                Ok(_) => {}
                Err(e) if unique_violation(&e) => {
                    tx.rollback().await?;
                    return Ok(Answered::Busy);
                }
                Err(e) => return Err(StoreError::Sqlx(e)),
            }
        }
    }
    db_run!(tx tx, |conn| {
        sqlx::query("UPDATE event_meetings SET status = $3, updated_at = $4 WHERE network_id = $1 AND id = $2")
            .bind(net.0)
            .bind(m.id)
            .bind(if accept { "accepted" } else { "declined" })
            .bind(now)
            .execute(&mut *conn)
            .await
            .map(|_| ())
    })?;
    tx.commit().await?;
    Ok(Answered::Done)
}

/// The meetings of `account` at `event` (asked and asked of), by slot.
pub async fn meetings_of(
    db: &Db,
    net: NetworkId,
    event: i64,
    account: i64,
) -> Result<Vec<MeetingRow>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT id, requester_id, host_id, slot_at, status, note FROM event_meetings \
             WHERE network_id = $1 AND event_id = $2 AND (requester_id = $3 OR host_id = $3) \
             ORDER BY slot_at, id",
        )
        .bind(net.0)
        .bind(event)
        .bind(account)
        .fetch_all(pool)
        .await
    })?)
}

// ─────────────────────────────── cards ───────────────────────────────

/// A member's card (JSON of `core::business_matching::Card`) and code.
pub async fn card_of(db: &Db, net: NetworkId, account: i64) -> Result<Option<(String, String)>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT card, code FROM business_cards WHERE network_id = $1 AND account_id = $2",
        )
        .bind(net.0)
        .bind(account)
        .fetch_optional(pool)
        .await
    })?)
}

/// Saves a member's card; a new card gets `code`.
pub async fn save_card(
    db: &Db,
    net: NetworkId,
    account: i64,
    card: &str,
    code: &str,
    now: i64,
) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query(
            "INSERT INTO business_cards (network_id, account_id, card, code, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (network_id, account_id) \
             DO UPDATE SET card = excluded.card, updated_at = excluded.updated_at",
        )
        .bind(net.0)
        .bind(account)
        .bind(card)
        .bind(code)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Whose card has `code`.
pub async fn by_code(db: &Db, net: NetworkId, code: &str) -> Result<Option<i64>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar(
            "SELECT account_id FROM business_cards WHERE network_id = $1 AND code = $2",
        )
        .bind(net.0)
        .bind(code)
        .fetch_optional(pool)
        .await
    })?)
}

/// What asking for an exchange came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Asked {
    Created(i64),
    /// Asked before: where it stands.
    Already(String),
}

/// `from` asks `to` for an exchange (offering their own card).
pub async fn ask_exchange(
    db: &Db,
    net: NetworkId,
    from: i64,
    to: i64,
    event: Option<i64>,
    now: i64,
) -> Result<Asked> {
    let done = db_run!(db, |pool| {
        sqlx::query_scalar(
            "INSERT INTO card_exchanges (network_id, from_id, to_id, event_id, status, created_at) \
             VALUES ($1, $2, $3, $4, 'pending', $5) RETURNING id",
        )
        .bind(net.0)
        .bind(from)
        .bind(to)
        .bind(event)
        .bind(now)
        .fetch_one(pool)
        .await
    });
    match done {
        Ok(id) => Ok(Asked::Created(id)),
        Err(e) if unique_violation(&e) => {
            let status: String = db_run!(db, |pool| {
                sqlx::query_scalar(
                    "SELECT status FROM card_exchanges WHERE network_id = $1 AND from_id = $2 AND to_id = $3",
                )
                .bind(net.0)
                .bind(from)
                .bind(to)
                .fetch_one(pool)
                .await
            })?;
            Ok(Asked::Already(status))
        }
        Err(e) => Err(StoreError::Sqlx(e)),
    }
}

/// An exchange with the other person's card (as stored).
#[derive(Clone, Debug, FromRow)]
pub struct ExchangeRow {
    pub id: i64,
    pub other_id: i64,
    pub status: String,
    pub created_at: i64,
    pub card: Option<String>,
    #[sqlx(flatten)]
    pub author: Author,
}

/// Requests waiting for `account` to confirm, newest first.
pub async fn waiting_for(db: &Db, net: NetworkId, account: i64) -> Result<Vec<ExchangeRow>> {
    let sql = format!(
        "SELECT x.id, x.from_id AS other_id, x.status, x.created_at, c.card, {AUTHOR} FROM card_exchanges x \
         LEFT JOIN business_cards c ON c.network_id = x.network_id AND c.account_id = x.from_id \
         LEFT JOIN profiles p ON p.network_id = x.network_id AND p.account_id = x.from_id \
         WHERE x.network_id = $1 AND x.to_id = $2 AND x.status = 'pending' ORDER BY x.id DESC"
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(account)
            .fetch_all(pool)
            .await
    })?)
}

/// Confirms or declines a request made to `account`; `false` when there
/// is no such open request.
pub async fn decide_exchange(
    db: &Db,
    net: NetworkId,
    id: i64,
    account: i64,
    confirm: bool,
    now: i64,
) -> Result<bool> {
    let n = db_run!(db, |pool| {
        sqlx::query(
            "UPDATE card_exchanges SET status = $4, decided_at = $5 \
             WHERE network_id = $1 AND id = $2 AND to_id = $3 AND status = 'pending'",
        )
        .bind(net.0)
        .bind(id)
        .bind(account)
        .bind(if confirm { "confirmed" } else { "declined" })
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

/// The cards `account` received: the other side of every confirmed
/// exchange, newest first.
pub async fn received(db: &Db, net: NetworkId, account: i64) -> Result<Vec<ExchangeRow>> {
    let sql = format!(
        "SELECT x.id, CASE WHEN x.from_id = $2 THEN x.to_id ELSE x.from_id END AS other_id, x.status, \
         x.created_at, c.card, {AUTHOR} FROM card_exchanges x \
         LEFT JOIN business_cards c ON c.network_id = x.network_id \
           AND c.account_id = CASE WHEN x.from_id = $2 THEN x.to_id ELSE x.from_id END \
         LEFT JOIN profiles p ON p.network_id = x.network_id \
           AND p.account_id = CASE WHEN x.from_id = $2 THEN x.to_id ELSE x.from_id END \
         WHERE x.network_id = $1 AND (x.from_id = $2 OR x.to_id = $2) AND x.status = 'confirmed' \
         ORDER BY x.decided_at DESC, x.id DESC"
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(account)
            .fetch_all(pool)
            .await
    })?)
}
