//! Live updates by server-sent events (ARCHITECTURE.md: no broker).
//!
//! Something happens for some accounts — a message arrives, a
//! notification is made — and the code that did it calls
//! [`Hub::publish`]. Every open `GET /live` stream of those accounts, on
//! every app node, then gets an event and the page's script fetches what
//! is new (the event itself carries ids only, never content).
//!
//! On PostgreSQL the event goes through `pg_notify` on the channel
//! [`CHANNEL`], and each node's listener task hands what it hears to its
//! own streams: several nodes behind a load balancer see each other's
//! events. On SQLite there is one node and the event goes straight to the
//! in-process channel. A node that lost its listener connection reconnects;
//! pages catch up by asking for what is newer than what they show, so an
//! event lost in between costs a delay, not a message.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use enishi_store::Db;
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, watch};

use crate::auth::Viewer;
use crate::{AppError, AppState};

/// The PostgreSQL channel live events travel on.
pub const CHANNEL: &str = "enishi_live";
/// A stream is closed after this long; the browser reconnects (and so
/// proves its session again).
const STREAM_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// Something new for some accounts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The accounts it is for.
    pub to: Vec<i64>,
    /// `message` or `notification`.
    pub what: String,
    pub network: i64,
    /// The conversation a message arrived in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<i64>,
    /// The new message's or notification's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
}

/// The fan-out of live events on this node.
pub struct Hub {
    local: broadcast::Sender<Event>,
    /// PostgreSQL carries events between nodes; `None` on SQLite.
    pg: Option<enishi_store::sqlx::PgPool>,
    closed: watch::Sender<bool>,
}

impl Hub {
    /// The hub for `db`; on PostgreSQL its listener task starts (when a
    /// runtime is there to run it).
    pub fn start(db: &Db) -> Arc<Hub> {
        let (local, _) = broadcast::channel(1024);
        let (closed, _) = watch::channel(false);
        let pg = match db {
            Db::Postgres(pool) => Some(pool.clone()),
            Db::Sqlite(_) => None,
        };
        let hub = Arc::new(Hub { local, pg, closed });
        if let (Some(pool), Ok(rt)) = (&hub.pg, tokio::runtime::Handle::try_current()) {
            rt.spawn(listen(
                pool.clone(),
                hub.local.clone(),
                hub.closed.subscribe(),
            ));
        }
        hub
    }

    /// Tells every node's streams of `event.to` about it. A failure is
    /// logged: what happened is stored, and pages catch up.
    pub async fn publish(&self, event: Event) {
        if event.to.is_empty() {
            return;
        }
        match &self.pg {
            Some(pool) => {
                let payload = serde_json::to_string(&event).unwrap_or_default();
                if let Err(e) = enishi_store::sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CHANNEL)
                    .bind(payload)
                    .execute(pool)
                    .await
                {
                    tracing::warn!(error = %e, "could not publish a live event");
                }
            }
            None => {
                let _ = self.local.send(event);
            }
        }
    }

    /// Events on this node from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.local.subscribe()
    }

    /// Ends every stream and the listener (the server is shutting down:
    /// open streams would keep it waiting for ever).
    pub fn close(&self) {
        let _ = self.closed.send(true);
    }

    fn closing(&self) -> watch::Receiver<bool> {
        self.closed.subscribe()
    }
}

/// Hears other nodes' (and this node's) events on PostgreSQL.
async fn listen(
    pool: enishi_store::sqlx::PgPool,
    local: broadcast::Sender<Event>,
    mut closed: watch::Receiver<bool>,
) {
    use enishi_store::sqlx::postgres::PgListener;
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "live events: cannot connect the listener; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(2)) => continue,
                    _ = closed.changed() => return,
                }
            }
        };
        if let Err(e) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %e, "live events: LISTEN failed; retrying");
            tokio::time::sleep(Duration::from_secs(2)).await;
            continue;
        }
        loop {
            tokio::select! {
                got = listener.recv() => match got {
                    Ok(n) => match serde_json::from_str::<Event>(n.payload()) {
                        Ok(event) => { let _ = local.send(event); }
                        Err(e) => tracing::warn!(error = %e, "live events: unreadable payload"),
                    },
                    Err(e) => {
                        tracing::warn!(error = %e, "live events: listener lost; reconnecting");
                        break;
                    }
                },
                _ = closed.changed() => return,
            }
        }
    }
}

/// `GET /live`: the signed-in account's live events, as server-sent
/// events (`event: message` / `event: notification`, data: the event's
/// network, conversation and id as JSON).
pub async fn stream(State(state): State<AppState>, viewer: Viewer) -> Result<Response, AppError> {
    let me = viewer.account().ok_or(AppError::NotFound)?.id;
    let events = state.live.subscribe();
    let closing = state.live.closing();
    let deadline = tokio::time::Instant::now() + STREAM_LIFETIME;
    struct Stream {
        events: broadcast::Receiver<Event>,
        closing: watch::Receiver<bool>,
        me: i64,
        deadline: tokio::time::Instant,
        greeted: bool,
    }
    let start = Stream {
        events,
        closing,
        me,
        deadline,
        greeted: false,
    };
    let body = futures_util::stream::unfold(start, |mut s| async move {
        if !s.greeted {
            s.greeted = true;
            // tells the script the stream is open (and how soon to retry)
            let hello = SseEvent::default()
                .event("ready")
                .data("{}")
                .retry(Duration::from_secs(3));
            return Some((Ok::<_, Infallible>(hello), s));
        }
        loop {
            if *s.closing.borrow() {
                return None;
            }
            tokio::select! {
                got = s.events.recv() => match got {
                    Ok(e) if e.to.contains(&s.me) => {
                        let data = serde_json::json!({
                            "network": e.network,
                            "conversation": e.conversation,
                            "id": e.id,
                        });
                        let out = SseEvent::default().event(e.what.clone()).data(data.to_string());
                        return Some((Ok(out), s));
                    }
                    Ok(_) => continue,
                    // fell behind: tell the page to catch up
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        let out = SseEvent::default().event("resync").data("{}");
                        return Some((Ok(out), s));
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = s.closing.changed() => return None,
                _ = tokio::time::sleep_until(s.deadline) => return None,
            }
        }
    });
    let mut res = Sse::new(body)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(20)))
        .into_response();
    // proxies must not buffer the stream
    res.headers_mut().insert(
        "x-accel-buffering",
        axum::http::HeaderValue::from_static("no"),
    );
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}
