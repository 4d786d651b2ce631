//! Profiles and the directory over real HTTP: the privacy matrix (every
//! field × visibility × viewer kind, through the page, the API and the
//! search), HR's record against the person's own, the photo pipeline with
//! hostile files, bad search input, bad dates, and the anti-scraping limit.

use std::io::Cursor;

use enishi_store::images;
use enishi_store::networks::Network;
use enishi_store::profiles::{self, SOURCE_HR, StintsChange};
use enishi_testkit::{Backend, TestApp, Visitor, dual_test};
use serde_json::{Value, json};

use crate::{fresh_account, join, make_network};

struct Person {
    visitor: Visitor,
    profile_id: i64,
}

async fn member(app: &TestApp, network: &Network, role: &str) -> Person {
    let account = fresh_account(app, false).await;
    join(app, network, account.id, role, "alumni").await;
    let visitor = app.visitor_signed_in_as(account.id).await;
    visitor.get("/").await;
    let profile_id = profiles::of_account(&app.db, network.scope(), account.id)
        .await
        .unwrap()
        .expect("joining creates a profile")
        .id;
    Person {
        visitor,
        profile_id,
    }
}

async fn put_profile(visitor: &Visitor, slug: &str, body: &Value) -> reqwest::Response {
    visitor
        .client
        .put(visitor.url(&format!("/api/v1/n/{slug}/profile")))
        .header("x-csrf-token", visitor.csrf_token().unwrap())
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn json_of(visitor: &Visitor, path: &str) -> (u16, Value) {
    let res = visitor.get(path).await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 255) as u8, (y % 255) as u8, 90])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn upload(visitor: &Visitor, slug: &str, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("csrf", visitor.csrf_token().unwrap())
        .part(
            "photo",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    visitor
        .client
        .post(visitor.url(&format!("/n/{slug}/profile/photo")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// A field, the marker its value carries, and whether the search box finds it.
struct Marked {
    field: &'static str,
    marker: &'static str,
    searchable: bool,
}

const MARKED: &[Marked] = &[
    Marked {
        field: "nickname",
        marker: "ひみつニック",
        searchable: true,
    },
    Marked {
        field: "company",
        marker: "ひみつ会社",
        searchable: true,
    },
    Marked {
        field: "title",
        marker: "ひみつ肩書",
        searchable: true,
    },
    Marked {
        field: "skills",
        marker: "ひみつスキル",
        searchable: true,
    },
    Marked {
        field: "departments",
        marker: "ひみつ部署",
        searchable: true,
    },
    Marked {
        field: "bio",
        marker: "ひみつ自己紹介",
        searchable: true,
    },
    Marked {
        field: "industry",
        marker: "ひみつ業界",
        searchable: false,
    },
    Marked {
        field: "location",
        marker: "ひみつ県",
        searchable: false,
    },
    Marked {
        field: "languages",
        marker: "ひみつ語",
        searchable: false,
    },
    Marked {
        field: "links",
        marker: "https://himitsu.example.jp/link",
        searchable: false,
    },
    Marked {
        field: "email",
        marker: "himitsu@example.jp",
        searchable: false,
    },
    Marked {
        field: "phone",
        marker: "03-9999-0101",
        searchable: false,
    },
    Marked {
        field: "work_style",
        marker: "founder",
        searchable: false,
    },
    Marked {
        field: "open_to",
        marker: "speaking",
        searchable: false,
    },
    Marked {
        field: "tenure",
        marker: "2001-04",
        searchable: false,
    },
];

fn full_profile(visibility: &Value) -> Value {
    json!({
        "family": "秘密", "given": "太郎", "family_kana": "ヒミツ", "given_kana": "タロウ",
        "nickname": "ひみつニック", "company": "ひみつ会社", "title": "ひみつ肩書",
        "industry": "ひみつ業界", "location": "ひみつ県", "work_style": "founder",
        "skills": ["ひみつスキル"], "languages": ["ひみつ語"], "links": ["https://himitsu.example.jp/link"],
        "bio": "ひみつ自己紹介", "open_to": ["speaking"], "email": "himitsu@example.jp", "phone": "03-9999-0101",
        "stints": [{"joined": "2001-04", "left": "2002-03", "departments": ["ひみつ部署"], "titles": []}],
        "visibility": visibility,
    })
}

/// Which parts of the person the viewer's page, API answer and searches
/// show, for one field.
async fn shown(viewer: &Visitor, slug: &str, id: i64, m: &Marked) -> (bool, bool, Option<bool>) {
    let (status, page) = viewer.get_text(&format!("/n/{slug}/people/{id}")).await;
    assert_eq!(status, 200);
    let on_page = match m.field {
        "work_style" => page.contains("起業・創業"),
        "open_to" => page.contains("登壇"),
        "tenure" => page.contains("2001-04"),
        _ => page.contains(m.marker),
    };
    let (status, body) = json_of(viewer, &format!("/api/v1/n/{slug}/people/{id}")).await;
    assert_eq!(status, 200);
    let text = body.to_string();
    let in_api = match m.field {
        "work_style" => body["work_style"] == "founder",
        "open_to" => body["open_to"].to_string().contains("speaking"),
        "tenure" => body["stints"][0]["joined"] == "2001-04",
        _ => text.contains(m.marker),
    };
    let found = if m.searchable {
        let (status, body) = json_of(
            viewer,
            &format!("/api/v1/n/{slug}/directory?q={}", m.marker),
        )
        .await;
        assert_eq!(status, 200);
        Some(
            body["people"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["id"] == id),
        )
    } else if m.field == "tenure" {
        let (_, body) = json_of(
            viewer,
            &format!("/api/v1/n/{slug}/directory?joined_from=2001&joined_to=2001"),
        )
        .await;
        Some(
            body["people"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["id"] == id),
        )
    } else if m.field == "industry" || m.field == "location" || m.field == "open_to" {
        let key = match m.field {
            "industry" => "industry",
            "location" => "location",
            _ => "open",
        };
        let (_, body) = json_of(
            viewer,
            &format!("/api/v1/n/{slug}/directory?{key}={}", m.marker),
        )
        .await;
        Some(
            body["people"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["id"] == id),
        )
    } else {
        None
    };
    (on_page, in_api, found)
}

async fn privacy_matrix(backend: Backend) {
    // hundreds of views by one account: the anti-scraping limit is tested on its own
    let app = TestApp::start_with(backend, |c| c.views_per_minute = 100_000).await;
    let network = make_network(&app, "privacy", "invitation").await;
    let other = make_network(&app, "elsewhere", "invitation").await;
    let subject = member(&app, &network, "member").await;
    let colleague = member(&app, &network, "member").await;
    let moderator = member(&app, &network, "moderator").await;
    let admin = member(&app, &network, "admin").await;
    let outsider = member(&app, &other, "owner").await;
    let slug = "privacy";
    let id = subject.profile_id;
    // every field at each level in turn
    for level in ["network", "admins", "me"] {
        let visibility: Value = MARKED
            .iter()
            .map(|m| (m.field.to_string(), json!(level)))
            .collect::<serde_json::Map<_, _>>()
            .into();
        let res = put_profile(&subject.visitor, slug, &full_profile(&visibility)).await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        for m in MARKED {
            for (who, viewer, sees) in [
                ("themself", &subject.visitor, true),
                ("member", &colleague.visitor, level == "network"),
                ("moderator", &moderator.visitor, level == "network"),
                ("admin", &admin.visitor, level != "me"),
            ] {
                let (page, api, search) = shown(viewer, slug, id, m).await;
                let what = format!("{} at {level} seen by {who}", m.field);
                assert_eq!(page, sees, "page: {what}");
                assert_eq!(api, sees, "API: {what}");
                if who != "themself" {
                    // searches show everyone as others see them
                    if let Some(found) = search {
                        assert_eq!(found, sees, "search: {what}");
                    }
                }
            }
            // another network's member sees nothing at all
            for path in [
                format!("/n/{slug}/people/{id}"),
                format!("/api/v1/n/{slug}/people/{id}"),
                format!("/api/v1/n/{slug}/directory?q={}", m.marker),
                format!("/n/elsewhere/people/{id}"),
                format!("/api/v1/n/elsewhere/people/{id}"),
            ] {
                assert_eq!(outsider.visitor.get(&path).await.status(), 404, "{path}");
            }
        }
    }
    // one field hidden, the rest open: the hidden value appears nowhere a
    // member looks (no leak through the card, the era, the API or search)
    for m in MARKED {
        let visibility = json!({ m.field: "me" });
        let mut body = full_profile(&Value::Null);
        body["visibility"] = MARKED
            .iter()
            .map(|x| {
                (
                    x.field.to_string(),
                    json!(if x.field == m.field { "me" } else { "network" }),
                )
            })
            .collect::<serde_json::Map<_, _>>()
            .into();
        let _ = visibility;
        assert_eq!(
            put_profile(&subject.visitor, slug, &body).await.status(),
            200
        );
        let (page, api, search) = shown(&colleague.visitor, slug, id, m).await;
        assert!(
            !page && !api && search != Some(true),
            "{} leaked: {page} {api} {search:?}",
            m.field
        );
        let (_, dir) = colleague
            .visitor
            .get_text(&format!("/n/{slug}/directory?q=秘密"))
            .await;
        if !matches!(m.field, "work_style" | "open_to") {
            assert!(!dir.contains(m.marker), "{} leaked on the card", m.field);
        }
        assert!(dir.contains("秘密 太郎"), "the card is there");
    }
    // names cannot be hidden and the employee number stays HR's
    let res = put_profile(
        &subject.visitor,
        slug,
        &json!({"family": "秘密", "visibility": {"name": "me"}}),
    )
    .await;
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("vis_name"),
        "{problem}"
    );
}

async fn hr_record_and_own_edits_are_kept_apart(backend: Backend) {
    let app = TestApp::start(backend).await;
    let network = make_network(&app, "records", "invitation").await;
    let person = member(&app, &network, "member").await;
    let colleague = member(&app, &network, "member").await;
    let admin = member(&app, &network, "admin").await;
    let net = network.scope();
    let stored = profiles::get(&app.db, net, person.profile_id)
        .await
        .unwrap()
        .unwrap();
    let hr = vec![enishi_core::profile::Stint {
        joined: Some(enishi_core::profile::YearMonth(200904)),
        left: Some(enishi_core::profile::YearMonth(201503)),
        departments: vec!["営業本部".into()],
        employee_number: "E-1234".into(),
        ..Default::default()
    }];
    assert!(
        profiles::save(
            &app.db,
            net,
            stored.id,
            &stored.profile,
            StintsChange::Hr(hr.clone())
        )
        .await
        .unwrap()
    );
    let path = format!("/api/v1/n/records/people/{}", person.profile_id);
    let (_, seen) = json_of(&colleague.visitor, &path).await;
    assert_eq!(seen["stints"][0]["departments"][0], "営業本部");
    assert_eq!(
        seen["stints"][0]["employee_number"], "",
        "members never see the employee number"
    );
    let (_, seen) = json_of(&admin.visitor, &path).await;
    assert_eq!(seen["stints"][0]["employee_number"], "E-1234");
    // saving without touching the stints keeps showing HR's
    let (_, mine) = json_of(&person.visitor, "/api/v1/n/records/profile").await;
    assert_eq!(
        mine["stints"][0]["employee_number"], "E-1234",
        "the person sees their own number"
    );
    let res = put_profile(
        &person.visitor,
        "records",
        &json!({"family": "記録", "company": "次の会社"}),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        profiles::get(&app.db, net, person.profile_id)
            .await
            .unwrap()
            .unwrap()
            .stints_source,
        SOURCE_HR
    );
    // the person's own stints win in what others see; HR's record stays
    let res = put_profile(
        &person.visitor,
        "records",
        &json!({"family": "記録", "stints": [
            {"joined": "2009-04", "left": "2016-03", "departments": ["経営企画部"]},
            {"joined": "2019-10", "left": "", "departments": ["データ分析部"]}
        ]}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let (_, seen) = json_of(&colleague.visitor, &path).await;
    assert_eq!(seen["stints"][0]["departments"][0], "経営企画部");
    assert_eq!(
        seen["stints"][1]["left"],
        Value::Null,
        "came back: still there"
    );
    assert_eq!(seen["era"], "2009– データ分析部");
    assert_eq!(
        profiles::stints(&app.db, net, person.profile_id, SOURCE_HR)
            .await
            .unwrap(),
        hr
    );
    let (_, seen) = json_of(&admin.visitor, &path).await;
    assert_eq!(
        seen["stints"][0]["employee_number"], "E-1234",
        "HR's number stays with the stint"
    );
    // HR correcting its record later changes nothing others see
    let stored = profiles::get(&app.db, net, person.profile_id)
        .await
        .unwrap()
        .unwrap();
    profiles::save(
        &app.db,
        net,
        stored.id,
        &stored.profile,
        StintsChange::Hr(vec![]),
    )
    .await
    .unwrap();
    let (_, seen) = json_of(&colleague.visitor, &path).await;
    assert_eq!(seen["stints"][0]["departments"][0], "経営企画部");
    // your era: same department, overlapping years
    put_profile(
        &colleague.visitor,
        "records",
        &json!({"family": "同期", "stints": [{"joined": "2012-04", "left": "2014-03", "departments": ["経営企画部"]}]}),
    )
    .await;
    let (_, era) = json_of(&person.visitor, "/api/v1/n/records/directory?era=1").await;
    let ids: Vec<i64> = era["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![colleague.profile_id], "{era}");
}

async fn bad_profile_input_gets_field_errors(backend: Backend) {
    let app = TestApp::start(backend).await;
    let network = make_network(&app, "bad", "invitation").await;
    let person = member(&app, &network, "member").await;
    for (body, field) in [
        (json!({"family": "", "given": "x"}), "family"),
        (
            json!({"family": "a", "stints": [{"joined": "2015-04", "left": "2009-03"}]}),
            "stint_left_0",
        ),
        (
            json!({"family": "a", "stints": [{"joined": "2099-01"}]}),
            "stint_joined_0",
        ),
        (
            json!({"family": "a", "stints": [{"joined": "1899-12"}]}),
            "stint_joined_0",
        ),
        (
            json!({"family": "a", "stints": [{"joined": "2009"}]}),
            "stint_joined_0",
        ),
        (json!({"family": "a", "family_kana": "鈴木"}), "family_kana"),
        (
            json!({"family": "a", "family_romaji": "スズキ"}),
            "family_romaji",
        ),
        (
            json!({"family": "a", "links": ["javascript:alert(1)"]}),
            "links",
        ),
        (json!({"family": "a", "open_to": ["everything"]}), "open_to"),
        (json!({"family": "a", "work_style": "pirate"}), "work_style"),
        (json!({"family": "a", "email": "not an address"}), "email"),
        (
            json!({"family": "a", "visibility": {"company": "public"}}),
            "vis_company",
        ),
        (json!({"family": "a", "bio": "あ".repeat(4_001)}), "bio"),
        (json!({"family": "あ".repeat(101)}), "family"),
    ] {
        let res = put_profile(&person.visitor, "bad", &body).await;
        assert_eq!(res.status(), 422, "{body}");
        let problem: Value = res.json().await.unwrap();
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(&format!("({field}: ")), "{field}: {detail}");
    }
    // lone surrogates and broken JSON are refused, never a 500
    let res = person
        .visitor
        .client
        .put(person.visitor.url("/api/v1/n/bad/profile"))
        .header("x-csrf-token", person.visitor.csrf_token().unwrap())
        .header("content-type", "application/json")
        .body(r#"{"family": "\ud800"}"#)
        .send()
        .await
        .unwrap();
    assert!(
        matches!(res.status().as_u16(), 400 | 422),
        "{}",
        res.status()
    );
    // nothing was stored by the refusals
    let stored = profiles::get(&app.db, network.scope(), person.profile_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.profile.family, "Matrix");
    // the form shows the message beside its field, in the person's language
    let res = person
        .visitor
        .post_form(
            "/n/bad/profile",
            &[
                ("family", "鈴木"),
                ("stint_joined_0", "2015-04"),
                ("stint_left_0", "2009-03"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("退職年月が入社年月より前になっています。"),
        "{page}"
    );
    assert!(page.contains("value=\"2015-04\""), "what was typed is kept");
    // and a good form saves, deriving romaji from the reading
    let res = person
        .visitor
        .post_form(
            "/n/bad/profile",
            &[
                ("family", "鈴木"),
                ("given", "仁志"),
                ("family_kana", "ｽｽﾞｷ"),
                ("given_kana", "ひとし"),
                ("stint_joined_0", "2009年4月"),
                ("stint_left_0", "2015/3"),
                ("stint_departments_0", "営業本部"),
                ("bio", "**よろしく** <script>alert(1)</script>"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, page) = person
        .visitor
        .get_text(&format!("/n/bad/people/{}", person.profile_id))
        .await;
    assert!(page.contains("スズキ ヒトシ"), "kana folded to katakana");
    assert!(page.contains("<strong>よろしく</strong>"));
    assert!(!page.contains("<script>alert"), "the bio is sanitised");
    person.visitor.set_cookie("enishi_lang", "en");
    let (_, page) = person
        .visitor
        .get_text(&format!("/n/bad/people/{}", person.profile_id))
        .await;
    assert!(
        page.contains("Hitoshi Suzuki"),
        "English order, romaji from the reading"
    );
}

async fn photos_are_cleaned_and_hostile_files_refused(backend: Backend) {
    let app = TestApp::start(backend).await;
    let network = make_network(&app, "photos", "invitation").await;
    let person = member(&app, &network, "member").await;
    let colleague = member(&app, &network, "member").await;
    let outsider = member(
        &app,
        &make_network(&app, "away", "invitation").await,
        "member",
    )
    .await;
    let net = network.scope();
    let mut strip = Vec::new();
    image::GrayImage::new(1, 100_000)
        .write_to(&mut Cursor::new(&mut strip), image::ImageFormat::Png)
        .unwrap();
    let mut zip = b"PK\x03\x04".to_vec();
    zip.extend(std::iter::repeat_n(0u8, 2000));
    for (name, bytes, message) in [
        ("evil.jpg", zip, "JPEG・PNG・WebP の画像を選んでください"),
        ("strip.png", strip, "画像が細長すぎるか小さすぎます"),
        (
            "big.png",
            vec![0x89; 5 * 1024 * 1024 + 10],
            "画像は5MBまでです。",
        ),
        ("empty.png", Vec::new(), "画像ファイルを選んでください。"),
    ] {
        let res = upload(&person.visitor, "photos", name, bytes).await;
        assert_eq!(res.status(), 422, "{name}");
        assert!(res.text().await.unwrap().contains(message), "{name}");
    }
    let res = upload(
        &person.visitor,
        "photos",
        "huge.png",
        vec![0; 7 * 1024 * 1024],
    )
    .await;
    assert_eq!(res.status(), 413, "over the upload limit");
    assert_eq!(
        images::count(&app.db, net).await.unwrap(),
        0,
        "nothing stored"
    );
    // without the CSRF field: refused
    let form =
        reqwest::multipart::Form::new().part("photo", reqwest::multipart::Part::bytes(png(64, 64)));
    let res = person
        .visitor
        .client
        .post(person.visitor.url("/n/photos/profile/photo"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // a real photo: stored in two sizes, served to members with long caching
    let res = upload(&person.visitor, "photos", "me.png", png(900, 600)).await;
    assert_eq!(res.status(), 303);
    assert_eq!(images::count(&app.db, net).await.unwrap(), 1);
    let (_, body) = json_of(
        &colleague.visitor,
        &format!("/api/v1/n/photos/people/{}", person.profile_id),
    )
    .await;
    let small = body["photo_small"].as_str().unwrap().to_string();
    let large = body["photo"].as_str().unwrap().to_string();
    let res = colleague.visitor.get(&small).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert!(
        res.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let bytes = res.bytes().await.unwrap();
    let img = image::load_from_memory(&bytes).unwrap();
    assert_eq!((img.width(), img.height()), (128, 128));
    assert_eq!(
        image::load_from_memory(&colleague.visitor.get(&large).await.bytes().await.unwrap())
            .unwrap()
            .width(),
        512
    );
    assert_eq!(
        outsider.visitor.get(&small).await.status(),
        404,
        "not to other networks"
    );
    // a new photo replaces the old one
    assert_eq!(
        upload(&person.visitor, "photos", "again.png", png(300, 300))
            .await
            .status(),
        303
    );
    assert_eq!(images::count(&app.db, net).await.unwrap(), 1);
    assert_eq!(colleague.visitor.get(&small).await.status(), 404);
    let res = person
        .visitor
        .post_form("/n/photos/profile/photo/delete", &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(images::count(&app.db, net).await.unwrap(), 0);
}

async fn searching_never_breaks(backend: Backend) {
    let app = TestApp::start(backend).await;
    let network = make_network(&app, "search", "invitation").await;
    let viewer = member(&app, &network, "member").await;
    let suzuki = member(&app, &network, "member").await;
    put_profile(
        &suzuki.visitor,
        "search",
        &json!({"family": "鈴木", "given": "仁志", "family_kana": "スズキ", "given_kana": "ヒトシ", "company": "ＡＢＣ商事"}),
    )
    .await;
    let long = "a".repeat(10_000);
    // (query, whether 鈴木 仁志 is found): every term must match somewhere,
    // index syntax is just text, and a query of no words lists everyone
    for (q, expect) in [
        ("鈴木", true),
        ("すずき", true),
        ("スズキ", true),
        ("ｽｽﾞｷ", true),
        ("suzuki", true),
        ("SUZUKI", true),
        ("木", true),
        ("abc商事", true),
        ("ABC", true),
        ("\"鈴木\"", true),
        ("鈴木*", true),
        ("-鈴木", true),
        ("^鈴木", true),
        ("😀鈴木", true),
        ("😀", true),
        ("%", true),
        ("_", true),
        ("\\", true),
        ("鈴木 OR 佐藤", false),
        ("NEAR(鈴木", false),
        ("鈴木'); DROP TABLE profiles; --", false),
        ("{pub}:鈴木", false),
        ("佐藤", false),
        (long.as_str(), false),
    ] {
        let path = format!("/n/search/directory?q={}", urlencode(q));
        assert_eq!(viewer.visitor.get(&path).await.status(), 200, "{q}");
        let (status, body) = json_of(
            &viewer.visitor,
            &format!("/api/v1/n/search/directory?q={}", urlencode(q)),
        )
        .await;
        assert_eq!(status, 200, "{q}");
        let found = body["people"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == suzuki.profile_id);
        assert_eq!(found, expect, "{q}: {body}");
    }
    // odd parameters are ignored with a note, not refused
    for path in [
        "/n/search/directory?joined_from=abc&sort=nonsense&open=everything&after=zz",
        "/n/search/directory?joined_from=1800&left_to=99999999999999999999",
        "/api/v1/n/search/directory?limit=-5&after=%ff%fe",
    ] {
        assert_eq!(viewer.visitor.get(path).await.status(), 200, "{path}");
    }
    let (_, page) = viewer
        .visitor
        .get_text("/n/search/directory?joined_from=abc")
        .await;
    assert!(page.contains("年は1900〜2100の数字で入力してください"));
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn the_directory_cannot_be_scraped(backend: Backend) {
    let app = TestApp::start_with(backend, |c| c.views_per_minute = 5).await;
    let network = make_network(&app, "scrape", "invitation").await;
    let scraper = member(&app, &network, "member").await;
    let other = member(&app, &network, "member").await;
    for i in 0..5 {
        let path = if i % 2 == 0 {
            "/api/v1/n/scrape/directory".to_string()
        } else {
            format!("/n/scrape/people/{}", other.profile_id)
        };
        assert_eq!(scraper.visitor.get(&path).await.status(), 200, "{path}");
    }
    let res = scraper.visitor.get("/n/scrape/directory").await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    assert!(
        res.text().await.unwrap().contains("しばらく"),
        "a clear message"
    );
    let res = scraper
        .visitor
        .get(&format!("/api/v1/n/scrape/people/{}", other.profile_id))
        .await;
    assert_eq!(res.status(), 429);
    // the limit is per account: a colleague is not affected
    assert_eq!(other.visitor.get("/n/scrape/directory").await.status(), 200);
    // nor is the "new message" page a way round it: each card it shows
    // counts (the colleague has 4 views left; six cards are too many)
    let same = vec![format!("to={}", scraper.profile_id); 6].join("&");
    let res = other
        .visitor
        .get(&format!("/n/scrape/messages/new?{same}"))
        .await;
    assert_eq!(res.status(), 200, "repeats are one person");
    let ids: Vec<String> = (1..=6).map(|i| format!("to={i}")).collect();
    let res = other
        .visitor
        .get(&format!("/n/scrape/messages/new?{}", ids.join("&")))
        .await;
    assert_eq!(res.status(), 429);
}

async fn directory_pages_and_counts(backend: Backend) {
    let app = TestApp::start(backend).await;
    let network = make_network(&app, "pages", "invitation").await;
    let viewer = member(&app, &network, "member").await;
    let people: Vec<_> = (0..60)
        .map(|n| {
            let mut p = enishi_cli_free_person(n);
            p.kind = "alumni";
            p
        })
        .collect();
    profiles::insert_people(&app.db, network.scope(), &people)
        .await
        .unwrap();
    let (_, first) = json_of(
        &viewer.visitor,
        "/api/v1/n/pages/directory?sort=kana&limit=25",
    )
    .await;
    assert_eq!(first["count"], 61);
    let mut seen = Vec::new();
    let mut next = Some(String::new());
    while let Some(after) = next {
        let path = format!("/api/v1/n/pages/directory?sort=kana&limit=25&after={after}");
        let (_, page) = json_of(&viewer.visitor, &path).await;
        for p in page["people"].as_array().unwrap() {
            seen.push(p["id"].as_i64().unwrap());
        }
        next = page["next"].as_str().map(String::from);
    }
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(seen.len(), 61);
    assert_eq!(unique.len(), 61, "no one twice, no one missed");
    // the page shows cards and a next link
    let (_, page) = viewer.visitor.get_text("/n/pages/directory").await;
    assert!(page.contains("61人"), "count shown");
    assert!(page.contains("rel=\"next\""));
}

fn enishi_cli_free_person(n: u64) -> profiles::NewPerson {
    let name = enishi_core::names::person(n);
    profiles::NewPerson {
        display_name: format!("{} {}", name.family, name.given),
        kind: "alumni",
        profile: enishi_core::profile::Profile {
            family: name.family.into(),
            given: name.given.into(),
            family_kana: enishi_core::profile::to_katakana(name.family_kana),
            given_kana: enishi_core::profile::to_katakana(name.given_kana),
            family_romaji: name.family_romaji,
            given_romaji: name.given_romaji,
            ..Default::default()
        },
        joined_at: 1_700_000_000_000 + n as i64,
    }
}

dual_test!(
    privacy_matrix,
    hr_record_and_own_edits_are_kept_apart,
    bad_profile_input_gets_field_errors,
    photos_are_cleaned_and_hostile_files_refused,
    searching_never_breaks,
    the_directory_cannot_be_scraped,
    directory_pages_and_counts
);
