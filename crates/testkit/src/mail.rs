//! A real SMTP server for tests: it speaks enough SMTP for lettre (EHLO,
//! MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps every message, and refuses
//! recipients whose address contains `reject` with a permanent 550, so the
//! failure path is real too.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// One message as it arrived.
#[derive(Clone, Debug)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// The raw message (headers and body).
    pub raw: String,
}

impl Mail {
    fn headers(&self) -> Vec<(String, String)> {
        let head = self.raw.split("\r\n\r\n").next().unwrap_or("");
        let mut out: Vec<(String, String)> = Vec::new();
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                // Unfolding keeps the whitespace: it separates encoded words.
                if let Some(last) = out.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(line.trim_start());
                }
            } else if let Some((k, v)) = line.split_once(':') {
                out.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        out
    }

    /// A header's (unfolded, undecoded) value.
    pub fn header(&self, name: &str) -> Option<String> {
        let name = name.to_ascii_lowercase();
        self.headers()
            .into_iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }

    /// The decoded `Subject`.
    pub fn subject(&self) -> String {
        let raw = self
            .headers()
            .into_iter()
            .find(|(k, _)| k == "subject")
            .map(|(_, v)| v)
            .unwrap_or_default();
        decode_words(&raw)
    }

    fn part(&self, content_type: &str) -> String {
        for part in self.raw.split("\r\n--") {
            let (head, body) = part.split_once("\r\n\r\n").unwrap_or((part, ""));
            let head_lower = head.to_ascii_lowercase();
            if !head_lower.contains(&format!("content-type: {content_type}")) {
                continue;
            }
            let body = body.split("\r\n--").next().unwrap_or(body);
            if head_lower.contains("content-transfer-encoding: base64") {
                let joined: String = body.split_whitespace().collect();
                let bytes = STANDARD.decode(joined).expect("base64 body");
                return String::from_utf8(bytes).expect("utf-8 body");
            }
            return body.to_string();
        }
        panic!("no {content_type} part in:\n{}", self.raw)
    }

    /// The decoded plain-text part.
    pub fn text(&self) -> String {
        self.part("text/plain")
    }

    /// The decoded calendar attachment (`text/calendar`).
    pub fn calendar(&self) -> String {
        self.part("text/calendar")
    }

    /// The decoded HTML part.
    pub fn html(&self) -> String {
        self.part("text/html")
    }

    /// The first URL in the text part that contains `needle`.
    pub fn link(&self, needle: &str) -> String {
        let text = self.text();
        text.split_whitespace()
            .find(|w| w.starts_with("http") && w.contains(needle))
            .unwrap_or_else(|| panic!("no link with {needle:?} in:\n{text}"))
            .to_string()
    }
}

/// `=?utf-8?b?…?=` and `=?utf-8?q?…?=` encoded words (RFC 2047): the
/// space between two encoded words is dropped, every other space kept.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut previous_encoded = false;
    for (i, word) in value.split_whitespace().enumerate() {
        let lower = word.to_ascii_lowercase();
        let decoded = if lower.starts_with("=?utf-8?b?") && lower.ends_with("?=") {
            Some(
                STANDARD
                    .decode(&word[10..word.len() - 2])
                    .unwrap_or_default(),
            )
        } else if lower.starts_with("=?utf-8?q?") && lower.ends_with("?=") {
            Some(decode_q(&word[10..word.len() - 2]))
        } else {
            None
        };
        if i > 0 && !(previous_encoded && decoded.is_some()) {
            out.push(' ');
        }
        previous_encoded = decoded.is_some();
        match decoded {
            Some(bytes) => out.push_str(&String::from_utf8_lossy(&bytes)),
            None => out.push_str(word),
        }
    }
    out
}

fn decode_q(inner: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut chars = inner.bytes();
    while let Some(c) = chars.next() {
        match c {
            b'_' => bytes.push(b' '),
            b'=' => {
                let hex: String = [chars.next(), chars.next()]
                    .iter()
                    .flatten()
                    .map(|b| *b as char)
                    .collect();
                bytes.push(u8::from_str_radix(&hex, 16).unwrap_or(b'?'));
            }
            other => bytes.push(other),
        }
    }
    bytes
}

/// The SMTP server and what it received.
pub struct MailSink {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Mail>>>,
    arrived: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl MailSink {
    pub async fn start() -> MailSink {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind SMTP sink");
        let addr = listener.local_addr().expect("addr");
        let received = Arc::new(Mutex::new(Vec::new()));
        let arrived = Arc::new(Notify::new());
        let (store, signal) = (received.clone(), arrived.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (store, signal) = (store.clone(), signal.clone());
                tokio::spawn(async move {
                    let _ = session(stream, store, signal).await;
                });
            }
        });
        MailSink {
            addr,
            received,
            arrived,
            task,
        }
    }

    /// `smtp://127.0.0.1:PORT` for lettre.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Everything received so far.
    pub fn all(&self) -> Vec<Mail> {
        self.received.lock().expect("sink lock").clone()
    }

    /// Messages received for `to`.
    pub fn to(&self, to: &str) -> Vec<Mail> {
        self.all()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == to))
            .collect()
    }

    /// Waits (up to 20 s) until `count` messages have arrived for `to`, and
    /// returns the newest.
    pub async fn wait_for_nth(&self, to: &str, count: usize) -> Mail {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let notified = self.arrived.notified();
            let found = self.to(to);
            if found.len() >= count {
                return found[count - 1].clone();
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "no message #{count} for {to} within 20 s; received: {:?}",
                    self.all().iter().map(|m| &m.to).collect::<Vec<_>>()
                );
            }
        }
    }

    /// Waits for the first message to `to`.
    pub async fn wait_for(&self, to: &str) -> Mail {
        self.wait_for_nth(to, 1).await
    }
}

impl Drop for MailSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn address(arg: &str) -> String {
    let start = arg.find('<').map(|i| i + 1).unwrap_or(0);
    let end = arg.rfind('>').unwrap_or(arg.len());
    arg[start..end].trim().to_string()
}

async fn session(
    stream: tokio::net::TcpStream,
    store: Arc<Mutex<Vec<Mail>>>,
    signal: Arc<Notify>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 enishi-test-sink ESMTP\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            b"250-enishi-test-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            from = address(&line[10..]);
            to.clear();
            b"250 2.1.0 OK\r\n"
        } else if upper.starts_with("RCPT TO:") {
            let rcpt = address(&line[8..]);
            if rcpt.contains("reject") {
                b"550 5.1.1 <rejected> mailbox unavailable\r\n"
            } else {
                to.push(rcpt);
                b"250 2.1.5 OK\r\n"
            }
        } else if upper.starts_with("DATA") {
            write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
            let mut raw = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                raw.push_str(
                    line.strip_prefix('.')
                        .filter(|_| line.starts_with(".."))
                        .unwrap_or(&line),
                );
            }
            store.lock().expect("sink lock").push(Mail {
                from: from.clone(),
                to: std::mem::take(&mut to),
                raw,
            });
            signal.notify_waiters();
            b"250 2.0.0 queued\r\n"
        } else if upper.starts_with("QUIT") {
            write.write_all(b"221 2.0.0 bye\r\n").await?;
            return Ok(());
        } else if upper.starts_with("RSET") || upper.starts_with("NOOP") {
            b"250 2.0.0 OK\r\n"
        } else {
            b"502 5.5.2 not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn encoded_words_decode() {
        assert_eq!(
            super::decode_words("=?utf-8?b?44K144Kk44Oz44Kk44Oz?="),
            "サインイン"
        );
        assert_eq!(
            super::decode_words("Hello =?utf-8?q?caf=C3=A9?="),
            "Hello café"
        );
        assert_eq!(super::decode_words("plain subject"), "plain subject");
    }
}
