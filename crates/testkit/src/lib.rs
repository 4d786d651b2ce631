//! # enishi-testkit — real parts for tests
//!
//! * [`TestDb`]: a fresh, migrated database — a SQLite file in a temporary
//!   directory, or a new PostgreSQL database created for this test and
//!   dropped after it (`ENISHI_TEST_POSTGRES_URL` names the server).
//! * [`TestApp`]: the real application served on `127.0.0.1:0` over such a
//!   database, its job worker sending mail to a real SMTP server
//!   ([`MailSink`]), and [`Visitor`]s: HTTP clients that keep cookies and
//!   fill in CSRF tokens like a browser's form would.
//! * [`Browser`]: headless Chromium through chromedriver (Debian's
//!   `chromium` and `chromium-driver`), for journeys and screenshots.
//! * [`dual_test!`]: runs one test body on SQLite and on PostgreSQL.
//!
//! PostgreSQL and Chromium may be missing on a developer's machine: those
//! tests then say once, on stderr, that they were skipped and why. Under
//! `CI=true` a missing PostgreSQL or Chromium fails the run instead.

mod browser;
mod db;
mod mail;

use std::io::Write;
use std::sync::{Arc, Once};

use enishi_store::Db;
use enishi_store::accounts::{self, Account};
use enishi_web::{AppState, WebConfig};
use reqwest::cookie::CookieStore;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use browser::Browser;
pub use db::TestDb;
pub use enishi_store::Backend;
pub use mail::{Mail, MailSink};

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

/// The real application on a free local port over a fresh database, with
/// its job worker sending mail to a real SMTP sink.
pub struct TestApp {
    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub base: String,
    pub db: Db,
    pub backend: Backend,
    /// The default visitor (a browser with its own cookies).
    pub visitor: Visitor,
    /// Every e-mail the application sent.
    pub mail: MailSink,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
    worker: Option<enishi_jobs::WorkerHandle>,
    _database: TestDb,
}

impl std::ops::Deref for TestApp {
    type Target = Visitor;
    fn deref(&self) -> &Visitor {
        &self.visitor
    }
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
        let mail = MailSink::start().await;
        let mailer = enishi_jobs::mail::Mailer::from_settings(
            Some(&mail.url()),
            "Enishi <no-reply@enishi.test>",
        )
        .expect("mailer");
        let worker = enishi_jobs::Worker::new(
            database.db.clone(),
            enishi_jobs::Handlers::standard(mailer),
            enishi_jobs::WorkerConfig {
                idle: std::time::Duration::from_millis(50),
                backoff: std::time::Duration::from_millis(100),
                sweep_every: std::time::Duration::from_millis(100),
                ..Default::default()
            },
        );
        let state = AppState::with_waker(database.db.clone(), config, Some(worker.waker()));
        let worker = enishi_web::register_sweeps(worker, &state).spawn();
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(enishi_web::serve(listener, state, async {
            let _ = rx.await;
        }));
        TestApp {
            visitor: Visitor::new(&base),
            base,
            db: database.db.clone(),
            backend,
            mail,
            shutdown: Some(tx),
            server: Some(server),
            worker: Some(worker),
            _database: database,
        }
    }

    /// The database URL (for starting the real binary against it).
    pub fn database_url(&self) -> String {
        match &self._database.config {
            enishi_store::DbConfig::Sqlite { path } => format!("sqlite://{}", path.display()),
            enishi_store::DbConfig::Postgres { url } => url.clone(),
        }
    }

    /// A second node of the application: the same code over the same
    /// database through its own connection pool, on its own port — as two
    /// app servers behind a load balancer. (It has no job worker.)
    pub async fn second_node(&self) -> Node {
        let db = self
            ._database
            .config
            .open()
            .await
            .expect("open the database again");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        let base = format!("http://127.0.0.1:{port}");
        let config = WebConfig::new(url::Url::parse(&format!("{base}/")).expect("base url"));
        let state = AppState::new(db, config);
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(enishi_web::serve(listener, state, async {
            let _ = rx.await;
        }));
        Node {
            base,
            shutdown: Some(tx),
            server: Some(server),
        }
    }

    /// Another visitor: a separate browser with its own cookies.
    pub fn new_visitor(&self) -> Visitor {
        Visitor::new(&self.base)
    }

    /// Creates an account with a verified primary address (and a password,
    /// if given) directly in the database.
    pub async fn create_account(
        &self,
        email: &str,
        name: &str,
        password: Option<&str>,
        operator: bool,
    ) -> Account {
        let account = accounts::create(
            &self.db,
            &accounts::NewAccount {
                display_name: name,
                email,
                email_verified: true,
                lang: "ja",
                time_zone: "Asia/Tokyo",
                is_operator: operator,
            },
        )
        .await
        .expect("create account");
        if let Some(password) = password {
            let hash = enishi_web::auth::hash_password(password.to_string())
                .await
                .expect("hash");
            accounts::set_password_hash(&self.db, account.id, Some(&hash))
                .await
                .expect("set password");
        }
        accounts::by_id(&self.db, account.id)
            .await
            .unwrap()
            .unwrap()
    }

    /// Signs `visitor` in by e-mailed link, as a person would: asks for a
    /// link, opens the mail that arrived in the SMTP sink, confirms.
    pub async fn sign_in_by_link(&self, visitor: &Visitor, email: &str) {
        let before = self.mail.to(email).len();
        let res = visitor.post_form("/signin/link", &[("email", email)]).await;
        assert_eq!(res.status(), 200, "link request");
        let mail = self.mail.wait_for_nth(email, before + 1).await;
        let link = mail.link("/signin/link?token=");
        let path = link.strip_prefix(&self.base).expect("link on our base URL");
        let (status, page) = visitor.get_text(path).await;
        assert_eq!(status, 200, "{page}");
        let token = path
            .split("token=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap();
        let res = visitor
            .post_form("/signin/link/confirm", &[("token", token)])
            .await;
        assert_eq!(res.status(), 303, "confirm");
    }

    /// A visitor signed in as `account_id` through a session made directly
    /// in the database (fast; the sign-in flows have tests of their own).
    pub async fn visitor_signed_in_as(&self, account_id: i64) -> Visitor {
        let visitor = self.new_visitor();
        let token = format!("{:064x}", unique_number());
        let now = enishi_store::now_ms();
        enishi_store::sessions::create(
            &self.db,
            &enishi_store::sessions::NewSession {
                token_hash: &enishi_core::secret::hash_token(&token),
                account_id,
                now,
                expires_at: now + enishi_web::auth::SESSION_TTL_MS,
                ip: Some("127.0.0.1"),
                user_agent: Some("testkit"),
            },
        )
        .await
        .expect("create session");
        visitor.set_cookie(enishi_web::auth::SESSION_COOKIE, &token);
        visitor.get("/").await;
        visitor
    }

    /// Signs `visitor` in with a password; returns the response.
    pub async fn sign_in(
        &self,
        visitor: &Visitor,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        visitor
            .post_form("/signin", &[("email", email), ("password", password)])
            .await
    }

    /// Stops the server (waiting for requests in flight) and the worker.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        if let Some(worker) = self.worker.take() {
            worker.stop().await;
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

/// A second app node over a test app's database ([`TestApp::second_node`]).
pub struct Node {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// A browser-like HTTP client: its own cookie jar, no automatic redirects,
/// and forms submitted with the CSRF token the site gave it.
pub struct Visitor {
    pub base: String,
    pub client: reqwest::Client,
    jar: Arc<reqwest::cookie::Jar>,
}

impl Visitor {
    pub fn new(base: &str) -> Visitor {
        let (client, jar) = new_client();
        Visitor {
            base: base.to_string(),
            client,
            jar,
        }
    }

    /// The same browser (cookies and all) talking to another node at
    /// `base` (cookies do not depend on the port).
    pub fn on(&self, base: &str) -> Visitor {
        Visitor {
            base: base.to_string(),
            client: self.client.clone(),
            jar: self.jar.clone(),
        }
    }

    /// Absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// Fetches `path` and returns its status and body text.
    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let res = self.get(path).await;
        let status = res.status().as_u16();
        (status, res.text().await.expect("body"))
    }

    /// The value of cookie `name` for this site.
    pub fn cookie(&self, name: &str) -> Option<String> {
        let url = url::Url::parse(&self.base).expect("base");
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split(';')
            .filter_map(|p| p.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }

    /// Sets a cookie for this site, as if the site had set it.
    pub fn set_cookie(&self, name: &str, value: &str) {
        let url = url::Url::parse(&self.base).expect("base");
        self.jar
            .add_cookie_str(&format!("{name}={value}; Path=/"), &url);
    }

    /// The CSRF token the site gave this visitor (after a page load).
    pub fn csrf_token(&self) -> Option<String> {
        self.cookie(enishi_web::csrf::COOKIE_NAME)
    }

    /// Submits a form as a browser would: loads `/` first if no CSRF token
    /// is known yet, then posts `fields` plus the token.
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
}

/// A number unique within this process (for names and tokens in tests).
pub fn unique_number() -> u128 {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    nanos ^ (u128::from(COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)) << 100)
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
