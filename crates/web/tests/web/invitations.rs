//! Invitations that go out by themselves, over real HTTP and the real SMTP
//! sink, on both databases: reminders (at most two, never to people who
//! declined, joined, were refused by the mail server or are on the
//! do-not-contact list, and not when the network turned them off), the
//! exit invitation on the leave date with its warm page, the roster
//! settings, and the whole intake through the JSON API.
//!
//! Time is moved by calling the invitation sweep with a later "now" (the
//! worker calls the same function with the real one).

use enishi_core::time::jst_day;
use enishi_store::intake as store;
use enishi_store::now_ms;
use enishi_testkit::{Backend, TestApp, Visitor, dual_test};
use enishi_web::{AppState, WebConfig};
use serde_json::{Value, json};

use crate::intake::{FIXTURE, company, hr, local, run, uploaded};
use crate::{fresh_account, join};

const DAY: i64 = 86_400_000;

/// The application state the server has, for calling the sweep with a
/// later time.
fn state(app: &TestApp) -> AppState {
    AppState::new(
        app.db.clone(),
        WebConfig::new(url::Url::parse(&format!("{}/", app.base)).unwrap()),
    )
}

/// A day `offset` days from today (Japan), as the form takes it.
fn day(offset: i64) -> String {
    let (y, m, d) = jst_day(now_ms() + offset * DAY);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Waits a few sweep periods of the real worker, for "nothing happened".
async fn settle() {
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
}

async fn reminders_go_out_at_most_twice_and_only_to_who_may_get_them(backend: Backend) {
    let app = TestApp::start(backend).await;
    let network = company(&app, "remind").await;
    let net = network.scope();
    let admin = hr(&app, &network).await;
    let csv = "社員番号,氏名,個人メールアドレス,退職日\r\n\
               2001,鈴木 一郎,ichiro@example.jp,2015/3/31\r\n\
               2002,佐藤 二郎,jiro@example.jp,2016/3/31\r\n\
               2003,田中 三郎,saburo@example.jp,2017/3/31\r\n\
               2004,高橋 四郎,reject-shiro@example.jp,2018/3/31\r\n\
               2005,伊藤 五郎,goro@example.jp,2019/3/31\r\n";
    let path = uploaded(&admin, "remind", csv.as_bytes().to_vec()).await;
    run(&admin, &path).await;
    let res = admin
        .post_form(
            "/n/remind/admin/alumni/invite",
            &[("all", "1"), ("state", "pending")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let first = app.mail.wait_for("ichiro@example.jp").await;
    let jiro = app.mail.wait_for("jiro@example.jp").await;
    app.mail.wait_for("saburo@example.jp").await;
    app.mail.wait_for("goro@example.jp").await;
    // the mail server refuses 四郎's address: HR sees "failed"
    let mut failed = false;
    for _ in 0..200 {
        let (_, roster) = admin.get_text("/n/remind/admin/alumni").await;
        if roster.contains("data-state=\"failed\">1<") {
            failed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(failed, "the rejected invitation shows as failed");
    let (_, failed_page) = admin.get_text("/n/remind/admin/alumni?state=failed").await;
    assert!(failed_page.contains("高橋 四郎") && !failed_page.contains("鈴木 一郎"));
    // 二郎 declines; 三郎 goes on the do-not-contact list; 五郎 joins
    let link = local(&jiro.link("/invite?token="));
    let token = link.split("token=").nth(1).unwrap().to_string();
    let person = app.new_visitor();
    person.get_text(&link).await;
    let res = person
        .post_form("/n/remind/invite/decline", &[("token", token.as_str())])
        .await;
    assert_eq!(res.status(), 200);
    let res = admin
        .post_form(
            "/n/remind/admin/alumni/do-not-contact",
            &[("email", "saburo@example.jp")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let records = store::records(&app.db, net, &Default::default(), 0, 10)
        .await
        .unwrap();
    let id_of = |n: &str| records.iter().find(|r| r.employee_number == n).unwrap().id;
    let goro = fresh_account(&app, false).await;
    join(&app, &network, goro.id, "member", "alumni").await;
    let own = enishi_store::profiles::of_account(&app.db, net, goro.id)
        .await
        .unwrap()
        .unwrap();
    store::mark_joined(&app.db, net, id_of("2005"), goro.id, own.id)
        .await
        .unwrap();

    let state = state(&app);
    let sent = |who: &str| app.mail.to(who).len();
    // six days on: too early for anyone
    assert_eq!(
        enishi_web::intake::sweep(&state, now_ms() + 6 * DAY)
            .await
            .unwrap(),
        0
    );
    // eight days on: only 一郎 is reminded, with a new link; the old one is dead
    assert_eq!(
        enishi_web::intake::sweep(&state, now_ms() + 8 * DAY)
            .await
            .unwrap(),
        1
    );
    let reminder = app.mail.wait_for_nth("ichiro@example.jp", 2).await;
    assert!(
        reminder.subject().contains("再送"),
        "{}",
        reminder.subject()
    );
    assert!(reminder.text().contains("リマインドは最大2回"));
    let old = local(&first.link("/invite?token="));
    let new = local(&reminder.link("/invite?token="));
    assert_ne!(old, new);
    let visitor = app.new_visitor();
    assert_eq!(visitor.get_text(&old).await.0, 410);
    assert_eq!(visitor.get_text(&new).await.0, 200);
    let record = store::record(&app.db, net, id_of("2001"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((record.reminders, record.shown.as_str()), (1, "opened"));
    // the same sweep again (another node, say) sends nothing more
    assert_eq!(
        enishi_web::intake::sweep(&state, now_ms() + 8 * DAY)
            .await
            .unwrap(),
        0
    );
    // the second comes 14 days after the first reminder, and that is all
    assert_eq!(
        enishi_web::intake::sweep(&state, now_ms() + 13 * DAY)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        enishi_web::intake::sweep(&state, now_ms() + 15 * DAY)
            .await
            .unwrap(),
        1
    );
    app.mail.wait_for_nth("ichiro@example.jp", 3).await;
    assert_eq!(
        enishi_web::intake::sweep(&state, now_ms() + 29 * DAY)
            .await
            .unwrap(),
        0
    );
    settle().await;
    assert_eq!(
        sent("ichiro@example.jp"),
        3,
        "one invitation, two reminders"
    );
    assert_eq!(sent("jiro@example.jp"), 1, "declined");
    assert_eq!(sent("saburo@example.jp"), 1, "do not contact");
    assert_eq!(sent("goro@example.jp"), 1, "joined");
    assert!(
        sent("reject-shiro@example.jp") <= 1,
        "the refused address is not tried again"
    );

    // a network that turns reminders off sends none
    let (status, page) = admin.get_text("/n/remind/admin/alumni/settings").await;
    assert_eq!(status, 200);
    assert!(page.contains("name=\"reminders\" value=\"yes\" checked"));
    for (retention, why) in [
        ("abc", "数字でない"),
        ("10", "短すぎる"),
        ("99999", "長すぎる"),
    ] {
        let res = admin
            .post_form(
                "/n/remind/admin/alumni/settings",
                &[("invite_lang", "ja"), ("retention_days", retention)],
            )
            .await;
        assert_eq!(res.status(), 422, "{why}");
        assert!(res.text().await.unwrap().contains("30から3650"), "{why}");
    }
    let res = admin
        .post_form(
            "/n/remind/admin/alumni/settings",
            &[("invite_lang", "fr"), ("retention_days", "400")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = admin
        .post_form(
            "/n/remind/admin/alumni/settings",
            &[("invite_lang", "en"), ("retention_days", "400")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let saved = store::settings(&app.db, net).await.unwrap();
    assert_eq!(
        (
            saved.invite_lang.as_str(),
            saved.reminders,
            saved.retention_days
        ),
        ("en", false, 400)
    );
    let csv =
        "社員番号,氏名,個人メールアドレス,退職日\r\n2006,山本 六郎,rokuro@example.jp,2020/3/31\r\n";
    let path = uploaded(&admin, "remind", csv.as_bytes().to_vec()).await;
    run(&admin, &path).await;
    let res = admin
        .post_form(
            "/n/remind/admin/alumni/invite",
            &[("all", "1"), ("state", "pending")],
        )
        .await;
    assert_eq!(res.status(), 303);
    // the network's default language now: English
    let rokuro = app.mail.wait_for("rokuro@example.jp").await;
    assert!(
        rokuro.subject().contains("Sample Shoji"),
        "{}",
        rokuro.subject()
    );
    assert_eq!(
        enishi_web::intake::sweep(&state, now_ms() + 8 * DAY)
            .await
            .unwrap(),
        0
    );
    settle().await;
    assert_eq!(sent("rokuro@example.jp"), 1);
}

async fn exit_invitations_go_out_on_the_leave_date(backend: Backend) {
    let app = TestApp::start(backend).await;
    let network = company(&app, "farewell").await;
    let net = network.scope();
    let admin = hr(&app, &network).await;
    let (status, page) = admin.get_text("/n/farewell/admin/alumni/exit").await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"exit-form\""));
    let soon = day(10);
    // refused, each with its reason; nothing stored
    let cases: [(&[(&str, &str)], &str); 7] = [
        (
            &[
                ("family", ""),
                ("email", "kenji@example.jp"),
                ("left", &soon),
            ],
            "姓（または氏名）を入力",
        ),
        (
            &[
                ("family", "木村"),
                ("email", "not an address"),
                ("left", &soon),
            ],
            "メールアドレス",
        ),
        (
            &[
                ("family", "木村"),
                ("email", "kimura@sample-shoji.co.jp"),
                ("left", &soon),
            ],
            "会社のメールアドレスは退職とともに",
        ),
        (
            &[
                ("family", "木村"),
                ("email", "kenji@example.jp"),
                ("left", "2026-02-30"),
            ],
            "存在する日付",
        ),
        (
            &[
                ("family", "木村"),
                ("email", "kenji@example.jp"),
                ("left", "来月"),
            ],
            "存在する日付",
        ),
        (
            &[
                ("family", "木村"),
                ("email", "kenji@example.jp"),
                ("left", &day(400)),
            ],
            "前後1年以内",
        ),
        (
            &[
                ("family", "木村"),
                ("email", "kenji@example.jp"),
                ("left", &soon),
                ("lang", "fr"),
            ],
            "日本語か英語",
        ),
    ];
    for (fields, message) in cases {
        let res = admin
            .post_form("/n/farewell/admin/alumni/exit", fields)
            .await;
        assert_eq!(res.status(), 422, "{fields:?}");
        let page = res.text().await.unwrap();
        assert!(page.contains(message), "{fields:?}: {message}");
        // what was typed is kept
        assert!(page.contains("value=\"木村\"") || fields[0].1.is_empty());
    }
    assert!(
        store::records(&app.db, net, &Default::default(), 0, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // in ten days, in English
    let res = admin
        .post_form(
            "/n/farewell/admin/alumni/exit",
            &[
                ("family", "木村"),
                ("given", "健二"),
                ("email", "Kenji.Kimura@Example.jp"),
                ("left", &soon),
                ("department", "営業本部"),
                ("employee_number", "３００１"),
                ("lang", "en"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let (_, page) = admin.get_text(&location).await;
    assert!(page.contains(&format!("{soon} の朝10時")), "{page}");
    assert!(page.contains("木村 健二") && page.contains("kenji.kimura@example.jp"));
    let records = store::records(&app.db, net, &Default::default(), 0, 10)
        .await
        .unwrap();
    assert_eq!(records.len(), 1);
    let kenji = records[0].clone();
    assert_eq!(
        (
            kenji.state.as_str(),
            kenji.origin.as_str(),
            kenji.employee_number.as_str()
        ),
        ("scheduled", "exit", "3001")
    );
    let send_at = kenji.send_at.unwrap();
    assert_eq!(
        enishi_core::time::iso_utc(send_at)[11..16].to_string(),
        "01:00",
        "10:00 in Tokyo"
    );
    let (_, roster) = admin.get_text("/n/farewell/admin/alumni").await;
    assert!(roster.contains("data-state=\"scheduled\">1<"));
    // HR finds the pending record in the directory
    let (_, found) = admin
        .get_text("/n/farewell/directory?q=%E6%9C%A8%E6%9D%91&kind=pending")
        .await;
    assert!(
        found.contains("木村"),
        "pending record searchable by admins"
    );
    // not before the day
    let state = state(&app);
    assert_eq!(
        enishi_web::intake::sweep(&state, send_at - 1)
            .await
            .unwrap(),
        0
    );
    settle().await;
    assert!(app.mail.to("kenji.kimura@example.jp").is_empty());
    // on the day: the warm invitation, in the language chosen
    assert_eq!(enishi_web::intake::sweep(&state, send_at).await.unwrap(), 1);
    // taken once: another node's sweep cannot take it again
    assert!(
        !store::take_scheduled(&app.db, net, kenji.id, send_at)
            .await
            .unwrap()
    );
    let mail = app.mail.wait_for("kenji.kimura@example.jp").await;
    assert!(
        mail.subject().contains("Thank you for everything"),
        "{}",
        mail.subject()
    );
    assert!(mail.text().contains("Sample Shoji"));
    let record = store::record(&app.db, net, kenji.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.state, "sent");
    // the page they open says goodbye and welcome
    let person = app.new_visitor();
    let (status, page) = person.get_text(&local(&mail.link("/invite?token="))).await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"farewell\"") && page.contains("長い間、本当にお疲れさまでした"));
    assert!(page.contains("value=\"木村\"") && page.contains("value=\"営業本部\""));

    // a leave date already past: sent at once, in the network's default
    let res = admin
        .post_form(
            "/n/farewell/admin/alumni/exit",
            &[
                ("family", "森"),
                ("email", "mori@example.jp"),
                ("left", &day(-3)),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .contains("done=sent")
    );
    let mail = app.mail.wait_for("mori@example.jp").await;
    assert!(
        mail.subject().contains("長い間お疲れさまでした"),
        "{}",
        mail.subject()
    );
    // no exit invitation to someone on the list, or to a member
    admin
        .post_form(
            "/n/farewell/admin/alumni/do-not-contact",
            &[("email", "noway@example.jp")],
        )
        .await;
    let res = admin
        .post_form(
            "/n/farewell/admin/alumni/exit",
            &[
                ("family", "林"),
                ("email", "noway@example.jp"),
                ("left", &soon),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("連絡不要リスト"));
    let member = app
        .create_account("hayashi@example.jp", "林", None, false)
        .await;
    join(&app, &network, member.id, "member", "employee").await;
    let res = admin
        .post_form(
            "/n/farewell/admin/alumni/exit",
            &[
                ("family", "林"),
                ("email", "hayashi@example.jp"),
                ("left", &soon),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("すでにネットワークのメンバー")
    );
}

/// A JSON call as the signed-in admin (cookie session with its CSRF token).
async fn api(visitor: &Visitor, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let url = visitor.url(path);
    let request = match method {
        "GET" => visitor.client.get(url),
        "PUT" => visitor.client.put(url),
        _ => visitor.client.post(url),
    }
    .header("x-csrf-token", visitor.csrf_token().unwrap());
    let request = match body {
        Some(b) => request.json(&b),
        None => request,
    };
    let res = request.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn the_intake_works_through_the_api(backend: Backend) {
    let app = TestApp::start(backend).await;
    let network = company(&app, "api-intake").await;
    let admin = hr(&app, &network).await;
    let base = "/api/v1/n/api-intake";
    // the CP932 file as the body
    let res = admin
        .client
        .post(admin.url(&format!("{base}/imports?file_name=leavers.csv")))
        .header("x-csrf-token", admin.csrf_token().unwrap())
        .header("content-type", "text/csv")
        .body(FIXTURE.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let import: Value = res.json().await.unwrap();
    assert_eq!(import["encoding"], "shift_jis");
    assert_eq!(import["status"], "uploaded");
    assert_eq!(import["file_name"], "leavers.csv");
    let preview = &import["preview"];
    assert_eq!(preview["counts"]["new"], 30);
    assert_eq!(preview["counts"]["invalid"], 10);
    let lines: Vec<i64> = preview["invalid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, (34..=43).collect::<Vec<_>>());
    let headers = import["headers"].as_array().unwrap();
    let reason = headers.iter().find(|h| h["text"] == "退職理由").unwrap();
    assert_eq!(
        (reason["sensitive"].as_bool(), reason["column"].as_str()),
        (Some(true), Some(""))
    );
    assert!(preview["rows"].to_string().contains("髙橋"));
    let id = import["id"].as_i64().unwrap();
    // a bad file: a clear message, nothing kept
    let res = admin
        .client
        .post(admin.url(&format!("{base}/imports")))
        .header("x-csrf-token", admin.csrf_token().unwrap())
        .body(vec![0u8, 159, 146, 150, 0, 1, 2])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("CSV"));
    // mapping: unknown headers and columns are named
    let (status, problem) = api(
        &admin,
        "PUT",
        &format!("{base}/imports/{id}/mapping"),
        Some(json!({"mapping": {"退職理由": "salary", "無い列": "email"}})),
    )
    .await;
    assert_eq!(status, 422);
    let detail = problem.to_string();
    assert!(
        detail.contains("退職理由") && detail.contains("無い列"),
        "{detail}"
    );
    // a sensitive header cannot be imported
    let (status, body) = api(
        &admin,
        "PUT",
        &format!("{base}/imports/{id}/mapping"),
        Some(json!({"mapping": {"退職理由": "department"}})),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        !body["preview"]["mapping_errors"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let (status, _) = api(&admin, "POST", &format!("{base}/imports/{id}/run"), None).await;
    assert_eq!(status, 422, "not with a sensitive column mapped");
    let (status, body) = api(
        &admin,
        "PUT",
        &format!("{base}/imports/{id}/mapping"),
        Some(json!({"mapping": {"退職理由": "skip"}})),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        body["preview"]["mapping_errors"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // the page's form refuses an unknown column word too
    let res = admin
        .post_form(
            &format!("/n/api-intake/admin/imports/{id}/mapping"),
            &[("col0", "salary")],
        )
        .await;
    assert_eq!(res.status(), 400);
    // run, then follow the progress
    let (status, body) = api(&admin, "POST", &format!("{base}/imports/{id}/run"), None).await;
    assert_eq!(status, 202);
    assert!(matches!(
        body["status"].as_str(),
        Some("queued" | "running" | "done")
    ));
    let mut done = Value::Null;
    for _ in 0..200 {
        let (_, body) = api(&admin, "GET", &format!("{base}/imports/{id}"), None).await;
        if body["status"] == "done" {
            done = body;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(done["counts"]["new"], 30, "{done}");
    assert_eq!(done["done_rows"], 40);
    assert!(done["preview"].is_null());
    let (status, _) = api(
        &admin,
        "PUT",
        &format!("{base}/imports/{id}/mapping"),
        Some(json!({"mapping": {"退職理由": "skip"}})),
    )
    .await;
    assert_eq!(status, 409, "started: the mapping is fixed");
    // the roster, a page at a time
    let (status, page) = api(&admin, "GET", &format!("{base}/alumni?limit=20"), None).await;
    assert_eq!(status, 200);
    assert_eq!(page["records"].as_array().unwrap().len(), 20);
    assert_eq!(page["counts"]["pending"], 30);
    let next = page["next"].as_i64().unwrap();
    let (_, rest) = api(
        &admin,
        "GET",
        &format!("{base}/alumni?limit=20&after={next}"),
        None,
    )
    .await;
    assert_eq!(rest["records"].as_array().unwrap().len(), 10);
    assert!(rest["next"].is_null());
    // invitations by hand-picked ids
    let ids: Vec<i64> = page["records"].as_array().unwrap()[..2]
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    let (status, _) = api(
        &admin,
        "POST",
        &format!("{base}/alumni/invitations"),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 422);
    let (status, body) = api(
        &admin,
        "POST",
        &format!("{base}/alumni/invitations"),
        Some(json!({"ids": ids})),
    )
    .await;
    assert_eq!((status, body["sent"].as_i64()), (200, Some(2)));
    let (_, page) = api(&admin, "GET", &format!("{base}/alumni?state=sent"), None).await;
    assert_eq!(page["records"].as_array().unwrap().len(), 2);
    // an exit invitation; a bad one names its field
    let (status, problem) = api(
        &admin,
        "POST",
        &format!("{base}/alumni/exit-invitations"),
        Some(json!({"family": "木村", "email": "k@sample-shoji.co.jp", "left": day(5)})),
    )
    .await;
    assert_eq!(status, 422);
    assert!(problem.to_string().contains("email"), "{problem}");
    let (status, body) = api(
        &admin,
        "POST",
        &format!("{base}/alumni/exit-invitations"),
        Some(json!({"family": "木村", "email": "kimura@example.org", "left": day(5)})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["sent"], false);
    assert_eq!(body["record"]["state"], "scheduled");
    assert!(
        body["record"]["send_at"]
            .as_str()
            .unwrap()
            .ends_with("T01:00:00Z")
    );
    // do-not-contact
    let (status, _) = api(
        &admin,
        "POST",
        &format!("{base}/alumni/do-not-contact"),
        Some(json!({"email": "nope"})),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = api(
        &admin,
        "POST",
        &format!("{base}/alumni/do-not-contact"),
        Some(json!({"email": "kimura@example.org"})),
    )
    .await;
    assert_eq!(status, 204);
    let (_, page) = api(
        &admin,
        "GET",
        &format!("{base}/alumni?state=scheduled"),
        None,
    )
    .await;
    assert_eq!(page["records"][0]["do_not_contact"], true);
    // on the day, nobody on the list gets it
    let record_id = page["records"][0]["id"].as_i64().unwrap();
    let send_at = store::record(&app.db, network.scope(), record_id)
        .await
        .unwrap()
        .unwrap()
        .send_at
        .unwrap();
    enishi_web::intake::sweep(&state(&app), send_at)
        .await
        .unwrap();
    settle().await;
    assert!(app.mail.to("kimura@example.org").is_empty());
    // settings
    let (status, body) = api(&admin, "GET", &format!("{base}/alumni/settings"), None).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"invite_lang": "ja", "reminders": true, "retention_days": 1095})
    );
    let (status, _) = api(
        &admin,
        "PUT",
        &format!("{base}/alumni/settings"),
        Some(json!({"invite_lang": "ja", "reminders": true, "retention_days": 5})),
    )
    .await;
    assert_eq!(status, 422);
    let (status, body) = api(
        &admin,
        "PUT",
        &format!("{base}/alumni/settings"),
        Some(json!({"invite_lang": "en", "reminders": false, "retention_days": 730})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"invite_lang": "en", "reminders": false, "retention_days": 730})
    );
    // a member who is not an admin sees none of it
    let member = fresh_account(&app, false).await;
    join(&app, &network, member.id, "member", "alumni").await;
    let member = app.visitor_signed_in_as(member.id).await;
    member.get("/").await;
    let (status, _) = api(&member, "GET", &format!("{base}/alumni"), None).await;
    assert_eq!(status, 404);
}

/// "Invite all" on a large roster: the first hundred go out in the
/// request, the rest are queued and sent by the worker's own sweep.
async fn a_large_selection_is_sent_partly_by_the_worker(backend: Backend) {
    let app = TestApp::start(backend).await;
    let network = company(&app, "many").await;
    let net = network.scope();
    let admin = hr(&app, &network).await;
    let mut csv = String::from("社員番号,氏名,個人メールアドレス,退職日\r\n");
    for n in 0..105 {
        csv.push_str(&format!(
            "{},鈴木 {n}郎,s{n}@example.jp,2015/3/31\r\n",
            5000 + n
        ));
    }
    let path = uploaded(&admin, "many", csv.into_bytes()).await;
    run(&admin, &path).await;
    let res = admin
        .post_form(
            "/n/many/admin/alumni/invite",
            &[("all", "1"), ("state", "pending")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.contains("done=queued&sent=100&queued=5"),
        "{location}"
    );
    let (_, page) = admin.get_text(&location).await;
    assert!(page.contains("100件を送信しました。残りの5件"), "{page}");
    // the worker sends the rest by itself
    for n in 0..105 {
        app.mail.wait_for(&format!("s{n}@example.jp")).await;
    }
    let counts = store::state_counts(&app.db, net).await.unwrap();
    assert_eq!(counts.get("sent"), Some(&105), "{counts:?}");
    settle().await;
    assert!((0..105).all(|n| app.mail.to(&format!("s{n}@example.jp")).len() == 1));
}

dual_test!(
    a_large_selection_is_sent_partly_by_the_worker,
    reminders_go_out_at_most_twice_and_only_to_who_may_get_them,
    exit_invitations_go_out_on_the_leave_date,
    the_intake_works_through_the_api
);
