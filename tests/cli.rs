//! The `enishi` binary as an operator meets it: flags, first start with no
//! flags, both databases, graceful shutdown, and one clear line for every
//! mistake (no panic, no backtrace, exit code ≠ 0).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use enishi_store::DbConfig;
use enishi_testkit::{Backend, TestDb, dual_test};

const BIN: &str = env!("CARGO_BIN_EXE_enishi");

fn enishi(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("ENISHI_DATABASE_URL")
        .env_remove("ENISHI_DATA_DIR")
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("run enishi")
}

/// Asserts a failure reported as exactly one line containing `needle`.
fn assert_one_line_failure(out: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "exit code; stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected, got: {stderr}");
    assert!(lines[0].starts_with("enishi: error: "), "{stderr}");
    assert!(lines[0].contains(needle), "{needle:?} not in: {stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
}

#[test]
fn version_and_help_speak_to_a_newcomer() {
    let dir = tempfile::tempdir().unwrap();
    let out = enishi(dir.path(), &["--version"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("enishi {}", env!("CARGO_PKG_VERSION"))
    );
    let out = enishi(dir.path(), &["--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    for word in ["serve", "migrate", "demo", "enishi serve --demo", "ENISHI_"] {
        assert!(help.contains(word), "--help lacks {word}: {help}");
    }
    let out = enishi(dir.path(), &["serve", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    for word in [
        "--bind",
        "--data-dir",
        "--database-url",
        "--base-url",
        "--demo",
        "ENISHI_BIND",
    ] {
        assert!(help.contains(word), "serve --help lacks {word}: {help}");
    }
}

#[test]
fn unknown_flags_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let out = enishi(dir.path(), &["serve", "--colour", "blue"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: unexpected argument '--colour' found"),
        "{stderr}"
    );
    let out = enishi(dir.path(), &["serve", "--bind", "localhost"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid value 'localhost' for '--bind"));
    assert!(
        !dir.path().join("enishi-data").exists(),
        "a refused command writes nothing"
    );
}

#[test]
fn an_unusable_data_dir_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a-file"), "not a directory").unwrap();
    let out = enishi(dir.path(), &["migrate", "--data-dir", "a-file/data"]);
    assert_one_line_failure(&out, "cannot create the data directory a-file/data");
    assert_one_line_failure(&out, "--data-dir");
}

#[test]
fn malformed_database_urls_are_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    for (url, needle) in [
        (
            "mysql://root@localhost/enishi",
            "unsupported database URL scheme \"mysql\"",
        ),
        (
            "postgres://u:pw@db:port/x",
            "the PostgreSQL URL is malformed",
        ),
        ("just-a-word", "must start with postgres://"),
    ] {
        let out = enishi(dir.path(), &["migrate", "--database-url", url]);
        assert_one_line_failure(&out, needle);
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains(":pw@"),
            "passwords never shown"
        );
    }
}

#[test]
fn an_unreachable_postgres_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = enishi(
        dir.path(),
        &[
            "migrate",
            "--database-url",
            "postgres://enishi:hunter2@127.0.0.1:1/enishi",
        ],
    );
    assert_one_line_failure(&out, "cannot connect to PostgreSQL at 127.0.0.1:1/enishi");
    assert_one_line_failure(&out, "is PostgreSQL running");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("hunter2"));
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "gives up in reasonable time"
    );
}

#[test]
fn a_bad_base_url_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = enishi(
        dir.path(),
        &[
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--base-url",
            "ftp://files.example",
        ],
    );
    assert_one_line_failure(
        &out,
        "--base-url \"ftp://files.example\" must start with https://",
    );
    let out = enishi(
        dir.path(),
        &[
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--base-url",
            "alumni.example.co.jp",
        ],
    );
    assert_one_line_failure(&out, "is not a URL");
}

#[test]
fn a_port_in_use_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = enishi(dir.path(), &["serve", "--bind", &addr]);
    assert_one_line_failure(
        &out,
        &format!("cannot listen on {addr}: the address is already in use"),
    );
}

/// A running server started in `dir` with `args`; its printed URL.
struct Server {
    child: Child,
    url: String,
    /// Everything the server wrote to stderr, once it exits.
    stderr: Option<std::thread::JoinHandle<String>>,
}

/// Reads a child's output to its end on a thread of its own, keeping it: a
/// server whose pipe nobody empties blocks on its next log line (a slow
/// statement's warning carries the whole statement) and stops answering.
fn drain(mut from: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut all = Vec::new();
        let _ = from.read_to_end(&mut all);
        String::from_utf8_lossy(&all).into_owned()
    })
}

impl Server {
    fn start(dir: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .args(args)
            .current_dir(dir)
            .env_remove("ENISHI_DATABASE_URL")
            .env_remove("ENISHI_DATA_DIR")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start enishi");
        // read from the start: loading the demo logs before the URL
        let stderr = drain(child.stderr.take().unwrap());
        let mut first = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut first).unwrap();
        let Some(start) = first.find("http://") else {
            let _ = child.kill();
            let err = stderr.join().unwrap_or_default();
            panic!("no URL printed; stdout: {first:?}; stderr: {err}");
        };
        let url = first[start..]
            .split_whitespace()
            .next()
            .unwrap()
            .to_string();
        drain(stdout);
        Server {
            child,
            url,
            stderr: Some(stderr),
        }
    }

    fn addr(&self) -> String {
        self.url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string()
    }

    fn get(&self, path: &str) -> String {
        let mut stream = TcpStream::connect(self.addr()).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    }

    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn wait(mut self) -> (std::process::ExitStatus, String) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let err = self
                    .stderr
                    .take()
                    .map(|t| t.join().unwrap_or_default())
                    .unwrap_or_default();
                return (status, err);
            }
            assert!(
                Instant::now() < deadline,
                "the server did not stop within 20 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// With no flags but a free port, `serve` creates ./enishi-data/enishi.sqlite3
/// (WAL), answers in Japanese at the printed URL, and on SIGTERM finishes the
/// request in flight before it exits cleanly.
#[test]
fn serve_starts_with_defaults_and_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["serve", "--bind", "127.0.0.1:0"]);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );
    assert!(dir.path().join("enishi-data/enishi.sqlite3").exists());
    assert!(
        dir.path().join("enishi-data/enishi.sqlite3-wal").exists(),
        "WAL mode"
    );
    let home = server.get("/");
    assert!(home.starts_with("HTTP/1.1 200"), "{home}");
    assert!(home.contains(r#"<html lang="ja">"#) && home.contains("辞めたあとも、縁は続く。"));

    // A request whose body is still arriving when SIGTERM comes.
    let mut in_flight = TcpStream::connect(server.addr()).unwrap();
    in_flight
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let body = "lang=en&next=%2F";
    write!(
        in_flight,
        "POST /lang HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{}",
        body.len(),
        &body[..5]
    )
    .unwrap();
    in_flight.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    server.terminate();
    std::thread::sleep(Duration::from_millis(300));
    in_flight.write_all(&body.as_bytes()[5..]).unwrap();
    let mut answer = String::new();
    in_flight.read_to_string(&mut answer).unwrap();
    // Answered in full (403: this raw request carries no CSRF token).
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    assert!(answer.contains("</html>"), "{answer}");

    let addr = server.addr();
    let (status, stderr) = server.wait();
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(stderr.contains("shutting down"), "{stderr}");
    assert!(
        TcpStream::connect(addr).is_err(),
        "nothing listens after the stop"
    );
}

#[test]
fn migrate_and_demo_are_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let out = enishi(dir.path(), &["migrate", "--data-dir", "data"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "The database is up to date."
        );
        let out = enishi(dir.path(), &["demo", "--data-dir", "data"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(dir.path().join("data/enishi.sqlite3").exists());
}

/// The binary migrates and serves on each database through --database-url.
async fn binary_migrates_and_serves(backend: Backend) {
    let target = TestDb::create_empty(backend).await;
    let url = match &target.config {
        DbConfig::Sqlite { path } => format!("sqlite://{}", path.display()),
        DbConfig::Postgres { url } => url.clone(),
    };
    let dir = tempfile::tempdir().unwrap();
    let out = enishi(dir.path(), &["migrate", "--database-url", &url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tables = enishi_store::schema::columns(&target.db).await.unwrap();
    assert!(tables.iter().any(|c| c.table == "meta"), "{tables:?}");

    let server = Server::start(
        dir.path(),
        &[
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--demo",
            "--database-url",
            &url,
        ],
    );
    let ready = server.get("/readyz");
    // --demo loaded the demo network and its people once
    let demo = enishi_store::networks::by_slug(&target.db, "sample-shoji")
        .await
        .unwrap()
        .expect("demo network");
    let people = enishi_store::memberships::list(&target.db, demo.scope(), &Default::default())
        .await
        .unwrap();
    assert_eq!(
        people.len(),
        6 + 40 + 2_000,
        "six named people, 40 who post, and 2,000 generated alumni"
    );
    // and its feed: four news items (one pinned), 240 posts, four in each
    // of the seven open groups (the eighth is a proposal), and the demo
    // alumnus's own post
    assert_eq!(
        enishi_store::posts::count(&target.db, demo.scope())
            .await
            .unwrap(),
        4 + 240 + 7 * 4 + 1
    );
    // the alumnus's conversations and notifications (two of three unread)
    let alumnus =
        enishi_store::accounts::by_verified_email(&target.db, "suzuki@demo.enishi.invalid")
            .await
            .unwrap()
            .expect("the demo alumnus");
    let inbox = enishi_store::messages::inbox(&target.db, demo.scope(), alumnus.id)
        .await
        .unwrap();
    assert_eq!(inbox.len(), 4);
    assert!(inbox.iter().any(|c| c.unread > 0));
    let told = enishi_store::notifications::list(&target.db, alumnus.id, 50)
        .await
        .unwrap();
    assert_eq!(told.len(), 3);
    assert_eq!(told.iter().filter(|n| n.read_at.is_none()).count(), 2);
    // opportunities of each kind (five open, two filled), some answered,
    // outcomes of four kinds, and four alumni businesses
    let opportunities =
        enishi_store::opportunities::listed(&target.db, demo.scope(), alumnus.id, None)
            .await
            .unwrap();
    assert_eq!(opportunities.len(), 7);
    let open: std::collections::BTreeSet<&str> = opportunities
        .iter()
        .filter(|o| o.opportunity.status == "open")
        .map(|o| o.opportunity.kind.as_str())
        .collect();
    assert_eq!(open.len(), 5, "one open of each kind: {open:?}");
    assert!(opportunities.iter().any(|o| o.answers > 0));
    let outcomes = enishi_store::opportunities::outcomes(
        &target.db,
        demo.scope(),
        enishi_store::opportunities::OutcomesOf::Network,
    )
    .await
    .unwrap();
    let kinds: std::collections::BTreeSet<&str> =
        outcomes.iter().map(|o| o.outcome.as_str()).collect();
    assert_eq!(
        kinds,
        ["contracted", "mentoring_done", "referral_hired", "rehired"].into(),
        "past outcomes of four kinds"
    );
    assert_eq!(
        enishi_store::businesses::list(&target.db, demo.scope())
            .await
            .unwrap()
            .len(),
        4
    );
    // events: one past (30 checked in), three upcoming (one business
    // matching with an approved pitch, a project and a booked meeting),
    // one proposal; the alumnus goes to two and has a card from 佐藤
    let now = enishi_store::now_ms();
    let upcoming =
        enishi_store::events::listed(&target.db, demo.scope(), alumnus.id, now, false, None)
            .await
            .unwrap();
    assert_eq!(upcoming.len(), 4);
    assert_eq!(
        upcoming
            .iter()
            .filter(|e| e.mine.as_deref() == Some("going"))
            .count(),
        2
    );
    let past = enishi_store::events::listed(&target.db, demo.scope(), alumnus.id, now, true, None)
        .await
        .unwrap();
    assert_eq!(past.len(), 1);
    let attendees = enishi_store::events::attendees(&target.db, demo.scope(), past[0].event.id)
        .await
        .unwrap();
    assert_eq!(
        attendees
            .iter()
            .filter(|a| a.registration.checked_in_at.is_some())
            .count(),
        30
    );
    let evening = upcoming
        .iter()
        .find(|e| e.event.business_matching != 0)
        .expect("a business-matching event");
    let pitches =
        enishi_store::business_matching::pitches(&target.db, demo.scope(), evening.event.id)
            .await
            .unwrap();
    assert!(pitches.iter().any(|p| p.status == "approved"));
    assert_eq!(
        enishi_store::business_matching::projects(&target.db, demo.scope(), evening.event.id)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        enishi_store::business_matching::received(&target.db, demo.scope(), alumnus.id)
            .await
            .unwrap()
            .len(),
        1
    );
    let groups =
        enishi_store::groups::list(&target.db, demo.scope(), &["shared", "alumni", "staff"], 0)
            .await
            .unwrap();
    assert_eq!(groups.len(), 8);
    assert_eq!(
        groups
            .iter()
            .filter(|g| g.group.status == "proposed")
            .count(),
        1
    );
    assert!(
        groups.iter().all(|g| g.members >= 1),
        "every group has its owner"
    );
    let everything = enishi_core::posts::Audience::ALL;
    let (pinned, feed) =
        enishi_store::posts::first_page(&target.db, demo.scope(), 0, everything, 20)
            .await
            .unwrap();
    assert_eq!(pinned.len(), 1);
    assert_eq!(feed.len(), 20);
    assert!(
        feed.iter().any(|p| p.comment_count > 0),
        "posts have comments"
    );
    assert!(
        feed.iter().all(|p| p.author.profile_id.is_some()),
        "authors have profiles"
    );
    // the named people have readings, and 鈴木 仁志 is found by his
    let found = enishi_store::directory::search(
        &target.db,
        demo.scope(),
        &enishi_store::directory::Search {
            viewer: enishi_core::privacy::Viewer::Member,
            query: enishi_core::search::Query::parse("すーさん"),
            filter: Default::default(),
            sort: enishi_store::directory::Sort::Relevance,
            after: None,
            limit: 10,
            era_of: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(found.hits.len(), 1);
    assert_eq!(found.hits[0].stored.profile.family_kana, "スズキ");
    assert!(
        people.iter().any(|p| p.role == "owner") && people.iter().any(|p| p.role == "moderator")
    );
    assert!(
        ready.starts_with("HTTP/1.1 200") && ready.ends_with("ready"),
        "{ready}"
    );
    server.terminate();
    let (status, stderr) = server.wait();
    assert!(status.success(), "{stderr}");
    assert!(
        !dir.path().join("enishi-data").exists(),
        "--database-url leaves the data dir alone"
    );
}

dual_test!(binary_migrates_and_serves);

/// `enishi operator create` makes (or promotes) an operator and prints a
/// one-time sign-in link on --base-url that works once.
async fn operator_create_prints_a_working_link(backend: Backend) {
    let app = enishi_testkit::TestApp::start(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let db_url = app.database_url();
    let base = format!("{}/", app.base);
    let out = enishi(
        dir.path(),
        &[
            "operator",
            "create",
            "--email",
            "Ops@Example.JP",
            "--name",
            "運営 太郎",
            "--database-url",
            &db_url,
            "--base-url",
            &base,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let link = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        link.starts_with(&format!("{}/signin/link?token=", app.base)),
        "{link}"
    );
    let account = enishi_store::accounts::by_verified_email(&app.db, "ops@example.jp")
        .await
        .unwrap()
        .unwrap();
    assert!(account.is_operator);
    assert_eq!(account.display_name, "運営 太郎");
    // running it again promotes the same account, never a second one
    let out = enishi(
        dir.path(),
        &[
            "operator",
            "create",
            "--email",
            "ops@example.jp",
            "--database-url",
            &db_url,
            "--base-url",
            &base,
        ],
    );
    assert!(out.status.success());
    assert_eq!(
        enishi_store::accounts::by_verified_email(&app.db, "ops@example.jp")
            .await
            .unwrap()
            .unwrap()
            .id,
        account.id
    );
    // the first link signs in once
    let token = link.split("token=").nth(1).unwrap();
    let res = app
        .post_form("/signin/link/confirm", &[("token", token)])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.get("/operator").await.status(), 200);
    assert_eq!(
        app.new_visitor()
            .post_form("/signin/link/confirm", &[("token", token)])
            .await
            .status(),
        410
    );
    // bad input
    let out = enishi(
        dir.path(),
        &[
            "operator",
            "create",
            "--email",
            "not-an-address",
            "--database-url",
            &db_url,
        ],
    );
    assert_one_line_failure(&out, "is not an e-mail address");
}

/// In Chromium: an operator made by the CLI signs in with the link that
/// arrives in the mail sink, adds a second address and confirms it, looks
/// at the operator pages, and signs out everywhere.
async fn operator_journey_in_the_browser(backend: Backend) {
    use fantoccini::Locator;
    let Some(browser) = enishi_testkit::Browser::start(390, 844).await else {
        return;
    };
    let app = enishi_testkit::TestApp::start(backend).await;
    let tag = backend.name();
    let dir = tempfile::tempdir().unwrap();
    let out = enishi(
        dir.path(),
        &[
            "operator",
            "create",
            "--email",
            "ops@example.jp",
            "--name",
            "運営 花子",
            "--database-url",
            &app.database_url(),
            "--base-url",
            &format!("{}/", app.base),
        ],
    );
    assert!(out.status.success());
    let c = &browser.client;
    let text = |css: &'static str| async move {
        c.find(Locator::Css(css))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };

    c.goto(&app.url("/signin")).await.unwrap();
    assert_eq!(text("h1").await, "サインイン");
    assert!(
        browser.accessibility_problems().await.is_empty(),
        "{:?}",
        browser.accessibility_problems().await
    );
    browser.screenshot(&format!("signin-ja-phone-{tag}")).await;
    c.find(Locator::Css("#link-email"))
        .await
        .unwrap()
        .send_keys("ops@example.jp")
        .await
        .unwrap();
    c.find(Locator::Css("form[action='/signin/link'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::XPath("//h1[text()='メールを確認してください']"))
        .await
        .unwrap();
    browser
        .screenshot(&format!("signin-link-sent-phone-{tag}"))
        .await;

    let mail = app.mail.wait_for("ops@example.jp").await;
    c.goto(&mail.link("/signin/link?token=")).await.unwrap();
    assert_eq!(text("h1").await, "サインインを続けますか？");
    c.find(Locator::Css("form[action='/signin/link/confirm'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::XPath("//h1[text()='アカウント']"))
        .await
        .unwrap();
    assert_eq!(text(".session-bar a[href='/account']").await, "運営 花子");
    assert!(
        browser.accessibility_problems().await.is_empty(),
        "{:?}",
        browser.accessibility_problems().await
    );
    browser
        .screenshot(&format!("account-settings-phone-{tag}"))
        .await;

    c.goto(&app.url("/account/emails")).await.unwrap();
    c.find(Locator::Css("#new-email"))
        .await
        .unwrap()
        .send_keys("hanako.private@example.com")
        .await
        .unwrap();
    c.find(Locator::Css("form[action='/account/emails'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Css(".flash")).await.unwrap();
    let page = c.source().await.unwrap();
    assert!(page.contains("hanako.private@example.com") && page.contains("未確認"));
    browser
        .screenshot(&format!("account-emails-phone-{tag}"))
        .await;
    let mail = app.mail.wait_for("hanako.private@example.com").await;
    c.goto(&mail.link("/account/emails/verify?token="))
        .await
        .unwrap();
    assert_eq!(text("h1").await, "メールアドレスを確認しました");
    c.goto(&app.url("/account/emails")).await.unwrap();
    assert_eq!(
        c.find_all(Locator::Css(".badge.ok")).await.unwrap().len(),
        2,
        "both addresses verified"
    );

    c.set_window_size(1280, 900).await.unwrap();
    c.goto(&app.url("/operator/outbox")).await.unwrap();
    assert_eq!(
        c.find_all(Locator::Css(".rows .row")).await.unwrap().len(),
        2
    );
    assert!(
        browser.accessibility_problems().await.is_empty(),
        "{:?}",
        browser.accessibility_problems().await
    );
    browser
        .screenshot(&format!("operator-outbox-desktop-{tag}"))
        .await;
    c.goto(&app.url("/operator/audit")).await.unwrap();
    assert!(c.source().await.unwrap().contains("email.verified"));
    browser
        .screenshot(&format!("operator-audit-desktop-{tag}"))
        .await;

    c.goto(&app.url("/account/sessions")).await.unwrap();
    assert!(text(".badge.primary").await.contains("この端末"));
    browser
        .screenshot(&format!("account-sessions-desktop-{tag}"))
        .await;
    // sign out everywhere (the page asks for confirmation through our script)
    c.execute("window.confirm = () => true", vec![])
        .await
        .unwrap();
    c.find(Locator::Css(
        "form[action='/account/sessions/revoke-all'] button",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    c.wait().for_element(Locator::Css(".flash")).await.unwrap();
    assert_eq!(
        text(".flash").await,
        "すべての端末からサインアウトしました。"
    );
    assert_eq!(text(".session-bar a").await, "サインイン");
    browser
        .screenshot(&format!("signed-out-everywhere-desktop-{tag}"))
        .await;
    let account = enishi_store::accounts::by_verified_email(&app.db, "ops@example.jp")
        .await
        .unwrap()
        .unwrap();
    assert!(
        enishi_store::sessions::list(&app.db, account.id, enishi_store::now_ms())
            .await
            .unwrap()
            .is_empty()
    );
    browser.close().await;
}

dual_test!(
    operator_create_prints_a_working_link,
    operator_journey_in_the_browser
);
