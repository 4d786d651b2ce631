//! # enishi-testkit — real parts for tests
//!
//! * [`TestDb`]: a fresh, migrated database — a SQLite file in a temporary
//!   directory, or a new PostgreSQL database created for this test and
//!   dropped after it (`ENISHI_TEST_POSTGRES_URL` names the server).
//! * [`TestApp`]: the real application served on `127.0.0.1:0` over such a
//!   database, with an HTTP client that keeps cookies and fills in CSRF
//!   tokens like a browser's form would.
//! * [`Browser`]: headless Chromium through chromedriver (Debian's
//!   `chromium` and `chromium-driver`), for journeys and screenshots.
//! * [`dual_test!`]: runs one test body on SQLite and on PostgreSQL.
//!
//! PostgreSQL and Chromium may be missing on a developer's machine: those
//! tests then say once, on stderr, that they were skipped and why. Under
//! `CI=true` a missing PostgreSQL or Chromium fails the run instead.

mod browser;
mod db;

use std::io::Write;
use std::sync::{Arc, Once};

use enishi_store::Db;
use enishi_web::{AppState, WebConfig};
use reqwest::cookie::CookieStore;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use browser::Browser;
pub use db::TestDb;
pub use enishi_store::Backend;

/// Environment variable naming the PostgreSQL server for the suite, e.g.
/// `postgres://postgres@127.0.0.1:5432/postgres`.
pub const PG_ENV: &str = "ENISHI_TEST_POSTGRES_URL";

/// Whether we run under CI (`CI=true`), where nothing may be skipped.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Says once per test binary, past the test harness's output capture, that
/// a suite was skipped.
pub fn announce_skip(once: &'static Once, what: &str) {
    once.call_once(|| {
        let _ = writeln!(std::io::stderr(), "\n*** SKIPPED: {what} ***\n");
    });
}

/// Whether the PostgreSQL half of [`dual_test!`] runs. Without
/// `ENISHI_TEST_POSTGRES_URL` it is skipped (announced), except under CI,
/// where that is a failure.
pub fn postgres_enabled() -> bool {
    static ONCE: Once = Once::new();
    if std::env::var(PG_ENV).is_ok_and(|v| !v.is_empty()) {
        return true;
    }
    assert!(
        !in_ci(),
        "CI=true but {PG_ENV} is not set: the PostgreSQL suite must run in CI"
    );
    announce_skip(
        &ONCE,
        &format!(
            "PostgreSQL tests, because {PG_ENV} is not set (e.g. {PG_ENV}=postgres://postgres@127.0.0.1:5432/postgres)"
        ),
    );
    false
}

/// Declares, for each named `async fn NAME(backend: Backend)`, two tests:
/// `NAME::sqlite` and `NAME::postgres`.
#[macro_export]
macro_rules! dual_test {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::postgres_enabled() {
                    super::$name($crate::Backend::Postgres).await
                }
            }
        }
    )+};
}

/// The real application on a free local port over a fresh database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub base: String,
    pub db: Db,
    pub backend: Backend,
    pub client: reqwest::Client,
    jar: Arc<reqwest::cookie::Jar>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
    _database: TestDb,
}

impl TestApp {
    /// Starts the application with default settings.
    pub async fn start(backend: Backend) -> TestApp {
        TestApp::start_with(backend, |_| {}).await
    }

    /// Starts the application after `tweak` has adjusted its settings.
    pub async fn start_with(backend: Backend, tweak: impl FnOnce(&mut WebConfig)) -> TestApp {
        let database = TestDb::create(backend).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        let base = format!("http://127.0.0.1:{port}");
        let mut config = WebConfig::new(url::Url::parse(&format!("{base}/")).expect("base url"));
        tweak(&mut config);
        let state = AppState::new(database.db.clone(), config);
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(enishi_web::serve(listener, state, async {
            let _ = rx.await;
        }));
        let (client, jar) = new_client();
        TestApp {
            base,
            db: database.db.clone(),
            backend,
            client,
            jar,
            shutdown: Some(tx),
            server: Some(server),
            _database: database,
        }
    }

    /// Absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `GET path` with this app's client (cookies kept).
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// Fetches `path` and returns its status and body text.
    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let res = self.get(path).await;
        let status = res.status().as_u16();
        (status, res.text().await.expect("body"))
    }

    /// The CSRF token the site gave this client (after it has loaded a page).
    pub fn csrf_token(&self) -> Option<String> {
        let url = url::Url::parse(&self.base).expect("base");
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split(';')
            .filter_map(|p| p.trim().split_once('='))
            .find(|(k, _)| *k == enishi_web::csrf::COOKIE_NAME)
            .map(|(_, v)| v.to_string())
    }

    /// Submits a form to `path` as a browser would: loads `/` first if no
    /// CSRF token is known yet, then posts `fields` plus the token.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        if self.csrf_token().is_none() {
            self.get("/").await;
        }
        let token = self.csrf_token().expect("the home page sets a CSRF cookie");
        let mut body: Vec<(&str, &str)> = fields.to_vec();
        body.push((enishi_web::csrf::FIELD, &token));
        self.client
            .post(self.url(path))
            .form(&body)
            .send()
            .await
            .expect("POST")
    }

    /// Stops the server, waiting for requests in flight.
    pub async fn stop(mut self) {
        self.shutdown_now().await;
    }

    async fn shutdown_now(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// A client like a fresh browser: its own cookie jar, no automatic redirects.
pub fn new_client() -> (reqwest::Client, Arc<reqwest::cookie::Jar>) {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client");
    (client, jar)
}
