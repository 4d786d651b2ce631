//! HR's leavers file, as Japanese HR systems and Excel write it, turned
//! into validated rows ("intake"). Pure: the caller hands over the bytes of
//! an upload and gets text, records, a column mapping and [`Leaver`]s back;
//! storing them is `enishi-store`'s business.
//!
//! The steps, each its own function so the web page can stop after any:
//!
//! 1. [`decode`]: UTF-8 (with or without BOM) or Shift_JIS as Windows
//!    writes it (CP932: NEC and IBM extensions such as ① and 髙 included);
//!    anything else is refused rather than guessed.
//! 2. [`read`]: RFC 4180 records with the physical line each starts on
//!    (quoted cells may hold commas and new lines), blank lines skipped.
//! 3. [`suggest`] / [`Mapping`]: which header is which [`Column`]. Headers
//!    that look sensitive (退職理由, 給与, 生年月日…; see [`is_sensitive`])
//!    are never imported, whatever the admin maps.
//! 4. [`read_row`]: one record to a [`Leaver`] or every [`RowError`] it has;
//!    [`Seen`] finds repeats within the file.
//!
//! Cell values are kept as text and never evaluated: a `=HYPERLINK(…)` in a
//! cell stays that text. Only when we write CSV back out (error reports,
//! exports) does [`csv_cell`] neutralise formula-looking values.
//!
//! Every refusal carries a catalogue key under `intake.`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use crate::profile::{MAX_SHORT_CHARS, MIN_YEAR, Stint, YearMonth, capitalise, to_katakana};

// ---------------------------------------------------------------------------
// Decoding

/// Detected text encoding of an uploaded file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark (Excel's "CSV UTF-8").
    Utf8Bom,
    /// Shift_JIS as Windows writes it (CP932, Excel's plain "CSV").
    ShiftJis,
}

words!(Encoding {
    Utf8 = "utf-8",
    Utf8Bom = "utf-8-bom",
    ShiftJis = "shift_jis",
});

/// Problems with the whole file; `key()` is the catalogue key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileError {
    /// Nothing but white space.
    Empty,
    /// Not text at all (a spreadsheet, image, archive…).
    Binary,
    /// Text, but neither UTF-8 nor Shift_JIS (UTF-16 included).
    UnknownEncoding,
    /// A header and no data rows.
    HeaderOnly,
    /// The header has more than [`MAX_COLUMNS`] cells.
    TooManyColumns,
    /// The header itself cannot be read as CSV.
    Unreadable,
}

impl FileError {
    /// The catalogue key of the message for people.
    pub fn key(self) -> &'static str {
        match self {
            FileError::Empty => "intake.file_empty",
            FileError::Binary => "intake.file_binary",
            FileError::UnknownEncoding => "intake.file_unknown_encoding",
            FileError::HeaderOnly => "intake.file_header_only",
            FileError::TooManyColumns => "intake.file_too_many_columns",
            FileError::Unreadable => "intake.file_unreadable",
        }
    }
}

/// Magic numbers of files people upload by mistake: zip (xlsx), OLE (xls),
/// PDF, images, gzip, 7z, rar.
const BINARY_MAGIC: &[&[u8]] = &[
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\xD0\xCF\x11\xE0",
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xFF\xD8\xFF",
    b"\x1F\x8B",
    b"7z\xBC\xAF",
    b"Rar!",
];

/// Decodes an upload: a UTF-8 BOM is stripped ([`Encoding::Utf8Bom`]);
/// valid UTF-8 is [`Encoding::Utf8`]; otherwise the bytes must decode as
/// Shift_JIS (`encoding_rs::SHIFT_JIS`, which is Windows-31J/CP932) without
/// a single error, or the file is [`FileError::UnknownEncoding`] — we never
/// guess with replacement characters. UTF-16 is refused the same way.
/// NUL bytes, known binary magic numbers or many control characters are
/// [`FileError::Binary`]; nothing but white space is [`FileError::Empty`].
pub fn decode(bytes: &[u8]) -> Result<(String, Encoding), FileError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(FileError::Empty);
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(FileError::UnknownEncoding);
    }
    if BINARY_MAGIC.iter().any(|m| bytes.starts_with(m)) || bytes.contains(&0) {
        return Err(FileError::Binary);
    }
    let (text, encoding) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        let text = std::str::from_utf8(rest).map_err(|_| FileError::UnknownEncoding)?;
        (text.to_string(), Encoding::Utf8Bom)
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        (text.to_string(), Encoding::Utf8)
    } else {
        let text = encoding_rs::SHIFT_JIS
            .decode_without_bom_handling_and_without_replacement(bytes)
            .ok_or(FileError::UnknownEncoding)?;
        (text.into_owned(), Encoding::ShiftJis)
    };
    if text.chars().all(|c| c.is_whitespace() || c == '\u{FEFF}') {
        return Err(FileError::Empty);
    }
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0C' | '\x1A'))
        .count();
    if controls * 50 > text.chars().count() {
        return Err(FileError::Binary);
    }
    Ok((text, encoding))
}

// ---------------------------------------------------------------------------
// Records

/// Most columns a header may have.
pub const MAX_COLUMNS: usize = 200;

/// One data record.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct RawRow {
    /// The 1-based physical line the record starts on (the header counts,
    /// and so do new lines inside quoted cells).
    pub line: usize,
    /// Cells, trimmed of surrounding white space (U+3000 included).
    pub cells: Vec<String>,
    /// The record is not valid CSV (a quote left open, or text after a
    /// closing quote); `cells` is then empty.
    pub broken: bool,
}

/// The header of a CSV text and an iterator over its data records (blank
/// records, those whose cells are all empty, are skipped).
#[derive(Debug)]
pub struct Csv<'a> {
    /// Header cells, trimmed (a stray BOM too); trailing empty header cells
    /// (Excel writes them for formatted but empty columns) are dropped.
    pub headers: Vec<String>,
    text: &'a str,
    reader: csv::Reader<&'a [u8]>,
    record: csv::StringRecord,
    /// Line breaks counted up to this byte offset: (offset, line there).
    counted: (usize, usize),
    peeked: Option<RawRow>,
    done: bool,
}

/// Reads the header (the first non-blank record) of `text` and returns it
/// with an iterator over the data records. No header is
/// [`FileError::Empty`], more than [`MAX_COLUMNS`] header cells
/// [`FileError::TooManyColumns`], a header without data
/// [`FileError::HeaderOnly`], a header that is not valid CSV
/// [`FileError::Unreadable`].
pub fn read(text: &str) -> Result<Csv<'_>, FileError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .quoting(true)
        .double_quote(true)
        .from_reader(text.as_bytes());
    let mut csv = Csv {
        headers: Vec::new(),
        text,
        reader,
        record: csv::StringRecord::new(),
        counted: (0, 1),
        peeked: None,
        done: false,
    };
    let header = csv.next_record().ok_or(FileError::Empty)?;
    if header.broken {
        return Err(FileError::Unreadable);
    }
    let mut headers = header.cells;
    while headers.last().is_some_and(String::is_empty) {
        headers.pop();
    }
    if headers.len() > MAX_COLUMNS {
        return Err(FileError::TooManyColumns);
    }
    csv.headers = headers;
    csv.peeked = Some(csv.next_record().ok_or(FileError::HeaderOnly)?);
    Ok(csv)
}

impl Csv<'_> {
    /// The next non-blank record, broken ones included.
    fn next_record(&mut self) -> Option<RawRow> {
        while !self.done {
            let before = self.reader.position().byte();
            let result = self.reader.read_record(&mut self.record);
            let end = self.reader.position().byte() as usize;
            let start = match &result {
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Ok(true) => self
                    .record
                    .position()
                    .map_or(before as usize, |p| p.byte() as usize),
                Err(e) => e.position().map_or(before as usize, |p| p.byte() as usize),
            };
            if result.is_err() && end as u64 <= before {
                self.done = true; // no progress: stop rather than loop
            }
            let start = self.skip_line_breaks(start.min(self.text.len()));
            let line = self.line_at(start);
            let raw = &self.text.as_bytes()[start..end.clamp(start, self.text.len())];
            if result.is_err() || !quoting_ok(raw) {
                return Some(RawRow {
                    line,
                    cells: Vec::new(),
                    broken: true,
                });
            }
            let cells: Vec<String> = self.record.iter().map(|c| trim(c).to_string()).collect();
            if cells.iter().any(|c| !c.is_empty()) {
                return Some(RawRow {
                    line,
                    cells,
                    broken: false,
                });
            }
        }
        None
    }

    /// The first byte at or after `at` that is not a line break (csv
    /// reports a record as starting where the previous one ended).
    fn skip_line_breaks(&self, mut at: usize) -> usize {
        let bytes = self.text.as_bytes();
        while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
            at += 1;
        }
        at
    }

    /// The 1-based line of byte `at` (CRLF, LF and a lone CR each end one
    /// line). Offsets only grow, so counting resumes where it stopped.
    fn line_at(&mut self, at: usize) -> usize {
        let bytes = self.text.as_bytes();
        let (from, mut line) = self.counted;
        if at < from {
            return line_breaks(bytes, 0, at) + 1;
        }
        line += line_breaks(bytes, from, at);
        self.counted = (at, line);
        line
    }
}

/// Line breaks in `bytes[from..to]` (a CR counts only when no LF follows).
fn line_breaks(bytes: &[u8], from: usize, to: usize) -> usize {
    (from..to)
        .filter(|&i| bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count()
}

impl Iterator for Csv<'_> {
    type Item = RawRow;

    fn next(&mut self) -> Option<RawRow> {
        self.peeked.take().or_else(|| self.next_record())
    }
}

/// Whether the raw text of one record quotes correctly: a quoted cell is
/// closed, and a closing quote is followed by a comma or the line end.
/// (The csv crate itself accepts both mistakes silently.)
fn quoting_ok(raw: &[u8]) -> bool {
    #[derive(PartialEq)]
    enum S {
        Start,
        Plain,
        Quoted,
        AfterQuote,
    }
    let mut state = S::Start;
    for &b in raw {
        state = match (state, b) {
            (S::Start, b'"') => S::Quoted,
            (S::Start | S::Plain | S::AfterQuote, b',' | b'\r' | b'\n') => S::Start,
            (S::Start | S::Plain, _) => S::Plain,
            (S::Quoted, b'"') => S::AfterQuote,
            (S::Quoted, _) => S::Quoted,
            (S::AfterQuote, b'"') => S::Quoted,
            (S::AfterQuote, _) => return false,
        };
    }
    state != S::Quoted
}

/// Trims white space (U+3000 included) and stray byte-order marks.
fn trim(cell: &str) -> &str {
    cell.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}')
}

// ---------------------------------------------------------------------------
// Columns and mapping

/// What a column of the leavers file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    EmployeeNumber,
    /// The whole name (氏名) in one column, family first.
    Name,
    Family,
    Given,
    /// The whole reading (フリガナ) in one column, family first.
    Kana,
    FamilyKana,
    GivenKana,
    /// The whole name in Latin letters.
    Romaji,
    FamilyRomaji,
    GivenRomaji,
    /// The company (work) address.
    Email,
    /// A private address, preferred: it outlives the job.
    PersonalEmail,
    Joined,
    Left,
    Department,
    Title,
    Office,
}

words!(Column {
    EmployeeNumber = "employee_number",
    Name = "name",
    Family = "family",
    Given = "given",
    Kana = "kana",
    FamilyKana = "family_kana",
    GivenKana = "given_kana",
    Romaji = "romaji",
    FamilyRomaji = "family_romaji",
    GivenRomaji = "given_romaji",
    Email = "email",
    PersonalEmail = "personal_email",
    Joined = "joined",
    Left = "left",
    Department = "department",
    Title = "title",
    Office = "office",
});

impl Column {
    /// The catalogue key of the column's label: `intake.col_<word>`.
    pub fn key(self) -> String {
        format!("intake.col_{}", self.as_str())
    }
}

/// Which column each header is: index `i` is header `i`; `None` is not
/// imported (and never stored).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Mapping(pub Vec<Option<Column>>);

/// Header names we recognise, as people write them (compared after
/// [`header_key`]).
const KNOWN: &[(Column, &[&str])] = &[
    (
        Column::EmployeeNumber,
        &[
            "社員番号",
            "従業員番号",
            "社員No",
            "社員コード",
            "社員ID",
            "従業員No",
            "従業員コード",
            "従業員ID",
            "職員番号",
            "employee id",
            "employee number",
            "employee no",
            "emp id",
            "emp no",
            "staff id",
            "staff number",
        ],
    ),
    (
        Column::Name,
        &["氏名", "名前", "フルネーム", "氏名漢字", "社員名", "従業員名", "name", "full name"],
    ),
    (
        Column::Family,
        &["姓", "苗字", "名字", "氏", "姓漢字", "last name", "family name", "surname"],
    ),
    (
        Column::Given,
        &["名", "下の名前", "名漢字", "first name", "given name"],
    ),
    (
        Column::Kana,
        &[
            "フリガナ",
            "ふりがな",
            "氏名カナ",
            "氏名かな",
            "氏名（フリガナ）",
            "氏名（ふりがな）",
            "カナ氏名",
            "フリガナ氏名",
            "よみがな",
            "ヨミガナ",
            "カナ",
            "name kana",
            "kana",
        ],
    ),
    (
        Column::FamilyKana,
        &[
            "姓（フリガナ）",
            "姓（ふりがな）",
            "姓カナ",
            "姓かな",
            "セイ",
            "フリガナ姓",
            "カナ姓",
            "last name kana",
            "family name kana",
        ],
    ),
    (
        Column::GivenKana,
        &[
            "名（フリガナ）",
            "名（ふりがな）",
            "名カナ",
            "名かな",
            "メイ",
            "フリガナ名",
            "カナ名",
            "first name kana",
            "given name kana",
        ],
    ),
    (
        Column::Romaji,
        &[
            "ローマ字",
            "氏名（ローマ字）",
            "ローマ字氏名",
            "氏名英字",
            "英字氏名",
            "name romaji",
            "romaji",
            "name in english",
        ],
    ),
    (
        Column::FamilyRomaji,
        &[
            "姓（ローマ字）",
            "ローマ字姓",
            "姓英字",
            "last name romaji",
            "family name romaji",
        ],
    ),
    (
        Column::GivenRomaji,
        &[
            "名（ローマ字）",
            "ローマ字名",
            "名英字",
            "first name romaji",
            "given name romaji",
        ],
    ),
    (
        Column::Email,
        &[
            "メールアドレス",
            "メール",
            "社用メール",
            "社用メールアドレス",
            "会社メール",
            "会社メールアドレス",
            "業務用メール",
            "業務用メールアドレス",
            "email",
            "e-mail",
            "email address",
            "e-mail address",
            "mail address",
            "work email",
            "work email address",
            "company email",
        ],
    ),
    (
        Column::PersonalEmail,
        &[
            "個人メールアドレス",
            "個人メール",
            "個人用メールアドレス",
            "私用メール",
            "私用メールアドレス",
            "連絡先メールアドレス",
            "連絡先メール",
            "退職後連絡先メール",
            "退職後連絡先メールアドレス",
            "退職後メールアドレス",
            "personal email",
            "personal email address",
            "private email",
            "private email address",
            "home email",
        ],
    ),
    (
        Column::Joined,
        &[
            "入社日",
            "入社年月日",
            "入社年月",
            "入社",
            "hire date",
            "hired",
            "joined",
            "join date",
            "joined date",
            "start date",
        ],
    ),
    (
        Column::Left,
        &[
            "退職日",
            "退職年月日",
            "退職年月",
            "退社日",
            "退社年月日",
            "退職",
            "離職日",
            "leave date",
            "leaving date",
            "left",
            "termination date",
            "separation date",
            "end date",
        ],
    ),
    (
        Column::Department,
        &[
            "所属",
            "部署",
            "所属部署",
            "所属部門",
            "最終所属部署",
            "最終所属",
            "退職時所属",
            "部門",
            "部署名",
            "department",
            "dept",
            "division",
        ],
    ),
    (
        Column::Title,
        &[
            "役職",
            "最終役職",
            "退職時役職",
            "役職名",
            "職位",
            "肩書",
            "肩書き",
            "title",
            "job title",
            "position",
        ],
    ),
    (
        Column::Office,
        &[
            "勤務地",
            "勤務場所",
            "事業所",
            "所属事業所",
            "拠点",
            "office",
            "location",
        ],
    ),
];

/// A header as compared: NFKC, lower case, without spaces, brackets,
/// ・ _ - . * and a trailing 欄.
fn header_key(header: &str) -> String {
    let text: String = header.nfkc().collect::<String>().to_lowercase();
    let text: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && !"()[]【】「」・_-.*:".contains(*c) && *c != '\u{FEFF}')
        .collect();
    match text.strip_suffix('欄') {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => text,
    }
}

/// The column a header names, if we know the name.
fn known(header: &str) -> Option<Column> {
    let key = header_key(header);
    if key.is_empty() {
        return None;
    }
    KNOWN
        .iter()
        .find(|(_, names)| names.iter().any(|n| header_key(n) == key))
        .map(|(column, _)| *column)
}

/// Suggests a column for each header from the names we know, in Japanese
/// and English (see the module's `KNOWN` table), compared after
/// normalising (NFKC, lower case, no spaces, brackets, ・ _ - or trailing
/// 欄). Each column is suggested at most once: the first header wins.
/// Sensitive headers are never suggested.
pub fn suggest(headers: &[String]) -> Mapping {
    let mut used = BTreeSet::new();
    Mapping(
        headers
            .iter()
            .map(|h| {
                known(h)
                    .filter(|c| !is_sensitive(h) && used.insert(*c))
            })
            .collect(),
    )
}

/// Sensitive words in Japanese, matched anywhere in the header.
const SENSITIVE_JA: &[&str] = &[
    "理由", "事由", "評価", "査定", "考課", "給与", "給料", "年収", "月給", "基本給", "賞与",
    "報酬", "手当", "退職金", "生年月日", "誕生日", "年齢", "住所", "本籍", "マイナンバー",
    "個人番号", "性別", "健康", "病歴", "病名", "傷病", "家族", "扶養", "配偶者", "口座",
    "銀行", "国籍", "宗教", "障害", "懲戒", "信条", "犯罪", "前科",
];

/// Sensitive English words matched anywhere in the compact header.
const SENSITIVE_EN: &[&str] = &[
    "reason",
    "performance",
    "evaluation",
    "appraisal",
    "salary",
    "wage",
    "bonus",
    "compensation",
    "income",
    "birth",
    "gender",
    "health",
    "medical",
    "disability",
    "bank",
    "mynumber",
    "socialsecurity",
    "nationality",
    "religion",
    "marital",
];

/// Sensitive English words that must stand alone ("age" is in "manager").
const SENSITIVE_WORDS: &[&str] = &["age", "dob", "ssn", "sex", "rating"];

/// Whether a header looks sensitive (leaving reasons, evaluations, pay,
/// birth dates, addresses, My Number, health, family, bank…). Such headers
/// are shown flagged and never imported: [`Mapping::check`] refuses a
/// mapping that maps one. Telephone numbers are not sensitive here, and
/// neither are e-mail addresses (メールアドレス, "email address").
pub fn is_sensitive(header: &str) -> bool {
    let key = header_key(header);
    if SENSITIVE_JA.iter().any(|w| key.contains(w)) || SENSITIVE_EN.iter().any(|w| key.contains(w)) {
        return true;
    }
    if key.contains("address") && !key.contains("mailaddress") {
        return true;
    }
    let lower = header.nfkc().collect::<String>().to_lowercase();
    lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| SENSITIVE_WORDS.contains(&w))
}

/// Problems with a mapping; `key()` is the catalogue key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MappingError {
    /// No column holds the name (氏名 or 姓).
    NoName,
    /// No column holds an e-mail address.
    NoEmail,
    /// A column is mapped from more than one header.
    Twice(Column),
    /// The header at this index is sensitive and may not be imported.
    Sensitive(usize),
    /// The mapping does not have one entry per header.
    WrongLength,
}

impl MappingError {
    /// The catalogue key of the message for people.
    pub fn key(&self) -> &'static str {
        match self {
            MappingError::NoName => "intake.map_no_name",
            MappingError::NoEmail => "intake.map_no_email",
            MappingError::Twice(_) => "intake.map_twice",
            MappingError::Sensitive(_) => "intake.map_sensitive",
            MappingError::WrongLength => "intake.map_wrong_length",
        }
    }
}

impl Mapping {
    /// Every problem with this mapping for `headers`: it needs a name
    /// ([`Column::Name`] or [`Column::Family`]) and an address
    /// ([`Column::Email`] or [`Column::PersonalEmail`]), no column twice,
    /// no sensitive header mapped, and one entry per header.
    pub fn check(&self, headers: &[String]) -> Vec<MappingError> {
        let mut errors = Vec::new();
        if self.0.len() != headers.len() {
            errors.push(MappingError::WrongLength);
        }
        let has = |c: Column| self.0.contains(&Some(c));
        if !has(Column::Name) && !has(Column::Family) {
            errors.push(MappingError::NoName);
        }
        if !has(Column::Email) && !has(Column::PersonalEmail) {
            errors.push(MappingError::NoEmail);
        }
        for &column in Column::ALL {
            if self.0.iter().filter(|c| **c == Some(column)).count() > 1 {
                errors.push(MappingError::Twice(column));
            }
        }
        for (i, column) in self.0.iter().enumerate() {
            if column.is_some() && headers.get(i).is_some_and(|h| is_sensitive(h)) {
                errors.push(MappingError::Sensitive(i));
            }
        }
        errors
    }

    /// A mapping for `headers` from the remembered (or command-line) form,
    /// header text → column word. A header remembered as `""` or `"skip"`,
    /// or as a word that is no column, is not imported; headers not
    /// remembered fall back to [`suggest`] (unless that column is already
    /// taken). Headers match exactly, else after normalising.
    pub fn from_names(headers: &[String], names: &BTreeMap<String, String>) -> Mapping {
        let suggested = suggest(headers);
        let mut out = vec![None; headers.len()];
        let mut remembered = vec![false; headers.len()];
        for (i, header) in headers.iter().enumerate() {
            let word = names.get(header).or_else(|| {
                let key = header_key(header);
                names
                    .iter()
                    .find(|(name, _)| header_key(name) == key)
                    .map(|(_, word)| word)
            });
            if let Some(word) = word {
                remembered[i] = true;
                out[i] = Column::parse(word.trim());
            }
        }
        let mut used: BTreeSet<Column> = out.iter().flatten().copied().collect();
        for (i, column) in suggested.0.into_iter().enumerate() {
            if let Some(column) = column
                && !remembered[i]
                && used.insert(column)
            {
                out[i] = Some(column);
            }
        }
        Mapping(out)
    }

    /// The form to remember: every header → its column word, `""` when not
    /// imported. (Of two identical headers, the mapped one is kept.)
    pub fn to_names(&self, headers: &[String]) -> BTreeMap<String, String> {
        let mut names = BTreeMap::new();
        for (i, header) in headers.iter().enumerate() {
            let word = self
                .0
                .get(i)
                .copied()
                .flatten()
                .map_or("", Column::as_str)
                .to_string();
            let slot = names.entry(header.clone()).or_insert_with(String::new);
            if slot.is_empty() {
                *slot = word;
            }
        }
        names
    }
}

// ---------------------------------------------------------------------------
// Dates

/// Why a date cell was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateProblem {
    /// Not a date we can read (Excel serial numbers included).
    Unreadable,
    /// Readable but no such day: 2009/2/30, 13月, 平成0年.
    Impossible,
    /// Before 1900.
    TooEarly,
    /// After the current month.
    Future,
}

impl DateProblem {
    /// The catalogue key of the message for people.
    pub fn key(self) -> &'static str {
        match self {
            DateProblem::Unreadable => "intake.row_date_unreadable",
            DateProblem::Impossible => "intake.row_date_impossible",
            DateProblem::TooEarly => "intake.row_date_too_early",
            DateProblem::Future => "intake.row_date_future",
        }
    }
}

/// Japanese eras: name, letter, first year.
const ERAS: &[(&str, char, i64)] = &[
    ("明治", 'm', 1868),
    ("大正", 't', 1912),
    ("昭和", 's', 1926),
    ("平成", 'h', 1989),
    ("令和", 'r', 2019),
];

/// Dashes people type between date parts.
const DASHES: &[char] = &['‐', '‑', '‒', '–', '—', '―', '−', 'ー', '－'];

/// Reads a date as HR files write it and returns its month (the day, when
/// given, is only checked): `2009/3/31`, `2009-03-31`, `2009.3.31`,
/// `2009年3月31日`, `20090331`, `200903`, `2009/03`, `2009-3`, `2009年3月`,
/// era dates (`平成21年3月31日`, `平成元年4月1日`, `H21.3.31`, `h21/3/31`,
/// `令和2年4月`, `R2.4.1`, `S63.3.31`; 明治 大正 昭和 平成 令和 / M T S H R,
/// year = first year of the era + n − 1, years past an era's end accepted),
/// full-width characters, stray spaces and a trailing time (`0:00`).
/// Excel serial numbers are [`DateProblem::Unreadable`]. Before 1900 is
/// [`DateProblem::TooEarly`], after `today` [`DateProblem::Future`].
pub fn parse_date(input: &str, today: YearMonth) -> Result<YearMonth, DateProblem> {
    let text: String = input.nfkc().collect();
    let text = without_time(text.trim());
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if DASHES.contains(&c) { '-' } else { c })
        .collect::<String>()
        .to_lowercase();
    let (era, rest) = split_era(&compact);
    let rest = rest.strip_suffix('日').unwrap_or(rest);
    let rest = rest.replace(['年', '月'], "/");
    let rest = rest.strip_suffix('/').unwrap_or(&rest);
    let digits = |s: &str, max: usize| {
        !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())
    };
    let parts: Vec<&str> = rest.split(['/', '-', '.']).collect();
    let (year, month, day): (&str, &str, Option<&str>) = match (era, parts.as_slice()) {
        (None, [all]) if digits(all, 8) && all.len() == 8 => (&all[..4], &all[4..6], Some(&all[6..])),
        (None, [all]) if digits(all, 6) && all.len() == 6 => (&all[..4], &all[4..], None),
        (_, [y, m]) => (*y, *m, None),
        (_, [y, m, d]) => (*y, *m, Some(*d)),
        _ => return Err(DateProblem::Unreadable),
    };
    let year_ok = match era {
        None => digits(year, 4) && year.len() == 4,
        Some(_) => year == "元" || digits(year, 2),
    };
    if !year_ok || !digits(month, 2) || day.is_some_and(|d| !digits(d, 2)) {
        return Err(DateProblem::Unreadable);
    }
    let number = |s: &str| s.parse::<i64>().unwrap_or(0);
    let year = match era {
        None => number(year),
        Some(_) if year == "元" => era.unwrap_or(0),
        Some(start) => match number(year) {
            0 => return Err(DateProblem::Impossible),
            n => start + n - 1,
        },
    };
    let month_n = number(month);
    let ym = YearMonth::new(year, month_n).ok_or(DateProblem::Impossible)?;
    if let Some(day) = day {
        let day = number(day);
        if day < 1 || day > days_in_month(year, month_n) {
            return Err(DateProblem::Impossible);
        }
    }
    if ym.year() < MIN_YEAR {
        Err(DateProblem::TooEarly)
    } else if ym > today {
        Err(DateProblem::Future)
    } else {
        Ok(ym)
    }
}

/// `2009/3/31 0:00` → `2009/3/31` (Excel writes date-times so).
fn without_time(text: &str) -> &str {
    match text.rsplit_once(char::is_whitespace) {
        Some((date, time))
            if time.contains(':') && time.chars().all(|c| c.is_ascii_digit() || c == ':') =>
        {
            date.trim_end()
        }
        _ => text,
    }
}

/// The first year of a leading era (`平成`, `H`), and the rest.
fn split_era(text: &str) -> (Option<i64>, &str) {
    for &(name, letter, start) in ERAS {
        if let Some(rest) = text.strip_prefix(name) {
            return (Some(start), rest);
        }
        if let Some(rest) = text.strip_prefix(letter)
            && rest.starts_with(|c: char| c.is_ascii_digit() || c == '元')
        {
            return (Some(start), rest);
        }
    }
    (None, text)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// ---------------------------------------------------------------------------
// Rows

/// A leaver row as it will be stored.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Leaver {
    /// The physical line the row starts on.
    pub line: usize,
    /// NFKC, without spaces; leading zeros kept (`０１２３` → `0123`).
    pub employee_number: String,
    /// From 姓/名, or 氏名 split at its first space (no space: all here).
    pub family: String,
    pub given: String,
    /// Katakana (hiragana and half-width kana folded), split like the name.
    pub family_kana: String,
    pub given_kana: String,
    /// NFKC; all-capital or all-lower-case words capitalised (`SUZUKI` →
    /// `Suzuki`). One romaji column is family first when its first word is
    /// in capitals (`SUZUKI Hitoshi`) or before a comma, else given first.
    pub family_romaji: String,
    pub given_romaji: String,
    /// Normalised address: a valid personal one before a company one.
    pub email: String,
    /// The chosen address is at a company domain (the only valid one is):
    /// it stops working when they leave, so the row is imported with a
    /// warning.
    pub company_address_only: bool,
    /// Joined, left, one department, one title and the office, if given;
    /// the employee number too.
    pub stint: Stint,
}

/// Why a row was refused; `key()` is the catalogue key, `detail()` a value
/// to show with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowError {
    /// Not valid CSV (a quote left open, text after a closing quote).
    Broken,
    /// Values beyond the last header column (`cells` counts up to the last
    /// non-empty cell).
    TooManyColumns { cells: usize, header: usize },
    MissingName,
    MissingEmail,
    /// No address is valid; `value` is the first one given.
    BadEmail { value: String },
    BadDate {
        column: Column,
        value: String,
        problem: DateProblem,
    },
    LeftBeforeJoined,
    /// Longer than [`MAX_SHORT_CHARS`] characters.
    TooLong { column: Column },
    /// Repeats the row on `line` (see [`Seen`]).
    Duplicate { line: usize },
}

impl RowError {
    /// The catalogue key of the message for people (date problems have one
    /// each, see [`DateProblem::key`]).
    pub fn key(&self) -> &'static str {
        match self {
            RowError::Broken => "intake.row_broken",
            RowError::TooManyColumns { .. } => "intake.row_too_many_columns",
            RowError::MissingName => "intake.row_missing_name",
            RowError::MissingEmail => "intake.row_missing_email",
            RowError::BadEmail { .. } => "intake.row_bad_email",
            RowError::BadDate { problem, .. } => problem.key(),
            RowError::LeftBeforeJoined => "intake.row_left_before_joined",
            RowError::TooLong { .. } => "intake.row_too_long",
            RowError::Duplicate { .. } => "intake.row_duplicate",
        }
    }

    /// The value the message shows as `{value}`: the cell (bad address or
    /// date), the column word (too long), the first line (duplicate), the
    /// number of cells (too many columns).
    pub fn detail(&self) -> Option<String> {
        match self {
            RowError::BadEmail { value } | RowError::BadDate { value, .. } => Some(value.clone()),
            RowError::TooLong { column } => Some(column.as_str().to_string()),
            RowError::Duplicate { line } => Some(line.to_string()),
            RowError::TooManyColumns { cells, .. } => Some(cells.to_string()),
            _ => None,
        }
    }

    /// The column the message is about (shown as `{column}` through
    /// [`Column::key`]), if any.
    pub fn column(&self) -> Option<Column> {
        match self {
            RowError::BadDate { column, .. } | RowError::TooLong { column } => Some(*column),
            _ => None,
        }
    }
}

/// NFKC, trimmed, inner runs of white space (new lines too) one space.
fn clean(text: &str) -> String {
    let text: String = text.nfkc().collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Splits at the first space: `鈴木 太郎` → (`鈴木`, `太郎`).
fn split_name(text: &str) -> (String, String) {
    match text.split_once(' ') {
        Some((a, b)) => (a.to_string(), b.to_string()),
        None => (text.to_string(), String::new()),
    }
}

/// Capitalises each word written all in capitals or all in lower case.
fn romaji(text: &str) -> String {
    clean(text)
        .split(' ')
        .map(|w| {
            let upper = w.chars().any(char::is_uppercase);
            let lower = w.chars().any(char::is_lowercase);
            if upper != lower {
                capitalise(&w.to_lowercase())
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One romaji column to (family, given).
fn split_romaji(text: &str) -> (String, String) {
    let text = clean(text);
    if let Some((family, given)) = text.split_once(',') {
        return (romaji(family), romaji(given));
    }
    let Some((first, rest)) = text.split_once(' ') else {
        return (romaji(&text), String::new());
    };
    let capitals = first.chars().any(char::is_alphabetic)
        && first.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase);
    if capitals {
        (romaji(first), romaji(rest))
    } else {
        let (given, family) = text.rsplit_once(' ').unwrap_or((first, rest));
        (romaji(family), romaji(given))
    }
}

/// Whether `address` is at one of `domains` or a subdomain of one.
fn at_company(address: &str, domains: &[String]) -> bool {
    let domain = crate::email::domain(address);
    domains.iter().any(|d| {
        let d = clean(d).to_lowercase();
        let d = d.trim_start_matches(['@', '.']);
        !d.is_empty()
            && (domain == d
                || domain
                    .strip_suffix(d)
                    .is_some_and(|sub| sub.ends_with('.')))
    })
}

/// Normalises one row. Every problem is collected, not only the first:
/// values beyond the header ([`RowError::TooManyColumns`]; trailing empty
/// cells, as Excel adds them, are fine), cells longer than
/// [`MAX_SHORT_CHARS`], a missing name or address, bad addresses and dates,
/// left before joined. A valid personal address is preferred to a company
/// one; when only an address at one of `company_domains` is valid the
/// row is kept with [`Leaver::company_address_only`]. All text is NFKC with
/// inner white space collapsed; formula-looking text is kept as text.
pub fn read_row(
    mapping: &Mapping,
    row: &RawRow,
    today: YearMonth,
    company_domains: &[String],
) -> Result<Leaver, Vec<RowError>> {
    if row.broken {
        return Err(vec![RowError::Broken]);
    }
    let mut errors = Vec::new();
    let header = mapping.0.len();
    let cells = row
        .cells
        .iter()
        .rposition(|c| !trim(c).is_empty())
        .map_or(0, |i| i + 1);
    if cells > header {
        errors.push(RowError::TooManyColumns { cells, header });
    }
    let mut values: BTreeMap<Column, (usize, &str)> = BTreeMap::new();
    let mut long = BTreeSet::new();
    for (i, column) in mapping.0.iter().enumerate() {
        let Some(column) = *column else { continue };
        let value = row.cells.get(i).map_or("", |c| trim(c));
        if value.chars().count() > MAX_SHORT_CHARS {
            errors.push(RowError::TooLong { column });
            long.insert(column);
        } else {
            values.entry(column).or_insert((i, value));
        }
    }
    let get = |c: Column| values.get(&c).map_or("", |v| v.1);
    let any_long = |cs: &[Column]| cs.iter().any(|c| long.contains(c));

    // names
    let (mut family, mut given) = (clean(get(Column::Family)), clean(get(Column::Given)));
    if family.is_empty() && given.is_empty() {
        (family, given) = split_name(&clean(get(Column::Name)));
    }
    if family.is_empty() {
        family = std::mem::take(&mut given);
    }
    if family.is_empty() && !any_long(&[Column::Name, Column::Family, Column::Given]) {
        errors.push(RowError::MissingName);
    }
    let kana = |c: Column| clean(&to_katakana(get(c)));
    let (mut family_kana, mut given_kana) = (kana(Column::FamilyKana), kana(Column::GivenKana));
    if family_kana.is_empty() && given_kana.is_empty() {
        (family_kana, given_kana) = split_name(&kana(Column::Kana));
    }
    if family_kana.is_empty() {
        family_kana = std::mem::take(&mut given_kana);
    }
    let (mut family_romaji, mut given_romaji) = (
        romaji(get(Column::FamilyRomaji)),
        romaji(get(Column::GivenRomaji)),
    );
    if family_romaji.is_empty() && given_romaji.is_empty() {
        (family_romaji, given_romaji) = split_romaji(get(Column::Romaji));
    }
    if family_romaji.is_empty() {
        family_romaji = std::mem::take(&mut given_romaji);
    }

    // addresses: present ones in header order
    let mut present: Vec<(usize, Column, &str)> = [Column::Email, Column::PersonalEmail]
        .iter()
        .filter_map(|&c| values.get(&c).map(|&(i, v)| (i, c, v)))
        .filter(|(_, _, v)| !v.is_empty())
        .collect();
    present.sort();
    let valid: Vec<(Column, String)> = present
        .iter()
        .filter_map(|&(_, c, v)| crate::email::normalise(v).ok().map(|a| (c, a)))
        .collect();
    let chosen = valid
        .iter()
        .min_by_key(|(c, a)| (at_company(a, company_domains), *c != Column::PersonalEmail))
        .map(|(_, a)| a.clone());
    let mut email = String::new();
    let mut company_address_only = false;
    match chosen {
        Some(address) => {
            company_address_only = at_company(&address, company_domains);
            email = address;
        }
        None => match present.first() {
            Some(&(_, _, value)) => errors.push(RowError::BadEmail {
                value: value.to_string(),
            }),
            None if !any_long(&[Column::Email, Column::PersonalEmail]) => {
                errors.push(RowError::MissingEmail)
            }
            None => {}
        },
    }

    // dates
    let mut date = |column: Column| {
        let value = get(column);
        if value.is_empty() {
            return None;
        }
        parse_date(value, today)
            .map_err(|problem| {
                errors.push(RowError::BadDate {
                    column,
                    value: value.to_string(),
                    problem,
                })
            })
            .ok()
    };
    let joined = date(Column::Joined);
    let left = date(Column::Left);
    if let (Some(j), Some(l)) = (joined, left)
        && l < j
    {
        errors.push(RowError::LeftBeforeJoined);
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let employee_number: String = get(Column::EmployeeNumber)
        .nfkc()
        .filter(|c| !c.is_whitespace())
        .collect();
    let one = |c: Column| {
        let v = clean(get(c));
        if v.is_empty() { Vec::new() } else { vec![v] }
    };
    Ok(Leaver {
        line: row.line,
        employee_number: employee_number.clone(),
        family,
        given,
        family_kana,
        given_kana,
        family_romaji,
        given_romaji,
        email,
        company_address_only,
        stint: Stint {
            joined,
            left,
            departments: one(Column::Department),
            titles: one(Column::Title),
            office: clean(get(Column::Office)),
            employee_number,
        },
    })
}

impl Leaver {
    /// A stable fingerprint of what HR's row says (not where it stands in
    /// the file), to tell an unchanged row from an update: SHA-256 (hex)
    /// over the stored fields in a fixed order, each length-prefixed.
    pub fn fingerprint(&self) -> String {
        let mut hash = Sha256::new();
        let mut field = |text: &str| {
            hash.update((text.len() as u64).to_le_bytes());
            hash.update(text.as_bytes());
        };
        let month = |m: Option<YearMonth>| m.map(YearMonth::iso).unwrap_or_default();
        field("enishi.intake.v1");
        field(&self.employee_number);
        field(&self.family);
        field(&self.given);
        field(&self.family_kana);
        field(&self.given_kana);
        field(&self.family_romaji);
        field(&self.given_romaji);
        field(&self.email);
        field(&month(self.stint.joined));
        field(&month(self.stint.left));
        for list in [&self.stint.departments, &self.stint.titles] {
            field(&list.len().to_string());
            for item in list {
                field(item);
            }
        }
        field(&self.stint.office);
        hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Repeats within one file: by employee number when the row has one, else
/// by address. Feed it the rows [`read_row`] accepted, in file order.
#[derive(Debug, Default)]
pub struct Seen {
    numbers: HashMap<String, usize>,
    emails: HashMap<String, usize>,
}

impl Seen {
    /// The line of the first occurrence when `leaver` repeats one; a new
    /// row is remembered.
    pub fn check(&mut self, leaver: &Leaver) -> Option<usize> {
        let first = if leaver.employee_number.is_empty() {
            self.emails.get(&leaver.email)
        } else {
            self.numbers.get(&leaver.employee_number)
        };
        if let Some(&line) = first {
            return Some(line);
        }
        if !leaver.employee_number.is_empty() {
            self.numbers
                .insert(leaver.employee_number.clone(), leaver.line);
        }
        if !leaver.email.is_empty() {
            self.emails.entry(leaver.email.clone()).or_insert(leaver.line);
        }
        None
    }
}

// ---------------------------------------------------------------------------
// Writing CSV back out

/// A CSV cell safe to open in Excel: a value starting with `=` `+` `-` `@`
/// (or their full-width forms), a tab or a carriage return gets a leading
/// apostrophe so it is not taken as a formula; then it is quoted as RFC
/// 4180 wants when it holds a comma, quote, CR or LF.
pub fn csv_cell(value: &str) -> String {
    let mut cell = String::with_capacity(value.len() + 3);
    if value.starts_with(['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠']) {
        cell.push('\'');
    }
    cell.push_str(value);
    if cell.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell
    }
}

/// One CSV line: cells through [`csv_cell`], joined with commas, ending
/// with CRLF.
pub fn csv_line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut line = cells
        .iter()
        .map(|c| csv_cell(c.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}
