//! Events, their organisers and invitation lists, registrations with the
//! seat count and waitlist, check-in, reminders, and calendar feeds.
//! Who may see or run an event is decided by `core::events`; this module
//! stores and counts, always scoped by network.
//!
//! Seats: `events.taken` is raised only by one conditional write (see the
//! migration); a registration's `seats` is what it holds. Giving seats
//! back promotes the waitlist in line order, in the same transaction.

use sqlx::FromRow;

use crate::networks::NetworkId;
use crate::posts::{AUTHOR, Author};
use crate::{Db, DbTx, Result, StoreError, db_run, unique_violation};

/// An event as stored.
#[derive(Clone, Debug, FromRow)]
pub struct Event {
    pub id: i64,
    pub network_id: i64,
    pub title: String,
    pub description: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub tz: String,
    pub format: String,
    pub venue: String,
    pub address: String,
    pub map_url: String,
    pub online_url: String,
    pub capacity: Option<i64>,
    pub taken: i64,
    pub waitlist: i64,
    pub guests: i64,
    pub deadline: Option<i64>,
    pub audience: String,
    pub group_id: Option<i64>,
    /// JSON list of `core::events::Question`.
    pub questions: String,
    pub business_matching: i64,
    pub meeting_minutes: i64,
    pub status: String,
    pub sequence: i64,
    pub ticket_key: String,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Its cover picture (see `crate::images`).
    pub cover_key: Option<String>,
}

const EVENT: &str = "e.id, e.network_id, e.title, e.description, e.starts_at, e.ends_at, e.tz, \
     e.format, e.venue, e.address, e.map_url, e.online_url, e.capacity, e.taken, e.waitlist, \
     e.guests, e.deadline, e.audience, e.group_id, e.questions, e.business_matching, \
     e.meeting_minutes, e.status, e.sequence, e.ticket_key, e.created_by, e.created_at, e.updated_at, \
     e.cover_key";

/// An event to store (checked by `core::events::check`).
pub struct NewEvent<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub starts_at: i64,
    pub ends_at: i64,
    pub tz: &'a str,
    pub format: &'a str,
    pub venue: &'a str,
    pub address: &'a str,
    pub map_url: &'a str,
    pub online_url: &'a str,
    pub capacity: Option<i64>,
    pub waitlist: bool,
    pub guests: i64,
    pub deadline: Option<i64>,
    pub audience: &'a str,
    pub group_id: Option<i64>,
    pub questions: &'a str,
    pub business_matching: bool,
    pub meeting_minutes: i64,
}

/// Stores an event created by `creator` (its first organiser).
pub async fn create(
    db: &Db,
    net: NetworkId,
    new: &NewEvent<'_>,
    status: &str,
    ticket_key: &str,
    creator: i64,
    now: i64,
) -> Result<i64> {
    let mut tx = db.begin_write().await?;
    let id: i64 = db_run!(tx tx, |conn| {
        sqlx::query_scalar(
            "INSERT INTO events (network_id, title, description, starts_at, ends_at, tz, format, venue, \
             address, map_url, online_url, capacity, waitlist, guests, deadline, audience, group_id, \
             questions, business_matching, meeting_minutes, status, ticket_key, created_by, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             $17, $18, $19, $20, $21, $22, $23, $24, $24) RETURNING id",
        )
        .bind(net.0)
        .bind(new.title)
        .bind(new.description)
        .bind(new.starts_at)
        .bind(new.ends_at)
        .bind(new.tz)
        .bind(new.format)
        .bind(new.venue)
        .bind(new.address)
        .bind(new.map_url)
        .bind(new.online_url)
        .bind(new.capacity)
        .bind(i64::from(new.waitlist))
        .bind(new.guests)
        .bind(new.deadline)
        .bind(new.audience)
        .bind(new.group_id)
        .bind(new.questions)
        .bind(i64::from(new.business_matching))
        .bind(new.meeting_minutes)
        .bind(status)
        .bind(ticket_key)
        .bind(creator)
        .bind(now)
        .fetch_one(&mut *conn)
        .await
    })?;
    db_run!(tx tx, |conn| {
        sqlx::query("INSERT INTO event_organisers (network_id, event_id, account_id) VALUES ($1, $2, $3)")
            .bind(net.0)
            .bind(id)
            .bind(creator)
            .execute(&mut *conn)
            .await
            .map(|_| ())
    })?;
    tx.commit().await?;
    Ok(id)
}

/// What an update did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Updated {
    /// Registrations moved from the waitlist (a larger capacity).
    pub promoted: Vec<Promoted>,
}

/// Rewrites an event; raises its calendar sequence; a capacity that now
/// has room promotes the waitlist. `None` when it is not there. A
/// capacity below the seats already taken is the caller's to refuse.
pub async fn update(
    db: &Db,
    net: NetworkId,
    id: i64,
    new: &NewEvent<'_>,
    now: i64,
) -> Result<Option<Updated>> {
    let mut tx = db.begin_write().await?;
    let n = db_run!(tx tx, |conn| {
        sqlx::query(
            "UPDATE events SET title = $3, description = $4, starts_at = $5, ends_at = $6, tz = $7, \
             format = $8, venue = $9, address = $10, map_url = $11, online_url = $12, capacity = $13, \
             waitlist = $14, guests = $15, deadline = $16, audience = $17, group_id = $18, \
             questions = $19, business_matching = $20, meeting_minutes = $21, \
             sequence = sequence + 1, updated_at = $22 WHERE network_id = $1 AND id = $2",
        )
        .bind(net.0)
        .bind(id)
        .bind(new.title)
        .bind(new.description)
        .bind(new.starts_at)
        .bind(new.ends_at)
        .bind(new.tz)
        .bind(new.format)
        .bind(new.venue)
        .bind(new.address)
        .bind(new.map_url)
        .bind(new.online_url)
        .bind(new.capacity)
        .bind(i64::from(new.waitlist))
        .bind(new.guests)
        .bind(new.deadline)
        .bind(new.audience)
        .bind(new.group_id)
        .bind(new.questions)
        .bind(i64::from(new.business_matching))
        .bind(new.meeting_minutes)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Ok(None);
    }
    let promoted = promote(&mut tx, net, id, now).await?;
    tx.commit().await?;
    Ok(Some(Updated { promoted }))
}

/// Sets an event's status (publish, cancel, decline); a change people
/// should see raises its calendar sequence. `false` when not there.
pub async fn set_status(db: &Db, net: NetworkId, id: i64, status: &str, now: i64) -> Result<bool> {
    let n = db_run!(db, |pool| {
        sqlx::query(
            "UPDATE events SET status = $3, sequence = sequence + 1, updated_at = $4 \
             WHERE network_id = $1 AND id = $2",
        )
        .bind(net.0)
        .bind(id)
        .bind(status)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

/// Sets (or with `None` removes) an event's cover picture; the key it
/// had, for deleting.
pub async fn set_cover(
    db: &Db,
    net: NetworkId,
    id: i64,
    key: Option<&str>,
) -> Result<Option<String>> {
    let old: Option<Option<String>> = db_run!(db, |pool| {
        sqlx::query_scalar("SELECT cover_key FROM events WHERE network_id = $1 AND id = $2")
            .bind(net.0)
            .bind(id)
            .fetch_optional(pool)
            .await
    })?;
    db_run!(db, |pool| {
        sqlx::query("UPDATE events SET cover_key = $3 WHERE network_id = $1 AND id = $2")
            .bind(net.0)
            .bind(id)
            .bind(key)
            .execute(pool)
            .await
            .map(|_| ())
    })?;
    Ok(old.flatten())
}

/// The event whose cover `key` is.
pub async fn by_cover(db: &Db, net: NetworkId, key: &str) -> Result<Option<i64>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar("SELECT id FROM events WHERE network_id = $1 AND cover_key = $2")
            .bind(net.0)
            .bind(key)
            .fetch_optional(pool)
            .await
    })?)
}

/// The event `id` of this network.
pub async fn get(db: &Db, net: NetworkId, id: i64) -> Result<Option<Event>> {
    let sql = format!("SELECT {EVENT} FROM events e WHERE e.network_id = $1 AND e.id = $2");
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(id)
            .fetch_optional(pool)
            .await
    })?)
}

/// An event in a list, with what the viewer has to do with it.
#[derive(Clone, Debug, FromRow)]
pub struct Listed {
    #[sqlx(flatten)]
    pub event: Event,
    pub organiser: bool,
    pub invited: bool,
    pub in_group: bool,
    /// The viewer's registration status, if any.
    pub mine: Option<String>,
    /// People going (registrations, not seats).
    pub going: i64,
}

/// The network's events ending after `from` (upcoming: soonest first) or,
/// with `past`, those ended before it (latest first), with the viewer's
/// relation to each; `only` narrows to one.
pub async fn listed(
    db: &Db,
    net: NetworkId,
    account: i64,
    from: i64,
    past: bool,
    only: Option<i64>,
) -> Result<Vec<Listed>> {
    let (when, order) = if past {
        ("e.ends_at < $3", "e.starts_at DESC, e.id DESC")
    } else {
        ("e.ends_at >= $3", "e.starts_at, e.id")
    };
    let sql = format!(
        "SELECT {EVENT}, \
         EXISTS (SELECT 1 FROM event_organisers o WHERE o.network_id = e.network_id \
           AND o.event_id = e.id AND o.account_id = $2) AS organiser, \
         EXISTS (SELECT 1 FROM event_invites i WHERE i.network_id = e.network_id \
           AND i.event_id = e.id AND i.account_id = $2) AS invited, \
         (e.group_id IS NOT NULL AND EXISTS (SELECT 1 FROM group_members g WHERE g.network_id = e.network_id \
           AND g.group_id = e.group_id AND g.account_id = $2 AND g.standing IN ('owner', 'member'))) AS in_group, \
         (SELECT r.status FROM event_registrations r WHERE r.network_id = e.network_id \
           AND r.event_id = e.id AND r.account_id = $2) AS mine, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM event_registrations r WHERE r.network_id = e.network_id \
           AND r.event_id = e.id AND r.status = 'going') AS going \
         FROM events e WHERE e.network_id = $1 AND ($4 = 0 OR (e.id = $4)) AND ($4 <> 0 OR {when}) \
         ORDER BY {order} LIMIT 200"
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(account)
            .bind(from)
            .bind(only.unwrap_or(0))
            .fetch_all(pool)
            .await
    })?)
}

/// The event's organisers (account ids).
pub async fn organisers(db: &Db, net: NetworkId, id: i64) -> Result<Vec<i64>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar(
            "SELECT account_id FROM event_organisers WHERE network_id = $1 AND event_id = $2 \
             ORDER BY account_id",
        )
        .bind(net.0)
        .bind(id)
        .fetch_all(pool)
        .await
    })?)
}

/// Makes the organisers exactly `accounts` (plus whoever created it).
pub async fn set_organisers(db: &Db, net: NetworkId, id: i64, accounts: &[i64]) -> Result<()> {
    let mut tx = db.begin_write().await?;
    db_run!(tx tx, |conn| {
        sqlx::query(
            "DELETE FROM event_organisers WHERE network_id = $1 AND event_id = $2 AND account_id <> \
             COALESCE((SELECT created_by FROM events WHERE network_id = $1 AND id = $2), 0)",
        )
        .bind(net.0)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(|_| ())
    })?;
    for a in accounts {
        db_run!(tx tx, |conn| {
            sqlx::query(
                "INSERT INTO event_organisers (network_id, event_id, account_id) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(net.0)
            .bind(id)
            .bind(*a)
            .execute(&mut *conn)
            .await
            .map(|_| ())
        })?;
    }
    tx.commit().await?;
    Ok(())
}

/// Puts `accounts` on the invitation list; how many were new.
pub async fn invite(
    db: &Db,
    net: NetworkId,
    id: i64,
    accounts: &[i64],
    by: i64,
    now: i64,
) -> Result<Vec<i64>> {
    let mut tx = db.begin_write().await?;
    let mut added = Vec::new();
    for a in accounts {
        let n = db_run!(tx tx, |conn| {
            sqlx::query(
                "INSERT INTO event_invites (network_id, event_id, account_id, invited_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(net.0)
            .bind(id)
            .bind(*a)
            .bind(by)
            .bind(now)
            .execute(&mut *conn)
            .await
            .map(|r| r.rows_affected())
        })?;
        if n > 0 {
            added.push(*a);
        }
    }
    tx.commit().await?;
    Ok(added)
}

/// The invitation list (account ids).
pub async fn invited(db: &Db, net: NetworkId, id: i64) -> Result<Vec<i64>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar(
            "SELECT account_id FROM event_invites WHERE network_id = $1 AND event_id = $2 \
             ORDER BY account_id",
        )
        .bind(net.0)
        .bind(id)
        .fetch_all(pool)
        .await
    })?)
}

// ─────────────────────────────── registrations ───────────────────────────────

/// A registration as stored.
#[derive(Clone, Debug, FromRow)]
pub struct Registration {
    pub id: i64,
    pub event_id: i64,
    pub account_id: i64,
    pub status: String,
    pub guests: i64,
    pub seats: i64,
    /// JSON list of answers, in question order.
    pub answers: String,
    pub unlisted: i64,
    pub waitlisted_at: Option<i64>,
    pub checked_in_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

const REGISTRATION: &str = "r.id, r.event_id, r.account_id, r.status, r.guests, r.seats, r.answers, \
     r.unlisted, r.waitlisted_at, r.checked_in_at, r.created_at, r.updated_at";

/// The viewer's registration for an event.
pub async fn registration_of(
    db: &Db,
    net: NetworkId,
    event: i64,
    account: i64,
) -> Result<Option<Registration>> {
    let sql = format!(
        "SELECT {REGISTRATION} FROM event_registrations r \
         WHERE r.network_id = $1 AND r.event_id = $2 AND r.account_id = $3"
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(event)
            .bind(account)
            .fetch_optional(pool)
            .await
    })?)
}

/// The registration `id` in this network (any event).
pub async fn registration(db: &Db, net: NetworkId, id: i64) -> Result<Option<Registration>> {
    let sql = format!(
        "SELECT {REGISTRATION} FROM event_registrations r WHERE r.network_id = $1 AND r.id = $2"
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(id)
            .fetch_optional(pool)
            .await
    })?)
}

/// What a person asks for.
#[derive(Clone, Debug)]
pub struct Ask<'a> {
    pub going: bool,
    pub guests: i64,
    /// JSON list.
    pub answers: &'a str,
    pub unlisted: bool,
    /// Whether a full event puts them on its waitlist (else: refused).
    pub waitlist: bool,
}

/// Someone moved from the waitlist to going.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Promoted {
    pub registration_id: i64,
    pub account_id: i64,
}

/// What a registration came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Registered {
    /// Now `status` (`going`, `waitlisted`, `not_going`); `changed`: it
    /// differs from before; `promoted`: others moved up by seats given
    /// back.
    Done {
        id: i64,
        status: String,
        changed: bool,
        promoted: Vec<Promoted>,
    },
    /// Full, and no waitlist.
    Full,
    /// Already going; the guests asked for do not fit.
    GuestsDoNotFit,
}

/// Takes `n` seats if they fit: the one conditional write.
async fn take(tx: &mut DbTx, net: NetworkId, event: i64, n: i64) -> Result<bool> {
    let got: Option<i64> = db_run!(tx tx, |conn| {
        sqlx::query_scalar(
            "UPDATE events SET taken = taken + $3 WHERE network_id = $1 AND id = $2 \
             AND (capacity IS NULL OR taken + $3 <= capacity) RETURNING taken",
        )
        .bind(net.0)
        .bind(event)
        .bind(n)
        .fetch_optional(&mut *conn)
        .await
    })?;
    Ok(got.is_some())
}

async fn give_back(tx: &mut DbTx, net: NetworkId, event: i64, n: i64) -> Result<()> {
    if n == 0 {
        return Ok(());
    }
    db_run!(tx tx, |conn| {
        sqlx::query("UPDATE events SET taken = taken - $3 WHERE network_id = $1 AND id = $2")
            .bind(net.0)
            .bind(event)
            .bind(n)
            .execute(&mut *conn)
            .await
            .map(|_| ())
    })?;
    Ok(())
}

#[derive(FromRow)]
struct Waiting {
    id: i64,
    account_id: i64,
    guests: i64,
}

/// Moves waitlisted registrations to going, in line order, while seats
/// are free (someone whose party does not fit lets the next one by).
async fn promote(tx: &mut DbTx, net: NetworkId, event: i64, now: i64) -> Result<Vec<Promoted>> {
    let waiting: Vec<Waiting> = db_run!(tx tx, |conn| {
        sqlx::query_as(
            "SELECT r.id, r.account_id, r.guests FROM event_registrations r \
             JOIN events e ON e.network_id = r.network_id AND e.id = r.event_id \
             WHERE r.network_id = $1 AND r.event_id = $2 AND r.status = 'waitlisted' \
             AND e.status = 'published' AND (e.capacity IS NULL OR e.taken < e.capacity) \
             ORDER BY r.waitlisted_at, r.id LIMIT 500",
        )
        .bind(net.0)
        .bind(event)
        .fetch_all(&mut *conn)
        .await
    })?;
    let mut promoted = Vec::new();
    for w in waiting {
        if !take(tx, net, event, 1 + w.guests).await? {
            continue;
        }
        db_run!(tx tx, |conn| {
            sqlx::query(
                "UPDATE event_registrations SET status = 'going', seats = $3, updated_at = $4 \
                 WHERE network_id = $1 AND id = $2",
            )
            .bind(net.0)
            .bind(w.id)
            .bind(1 + w.guests)
            .bind(now)
            .execute(&mut *conn)
            .await
            .map(|_| ())
        })?;
        promoted.push(Promoted {
            registration_id: w.id,
            account_id: w.account_id,
        });
    }
    Ok(promoted)
}

/// Registers `account` for `event` (or changes their answer). Seats are
/// taken by the conditional write; seats given back promote the
/// waitlist. Two registrations at once from one person (two tabs) make
/// one: the second finds the first and changes it.
pub async fn register(
    db: &Db,
    net: NetworkId,
    event: i64,
    account: i64,
    ask: &Ask<'_>,
    now: i64,
) -> Result<Registered> {
    // a race with the same person's other request (two tabs) is retried
    // against what the other one wrote; a few tries always settle it
    for _ in 0..4 {
        match register_once(db, net, event, account, ask, now).await {
            Err(StoreError::Sqlx(e)) if unique_violation(&e) => continue,
            Ok(None) => continue,
            Ok(Some(done)) => return Ok(done),
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Conflict("registration"))
}

async fn register_once(
    db: &Db,
    net: NetworkId,
    event: i64,
    account: i64,
    ask: &Ask<'_>,
    now: i64,
) -> Result<Option<Registered>> {
    let mut tx = db.begin_write().await?;
    let sql = format!(
        "SELECT {REGISTRATION} FROM event_registrations r \
         WHERE r.network_id = $1 AND r.event_id = $2 AND r.account_id = $3"
    );
    let before: Option<Registration> = db_run!(tx tx, |conn| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(event)
            .bind(account)
            .fetch_optional(&mut *conn)
            .await
    })?;
    let held = before.as_ref().map_or(0, |r| r.seats);
    let was = before.as_ref().map(|r| r.status.clone());
    let mut waitlisted_at = before.as_ref().and_then(|r| r.waitlisted_at);
    let (status, seats) = if ask.going {
        let want = 1 + ask.guests;
        let delta = want - held;
        if delta <= 0 {
            give_back(&mut tx, net, event, -delta).await?;
            ("going", want)
        } else if was.as_deref() == Some("waitlisted") {
            // still in line: their place stays; they move up when seats free
            ("waitlisted", 0)
        } else if take(&mut tx, net, event, delta).await? {
            ("going", want)
        } else if was.as_deref() == Some("going") {
            tx.rollback().await?;
            return Ok(Some(Registered::GuestsDoNotFit));
        } else if ask.waitlist {
            waitlisted_at = Some(now);
            ("waitlisted", 0)
        } else {
            tx.rollback().await?;
            return Ok(Some(Registered::Full));
        }
    } else {
        give_back(&mut tx, net, event, held).await?;
        ("not_going", 0)
    };
    let id: i64 = match &before {
        Some(r) => {
            // only if nobody changed it since it was read (else: retry)
            let n = db_run!(tx tx, |conn| {
                sqlx::query(
                    "UPDATE event_registrations SET status = $3, guests = $4, seats = $5, answers = $6, \
                     unlisted = $7, waitlisted_at = $8, updated_at = $9 WHERE network_id = $1 AND id = $2 \
                     AND status = $10 AND seats = $11",
                )
                .bind(net.0)
                .bind(r.id)
                .bind(status)
                .bind(if ask.going { ask.guests } else { 0 })
                .bind(seats)
                .bind(ask.answers)
                .bind(i64::from(ask.unlisted))
                .bind(if status == "waitlisted" { waitlisted_at } else { None })
                .bind(now)
                .bind(&r.status)
                .bind(r.seats)
                .execute(&mut *conn)
                .await
                .map(|r| r.rows_affected())
            })?;
            if n == 0 {
                tx.rollback().await?;
                return Ok(None);
            }
            r.id
        }
        None => db_run!(tx tx, |conn| {
            sqlx::query_scalar(
                "INSERT INTO event_registrations (network_id, event_id, account_id, status, guests, seats, \
                 answers, unlisted, waitlisted_at, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
            )
            .bind(net.0)
            .bind(event)
            .bind(account)
            .bind(status)
            .bind(if ask.going { ask.guests } else { 0 })
            .bind(seats)
            .bind(ask.answers)
            .bind(i64::from(ask.unlisted))
            .bind(if status == "waitlisted" { waitlisted_at } else { None })
            .bind(now)
            .fetch_one(&mut *conn)
            .await
        })?,
    };
    let promoted = if seats < held {
        promote(&mut tx, net, event, now).await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    Ok(Some(Registered::Done {
        id,
        changed: was.as_deref() != Some(status),
        status: status.to_string(),
        promoted,
    }))
}

/// A registration with the person's profile, for the attendee lists.
#[derive(Clone, Debug, FromRow)]
pub struct Attendee {
    #[sqlx(flatten)]
    pub registration: Registration,
    #[sqlx(flatten)]
    pub author: Author,
}

/// The event's registrations (every status), in registration order.
pub async fn attendees(db: &Db, net: NetworkId, event: i64) -> Result<Vec<Attendee>> {
    let sql = format!(
        "SELECT {REGISTRATION}, {AUTHOR} FROM event_registrations r \
         LEFT JOIN profiles p ON p.network_id = r.network_id AND p.account_id = r.account_id \
         WHERE r.network_id = $1 AND r.event_id = $2 ORDER BY r.created_at, r.id"
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(event)
            .fetch_all(pool)
            .await
    })?)
}

/// What a check-in came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckIn {
    /// Checked in now.
    Done,
    /// Already, at this instant.
    Already(i64),
    /// The registration is not (or no longer) going.
    NotGoing,
}

/// Checks registration `id` in (once: a second scan says when the first
/// was).
pub async fn check_in(db: &Db, net: NetworkId, id: i64, by: i64, now: i64) -> Result<CheckIn> {
    let n = db_run!(db, |pool| {
        sqlx::query(
            "UPDATE event_registrations SET checked_in_at = $3, checked_in_by = $4 \
             WHERE network_id = $1 AND id = $2 AND status = 'going' AND checked_in_at IS NULL",
        )
        .bind(net.0)
        .bind(id)
        .bind(now)
        .bind(by)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    if n > 0 {
        return Ok(CheckIn::Done);
    }
    Ok(match registration(db, net, id).await? {
        Some(r) if r.status == "going" => match r.checked_in_at {
            Some(at) => CheckIn::Already(at),
            None => CheckIn::NotGoing,
        },
        _ => CheckIn::NotGoing,
    })
}

// ─────────────────────────────── reminders ───────────────────────────────

/// A reminder to send.
#[derive(Clone, Debug, FromRow)]
pub struct Due {
    pub registration_id: i64,
    pub network_id: i64,
    pub event_id: i64,
    pub account_id: i64,
    pub starts_at: i64,
}

/// Going registrations of published events starting within `before` ms
/// of `now` (and not yet started) whose reminder `which` (`day`, `hour`)
/// has not gone out; at most `limit`.
pub async fn reminders_due(
    db: &Db,
    which: &str,
    before: i64,
    now: i64,
    limit: i64,
) -> Result<Vec<Due>> {
    let column = reminder_column(which);
    let sql = format!(
        "SELECT r.id AS registration_id, r.network_id, r.event_id, r.account_id, e.starts_at \
         FROM event_registrations r JOIN events e ON e.network_id = r.network_id AND e.id = r.event_id \
         WHERE e.status = 'published' AND e.starts_at > $1 AND e.starts_at <= $2 \
         AND r.status = 'going' AND r.{column} IS NULL ORDER BY e.starts_at, r.id LIMIT $3"
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .bind(now + before)
            .bind(limit)
            .fetch_all(pool)
            .await
    })?)
}

fn reminder_column(which: &str) -> &'static str {
    if which == "hour" {
        "reminded_hour"
    } else {
        "reminded_day"
    }
}

/// Marks reminder `which` of a registration sent; `false` when another
/// worker already did (so it goes out once).
pub async fn mark_reminded(
    db: &Db,
    net: NetworkId,
    registration: i64,
    which: &str,
    now: i64,
) -> Result<bool> {
    let column = reminder_column(which);
    let sql = format!(
        "UPDATE event_registrations SET {column} = $3 WHERE network_id = $1 AND id = $2 AND {column} IS NULL"
    );
    let n = db_run!(db, |pool| {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(registration)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

// ─────────────────────────────── calendar feeds ───────────────────────────────

/// Sets (or replaces) the account's calendar-feed secret.
pub async fn set_feed(db: &Db, account: i64, token_hash: &str, now: i64) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query(
            "INSERT INTO calendar_feeds (account_id, token_hash, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id) DO UPDATE SET token_hash = excluded.token_hash, \
             created_at = excluded.created_at",
        )
        .bind(account)
        .bind(token_hash)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Revokes the account's calendar feed.
pub async fn revoke_feed(db: &Db, account: i64) -> Result<()> {
    db_run!(db, |pool| {
        sqlx::query("DELETE FROM calendar_feeds WHERE account_id = $1")
            .bind(account)
            .execute(pool)
            .await
            .map(|_| ())
    })?;
    Ok(())
}

/// When the account's feed was made, if it has one.
pub async fn feed_of(db: &Db, account: i64) -> Result<Option<i64>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar("SELECT created_at FROM calendar_feeds WHERE account_id = $1")
            .bind(account)
            .fetch_optional(pool)
            .await
    })?)
}

/// The account a feed secret belongs to.
pub async fn feed_account(db: &Db, token_hash: &str) -> Result<Option<i64>> {
    Ok(db_run!(db, |pool| {
        sqlx::query_scalar("SELECT account_id FROM calendar_feeds WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(pool)
            .await
    })?)
}

/// The events an account is going to (or was, or that were cancelled
/// after they registered) in networks where it is an active member,
/// from `from` on, soonest first.
pub async fn going_events(db: &Db, account: i64, from: i64) -> Result<Vec<(String, Event)>> {
    #[derive(FromRow)]
    struct Row {
        slug: String,
        #[sqlx(flatten)]
        event: Event,
    }
    let sql = format!(
        "SELECT n.slug, {EVENT} FROM event_registrations r \
         JOIN events e ON e.network_id = r.network_id AND e.id = r.event_id \
         JOIN networks n ON n.id = e.network_id \
         JOIN memberships m ON m.network_id = e.network_id AND m.account_id = r.account_id \
         WHERE r.account_id = $1 AND r.status = 'going' AND m.status = 'active' \
         AND e.status IN ('published', 'cancelled') AND e.ends_at >= $2 \
         ORDER BY e.starts_at, e.id LIMIT 500"
    );
    let rows: Vec<Row> = db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(account)
            .bind(from)
            .fetch_all(pool)
            .await
    })?;
    Ok(rows.into_iter().map(|r| (r.slug, r.event)).collect())
}

// ─────────────────────────────── era balance ───────────────────────────────

/// One stint of a person, as era balance reads it (from the stints others
/// see: their own, else HR's).
#[derive(Clone, Debug, FromRow)]
pub struct EraRow {
    pub account_id: i64,
    pub joined_ym: Option<i64>,
    pub left_ym: Option<i64>,
    /// JSON list.
    pub departments: String,
}

/// The stints of `accounts` (in order per person); with `None`, of the
/// network's active members (the first `limit` by account), for
/// suggesting invitees.
pub async fn era_rows(
    db: &Db,
    net: NetworkId,
    accounts: Option<&[i64]>,
    limit: i64,
) -> Result<Vec<EraRow>> {
    let columns = "SELECT p.account_id, t.joined_ym, t.left_ym, t.departments FROM profiles p \
         JOIN tenures t ON t.network_id = p.network_id AND t.profile_id = p.id AND t.source = p.stints_source \
         WHERE p.network_id = $1 AND p.account_id IS NOT NULL";
    match accounts {
        Some(list) => {
            let sql = format!(
                "{columns} AND {} ORDER BY p.account_id, t.position",
                db.dialect().in_list("p.account_id", 2)
            );
            let ids = crate::IdList(list.to_vec());
            Ok(db_run!(db, |pool| {
                sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind(net.0)
                    .bind(&ids)
                    .fetch_all(pool)
                    .await
            })?)
        }
        None => {
            let sql = format!(
                "{columns} AND p.account_id IN (SELECT m.account_id FROM memberships m \
                 WHERE m.network_id = $1 AND m.status = 'active' ORDER BY m.account_id LIMIT $2) \
                 ORDER BY p.account_id, t.position"
            );
            Ok(db_run!(db, |pool| {
                sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind(net.0)
                    .bind(limit)
                    .fetch_all(pool)
                    .await
            })?)
        }
    }
}
