//! Sending e-mail. With `ENISHI_SMTP_URL` set, messages go out through
//! lettre's SMTP transport (`smtp://host:25` plain, `smtp://…?tls=required`
//! STARTTLS, `smtps://…` TLS); without it they stay in the outbox table,
//! marked `stored`, where the operator reads them. Every message has a
//! plain-text and an HTML part, both base64-encoded (safe for Japanese).

use enishi_store::{Db, jobs::Job, now_ms, outbox};
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Body, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Deserialize;

use crate::JobError;

/// How messages leave.
pub enum Mailer {
    /// Kept in the outbox for the operator to read.
    Outbox,
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
}

impl Mailer {
    /// From `ENISHI_SMTP_URL`-style settings; `None` URL means the outbox.
    pub fn from_settings(smtp_url: Option<&str>, from: &str) -> Result<Mailer, String> {
        let Some(url) = smtp_url else {
            return Ok(Mailer::Outbox);
        };
        let from: Mailbox = from.parse().map_err(|e| {
            format!("the sender address {from:?} is not valid ({e}); set ENISHI_MAIL_FROM")
        })?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("the SMTP URL is malformed ({e}); write smtp://USER:PASSWORD@HOST:587?tls=required"))?
            .build();
        Ok(Mailer::Smtp { transport, from })
    }
}

#[derive(Deserialize)]
struct Payload {
    message_id: i64,
}

/// The `send_email` job.
pub async fn send_job(db: &Db, mailer: &Mailer, job: &Job) -> Result<(), JobError> {
    let payload: Payload = serde_json::from_str(&job.payload)
        .map_err(|e| JobError::Permanent(format!("bad payload: {e}")))?;
    let store_err = |e: enishi_store::StoreError| JobError::Retry(e.to_string());
    let message = outbox::get(db, payload.message_id)
        .await
        .map_err(store_err)?
        .ok_or_else(|| JobError::Permanent(format!("message {} is gone", payload.message_id)))?;
    let (transport, from) = match mailer {
        Mailer::Outbox => {
            outbox::mark(db, message.id, "stored", None, Some(now_ms()))
                .await
                .map_err(store_err)?;
            return Ok(());
        }
        Mailer::Smtp { transport, from } => (transport, from),
    };
    let to: Mailbox = match message.to_addr.parse() {
        Ok(to) => to,
        Err(e) => {
            let error = format!("invalid recipient: {e}");
            outbox::mark(db, message.id, "failed", Some(&error), None)
                .await
                .map_err(store_err)?;
            return Err(JobError::Permanent(error));
        }
    };
    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&message.subject);
    if let Some(link) = message.list_unsubscribe.as_deref() {
        // RFC 8058: one click in the mail client unsubscribes (a POST to
        // the link, without signing in); RFC 2369 wants the angle brackets
        builder = builder
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{link}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_string(),
            ));
    }
    let alternative = MultiPart::alternative()
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .header(ContentTransferEncoding::Base64)
                .body(message.text_body.clone()),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .header(ContentTransferEncoding::Base64)
                .body(message.html_body.clone()),
        );
    let built = match message.calendar.as_deref() {
        // the event's calendar file rides along as an attachment that
        // calendar programs offer to add
        Some(ics) => {
            let method = if ics.contains("\r\nMETHOD:CANCEL\r\n") {
                "CANCEL"
            } else {
                "PUBLISH"
            };
            let kind =
                ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
                    .map_err(|e| JobError::Permanent(format!("calendar content type: {e}")))?;
            builder.multipart(
                MultiPart::mixed().multipart(alternative).singlepart(
                    Attachment::new("invite.ics".to_string()).body(
                        Body::new_with_encoding(ics.to_string(), ContentTransferEncoding::Base64)
                            .map_err(|_| JobError::Permanent("calendar body".into()))?,
                        kind,
                    ),
                ),
            )
        }
        None => builder.multipart(alternative),
    };
    let email = built.map_err(|e| JobError::Permanent(format!("cannot build the message: {e}")))?;
    match transport.send(email).await {
        Ok(_) => {
            outbox::mark_sent(db, message.id, now_ms())
                .await
                .map_err(store_err)?;
            Ok(())
        }
        Err(e) => {
            let answer = e.to_string();
            let last_try = job.attempts >= job.max_attempts;
            if e.is_permanent() || last_try {
                outbox::mark(db, message.id, "failed", Some(&answer), None)
                    .await
                    .map_err(store_err)?;
                Err(JobError::Permanent(answer))
            } else {
                outbox::mark(db, message.id, "queued", Some(&answer), None)
                    .await
                    .map_err(store_err)?;
                Err(JobError::Retry(answer))
            }
        }
    }
}
