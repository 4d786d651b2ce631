//! Profiles (one per person per network), stints as HR recorded them and
//! as the person wrote them, and the directory's search index — written in
//! the same transaction as the profile. Every query is scoped by
//! [`NetworkId`].

use enishi_core::privacy::Viewer;
use enishi_core::profile::{OpenTo, Profile, Stint, Visibilities, WorkStyle, YearMonth};
use enishi_core::search::kana_sort_key;
use sqlx::{FromRow, Row};

use std::sync::LazyLock;

use crate::bulk::{SqlValue, allocate_ids, bind_values, bulk_insert, bulk_insert_with_ids};
use crate::networks::NetworkId;
use crate::{Backend, Db, DbTx, Result, db_run, now_ms};

/// The profile columns every write sets, in the order of
/// [`profile_values`].
const VALUE_COLUMNS: [&str; 29] = [
    "family",
    "given",
    "family_kana",
    "given_kana",
    "family_romaji",
    "given_romaji",
    "nickname",
    "company",
    "title",
    "industry",
    "location",
    "work_style",
    "skills",
    "languages",
    "links",
    "bio",
    "open_to",
    "email",
    "phone",
    "visibility",
    "stints",
    "stints_source",
    "sort_key",
    "first_joined",
    "last_left",
    "left_pub",
    "left_adm",
    "words",
    "updated_at",
];

/// Who may be shown a profile, as far as what is written for it goes. A
/// profile without an account (HR's record nobody has joined from yet) is
/// never shown to members: it is not listed, and the directory reads it
/// only for admins (the pending records). So an import writes it without
/// what only members' searches read — its words (the index of words holds
/// listed profiles only) and its members' index tokens — half of an
/// imported row's tokens, about a tenth of an import's CPU time (at 100k,
/// BENCHMARKS.md); [`claim`] writes them when someone joins from the
/// record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Readers {
    /// A member's profile (listed while the membership is active).
    MembersAndAdmins,
    /// HR's record without an account.
    AdminsOnly,
}

impl Readers {
    fn of(account_id: Option<i64>) -> Readers {
        match account_id {
            Some(_) => Readers::MembersAndAdmins,
            None => Readers::AdminsOnly,
        }
    }
}

/// The values of [`VALUE_COLUMNS`] for `p`.
fn profile_values(p: &Profile, source: &str, now: i64, readers: Readers) -> Vec<SqlValue> {
    let text = |s: &str| SqlValue::from(s);
    vec![
        text(&p.family),
        text(&p.given),
        text(&p.family_kana),
        text(&p.given_kana),
        text(&p.family_romaji),
        text(&p.given_romaji),
        text(&p.nickname),
        text(&p.company),
        text(&p.title),
        text(&p.industry),
        text(&p.location),
        SqlValue::from(p.work_style.map(|w| w.as_str())),
        SqlValue::from(json(&p.skills)),
        SqlValue::from(json(&p.languages)),
        SqlValue::from(json(&p.links)),
        text(&p.bio),
        SqlValue::from(open_to_words(p)),
        text(&p.email),
        text(&p.phone),
        SqlValue::from(json(&p.visibility)),
        SqlValue::from(json(&p.stints)),
        text(source),
        SqlValue::from(sort_key(p)),
        SqlValue::from(p.first_joined().map(|y| y.0)),
        SqlValue::from(p.last_left().map(|y| y.0)),
        SqlValue::from(left_key(p, Viewer::Member)),
        SqlValue::from(left_key(p, Viewer::Admin)),
        SqlValue::from(words(p, readers)),
        SqlValue::from(now),
    ]
}

/// The profile's place in 五十音順: its reading, else its written name.
fn sort_key(p: &Profile) -> String {
    kana_sort_key(&p.kana_name(), &format!("{}{}", p.family, p.given))
}

/// What `profile_words` (migrations 0027, 0028) holds of the profile: the
/// whole words of its names and work and the values the directory filters
/// on, as the search index has them (core's `word_tokens` and
/// `filter_tokens` of the profile as each viewer sees it), each once with
/// whether members and admins may see it: a JSON array of `[token,
/// members, admins]`. Triggers copy a listed profile's to the table, where
/// the best matches of a one-word search, and those of one filter, are
/// ranges in kana order. Empty for HR's record without an account
/// ([`Readers`]: it cannot be listed).
fn words(p: &Profile, readers: Readers) -> String {
    let mut words: Vec<(String, bool, bool)> = Vec::new();
    if readers == Readers::AdminsOnly {
        return json(&words);
    }
    for viewer in [Viewer::Member, Viewer::Admin] {
        let seen = p.seen_by(viewer);
        let admin = viewer == Viewer::Admin;
        for token in seen.word_tokens().into_iter().chain(seen.filter_tokens()) {
            match words.iter_mut().find(|(t, _, _)| *t == token) {
                Some((_, m, a)) => {
                    *m |= !admin;
                    *a |= admin;
                }
                None => words.push((token, !admin, admin)),
            }
        }
    }
    json(&words)
}

/// `INSERT` of one profile: $1 network, $2 account, $3 the time, then
/// [`VALUE_COLUMNS`].
static INSERT_SQL: LazyLock<String> = LazyLock::new(|| {
    let values: Vec<String> = (4..4 + VALUE_COLUMNS.len())
        .map(|n| format!("${n}"))
        .collect();
    format!(
        "INSERT INTO profiles (network_id, account_id, created_at, {}) VALUES ($1, $2, $3, {}) \
         ON CONFLICT (network_id, account_id) DO NOTHING RETURNING id",
        VALUE_COLUMNS.join(", "),
        values.join(", ")
    )
});

/// `UPDATE` of every column of one profile: $1 network, $2 id, then
/// [`VALUE_COLUMNS`].
static UPDATE_SQL: LazyLock<String> = LazyLock::new(|| {
    let sets: Vec<String> = VALUE_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 3))
        .collect();
    format!(
        "UPDATE profiles SET {} WHERE network_id = $1 AND id = $2",
        sets.join(", ")
    )
});

/// Where the stints others see come from.
pub const SOURCE_HR: &str = "hr";
pub const SOURCE_SELF: &str = "self";

#[derive(Clone, Debug, FromRow)]
pub(crate) struct ProfileRow {
    pub id: i64,
    pub account_id: Option<i64>,
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
    pub work_style: Option<String>,
    pub skills: String,
    pub languages: String,
    pub links: String,
    pub bio: String,
    pub photo_key: Option<String>,
    pub open_to: String,
    pub email: String,
    pub phone: String,
    pub visibility: String,
    pub stints: String,
    pub stints_source: String,
    pub sort_key: String,
    pub left_pub: i64,
    pub left_adm: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub member_kind: Option<String>,
    pub member_status: Option<String>,
}

pub(crate) const COLUMNS: &str = "p.id, p.account_id, p.family, p.given, p.family_kana, p.given_kana, \
     p.family_romaji, p.given_romaji, p.nickname, p.company, p.title, p.industry, p.location, p.work_style, \
     p.skills, p.languages, p.links, p.bio, p.photo_key, p.open_to, p.email, p.phone, p.visibility, p.stints, \
     p.stints_source, p.sort_key, p.left_pub, p.left_adm, p.created_at, p.updated_at, \
     m.kind AS member_kind, m.status AS member_status";

/// A stored profile with what the directory needs around it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    pub id: i64,
    pub account_id: Option<i64>,
    /// The membership's kind and status (`None` for a record with no
    /// account yet).
    pub kind: Option<String>,
    pub status: Option<String>,
    /// Where the stints in `profile` come from ([`SOURCE_HR`] or
    /// [`SOURCE_SELF`]).
    pub stints_source: String,
    /// Photo key (see [`crate::images`]).
    pub photo_key: Option<String>,
    pub profile: Profile,
    pub sort_key: String,
    /// The leave month as members / admins may see it (-1 hidden, 0 still
    /// there).
    pub left_pub: i64,
    pub left_adm: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

fn list<T: serde::de::DeserializeOwned>(json: &str) -> Vec<T> {
    serde_json::from_str(json).unwrap_or_default()
}

impl ProfileRow {
    pub(crate) fn into_stored(self) -> Stored {
        let profile = Profile {
            family: self.family,
            given: self.given,
            family_kana: self.family_kana,
            given_kana: self.given_kana,
            family_romaji: self.family_romaji,
            given_romaji: self.given_romaji,
            nickname: self.nickname,
            company: self.company,
            title: self.title,
            industry: self.industry,
            location: self.location,
            work_style: self.work_style.as_deref().and_then(WorkStyle::parse),
            skills: list(&self.skills),
            languages: list(&self.languages),
            links: list(&self.links),
            bio: self.bio,
            photo: self.photo_key.clone(),
            open_to: self.open_to.split(',').filter_map(OpenTo::parse).collect(),
            email: self.email,
            phone: self.phone,
            stints: list(&self.stints),
            visibility: serde_json::from_str(&self.visibility).unwrap_or_default(),
        };
        Stored {
            id: self.id,
            account_id: self.account_id,
            kind: self.member_kind,
            status: self.member_status,
            stints_source: self.stints_source,
            photo_key: self.photo_key,
            profile,
            sort_key: self.sort_key,
            left_pub: self.left_pub,
            left_adm: self.left_adm,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// The leave month as `viewer` may see it, for sorting: -1 hidden, 0
/// still there (or unknown).
fn left_key(profile: &Profile, viewer: Viewer) -> i64 {
    let seen = profile.seen_by(viewer);
    if seen.first_joined().is_none() {
        return -1;
    }
    seen.last_left().map_or(0, |l| l.0)
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}

fn open_to_words(p: &Profile) -> String {
    p.open_to
        .iter()
        .map(|o| o.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Splits an account's display name into family and given name (`鈴木
/// 仁志`, `鈴木　仁志`); a name without a space is all family name.
pub fn split_display_name(name: &str) -> (String, String) {
    let name = name.trim();
    match name.split_once([' ', '\u{3000}']) {
        Some((f, g)) => (f.trim().to_string(), g.trim().to_string()),
        None => (name.to_string(), String::new()),
    }
}

/// The profile of network `$1` whose `condition` column equals `$2`.
fn one_sql(condition: &str) -> String {
    format!(
        "SELECT {COLUMNS} FROM profiles p \
         LEFT JOIN memberships m ON m.network_id = p.network_id AND m.account_id = p.account_id \
         WHERE p.network_id = $1 AND {condition} = $2"
    )
}

async fn fetch(db: &Db, net: NetworkId, condition: &str, value: i64) -> Result<Option<Stored>> {
    let sql = one_sql(condition);
    let row: Option<ProfileRow> = db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(value)
            .fetch_optional(pool)
            .await
    })?;
    Ok(row.map(ProfileRow::into_stored))
}

/// A profile by id, within the network.
pub async fn get(db: &Db, net: NetworkId, id: i64) -> Result<Option<Stored>> {
    fetch(db, net, "p.id", id).await
}

/// An account's profile in the network.
pub async fn of_account(db: &Db, net: NetworkId, account_id: i64) -> Result<Option<Stored>> {
    fetch(db, net, "p.account_id", account_id).await
}

/// The account's profile, created from its display name when it has none
/// yet (at joining). Returns the profile id.
pub async fn ensure(db: &Db, net: NetworkId, account_id: i64, display_name: &str) -> Result<i64> {
    if let Some(p) = of_account(db, net, account_id).await? {
        return Ok(p.id);
    }
    let (family, given) = split_display_name(display_name);
    let profile = Profile {
        family,
        given,
        ..Profile::default()
    };
    let mut tx = db.begin_write().await?;
    let id = insert(
        &mut tx,
        net,
        Some(account_id),
        &profile,
        SOURCE_HR,
        now_ms(),
    )
    .await?;
    tx.commit().await?;
    match id {
        Some(id) => Ok(id),
        // created meanwhile by another request
        None => Ok(of_account(db, net, account_id)
            .await?
            .map(|p| p.id)
            .unwrap_or_default()),
    }
}

/// Inserts a profile (and its index entry) in `tx`; `None` when the
/// account already has one in this network.
pub async fn insert(
    tx: &mut DbTx,
    net: NetworkId,
    account_id: Option<i64>,
    p: &Profile,
    stints_source: &str,
    now: i64,
) -> Result<Option<i64>> {
    let readers = Readers::of(account_id);
    let values = profile_values(p, stints_source, now, readers);
    let id: Option<i64> = db_run!(tx tx, |conn| {
        let q = sqlx::query(sqlx::AssertSqlSafe(INSERT_SQL.as_str()))
            .bind(net.0)
            .bind(account_id)
            .bind(now);
        bind_values(q, &values)
            .fetch_optional(&mut *conn)
            .await
            .and_then(|row| row.map(|r| r.try_get::<i64, _>(0)).transpose())
    })?;
    if let Some(id) = id {
        if stints_source == SOURCE_HR {
            write_tenures(tx, net, id, SOURCE_HR, &p.stints).await?;
        }
        write_index(tx, net, id, p, readers, false).await?;
    }
    Ok(id)
}

/// Tokens as a `tsvector` literal with their positions (`'n:すず':1
/// 'n:ずき':2 …`), so phrase queries (`<->`) work as FTS5's do on the
/// space-separated text. Tokens hold only word characters, `=` and `:`
/// (core::search): nothing to escape. PostgreSQL keeps positions up to
/// 16,383; later ones count as that.
fn positioned(tokens: &[String]) -> String {
    let mut out = String::with_capacity(tokens.iter().map(|t| t.len() + 8).sum());
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&format!("'{t}':{}", (i + 1).min(16_383)));
    }
    out
}

/// The index's columns on each engine (SQLite's FTS5 table is keyed by
/// rowid; PostgreSQL's holds `tsvector`s).
fn index_columns(backend: Backend) -> &'static [&'static str] {
    match backend {
        Backend::Sqlite => &["rowid", "pub", "adm"],
        Backend::Postgres => &["network_id", "profile_id", "pub", "adm"],
    }
}

/// Profile `id`'s index entry: what members and admins may see of `p`
/// (members: nothing of HR's record without an account, [`Readers`]).
fn index_row(
    backend: Backend,
    net: NetworkId,
    id: i64,
    p: &Profile,
    readers: Readers,
) -> Vec<SqlValue> {
    let admin_view = p.seen_by(Viewer::Admin);
    let (public, admin) = match readers {
        Readers::AdminsOnly => (Vec::new(), admin_view.index_tokens()),
        Readers::MembersAndAdmins => {
            let member_view = p.seen_by(Viewer::Member);
            let public = member_view.index_tokens();
            // most profiles show admins what they show members: tokens made once
            let admin = if admin_view == member_view {
                public.clone()
            } else {
                admin_view.index_tokens()
            };
            (public, admin)
        }
    };
    match backend {
        Backend::Sqlite => vec![
            SqlValue::from(id),
            SqlValue::from(public.join(" ")),
            SqlValue::from(admin.join(" ")),
        ],
        Backend::Postgres => vec![
            SqlValue::from(net.0),
            SqlValue::from(id),
            SqlValue::Cast(positioned(&public), "tsvector"),
            SqlValue::Cast(positioned(&admin), "tsvector"),
        ],
    }
}

/// The index rows of `new` (ids `ids`). A large batch is split in two
/// halves made at once on two threads: the tokens are most of a batch's
/// own CPU time (an import: 35 of 140 ms per 2,000 rows, with the database
/// waiting for them).
fn index_rows(
    backend: Backend,
    net: NetworkId,
    new: &[NewProfile<'_>],
    ids: &[i64],
) -> Vec<Vec<SqlValue>> {
    let rows = |new: &[NewProfile<'_>], ids: &[i64]| -> Vec<Vec<SqlValue>> {
        new.iter()
            .zip(ids)
            .map(|(n, &id)| index_row(backend, net, id, n.profile, Readers::of(n.account_id)))
            .collect()
    };
    if new.len() < 512 {
        return rows(new, ids);
    }
    let half = new.len() / 2;
    std::thread::scope(|scope| {
        let second = scope.spawn(|| rows(&new[half..], &ids[half..]));
        let mut first = rows(&new[..half], &ids[..half]);
        // a panic in the other half is a bug in the tokens: make it ours
        first.extend(
            second
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e)),
        );
        first
    })
}

/// Replaces the profile's index entry with what members and admins may
/// see of `p` now.
async fn write_index(
    tx: &mut DbTx,
    net: NetworkId,
    id: i64,
    p: &Profile,
    readers: Readers,
    existed: bool,
) -> Result<()> {
    let backend = tx.backend();
    let suffix = match backend {
        Backend::Sqlite => {
            if existed {
                db_run!(tx tx, |conn| {
                    sqlx::query("DELETE FROM profile_search WHERE rowid = $1")
                        .bind(id)
                        .execute(&mut *conn)
                        .await
                        .map(|r| r.rows_affected())
                })?;
            }
            ""
        }
        Backend::Postgres => {
            "ON CONFLICT (network_id, profile_id) DO UPDATE SET pub = excluded.pub, adm = excluded.adm"
        }
    };
    let row = index_row(backend, net, id, p, readers);
    bulk_insert(tx, "profile_search", index_columns(backend), &[row], suffix).await?;
    Ok(())
}

const TENURE_COLUMNS: [&str; 10] = [
    "network_id",
    "profile_id",
    "source",
    "position",
    "joined_ym",
    "left_ym",
    "departments",
    "titles",
    "office",
    "employee_number",
];

/// The rows of `stints` (from `source`) of profile `profile_id`.
fn tenure_rows(
    net: NetworkId,
    profile_id: i64,
    source: &str,
    stints: &[Stint],
) -> Vec<Vec<SqlValue>> {
    stints
        .iter()
        .enumerate()
        .map(|(position, s)| {
            vec![
                SqlValue::from(net.0),
                SqlValue::from(profile_id),
                SqlValue::from(source),
                SqlValue::from(position as i64),
                SqlValue::from(s.joined.map(|y| y.0)),
                SqlValue::from(s.left.map(|y| y.0)),
                SqlValue::from(json(&s.departments)),
                SqlValue::from(json(&s.titles)),
                SqlValue::from(s.office.as_str()),
                SqlValue::from(s.employee_number.as_str()),
            ]
        })
        .collect()
}

async fn write_tenures(
    tx: &mut DbTx,
    net: NetworkId,
    profile_id: i64,
    source: &str,
    stints: &[Stint],
) -> Result<()> {
    db_run!(tx tx, |conn| {
        sqlx::query("DELETE FROM tenures WHERE network_id = $1 AND profile_id = $2 AND source = $3")
            .bind(net.0)
            .bind(profile_id)
            .bind(source)
            .execute(&mut *conn)
            .await
            .map(|r| r.rows_affected())
    })?;
    let rows = tenure_rows(net, profile_id, source, stints);
    bulk_insert(tx, "tenures", &TENURE_COLUMNS, &rows, "").await?;
    Ok(())
}

/// A profile to write with [`insert_many`].
pub struct NewProfile<'a> {
    /// `None` for HR's record of someone not yet a member.
    pub account_id: Option<i64>,
    pub profile: &'a Profile,
    pub created_at: i64,
}

/// Inserts profiles known not to exist yet (HR's records without an
/// account, or the profiles of accounts created in this transaction) with
/// their stints (when `source` is HR's) and index entries: a few
/// statements for the whole batch, not several per person. Returns their
/// ids, in order.
pub async fn insert_many(
    tx: &mut DbTx,
    net: NetworkId,
    new: &[NewProfile<'_>],
    source: &str,
) -> Result<Vec<i64>> {
    let ids = allocate_ids(tx, "profiles", new.len()).await?;
    let mut columns = vec!["id", "network_id", "account_id", "created_at"];
    columns.extend(VALUE_COLUMNS);
    let mut rows = Vec::with_capacity(new.len());
    let mut tenures = Vec::new();
    let backend = tx.backend();
    let index = index_rows(backend, net, new, &ids);
    for (n, &id) in new.iter().zip(&ids) {
        let mut row = vec![
            SqlValue::from(id),
            SqlValue::from(net.0),
            SqlValue::from(n.account_id),
            SqlValue::from(n.created_at),
        ];
        row.extend(profile_values(
            n.profile,
            source,
            n.created_at,
            Readers::of(n.account_id),
        ));
        rows.push(row);
        if source == SOURCE_HR {
            tenures.extend(tenure_rows(net, id, SOURCE_HR, &n.profile.stints));
        }
    }
    bulk_insert_with_ids(tx, "profiles", &columns, &rows, "").await?;
    bulk_insert(tx, "tenures", &TENURE_COLUMNS, &tenures, "").await?;
    bulk_insert(tx, "profile_search", index_columns(backend), &index, "").await?;
    Ok(ids)
}

#[derive(FromRow)]
struct TenureRow {
    joined_ym: Option<i64>,
    left_ym: Option<i64>,
    departments: String,
    titles: String,
    office: String,
    employee_number: String,
}

impl TenureRow {
    fn into_stint(self) -> Stint {
        Stint {
            joined: self.joined_ym.map(YearMonth),
            left: self.left_ym.map(YearMonth),
            departments: list(&self.departments),
            titles: list(&self.titles),
            office: self.office,
            employee_number: self.employee_number,
        }
    }
}

/// HR's stints of profile `id`, inside a transaction.
async fn hr_stints_in(tx: &mut DbTx, net: NetworkId, id: i64) -> Result<Vec<Stint>> {
    let rows: Vec<TenureRow> = db_run!(tx tx, |conn| {
        sqlx::query_as(
            "SELECT joined_ym, left_ym, departments, titles, office, employee_number FROM tenures \
             WHERE network_id = $1 AND profile_id = $2 AND source = $3 ORDER BY position",
        )
        .bind(net.0)
        .bind(id)
        .bind(SOURCE_HR)
        .fetch_all(&mut *conn)
        .await
    })?;
    Ok(rows.into_iter().map(TenureRow::into_stint).collect())
}

/// The stints from one source, in order.
pub async fn stints(db: &Db, net: NetworkId, profile_id: i64, source: &str) -> Result<Vec<Stint>> {
    let rows: Vec<TenureRow> = db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT joined_ym, left_ym, departments, titles, office, employee_number FROM tenures \
             WHERE network_id = $1 AND profile_id = $2 AND source = $3 ORDER BY position",
        )
        .bind(net.0)
        .bind(profile_id)
        .bind(source)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows.into_iter().map(TenureRow::into_stint).collect())
}

/// What changes with a save.
pub enum StintsChange {
    /// Keep the stints as they are.
    Keep,
    /// The person's own stints (from now on they are what others see).
    Own(Vec<Stint>),
    /// HR's record (shown to others only while the person has not written
    /// their own).
    Hr(Vec<Stint>),
}

/// Saves `p` (all but its stints, photo and employee numbers, which have
/// their own paths) and the stints change, re-indexing in the same
/// transaction. Returns `false` when there is no such profile.
pub async fn save(
    db: &Db,
    net: NetworkId,
    id: i64,
    p: &Profile,
    change: StintsChange,
) -> Result<bool> {
    let Some(current) = get(db, net, id).await? else {
        return Ok(false);
    };
    let mut tx = db.begin_write().await?;
    let mut next = p.clone();
    next.photo = current.profile.photo.clone();
    let mut source = current.stints_source.clone();
    match change {
        StintsChange::Keep => next.stints = current.profile.stints.clone(),
        StintsChange::Own(mut own) => {
            // the employee numbers are HR's: keep them on the person's stints by position
            let hr = stints(db, net, id, SOURCE_HR).await?;
            for (i, s) in own.iter_mut().enumerate() {
                s.employee_number = hr
                    .get(i)
                    .map(|h| h.employee_number.clone())
                    .unwrap_or_default();
            }
            write_tenures(&mut tx, net, id, SOURCE_SELF, &own).await?;
            next.stints = own;
            source = SOURCE_SELF.to_string();
        }
        StintsChange::Hr(hr) => {
            write_tenures(&mut tx, net, id, SOURCE_HR, &hr).await?;
            if source == SOURCE_HR {
                next.stints = hr;
            } else {
                next.stints = current.profile.stints.clone();
            }
        }
    }
    let readers = Readers::of(current.account_id);
    update_row(&mut tx, net, id, &next, &source, readers).await?;
    tx.commit().await?;
    Ok(true)
}

/// Writes every column of profile `id` from `p` and re-indexes it.
async fn update_row(
    tx: &mut DbTx,
    net: NetworkId,
    id: i64,
    p: &Profile,
    source: &str,
    readers: Readers,
) -> Result<()> {
    let values = profile_values(p, source, now_ms(), readers);
    db_run!(tx tx, |conn| {
        let q = sqlx::query(sqlx::AssertSqlSafe(UPDATE_SQL.as_str()))
            .bind(net.0)
            .bind(id);
        bind_values(q, &values)
            .execute(&mut *conn)
            .await
            .map(|r| r.rows_affected())
    })?;
    write_index(tx, net, id, p, readers, true).await
}

/// The profile id of a member, inside a transaction.
pub async fn account_profile_in(
    tx: &mut DbTx,
    net: NetworkId,
    account_id: i64,
) -> Result<Option<i64>> {
    Ok(db_run!(tx tx, |conn| {
        sqlx::query_scalar("SELECT id FROM profiles WHERE network_id = $1 AND account_id = $2")
            .bind(net.0)
            .bind(account_id)
            .fetch_optional(&mut *conn)
            .await
    })?)
}

/// Writes HR's record from an import onto profile `id`: HR's stints always
/// (shown while the person has not written their own); the names too while
/// the record is `pending` (no account). Nothing the person wrote is
/// touched.
pub async fn apply_hr(
    tx: &mut DbTx,
    net: NetworkId,
    id: i64,
    hr: &Profile,
    pending: bool,
) -> Result<()> {
    let Some(current) = get_in(tx, net, id).await? else {
        return Ok(());
    };
    // a file without a column leaves what an earlier file said
    let keep = |new: &str, old: &str| {
        if new.is_empty() {
            old.to_string()
        } else {
            new.to_string()
        }
    };
    let mut next = current.profile.clone();
    if pending {
        let c = &current.profile;
        next.family = keep(&hr.family, &c.family);
        next.given = keep(&hr.given, &c.given);
        next.family_kana = keep(&hr.family_kana, &c.family_kana);
        next.given_kana = keep(&hr.given_kana, &c.given_kana);
        next.family_romaji = keep(&hr.family_romaji, &c.family_romaji);
        next.given_romaji = keep(&hr.given_romaji, &c.given_romaji);
    }
    let earlier = hr_stints_in(tx, net, id).await?;
    let mut stints = hr.stints.clone();
    if let (Some(new), Some(old)) = (stints.first_mut(), earlier.first()) {
        new.joined = new.joined.or(old.joined);
        new.left = new.left.or(old.left);
        if new.departments.is_empty() {
            new.departments = old.departments.clone();
        }
        if new.titles.is_empty() {
            new.titles = old.titles.clone();
        }
        new.office = keep(&new.office, &old.office);
        new.employee_number = keep(&new.employee_number, &old.employee_number);
    }
    write_tenures(tx, net, id, SOURCE_HR, &stints).await?;
    if current.stints_source == SOURCE_HR {
        next.stints = stints;
    }
    let readers = Readers::of(current.account_id);
    update_row(tx, net, id, &next, &current.stints_source, readers).await
}

/// Profile `id`, inside a transaction.
async fn get_in(tx: &mut DbTx, net: NetworkId, id: i64) -> Result<Option<Stored>> {
    let sql = one_sql("p.id");
    let row: Option<ProfileRow> = db_run!(tx tx, |conn| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(net.0)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
    })?;
    Ok(row.map(ProfileRow::into_stored))
}

/// Deletes profile `id` with its stints and its index entry (a declined
/// HR record).
pub async fn delete_in(tx: &mut DbTx, net: NetworkId, id: i64) -> Result<()> {
    for sql in [
        "DELETE FROM tenures WHERE network_id = $1 AND profile_id = $2",
        "DELETE FROM profiles WHERE network_id = $1 AND id = $2",
    ] {
        db_run!(tx tx, |conn| {
            sqlx::query(sql)
                .bind(net.0)
                .bind(id)
                .execute(&mut *conn)
                .await
                .map(|r| r.rows_affected())
        })?;
    }
    match tx.backend() {
        Backend::Sqlite => db_run!(tx tx, |conn| {
            sqlx::query("DELETE FROM profile_search WHERE rowid = $1")
                .bind(id)
                .execute(&mut *conn)
                .await
                .map(|r| r.rows_affected())
        })?,
        Backend::Postgres => db_run!(tx tx, |conn| {
            sqlx::query("DELETE FROM profile_search WHERE network_id = $1 AND profile_id = $2")
                .bind(net.0)
                .bind(id)
                .execute(&mut *conn)
                .await
                .map(|r| r.rows_affected())
        })?,
    };
    Ok(())
}

/// Deletes profile `id` if it has no account (HR's pending copy).
pub async fn delete_pending(db: &Db, net: NetworkId, id: i64) -> Result<()> {
    let Some(p) = get(db, net, id).await? else {
        return Ok(());
    };
    if p.account_id.is_some() {
        return Ok(());
    }
    let mut tx = db.begin_write().await?;
    delete_in(&mut tx, net, id).await?;
    tx.commit().await
}

/// Gives pending profile `id` (HR's record, no account) to `account_id`,
/// with what members' searches read of it, written now ([`Readers`]: its
/// words, in the same statement, so the triggers list them as soon as it
/// is listed, and its members' index tokens). `false` when it has an
/// account already.
pub async fn claim(db: &Db, net: NetworkId, id: i64, account_id: i64) -> Result<bool> {
    let mut tx = db.begin_write().await?;
    let Some(current) = get_in(&mut tx, net, id).await? else {
        return Ok(false);
    };
    if current.account_id.is_some() {
        return Ok(false);
    }
    let readers = Readers::MembersAndAdmins;
    let words = words(&current.profile, readers);
    let n = db_run!(tx tx, |conn| {
        sqlx::query(
            "UPDATE profiles SET account_id = $3, words = $4, updated_at = $5 \
             WHERE network_id = $1 AND id = $2 AND account_id IS NULL",
        )
        .bind(net.0)
        .bind(id)
        .bind(account_id)
        .bind(&words)
        .bind(now_ms())
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    if n == 1 {
        write_index(&mut tx, net, id, &current.profile, readers, true).await?;
    }
    tx.commit().await?;
    Ok(n == 1)
}

/// Sets (or with `None` removes) the profile's photo.
pub async fn set_photo(db: &Db, net: NetworkId, id: i64, key: Option<&str>) -> Result<bool> {
    let done = db_run!(db, |pool| {
        sqlx::query(
            "UPDATE profiles SET photo_key = $3, updated_at = $4 WHERE network_id = $1 AND id = $2",
        )
        .bind(net.0)
        .bind(id)
        .bind(key)
        .bind(now_ms())
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(done == 1)
}

/// The account's profile, created from its display name when missing.
pub async fn ensure_for_account(db: &Db, net: NetworkId, account_id: i64) -> Result<i64> {
    let name: Option<String> = db_run!(db, |pool| {
        sqlx::query_scalar("SELECT display_name FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(pool)
            .await
    })?;
    ensure(db, net, account_id, name.as_deref().unwrap_or("")).await
}

/// Creates the missing profiles of members who joined before profiles
/// existed (run at start, after migrating). Returns how many. Once per
/// database: every join makes its profile since, and the check scans
/// every membership (1.1 s of each start-up at 1M members).
pub async fn backfill(db: &Db) -> Result<u64> {
    const DONE_KEY: &str = "profiles_backfilled";
    if crate::meta::get(db, DONE_KEY).await?.is_some() {
        return Ok(0);
    }
    let missing: Vec<(i64, i64, String)> = db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT m.network_id, m.account_id, a.display_name FROM memberships m \
             JOIN accounts a ON a.id = m.account_id \
             WHERE NOT EXISTS (SELECT 1 FROM profiles p WHERE p.network_id = m.network_id \
                               AND p.account_id = m.account_id)",
        )
        .fetch_all(pool)
        .await
    })?;
    for (net, account, name) in &missing {
        ensure(db, NetworkId(*net), *account, name).await?;
    }
    crate::meta::insert_once(db, DONE_KEY, "1").await?;
    Ok(missing.len() as u64)
}

/// The shape of the directory's index tokens this binary writes
/// (core::search). When the database holds another, [`reindex`] rebuilds
/// every entry at start-up. (`typed-3`: legal designators are words of
/// their own, core::search::normalise.)
pub const INDEX_VERSION: &str = "typed-3";
const INDEX_VERSION_KEY: &str = "search_index_version";
/// The words each profile carries ([`words`]) as this binary writes them:
/// when the database's differ, [`reindex`] writes every profile's once
/// (migration 0027 added them empty; 0028 added work and filter values;
/// then legal designators became words of their own).
const WORDS_VERSION: &str = "names+work+filters, designators apart";
const WORDS_KEY: &str = "profile_words_version";

/// Rebuilds every profile's index entry unless it is already of
/// [`INDEX_VERSION`], and writes every profile's words ([`words`]) unless
/// they are of [`WORDS_VERSION`]; returns how many profiles were
/// rewritten. Idempotent: two nodes starting at once both write the same.
/// At start-up, before the server answers: logged when it starts (at 1M
/// profiles the words take minutes once, a whole rebuild longer).
pub async fn reindex(db: &Db) -> Result<u64> {
    let current = crate::meta::get(db, INDEX_VERSION_KEY).await?.as_deref() == Some(INDEX_VERSION);
    let words = crate::meta::get(db, WORDS_KEY).await?.as_deref() == Some(WORDS_VERSION);
    if current && words {
        return Ok(0);
    }
    let done = rebuild(db, !current).await?;
    if !current {
        if db.backend() == Backend::Sqlite {
            // every entry was deleted and written again: FTS5 would search
            // through their many segments until it merged them (after
            // rewriting a tenth of 1M entries, searches by skill or company
            // took twice as long)
            db_run!(db, |pool| {
                sqlx::query("INSERT INTO profile_search (profile_search) VALUES ('optimize')")
                    .execute(pool)
                    .await
                    .map(|r| r.rows_affected())
            })?;
        }
        crate::meta::remove(db, INDEX_VERSION_KEY).await?;
        crate::meta::insert_once(db, INDEX_VERSION_KEY, INDEX_VERSION).await?;
    }
    if !words {
        // (the key of 0027's words, which had only names)
        crate::meta::remove(db, "name_words_written").await?;
        crate::meta::remove(db, WORDS_KEY).await?;
        crate::meta::insert_once(db, WORDS_KEY, WORDS_VERSION).await?;
    }
    if done > 0 && current {
        tracing::info!(profiles = done, "wrote the directory's index of words");
    } else if done > 0 {
        tracing::info!(profiles = done, "rebuilt the directory's search index");
    }
    Ok(done)
}

/// Writes every profile's words (the triggers of migrations 0027, 0028
/// copy a listed profile's to `profile_words`) and, with `search_index`,
/// its search index entry: network by network in id order, 500 per
/// transaction.
async fn rebuild(db: &Db, search_index: bool) -> Result<u64> {
    let networks: Vec<i64> = db_run!(db, |pool| {
        sqlx::query_scalar("SELECT id FROM networks ORDER BY id")
            .fetch_all(pool)
            .await
    })?;
    let mut done = 0;
    let sql = format!(
        "SELECT {COLUMNS} FROM {} \
         LEFT JOIN memberships m ON m.network_id = p.network_id AND m.account_id = p.account_id \
         WHERE p.network_id = $1 AND p.id > $2 ORDER BY p.id LIMIT 500",
        db.dialect().by_id_range("profiles p")
    );
    for net in networks {
        let mut after = 0_i64;
        loop {
            let rows: Vec<ProfileRow> = db_run!(db, |pool| {
                sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(net)
                    .bind(after)
                    .fetch_all(pool)
                    .await
            })?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            if done == 0 {
                tracing::info!(
                    search_index,
                    "writing the directory's index of words (once after this upgrade)"
                );
            }
            let mut tx = db.begin_write().await?;
            for row in rows {
                let stored = row.into_stored();
                let readers = Readers::of(stored.account_id);
                let words = words(&stored.profile, readers);
                db_run!(tx tx, |conn| {
                    sqlx::query(
                        "UPDATE profiles SET words = $3 \
                         WHERE network_id = $1 AND id = $2 AND words <> $3",
                    )
                    .bind(net)
                    .bind(stored.id)
                    .bind(words.clone())
                    .execute(&mut *conn)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                if search_index {
                    let (net, profile) = (NetworkId(net), &stored.profile);
                    write_index(&mut tx, net, stored.id, profile, readers, true).await?;
                }
                done += 1;
            }
            tx.commit().await?;
        }
    }
    Ok(done)
}

/// Distinct skills in the network starting with `prefix` (normalised),
/// most used first — suggestions for the skills field. Only skills members
/// may see are counted.
pub async fn skill_suggestions(
    db: &Db,
    net: NetworkId,
    prefix: &str,
    limit: usize,
) -> Result<Vec<String>> {
    let rows: Vec<(String, String)> = db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT skills, visibility FROM profiles WHERE network_id = $1 AND skills <> '[]' \
             ORDER BY updated_at DESC LIMIT 2000",
        )
        .bind(net.0)
        .fetch_all(pool)
        .await
    })?;
    let want = enishi_core::search::normalise(prefix);
    let mut counts: Vec<(String, String, usize)> = Vec::new();
    for (skills, visibility) in rows {
        let vis: Visibilities = serde_json::from_str(&visibility).unwrap_or_default();
        if !enishi_core::privacy::may_see(
            vis.of(enishi_core::privacy::Field::Skills),
            Viewer::Member,
        ) {
            continue;
        }
        for skill in list::<String>(&skills) {
            let key = enishi_core::search::normalise(&skill);
            if !key.starts_with(&want) {
                continue;
            }
            match counts.iter_mut().find(|(k, _, _)| *k == key) {
                Some(entry) => entry.2 += 1,
                None => counts.push((key, skill, 1)),
            }
        }
    }
    counts.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    Ok(counts.into_iter().take(limit).map(|(_, s, _)| s).collect())
}

/// A person to add with their account, membership and profile at once
/// (demo data and the benchmark generator).
pub struct NewPerson {
    pub display_name: String,
    /// `alumni`, `employee` or `hr`.
    pub kind: &'static str,
    pub profile: Profile,
    /// When they joined the network (Unix ms).
    pub joined_at: i64,
}

/// How many profiles the network has (members' and pending records').
pub async fn count(db: &Db, net: NetworkId) -> Result<u64> {
    let n: i64 = db_run!(db, |pool| {
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM profiles WHERE network_id = $1")
            .bind(net.0)
            .fetch_one(pool)
            .await
    })?;
    Ok(n as u64)
}

/// Adds `people` as active members of the network in one transaction:
/// account (no address: they cannot sign in), membership, profile, HR's
/// stints and the search index. Returns the profile ids.
pub async fn insert_people(db: &Db, net: NetworkId, people: &[NewPerson]) -> Result<Vec<i64>> {
    let mut tx = db.begin_write().await?;
    let accounts = allocate_ids(&mut tx, "accounts", people.len()).await?;
    let account_rows: Vec<Vec<SqlValue>> = people
        .iter()
        .zip(&accounts)
        .map(|(person, &id)| {
            // no address and no password: they cannot sign in
            vec![
                SqlValue::from(id),
                SqlValue::from(person.display_name.as_str()),
                SqlValue::from("ja"),
                SqlValue::from("Asia/Tokyo"),
                SqlValue::Text(None),
                SqlValue::from(false),
                SqlValue::from(person.joined_at),
                SqlValue::from(person.joined_at),
            ]
        })
        .collect();
    bulk_insert_with_ids(
        &mut tx,
        "accounts",
        &[
            "id",
            "display_name",
            "lang",
            "time_zone",
            "password_hash",
            "is_operator",
            "created_at",
            "updated_at",
        ],
        &account_rows,
        "",
    )
    .await?;
    let membership_rows: Vec<Vec<SqlValue>> = people
        .iter()
        .zip(&accounts)
        .map(|(person, &account)| {
            let at = SqlValue::from(person.joined_at);
            vec![
                SqlValue::from(net.0),
                SqlValue::from(account),
                SqlValue::from("member"),
                SqlValue::from(person.kind),
                SqlValue::from("active"),
                SqlValue::from(1),
                SqlValue::from(1),
                at.clone(),
                at.clone(),
                at.clone(),
                at,
            ]
        })
        .collect();
    bulk_insert(
        &mut tx,
        "memberships",
        &[
            "network_id",
            "account_id",
            "role",
            "kind",
            "status",
            "purposes_version",
            "guidelines_version",
            "consented_at",
            "joined_at",
            "created_at",
            "updated_at",
        ],
        &membership_rows,
        "",
    )
    .await?;
    let new: Vec<NewProfile> = people
        .iter()
        .zip(&accounts)
        .map(|(person, &account)| NewProfile {
            account_id: Some(account),
            profile: &person.profile,
            created_at: person.joined_at,
        })
        .collect();
    let ids = insert_many(&mut tx, net, &new, SOURCE_HR).await?;
    tx.commit().await?;
    Ok(ids)
}
