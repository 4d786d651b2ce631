//! Accounts and sign-in over real HTTP, with mail through a real SMTP
//! server, on both databases: every flow and its bad paths.

use std::time::Duration;

use enishi_core::secret::hash_token;
use enishi_store::login_tokens::{self, Purpose};
use enishi_store::{accounts, audit, jobs, now_ms, outbox, sessions};
use enishi_testkit::{Backend, TestApp, dual_test};
use serde_json::Value;

use crate::{h1, header};

fn token_of(link: &str) -> String {
    link.split("token=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string()
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    audit::recent(&app.db, None, 200)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

async fn magic_link_round_trip(backend: Backend) {
    let app = TestApp::start(backend).await;
    let account = app
        .create_account("hanako@example.jp", "山田 花子", None, false)
        .await;
    let res = app
        .post_form("/signin/link", &[("email", "  Hanako@Example.JP ")])
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(h1(&res.text().await.unwrap()), "メールを確認してください");

    let mail = app.mail.wait_for("hanako@example.jp").await;
    assert_eq!(mail.subject(), "Enishi へのサインイン用リンク");
    assert!(mail.text().contains("15分間"), "{}", mail.text());
    let link = mail.link("/signin/link?token=");
    assert!(
        link.starts_with(&format!("{}/signin/link?token=", app.base)),
        "built from --base-url: {link}"
    );
    assert!(mail.html().contains(&link.replace('&', "&#38;")) || mail.html().contains(&link));
    let path = link.strip_prefix(&app.base).unwrap();

    // Opening the link (as a mail scanner would) does not sign in or spend it.
    let (status, page) = app.new_visitor().get_text(path).await;
    assert_eq!(
        (status, h1(&page).as_str()),
        (200, "サインインを続けますか？")
    );
    let (status, _) = app.get_text(path).await;
    assert_eq!(status, 200);
    let res = app
        .post_form("/signin/link/confirm", &[("token", &token_of(&link))])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(header(&res, "location"), "/account");
    let cookies: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("enishi_session="))
        .expect("session cookie");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(attr), "{session}");
    }
    let (status, page) = app.get_text("/account").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("山田 花子"),
        "the header shows who is signed in"
    );

    // The link works once.
    let res = app
        .new_visitor()
        .post_form("/signin/link/confirm", &[("token", &token_of(&link))])
        .await;
    assert_eq!(res.status(), 410);
    let page = res.text().await.unwrap();
    assert_eq!(h1(&page), "このリンクは使用済みです");
    assert!(
        page.contains(r#"action="/signin/link""#),
        "offers a new link"
    );
    assert!(
        audit_actions(&app)
            .await
            .contains(&"signin.link".to_string())
    );
    assert_eq!(
        sessions::list(&app.db, account.id, now_ms())
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn expired_and_forged_links_say_so(backend: Backend) {
    let app = TestApp::start(backend).await;
    let account = app
        .create_account("old@example.jp", "Old", None, false)
        .await;
    let now = now_ms();
    login_tokens::create(
        &app.db,
        Purpose::SignIn,
        account.id,
        "old@example.jp",
        &hash_token(&"ab".repeat(32)),
        now - 20 * 60_000,
        now - 5 * 60_000,
    )
    .await
    .unwrap();
    let (status, page) = app
        .get_text(&format!("/signin/link?token={}", "ab".repeat(32)))
        .await;
    assert_eq!(
        (status, h1(&page).as_str()),
        (410, "リンクの有効期限が切れています")
    );
    let res = app
        .post_form("/signin/link/confirm", &[("token", &"ab".repeat(32))])
        .await;
    assert_eq!(res.status(), 410);
    for forged in ["", "zz", "<script>alert(1)</script>", &"0".repeat(64)] {
        let (status, page) = app.get_text(&format!("/signin/link?token={forged}")).await;
        assert_eq!(
            (status, h1(&page).as_str()),
            (410, "リンクが正しくありません"),
            "{forged}"
        );
        assert!(!page.contains("<script>alert"));
    }
    assert!(
        app.get("/account").await.status() == 303,
        "still signed out"
    );
}

async fn link_requests_reveal_nothing(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.create_account("known@example.jp", "Known", None, false)
        .await;
    let known = app
        .post_form("/signin/link", &[("email", "known@example.jp")])
        .await;
    let unknown = app
        .new_visitor()
        .post_form("/signin/link", &[("email", "nobody@example.jp")])
        .await;
    assert_eq!(known.status(), unknown.status());
    let (a, b) = (known.text().await.unwrap(), unknown.text().await.unwrap());
    assert_eq!(h1(&a), h1(&b));
    app.mail.wait_for("known@example.jp").await;
    assert!(app.mail.to("nobody@example.jp").is_empty());
    // Malformed input is refused with the reason, keeping what was typed.
    let res = app
        .post_form("/signin/link", &[("email", "taro@example")])
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("メールアドレスの形式が正しくありません"),
        "{page}"
    );
    assert!(page.contains(r#"value="taro@example""#));
}

async fn password_sign_in_rotates_the_session(backend: Backend) {
    let app = TestApp::start(backend).await;
    let account = app
        .create_account(
            "taro@example.jp",
            "鈴木 太郎",
            Some("correct horse battery"),
            false,
        )
        .await;
    let res = app
        .sign_in(&app.visitor, "taro@example.jp", "wrong password!")
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("メールアドレスまたはパスワードが正しくありません")
    );
    let unknown = app
        .sign_in(&app.visitor, "ghost@example.jp", "wrong password!")
        .await;
    assert_eq!(unknown.status(), 422, "an unknown address reads the same");
    let csrf_before = app.csrf_token().unwrap();
    app.visitor.set_cookie("enishi_session", &"f".repeat(64)); // a planted (fixated) session id
    let res = app
        .sign_in(&app.visitor, "TARO@example.jp", "correct horse battery")
        .await;
    assert_eq!(res.status(), 303);
    let session = app.visitor.cookie("enishi_session").unwrap();
    assert_ne!(session, "f".repeat(64), "a new session id at sign-in");
    assert_ne!(
        app.csrf_token().unwrap(),
        csrf_before,
        "a new CSRF token at sign-in"
    );
    assert_eq!(app.get("/account").await.status(), 200);
    let overlong = "x".repeat(500);
    let res = app
        .new_visitor()
        .post_form(
            "/signin",
            &[("email", "taro@example.jp"), ("password", &overlong)],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("128文字以内"));
    let actions = audit_actions(&app).await;
    assert!(
        actions.contains(&"signin.failed".to_string())
            && actions.contains(&"signin.password".to_string())
    );
    let failures = audit::recent(&app.db, None, 50).await.unwrap();
    assert!(failures.iter().any(|e| e.action == "signin.failed"
        && e.actor_id == Some(account.id)
        && e.ip.as_deref() == Some("127.0.0.1")));
}

async fn brute_force_is_stopped_without_revealing_accounts(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.create_account(
        "target@example.jp",
        "Target",
        Some("the real password"),
        false,
    )
    .await;
    for address in ["target@example.jp", "ghost@example.jp"] {
        let visitor = app.new_visitor();
        for _ in 0..5 {
            assert_eq!(
                app.sign_in(&visitor, address, "guess guess guess")
                    .await
                    .status(),
                422
            );
        }
        let res = app.sign_in(&visitor, address, "the real password").await;
        assert_eq!(
            res.status(),
            429,
            "{address}: locked, even with the right password"
        );
        let wait: u64 = header(&res, "retry-after").parse().unwrap();
        assert!(wait > 0 && wait <= 15 * 60);
        assert_eq!(h1(&res.text().await.unwrap()), "しばらくお待ちください");
    }
}

async fn client_ip_comes_from_trusted_proxies_only(backend: Backend) {
    // Behind a trusted proxy, each client has its own limit.
    let app = TestApp::start_with(backend, |c| {
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]
    })
    .await;
    app.get("/").await;
    let token = app.csrf_token().unwrap();
    let ask = |ip: &'static str, n: usize| {
        let body = [
            ("email", format!("p{n}@example.jp")),
            ("csrf", token.clone()),
        ];
        app.client
            .post(app.url("/signin/link"))
            .header("x-forwarded-for", ip)
            .form(&body)
            .send()
    };
    for n in 0..10 {
        assert_eq!(ask("198.51.100.1", n).await.unwrap().status(), 200);
    }
    assert_eq!(ask("198.51.100.1", 10).await.unwrap().status(), 429);
    assert_eq!(
        ask("198.51.100.2", 11).await.unwrap().status(),
        200,
        "another client is not blocked"
    );

    // Without trusted proxies the header is ignored: everyone is 127.0.0.1.
    let app = TestApp::start(backend).await;
    app.get("/").await;
    let token = app.csrf_token().unwrap();
    for n in 0..11 {
        let body = [
            ("email", format!("q{n}@example.jp")),
            ("csrf", token.clone()),
        ];
        let res = app
            .client
            .post(app.url("/signin/link"))
            .header("x-forwarded-for", format!("203.0.113.{n}"))
            .form(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), if n < 10 { 200 } else { 429 }, "request {n}");
    }
}

/// 1,000 link requests in a burst: throttled, and the mail queue stays small.
async fn a_flood_of_link_requests_does_not_balloon_the_queue(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.create_account("victim@example.jp", "Victim", None, false)
        .await;
    app.get("/").await;
    let token = app.csrf_token().unwrap();
    let mut limited = 0;
    for chunk in 0..50 {
        let mut batch = Vec::new();
        for _ in 0..20 {
            let body = [
                ("email", "victim@example.jp".to_string()),
                ("csrf", token.clone()),
            ];
            batch.push(app.client.post(app.url("/signin/link")).form(&body).send());
        }
        for res in futures_join(batch).await {
            if res.status() == 429 {
                limited += 1;
            }
        }
        let _ = chunk;
    }
    assert!(limited >= 990, "{limited} of 1000 were throttled");
    let queued = jobs::recent(&app.db, None, 10_000).await.unwrap().len();
    assert!(queued <= 3, "{queued} jobs queued");
    assert!(outbox::recent(&app.db, None, 100).await.unwrap().len() <= 3);
}

async fn futures_join(
    requests: Vec<impl Future<Output = reqwest::Result<reqwest::Response>>>,
) -> Vec<reqwest::Response> {
    let handles: Vec<_> = requests
        .into_iter()
        .map(|r| async move { r.await.unwrap() })
        .collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await);
    }
    out
}

async fn sign_out_here_and_everywhere(backend: Backend) {
    let app = TestApp::start(backend).await;
    let account = app
        .create_account(
            "multi@example.jp",
            "Multi",
            Some("a good long password"),
            false,
        )
        .await;
    let (phone, laptop) = (app.new_visitor(), app.new_visitor());
    assert_eq!(
        app.sign_in(&phone, "multi@example.jp", "a good long password")
            .await
            .status(),
        303
    );
    assert_eq!(
        app.sign_in(&laptop, "multi@example.jp", "a good long password")
            .await
            .status(),
        303
    );
    // the sessions page lists both and marks this one
    let (_, page) = laptop.get_text("/account/sessions").await;
    assert_eq!(page.matches("sessions/").count(), 3, "{page}"); // two revoke forms + revoke-all
    assert_eq!(
        page.matches("この端末").count(),
        2,
        "badge plus the confirm text"
    );
    // sign out on the phone only
    let res = phone.post_form("/signout", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(header(&res, "location"), "/signin?done=signed_out");
    assert_eq!(phone.get("/account").await.status(), 303);
    assert_eq!(laptop.get("/account").await.status(), 200);
    // revoke another device's session from the list
    let tablet = app.new_visitor();
    app.sign_in(&tablet, "multi@example.jp", "a good long password")
        .await;
    let live = sessions::list(&app.db, account.id, now_ms()).await.unwrap();
    let tablet_session = live.iter().map(|s| s.id).max().unwrap();
    let res = laptop
        .post_form(&format!("/account/sessions/{tablet_session}/revoke"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(tablet.get("/account").await.status(), 303);
    // sign out everywhere
    app.sign_in(&phone, "multi@example.jp", "a good long password")
        .await;
    let res = laptop.post_form("/account/sessions/revoke-all", &[]).await;
    assert_eq!(
        header(&res, "location"),
        "/signin?done=signed_out_everywhere"
    );
    assert_eq!(phone.get("/account").await.status(), 303);
    assert_eq!(laptop.get("/account").await.status(), 303);
    assert!(
        sessions::list(&app.db, account.id, now_ms())
            .await
            .unwrap()
            .is_empty()
    );
    let (_, page) = laptop.get_text("/signin?done=signed_out_everywhere").await;
    assert!(page.contains("すべての端末からサインアウトしました"));
}

async fn password_reset_by_mail(backend: Backend) {
    let app = TestApp::start(backend).await;
    let account = app
        .create_account("reset@example.jp", "Reset", Some("the old password"), false)
        .await;
    let other = app.new_visitor();
    app.sign_in(&other, "reset@example.jp", "the old password")
        .await;
    let res = app
        .post_form("/password/reset/request", &[("email", "reset@example.jp")])
        .await;
    assert_eq!(res.status(), 200);
    let mail = app.mail.wait_for("reset@example.jp").await;
    assert_eq!(mail.subject(), "Enishi のパスワード再設定");
    let link = mail.link("/password/reset?token=");
    let path = link.strip_prefix(&app.base).unwrap();
    let (status, page) = app.get_text(path).await;
    assert_eq!(status, 200);
    assert!(page.contains(r#"name="password""#));
    let token = token_of(&link);
    for (pw, confirm, message) in [
        ("short", "short", "8文字以上"),
        (
            "a brand new password",
            "a different password",
            "一致しません",
        ),
        (&"y".repeat(129), &"y".repeat(129), "128文字以内"),
    ] {
        let res = app
            .post_form(
                "/password/reset",
                &[("token", &token), ("password", pw), ("confirm", confirm)],
            )
            .await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains(message), "{message}");
    }
    let res = app
        .post_form(
            "/password/reset",
            &[
                ("token", &token),
                ("password", "a brand new password"),
                ("confirm", "a brand new password"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(header(&res, "location"), "/account?done=password");
    assert_eq!(
        other.get("/account").await.status(),
        303,
        "other sessions ended"
    );
    assert_eq!(
        app.sign_in(&app.new_visitor(), "reset@example.jp", "the old password")
            .await
            .status(),
        422
    );
    assert_eq!(
        app.sign_in(
            &app.new_visitor(),
            "reset@example.jp",
            "a brand new password"
        )
        .await
        .status(),
        303
    );
    let res = app
        .post_form(
            "/password/reset",
            &[
                ("token", &token),
                ("password", "another new password"),
                ("confirm", "another new password"),
            ],
        )
        .await;
    assert_eq!(res.status(), 410, "a reset link works once");
    assert!(
        audit_actions(&app)
            .await
            .contains(&"password.reset".to_string())
    );
    let _ = account;
}

async fn settings_and_password_change(backend: Backend) {
    let app = TestApp::start(backend).await;
    let account = app
        .create_account("set@example.jp", "Before", None, false)
        .await;
    let me = app.visitor_signed_in_as(account.id).await;
    let (_, page) = me.get_text("/account").await;
    assert!(page.contains("パスワードは任意です"));
    for (name, lang, zone, message) in [
        ("", "ja", "Asia/Tokyo", "表示名を入力してください"),
        (&"長".repeat(101), "ja", "Asia/Tokyo", "100文字以内"),
        ("Name", "fr", "Asia/Tokyo", "表示言語を一覧から"),
        ("Name", "ja", "Mars/Base", "タイムゾーンを一覧から"),
    ] {
        let res = me
            .post_form(
                "/account",
                &[("display_name", name), ("lang", lang), ("time_zone", zone)],
            )
            .await;
        assert_eq!(res.status(), 422, "{message}");
        let page = res.text().await.unwrap();
        assert!(page.contains(message), "{message}");
        // the message stands right after the field it is about, before the next one
        let (field, next) = match message {
            "表示言語を一覧から" => (r#"id="lang""#, r#"for="time-zone""#),
            "タイムゾーンを一覧から" => (r#"id="time-zone""#, "</form>"),
            _ => (r#"id="display-name""#, r#"for="lang""#),
        };
        let rest = &page[page.find(field).unwrap()..];
        let error = rest.find("field-error").unwrap_or(usize::MAX);
        assert!(
            error < rest.find(next).unwrap(),
            "{message}: not next to its field"
        );
    }
    let res = me
        .post_form(
            "/account",
            &[
                ("display_name", " After "),
                ("lang", "en"),
                ("time_zone", "Europe/London"),
            ],
        )
        .await;
    assert_eq!(header(&res, "location"), "/account?done=saved");
    let (_, page) = me.get_text("/account?done=saved").await;
    assert!(page.contains(r#"<html lang="en">"#) && page.contains("Your settings are saved."));
    let stored = accounts::by_id(&app.db, account.id).await.unwrap().unwrap();
    assert_eq!(
        (
            stored.display_name.as_str(),
            stored.lang.as_str(),
            stored.time_zone.as_str()
        ),
        ("After", "en", "Europe/London")
    );
    // set a first password (no current one needed), then change it (needed)
    let res = me
        .post_form(
            "/account/password",
            &[
                ("password", "first password!"),
                ("confirm", "first password!"),
            ],
        )
        .await;
    assert_eq!(header(&res, "location"), "/account?done=password");
    let res = me
        .post_form(
            "/account/password",
            &[
                ("current", "not it at all"),
                ("password", "second password"),
                ("confirm", "second password"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("The current password is not right.")
    );
    let res = me
        .post_form(
            "/account/password",
            &[
                ("current", "first password!"),
                ("password", "second password"),
                ("confirm", "second password"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        app.sign_in(&app.new_visitor(), "set@example.jp", "second password")
            .await
            .status(),
        303
    );
    assert!(
        audit_actions(&app)
            .await
            .contains(&"password.changed".to_string())
    );
}

async fn several_addresses_one_primary(backend: Backend) {
    let app = TestApp::start(backend).await;
    let account = app
        .create_account("work@company.example.jp", "Leaver", None, false)
        .await;
    let me = app.visitor_signed_in_as(account.id).await;
    let res = me
        .post_form(
            "/account/emails",
            &[("email", "ｌｅａｖｅｒ＠ｐｅｒｓｏｎａｌ．ｊｐ")],
        )
        .await;
    assert_eq!(
        header(&res, "location"),
        "/account/emails?done=verification_sent"
    );
    let mail = app.mail.wait_for("leaver@personal.jp").await;
    assert_eq!(mail.subject(), "メールアドレスの確認");
    let (_, page) = me.get_text("/account/emails").await;
    assert!(page.contains("leaver@personal.jp") && page.contains("未確認"));
    // bad input
    let res = me
        .post_form("/account/emails", &[("email", "not an address")])
        .await;
    assert_eq!(res.status(), 422);
    let res = me
        .post_form("/account/emails", &[("email", "leaver@personal.jp")])
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("すでに登録されています"));
    // verify by the link (no sign-in needed: the link proves the mailbox)
    let link = mail.link("/account/emails/verify?token=");
    let (status, page) = app
        .new_visitor()
        .get_text(link.strip_prefix(&app.base).unwrap())
        .await;
    assert_eq!(
        (status, h1(&page).as_str()),
        (200, "メールアドレスを確認しました")
    );
    let emails = accounts::emails(&app.db, account.id).await.unwrap();
    let personal = emails
        .iter()
        .find(|e| e.email == "leaver@personal.jp")
        .unwrap();
    let work = emails.iter().find(|e| e.is_primary).unwrap();
    assert!(personal.verified_at.is_some());
    // the primary cannot be removed; make the personal one primary, then remove the old
    let res = me
        .post_form(&format!("/account/emails/{}/remove", work.id), &[])
        .await;
    assert_eq!(header(&res, "location"), "/account/emails?done=is_primary");
    me.post_form(&format!("/account/emails/{}/primary", personal.id), &[])
        .await;
    me.post_form(&format!("/account/emails/{}/remove", work.id), &[])
        .await;
    let emails = accounts::emails(&app.db, account.id).await.unwrap();
    assert_eq!(emails.len(), 1);
    assert!(emails[0].is_primary && emails[0].email == "leaver@personal.jp");
    // the new address signs in; the old one no longer does
    app.sign_in_by_link(&app.new_visitor(), "leaver@personal.jp")
        .await;
    // another account cannot verify an address that is verified here
    let other = app
        .create_account("other@example.jp", "Other", None, false)
        .await;
    let other_me = app.visitor_signed_in_as(other.id).await;
    // (three link mails to one address per 15 minutes: start a fresh window)
    enishi_store::throttle::clear(&app.db, "link:addr:leaver@personal.jp")
        .await
        .unwrap();
    let res = other_me
        .post_form("/account/emails", &[("email", "leaver@personal.jp")])
        .await;
    assert_eq!(res.status(), 303);
    let mail = app.mail.wait_for_nth("leaver@personal.jp", 3).await;
    let link = mail.link("/account/emails/verify?token=");
    let (status, page) = other_me
        .get_text(link.strip_prefix(&app.base).unwrap())
        .await;
    assert_eq!(
        (status, h1(&page).as_str()),
        (409, "このアドレスは使えません")
    );
    assert_eq!(
        accounts::by_verified_email(&app.db, "leaver@personal.jp")
            .await
            .unwrap()
            .unwrap()
            .id,
        account.id
    );
    // someone else's address ids are not found
    let res = other_me
        .post_form(&format!("/account/emails/{}/remove", emails[0].id), &[])
        .await;
    assert_eq!(res.status(), 404);
}

async fn api_tokens_work_until_revoked(backend: Backend) {
    let app = TestApp::start(backend).await;
    let account = app
        .create_account("dev@example.jp", "Dev", None, false)
        .await;
    let me = app.visitor_signed_in_as(account.id).await;
    let res = me
        .post_form("/account/tokens", &[("name", "  CI bot ")])
        .await;
    assert_eq!(res.status(), 201);
    let page = res.text().await.unwrap();
    let start = page.find("enishi_").unwrap();
    let secret: String = page[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    assert_eq!(secret.len(), "enishi_".len() + 64);
    let (_, list) = me.get_text("/account/tokens").await;
    assert!(
        list.contains("CI bot") && !list.contains(&secret),
        "shown once only"
    );
    let res = me.post_form("/account/tokens", &[("name", "")]).await;
    assert_eq!(res.status(), 422);

    let api = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get_me = |token: &str| api.get(app.url("/api/v1/me")).bearer_auth(token).send();
    let res = get_me(&secret).await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        (body["id"].as_i64(), body["email"].as_str()),
        (Some(account.id), Some("dev@example.jp"))
    );
    // tokens are for the API only, never for pages
    let res = api
        .get(app.url("/account"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    // create and revoke through the API with the token
    let res = api
        .post(app.url("/api/v1/me/tokens"))
        .bearer_auth(&secret)
        .json(&serde_json::json!({"name": "second"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert!(created["secret"].as_str().unwrap().starts_with("enishi_"));
    let res = api
        .post(app.url("/api/v1/me/tokens"))
        .bearer_auth(&secret)
        .json(&serde_json::json!({"name": " "}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "unprocessable");
    let res = api
        .post(app.url("/api/v1/me/tokens"))
        .bearer_auth(&secret)
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let first_id = accounts_token_id(&app, account.id, "CI bot").await;
    let res = api
        .delete(app.url(&format!("/api/v1/me/tokens/{first_id}")))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = get_me(&secret).await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(header(&res, "content-type"), "application/problem+json");
    for bad in ["enishi_nope", "", "Basic abc"] {
        assert_eq!(get_me(bad).await.unwrap().status(), 401, "{bad}");
    }
    assert!(
        audit_actions(&app)
            .await
            .contains(&"token.revoked".to_string())
    );
}

async fn accounts_token_id(app: &TestApp, account_id: i64, name: &str) -> i64 {
    enishi_store::api_tokens::list(&app.db, account_id)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == name)
        .unwrap()
        .id
}

/// With the session cookie, API writes need the CSRF header or our Origin.
async fn cookie_api_writes_need_csrf_or_origin(backend: Backend) {
    let app = TestApp::start(backend).await;
    let account = app
        .create_account("cookie@example.jp", "Cookie", None, false)
        .await;
    let me = app.visitor_signed_in_as(account.id).await;
    let post = || {
        me.client
            .post(me.url("/api/v1/me/tokens"))
            .json(&serde_json::json!({"name": "x"}))
    };
    let res = post().send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "csrf");
    assert_eq!(
        post()
            .header("origin", "https://evil.example")
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        post()
            .header("x-csrf-token", "0".repeat(64))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        post()
            .header("origin", app.base.as_str())
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    assert_eq!(
        post()
            .header("x-csrf-token", me.csrf_token().unwrap())
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    // reading needs neither
    assert_eq!(me.get("/api/v1/me/tokens").await.status(), 200);
    assert_eq!(app.new_visitor().get("/api/v1/me").await.status(), 401);
}

/// The job worker delivers; SMTP refusals are recorded with the server's answer.
async fn smtp_rejections_are_recorded(backend: Backend) {
    let app = TestApp::start(backend).await;
    let account = app
        .create_account("reject-me@example.jp", "Rejected", None, false)
        .await;
    app.post_form("/signin/link", &[("email", "reject-me@example.jp")])
        .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let messages = outbox::recent(&app.db, None, 10).await.unwrap();
        if let Some(m) = messages.iter().find(|m| m.status == "failed") {
            assert!(m.error.as_deref().unwrap().contains("550"), "{:?}", m.error);
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{messages:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The worker records the job's end just after the message's.
    let failed = loop {
        let failed = jobs::recent(&app.db, Some("failed"), 10).await.unwrap();
        if !failed.is_empty() {
            break failed;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the job was not marked failed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].attempts, 1, "a permanent refusal is not retried");
    let _ = account;
}

async fn operator_reads_the_outbox(backend: Backend) {
    let app = TestApp::start(backend).await;
    let operator = app
        .create_account("root@example.jp", "Root", None, true)
        .await;
    app.create_account("someone@example.jp", "Someone", None, false)
        .await;
    app.post_form("/signin/link", &[("email", "someone@example.jp")])
        .await;
    app.mail.wait_for("someone@example.jp").await;
    let me = app.visitor_signed_in_as(operator.id).await;
    let (status, page) = me.get_text("/operator/outbox").await;
    assert_eq!(status, 200);
    assert!(page.contains("someone@example.jp") && page.contains("Enishi へのサインイン用リンク"));
    let id = outbox::recent(&app.db, None, 1).await.unwrap()[0].id;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while outbox::get(&app.db, id).await.unwrap().unwrap().status != "sent" {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the message was not marked sent"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, page) = me.get_text(&format!("/operator/outbox/{id}")).await;
    // delivered through SMTP: the live link is not kept for anyone to read
    assert!(
        !page.contains("/signin/link?token=")
            && page.contains("本文（サインイン用リンクなどを含む）を保存していません")
    );
    let stored = outbox::get(&app.db, id).await.unwrap().unwrap();
    assert_eq!(
        (
            stored.status.as_str(),
            stored.text_body.as_str(),
            stored.html_body.as_str()
        ),
        ("sent", "", "")
    );
    let (_, page) = me.get_text("/operator/jobs").await;
    assert!(page.contains("send_email"));
    let (_, page) = me.get_text("/operator/audit").await;
    assert!(page.contains("signin.link_sent"));
    assert_eq!(me.get("/operator/outbox/999999").await.status(), 404);
    assert_eq!(me.get("/operator/jobs?status=bogus").await.status(), 200);
}

dual_test!(
    magic_link_round_trip,
    expired_and_forged_links_say_so,
    link_requests_reveal_nothing,
    password_sign_in_rotates_the_session,
    brute_force_is_stopped_without_revealing_accounts,
    client_ip_comes_from_trusted_proxies_only,
    a_flood_of_link_requests_does_not_balloon_the_queue,
    sign_out_here_and_everywhere,
    password_reset_by_mail,
    settings_and_password_change,
    several_addresses_one_primary,
    api_tokens_work_until_revoked,
    cookie_api_writes_need_csrf_or_origin,
    smtp_rejections_are_recorded,
    operator_reads_the_outbox,
);
