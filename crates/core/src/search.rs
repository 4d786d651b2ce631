//! Search that works for Japanese, as pure functions (ARCHITECTURE.md ›
//! search).
//!
//! * [`normalise`]: NFKC (full-width ↔ half-width, ｽｽﾞｷ → スズキ),
//!   lower-case, katakana → hiragana, separators collapsed to one space,
//!   and a legal designator written onto a name made a word of its own
//!   (株式会社ミライ → `株式会社 みらい`: people search for ミライ).
//! * [`word_grams`]: the 2- and 1-character grams of each word of a
//!   field's normalised text (no punctuation), what the engines index (see
//!   "Typed index tokens" below). Two-character grams make two-character
//!   surnames such as 鈴木 findable, where trigram indexes fail.
//! * [`Query::parse`]: a search box's text as terms (all must match), each
//!   with its alternatives (`suzuki` also as すずき); never raw index syntax,
//!   whatever the input (`"`, `*`, `OR`, `NEAR(`, 10,000 characters…).
//! * [`Query::score`]: how well a person matches, in the fields the
//!   viewer may see: per term the best of field weight (names over work
//!   over bio) × kind of match (a whole word, a word's beginning, inside
//!   a word), summed over the terms.
//!
//! ## Typed index tokens
//!
//! So that the engines can rank and filter by themselves — reading only
//! the page's rows, counting without decoding a profile — every token says
//! what it is (`store::directory` builds the queries from the same
//! functions, and both engines index the same strings):
//!
//! | token | meaning |
//! |---|---|
//! | `n:鈴木`, `w:営業`, `t:趣味` | a 1- or 2-gram in a name / work / free-text field ([`gram_token`]), in text order: a form is inside a word when its 2-grams follow each other (a phrase query) |
//! | `n=suzuki`, `w=sql` | a whole word of such a field; prefix queries on it find a word's beginning ([`word_token`]) |
//! | `d=…`, `i=…`, `l=…`, `s=…` | a department, industry, location or skill, as a hash of the normalised value ([`facet_token`]) |
//! | `o=rehire` | an open-to flag ([`open_to_token`]) |
//! | `j=1998`, `y=2005` | the year of the first joining / the last leaving ([`year_token`]) |
//!
//! Tokens are made from the profile as members and as admins may see it
//! ([`crate::profile::Profile::index_tokens`]), so a hidden field is never
//! found, filtered or ranked on, and the engines' sets and tiers are the
//! ones [`Query::score`] and [`crate::profile::Filter::matches`] decide
//! (the directory still re-checks the rows it shows with them).

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

/// The legal forms of Japanese organisations, as [`normalise`] has them,
/// that are written onto the name without a space (株式会社ミライ,
/// ネクストラボ合同会社). None is inside another. ((株), ㈱ and English
/// forms — `Inc.`, `Co., Ltd.` — are words of their own already.)
const DESIGNATORS: [&str; 15] = [
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "一般社団法人",
    "一般財団法人",
    "公益社団法人",
    "公益財団法人",
    "特定非営利活動法人",
    "npo法人",
    "医療法人",
    "社会福祉法人",
    "学校法人",
    "宗教法人",
];

/// `text` (normalised) with every [`DESIGNATORS`] entry a word of its own,
/// so that the name is a whole word: "ミライ" finds 株式会社ミライ as a
/// company's whole word (the directory's best work tier, read from its
/// index of words), not only inside one.
fn designators_apart(text: String) -> String {
    if !(text.contains("会社") || text.contains("法人")) {
        return text;
    }
    let mut spaced = text;
    for d in DESIGNATORS {
        if spaced.contains(d) {
            spaced = spaced.replace(d, &format!(" {d} "));
        }
    }
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Normalises text for matching (see the module docs).
pub fn normalise(text: &str) -> String {
    designators_apart(folded(text))
}

/// NFKC, lower case, hiragana, separators as one space.
fn folded(text: &str) -> String {
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

/// The 2-grams of a word, in text order.
fn bigrams(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    chars.windows(2).map(|p| p.iter().collect()).collect()
}

/// The grams the index holds for one normalised word, in order: its
/// 2-grams in text order (so a phrase of them is a substring of the word:
/// [`Term::phrases`]), then its characters (for one-character queries).
pub fn word_grams(word: &str) -> Vec<String> {
    let mut grams = bigrams(word);
    grams.extend(word.chars().map(String::from));
    grams
}

/// One word of a query and the forms it may take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    /// Normalised forms, any of which may match (`suzuki`, `すずき`).
    pub forms: Vec<String>,
}

impl Term {
    /// For each form, the grams that must follow each other in a field
    /// for the form to be inside one of its words: the character of a
    /// one-character form, else every 2-gram in order (`sasaki`: `sa as
    /// sa ak ki`). See [`Profile::index_tokens`](crate::profile::Profile::index_tokens).
    pub fn phrases(&self) -> Vec<Vec<String>> {
        self.forms
            .iter()
            .map(|f| match f.chars().count() {
                1 => vec![f.clone()],
                _ => bigrams(f),
            })
            .collect()
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
    pub const ALL: [Weight; 3] = [Weight::Name, Weight::Work, Weight::Text];

    /// The letter this weight's tokens start with.
    pub fn marker(self) -> char {
        match self {
            Weight::Name => 'n',
            Weight::Work => 'w',
            Weight::Text => 't',
        }
    }

    /// Points of a match in a field of this weight, by kind of match.
    pub fn points_for(self, how: Match) -> u32 {
        self.points() * how.factor()
    }

    fn points(self) -> u32 {
        match self {
            Weight::Name => 100,
            Weight::Work => 40,
            Weight::Text => 10,
        }
    }
}

/// How a form matched a field's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Match {
    /// A whole word.
    Word,
    /// The beginning of a word.
    Prefix,
    /// Inside a word.
    Inside,
}

impl Match {
    pub const ALL: [Match; 3] = [Match::Word, Match::Prefix, Match::Inside];

    fn factor(self) -> u32 {
        match self {
            Match::Word => 4,
            Match::Prefix => 2,
            Match::Inside => 1,
        }
    }
}

/// Longest word kept whole in a [`word_token`] (a long run of free text is
/// cut; its beginning still counts).
pub const WORD_TOKEN_CHARS: usize = 64;

/// The index token of a 1- or 2-gram of a field of weight `w`.
pub fn gram_token(w: Weight, gram: &str) -> String {
    let mut t = String::with_capacity(gram.len() + 2);
    t.push(w.marker());
    t.push(':');
    t.push_str(gram);
    t
}

/// The index token of a whole (normalised) word of a field of weight `w`.
pub fn word_token(w: Weight, word: &str) -> String {
    let word: String = word.chars().take(WORD_TOKEN_CHARS).collect();
    format!("{}={word}", w.marker())
}

/// A field the directory filters on by its whole value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Facet {
    Department,
    Industry,
    Location,
    Skill,
}

/// The index token of a filter value, or `None` when it normalises to
/// nothing (punctuation only). Values are hashed (FNV-1a, 64 bits) so any
/// text becomes one token of word characters.
pub fn facet_token(facet: Facet, value: &str) -> Option<String> {
    let marker = match facet {
        Facet::Department => 'd',
        Facet::Industry => 'i',
        Facet::Location => 'l',
        Facet::Skill => 's',
    };
    let n = normalise(value);
    if n.is_empty() {
        return None;
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in n.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    Some(format!("{marker}={hash:016x}"))
}

/// The index token of an open-to flag's word.
pub fn open_to_token(word: &str) -> String {
    format!("o={word}")
}

/// The index token of the year someone first joined (`joined`) or last
/// left the company.
pub fn year_token(joined: bool, year: i64) -> String {
    format!("{}={year}", if joined { 'j' } else { 'y' })
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
                            let how = if text.split(' ').any(|w| w == form) {
                                Match::Word
                            } else if text.split(' ').any(|w| w.starts_with(form.as_str())) {
                                Match::Prefix
                            } else if text.contains(form.as_str()) {
                                Match::Inside
                            } else {
                                return None;
                            };
                            Some(weight.points_for(how))
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
    fn legal_designators_are_words_of_their_own() {
        assert_eq!(normalise("株式会社ミライ"), "株式会社 みらい");
        assert_eq!(normalise("ネクストラボ合同会社"), "ねくすとらぼ 合同会社");
        assert_eq!(normalise("ｶﾌﾞｼｷｶﾞｲｼｬ ミライ"), "かぶしきがいしゃ みらい");
        assert_eq!(normalise("㈱ミライ"), "株 みらい");
        assert_eq!(normalise("(有)山田商店"), "有 山田商店");
        assert_eq!(normalise("NPO法人フローレンス"), "npo法人 ふろーれんす");
        assert_eq!(
            normalise("一般社団法人日本ＩＴ協会・株式会社ミライ"),
            "一般社団法人 日本it協会 株式会社 みらい"
        );
        assert_eq!(normalise("株式会社"), "株式会社");
        // "company" inside other words stays as it is
        assert_eq!(normalise("会社員"), "会社員");
        assert_eq!(normalise("子会社 管理"), "子会社 管理");
        assert_eq!(normalise("法人営業"), "法人営業");
        // a query is folded the same way: both words must match
        let q = Query::parse("株式会社ミライ");
        assert_eq!(q.terms.len(), 2);
        // the name is a whole word of the company, not only inside it
        let score = |query: &str| {
            Query::parse(query).score(&[(Weight::Work, &normalise("株式会社ミライ"))])
        };
        assert_eq!(score("ミライ"), Some(Weight::Work.points_for(Match::Word)));
        assert_eq!(
            score("株式会社"),
            Some(Weight::Work.points_for(Match::Word))
        );
        assert_eq!(score("ミラ"), Some(Weight::Work.points_for(Match::Prefix)));
    }

    #[test]
    fn index_holds_two_and_one_character_grams_per_word() {
        assert_eq!(word_grams("鈴木"), vec!["鈴木", "鈴", "木"]);
        assert_eq!(
            word_grams(&normalise("スズキ")),
            vec!["すず", "ずき", "す", "ず", "き"]
        );
        assert_eq!(word_grams("sql"), vec!["sq", "ql", "s", "q", "l"]);
        assert!(normalise("!!!").is_empty());
        // grams are made a word at a time: none crosses a word boundary
        let across: Vec<String> = normalise("鈴木 木村")
            .split(' ')
            .flat_map(word_grams)
            .collect();
        assert!(!across.contains(&"木木".to_string()));
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
            for set in t.phrases() {
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
    fn phrases_follow_the_needle_length() {
        let q = Query::parse("木");
        assert_eq!(q.terms[0].phrases(), vec![vec!["木".to_string()]]);
        let q = Query::parse("鈴木");
        assert_eq!(q.terms[0].phrases(), vec![vec!["鈴木".to_string()]]);
        let q = Query::parse("すずき");
        assert_eq!(
            q.terms[0].phrases(),
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

    #[test]
    fn phrases_keep_every_gram_in_order() {
        let q = Query::parse("sasaki 木");
        assert_eq!(
            q.terms[0].phrases(),
            vec![vec!["sa", "as", "sa", "ak", "ki"], vec!["ささ", "さき"],]
        );
        assert_eq!(q.terms[1].phrases(), vec![vec!["木"]]);
    }

    #[test]
    fn typed_tokens_cannot_be_mistaken_for_each_other() {
        assert_eq!(gram_token(Weight::Name, "鈴木"), "n:鈴木");
        assert_eq!(word_token(Weight::Work, "sql"), "w=sql");
        assert_eq!(
            word_token(Weight::Text, &"あ".repeat(100)).chars().count(),
            2 + WORD_TOKEN_CHARS
        );
        assert_eq!(year_token(true, 1998), "j=1998");
        assert_eq!(year_token(false, 1998), "y=1998");
        assert_eq!(open_to_token("rehire"), "o=rehire");
        // a filter value is found however it is written, and never as text
        let a = facet_token(Facet::Department, "営業本部／東京").unwrap();
        assert_eq!(
            facet_token(Facet::Department, "営業本部 東京"),
            Some(a.clone())
        );
        assert_ne!(
            facet_token(Facet::Industry, "営業本部 東京"),
            Some(a.clone())
        );
        assert!(a.starts_with("d=") && a.len() == 18, "{a}");
        assert_eq!(facet_token(Facet::Skill, "！？"), None);
    }

    #[test]
    fn points_keep_names_over_work_over_bio() {
        let order: Vec<u32> = [
            (Weight::Name, Match::Word),
            (Weight::Name, Match::Prefix),
            (Weight::Work, Match::Word),
            (Weight::Name, Match::Inside),
            (Weight::Work, Match::Prefix),
            (Weight::Work, Match::Inside),
            (Weight::Text, Match::Prefix),
            (Weight::Text, Match::Inside),
        ]
        .iter()
        .map(|(w, m)| w.points_for(*m))
        .collect();
        assert!(order.windows(2).all(|p| p[0] > p[1]), "{order:?}");
        assert_eq!(
            Weight::Work.points_for(Match::Inside),
            Weight::Text.points_for(Match::Word)
        );
    }
}
