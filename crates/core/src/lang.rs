//! UI languages and how we pick one for a request.
//!
//! Japanese is the default. A person's explicit choice (the `lang` cookie set
//! by the language switch, later their account setting) wins; otherwise the
//! browser's `Accept-Language` list is honoured by its q-values; otherwise
//! Japanese.

use serde::{Deserialize, Serialize};

/// A language the UI is translated into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// 日本語 — the default.
    #[default]
    Ja,
    /// English.
    En,
}

impl Lang {
    /// Every supported language, default first.
    pub const ALL: [Lang; 2] = [Lang::Ja, Lang::En];

    /// The BCP 47 tag used in `<html lang>`, cookies and the API.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// The language's name written in itself (for the language switch).
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Ja => "日本語",
            Lang::En => "English",
        }
    }

    /// Parses a code such as `ja`, `en`, `en-GB`, `JA-jp`. Unknown → `None`.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the best supported language from an `Accept-Language` header
    /// value (RFC 9110 §12.5.4). Ties keep the header's order; `q=0` means
    /// "not this one"; malformed parts are ignored. `None` when nothing in the
    /// header is supported.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(Lang, u16)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let Some(tag) = pieces.next() else { continue };
            let Some(lang) = Lang::from_code(tag) else {
                continue;
            };
            let mut q = 1000u16;
            for param in pieces {
                if let Some(value) = param.trim().strip_prefix("q=") {
                    q = parse_qvalue(value).unwrap_or(0);
                }
            }
            if q == 0 {
                continue;
            }
            if best.is_none_or(|(_, bq)| q > bq) {
                best = Some((lang, q));
            }
        }
        best.map(|(lang, _)| lang)
    }

    /// Chooses the language for a request: explicit choice, then
    /// `Accept-Language`, then Japanese.
    pub fn negotiate(explicit: Option<&str>, accept_language: Option<&str>) -> Lang {
        explicit
            .and_then(Lang::from_code)
            .or_else(|| accept_language.and_then(Lang::from_accept_language))
            .unwrap_or_default()
    }
}

/// A q-value as thousandths (`1`, `0.8`, `0.125` → 1000, 800, 125).
fn parse_qvalue(value: &str) -> Option<u16> {
    let value = value.trim();
    let (int, frac) = value.split_once('.').unwrap_or((value, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{frac:0<3}").parse::<u16>().ok()?;
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
        assert_eq!(Lang::from_code("EN-gb"), Some(Lang::En));
        assert_eq!(Lang::from_code("ja_JP"), Some(Lang::Ja));
        assert_eq!(Lang::from_code("fr"), None);
        assert_eq!(Lang::from_code(""), None);
    }

    #[test]
    fn accept_language_honours_q_values() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(
            Lang::from_accept_language("fr-FR, en;q=0.5, ja;q=0.8"),
            Some(Lang::Ja)
        );
        assert_eq!(
            Lang::from_accept_language("ja;q=0, en;q=0.1"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_accept_language("de, fr"), None);
        assert_eq!(Lang::from_accept_language(""), None);
        // Equal weights keep the header's order.
        assert_eq!(Lang::from_accept_language("en, ja"), Some(Lang::En));
    }

    #[test]
    fn malformed_accept_language_never_panics() {
        for header in [
            ";;;",
            ",,,",
            "en;q=",
            "en;q=2",
            "en;q=0.1234",
            "ja;q=abc",
            "é;q=0.5",
            "-",
        ] {
            let _ = Lang::from_accept_language(header);
        }
        assert_eq!(
            Lang::from_accept_language("en;q=2, ja;q=0.3"),
            Some(Lang::Ja)
        );
    }

    #[test]
    fn negotiation_prefers_explicit_choice_then_header_then_japanese() {
        assert_eq!(Lang::negotiate(Some("en"), Some("ja")), Lang::En);
        assert_eq!(Lang::negotiate(Some("xx"), Some("en")), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("en-US")), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("fr")), Lang::Ja);
        assert_eq!(Lang::negotiate(None, None), Lang::Ja);
    }
}
