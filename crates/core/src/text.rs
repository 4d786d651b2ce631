//! Japanese text helpers that more than one capability needs. (Search
//! normalisation — NFKC, kana folding, romaji — arrives with the directory.)

/// `n` with thousands separators: 1234567 → `1,234,567` (how both of our
/// languages write counts).
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Full-width ASCII (U+FF01–U+FF5E) to its half-width twin, and the
/// ideographic space (U+3000) to a plain space. Everything else unchanged.
pub fn to_half_width_ascii(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// Text for HTML (element content or a quoted attribute): `& < > " '`
/// escaped, everything else kept.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(20_000), "20,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped(-4_000), "-4,000");
        assert_eq!(grouped(i64::MIN), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn folds_full_width_ascii_only() {
        assert_eq!(to_half_width_ascii("ＡＢＣ１２３＠ｘ．ｊｐ"), "ABC123@x.jp");
        assert_eq!(to_half_width_ascii("鈴木\u{3000}仁志"), "鈴木 仁志");
        assert_eq!(
            to_half_width_ascii("ｽｽﾞｷ"),
            "ｽｽﾞｷ",
            "half-width kana are the directory's business"
        );
    }
}
