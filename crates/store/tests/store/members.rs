//! The members tally (migration 0009) against a count of the rows, after
//! every kind of write: joins, re-joins, admin changes, bulk inserts, and
//! deletes by cascade.

use enishi_store::memberships::{self, Consent, MemberFilter, NewMembership};
use enishi_store::networks::NetworkId;
use enishi_store::{Backend, Db, accounts, db_run, networks, profiles, sqlx};
use enishi_testkit::TestDb;

/// A network for a test (invitation-only, unlisted).
pub async fn network(db: &Db, slug: &str) -> NetworkId {
    networks::create(
        db,
        &networks::NewNetwork {
            slug,
            name_ja: "集計",
            name_en: "Tally",
            description_ja: "",
            description_en: "",
            accent_color: "#22406b",
            join_policy: "invitation",
            staff_domains: &[],
            listed: false,
            purposes: ("目的", "Purposes"),
            guidelines: ("ガイドライン", "Guidelines"),
            created_by: None,
        },
    )
    .await
    .unwrap()
    .scope()
}

async fn account(db: &Db, n: usize) -> i64 {
    account_named(db, "集計 太郎", &format!("tally{n}@example.jp")).await
}

/// A new account (verified address, Japanese, Tokyo) for the store's
/// tests; its id.
pub async fn account_named(db: &Db, name: &str, email: &str) -> i64 {
    accounts::create(
        db,
        &accounts::NewAccount {
            display_name: name,
            email,
            email_verified: true,
            lang: "ja",
            time_zone: "Asia/Tokyo",
            is_operator: false,
        },
    )
    .await
    .unwrap()
    .id
}

/// The counts as the members list shows them, computed from the rows.
async fn counted(db: &Db, net: NetworkId) -> Vec<(String, String, i64)> {
    db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT 'status', status, CAST(COUNT(*) AS BIGINT) FROM memberships WHERE network_id = $1 GROUP BY status \
             UNION ALL SELECT 'role', role, CAST(COUNT(*) AS BIGINT) FROM memberships WHERE network_id = $1 AND status = 'active' GROUP BY role \
             UNION ALL SELECT 'kind', kind, CAST(COUNT(*) AS BIGINT) FROM memberships WHERE network_id = $1 AND status = 'active' GROUP BY kind \
             ORDER BY 1, 2",
        )
        .bind(net.0)
        .fetch_all(pool)
        .await
    })
    .unwrap()
}

async fn assert_tally(db: &Db, net: NetworkId, when: &str) {
    let want = counted(db, net).await;
    assert_eq!(
        memberships::counts(db, net).await.unwrap(),
        want,
        "counts {when}"
    );
    let total: i64 = want.iter().filter(|c| c.0 == "status").map(|c| c.2).sum();
    assert_eq!(
        memberships::count(db, net, &MemberFilter::default())
            .await
            .unwrap(),
        total,
        "total {when}"
    );
    let active_alumni = MemberFilter {
        kind: Some("alumni".into()),
        status: Some("active".into()),
        role: None,
    };
    let want_alumni = db_run!(db, |pool| {
        sqlx::query_scalar::<_, i64>(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM memberships \
             WHERE network_id = $1 AND kind = 'alumni' AND status = 'active'",
        )
        .bind(net.0)
        .fetch_one(pool)
        .await
    })
    .unwrap();
    assert_eq!(
        memberships::count(db, net, &active_alumni).await.unwrap(),
        want_alumni,
        "active alumni {when}"
    );
}

/// Every profile of the network is `listed` exactly when its account is an
/// active member there (migration 0026's triggers); returns how many are.
async fn assert_listed(db: &Db, net: NetworkId, when: &str) -> i64 {
    let (wrong, listed): (i64, i64) = db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(CASE WHEN (CASE WHEN p.listed THEN 1 ELSE 0 END) <> \
                 (CASE WHEN EXISTS (SELECT 1 FROM memberships m WHERE m.network_id = p.network_id \
                   AND m.account_id = p.account_id AND m.status = 'active') THEN 1 ELSE 0 END) \
                 THEN 1 ELSE 0 END), 0) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN p.listed THEN 1 ELSE 0 END), 0) AS BIGINT) \
             FROM profiles p WHERE p.network_id = $1",
        )
        .bind(net.0)
        .fetch_one(pool)
        .await
    })
    .unwrap();
    assert_eq!(wrong, 0, "profiles whose listing is wrong {when}");
    listed
}

/// The members tally and each profile's directory listing (both kept by
/// triggers) stay exact through every write path.
pub async fn the_members_tally_follows_every_write(backend: Backend) {
    let test_db = TestDb::create(backend).await;
    let db = &test_db.db;
    let net = network(db, "tally").await;
    let other = network(db, "other").await;
    assert_tally(db, net, "when empty").await;
    assert_listed(db, net, "when empty").await;
    assert!(memberships::counts(db, net).await.unwrap().is_empty());

    let consent = Consent {
        purposes_version: 1,
        guidelines_version: 1,
        ip: None,
    };
    let join = |account_id, role, kind, status| NewMembership {
        account_id,
        role,
        kind,
        status,
        note: None,
    };
    let mut people = Vec::new();
    for (n, (role, kind, status)) in [
        ("owner", "hr", "active"),
        ("member", "alumni", "active"),
        ("member", "alumni", "active"),
        ("member", "employee", "active"),
        ("member", "alumni", "pending"),
        ("moderator", "alumni", "active"),
    ]
    .into_iter()
    .enumerate()
    {
        let account_id = account(db, n).await;
        let (m, _) = memberships::join(db, net, &join(account_id, role, kind, status), &consent)
            .await
            .unwrap();
        people.push((account_id, m.id));
    }
    // the same person in another network counts there only
    memberships::join(
        db,
        other,
        &join(people[1].0, "member", "alumni", "active"),
        &consent,
    )
    .await
    .unwrap();
    assert_tally(db, net, "after joins").await;
    assert_listed(db, net, "after joins").await;
    assert_tally(db, other, "after joins (other network)").await;
    assert_listed(db, other, "after joins (other network)").await;

    // a second join of an active member changes nothing
    memberships::join(
        db,
        net,
        &join(people[1].0, "member", "alumni", "active"),
        &consent,
    )
    .await
    .unwrap();
    assert_tally(db, net, "after a repeated join").await;
    assert_listed(db, net, "after a repeated join").await;

    memberships::set_status(db, net, people[4].1, "active")
        .await
        .unwrap();
    memberships::set_role(db, net, people[2].1, "moderator")
        .await
        .unwrap();
    memberships::set_kind(db, net, people[3].1, "alumni")
        .await
        .unwrap();
    memberships::set_status(db, net, people[5].1, "left")
        .await
        .unwrap();
    assert_tally(db, net, "after admin changes").await;
    assert_listed(db, net, "after admin changes").await;

    // one who left joins again (the upsert's update path)
    memberships::join(
        db,
        net,
        &join(people[5].0, "member", "alumni", "pending"),
        &consent,
    )
    .await
    .unwrap();
    assert_tally(db, net, "after a re-join").await;
    assert_listed(db, net, "after a re-join").await;

    memberships::remove(db, net, people[2].1).await.unwrap();
    assert_tally(db, net, "after a removal").await;
    assert_listed(db, net, "after a removal").await;

    // the bulk path of imports and the generator: many rows per statement
    let bulk: Vec<profiles::NewPerson> = (0..1500)
        .map(|i| profiles::NewPerson {
            display_name: format!("一括 {i}"),
            kind: if i % 3 == 0 { "employee" } else { "alumni" },
            profile: Default::default(),
            joined_at: 1_700_000_000_000 + i,
        })
        .collect();
    profiles::insert_people(db, net, &bulk).await.unwrap();
    assert_tally(db, net, "after a bulk insert").await;
    let listed = assert_listed(db, net, "after a bulk insert").await;
    assert!(listed > 1_000, "the bulk members are listed ({listed})");

    // HR's record nobody has joined from is not listed; claimed by an
    // active member (whose own profile made way), it is
    let mut tx = db.begin_write().await.unwrap();
    let record = profiles::insert(&mut tx, net, None, &Default::default(), "hr", 1)
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    assert_listed(db, net, "after HR's record").await;
    let claimer = people[3].0;
    db_run!(db, |pool| {
        sqlx::query("DELETE FROM profiles WHERE network_id = $1 AND account_id = $2")
            .bind(net.0)
            .bind(claimer)
            .execute(pool)
            .await
            .map(|_| ())
    })
    .unwrap();
    assert!(profiles::claim(db, net, record, claimer).await.unwrap());
    assert_eq!(
        assert_listed(db, net, "after a claim").await,
        listed,
        "the claimed record is listed in place of the profile it replaced"
    );
    // suspended, then active again
    memberships::set_status(db, net, people[3].1, "suspended")
        .await
        .unwrap();
    assert_eq!(
        assert_listed(db, net, "after a suspension").await,
        listed - 1
    );
    memberships::set_status(db, net, people[3].1, "active")
        .await
        .unwrap();
    assert_eq!(
        assert_listed(db, net, "after a reinstatement").await,
        listed
    );

    // deleting an account removes its memberships by cascade, in every network
    db_run!(db, |pool| {
        sqlx::query("DELETE FROM accounts WHERE id = $1")
            .bind(people[1].0)
            .execute(pool)
            .await
            .map(|_| ())
    })
    .unwrap();
    assert_tally(db, net, "after an account was deleted").await;
    assert_listed(db, net, "after an account was deleted").await;
    assert_tally(db, other, "after an account was deleted (other network)").await;
    assert_listed(db, other, "after an account was deleted (other network)").await;

    // deleting a network takes its tally with it and leaves the other's
    db_run!(db, |pool| {
        sqlx::query("DELETE FROM networks WHERE id = $1")
            .bind(net.0)
            .execute(pool)
            .await
            .map(|_| ())
    })
    .unwrap();
    let left: i64 = db_run!(db, |pool| {
        sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM member_tally WHERE network_id = $1",
        )
        .bind(net.0)
        .fetch_one(pool)
        .await
    })
    .unwrap();
    assert_eq!(left, 0, "a deleted network leaves no tally");
    assert_tally(db, other, "after the first network was deleted").await;
    assert_listed(db, other, "after the first network was deleted").await;
}

/// Members who joined before profiles existed get theirs at the next
/// start, once: the check scans every membership, so it is not repeated
/// at every start (1.1 s at 1M members).
pub async fn members_without_profiles_get_them_once(backend: Backend) {
    let test_db = TestDb::create(backend).await;
    let db = &test_db.db;
    let net = network(db, "backfill").await;
    let without_profile = |account_id: i64| async move {
        db_run!(db, |pool| {
            sqlx::query(
                "INSERT INTO memberships (network_id, account_id, role, kind, status, created_at, updated_at) \
                 VALUES ($1, $2, 'member', 'alumni', 'active', 1, 1)",
            )
            .bind(net.0)
            .bind(account_id)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .unwrap();
    };
    let has_profile = |account_id: i64| async move {
        profiles::of_account(db, net, account_id)
            .await
            .unwrap()
            .is_some()
    };
    let old = account(db, 1).await;
    without_profile(old).await;
    assert!(!has_profile(old).await);
    // as on a database from before profiles: the marker is not there
    enishi_store::meta::remove(db, "profiles_backfilled")
        .await
        .unwrap();
    enishi_store::migrate::run(db).await.unwrap();
    assert!(has_profile(old).await, "backfilled at start");

    let later = account(db, 2).await;
    without_profile(later).await;
    enishi_store::migrate::run(db).await.unwrap();
    assert!(!has_profile(later).await, "the scan runs once per database");
}
