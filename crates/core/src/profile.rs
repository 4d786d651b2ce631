//! A member's profile in one network: names in three scripts, stints at
//! the company (several — people come back), what they do now, what they
//! are open to, and who may see each part.
//!
//! [`Profile::seen_by`] is the one place that blanks what a viewer may not
//! see (through [`crate::privacy::may_see`]); pages, the API, search
//! scoring, filters and exports all work on its result.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::privacy::{Field, Viewer, Visibility, may_see};
use crate::search::{Weight, normalise};

/// A calendar month, stored as `year * 100 + month` (200904).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct YearMonth(pub i64);

/// Earliest year a stint may start (older is a typing mistake).
pub const MIN_YEAR: i64 = 1900;

/// Why a date or stint was refused; each is a catalogue key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateError {
    /// Not a year and month we can read.
    Unreadable,
    /// Before [`MIN_YEAR`].
    TooEarly,
    /// After the current month.
    Future,
    /// Left before joining.
    LeftBeforeJoined,
}

impl DateError {
    pub fn key(self) -> &'static str {
        match self {
            DateError::Unreadable => "invalid.year_month",
            DateError::TooEarly => "invalid.year_too_early",
            DateError::Future => "invalid.date_future",
            DateError::LeftBeforeJoined => "invalid.left_before_joined",
        }
    }
}

impl YearMonth {
    pub fn new(year: i64, month: i64) -> Option<YearMonth> {
        ((1..=12).contains(&month) && (1..=9999).contains(&year))
            .then_some(YearMonth(year * 100 + month))
    }

    pub fn year(self) -> i64 {
        self.0 / 100
    }

    pub fn month(self) -> i64 {
        self.0 % 100
    }

    /// Reads `2009-04`, `2009/4`, `2009.04`, `2009年4月` (full-width digits
    /// too). A bare year is not a month: it is refused.
    pub fn parse(input: &str) -> Result<YearMonth, DateError> {
        let text = crate::text::to_half_width_ascii(input.trim());
        let text = text.trim_end_matches('月');
        let mut parts = text
            .split(['-', '/', '.', '年'])
            .map(str::trim)
            .filter(|p| !p.is_empty());
        let (Some(y), Some(m), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(DateError::Unreadable);
        };
        if y.len() != 4 || m.len() > 2 {
            return Err(DateError::Unreadable);
        }
        let (Ok(year), Ok(month)) = (y.parse::<i64>(), m.parse::<i64>()) else {
            return Err(DateError::Unreadable);
        };
        YearMonth::new(year, month).ok_or(DateError::Unreadable)
    }

    /// `2009-04`, as form fields and the API write it.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}", self.year(), self.month())
    }

    /// Checks the month against the earliest year and `today`.
    pub fn check(self, today: YearMonth) -> Result<YearMonth, DateError> {
        if self.year() < MIN_YEAR {
            Err(DateError::TooEarly)
        } else if self > today {
            Err(DateError::Future)
        } else {
            Ok(self)
        }
    }

    /// The month a Unix-milliseconds instant falls in (UTC).
    pub fn of_unix_ms(ms: i64) -> YearMonth {
        let days = ms.div_euclid(86_400_000);
        // civil-from-days (Howard Hinnant)
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        YearMonth(year * 100 + month)
    }
}

/// One stint at the company.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Stint {
    pub joined: Option<YearMonth>,
    /// `None`: still there.
    pub left: Option<YearMonth>,
    pub departments: Vec<String>,
    pub titles: Vec<String>,
    pub office: String,
    /// Only HR's records carry it; shown to admins (and the person).
    pub employee_number: String,
}

impl Stint {
    /// Whether two stints were at the company at the same time.
    pub fn overlaps(&self, other: &Stint) -> bool {
        let (Some(a0), Some(b0)) = (self.joined, other.joined) else {
            return false;
        };
        let a1 = self.left.unwrap_or(YearMonth(i64::MAX));
        let b1 = other.left.unwrap_or(YearMonth(i64::MAX));
        a0 <= b1 && b0 <= a1
    }
}

/// Checks one stint as typed: joined required, neither in the future nor
/// before 1900, left not before joined.
pub fn check_stint(
    joined: &str,
    left: &str,
    today: YearMonth,
) -> Result<(YearMonth, Option<YearMonth>), (&'static str, DateError)> {
    let joined = YearMonth::parse(joined)
        .and_then(|j| j.check(today))
        .map_err(|e| ("joined", e))?;
    let left = match left.trim() {
        "" => None,
        text => Some(
            YearMonth::parse(text)
                .and_then(|l| l.check(today))
                .map_err(|e| ("left", e))?,
        ),
    };
    if left.is_some_and(|l| l < joined) {
        return Err(("left", DateError::LeftBeforeJoined));
    }
    Ok((joined, left))
}

/// What a person says they are open to (each set by them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OpenTo {
    Rehire,
    Contract,
    Partnership,
    Mentoring,
    Speaking,
    Referral,
    StaffContact,
}

words!(OpenTo {
        Rehire = "rehire",
        Contract = "contract",
        Partnership = "partnership",
        Mentoring = "mentoring",
        Speaking = "speaking",
        Referral = "referral",
        StaffContact = "staff_contact",
});

/// How a person works now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WorkStyle {
    Employee,
    Executive,
    Founder,
    Freelance,
    PublicSector,
    Student,
    BetweenJobs,
    Retired,
    Other,
}

words!(WorkStyle {
        Employee = "employee",
        Executive = "executive",
        Founder = "founder",
        Freelance = "freelance",
        PublicSector = "public",
        Student = "student",
        BetweenJobs = "between",
        Retired = "retired",
        Other = "other",
});

/// Who may see each field. Fields not in the map have their default.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Visibilities(pub BTreeMap<String, String>);

impl Visibilities {
    /// The visibility of `field` (names are always the network's; the
    /// employee number always admins').
    pub fn of(&self, field: Field) -> Visibility {
        if !field.is_adjustable() {
            return field.default_visibility();
        }
        self.0
            .get(field.as_str())
            .and_then(|v| Visibility::parse(v))
            .unwrap_or(field.default_visibility())
    }

    pub fn set(&mut self, field: Field, visibility: Visibility) {
        if field.is_adjustable() {
            if visibility == field.default_visibility() {
                self.0.remove(field.as_str());
            } else {
                self.0
                    .insert(field.as_str().to_string(), visibility.as_str().to_string());
            }
        }
    }
}

/// A profile as stored: everything, for the person and the system.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Profile {
    pub family: String,
    pub given: String,
    pub family_kana: String,
    pub given_kana: String,
    pub family_romaji: String,
    pub given_romaji: String,
    pub nickname: String,
    pub company: String,
    pub title: String,
    pub industry: String,
    pub location: String,
    pub work_style: Option<WorkStyle>,
    pub skills: Vec<String>,
    pub languages: Vec<String>,
    pub links: Vec<String>,
    pub bio: String,
    /// Key of the photo (see the image pipeline).
    pub photo: Option<String>,
    pub open_to: Vec<OpenTo>,
    pub email: String,
    pub phone: String,
    /// The stints others see: the person's own once they edited them,
    /// otherwise HR's.
    pub stints: Vec<Stint>,
    pub visibility: Visibilities,
}

impl Profile {
    /// The profile as `viewer` may see it: every field they may not see is
    /// emptied. The one place field visibility is applied.
    pub fn seen_by(&self, viewer: Viewer) -> Profile {
        let sees = |field: Field| may_see(self.visibility.of(field), viewer);
        let mut p = self.clone();
        if !sees(Field::Name) {
            p.family.clear();
            p.given.clear();
            p.family_kana.clear();
            p.given_kana.clear();
            p.family_romaji.clear();
            p.given_romaji.clear();
        }
        let blank = |keep: bool, s: &mut String| {
            if !keep {
                s.clear()
            }
        };
        blank(sees(Field::Nickname), &mut p.nickname);
        blank(sees(Field::Company), &mut p.company);
        blank(sees(Field::Title), &mut p.title);
        blank(sees(Field::Industry), &mut p.industry);
        blank(sees(Field::Location), &mut p.location);
        blank(sees(Field::Bio), &mut p.bio);
        blank(sees(Field::Email), &mut p.email);
        blank(sees(Field::Phone), &mut p.phone);
        if !sees(Field::WorkStyle) {
            p.work_style = None;
        }
        if !sees(Field::Skills) {
            p.skills.clear();
        }
        if !sees(Field::Languages) {
            p.languages.clear();
        }
        if !sees(Field::Links) {
            p.links.clear();
        }
        if !sees(Field::Photo) {
            p.photo = None;
        }
        if !sees(Field::OpenTo) {
            p.open_to.clear();
        }
        let tenure = sees(Field::Tenure);
        let departments = sees(Field::Departments);
        let number = sees(Field::EmployeeNumber);
        if !tenure && !departments {
            p.stints.clear();
        }
        for s in &mut p.stints {
            if !tenure {
                s.joined = None;
                s.left = None;
            }
            if !departments {
                s.departments.clear();
                s.titles.clear();
                s.office.clear();
            }
            if !number {
                s.employee_number.clear();
            }
        }
        if viewer != Viewer::Themself {
            // what each field's visibility is set to is the person's business
            p.visibility = Visibilities::default();
        }
        p
    }

    /// The name in the order the language writes it: 鈴木 仁志 / Hitoshi
    /// Suzuki (a name without romaji keeps the written order).
    pub fn display_name(&self, lang: crate::Lang) -> String {
        name_in(
            lang,
            &self.family,
            &self.given,
            &self.family_romaji,
            &self.given_romaji,
        )
    }

    /// The reading, family first: スズキ ヒトシ.
    pub fn kana_name(&self) -> String {
        [self.family_kana.as_str(), self.given_kana.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// First month joined, over every stint.
    pub fn first_joined(&self) -> Option<YearMonth> {
        self.stints.iter().filter_map(|s| s.joined).min()
    }

    /// Last month left, `None` when still there (or unknown).
    pub fn last_left(&self) -> Option<YearMonth> {
        if self
            .stints
            .iter()
            .any(|s| s.joined.is_some() && s.left.is_none())
        {
            return None;
        }
        self.stints.iter().filter_map(|s| s.left).max()
    }

    /// Departments over every stint, without repeats.
    pub fn departments(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for d in self.stints.iter().flat_map(|s| &s.departments) {
            if !out.contains(&d.as_str()) {
                out.push(d);
            }
        }
        out
    }

    /// The era on a card: `2009–2015 営業本部` (the years of the first
    /// and last stint; the department of the latest).
    pub fn era(&self) -> String {
        let years = match (self.first_joined(), self.last_left()) {
            (Some(j), Some(l)) => format!("{}–{}", j.year(), l.year()),
            (Some(j), None) => format!("{}–", j.year()),
            _ => String::new(),
        };
        let dept = self
            .stints
            .iter()
            .max_by_key(|s| s.joined)
            .and_then(|s| s.departments.first())
            .cloned()
            .unwrap_or_default();
        [years, dept]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The texts searched as names ([`Weight::Name`]: kanji, kana,
    /// romaji, nickname) and as work ([`Weight::Work`]: company, title,
    /// skills, the departments and titles of stints), each with its weight.
    pub fn word_fields(&self) -> Vec<(Weight, &str)> {
        let mut out = vec![
            (Weight::Name, self.family.as_str()),
            (Weight::Name, &self.given),
            (Weight::Name, &self.family_kana),
            (Weight::Name, &self.given_kana),
            (Weight::Name, &self.family_romaji),
            (Weight::Name, &self.given_romaji),
            (Weight::Name, &self.nickname),
            (Weight::Work, &self.company),
            (Weight::Work, &self.title),
        ];
        out.extend(self.skills.iter().map(|s| (Weight::Work, s.as_str())));
        for s in &self.stints {
            out.extend(
                s.departments
                    .iter()
                    .chain(&s.titles)
                    .map(|d| (Weight::Work, d.as_str())),
            );
        }
        out
    }

    /// The searchable fields, normalised, as this (already
    /// [`seen_by`](Profile::seen_by)) profile shows them.
    pub fn search_fields(&self) -> Vec<(Weight, String)> {
        let mut out = Vec::new();
        let mut push = |w: Weight, text: &str| {
            let n = normalise(text);
            if !n.is_empty() {
                out.push((w, n));
            }
        };
        for (weight, text) in self.word_fields() {
            push(weight, text);
        }
        push(Weight::Text, &self.bio);
        out
    }

    /// What the search index holds for this (already
    /// [`seen_by`](Profile::seen_by)) profile: the typed tokens of
    /// [`crate::search`], in order. For every word of every searchable
    /// field: its 2-grams in text order (so a phrase of them is a
    /// substring of the word), its characters, then the whole word, which
    /// keeps the next word's grams from following this one's. Then, without
    /// repeats, the values the directory filters on.
    pub fn index_tokens(&self) -> Vec<String> {
        use crate::search::{gram_token, word_token};
        let mut stream: Vec<String> = Vec::new();
        self.each_word(|weight, word| {
            for g in crate::search::word_grams(word) {
                stream.push(gram_token(weight, &g));
            }
            stream.push(word_token(weight, word));
        });
        stream.extend(self.filter_tokens());
        stream
    }

    /// Calls `f` with every word of every searchable field
    /// ([`search_fields`](Profile::search_fields): normalised, split on
    /// spaces) and its field's weight, in order — the words the search
    /// index and [`word_tokens`](Profile::word_tokens) are made of.
    fn each_word(&self, mut f: impl FnMut(Weight, &str)) {
        for (weight, text) in self.search_fields() {
            for word in text.split(' ').filter(|w| !w.is_empty()) {
                f(weight, word);
            }
        }
    }

    /// The typed tokens of the whole words of this (already
    /// [`seen_by`](Profile::seen_by)) profile's names and work
    /// ([`word_fields`](Profile::word_fields)), as [`index_tokens`](Profile::index_tokens)
    /// has them, each once.
    pub fn word_tokens(&self) -> Vec<String> {
        let mut tokens: Vec<String> = Vec::new();
        self.each_word(|weight, word| {
            if weight == Weight::Text {
                return;
            }
            let token = crate::search::word_token(weight, word);
            if !tokens.contains(&token) {
                tokens.push(token);
            }
        });
        tokens
    }

    /// The tokens of the values the directory filters on ([`Filter`]:
    /// departments, industry, location, skills, open-to, the first year
    /// joined and the last year left) of this (already
    /// [`seen_by`](Profile::seen_by)) profile, each once.
    pub fn filter_tokens(&self) -> Vec<String> {
        use crate::search::{Facet, facet_token, open_to_token, year_token};
        let mut tokens: Vec<String> = Vec::new();
        let mut push = |t: String| {
            if !tokens.contains(&t) {
                tokens.push(t);
            }
        };
        let facets = self
            .departments()
            .into_iter()
            .map(|d| (Facet::Department, d))
            .chain([
                (Facet::Industry, self.industry.as_str()),
                (Facet::Location, self.location.as_str()),
            ])
            .chain(self.skills.iter().map(|s| (Facet::Skill, s.as_str())));
        for (facet, value) in facets {
            if let Some(t) = facet_token(facet, value) {
                push(t);
            }
        }
        for o in &self.open_to {
            push(open_to_token(o.as_str()));
        }
        if let Some(first) = self.first_joined() {
            push(year_token(true, first.year()));
        }
        if let Some(last) = self.last_left() {
            push(year_token(false, last.year()));
        }
        tokens
    }
}

/// `suzuki` → `Suzuki`.
pub fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What the directory may be narrowed by. Each filter looks only at what
/// the viewer may see (a filter on a hidden field never matches).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub joined_from: Option<i64>,
    pub joined_to: Option<i64>,
    pub left_from: Option<i64>,
    pub left_to: Option<i64>,
    pub department: Option<String>,
    pub industry: Option<String>,
    pub location: Option<String>,
    pub skill: Option<String>,
    pub open_to: Vec<OpenTo>,
    /// Membership kind word (`alumni`, `employee`, `hr`).
    pub kind: Option<String>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// Whether a profile as the viewer sees it (`seen`) of a member of
    /// `kind` passes.
    pub fn matches(&self, seen: &Profile, kind: &str) -> bool {
        let same = |a: &str, b: &str| normalise(a) == normalise(b);
        let year_in = |y: Option<i64>, from: Option<i64>, to: Option<i64>| {
            if from.is_none() && to.is_none() {
                return true;
            }
            y.is_some_and(|y| from.is_none_or(|f| y >= f) && to.is_none_or(|t| y <= t))
        };
        year_in(
            seen.first_joined().map(YearMonth::year),
            self.joined_from,
            self.joined_to,
        ) && year_in(
            seen.last_left().map(YearMonth::year),
            self.left_from,
            self.left_to,
        ) && self
            .department
            .as_deref()
            .is_none_or(|d| seen.departments().iter().any(|x| same(x, d)))
            && self
                .industry
                .as_deref()
                .is_none_or(|d| same(&seen.industry, d))
            && self
                .location
                .as_deref()
                .is_none_or(|d| same(&seen.location, d))
            && self
                .skill
                .as_deref()
                .is_none_or(|d| seen.skills.iter().any(|x| same(x, d)))
            && self.open_to.iter().all(|o| seen.open_to.contains(o))
            && self.kind.as_deref().is_none_or(|k| k == kind)
    }
}

/// "Your era": whether `other` (as the viewer sees them) was at the
/// company at the same time as `me`, in the same department.
pub fn same_era(me: &Profile, other: &Profile) -> bool {
    me.stints.iter().any(|a| {
        other.stints.iter().any(|b| {
            a.overlaps(b)
                && a.departments
                    .iter()
                    .any(|d| b.departments.iter().any(|e| normalise(d) == normalise(e)))
        })
    })
}

/// Splits a tags field (skills, languages) typed with commas, 、 or new
/// lines into trimmed, distinct tags.
pub fn split_tags(input: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for tag in input.split([',', '、', '，', '\n', ';']) {
        let tag = tag.trim();
        if !tag.is_empty() && !out.iter().any(|t| normalise(t) == normalise(tag)) {
            out.push(tag.to_string());
        }
    }
    out
}

/// Most tags of one kind a profile keeps.
pub const MAX_TAGS: usize = 30;
/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 40;
/// Longest short text field (names, company…), in characters.
pub const MAX_SHORT_CHARS: usize = 100;
/// Longest bio, in characters.
pub const MAX_BIO_CHARS: usize = 4_000;
/// Most stints.
pub const MAX_STINTS: usize = 10;
/// Most links.
pub const MAX_LINKS: usize = 5;

/// A link as typed, if it is an absolute http(s) address.
pub fn check_link(input: &str) -> Option<String> {
    let text = input.trim();
    let lower = text.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    (!host.is_empty()
        && host.contains('.')
        && text.len() <= 300
        && !text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>'))
    .then(|| text.to_string())
}

/// Katakana, folded from hiragana and half-width: ｽｽﾞｷ, すずき → スズキ;
/// full-width spaces become spaces.
pub fn to_katakana(input: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    input
        .nfkc()
        .map(|c| {
            if ('\u{3041}'..='\u{3096}').contains(&c) {
                char::from_u32(c as u32 + 0x60).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

/// Whether a kana field holds only kana (either script, half-width too),
/// spaces and the long-vowel mark.
pub fn is_kana(input: &str) -> bool {
    normalise(input)
        .chars()
        .all(|c| c == ' ' || c == 'ー' || ('\u{3041}'..='\u{3096}').contains(&c) || c == 'ゔ')
}

/// A name in the order `lang` writes it, from its parts (what
/// [`Profile::display_name`] shows, for rows that carry only the name).
pub fn name_in(
    lang: crate::Lang,
    family: &str,
    given: &str,
    family_romaji: &str,
    given_romaji: &str,
) -> String {
    let join = |a: &str, b: &str| {
        [a, b]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    };
    if lang == crate::Lang::En && !family_romaji.is_empty() {
        join(&capitalise(given_romaji), &capitalise(family_romaji))
    } else {
        join(family, given)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;

    fn ym(s: &str) -> YearMonth {
        YearMonth::parse(s).unwrap()
    }

    #[test]
    fn year_months_read_the_ways_people_write_them() {
        assert_eq!(ym("2009-04"), YearMonth(200904));
        assert_eq!(ym("2009/4"), YearMonth(200904));
        assert_eq!(ym("２００９年４月"), YearMonth(200904));
        assert_eq!(ym(" 2009.12 "), YearMonth(200912));
        for bad in [
            "2009",
            "2009-13",
            "2009-00",
            "09-04",
            "abcd-ef",
            "",
            "2009-04-01",
            "2009-123",
        ] {
            assert_eq!(YearMonth::parse(bad), Err(DateError::Unreadable), "{bad}");
        }
        assert_eq!(ym("2009-04").iso(), "2009-04");
        assert_eq!(YearMonth::of_unix_ms(0), YearMonth(197001));
        assert_eq!(YearMonth::of_unix_ms(1_795_000_000_000), YearMonth(202611));
    }

    #[test]
    fn stints_are_checked() {
        let today = YearMonth(202611);
        assert_eq!(
            check_stint("2009-04", "2015-03", today),
            Ok((YearMonth(200904), Some(YearMonth(201503))))
        );
        assert_eq!(
            check_stint("2009-04", "", today),
            Ok((YearMonth(200904), None))
        );
        assert_eq!(
            check_stint("2015-04", "2009-03", today),
            Err(("left", DateError::LeftBeforeJoined))
        );
        assert_eq!(
            check_stint("2027-01", "", today),
            Err(("joined", DateError::Future))
        );
        assert_eq!(
            check_stint("1899-12", "", today),
            Err(("joined", DateError::TooEarly))
        );
        assert_eq!(
            check_stint("2009-04", "2030-01", today),
            Err(("left", DateError::Future))
        );
        assert_eq!(
            check_stint("", "", today),
            Err(("joined", DateError::Unreadable))
        );
    }

    fn suzuki() -> Profile {
        Profile {
            family: "鈴木".into(),
            given: "仁志".into(),
            family_kana: "スズキ".into(),
            given_kana: "ヒトシ".into(),
            family_romaji: "suzuki".into(),
            given_romaji: "hitoshi".into(),
            nickname: "すーさん".into(),
            company: "ステルス株式会社".into(),
            skills: vec!["SQL".into()],
            email: "h@example.jp".into(),
            open_to: vec![OpenTo::Mentoring],
            stints: vec![Stint {
                joined: Some(YearMonth(200904)),
                left: Some(YearMonth(201503)),
                departments: vec!["営業本部".into()],
                employee_number: "A-1".into(),
                ..Stint::default()
            }],
            ..Profile::default()
        }
    }

    #[test]
    fn what_each_viewer_sees() {
        let mut p = suzuki();
        p.visibility.set(Field::Company, Visibility::Admins);
        p.visibility.set(Field::Skills, Visibility::OnlyMe);
        let member = p.seen_by(Viewer::Member);
        assert_eq!(member.company, "");
        assert!(member.skills.is_empty());
        assert_eq!(
            member.email, "",
            "contact details are only the person's by default"
        );
        assert_eq!(member.stints[0].employee_number, "");
        assert_eq!(member.stints[0].departments, vec!["営業本部"]);
        assert_eq!(member.family, "鈴木");
        assert_eq!(member.visibility, Visibilities::default());
        let admin = p.seen_by(Viewer::Admin);
        assert_eq!(admin.company, "ステルス株式会社");
        assert!(admin.skills.is_empty(), "only-me is only the person");
        assert_eq!(admin.stints[0].employee_number, "A-1");
        assert_eq!(admin.email, "");
        let me = p.seen_by(Viewer::Themself);
        assert_eq!(me, p);
        let outsider = p.seen_by(Viewer::Outsider);
        assert_eq!(outsider.family, "");
        assert!(outsider.stints.is_empty());
        // hidden fields are not searchable
        let q = crate::search::Query::parse("ステルス");
        let fields = |p: &Profile| p.search_fields();
        let score = |p: &Profile| {
            let f = fields(p);
            let refs: Vec<(Weight, &str)> = f.iter().map(|(w, s)| (*w, s.as_str())).collect();
            q.score(&refs)
        };
        assert!(score(&member).is_none());
        assert!(score(&admin).is_some());
        let has_gram = |p: &Profile| p.index_tokens().iter().any(|t| t.ends_with(":すて"));
        // grams of a word follow each other; the whole word comes after them
        let tokens = admin.index_tokens();
        let at = |t: &str| tokens.iter().position(|x| x == t);
        let (a, b, w) = (at("n:すず"), at("n:ずき"), at("n=すずき"));
        assert!(a.is_some() && b == a.map(|a| a + 1) && w > b, "{tokens:?}");
        assert!(!has_gram(&member));
        assert!(has_gram(&admin));
        // a hidden tenure keeps departments but not the years
        p.visibility.set(Field::Tenure, Visibility::OnlyMe);
        let member = p.seen_by(Viewer::Member);
        assert_eq!(member.era(), "営業本部");
        assert_eq!(p.era(), "2009–2015 営業本部");
        // names and the employee number cannot be re-set
        p.visibility.set(Field::Name, Visibility::OnlyMe);
        p.visibility.set(Field::EmployeeNumber, Visibility::Network);
        assert_eq!(p.visibility.of(Field::Name), Visibility::Network);
        assert_eq!(p.visibility.of(Field::EmployeeNumber), Visibility::Admins);
    }

    #[test]
    fn names_follow_the_language() {
        let p = suzuki();
        assert_eq!(p.display_name(Lang::Ja), "鈴木 仁志");
        assert_eq!(p.display_name(Lang::En), "Hitoshi Suzuki");
        assert_eq!(p.kana_name(), "スズキ ヒトシ");
        let no_romaji = Profile {
            family: "李".into(),
            ..Profile::default()
        };
        assert_eq!(no_romaji.display_name(Lang::En), "李");
    }

    #[test]
    fn eras_filters_and_overlap() {
        let mut p = suzuki();
        p.stints.push(Stint {
            joined: Some(YearMonth(201804)),
            left: None,
            departments: vec!["データ分析部".into()],
            ..Stint::default()
        });
        assert_eq!(p.first_joined(), Some(YearMonth(200904)));
        assert_eq!(p.last_left(), None);
        assert_eq!(p.era(), "2009– データ分析部");
        let f = Filter {
            joined_from: Some(2009),
            joined_to: Some(2009),
            skill: Some("ｓｑｌ".into()),
            department: Some("営業本部".into()),
            open_to: vec![OpenTo::Mentoring],
            ..Filter::default()
        };
        assert!(f.matches(&p, "alumni"));
        let left = Filter {
            left_from: Some(2015),
            ..Filter::default()
        };
        assert!(!left.matches(&p, "alumni"), "still there: no leave year");
        assert!(
            !Filter {
                kind: Some("employee".into()),
                ..Filter::default()
            }
            .matches(&p, "alumni")
        );
        // a filter on a hidden field does not match
        p.visibility.set(Field::Skills, Visibility::Admins);
        assert!(!f.matches(&p.seen_by(Viewer::Member), "alumni"));
        assert!(f.matches(&p.seen_by(Viewer::Admin), "alumni"));

        let mut colleague = suzuki();
        colleague.stints[0].joined = Some(YearMonth(201404));
        colleague.stints[0].left = Some(YearMonth(201703));
        assert!(same_era(&p, &colleague));
        colleague.stints[0].departments = vec!["人事部".into()];
        assert!(!same_era(&p, &colleague));
        colleague.stints[0].departments = vec!["営業本部".into()];
        colleague.stints[0].joined = Some(YearMonth(201504));
        assert!(!same_era(&p, &colleague), "after they left");
    }

    #[test]
    fn tags_links_and_kana() {
        assert_eq!(
            split_tags("SQL, Python、ｓｑｌ\n\n Rust "),
            vec!["SQL", "Python", "Rust"]
        );
        assert_eq!(
            check_link("https://example.com/x"),
            Some("https://example.com/x".into())
        );
        for bad in [
            "javascript:alert(1)",
            "example.com",
            "https://",
            "https://a b.com",
            "ftp://x.jp",
            "https://x.jp/\"onmouseover",
        ] {
            assert_eq!(check_link(bad), None, "{bad}");
        }
        assert_eq!(to_katakana("ｽｽﾞｷ"), "スズキ");
        assert_eq!(to_katakana("すずき　ひとし"), "スズキ ヒトシ");
        assert!(is_kana("スズキ"));
        assert!(is_kana("すずき ひとし"));
        assert!(is_kana("ｽｽﾞｷ"));
        assert!(!is_kana("鈴木"));
        assert!(!is_kana("suzuki"));
        assert_eq!(capitalise("suzuki"), "Suzuki");
    }
}
