//! E-mail addresses as people type them — including on Japanese keyboards
//! (full-width ＠ and letters, ideographic spaces) — normalised to the one
//! form we store and compare: trimmed, half-width, lower-case.
//!
//! Lower-casing the local part is a deliberate choice: in practice every
//! provider treats it case-insensitively, and two accounts for
//! `Taro@example.jp` and `taro@example.jp` would only ever be a mistake.

use crate::text::to_half_width_ascii;

/// Why an address was refused; each is a catalogue key under `invalid.`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailError {
    Empty,
    TooLong,
    Malformed,
}

impl EmailError {
    /// The catalogue key of the message for people.
    pub fn key(self) -> &'static str {
        match self {
            EmailError::Empty => "invalid.email_empty",
            EmailError::TooLong => "invalid.email_too_long",
            EmailError::Malformed => "invalid.email_malformed",
        }
    }
}

/// Normalises and validates an address; `Ok` holds the stored form.
pub fn normalise(input: &str) -> Result<String, EmailError> {
    let half = to_half_width_ascii(input);
    let trimmed = half.trim_matches(|c: char| c.is_whitespace());
    if trimmed.is_empty() {
        return Err(EmailError::Empty);
    }
    let address = trimmed.to_lowercase();
    if address.chars().count() > 254 {
        return Err(EmailError::TooLong);
    }
    let (local, domain) = address.rsplit_once('@').ok_or(EmailError::Malformed)?;
    if !valid_local(local) || !valid_domain(domain) {
        return Err(EmailError::Malformed);
    }
    Ok(address)
}

fn valid_local(local: &str) -> bool {
    const SPECIAL: &str = "!#$%&'*+-/=?^_`{|}~.";
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || SPECIAL.contains(c))
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
}

/// The domain part of a normalised address.
pub fn domain(address: &str) -> &str {
    address.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises_real_addresses() {
        for (input, stored) in [
            ("taro@example.jp", "taro@example.jp"),
            ("  Taro.Yamada@Example.CO.JP ", "taro.yamada@example.co.jp"),
            ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "taro@example.jp"),
            (
                "\u{3000}hanako+alumni@mail.example.com\u{3000}",
                "hanako+alumni@mail.example.com",
            ),
            ("o'brien@example.ie", "o'brien@example.ie"),
            ("a@b-c.io", "a@b-c.io"),
        ] {
            assert_eq!(normalise(input).as_deref(), Ok(stored), "{input}");
        }
    }

    #[test]
    fn refuses_malformed_addresses_with_a_reason() {
        assert_eq!(normalise(""), Err(EmailError::Empty));
        assert_eq!(normalise(" \u{3000} "), Err(EmailError::Empty));
        for bad in [
            "taro",
            "taro@",
            "@example.jp",
            "taro@example",
            "taro@@example.jp",
            "taro@exa mple.jp",
            ".taro@example.jp",
            "taro.@example.jp",
            "ta..ro@example.jp",
            "taro@-example.jp",
            "taro@example.j",
            "taro@example.123",
            "山田@example.jp",
            "taro@例え.jp",
            "taro@example..jp",
            "<taro@example.jp>",
            "taro@example.jp\nBcc: x@evil.example",
        ] {
            assert_eq!(normalise(bad), Err(EmailError::Malformed), "{bad:?}");
        }
        let long = format!("{}@example.jp", "a".repeat(250));
        assert_eq!(normalise(&long), Err(EmailError::TooLong));
        let long_local = format!("{}@example.jp", "a".repeat(65));
        assert_eq!(normalise(&long_local), Err(EmailError::Malformed));
    }

    #[test]
    fn domain_of_an_address() {
        assert_eq!(domain("taro@example.co.jp"), "example.co.jp");
    }
}
