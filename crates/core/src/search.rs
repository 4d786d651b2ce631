//! Search that works for Japanese, as pure functions (ARCHITECTURE.md ›
//! search).
//!
//! * [`normalise`]: NFKC (full-width ↔ half-width, ｽｽﾞｷ → スズキ),
//!   lower-case, katakana → hiragana, separators collapsed to one space.
//! * [`index_tokens`]: the 1- and 2-character grams of every run of a
//!   field's normalised text (no punctuation), deduplicated — what the
//!   engines index (FTS5 on SQLite, `array_to_tsvector` on PostgreSQL).
//!   Two-character grams make two-character surnames such as 鈴木 findable,
//!   where trigram indexes fail.
//! * [`Query::parse`]: a search box's text as terms (all must match), each
//!   with its alternatives (`suzuki` also as すずき); never raw index syntax,
//!   whatever the input (`"`, `*`, `OR`, `NEAR(`, 10,000 characters…).
//! * [`Query::score`]: the index only narrows the candidates; whether a
//!   person really matches — in the fields the viewer may see — and how
//!   well is decided here, identically for both engines.

use unicode_normalization::UnicodeNormalization;
use wana_kana::ConvertJapanese;

/// Longest query text considered, in characters (the rest is ignored).
pub const MAX_QUERY_CHARS: usize = 200;
/// Most terms considered in one query.
pub const MAX_TERMS: usize = 8;

fn is_katakana(c: char) -> bool {
    ('\u{30A1}'..='\u{30F6}').contains(&c)
}

/// Whether `c` belongs inside a word (letters, digits, kana, kanji, the
/// long-vowel mark, the iteration mark 々).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == 'ー' || c == '々'
}

/// Normalises text for matching (see the module docs).
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.nfkc().flat_map(char::to_lowercase) {
        if is_word_char(c) {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(if is_katakana(c) {
                char::from_u32(c as u32 - 0x60).unwrap_or(c)
            } else {
                c
            });
        } else {
            gap = true;
        }
    }
    out
}

/// The 1- and 2-grams of each run (word) of normalised `text`, without
/// duplicates, in first-seen order.
pub fn index_tokens(text: &str) -> Vec<String> {
    let mut tokens: Vec<String> = Vec::new();
    let mut push = |t: String| {
        if !tokens.contains(&t) {
            tokens.push(t);
        }
    };
    for run in normalise(text).split(' ').filter(|r| !r.is_empty()) {
        let chars: Vec<char> = run.chars().collect();
        for (i, c) in chars.iter().enumerate() {
            push(c.to_string());
            if let Some(next) = chars.get(i + 1) {
                push(format!("{c}{next}"));
            }
        }
    }
    tokens
}

/// The tokens the index must hold for `needle` (normalised, one run) to
/// be found: its 1-gram when it is one character, else its 2-grams.
fn needle_tokens(needle: &str) -> Vec<String> {
    let chars: Vec<char> = needle.chars().collect();
    if chars.len() == 1 {
        return vec![needle.to_string()];
    }
    let mut out: Vec<String> = Vec::new();
    for pair in chars.windows(2) {
        let t: String = pair.iter().collect();
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// One word of a query and the forms it may take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    /// Normalised forms, any of which may match (`suzuki`, `すずき`).
    pub forms: Vec<String>,
}

impl Term {
    /// For each form, the index tokens a candidate must all have.
    pub fn token_sets(&self) -> Vec<Vec<String>> {
        self.forms.iter().map(|f| needle_tokens(f)).collect()
    }
}

/// A parsed query: every term must match (in some visible field).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Query {
    pub terms: Vec<Term>,
}

/// How a field counts in relevance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weight {
    /// Names (kanji, kana, romaji) and the nickname.
    Name,
    /// Company, title, skills, departments.
    Work,
    /// Free text (bio).
    Text,
}

impl Weight {
    fn points(self) -> u32 {
        match self {
            Weight::Name => 100,
            Weight::Work => 40,
            Weight::Text => 10,
        }
    }
}

impl Query {
    /// Parses what someone typed. Terms are split on spaces (full-width
    /// too); anything but letters, digits and kana is a separator; a term
    /// written in romaji also matches its hiragana reading.
    pub fn parse(input: &str) -> Query {
        let limited: String = input.chars().take(MAX_QUERY_CHARS).collect();
        let mut terms: Vec<Term> = Vec::new();
        for word in normalise(&limited).split(' ').filter(|w| !w.is_empty()) {
            let mut forms = vec![word.to_string()];
            if word.chars().all(|c| c.is_ascii_lowercase()) && word.len() >= 2 {
                let kana = word.to_hiragana();
                if kana
                    .chars()
                    .all(|c| ('\u{3041}'..='\u{3096}').contains(&c) || c == 'ー')
                    && kana != word
                {
                    forms.push(kana);
                }
            }
            let term = Term { forms };
            if !terms.contains(&term) {
                terms.push(term);
            }
            if terms.len() == MAX_TERMS {
                break;
            }
        }
        Query { terms }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The relevance of a candidate whose visible fields are `fields`
    /// (already [`normalise`]d), or `None` when some term matches none of
    /// them. A field equal to the term scores highest, then one starting
    /// with it, then one containing it; names weigh most.
    pub fn score(&self, fields: &[(Weight, &str)]) -> Option<u32> {
        let mut total = 0;
        for term in &self.terms {
            let best = fields
                .iter()
                .filter_map(|(weight, text)| {
                    term.forms
                        .iter()
                        .filter_map(|form| {
                            let factor =
                                if text.split(' ').any(|w| w == form) || *text == form.as_str() {
                                    4
                                } else if text.starts_with(form.as_str())
                                    || text.split(' ').any(|w| w.starts_with(form.as_str()))
                                {
                                    2
                                } else if text.contains(form.as_str()) {
                                    1
                                } else {
                                    return None;
                                };
                            Some(weight.points() * factor)
                        })
                        .max()
                })
                .max()?;
            total += best;
        }
        Some(total)
    }
}

/// The key people are sorted by in 五十音順: the normalised reading
/// (kana, hiragana-folded), falling back to the written name.
pub fn kana_sort_key(kana: &str, written: &str) -> String {
    let key = normalise(kana).replace(' ', "");
    if key.is_empty() {
        normalise(written).replace(' ', "")
    } else {
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_folds_width_case_and_kana() {
        assert_eq!(normalise("ｽｽﾞｷ"), "すずき");
        assert_eq!(normalise("スズキ"), "すずき");
        assert_eq!(normalise("ＳＵＺＵＫＩ　Hitoshi"), "suzuki hitoshi");
        assert_eq!(normalise("鈴木　仁志"), "鈴木 仁志");
        assert_eq!(normalise("  営業本部／東京  "), "営業本部 東京");
        assert_eq!(normalise("データ・サイエンス"), "でーた さいえんす");
        assert_eq!(normalise("佐々木"), "佐々木");
        assert_eq!(normalise("\"*OR NEAR(^-"), "or near");
        assert_eq!(normalise("😀🎉"), "");
    }

    #[test]
    fn index_holds_one_and_two_character_grams_per_word() {
        assert_eq!(
            index_tokens("鈴木 仁志"),
            vec!["鈴", "鈴木", "木", "仁", "仁志", "志"]
        );
        assert_eq!(
            index_tokens("スズキ"),
            vec!["す", "すず", "ず", "ずき", "き"]
        );
        assert_eq!(index_tokens("SQL"), vec!["s", "sq", "q", "ql", "l"]);
        assert!(index_tokens("!!!").is_empty());
        // no token crosses a word boundary
        assert!(!index_tokens("鈴木 木村").contains(&"木木".to_string()));
    }

    #[test]
    fn queries_never_carry_index_syntax() {
        let q = Query::parse("\"鈴木\" OR NEAR(x) -y *z ^w");
        let words: Vec<&str> = q.terms.iter().map(|t| t.forms[0].as_str()).collect();
        assert_eq!(
            words,
            vec!["鈴木", "or", "near", "x", "y", "z", "w"]
                .into_iter()
                .take(MAX_TERMS)
                .collect::<Vec<_>>()
        );
        for t in &q.terms {
            for set in t.token_sets() {
                assert!(set.iter().all(|tok| tok.chars().all(is_word_char)));
            }
        }
        assert!(Query::parse("").is_empty());
        assert!(Query::parse("！？（）").is_empty());
        let long = "あ".repeat(10_000);
        let q = Query::parse(&long);
        assert_eq!(q.terms[0].forms[0].chars().count(), MAX_QUERY_CHARS);
        assert_eq!(
            Query::parse(&"a ".repeat(50)).terms.len(),
            1,
            "duplicate terms collapse"
        );
        assert_eq!(Query::parse("a b c d e f g h i j k").terms.len(), MAX_TERMS);
    }

    #[test]
    fn romaji_terms_also_match_their_reading() {
        let q = Query::parse("Suzuki");
        assert_eq!(
            q.terms[0].forms,
            vec!["suzuki".to_string(), "すずき".to_string()]
        );
        assert_eq!(
            Query::parse("sql").terms[0].forms.len(),
            1,
            "not readable as kana: one form"
        );
        assert_eq!(
            Query::parse("すずき").terms[0].forms,
            vec!["すずき".to_string()]
        );
    }

    #[test]
    fn token_sets_follow_the_needle_length() {
        let q = Query::parse("木");
        assert_eq!(q.terms[0].token_sets(), vec![vec!["木".to_string()]]);
        let q = Query::parse("鈴木");
        assert_eq!(q.terms[0].token_sets(), vec![vec!["鈴木".to_string()]]);
        let q = Query::parse("すずき");
        assert_eq!(
            q.terms[0].token_sets(),
            vec![vec!["すず".to_string(), "ずき".to_string()]]
        );
    }

    #[test]
    fn scoring_matches_only_visible_fields_and_ranks_names_first() {
        let name = normalise("鈴木 仁志");
        let kana = normalise("スズキ ヒトシ");
        let romaji = normalise("Hitoshi Suzuki");
        let company = normalise("鈴木商店");
        let bio = normalise("鈴木さんと働いていました");
        let person = [
            (Weight::Name, name.as_str()),
            (Weight::Name, kana.as_str()),
            (Weight::Name, romaji.as_str()),
        ];
        for q in [
            "鈴木",
            "すずき",
            "スズキ",
            "ｽｽﾞｷ",
            "suzuki",
            "木",
            "仁志",
            "hitoshi suzuki",
            "鈴木 ひとし",
        ] {
            assert!(Query::parse(q).score(&person).is_some(), "{q}");
        }
        for q in ["佐藤", "鈴木 佐藤", "すずか"] {
            assert!(Query::parse(q).score(&person).is_none(), "{q}");
        }
        // a company name only counts where the company is visible
        let q = Query::parse("商店");
        assert!(q.score(&person).is_none());
        assert!(q.score(&[(Weight::Work, company.as_str())]).is_some());
        // names beat work beat free text; whole words beat parts
        let q = Query::parse("鈴木");
        let as_name = q.score(&[(Weight::Name, name.as_str())]).unwrap();
        let as_company = q.score(&[(Weight::Work, company.as_str())]).unwrap();
        let as_bio = q.score(&[(Weight::Text, bio.as_str())]).unwrap();
        assert!(
            as_name > as_company && as_company > as_bio,
            "{as_name} {as_company} {as_bio}"
        );
        let exact = Query::parse("仁志")
            .score(&[(Weight::Name, name.as_str())])
            .unwrap();
        let part = Query::parse("仁")
            .score(&[(Weight::Name, name.as_str())])
            .unwrap();
        assert!(exact > part);
    }

    #[test]
    fn kana_order_uses_the_reading() {
        let mut people = [
            ("サトウ", "佐藤"),
            ("あべ", "阿部"),
            ("", "渡辺"),
            ("スズキ", "鈴木"),
        ];
        people.sort_by_key(|(k, w)| kana_sort_key(k, w));
        assert_eq!(
            people.iter().map(|p| p.1).collect::<Vec<_>>(),
            vec!["阿部", "佐藤", "鈴木", "渡辺"]
        );
    }
}
