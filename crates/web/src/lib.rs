//! # enishi-web — what people and programs talk to
//!
//! The axum application: server-rendered pages (askama, auto-escaped), the
//! JSON API under `/api/v1` with its OpenAPI document, static assets
//! embedded in the binary, and the i18n catalogue (Japanese first).
//!
//! Every route is a row of one table ([`routes::table`]): path, method,
//! handler and who may call it. The router is built from that table and the
//! authorization-matrix test walks the same table, so a route cannot exist
//! without its access rule being tested.
//!
//! Failures have one path ([`error`]): handlers return [`AppError`], and one
//! middleware turns every error response — ours, axum's rejections, the body
//! limit, the timeout, a caught panic — into an HTML page in the visitor's
//! language or, under `/api`, an RFC 9457 problem document.

pub mod account;
pub mod account_api;
pub mod api;
pub mod assets;
pub mod auth;
pub mod business_matching;
pub mod businesses;
pub mod csrf;
pub mod ctx;
pub mod error;
pub mod events;
pub mod events_api;
pub mod events_pages;
pub mod groups;
pub mod groups_api;
pub mod i18n;
pub mod images;
pub mod intake;
mod layers;
pub mod live;
pub mod mail;
pub mod markdown;
pub mod messages;
pub mod messages_api;
pub mod moderation;
pub mod network_admin;
pub mod networks;
pub mod networks_api;
pub mod notifications;
pub mod operator;
pub mod opportunities;
pub mod opportunities_api;
pub mod opportunities_pages;
pub mod opportunities_pipeline;
pub mod posts;
pub mod posts_api;
pub mod profiles;
pub mod profiles_api;
pub mod recent;
pub mod routes;
pub mod scope;
pub mod signin;
pub mod site;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use enishi_store::Db;
use tokio::net::TcpListener;

pub use error::AppError;

/// Settings the web layer needs. Built by the CLI from flags and `ENISHI_*`
/// variables; by the test kit from its own choices.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// The public address of the site. Every link we send out (e-mail,
    /// calendar files) is built from this, never from the request's `Host`.
    pub base_url: url::Url,
    /// A request taking longer than this is answered with 408.
    pub request_timeout: Duration,
    /// Largest request body accepted, in bytes (413 above it).
    pub body_limit: usize,
    /// Proxies whose `X-Forwarded-For` is believed (`--trusted-proxies`).
    pub trusted_proxies: Vec<enishi_core::net::IpRange>,
    /// Directory searches and profile views one account may make per
    /// minute, pages and API together (anti-scraping).
    pub views_per_minute: i64,
    /// Largest leavers' CSV an admin may upload, in bytes
    /// (default 50 MB).
    pub import_limit: usize,
    /// Serve `GET /__bench/hello` through every layer: the benchmark's
    /// baseline (`enishi serve --bench-baseline`, never in production).
    pub bench_baseline: bool,
}

impl WebConfig {
    /// Defaults for a site at `base_url`.
    pub fn new(base_url: url::Url) -> WebConfig {
        WebConfig {
            base_url,
            request_timeout: Duration::from_secs(30),
            body_limit: 1024 * 1024,
            trusted_proxies: Vec::new(),
            views_per_minute: profiles::VIEWS_PER_MINUTE,
            import_limit: 50 * 1024 * 1024,
            bench_baseline: false,
        }
    }

    /// Cookies carry `Secure` when the site is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.scheme() == "https"
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState(Arc<StateInner>);

pub struct StateInner {
    pub db: Db,
    pub config: WebConfig,
    /// The OpenAPI document, rendered once at start-up.
    pub openapi_json: String,
    /// Wakes the job worker after something was queued (optional: without
    /// it the worker finds the job on its next poll).
    pub jobs_waker: Option<Arc<tokio::sync::Notify>>,
    /// Live events to open `GET /live` streams, on every node.
    pub live: Arc<live::Hub>,
    /// Slow results kept for a few minutes (see [`recent`]).
    pub recent: recent::Recents,
    /// Directory searches and profile views per account, on SQLite
    /// (`profiles::count_view`).
    pub views: enishi_store::throttle::InProcess,
}

impl std::ops::Deref for AppState {
    type Target = StateInner;
    fn deref(&self) -> &StateInner {
        &self.0
    }
}

impl AppState {
    pub fn new(db: Db, config: WebConfig) -> AppState {
        AppState::with_waker(db, config, None)
    }

    pub fn with_waker(
        db: Db,
        config: WebConfig,
        jobs_waker: Option<Arc<tokio::sync::Notify>>,
    ) -> AppState {
        AppState(Arc::new(StateInner {
            live: live::Hub::start(&db),
            db,
            config,
            openapi_json: api::openapi_json(),
            jobs_waker,
            recent: recent::Recents::default(),
            views: Default::default(),
        }))
    }

    /// Tells the worker that a job is waiting.
    pub fn wake_jobs(&self) {
        if let Some(waker) = &self.jobs_waker {
            waker.notify_one();
        }
    }

    /// Writes an entry to the audit log. A failure to write is logged, not
    /// returned: the action it records has already happened.
    pub async fn record_event(
        &self,
        network_id: Option<i64>,
        actor: Option<i64>,
        action: &str,
        target: Option<&str>,
        ip: &str,
    ) {
        let entry = enishi_store::audit::NewEntry {
            network_id,
            actor_id: actor,
            action,
            target,
            ip: Some(ip),
            detail: None,
        };
        if let Err(e) = enishi_store::audit::record(&self.db, &entry, enishi_store::now_ms()).await
        {
            tracing::error!(error = %e, action, "could not write the audit log");
        }
    }

    /// An absolute link to `path_and_query` on this site, built from
    /// `--base-url` (never from the request's Host header).
    pub fn link(&self, path_and_query: &str) -> String {
        let base = self.config.base_url.as_str().trim_end_matches('/');
        format!("{base}{path_and_query}")
    }
}

/// The whole application: the route table plus the layers every request
/// passes through.
pub fn app(state: AppState) -> Router {
    let mut router = routes::router();
    if state.config.bench_baseline {
        router = router.route(
            "/__bench/hello",
            axum::routing::get(|| async { "hello, world" }),
        );
    }
    layers::wrap(router, &state).with_state(state)
}

/// Serves `state` on `listener` until `shutdown` resolves; requests already
/// in flight are finished before this returns.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let hub = state.live.clone();
    let app = app(state).into_make_service_with_connect_info::<SocketAddr>();
    // open live streams would keep a graceful shutdown waiting for ever
    let shutdown = async move {
        shutdown.await;
        hub.close();
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// The job worker with every periodic sweep of the application: the
/// alumni intake's, the digests, event reminders.
pub fn register_sweeps(worker: enishi_jobs::Worker, state: &AppState) -> enishi_jobs::Worker {
    events::register(
        notifications::register(intake::register(worker, state), state),
        state,
    )
}
