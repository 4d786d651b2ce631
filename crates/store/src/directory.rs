//! The alumni directory: search, filters, sorts and keyset pages
//! (ARCHITECTURE.md › search).
//!
//! The index (FTS5 on SQLite, `tsvector` + GIN on PostgreSQL) holds the
//! typed tokens of core::search for what each kind of viewer may see
//! (`pub` for members, `adm` for admins), so the engine does the work:
//!
//! * **narrowing and filters** — every term (any of its forms, inside a
//!   word of any field: a phrase of its grams) and every filter
//!   (department, industry, location, skill, open-to, joined and left
//!   years) is one index expression, and the set it gives is exactly the
//!   set of matches;
//! * **counting** — the set's ids, stopping at 1,001 (on SQLite with
//!   FTS5 driving, so it stops early: [`Drive::Index`]);
//! * **ranking** — each term's best tier (whole word in a name, a name's
//!   beginning, …, inside the bio; [`Weight::points_for`]) is an index
//!   expression too. Up to [`RANKED_IN_RUST`] matches are read whole and
//!   ranked in Rust (cheapest for a handful); a one-word query with more
//!   than [`COUNT_LIMIT`] is walked level by level, best tier first, each
//!   in kana order, stopping at the page's end; anything between is
//!   scored by a `CASE` over the tiers, summed over the terms, over the
//!   ids the count found, and the engine returns only the page's ids.
//! * **words** — the best levels of a one-word search (a whole word of a
//!   name: a surname, a reading, a romaji name; a name's beginning; a
//!   whole word of someone's work: a skill, a company, a department), its
//!   "1,000+" without filters, a search by one filter alone (page and
//!   exact count), and the best tiers of a `CASE` come from
//!   `profile_words` (migrations 0027, 0028), a B-tree of listed profiles'
//!   whole words and filter values in kana order: one index range per
//!   word, so a page reads its own rows however common the word, and one
//!   look-up of a row's key per word to ask whether it has one
//!   ([`by_words`], [`WORD_LEVELS`], [`by_filter_words`], [`word_tiers`]).
//!   With filters, a level's rows are looked up in the filters' words as
//!   they are walked, for at most [`WALK`] rows before the level is left
//!   to the search index.
//!
//! Only the page's rows are read whole. Each is still checked in Rust
//! (filters and [`Query::score`] on the profile as [`Profile::seen_by`] the
//! viewer) as a safety net; the golden conformance test holds every path
//! to the same answers. "Your era" (overlapping stints in the same
//! department) and a filter value that normalises to nothing are decided
//! in Rust over the candidates, as before.
//! Someone looking themself up is shown as members see them.

use enishi_core::privacy::Viewer;
use enishi_core::profile::{Filter, MIN_YEAR, Profile, same_era};
use enishi_core::search::{
    Facet, Match, Query, Term, Weight, facet_token, gram_token, open_to_token, word_token,
    year_token,
};

use crate::networks::NetworkId;
use crate::profiles::{COLUMNS, ProfileRow, Stored};
use crate::{Backend, Db, Result, db_run};

/// The `kind` filter value for HR's records nobody has joined from yet
/// (profiles without an account; admins only).
pub const PENDING: &str = "pending";

/// How results are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    /// Best match first (names over work over bio); 五十音順 among equals.
    Relevance,
    /// 五十音順 by reading.
    Kana,
    /// Most recently joined the network first.
    Recent,
    /// Most recent leavers first; people still there, then those whose
    /// tenure is hidden from the viewer, last.
    LeftYear,
}

impl Sort {
    pub const ALL: [Sort; 4] = [Sort::Relevance, Sort::Kana, Sort::Recent, Sort::LeftYear];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Kana => "kana",
            Sort::Recent => "recent",
            Sort::LeftYear => "left",
        }
    }

    pub fn parse(word: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|s| s.as_str() == word)
    }
}

/// Most candidates ranked by relevance in Rust ("your era", see the
/// module docs); a query matching more is shown with "1,000+" and the best
/// of these.
pub const RELEVANCE_CANDIDATES: usize = 3_000;
/// The last year a year filter looks at.
const MAX_YEAR: i64 = 2100;
/// Most rows one page request looks at (filters that hide most rows end
/// the page early, with a link to go on).
pub const SCAN_LIMIT: usize = 5_000;
/// Counts stop here ("1,000+").
pub const COUNT_LIMIT: usize = 1_000;

/// One directory request.
#[derive(Clone, Debug)]
pub struct Search<'a> {
    /// [`Viewer::Admin`] or [`Viewer::Member`].
    pub viewer: Viewer,
    pub query: Query,
    pub filter: Filter,
    pub sort: Sort,
    /// The position to continue after (from [`Page::next`]).
    pub after: Option<String>,
    pub limit: usize,
    /// "Your era": only people who overlapped this profile's stints in the
    /// same department (the viewer's own, unredacted), excluding its owner.
    pub era_of: Option<(&'a Profile, i64)>,
}

/// One result: the profile as the viewer may see it.
#[derive(Clone, Debug)]
pub struct Hit {
    pub stored: Stored,
    pub score: u32,
}

/// A page of results and where the next one starts.
#[derive(Clone, Debug, Default)]
pub struct Page {
    pub hits: Vec<Hit>,
    pub next: Option<String>,
}

/// A count that stops at [`COUNT_LIMIT`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count {
    pub n: usize,
    /// More than `n` (show "n+").
    pub more: bool,
}

#[derive(Clone, Debug, PartialEq)]
struct Key {
    score: i64,
    int: i64,
    text: String,
    id: i64,
}

impl Key {
    fn encode(&self) -> String {
        let json = serde_json::json!([self.score, self.int, self.text, self.id]).to_string();
        json.bytes().map(|b| format!("{b:02x}")).collect()
    }

    fn decode(cursor: &str) -> Option<Key> {
        if !cursor.len().is_multiple_of(2) || cursor.len() > 2_000 {
            return None;
        }
        let bytes: Option<Vec<u8>> = (0..cursor.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(cursor.get(i..i + 2)?, 16).ok())
            .collect();
        let (score, int, text, id): (i64, i64, String, i64) =
            serde_json::from_slice(&bytes?).ok()?;
        Some(Key {
            score,
            int,
            text,
            id,
        })
    }
}

enum Bind {
    Int(i64),
    Text(String),
    /// A list for [`crate::Dialect::in_list`].
    Ids(Vec<i64>),
}

fn left_column(viewer: Viewer) -> &'static str {
    if viewer == Viewer::Admin {
        "p.left_adm"
    } else {
        "p.left_pub"
    }
}

fn key_of(s: &Search<'_>, stored: &Stored, score: u32) -> Key {
    let int = match s.sort {
        Sort::Recent => stored.created_at,
        Sort::LeftYear if s.viewer == Viewer::Admin => stored.left_adm,
        Sort::LeftYear => stored.left_pub,
        _ => 0,
    };
    Key {
        score: i64::from(score),
        int,
        text: stored.sort_key.clone(),
        id: stored.id,
    }
}

/// An index expression over typed tokens (core::search).
#[derive(Clone, Debug)]
enum Expr {
    Token(String),
    /// Tokens right after each other.
    Phrase(Vec<String>),
    /// Tokens starting with this one.
    Prefix(String),
    All(Vec<Expr>),
    Any(Vec<Expr>),
    /// The first and not the second.
    Not(Box<Expr>, Box<Expr>),
}

/// A token no profile has: an empty `Any` (a year range with no year).
const NEVER: &str = "x=never";

impl Expr {
    /// In the engine's syntax. Tokens hold only word characters, `=` and
    /// `:` (core::search), so quoting them is safe on both engines.
    fn render(&self, backend: Backend, column: &str) -> String {
        let (and, or) = match backend {
            Backend::Sqlite => (" AND ", " OR "),
            Backend::Postgres => (" & ", " | "),
        };
        let join = |parts: &[Expr], sep: &str| {
            let rendered: Vec<String> = parts.iter().map(|e| e.render(backend, column)).collect();
            format!("({})", rendered.join(sep))
        };
        match (self, backend) {
            (Expr::Token(t), Backend::Sqlite) => format!("{column} : \"{t}\""),
            (Expr::Token(t), Backend::Postgres) => format!("'{t}'"),
            (Expr::Phrase(ts), Backend::Sqlite) => format!("{column} : \"{}\"", ts.join(" ")),
            (Expr::Phrase(ts), Backend::Postgres) => {
                let quoted: Vec<String> = ts.iter().map(|t| format!("'{t}'")).collect();
                format!("({})", quoted.join(" <-> "))
            }
            (Expr::Prefix(t), Backend::Sqlite) => format!("{column} : \"{t}\" *"),
            (Expr::Prefix(t), Backend::Postgres) => format!("'{t}':*"),
            (Expr::All(parts), _) if parts.is_empty() => {
                Expr::Token(NEVER.into()).render(backend, column)
            }
            (Expr::Any(parts), _) if parts.is_empty() => {
                Expr::Token(NEVER.into()).render(backend, column)
            }
            (Expr::All(parts), _) => join(parts, and),
            (Expr::Not(a, b), Backend::Sqlite) => format!(
                "({} NOT {})",
                a.render(backend, column),
                b.render(backend, column)
            ),
            (Expr::Not(a, b), Backend::Postgres) => format!(
                "({} & !{})",
                a.render(backend, column),
                b.render(backend, column)
            ),
            (Expr::Any(parts), _) => join(parts, or),
        }
    }
}

/// A term matching `how` in a field of weight `w` (any of its forms).
fn tier(term: &Term, w: Weight, how: Match) -> Expr {
    Expr::Any(match how {
        Match::Word => term
            .forms
            .iter()
            .map(|f| Expr::Token(word_token(w, f)))
            .collect(),
        Match::Prefix => term
            .forms
            .iter()
            .map(|f| Expr::Prefix(word_token(w, f)))
            .collect(),
        Match::Inside => term
            .phrases()
            .into_iter()
            .map(|grams| Expr::Phrase(grams.iter().map(|g| gram_token(w, g)).collect()))
            .collect(),
    })
}

/// A term matching anywhere (inside a word of any field).
fn term_matches(term: &Term) -> Expr {
    Expr::Any(
        Weight::ALL
            .into_iter()
            .map(|w| tier(term, w, Match::Inside))
            .collect(),
    )
}

/// A term's tiers, best first: the points and the expression of every
/// field weight × kind of match worth them. The last is implied by
/// [`term_matches`].
fn tiers(term: &Term) -> Vec<(u32, Expr)> {
    let mut all: Vec<(u32, Expr)> = Weight::ALL
        .into_iter()
        .flat_map(|w| Match::ALL.into_iter().map(move |m| (w, m)))
        .map(|(w, m)| (w.points_for(m), tier(term, w, m)))
        .collect();
    all.sort_by_key(|t| std::cmp::Reverse(t.0));
    let mut merged: Vec<(u32, Expr)> = Vec::new();
    for (points, expr) in all {
        match merged.last_mut() {
            Some((p, Expr::Any(parts))) if *p == points => parts.push(expr),
            _ => merged.push((points, Expr::Any(vec![expr]))),
        }
    }
    merged
}

/// The years `from..=to` (either open) as index tokens (none when `from`
/// is after `to`: no year matches).
fn years(joined: bool, from: Option<i64>, to: Option<i64>) -> Option<Vec<String>> {
    if from.is_none() && to.is_none() {
        return None;
    }
    let from = from.unwrap_or(MIN_YEAR).max(MIN_YEAR);
    let to = to.unwrap_or(MAX_YEAR).min(MAX_YEAR);
    Some((from..=to).map(|y| year_token(joined, y)).collect())
}

/// The search's filters as index tokens: groups that must each match by
/// one of their tokens; and whether that is exact: not when a filter value
/// normalises to nothing (left to the Rust check). The member's kind is
/// not in the index.
fn filter_groups(f: &Filter) -> (Vec<Vec<String>>, bool) {
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut exact = true;
    let facets = [
        (Facet::Department, &f.department),
        (Facet::Industry, &f.industry),
        (Facet::Location, &f.location),
        (Facet::Skill, &f.skill),
    ];
    for (facet, value) in facets {
        match value.as_deref().map(|v| facet_token(facet, v)) {
            Some(Some(token)) => groups.push(vec![token]),
            Some(None) => exact = false,
            None => {}
        }
    }
    for o in &f.open_to {
        groups.push(vec![open_to_token(o.as_str())]);
    }
    groups.extend(years(true, f.joined_from, f.joined_to));
    groups.extend(years(false, f.left_from, f.left_to));
    (groups, exact)
}

/// Everything the index decides for this search — the terms and the
/// filters — as one expression (`None`: the index does not narrow), and
/// whether that is exact (see [`filter_groups`]).
fn narrowing(s: &Search<'_>) -> (Option<Expr>, bool) {
    let mut all: Vec<Expr> = s.query.terms.iter().map(term_matches).collect();
    let (groups, exact) = filter_groups(&s.filter);
    all.extend(groups.into_iter().map(|mut group| match group.len() {
        1 => Expr::Token(group.remove(0)),
        _ => Expr::Any(group.into_iter().map(Expr::Token).collect()),
    }));
    ((!all.is_empty()).then_some(Expr::All(all)), exact)
}

/// The search's index expression with `also`, a tier of its one term.
/// On SQLite the tier implies the term, so the term's own phrases are left
/// out (FTS5 need not check positions for a whole-word tier). PostgreSQL
/// keeps them: its estimate for a prefix tier alone is so high that it
/// walks every profile in kana order to find an empty tier (1.4 s at
/// 100k), where the phrase keeps it on the index.
fn with_also(backend: Backend, s: &Search<'_>, also: Option<&Expr>) -> Option<Expr> {
    let Some(also) = also else {
        return narrowing(s).0;
    };
    let base = match backend {
        Backend::Sqlite => Search {
            query: Query::default(),
            ..s.clone()
        },
        Backend::Postgres => s.clone(),
    };
    Some(match narrowing(&base).0 {
        Some(filters) => Expr::All(vec![filters, also.clone()]),
        None => also.clone(),
    })
}

/// Whether the index answers this search exactly (see the module docs).
fn indexed(s: &Search<'_>) -> bool {
    s.era_of.is_none() && narrowing(s).1
}

fn index_column(viewer: Viewer) -> &'static str {
    if viewer == Viewer::Admin {
        "adm"
    } else {
        "pub"
    }
}

/// The row matches the index expression bound as parameter `$n`, as an
/// SQL condition.
fn in_index(backend: Backend, column: &str, n: usize) -> String {
    match backend {
        Backend::Sqlite => {
            format!("p.id IN (SELECT rowid FROM profile_search WHERE profile_search MATCH ${n})")
        }
        // the row's own entry, joined by `set_sql`: PostgreSQL tests each
        // tier on the tsvector it has in hand (a phrase needs the positions
        // from it anyway) instead of one index scan and hash per tier
        Backend::Postgres => format!("s.{column} @@ CAST(${n} AS tsquery)"),
    }
}

/// How the search's set is joined to the index.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Drive {
    /// The index is a condition on each row (`p.id IN (…)` on SQLite):
    /// for walking a stored order.
    Rows,
    /// On SQLite the index drives: rows come as FTS5 yields them, so a
    /// `LIMIT` stops it early (a count of a 100,000-row set to 1,001: 50 →
    /// 2 ms at 1M profiles), where `IN (…)` first builds the whole set.
    /// PostgreSQL's planner chooses either way.
    Index,
}

/// What a set's query reads besides the profile (`p`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reads {
    /// The membership too (`m`: whole rows carry its kind and status).
    Membership,
    /// Only the profile's columns (ids, scores, sort keys, counts).
    Profile,
}

/// `FROM … WHERE …` of the search's set: the network, its active members
/// (or HR's records nobody has joined from yet), what the index decides
/// (see [`narrowing`]) and "your era"'s years. `$1` is the network.
///
/// Whether a profile's member is active is the profile's own `listed`
/// (kept by triggers, migration 0026): a set that reads only profiles
/// needs no membership per match — half of a big search's cost — unless
/// it filters on the member's kind.
fn set_sql(
    backend: Backend,
    s: &Search<'_>,
    also: Option<&Expr>,
    drive: Drive,
    reads: Reads,
    binds: &mut Vec<Bind>,
) -> String {
    let pending = lists_pending(s);
    let mut sql = if pending {
        "FROM profiles p \
         LEFT JOIN memberships m ON m.network_id = p.network_id AND m.account_id = p.account_id \
         WHERE p.network_id = $1 AND p.account_id IS NULL"
            .to_string()
    } else if reads == Reads::Membership || !of_listed(s) {
        "FROM profiles p \
         JOIN memberships m ON m.network_id = p.network_id AND m.account_id = p.account_id \
         WHERE p.network_id = $1 AND m.status = 'active'"
            .to_string()
    } else {
        "FROM profiles p WHERE p.network_id = $1 AND p.listed = TRUE".to_string()
    };
    if let Some(expr) = with_also(backend, s, also) {
        let column = index_column(s.viewer);
        if backend == Backend::Postgres {
            sql = joined_to_index(sql);
        }
        let n = next(binds, Bind::Text(expr.render(backend, column)));
        if backend == Backend::Sqlite && drive == Drive::Index {
            sql = sql.replacen(
                "FROM profiles p ",
                // CROSS JOIN: SQLite keeps this order (without the
                // membership join to steer it, it would walk the network's
                // profiles and ask the index once per row: 16 s at 100k);
                // each match's network and listing read from the covering
                // index, not the profile's wide row (a count of 1,001 of a
                // surname with a department at 1M: 3.1 → 2.5 ms)
                "FROM profile_search f CROSS JOIN profiles p INDEXED BY profiles_dir \
                 ON p.id = f.rowid ",
                1,
            );
            sql.push_str(&format!(" AND f.profile_search MATCH ${n}"));
        } else {
            sql.push_str(" AND ");
            sql.push_str(&in_index(backend, column, n));
        }
    }
    if let Some(kind) = s.filter.kind.as_ref().filter(|_| !pending) {
        let n = next(binds, Bind::Text(kind.clone()));
        sql.push_str(&format!(" AND m.kind = ${n}"));
    }
    if let Some((me, me_id)) = s.era_of {
        let n = next(binds, Bind::Int(me_id));
        sql.push_str(&format!(" AND p.id <> ${n}"));
        match me.first_joined() {
            Some(first) => {
                let n = next(binds, Bind::Int(first.0));
                sql.push_str(&format!(
                    " AND (p.last_left IS NULL OR p.last_left >= ${n})"
                ));
                if let Some(last) = me.last_left() {
                    let n = next(binds, Bind::Int(last.0));
                    sql.push_str(&format!(" AND p.first_joined <= ${n}"));
                }
            }
            None => sql.push_str(" AND 1 = 0"),
        }
    }
    sql
}

/// Whether the search lists HR's records nobody has joined from yet (an
/// admin may look for them).
fn lists_pending(s: &Search<'_>) -> bool {
    s.viewer == Viewer::Admin && s.filter.kind.as_deref() == Some(PENDING)
}

/// Whether the search's set is listed profiles (active members'), known
/// from the profile alone: any search but one by the member's kind, which
/// reads memberships or HR's records nobody has joined from. Only these
/// have rows in `profile_words`, and PostgreSQL's `profile_search.listed`
/// (migration 0029) is their listing.
fn of_listed(s: &Search<'_>) -> bool {
    s.filter.kind.is_none()
}

/// `sql` (`FROM profiles p … WHERE …`) with each profile's entry of the
/// PostgreSQL search index joined as `s`.
fn joined_to_index(sql: String) -> String {
    sql.replacen(
        " WHERE ",
        " JOIN profile_search s ON s.network_id = p.network_id AND s.profile_id = p.id WHERE ",
        1,
    )
}

/// Adds a parameter; returns its number (`$1` is the network).
fn next(binds: &mut Vec<Bind>, b: Bind) -> usize {
    binds.push(b);
    binds.len() + 1
}

/// The candidate query: the search's set in a stored order (kana, recent,
/// leave year) from the keyset position, whole rows.
fn candidates_sql(
    backend: Backend,
    s: &Search<'_>,
    after: Option<&Key>,
    limit: usize,
) -> (String, Vec<Bind>) {
    let mut binds: Vec<Bind> = Vec::new();
    let mut sql = format!(
        "SELECT {COLUMNS} {}",
        set_sql(backend, s, None, Drive::Rows, Reads::Membership, &mut binds)
    );
    let next = |binds: &mut Vec<Bind>, b: Bind| next(binds, b);
    let order = match s.sort {
        Sort::Relevance | Sort::Kana => {
            // relevance without a query is kana order (every score is 0)
            if let Some(k) = after.filter(|_| s.sort == Sort::Kana || s.query.is_empty()) {
                let a = next(&mut binds, Bind::Text(k.text.clone()));
                let b = next(&mut binds, Bind::Int(k.id));
                sql.push_str(&format!(
                    " AND (p.sort_key > ${a} OR (p.sort_key = ${a} AND p.id > ${b}))"
                ));
            }
            "p.sort_key, p.id".to_string()
        }
        Sort::Recent => {
            if let Some(k) = after {
                let a = next(&mut binds, Bind::Int(k.int));
                let b = next(&mut binds, Bind::Int(k.id));
                sql.push_str(&format!(
                    " AND (p.created_at < ${a} OR (p.created_at = ${a} AND p.id < ${b}))"
                ));
            }
            "p.created_at DESC, p.id DESC".to_string()
        }
        Sort::LeftYear => {
            let col = left_column(s.viewer);
            if let Some(k) = after {
                let a = next(&mut binds, Bind::Int(k.int));
                let t = next(&mut binds, Bind::Text(k.text.clone()));
                let b = next(&mut binds, Bind::Int(k.id));
                // (the first term bounds the walk of the leave-year index:
                // both engines seek to it instead of reading from the start)
                sql.push_str(&format!(
                    " AND {col} <= ${a} AND ({col} < ${a} OR ({col} = ${a} AND (p.sort_key > ${t} \
                       OR (p.sort_key = ${t} AND p.id > ${b}))))"
                ));
            }
            format!("{col} DESC, p.sort_key, p.id")
        }
    };
    sql.push_str(&format!(" ORDER BY {order} LIMIT {limit}"));
    (sql, binds)
}

/// Runs `sql` with the network as `$1` and `binds` after it.
async fn fetch<T>(db: &Db, net: NetworkId, sql: String, binds: &[Bind]) -> Result<Vec<T>>
where
    T: Send + Unpin,
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>,
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    Ok(db_run!(db, |pool| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(net.0);
        for b in binds {
            q = match b {
                Bind::Int(v) => q.bind(*v),
                Bind::Text(v) => q.bind(v.clone()),
                Bind::Ids(v) => q.bind(crate::IdList(v.clone())),
            };
        }
        q.fetch_all(pool).await
    })?)
}

async fn candidates(
    db: &Db,
    net: NetworkId,
    s: &Search<'_>,
    after: Option<&Key>,
    limit: usize,
) -> Result<Vec<Stored>> {
    let (mut sql, binds) = candidates_sql(db.backend(), s, after, limit);
    sql = walk_if_big(db, net, s, None, Reads::Membership, sql).await?;
    let rows: Vec<ProfileRow> = fetch(db, net, sql, &binds).await?;
    Ok(rows.into_iter().map(ProfileRow::into_stored).collect())
}

/// Whether a candidate passes, as the viewer sees it, and its score.
fn check(s: &Search<'_>, stored: &Stored) -> Option<(Profile, u32)> {
    let seen = stored.profile.seen_by(s.viewer);
    if !s
        .filter
        .matches(&seen, stored.kind.as_deref().unwrap_or(PENDING))
    {
        return None;
    }
    if let Some((me, _)) = s.era_of
        && !same_era(me, &seen)
    {
        return None;
    }
    let score = if s.query.is_empty() {
        0
    } else {
        let fields = seen.search_fields();
        let refs: Vec<(Weight, &str)> = fields.iter().map(|(w, t)| (*w, t.as_str())).collect();
        s.query.score(&refs)?
    };
    Some((seen, score))
}

fn hit(stored: &Stored, seen: Profile, score: u32) -> Hit {
    let mut stored = stored.clone();
    stored.photo_key = seen.photo.clone();
    stored.profile = seen;
    Hit { stored, score }
}

/// One page of the directory and how many match, as the directory page
/// shows them.
pub async fn search_counted(db: &Db, net: NetworkId, s: &Search<'_>) -> Result<(Page, Count)> {
    if s.sort == Sort::Relevance && !s.query.is_empty() {
        return ranked(db, net, s).await;
    }
    let page = scanned_page(db, net, s).await?;
    Ok((page, count(db, net, s).await?))
}

/// One page of the directory.
pub async fn search(db: &Db, net: NetworkId, s: &Search<'_>) -> Result<Page> {
    if s.sort == Sort::Relevance && !s.query.is_empty() {
        return Ok(ranked(db, net, s).await?.0);
    }
    scanned_page(db, net, s).await
}

/// How [`search_ranked_by_engine`] ranks a page: each of the store's
/// ways for more matches than a test has.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineRank {
    /// Every match scored by the engine, the set asked of the index (a
    /// query of several words with more than [`COUNT_LIMIT`] matches).
    Index,
    /// The same, the set being the ids the count found (up to
    /// [`COUNT_LIMIT`] matches).
    Ids,
    /// Tier by tier, as for a one-word query with more than
    /// [`COUNT_LIMIT`] matches.
    Levels,
}

impl EngineRank {
    pub const ALL: [EngineRank; 3] = [EngineRank::Index, EngineRank::Ids, EngineRank::Levels];
}

/// [`search`], with every relevance page ranked by the engine however
/// few match — for the conformance test, which has too few profiles to
/// reach [`RANKED_IN_RUST`].
#[doc(hidden)]
pub async fn search_ranked_by_engine(
    db: &Db,
    net: NetworkId,
    s: &Search<'_>,
    how: EngineRank,
) -> Result<Page> {
    if s.sort == Sort::Relevance && !s.query.is_empty() && indexed(s) {
        return match how {
            EngineRank::Levels if s.query.terms.len() == 1 => ranked_by_levels(db, net, s).await,
            EngineRank::Ids => {
                let (n, ids) = matching(db, net, s).await?;
                let ids = (n <= COUNT_LIMIT).then_some(ids);
                ranked_in_index(db, net, s, ids).await
            }
            _ => ranked_in_index(db, net, s, None).await,
        };
    }
    search(db, net, s).await
}

/// Matches up to this many are ranked in Rust from their whole rows
/// (cheaper than the engine's tier sets for a handful); more, by the
/// engine.
const RANKED_IN_RUST: usize = 100;

fn capped(n: usize) -> Count {
    Count {
        n: n.min(COUNT_LIMIT),
        more: n > COUNT_LIMIT,
    }
}

/// A page by relevance and how many match.
async fn ranked(db: &Db, net: NetworkId, s: &Search<'_>) -> Result<(Page, Count)> {
    if indexed(s) {
        // one pass over the index gives the count and, for a handful, the ids
        let (n, ids) = matching(db, net, s).await?;
        let total = capped(n);
        let page = if n <= RANKED_IN_RUST {
            // rank_rows orders fully (score, kana, id): the rows' order is moot
            let rows: Vec<Stored> = rows_by_id(db, net, &ids).await?.into_values().collect();
            rank_rows(s, &rows).0
        } else if total.more && s.query.terms.len() == 1 {
            ranked_by_levels(db, net, s).await?
        } else {
            ranked_in_index(db, net, s, (!total.more).then_some(ids)).await?
        };
        return Ok((page, total));
    }
    let (page, passed, fetched) = ranked_in_rust(db, net, s).await?;
    let count = Count {
        n: passed.min(COUNT_LIMIT),
        more: passed > COUNT_LIMIT || fetched == RELEVANCE_CANDIDATES,
    };
    Ok((page, count))
}

/// The relevance of a row, in SQL: per term, the points of its best tier.
///
/// A tier `words` has (see [`word_tiers`]) is a look-up of the row's own
/// key in `profile_words` — a B-tree probe, where the search index would
/// build the tier's whole set (SQLite: 鈴木's whole-name tier at 1M
/// profiles is 10,000 rows) or test the row's `tsvector` (PostgreSQL:
/// read and unpacked once per tier). The others are the search index's,
/// and on SQLite asked within the search's own set (the tier and
/// everything the search is narrowed by), so that a set built whole is at
/// most the search's.
fn score_sql(backend: Backend, s: &Search<'_>, words: &[Tiers], binds: &mut Vec<Bind>) -> String {
    let column = index_column(s.viewer);
    let set = narrowing(s).0;
    let within = |tier: Expr| match (backend, &set) {
        (Backend::Sqlite, Some(set)) => Expr::All(vec![tier, set.clone()]),
        _ => tier,
    };
    let terms: Vec<String> = s
        .query
        .terms
        .iter()
        .enumerate()
        .map(|(i, term)| {
            let mut tiers = tiers(term);
            let (last, _) = tiers.pop().expect("a term has tiers");
            let whens: Vec<String> = tiers
                .into_iter()
                .filter_map(|(points, expr)| {
                    let known = words
                        .get(i)
                        .and_then(|t| t.iter().find(|(p, _)| *p == points));
                    let condition = match known {
                        // a tier no word is in: no row is in it
                        Some((_, tokens)) if tokens.is_empty() => return None,
                        Some((_, tokens)) => {
                            has_word(backend, "p.sort_key", "p.id", s.viewer, tokens, binds)
                        }
                        None => {
                            let n = next(binds, Bind::Text(within(expr).render(backend, column)));
                            in_index(backend, column, n)
                        }
                    };
                    Some(format!("WHEN {condition} THEN {points}"))
                })
                .collect();
            match whens.is_empty() {
                true => last.to_string(),
                false => format!("(CASE {} ELSE {last} END)", whens.join(" ")),
            }
        })
        .collect();
    format!("CAST({} AS BIGINT)", terms.join(" + "))
}

/// A term's [`WORD_LEVELS`] tiers as words of `profile_words`: the points
/// and the words (any of them).
type Tiers = Vec<(u32, Vec<String>)>;

/// Each term's tiers that `profile_words` holds, when the search's set is
/// listed profiles (the only ones it has rows for: not a search by the
/// member's kind, which reads HR's records and memberships): a whole word
/// of a name, of someone's work, and a name's beginning when it is at most
/// [`BEGINNING_WORDS`] words.
async fn word_tiers(db: &Db, net: NetworkId, s: &Search<'_>) -> Result<Vec<Tiers>> {
    if !of_listed(s) {
        return Ok(Vec::new());
    }
    let mut all = Vec::new();
    for term in &s.query.terms {
        let names = tokens(term, Weight::Name);
        let mut tiers = vec![
            (Weight::Name.points_for(Match::Word), names.clone()),
            (
                Weight::Work.points_for(Match::Word),
                tokens(term, Weight::Work),
            ),
        ];
        if let Some(begun) = beginning_words(db, net, &names).await? {
            tiers.push((Weight::Name.points_for(Match::Prefix), begun));
        }
        all.push(tiers);
    }
    Ok(all)
}

/// Whether the listed profile with `sort_key` and `id` (SQL expressions)
/// has one of `words` that `viewer` may see: one look-up of the key per
/// word, row by row.
///
/// On PostgreSQL `OFFSET 0` keeps it so: without it the planner reads
/// and hashes every row of the words (a semi-join or a hashed subplan) —
/// a department's 110,000 rows at 1M profiles to find the 25 of a page
/// among 217 of a surname's (25 ms against 0.8), 鈴木's and 一郎's 24,000
/// to score a full name's 165 (18 ms).
fn has_word(
    backend: Backend,
    sort_key: &str,
    id: &str,
    viewer: Viewer,
    words: &[String],
    binds: &mut Vec<Bind>,
) -> String {
    let seen = index_column(viewer);
    let words: Vec<String> = words
        .iter()
        .map(|t| format!("${}", next(binds, Bind::Text(t.clone()))))
        .collect();
    let fence = match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " OFFSET 0",
    };
    format!(
        "EXISTS (SELECT 1 FROM profile_words x WHERE x.network_id = $1 \
         AND x.word IN ({}) AND x.sort_key = {sort_key} AND x.profile_id = {id} \
         AND x.{seen} = TRUE{fence})",
        words.join(", ")
    )
}

#[derive(sqlx::FromRow)]
struct Ranked {
    id: i64,
    score: i64,
    sort_key: String,
}

/// A page ranked by the engine (see the module docs). `ids`: the whole
/// set, when [`matching`] has it (the index is not asked for it again).
async fn ranked_in_index(
    db: &Db,
    net: NetworkId,
    s: &Search<'_>,
    ids: Option<Vec<i64>>,
) -> Result<Page> {
    let backend = db.backend();
    let after = s.after.as_deref().and_then(Key::decode);
    let limit = s.limit.clamp(1, 100);
    let words = word_tiers(db, net, s).await?;
    let mut binds: Vec<Bind> = Vec::new();
    let score = score_sql(backend, s, &words, &mut binds);
    let set = match ids {
        Some(ids) => {
            let n = next(&mut binds, Bind::Ids(ids));
            let set = format!(
                "FROM profiles p WHERE p.network_id = $1 AND {}",
                db.dialect().in_list("p.id", n)
            );
            match backend {
                // (each tier the index answers is tested on the row's entry)
                Backend::Postgres => joined_to_index(set),
                Backend::Sqlite => set_driven(backend, set),
            }
        }
        None => set_driven(
            backend,
            set_sql(backend, s, None, Drive::Rows, Reads::Profile, &mut binds),
        ),
    };
    let mut sql = format!(
        "SELECT id, score, sort_key FROM (\
           SELECT p.id AS id, p.sort_key AS sort_key, {score} AS score {set}) r"
    );
    if let Some(k) = &after {
        let a = next(&mut binds, Bind::Int(k.score));
        let t = next(&mut binds, Bind::Text(k.text.clone()));
        let b = next(&mut binds, Bind::Int(k.id));
        sql.push_str(&format!(
            " WHERE score < ${a} OR (score = ${a} AND (sort_key > ${t} \
               OR (sort_key = ${t} AND id > ${b})))"
        ));
    }
    sql.push_str(&format!(
        " ORDER BY score DESC, sort_key, id LIMIT {}",
        limit + 1
    ));
    let ranked: Vec<Ranked> = fetch(db, net, sql, &binds).await?;
    page_of_ranked(db, net, s, &ranked, limit).await
}

/// The page of up to `limit` of `ranked` (the engine's order; one more
/// means there is a next page): whole rows, each checked in Rust.
async fn page_of_ranked(
    db: &Db,
    net: NetworkId,
    s: &Search<'_>,
    ranked: &[Ranked],
    limit: usize,
) -> Result<Page> {
    let next = (ranked.len() > limit).then(|| {
        let r = &ranked[limit - 1];
        Key {
            score: r.score,
            int: 0,
            text: r.sort_key.clone(),
            id: r.id,
        }
        .encode()
    });
    let ids: Vec<i64> = ranked.iter().take(limit).map(|r| r.id).collect();
    let mut rows = rows_by_id(db, net, &ids).await?;
    let hits = ranked
        .iter()
        .take(limit)
        .filter_map(|r| {
            let stored = rows.remove(&r.id)?;
            let (seen, _) = check(s, &stored)?;
            Some(hit(&stored, seen, u32::try_from(r.score).unwrap_or(0)))
        })
        .collect();
    Ok(Page { hits, next })
}

/// Sets whose index set is at least this big are walked in a stored order
/// (SQLite is told to; PostgreSQL's planner sees it from its statistics),
/// by what the read takes from each row.
///
/// A walk stops at the page's end, but a surname's matches sit together in
/// kana order (すずき…), so it first passes everyone before them; reading
/// an id-only set ([`Reads::Profile`]: levels) and sorting costs about
/// 0.6 ms per 1,000 at 100k profiles. The set counted here includes HR's
/// records and other networks: after a 100,000-row import, 2,000 made a
/// common surname walk (249 → 538 req/s with 10,000). Whole rows
/// ([`Reads::Membership`]: pages in a stored order) are dear to read for a
/// whole set, so those walk from 2,000 (an era filter: 290 → 251 req/s
/// when it did not). A name's word and prefix levels are never walked
/// ([`ranked_by_levels`]): at 1M profiles a common surname alone has
/// 20,000 matches, all of them in one stretch of the kana order.
fn walk_from(reads: Reads) -> i64 {
    match reads {
        Reads::Profile => 10_000,
        Reads::Membership => 2_000,
    }
}

/// `sql` (a query on `FROM profiles p `), told on SQLite to walk the
/// index of the search's order when its set (with `also`) is big —
/// SQLite's planner cannot see an FTS5 set's size and would read and sort
/// every row of it for one page. Otherwise as it is: the planner chooses
/// (PostgreSQL sees the size from its statistics).
async fn walk_if_big(
    db: &Db,
    net: NetworkId,
    s: &Search<'_>,
    also: Option<&Expr>,
    reads: Reads,
    sql: String,
) -> Result<String> {
    if db.backend() != Backend::Sqlite {
        return Ok(sql);
    }
    let Some(expr) = with_also(Backend::Sqlite, s, also) else {
        // the network's members, all of them: a page walks the order's
        // index and stops. Left to itself SQLite reads every member and
        // sorts as soon as its statistics are those of a big network (300k
        // profiles, a page of the API: kana 3 → 220 ms, recent 3 → 900 ms
        // once `profiles` was analysed; leave year 320 ms even before).
        // The same with a member's kind (alumni, 300k: recent 1.3 s
        // left to SQLite); a rare kind is walked past others, at most the
        // network (a kind nobody has, 300k: 0.6 s). HR's records nobody has
        // joined from are found by their missing account and sorted.
        return Ok(if lists_pending(s) {
            sql
        } else {
            walk(sql, order_index(s))
        });
    };
    let set_driven = |sql: String| match reads {
        Reads::Profile => set_driven(Backend::Sqlite, sql),
        Reads::Membership => sql,
    };
    // (`fetch` binds the network as $1; FTS5's rowids span networks, which
    // is fine for choosing a plan)
    let walk_from = walk_from(reads);
    let size: Vec<(i64,)> = fetch(
        db,
        net,
        format!(
            "SELECT count(*) + 0 * $1 FROM (SELECT rowid FROM profile_search \
             WHERE profile_search MATCH $2 LIMIT {walk_from})"
        ),
        &[Bind::Text(
            expr.render(Backend::Sqlite, index_column(s.viewer)),
        )],
    )
    .await?;
    if size.first().is_none_or(|(n,)| *n < walk_from) {
        return Ok(set_driven(sql));
    }
    Ok(walk(sql, order_index(s)))
}

/// The index of the search's stored order.
fn order_index(s: &Search<'_>) -> &'static str {
    match s.sort {
        Sort::Relevance | Sort::Kana => "profiles_kana",
        Sort::Recent => "profiles_recent",
        Sort::LeftYear => left_index(s.viewer),
    }
}

/// `sql` (a query on `FROM profiles p `) told on SQLite to walk `index`.
fn walk(sql: String, index: &str) -> String {
    sql.replacen(
        "FROM profiles p ",
        &format!("FROM profiles p INDEXED BY {index} "),
        1,
    )
}

/// The index of the viewer's leave-year order (migration 0030: the year
/// descending, then the reading).
fn left_index(viewer: Viewer) -> &'static str {
    if viewer == Viewer::Admin {
        "profiles_left_adm"
    } else {
        "profiles_left_pub"
    }
}

/// `sql` (a query on `FROM profiles p ` reading only profiles' columns,
/// with the index's set as `p.id IN (…)`), told on SQLite to look each of
/// the set's ids up in `profiles_dir` and sort the few it finds. The kana
/// and recent indexes also cover such a read (they carry `listed`), and
/// SQLite would rather walk the whole network in their order than sort:
/// 2.9 ms against 0.6 ms for a level of 1,000 at 100k.
fn set_driven(backend: Backend, sql: String) -> String {
    match backend {
        Backend::Sqlite => sql.replacen(
            "FROM profiles p ",
            "FROM profiles p INDEXED BY profiles_dir ",
            1,
        ),
        Backend::Postgres => sql,
    }
}

/// A page of a one-word query with many matches, level by level: the
/// rows whose best tier is the top one in kana order, then the next… Each
/// level is one index expression (its tier, not a higher one), and the
/// engine stops at the page's end instead of scoring every match.
async fn ranked_by_levels(db: &Db, net: NetworkId, s: &Search<'_>) -> Result<Page> {
    let backend = db.backend();
    let after = s.after.as_deref().and_then(Key::decode);
    let limit = s.limit.clamp(1, 100);
    let mut higher: Vec<Expr> = Vec::new();
    let mut found: Vec<Ranked> = Vec::new();
    // the names beginning with the term, read once for the levels that
    // need them (see [`word_level_rows`])
    let mut begun: Option<Option<Vec<String>>> = None;
    let words = by_words(s);
    for (points, expr) in tiers(&s.query.terms[0]) {
        let level = match higher.is_empty() {
            true => expr.clone(),
            false => Expr::Not(Box::new(expr.clone()), Box::new(Expr::Any(higher.clone()))),
        };
        higher.push(expr);
        let points = i64::from(points);
        if after.as_ref().is_some_and(|k| points > k.score) {
            continue;
        }
        let need = limit + 1 - found.len();
        let rows = match word_level(points).filter(|_| words) {
            Some(level) => {
                word_level_rows(db, net, s, level, after.as_ref(), need, &mut begun).await?
            }
            None => None,
        };
        if let Some(rows) = rows {
            found.extend(rows);
            if found.len() > limit {
                break;
            }
            continue;
        }
        let mut binds: Vec<Bind> = Vec::new();
        let mut sql = format!(
            "SELECT p.id AS id, CAST({points} AS BIGINT) AS score, p.sort_key AS sort_key {}",
            set_sql(
                backend,
                s,
                Some(&level),
                Drive::Rows,
                Reads::Profile,
                &mut binds
            )
        );
        if let Some(k) = after.as_ref().filter(|k| k.score == points) {
            let a = next(&mut binds, Bind::Text(k.text.clone()));
            let b = next(&mut binds, Bind::Int(k.id));
            sql.push_str(&format!(
                " AND (p.sort_key > ${a} OR (p.sort_key = ${a} AND p.id > ${b}))"
            ));
        }
        sql.push_str(&format!(" ORDER BY p.sort_key, p.id LIMIT {need}"));
        sql = if points >= i64::from(Weight::Name.points_for(Match::Prefix)) {
            // a name's whole word or its beginning: the matches share their
            // reading, so they sit together in kana order, and a walk would
            // pass everyone before them (1M profiles, 鈴木's 20,000 matches:
            // 72 ms walking, 20 ms read and sorted)
            set_driven(backend, sql)
        } else {
            walk_if_big(db, net, s, Some(&level), Reads::Profile, sql).await?
        };
        let rows: Vec<Ranked> = fetch(db, net, sql, &binds).await?;
        found.extend(rows);
        if found.len() > limit {
            break;
        }
    }
    page_of_ranked(db, net, s, &found, limit).await
}

/// Whether `profile_words` (migrations 0027, 0028) answers for this
/// search's best levels ([`WORD_LEVELS`]): a one-word search of listed
/// profiles, narrowed by nothing else or by filters it holds (each row of
/// a level is then looked up in the filters' words: [`WALK`]).
fn by_words(s: &Search<'_>) -> bool {
    s.query.terms.len() == 1
        && !s.query.terms[0].forms.is_empty()
        && s.era_of.is_none()
        && of_listed(s)
        && filter_groups(&s.filter).1
}

/// A [`by_words`] search without filters: its count comes from
/// `profile_words` too ([`words_over_limit`]).
fn bare_words(s: &Search<'_>) -> bool {
    by_words(s) && filter_groups(&s.filter).0.is_empty()
}

/// The tiers `profile_words` holds whole, best first: a whole word of a
/// name, a name's beginning, a whole word of someone's work. Every tier
/// worth more than one of these is one of these (a level excludes the
/// tiers above it from the same table), and none shares its points with
/// another tier.
const WORD_LEVELS: [(Weight, Match); 3] = [
    (Weight::Name, Match::Word),
    (Weight::Name, Match::Prefix),
    (Weight::Work, Match::Word),
];

/// The word level worth `points`, if [`WORD_LEVELS`] has one.
fn word_level(points: i64) -> Option<(Weight, Match)> {
    WORD_LEVELS
        .into_iter()
        .find(|(w, m)| i64::from(w.points_for(*m)) == points)
}

/// A range of `profile_words`' key (after the network).
enum Range {
    /// One word: its rows in kana order.
    Word(String),
    /// Every word beginning with this token: from the token to the token
    /// followed by the last code point, which no normalised word holds
    /// (byte order: `C` on PostgreSQL).
    Beginning(String),
}

impl Range {
    /// The condition on the table as `alias`.
    fn sql(&self, alias: &str, binds: &mut Vec<Bind>) -> String {
        match self {
            Range::Word(token) => {
                let n = next(binds, Bind::Text(token.clone()));
                format!("{alias}.word = ${n}")
            }
            Range::Beginning(token) => {
                let a = next(binds, Bind::Text(token.clone()));
                let b = next(binds, Bind::Text(format!("{token}\u{10FFFF}")));
                format!("{alias}.word >= ${a} AND {alias}.word < ${b}")
            }
        }
    }
}

/// The term's forms as whole words of a field of weight `w`.
fn tokens(term: &Term, w: Weight) -> Vec<String> {
    term.forms.iter().map(|form| word_token(w, form)).collect()
}

/// The ranges of the term's forms as `(w, how)`: its tokens, or every
/// word beginning with one.
fn ranges(term: &Term, w: Weight, how: Match) -> Vec<Range> {
    tokens(term, w)
        .into_iter()
        .map(|token| match how {
            Match::Prefix => Range::Beginning(token),
            _ => Range::Word(token),
        })
        .collect()
}

/// Most words a name's beginning is read as (each one range in kana
/// order); a beginning shared by more (one or two letters) is ranked from
/// the search index instead.
const BEGINNING_WORDS: usize = 64;

/// The words of the network's `profile_words` beginning with `token`, up
/// to [`BEGINNING_WORDS`] + 1: a skip over the key, one seek per word
/// however many rows each has.
async fn words_beginning(db: &Db, net: NetworkId, token: &str) -> Result<Vec<String>> {
    let next_word = |after: &str| {
        format!(
            "(SELECT x.word FROM profile_words x WHERE x.network_id = $1 AND x.word {after} \
             AND x.word < $3 ORDER BY x.word LIMIT 1)"
        )
    };
    let sql = format!(
        "WITH RECURSIVE d (word, n) AS (SELECT {}, 1 UNION ALL SELECT {}, d.n + 1 FROM d \
         WHERE d.word IS NOT NULL AND d.n <= {BEGINNING_WORDS}) \
         SELECT word FROM d WHERE word IS NOT NULL",
        next_word(">= $2"),
        next_word("> d.word"),
    );
    let rows: Vec<(String,)> = fetch(
        db,
        net,
        sql,
        &[
            Bind::Text(token.to_string()),
            Bind::Text(format!("{token}\u{10FFFF}")),
        ],
    )
    .await?;
    Ok(rows.into_iter().map(|(w,)| w).collect())
}

/// The words beginning with any of `tokens` (these too, if they are
/// words), or `None` when more than [`BEGINNING_WORDS`].
async fn beginning_words(
    db: &Db,
    net: NetworkId,
    tokens: &[String],
) -> Result<Option<Vec<String>>> {
    let mut words: Vec<String> = Vec::new();
    for token in tokens {
        for word in words_beginning(db, net, token).await? {
            if !words.contains(&word) {
                words.push(word);
            }
        }
        if words.len() > BEGINNING_WORDS {
            return Ok(None);
        }
    }
    Ok(Some(words))
}

/// The condition on `profile_words w` of rows after `after` in kana order
/// (none: from the first).
fn words_after(after: Option<&Key>, binds: &mut Vec<Bind>) -> String {
    after
        .map(|k| {
            let a = next(binds, Bind::Text(k.text.clone()));
            let b = next(binds, Bind::Int(k.id));
            format!(" AND (w.sort_key > ${a} OR (w.sort_key = ${a} AND w.profile_id > ${b}))")
        })
        .unwrap_or_default()
}

/// What [`words_sql`] reads of `profile_words`.
struct Words<'a> {
    backend: Backend,
    /// Each a range of the key.
    ranges: &'a [Range],
    /// Rows with one of these words are left out (a better tier).
    except: &'a [String],
    after: Option<&'a Key>,
    /// The filters' groups each row must have a word of (see
    /// [`WalkEnds`]), and where each range's walk ends.
    walk: Option<(&'a [Vec<String>], &'a WalkEnds)>,
    /// `false` (a count): any `limit` of each range's rows.
    ordered: bool,
    limit: usize,
}

/// Listed profiles (the only ones `profile_words` holds) with a word in
/// one of `ranges`, as the viewer may see it, in kana order from `after`,
/// at most `limit` — less those with one of the words `except` (a better
/// tier: looked up by the key, the profile's sort key and id being the
/// row's own). Each range is one of the key — `(network, word, sort key,
/// profile)`, so a word's rows come in kana order and the engine reads
/// only those it returns.
/// `SELECT id, sort_key FROM (…) u`, not ordered across the ranges (a
/// profile in two comes once).
/// `ordered: false` (a count): any `limit` of each range's rows, which
/// the engine reads in the index's order without sorting — PostgreSQL,
/// told to order, sorted all of a common name's rows (32 ms at 1M, 鈴木).
fn words_sql(s: &Search<'_>, read: &Words<'_>, binds: &mut Vec<Bind>) -> String {
    let Words {
        backend,
        ranges,
        except,
        after,
        walk,
        ordered,
        limit,
    } = *read;
    let seen = index_column(s.viewer);
    let from = words_after(after, binds);
    let except = if except.is_empty() {
        String::new()
    } else {
        format!(
            " AND NOT {}",
            has_word(
                backend,
                "w.sort_key",
                "w.profile_id",
                s.viewer,
                except,
                binds
            )
        )
    };
    let order = if ordered {
        "ORDER BY w.sort_key, w.profile_id "
    } else {
        ""
    };
    let filters = match walk {
        Some((groups, _)) => groups
            .iter()
            .map(|group| {
                format!(
                    " AND {}",
                    has_word(
                        backend,
                        "w.sort_key",
                        "w.profile_id",
                        s.viewer,
                        group,
                        binds
                    )
                )
            })
            .collect(),
        None => String::new(),
    };
    let parts: Vec<String> = ranges
        .iter()
        .enumerate()
        .map(|(i, range)| {
            let word = range.sql("w", binds);
            let end = match walk.and_then(|(_, ends)| ends.get(i).cloned().flatten()) {
                Some((text, id)) => {
                    let a = next(binds, Bind::Text(text));
                    let b = next(binds, Bind::Int(id));
                    format!(
                        " AND (w.sort_key < ${a} OR (w.sort_key = ${a} AND w.profile_id <= ${b}))"
                    )
                }
                None => String::new(),
            };
            format!(
                "SELECT id, sort_key FROM (SELECT w.profile_id AS id, w.sort_key AS sort_key \
                 FROM profile_words w WHERE w.network_id = $1 AND {word} AND w.{seen} = TRUE\
                 {from}{end}{except}{filters} {order}LIMIT {limit}) f{i}"
            )
        })
        .collect();
    format!("SELECT id, sort_key FROM ({}) u", parts.join(" UNION "))
}

/// A [`WORD_LEVELS`] level of a [`by_words`] search, from `after`, at
/// most `need` rows; `None` when a name's beginning is shared by more than
/// [`BEGINNING_WORDS`] words, or when the search's filters leave the
/// level to the search index (see [`WalkEnds`]).
///
/// Each level leaves out the tiers above it, all in the table: a name's
/// beginning leaves out its whole words; work's whole words leave out
/// names' beginnings (which cover their whole words). A name's beginning
/// is read as the words that begin so, each a range in kana order (the
/// beginning's one range, sorted, would read all of its rows: 鈴 at 1M,
/// 20,000, ~160 ms with the check above).
async fn word_level_rows(
    db: &Db,
    net: NetworkId,
    s: &Search<'_>,
    (w, how): (Weight, Match),
    after: Option<&Key>,
    need: usize,
    begun: &mut Option<Option<Vec<String>>>,
) -> Result<Option<Vec<Ranked>>> {
    let term = &s.query.terms[0];
    let names = tokens(term, Weight::Name);
    if (w, how) != (Weight::Name, Match::Word) && begun.is_none() {
        *begun = Some(beginning_words(db, net, &names).await?);
    }
    let (ranges, except) = match (w, how) {
        (Weight::Name, Match::Word) => (names, Vec::new()),
        (Weight::Name, _) => {
            let Some(Some(begun)) = begun else {
                return Ok(None);
            };
            let words = begun
                .iter()
                .filter(|w| !names.contains(w))
                .cloned()
                .collect();
            (words, names)
        }
        _ => {
            let Some(Some(begun)) = begun else {
                return Ok(None);
            };
            (tokens(term, w), begun.clone())
        }
    };
    let ranges: Vec<Range> = ranges.into_iter().map(Range::Word).collect();
    if ranges.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let points = i64::from(w.points_for(how));
    let after = after.filter(|k| k.score == points);
    let (groups, _) = filter_groups(&s.filter);
    let ends = match groups.is_empty() {
        true => Vec::new(),
        false => walk_ends(db, net, s, &ranges, after).await?,
    };
    let mut binds = Vec::new();
    let read = Words {
        backend: db.backend(),
        ranges: &ranges,
        except: &except,
        after,
        walk: (!groups.is_empty()).then_some((groups.as_slice(), &ends)),
        ordered: true,
        limit: need,
    };
    let set = words_sql(s, &read, &mut binds);
    let sql = format!(
        "SELECT id, CAST({points} AS BIGINT) AS score, sort_key FROM ({set}) l \
         ORDER BY sort_key, id LIMIT {need}"
    );
    let mut rows: Vec<Ranked> = fetch(db, net, sql, &binds).await?;
    // a range walked to its end answers only up to there: another range's
    // later rows must not pass over rows it did not walk
    if let Some((text, id)) = ends.iter().flatten().min() {
        let walked = rows
            .iter()
            .take_while(|r| (&r.sort_key, r.id) <= (text, *id))
            .count();
        rows.truncate(walked);
        if rows.len() < need {
            // the walk ended before the level did: the rest of it is the index's
            return Ok(None);
        }
    }
    Ok(Some(rows))
}

/// Most rows of one word a level of a search with filters walks in kana
/// order, looking each up in the filters' words, before it leaves the
/// level to the search index. A common surname with a department (鈴木's
/// 10,000 rows at 1M profiles, one in nine in a department) fills a page
/// in ~220 rows; one with a filter almost none of them has would walk all
/// of them (10,000 look-ups), where the index's intersection is small.
const WALK: usize = 1_000;

/// Per range of a walk (its order), the key of its [`WALK`]th row from
/// `after`: the walk stops there. `None`: the range ends sooner.
type WalkEnds = Vec<Option<(String, i64)>>;

/// The [`WalkEnds`] of `ranges` (whole words) from `after`: one statement,
/// each range's end found by the key alone.
async fn walk_ends(
    db: &Db,
    net: NetworkId,
    s: &Search<'_>,
    ranges: &[Range],
    after: Option<&Key>,
) -> Result<WalkEnds> {
    let seen = index_column(s.viewer);
    let mut binds = Vec::new();
    let from = words_after(after, &mut binds);
    let parts: Vec<String> = ranges
        .iter()
        .enumerate()
        .map(|(i, range)| {
            let word = range.sql("w", &mut binds);
            format!(
                "SELECT CAST({i} AS BIGINT) AS i, sort_key, id FROM (SELECT w.sort_key AS sort_key, \
                 w.profile_id AS id FROM profile_words w WHERE w.network_id = $1 AND {word} \
                 AND w.{seen} = TRUE{from} ORDER BY w.sort_key, w.profile_id LIMIT 1 OFFSET {}) e{i}",
                WALK - 1
            )
        })
        .collect();
    let rows: Vec<(i64, String, i64)> = fetch(db, net, parts.join(" UNION ALL "), &binds).await?;
    let mut ends: WalkEnds = vec![None; ranges.len()];
    for (i, text, id) in rows {
        if let Some(end) = usize::try_from(i).ok().and_then(|i| ends.get_mut(i)) {
            *end = Some((text, id));
        }
    }
    Ok(ends)
}

/// Whether a [`by_words`] search has more than [`COUNT_LIMIT`] matches
/// among its names' beginnings and its work's whole words alone ("1,000+"
/// without asking the search index: counting 1,001 of a common surname's
/// matches there took 4.9 ms at 1M profiles, here ranges of one index).
/// One whole word's rows are distinct profiles, so one with more answers
/// alone (鈴木 at 1M: 0.05 ms; made distinct with the rest, 0.6 ms).
async fn words_over_limit(db: &Db, net: NetworkId, s: &Search<'_>) -> Result<bool> {
    let term = &s.query.terms[0];
    let mut words = ranges(term, Weight::Name, Match::Word);
    words.extend(ranges(term, Weight::Work, Match::Word));
    if rows_of_words(db, net, s, &words, "MAX").await? > COUNT_LIMIT {
        return Ok(true);
    }
    let mut all = ranges(term, Weight::Name, Match::Prefix);
    all.extend(ranges(term, Weight::Work, Match::Word));
    Ok(words_count(db, net, s, &all).await? > COUNT_LIMIT)
}

/// Of the rows, up to [`COUNT_LIMIT`] + 1, that each of `ranges` has of
/// what the viewer may see: the most (`MAX`), or all (`SUM`).
async fn rows_of_words(
    db: &Db,
    net: NetworkId,
    s: &Search<'_>,
    ranges: &[Range],
    aggregate: &str,
) -> Result<usize> {
    if ranges.is_empty() {
        return Ok(0);
    }
    let seen = index_column(s.viewer);
    let mut binds = Vec::new();
    let counts: Vec<String> = ranges
        .iter()
        .enumerate()
        .map(|(i, range)| {
            let word = range.sql("w", &mut binds);
            format!(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM (SELECT 1 AS one FROM profile_words w \
                 WHERE w.network_id = $1 AND {word} AND w.{seen} = TRUE LIMIT {}) c{i}",
                COUNT_LIMIT + 1
            )
        })
        .collect();
    let sql = format!(
        "SELECT CAST({aggregate}(n) AS BIGINT) FROM ({}) m",
        counts.join(" UNION ALL ")
    );
    let n: Vec<(Option<i64>,)> = fetch(db, net, sql, &binds).await?;
    Ok(n.first()
        .and_then(|(n,)| *n)
        .map_or(0, |n| usize::try_from(n).unwrap_or(0)))
}

/// How many listed profiles have a word in one of `ranges` as the viewer
/// may see it, exact up to [`COUNT_LIMIT`] (more: [`COUNT_LIMIT`] + 1 or
/// more): any [`COUNT_LIMIT`] + 1 rows of each range, made distinct.
async fn words_count(db: &Db, net: NetworkId, s: &Search<'_>, ranges: &[Range]) -> Result<usize> {
    if ranges.is_empty() {
        return Ok(0);
    }
    let mut binds = Vec::new();
    let read = Words {
        backend: db.backend(),
        ranges,
        except: &[],
        after: None,
        walk: None,
        ordered: false,
        limit: COUNT_LIMIT + 1,
    };
    let set = words_sql(s, &read, &mut binds);
    let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) FROM ({set}) c");
    let n: Vec<(i64,)> = fetch(db, net, sql, &binds).await?;
    Ok(n.first().map_or(0, |(n,)| usize::try_from(*n).unwrap_or(0)))
}

/// The tokens (any of them) of the one filter a search by filters alone
/// is narrowed by, when `profile_words` answers for it in kana order: no
/// words, one filter the index holds (not the member's kind, not "your
/// era"), of at most [`BEGINNING_WORDS`] tokens (a range of years), in
/// kana order. Its page is then one range of the table per token, and its
/// count exact from the same ranges.
fn by_filter_words(s: &Search<'_>) -> Option<Vec<String>> {
    if !s.query.is_empty()
        || s.era_of.is_some()
        || !of_listed(s)
        || !matches!(s.sort, Sort::Relevance | Sort::Kana)
    {
        return None;
    }
    let (mut groups, exact) = filter_groups(&s.filter);
    (exact && groups.len() == 1 && groups[0].len() <= BEGINNING_WORDS).then(|| groups.remove(0))
}

/// A page of a [`by_filter_words`] search.
async fn filtered_page(db: &Db, net: NetworkId, s: &Search<'_>, tokens: &[String]) -> Result<Page> {
    if tokens.is_empty() {
        return Ok(Page::default());
    }
    let after = s.after.as_deref().and_then(Key::decode);
    let limit = s.limit.clamp(1, 100);
    let ranges: Vec<Range> = tokens.iter().cloned().map(Range::Word).collect();
    let mut binds = Vec::new();
    let read = Words {
        backend: db.backend(),
        ranges: &ranges,
        except: &[],
        after: after.as_ref(),
        walk: None,
        ordered: true,
        limit: limit + 1,
    };
    let set = words_sql(s, &read, &mut binds);
    let sql = format!(
        "SELECT id, CAST(0 AS BIGINT) AS score, sort_key FROM ({set}) l \
         ORDER BY sort_key, id LIMIT {}",
        limit + 1
    );
    let ranked: Vec<Ranked> = fetch(db, net, sql, &binds).await?;
    page_of_ranked(db, net, s, &ranked, limit).await
}

/// How many match a [`by_filter_words`] search, up to [`COUNT_LIMIT`].
async fn filtered_count(
    db: &Db,
    net: NetworkId,
    s: &Search<'_>,
    tokens: &[String],
) -> Result<Count> {
    // one filter's words are one per profile (a department, a year left…),
    // so their rows add up without being made distinct
    let ranges: Vec<Range> = tokens.iter().cloned().map(Range::Word).collect();
    Ok(capped(rows_of_words(db, net, s, &ranges, "SUM").await?))
}

/// Profiles `ids` as `viewer` sees them (in no particular order; ids of
/// other networks or gone are left out).
pub async fn seen_by_id(
    db: &Db,
    net: NetworkId,
    ids: &[i64],
    viewer: Viewer,
) -> Result<Vec<Stored>> {
    Ok(rows_by_id(db, net, ids)
        .await?
        .into_values()
        .map(|stored| {
            let seen = stored.profile.seen_by(viewer);
            hit(&stored, seen, 0).stored
        })
        .collect())
}

/// Whole rows of profiles `ids`, by id.
async fn rows_by_id(
    db: &Db,
    net: NetworkId,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, Stored>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM profiles p \
         LEFT JOIN memberships m ON m.network_id = p.network_id AND m.account_id = p.account_id \
         WHERE p.network_id = $1 AND p.id IN ({})",
        list.join(", ")
    );
    let rows: Vec<ProfileRow> = fetch(db, net, sql, &[]).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let stored = r.into_stored();
            (stored.id, stored)
        })
        .collect())
}

/// A page ranked in Rust among the first [`RELEVANCE_CANDIDATES`]
/// candidates in kana order ("your era"), with how many of them passed and
/// how many were read.
async fn ranked_in_rust(db: &Db, net: NetworkId, s: &Search<'_>) -> Result<(Page, usize, usize)> {
    let rows = candidates(db, net, s, None, RELEVANCE_CANDIDATES).await?;
    let (page, passed) = rank_rows(s, &rows);
    Ok((page, passed, rows.len()))
}

/// The page of `rows` by relevance, ranked in Rust, and how many of them
/// passed.
fn rank_rows(s: &Search<'_>, rows: &[Stored]) -> (Page, usize) {
    let after = s.after.as_deref().and_then(Key::decode);
    let limit = s.limit.clamp(1, 100);
    let mut ranked: Vec<(Key, Hit)> = rows
        .iter()
        .filter_map(|stored| {
            let (seen, score) = check(s, stored)?;
            Some((key_of(s, stored, score), hit(stored, seen, score)))
        })
        .collect();
    let passed = ranked.len();
    ranked.sort_by(|(a, _), (b, _)| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.text.cmp(&b.text))
            .then(a.id.cmp(&b.id))
    });
    let start = match &after {
        Some(k) => ranked
            .iter()
            .position(|(key, _)| {
                key.score < k.score
                    || (key.score == k.score
                        && (key.text > k.text || (key.text == k.text && key.id > k.id)))
            })
            .unwrap_or(ranked.len()),
        None => 0,
    };
    let rest = &ranked[start..];
    let next = (rest.len() > limit).then(|| rest[limit - 1].0.encode());
    let page = Page {
        hits: rest.iter().take(limit).map(|(_, h)| h.clone()).collect(),
        next,
    };
    (page, passed)
}

/// A page in a stored order (kana, recent, leave year), scanning in
/// batches from the cursor.
async fn scanned_page(db: &Db, net: NetworkId, s: &Search<'_>) -> Result<Page> {
    if let Some(tokens) = by_filter_words(s) {
        return filtered_page(db, net, s, &tokens).await;
    }
    let after = s.after.as_deref().and_then(Key::decode);
    let limit = s.limit.clamp(1, 100);
    let batch = (limit * 2).max(50);
    let mut cursor = after;
    let mut hits: Vec<(Key, Hit)> = Vec::new();
    let mut scanned = 0;
    loop {
        let rows = candidates(db, net, s, cursor.as_ref(), batch).await?;
        let exhausted = rows.len() < batch;
        for stored in &rows {
            scanned += 1;
            let key = key_of(s, stored, 0);
            if let Some((seen, score)) = check(s, stored) {
                hits.push((key.clone(), hit(stored, seen, score)));
            }
            cursor = Some(key);
            if hits.len() > limit {
                break;
            }
        }
        if hits.len() > limit {
            let next = Some(hits[limit - 1].0.encode());
            hits.truncate(limit);
            return Ok(Page {
                hits: hits.into_iter().map(|(_, h)| h).collect(),
                next,
            });
        }
        if exhausted {
            return Ok(Page {
                hits: hits.into_iter().map(|(_, h)| h).collect(),
                next: None,
            });
        }
        if scanned >= SCAN_LIMIT {
            // a page cut short by the scan limit goes on from the last row looked at
            return Ok(Page {
                hits: hits.into_iter().map(|(_, h)| h).collect(),
                next: cursor.map(|k| k.encode()),
            });
        }
    }
}

/// How many profiles match an [`indexed`] search, stopping at
/// [`COUNT_LIMIT`] + 1, and their ids when there are at most
/// [`COUNT_LIMIT`] (else none; ranked in Rust or the engine from them) —
/// one row from the engine: a set's ids are not carried back one row
/// each to be counted.
async fn matching(db: &Db, net: NetworkId, s: &Search<'_>) -> Result<(usize, Vec<i64>)> {
    if bare_words(s) && words_over_limit(db, net, s).await? {
        return Ok((COUNT_LIMIT + 1, Vec::new()));
    }
    let mut binds = Vec::new();
    let backend = db.backend();
    let set = match (backend, narrowing(s).0) {
        // PostgreSQL: the index row carries its profile's listing (migration
        // 0029), so the matches need no look-up of their profiles (1,001 of
        // a surname with a department at 1M: 8.6 → 5.0 ms)
        (Backend::Postgres, Some(expr)) if of_listed(s) => {
            let column = index_column(s.viewer);
            let n = next(&mut binds, Bind::Text(expr.render(backend, column)));
            format!(
                "SELECT s.profile_id AS id FROM profile_search s \
                 WHERE s.network_id = $1 AND s.listed = TRUE AND {}",
                in_index(backend, column, n)
            )
        }
        _ => format!(
            "SELECT p.id AS id {}",
            set_sql(backend, s, None, Drive::Index, Reads::Profile, &mut binds)
        ),
    };
    let ids = db.dialect().string_agg("CAST(c.id AS TEXT)", ",");
    let sql = format!(
        "SELECT CAST(COUNT(*) AS BIGINT), CASE WHEN COUNT(*) <= {COUNT_LIMIT} THEN {ids} END \
         FROM ({set} LIMIT {}) c",
        COUNT_LIMIT + 1
    );
    let row: Vec<(i64, Option<String>)> = fetch(db, net, sql, &binds).await?;
    let (n, ids) = row.into_iter().next().unwrap_or((0, None));
    let ids: Vec<i64> = ids
        .iter()
        .flat_map(|list| list.split(','))
        .filter_map(|id| id.parse().ok())
        .collect();
    Ok((usize::try_from(n).unwrap_or(0), ids))
}

/// How many people match, up to [`COUNT_LIMIT`].
pub async fn count(db: &Db, net: NetworkId, s: &Search<'_>) -> Result<Count> {
    let mut probe = s.clone();
    probe.after = None;
    probe.sort = Sort::Kana;
    if let Some(tokens) = by_filter_words(&probe) {
        return filtered_count(db, net, &probe, &tokens).await;
    }
    if indexed(&probe) {
        return Ok(capped(matching(db, net, &probe).await?.0));
    }
    let rows = candidates(db, net, &probe, None, SCAN_LIMIT).await?;
    let mut n = 0;
    for stored in &rows {
        if check(&probe, stored).is_some() {
            n += 1;
            if n > COUNT_LIMIT {
                return Ok(Count {
                    n: COUNT_LIMIT,
                    more: true,
                });
            }
        }
    }
    Ok(Count {
        n,
        more: rows.len() == SCAN_LIMIT,
    })
}
