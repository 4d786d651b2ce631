//! The storage layer against real engines: SQLite always, PostgreSQL when
//! `ENISHI_TEST_POSTGRES_URL` is set (see enishi-testkit).

use std::borrow::Cow;

use enishi_store::migrate::{self, Migrator};
use enishi_store::schema::{self, Column};
use enishi_store::sqlx::migrate::{Migration, MigrationType};
use enishi_store::sqlx::{AssertSqlSafe, SqlSafeStr};
use enishi_store::{
    Backend, Db, IdList, SqlValue, StoreError, TextList, allocate_ids, bulk_insert,
    bulk_insert_with_ids, db_run, meta,
};
use enishi_testkit::{TestDb, dual_test, postgres_enabled};

#[path = "store/directory.rs"]
mod directory;
use directory::{
    a_claimed_record_is_found_by_members, an_old_search_index_is_rebuilt,
    counts_stop_past_a_thousand, golden_search_conformance, only_active_members_are_listed,
    profile_words_follow_their_profile, the_leave_year_order_pages_through_everyone,
};
#[path = "store/members.rs"]
mod members;
use members::{members_without_profiles_get_them_once, the_members_tally_follows_every_write};

fn migration(version: i64, description: &'static str, sql: &str) -> Migration {
    Migration::new(
        version,
        Cow::Borrowed(description),
        MigrationType::Simple,
        AssertSqlSafe(sql.to_string()).into_sql_str(),
        false,
    )
}

async fn table_names(db: &Db) -> Vec<String> {
    let mut names: Vec<String> = schema::columns(db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.table)
        .collect();
    names.dedup();
    names
}

#[tokio::test]
async fn both_migration_folders_have_the_same_migrations() {
    let describe = |m: &Migrator| -> Vec<(i64, String)> {
        m.iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect()
    };
    assert_eq!(describe(&migrate::SQLITE), describe(&migrate::POSTGRES));
    assert!(migrate::SQLITE.iter().next().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_engines_migrate_to_the_same_tables_columns_and_types() {
    if !postgres_enabled() {
        return;
    }
    let sqlite = TestDb::create(Backend::Sqlite).await;
    let postgres = TestDb::create(Backend::Postgres).await;
    // Tables only one engine has, on purpose: the directory's search index
    // is an FTS5 table (with its shadow tables) on SQLite and a table of
    // tsvectors on PostgreSQL.
    const ONLY_SQLITE: &[&str] = &[
        "profile_search",
        "profile_search_config",
        "profile_search_data",
        "profile_search_docsize",
        "profile_search_idx",
    ];
    const ONLY_POSTGRES: &[&str] = &["profile_search"];
    let keep = |cols: Vec<Column>, skip: &[&str]| -> Vec<Column> {
        cols.into_iter()
            .filter(|c| !skip.contains(&c.table.as_str()))
            .collect()
    };
    let a = keep(schema::columns(&sqlite.db).await.unwrap(), ONLY_SQLITE);
    let b = keep(schema::columns(&postgres.db).await.unwrap(), ONLY_POSTGRES);
    assert!(!a.is_empty(), "the schema has tables");
    let only_a: Vec<_> = a.iter().filter(|c| !b.contains(c)).collect();
    let only_b: Vec<_> = b.iter().filter(|c| !a.contains(c)).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty(),
        "schemas differ:\n  only in SQLite: {only_a:#?}\n  only in PostgreSQL: {only_b:#?}"
    );
}

#[tokio::test]
async fn bundled_sqlite_is_at_least_3_46() {
    let test_db = TestDb::create(Backend::Sqlite).await;
    let version = schema::engine_version(&test_db.db).await.unwrap();
    let parts: Vec<u32> = version.split('.').map(|p| p.parse().unwrap()).collect();
    assert!(
        (parts[0], parts[1]) >= (3, 46),
        "bundled SQLite is {version}; a dependency built for an older sqlx downgraded it"
    );
}

#[tokio::test]
async fn sqlite_runs_with_wal_and_foreign_keys() {
    let test_db = TestDb::create(Backend::Sqlite).await;
    let Db::Sqlite(pool) = &test_db.db else {
        unreachable!()
    };
    let mode: String = enishi_store::sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(pool)
        .await
        .unwrap();
    let fk: i64 = enishi_store::sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!((mode.as_str(), fk), ("wal", 1));
}

/// `BEGIN IMMEDIATE` makes concurrent read-modify-write transactions queue
/// instead of failing with "database is locked" or losing updates.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_write_transactions_queue_instead_of_failing() {
    let test_db = TestDb::create(Backend::Sqlite).await;
    assert!(
        meta::insert_once(&test_db.db, "counter", "0")
            .await
            .unwrap()
    );
    let mut tasks = Vec::new();
    for _ in 0..24 {
        let db = test_db.db.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = db.begin_write().await?;
            let current: String = db_run!(tx tx, |conn| {
                enishi_store::sqlx::query_scalar("SELECT value FROM meta WHERE key = 'counter'")
                    .fetch_one(&mut *conn)
                    .await
            })?;
            tokio::task::yield_now().await;
            let next = (current.parse::<i64>().unwrap() + 1).to_string();
            db_run!(tx tx, |conn| {
                enishi_store::sqlx::query("UPDATE meta SET value = $1 WHERE key = 'counter'")
                    .bind(next)
                    .execute(&mut *conn)
                    .await
                    .map(|_| ())
            })?;
            tx.commit().await
        }));
    }
    for task in tasks {
        task.await.unwrap().expect("no writer fails");
    }
    assert_eq!(
        meta::get(&test_db.db, "counter").await.unwrap().as_deref(),
        Some("24")
    );
}

async fn transactions_commit_or_roll_back(backend: Backend) {
    let test_db = TestDb::create(backend).await;
    let db = &test_db.db;
    let insert = "INSERT INTO meta (key, value, updated_at) VALUES ($1, 'v', 0)";
    let mut tx = db.begin_write().await.unwrap();
    db_run!(tx tx, |conn| enishi_store::sqlx::query(insert).bind("rolled").execute(&mut *conn).await.map(|_| ()))
        .unwrap();
    tx.rollback().await.unwrap();
    let mut tx = db.begin_write().await.unwrap();
    db_run!(tx tx, |conn| enishi_store::sqlx::query(insert).bind("dropped").execute(&mut *conn).await.map(|_| ()))
        .unwrap();
    drop(tx);
    let mut tx = db.begin_write().await.unwrap();
    db_run!(tx tx, |conn| enishi_store::sqlx::query(insert).bind("kept").execute(&mut *conn).await.map(|_| ()))
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(meta::get(db, "rolled").await.unwrap(), None);
    assert_eq!(meta::get(db, "dropped").await.unwrap(), None);
    assert_eq!(meta::get(db, "kept").await.unwrap().as_deref(), Some("v"));
}

async fn insert_once_is_once(backend: Backend) {
    let test_db = TestDb::create(backend).await;
    let db = &test_db.db;
    assert!(meta::insert_once(db, "k", "first").await.unwrap());
    assert!(!meta::insert_once(db, "k", "second").await.unwrap());
    assert_eq!(meta::get(db, "k").await.unwrap().as_deref(), Some("first"));
    meta::remove(db, "k").await.unwrap();
    assert_eq!(meta::get(db, "k").await.unwrap(), None);
}

/// 40,000 rows × 3 columns = 120,000 values: more than SQLite binds in one
/// statement and more rows than one PostgreSQL array statement takes, so
/// the helper must chunk; then lists of ids and of texts (short and long)
/// select exactly the rows asked for.
async fn bulk_insert_chunks_and_lists_select(backend: Backend) {
    let test_db = TestDb::create(backend).await;
    let mut tx = test_db.db.begin_write().await.unwrap();
    db_run!(tx tx, |conn| {
        enishi_store::sqlx::query("CREATE TEMPORARY TABLE bulk_probe (id BIGINT NOT NULL PRIMARY KEY, name TEXT, flag BOOLEAN)")
            .execute(&mut *conn)
            .await
            .map(|_| ())
    })
    .unwrap();
    let rows: Vec<Vec<SqlValue>> = (0..40_000i64)
        .map(|i| {
            vec![
                SqlValue::Int(Some(i)),
                SqlValue::Text(if i % 10 == 0 {
                    None
                } else {
                    Some(format!("名前{i}"))
                }),
                SqlValue::Bool(Some(i % 2 == 0)),
            ]
        })
        .collect();
    let written = bulk_insert(&mut tx, "bulk_probe", &["id", "name", "flag"], &rows, "")
        .await
        .unwrap();
    assert_eq!(written, 40_000);
    // Conflicting rows are skipped by the suffix, not an error.
    let again = bulk_insert(
        &mut tx,
        "bulk_probe",
        &["id", "name", "flag"],
        &rows[..5],
        "ON CONFLICT (id) DO NOTHING",
    )
    .await
    .unwrap();
    assert_eq!(again, 0);

    let dialect = tx.dialect();
    let by_id = format!(
        "SELECT id FROM bulk_probe WHERE {} ORDER BY id",
        dialect.in_list("id", 1)
    );
    let ids: Vec<i64> = db_run!(tx tx, |conn| {
        enishi_store::sqlx::query_scalar(AssertSqlSafe(by_id.clone()))
            .bind(IdList(vec![39_999, 7, 123_456, 0, 7]))
            .fetch_all(&mut *conn)
            .await
    })
    .unwrap();
    assert_eq!(ids, vec![0, 7, 39_999]);
    let empty: Vec<i64> = db_run!(tx tx, |conn| {
        enishi_store::sqlx::query_scalar(AssertSqlSafe(by_id.clone()))
            .bind(IdList(vec![]))
            .fetch_all(&mut *conn)
            .await
    })
    .unwrap();
    assert!(empty.is_empty());
    let by_name = format!(
        "SELECT id FROM bulk_probe WHERE flag = $1 AND {} ORDER BY id",
        dialect.in_list("name", 2)
    );
    let named: Vec<i64> = db_run!(tx tx, |conn| {
        enishi_store::sqlx::query_scalar(AssertSqlSafe(by_name))
            .bind(false)
            .bind(TextList(vec!["名前3".into(), "名前4".into(), "名前5".into(), "\"quoted\" ,[x]".into()]))
            .fetch_all(&mut *conn)
            .await
    })
    .unwrap();
    assert_eq!(named, vec![3, 5]);
    // the long-list form selects the same rows
    let by_long = format!(
        "SELECT id FROM bulk_probe WHERE flag = $1 AND {} ORDER BY id",
        dialect.in_long_list("name", 2)
    );
    let long: Vec<i64> = db_run!(tx tx, |conn| {
        enishi_store::sqlx::query_scalar(AssertSqlSafe(by_long))
            .bind(false)
            .bind(TextList((0..5_000).map(|i| format!("名前{i}")).chain(["\"quoted\" ,[x]".to_string()]).collect()))
            .fetch_all(&mut *conn)
            .await
    })
    .unwrap();
    assert_eq!(
        long,
        (0..5_000)
            .filter(|i| i % 2 == 1 && i % 10 != 0)
            .collect::<Vec<i64>>()
    );
    let nulls: i64 = db_run!(tx tx, |conn| {
        enishi_store::sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM bulk_probe WHERE name IS NULL")
            .fetch_one(&mut *conn)
            .await
    })
    .unwrap();
    assert_eq!(nulls, 4_000);
    tx.rollback().await.unwrap();
}

/// Ids handed out before the rows are written: fresh, increasing, taken
/// by the explicit-id insert (PostgreSQL's identity columns included), and
/// never handed out again — neither by a later allocation nor to a row
/// inserted the ordinary way.
async fn allocated_ids_are_fresh_and_taken(backend: Backend) {
    let test_db = TestDb::create(backend).await;
    let db = &test_db.db;
    let account_row = |id: i64, name: &str| {
        vec![
            SqlValue::from(id),
            SqlValue::from(name),
            SqlValue::from("ja"),
            SqlValue::from("Asia/Tokyo"),
            SqlValue::Text(None),
            SqlValue::from(false),
            SqlValue::from(1_i64),
            SqlValue::from(1_i64),
        ]
    };
    let columns = [
        "id",
        "display_name",
        "lang",
        "time_zone",
        "password_hash",
        "is_operator",
        "created_at",
        "updated_at",
    ];
    let mut tx = db.begin_write().await.unwrap();
    let first = allocate_ids(&mut tx, "accounts", 3).await.unwrap();
    assert_eq!(first.len(), 3);
    assert!(first.windows(2).all(|w| w[0] < w[1]), "{first:?}");
    let rows: Vec<_> = first
        .iter()
        .zip(["一", "二", "三"])
        .map(|(&id, name)| account_row(id, name))
        .collect();
    assert_eq!(
        bulk_insert_with_ids(&mut tx, "accounts", &columns, &rows, "")
            .await
            .unwrap(),
        3
    );
    assert!(
        allocate_ids(&mut tx, "accounts", 0)
            .await
            .unwrap()
            .is_empty()
    );
    tx.commit().await.unwrap();

    let mut tx = db.begin_write().await.unwrap();
    let second = allocate_ids(&mut tx, "accounts", 2).await.unwrap();
    assert!(second[0] > first[2], "{first:?} then {second:?}");
    let rows: Vec<_> = second.iter().map(|&id| account_row(id, "四")).collect();
    bulk_insert_with_ids(&mut tx, "accounts", &columns, &rows, "")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let ordinary: i64 = db_run!(db, |pool| {
        enishi_store::sqlx::query_scalar(
            "INSERT INTO accounts (display_name, lang, time_zone, password_hash, is_operator, created_at, updated_at) \
             VALUES ('五', 'ja', 'Asia/Tokyo', NULL, FALSE, 1, 1) RETURNING id",
        )
        .fetch_one(pool)
        .await
    })
    .unwrap();
    assert!(ordinary > second[1], "{second:?} then {ordinary}");
    let names: Vec<String> = db_run!(db, |pool| {
        enishi_store::sqlx::query_scalar("SELECT display_name FROM accounts ORDER BY id")
            .fetch_all(pool)
            .await
    })
    .unwrap();
    assert_eq!(names, ["一", "二", "三", "四", "四", "五"]);
}

async fn bulk_insert_refuses_bad_shapes(backend: Backend) {
    let test_db = TestDb::create(backend).await;
    let mut tx = test_db.db.begin_write().await.unwrap();
    let row = vec![vec![SqlValue::Text(Some("k".into()))]];
    for (table, columns) in [
        ("meta; DROP TABLE meta", vec!["key"]),
        ("meta", vec!["Key"]),
        ("meta", vec![]),
    ] {
        let err = bulk_insert(&mut tx, table, &columns, &row, "")
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Config(_)), "{err}");
    }
    let err = bulk_insert(&mut tx, "meta", &["key", "value"], &row, "")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("row 0 has 1 values for 2 columns"),
        "{err}"
    );
    // ids go first, and only into plain table names
    let err = bulk_insert_with_ids(&mut tx, "meta", &["key"], &row, "")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("`id` as the first column"),
        "{err}"
    );
    let err = allocate_ids(&mut tx, "meta; DROP TABLE meta", 1)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Config(_)), "{err}");
    // a cast only to a plain type name
    let cast = vec![vec![SqlValue::Cast(
        "k".into(),
        "text); DROP TABLE meta; --",
    )]];
    let err = bulk_insert(&mut tx, "meta", &["key"], &cast, "")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Config(_)), "{err}");
    // one type per column, on both engines (PostgreSQL binds one array per
    // column; SQLite would have stored the mix)
    let mixed = vec![
        vec![SqlValue::Text(Some("a".into())), SqlValue::Text(None)],
        vec![SqlValue::Text(Some("b".into())), SqlValue::Int(Some(1))],
    ];
    let err = bulk_insert(&mut tx, "meta", &["key", "value"], &mixed, "")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("row 1 has another type in column value"),
        "{err}"
    );
}

/// A failing migration names itself and leaves the database exactly as it
/// was before that migration (earlier ones stay applied).
async fn failing_migration_is_named_and_rolled_back(backend: Backend) {
    let test_db = TestDb::create_empty(backend).await;
    let migrator = Migrator::with_migrations(vec![
        migration(
            1,
            "create things",
            "CREATE TABLE things (id BIGINT NOT NULL PRIMARY KEY)",
        ),
        migration(
            2,
            "add half",
            "CREATE TABLE half_done (id BIGINT NOT NULL); INSERT INTO no_such_table VALUES (1);",
        ),
    ]);
    let err = migrate::run_with(&test_db.db, &migrator).await.unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(err, StoreError::MigrationFailed { .. }),
        "{message}"
    );
    assert!(
        message.contains("migration 0002_add_half failed"),
        "{message}"
    );
    assert!(message.contains("no_such_table"), "{message}");
    assert!(message.contains("left as it was"), "{message}");
    assert_eq!(table_names(&test_db.db).await, vec!["things".to_string()]);
    let applied: Vec<i64> = db_run!(&test_db.db, |pool| {
        enishi_store::sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(pool)
            .await
    })
    .unwrap();
    assert_eq!(applied, vec![1]);
}

/// Running the migrations again changes nothing; a database migrated by a
/// newer binary is refused with advice, not half-used.
async fn migrations_are_idempotent_and_newer_databases_refused(backend: Backend) {
    let test_db = TestDb::create(backend).await;
    migrate::run(&test_db.db)
        .await
        .expect("second run is a no-op");
    let before = schema::columns(&test_db.db).await.unwrap();
    let base = match backend {
        Backend::Sqlite => &migrate::SQLITE,
        Backend::Postgres => &migrate::POSTGRES,
    };
    let mut newer: Vec<Migration> = base.iter().cloned().collect();
    newer.push(migration(
        9_999,
        "from the future",
        "CREATE TABLE future_table (id BIGINT NOT NULL)",
    ));
    migrate::run_with(&test_db.db, &Migrator::with_migrations(newer))
        .await
        .unwrap();
    let err = migrate::run(&test_db.db).await.unwrap_err().to_string();
    assert!(err.contains("upgraded by a newer version"), "{err}");
    assert_eq!(
        schema::columns(&test_db.db).await.unwrap().len(),
        before.len() + 1
    );
}

async fn ping_answers(backend: Backend) {
    let test_db = TestDb::create(backend).await;
    test_db.db.ping().await.unwrap();
    assert_eq!(test_db.db.backend(), backend);
}

/// A bulk writer (the import's and the generator's handle) writes what the
/// database's own handle then reads; on SQLite it is a connection of its
/// own that checkpoints only past `BULK_CHECKPOINT_PAGES` while the pool
/// keeps SQLite's default, and finishing it checkpoints and empties the
/// WAL it filled.
async fn a_bulk_writer_writes_and_checkpoints_at_the_end(backend: Backend) {
    use enishi_store::BULK_CHECKPOINT_PAGES;
    let test_db = TestDb::create(backend).await;
    let db = &test_db.db;
    let bulk = db.bulk_writer().await.unwrap();
    // ~8 MB: past SQLite's default checkpoint (1,000 pages) in one commit
    let rows: Vec<Vec<SqlValue>> = (0..2_000i64)
        .map(|i| {
            vec![
                SqlValue::Text(Some(format!("bulk-{i}"))),
                SqlValue::Text(Some("縁".repeat(1_300))),
                SqlValue::Int(Some(i)),
            ]
        })
        .collect();
    let mut tx = bulk.begin_write().await.unwrap();
    let written = bulk_insert(&mut tx, "meta", &["key", "value", "updated_at"], &rows, "")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(written, 2_000);
    // the batch's rows as the database's own handle reads them
    let seen = || async {
        db_run!(db, |pool| {
            enishi_store::sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM meta WHERE key LIKE 'bulk-%'",
            )
            .fetch_one(pool)
            .await
        })
        .unwrap()
    };
    assert_eq!(
        seen().await,
        2_000,
        "the pool reads what the bulk writer wrote"
    );
    let wal = match (&test_db.config, &bulk, db) {
        (enishi_store::DbConfig::Sqlite { path }, Db::Sqlite(bulk_pool), Db::Sqlite(pool)) => {
            let setting = |pool| async move {
                enishi_store::sqlx::query_scalar::<_, i64>("PRAGMA wal_autocheckpoint")
                    .fetch_one(pool)
                    .await
                    .unwrap()
            };
            assert_eq!(setting(bulk_pool).await, i64::from(BULK_CHECKPOINT_PAGES));
            assert_eq!(
                setting(pool).await,
                1_000,
                "the pool keeps SQLite's default"
            );
            let wal = std::path::PathBuf::from(format!("{}-wal", path.display()));
            let filled = std::fs::metadata(&wal).unwrap().len();
            assert!(
                filled > 8_000_000,
                "the WAL holds the batch: {filled} bytes"
            );
            Some(wal)
        }
        (enishi_store::DbConfig::Postgres { .. }, Db::Postgres(_), Db::Postgres(_)) => None,
        _ => panic!("the bulk writer is on the database's engine"),
    };
    bulk.finish_bulk().await.unwrap();
    if let Some(wal) = wal {
        assert_eq!(
            std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0),
            0,
            "finishing checkpoints the batch into the file and empties the WAL"
        );
    }
    assert_eq!(seen().await, 2_000);
}

/// A bulk write's statistics: each named table is refreshed once what it
/// held has doubled, and only those due (PostgreSQL analyses them by name:
/// `reltuples` is -1 until a table is first analysed); a table that grew
/// by less than a tenth is left alone at the end.
async fn statistics_follow_the_tables_that_grew(backend: Backend) {
    use enishi_store::housekeeping::RefreshAsItGrows;
    let test_db = TestDb::create(backend).await;
    let db = &test_db.db;
    // rows `from..from + n` of meta (key, value, updated_at) or of
    // throttle (key, window_start, hits)
    let insert = |table: &'static str, columns: [&'static str; 3], from: i64, n: i64| async move {
        let rows: Vec<Vec<SqlValue>> = (from..from + n)
            .map(|i| {
                let second = match table {
                    "meta" => SqlValue::Text(Some(i.to_string())),
                    _ => SqlValue::Int(Some(0)),
                };
                vec![
                    SqlValue::Text(Some(format!("stat-{i}"))),
                    second,
                    SqlValue::Int(Some(i)),
                ]
            })
            .collect();
        let mut tx = db.begin_write().await.unwrap();
        bulk_insert(&mut tx, table, &columns, &rows, "")
            .await
            .unwrap();
        tx.commit().await.unwrap();
    };
    const META: [&str; 3] = ["key", "value", "updated_at"];
    const THROTTLE: [&str; 3] = ["key", "window_start", "hits"];
    if let Db::Postgres(pool) = db {
        // (a server's autovacuum would analyse 300 new rows on its own)
        for table in ["meta", "throttle"] {
            enishi_store::sqlx::query(AssertSqlSafe(format!(
                "ALTER TABLE {table} SET (autovacuum_enabled = false)"
            )))
            .execute(pool)
            .await
            .unwrap();
        }
    }
    insert("meta", META, 0, 300).await;
    let analysed = |table: &'static str| async move {
        match db {
            Db::Postgres(pool) => Some(
                enishi_store::sqlx::query_scalar::<_, f32>(
                    "SELECT reltuples FROM pg_class WHERE relname = $1",
                )
                .bind(table)
                .fetch_one(pool)
                .await
                .unwrap(),
            ),
            Db::Sqlite(_) => None,
        }
    };
    // meta holds 300 and more (its next refresh at twice that), throttle
    // nothing (its first after 10 rows)
    let mut statistics = RefreshAsItGrows::counting(db, &["meta", "throttle"], 10)
        .await
        .unwrap();
    insert("throttle", THROTTLE, 0, 20).await;
    statistics.wrote(db, 20).await.unwrap();
    if backend == Backend::Postgres {
        assert_eq!(
            analysed("throttle").await,
            Some(20.0),
            "the empty table doubled"
        );
        assert_eq!(analysed("meta").await, Some(-1.0), "meta did not double");
    }
    insert("throttle", THROTTLE, 20, 5).await;
    insert("meta", META, 300, 5).await;
    statistics.wrote(db, 5).await.unwrap();
    statistics.finish(db).await.unwrap();
    if backend == Backend::Postgres {
        assert_eq!(
            analysed("throttle").await,
            Some(20.0),
            "5 rows are fewer than the least a refresh waits for"
        );
        assert_eq!(
            analysed("meta").await,
            Some(-1.0),
            "5 rows are not a tenth of 300"
        );
    }
    let mut statistics = RefreshAsItGrows::counting(db, &["meta", "throttle"], 10)
        .await
        .unwrap();
    insert("meta", META, 305, 40).await;
    insert("throttle", THROTTLE, 25, 40).await;
    statistics.wrote(db, 40).await.unwrap();
    statistics.finish(db).await.unwrap();
    if backend == Backend::Postgres {
        assert_eq!(analysed("throttle").await, Some(65.0), "25 doubled");
        let meta = analysed("meta").await.unwrap();
        assert!(
            meta >= 345.0,
            "a tenth more than meta held: analysed at the end ({meta})"
        );
    }
}

/// One verified address, one account: a second account cannot be created
/// with it (an invitation to it finds the first), nor verify it later.
async fn a_verified_address_belongs_to_one_account(backend: Backend) {
    use enishi_store::accounts::{self, AddEmail, NewAccount, VerifyEmail};
    let test_db = TestDb::create(backend).await;
    let db = &test_db.db;
    let new = |email: &'static str, verified| NewAccount {
        display_name: "x",
        email,
        email_verified: verified,
        lang: "ja",
        time_zone: "Asia/Tokyo",
        is_operator: false,
    };
    let first = accounts::create(db, &new("same@example.jp", true))
        .await
        .unwrap();
    let err = accounts::create(db, &new("same@example.jp", true))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict("email")), "{err}");
    assert_eq!(
        accounts::by_verified_email(db, "same@example.jp")
            .await
            .unwrap()
            .unwrap()
            .id,
        first.id
    );
    // the failed create left no half account behind
    let accounts_now: i64 = db_run!(db, |pool| {
        enishi_store::sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM accounts")
            .fetch_one(pool)
            .await
    })
    .unwrap();
    assert_eq!(accounts_now, 1);
    let second = accounts::create(db, &new("second@example.jp", true))
        .await
        .unwrap();
    assert!(matches!(
        accounts::add_email(db, second.id, "same@example.jp")
            .await
            .unwrap(),
        AddEmail::Added(_)
    ));
    assert_eq!(
        accounts::verify_email(db, second.id, "same@example.jp")
            .await
            .unwrap(),
        VerifyEmail::TakenElsewhere
    );
    assert_eq!(
        accounts::add_email(db, first.id, "same@example.jp")
            .await
            .unwrap(),
        AddEmail::AlreadyYours
    );
    // an unverified claim is dropped when the rightful owner verifies
    accounts::create(db, &new("third@example.jp", true))
        .await
        .unwrap();
    let third = accounts::by_verified_email(db, "third@example.jp")
        .await
        .unwrap()
        .unwrap();
    accounts::add_email(db, third.id, "fresh@example.jp")
        .await
        .unwrap();
    accounts::add_email(db, second.id, "fresh@example.jp")
        .await
        .unwrap();
    assert_eq!(
        accounts::verify_email(db, second.id, "fresh@example.jp")
            .await
            .unwrap(),
        VerifyEmail::Verified
    );
    assert!(
        accounts::emails(db, third.id)
            .await
            .unwrap()
            .iter()
            .all(|e| e.email != "fresh@example.jp")
    );
}

/// Fixed-window counters count exactly under concurrency.
async fn throttle_counts_exactly(backend: Backend) {
    let test_db = TestDb::create(backend).await;
    let now = enishi_store::now_ms();
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let db = test_db.db.clone();
        tasks.push(tokio::spawn(async move {
            enishi_store::throttle::hit(&db, "k", now, 60_000)
                .await
                .unwrap()
                .0
        }));
    }
    let mut seen: Vec<i64> = Vec::new();
    for t in tasks {
        seen.push(t.await.unwrap());
    }
    seen.sort();
    assert_eq!(seen, (1..=40).collect::<Vec<_>>());
    assert_eq!(
        enishi_store::throttle::peek(&test_db.db, "k", now + 1, 60_000)
            .await
            .unwrap()
            .0,
        40
    );
    // a new window starts over
    assert_eq!(
        enishi_store::throttle::hit(&test_db.db, "k", now + 60_001, 60_000)
            .await
            .unwrap()
            .0,
        1
    );
}

/// Housekeeping removes only what is no longer needed, and only one
/// caller per hour runs it.
async fn housekeeping_tidies_what_is_spent(backend: Backend) {
    use enishi_store::{housekeeping, jobs, login_tokens, sessions, throttle};
    let test_db = TestDb::create(backend).await;
    let db = &test_db.db;
    let now = enishi_store::now_ms();
    let day = 24 * 60 * 60 * 1000;
    let account = enishi_store::accounts::create(
        db,
        &enishi_store::accounts::NewAccount {
            display_name: "x",
            email: "x@example.jp",
            email_verified: true,
            lang: "ja",
            time_zone: "Asia/Tokyo",
            is_operator: false,
        },
    )
    .await
    .unwrap();
    let session = |hash: &'static str, expires_at| sessions::NewSession {
        token_hash: hash,
        account_id: account.id,
        now: now - 40 * day,
        expires_at,
        ip: None,
        user_agent: None,
    };
    sessions::create(db, &session("old", now - 1))
        .await
        .unwrap();
    sessions::create(db, &session("live", now + day))
        .await
        .unwrap();
    login_tokens::create(
        db,
        login_tokens::Purpose::SignIn,
        account.id,
        "x@example.jp",
        "spent",
        now - 9 * day,
        now - 8 * day,
    )
    .await
    .unwrap();
    login_tokens::create(
        db,
        login_tokens::Purpose::SignIn,
        account.id,
        "x@example.jp",
        "recent",
        now - day,
        now - day / 2,
    )
    .await
    .unwrap();
    throttle::hit(db, "old-window", now - 2 * day, 60_000)
        .await
        .unwrap();
    throttle::hit(db, "this-window", now, 60_000).await.unwrap();
    let done = jobs::enqueue(db, "x", "{}", now, 1, now - 40 * day)
        .await
        .unwrap();
    jobs::complete(db, done, now - 31 * day).await.unwrap();
    let failed = jobs::enqueue(db, "x", "{}", now, 1, now - 40 * day)
        .await
        .unwrap();
    jobs::fail(db, failed, "boom", now - 31 * day, None)
        .await
        .unwrap();

    assert!(housekeeping::claim_run(db, now).await.unwrap());
    assert!(
        !housekeeping::claim_run(db, now + 1_000).await.unwrap(),
        "once an hour"
    );
    let tidied = housekeeping::tidy(db, now).await.unwrap();
    assert_eq!(
        tidied,
        housekeeping::Tidied {
            sessions: 1,
            links: 1,
            throttle: 1,
            jobs: 1,
            records: 0
        }
    );
    let live = sessions::live_with_account(db, "live", now)
        .await
        .unwrap()
        .expect("the live session stays");
    assert_eq!(live.account.id, account.id);
    assert!(
        sessions::live_with_account(db, "old", now)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        login_tokens::peek(db, login_tokens::Purpose::SignIn, "recent", now)
            .await
            .unwrap(),
        login_tokens::LinkState::Expired
    );
    assert_eq!(
        jobs::get(db, failed).await.unwrap().unwrap().status,
        "failed",
        "failures stay for the operator"
    );
    assert!(
        housekeeping::claim_run(db, now + 60 * 60 * 1000 + 1)
            .await
            .unwrap(),
        "the next hour runs again"
    );
}

dual_test!(
    golden_search_conformance,
    the_members_tally_follows_every_write,
    members_without_profiles_get_them_once,
    an_old_search_index_is_rebuilt,
    profile_words_follow_their_profile,
    counts_stop_past_a_thousand,
    a_claimed_record_is_found_by_members,
    only_active_members_are_listed,
    housekeeping_tidies_what_is_spent,
    a_verified_address_belongs_to_one_account,
    throttle_counts_exactly,
    transactions_commit_or_roll_back,
    insert_once_is_once,
    bulk_insert_chunks_and_lists_select,
    bulk_insert_refuses_bad_shapes,
    allocated_ids_are_fresh_and_taken,
    failing_migration_is_named_and_rolled_back,
    migrations_are_idempotent_and_newer_databases_refused,
    ping_answers,
    a_bulk_writer_writes_and_checkpoints_at_the_end,
    statistics_follow_the_tables_that_grew,
    the_leave_year_order_pages_through_everyone,
);
