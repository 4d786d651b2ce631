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
    /// The first data record with the byte it starts at (read ahead to
    /// tell a header-only file).
    peeked: Option<(usize, RawRow)>,
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
    let mut csv = Csv::over(text, 1);
    let (_, header) = csv.next_record().ok_or(FileError::Empty)?;
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

/// The data records of a later part of a file cut by [`split`]: `text`
/// starts at a record, on physical line `first_line`; it has no header.
pub fn read_part(text: &str, first_line: usize) -> Csv<'_> {
    Csv::over(text, first_line)
}

/// Where a file is cut into parts of about `target` bytes, at record
/// boundaries, to be stored and read back a part at a time (a million-row
/// file is never held whole again), and how many data records it has. The
/// first part holds the header and is read with [`read`], the others with
/// [`read_part`]; together they give the same records as the whole text.
/// The file's errors are [`read`]'s.
pub fn split(text: &str, target: usize) -> Result<Split, FileError> {
    let mut csv = read(text)?;
    let mut starts = vec![(0, 1)];
    let mut rows = 0;
    while let Some((start, row)) = csv.next_at() {
        rows += 1;
        // the first part holds a record too: a header alone is no file
        if rows > 1 && start - starts[starts.len() - 1].0 >= target.max(1) {
            starts.push((start, row.line));
        }
    }
    Ok(Split { starts, rows })
}

/// See [`split`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// Each part's first byte (in the text without its BOM) and line.
    starts: Vec<(usize, usize)>,
    /// Data records in the whole file.
    pub rows: usize,
}

impl Split {
    /// The parts of `text` (the text given to [`split`]), each with the
    /// physical line it starts on.
    pub fn parts<'t>(&self, text: &'t str) -> Vec<(&'t str, usize)> {
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let ends = self.starts.iter().skip(1).map(|s| s.0).chain([text.len()]);
        self.starts
            .iter()
            .zip(ends)
            .map(|(&(from, line), to)| (&text[from..to], line))
            .collect()
    }
}

impl<'a> Csv<'a> {
    fn over(text: &'a str, first_line: usize) -> Self {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .quoting(true)
            .double_quote(true)
            .from_reader(text.as_bytes());
        Csv {
            headers: Vec::new(),
            text,
            reader,
            record: csv::StringRecord::new(),
            counted: (0, first_line),
            peeked: None,
            done: false,
        }
    }

    /// The next data record and the byte it starts at.
    fn next_at(&mut self) -> Option<(usize, RawRow)> {
        self.peeked.take().or_else(|| self.next_record())
    }

    /// The next non-blank record, broken ones included, and its first byte.
    fn next_record(&mut self) -> Option<(usize, RawRow)> {
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
                let row = RawRow {
                    line,
                    cells: Vec::new(),
                    broken: true,
                };
                return Some((start, row));
            }
            let cells: Vec<String> = self.record.iter().map(|c| trim(c).to_string()).collect();
            if cells.iter().any(|c| !c.is_empty()) {
                let row = RawRow {
                    line,
                    cells,
                    broken: false,
                };
                return Some((start, row));
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
        self.next_at().map(|(_, row)| row)
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
        &[
            "氏名",
            "名前",
            "フルネーム",
            "氏名漢字",
            "社員名",
            "従業員名",
            "name",
            "full name",
        ],
    ),
    (
        Column::Family,
        &[
            "姓",
            "苗字",
            "名字",
            "氏",
            "姓漢字",
            "last name",
            "family name",
            "surname",
        ],
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
            .map(|h| known(h).filter(|c| !is_sensitive(h) && used.insert(*c)))
            .collect(),
    )
}

/// Sensitive words in Japanese, matched anywhere in the header.
const SENSITIVE_JA: &[&str] = &[
    "理由",
    "事由",
    "評価",
    "査定",
    "考課",
    "給与",
    "給料",
    "年収",
    "月給",
    "基本給",
    "賞与",
    "報酬",
    "手当",
    "退職金",
    "生年月日",
    "誕生日",
    "年齢",
    "住所",
    "本籍",
    "マイナンバー",
    "個人番号",
    "性別",
    "健康",
    "病歴",
    "病名",
    "傷病",
    "家族",
    "扶養",
    "配偶者",
    "口座",
    "銀行",
    "国籍",
    "宗教",
    "障害",
    "懲戒",
    "信条",
    "犯罪",
    "前科",
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
    if SENSITIVE_JA.iter().any(|w| key.contains(w)) || SENSITIVE_EN.iter().any(|w| key.contains(w))
    {
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
        (None, [all]) if digits(all, 8) && all.len() == 8 => {
            (&all[..4], &all[4..6], Some(&all[6..]))
        }
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
    TooManyColumns {
        cells: usize,
        header: usize,
    },
    MissingName,
    MissingEmail,
    /// No address is valid; `value` is the first one given.
    BadEmail {
        value: String,
    },
    BadDate {
        column: Column,
        value: String,
        problem: DateProblem,
    },
    LeftBeforeJoined,
    /// Longer than [`MAX_SHORT_CHARS`] characters.
    TooLong {
        column: Column,
    },
    /// Repeats the row on `line` (see [`Seen`]).
    Duplicate {
        line: usize,
    },
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
        && first
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase);
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
            && (domain == d || domain.strip_suffix(d).is_some_and(|sub| sub.ends_with('.')))
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
        crate::secret::hex(&hash.finalize())
    }
}

/// Repeats within one file: by employee number when the row has one, else
/// by address. Feed it the rows [`read_row`] accepted, in file order.
///
/// It holds a 128-bit hash of each key, not the key: a million-row file
/// costs tens of megabytes instead of hundreds. Two different keys would
/// collide with a probability of about 10⁻²⁶ in such a file.
#[derive(Debug, Default)]
pub struct Seen {
    numbers: HashMap<u128, usize>,
    emails: HashMap<u128, usize>,
}

/// A 128-bit hash of `text` (two SipHash passes with different prefixes:
/// fixed keys, so the same text always gives the same hash).
fn key_hash(text: &str) -> u128 {
    use std::hash::{Hash, Hasher};
    let half = |salt: u8| {
        #[allow(deprecated)] // SipHasher: fixed keys, no per-process randomness wanted
        let mut h = std::hash::SipHasher::new();
        salt.hash(&mut h);
        text.hash(&mut h);
        h.finish()
    };
    (u128::from(half(1)) << 64) | u128::from(half(2))
}

impl Seen {
    /// The line of the first occurrence when `leaver` repeats one; a new
    /// row is remembered.
    pub fn check(&mut self, leaver: &Leaver) -> Option<usize> {
        let number =
            (!leaver.employee_number.is_empty()).then(|| key_hash(&leaver.employee_number));
        let email = (!leaver.email.is_empty()).then(|| key_hash(&leaver.email));
        let first = match number {
            Some(n) => self.numbers.get(&n),
            None => email.and_then(|e| self.emails.get(&e)),
        };
        if let Some(&line) = first {
            return Some(line);
        }
        if let Some(n) = number {
            self.numbers.insert(n, leaver.line);
        }
        if let Some(e) = email {
            self.emails.entry(e).or_insert(leaver.line);
        }
        None
    }
}

/// What became of one data record: the stored form, or why it was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The physical line the record starts on.
    pub line: usize,
    /// The record's cells as read (for the invalid rows' download).
    pub cells: Vec<String>,
    pub result: Result<Leaver, Vec<RowError>>,
}

/// Every record through [`read_row`], then [`Seen`]: a repeat of an
/// accepted row is refused with [`RowError::Duplicate`]. One record at a
/// time, so a file read in parts is judged as one.
#[derive(Debug)]
pub struct Evaluator<'a> {
    mapping: &'a Mapping,
    today: YearMonth,
    company_domains: &'a [String],
    seen: Seen,
}

impl<'a> Evaluator<'a> {
    pub fn new(mapping: &'a Mapping, today: YearMonth, company_domains: &'a [String]) -> Self {
        Evaluator {
            mapping,
            today,
            company_domains,
            seen: Seen::default(),
        }
    }

    /// The verdict on the next record of the file.
    pub fn verdict(&mut self, row: RawRow) -> Verdict {
        let result =
            read_row(self.mapping, &row, self.today, self.company_domains).and_then(|leaver| {
                match self.seen.check(&leaver) {
                    Some(line) => Err(vec![RowError::Duplicate { line }]),
                    None => Ok(leaver),
                }
            });
        Verdict {
            line: row.line,
            result,
            cells: row.cells,
        }
    }
}

/// [`Evaluator`] over a whole file's records. The one loop the preview
/// page, the import job and the command line share.
pub fn evaluate<'a>(
    rows: impl IntoIterator<Item = RawRow> + 'a,
    mapping: &'a Mapping,
    today: YearMonth,
    company_domains: &'a [String],
) -> impl Iterator<Item = Verdict> + 'a {
    let mut evaluator = Evaluator::new(mapping, today, company_domains);
    rows.into_iter().map(move |row| evaluator.verdict(row))
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

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: YearMonth = YearMonth(202611);

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn sjis(text: &str) -> Vec<u8> {
        let (bytes, _, errors) = encoding_rs::SHIFT_JIS.encode(text);
        assert!(!errors, "{text} is not Shift_JIS");
        bytes.into_owned()
    }

    fn parse_rows(text: &str) -> (Vec<String>, Vec<RawRow>) {
        let csv = read(text).unwrap();
        let headers = csv.headers.clone();
        (headers, csv.collect())
    }

    // --- decoding -----------------------------------------------------

    #[test]
    fn decodes_utf8_with_and_without_bom() {
        assert_eq!(
            decode("氏名,メール\n鈴木,a@b.jp\n".as_bytes()),
            Ok(("氏名,メール\n鈴木,a@b.jp\n".to_string(), Encoding::Utf8))
        );
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice("氏名\r\n鈴木\r\n".as_bytes());
        assert_eq!(
            decode(&bom),
            Ok(("氏名\r\n鈴木\r\n".to_string(), Encoding::Utf8Bom))
        );
        assert_eq!(
            decode(b"\xEF\xBB\xBFa\xFF"),
            Err(FileError::UnknownEncoding)
        );
        assert_eq!(Encoding::parse("shift_jis"), Some(Encoding::ShiftJis));
        assert_eq!(Encoding::Utf8Bom.as_str(), "utf-8-bom");
    }

    #[test]
    fn decodes_windows_shift_jis_with_its_extensions() {
        let text = "社員番号,氏名,役職\r\n0001,ｽｽﾞｷ ﾀﾛｳ,第①営業部\r\n";
        let bytes = sjis(text);
        assert!(
            bytes.windows(2).any(|w| w == b"\x87\x40"),
            "① is NEC row 13"
        );
        assert_eq!(decode(&bytes), Ok((text.to_string(), Encoding::ShiftJis)));
        // 髙 as Windows writes it (IBM extension FB FC) and as the
        // NEC-selected IBM extension (EE E0)
        for takahashi in [&b"\xFB\xFC\x8B\xB4"[..], &b"\xEE\xE0\x8B\xB4"[..]] {
            let mut bytes = sjis("氏名\r\n");
            bytes.extend_from_slice(takahashi);
            bytes.extend_from_slice(b"\r\n");
            assert_eq!(
                decode(&bytes),
                Ok(("氏名\r\n髙橋\r\n".to_string(), Encoding::ShiftJis))
            );
        }
        // ～ and ＼ as Excel writes them
        let (text, _) = decode(b"\x81\x60\x81\x5F,\x81\x7C").unwrap();
        assert_eq!(text.chars().count(), 4);
    }

    #[test]
    fn refuses_what_is_not_a_text_file() {
        assert_eq!(decode(b""), Err(FileError::Empty));
        assert_eq!(decode(b" \r\n\t\n"), Err(FileError::Empty));
        assert_eq!(decode(b"\xEF\xBB\xBF\r\n"), Err(FileError::Empty));
        assert_eq!(decode("\u{3000}\n".as_bytes()), Err(FileError::Empty));
        assert_eq!(decode(&sjis("\u{3000}\r\n")), Err(FileError::Empty));
        for binary in [
            &b"\x89PNG\r\n\x1A\n\0\0\0\rIHDR"[..],
            b"PK\x03\x04\x14\0\x06\0[Content_Types].xml",
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
            b"%PDF-1.7\n%\xE2\xE3\xCF\xD3",
            b"name,email\nsuzuki\0,a@b.jp\n",
            b"\x01\x02\x03\x04\x05\x06\x07\x08abc",
        ] {
            assert_eq!(decode(binary), Err(FileError::Binary), "{binary:?}");
        }
        // UTF-16 (Excel's "Unicode text") is refused, not guessed at
        for utf16 in [&b"\xFF\xFEM\0a\0i\0l\0"[..], b"\xFE\xFF\0M\0a\0i\0l"] {
            assert_eq!(decode(utf16), Err(FileError::UnknownEncoding));
        }
        // 0x82 0x20: a Shift_JIS lead byte without its trail byte, and no
        // UTF-8 either
        assert_eq!(
            decode(b"name\n\x82\x20x\n"),
            Err(FileError::UnknownEncoding)
        );
        // Latin-1 "Café,Zoë"
        assert_eq!(decode(b"Caf\xE9,Zo\xEB\n"), Err(FileError::UnknownEncoding));
        assert_eq!(
            FileError::UnknownEncoding.key(),
            "intake.file_unknown_encoding"
        );
    }

    // --- records ------------------------------------------------------

    #[test]
    fn reads_records_with_their_physical_lines() {
        let text = "\u{FEFF} 社員番号 ,氏名,役職\r\n\
                    0001,鈴木 太郎,\"課長,\n営業\"\r\n\
                    \r\n\
                    0002,\u{3000}髙橋 花子\u{3000},\"He said \"\"hi\"\"\"\r\n\
                    ,,\r\n\
                    0003,\"佐藤\r\n\r\n健一\",\r\n\
                    0004,田中,\n";
        let (headers, rows) = parse_rows(text);
        assert_eq!(headers, strings(&["社員番号", "氏名", "役職"]));
        let lines: Vec<usize> = rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![2, 5, 7, 10]);
        assert_eq!(
            rows[0].cells,
            strings(&["0001", "鈴木 太郎", "課長,\n営業"])
        );
        assert_eq!(
            rows[1].cells,
            strings(&["0002", "髙橋 花子", "He said \"hi\""])
        );
        assert_eq!(rows[2].cells[1], "佐藤\r\n\r\n健一");
        assert!(rows.iter().all(|r| !r.broken));
    }

    #[test]
    fn lines_count_with_lf_and_lone_cr_too() {
        let (_, rows) = parse_rows("a,b\n\n1,2\n\"x\ny\",3\n4,5");
        assert_eq!(
            rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![3, 4, 6]
        );
        let (_, rows) = parse_rows("a,b\r1,2\r\r3,4\r");
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 4]);
        // blank lines before the header count
        let (headers, rows) = parse_rows("\r\n,,\r\n名前,メール\r\n鈴木,a@b.jp\r\n");
        assert_eq!(headers, strings(&["名前", "メール"]));
        assert_eq!(rows[0].line, 4);
    }

    #[test]
    fn a_file_split_in_parts_reads_as_the_whole() {
        let texts = [
            "\u{FEFF} 社員番号 ,氏名,役職\r\n0001,鈴木 太郎,\"課長,\n営業\"\r\n\r\n\
             0002,\u{3000}髙橋 花子\u{3000},\"He said \"\"hi\"\"\"\r\n,,\r\n\
             0003,\"佐藤\r\n\r\n健一\",\r\n0004,田中,\n",
            "a,b\n\n1,2\n\"x\ny\",3\n4,5",
            "a,b\r1,2\r\r3,4\r",
            "\r\n,,\r\n名前,メール\r\n鈴木,a@b.jp\r\n佐藤,c@d.jp\r\n",
            "a,b\n1,\"x\"y\n2,3\n4,\"open\n5,6\n",
            "a,b\n1,2",
        ];
        for text in texts {
            let whole: Vec<RawRow> = read(text).unwrap().collect();
            let headers = read(text).unwrap().headers;
            for target in [1, 3, 8, 20, 1 << 20] {
                let cut = split(text, target).unwrap();
                assert_eq!(cut.rows, whole.len(), "{text:?}");
                let parts = cut.parts(text);
                let joined: String = parts.iter().map(|(p, _)| *p).collect();
                assert_eq!(joined, text.trim_start_matches('\u{FEFF}'));
                let mut first = read(parts[0].0).unwrap();
                assert_eq!(first.headers, headers);
                assert_eq!(parts[0].1, 1);
                let mut again: Vec<RawRow> = first.by_ref().collect();
                for (part, line) in &parts[1..] {
                    again.extend(read_part(part, *line));
                }
                assert_eq!(again, whole, "{text:?} cut every {target} bytes");
                if target == 1 {
                    assert_eq!(parts.len(), whole.len(), "one record a part");
                }
            }
        }
        // the whole file's errors
        assert_eq!(split("", 10).unwrap_err(), FileError::Empty);
        assert_eq!(split("a,b\r\n", 10).unwrap_err(), FileError::HeaderOnly);
    }

    #[test]
    fn broken_records_are_yielded_as_broken() {
        let (_, rows) = parse_rows("a,b\n1,\"x\"y\n2,3\n4,\"open\n5,6\n");
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[0],
            RawRow {
                line: 2,
                cells: vec![],
                broken: true
            }
        );
        assert_eq!(rows[1].cells, strings(&["2", "3"]));
        assert!(rows[2].broken, "a quote left open swallows the rest");
        assert_eq!(rows[2].line, 4);
        let mapping = Mapping(vec![Some(Column::Name), Some(Column::Email)]);
        assert_eq!(
            read_row(&mapping, &rows[0], TODAY, &[]),
            Err(vec![RowError::Broken])
        );
        // a stray quote inside an unquoted cell is only text
        let (_, rows) = parse_rows("a,b\n5\" disk,x\n");
        assert_eq!(rows[0].cells, strings(&["5\" disk", "x"]));
        assert_eq!(read("\"a,b\n1,2\n").err(), Some(FileError::Unreadable));
    }

    #[test]
    fn whole_file_problems() {
        assert_eq!(read("").err(), Some(FileError::Empty));
        assert_eq!(read("\r\n,, ,\r\n").err(), Some(FileError::Empty));
        assert_eq!(read("氏名,メール\r\n").err(), Some(FileError::HeaderOnly));
        assert_eq!(
            read("氏名,メール\r\n\r\n,\r\n").err(),
            Some(FileError::HeaderOnly)
        );
        let wide = (0..3_000)
            .map(|i| format!("c{i}"))
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(
            read(&format!("{wide}\n{wide}\n")).err(),
            Some(FileError::TooManyColumns)
        );
        let at_most = (0..MAX_COLUMNS)
            .map(|i| format!("c{i}"))
            .collect::<Vec<_>>();
        let text = format!("{}\n1\n", at_most.join(","));
        assert_eq!(read(&text).unwrap().headers.len(), MAX_COLUMNS);
        // Excel's trailing empty header cells are not columns
        let (headers, _) = parse_rows("氏名,メール,,,\r\n鈴木,a@b.jp,,,\r\n");
        assert_eq!(headers, strings(&["氏名", "メール"]));
    }

    #[test]
    fn a_data_row_of_three_thousand_cells() {
        let mut line = strings(&["鈴木", "a@b.jp"]);
        line.extend((0..2_998).map(|i| i.to_string()));
        let text = format!("氏名,メール\n{}\n", line.join(","));
        let (headers, rows) = parse_rows(&text);
        assert_eq!(rows[0].cells.len(), 3_000);
        let mapping = suggest(&headers);
        assert_eq!(
            read_row(&mapping, &rows[0], TODAY, &[]),
            Err(vec![RowError::TooManyColumns {
                cells: 3_000,
                header: 2
            }])
        );
        // trailing empty cells are fine
        let (headers, rows) = parse_rows("氏名,メール\n鈴木,a@b.jp,,,\u{3000},\n");
        assert!(read_row(&suggest(&headers), &rows[0], TODAY, &[]).is_ok());
    }

    // --- mapping ------------------------------------------------------

    #[test]
    fn suggests_every_known_header() {
        use Column::*;
        let cases: &[(Column, &[&str])] = &[
            (
                EmployeeNumber,
                &[
                    "社員番号",
                    "従業員番号",
                    "社員No",
                    "社員No.",
                    "社員コード",
                    "Employee ID",
                    "employee number",
                    "Employee No",
                    "Staff ID",
                    "社員番号欄",
                ],
            ),
            (
                Name,
                &["氏名", "名前", "フルネーム", "Name", "Full Name", "氏 名"],
            ),
            (
                Family,
                &["姓", "苗字", "名字", "Last Name", "family name", "Surname"],
            ),
            (
                Given,
                &["名", "下の名前", "First Name", "Given Name", "first_name"],
            ),
            (
                Kana,
                &[
                    "フリガナ",
                    "氏名カナ",
                    "氏名（フリガナ）",
                    "氏名(フリガナ)",
                    "ふりがな",
                    "カナ氏名",
                    "ﾌﾘｶﾞﾅ",
                ],
            ),
            (FamilyKana, &["姓（フリガナ）", "セイ", "姓カナ", "ｾｲ"]),
            (GivenKana, &["名（フリガナ）", "メイ", "名カナ"]),
            (Romaji, &["ローマ字", "氏名（ローマ字）"]),
            (FamilyRomaji, &["姓（ローマ字）"]),
            (GivenRomaji, &["名（ローマ字）"]),
            (
                Email,
                &[
                    "メールアドレス",
                    "メール",
                    "社用メール",
                    "会社メールアドレス",
                    "業務用メール",
                    "Email",
                    "E-mail",
                    "e-mail address",
                    "Work Email",
                    "ＥＭＡＩＬ",
                    "メール・アドレス",
                ],
            ),
            (
                PersonalEmail,
                &[
                    "個人メールアドレス",
                    "個人メール",
                    "私用メール",
                    "連絡先メールアドレス",
                    "退職後連絡先メール",
                    "Personal Email",
                    "Private Email",
                    "Home Email",
                    "personal_email",
                ],
            ),
            (
                Joined,
                &[
                    "入社日",
                    "入社年月日",
                    "入社年月",
                    "入社",
                    "Hire Date",
                    "Joined",
                    "Start Date",
                ],
            ),
            (
                Left,
                &[
                    "退職日",
                    "退職年月日",
                    "退職年月",
                    "退社日",
                    "退職",
                    "Leave Date",
                    "Left",
                    "Termination Date",
                    "End Date",
                ],
            ),
            (
                Department,
                &[
                    "所属",
                    "部署",
                    "所属部署",
                    "最終所属部署",
                    "最終所属",
                    "部門",
                    "部署名",
                    "Department",
                    "Dept",
                    "Division",
                    "所属部署欄",
                ],
            ),
            (
                Title,
                &[
                    "役職",
                    "最終役職",
                    "職位",
                    "肩書",
                    "Title",
                    "Job Title",
                    "Position",
                ],
            ),
            (Office, &["勤務地", "事業所", "拠点", "Office", "Location"]),
        ];
        for (column, headers) in cases {
            for header in *headers {
                assert_eq!(
                    suggest(&strings(&[header])),
                    Mapping(vec![Some(*column)]),
                    "{header}"
                );
                assert!(!is_sensitive(header), "{header}");
            }
        }
        // every name in the table is recognised and none is sensitive
        for (column, names) in KNOWN {
            for name in *names {
                assert_eq!(known(name), Some(*column), "{name}");
                assert!(!is_sensitive(name), "{name}");
            }
        }
        assert_eq!(
            suggest(&strings(&["備考", "", "電話番号", "退職理由"])),
            Mapping(vec![None; 4])
        );
    }

    #[test]
    fn each_column_is_suggested_once() {
        let headers = strings(&["氏名", "名前", "メール", "会社メールアドレス", "個人メール"]);
        assert_eq!(
            suggest(&headers),
            Mapping(vec![
                Some(Column::Name),
                None,
                Some(Column::Email),
                None,
                Some(Column::PersonalEmail)
            ])
        );
    }

    #[test]
    fn sensitive_headers() {
        for header in [
            "退職理由",
            "離職理由",
            "評価",
            "人事評価",
            "査定",
            "給与",
            "給料",
            "年収",
            "月給",
            "賞与",
            "報酬",
            "生年月日",
            "誕生日",
            "年齢",
            "住所",
            "現住所",
            "本籍",
            "マイナンバー",
            "個人番号",
            "性別",
            "健康",
            "健康状態",
            "病歴",
            "家族",
            "家族構成",
            "扶養",
            "扶養家族",
            "口座",
            "銀行",
            "振込口座",
            "退職理由（詳細）",
            "Reason",
            "Reason for leaving",
            "Rating",
            "Performance",
            "Performance Rating",
            "Salary",
            "Wage",
            "Bonus",
            "Birth date",
            "Birthday",
            "Date of Birth",
            "DOB",
            "Age",
            "Address",
            "Home Address",
            "Gender",
            "Health",
            "Bank",
            "Bank Account",
            "My Number",
            "MyNumber",
            "SSN",
        ] {
            assert!(is_sensitive(header), "{header}");
        }
        for header in [
            "メールアドレス",
            "個人メールアドレス",
            "Email Address",
            "E-mail address",
            "email_address",
            "電話番号",
            "Phone",
            "Manager",
            "Language",
            "Page",
            "Stage",
            "氏名",
            "所属部署",
            "役職",
            "退職年月日",
            "Mail Address",
        ] {
            assert!(!is_sensitive(header), "{header}");
        }
    }

    #[test]
    fn mapping_checks() {
        let headers = strings(&["社員番号", "氏名", "メール", "退職理由"]);
        let good = suggest(&headers);
        assert_eq!(good.check(&headers), vec![]);
        assert_eq!(good.0[3], None);

        let mut sensitive = good.clone();
        sensitive.0[3] = Some(Column::Title);
        assert_eq!(sensitive.check(&headers), vec![MappingError::Sensitive(3)]);

        let nothing = Mapping(vec![None; 4]);
        assert_eq!(
            nothing.check(&headers),
            vec![MappingError::NoName, MappingError::NoEmail]
        );
        let twice = Mapping(vec![
            Some(Column::Name),
            Some(Column::Name),
            Some(Column::Email),
            None,
        ]);
        assert_eq!(
            twice.check(&headers),
            vec![MappingError::Twice(Column::Name)]
        );
        assert_eq!(twice.check(&headers)[0].key(), "intake.map_twice");
        let short = Mapping(vec![Some(Column::Family), Some(Column::PersonalEmail)]);
        assert_eq!(short.check(&headers), vec![MappingError::WrongLength]);
        assert_eq!(Column::PersonalEmail.key(), "intake.col_personal_email");
        assert_eq!(Column::parse("family_kana"), Some(Column::FamilyKana));
        assert_eq!(Column::ALL.len(), 17);
    }

    #[test]
    fn mappings_are_remembered_by_header_text() {
        let headers = strings(&["No", "氏名", "メール", "連絡先", "備考", "退職理由"]);
        let names: BTreeMap<String, String> = [
            ("No", "employee_number"),
            ("連絡先", "personal_email"),
            ("メール", "skip"),
            ("備考", "nonsense"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let mapping = Mapping::from_names(&headers, &names);
        assert_eq!(
            mapping,
            Mapping(vec![
                Some(Column::EmployeeNumber),
                Some(Column::Name),
                None,
                Some(Column::PersonalEmail),
                None,
                None
            ])
        );
        let remembered = mapping.to_names(&headers);
        assert_eq!(remembered.len(), 6);
        assert_eq!(remembered["氏名"], "name");
        assert_eq!(remembered["メール"], "");
        assert_eq!(remembered["退職理由"], "");
        assert_eq!(Mapping::from_names(&headers, &remembered), mapping);
        // a suggestion does not take a column remembered for another header
        let names: BTreeMap<String, String> = [("名前".to_string(), "email".to_string())]
            .into_iter()
            .collect();
        let headers = strings(&["名前", "メール"]);
        assert_eq!(
            Mapping::from_names(&headers, &names),
            Mapping(vec![Some(Column::Email), None])
        );
        // headers compare normalised too
        let names: BTreeMap<String, String> = [("氏名(フリガナ)".to_string(), "kana".to_string())]
            .into_iter()
            .collect();
        assert_eq!(
            Mapping::from_names(&strings(&["氏名（フリガナ）"]), &names),
            Mapping(vec![Some(Column::Kana)])
        );
    }

    // --- dates --------------------------------------------------------

    #[test]
    fn dates_in_every_format_hr_writes() {
        for (input, month) in [
            ("2009/3/31", 200903),
            ("2009-03-31", 200903),
            ("2009.3.31", 200903),
            ("2009年3月31日", 200903),
            ("20090331", 200903),
            ("200903", 200903),
            ("2009/03", 200903),
            ("2009-3", 200903),
            ("2009年3月", 200903),
            ("平成21年3月31日", 200903),
            ("平成21年3月", 200903),
            ("平成元年4月1日", 198904),
            ("H21.3.31", 200903),
            ("H21/3/31", 200903),
            ("h21.3.31", 200903),
            ("Ｈ２１．３．３１", 200903),
            ("令和2年4月", 202004),
            ("令和元年5月1日", 201905),
            ("R2.4.1", 202004),
            ("S63.3.31", 198803),
            ("昭和63年3月31日", 198803),
            ("昭和64年1月7日", 198901),
            ("大正15年12月1日", 192612),
            ("T1.8.1", 191208),
            ("明治45年7月1日", 191207),
            ("M33.1.1", 190001),
            ("平成31年5月1日", 201905),
            ("平成32年4月", 202004),
            ("２００９／３／３１", 200903),
            ("２００９年３月３１日", 200903),
            ("2009 / 3 / 31", 200903),
            (" 2009年 3月 31日 ", 200903),
            ("2009/3/31 0:00", 200903),
            ("2009/03/31 00:00:00", 200903),
            ("2009−3−31", 200903),
            ("2008/2/29", 200802),
            ("2000/2/29", 200002),
            ("2026/11/30", 202611),
            ("㍻21年3月31日", 200903),
        ] {
            assert_eq!(parse_date(input, TODAY), Ok(YearMonth(month)), "{input}");
        }
    }

    #[test]
    fn dates_refused_with_a_reason() {
        use DateProblem::*;
        for (input, problem) in [
            ("2009/2/29", Impossible),
            ("1900/2/29", Impossible),
            ("2009/2/30", Impossible),
            ("2019/2/30", Impossible),
            ("2009/4/31", Impossible),
            ("2009/13/1", Impossible),
            ("2009年13月", Impossible),
            ("2009/0/1", Impossible),
            ("2009/3/0", Impossible),
            ("20090230", Impossible),
            ("平成0年4月1日", Impossible),
            ("H21.13.1", Impossible),
            ("H21.2.29", Impossible),
            ("39904", Unreadable),
            ("39904.5", Unreadable),
            ("2009", Unreadable),
            ("09/3/31", Unreadable),
            ("3/31/2009", Unreadable),
            ("2009/3/31/1", Unreadable),
            ("2009//3", Unreadable),
            ("不明", Unreadable),
            ("平成", Unreadable),
            ("H", Unreadable),
            ("X21.3.31", Unreadable),
            ("平成123年1月", Unreadable),
            ("2009/003/1", Unreadable),
            ("", Unreadable),
            ("1899/12/31", TooEarly),
            ("明治1年1月1日", TooEarly),
            ("2099/4/1", Future),
            ("2026/12/1", Future),
            ("令和9年1月", Future),
        ] {
            assert_eq!(parse_date(input, TODAY), Err(problem), "{input}");
        }
        assert_eq!(DateProblem::Future.key(), "intake.row_date_future");
    }

    // --- rows ---------------------------------------------------------

    fn full_mapping() -> Mapping {
        use Column::*;
        Mapping(vec![
            Some(EmployeeNumber),
            Some(Name),
            Some(Kana),
            Some(Email),
            Some(PersonalEmail),
            Some(Joined),
            Some(Left),
            Some(Department),
            Some(Title),
            None,
        ])
    }

    fn raw(line: usize, cells: &[&str]) -> RawRow {
        RawRow {
            line,
            cells: strings(cells),
            broken: false,
        }
    }

    fn company() -> Vec<String> {
        strings(&["sample-shoji.co.jp"])
    }

    #[test]
    fn a_row_is_normalised() {
        let row = raw(
            7,
            &[
                "０１２３",
                "鈴木\u{3000}\u{3000}太郎",
                "ｽｽﾞｷ ﾀﾛｳ",
                "T.Suzuki@Sample-Shoji.co.jp",
                "ＴＡＲＯ．Ｓｕｚｕｋｉ＠ｇｍａｉｌ．ｃｏｍ",
                "2009/4/1",
                "H27.3.31",
                "第①　営業部",
                "=HYPERLINK(\"http://x\",\"y\")",
                "転職",
            ],
        );
        let leaver = read_row(&full_mapping(), &row, TODAY, &company()).unwrap();
        assert_eq!(
            leaver,
            Leaver {
                line: 7,
                employee_number: "0123".into(),
                family: "鈴木".into(),
                given: "太郎".into(),
                family_kana: "スズキ".into(),
                given_kana: "タロウ".into(),
                family_romaji: String::new(),
                given_romaji: String::new(),
                email: "taro.suzuki@gmail.com".into(),
                company_address_only: false,
                stint: Stint {
                    joined: Some(YearMonth(200904)),
                    left: Some(YearMonth(201503)),
                    departments: vec!["第1 営業部".into()],
                    titles: vec!["=HYPERLINK(\"http://x\",\"y\")".into()],
                    office: String::new(),
                    employee_number: "0123".into(),
                },
            }
        );
    }

    #[test]
    fn names_kana_and_romaji_columns() {
        use Column::*;
        let mapping = Mapping(vec![
            Some(Family),
            Some(Given),
            Some(FamilyKana),
            Some(GivenKana),
            Some(Romaji),
            Some(PersonalEmail),
            Some(Office),
            Some(EmployeeNumber),
        ]);
        let row = |romaji: &str| {
            raw(
                2,
                &[
                    "髙橋",
                    "花子",
                    "たかはし",
                    "ﾊﾅｺ",
                    romaji,
                    "h@example.jp",
                    " 大阪　支社 ",
                    "A 00 1",
                ],
            )
        };
        let l = read_row(&mapping, &row("TAKAHASHI Hanako"), TODAY, &[]).unwrap();
        assert_eq!((l.family.as_str(), l.given.as_str()), ("髙橋", "花子"));
        assert_eq!(
            (l.family_kana.as_str(), l.given_kana.as_str()),
            ("タカハシ", "ハナコ")
        );
        assert_eq!(
            (l.family_romaji.as_str(), l.given_romaji.as_str()),
            ("Takahashi", "Hanako")
        );
        assert_eq!(l.stint.office, "大阪 支社");
        assert_eq!(l.employee_number, "A001");
        assert!(l.stint.departments.is_empty() && l.stint.titles.is_empty());
        let romaji = |text: &str| {
            let l = read_row(&mapping, &row(text), TODAY, &[]).unwrap();
            (l.family_romaji, l.given_romaji)
        };
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(romaji("Hanako Takahashi"), pair("Takahashi", "Hanako"));
        assert_eq!(romaji("hanako takahashi"), pair("Takahashi", "Hanako"));
        assert_eq!(
            romaji("ＳＵＺＵＫＩ Ｈｉｔｏｓｈｉ"),
            pair("Suzuki", "Hitoshi")
        );
        assert_eq!(romaji("Suzuki, Hitoshi"), pair("Suzuki", "Hitoshi"));
        assert_eq!(romaji("Mary Ann McDonald"), pair("McDonald", "Mary Ann"));
        assert_eq!(romaji("SUZUKI"), pair("Suzuki", ""));
        assert_eq!(romaji(""), pair("", ""));
        // separate romaji columns
        let mapping = Mapping(vec![
            Some(Name),
            Some(FamilyRomaji),
            Some(GivenRomaji),
            Some(Email),
        ]);
        let l = read_row(
            &mapping,
            &raw(2, &["李", "LI", "xiaolong", "li@example.cn"]),
            TODAY,
            &[],
        )
        .unwrap();
        assert_eq!((l.family.as_str(), l.given.as_str()), ("李", ""));
        assert_eq!(
            (l.family_romaji.as_str(), l.given_romaji.as_str()),
            ("Li", "Xiaolong")
        );
        // only a given name: it is the one name
        let mapping = Mapping(vec![Some(Family), Some(Given), Some(Email)]);
        let l = read_row(
            &mapping,
            &raw(2, &["", "Madonna", "m@example.com"]),
            TODAY,
            &[],
        )
        .unwrap();
        assert_eq!((l.family.as_str(), l.given.as_str()), ("Madonna", ""));
    }

    #[test]
    fn addresses_personal_first_company_warned() {
        let mapping = full_mapping();
        let row = |work: &str, personal: &str| {
            raw(
                2,
                &["1", "鈴木 太郎", "", work, personal, "", "", "", "", ""],
            )
        };
        let read = |work: &str, personal: &str| {
            read_row(&mapping, &row(work, personal), TODAY, &company())
        };
        let l = read("t@sample-shoji.co.jp", "Taro@Example.JP").unwrap();
        assert_eq!(
            (l.email.as_str(), l.company_address_only),
            ("taro@example.jp", false)
        );
        let l = read("T@Sample-Shoji.CO.JP", "").unwrap();
        assert_eq!(
            (l.email.as_str(), l.company_address_only),
            ("t@sample-shoji.co.jp", true)
        );
        let l = read("t@tokyo.sample-shoji.co.jp", "").unwrap();
        assert!(l.company_address_only, "a subdomain is the company's too");
        let l = read("t@not-sample-shoji.co.jp", "").unwrap();
        assert!(!l.company_address_only);
        let l = read("t@sample-shoji.co.jp", "taro@@gmail.com").unwrap();
        assert_eq!(
            (l.email.as_str(), l.company_address_only),
            ("t@sample-shoji.co.jp", true)
        );
        // a private address typed in the company column still wins
        let l = read("taro@gmail.com", "t@sample-shoji.co.jp").unwrap();
        assert_eq!(
            (l.email.as_str(), l.company_address_only),
            ("taro@gmail.com", false)
        );
        // without company domains nothing is warned
        let l = read_row(&mapping, &row("t@sample-shoji.co.jp", ""), TODAY, &[]).unwrap();
        assert!(!l.company_address_only);
        assert_eq!(
            read("t@@x.jp", "taro@gmail"),
            Err(vec![RowError::BadEmail {
                value: "t@@x.jp".into()
            }])
        );
        assert_eq!(
            read("", "taro@gmail"),
            Err(vec![RowError::BadEmail {
                value: "taro@gmail".into()
            }])
        );
        assert_eq!(read(" ", "\u{3000}"), Err(vec![RowError::MissingEmail]));
    }

    #[test]
    fn every_problem_of_a_row_is_reported() {
        let mapping = full_mapping();
        let long = "あ".repeat(MAX_SHORT_CHARS + 1);
        let row = raw(
            9,
            &[
                "1",
                "",
                "",
                "",
                "bad",
                "2015/4/1",
                "2009/2/30",
                &long,
                "",
                "",
                "extra",
            ],
        );
        let errors = read_row(&mapping, &row, TODAY, &[]).unwrap_err();
        assert_eq!(
            errors,
            vec![
                RowError::TooManyColumns {
                    cells: 11,
                    header: 10
                },
                RowError::TooLong {
                    column: Column::Department
                },
                RowError::MissingName,
                RowError::BadEmail {
                    value: "bad".into()
                },
                RowError::BadDate {
                    column: Column::Left,
                    value: "2009/2/30".into(),
                    problem: DateProblem::Impossible
                },
            ]
        );
        let keys: Vec<&str> = errors.iter().map(RowError::key).collect();
        assert_eq!(
            keys,
            vec![
                "intake.row_too_many_columns",
                "intake.row_too_long",
                "intake.row_missing_name",
                "intake.row_bad_email",
                "intake.row_date_impossible"
            ]
        );
        assert_eq!(errors[0].detail().as_deref(), Some("11"));
        assert_eq!(errors[1].detail().as_deref(), Some("department"));
        assert_eq!(errors[1].column(), Some(Column::Department));
        assert_eq!(errors[2].detail(), None);
        assert_eq!(errors[4].detail().as_deref(), Some("2009/2/30"));
        assert_eq!(errors[4].column(), Some(Column::Left));

        let row = raw(
            9,
            &[
                "1",
                "鈴木",
                "",
                "a@b.jp",
                "",
                "2015/4/1",
                "2012/3/31",
                "",
                "",
                "",
            ],
        );
        assert_eq!(
            read_row(&mapping, &row, TODAY, &[]),
            Err(vec![RowError::LeftBeforeJoined])
        );
        let row = raw(9, &["1", "鈴木", "", "a@b.jp", "", "1899/4/1", "2099/3/31"]);
        assert_eq!(
            read_row(&mapping, &row, TODAY, &[])
                .unwrap_err()
                .iter()
                .map(RowError::key)
                .collect::<Vec<_>>(),
            vec!["intake.row_date_too_early", "intake.row_date_future"]
        );
        // a too-long name is not also a missing one
        let row = raw(9, &["1", &long, "", "a@b.jp"]);
        assert_eq!(
            read_row(&mapping, &row, TODAY, &[]),
            Err(vec![RowError::TooLong {
                column: Column::Name
            }])
        );
        // exactly the limit is fine; fewer cells than headers too
        let name = "鈴".repeat(MAX_SHORT_CHARS);
        assert!(read_row(&mapping, &raw(9, &["1", &name, "", "a@b.jp"]), TODAY, &[]).is_ok());
        assert_eq!(
            RowError::Duplicate { line: 3 }.detail().as_deref(),
            Some("3")
        );
    }

    #[test]
    fn duplicates_within_a_file() {
        let leaver = |line: usize, number: &str, email: &str| Leaver {
            line,
            employee_number: number.into(),
            email: email.into(),
            ..Leaver::default()
        };
        let mut seen = Seen::default();
        assert_eq!(seen.check(&leaver(2, "0001", "a@x.jp")), None);
        assert_eq!(seen.check(&leaver(3, "0002", "b@x.jp")), None);
        assert_eq!(seen.check(&leaver(4, "0001", "c@x.jp")), Some(2));
        // a refused repeat is not remembered
        assert_eq!(seen.check(&leaver(5, "", "c@x.jp")), None);
        assert_eq!(seen.check(&leaver(6, "", "b@x.jp")), Some(3));
        assert_eq!(seen.check(&leaver(7, "", "c@x.jp")), Some(5));
        // with an employee number, a shared address is another stint
        assert_eq!(seen.check(&leaver(8, "0003", "a@x.jp")), None);
    }

    #[test]
    fn csv_cells_are_safe_for_excel() {
        for (value, cell) in [
            ("鈴木", "鈴木"),
            ("", ""),
            ("=1+1", "'=1+1"),
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
            ),
            ("+81 3", "'+81 3"),
            ("-", "'-"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "\"'\rx\""),
            ("＝1", "'＝1"),
            ("a,b", "\"a,b\""),
            ("課長\n営業", "\"課長\n営業\""),
            ("5\" disk", "\"5\"\" disk\""),
            ("a=b", "a=b"),
        ] {
            assert_eq!(csv_cell(value), cell, "{value:?}");
        }
        assert_eq!(csv_line(&["1", "=x", "a,b"]), "1,'=x,\"a,b\"\r\n");
        assert_eq!(csv_line::<&str>(&[]), "\r\n");
        // what we write reads back as the same (neutralised) cells
        let text = format!(
            "{}{}",
            csv_line(&["h1", "h2"]),
            csv_line(&["課長,\n営業", "=1"])
        );
        let (_, rows) = parse_rows(&text);
        assert_eq!(rows[0].cells, strings(&["課長,\n営業", "'=1"]));
    }

    #[test]
    fn fingerprints_follow_the_content_not_the_line() {
        let row = raw(
            2,
            &[
                "1",
                "鈴木 太郎",
                "",
                "a@b.jp",
                "",
                "2009/4/1",
                "",
                "営業部",
                "",
                "",
            ],
        );
        let a = read_row(&full_mapping(), &row, TODAY, &[]).unwrap();
        let moved = Leaver {
            line: 40,
            ..a.clone()
        };
        assert_eq!(a.fingerprint(), moved.fingerprint());
        assert_eq!(a.fingerprint().len(), 64);
        let mut changed = a.clone();
        changed.stint.departments = vec!["人事部".into()];
        assert_ne!(a.fingerprint(), changed.fingerprint());
        // fields do not run into each other
        let mut x = a.clone();
        x.family = "鈴木太".into();
        x.given = "郎".into();
        assert_ne!(a.fingerprint(), x.fingerprint());
        let mut y = a.clone();
        y.stint.departments = vec![];
        y.stint.titles = vec!["営業部".into()];
        assert_ne!(a.fingerprint(), y.fingerprint());
    }

    // --- the fixture --------------------------------------------------

    #[test]
    fn the_leavers_fixture_reads_as_written_down() {
        let bytes = include_bytes!("../tests/fixtures/intake/leavers-cp932.csv");
        let expected = include_str!("../tests/fixtures/intake/expected.tsv");
        let (text, encoding) = decode(bytes).unwrap();
        assert_eq!(encoding, Encoding::ShiftJis);
        let csv = read(&text).unwrap();
        let headers = csv.headers.clone();
        assert_eq!(headers.len(), 10);
        let mapping = suggest(&headers);
        assert_eq!(mapping.check(&headers), vec![]);
        assert!(is_sensitive(&headers[9]));
        assert_eq!(mapping.0[9], None);
        let company = company();
        let mut seen = Seen::default();
        let mut got = Vec::new();
        let mut warned = Vec::new();
        for row in csv {
            let outcome = match read_row(&mapping, &row, TODAY, &company) {
                Ok(l) => match seen.check(&l) {
                    Some(first) => {
                        let dup = RowError::Duplicate { line: first };
                        format!("invalid\t{}", dup.key())
                    }
                    None => {
                        if l.company_address_only {
                            warned.push(l.line);
                        }
                        let month =
                            |m: Option<YearMonth>| m.map(YearMonth::iso).unwrap_or_default();
                        format!(
                            "ok\t{}|{}|{}|{}|{}|{}|{}|{}|{}|{}",
                            l.employee_number,
                            l.email,
                            l.family,
                            l.given,
                            l.family_kana,
                            l.given_kana,
                            month(l.stint.joined),
                            month(l.stint.left),
                            l.stint.departments.join(";"),
                            l.stint.titles.join(";")
                        )
                    }
                },
                Err(errors) => format!(
                    "invalid\t{}",
                    errors
                        .iter()
                        .map(RowError::key)
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            };
            got.push(format!("{}\t{outcome}", row.line));
        }
        let want: Vec<&str> = expected.lines().skip(1).filter(|l| !l.is_empty()).collect();
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g, w);
        }
        assert_eq!(got.len(), want.len());
        assert_eq!(got.len(), 40);
        assert_eq!(got.iter().filter(|l| l.contains("\tok\t")).count(), 30);
        assert_eq!(warned, vec![4, 16, 28, 33]);

        // evaluate() is the same loop
        let csv = read(&text).unwrap();
        let verdicts: Vec<Verdict> = evaluate(csv, &mapping, TODAY, &company).collect();
        let summary: Vec<String> = verdicts
            .iter()
            .map(|v| match &v.result {
                Ok(_) => format!("{}\tok", v.line),
                Err(e) => format!(
                    "{}\tinvalid\t{}",
                    v.line,
                    e.iter().map(RowError::key).collect::<Vec<_>>().join(",")
                ),
            })
            .collect();
        let brief: Vec<String> = want
            .iter()
            .map(|w| match w.split_once("\tok\t") {
                Some((line, _)) => format!("{line}\tok"),
                None => w.to_string(),
            })
            .collect();
        assert_eq!(summary, brief);
        assert_eq!(
            verdicts.iter().find(|v| v.line == 39).unwrap().result,
            Err(vec![RowError::Duplicate { line: 3 }]),
            "line 39 repeats line 3"
        );
        assert_eq!(
            verdicts.iter().find(|v| v.line == 40).unwrap().result,
            Err(vec![RowError::Duplicate { line: 2 }]),
            "line 40 repeats line 2"
        );
    }
}
