//! Networks and memberships over real HTTP on both databases: creating a
//! network, joining by invitation, request and company domain with
//! consent, consent again after a change, leaving, and administration —
//! with every bad path.

use enishi_store::memberships::{self, MemberFilter};
use enishi_store::networks;
use enishi_store::{accounts, audit, invitations, now_ms};
use enishi_testkit::{Backend, TestApp, dual_test};
use serde_json::Value;

use crate::{fresh_account, h1, header, join, make_network};

fn token_of(link: &str) -> String {
    link.split("token=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string()
}

async fn network_actions(app: &TestApp, slug: &str) -> Vec<String> {
    let net = networks::by_slug(&app.db, slug).await.unwrap().unwrap();
    audit::recent(&app.db, None, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.network_id == Some(net.id))
        .map(|e| e.action)
        .collect()
}

/// The operator creates a network; its owner, new to Enishi, accepts the
/// e-mailed invitation with explicit consent and is signed in.
async fn operator_creates_a_network_and_its_owner_joins(backend: Backend) {
    let app = TestApp::start(backend).await;
    let op = app.create_account("op@example.jp", "Op", None, true).await;
    let operator = app.visitor_signed_in_as(op.id).await;
    for (slug, message) in [
        ("ab", "3〜40文字"),
        ("api", "予約されている"),
        ("Acme Co", "半角英小文字"),
        ("-acme", "ハイフン"),
    ] {
        let res = operator
            .post_form(
                "/operator/networks",
                &[
                    ("slug", slug),
                    ("name_ja", "アクメ"),
                    ("owner_email", "hr@acme.example.jp"),
                    ("join_policy", "invitation"),
                ],
            )
            .await;
        assert_eq!(res.status(), 422, "{slug}");
        let page = res.text().await.unwrap();
        assert!(page.contains(message), "{slug}: {message}");
        assert!(page.contains(&format!(r#"value="{slug}""#)), "input kept");
        // the message stands next to the slug field, not above the form
        let (field, error, next) = (
            page.find(r#"id="slug""#).unwrap(),
            page.find("field-error").unwrap(),
            page.find(r#"id="name-ja""#).unwrap(),
        );
        assert!(
            field < error && error < next,
            "{slug}: message placed by the slug field"
        );
    }
    let res = operator
        .post_form(
            "/operator/networks",
            &[
                ("slug", " Acme "),
                ("name_ja", "アクメ アルムナイ"),
                ("name_en", "Acme Alumni"),
                ("owner_email", "hr@acme.example.jp"),
                ("join_policy", "invitation"),
            ],
        )
        .await;
    assert_eq!(header(&res, "location"), "/operator/networks?done=created");
    let res = operator
        .post_form(
            "/operator/networks",
            &[
                ("slug", "acme"),
                ("name_ja", "別"),
                ("owner_email", "x@example.jp"),
                ("join_policy", "invitation"),
            ],
        )
        .await;
    assert!(res.text().await.unwrap().contains("すでに使われています"));

    let mail = app.mail.wait_for("hr@acme.example.jp").await;
    assert_eq!(mail.subject(), "アクメ アルムナイ への招待");
    let link = mail.link("/n/acme/invite?token=");
    let owner = app.new_visitor();
    let (status, page) = owner.get_text(link.strip_prefix(&app.base).unwrap()).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("hr@acme.example.jp 宛ての招待です。")
            && page.contains("利用目的")
            && page.contains("元従業員")
    );
    assert!(
        page.contains(r#"name="consent" value="yes" required>"#),
        "the box is not ticked in advance"
    );
    let token = token_of(&link);
    // no consent: refused, nothing changed, the name kept
    let res = owner
        .post_form(
            "/n/acme/invite",
            &[("token", &token), ("display_name", "人事 太郎")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("同意が必要です") && page.contains(r#"value="人事 太郎""#));
    let (checkbox, error) = (
        page.find(r#"id="consent""#).unwrap(),
        page.find("field-error").unwrap(),
    );
    assert!(checkbox < error, "the consent message is by the checkbox");
    let res = owner
        .post_form(
            "/n/acme/invite",
            &[("token", &token), ("display_name", ""), ("consent", "yes")],
        )
        .await;
    assert_eq!(res.status(), 422, "a new account needs a name");
    let res = owner
        .post_form(
            "/n/acme/invite",
            &[
                ("token", &token),
                ("display_name", "人事 太郎"),
                ("consent", "yes"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(header(&res, "location"), "/n/acme");
    let (status, page) = owner.get_text("/n/acme").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("アクメ アルムナイ")
            && page.contains("オーナー")
            && page.contains("/n/acme/admin/members")
    );
    let account = accounts::by_verified_email(&app.db, "hr@acme.example.jp")
        .await
        .unwrap()
        .unwrap();
    let net = networks::by_slug(&app.db, "acme").await.unwrap().unwrap();
    let m = memberships::of_account(&app.db, net.scope(), account.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (m.role.as_str(), m.kind.as_str(), m.status.as_str()),
        ("owner", "hr", "active")
    );
    assert_eq!(
        (m.purposes_version, m.guidelines_version),
        (Some(1), Some(1))
    );
    assert!(m.consented_at.is_some());
    let actions = network_actions(&app, "acme").await;
    assert!(
        actions.contains(&"network.created".into())
            && actions.contains(&"network.joined_by_invitation".into())
    );
    // the invitation works once
    let res = app
        .new_visitor()
        .post_form(
            "/n/acme/invite",
            &[("token", &token), ("display_name", "x"), ("consent", "yes")],
        )
        .await;
    assert_eq!(res.status(), 410);
    assert_eq!(h1(&res.text().await.unwrap()), "この招待は使用済みです");
}

/// An invitation to an address verified on an account joins that account,
/// never a second one; wrong network, expired, revoked and someone else
/// signed in each get a clear page and change nothing.
async fn invitations_link_to_the_existing_account(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "acme", "invitation").await;
    let other_net = make_network(&app, "other", "invitation").await;
    let owner = fresh_account(&app, false).await;
    join(&app, &net, owner.id, "owner", "hr").await;
    let admin = app.visitor_signed_in_as(owner.id).await;
    let known = app
        .create_account("known@example.jp", "既存 さん", None, false)
        .await;
    // bad input first
    for (email, role, kind, message) in [
        (
            "not-an-address",
            "member",
            "alumni",
            "形式が正しくありません",
        ),
        ("a@example.jp", "emperor", "alumni", "役割を一覧から"),
        ("a@example.jp", "member", "ceo", "一覧から選んで"),
    ] {
        let res = admin
            .post_form(
                "/n/acme/admin/invitations",
                &[("email", email), ("role", role), ("kind", kind)],
            )
            .await;
        assert_eq!(res.status(), 422, "{email} {role} {kind}");
        assert!(res.text().await.unwrap().contains(message), "{message}");
    }
    let res = admin
        .post_form(
            "/n/acme/admin/invitations",
            &[
                ("email", "Known@Example.JP"),
                ("role", "admin"),
                ("kind", "alumni"),
            ],
        )
        .await;
    assert_eq!(
        header(&res, "location"),
        "/n/acme/admin/invitations?done=invited"
    );
    let mail = app.mail.wait_for("known@example.jp").await;
    let link = mail.link("/invite?token=");
    let token = token_of(&link);
    // the same token under another network's slug is not found there
    let (status, page) = app
        .new_visitor()
        .get_text(&format!("/n/other/invite?token={token}"))
        .await;
    assert_eq!((status, h1(&page).as_str()), (410, "招待が見つかりません"));
    // someone else signed in: refused, nothing changed
    let stranger = app
        .visitor_signed_in_as(fresh_account(&app, false).await.id)
        .await;
    let res = stranger
        .post_form("/n/acme/invite", &[("token", &token), ("consent", "yes")])
        .await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("別のアカウント宛て"));
    // the owner of the address accepts (not signed in: the link proves the mailbox)
    let accounts_before = count_accounts(&app).await;
    let res = app
        .new_visitor()
        .post_form("/n/acme/invite", &[("token", &token), ("consent", "yes")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        count_accounts(&app).await,
        accounts_before,
        "no second account"
    );
    let m = memberships::of_account(&app.db, net.scope(), known.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((m.role.as_str(), m.kind.as_str()), ("admin", "alumni"));
    assert!(
        memberships::of_account(&app.db, other_net.scope(), known.id)
            .await
            .unwrap()
            .is_none()
    );
    // expired and revoked invitations
    let expired_hash = enishi_core::secret::hash_token(&"e".repeat(64));
    invitations::create(
        &app.db,
        net.scope(),
        &invitations::NewInvitation {
            email: "late@example.jp",
            role: "member",
            kind: "alumni",
            token_hash: &expired_hash,
            invited_by: None,
            expires_at: now_ms() - 1,
            record_id: None,
        },
    )
    .await
    .unwrap();
    let (status, page) = app
        .new_visitor()
        .get_text(&format!("/n/acme/invite?token={}", "e".repeat(64)))
        .await;
    assert_eq!(
        (status, h1(&page).as_str()),
        (410, "招待の有効期限が切れています")
    );
    admin
        .post_form(
            "/n/acme/admin/invitations",
            &[
                ("email", "revoked@example.jp"),
                ("role", "member"),
                ("kind", "alumni"),
            ],
        )
        .await;
    let revoked_mail = app.mail.wait_for("revoked@example.jp").await;
    let open = invitations::open(&app.db, net.scope()).await.unwrap();
    let res = admin
        .post_form(
            &format!("/n/acme/admin/invitations/{}/revoke", open[0].id),
            &[],
        )
        .await;
    assert_eq!(
        header(&res, "location"),
        "/n/acme/admin/invitations?done=revoked"
    );
    let res = app
        .new_visitor()
        .post_form(
            "/n/acme/invite",
            &[
                ("token", &token_of(&revoked_mail.link("/invite?token="))),
                ("consent", "yes"),
                ("display_name", "x"),
            ],
        )
        .await;
    assert_eq!(res.status(), 410);
    assert_eq!(h1(&res.text().await.unwrap()), "この招待は取り消されました");
    assert!(
        accounts::by_verified_email(&app.db, "revoked@example.jp")
            .await
            .unwrap()
            .is_none()
    );
}

async fn count_accounts(app: &TestApp) -> i64 {
    enishi_store::db_run!(&app.db, |pool| {
        enishi_store::sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM accounts")
            .fetch_one(pool)
            .await
    })
    .unwrap()
}

/// Request policy: a public landing page; one request however often it is
/// sent; an admin approves or declines.
async fn join_by_request_with_approval(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "open", "request").await;
    let owner = fresh_account(&app, false).await;
    join(&app, &net, owner.id, "owner", "hr").await;
    make_network(&app, "closed", "invitation").await;
    // landing pages: public for request networks, 404 for invitation-only and unknown ones
    let anon = app.new_visitor();
    // listed networks that take requests show on the home page; others do not
    let (_, home) = anon.get_text("/").await;
    assert!(home.contains(r#"href="/n/open/join""#) && !home.contains("/n/closed"));
    let (status, page) = anon.get_text("/n/open/join").await;
    assert_eq!(status, 200);
    assert!(page.contains("参加を申請すると") && page.contains("サインインして参加する"));
    assert_eq!(anon.get("/n/closed/join").await.status(), 404);
    assert_eq!(anon.get("/n/nowhere/join").await.status(), 404);
    assert_eq!(
        anon.get("/n/open").await.status(),
        303,
        "other pages send anonymous visitors to sign in"
    );

    let person = fresh_account(&app, false).await;
    let me = app.visitor_signed_in_as(person.id).await;
    let res = me
        .post_form(
            "/n/open/join",
            &[("kind", "alumni"), ("note", "2010〜2018 営業部")],
        )
        .await;
    assert_eq!(res.status(), 422, "no consent");
    assert!(
        res.text().await.unwrap().contains("2010〜2018 営業部"),
        "note kept"
    );
    let long = "長".repeat(501);
    let res = me
        .post_form(
            "/n/open/join",
            &[("kind", "alumni"), ("note", &long), ("consent", "yes")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = me
        .post_form("/n/open/join", &[("kind", "hr"), ("consent", "yes")])
        .await;
    assert_eq!(res.status(), 422, "HR is not a kind one can claim");
    for _ in 0..2 {
        let res = me
            .post_form(
                "/n/open/join",
                &[
                    ("kind", "alumni"),
                    ("note", "2010〜2018 営業部"),
                    ("consent", "yes"),
                ],
            )
            .await;
        assert_eq!(res.status(), 200);
    }
    let pending = memberships::list(
        &app.db,
        net.scope(),
        &MemberFilter {
            status: Some("pending".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(pending.len(), 1, "one request");
    assert_eq!(
        pending[0].request_note.as_deref(),
        Some("2010〜2018 営業部")
    );
    let (_, page) = me.get_text("/n/open/join").await;
    assert!(page.contains("参加申請は受け付け済みです"));
    assert_eq!(me.get("/n/open").await.status(), 404, "pending is not in");
    // the admin sees it first and approves
    let admin = app.visitor_signed_in_as(owner.id).await;
    let (_, page) = admin.get_text("/n/open/admin/members?status=pending").await;
    assert!(page.contains("2010〜2018 営業部") && page.contains("承認待ち"));
    let res = admin
        .post_form(
            &format!("/n/open/admin/members/{}", pending[0].id),
            &[("action", "approve")],
        )
        .await;
    assert_eq!(
        header(&res, "location"),
        "/n/open/admin/members?done=updated"
    );
    assert_eq!(me.get("/n/open").await.status(), 200);
    // a declined request disappears
    let other = fresh_account(&app, false).await;
    let them = app.visitor_signed_in_as(other.id).await;
    them.post_form("/n/open/join", &[("kind", "employee"), ("consent", "yes")])
        .await;
    let m = memberships::of_account(&app.db, net.scope(), other.id)
        .await
        .unwrap()
        .unwrap();
    admin
        .post_form(
            &format!("/n/open/admin/members/{}", m.id),
            &[("action", "decline")],
        )
        .await;
    assert!(
        memberships::of_account(&app.db, net.scope(), other.id)
            .await
            .unwrap()
            .is_none()
    );
    let actions = network_actions(&app, "open").await;
    assert!(
        actions.contains(&"network.join_requested".into())
            && actions.contains(&"member.approved".into())
            && actions.contains(&"member.declined".into())
    );
}

/// Domain policy: staff with a verified company address join at once;
/// an unverified or missing one is refused with the reason.
async fn staff_join_by_verified_domain(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "corp", "request").await;
    let settings = networks::NetworkSettings {
        name_ja: "コープ",
        name_en: "Corp",
        description_ja: "",
        description_en: "",
        accent_color: "#22406b",
        join_policy: "domain",
        staff_domains: &["corp.example.jp".into()],
        listed: true,
    };
    networks::update_settings(&app.db, net.scope(), &settings)
        .await
        .unwrap();
    let nobody = app
        .visitor_signed_in_as(fresh_account(&app, false).await.id)
        .await;
    let res = nobody
        .post_form("/n/corp/join", &[("consent", "yes")])
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("会社ドメインのメールアドレスがアカウントにありません")
    );
    let staff = fresh_account(&app, false).await;
    accounts::add_email(&app.db, staff.id, "taro@tokyo.corp.example.jp")
        .await
        .unwrap();
    let me = app.visitor_signed_in_as(staff.id).await;
    let res = me.post_form("/n/corp/join", &[("consent", "yes")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("確認されていません"));
    accounts::verify_email(&app.db, staff.id, "taro@tokyo.corp.example.jp")
        .await
        .unwrap();
    let res = me.post_form("/n/corp/join", &[("consent", "yes")]).await;
    assert_eq!(header(&res, "location"), "/n/corp");
    let m = memberships::of_account(&app.db, net.scope(), staff.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((m.kind.as_str(), m.status.as_str()), ("employee", "active"));
}

/// New purposes of use: members are asked again at their next visit;
/// declining leaves the network.
async fn consent_is_asked_again_after_a_change(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "acme", "invitation").await;
    let owner = fresh_account(&app, false).await;
    join(&app, &net, owner.id, "owner", "hr").await;
    let (a, b) = (
        fresh_account(&app, false).await,
        fresh_account(&app, false).await,
    );
    join(&app, &net, a.id, "member", "alumni").await;
    join(&app, &net, b.id, "member", "alumni").await;
    let admin = app.visitor_signed_in_as(owner.id).await;
    let res = admin
        .post_form(
            "/n/acme/admin/documents",
            &[("kind", "purposes"), ("body_ja", ""), ("body_en", "x")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = admin
        .post_form(
            "/n/acme/admin/documents",
            &[
                ("kind", "purposes"),
                ("body_ja", "新しい利用目的：イベントの案内にも使います。"),
                ("body_en", "New purposes."),
            ],
        )
        .await;
    assert_eq!(
        header(&res, "location"),
        "/n/acme/admin/settings?done=published"
    );
    let (alice, bob) = (
        app.visitor_signed_in_as(a.id).await,
        app.visitor_signed_in_as(b.id).await,
    );
    let res = alice.get("/n/acme").await;
    assert_eq!(res.status(), 303);
    assert_eq!(header(&res, "location"), "/n/acme/consent?next=%2Fn%2Facme");
    let api = alice.get("/api/v1/n/acme").await;
    assert_eq!(api.status(), 403);
    assert_eq!(
        api.json::<Value>().await.unwrap()["code"],
        "consent_required"
    );
    let (_, page) = alice.get_text("/n/acme/consent").await;
    assert!(page.contains("新しい利用目的") && page.contains("第2版"));
    assert_eq!(
        alice
            .post_form(
                "/n/acme/consent",
                &[("decision", "accept"), ("next", "/n/acme")]
            )
            .await
            .status(),
        422
    );
    let res = alice
        .post_form(
            "/n/acme/consent",
            &[
                ("decision", "accept"),
                ("consent", "yes"),
                ("next", "/n/acme"),
            ],
        )
        .await;
    assert_eq!(header(&res, "location"), "/n/acme");
    assert_eq!(alice.get("/n/acme").await.status(), 200);
    let res = bob
        .post_form("/n/acme/consent", &[("decision", "decline")])
        .await;
    assert_eq!(header(&res, "location"), "/?done=left");
    assert_eq!(bob.get("/n/acme").await.status(), 404);
    let m = memberships::of_account(&app.db, net.scope(), b.id)
        .await
        .unwrap()
        .unwrap();
    assert!(m.status == "left" && m.left_at.is_some());
    let decisions: Vec<String> = enishi_store::db_run!(&app.db, |pool| {
        enishi_store::sqlx::query_scalar(
            "SELECT decision FROM consents WHERE network_id = $1 AND account_id = $2 ORDER BY id",
        )
        .bind(net.id)
        .bind(b.id)
        .fetch_all(pool)
        .await
    })
    .unwrap();
    assert_eq!(
        decisions,
        vec!["accepted", "declined"],
        "the consent history is kept"
    );
}

/// Suspension ends access to that network at the next request and leaves
/// other networks alone; owners are protected; leaving says what happens.
async fn suspension_roles_and_leaving(backend: Backend) {
    let app = TestApp::start(backend).await;
    let acme = make_network(&app, "acme", "invitation").await;
    let other = make_network(&app, "other", "invitation").await;
    let owner = fresh_account(&app, false).await;
    join(&app, &acme, owner.id, "owner", "hr").await;
    let admin_acc = fresh_account(&app, false).await;
    let admin_m = join(&app, &acme, admin_acc.id, "admin", "hr").await;
    let person = fresh_account(&app, false).await;
    let person_m = join(&app, &acme, person.id, "member", "alumni").await;
    join(&app, &other, person.id, "member", "alumni").await;
    let me = app.visitor_signed_in_as(person.id).await;
    let boss = app.visitor_signed_in_as(owner.id).await;
    let admin = app.visitor_signed_in_as(admin_acc.id).await;

    admin
        .post_form(
            &format!("/n/acme/admin/members/{person_m}"),
            &[("action", "suspend")],
        )
        .await;
    assert_eq!(me.get("/n/acme").await.status(), 404);
    assert_eq!(me.get("/api/v1/n/acme").await.status(), 404);
    assert_eq!(
        me.get("/n/other").await.status(),
        200,
        "other networks untouched"
    );
    let (_, home) = me.get_text("/").await;
    assert!(!home.contains(r#"href="/n/acme""#) && home.contains(r#"href="/n/other""#));
    admin
        .post_form(
            &format!("/n/acme/admin/members/{person_m}"),
            &[("action", "reinstate")],
        )
        .await;
    assert_eq!(me.get("/n/acme").await.status(), 200);
    // an admin cannot make owners, nor touch the owner
    let owner_m = memberships::of_account(&app.db, acme.scope(), owner.id)
        .await
        .unwrap()
        .unwrap()
        .id;
    for (target, fields) in [
        (person_m, vec![("action", "role"), ("role", "owner")]),
        (owner_m, vec![("action", "suspend")]),
    ] {
        let res = admin
            .post_form(&format!("/n/acme/admin/members/{target}"), &fields)
            .await;
        assert_eq!(
            header(&res, "location"),
            "/n/acme/admin/members?done=not_allowed"
        );
    }
    // the last owner cannot be demoted, nor leave
    let res = boss
        .post_form(
            &format!("/n/acme/admin/members/{owner_m}"),
            &[("action", "role"), ("role", "admin")],
        )
        .await;
    assert_eq!(
        header(&res, "location"),
        "/n/acme/admin/members?done=last_owner"
    );
    let (_, page) = boss.get_text("/n/acme/leave").await;
    assert!(page.contains("最後のオーナー"));
    assert_eq!(boss.post_form("/n/acme/leave", &[]).await.status(), 409);
    // role and kind changes, filters and counts
    boss.post_form(
        &format!("/n/acme/admin/members/{person_m}"),
        &[("action", "role"), ("role", "moderator")],
    )
    .await;
    boss.post_form(
        &format!("/n/acme/admin/members/{person_m}"),
        &[("action", "kind"), ("kind", "employee")],
    )
    .await;
    let (_, page) = boss.get_text("/n/acme/admin/members?role=moderator").await;
    assert!(page.contains("1人") && page.contains("モデレーター"));
    let (_, page) = boss
        .get_text("/n/acme/admin/members?role=bogus&kind=%3Cscript%3E")
        .await;
    assert!(page.contains("3人"), "unknown filters are ignored");
    assert_eq!(
        boss.post_form(
            &format!("/n/acme/admin/members/{person_m}"),
            &[("action", "explode")]
        )
        .await
        .status(),
        400
    );
    // leaving: one page saying what happens, then out
    let (_, page) = me.get_text("/n/acme/leave").await;
    assert!(
        page.contains("参加と同意の記録は")
            && page.contains("アカウントとほかのネットワークへの参加はそのまま")
    );
    let res = me.post_form("/n/acme/leave", &[]).await;
    assert_eq!(header(&res, "location"), "/?done=left");
    assert_eq!(me.get("/n/acme").await.status(), 404);
    assert_eq!(me.get("/n/other").await.status(), 200);
    let actions = network_actions(&app, "acme").await;
    for action in [
        "member.suspended",
        "member.reinstated",
        "member.role_changed",
        "member.kind_changed",
        "network.left",
    ] {
        assert!(
            actions.contains(&action.to_string()),
            "{action} in {actions:?}"
        );
    }
    let _ = admin_m;
}

/// The JSON API: my networks, a network, members, changes, invitations,
/// and creating a network — with tokens.
async fn networks_through_the_api(backend: Backend) {
    let app = TestApp::start(backend).await;
    let op = app.create_account("op@example.jp", "Op", None, true).await;
    let op_api = api_client(&app, op.id).await;
    let res = op_api.post(app.url("/api/v1/operator/networks")).json(&serde_json::json!({"slug": "api-net", "name_ja": "API", "owner_email": "boss@example.jp", "join_policy": "invitation"})).send().await.unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(res.json::<Value>().await.unwrap()["slug"], "api-net");
    let res = op_api.post(app.url("/api/v1/operator/networks")).json(&serde_json::json!({"slug": "api-net", "name_ja": "API", "owner_email": "boss@example.jp", "join_policy": "invitation"})).send().await.unwrap();
    assert_eq!(res.status(), 422);
    assert!(
        res.json::<Value>().await.unwrap()["detail"]
            .as_str()
            .unwrap()
            .contains("すでに使われています")
    );
    let net = networks::by_slug(&app.db, "api-net")
        .await
        .unwrap()
        .unwrap();
    let boss = fresh_account(&app, false).await;
    join(&app, &net, boss.id, "owner", "hr").await;
    let member = fresh_account(&app, false).await;
    let member_m = join(&app, &net, member.id, "member", "alumni").await;
    let boss_api = api_client(&app, boss.id).await;
    let mine: Value = boss_api
        .get(app.url("/api/v1/networks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["slug"], "api-net");
    assert_eq!(mine[0]["role"], "owner");
    let one: Value = boss_api
        .get(app.url("/api/v1/n/api-net"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["membership"]["role"], "owner");
    let members: Value = boss_api
        .get(app.url("/api/v1/n/api-net/members?kind=alumni"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(members.as_array().unwrap().len(), 1);
    let res = boss_api
        .post(app.url(&format!("/api/v1/n/api-net/members/{member_m}")))
        .json(&serde_json::json!({"action": "role", "role": "moderator"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = boss_api
        .post(app.url(&format!("/api/v1/n/api-net/members/{member_m}")))
        .json(&serde_json::json!({"action": "fly"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let res = boss_api
        .post(app.url("/api/v1/n/api-net/invitations"))
        .json(&serde_json::json!({"email": "new@example.jp", "role": "member", "kind": "alumni"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    app.mail.wait_for("new@example.jp").await;
    let res = boss_api
        .post(app.url("/api/v1/n/api-net/invitations"))
        .json(&serde_json::json!({"email": "nope", "role": "member", "kind": "alumni"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    // settings and documents
    let res = boss_api.post(app.url("/api/v1/n/api-net/settings")).json(&serde_json::json!({"name_ja": "API ネット", "accent_color": "red", "join_policy": "request"})).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let res = boss_api.post(app.url("/api/v1/n/api-net/settings")).json(&serde_json::json!({"name_ja": "API ネット", "accent_color": "#aa0000", "join_policy": "request", "listed": "yes"})).send().await.unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(
        networks::by_slug(&app.db, "api-net")
            .await
            .unwrap()
            .unwrap()
            .join_policy,
        "request"
    );
    let res = boss_api
        .post(app.url("/api/v1/n/api-net/documents"))
        .json(&serde_json::json!({"kind": "purposes", "body_ja": "第二版"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(res.json::<Value>().await.unwrap()["version"], 2);
    // members must agree again; through the API too
    let member_api = api_client(&app, member.id).await;
    assert_eq!(
        member_api
            .get(app.url("/api/v1/n/api-net"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let res = member_api
        .post(app.url("/api/v1/n/api-net/consent"))
        .json(&serde_json::json!({"accept": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(
        member_api
            .get(app.url("/api/v1/n/api-net"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // joining by request through the API, once
    let joiner = fresh_account(&app, false).await;
    let joiner_api = api_client(&app, joiner.id).await;
    let res = joiner_api
        .post(app.url("/api/v1/n/api-net/join"))
        .json(&serde_json::json!({"consent": false, "kind": "alumni"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    for _ in 0..2 {
        let res = joiner_api
            .post(app.url("/api/v1/n/api-net/join"))
            .json(&serde_json::json!({"consent": true, "kind": "alumni", "note": "API から"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        assert_eq!(res.json::<Value>().await.unwrap()["status"], "pending");
    }
    let pending = memberships::list(
        &app.db,
        net.scope(),
        &MemberFilter {
            status: Some("pending".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(pending.len(), 1);
    // the owner cannot leave as the last owner
    assert_eq!(
        boss_api
            .post(app.url("/api/v1/n/api-net/leave"))
            .send()
            .await
            .unwrap()
            .status(),
        409
    );
    // a member is not an admin; the operator is not a member; members may leave
    assert_eq!(
        member_api
            .get(app.url("/api/v1/n/api-net/members"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        op_api
            .get(app.url("/api/v1/n/api-net"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        member_api
            .post(app.url("/api/v1/n/api-net/leave"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        member_api
            .get(app.url("/api/v1/n/api-net"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

/// A client authenticated with a fresh personal API token of `account_id`.
async fn api_client(app: &TestApp, account_id: i64) -> reqwest::Client {
    let secret = format!("enishi_{:064x}", enishi_testkit::unique_number());
    enishi_store::api_tokens::create(
        &app.db,
        account_id,
        "test",
        &enishi_core::secret::hash_token(&secret),
        "enishi_x",
        now_ms(),
    )
    .await
    .unwrap();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("authorization", format!("Bearer {secret}").parse().unwrap());
    reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A large network's members list comes a page at a time (pending
/// requests first), on the page and through the API.
async fn the_members_list_comes_in_pages(backend: Backend) {
    let app = TestApp::start(backend).await;
    let network = make_network(&app, "big", "request").await;
    let people: Vec<enishi_store::profiles::NewPerson> = (0..229)
        .map(|n| enishi_store::profiles::NewPerson {
            display_name: format!("会員 {n:03}"),
            kind: "alumni",
            profile: enishi_core::profile::Profile {
                family: "会員".into(),
                given: format!("{n:03}"),
                ..Default::default()
            },
            joined_at: now_ms(),
        })
        .collect();
    enishi_store::profiles::insert_people(&app.db, network.scope(), &people)
        .await
        .unwrap();
    let owner = fresh_account(&app, false).await;
    join(&app, &network, owner.id, "owner", "hr").await;
    let asking = fresh_account(&app, false).await;
    memberships::join(
        &app.db,
        network.scope(),
        &memberships::NewMembership {
            account_id: asking.id,
            role: "member",
            kind: "alumni",
            status: "pending",
            note: Some("入れてください"),
        },
        &memberships::Consent {
            purposes_version: 1,
            guidelines_version: 1,
            ip: None,
        },
    )
    .await
    .unwrap();
    let admin = app.visitor_signed_in_as(owner.id).await;
    let rows = |page: &str| page.matches("class=\"row member-row\"").count();
    let (status, first) = admin.get_text("/n/big/admin/members").await;
    assert_eq!(status, 200);
    // the request first, then a hundred others; 231 in all
    assert_eq!(rows(&first), 101);
    assert!(first.find("入れてください").unwrap() < first.find("会員 228").unwrap());
    assert!(first.contains("231人"));
    let next = |page: &str| {
        page.split("id=\"members-next\"").next().and_then(|head| {
            head.rsplit("href=\"")
                .next()
                .map(|h| h.split('"').next().unwrap().replace("&amp;", "&"))
        })
    };
    assert!(first.contains("id=\"members-next\""));
    let (_, second) = admin.get_text(&next(&first).unwrap()).await;
    assert_eq!(rows(&second), 100);
    assert!(
        !second.contains("入れてください"),
        "requests only on the first page"
    );
    let (_, third) = admin.get_text(&next(&second).unwrap()).await;
    assert_eq!(rows(&third), 30);
    assert!(!third.contains("id=\"members-next\""));
    let (_, pending) = admin.get_text("/n/big/admin/members?status=pending").await;
    assert_eq!(rows(&pending), 1);
    // the API: Link headers until the last page
    let client = api_client(&app, owner.id).await;
    let mut url = format!("{}/api/v1/n/big/members?limit=150", app.base);
    let mut seen = Vec::new();
    loop {
        let res = client.get(&url).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let link = res
            .headers()
            .get("link")
            .map(|l| l.to_str().unwrap().to_string());
        let body: Vec<Value> = res.json().await.unwrap();
        seen.extend(body.iter().map(|m| m["id"].as_i64().unwrap()));
        match link {
            Some(l) => {
                assert!(l.ends_with("; rel=\"next\""), "{l}");
                url = format!("{}{}", app.base, &l[1..l.find('>').unwrap()]);
            }
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (231, 231), "every member once");
}

dual_test!(
    the_members_list_comes_in_pages,
    operator_creates_a_network_and_its_owner_joins,
    invitations_link_to_the_existing_account,
    join_by_request_with_approval,
    staff_join_by_verified_domain,
    consent_is_asked_again_after_a_change,
    suspension_roles_and_leaving,
    networks_through_the_api,
);
