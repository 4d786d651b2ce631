//! The alumni directory: search, filters, sorts and keyset pages
//! (ARCHITECTURE.md › search).
//!
//! The index (FTS5 on SQLite, `tsvector` + GIN on PostgreSQL) only narrows
//! the candidates, by the tokens of what the viewer's kind may see (`pub`
//! for members, `adm` for admins). Whether a candidate really matches —
//! query, filters, "your era" — and how well, is decided in Rust over the
//! profile as [`Profile::seen_by`] the viewer, identically on both engines.
//! Someone looking themself up is shown as members see them.

use enishi_core::privacy::Viewer;
use enishi_core::profile::{Filter, Profile, same_era};
use enishi_core::search::{Query, Weight};

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

/// Most candidates ranked by relevance in one search; a query matching
/// more is shown with "1,000+" and the best of these.
pub const RELEVANCE_CANDIDATES: usize = 3_000;
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

/// The index expression for the query: every term, each by any of its
/// forms, each form by all of its tokens. Tokens hold only word
/// characters (core::search), so quoting them is safe on both engines.
fn match_expression(backend: Backend, column: &str, query: &Query) -> String {
    let (and, or, quote) = match backend {
        Backend::Sqlite => (" AND ", " OR ", '"'),
        Backend::Postgres => (" & ", " | ", '\''),
    };
    query
        .terms
        .iter()
        .map(|term| {
            let forms: Vec<String> = term
                .token_sets()
                .iter()
                .map(|tokens| {
                    let parts: Vec<String> = tokens
                        .iter()
                        .map(|t| match backend {
                            Backend::Sqlite => format!("{column} : {quote}{t}{quote}"),
                            Backend::Postgres => format!("{quote}{t}{quote}"),
                        })
                        .collect();
                    format!("({})", parts.join(and))
                })
                .collect();
            format!("({})", forms.join(or))
        })
        .collect::<Vec<_>>()
        .join(and)
}

/// The candidate query: network, active members, index, the filters SQL
/// can narrow by (on the stored values; the Rust check that follows uses
/// what the viewer may see), then keyset and order.
fn candidates_sql(
    backend: Backend,
    s: &Search<'_>,
    after: Option<&Key>,
    limit: usize,
) -> (String, Vec<Bind>) {
    // admins may look for HR's records nobody has joined from yet
    let pending = s.viewer == Viewer::Admin && s.filter.kind.as_deref() == Some(PENDING);
    let mut sql = if pending {
        format!(
            "SELECT {COLUMNS} FROM profiles p \
             LEFT JOIN memberships m ON m.network_id = p.network_id AND m.account_id = p.account_id \
             WHERE p.network_id = $1 AND p.account_id IS NULL"
        )
    } else {
        format!(
            "SELECT {COLUMNS} FROM profiles p \
             JOIN memberships m ON m.network_id = p.network_id AND m.account_id = p.account_id \
             WHERE p.network_id = $1 AND m.status = 'active'"
        )
    };
    let mut binds: Vec<Bind> = Vec::new();
    let next = |binds: &mut Vec<Bind>, b: Bind| {
        binds.push(b);
        binds.len() + 1
    };
    if !s.query.is_empty() {
        let column = if s.viewer == Viewer::Admin {
            "adm"
        } else {
            "pub"
        };
        let n = next(
            &mut binds,
            Bind::Text(match_expression(backend, column, &s.query)),
        );
        match backend {
            Backend::Sqlite => sql.push_str(&format!(
                " AND p.id IN (SELECT rowid FROM profile_search WHERE profile_search MATCH ${n})"
            )),
            Backend::Postgres => sql.push_str(&format!(
                " AND p.id IN (SELECT profile_id FROM profile_search \
                   WHERE network_id = $1 AND {column} @@ CAST(${n} AS tsquery))"
            )),
        }
    }
    let f = &s.filter;
    if let Some(y) = f.joined_from {
        let n = next(&mut binds, Bind::Int(y * 100 + 1));
        sql.push_str(&format!(" AND p.first_joined >= ${n}"));
    }
    if let Some(y) = f.joined_to {
        let n = next(&mut binds, Bind::Int(y * 100 + 12));
        sql.push_str(&format!(" AND p.first_joined <= ${n}"));
    }
    if let Some(y) = f.left_from {
        let n = next(&mut binds, Bind::Int(y * 100 + 1));
        sql.push_str(&format!(" AND p.last_left >= ${n}"));
    }
    if let Some(y) = f.left_to {
        let n = next(&mut binds, Bind::Int(y * 100 + 12));
        sql.push_str(&format!(" AND p.last_left <= ${n}"));
    }
    if let Some(kind) = f.kind.as_ref().filter(|_| !pending) {
        let n = next(&mut binds, Bind::Text(kind.clone()));
        sql.push_str(&format!(" AND m.kind = ${n}"));
    }
    if let Some((me, me_id)) = s.era_of {
        let n = next(&mut binds, Bind::Int(me_id));
        sql.push_str(&format!(" AND p.id <> ${n}"));
        match me.first_joined() {
            Some(first) => {
                let n = next(&mut binds, Bind::Int(first.0));
                sql.push_str(&format!(
                    " AND (p.last_left IS NULL OR p.last_left >= ${n})"
                ));
                if let Some(last) = me.last_left() {
                    let n = next(&mut binds, Bind::Int(last.0));
                    sql.push_str(&format!(" AND p.first_joined <= ${n}"));
                }
            }
            None => sql.push_str(" AND 1 = 0"),
        }
    }
    let order = match s.sort {
        Sort::Relevance | Sort::Kana => {
            if let Some(k) = after.filter(|_| s.sort == Sort::Kana) {
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
                sql.push_str(&format!(
                    " AND ({col} < ${a} OR ({col} = ${a} AND (p.sort_key > ${t} \
                       OR (p.sort_key = ${t} AND p.id > ${b}))))"
                ));
            }
            format!("{col} DESC, p.sort_key, p.id")
        }
    };
    sql.push_str(&format!(" ORDER BY {order} LIMIT {limit}"));
    (sql, binds)
}

async fn candidates(
    db: &Db,
    net: NetworkId,
    s: &Search<'_>,
    after: Option<&Key>,
    limit: usize,
) -> Result<Vec<Stored>> {
    let (sql, binds) = candidates_sql(db.backend(), s, after, limit);
    let rows: Vec<ProfileRow> = db_run!(db, |pool| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(net.0);
        for b in &binds {
            q = match b {
                Bind::Int(v) => q.bind(*v),
                Bind::Text(v) => q.bind(v.clone()),
            };
        }
        q.fetch_all(pool).await
    })?;
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
/// shows them. Ranked by relevance, both come from the one set of
/// candidates the ranking reads (no second pass to count).
pub async fn search_counted(db: &Db, net: NetworkId, s: &Search<'_>) -> Result<(Page, Count)> {
    if s.sort != Sort::Relevance {
        let page = search(db, net, s).await?;
        return Ok((page, count(db, net, s).await?));
    }
    let (page, passed, fetched) = ranked_page(db, net, s).await?;
    let count = Count {
        n: passed.min(COUNT_LIMIT),
        more: passed > COUNT_LIMIT || fetched == RELEVANCE_CANDIDATES,
    };
    Ok((page, count))
}

/// One page of the directory.
pub async fn search(db: &Db, net: NetworkId, s: &Search<'_>) -> Result<Page> {
    if s.sort == Sort::Relevance {
        return Ok(ranked_page(db, net, s).await?.0);
    }
    scanned_page(db, net, s).await
}

/// A page ranked by relevance among the first [`RELEVANCE_CANDIDATES`]
/// candidates, with how many of them passed and how many were read.
async fn ranked_page(db: &Db, net: NetworkId, s: &Search<'_>) -> Result<(Page, usize, usize)> {
    let after = s.after.as_deref().and_then(Key::decode);
    let limit = s.limit.clamp(1, 100);
    {
        let rows = candidates(db, net, s, None, RELEVANCE_CANDIDATES).await?;
        let fetched = rows.len();
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
        Ok((page, passed, fetched))
    }
}

/// A page in a stored order (kana, recent, leave year), scanning in
/// batches from the cursor.
async fn scanned_page(db: &Db, net: NetworkId, s: &Search<'_>) -> Result<Page> {
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

/// How many people match, up to [`COUNT_LIMIT`].
pub async fn count(db: &Db, net: NetworkId, s: &Search<'_>) -> Result<Count> {
    let mut probe = s.clone();
    probe.after = None;
    probe.sort = Sort::Kana;
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
