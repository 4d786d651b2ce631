//! The authorization matrix: every row of the route table, called by every
//! kind of visitor, must answer as its access rule says. The router is built
//! from the same table, so a new route cannot escape this test; a row whose
//! path parameters have no sample here fails it until one is added.
//!
//! Visitors (ARCHITECTURE.md › Tests): anonymous; an account in another
//! network (the owner of network B); an alumni member, a current-staff
//! member, a moderator and an owner of network A; a platform operator.
//! Each call gets a fresh account, so routes that sign out, leave or revoke
//! cannot spoil the calls after them.
//!
//! The cross-network test then calls every network object route with one
//! network's slug and the other network's ids: all 404, nothing changed.

use axum::http::Method;
use enishi_store::accounts::{self, Account};
use enishi_store::networks::Network;
use enishi_store::{api_tokens, invitations, memberships, now_ms, outbox, sessions};
use enishi_testkit::{Backend, TestApp, Visitor, dual_test, unique_number};

use crate::{fresh_account, join, make_network};
use enishi_web::routes::{self, Access, Kind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Anonymous,
    OtherNetwork,
    Alumni,
    Staff,
    Moderator,
    Owner,
    Operator,
}

const EVERYONE: [Who; 7] = [
    Who::Anonymous,
    Who::OtherNetwork,
    Who::Alumni,
    Who::Staff,
    Who::Moderator,
    Who::Owner,
    Who::Operator,
];

/// Whether `who` may use a route with `access` (in network A).
fn allowed(access: Access, who: Who) -> bool {
    match access {
        Access::Public => true,
        Access::SignedIn => who != Who::Anonymous,
        Access::Operator => who == Who::Operator,
        Access::Member | Access::MemberAnyConsent => {
            matches!(who, Who::Alumni | Who::Staff | Who::Moderator | Who::Owner)
        }
        Access::NetworkAdmin => who == Who::Owner,
        Access::NetworkModerator => matches!(who, Who::Moderator | Who::Owner),
        // the matrix's staff member is not authorised to post
        Access::OpportunityPoster => who == Who::Owner,
    }
}

struct World {
    a: Network,
    b: Network,
}

/// A fresh visitor of kind `who`, and its account.
async fn visitor(app: &TestApp, world: &World, who: Who) -> (Visitor, Option<Account>) {
    let (network, role, kind, operator) = match who {
        Who::Anonymous => {
            let v = app.new_visitor();
            v.get("/").await;
            return (v, None);
        }
        Who::OtherNetwork => (Some(&world.b), "owner", "hr", false),
        Who::Alumni => (Some(&world.a), "member", "alumni", false),
        Who::Staff => (Some(&world.a), "member", "employee", false),
        Who::Moderator => (Some(&world.a), "moderator", "alumni", false),
        Who::Owner => (Some(&world.a), "owner", "hr", false),
        Who::Operator => (None, "", "", true),
    };
    let account = fresh_account(app, operator).await;
    if let Some(n) = network {
        join(app, n, account.id, role, kind).await;
    }
    (app.visitor_signed_in_as(account.id).await, Some(account))
}

/// Objects a route may name, fresh for each call, in `network`, owned by
/// `owner` where they belong to an account.
async fn sample_path(
    app: &TestApp,
    template: &str,
    slug: &str,
    network: &Network,
    owner: i64,
) -> String {
    let mut path = template.replace("{slug}", slug);
    if path.contains("{file}") {
        let css = enishi_web::assets::url("app.css")
            .trim_start_matches("/static/")
            .to_string();
        path = path.replace("{file}", &css);
    }
    path = path.replace("{*file}", "index.html");
    if path.contains("{email_id}") {
        let address = format!("m{}@example.jp", unique_number());
        let accounts::AddEmail::Added(row) =
            accounts::add_email(&app.db, owner, &address).await.unwrap()
        else {
            panic!()
        };
        accounts::verify_email(&app.db, owner, &address)
            .await
            .unwrap();
        path = path.replace("{email_id}", &row.id.to_string());
    }
    if path.contains("{session_id}") {
        let now = now_ms();
        let hash = format!("{:064x}", unique_number());
        let id = sessions::create(
            &app.db,
            &sessions::NewSession {
                token_hash: &hash,
                account_id: owner,
                now,
                expires_at: now + 60_000,
                ip: None,
                user_agent: None,
            },
        )
        .await
        .unwrap();
        path = path.replace("{session_id}", &id.to_string());
    }
    if path.contains("{token_id}")
        || (path.starts_with("/api/v1/me/tokens/") && path.contains("{id}"))
    {
        let hash = format!("{:064x}", unique_number());
        let token = api_tokens::create(&app.db, owner, "matrix", &hash, "enishi_x", now_ms())
            .await
            .unwrap();
        path = path
            .replace("{token_id}", &token.id.to_string())
            .replace("{id}", &token.id.to_string());
    }
    if path.contains("{membership_id}") || path.contains("{id}") {
        let target = fresh_account(app, false).await;
        let id = join(app, network, target.id, "member", "alumni").await;
        path = path
            .replace("{membership_id}", &id.to_string())
            .replace("{id}", &id.to_string());
    }
    if path.contains("{profile_id}") {
        let target = fresh_account(app, false).await;
        join(app, network, target.id, "member", "alumni").await;
        let profile = enishi_store::profiles::of_account(&app.db, network.scope(), target.id)
            .await
            .unwrap()
            .unwrap();
        path = path.replace("{profile_id}", &profile.id.to_string());
    }
    if path.contains("{image_key}") {
        let key = format!("{:032x}", unique_number());
        enishi_store::images::insert(
            &app.db,
            network.scope(),
            &enishi_store::images::NewImage {
                key: &key,
                account_id: Some(owner),
                purpose: "profile",
                width: 1,
                height: 1,
                large: b"large",
                small: b"small",
            },
        )
        .await
        .unwrap();
        path = path
            .replace("{image_key}", &key)
            .replace("{size}", "128.jpg");
    }
    if path.contains("{invitation_id}") {
        let hash = format!("{:064x}", unique_number());
        let new = invitations::NewInvitation {
            email: "x@example.jp",
            role: "member",
            kind: "alumni",
            token_hash: &hash,
            invited_by: None,
            expires_at: now_ms() + 60_000,
            record_id: None,
        };
        let inv = invitations::create(&app.db, network.scope(), &new)
            .await
            .unwrap();
        path = path.replace("{invitation_id}", &inv.id.to_string());
    }
    if path.contains("{import_id}") {
        let names = std::collections::BTreeMap::new();
        let import = enishi_store::intake::create_import(
            &app.db,
            network.scope(),
            &enishi_store::intake::NewImport {
                created_by: None,
                file_name: "matrix.csv",
                encoding: "utf-8",
                parts: &[("氏名,メールアドレス\n鈴木 一郎,ichiro@example.jp\n", 1)],
                mapping: &names,
                total_rows: 1,
            },
        )
        .await
        .unwrap();
        path = path.replace("{import_id}", &import.id.to_string());
    }
    if path.contains("{group_id}") {
        // an open group of the shared space, run by the visitor
        let id = enishi_store::groups::create(
            &app.db,
            network.scope(),
            &enishi_store::groups::NewGroup {
                name: "行列の会",
                description: "",
                category: "interest",
                access: "open",
                space: "shared",
                status: "active",
                creator: owner,
            },
            now_ms(),
        )
        .await
        .unwrap();
        path = path.replace("{group_id}", &id.to_string());
    }
    if path.contains("{post_id}") {
        // news by the visitor, so authors' routes (edit) and admins' (pin)
        // have something that is theirs to act on; held for review where
        // the route releases held posts
        let new = enishi_store::posts::NewPost {
            html: "",
            group_id: None,
            kind: "news",
            author_id: owner,
            title: "行列",
            body: "行列のお知らせ",
            audience: "everyone",
            once_key: None,
            held: path.contains("/moderation/held/"),
            image: None,
        };
        let (post_id, _) = enishi_store::posts::create(&app.db, network.scope(), &new, now_ms())
            .await
            .unwrap();
        if path.contains("{comment_id}") {
            let added = enishi_store::posts::add_comment(
                &app.db,
                network.scope(),
                &enishi_store::posts::NewComment {
                    html: "",
                    post_id,
                    reply_to: None,
                    author_id: owner,
                    body: "行列のコメント",
                    once_key: None,
                },
                now_ms(),
            )
            .await
            .unwrap();
            let enishi_store::posts::Added::Created(comment_id) = added else {
                panic!("{added:?}")
            };
            path = path.replace("{comment_id}", &comment_id.to_string());
        }
        path = path
            .replace("{post_id}", &post_id.to_string())
            .replace("{reaction}", "like");
    }
    if path.contains("{report_id}") {
        // a member's report of someone else's post in the shared space
        let author = fresh_account(app, false).await;
        let new = enishi_store::posts::NewPost {
            html: "",
            group_id: None,
            kind: "post",
            author_id: author.id,
            title: "",
            body: "報告される投稿",
            audience: "everyone",
            once_key: None,
            held: false,
            image: None,
        };
        let (post_id, _) = enishi_store::posts::create(&app.db, network.scope(), &new, now_ms())
            .await
            .unwrap();
        let report = enishi_store::moderation::NewReport {
            target: "post",
            target_id: post_id,
            post_id,
            space: "shared",
            reporter_id: owner,
            reason: "spam",
            note: "",
        };
        enishi_store::moderation::report(&app.db, network.scope(), &report, now_ms())
            .await
            .unwrap();
        let found = enishi_store::moderation::queue(
            &app.db,
            network.scope(),
            &["shared"],
            enishi_store::moderation::Queue::Open,
        )
        .await
        .unwrap();
        let id = found.iter().find(|r| r.post_id == post_id).unwrap().id;
        path = path.replace("{report_id}", &id.to_string());
    }
    if path.contains("{conversation_id}") {
        // a direct conversation of the visitor with an active member, with
        // one message from that member (to report)
        let other = fresh_account(app, false).await;
        join(app, network, other.id, "member", "alumni").await;
        let id =
            enishi_store::messages::direct(&app.db, network.scope(), owner, other.id, now_ms())
                .await
                .unwrap();
        let (message, _) = enishi_store::messages::send(
            &app.db,
            network.scope(),
            &enishi_store::messages::NewMessage {
                conversation_id: id,
                author_id: other.id,
                kind: "text",
                body: "行列のメッセージ",
                once_key: None,
            },
            now_ms(),
        )
        .await
        .unwrap();
        path = path
            .replace("{conversation_id}", &id.to_string())
            .replace("{dm_id}", &message.to_string());
    }
    if path.contains("{opportunity_id}") {
        // an open project posted by the visitor (so the poster's routes
        // have something that is theirs to run), with one answer
        let id = enishi_store::opportunities::create(
            &app.db,
            network.scope(),
            &enishi_store::opportunities::NewOpportunity {
                kind: "project",
                title: "行列の案件",
                description: "",
                audience: "network",
                group_id: None,
                status: "open",
                deadline: None,
                skills: "[\"SQL\"]",
                details: "{}",
                picks: &[],
            },
            owner,
            now_ms(),
        )
        .await
        .unwrap();
        if path.contains("{answer_id}") {
            // the visitor's own answer, so the member's route (withdraw)
            // and the poster's (the pipeline) both have theirs to act on
            let answered = enishi_store::opportunities::answer(
                &app.db,
                network.scope(),
                &enishi_store::opportunities::NewAnswer {
                    opportunity_id: id,
                    account_id: owner,
                    answer: "interest",
                    note: "行列",
                    cv_url: "",
                    referred_name: "",
                    referred_email: "",
                    relationship: "",
                    consent_at: None,
                },
                now_ms(),
            )
            .await
            .unwrap();
            let enishi_store::opportunities::Answered::Created(answer) = answered else {
                panic!("{answered:?}")
            };
            path = path.replace("{answer_id}", &answer.to_string());
        }
        path = path.replace("{opportunity_id}", &id.to_string());
    }
    if path.contains("{business_id}") {
        // a listing of the visitor's own
        let id = enishi_store::businesses::create(
            &app.db,
            network.scope(),
            owner,
            &enishi_store::businesses::NewBusiness {
                name: "行列商会",
                kana: "",
                offer: "行列の販売",
                industry: "",
                url: "",
            },
            now_ms(),
        )
        .await
        .unwrap();
        path = path.replace("{business_id}", &id.to_string());
    }
    if path.contains("{event_id}") {
        // a published event the visitor organises and is going to (so the
        // organiser's pages and the ticket have something of theirs)
        let id = enishi_store::events::create(
            &app.db,
            network.scope(),
            &enishi_store::events::NewEvent {
                title: "行列の交流会",
                description: "",
                starts_at: now_ms() + 86_400_000,
                ends_at: now_ms() + 90_000_000,
                tz: "Asia/Tokyo",
                format: "in_person",
                venue: "本社",
                address: "",
                map_url: "",
                online_url: "",
                capacity: Some(10),
                waitlist: true,
                guests: 0,
                deadline: None,
                audience: "network",
                group_id: None,
                questions: "[]",
                business_matching: true,
                meeting_minutes: 20,
            },
            "published",
            "0123456789abcdef",
            owner,
            now_ms(),
        )
        .await
        .unwrap();
        enishi_store::events::register(
            &app.db,
            network.scope(),
            id,
            owner,
            &enishi_store::events::Ask {
                going: true,
                guests: 0,
                answers: "[]",
                unlisted: false,
                waitlist: true,
            },
            now_ms(),
        )
        .await
        .unwrap();
        if path.contains("{pitch_id}") {
            // the visitor's own business, pitching at their event
            let business = enishi_store::businesses::create(
                &app.db,
                network.scope(),
                owner,
                &enishi_store::businesses::NewBusiness {
                    name: "行列商会",
                    kana: "",
                    offer: "行列の販売",
                    industry: "",
                    url: "",
                },
                now_ms(),
            )
            .await
            .unwrap();
            let pitch = enishi_store::business_matching::apply(
                &app.db,
                network.scope(),
                &enishi_store::business_matching::NewPitch {
                    event: id,
                    account: owner,
                    business,
                    pitch: "行列のピッチ",
                    slides_url: "",
                },
                now_ms(),
            )
            .await
            .unwrap()
            .unwrap();
            path = path.replace("{pitch_id}", &pitch.to_string());
        }
        if path.contains("{meeting_id}") {
            // someone asked the visitor for a meeting
            let someone = fresh_account(app, false).await.id;
            let meeting = enishi_store::business_matching::request(
                &app.db,
                network.scope(),
                &enishi_store::business_matching::NewMeeting {
                    event: id,
                    requester: someone,
                    host: owner,
                    slot: now_ms() + 86_400_000,
                    note: "",
                },
                now_ms(),
            )
            .await
            .unwrap();
            path = path.replace("{meeting_id}", &meeting.to_string());
        }
        path = path.replace("{event_id}", &id.to_string());
    }
    if path.contains("{exchange_id}") {
        // someone asked the visitor for a card exchange
        let someone = fresh_account(app, false).await.id;
        let enishi_store::business_matching::Asked::Created(x) =
            enishi_store::business_matching::ask_exchange(
                &app.db,
                network.scope(),
                someone,
                owner,
                None,
                now_ms(),
            )
            .await
            .unwrap()
        else {
            panic!("a new exchange")
        };
        path = path.replace("{exchange_id}", &x.to_string());
    }
    if path.contains("{calendar_token}") {
        let token = format!("{:064x}", unique_number());
        enishi_store::events::set_feed(
            &app.db,
            owner,
            &enishi_core::secret::hash_token(&token),
            now_ms(),
        )
        .await
        .unwrap();
        path = path.replace("{calendar_token}", &token);
    }
    if path.contains("{unsubscribe_token}") {
        let key = enishi_store::notifications::unsubscribe_key(
            &app.db,
            owner,
            &format!("{:064x}", unique_number()),
        )
        .await
        .unwrap();
        path = path.replace("{unsubscribe_token}", &format!("{owner}-digest-{key}"));
    }
    if path.contains("{message_id}") {
        let id = outbox::enqueue(
            &app.db,
            &outbox::NewMessage {
                to: "x@example.jp",
                subject: "s",
                text: "t",
                html: "h",
                list_unsubscribe: None,
                calendar: None,
            },
            now_ms(),
        )
        .await
        .unwrap();
        path = path.replace("{message_id}", &id.to_string());
    }
    assert!(
        !path.contains('{'),
        "route {template}: add a sample value for its parameters in matrix.rs"
    );
    path
}

fn json_body(path: &str) -> serde_json::Value {
    let n = unique_number();
    if path.ends_with("/join") {
        serde_json::json!({"consent": true, "kind": "alumni"})
    } else if path.ends_with("/consent") {
        serde_json::json!({"accept": true})
    } else if path.ends_with("/mapping") {
        serde_json::json!({"mapping": {"氏名": "name", "メールアドレス": "email"}})
    } else if path.ends_with("/alumni/settings") {
        serde_json::json!({"invite_lang": "en", "reminders": false, "retention_days": 400})
    } else if path.ends_with("/alumni/invitations") {
        serde_json::json!({"ids": [1, 2, 3]})
    } else if path.ends_with("/exit-invitations") {
        let (y, m, d) = enishi_core::time::jst_day(now_ms() + 7 * 86_400_000);
        let left = format!("{y:04}-{m:02}-{d:02}");
        serde_json::json!({"family": "行列", "email": format!("x{n}@example.org"), "left": left})
    } else if path.ends_with("/groups") {
        serde_json::json!({"name": "行列の会", "category": "era", "access": "request", "space": "shared"})
    } else if path.ends_with("/conversations") {
        serde_json::json!({"to": [], "body": "行列のメッセージ"})
    } else if path.ends_with("/message-settings") {
        serde_json::json!({"reach": "shared"})
    } else if path.ends_with("/posts")
        || path.ends_with("/comments")
        || path.contains("/posts/")
        || path.ends_with("/messages")
    {
        serde_json::json!({"body": "行列の投稿"})
    } else if path.ends_with("/do-not-contact") {
        serde_json::json!({"email": format!("d{n}@example.org")})
    } else if path.ends_with("/settings") {
        serde_json::json!({"name_ja": "行列", "accent_color": "#22406b", "join_policy": "request"})
    } else if path.ends_with("/documents") {
        serde_json::json!({"kind": "guidelines", "body_ja": "新しいガイドライン"})
    } else if path.contains("/members/") {
        serde_json::json!({"action": "kind", "kind": "employee"})
    } else if path.ends_with("/invitations") {
        serde_json::json!({"email": format!("i{n}@example.jp"), "role": "member", "kind": "alumni"})
    } else if path.starts_with("/api/v1/operator/networks") {
        serde_json::json!({"slug": format!("n{}", n % 1_000_000_000), "name_ja": "行列", "owner_email": format!("o{n}@example.jp"), "join_policy": "invitation"})
    } else {
        serde_json::json!({"name": "matrix"})
    }
}

async fn call(visitor: &Visitor, method: &Method, kind: Kind, path: &str) -> reqwest::Response {
    let token = visitor.csrf_token().unwrap_or_default();
    match (method.clone(), kind) {
        (Method::GET, _) => visitor.get(path).await,
        (Method::POST, Kind::Api) => visitor
            .client
            .post(visitor.url(path))
            .header("x-csrf-token", &token)
            .json(&json_body(path))
            .send()
            .await
            .unwrap(),
        (Method::PUT, Kind::Api) => visitor
            .client
            .put(visitor.url(path))
            .header("x-csrf-token", &token)
            .json(&json_body(path))
            .send()
            .await
            .unwrap(),
        (Method::DELETE, Kind::Api) => visitor
            .client
            .delete(visitor.url(path))
            .header("x-csrf-token", &token)
            .send()
            .await
            .unwrap(),
        (Method::POST, _) => {
            let n = unique_number();
            let (address, slug, owner) = (
                format!("f{n}@example.jp"),
                format!("s{}", n % 1_000_000_000),
                format!("o{n}@example.jp"),
            );
            visitor
                .post_form(
                    path,
                    &[
                        ("lang", "ja"),
                        ("next", "/"),
                        ("email", &address),
                        ("name", "matrix"),
                        ("display_name", "Matrix"),
                        ("time_zone", "Asia/Tokyo"),
                        ("password", "a long enough password"),
                        ("confirm", "a long enough password"),
                        ("action", "kind"),
                        ("kind", "alumni"),
                        ("role", "member"),
                        ("consent", "yes"),
                        ("decision", "accept"),
                        ("slug", &slug),
                        ("name_ja", "行列"),
                        ("owner_email", &owner),
                        ("join_policy", "request"),
                        ("accent_color", "#22406b"),
                        ("staff_domains", ""),
                        ("body", "行列の投稿"),
                        ("reaction", "like"),
                        ("on", "1"),
                        ("reach", "shared"),
                        ("pin", "1"),
                        ("category", "interest"),
                        ("access", "open"),
                        ("space", "shared"),
                    ],
                )
                .await
        }
        (m, _) => panic!("{m} {path}: teach the matrix how to call this method"),
    }
}

async fn every_route_answers_as_its_rule_says(backend: Backend) {
    let app = TestApp::start(backend).await;
    let world = World {
        a: make_network(&app, "alpha", "request").await,
        b: make_network(&app, "beta", "request").await,
    };
    let table = routes::table();
    assert!(
        table.len() >= 60,
        "the table lists every route ({})",
        table.len()
    );
    let mut checked = 0;
    for route in &table {
        let (method, template) = route.method_and_path();
        for who in EVERYONE {
            let (visitor, account) = visitor(&app, &world, who).await;
            let owner = match &account {
                Some(a) => a.id,
                None => fresh_account(&app, false).await.id,
            };
            let path = sample_path(&app, &template, "alpha", &world.a, owner).await;
            let res = call(&visitor, &method, route.kind, &path).await;
            let status = res.status().as_u16();
            let location = res
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let what = format!(
                "{method} {template} ({path}) as {who:?} [{:?}] answered {status} {location}",
                route.access
            );
            if allowed(route.access, who) {
                assert!(
                    !matches!(status, 401 | 403 | 404 | 405) && status < 500,
                    "{what}"
                );
                assert!(
                    !location.starts_with("/signin?next="),
                    "{what}: sent to sign in"
                );
            } else if who == Who::Anonymous {
                if method == Method::GET && route.kind != Kind::Api {
                    assert_eq!(status, 303, "{what}");
                    assert!(location.starts_with("/signin?next="), "{what}");
                } else {
                    assert_eq!(status, 401, "{what}");
                }
            } else {
                assert_eq!(
                    status, 404,
                    "{what}: a signed-in visitor without the right sees nothing"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, table.len() * EVERYONE.len());
}

/// A's tenant objects in numbers: how many rows, and the sum of what
/// moves when a row changes in place (`updated_at`, a post's edit time and
/// comment count) — any write to them moves it.
async fn tenant_state(app: &TestApp, net: &Network) -> Vec<i64> {
    let changing = [
        ("posts", "COALESCE(edited_at, 0) + comment_count"),
        ("opportunities", "updated_at"),
        ("opportunity_answers", "updated_at"),
        ("businesses", "updated_at"),
        ("events", "updated_at"),
        ("event_registrations", "updated_at"),
        ("event_pitches", "updated_at"),
        ("event_meetings", "updated_at"),
    ];
    let growing = [
        "post_comments",
        "post_reactions",
        "opportunity_notes",
        "opportunity_outcomes",
        "opportunity_saves",
        "event_invites",
        "card_exchanges",
        "reports",
    ];
    let mut parts = Vec::new();
    for (t, moving) in changing {
        parts.push(format!(
            "(SELECT CAST(COUNT(*) + COALESCE(SUM({moving}), 0) AS BIGINT) FROM {t} WHERE network_id = $1)"
        ));
    }
    for t in growing {
        parts.push(format!(
            "(SELECT CAST(COUNT(*) AS BIGINT) FROM {t} WHERE network_id = $1)"
        ));
    }
    let mut out = Vec::new();
    for part in parts {
        let sql = format!("SELECT {part}");
        let n: i64 = match &app.db {
            enishi_store::Db::Sqlite(p) => {
                enishi_store::sqlx::query_scalar(enishi_store::sqlx::AssertSqlSafe(sql))
                    .bind(net.id)
                    .fetch_one(p)
                    .await
            }
            enishi_store::Db::Postgres(p) => {
                enishi_store::sqlx::query_scalar(enishi_store::sqlx::AssertSqlSafe(sql))
                    .bind(net.id)
                    .fetch_one(p)
                    .await
            }
        }
        .unwrap();
        out.push(n);
    }
    out
}

/// With network B's slug and network A's object ids, every network object
/// route answers 404 to B's owner, and A's objects are unchanged.
async fn other_networks_objects_are_not_found(backend: Backend) {
    let app = TestApp::start(backend).await;
    let a = make_network(&app, "alpha", "request").await;
    let b = make_network(&app, "beta", "request").await;
    let b_owner = fresh_account(&app, false).await;
    join(&app, &b, b_owner.id, "owner", "hr").await;
    let visitor = app.visitor_signed_in_as(b_owner.id).await;
    let mut tried = 0;
    for route in routes::table() {
        let (method, template) = route.method_and_path();
        let objects = [
            "{membership_id}",
            "{invitation_id}",
            "{id}",
            "{profile_id}",
            "{image_key}",
            "{import_id}",
            "{post_id}",
            "{group_id}",
            "{report_id}",
            "{conversation_id}",
            "{opportunity_id}",
            "{answer_id}",
            "{business_id}",
            "{event_id}",
            "{exchange_id}",
        ];
        if !template.contains("{slug}") || !objects.iter().any(|o| template.contains(o)) {
            continue;
        }
        // the objects are A's; the slug is B's (where the caller is owner)
        let path = sample_path(&app, &template, "beta", &a, b_owner.id).await;
        let before = memberships::list(&app.db, a.scope(), &Default::default())
            .await
            .unwrap()
            .len();
        let open_before = invitations::open(&app.db, a.scope()).await.unwrap().len();
        let state_before = tenant_state(&app, &a).await;
        let status = call(&visitor, &method, route.kind, &path)
            .await
            .status()
            .as_u16();
        assert_eq!(status, 404, "{method} {path}: another network's object");
        let after = memberships::list(&app.db, a.scope(), &Default::default())
            .await
            .unwrap();
        assert_eq!(after.len(), before);
        assert!(
            after
                .iter()
                .all(|m| m.kind == "alumni" && m.status == "active"),
            "{method} {path} changed A: {after:?}"
        );
        assert_eq!(
            invitations::open(&app.db, a.scope()).await.unwrap().len(),
            open_before
        );
        assert_eq!(
            tenant_state(&app, &a).await,
            state_before,
            "{method} {path} changed A's posts, opportunities, businesses or events"
        );
        tried += 1;
        // and A's own pages and API refuse B's owner outright
        let own = template.replace("{slug}", "alpha");
        let own = sample_path(&app, &own, "alpha", &a, b_owner.id).await;
        assert_eq!(
            call(&visitor, &method, route.kind, &own).await.status(),
            404,
            "{method} {own}"
        );
    }
    assert!(tried >= 3, "network object routes were found ({tried})");
    for path in [
        "/n/alpha",
        "/n/alpha/admin/members",
        "/api/v1/n/alpha",
        "/api/v1/n/alpha/members",
        "/n/no-such-network",
    ] {
        assert_eq!(visitor.get(path).await.status(), 404, "{path}");
    }
}

dual_test!(
    every_route_answers_as_its_rule_says,
    other_networks_objects_are_not_found
);

#[test]
fn every_route_appears_once() {
    let mut seen = std::collections::HashSet::new();
    for route in routes::table() {
        let (method, path) = route.method_and_path();
        assert!(
            seen.insert((method.clone(), path.clone())),
            "{method} {path} is listed twice"
        );
    }
}
