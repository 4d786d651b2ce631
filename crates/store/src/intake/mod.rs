//! Leaver intake: HR's CSV imports, the roster of alumni records they
//! create, the do-not-contact list and each network's intake settings.
//! Every query is scoped by [`NetworkId`].
//!
//! An import is classified against a [`Roster`] — a snapshot of the
//! network's records (by employee number, then e-mail), of the addresses of
//! its members and of the suppressed keys — and then applied in batches.
//! Each batch writes its rows *and* the import's progress in one
//! transaction, so a killed process resumes after the last committed batch
//! without duplicates or loss; a file applied twice changes nothing (same
//! fingerprint: unchanged).
//!
//! A record's profile has no account until the person joins (HR's record:
//! names and stints, searchable by admins). For someone who is already a
//! member only HR's stints are written; what the person wrote themself is
//! never overwritten ([`crate::profiles::apply_hr`]).

use std::collections::{BTreeMap, HashMap, HashSet};

use enishi_core::intake::Leaver;
use enishi_core::profile::Profile;
use enishi_core::secret::hash_token;
use sqlx::FromRow;

use crate::bulk::{SqlValue, allocate_ids, bulk_insert_with_ids};
use crate::networks::NetworkId;
use crate::profiles::{self, SOURCE_HR};
use crate::{Db, Result, TextList, db_run, now_ms};

mod records;
pub use records::*;

/// Pending records never accepted are deleted after this many days unless
/// the network sets another period (3 years).
pub const DEFAULT_RETENTION_DAYS: i64 = 3 * 365;

/// A record's state as HR sees it.
pub mod state {
    pub const PENDING: &str = "pending";
    pub const SENT: &str = "sent";
    pub const OPENED: &str = "opened";
    pub const JOINED: &str = "joined";
    pub const DECLINED: &str = "declined";
    /// An exit invitation waiting for the leave date.
    pub const SCHEDULED: &str = "scheduled";
    /// Shown when the invitation e-mail was rejected (outbox `failed`).
    pub const FAILED: &str = "failed";
    /// Shown when the invitation ran out unanswered.
    pub const EXPIRED: &str = "expired";
}

/// The key a suppressed address or employee number is kept under (a hash:
/// the list never holds the address itself).
pub fn suppression_key(kind: &str, value: &str) -> String {
    hash_token(&format!("{kind}:{value}"))
}

/// `t***@example.jp`: enough for HR to recognise an entry, no more.
pub fn hint(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

// ─────────────────────────────── settings ───────────────────────────────

/// A network's intake settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// The last confirmed mapping: header text → column word (`""`: not
    /// imported).
    pub mapping: BTreeMap<String, String>,
    pub retention_days: i64,
    /// The language of invitations to people whose own is unknown
    /// (`ja`, `en`).
    pub invite_lang: String,
    /// Whether unanswered invitations get reminders (at most two).
    pub reminders: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            mapping: BTreeMap::new(),
            retention_days: DEFAULT_RETENTION_DAYS,
            invite_lang: "ja".into(),
            reminders: true,
        }
    }
}

/// Shortest and longest retention period an admin may choose (days).
pub const RETENTION_RANGE: std::ops::RangeInclusive<i64> = 30..=3650;

pub async fn settings(db: &Db, net: NetworkId) -> Result<Settings> {
    let row: Option<(String, i64, String, bool)> = db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT mapping, retention_days, invite_lang, reminders FROM intake_settings WHERE network_id = $1",
        )
        .bind(net.0)
        .fetch_optional(pool)
        .await
    })?;
    Ok(match row {
        Some((mapping, days, invite_lang, reminders)) => Settings {
            mapping: serde_json::from_str(&mapping).unwrap_or_default(),
            retention_days: days,
            invite_lang,
            reminders,
        },
        None => Settings::default(),
    })
}

/// Saves the settings (insert or replace).
pub async fn save_settings(db: &Db, net: NetworkId, s: &Settings) -> Result<()> {
    let mapping = serde_json::to_string(&s.mapping).unwrap_or_else(|_| "{}".into());
    db_run!(db, |pool| {
        sqlx::query(
            "INSERT INTO intake_settings (network_id, mapping, retention_days, invite_lang, reminders, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (network_id) DO UPDATE SET mapping = excluded.mapping, \
             retention_days = excluded.retention_days, invite_lang = excluded.invite_lang, \
             reminders = excluded.reminders, updated_at = excluded.updated_at",
        )
        .bind(net.0)
        .bind(&mapping)
        .bind(s.retention_days)
        .bind(&s.invite_lang)
        .bind(s.reminders)
        .bind(now_ms())
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

// ─────────────────────────────── imports ────────────────────────────────

/// An uploaded file and what became of it.
#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct Import {
    pub id: i64,
    pub network_id: i64,
    pub created_by: Option<i64>,
    pub file_name: String,
    pub encoding: String,
    /// JSON header → column word.
    pub mapping: String,
    /// `uploaded` (previewed), `queued`, `running`, `done` or `failed`.
    pub status: String,
    pub total_rows: i64,
    pub done_rows: i64,
    pub new_rows: i64,
    pub linked_rows: i64,
    pub updated_rows: i64,
    pub unchanged_rows: i64,
    pub invalid_rows: i64,
    pub skipped_rows: i64,
    pub error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
}

impl Import {
    pub fn mapping_names(&self) -> BTreeMap<String, String> {
        serde_json::from_str(&self.mapping).unwrap_or_default()
    }
}

const IMPORT_COLUMNS: &str = "id, network_id, created_by, file_name, encoding, mapping, status, total_rows, \
     done_rows, new_rows, linked_rows, updated_rows, unchanged_rows, invalid_rows, skipped_rows, error, created_at, \
     updated_at, finished_at";

/// Bytes of decoded text per stored part of a file (cut at a record
/// boundary at or after this size).
pub const PART_BYTES: usize = 1 << 20;

/// An upload to keep for preview and import: its text in parts as
/// [`enishi_core::intake::split`] cuts it (each with its first line).
pub struct NewImport<'a> {
    pub created_by: Option<i64>,
    pub file_name: &'a str,
    pub encoding: &'a str,
    pub parts: &'a [(&'a str, usize)],
    pub mapping: &'a BTreeMap<String, String>,
    pub total_rows: i64,
}

/// Keeps an upload and its text, one statement per part (the text is
/// never copied whole into one statement).
pub async fn create_import(db: &Db, net: NetworkId, new: &NewImport<'_>) -> Result<Import> {
    let sql = format!(
        "INSERT INTO imports (network_id, created_by, file_name, encoding, mapping, status, total_rows, \
         done_rows, new_rows, linked_rows, updated_rows, unchanged_rows, invalid_rows, skipped_rows, error, \
         created_at, updated_at, finished_at) \
         VALUES ($1, $2, $3, $4, $5, 'uploaded', $6, 0, 0, 0, 0, 0, 0, 0, NULL, $7, $7, NULL) \
         RETURNING {IMPORT_COLUMNS}"
    );
    let mapping = serde_json::to_string(new.mapping).unwrap_or_else(|_| "{}".into());
    let mut tx = db.begin_write().await?;
    let import: Import = db_run!(tx tx, |conn| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(new.created_by)
            .bind(new.file_name)
            .bind(new.encoding)
            .bind(&mapping)
            .bind(new.total_rows)
            .bind(now_ms())
            .fetch_one(&mut *conn)
            .await
    })?;
    for (seq, (text, first_line)) in new.parts.iter().enumerate() {
        db_run!(tx tx, |conn| {
            sqlx::query(
                "INSERT INTO import_parts (network_id, import_id, seq, first_line, body) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .persistent(false)
            .bind(net.0)
            .bind(import.id)
            .bind(seq as i64)
            .bind(*first_line as i64)
            .bind(*text)
            .execute(&mut *conn)
            .await
            .map(|_| ())
        })?;
    }
    tx.commit().await?;
    Ok(import)
}

/// Part `seq` of import `id`'s text and the line it starts on.
async fn import_part(
    db: &Db,
    net: NetworkId,
    id: i64,
    seq: i64,
) -> Result<Option<(String, usize)>> {
    let part: Option<(String, i64)> = db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT body, first_line FROM import_parts WHERE network_id = $1 AND import_id = $2 AND seq = $3",
        )
        .bind(net.0)
        .bind(id)
        .bind(seq)
        .fetch_optional(pool)
        .await
    })?;
    Ok(part.map(|(text, line)| (text, usize::try_from(line).unwrap_or(1))))
}

/// An import's stored file, read back a part at a time: the header, then
/// the records part by part, so memory holds one part (about
/// [`PART_BYTES`]) and not the file.
#[derive(Debug)]
pub struct StoredFile {
    net: NetworkId,
    import_id: i64,
    pub headers: Vec<String>,
    /// The first part (header and records) until its records are asked for.
    first: Option<String>,
    next_seq: i64,
}

impl StoredFile {
    /// The file of import `id` (its first part read); the file's error
    /// when it cannot be read as CSV. A missing file reads as empty.
    pub async fn open(
        db: &Db,
        net: NetworkId,
        id: i64,
    ) -> Result<std::result::Result<StoredFile, enishi_core::intake::FileError>> {
        let (text, _) = import_part(db, net, id, 0).await?.unwrap_or_default();
        let csv = match enishi_core::intake::read(&text) {
            Ok(csv) => csv,
            Err(e) => return Ok(Err(e)),
        };
        let headers = csv.headers.clone();
        Ok(Ok(StoredFile {
            net,
            import_id: id,
            headers,
            first: Some(text),
            next_seq: 1,
        }))
    }

    /// The records of the next part; `None` after the last.
    pub async fn next_rows(&mut self, db: &Db) -> Result<Option<Vec<enishi_core::intake::RawRow>>> {
        if let Some(text) = self.first.take() {
            // read before: it has a header
            let rows = enishi_core::intake::read(&text).map(|csv| csv.collect());
            return Ok(Some(rows.unwrap_or_default()));
        }
        let Some((text, line)) = import_part(db, self.net, self.import_id, self.next_seq).await?
        else {
            return Ok(None);
        };
        self.next_seq += 1;
        Ok(Some(enishi_core::intake::read_part(&text, line).collect()))
    }
}

pub async fn import(db: &Db, net: NetworkId, id: i64) -> Result<Option<Import>> {
    let sql = format!("SELECT {IMPORT_COLUMNS} FROM imports WHERE network_id = $1 AND id = $2");
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(id)
            .fetch_optional(pool)
            .await
    })?)
}

/// The network's imports, newest first.
pub async fn recent_imports(db: &Db, net: NetworkId, limit: i64) -> Result<Vec<Import>> {
    let sql = format!(
        "SELECT {IMPORT_COLUMNS} FROM imports WHERE network_id = $1 ORDER BY id DESC LIMIT $2"
    );
    Ok(db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(limit)
            .fetch_all(pool)
            .await
    })?)
}

/// Changes the mapping of an import not started yet.
pub async fn set_mapping(
    db: &Db,
    net: NetworkId,
    id: i64,
    mapping: &BTreeMap<String, String>,
) -> Result<bool> {
    let mapping = serde_json::to_string(mapping).unwrap_or_else(|_| "{}".into());
    let n = db_run!(db, |pool| {
        sqlx::query(
            "UPDATE imports SET mapping = $3, updated_at = $4 WHERE network_id = $1 AND id = $2 AND status = 'uploaded'",
        )
        .bind(net.0)
        .bind(id)
        .bind(&mapping)
        .bind(now_ms())
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Starts an uploaded import: marks it queued and enqueues the job that
/// runs it, atomically. `false` when it was started already.
pub async fn queue(db: &Db, net: NetworkId, id: i64) -> Result<bool> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let n = db_run!(tx tx, |conn| {
        sqlx::query(
            "UPDATE imports SET status = 'queued', updated_at = $3 WHERE network_id = $1 AND id = $2 AND status = 'uploaded'",
        )
        .bind(net.0)
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    if n == 1 {
        let payload = serde_json::json!({ "network_id": net.0, "import_id": id }).to_string();
        db_run!(tx tx, |conn| {
            sqlx::query(
                "INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, locked_at, locked_by, last_error, created_at, updated_at) \
                 VALUES ('import_leavers', $1, 'queued', 0, 5, $2, NULL, NULL, NULL, $2, $2)",
            )
            .bind(&payload)
            .bind(now)
            .execute(&mut *conn)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    tx.commit().await?;
    Ok(n == 1)
}

/// Sets an import's status (`running`, `done`, `failed` with `error`).
pub async fn set_status(
    db: &Db,
    net: NetworkId,
    id: i64,
    status: &str,
    error: Option<&str>,
) -> Result<()> {
    let now = now_ms();
    let finished = matches!(status, "done" | "failed").then_some(now);
    db_run!(db, |pool| {
        sqlx::query(
            "UPDATE imports SET status = $3, error = $4, updated_at = $5, finished_at = $6 \
             WHERE network_id = $1 AND id = $2",
        )
        .bind(net.0)
        .bind(id)
        .bind(status)
        .bind(error)
        .bind(now)
        .bind(finished)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

// ─────────────────────────────── roster ────────────────────────────────

/// What one valid row does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A new pending record.
    New,
    /// Already a member: HR's stints go on their profile; not invited.
    Linked { account_id: i64 },
    /// HR's record of this person changes.
    Update { record: usize },
    /// The same as before.
    Unchanged { record: usize },
    /// The person declined: nothing is stored, they are never invited.
    Skipped,
}

/// Counts of what an import did (or would do).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub new: i64,
    pub linked: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub invalid: i64,
    pub skipped: i64,
}

impl Tally {
    pub fn count(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::New => self.new += 1,
            Outcome::Linked { .. } => self.linked += 1,
            Outcome::Update { .. } => self.updated += 1,
            Outcome::Unchanged { .. } => self.unchanged += 1,
            Outcome::Skipped => self.skipped += 1,
        }
    }
}

#[derive(Clone, Debug, FromRow)]
struct KnownRecord {
    id: i64,
    profile_id: Option<i64>,
    account_id: Option<i64>,
    employee_number: String,
    email: String,
    fingerprint: String,
}

/// What the network knows of the people in a chunk of rows — their
/// records (by employee number, then e-mail), the members among them and
/// their suppressed keys — to classify the rows against (kept current as
/// [`apply`] writes). Loaded per chunk, never for the whole network: an
/// import's memory does not grow with the roster.
#[derive(Debug, Default)]
pub struct Roster {
    records: Vec<KnownRecord>,
    by_number: HashMap<String, usize>,
    by_email: HashMap<String, usize>,
    members: HashMap<String, i64>,
    suppressed: HashSet<String>,
}

/// Rows classified against one [`Roster`] load.
pub const CLASSIFY_CHUNK: usize = 2_000;

impl Roster {
    /// The roster for `rows` (any number; [`CLASSIFY_CHUNK`] is a good
    /// size).
    pub async fn for_rows(db: &Db, net: NetworkId, rows: &[Leaver]) -> Result<Roster> {
        if rows.is_empty() {
            return Ok(Roster::default());
        }
        let numbers = TextList(
            rows.iter()
                .filter(|l| !l.employee_number.is_empty())
                .map(|l| l.employee_number.clone())
                .collect(),
        );
        let emails = TextList(rows.iter().map(|l| l.email.clone()).collect());
        let mut keys = Vec::with_capacity(rows.len() * 2);
        for l in rows {
            keys.push(suppression_key("email", &l.email));
            if !l.employee_number.is_empty() {
                keys.push(suppression_key("employee", &l.employee_number));
            }
        }
        // Each statement has one list on one indexed column, so the engine
        // seeks whatever its statistics say (an OR of both, or a join driven
        // from memberships, scanned the whole network per chunk when
        // SQLite had no statistics yet).
        let d = db.dialect();
        let mut records: Vec<KnownRecord> = Vec::new();
        for (condition, list) in [
            (
                format!(
                    "employee_number <> '' AND {}",
                    d.in_long_list("employee_number", 2)
                ),
                &numbers,
            ),
            (d.in_long_list("email", 2), &emails),
        ] {
            let sql = format!(
                "SELECT id, profile_id, account_id, employee_number, email, fingerprint FROM alumni_records \
                 WHERE network_id = $1 AND state <> 'declined' AND {condition}"
            );
            let found: Vec<KnownRecord> = db_run!(db, |pool| {
                sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(net.0)
                    .bind(list)
                    .fetch_all(pool)
                    .await
            })?;
            records.extend(found);
        }
        records.sort_by_key(|r| r.id);
        records.dedup_by_key(|r| r.id);
        let members_sql = format!(
            "SELECT e.email, e.account_id FROM account_emails e \
             WHERE e.verified_at IS NOT NULL AND {} AND EXISTS (SELECT 1 FROM memberships m \
             WHERE m.network_id = $1 AND m.account_id = e.account_id AND m.status <> 'left')",
            d.in_long_list("e.email", 2)
        );
        let members: Vec<(String, i64)> = db_run!(db, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(members_sql.clone()))
                .bind(net.0)
                .bind(&emails)
                .fetch_all(pool)
                .await
        })?;
        let suppressed_sql = format!(
            "SELECT key_hash FROM do_not_contact WHERE network_id = $1 AND reason = 'declined' AND {}",
            d.in_long_list("key_hash", 2)
        );
        let keys = TextList(keys);
        let suppressed: Vec<String> = db_run!(db, |pool| {
            sqlx::query_scalar(sqlx::AssertSqlSafe(suppressed_sql.clone()))
                .bind(net.0)
                .bind(&keys)
                .fetch_all(pool)
                .await
        })?;
        let mut roster = Roster {
            members: members.into_iter().collect(),
            suppressed: suppressed.into_iter().collect(),
            ..Roster::default()
        };
        for r in records {
            roster.remember(r);
        }
        Ok(roster)
    }

    fn remember(&mut self, r: KnownRecord) {
        let i = self.records.len();
        if !r.employee_number.is_empty() {
            self.by_number.insert(r.employee_number.clone(), i);
        }
        if !r.email.is_empty() {
            self.by_email.entry(r.email.clone()).or_insert(i);
        }
        self.records.push(r);
    }

    /// The id of the record an outcome names (update or unchanged).
    pub fn record_id(&self, outcome: Outcome) -> Option<i64> {
        match outcome {
            Outcome::Update { record } | Outcome::Unchanged { record } => {
                self.records.get(record).map(|r| r.id)
            }
            _ => None,
        }
    }

    /// What `l` would do: matched by employee number, then by e-mail.
    pub fn classify(&self, l: &Leaver) -> Outcome {
        let declined = !self.suppressed.is_empty()
            && (self
                .suppressed
                .contains(&suppression_key("email", &l.email))
                || (!l.employee_number.is_empty()
                    && self
                        .suppressed
                        .contains(&suppression_key("employee", &l.employee_number))));
        if declined {
            return Outcome::Skipped;
        }
        let found = (!l.employee_number.is_empty())
            .then(|| self.by_number.get(&l.employee_number))
            .flatten()
            .or_else(|| {
                // an address match with another employee number is another person
                self.by_email.get(&l.email).filter(|&&i| {
                    let n = &self.records[i].employee_number;
                    n.is_empty() || l.employee_number.is_empty() || *n == l.employee_number
                })
            });
        match found {
            Some(&i) if self.records[i].fingerprint == l.fingerprint() => {
                Outcome::Unchanged { record: i }
            }
            Some(&i) => Outcome::Update { record: i },
            None => match self.members.get(&l.email) {
                Some(&account_id) => Outcome::Linked { account_id },
                None => Outcome::New,
            },
        }
    }
}

/// What each of `rows` would do, in order, against what the network knows
/// now (the preview and the command line's dry run: nothing is written, so
/// rows do not see each other).
pub async fn classify(db: &Db, net: NetworkId, rows: &[Leaver]) -> Result<Vec<Outcome>> {
    let roster = Roster::for_rows(db, net, rows).await?;
    Ok(rows.iter().map(|l| roster.classify(l)).collect())
}

/// HR's part of a profile from a row: names and the one stint.
fn hr_profile(l: &Leaver) -> Profile {
    Profile {
        family: l.family.clone(),
        given: l.given.clone(),
        family_kana: l.family_kana.clone(),
        given_kana: l.given_kana.clone(),
        family_romaji: l.family_romaji.clone(),
        given_romaji: l.given_romaji.clone(),
        stints: vec![l.stint.clone()],
        ..Profile::default()
    }
}

/// Where a batch's progress goes.
pub struct Progress {
    pub import_id: i64,
    /// Data rows done once this batch commits.
    pub done_rows: i64,
}

/// Applies `rows` (valid, de-duplicated) in one transaction, with `invalid`
/// more rows counted as refused and, when given, the import's progress.
/// Updates `roster` with what it wrote. Returns the batch's tally.
pub async fn apply(
    db: &Db,
    net: NetworkId,
    roster: &mut Roster,
    rows: &[Leaver],
    invalid: i64,
    progress: Option<&Progress>,
) -> Result<Tally> {
    let now = now_ms();
    let mut tally = Tally {
        invalid,
        ..Tally::default()
    };
    let mut tx = db.begin_write().await?;
    let mut remembered = Vec::new();
    // new records and their profiles are written together after the loop
    let mut fresh: Vec<Profile> = Vec::new();
    let mut records: Vec<NewRecord> = Vec::new();
    for l in rows {
        let outcome = roster.classify(l);
        tally.count(outcome);
        match outcome {
            Outcome::Skipped | Outcome::Unchanged { .. } => {}
            Outcome::New => {
                records.push(NewRecord {
                    leaver: l,
                    profile: Slot::Fresh(fresh.len()),
                    account_id: None,
                });
                fresh.push(hr_profile(l));
            }
            Outcome::Linked { account_id } => {
                let profile_id = profiles::account_profile_in(&mut tx, net, account_id).await?;
                if let Some(p) = profile_id {
                    profiles::apply_hr(&mut tx, net, p, &hr_profile(l), false).await?;
                }
                records.push(NewRecord {
                    leaver: l,
                    profile: Slot::Known(profile_id),
                    account_id: Some(account_id),
                });
            }
            Outcome::Update { record } => {
                let r = &roster.records[record];
                if let Some(p) = r.profile_id {
                    profiles::apply_hr(&mut tx, net, p, &hr_profile(l), r.account_id.is_none())
                        .await?;
                }
                db_run!(tx tx, |conn| {
                    sqlx::query(
                        "UPDATE alumni_records SET employee_number = $3, email = $4, company_address_only = $5, \
                         fingerprint = $6, left_ym = $7, department = $8, updated_at = $9, email_key = $10 \
                         WHERE network_id = $1 AND id = $2",
                    )
                    .bind(net.0)
                    .bind(r.id)
                    .bind(&l.employee_number)
                    .bind(&l.email)
                    .bind(l.company_address_only)
                    .bind(l.fingerprint())
                    .bind(l.stint.left.map(|y| y.0))
                    .bind(l.stint.departments.first().cloned().unwrap_or_default())
                    .bind(now)
                    .bind(suppression_key("email", &l.email))
                    .execute(&mut *conn)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                let updated = known(r.id, r.profile_id, r.account_id, l);
                roster.records[record].fingerprint = updated.fingerprint.clone();
                remembered.push(updated);
            }
        }
    }
    let new_profiles: Vec<profiles::NewProfile> = fresh
        .iter()
        .map(|p| profiles::NewProfile {
            account_id: None,
            profile: p,
            created_at: now,
        })
        .collect();
    let profile_ids = profiles::insert_many(&mut tx, net, &new_profiles, SOURCE_HR).await?;
    let record_ids = allocate_ids(&mut tx, "alumni_records", records.len()).await?;
    let mut rows = Vec::with_capacity(records.len());
    for (r, &id) in records.iter().zip(&record_ids) {
        let profile_id = match r.profile {
            Slot::Fresh(i) => profile_ids.get(i).copied(),
            Slot::Known(p) => p,
        };
        let l = r.leaver;
        let state = if r.account_id.is_some() {
            state::JOINED
        } else {
            state::PENDING
        };
        rows.push(vec![
            SqlValue::from(id),
            SqlValue::from(net.0),
            SqlValue::from(profile_id),
            SqlValue::from(r.account_id),
            SqlValue::from(l.employee_number.as_str()),
            SqlValue::from(l.email.as_str()),
            SqlValue::from(suppression_key("email", &l.email)),
            SqlValue::from(l.company_address_only),
            SqlValue::from(""),
            SqlValue::from(l.fingerprint()),
            SqlValue::from(state),
            SqlValue::from(l.stint.left.map(|y| y.0)),
            SqlValue::from(l.stint.departments.first().map_or("", String::as_str)),
            SqlValue::from(0),
            SqlValue::from(r.account_id.map(|_| now)),
            SqlValue::from(progress.map(|p| p.import_id)),
            SqlValue::from(now),
            SqlValue::from(now),
        ]);
        remembered.push(known(id, profile_id, r.account_id, l));
    }
    bulk_insert_with_ids(&mut tx, "alumni_records", &RECORD_COLUMNS, &rows, "").await?;
    if let Some(p) = progress {
        db_run!(tx tx, |conn| {
            sqlx::query(
                "UPDATE imports SET done_rows = $3, new_rows = new_rows + $4, linked_rows = linked_rows + $5, \
                 updated_rows = updated_rows + $6, unchanged_rows = unchanged_rows + $7, \
                 invalid_rows = invalid_rows + $8, skipped_rows = skipped_rows + $9, updated_at = $10 \
                 WHERE network_id = $1 AND id = $2",
            )
            .bind(net.0)
            .bind(p.import_id)
            .bind(p.done_rows)
            .bind(tally.new)
            .bind(tally.linked)
            .bind(tally.updated)
            .bind(tally.unchanged)
            .bind(tally.invalid)
            .bind(tally.skipped)
            .bind(now)
            .execute(&mut *conn)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    tx.commit().await?;
    for r in remembered {
        roster.remember(r);
    }
    Ok(tally)
}

fn known(id: i64, profile_id: Option<i64>, account_id: Option<i64>, l: &Leaver) -> KnownRecord {
    KnownRecord {
        id,
        profile_id,
        account_id,
        employee_number: l.employee_number.clone(),
        email: l.email.clone(),
        fingerprint: l.fingerprint(),
    }
}

/// A record an import adds (new, or of someone already a member).
struct NewRecord<'a> {
    leaver: &'a Leaver,
    profile: Slot,
    account_id: Option<i64>,
}

/// Where a new record's profile is.
#[derive(Clone, Copy)]
enum Slot {
    /// The i-th profile the batch creates.
    Fresh(usize),
    /// The member's own (none if they have no profile here).
    Known(Option<i64>),
}

/// The columns an import sets on a new record; the rest start empty.
const RECORD_COLUMNS: [&str; 18] = [
    "id",
    "network_id",
    "profile_id",
    "account_id",
    "employee_number",
    "email",
    "email_key",
    "company_address_only",
    "lang",
    "fingerprint",
    "state",
    "left_ym",
    "department",
    "reminders",
    "joined_at",
    "import_id",
    "created_at",
    "updated_at",
];
