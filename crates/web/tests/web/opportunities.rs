//! Opportunities over real HTTP, on both databases: who may post (admins,
//! staff an admin authorised — never alumni), who sees what (alumni-only,
//! a group, picked people), answering (interest once, referrals with
//! consent and their refusals, the throttle, closed/paused/past the
//! deadline/own), HR's pipeline (stages told only when chosen, HR-only
//! notes, outcomes only when won), matching with reasons and without the
//! people who opted out or fields HR may not see, "for you" in the list
//! and in the digest, and every bad input's message.

use enishi_core::privacy::{Field, Visibility};
use enishi_core::profile::{OpenTo, Profile, Stint, YearMonth};
use enishi_store::networks::Network;
use enishi_store::profiles::StintsChange;
use enishi_testkit::{Backend, TestApp, Visitor, dual_test, unique_number};
use reqwest::Method;
use serde_json::{Value, json};

use crate::{api, join, make_network};

struct Person {
    v: Visitor,
    id: i64,
    email: String,
    profile: i64,
}

async fn person(app: &TestApp, net: &Network, role: &str, kind: &str, name: &str) -> Person {
    let email = format!("o{}@example.jp", unique_number());
    let account = app.create_account(&email, name, None, false).await;
    join(app, net, account.id, role, kind).await;
    let v = app.visitor_signed_in_as(account.id).await;
    v.get("/").await;
    let profile = crate::profile_of(app, net, account.id).await;
    Person {
        v,
        id: account.id,
        email,
        profile,
    }
}

/// Gives `p` a profile: open to `open_to`, with `skills`, one stint.
async fn profile(
    app: &TestApp,
    net: &Network,
    p: &Person,
    open_to: &[OpenTo],
    skills: &[&str],
    stint: (i64, i64, &str),
) {
    let stored = enishi_store::profiles::get(&app.db, net.scope(), p.profile)
        .await
        .unwrap()
        .unwrap();
    let mut prof: Profile = stored.profile;
    prof.open_to = open_to.to_vec();
    prof.skills = skills.iter().map(|s| s.to_string()).collect();
    let stints = vec![Stint {
        joined: YearMonth::new(stint.0, 4),
        left: YearMonth::new(stint.1, 3),
        departments: vec![stint.2.to_string()],
        ..Stint::default()
    }];
    prof.stints = stints.clone();
    assert!(
        enishi_store::profiles::save(
            &app.db,
            net.scope(),
            p.profile,
            &prof,
            StintsChange::Own(stints)
        )
        .await
        .unwrap()
    );
}

/// Makes `p`'s skills visible to them only.
async fn hide_skills(app: &TestApp, net: &Network, p: &Person) {
    let mut prof = enishi_store::profiles::get(&app.db, net.scope(), p.profile)
        .await
        .unwrap()
        .unwrap()
        .profile;
    prof.visibility.set(Field::Skills, Visibility::OnlyMe);
    enishi_store::profiles::save(&app.db, net.scope(), p.profile, &prof, StintsChange::Keep)
        .await
        .unwrap();
}

/// Posts through the form; the status, and the new id on success.
async fn post_form(v: &Visitor, fields: &[(&str, &str)]) -> (u16, Option<i64>, String) {
    let res = v.post_form("/n/alpha/opportunities", fields).await;
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    let id = location
        .split("/opportunities/")
        .nth(1)
        .and_then(|r| r.split('?').next())
        .and_then(|id| id.parse().ok());
    (status, id, res.text().await.unwrap())
}

fn project<'a>(title: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("kind", "project"),
        ("title", title),
        ("description", "BigQuery への移行を手伝ってください"),
        ("audience", "network"),
        ("skills", "SQL、BigQuery"),
        ("work_mode", "remote"),
        ("rate_min", "600000"),
        ("rate_max", "800000"),
        ("rate_unit", "month"),
        ("department", "データ分析部"),
        ("status", "open"),
    ];
    for (k, v) in extra {
        f.retain(|(x, _)| x != k);
        f.push((k, v));
    }
    f
}

/// An opportunity's answers as HR's API gives them.
async fn pipeline_of(v: &Visitor, id: i64) -> Value {
    let (s, body) = api(
        v,
        Method::GET,
        &format!("/api/v1/n/alpha/opportunities/{id}/answers"),
        None,
    )
    .await;
    assert_eq!(s, 200, "{body}");
    body
}

async fn answer(v: &Visitor, id: i64, body: Value) -> (u16, Value) {
    api(
        v,
        Method::POST,
        &format!("/api/v1/n/alpha/opportunities/{id}/answers"),
        Some(body),
    )
    .await
}

async fn posting_is_for_admins_and_authorised_staff(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let hr = person(&app, &net, "admin", "hr", "人事 花子").await;
    let staff = person(&app, &net, "member", "employee", "社員 次郎").await;
    let alum = person(&app, &net, "member", "alumni", "卒業 三郎").await;
    // staff and alumni cannot post, by page or API
    for p in [&staff, &alum] {
        assert_eq!(p.v.get("/n/alpha/opportunities/new").await.status(), 404);
        let (s, _, _) = post_form(&p.v, &project("x", &[])).await;
        assert_eq!(s, 404);
        let (s, _) = api(
            &p.v,
            Method::POST,
            "/api/v1/n/alpha/opportunities",
            Some(json!({"kind": "project", "title": "x", "audience": "network"})),
        )
        .await;
        assert_eq!(s, 404);
    }
    // the admin's bad inputs, each with its message, nothing stored
    let bad: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            project("報酬が逆", &[("rate_min", "900000")]),
            "上限は下限以上にしてください。",
        ),
        (
            project("過去の締切", &[("deadline", "2020-01-01")]),
            "締切日に過去の日付は指定できません。",
        ),
        (
            project(
                "ないグループ",
                &[("audience", "group"), ("group", "999999")],
            ),
            "公開先のグループが見つからないか",
        ),
        (
            project(
                "だれ？",
                &[("audience", "picked"), ("picked", "nobody@example.org")],
            ),
            "このネットワークのメンバーではないアドレスが含まれています。",
        ),
        (project("", &[]), "タイトルを入力してください。"),
        (
            vec![
                ("kind", "rehire"),
                ("title", "出戻り"),
                ("audience", "alumni"),
            ],
            "職種・ポジションを入力してください。",
        ),
    ];
    for (fields, message) in bad {
        let (s, id, html) = post_form(&hr.v, &fields).await;
        assert_eq!((s, id), (422, None), "{fields:?}");
        assert!(html.contains(message), "{message}: {fields:?}");
    }
    let (s, body) = api(&hr.v, Method::GET, "/api/v1/n/alpha/opportunities", None).await;
    assert_eq!((s, body.as_array().unwrap().len()), (200, 0));
    // the API says the same in English when asked
    let res =
        hr.v.client
            .post(hr.v.url("/api/v1/n/alpha/opportunities"))
            .header("x-csrf-token", hr.v.csrf_token().unwrap())
            .header("accept-language", "en")
            .json(
                &json!({"kind": "project", "title": "x", "audience": "network",
                      "rate_min": 5, "rate_max": 1}),
            )
            .send()
            .await
            .unwrap();
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("rate_max"), "{body}");
    assert!(
        body.contains("The maximum must not be less than the minimum."),
        "{body}"
    );
    // authorise the staff member (alumni cannot be)
    let res =
        hr.v.post_form(
            "/n/alpha/opportunities/posters",
            &[("action", "add"), ("email", &alum.email)],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("現役社員・人事の方だけです")
    );
    let res =
        hr.v.post_form(
            "/n/alpha/opportunities/posters",
            &[("action", "add"), ("email", &staff.email)],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (s, id, _) = post_form(&staff.v, &project("データ基盤の刷新", &[])).await;
    assert_eq!(s, 303);
    let id = id.unwrap();
    // the poster runs it; the alumnus sees it, not its pipeline
    assert_eq!(
        staff
            .v
            .get(&format!("/n/alpha/opportunities/{id}/pipeline"))
            .await
            .status(),
        200
    );
    let (s, html) = alum
        .v
        .get_text(&format!("/n/alpha/opportunities/{id}"))
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("データ基盤の刷新"));
    assert!(html.contains("¥600,000〜¥800,000／月"), "rate shown");
    let english = alum
        .v
        .client
        .get(alum.v.url(&format!("/n/alpha/opportunities/{id}")))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        english.contains("¥600,000–¥800,000/month"),
        "the rate in English"
    );
    for path in [
        format!("/n/alpha/opportunities/{id}/pipeline"),
        format!("/n/alpha/opportunities/{id}/edit"),
        format!("/api/v1/n/alpha/opportunities/{id}/answers"),
        format!("/api/v1/n/alpha/opportunities/{id}/matches"),
        format!("/n/alpha/opportunities/{id}/matches"),
    ] {
        assert_eq!(alum.v.get(&path).await.status(), 404, "{path}");
    }
    // removing the authorisation removes the right
    let res =
        hr.v.post_form(
            "/n/alpha/opportunities/posters",
            &[("action", "remove"), ("account", &staff.id.to_string())],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        staff
            .v
            .get(&format!("/n/alpha/opportunities/{id}/pipeline"))
            .await
            .status(),
        404
    );
    // editing keeps the kind and may close it; a kept past deadline is fine
    let mut fields = project("データ基盤の刷新（締切）", &[("status", "closed")]);
    fields.retain(|(k, _)| *k != "kind");
    fields.push(("kind", "rehire"));
    let res =
        hr.v.post_form(&format!("/n/alpha/opportunities/{id}"), &fields)
            .await;
    assert_eq!(res.status(), 303);
    let (_, body) = api(
        &hr.v,
        Method::GET,
        &format!("/api/v1/n/alpha/opportunities/{id}"),
        None,
    )
    .await;
    assert_eq!(body["kind"], "project");
    assert_eq!(body["status"], "closed");
    app.stop().await;
}

async fn audiences_decide_who_sees(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let hr = person(&app, &net, "owner", "hr", "人事 花子").await;
    let staff = person(&app, &net, "member", "employee", "社員 次郎").await;
    let alum = person(&app, &net, "member", "alumni", "卒業 三郎").await;
    let picked = person(&app, &net, "member", "alumni", "指名 四郎").await;
    let grouped = person(&app, &net, "member", "alumni", "会員 五郎").await;
    let (s, alumni_only, _) = post_form(
        &hr.v,
        &[
            ("kind", "rehire"),
            ("title", "出戻り歓迎：営業"),
            ("audience", "alumni"),
            ("role", "法人営業"),
        ],
    )
    .await;
    assert_eq!(s, 303);
    let (s, just_one, _) = post_form(
        &hr.v,
        &project(
            "指名の案件",
            &[("audience", "picked"), ("picked", &picked.email)],
        ),
    )
    .await;
    assert_eq!(s, 303);
    // a group the HR owner runs, with one alumnus in it
    let group = enishi_store::groups::create(
        &app.db,
        net.scope(),
        &enishi_store::groups::NewGroup {
            name: "データの会",
            description: "",
            category: "interest",
            access: "hidden",
            space: "shared",
            status: "active",
            creator: hr.id,
        },
        enishi_store::now_ms(),
    )
    .await
    .unwrap();
    enishi_store::groups::set_standing(
        &app.db,
        net.scope(),
        group,
        grouped.id,
        "member",
        enishi_store::now_ms(),
    )
    .await
    .unwrap();
    let g = group.to_string();
    let (s, in_group, _) = post_form(
        &hr.v,
        &project("グループの案件", &[("audience", "group"), ("group", &g)]),
    )
    .await;
    assert_eq!(s, 303);
    let (alumni_only, just_one, in_group) =
        (alumni_only.unwrap(), just_one.unwrap(), in_group.unwrap());
    assert!(sees(&alum, alumni_only).await);
    assert!(!sees(&staff, alumni_only).await, "alumni only");
    assert!(sees(&hr, alumni_only).await, "admins see all");
    assert!(sees(&picked, just_one).await);
    assert!(!sees(&alum, just_one).await);
    assert!(sees(&grouped, in_group).await);
    assert!(!sees(&alum, in_group).await);
    // a group the poster cannot read is refused (an alumni-only group
    // does not exist for HR)
    let alumni_group = enishi_store::groups::create(
        &app.db,
        net.scope(),
        &enishi_store::groups::NewGroup {
            name: "OBだけの会",
            description: "",
            category: "interest",
            access: "open",
            space: "alumni",
            status: "active",
            creator: alum.id,
        },
        enishi_store::now_ms(),
    )
    .await
    .unwrap()
    .to_string();
    let (s, _, html) = post_form(
        &hr.v,
        &project(
            "届かない",
            &[("audience", "group"), ("group", &alumni_group)],
        ),
    )
    .await;
    assert_eq!(s, 422);
    assert!(html.contains("公開先のグループが見つからないか"));
    app.stop().await;
}

/// Whether `p` sees the opportunity `id` (page and API agree; those who
/// do not see it cannot answer it either).
async fn sees(p: &Person, id: i64) -> bool {
    let v = &p.v;
    let page = v
        .get(&format!("/n/alpha/opportunities/{id}"))
        .await
        .status();
    let (s, list) = api(v, Method::GET, "/api/v1/n/alpha/opportunities", None).await;
    assert_eq!(s, 200);
    let listed = list
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["id"].as_i64() == Some(id));
    assert_eq!(page == 200, listed, "page and API agree");
    if !listed {
        assert_eq!(page, 404);
        let (s, _) = answer(v, id, json!({"answer": "interest"})).await;
        assert_eq!(s, 404);
    }
    listed
}

/// The "all opportunities" part of `v`'s list of saved ones.
async fn saved_list(v: &Visitor) -> String {
    let (_, html) = v.get_text("/n/alpha/opportunities?saved=1").await;
    html[html.find("id=\"all-heading\"").unwrap()..].to_string()
}

/// How many notifications `p` has.
async fn told(p: &Person) -> usize {
    let (_, n) = api(&p.v, Method::GET, "/api/v1/notifications", None).await;
    n.as_array().unwrap().len()
}

async fn answers_referrals_and_their_refusals(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let hr = person(&app, &net, "owner", "hr", "人事 花子").await;
    let alum = person(&app, &net, "member", "alumni", "卒業 三郎").await;
    let other = person(&app, &net, "member", "alumni", "友人 四郎").await;
    let (_, id, _) = post_form(&hr.v, &project("データ基盤の刷新", &[])).await;
    let id = id.unwrap();
    let (_, referral, _) = post_form(
        &hr.v,
        &[
            ("kind", "referral"),
            ("title", "SRE を紹介してください"),
            ("audience", "network"),
            ("role", "SRE"),
            ("reward", "紹介料 30万円"),
        ],
    )
    .await;
    let referral = referral.unwrap();
    // interest, twice (a double click): one answer
    let res = alum
        .v
        .post_form(
            &format!("/n/alpha/opportunities/{id}/answers"),
            &[
                ("answer", "interest"),
                ("note", "ぜひ"),
                ("cv_url", "https://cv.example.jp/me"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (s, again) = answer(&alum.v, id, json!({"answer": "interest", "note": "ぜひ"})).await;
    assert_eq!(s, 201);
    let board = pipeline_of(&hr.v, id).await;
    assert_eq!(board.as_array().unwrap().len(), 1, "{board}");
    assert_eq!(board[0]["id"], again["id"]);
    assert_eq!(board[0]["cv_url"], "https://cv.example.jp/me");
    // the poster is told
    let (_, notes) = api(&hr.v, Method::GET, "/api/v1/notifications", None).await;
    assert!(
        notes.to_string().contains("データ基盤の刷新"),
        "the poster hears of the answer: {notes}"
    );
    // wrong kinds of answer, bad links, own opportunity
    for (who, body, message) in [
        (
            &alum,
            json!({"answer": "mentor"}),
            "その方法では応じられません",
        ),
        (
            &alum,
            json!({"answer": "hire me"}),
            "その方法では応じられません",
        ),
        (
            &other,
            json!({"answer": "interest", "cv_url": "javascript:alert(1)"}),
            "https://",
        ),
        (
            &hr,
            json!({"answer": "interest"}),
            "ご自分が掲載した募集には応募できません",
        ),
    ] {
        let (s, body) = answer(&who.v, id, body).await;
        assert_eq!(s, 422);
        assert!(body.to_string().contains(message), "{message}: {body}");
    }
    // referrals: consent, a real address, not oneself, not a member
    let good = |email: &str| {
        json!({"answer": "referral", "name": "山田 花子", "email": email,
               "relationship": "前職の同僚", "agreed": true})
    };
    for (body, message) in [
        (
            json!({"answer": "referral", "name": "山田 花子", "email": "hanako@example.org",
                   "relationship": "前職の同僚"}),
            "ご本人が了承していることを確認してください",
        ),
        (
            good("not an address"),
            "メールアドレスを正しく入力してください",
        ),
        (good(&alum.email), "ご自分を紹介することはできません"),
        (good(&other.email), "すでにネットワークのメンバーです"),
    ] {
        let (s, body) = answer(&alum.v, referral, body).await;
        assert_eq!(s, 422, "{body}");
        assert!(body.to_string().contains(message), "{message}: {body}");
    }
    let (s, _) = answer(&alum.v, referral, good("Hanako@Example.org")).await;
    assert_eq!(s, 201);
    let (s, body) = answer(&other.v, referral, good("hanako@example.org")).await;
    assert_eq!(s, 422, "referred already: {body}");
    assert!(
        body.to_string()
            .contains("すでにこの募集に紹介されています")
    );
    let board = pipeline_of(&hr.v, referral).await;
    assert_eq!(board.as_array().unwrap().len(), 1);
    assert_eq!(board[0]["referred_email"], "hanako@example.org");
    assert!(
        board[0]["consent_at"].as_i64().is_some(),
        "agreement recorded"
    );
    // nobody e-mailed the referred person
    let mailed = enishi_store::outbox::recent(&app.db, None, 500)
        .await
        .unwrap()
        .into_iter()
        .any(|m| m.to_addr == "hanako@example.org");
    assert!(!mailed, "only HR contacts them");
    // ten referrals a minute; the eleventh waits (and is not stored)
    let mut statuses = Vec::new();
    for n in 0..11 {
        let (s, _) = answer(&other.v, referral, good(&format!("r{n}@example.org"))).await;
        statuses.push(s);
    }
    // the refused one above counted too
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 9);
    assert_eq!(*statuses.last().unwrap(), 429);
    // paused, closed, past the deadline: refused with the reason
    for (status, message) in [
        ("paused", "一時停止中"),
        ("filled", "この募集は終了しました"),
    ] {
        let res =
            hr.v.post_form(
                &format!("/n/alpha/opportunities/{id}"),
                &project("データ基盤の刷新", &[("status", status)]),
            )
            .await;
        assert_eq!(res.status(), 303);
        let (s, body) = answer(&other.v, id, json!({"answer": "interest"})).await;
        assert_eq!(s, 422);
        assert!(body.to_string().contains(message), "{message}: {body}");
        let (_, html) = other
            .v
            .get_text(&format!("/n/alpha/opportunities/{id}"))
            .await;
        assert!(html.contains(message), "the page says why: {message}");
        assert!(!html.contains("興味ありと伝える"), "no form");
    }
    // a deadline that has passed (the form refuses to set one)
    let sql = format!(
        "UPDATE opportunities SET status = 'open', deadline = '2020-01-01' WHERE id = {id}"
    );
    match &app.db {
        enishi_store::Db::Sqlite(p) => {
            enishi_store::sqlx::query(enishi_store::sqlx::AssertSqlSafe(sql))
                .execute(p)
                .await
                .unwrap();
        }
        enishi_store::Db::Postgres(p) => {
            enishi_store::sqlx::query(enishi_store::sqlx::AssertSqlSafe(sql))
                .execute(p)
                .await
                .unwrap();
        }
    }
    let (s, body) = answer(&other.v, id, json!({"answer": "interest"})).await;
    assert_eq!(s, 422);
    assert!(body.to_string().contains("締切を過ぎている"), "{body}");
    app.stop().await;
}

async fn the_pipeline_tells_only_when_chosen(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let hr = person(&app, &net, "owner", "hr", "人事 花子").await;
    let alum = person(&app, &net, "member", "alumni", "卒業 三郎").await;
    let (_, id, _) = post_form(&hr.v, &project("データ基盤の刷新", &[])).await;
    let id = id.unwrap();
    let (_, a) = answer(&alum.v, id, json!({"answer": "interest"})).await;
    let a = a["id"].as_i64().unwrap();
    let act = |body: Value| {
        let v = &hr.v;
        async move {
            api(
                v,
                Method::POST,
                &format!("/api/v1/n/alpha/opportunities/{id}/answers/{a}"),
                Some(body),
            )
            .await
        }
    };
    // quietly to "talking", then told at "proposed"
    assert_eq!(
        act(json!({"action": "stage", "stage": "talking"})).await.0,
        204
    );
    assert_eq!(told(&alum).await, 0, "not told unless HR chooses");
    assert_eq!(
        act(json!({"action": "stage", "stage": "proposed", "notify": true}))
            .await
            .0,
        204
    );
    let (_, n) = api(&alum.v, Method::GET, "/api/v1/notifications", None).await;
    assert_eq!(n.as_array().unwrap().len(), 1);
    assert!(
        n[0]["text"].as_str().unwrap().contains("提案があります"),
        "{n}"
    );
    assert_eq!(n[0]["href"], format!("/n/alpha/opportunities/{id}"));
    // by e-mail too (the topic is on by default)
    let mail = app.mail.wait_for(&alum.email).await;
    assert!(mail.text().contains("データ基盤の刷新"), "{}", mail.text());
    // bad actions say why
    for (body, message) in [
        (
            json!({"action": "stage", "stage": "not_now"}),
            "理由を書いてください",
        ),
        (
            json!({"action": "stage", "stage": "hired"}),
            "段階を選んでください",
        ),
        (
            json!({"action": "outcome", "on": "2026-12-01", "band": "1m_5m"}),
            "「成立」になった応募にだけ",
        ),
        (
            json!({"action": "note", "body": " "}),
            "メモを書いてください",
        ),
        (json!({"action": "explode"}), "この操作はできません"),
    ] {
        let (s, body) = act(body).await;
        assert_eq!(s, 422);
        assert!(body.to_string().contains(message), "{message}: {body}");
    }
    // an HR-only note, never shown to the person
    assert_eq!(
        act(json!({"action": "note", "body": "単価は要相談、来週面談"}))
            .await
            .0,
        204
    );
    let (_, html) = alum
        .v
        .get_text(&format!("/n/alpha/opportunities/{id}"))
        .await;
    assert!(!html.contains("来週面談"));
    let (_, html) =
        hr.v.get_text(&format!("/n/alpha/opportunities/{id}/pipeline"))
            .await;
    assert!(html.contains("来週面談"));
    // HR cannot withdraw for the person; another member cannot either
    let (s, _) = act(json!({"action": "stage", "stage": "withdrawn"})).await;
    assert_eq!(s, 422);
    let (s, _) = api(
        &hr.v,
        Method::DELETE,
        &format!("/api/v1/n/alpha/opportunities/{id}/answers/{a}"),
        None,
    )
    .await;
    assert_eq!(s, 404, "not HR's answer to withdraw");
    // the person withdraws (HR sees it), answers again (back in), …
    let res = alum
        .v
        .post_form(
            &format!("/n/alpha/opportunities/{id}/answers/{a}/withdraw"),
            &[],
        )
        .await;
    assert_eq!(res.status(), 303);
    let board = pipeline_of(&hr.v, id).await;
    assert_eq!(board[0]["stage"], "withdrawn");
    let (_, html) =
        hr.v.get_text(&format!("/n/alpha/opportunities/{id}/pipeline"))
            .await;
    assert!(html.contains("stage-withdrawn"), "a withdrawn column");
    let (_, mine) = api(
        &alum.v,
        Method::GET,
        &format!("/api/v1/n/alpha/opportunities/{id}"),
        None,
    )
    .await;
    assert_eq!(mine["answered"], 0, "a withdrawn answer is not counted");
    let (s, body) = act(json!({"action": "stage", "stage": "talking"})).await;
    assert_eq!(s, 422, "HR does not pull a withdrawn answer back");
    assert!(body.to_string().contains("取り下げました"), "{body}");
    let (s, again) = answer(&alum.v, id, json!({"answer": "interest"})).await;
    assert_eq!((s, again["id"].as_i64()), (201, Some(a)));
    let board = pipeline_of(&hr.v, id).await;
    assert_eq!(board[0]["stage"], "interested");
    // won, then the outcome (a project needs its amount band)
    assert_eq!(act(json!({"action": "stage", "stage": "won"})).await.0, 204);
    let (s, body) = act(json!({"action": "outcome", "on": "2026-12-01"})).await;
    assert_eq!(s, 422);
    assert!(body.to_string().contains("金額の帯"), "{body}");
    let res =
        hr.v.post_form(
            &format!("/n/alpha/opportunities/{id}/answers/{a}"),
            &[
                ("action", "outcome"),
                ("on", "2026/12/1"),
                ("band", "1m_5m"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let board = pipeline_of(&hr.v, id).await;
    assert_eq!(board[0]["stage"], "won");
    assert_eq!(board[0]["outcome"], "contracted");
    assert_eq!(board[0]["outcome_on"], "2026-12-01");
    assert_eq!(board[0]["amount_band"], "1m_5m");
    assert_eq!(board[0]["notes"], json!(["単価は要相談、来週面談"]));
    // a decided answer stays
    let (s, body) = api(
        &alum.v,
        Method::DELETE,
        &format!("/api/v1/n/alpha/opportunities/{id}/answers/{a}"),
        None,
    )
    .await;
    assert_eq!(s, 409);
    assert!(body.to_string().contains("取り下げられません"), "{body}");
    let (_, html) = hr.v.get_text("/n/alpha/opportunities").await;
    assert!(html.contains("業務委託の契約 1"), "outcomes counted");
    // another opportunity's answer is not found under this one, nor an
    // answer that does not exist
    let (_, other_opp, _) = post_form(&hr.v, &project("別の募集", &[])).await;
    let other_opp = other_opp.unwrap();
    for path in [
        format!("/api/v1/n/alpha/opportunities/{other_opp}/answers/{a}"),
        format!("/api/v1/n/alpha/opportunities/{id}/answers/999999"),
    ] {
        let (s, _) = api(
            &hr.v,
            Method::POST,
            &path,
            Some(json!({"action": "stage", "stage": "talking"})),
        )
        .await;
        assert_eq!(s, 404, "{path}");
    }
    let board = pipeline_of(&hr.v, id).await;
    assert_eq!(board[0]["stage"], "won", "nothing moved");
    // the pipeline opens a conversation with the person
    let (_, html) =
        hr.v.get_text(&format!("/n/alpha/opportunities/{id}/pipeline"))
            .await;
    assert!(
        html.contains(&format!("/n/alpha/messages/new?to={}", alum.profile)),
        "a message link to the person"
    );
    // moved off "won", the outcome no longer counts (it comes back with it)
    assert_eq!(
        act(json!({"action": "stage", "stage": "talking"})).await.0,
        204
    );
    let (_, html) = hr.v.get_text("/n/alpha/opportunities").await;
    assert!(!html.contains("業務委託の契約 1"), "not counted off won");
    assert_eq!(act(json!({"action": "stage", "stage": "won"})).await.0, 204);
    let (_, html) = hr.v.get_text("/n/alpha/opportunities").await;
    assert!(html.contains("業務委託の契約 1"), "counted again");
    app.stop().await;
}

/// Mentoring and talks as HR posts them, the kind filter, a closed
/// opportunity, answering again after withdrawing, and what each won
/// answer is recorded as (a referral to a rehire opening is a referral
/// hire); a poster's tally is their own opportunities'.
async fn every_kind_and_what_it_becomes(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let hr = person(&app, &net, "owner", "hr", "人事 花子").await;
    let staff = person(&app, &net, "member", "employee", "社員 次郎").await;
    let alum = person(&app, &net, "member", "alumni", "卒業 三郎").await;
    let (_, mentoring, _) = post_form(
        &hr.v,
        &[
            ("kind", "mentoring"),
            ("title", "新任マネージャーの相談相手"),
            ("description", "月に一度、30分の相談に乗ってください"),
            ("audience", "alumni"),
            ("skills", "マネジメント"),
        ],
    )
    .await;
    let mentoring = mentoring.unwrap();
    let (_, speaking, _) = post_form(
        &hr.v,
        &[
            ("kind", "speaking"),
            ("title", "社内勉強会で登壇"),
            ("audience", "network"),
        ],
    )
    .await;
    let speaking = speaking.unwrap();
    let (_, rehire, _) = post_form(
        &hr.v,
        &[
            ("kind", "rehire"),
            ("title", "データエンジニア（出戻り歓迎）"),
            ("audience", "alumni"),
            ("role", "データエンジニア"),
            ("department", "データ分析部"),
            ("ats_url", "https://ats.example.jp/jobs/42"),
        ],
    )
    .await;
    let rehire = rehire.unwrap();
    // the kind filter, on the page and in the API
    let (_, html) = alum
        .v
        .get_text("/n/alpha/opportunities?kind=mentoring")
        .await;
    assert!(html.contains("新任マネージャーの相談相手"));
    assert!(!html.contains("社内勉強会で登壇"), "only mentoring listed");
    let (_, list) = api(
        &alum.v,
        Method::GET,
        "/api/v1/n/alpha/opportunities?kind=speaking",
        None,
    )
    .await;
    let titles: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, vec!["社内勉強会で登壇"]);
    let (_, html) = alum
        .v
        .get_text(&format!("/n/alpha/opportunities/{rehire}"))
        .await;
    assert!(
        html.contains("https://ats.example.jp/jobs/42"),
        "the ATS link"
    );
    // a mentor offer through the page, interest in a talk
    let res = alum
        .v
        .post_form(
            &format!("/n/alpha/opportunities/{mentoring}/answers"),
            &[("answer", "mentor"), ("note", "マネジメント経験10年")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (s, _) = answer(&alum.v, speaking, json!({"answer": "interest"})).await;
    assert_eq!(s, 201);
    // a closed opportunity takes no answers, and says so
    let res =
        hr.v.post_form(
            &format!("/n/alpha/opportunities/{speaking}"),
            &[
                ("kind", "speaking"),
                ("title", "社内勉強会で登壇"),
                ("audience", "network"),
                ("status", "closed"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (s, body) = answer(&staff.v, speaking, json!({"answer": "interest"})).await;
    assert_eq!(s, 422);
    assert!(
        body.to_string().contains("この募集は終了しました"),
        "{body}"
    );
    // withdrawn, then answered again with a new note: HR sees the new
    // note, and hears of it
    let (s, _) = api(
        &alum.v,
        Method::GET,
        &format!("/api/v1/n/alpha/opportunities/{mentoring}/answers"),
        None,
    )
    .await;
    assert_eq!(s, 404, "the board is HR's");
    let board = pipeline_of(&hr.v, mentoring).await;
    let offer = board[0]["id"].as_i64().unwrap();
    assert_eq!(board[0]["answer"], "mentor");
    // HR has seen the first (an unread one is not repeated)
    assert_eq!(hr.v.get("/notifications").await.status(), 200);
    let heard = told(&hr).await;
    let (s, _) = api(
        &alum.v,
        Method::DELETE,
        &format!("/api/v1/n/alpha/opportunities/{mentoring}/answers/{offer}"),
        None,
    )
    .await;
    assert_eq!(s, 204);
    let (s, again) = answer(
        &alum.v,
        mentoring,
        json!({"answer": "mentor", "note": "オンラインなら毎週でも"}),
    )
    .await;
    assert_eq!((s, again["id"].as_i64()), (201, Some(offer)));
    let board = pipeline_of(&hr.v, mentoring).await;
    assert_eq!(board[0]["stage"], "interested");
    assert_eq!(board[0]["note"], "オンラインなら毎週でも");
    assert_eq!(told(&hr).await, heard + 1, "the poster hears it again");
    // a referral to the rehire opening, and the mentor offer, won
    let (s, referred) = answer(
        &alum.v,
        rehire,
        json!({"answer": "referral", "name": "山田 花子", "email": "hanako@example.org",
               "relationship": "前職の同僚", "agreed": true}),
    )
    .await;
    assert_eq!(s, 201, "{referred}");
    let referred = referred["id"].as_i64().unwrap();
    for (opp, a) in [(rehire, referred), (mentoring, offer)] {
        for body in [
            json!({"action": "stage", "stage": "won"}),
            json!({"action": "outcome", "on": "2026-12-01"}),
        ] {
            let (s, body) = api(
                &hr.v,
                Method::POST,
                &format!("/api/v1/n/alpha/opportunities/{opp}/answers/{a}"),
                Some(body),
            )
            .await;
            assert_eq!(s, 204, "{body}");
        }
    }
    let board = pipeline_of(&hr.v, rehire).await;
    assert_eq!(board[0]["outcome"], "referral_hired");
    let board = pipeline_of(&hr.v, mentoring).await;
    assert_eq!(board[0]["outcome"], "mentoring_done");
    let (_, html) = hr.v.get_text("/n/alpha/opportunities").await;
    assert!(html.contains("紹介からの採用 1"), "tally");
    assert!(html.contains("メンタリング実施 1"), "tally");
    assert!(!html.contains("再雇用 1"), "a referral is not a rehire");
    // an authorised staff member counts only what they posted
    let res =
        hr.v.post_form(
            "/n/alpha/opportunities/posters",
            &[("email", staff.email.as_str()), ("action", "add")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = staff.v.get_text("/n/alpha/opportunities").await;
    assert!(
        !html.contains("紹介からの採用 1"),
        "not the network's outcomes"
    );
    assert_eq!(
        staff.v.get("/n/alpha/opportunities/new").await.status(),
        200
    );
    // they leave and come back: authorised again only by an admin
    let membership = enishi_store::memberships::of_account(&app.db, net.scope(), staff.id)
        .await
        .unwrap()
        .unwrap()
        .id;
    for kind in ["alumni", "employee"] {
        let res =
            hr.v.post_form(
                &format!("/n/alpha/admin/members/{membership}"),
                &[("action", "kind"), ("kind", kind)],
            )
            .await;
        assert_eq!(res.status(), 303, "{kind}");
    }
    assert_eq!(
        staff.v.get("/n/alpha/opportunities/new").await.status(),
        404,
        "the old authorisation ended when they left"
    );
    app.stop().await;
}

async fn matching_ranks_with_reasons_and_respects_choices(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let hr = person(&app, &net, "owner", "hr", "人事 花子").await;
    let best = person(&app, &net, "member", "alumni", "分析 一郎").await;
    let some = person(&app, &net, "member", "alumni", "営業 二郎").await;
    let out = person(&app, &net, "member", "alumni", "辞退 三郎").await;
    let hidden = person(&app, &net, "member", "alumni", "秘密 四郎").await;
    let nobody = person(&app, &net, "member", "alumni", "無関係 五郎").await;
    profile(
        &app,
        &net,
        &best,
        &[OpenTo::Contract],
        &["SQL", "BigQuery"],
        (2012, 2018, "データ分析部"),
    )
    .await;
    profile(&app, &net, &some, &[], &["sql"], (2001, 2005, "営業部")).await;
    profile(
        &app,
        &net,
        &out,
        &[OpenTo::Contract],
        &["SQL"],
        (2015, 2020, "データ分析部"),
    )
    .await;
    profile(
        &app,
        &net,
        &hidden,
        &[],
        &["SQL", "BigQuery"],
        (2010, 2016, "経理部"),
    )
    .await;
    profile(
        &app,
        &net,
        &nobody,
        &[OpenTo::Rehire],
        &["Excel"],
        (2019, 2024, "人事部"),
    )
    .await;
    // the opted-out alumnus says so
    let res = out
        .v
        .post_form("/n/alpha/opportunities/matching", &[("opt_out", "1")])
        .await;
    assert_eq!(res.status(), 303);
    // the hidden one keeps their skills to themselves
    hide_skills(&app, &net, &hidden).await;
    let (_, id, _) = post_form(&hr.v, &project("データ基盤の刷新", &[])).await;
    let id = id.unwrap();
    let (s, m) = api(
        &hr.v,
        Method::GET,
        &format!("/api/v1/n/alpha/opportunities/{id}/matches"),
        None,
    )
    .await;
    assert_eq!(s, 200);
    let ids: Vec<i64> = m
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["profile_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![best.profile, some.profile], "{m}");
    assert_eq!(
        m[0]["reasons"],
        "業務委託・副業に関心あり · スキル: SQL, BigQuery · 2012–2018 データ分析部 · 2018年退職"
    );
    assert_eq!(m[1]["reasons"], "スキル: sql");
    // the page shows the same, with a way to write to them
    let (_, html) =
        hr.v.get_text(&format!("/n/alpha/opportunities/{id}/matches"))
            .await;
    assert!(html.contains("スキル: SQL, BigQuery"));
    assert!(html.contains(&format!("/n/alpha/messages/new?to={}", best.profile)));
    assert!(!html.contains("辞退 三郎") && !html.contains("秘密 四郎"));
    // for you: the fitting alumnus sees it first, with why; the other
    // kinds' people do not
    let (_, html) = best.v.get_text("/n/alpha/opportunities").await;
    let for_you = &html[html.find("id=\"for-you\"").expect("a for-you list")..];
    assert!(for_you.contains("データ基盤の刷新"));
    assert!(for_you.contains("理由：業務委託・副業に関心あり"));
    let (_, fy) = api(
        &best.v,
        Method::GET,
        "/api/v1/n/alpha/opportunities?for_you=true",
        None,
    )
    .await;
    assert_eq!(fy[0]["id"].as_i64(), Some(id));
    let (_, fy) = api(
        &nobody.v,
        Method::GET,
        "/api/v1/n/alpha/opportunities?for_you=true",
        None,
    )
    .await;
    assert_eq!(fy, json!([]));
    // opting out through the API takes them off HR's list, and back
    let matches_now = |on: bool| {
        let (hr, best) = (&hr.v, &best.v);
        async move {
            let (s, b) = api(
                best,
                Method::PUT,
                "/api/v1/n/alpha/opportunity-matching",
                Some(json!({"suggest_me": on})),
            )
            .await;
            assert_eq!((s, b["suggest_me"].as_bool()), (200, Some(on)));
            let (_, m) = api(
                hr,
                Method::GET,
                &format!("/api/v1/n/alpha/opportunities/{id}/matches"),
                None,
            )
            .await;
            m.as_array().unwrap().len()
        }
    };
    assert_eq!(matches_now(false).await, 1);
    assert_eq!(matches_now(true).await, 2);
    // the list's candidates are kept a few minutes, the people are not:
    // skills hidden now are gone from the reasons now
    hide_skills(&app, &net, &best).await;
    let (_, m) = api(
        &hr.v,
        Method::GET,
        &format!("/api/v1/n/alpha/opportunities/{id}/matches"),
        None,
    )
    .await;
    assert_eq!(m[0]["profile_id"].as_i64(), Some(best.profile), "{m}");
    assert!(!m[0]["reasons"].as_str().unwrap().contains("スキル"), "{m}");
    // saving for later, by API and page
    let (s, _) = api(
        &best.v,
        Method::PUT,
        &format!("/api/v1/n/alpha/opportunities/{id}/saved"),
        Some(json!({"saved": true})),
    )
    .await;
    assert_eq!(s, 200);
    let list = saved_list(&best.v).await;
    assert!(list.contains("データ基盤の刷新") && list.contains("保存済み"));
    let list = saved_list(&some.v).await;
    assert!(!list.contains("データ基盤の刷新"), "saves are one's own");
    // once answered, it is no longer "for you"
    answer(&best.v, id, json!({"answer": "interest"})).await;
    let (_, fy) = api(
        &best.v,
        Method::GET,
        "/api/v1/n/alpha/opportunities?for_you=true",
        None,
    )
    .await;
    assert_eq!(fy, json!([]));
    app.stop().await;
}

async fn the_digest_brings_opportunities_for_you(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let hr = person(&app, &net, "owner", "hr", "人事 花子").await;
    let fits = person(&app, &net, "member", "alumni", "分析 一郎").await;
    let no_thanks = person(&app, &net, "member", "alumni", "不要 二郎").await;
    let no_digest = person(&app, &net, "member", "alumni", "静か 三郎").await;
    let english = person(&app, &net, "member", "alumni", "Ken Mori").await;
    for p in [&fits, &no_thanks, &no_digest, &english] {
        profile(
            &app,
            &net,
            p,
            &[OpenTo::Contract],
            &["SQL"],
            (2012, 2018, "データ分析部"),
        )
        .await;
    }
    enishi_store::accounts::update_settings(&app.db, english.id, "Ken Mori", "en", "Asia/Tokyo")
        .await
        .unwrap();
    let (_, id, _) = post_form(&hr.v, &project("データ基盤の刷新", &[])).await;
    assert!(id.is_some());
    // the sweep takes due digests oldest first, one after another: the
    // two who get nothing come before the two who do, so when the last
    // mail is there, their turn has been and gone
    let past = enishi_store::now_ms() - 10_000;
    for (n, (who, prefs)) in [
        (&no_thanks, r#"{"opportunities":false}"#),
        (&no_digest, r#"{"digest":"off"}"#),
        (&fits, "{}"),
        (&english, "{}"),
    ]
    .into_iter()
    .enumerate()
    {
        enishi_store::notifications::set_prefs(&app.db, who.id, prefs, past + n as i64)
            .await
            .unwrap();
    }
    let mail = app.mail.wait_for(&fits.email).await;
    let text = mail.text();
    assert!(
        text.contains("あなたへのおすすめ（alpha）：データ基盤の刷新 — 業務委託・副業に関心あり · スキル: SQL · 2012–2018 データ分析部"),
        "{text}"
    );
    let mail = app.mail.wait_for(&english.email).await;
    let text = mail.text();
    assert!(
        text.contains("For you (alpha): データ基盤の刷新 — "),
        "{text}"
    );
    assert!(text.contains("SQL"), "{text}");
    let quiet: Vec<String> = enishi_store::outbox::recent(&app.db, None, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.to_addr == no_thanks.email || m.to_addr == no_digest.email)
        .map(|m| m.to_addr)
        .collect();
    assert!(
        quiet.is_empty(),
        "opportunities off, or no digest at all: nothing ({quiet:?})"
    );
    app.stop().await;
}

dual_test!(
    posting_is_for_admins_and_authorised_staff,
    audiences_decide_who_sees,
    answers_referrals_and_their_refusals,
    the_pipeline_tells_only_when_chosen,
    matching_ranks_with_reasons_and_respects_choices,
    the_digest_brings_opportunities_for_you,
    every_kind_and_what_it_becomes
);
