//! Headless Chromium driven through chromedriver (WebDriver), both from
//! Debian's packages. Screenshots go to `target/screens/`.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};

use crate::{announce_skip, in_ci};

const CHROMIUM: &[&str] = &[
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
];
const DRIVER: &[&str] = &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"];

fn first_existing(paths: &[&str]) -> Option<PathBuf> {
    paths.iter().map(PathBuf::from).find(|p| p.exists())
}

/// A headless Chromium session. Dropping it ends chromedriver (and with it
/// the browser).
pub struct Browser {
    pub client: Client,
    driver: Child,
    /// Chromium's profile directory (removed when the browser goes: each
    /// run left a few megabytes per browser in the temporary directory).
    profile: PathBuf,
}

impl Browser {
    /// Starts Chromium with a phone-or-desktop window of `width`×`height`.
    /// `None` (announced) when Chromium is not installed outside CI; under
    /// CI that is a failure.
    pub async fn start(width: u32, height: u32) -> Option<Browser> {
        static ONCE: Once = Once::new();
        let (Some(chromium), Some(driver)) = (first_existing(CHROMIUM), first_existing(DRIVER))
        else {
            assert!(
                !in_ci(),
                "CI=true but Chromium or chromedriver is missing: install Debian's chromium and chromium-driver"
            );
            announce_skip(
                &ONCE,
                "browser tests, because Chromium is not installed (apt-get install chromium chromium-driver)",
            );
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        // its own process group, so Chromium goes with it when a test ends
        // early (a panic drops the Browser without close())
        let driver = std::os::unix::process::CommandExt::process_group(
            Command::new(driver)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
            0,
        )
        .spawn()
        .expect("start chromedriver");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not start within 20 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = std::env::temp_dir().join(format!("enishi-chromium-{port}"));
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-quic", "--no-first-run",
                    "--lang=ja", format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.display()),
                ],
                "prefs": { "intl.accept_languages": "ja,ja-JP" }
            }
        });
        let caps = match caps {
            Value::Object(map) => map,
            _ => unreachable!(),
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("connect to chromedriver");
        Some(Browser {
            client,
            driver,
            profile,
        })
    }

    /// Saves a PNG of the viewport as `target/screens/{name}.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = screens_dir();
        std::fs::create_dir_all(&dir).expect("create target/screens");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    /// The basic accessibility problems of the current page: missing `lang`
    /// or `<title>`, not exactly one `<h1>`, form fields without a label,
    /// images without `alt`, buttons and links without a name. Empty when
    /// the page passes.
    pub async fn accessibility_problems(&self) -> Vec<String> {
        let result = self
            .client
            .execute(ACCESSIBILITY_CHECK, vec![])
            .await
            .expect("run the accessibility check");
        serde_json::from_value(result).expect("a list of problems")
    }

    /// Ends the session (the processes and the profile go with the
    /// `Browser`: [`Drop`]).
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // the whole group: chromedriver and the Chromium processes it started
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn screens_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("screens")
}

const ACCESSIBILITY_CHECK: &str = r#"
const problems = [];
const html = document.documentElement;
if (!html.getAttribute("lang")) problems.push("<html> has no lang attribute");
if (!document.title.trim()) problems.push("the page has no <title>");
const h1 = document.querySelectorAll("h1").length;
if (h1 !== 1) problems.push(`the page has ${h1} <h1> elements, not exactly one`);
const named = (el) =>
  (el.getAttribute("aria-label") || "").trim() ||
  (el.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean)
    .map((id) => (document.getElementById(id) || {}).textContent || "").join("").trim() ||
  (el.getAttribute("title") || "").trim();
for (const field of document.querySelectorAll("input, select, textarea")) {
  const type = (field.getAttribute("type") || "").toLowerCase();
  if (["hidden", "submit", "button", "reset", "image"].includes(type)) continue;
  const labelled = (field.id && document.querySelector(`label[for="${CSS.escape(field.id)}"]`)) ||
    field.closest("label") || named(field);
  if (!labelled) problems.push(`form field ${field.outerHTML.slice(0, 80)} has no label`);
}
for (const img of document.querySelectorAll("img")) {
  if (!img.hasAttribute("alt")) problems.push(`image ${img.getAttribute("src")} has no alt text`);
}
for (const el of document.querySelectorAll("button, a[href]")) {
  if (!el.textContent.trim() && !named(el) && !el.querySelector("img[alt]:not([alt=''])"))
    problems.push(`${el.tagName.toLowerCase()} ${el.outerHTML.slice(0, 80)} has no accessible name`);
}
return problems;
"#;
