//! Events over real HTTP, on both databases: seats under a rush (200
//! people for 100 seats: exactly 100 going, 100 waitlisted), two tabs
//! making one registration, the waitlist moving up with an e-mail and the
//! calendar file, tickets checked in once (forged and other events'
//! refused), the calendar files and the personal feed (parsed by Python's
//! `icalendar` where it is installed — always in CI), who sees and runs
//! what, era balance with its warning, suggestions and tables, reminders
//! sent once, and every bad input's message.

use enishi_core::profile::{Profile, Stint, YearMonth};
use enishi_store::networks::Network;
use enishi_store::now_ms;
use enishi_store::profiles::StintsChange;
use enishi_testkit::{Backend, TestApp, Visitor, dual_test, in_ci, unique_number};
use reqwest::Method;
use serde_json::{Value, json};

use crate::{api, join, make_network};

struct Person {
    v: Visitor,
    id: i64,
    email: String,
}

async fn person(app: &TestApp, net: &Network, role: &str, kind: &str) -> Person {
    let email = format!("e{}@example.jp", unique_number());
    let account = app
        .create_account(
            &email,
            &format!("参加者 {}", unique_number() % 10_000),
            None,
            false,
        )
        .await;
    join(app, net, account.id, role, kind).await;
    let v = app.visitor_signed_in_as(account.id).await;
    v.get("/").await;
    Person {
        v,
        id: account.id,
        email,
    }
}

/// `YYYY-MM-DD` and `HH:MM` of an instant, Tokyo time.
fn tokyo(ms: i64) -> (String, String) {
    let l = enishi_core::calendar::local_in(ms, "Asia/Tokyo");
    (l.iso_day(), l.hh_mm())
}

/// An event starting `hours` from now, lasting two hours, through the
/// API; its id (panics with the answer otherwise).
async fn create(v: &Visitor, hours: i64, extra: Value) -> i64 {
    let (day, time) = tokyo(now_ms() + hours * 3_600_000);
    let (end_day, end_time) = tokyo(now_ms() + (hours + 2) * 3_600_000);
    let mut body = json!({
        "title": "OB・OG 交流会",
        "description": "年末の交流会です",
        "starts_on": day, "starts_time": time,
        "ends_on": end_day, "ends_time": end_time,
        "format": "in_person", "venue": "本社 20F ラウンジ",
        "audience": "network",
    });
    for (k, val) in extra.as_object().unwrap() {
        body[k] = val.clone();
    }
    let (s, b) = api(v, Method::POST, "/api/v1/n/alpha/events", Some(body)).await;
    assert_eq!(s, 201, "{b}");
    b["id"].as_i64().unwrap()
}

async fn rsvp(v: &Visitor, id: i64, body: Value) -> (u16, Value) {
    api(
        v,
        Method::PUT,
        &format!("/api/v1/n/alpha/events/{id}/rsvp"),
        Some(body),
    )
    .await
}

fn going() -> Value {
    json!({"answer": "going"})
}

async fn seats(app: &TestApp, net: &Network, id: i64) -> i64 {
    enishi_store::events::get(&app.db, net.scope(), id)
        .await
        .unwrap()
        .unwrap()
        .taken
}

async fn statuses(app: &TestApp, net: &Network, id: i64) -> (usize, usize, usize) {
    let all = enishi_store::events::attendees(&app.db, net.scope(), id)
        .await
        .unwrap();
    let n = |s: &str| all.iter().filter(|a| a.registration.status == s).count();
    (n("going"), n("waitlisted"), n("not_going"))
}

async fn seats_are_exact_under_a_rush(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "invitation").await;
    let owner = person(&app, &net, "owner", "hr").await;
    let id = create(&owner.v, 48, json!({"capacity": 100, "waitlist": true})).await;
    let mut people = Vec::new();
    for _ in 0..200 {
        people.push(person(&app, &net, "member", "alumni").await);
    }
    // everyone at once, over real HTTP
    let mut tasks = Vec::new();
    for p in &people {
        let (client, url, token) = (
            p.v.client.clone(),
            p.v.url(&format!("/api/v1/n/alpha/events/{id}/rsvp")),
            p.v.csrf_token().unwrap(),
        );
        tasks.push(tokio::spawn(async move {
            let res = client
                .put(url)
                .header("x-csrf-token", token)
                .json(&json!({"answer": "going"}))
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap())
        }));
    }
    let mut answers = (0, 0);
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, 200, "{body}");
        match body["status"].as_str().unwrap() {
            "going" => answers.0 += 1,
            "waitlisted" => answers.1 += 1,
            other => panic!("{other}"),
        }
    }
    assert_eq!(answers, (100, 100));
    assert_eq!(statuses(&app, &net, id).await, (100, 100, 0));
    assert_eq!(seats(&app, &net, id).await, 100);

    // the first in line moves up when someone cancels, and hears of it
    let all = enishi_store::events::attendees(&app.db, net.scope(), id)
        .await
        .unwrap();
    let leaving = all
        .iter()
        .find(|a| a.registration.status == "going")
        .unwrap()
        .registration
        .account_id;
    let first_in_line = all
        .iter()
        .filter(|a| a.registration.status == "waitlisted")
        .min_by_key(|a| (a.registration.waitlisted_at, a.registration.id))
        .unwrap()
        .registration
        .account_id;
    let leaver = people.iter().find(|p| p.id == leaving).unwrap();
    let (s, b) = rsvp(&leaver.v, id, json!({"answer": "not_going"})).await;
    assert_eq!((s, b["status"].as_str()), (200, Some("not_going")));
    assert_eq!(statuses(&app, &net, id).await, (100, 99, 1));
    assert_eq!(seats(&app, &net, id).await, 100);
    let promoted = people.iter().find(|p| p.id == first_in_line).unwrap();
    let first = app.mail.wait_for(&promoted.email).await;
    assert!(
        first.subject().contains("キャンセル待ちに登録しました"),
        "{}",
        first.subject()
    );
    let mail = app.mail.wait_for_nth(&promoted.email, 2).await;
    assert!(
        mail.subject().contains("席が空きました"),
        "{}",
        mail.subject()
    );
    let ics = mail.calendar();
    assert!(
        ics.contains("METHOD:PUBLISH") && ics.contains("SUMMARY:OB・OG 交流会"),
        "{ics}"
    );
    let (_, html) = promoted.v.get_text("/notifications").await;
    assert!(
        html.contains("「OB・OG 交流会」で席が空き、参加が確定しました"),
        "{html}"
    );

    // a full event without a waitlist refuses, and says so
    let small = create(&owner.v, 48, json!({"capacity": 1})).await;
    assert_eq!(rsvp(&people[0].v, small, going()).await.0, 200);
    let (s, b) = rsvp(&people[1].v, small, going()).await;
    assert_eq!(s, 422);
    assert!(
        b["detail"]
            .as_str()
            .unwrap()
            .contains("満席のため登録できません"),
        "{b}"
    );
    // guests take seats: asking for more than fit keeps the place as it was
    let three = create(&owner.v, 48, json!({"capacity": 3, "guests": 2})).await;
    assert_eq!(rsvp(&people[2].v, three, going()).await.0, 200);
    let (s, b) = rsvp(&people[3].v, three, json!({"answer": "going", "guests": 2})).await;
    assert_eq!(s, 422, "three seats asked, two left: {b}");
    let (s, b) = rsvp(&people[3].v, three, json!({"answer": "going", "guests": 1})).await;
    assert_eq!((s, b["status"].as_str()), (200, Some("going")));
    let (s, b) = rsvp(&people[2].v, three, json!({"answer": "going", "guests": 1})).await;
    assert_eq!(s, 422, "{b}");
    assert!(
        b["detail"]
            .as_str()
            .unwrap()
            .contains("同伴者のぶんの席が足りません")
    );
    assert_eq!(seats(&app, &net, three).await, 3);

    // two tabs at once: one registration, one seat
    let tabs = create(&owner.v, 48, json!({"capacity": 5})).await;
    let p = &people[4];
    let send = || {
        let (client, url, token) = (
            p.v.client.clone(),
            p.v.url(&format!("/api/v1/n/alpha/events/{tabs}/rsvp")),
            p.v.csrf_token().unwrap(),
        );
        tokio::spawn(async move {
            client
                .put(url)
                .header("x-csrf-token", token)
                .json(&json!({"answer": "going"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    };
    let (a, b) = (send(), send());
    assert_eq!((a.await.unwrap(), b.await.unwrap()), (200, 200));
    assert_eq!(statuses(&app, &net, tabs).await, (1, 0, 0));
    assert_eq!(seats(&app, &net, tabs).await, 1);
    app.stop().await;
}

dual_test!(seats_are_exact_under_a_rush);

async fn bad_events_and_registrations_are_refused(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "invitation").await;
    let owner = person(&app, &net, "owner", "hr").await;
    let member = person(&app, &net, "member", "alumni").await;
    let (day, _) = tokyo(now_ms() + 72 * 3_600_000);
    let base = json!({"title": "勉強会", "starts_on": day, "starts_time": "19:00", "ends_time": "21:00",
                      "format": "in_person", "venue": "会議室", "audience": "network"});
    let refused = |changes: Value, message: &'static str| {
        let mut body = base.clone();
        for (k, v) in changes.as_object().unwrap() {
            body[k] = v.clone();
        }
        let v = &owner.v;
        async move {
            let (s, b) = api(v, Method::POST, "/api/v1/n/alpha/events", Some(body)).await;
            assert_eq!(s, 422, "{b}");
            assert!(
                b["detail"].as_str().unwrap().contains(message),
                "{message}: {b}"
            );
        }
    };
    refused(
        json!({"ends_time": "18:00"}),
        "終了は開始より後にしてください",
    )
    .await;
    refused(json!({"capacity": 0}), "定員は 1 〜 100,000").await;
    refused(json!({"capacity": -3}), "定員は 1 〜 100,000").await;
    refused(json!({"tz": "Asia/Tokio"}), "タイムゾーンが見つかりません").await;
    refused(json!({"starts_on": "2020-01-01"}), "開始が過ぎた日時").await;
    refused(json!({"starts_on": "2026-02-30"}), "日付が読み取れません").await;
    refused(json!({"starts_time": "25:00"}), "時刻が読み取れません").await;
    refused(json!({"format": "online"}), "オンライン参加の URL").await;
    refused(
        json!({"map_url": "javascript:alert(1)"}),
        "リンクは https:// で始まる",
    )
    .await;
    refused(
        json!({"audience": "invited", "invited": ["nobody@example.jp"]}),
        "メンバーではないアドレス",
    )
    .await;
    refused(json!({"questions": "食事 [なし]"}), "選択肢は [A / B]").await;
    refused(json!({"title": ""}), "イベント名を入れてください").await;
    // the form says the same, next to the field, and keeps what was typed
    let res = owner
        .v
        .post_form(
            "/n/alpha/events",
            &[
                ("title", "勉強会 <script>"),
                ("starts_on", &day),
                ("starts_time", "19:00"),
                ("ends_time", "18:00"),
                ("format", "in_person"),
                ("venue", "会議室"),
                ("audience", "network"),
                ("capacity", "0"),
                ("tz", "Asia/Tokyo"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("終了は開始より後にしてください") && html.contains("定員は 1 〜 100,000")
    );
    assert!(
        html.contains("勉強会 &#60;script&#62;") && !html.contains("勉強会 <script>"),
        "{html}"
    );
    // in English too
    let (s, b) = {
        let mut body = base.clone();
        body["ends_time"] = json!("18:00");
        let req = owner
            .v
            .client
            .post(owner.v.url("/api/v1/n/alpha/events"))
            .header("x-csrf-token", owner.v.csrf_token().unwrap())
            .header("accept-language", "en")
            .json(&body);
        let res = req.send().await.unwrap();
        (res.status().as_u16(), res.json::<Value>().await.unwrap())
    };
    assert_eq!(s, 422);
    assert!(
        b["detail"]
            .as_str()
            .unwrap()
            .contains("The end must be after the start"),
        "{b}"
    );

    // registration: the answers, the deadline
    let id = create(
        &owner.v,
        72,
        json!({"questions": "*所属部署\n食事 [なし / ベジタリアン]", "guests": 1}),
    )
    .await;
    let (s, b) = rsvp(&member.v, id, going()).await;
    assert_eq!(s, 422);
    assert!(
        b["detail"]
            .as_str()
            .unwrap()
            .contains("必須の質問に答えてください")
    );
    let (s, b) = rsvp(
        &member.v,
        id,
        json!({"answer": "going", "answers": ["営業部", "焼肉"]}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(
        b["detail"]
            .as_str()
            .unwrap()
            .contains("選択肢の中から選んでください")
    );
    let (s, b) = rsvp(
        &member.v,
        id,
        json!({"answer": "going", "guests": 2, "answers": ["営業部"]}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(
        b["detail"]
            .as_str()
            .unwrap()
            .contains("同伴者の人数が多すぎます")
    );
    let (s, b) = rsvp(&member.v, id, json!({"answer": "maybe"})).await;
    assert_eq!(s, 422, "{b}");
    let (s, b) = rsvp(
        &member.v,
        id,
        json!({"answer": "going", "answers": ["営業部", "なし"]}),
    )
    .await;
    assert_eq!((s, b["status"].as_str()), (200, Some("going")), "{b}");
    // a deadline that has passed closes registration
    let e = enishi_store::events::get(&app.db, net.scope(), id)
        .await
        .unwrap()
        .unwrap();
    let closed = enishi_store::events::create(
        &app.db,
        net.scope(),
        &enishi_store::events::NewEvent {
            title: "締切済み",
            description: "",
            starts_at: e.starts_at,
            ends_at: e.ends_at,
            tz: "Asia/Tokyo",
            format: "in_person",
            venue: "会議室",
            address: "",
            map_url: "",
            online_url: "",
            capacity: None,
            waitlist: false,
            guests: 0,
            deadline: Some(now_ms() - 60_000),
            audience: "network",
            group_id: None,
            questions: "[]",
            business_matching: false,
            meeting_minutes: 20,
        },
        "published",
        "0123456789abcdef0123456789abcdef",
        owner.id,
        now_ms(),
    )
    .await
    .unwrap();
    let (s, b) = rsvp(&member.v, closed, going()).await;
    assert_eq!(s, 422);
    assert!(
        b["detail"]
            .as_str()
            .unwrap()
            .contains("申込は締め切りました")
    );
    let (_, html) = member
        .v
        .get_text(&format!("/n/alpha/events/{closed}"))
        .await;
    assert!(
        html.contains("申込は締め切りました") && !html.contains("/rsvp\""),
        "no form when closed"
    );
    // a capacity below the seats taken is refused when editing
    let mut body = base.clone();
    body["capacity"] = json!(1);
    body["guests"] = json!(1);
    let (s, _) = api(
        &owner.v,
        Method::PUT,
        &format!("/api/v1/n/alpha/events/{id}"),
        Some(body.clone()),
    )
    .await;
    assert_eq!(s, 200, "one seat is taken: a capacity of one fits");
    let other = person(&app, &net, "member", "alumni").await;
    body["capacity"] = json!(2);
    api(
        &owner.v,
        Method::PUT,
        &format!("/api/v1/n/alpha/events/{id}"),
        Some(body.clone()),
    )
    .await;
    assert_eq!(
        rsvp(
            &other.v,
            id,
            json!({"answer": "going", "answers": ["開発"]})
        )
        .await
        .0,
        200
    );
    body["capacity"] = json!(1);
    let (s, b) = api(
        &owner.v,
        Method::PUT,
        &format!("/api/v1/n/alpha/events/{id}"),
        Some(body),
    )
    .await;
    assert_eq!(s, 422);
    assert!(
        b["detail"]
            .as_str()
            .unwrap()
            .contains("すでに登録済みの席数より少ない")
    );
    app.stop().await;
}

dual_test!(bad_events_and_registrations_are_refused);

/// The code shown on a ticket page.
fn ticket_code(html: &str) -> String {
    let at = html.find("id=\"ticket-code\">").expect("a ticket code") + "id=\"ticket-code\">".len();
    html[at..].split('<').next().unwrap().to_string()
}

async fn tickets_check_in_once(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "invitation").await;
    let owner = person(&app, &net, "owner", "hr").await;
    let member = person(&app, &net, "member", "alumni").await;
    let other = person(&app, &net, "member", "alumni").await;
    let id = create(&owner.v, 24, json!({})).await;
    let second = create(&owner.v, 24, json!({})).await;
    // no ticket before registering
    assert_eq!(
        member
            .v
            .get(&format!("/n/alpha/events/{id}/ticket"))
            .await
            .status(),
        404
    );
    assert_eq!(rsvp(&member.v, id, going()).await.0, 200);
    assert_eq!(rsvp(&other.v, second, going()).await.0, 200);
    let (s, html) = member
        .v
        .get_text(&format!("/n/alpha/events/{id}/ticket"))
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("<svg") && html.contains("aria-label=\"受付用 QR コード\""));
    let code = ticket_code(&html);
    let (_, other_html) = other
        .v
        .get_text(&format!("/n/alpha/events/{second}/ticket"))
        .await;
    let other_code = ticket_code(&other_html);
    let checkin = |code: String| {
        let v = &owner.v;
        async move {
            api(
                v,
                Method::POST,
                &format!("/api/v1/n/alpha/events/{id}/checkin"),
                Some(json!({"code": code})),
            )
            .await
        }
    };
    // a member who does not run it cannot check anyone in
    let (s, _) = api(
        &member.v,
        Method::POST,
        &format!("/api/v1/n/alpha/events/{id}/checkin"),
        Some(json!({"code": code})),
    )
    .await;
    assert_eq!(s, 404);
    let (s, b) = checkin(code.to_lowercase()).await;
    assert_eq!((s, b["result"].as_str()), (200, Some("checked_in")), "{b}");
    let (s, b) = checkin(code.clone()).await;
    assert_eq!((s, b["result"].as_str()), (200, Some("already")), "{b}");
    let at = enishi_core::calendar::local_in(b["at"].as_i64().unwrap(), "Asia/Tokyo").hh_mm();
    assert!(
        b["text"]
            .as_str()
            .unwrap()
            .contains(&format!("{at} に受付済みです")),
        "{b}"
    );
    let (s, b) = checkin(other_code).await;
    assert_eq!(s, 422);
    assert!(
        b["detail"]
            .as_str()
            .unwrap()
            .contains("別のイベントの受付票です")
    );
    let mut forged = code.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    let (s, b) = checkin(forged).await;
    assert_eq!(s, 422);
    assert!(
        b["detail"]
            .as_str()
            .unwrap()
            .contains("このイベントの受付コードではありません")
    );
    let (s, _) = checkin("123".into()).await;
    assert_eq!(s, 422);
    // the door page: typed, and the scanned address opens it filled in
    let (s, html) = owner
        .v
        .get_text(&format!("/n/alpha/events/{id}/checkin?code={code}"))
        .await;
    assert_eq!(s, 200);
    assert!(
        html.contains(&format!("value=\"{code}\"")) && html.contains("受付済み 1 / 1 人"),
        "{html}"
    );
    let res = owner
        .v
        .post_form(&format!("/n/alpha/events/{id}/checkin"), &[("code", &code)])
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("受付済みです"));
    assert_eq!(
        member
            .v
            .get(&format!("/n/alpha/events/{id}/checkin"))
            .await
            .status(),
        404
    );
    // a registration given up no longer gets in
    let late = person(&app, &net, "member", "alumni").await;
    assert_eq!(rsvp(&late.v, id, going()).await.0, 200);
    let (_, html) = late
        .v
        .get_text(&format!("/n/alpha/events/{id}/ticket"))
        .await;
    let late_code = ticket_code(&html);
    assert_eq!(
        rsvp(&late.v, id, json!({"answer": "not_going"})).await.0,
        200
    );
    let (s, b) = checkin(late_code).await;
    assert_eq!(s, 422);
    assert!(b["detail"].as_str().unwrap().contains("取り消されています"));
    app.stop().await;
}

dual_test!(tickets_check_in_once);

/// Parses `ics` with Python's `icalendar` (where the CI virtualenv put
/// it) and checks what the file says; under CI it must be there.
fn parsed_by_icalendar(ics: &str, expect: &[&str]) {
    let python = match std::env::var("ENISHI_PYTHON") {
        Ok(p) if !p.is_empty() => p,
        _ => {
            assert!(
                !in_ci(),
                "CI must set ENISHI_PYTHON (a Python with icalendar)"
            );
            return;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("event.ics");
    std::fs::write(&file, ics).unwrap();
    let script = "import sys, icalendar\n\
        cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())\n\
        out = ['METHOD=' + str(cal.get('METHOD'))]\n\
        for tz in cal.walk('VTIMEZONE'):\n    out.append('TZID=' + str(tz['TZID']))\n\
        for ev in cal.walk('VEVENT'):\n    out.append('UID=' + str(ev['UID']))\n    out.append('SEQUENCE=' + str(ev['SEQUENCE']))\n    out.append('STATUS=' + str(ev['STATUS']))\n    out.append('START=' + ev.decoded('DTSTART').isoformat())\n    out.append('SUMMARY=' + str(ev['SUMMARY']))\n\
        print('\\n'.join(out))\n";
    let res = std::process::Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(&file)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&res.stdout).to_string();
    assert!(
        res.status.success(),
        "{}\n{ics}",
        String::from_utf8_lossy(&res.stderr)
    );
    for e in expect {
        assert!(out.lines().any(|l| l == *e), "{e} in {out}");
    }
}

async fn calendar_files_follow_changes(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "invitation").await;
    let owner = person(&app, &net, "owner", "hr").await;
    let member = person(&app, &net, "member", "alumni").await;
    let id = create(&owner.v, 96, json!({"title": "年末の会, 2026; 東京"})).await;
    let e = enishi_store::events::get(&app.db, net.scope(), id)
        .await
        .unwrap()
        .unwrap();
    let res = member
        .v
        .get(&format!("/n/alpha/events/{id}/event.ics"))
        .await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let ics = res.text().await.unwrap();
    let uid = format!("event-{}-{id}@127.0.0.1", net.id);
    assert!(
        ics.contains(&format!("UID:{uid}")) && ics.contains("SEQUENCE:0"),
        "{ics}"
    );
    assert!(ics.contains("BEGIN:VTIMEZONE") && ics.contains("TZID:Asia/Tokyo"));
    let start = enishi_core::calendar::local_in(e.starts_at, "Asia/Tokyo");
    let iso_start = format!("{}T{}:00+09:00", start.iso_day(), start.hh_mm());
    parsed_by_icalendar(
        &ics,
        &[
            "METHOD=PUBLISH",
            "TZID=Asia/Tokyo",
            &format!("UID={uid}"),
            "SEQUENCE=0",
            "STATUS=CONFIRMED",
            &format!("START={iso_start}"),
            "SUMMARY=年末の会, 2026; 東京",
        ],
    );
    // registering mails the file
    assert_eq!(rsvp(&member.v, id, going()).await.0, 200);
    let mail = app.mail.wait_for(&member.email).await;
    assert!(
        mail.subject().contains("参加登録を受け付けました"),
        "{}",
        mail.subject()
    );
    assert!(mail.text().contains("本社 20F ラウンジ"));
    assert!(mail.calendar().contains(&format!("UID:{uid}")));
    // a change keeps the UID and raises the SEQUENCE
    let (day, _) = tokyo(e.starts_at);
    let (s, _) = api(&owner.v, Method::PUT, &format!("/api/v1/n/alpha/events/{id}"),
        Some(json!({"title": "年末の会", "starts_on": day, "starts_time": "19:30", "ends_time": "22:00",
                    "format": "in_person", "venue": "本社 21F", "audience": "network"}))).await;
    assert_eq!(s, 200);
    let ics = member
        .v
        .get_text(&format!("/n/alpha/events/{id}/event.ics"))
        .await
        .1;
    assert!(
        ics.contains(&format!("UID:{uid}"))
            && ics.contains("SEQUENCE:1")
            && ics.contains("T193000"),
        "{ics}"
    );
    parsed_by_icalendar(&ics, &[&format!("UID={uid}"), "SEQUENCE=1"]);

    // the personal feed: secret, shows what one goes to, revocable
    let res = member
        .v
        .post_form("/n/alpha/events/feed", &[("action", "create")])
        .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let at = html.find("/calendar/").expect("the feed address");
    let path: String = html[at..].split('"').next().unwrap().to_string();
    let anonymous = app.new_visitor();
    let (s, feed) = anonymous.get_text(&path).await;
    assert_eq!(s, 200);
    assert!(
        feed.contains(&format!("UID:{uid}")) && feed.contains("X-WR-CALNAME:Enishi"),
        "{feed}"
    );
    parsed_by_icalendar(&feed, &[&format!("UID={uid}")]);
    assert_eq!(
        anonymous
            .get(&format!("/calendar/{}", "0".repeat(64)))
            .await
            .status(),
        404
    );

    // cancelled: METHOD:CANCEL in the file and the mail
    let (s, b) = api(
        &owner.v,
        Method::POST,
        &format!("/api/v1/n/alpha/events/{id}/status"),
        Some(json!({"action": "cancel"})),
    )
    .await;
    assert_eq!((s, b["status"].as_str()), (200, Some("cancelled")));
    let ics = member
        .v
        .get_text(&format!("/n/alpha/events/{id}/event.ics"))
        .await
        .1;
    assert!(
        ics.contains("METHOD:CANCEL")
            && ics.contains("STATUS:CANCELLED")
            && ics.contains("SEQUENCE:2"),
        "{ics}"
    );
    parsed_by_icalendar(&ics, &["METHOD=CANCEL", "STATUS=CANCELLED", "SEQUENCE=2"]);
    let mail = app.mail.wait_for_nth(&member.email, 2).await;
    assert!(mail.subject().contains("中止のお知らせ"));
    assert!(mail.calendar().contains("METHOD:CANCEL"));
    let (s, b) = rsvp(&member.v, id, going()).await;
    assert_eq!(s, 422);
    assert!(b["detail"].as_str().unwrap().contains("中止になりました"));
    // revoking ends the feed
    member
        .v
        .post_form("/n/alpha/events/feed", &[("action", "revoke")])
        .await;
    assert_eq!(anonymous.get(&path).await.status(), 404);
    app.stop().await;
}

dual_test!(calendar_files_follow_changes);

async fn who_sees_and_runs_events(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "invitation").await;
    let owner = person(&app, &net, "owner", "hr").await;
    let moderator = person(&app, &net, "moderator", "employee").await;
    let staff = person(&app, &net, "member", "employee").await;
    let alumna = person(&app, &net, "member", "alumni").await;
    let invited = person(&app, &net, "member", "alumni").await;
    let alumni_only = create(
        &owner.v,
        24,
        json!({"audience": "alumni", "format": "hybrid",
        "online_url": "https://meet.example.com/secret-room"}),
    )
    .await;
    assert_eq!(
        staff
            .v
            .get(&format!("/n/alpha/events/{alumni_only}"))
            .await
            .status(),
        404
    );
    assert_eq!(
        api(
            &staff.v,
            Method::GET,
            &format!("/api/v1/n/alpha/events/{alumni_only}"),
            None
        )
        .await
        .0,
        404
    );
    let (_, list) = staff.v.get_text("/n/alpha/events").await;
    assert!(!list.contains(&format!("/events/{alumni_only}\"")));
    // the online link only for people going
    let (s, html) = alumna
        .v
        .get_text(&format!("/n/alpha/events/{alumni_only}"))
        .await;
    assert_eq!(s, 200);
    assert!(!html.contains("secret-room") && html.contains("参加が確定すると URL が表示されます"));
    assert_eq!(
        api(
            &alumna.v,
            Method::GET,
            &format!("/api/v1/n/alpha/events/{alumni_only}"),
            None
        )
        .await
        .1["online_url"],
        ""
    );
    assert_eq!(
        rsvp(
            &alumna.v,
            alumni_only,
            json!({"answer": "going", "unlisted": true})
        )
        .await
        .0,
        200
    );
    let (_, html) = alumna
        .v
        .get_text(&format!("/n/alpha/events/{alumni_only}"))
        .await;
    assert!(html.contains("https://meet.example.com/secret-room"));
    // she attends without being listed to others
    let other = person(&app, &net, "member", "alumni").await;
    let (_, html) = other
        .v
        .get_text(&format!("/n/alpha/events/{alumni_only}"))
        .await;
    assert!(
        html.contains("ほかに一覧に名前を出していない参加者が 1 人います"),
        "{html}"
    );
    assert!(html.contains("参加 1 人"));
    // a cover picture: organisers put it up; it is seen where the event is
    let upload = |v: &Visitor, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", v.csrf_token().unwrap())
            .part(
                "image",
                reqwest::multipart::Part::bytes(bytes).file_name("cover.png"),
            );
        let (client, url) = (
            v.client.clone(),
            v.url(&format!("/n/alpha/events/{alumni_only}/cover")),
        );
        async move { client.post(url).multipart(form).send().await.unwrap() }
    };
    assert_eq!(
        upload(&alumna.v, crate::profiles::png(64, 32))
            .await
            .status(),
        404
    );
    let res = upload(&owner.v, b"not a picture".to_vec()).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("role=\"alert\""));
    assert_eq!(
        upload(&owner.v, crate::profiles::png(640, 320))
            .await
            .status(),
        303
    );
    let (_, html) = alumna
        .v
        .get_text(&format!("/n/alpha/events/{alumni_only}"))
        .await;
    let at = html
        .find("class=\"event-cover\" src=\"")
        .expect("the cover")
        + "class=\"event-cover\" src=\"".len();
    let src = html[at..].split('"').next().unwrap().to_string();
    assert_eq!(alumna.v.get(&src).await.status(), 200);
    assert_eq!(
        staff.v.get(&src).await.status(),
        404,
        "not for those the event is not for"
    );

    // by invitation
    let by_invitation = create(
        &owner.v,
        24,
        json!({"audience": "invited", "invited": [invited.email]}),
    )
    .await;
    assert_eq!(
        alumna
            .v
            .get(&format!("/n/alpha/events/{by_invitation}"))
            .await
            .status(),
        404
    );
    assert_eq!(
        invited
            .v
            .get(&format!("/n/alpha/events/{by_invitation}"))
            .await
            .status(),
        200
    );
    let (_, html) = invited.v.get_text("/notifications").await;
    assert!(html.contains("招待しました"), "{html}");
    // organisers' pages: 404 to others
    for path in ["manage", "checkin", "tables", "edit"] {
        let url = format!("/n/alpha/events/{alumni_only}/{path}");
        assert_eq!(alumna.v.get(&url).await.status(), 404, "{path}");
        assert_eq!(owner.v.get(&url).await.status(), 200, "{path}");
    }
    for path in ["registrations", "balance"] {
        let url = format!("/api/v1/n/alpha/events/{alumni_only}/{path}");
        assert_eq!(api(&alumna.v, Method::GET, &url, None).await.0, 404);
    }
    let (s, _) = api(
        &alumna.v,
        Method::PUT,
        &format!("/api/v1/n/alpha/events/{alumni_only}"),
        Some(json!({"title": "乗っ取り"})),
    )
    .await;
    assert_eq!(s, 404);
    // a member proposes; only moderators see it until one publishes it
    let proposal = create(&staff.v, 24, json!({"title": "有志のもくもく会"})).await;
    let (_, b) = api(
        &staff.v,
        Method::GET,
        &format!("/api/v1/n/alpha/events/{proposal}"),
        None,
    )
    .await;
    assert_eq!(b["status"], "proposed");
    assert_eq!(
        alumna
            .v
            .get(&format!("/n/alpha/events/{proposal}"))
            .await
            .status(),
        404
    );
    let (s, _) = rsvp(&staff.v, proposal, going()).await;
    assert_eq!(s, 422, "nobody registers before it is published");
    let (s, _) = api(
        &alumna.v,
        Method::POST,
        &format!("/api/v1/n/alpha/events/{proposal}/status"),
        Some(json!({"action": "publish"})),
    )
    .await;
    assert_eq!(s, 404);
    let (s, b) = api(
        &moderator.v,
        Method::POST,
        &format!("/api/v1/n/alpha/events/{proposal}/status"),
        Some(json!({"action": "publish"})),
    )
    .await;
    assert_eq!((s, b["status"].as_str()), (200, Some("published")), "{b}");
    assert_eq!(
        alumna
            .v
            .get(&format!("/n/alpha/events/{proposal}"))
            .await
            .status(),
        200
    );
    // a member of another network sees nothing of this one's events
    let beta = make_network(&app, "beta", "invitation").await;
    let outsider_email = format!("x{}@example.jp", unique_number());
    let outsider = app
        .create_account(&outsider_email, "外部 太郎", None, false)
        .await;
    join(&app, &beta, outsider.id, "owner", "hr").await;
    let ov = app.visitor_signed_in_as(outsider.id).await;
    assert_eq!(
        ov.get(&format!("/n/alpha/events/{proposal}"))
            .await
            .status(),
        404
    );
    assert_eq!(
        ov.get(&format!("/n/beta/events/{proposal}")).await.status(),
        404
    );
    app.stop().await;
}

dual_test!(who_sees_and_runs_events);

async fn set_stint(app: &TestApp, net: &Network, account: i64, joined: i64, department: &str) {
    let profile = crate::profile_of(app, net, account).await;
    let stored = enishi_store::profiles::get(&app.db, net.scope(), profile)
        .await
        .unwrap()
        .unwrap();
    let prof: Profile = stored.profile;
    let stints = vec![Stint {
        joined: YearMonth::new(joined, 4),
        left: YearMonth::new(joined + 5, 3),
        departments: vec![department.to_string()],
        ..Stint::default()
    }];
    assert!(
        enishi_store::profiles::save(
            &app.db,
            net.scope(),
            profile,
            &prof,
            StintsChange::Own(stints)
        )
        .await
        .unwrap()
    );
}

async fn era_balance_warns_and_suggests(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "invitation").await;
    let owner = person(&app, &net, "owner", "hr").await;
    let id = create(&owner.v, 48, json!({})).await;
    // four registrants from 2015–2019 開発, one from 2000–2004 営業
    for (year, dept) in [
        (2016, "開発"),
        (2017, "開発"),
        (2018, "開発"),
        (2016, "開発"),
        (2001, "営業"),
    ] {
        let p = person(&app, &net, "member", "alumni").await;
        set_stint(&app, &net, p.id, year, dept).await;
        assert_eq!(rsvp(&p.v, id, going()).await.0, 200);
    }
    // members who did not register: 2005–2009 営業 (wants event mail),
    // 2005–2009 人事 (switched event mail off)
    let sales = person(&app, &net, "member", "alumni").await;
    set_stint(&app, &net, sales.id, 2006, "営業").await;
    let quiet = person(&app, &net, "member", "alumni").await;
    set_stint(&app, &net, quiet.id, 2007, "人事").await;
    let prefs = enishi_core::notifications::EmailPrefs {
        events: false,
        ..Default::default()
    };
    enishi_store::notifications::set_prefs(&app.db, quiet.id, &prefs.to_json(), i64::MAX)
        .await
        .unwrap();

    let (s, html) = owner
        .v
        .get_text(&format!("/n/alpha/events/{id}/manage"))
        .await;
    assert_eq!(s, 200);
    assert!(
        html.contains("登録者の半数以上（5 人中 4 人）が 2015–2019 入社です"),
        "{html}"
    );
    assert!(html.contains("<svg") && html.contains("class=\"chart\""));
    let (s, b) = api(
        &owner.v,
        Method::GET,
        &format!("/api/v1/n/alpha/events/{id}/balance"),
        None,
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["dominant_era"], "2015–2019");
    assert_eq!(b["registered"]["total"], 5);
    assert_eq!(
        b["registered"]["hired"],
        json!([{"label": "2000–2004", "count": 1}, {"label": "2015–2019", "count": 4}])
    );
    assert_eq!(
        b["registered"]["departments"],
        json!([{"label": "開発", "count": 4}, {"label": "営業", "count": 1}])
    );
    let suggestions = b["suggestions"].as_array().unwrap();
    assert_eq!(suggestions[0]["account_id"], sales.id, "{b}");
    assert_eq!(suggestions[0]["why"], "2005–2009 営業：登録者 5 人中 0 人");
    assert!(
        !suggestions.iter().any(|s| s["account_id"] == quiet.id),
        "event mail off: not pressed"
    );
    assert!(html.contains("2005–2009 営業：登録者 5 人中 0 人"));
    // invited in bulk: the list, the bell, and no second invitation
    let (s, b) = api(
        &owner.v,
        Method::POST,
        &format!("/api/v1/n/alpha/events/{id}/invites"),
        Some(json!({"accounts": [sales.id]})),
    )
    .await;
    assert_eq!((s, b["invited"].as_i64()), (200, Some(1)));
    let (_, b) = api(
        &owner.v,
        Method::POST,
        &format!("/api/v1/n/alpha/events/{id}/invites"),
        Some(json!({"accounts": [sales.id]})),
    )
    .await;
    assert_eq!(b["invited"], 0);
    let (s, _) = api(
        &owner.v,
        Method::POST,
        &format!("/api/v1/n/alpha/events/{id}/invites"),
        Some(json!({"addresses": ["nobody@example.jp"]})),
    )
    .await;
    assert_eq!(s, 422);
    let (_, html) = sales.v.get_text("/notifications").await;
    assert!(html.contains("「OB・OG 交流会」に招待しました"), "{html}");
    let (_, b) = api(
        &owner.v,
        Method::GET,
        &format!("/api/v1/n/alpha/events/{id}/balance"),
        None,
    )
    .await;
    assert_eq!(b["invited"]["total"], 1);
    assert!(
        !b["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["account_id"] == sales.id)
    );
    // tables of 3 spread the eras: four of 2015–2019 over two tables is
    // two each, never three at one
    let (s, html) = owner
        .v
        .get_text(&format!("/n/alpha/events/{id}/tables?size=3&seed=7"))
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        html.matches("class=\"panel table-box\"").count(),
        2,
        "{html}"
    );
    assert_eq!(
        owner
            .v
            .get_text(&format!("/n/alpha/events/{id}/tables?size=3&seed=7"))
            .await
            .1,
        html,
        "the same seed seats the same"
    );
    for table in html.split("class=\"panel table-box\"").skip(1) {
        let table = table.split("</section>").next().unwrap();
        assert!(table.matches("2015–2019").count() <= 2, "{table}");
    }
    // organisers write to everyone registered
    let (s, b) = api(
        &owner.v,
        Method::POST,
        &format!("/api/v1/n/alpha/events/{id}/message"),
        Some(json!({"body": "受付は 18:00 からです"})),
    )
    .await;
    assert_eq!((s, b["told"].as_i64()), (200, Some(5)));
    let (s, _) = api(
        &owner.v,
        Method::POST,
        &format!("/api/v1/n/alpha/events/{id}/message"),
        Some(json!({"body": "  "})),
    )
    .await;
    assert_eq!(s, 422);
    app.stop().await;
}

dual_test!(era_balance_warns_and_suggests);

async fn reminders_go_out_once(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "invitation").await;
    let owner = person(&app, &net, "owner", "hr").await;
    let member = person(&app, &net, "member", "alumni").await;
    // two hours away: the "coming up" reminder
    let soon = create(&owner.v, 2, json!({"title": "夕方の勉強会"})).await;
    assert_eq!(rsvp(&member.v, soon, going()).await.0, 200);
    // the confirmation (a queued job) and the reminder (the sweep) race:
    // either may come first
    app.mail.wait_for_nth(&member.email, 2).await;
    let mails = app.mail.to(&member.email);
    let subjects: Vec<String> = mails.iter().map(|m| m.subject().to_string()).collect();
    assert!(
        subjects
            .iter()
            .any(|s| s.contains("参加登録を受け付けました")),
        "{subjects:?}"
    );
    let reminder = mails
        .iter()
        .find(|m| m.subject().contains("開催が近づいています：夕方の勉強会"))
        .unwrap_or_else(|| panic!("a reminder among {subjects:?}"));
    assert!(reminder.text().contains("日時："));
    // the sweep runs again and again: still two mails
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(app.mail.to(&member.email).len(), 2);
    // someone who switched event mail off gets the confirmation only
    let quiet = person(&app, &net, "member", "alumni").await;
    let prefs = enishi_core::notifications::EmailPrefs {
        events: false,
        ..Default::default()
    };
    enishi_store::notifications::set_prefs(&app.db, quiet.id, &prefs.to_json(), i64::MAX)
        .await
        .unwrap();
    assert_eq!(rsvp(&quiet.v, soon, going()).await.0, 200);
    app.mail.wait_for(&quiet.email).await;
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(app.mail.to(&quiet.email).len(), 1);
    app.stop().await;
}

dual_test!(reminders_go_out_once);
