//! Japanese text helpers that more than one capability needs. (Search
//! normalisation — NFKC, kana folding, romaji — arrives with the directory.)

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

#[cfg(test)]
mod tests {
    use super::*;

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
