//! The golden search conformance test (ARCHITECTURE.md › Tests): a
//! hand-written fixture of profiles (`fixtures/directory/profiles.tsv`)
//! and queries with their expected ids written by hand, in order
//! (`queries.tsv`; the format is in that folder's README). Both engines
//! must return exactly those lists.

use enishi_core::privacy::{Field, Viewer, Visibility};
use enishi_core::profile::{Filter, OpenTo, Profile, Stint, YearMonth};
use enishi_core::search::{Query, Weight};
use enishi_store::directory::{self, EngineRank, Search, Sort};
use enishi_store::networks::NetworkId;
use enishi_store::{Backend, memberships, profiles};
use enishi_testkit::TestDb;

const PROFILES: &str = include_str!("../fixtures/directory/profiles.tsv");
const QUERIES: &str = include_str!("../fixtures/directory/queries.tsv");

fn tags(cell: &str) -> Vec<String> {
    cell.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

fn ym(cell: &str) -> Option<YearMonth> {
    (!cell.is_empty()).then(|| YearMonth::parse(cell).expect(cell))
}

fn profile_of(cols: &[&str]) -> Profile {
    let mut p = Profile {
        family: cols[1].into(),
        given: cols[2].into(),
        family_kana: cols[3].into(),
        given_kana: cols[4].into(),
        family_romaji: cols[5].into(),
        given_romaji: cols[6].into(),
        nickname: cols[7].into(),
        company: cols[8].into(),
        title: cols[9].into(),
        skills: tags(cols[10]),
        stints: vec![Stint {
            joined: ym(cols[12]),
            left: ym(cols[13]),
            departments: tags(cols[11]),
            ..Stint::default()
        }],
        open_to: tags(cols[14])
            .iter()
            .map(|w| OpenTo::parse(w).expect(w))
            .collect(),
        bio: cols[15].into(),
        ..Profile::default()
    };
    for pair in tags(cols.get(16).copied().unwrap_or("")) {
        let (field, level) = pair.split_once('=').expect(&pair);
        let field = Field::parse(field).expect(field);
        let level = match level {
            "admins" => Visibility::Admins,
            "me" => Visibility::OnlyMe,
            other => panic!("level {other}"),
        };
        p.visibility.set(field, level);
    }
    p
}

/// Every way the store ranks a page: as it chooses for the size (`None`),
/// and each of the engine's.
fn engines() -> [Option<EngineRank>; 4] {
    [
        None,
        Some(EngineRank::Index),
        Some(EngineRank::Ids),
        Some(EngineRank::Levels),
    ]
}

/// Saves `p` as profile `id` with `stints`; the save must take.
async fn saved(
    db: &enishi_store::Db,
    net: NetworkId,
    id: i64,
    p: &Profile,
    stints: profiles::StintsChange,
) {
    assert!(
        profiles::save(db, net, id, p, stints).await.unwrap(),
        "profile {id} saved"
    );
}

/// A new account that joined `net` as an alumni member with `status`: its
/// membership's and its profile's ids.
async fn member(
    db: &enishi_store::Db,
    net: NetworkId,
    name: &str,
    email: &str,
    status: &str,
) -> (i64, i64) {
    let account_id = crate::members::account_named(db, name, email).await;
    let (m, _) = memberships::join(
        db,
        net,
        &memberships::NewMembership {
            account_id,
            role: "member",
            kind: "alumni",
            status,
            note: None,
        },
        &memberships::Consent {
            purposes_version: 1,
            guidelines_version: 1,
            ip: None,
        },
    )
    .await
    .unwrap();
    let stored = profiles::of_account(db, net, account_id)
        .await
        .unwrap()
        .expect("joining creates the profile");
    (m.id, stored.id)
}

async fn load(db: &enishi_store::Db, net: NetworkId) -> Vec<(i64, i64)> {
    let mut ids = Vec::new();
    for line in PROFILES.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(cols.len() >= 16, "profiles.tsv: {line}");
        let fixture_id: i64 = cols[0].parse().unwrap();
        let (_, profile_id) = member(
            db,
            net,
            &format!("{} {}", cols[1], cols[2]),
            &format!("golden{fixture_id}@example.jp"),
            "active",
        )
        .await;
        let p = profile_of(&cols);
        let stints = p.stints.clone();
        saved(db, net, profile_id, &p, profiles::StintsChange::Hr(stints)).await;
        ids.push((fixture_id, profile_id));
    }
    ids
}

fn filter_of(cell: &str) -> Filter {
    let mut f = Filter::default();
    for pair in cell.split_whitespace() {
        let (k, v) = pair.split_once('=').expect(pair);
        let year = || Some(v.parse::<i64>().expect(v));
        match k {
            "joined_from" => f.joined_from = year(),
            "joined_to" => f.joined_to = year(),
            "left_from" => f.left_from = year(),
            "left_to" => f.left_to = year(),
            "dept" => f.department = Some(v.into()),
            "skill" => f.skill = Some(v.into()),
            "open" => f.open_to.push(OpenTo::parse(v).expect(v)),
            other => panic!("filter {other}"),
        }
    }
    f
}

pub async fn golden_search_conformance(backend: Backend) {
    let test_db = TestDb::create(backend).await;
    let db = &test_db.db;
    let net = crate::members::network(db, "golden").await;
    let ids = load(db, net).await;
    assert!(ids.len() >= 200, "the fixture has ≥ 200 profiles");
    let fixture_of = |db_id: i64| {
        ids.iter()
            .find(|(_, d)| *d == db_id)
            .map(|(f, _)| *f)
            .unwrap()
    };
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in QUERIES.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 6, "queries.tsv: {line}");
        let viewer = match cols[1] {
            "member" => Viewer::Member,
            "admin" => Viewer::Admin,
            other => panic!("viewer {other}"),
        };
        let expected: Vec<i64> = match cols[5].trim() {
            "-" => Vec::new(),
            list => list
                .split_whitespace()
                .map(|n| n.parse().unwrap())
                .collect(),
        };
        let search = Search {
            viewer,
            query: Query::parse(cols[2]),
            filter: filter_of(cols[3]),
            sort: Sort::parse(cols[4]).expect(cols[4]),
            after: None,
            limit: 100,
            era_of: None,
        };
        // the same through the engine's ranking, which the store uses only
        // for more matches than this fixture has
        for (how, engine) in [
            ("", None),
            (" (ranked by the engine)", Some(EngineRank::Index)),
            (
                " (by the engine, from the count's ids)",
                Some(EngineRank::Ids),
            ),
            (" (by the engine, level by level)", Some(EngineRank::Levels)),
        ] {
            let run = |search: Search<'static>| async move {
                match engine {
                    Some(how) => directory::search_ranked_by_engine(db, net, &search, how).await,
                    None => directory::search(db, net, &search).await,
                }
            };
            let page = run(search.clone()).await.unwrap();
            let got: Vec<i64> = page.hits.iter().map(|h| fixture_of(h.stored.id)).collect();
            if got != expected {
                failures.push(format!(
                    "query {}{how} {:?} ({} {} {}):\n   expected {expected:?}\n   got      {got:?}",
                    cols[0], cols[2], cols[1], cols[3], cols[4]
                ));
            }
            // paging through 7 at a time gives the same list
            if expected.len() > 7 {
                let mut paged = Vec::new();
                let mut after = None;
                loop {
                    let page = run(Search {
                        after: after.clone(),
                        limit: 7,
                        ..search.clone()
                    })
                    .await
                    .unwrap();
                    paged.extend(page.hits.iter().map(|h| fixture_of(h.stored.id)));
                    match page.next {
                        Some(next) => after = Some(next),
                        None => break,
                    }
                    assert!(paged.len() <= expected.len() + 7, "paging ends");
                }
                if paged != got {
                    failures.push(format!("query {}{how}: paged {paged:?} ≠ {got:?}", cols[0]));
                }
            }
        }
        let got_len = expected.len();
        let count = directory::count(db, net, &search).await.unwrap();
        if count.n != got_len || count.more {
            failures.push(format!("query {}: count {count:?} for {got_len}", cols[0]));
        }
        checked += 1;
    }
    assert!(checked >= 40, "≥ 40 golden queries ({checked})");
    assert!(
        failures.is_empty(),
        "{} of {checked} golden queries differ on {backend:?}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// An index written by an older binary (other tokens, or none) is rebuilt
/// by the migration step, and searches find everyone again.
pub async fn an_old_search_index_is_rebuilt(backend: Backend) {
    let test_db = TestDb::create(backend).await;
    let db = &test_db.db;
    let net = crate::members::network(db, "golden").await;
    load(db, net).await;
    let search = Search {
        viewer: Viewer::Member,
        query: Query::parse("鈴木"),
        filter: Filter::default(),
        sort: Sort::Relevance,
        after: None,
        limit: 100,
        era_of: None,
    };
    let found = || async {
        directory::search(db, net, &search)
            .await
            .unwrap()
            .hits
            .len()
    };
    let before = found().await;
    assert!(before > 0, "the fixture has a 鈴木");
    let wipe = match backend {
        Backend::Sqlite => "INSERT INTO profile_search (profile_search) VALUES ('delete-all')",
        Backend::Postgres => "DELETE FROM profile_search",
    };
    enishi_store::db_run!(db, |pool| {
        enishi_store::sqlx::query(wipe)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })
    .unwrap();
    enishi_store::meta::remove(db, "search_index_version")
        .await
        .unwrap();
    assert_eq!(found().await, 0, "the old index finds nobody");
    enishi_store::migrate::run(db).await.unwrap();
    assert_eq!(found().await, before);
    // and once rebuilt, not again
    assert_eq!(profiles::reindex(db).await.unwrap(), 0);
}

/// Only active members are listed, whichever path the search takes (the
/// engine's count and ranking read the profile's own `listed`; whole rows
/// and the kind filter read the membership): a pending applicant, a
/// suspended member and one who left are not found, and a suspension
/// takes effect at once.
pub async fn only_active_members_are_listed(backend: Backend) {
    let test_db = TestDb::create(backend).await;
    let db = &test_db.db;
    let net = crate::members::network(db, "listed").await;
    let mut people = Vec::new();
    for (n, status) in ["active", "active", "pending", "active", "active"]
        .into_iter()
        .enumerate()
    {
        let (membership_id, profile_id) = member(
            db,
            net,
            &format!("縁側 {n}"),
            &format!("listed{n}@example.jp"),
            status,
        )
        .await;
        let p = Profile {
            family: "縁側".into(),
            given: format!("{n}郎"),
            family_kana: "えんがわ".into(),
            ..Default::default()
        };
        saved(db, net, profile_id, &p, profiles::StintsChange::Keep).await;
        people.push((membership_id, profile_id));
    }
    memberships::set_status(db, net, people[3].0, "left")
        .await
        .unwrap();
    memberships::set_status(db, net, people[4].0, "suspended")
        .await
        .unwrap();
    let found = |kind: Option<&'static str>, engine: Option<EngineRank>| async move {
        let search = Search {
            viewer: Viewer::Member,
            query: Query::parse("縁側"),
            filter: Filter {
                kind: kind.map(String::from),
                ..Default::default()
            },
            sort: Sort::Relevance,
            after: None,
            limit: 100,
            era_of: None,
        };
        let page = match engine {
            Some(how) => directory::search_ranked_by_engine(db, net, &search, how).await,
            None => directory::search(db, net, &search).await,
        }
        .unwrap();
        let mut ids: Vec<i64> = page.hits.iter().map(|h| h.stored.id).collect();
        ids.sort_unstable();
        let count = directory::count(db, net, &search).await.unwrap();
        assert_eq!(count.n, ids.len(), "the count agrees");
        ids
    };
    let mut listed = vec![people[0].1, people[1].1];
    listed.sort_unstable();
    for kind in [None, Some("alumni")] {
        for engine in engines() {
            assert_eq!(found(kind, engine).await, listed, "{kind:?} {engine:?}");
        }
    }
    // a suspension takes effect at once; so does the applicant's approval
    memberships::set_status(db, net, people[1].0, "suspended")
        .await
        .unwrap();
    memberships::set_status(db, net, people[2].0, "active")
        .await
        .unwrap();
    let mut listed = vec![people[0].1, people[2].1];
    listed.sort_unstable();
    for engine in engines() {
        assert_eq!(found(None, engine).await, listed, "{engine:?}");
    }
}

/// Rows of `profile_words` (migrations 0027, 0028) holding `word` (a
/// name's whole word, as the index has it) for profile `id`.
async fn name_word_rows(db: &enishi_store::Db, id: i64, word: &str) -> i64 {
    word_rows(db, id, Weight::Name, word).await
}

/// Rows of `profile_words` holding `word` of weight `w` for profile `id`.
async fn word_rows(db: &enishi_store::Db, id: i64, w: Weight, word: &str) -> i64 {
    token_rows(db, id, &enishi_core::search::word_token(w, word)).await
}

/// A first page of `limit` by best match of `words` (`""`: none) with
/// `filter`, as `viewer` asks it.
fn best_first(viewer: Viewer, words: &str, filter: Filter, limit: usize) -> Search<'static> {
    Search {
        viewer,
        query: Query::parse(words),
        filter,
        sort: Sort::Relevance,
        after: None,
        limit,
        era_of: None,
    }
}

/// Rows of `profile_words` holding index token `token` for profile `id`.
async fn token_rows(db: &enishi_store::Db, id: i64, token: &str) -> i64 {
    let token = token.to_string();
    enishi_store::db_run!(db, |pool| {
        enishi_store::sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM profile_words WHERE profile_id = $1 AND word = $2",
        )
        .bind(id)
        .bind(token.clone())
        .fetch_one(pool)
        .await
    })
    .unwrap()
}

/// Runs one statement binding `id` as `$1` (if it has one).
async fn execute(db: &enishi_store::Db, sql: &'static str, id: i64) {
    enishi_store::db_run!(db, |pool| {
        let q = enishi_store::sqlx::query(sql);
        let q = if sql.contains("$1") { q.bind(id) } else { q };
        q.execute(pool).await.map(|r| r.rows_affected())
    })
    .unwrap();
}

/// The best levels of a one-word search are read from `profile_words`,
/// which the triggers of migrations 0027/0028 keep from every write of its
/// profile: a
/// new name replaces the old, a nickname hidden from members is found by
/// admins only, only listed profiles are there (not HR's records nobody
/// has joined from, not a suspended member), and the words go with their
/// profile. A profile without its words (as the migration leaves every
/// profile) is not found at that level — the path reads the table — until
/// the start-up rebuild writes them.
pub async fn profile_words_follow_their_profile(backend: Backend) {
    let test_db = TestDb::create(backend).await;
    let db = &test_db.db;
    let net = crate::members::network(db, "words").await;
    let (membership, id) = member(db, net, "鈴木 一郎", "words@example.jp", "active").await;
    let mut p = Profile {
        family: "鈴木".into(),
        given: "一郎".into(),
        family_kana: "すずき".into(),
        given_kana: "いちろう".into(),
        family_romaji: "Suzuki".into(),
        nickname: "いっちゃん".into(),
        ..Default::default()
    };
    let save = |p: Profile| async move {
        saved(db, net, id, &p, profiles::StintsChange::Keep).await;
    };
    save(p.clone()).await;
    // level by level, as a page of a common name reads it: a page of
    // `limit`, and whether there is a next one
    let page = |word: &'static str, viewer: Viewer, limit: usize| async move {
        let search = best_first(viewer, word, Filter::default(), limit);
        let page = directory::search_ranked_by_engine(db, net, &search, EngineRank::Levels)
            .await
            .unwrap();
        let hits = page.hits.iter().map(|h| (h.stored.id, h.score));
        (hits.collect::<Vec<_>>(), page.next.is_some())
    };
    let found = |word: &'static str, viewer: Viewer| async move { page(word, viewer, 20).await.0 };
    let top = 400;
    for word in [
        "鈴木",
        "すずき",
        "スズキ",
        "ｽｽﾞｷ",
        "suzuki",
        "一郎",
        "いっちゃん",
    ] {
        assert_eq!(found(word, Viewer::Member).await, vec![(id, top)], "{word}");
    }
    assert_eq!(name_word_rows(db, id, "鈴木").await, 1);
    assert_eq!(name_word_rows(db, id, "suzuki").await, 1);

    // a new name replaces the old one's words
    p.family = "佐藤".into();
    p.family_kana = "さとう".into();
    p.family_romaji = "Sato".into();
    save(p.clone()).await;
    assert_eq!(name_word_rows(db, id, "鈴木").await, 0);
    assert_eq!(name_word_rows(db, id, "suzuki").await, 0);
    assert_eq!(found("鈴木", Viewer::Member).await, vec![]);
    assert_eq!(found("佐藤", Viewer::Member).await, vec![(id, top)]);

    // a nickname only admins see (names are always the network's)
    p.visibility.set(Field::Nickname, Visibility::Admins);
    save(p.clone()).await;
    assert_eq!(found("いっちゃん", Viewer::Member).await, vec![]);
    assert_eq!(found("いっちゃん", Viewer::Admin).await, vec![(id, top)]);
    assert_eq!(found("佐藤", Viewer::Member).await, vec![(id, top)]);

    // work's whole words: a company, a skill only admins see; a name's
    // beginning ranks above them, and a profile comes once, at its best
    // level (its words of a better tier are looked up and left out)
    let (work, beginning) = (160, 200);
    p.company = "さくら製薬".into();
    p.skills = vec!["SQL".into()];
    p.visibility.set(Field::Skills, Visibility::Admins);
    save(p.clone()).await;
    assert_eq!(word_rows(db, id, Weight::Work, "sql").await, 1);
    assert_eq!(word_rows(db, id, Weight::Work, "さくら製薬").await, 1);
    assert_eq!(found("さくら製薬", Viewer::Member).await, vec![(id, work)]);
    assert_eq!(found("sql", Viewer::Member).await, vec![]);
    assert_eq!(found("sql", Viewer::Admin).await, vec![(id, work)]);
    assert_eq!(found("佐", Viewer::Member).await, vec![(id, beginning)]);
    // a company's name written onto its legal form is a whole word: what
    // people type (ミライ) is found at the work level, from the table
    p.company = "株式会社ミライ".into();
    save(p.clone()).await;
    assert_eq!(word_rows(db, id, Weight::Work, "みらい").await, 1);
    assert_eq!(word_rows(db, id, Weight::Work, "株式会社").await, 1);
    // (㈱ミライ: 株 begins a word, 80, and ミライ is one, 160)
    for (words, points) in [
        ("ミライ", work),
        ("ﾐﾗｲ", work),
        ("株式会社", work),
        ("株式会社ミライ", 2 * work),
        ("㈱ミライ", work + 80),
    ] {
        assert_eq!(
            found(words, Viewer::Member).await,
            vec![(id, points)],
            "{words}"
        );
    }
    p.company = "さくら製薬".into();
    save(p.clone()).await;
    assert_eq!(word_rows(db, id, Weight::Work, "みらい").await, 0);
    let (_, other) = member(db, net, "山田 花子", "yamada@example.jp", "active").await;
    let yamada = Profile {
        family: "山田".into(),
        given: "花子".into(),
        family_kana: "やまだ".into(),
        family_romaji: "Yamada".into(),
        given_romaji: "Yamako".into(),
        nickname: "sqlさん".into(),
        company: "さくら製薬".into(),
        skills: vec!["SQL".into()],
        ..Default::default()
    };
    saved(db, net, other, &yamada, profiles::StintsChange::Keep).await;
    assert_eq!(
        found("sql", Viewer::Admin).await,
        vec![(other, beginning), (id, work)]
    );
    assert_eq!(found("sql", Viewer::Member).await, vec![(other, beginning)]);
    // (a page holds each profile once, so a level that gave one twice
    // shows as a next page that has nothing)
    assert_eq!(
        page("sql", Viewer::Admin, 2).await,
        (vec![(other, beginning), (id, work)], false)
    );
    assert_eq!(
        found("さくら製薬", Viewer::Member).await,
        vec![(id, work), (other, work)],
        "kana order: さとう, やまだ"
    );
    // two of its names begin so (yamada, yamako; やまだ): found once, and
    // not in place of someone after it (山本's reading is not given)
    let (_, third) = member(db, net, "山本", "yamamoto@example.jp", "active").await;
    let yamamoto = Profile {
        family: "山本".into(),
        family_romaji: "Yamamoto".into(),
        ..Default::default()
    };
    saved(db, net, third, &yamamoto, profiles::StintsChange::Keep).await;
    assert_eq!(
        page("yama", Viewer::Member, 1).await,
        (vec![(other, beginning)], true)
    );
    assert_eq!(
        found("yama", Viewer::Member).await,
        vec![(other, beginning), (third, beginning)]
    );
    // a whole word of a name ranks above a beginning, and its profile is
    // not found again among the beginnings
    let yamamoto = Profile {
        nickname: "やま".into(),
        ..yamamoto
    };
    saved(db, net, third, &yamamoto, profiles::StintsChange::Keep).await;
    assert_eq!(
        page("yama", Viewer::Member, 2).await,
        (vec![(third, top), (other, beginning)], false)
    );

    // one filter alone is read from the table too, as each viewer may see
    // it: the year someone left (山田's tenure only admins see), a
    // department, a range of years
    let by_filter = |filter: Filter, viewer: Viewer| async move {
        let search = best_first(viewer, "", filter, 20);
        let (page, count) = directory::search_counted(db, net, &search).await.unwrap();
        let ids: Vec<i64> = page.hits.iter().map(|h| h.stored.id).collect();
        (ids, count.n)
    };
    let mut yamada = yamada;
    yamada.visibility.set(Field::Tenure, Visibility::Admins);
    let stint = Stint {
        joined: ym("2001-04"),
        left: ym("2010-03"),
        departments: vec!["営業部".into()],
        ..Stint::default()
    };
    saved(
        db,
        net,
        other,
        &yamada,
        profiles::StintsChange::Own(vec![stint]),
    )
    .await;
    let left = |from: i64, to: i64| Filter {
        left_from: Some(from),
        left_to: Some(to),
        ..Filter::default()
    };
    assert_eq!(
        by_filter(left(2010, 2010), Viewer::Member).await,
        (vec![], 0)
    );
    assert_eq!(
        by_filter(left(2010, 2010), Viewer::Admin).await,
        (vec![other], 1)
    );
    assert_eq!(
        by_filter(left(2005, 2012), Viewer::Admin).await,
        (vec![other], 1)
    );
    assert_eq!(
        by_filter(left(2011, 2012), Viewer::Admin).await,
        (vec![], 0)
    );
    assert_eq!(
        by_filter(left(2012, 2011), Viewer::Admin).await,
        (vec![], 0)
    );
    let sales = Filter {
        department: Some("営業部".into()),
        ..Filter::default()
    };
    assert_eq!(by_filter(sales, Viewer::Member).await, (vec![other], 1));
    let year = enishi_core::search::year_token(false, 2010);
    assert_eq!(token_rows(db, other, &year).await, 1);

    // the level reads the table: a profile without its words (as after
    // the migration) is not there until the start-up rebuild writes them
    execute(db, "UPDATE profiles SET words = '[]' WHERE id = $1", id).await;
    assert_eq!(name_word_rows(db, id, "さとう").await, 0);
    assert_eq!(found("佐藤", Viewer::Member).await, vec![]);
    enishi_store::meta::remove(db, "profile_words_version")
        .await
        .unwrap();
    assert!(profiles::reindex(db).await.unwrap() > 0);
    assert_eq!(found("佐藤", Viewer::Member).await, vec![(id, top)]);
    assert_eq!(name_word_rows(db, id, "さとう").await, 1);
    assert_eq!(profiles::reindex(db).await.unwrap(), 0, "once");

    // only listed profiles: a suspension takes the words out, and back
    memberships::set_status(db, net, membership, "suspended")
        .await
        .unwrap();
    assert_eq!(name_word_rows(db, id, "さとう").await, 0);
    memberships::set_status(db, net, membership, "active")
        .await
        .unwrap();
    assert_eq!(name_word_rows(db, id, "さとう").await, 1);
    assert_eq!(found("いっちゃん", Viewer::Admin).await, vec![(id, top)]);

    // an HR record nobody joined from has none
    let mut tx = db.begin_write().await.unwrap();
    let pending = profiles::insert(&mut tx, net, None, &p, "hr", 1)
        .await
        .unwrap()
        .expect("a new record");
    tx.commit().await.unwrap();
    assert_eq!(name_word_rows(db, pending, "佐藤").await, 0);

    // and a deleted network takes all of its words
    execute(db, "DELETE FROM networks WHERE id = $1", net.0).await;
    assert_eq!(name_word_rows(db, id, "佐藤").await, 0);
    assert_eq!(name_word_rows(db, id, "いっちゃん").await, 0);
}

/// HR's record without an account is written for admins only (an import
/// writes neither its words nor its members' index tokens); someone who
/// joins from it claims it, and from then on members find it as they find
/// any profile: by a whole name (the index of words), inside a name (the
/// search index's members' tokens) and by one filter alone.
pub async fn a_claimed_record_is_found_by_members(backend: Backend) {
    let test_db = TestDb::create(backend).await;
    let db = &test_db.db;
    let net = crate::members::network(db, "claims").await;
    let hr = Profile {
        family: "鈴木".into(),
        given: "花子".into(),
        family_kana: "すずき".into(),
        given_kana: "はなこ".into(),
        stints: vec![Stint {
            joined: ym("2001-04"),
            left: ym("2010-03"),
            departments: vec!["営業部".into()],
            ..Stint::default()
        }],
        ..Default::default()
    };
    let mut tx = db.begin_write().await.unwrap();
    let new = [profiles::NewProfile {
        account_id: None,
        profile: &hr,
        created_at: 1,
    }];
    let record = profiles::insert_many(&mut tx, net, &new, profiles::SOURCE_HR)
        .await
        .unwrap()[0];
    tx.commit().await.unwrap();
    let search = |words: &'static str, filter: Filter, viewer: Viewer| async move {
        let search = best_first(viewer, words, filter, 20);
        let (page, count) = directory::search_counted(db, net, &search).await.unwrap();
        let hits: Vec<(i64, u32)> = page.hits.iter().map(|h| (h.stored.id, h.score)).collect();
        (hits, count.n)
    };
    let sales = || Filter {
        department: Some("営業部".into()),
        ..Filter::default()
    };
    let pending = || Filter {
        kind: Some(directory::PENDING.into()),
        ..Filter::default()
    };
    // admins find the pending record, inside its name too; nobody else does
    assert_eq!(
        search("木", pending(), Viewer::Admin).await,
        (vec![(record, 100)], 1)
    );
    assert_eq!(
        search("鈴木", Filter::default(), Viewer::Member).await,
        (vec![], 0)
    );
    assert_eq!(word_rows(db, record, Weight::Name, "鈴木").await, 0);

    // a member (whose own profile makes way) claims it
    let (_, own) = member(db, net, "鈴木 花子", "hanako@example.jp", "active").await;
    let account: i64 = enishi_store::db_run!(db, |pool| {
        enishi_store::sqlx::query_scalar("SELECT account_id FROM profiles WHERE id = $1")
            .bind(own)
            .fetch_one(pool)
            .await
    })
    .unwrap();
    execute(db, "DELETE FROM profiles WHERE id = $1", own).await;
    assert!(profiles::claim(db, net, record, account).await.unwrap());
    assert!(
        !profiles::claim(db, net, record, account).await.unwrap(),
        "claimed once"
    );
    assert_eq!(word_rows(db, record, Weight::Name, "鈴木").await, 1);
    for (words, points) in [("鈴木", 400), ("はなこ", 400), ("鈴", 200), ("木", 100)] {
        let found = search(words, Filter::default(), Viewer::Member).await;
        assert_eq!(found, (vec![(record, points)], 1), "{words}");
    }
    assert_eq!(
        search("", sales(), Viewer::Member).await,
        (vec![(record, 0)], 1)
    );
    assert_eq!(
        search("花子", sales(), Viewer::Member).await,
        (vec![(record, 400)], 1)
    );
}

/// Counts stop past 1,000 ("1,000+") on every path that answers them from
/// `profile_words` — a whole word of a name, a name's beginning, a whole
/// word of work, one filter alone — and are exact at 1,000.
///
/// A name with a filter walks the name's rows in kana order looking each
/// up in the filter's words, for at most 1,000 rows of a level: a filter
/// one in four has fills its pages from the walk; one that only the first
/// and the very last of the 1,001 have leaves the rest of the level to the
/// search index, which finds the last. A query of two forms (romaji and
/// its reading) walks two ranges; a short one's rows come after the
/// other's walk only when nothing it did not walk comes first.
pub async fn counts_stop_past_a_thousand(backend: Backend) {
    let test_db = TestDb::create(backend).await;
    let db = &test_db.db;
    let net = crate::members::network(db, "many").await;
    let mut memberships_of = Vec::new();
    let mut profiles_of = Vec::new();
    for i in 0..=1_000 {
        let (membership, id) =
            member(db, net, "鈴木", &format!("suzuki{i}@example.jp"), "active").await;
        let p = Profile {
            family: "鈴木".into(),
            given: format!("{i}"),
            family_kana: "すずき".into(),
            skills: vec!["SQL".into()],
            ..Default::default()
        };
        let department = match i {
            5 | 1_000 => "人事部",
            _ if i % 4 == 0 => "営業本部",
            _ => "開発本部",
        };
        let stint = Stint {
            joined: ym("1999-04"),
            left: ym("2003-03"),
            departments: vec![department.into()],
            ..Stint::default()
        };
        saved(db, net, id, &p, profiles::StintsChange::Own(vec![stint])).await;
        memberships_of.push(membership);
        profiles_of.push(id);
    }
    let count = |q: &'static str, filter: Filter| async move {
        let search = best_first(Viewer::Member, q, filter, 20);
        let (page, count) = directory::search_counted(db, net, &search).await.unwrap();
        assert_eq!(page.hits.len(), 20, "{q}");
        assert!(page.next.is_some(), "{q}");
        (count.n, count.more)
    };
    let left_2003 = || Filter {
        left_from: Some(2003),
        left_to: Some(2003),
        ..Filter::default()
    };
    // a whole word of a name, its reading, a name's beginning, a skill,
    // a year left
    for q in ["鈴木", "すずき", "鈴", "sql"] {
        assert_eq!(count(q, Filter::default()).await, (1_000, true), "{q}");
    }
    assert_eq!(count("", left_2003()).await, (1_000, true));

    // a name with a department, through every path, page by page
    let in_department = |name: &'static str| Filter {
        department: Some(name.into()),
        ..Filter::default()
    };
    let pages = |filter: Filter, engine: Option<EngineRank>| async move {
        let mut found = Vec::new();
        let mut after = None;
        loop {
            let search = Search {
                after: after.clone(),
                ..best_first(Viewer::Member, "鈴木", filter.clone(), 20)
            };
            let page = match engine {
                Some(how) => directory::search_ranked_by_engine(db, net, &search, how).await,
                None => directory::search(db, net, &search).await,
            }
            .unwrap();
            found.extend(page.hits.iter().map(|h| (h.stored.id, h.score)));
            match page.next {
                Some(next) => after = Some(next),
                None => return found,
            }
            assert!(found.len() <= 1_001, "paging ends");
        }
    };
    let profile_ids = |pick: fn(usize) -> bool| {
        let mut ids: Vec<i64> = (0..profiles_of.len())
            .filter(|i| pick(*i))
            .map(|i| profiles_of[i])
            .collect();
        ids.sort_unstable();
        ids
    };
    let sales = profile_ids(|i| i % 4 == 0 && i != 1_000);
    let hr = profile_ids(|i| i == 5 || i == 1_000);
    for (department, ids) in [("営業本部", &sales), ("人事部", &hr)] {
        let filter = in_department(department);
        let first = pages(filter.clone(), None).await;
        let mut got: Vec<i64> = first.iter().map(|(id, _)| *id).collect();
        got.sort_unstable();
        assert_eq!(&got, ids, "{department}");
        assert!(first.iter().all(|(_, score)| *score == 400), "{department}");
        for engine in EngineRank::ALL.map(Some) {
            assert_eq!(
                pages(filter.clone(), engine).await,
                first,
                "{department} {engine:?}"
            );
        }
        let search = best_first(Viewer::Member, "鈴木", filter, 20);
        let n = directory::count(db, net, &search).await.unwrap();
        assert_eq!((n.n, n.more), (ids.len(), false), "{department}");
    }

    // one fewer listed: exactly 1,000
    memberships::set_status(db, net, memberships_of[0], "suspended")
        .await
        .unwrap();
    for q in ["鈴木", "すずき", "鈴", "sql"] {
        assert_eq!(count(q, Filter::default()).await, (1_000, false), "{q}");
    }
    assert_eq!(count("", left_2003()).await, (1_000, false));

    // a query of two forms walks two ranges: "suzuki" is すずき (1,003
    // rows, walked to the 1,000th) and the romaji suzuki (two rows, after
    // that end). The romaji rows must not be answered before 1001, which
    // only the すずき range has and its walk did not reach.
    let mut late = Vec::new();
    for (i, romaji) in [(1_001, ""), (1_002, "Suzuki"), (1_003, "Suzuki")] {
        let (_, id) = member(db, net, "鈴木", &format!("suzuki{i}@example.jp"), "active").await;
        let p = Profile {
            family: "鈴木".into(),
            given: format!("{i}"),
            family_kana: "すずき".into(),
            family_romaji: romaji.into(),
            ..Default::default()
        };
        let stint = Stint {
            departments: vec!["人事部".into()],
            ..Stint::default()
        };
        saved(db, net, id, &p, profiles::StintsChange::Own(vec![stint])).await;
        late.push(id);
    }
    let hr_first = best_first(Viewer::Member, "suzuki", in_department("人事部"), 3);
    let all = directory::search(
        db,
        net,
        &Search {
            limit: 20,
            ..hr_first.clone()
        },
    )
    .await
    .unwrap();
    let all: Vec<i64> = all.hits.iter().map(|h| h.stored.id).collect();
    let mut expected = hr.clone();
    expected.extend(&late);
    assert_eq!(all, expected, "in kana order (all すずき: by id)");
    for how in EngineRank::ALL {
        let page = directory::search_ranked_by_engine(db, net, &hr_first, how)
            .await
            .unwrap();
        let got: Vec<i64> = page.hits.iter().map(|h| h.stored.id).collect();
        assert_eq!(got, expected[..3], "{how:?}");
        assert!(page.next.is_some(), "{how:?}");
    }
}

/// The directory in leave-year order (latest first, then the reading and
/// the id; migration 0030's indexes walk it): paged 7 at a time, every
/// active member once and in that order, for members and admins alike;
/// HR's records nobody has joined from are only in the admin's "pending"
/// list.
pub async fn the_leave_year_order_pages_through_everyone(backend: Backend) {
    let test_db = TestDb::create(backend).await;
    let db = &test_db.db;
    let net = crate::members::network(db, "golden").await;
    let members = load(db, net).await.len();
    let hr = Profile {
        family: "記録".into(),
        given: "未加入".into(),
        family_kana: "きろく".into(),
        stints: vec![Stint {
            joined: Some(YearMonth::parse("2001-04").unwrap()),
            left: Some(YearMonth::parse("2010-03").unwrap()),
            ..Default::default()
        }],
        ..Default::default()
    };
    let mut tx = db.begin_write().await.unwrap();
    let hr_ids = profiles::insert_many(
        &mut tx,
        net,
        &[profiles::NewProfile {
            account_id: None,
            profile: &hr,
            created_at: 1,
        }],
        profiles::SOURCE_HR,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let search = |viewer, kind: Option<&str>, after, limit| Search {
        viewer,
        query: Query::parse(""),
        filter: Filter {
            kind: kind.map(String::from),
            ..Default::default()
        },
        sort: Sort::LeftYear,
        after,
        limit,
        era_of: None,
    };
    for viewer in [Viewer::Member, Viewer::Admin] {
        let mut seen: Vec<(i64, String, i64)> = Vec::new();
        let mut after = None;
        loop {
            let page = directory::search(db, net, &search(viewer, None, after, 7))
                .await
                .unwrap();
            assert!(page.hits.len() <= 7);
            seen.extend(page.hits.iter().map(|h| {
                let left = match viewer {
                    Viewer::Admin => h.stored.left_adm,
                    _ => h.stored.left_pub,
                };
                (left, h.stored.sort_key.clone(), h.stored.id)
            }));
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
            assert!(seen.len() <= members + 7, "paging ends");
        }
        assert_eq!(seen.len(), members, "{viewer:?}: every member once");
        let mut sorted = seen.clone();
        sorted.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        sorted.dedup_by_key(|r| r.2);
        assert_eq!(
            seen, sorted,
            "{viewer:?}: latest leave year first, then the reading"
        );
        assert!(
            seen.iter().all(|r| !hr_ids.contains(&r.2)),
            "{viewer:?}: HR's record is not a member"
        );
        assert!(
            seen.first().unwrap().0 > seen.last().unwrap().0,
            "the fixture spans several leave years"
        );
        // one page of 100 is the first 100 of the same order
        let first = directory::search(db, net, &search(viewer, None, None, 100))
            .await
            .unwrap();
        let ids: Vec<i64> = first.hits.iter().map(|h| h.stored.id).collect();
        let expected: Vec<i64> = seen.iter().take(100).map(|r| r.2).collect();
        assert_eq!(ids, expected, "{viewer:?}");
    }
    let pending = directory::search(
        db,
        net,
        &search(Viewer::Admin, Some(directory::PENDING), None, 20),
    )
    .await
    .unwrap();
    let ids: Vec<i64> = pending.hits.iter().map(|h| h.stored.id).collect();
    assert_eq!(ids, hr_ids, "the admin's pending list in leave-year order");
}
