//! Leaver intake over real HTTP, on both databases: HR's CP932 fixture
//! (Japanese headers, every odd value) through upload, mapping, preview,
//! the background import job and the invalid rows' download; idempotency,
//! corrections and resuming after a kill; invitations through the real
//! SMTP sink, accepting with corrections, declining for good; bad files.

use enishi_core::intake::Leaver;
use enishi_store::intake::{self as store, Progress, Roster};
use enishi_store::networks::{self as store_networks, Network};
use enishi_store::profiles::{self, SOURCE_HR, SOURCE_SELF};
use enishi_testkit::{Backend, TestApp, Visitor, dual_test};

use crate::{fresh_account, join};

pub(crate) const FIXTURE: &[u8] =
    include_bytes!("../../../core/tests/fixtures/intake/leavers-cp932.csv");
const DOMAIN: &str = "sample-shoji.co.jp";

/// The path of a link from an e-mail.
pub(crate) fn local(link: &str) -> String {
    link[link.find("/n/").unwrap()..].to_string()
}

pub(crate) async fn company(app: &TestApp, slug: &str) -> Network {
    let ja = enishi_web::i18n::Tr::new(enishi_core::Lang::Ja);
    store_networks::create(
        &app.db,
        &store_networks::NewNetwork {
            slug,
            name_ja: "サンプル商事",
            name_en: "Sample Shoji",
            description_ja: "",
            description_en: "",
            accent_color: "#22406b",
            join_policy: "invitation",
            staff_domains: &[DOMAIN.to_string()],
            listed: true,
            purposes: (ja.get("defaults.purposes"), ""),
            guidelines: (ja.get("defaults.guidelines"), ""),
            created_by: None,
        },
    )
    .await
    .unwrap()
}

pub(crate) async fn hr(app: &TestApp, network: &Network) -> Visitor {
    let account = fresh_account(app, false).await;
    join(app, network, account.id, "admin", "hr").await;
    let visitor = app.visitor_signed_in_as(account.id).await;
    visitor.get("/").await;
    visitor
}

pub(crate) async fn upload(
    visitor: &Visitor,
    slug: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("csrf", visitor.csrf_token().unwrap())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    visitor
        .client
        .post(visitor.url(&format!("/n/{slug}/admin/imports")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// Uploads and returns the import page's path.
pub(crate) async fn uploaded(visitor: &Visitor, slug: &str, bytes: Vec<u8>) -> String {
    let res = upload(visitor, slug, "leavers.csv", bytes).await;
    assert_eq!(res.status(), 303);
    res.headers()["location"].to_str().unwrap().to_string()
}

pub(crate) fn count(page: &str, what: &str) -> i64 {
    let marker = format!("data-count=\"{what}\">");
    let at = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {what} count"));
    page[at + marker.len()..]
        .split('<')
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Confirms the suggested mapping (as the page shows it) and waits for the
/// job to finish; returns the finished page.
pub(crate) async fn run(visitor: &Visitor, path: &str) -> String {
    let (_, page) = visitor.get_text(path).await;
    let mut fields = vec![];
    for i in 0..10 {
        let id = format!("id=\"col{i}\" name=\"col{i}\">");
        if let Some(at) = page.find(&id) {
            let rest = &page[at..];
            let chosen = rest
                .split("</select>")
                .next()
                .unwrap()
                .split("<option value=\"")
                .find(|o| o.contains(" selected>"))
                .map(|o| o.split('"').next().unwrap().to_string())
                .unwrap_or_default();
            fields.push((format!("col{i}"), chosen));
        }
    }
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = visitor.post_form(&format!("{path}/run"), &refs).await;
    assert_eq!(res.status(), 303);
    for _ in 0..200 {
        let (_, page) = visitor.get_text(path).await;
        if page.contains("href=\"/n/") && page.contains("state=pending") {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import did not finish");
}

async fn fixture_import_counts_every_row_and_is_idempotent(backend: Backend) {
    let app = TestApp::start(backend).await;
    let network = company(&app, "shoji").await;
    let admin = hr(&app, &network).await;
    let path = uploaded(&admin, "shoji", FIXTURE.to_vec()).await;
    let (status, page) = admin.get_text(&path).await;
    assert_eq!(status, 200);
    // decoded without mojibake, headers suggested, the sensitive one flagged
    assert!(page.contains("Shift_JIS"));
    assert!(page.contains("髙橋") && page.contains("タカハシ"));
    assert!(page.contains("退職理由"));
    assert!(page.contains("Enishi はこの列を保存しません"));
    assert_eq!(count(&page, "new"), 30);
    assert_eq!(count(&page, "invalid"), 10);
    assert_eq!(count(&page, "unchanged"), 0);
    assert!(page.contains("4 件は会社のメールアドレスしかありません"));
    for line in 34..=43 {
        assert!(page.contains(&format!("{line} 行目")), "line {line} listed");
    }
    assert!(page.contains("2019/2/30") && page.contains("存在しない日付です"));
    assert!(page.contains("3 行目と重複しています"));
    // nothing is written by the preview
    let before = store::records(&app.db, network.scope(), &Default::default(), 0, 1000)
        .await
        .unwrap();
    assert!(before.is_empty());
    // the invalid rows download: same cells, line and reason, formulas defused
    let res = admin.get(&format!("{path}/errors.csv")).await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = res.text().await.unwrap();
    assert_eq!(csv.trim_end().lines().count(), 11, "header and 10 rows");
    assert!(csv.contains("ai.hasegawa@gmail"));
    let done = run(&admin, &path).await;
    assert_eq!(count(&done, "new"), 30);
    assert_eq!(count(&done, "invalid"), 10);
    let records = store::records(&app.db, network.scope(), &Default::default(), 0, 1000)
        .await
        .unwrap();
    assert_eq!(records.len(), 30);
    assert!(
        records
            .iter()
            .all(|r| r.state == "pending" && r.account_id.is_none())
    );
    // unmapped columns are never stored: no trace of the leave reasons
    let takahashi = records
        .iter()
        .find(|r| r.employee_number == "0002")
        .unwrap();
    assert_eq!(takahashi.family.as_deref(), Some("髙橋"));
    assert_eq!(takahashi.email, "hanako.t@yahoo.co.jp");
    assert!(
        records
            .iter()
            .find(|r| r.employee_number == "0003")
            .unwrap()
            .company_address_only
    );
    // the same file again changes nothing
    let again = uploaded(&admin, "shoji", FIXTURE.to_vec()).await;
    let (_, page) = admin.get_text(&again).await;
    assert_eq!(count(&page, "unchanged"), 30);
    assert_eq!(count(&page, "new"), 0);
    let done = run(&admin, &again).await;
    assert_eq!(count(&done, "unchanged"), 30);
    assert_eq!(
        store::records(&app.db, network.scope(), &Default::default(), 0, 1000)
            .await
            .unwrap()
            .len(),
        30
    );
    // a corrected file (UTF-8 now) updates HR's record, never duplicates
    let fixed = "社員番号,氏名,メールアドレス,入社日,退職日,部署\r\n\
                 0002,髙橋 花子,hanako.t@yahoo.co.jp,2003/4/1,2009/3/31,財務部\r\n";
    let path = uploaded(&admin, "shoji", fixed.as_bytes().to_vec()).await;
    let (_, page) = admin.get_text(&path).await;
    assert!(page.contains("UTF-8"));
    assert_eq!(count(&page, "update"), 1);
    run(&admin, &path).await;
    let after = store::records(&app.db, network.scope(), &Default::default(), 0, 1000)
        .await
        .unwrap();
    assert_eq!(after.len(), 30);
    let record = after.iter().find(|r| r.employee_number == "0002").unwrap();
    assert_eq!(record.department, "財務部");
    let hr_stints = profiles::stints(
        &app.db,
        network.scope(),
        record.profile_id.unwrap(),
        SOURCE_HR,
    )
    .await
    .unwrap();
    assert_eq!(hr_stints[0].departments, vec!["財務部".to_string()]);
    // pending records: admins find them in the directory, members never
    let (_, page) = admin
        .get_text("/n/shoji/directory?q=%E3%81%9F%E3%81%8B%E3%81%AF%E3%81%97&kind=pending")
        .await;
    assert!(
        page.contains("髙橋"),
        "admins search HR's records: {}",
        &page[page.len().saturating_sub(3000)..]
    );
    let member = fresh_account(&app, false).await;
    join(&app, &network, member.id, "member", "alumni").await;
    let visitor = app.visitor_signed_in_as(member.id).await;
    let (_, page) = visitor
        .get_text("/n/shoji/directory?q=%E9%AB%99%E6%A9%8B&kind=pending")
        .await;
    assert!(
        !page.contains("髙橋 花子"),
        "members never see pending records"
    );
    let pid = record.profile_id.unwrap();
    assert_eq!(
        visitor
            .get(&format!("/n/shoji/people/{pid}"))
            .await
            .status(),
        404
    );
    assert_eq!(
        admin.get(&format!("/n/shoji/people/{pid}")).await.status(),
        200
    );
    app.stop().await;
}

/// `text` stored as an import (decoded, mapped by `names`), not started.
async fn stored_import(
    app: &TestApp,
    net: enishi_store::networks::NetworkId,
    text: &str,
    names: &std::collections::BTreeMap<String, String>,
    total_rows: i64,
) -> store::Import {
    store::create_import(
        &app.db,
        net,
        &store::NewImport {
            created_by: None,
            file_name: "leavers.csv",
            encoding: "utf-8",
            parts: &enishi_core::intake::split(text, 64).unwrap().parts(text),
            mapping: names,
            total_rows,
        },
    )
    .await
    .unwrap()
}

/// Runs (or resumes) import `id` to the end; the import as it then is.
async fn run_to_end(
    app: &TestApp,
    net: enishi_store::networks::NetworkId,
    id: i64,
) -> store::Import {
    enishi_jobs::intake::run(&app.db, net, id).await.unwrap();
    store::import(&app.db, net, id).await.unwrap().unwrap()
}

/// A file longer than a batch and a classification chunk: each row is
/// classified against what the network knows of it (the roster is read per
/// chunk, not held whole), across chunk boundaries — a repeat of a row in
/// the first chunk, an update of an earlier record, a member, a person who
/// declined — and the preview's count is what the import then does.
async fn an_import_longer_than_a_batch_classifies_every_row(backend: Backend) {
    let app = TestApp::start(backend).await;
    let network = company(&app, "long").await;
    let net = network.scope();
    let member = app
        .create_account("member.long@example.jp", "鈴木 一郎", None, false)
        .await;
    join(&app, &network, member.id, "member", "alumni").await;
    let header = "社員番号,氏名,メールアドレス,入社日,退職日,部署\r\n";
    let row = |n: usize, email: &str, department: &str| {
        format!("L{n:05},山田 太郎{n},{email},2001/4/1,2010/3/31,{department}\r\n")
    };
    // an earlier file: one record to update later, one whose person declines
    let earlier = format!(
        "{header}{}{}",
        row(1, "first@example.net", "営業部"),
        row(2, "declines@example.net", "営業部")
    );
    let names = {
        let csv = enishi_core::intake::read(&earlier).unwrap();
        enishi_core::intake::suggest(&csv.headers).to_names(&csv.headers)
    };
    let first = stored_import(&app, net, &earlier, &names, 2).await;
    enishi_jobs::intake::run(&app.db, net, first.id)
        .await
        .unwrap();
    let records = store::records(&app.db, net, &Default::default(), 0, 10)
        .await
        .unwrap();
    let declining = records
        .iter()
        .find(|r| r.email == "declines@example.net")
        .unwrap();
    assert!(store::decline(&app.db, net, declining.id).await.unwrap());

    let total = store::CLASSIFY_CHUNK * 2 + 500;
    let mut text = header.to_string();
    for n in 3..3 + total - 4 {
        text.push_str(&row(n, &format!("p{n}@example.net"), "営業部"));
    }
    // in the last chunk: the earlier record with another department, the
    // member's address, the address that declined, a repeat of the first row
    text.push_str(&row(1, "first@example.net", "財務部"));
    text.push_str(&row(90_001, "member.long@example.jp", "営業部"));
    text.push_str(&row(90_002, "declines@example.net", "営業部"));
    text.push_str(&row(3, "p3@example.net", "営業部"));
    let csv = enishi_core::intake::read(&text).unwrap();
    let mapping = enishi_core::intake::Mapping::from_names(&csv.headers, &names);
    let domains = vec![DOMAIN.to_string()];
    let leavers: Vec<Leaver> =
        enishi_core::intake::evaluate(csv, &mapping, enishi_jobs::intake::today(), &domains)
            .filter_map(|v| v.result.ok())
            .collect();
    assert_eq!(leavers.len(), total - 1, "the repeat is refused");
    let mut preview = store::Tally::default();
    for chunk in leavers.chunks(store::CLASSIFY_CHUNK) {
        for outcome in store::classify(&app.db, net, chunk).await.unwrap() {
            preview.count(outcome);
        }
    }
    let expected = store::Tally {
        new: (total - 4) as i64,
        linked: 1,
        updated: 1,
        unchanged: 0,
        invalid: 0,
        skipped: 1,
    };
    assert_eq!(preview, expected);

    let import = stored_import(&app, net, &text, &names, total as i64).await;
    let done = run_to_end(&app, net, import.id).await;
    assert_eq!(done.status, "done");
    assert_eq!(done.done_rows, total as i64);
    assert_eq!(
        (
            done.new_rows,
            done.linked_rows,
            done.updated_rows,
            done.skipped_rows,
            done.invalid_rows
        ),
        (expected.new, 1, 1, 1, 1)
    );
    let all = store::records(&app.db, net, &Default::default(), 0, 100_000)
        .await
        .unwrap();
    // two earlier records, the new ones and the member's; none twice
    assert_eq!(all.len(), 2 + (total - 4) + 1);
    let mut numbers: Vec<&str> = all.iter().map(|r| r.employee_number.as_str()).collect();
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers.len(), all.len());
    let updated = all.iter().find(|r| r.employee_number == "L00001").unwrap();
    assert_eq!(updated.department, "財務部");
    let linked = all
        .iter()
        .find(|r| r.email == "member.long@example.jp")
        .unwrap();
    assert_eq!(
        (linked.state.as_str(), linked.account_id),
        ("joined", Some(member.id))
    );
    // every new record has its profile, HR's stint and a search entry
    let last = all.iter().find(|r| r.employee_number == "L04498").unwrap();
    let stints = profiles::stints(&app.db, net, last.profile_id.unwrap(), SOURCE_HR)
        .await
        .unwrap();
    assert_eq!(stints[0].departments, vec!["営業部".to_string()]);
    let admin = app
        .create_account("hr.long@example.jp", "人事 花子", None, false)
        .await;
    join(&app, &network, admin.id, "admin", "hr").await;
    let visitor = app.visitor_signed_in_as(admin.id).await;
    let (_, page) = visitor
        .get_text("/n/long/directory?q=%E5%A4%AA%E9%83%8E4498&kind=pending")
        .await;
    assert!(page.contains("山田 太郎4498"), "found by name");
    app.stop().await;
}

async fn a_killed_import_resumes_without_duplicates(backend: Backend) {
    let app = TestApp::start(backend).await;
    let network = company(&app, "resume").await;
    let net = network.scope();
    let (text, _) = enishi_core::intake::decode(FIXTURE).unwrap();
    let csv = enishi_core::intake::read(&text).unwrap();
    let names = enishi_core::intake::suggest(&csv.headers).to_names(&csv.headers);
    let import = stored_import(&app, net, &text, &names, 40).await;
    // a worker committed the first 15 rows, then died
    let mapping = enishi_core::intake::Mapping::from_names(&csv.headers, &names);
    let domains = vec![DOMAIN.to_string()];
    let first: Vec<Leaver> = enishi_core::intake::evaluate(
        enishi_core::intake::read(&text).unwrap(),
        &mapping,
        enishi_jobs::intake::today(),
        &domains,
    )
    .take(15)
    .filter_map(|v| v.result.ok())
    .collect();
    assert_eq!(first.len(), 15, "the first 15 rows are valid");
    let mut roster = Roster::for_rows(&app.db, net, &first).await.unwrap();
    store::apply(
        &app.db,
        net,
        &mut roster,
        &first,
        0,
        Some(&Progress {
            import_id: import.id,
            done_rows: 15,
        }),
    )
    .await
    .unwrap();
    store::set_status(&app.db, net, import.id, "running", None)
        .await
        .unwrap();
    // the job runs again from where it was
    let done = run_to_end(&app, net, import.id).await;
    assert_eq!(done.status, "done");
    assert_eq!(done.done_rows, 40);
    assert_eq!((done.new_rows, done.invalid_rows), (30, 10));
    let records = store::records(&app.db, net, &Default::default(), 0, 1000)
        .await
        .unwrap();
    assert_eq!(records.len(), 30, "no duplicates, nothing lost");
    app.stop().await;
}

async fn invited_alumni_correct_consent_join_or_decline(backend: Backend) {
    let app = TestApp::start(backend).await;
    let network = company(&app, "welcome").await;
    let net = network.scope();
    let admin = hr(&app, &network).await;
    let csv = "社員番号,姓,名,セイ,メイ,個人メールアドレス,入社年月日,退職年月日,最終所属部署\r\n\
               1001,鈴木,仁志,スズキ,ヒトシ,hitoshi@example.jp,平成21年4月1日,2015/3/31,営業本部\r\n\
               1002,佐藤,花,サトウ,ハナ,hana@example.jp,H22.4.1,2016/3/31,経理部\r\n\
               1003,田中,一,タナカ,ハジメ,hajime@example.jp,2010/4/1,2017/3/31,人事部\r\n";
    let path = uploaded(&admin, "welcome", csv.as_bytes().to_vec()).await;
    run(&admin, &path).await;
    let records = store::records(&app.db, net, &Default::default(), 0, 10)
        .await
        .unwrap();
    let id_of = |n: &str| records.iter().find(|r| r.employee_number == n).unwrap().id;
    // hand-picked invitations; the do-not-contact list is respected
    let res = admin
        .post_form(
            "/n/welcome/admin/alumni/do-not-contact",
            &[("email", "HAJIME@example.jp")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let bad = admin
        .post_form(
            "/n/welcome/admin/alumni/do-not-contact",
            &[("email", "not an address")],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let (a, b, c) = (
        id_of("1001").to_string(),
        id_of("1002").to_string(),
        id_of("1003").to_string(),
    );
    let res = admin
        .post_form(
            "/n/welcome/admin/alumni/invite",
            &[("id", a.as_str()), ("id", b.as_str()), ("id", c.as_str())],
        )
        .await;
    assert_eq!(res.status(), 303);
    let mail = app.mail.wait_for("hitoshi@example.jp").await;
    assert!(mail.subject().contains("サンプル商事"));
    assert!(mail.text().contains("利用目的"));
    app.mail.wait_for("hana@example.jp").await;
    assert!(
        app.mail.to("hajime@example.jp").is_empty(),
        "do-not-contact"
    );
    let (_, roster) = admin.get_text("/n/welcome/admin/alumni?state=sent").await;
    assert!(roster.contains("鈴木 仁志") && !roster.contains("田中 一"));
    let (_, all) = admin.get_text("/n/welcome/admin/alumni").await;
    assert!(all.contains("data-state=\"sent\">2<"), "two invited");
    assert!(all.contains("data-state=\"pending\">1<"), "one left out");
    assert!(all.contains("data-state=\"failed\">0<"));
    // the alumnus opens the link: HR's record, to correct
    let link = local(&mail.link("/invite?token="));
    let person = app.new_visitor();
    let (status, page) = person.get_text(&link).await;
    assert_eq!(status, 200);
    assert!(page.contains("value=\"鈴木\"") && page.contains("value=\"2009-04\""));
    assert_eq!(
        store::record(&app.db, net, id_of("1001"))
            .await
            .unwrap()
            .unwrap()
            .state,
        "opened"
    );
    let token = link.split("token=").nth(1).unwrap().to_string();
    let mut fields = vec![
        ("token", token.as_str()),
        ("display_name", "鈴木 仁志"),
        ("family", "鈴木"),
        ("given", "仁志"),
        ("family_kana", "すずき"),
        ("given_kana", "ひとし"),
        ("joined", "2009-04"),
        ("left", "2014-03"),
        ("department", "営業本部"),
        ("title", ""),
        ("visibility", "network"),
    ];
    // bad corrections and missing consent: refused, nothing changed
    fields.push(("consent", "yes"));
    let mut wrong = fields.clone();
    wrong[7] = ("left", "2008-03");
    let res = person.post_form("/n/welcome/invite", &wrong).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("退職"));
    let no_consent: Vec<_> = fields
        .iter()
        .filter(|(k, _)| *k != "consent")
        .cloned()
        .collect();
    assert_eq!(
        person
            .post_form("/n/welcome/invite", &no_consent)
            .await
            .status(),
        422
    );
    let res = person.post_form("/n/welcome/invite", &fields).await;
    assert_eq!(res.status(), 303);
    let record = store::record(&app.db, net, id_of("1001"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.state, "joined");
    let stored = profiles::get(&app.db, net, record.profile_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.account_id, record.account_id);
    assert_eq!(stored.stints_source, SOURCE_SELF);
    assert_eq!(stored.profile.stints[0].left.unwrap().iso(), "2014-03");
    assert_eq!(stored.profile.family_kana, "スズキ");
    let hr_stints = profiles::stints(&app.db, net, stored.id, SOURCE_HR)
        .await
        .unwrap();
    assert_eq!(
        hr_stints[0].left.unwrap().iso(),
        "2015-03",
        "HR's record kept"
    );
    // they are in the directory now
    let (_, page) = admin
        .get_text("/n/welcome/directory?q=%E3%81%B2%E3%81%A8%E3%81%97")
        .await;
    assert!(page.contains("鈴木 仁志"));
    // the link is single use
    let (status, _) = person.get_text(&link).await;
    assert_eq!(status, 410);
    // the second declines: one click, for good
    let mail = app.mail.wait_for("hana@example.jp").await;
    let link = local(&mail.link("/invite?token="));
    let token = link.split("token=").nth(1).unwrap().to_string();
    let other = app.new_visitor();
    other.get_text(&link).await;
    let res = other
        .post_form("/n/welcome/invite/decline", &[("token", token.as_str())])
        .await;
    assert_eq!(res.status(), 200);
    let record = store::record(&app.db, net, id_of("1002"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.state, "declined");
    assert_eq!(record.profile_id, None);
    assert!(!record.email.contains("hana@"), "only a hint is kept");
    let (_, roster) = admin
        .get_text("/n/welcome/admin/alumni?state=declined")
        .await;
    assert!(roster.contains("h***@example.jp") && !roster.contains("佐藤"));
    // a re-import never brings them back, and nobody invites them again
    let path = uploaded(&admin, "welcome", csv.as_bytes().to_vec()).await;
    let (_, page) = admin.get_text(&path).await;
    assert_eq!(count(&page, "skipped"), 1);
    run(&admin, &path).await;
    let res = admin
        .post_form("/n/welcome/admin/alumni/invite", &[("all", "1")])
        .await;
    assert_eq!(
        res.headers()["location"],
        "/n/welcome/admin/alumni?done=none"
    );
    // another network's slug with this token: nothing there
    company(&app, "elsewhere").await;
    let (status, _) = other
        .get_text(&format!("/n/elsewhere/invite?token={token}"))
        .await;
    assert_eq!(status, 410);
    app.stop().await;
}

async fn bad_files_get_clear_messages(backend: Backend) {
    let app = TestApp::start_with(backend, |c| c.import_limit = 256 * 1024).await;
    let network = company(&app, "bad").await;
    let admin = hr(&app, &network).await;
    let mut wide = "氏名,メールアドレス\r\n鈴木 一郎,ichiro@example.jp".to_string();
    wide.push_str(&",x".repeat(3_000));
    wide.push_str("\r\n佐藤 花子,hanako@example.jp\r\n");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "氏名,メール\r\n"
                .encode_utf16()
                .flat_map(|u| u.to_le_bytes()),
        )
        .collect();
    for (bytes, message) in [
        (Vec::new(), "CSV ファイルを選んでください"),
        (b"\xef\xbb\xbf".to_vec(), "ファイルが空です"),
        (
            "氏名,メールアドレス\r\n".as_bytes().to_vec(),
            "見出し行しかありません",
        ),
        (png, "CSV ファイルではないようです"),
        (utf16, "文字コードを判別できません"),
    ] {
        let res = upload(&admin, "bad", "x.csv", bytes).await;
        assert_eq!(res.status(), 422);
        let page = res.text().await.unwrap();
        assert!(page.contains(message), "{message}");
    }
    // a row with 3,000 columns is refused alone; the good row goes in
    let path = uploaded(&admin, "bad", wide.into_bytes()).await;
    let (_, page) = admin.get_text(&path).await;
    assert_eq!(count(&page, "new"), 1);
    assert_eq!(count(&page, "invalid"), 1);
    assert!(page.contains("見出しより多くの列に値があります"));
    // formula cells are kept as text and defused in the download
    let formulas = "氏名,メールアドレス,役職\r\n\
                    =HYPERLINK(\"http://x\"),bad,@SUM(1)\r\n";
    let path = uploaded(&admin, "bad", formulas.as_bytes().to_vec()).await;
    let csv = admin
        .get(&format!("{path}/errors.csv"))
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(csv.contains("'@SUM(1)"));
    // over the configured limit
    let res = upload(&admin, "bad", "big.csv", vec![b'a'; 300 * 1024]).await;
    assert_eq!(res.status(), 413);
    assert!(res.text().await.unwrap().contains("大きすぎます"));
    // another network's import is not there
    let other = company(&app, "other").await;
    let other_admin = hr(&app, &other).await;
    assert_eq!(
        other_admin
            .get(&path.replace("/n/bad/", "/n/other/"))
            .await
            .status(),
        404
    );
    app.stop().await;
}

async fn pending_records_are_deleted_after_the_retention_period(backend: Backend) {
    let app = TestApp::start(backend).await;
    let network = company(&app, "keep").await;
    let net = network.scope();
    let admin = hr(&app, &network).await;
    let csv = "氏名,メールアドレス\r\n鈴木 一郎,ichiro@example.jp\r\n佐藤 二郎,jiro@example.jp\r\n";
    let path = uploaded(&admin, "keep", csv.as_bytes().to_vec()).await;
    run(&admin, &path).await;
    let records = store::records(&app.db, net, &Default::default(), 0, 10)
        .await
        .unwrap();
    let member = fresh_account(&app, false).await;
    join(&app, &network, member.id, "member", "alumni").await;
    let own = profiles::of_account(&app.db, net, member.id)
        .await
        .unwrap()
        .unwrap();
    store::mark_joined(&app.db, net, records[0].id, member.id, own.id)
        .await
        .unwrap();
    let day = 86_400_000;
    let now = enishi_store::now_ms();
    assert_eq!(
        store::purge_expired(&app.db, now + 365 * day)
            .await
            .unwrap(),
        0
    );
    // the network keeps pending records 30 days
    let mut settings = store::settings(&app.db, net).await.unwrap();
    assert_eq!(settings.retention_days, store::DEFAULT_RETENTION_DAYS);
    settings.retention_days = 30;
    store::save_settings(&app.db, net, &settings).await.unwrap();
    assert_eq!(
        store::purge_expired(&app.db, now + 31 * day).await.unwrap(),
        1
    );
    let left = store::records(&app.db, net, &Default::default(), 0, 10)
        .await
        .unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].state, "joined");
    assert!(
        profiles::get(&app.db, net, records[1].profile_id.unwrap())
            .await
            .unwrap()
            .is_none(),
        "HR's copy is gone"
    );
    let audit = enishi_store::audit::recent(&app.db, None, 50)
        .await
        .unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "intake.retention_purged" && e.network_id == Some(network.id))
    );
    app.stop().await;
}

dual_test!(
    pending_records_are_deleted_after_the_retention_period,
    fixture_import_counts_every_row_and_is_idempotent,
    a_killed_import_resumes_without_duplicates,
    an_import_longer_than_a_batch_classifies_every_row,
    invited_alumni_correct_consent_join_or_decline,
    bad_files_get_clear_messages
);
