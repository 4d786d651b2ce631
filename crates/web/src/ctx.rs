//! What every page knows about the request it answers: the language, the
//! translator, the CSRF token for its forms, where it is (for the language
//! switch to come back to), and the request id.

use axum::extract::FromRequestParts;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap, Uri};
use enishi_core::Lang;

use crate::auth::Viewer;
use crate::csrf::{self, CsrfToken};
use crate::i18n::Tr;
use crate::{AppError, AppState, assets};

fn header_me(viewer: &Viewer, lang: Lang) -> Option<HeaderMe> {
    viewer.account().map(|a| HeaderMe {
        display_name: a.display_name.clone(),
        time_zone: a.time_zone.clone(),
        is_operator: a.is_operator,
        unread_messages: viewer.unread_messages,
        unread_notifications: viewer.unread_notifications,
        has_networks: !viewer.memberships.is_empty(),
        networks: viewer
            .memberships
            .iter()
            .map(|(n, _)| {
                (
                    n.slug.clone(),
                    if lang == Lang::En {
                        n.name_en.clone()
                    } else {
                        n.name_ja.clone()
                    },
                )
            })
            .collect(),
    })
}

/// Cookie remembering the language chosen with the language switch.
pub const LANG_COOKIE: &str = "enishi_lang";
/// Header carrying the request id (set by the request-id layer).
pub const REQUEST_ID: &str = "x-request-id";

/// The request's language: the `enishi_lang` cookie, else
/// `Accept-Language`, else Japanese.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    Lang::negotiate(
        csrf::cookie(headers, LANG_COOKIE),
        headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()),
    )
}

/// The page context handed to every template as `ctx`.
#[derive(Clone, Debug)]
pub struct PageCtx {
    pub lang: Lang,
    pub tr: Tr,
    /// The CSRF token to render into forms (`<input name="csrf">`).
    pub csrf: String,
    /// Path and query of this page, for forms that come back here.
    pub here: String,
    pub request_id: Option<String>,
    /// Who is signed in, for the header.
    pub me: Option<HeaderMe>,
}

/// What the header shows of the signed-in person.
#[derive(Clone, Debug)]
pub struct HeaderMe {
    pub display_name: String,
    /// Their time zone (IANA name): times are shown in it.
    pub time_zone: String,
    pub is_operator: bool,
    /// Unread direct messages in all their networks.
    pub unread_messages: i64,
    /// Unread notifications in all their networks (the bell).
    pub unread_notifications: i64,
    /// Whether they are an active member of some network (the messages
    /// link shows then).
    pub has_networks: bool,
    /// (slug, name in the page's language) of each active network.
    pub networks: Vec<(String, String)>,
}

impl PageCtx {
    /// Builds the context from request parts without the extractor machinery
    /// (the error renderer uses this).
    pub fn from_request_parts_sync(
        headers: &HeaderMap,
        extensions: &Extensions,
        uri: &Uri,
    ) -> PageCtx {
        let lang = lang_of(headers);
        PageCtx {
            lang,
            tr: Tr::new(lang),
            csrf: extensions
                .get::<CsrfToken>()
                .map(|t| t.0.clone())
                .unwrap_or_default(),
            here: uri
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "/".into()),
            request_id: headers
                .get(REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            me: extensions.get::<Viewer>().and_then(|v| header_me(v, lang)),
        }
    }

    /// Shows `viewer` in the header.
    pub fn set_viewer(&mut self, viewer: &Viewer) {
        self.me = header_me(viewer, self.lang);
    }

    /// The zone times are shown in: the signed-in person's, else Tokyo.
    pub fn tz(&self) -> &str {
        self.me
            .as_ref()
            .map(|m| m.time_zone.as_str())
            .filter(|z| !z.is_empty())
            .unwrap_or(enishi_core::tz::DEFAULT)
    }

    /// The label of a stored word (`word("role", "admin")` → 管理者).
    pub fn word(&self, group: &str, value: &str) -> &'static str {
        self.tr.get(&format!("{group}.{value}"))
    }

    /// A translated message with one `{name}` placeholder filled.
    pub fn tf1(&self, key: &str, name: &str, value: &str) -> String {
        self.tr.fmt(key, &[(name, value)])
    }

    /// A translated message with `{name}` placeholders filled.
    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.tr.fmt(key, args)
    }

    /// Translates `key` into the page's language.
    pub fn t(&self, key: &str) -> &'static str {
        self.tr.get(key)
    }

    /// The cache-busting URL of a static asset.
    pub fn asset(&self, name: &str) -> &'static str {
        assets::url(name)
    }

    /// `ja` or `en`, for `<html lang>`.
    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    /// Every language with whether it is the current one (language switch).
    pub fn languages(&self) -> Vec<(&'static str, &'static str, bool)> {
        Lang::ALL
            .iter()
            .map(|l| (l.code(), l.native_name(), *l == self.lang))
            .collect()
    }
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, AppError> {
        Ok(PageCtx::from_request_parts_sync(
            &parts.headers,
            &parts.extensions,
            &parts.uri,
        ))
    }
}

/// ISO 8601 (UTC) for a stored instant, for `<time datetime>`.
pub fn iso(ms: &i64) -> String {
    enishi_core::time::iso_utc(*ms)
}

/// The form field a validation message belongs to (the `name` of its
/// input), so the page can show the message next to it; `""` for a message
/// about the whole form.
pub fn field_of(key: &str) -> &'static str {
    let rule = key.strip_prefix("invalid.").unwrap_or(key);
    const FIELDS: &[(&str, &str)] = &[
        ("slug_", "slug"),
        ("network_name_", "name_ja"),
        ("description_", "description_ja"),
        ("email_", "email"),
        ("consent_", "consent"),
        ("note_", "note"),
        ("kind", "kind"),
        ("role", "role"),
        ("colour", "accent_color"),
        ("join_policy", "join_policy"),
        ("domain_policy", "join_policy"),
        ("domains", "staff_domains"),
        ("name_", "display_name"),
        ("document_", "body_ja"),
        ("current_password", "current"),
        ("password_", "password"),
        ("token_name_", "name"),
        ("time_zone", "time_zone"),
        ("lang", "lang"),
    ];
    FIELDS
        .iter()
        .find(|(prefix, _)| rule.starts_with(prefix))
        .map(|(_, field)| *field)
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::field_of;

    #[test]
    fn messages_find_their_field() {
        assert_eq!(field_of("invalid.slug_reserved"), "slug");
        assert_eq!(field_of("invalid.email_malformed"), "email");
        assert_eq!(field_of("invalid.consent_required"), "consent");
        assert_eq!(field_of("invalid.domains_needed"), "staff_domains");
        assert_eq!(field_of("invalid.domain_unverified"), "");
        assert_eq!(field_of("invalid.current_password"), "current");
        assert_eq!(field_of("invalid.role_not_allowed"), "role");
        assert_eq!(field_of("signin.wrong_password"), "");
    }
}
