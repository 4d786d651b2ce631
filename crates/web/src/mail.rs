//! E-mails we write to people, in their language, with a plain-text and an
//! HTML part rendered from the same catalogue entries. They are stored in
//! the outbox and sent by the job worker (see `enishi_jobs::mail`). Every
//! link in them is built from `--base-url`.

use askama::Template;
use enishi_core::Lang;
use enishi_store::{now_ms, outbox};

use crate::i18n::Tr;
use crate::{AppError, AppState};

/// Which message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    SignInLink,
    ResetPassword,
    VerifyEmail,
    /// An invitation to a network (`{network}` in the text).
    Invitation,
    /// HR's invitation to an alumnus from the roster (`{network}`,
    /// `{purposes}`).
    AlumniInvitation,
    /// A reminder of an unanswered one (same placeholders).
    AlumniReminder,
    /// The warm invitation sent on a departing employee's leave date
    /// (same placeholders).
    ExitInvitation,
    /// A notification (`{network}`, `{text}`).
    Notification,
    /// A new direct message (`{network}`, `{who}`; never the words).
    Message,
    /// The digest (`{network}`: the networks; the lines list what is new).
    Digest,
    /// About an event (`{subject}`, `{text}`, `{network}`; the lines say
    /// when and where).
    Event,
}

impl Kind {
    fn key(self) -> &'static str {
        match self {
            Kind::SignInLink => "mail.signin",
            Kind::ResetPassword => "mail.reset",
            Kind::VerifyEmail => "mail.verify",
            Kind::Invitation => "mail.invite",
            Kind::AlumniInvitation => "mail.alumni_invite",
            Kind::AlumniReminder => "mail.alumni_reminder",
            Kind::ExitInvitation => "mail.exit_invite",
            Kind::Notification => "mail.notification",
            Kind::Message => "mail.message",
            Kind::Digest => "mail.digest",
            Kind::Event => "mail.event",
        }
    }
}

#[derive(Template)]
#[template(path = "mail/message.txt", escape = "none")]
struct TextMail<'a> {
    tr: Tr,
    key: &'a str,
    link: &'a str,
    args: &'a [(&'a str, &'a str)],
    /// Listed under the introduction (a digest's news).
    lines: &'a [String],
    /// The link that stops this kind of mail.
    unsubscribe: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "mail/message.html")]
struct HtmlMail<'a> {
    tr: Tr,
    key: &'a str,
    link: &'a str,
    args: &'a [(&'a str, &'a str)],
    /// Listed under the introduction (a digest's news).
    lines: &'a [String],
    /// The link that stops this kind of mail.
    unsubscribe: Option<&'a str>,
}

impl TextMail<'_> {
    fn t(&self, part: &str) -> String {
        self.tr.fmt(&format!("{}.{part}", self.key), self.args)
    }
}

impl HtmlMail<'_> {
    fn t(&self, part: &str) -> String {
        self.tr.fmt(&format!("{}.{part}", self.key), self.args)
    }
}

/// A rendered message.
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Renders `kind` in `lang` around `link`; `args` fill `{name}`
/// placeholders (escaped in the HTML part like everything else).
pub fn render(
    kind: Kind,
    lang: Lang,
    link: &str,
    args: &[(&str, &str)],
) -> Result<Rendered, AppError> {
    render_full(kind, lang, link, args, &[], None)
}

/// [`render`] with listed lines and an unsubscribe link in the footer.
pub fn render_full(
    kind: Kind,
    lang: Lang,
    link: &str,
    args: &[(&str, &str)],
    lines: &[String],
    unsubscribe: Option<&str>,
) -> Result<Rendered, AppError> {
    let tr = Tr::new(lang);
    let key = kind.key();
    let text = TextMail {
        tr,
        key,
        link,
        args,
        lines,
        unsubscribe,
    }
    .render()
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let html = HtmlMail {
        tr,
        key,
        link,
        args,
        lines,
        unsubscribe,
    }
    .render()
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Rendered {
        subject: tr.fmt(&format!("{key}.subject"), args),
        text,
        html,
    })
}

/// Renders and queues a message to `to`.
pub async fn send(
    state: &AppState,
    to: &str,
    lang: Lang,
    kind: Kind,
    link: &str,
) -> Result<(), AppError> {
    send_with(state, to, lang, kind, link, &[])
        .await
        .map(|_| ())
}

/// Renders (with placeholder values) and queues a message to `to`;
/// returns the outbox id (whose status tells whether it went out).
pub async fn send_with(
    state: &AppState,
    to: &str,
    lang: Lang,
    kind: Kind,
    link: &str,
    args: &[(&str, &str)],
) -> Result<i64, AppError> {
    let mail = render(kind, lang, link, args)?;
    queue(state, to, &mail, None).await
}

/// Queues a rendered message (with its one-click unsubscribe link, for
/// the `List-Unsubscribe` headers); returns the outbox id.
pub async fn queue(
    state: &AppState,
    to: &str,
    mail: &Rendered,
    list_unsubscribe: Option<&str>,
) -> Result<i64, AppError> {
    queue_with_calendar(state, to, mail, list_unsubscribe, None).await
}

/// [`queue`] with an event's `.ics` attached.
pub async fn queue_with_calendar(
    state: &AppState,
    to: &str,
    mail: &Rendered,
    list_unsubscribe: Option<&str>,
    calendar: Option<&str>,
) -> Result<i64, AppError> {
    let id = outbox::enqueue(
        &state.db,
        &outbox::NewMessage {
            to,
            subject: &mail.subject,
            text: &mail.text,
            html: &mail.html,
            list_unsubscribe,
            calendar,
        },
        now_ms(),
    )
    .await?;
    state.wake_jobs();
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_parts_carry_the_link_in_each_language() {
        let link = "https://alumni.example.co.jp/signin/link?token=abc&next=%2F";
        for lang in Lang::ALL {
            for kind in [
                Kind::SignInLink,
                Kind::ResetPassword,
                Kind::VerifyEmail,
                Kind::Invitation,
            ] {
                let mail = render(kind, lang, link, &[("network", "<サンプル商事>")]).unwrap();
                assert!(!mail.text.contains("{network}") && !mail.subject.contains("{network}"));
                assert!(
                    !mail.html.contains("<サンプル商事>"),
                    "placeholders are escaped in HTML"
                );
                assert!(!mail.subject.is_empty() && !mail.subject.contains("[?]"));
                assert!(mail.text.contains(link), "{}", mail.text);
                assert!(!mail.text.contains("[?]") && !mail.html.contains("[?]"));
                // HTML escapes the ampersand inside the attribute and the text
                assert!(
                    mail.html.contains("token=abc&#38;next=%2F")
                        || mail.html.contains("token=abc&amp;next=%2F"),
                    "{}",
                    mail.html
                );
            }
        }
        let ja = render(Kind::SignInLink, Lang::Ja, link, &[]).unwrap();
        assert!(ja.subject.contains("サインイン"));
    }
}
