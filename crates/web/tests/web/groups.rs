//! Groups over real HTTP, on both databases: proposing and approving,
//! the three spaces (an alumni-only group does not exist for HR or staff,
//! by page, by API, through its posts), open / by-request / hidden access,
//! invitations that do not reveal addresses, posting only as a member,
//! group posts kept out of the network's feed, and leaving.

use enishi_store::networks::Network;
use enishi_testkit::{Backend, TestApp, Visitor, dual_test, unique_number};
use serde_json::{Value, json};

use crate::{api, join, make_network};

struct Person {
    v: Visitor,
    id: i64,
    email: String,
}

async fn person(app: &TestApp, net: &Network, role: &str, kind: &str) -> Person {
    let email = format!("g{}@example.jp", unique_number());
    let account = app.create_account(&email, "班員 太郎", None, false).await;
    join(app, net, account.id, role, kind).await;
    let v = app.visitor_signed_in_as(account.id).await;
    v.get("/").await;
    Person {
        v,
        id: account.id,
        email,
    }
}

/// Posts a form; the status and the redirect's target.
async fn form(v: &Visitor, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let res = v.post_form(path, fields).await;
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location)
}

/// Creates (or proposes) a group through the form; its id.
async fn group(v: &Visitor, name: &str, category: &str, access: &str, space: &str) -> i64 {
    let (status, location) = form(
        v,
        "/n/alpha/groups",
        &[
            ("name", name),
            ("category", category),
            ("access", access),
            ("space", space),
            ("description", "**説明**"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{name}");
    location
        .split("/groups/")
        .nth(1)
        .and_then(|r| r.split('?').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("{location}"))
}

fn ids_in(list: &Value, key: &str) -> Vec<i64> {
    list[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_i64().unwrap())
        .collect()
}

/// Everything a viewer could try on a group that must not exist for them.
async fn assert_not_there(v: &Visitor, id: i64, post: Option<i64>, who: &str) {
    use reqwest::Method;
    let g = format!("/n/alpha/groups/{id}");
    assert_eq!(v.get(&g).await.status(), 404, "{who}: {g}");
    for action in ["join", "leave", "posts", "invite", "members"] {
        let (status, _) = form(
            v,
            &format!("{g}/{action}"),
            &[
                ("body", "覗き見"),
                ("email", "x@example.jp"),
                ("account_id", "1"),
                ("action", "approve"),
            ],
        )
        .await;
        assert_eq!(status, 404, "{who}: POST {g}/{action}");
    }
    let a = format!("/api/v1/n/alpha/groups/{id}");
    for (method, path) in [
        (Method::GET, a.clone()),
        (Method::GET, format!("{a}/posts")),
        (Method::POST, format!("{a}/posts")),
        (Method::POST, format!("{a}/join")),
        (Method::POST, format!("{a}/leave")),
    ] {
        let (status, _) = api(v, method.clone(), &path, Some(json!({"body": "覗き見"}))).await;
        assert_eq!(status, 404, "{who}: {method} {path}");
    }
    let (_, list) = api(v, Method::GET, "/api/v1/n/alpha/groups", None).await;
    for key in ["mine", "others", "proposals"] {
        assert!(
            !ids_in(&list, key).contains(&id),
            "{who}: listed under {key}"
        );
    }
    let (_, html) = v.get_text("/n/alpha/groups").await;
    assert!(
        !html.contains(&format!("/n/alpha/groups/{id}\"")),
        "{who}: on the list page"
    );
    if let Some(p) = post {
        assert_eq!(
            v.get(&format!("/n/alpha/posts/{p}")).await.status(),
            404,
            "{who}: the group's post"
        );
        let (status, _) = api(
            v,
            Method::POST,
            &format!("/api/v1/n/alpha/posts/{p}/comments"),
            Some(json!({"body": "x"})),
        )
        .await;
        assert_eq!(status, 404, "{who}: commenting on the group's post");
        let (status, _) = api(
            v,
            Method::PUT,
            &format!("/api/v1/n/alpha/posts/{p}/reactions/like"),
            None,
        )
        .await;
        assert_eq!(status, 404, "{who}: reacting to the group's post");
    }
}

async fn spaces_proposals_and_posting(backend: Backend) {
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let a = person(&app, &net, "member", "alumni").await;
    let b = person(&app, &net, "member", "alumni").await;
    let moderator = person(&app, &net, "moderator", "alumni").await;
    let staff = person(&app, &net, "member", "employee").await;
    let hr = person(&app, &net, "owner", "hr").await;

    // an alumnus proposes an alumni-only era group; only they and alumni stewards see it
    let era = group(&a.v, "2009年入社 同期", "era", "open", "alumni").await;
    let (_, html) = a.v.get_text(&format!("/n/alpha/groups/{era}")).await;
    assert!(
        html.contains("このグループは提案中です") && html.contains("アルムナイのみ"),
        "{html}"
    );
    assert!(
        html.contains("人事や現役社員は読めません"),
        "the space is said plainly"
    );
    assert_not_there(&b.v, era, None, "another alumnus before approval").await;
    assert_not_there(&hr.v, era, None, "the HR owner").await;
    let (status, _) = form(
        &hr.v,
        &format!("/n/alpha/groups/{era}/review"),
        &[("decision", "approve")],
    )
    .await;
    assert_eq!(
        status, 404,
        "an HR owner does not steward an alumni-only space"
    );
    let (_, list) = api(
        &moderator.v,
        reqwest::Method::GET,
        "/api/v1/n/alpha/groups",
        None,
    )
    .await;
    assert_eq!(ids_in(&list, "proposals"), vec![era]);
    let (status, location) = form(
        &moderator.v,
        &format!("/n/alpha/groups/{era}/review"),
        &[("decision", "approve")],
    )
    .await;
    assert_eq!(
        (status, location.ends_with("done=group_approved")),
        (303, true)
    );
    let (status, _) = form(
        &moderator.v,
        &format!("/n/alpha/groups/{era}/review"),
        &[("decision", "decline")],
    )
    .await;
    assert_eq!(status, 409, "decided once");
    assert!(
        enishi_store::audit::recent(&app.db, None, 20)
            .await
            .unwrap()
            .iter()
            .any(|e| e.action == "group.active" && e.actor_id == Some(moderator.id)),
        "the approval is audited"
    );

    // HR and staff cannot make one either
    let (status, _) = form(
        &hr.v,
        "/n/alpha/groups",
        &[
            ("name", "OB会"),
            ("category", "interest"),
            ("access", "open"),
            ("space", "alumni"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    let (status, problem) = api(
        &staff.v,
        reqwest::Method::POST,
        "/api/v1/n/alpha/groups",
        Some(json!({"name": "OB会", "category": "interest", "access": "open", "space": "alumni"})),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        problem["detail"].as_str().unwrap().contains("space:"),
        "{problem}"
    );
    let (status, problem) = api(
        &a.v,
        reqwest::Method::POST,
        "/api/v1/n/alpha/groups",
        Some(json!({"name": "", "category": "club", "access": "open", "space": "shared"})),
    )
    .await;
    assert_eq!(status, 422);
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("name:") && detail.contains("category:"),
        "{detail}"
    );

    // open: B reads without joining, posts only after joining
    let (status, _) = form(
        &a.v,
        &format!("/n/alpha/groups/{era}/posts"),
        &[
            ("body", "同期のみなさん、お元気ですか"),
            ("once", "0123456789abcdef0123"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, feed) = api(
        &b.v,
        reqwest::Method::GET,
        &format!("/api/v1/n/alpha/groups/{era}/posts"),
        None,
    )
    .await;
    let post = feed["posts"][0]["id"].as_i64().unwrap();
    assert_eq!(feed["posts"].as_array().unwrap().len(), 1);
    let (status, _) = form(
        &b.v,
        &format!("/n/alpha/groups/{era}/posts"),
        &[("body", "まだ入っていない")],
    )
    .await;
    assert_eq!(status, 404, "posting to a group you are not in");
    let comment = format!("/api/v1/n/alpha/posts/{post}/comments");
    let (status, _) = api(
        &b.v,
        reqwest::Method::POST,
        &comment,
        Some(json!({"body": "横から失礼"})),
    )
    .await;
    assert_eq!(status, 404, "commenting in a group you are not in");
    let (status, _) = api(
        &b.v,
        reqwest::Method::POST,
        &format!("/api/v1/n/alpha/groups/{era}/posts"),
        Some(json!({"body": "x"})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, body) = api(
        &b.v,
        reqwest::Method::POST,
        &format!("/api/v1/n/alpha/groups/{era}/join"),
        None,
    )
    .await;
    assert_eq!((status, body["standing"].as_str()), (200, Some("member")));
    assert_eq!(body["members"], 2, "the owner and B, as a number");
    let (status, _) = api(
        &b.v,
        reqwest::Method::POST,
        &comment,
        Some(json!({"body": "参加しました"})),
    )
    .await;
    assert_eq!(status, 201, "a member comments");
    let (status, _) = api(
        &b.v,
        reqwest::Method::POST,
        &format!("/api/v1/n/alpha/groups/{era}/posts"),
        Some(json!({"body": "入りました", "kind": "news", "title": "t"})),
    )
    .await;
    assert_eq!(status, 422, "no news in groups");
    let (status, _) = api(
        &b.v,
        reqwest::Method::POST,
        &format!("/api/v1/n/alpha/groups/{era}/posts"),
        Some(json!({"body": "入りました"})),
    )
    .await;
    assert_eq!(status, 201);
    // group posts stay in the group
    let (_, feed) = api(&a.v, reqwest::Method::GET, "/api/v1/n/alpha/posts", None).await;
    assert_eq!(
        feed["posts"],
        json!([]),
        "the network's feed has no group posts"
    );
    let (_, html) = b.v.get_text(&format!("/n/alpha/posts/{post}")).await;
    assert!(html.contains("グループへ戻る"));
    // HR and staff: the group, its page, its posts do not exist
    assert_not_there(&hr.v, era, Some(post), "the HR owner").await;
    assert_not_there(&staff.v, era, Some(post), "a staff member").await;

    // by request (made by HR, a steward of the shared space: open at once)
    let club = group(&hr.v, "ランニング部", "interest", "request", "shared").await;
    let (status, _) = form(
        &hr.v,
        &format!("/n/alpha/groups/{club}/posts"),
        &[("body", "皇居ラン、毎週水曜")],
    )
    .await;
    assert_eq!(status, 303);
    let (_, body) = api(
        &a.v,
        reqwest::Method::GET,
        &format!("/api/v1/n/alpha/groups/{club}"),
        None,
    )
    .await;
    assert_eq!(
        (body["status"].as_str(), body["standing"].as_str()),
        (Some("active"), None)
    );
    let (status, _) = api(
        &a.v,
        reqwest::Method::GET,
        &format!("/api/v1/n/alpha/groups/{club}/posts"),
        None,
    )
    .await;
    assert_eq!(status, 404, "a by-request group's posts are for members");
    let (status, location) = form(&a.v, &format!("/n/alpha/groups/{club}/join"), &[]).await;
    assert_eq!((status, location.ends_with("done=requested")), (303, true));
    let (_, html) = a.v.get_text(&format!("/n/alpha/groups/{club}")).await;
    assert!(html.contains("メンバーだけが読めます") && !html.contains("皇居ラン"));
    let (status, _) = form(
        &b.v,
        &format!("/n/alpha/groups/{club}/members"),
        &[("account_id", &a.id.to_string()), ("action", "approve")],
    )
    .await;
    assert_eq!(status, 404, "only the group's owners and stewards approve");
    let (status, _) = form(
        &hr.v,
        &format!("/n/alpha/groups/{club}/members"),
        &[("account_id", &b.id.to_string()), ("action", "approve")],
    )
    .await;
    assert_eq!(status, 404, "approving someone who never asked");
    let (status, _) = form(
        &hr.v,
        &format!("/n/alpha/groups/{club}/members"),
        &[("account_id", &a.id.to_string()), ("action", "approve")],
    )
    .await;
    assert_eq!(status, 303);
    let (_, html) = a.v.get_text(&format!("/n/alpha/groups/{club}")).await;
    assert!(html.contains("皇居ラン"));

    // hidden: invisible until invited; invitations reveal no addresses
    let secret = group(&hr.v, "次期幹事会", "interest", "hidden", "shared").await;
    assert_not_there(&b.v, secret, None, "an uninvited alumnus").await;
    let (status, _) = form(
        &hr.v,
        &format!("/n/alpha/groups/{secret}/invite"),
        &[("email", "nobody@example.jp")],
    )
    .await;
    assert_eq!(status, 303);
    let (status, location) = form(
        &hr.v,
        &format!("/n/alpha/groups/{secret}/invite"),
        &[("email", &b.email.to_uppercase())],
    )
    .await;
    assert_eq!((status, location.ends_with("done=invited")), (303, true));
    let (_, list) = api(&b.v, reqwest::Method::GET, "/api/v1/n/alpha/groups", None).await;
    assert!(ids_in(&list, "mine").contains(&secret));
    let (_, html) = b.v.get_text(&format!("/n/alpha/groups/{secret}")).await;
    assert!(html.contains("招待を受ける"));
    let (status, _) = form(&b.v, &format!("/n/alpha/groups/{secret}/join"), &[]).await;
    assert_eq!(status, 303);
    let (_, body) = api(
        &b.v,
        reqwest::Method::GET,
        &format!("/api/v1/n/alpha/groups/{secret}"),
        None,
    )
    .await;
    assert_eq!(body["standing"], "member");
    // a steward of the space (an alumni moderator, for the shared space)
    // sees the hidden group and joins it without an invitation
    let (status, body) = api(
        &moderator.v,
        reqwest::Method::POST,
        &format!("/api/v1/n/alpha/groups/{secret}/join"),
        None,
    )
    .await;
    assert_eq!((status, body["standing"].as_str()), (200, Some("member")));
    // a staff-only group is invisible to alumni; inviting an alumnus to it does nothing
    let staff_room = group(&hr.v, "社員ラウンジ", "department", "open", "staff").await;
    let (status, _) = form(
        &hr.v,
        &format!("/n/alpha/groups/{staff_room}/invite"),
        &[("email", &a.email)],
    )
    .await;
    assert_eq!(status, 303);
    assert_not_there(&a.v, staff_room, None, "an alumnus").await;
    let (_, body) = api(
        &staff.v,
        reqwest::Method::GET,
        &format!("/api/v1/n/alpha/groups/{staff_room}"),
        None,
    )
    .await;
    assert_eq!(body["space"], "staff");

    // leaving; the last owner stays
    let (status, _) = form(&a.v, &format!("/n/alpha/groups/{era}/leave"), &[]).await;
    assert_eq!(status, 409);
    let (status, _) = api(
        &b.v,
        reqwest::Method::POST,
        &format!("/api/v1/n/alpha/groups/{era}/leave"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = api(
        &b.v,
        reqwest::Method::POST,
        &format!("/api/v1/n/alpha/groups/{era}/posts"),
        Some(json!({"body": "x"})),
    )
    .await;
    assert_eq!(status, 404, "posting after leaving");

    // a declined proposal: its proposer sees the answer, nobody else sees it
    let idea = group(&b.v, "麻雀部", "interest", "open", "shared").await;
    let (status, _) = form(
        &moderator.v,
        &format!("/n/alpha/groups/{idea}/review"),
        &[("decision", "decline")],
    )
    .await;
    assert_eq!(status, 303);
    let (_, html) = b.v.get_text(&format!("/n/alpha/groups/{idea}")).await;
    assert!(html.contains("見送られました"));
    assert_not_there(&moderator.v, idea, None, "the moderator after declining").await;
    assert_not_there(&a.v, idea, None, "another alumnus").await;
}

/// Managing a group through the API: reviewing a proposal, approving,
/// declining and removing members, inviting by address.
async fn managing_groups_through_the_api(backend: Backend) {
    use reqwest::Method;
    let app = TestApp::start(backend).await;
    let net = make_network(&app, "alpha", "request").await;
    let owner = person(&app, &net, "member", "alumni").await;
    let asker = person(&app, &net, "member", "alumni").await;
    let other = person(&app, &net, "member", "alumni").await;
    let moderator = person(&app, &net, "moderator", "alumni").await;
    // a member proposes; the moderator reviews through the API
    let club = group(&owner.v, "囲碁部", "interest", "request", "shared").await;
    let review = format!("/api/v1/n/alpha/groups/{club}/review");
    let (status, _) = api(
        &moderator.v,
        Method::POST,
        &review,
        Some(json!({"decision": "maybe"})),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = api(
        &other.v,
        Method::POST,
        &review,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, 404, "members do not review");
    let (status, _) = api(
        &moderator.v,
        Method::POST,
        &review,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = api(
        &moderator.v,
        Method::POST,
        &review,
        Some(json!({"decision": "decline"})),
    )
    .await;
    assert_eq!(status, 409, "already decided");

    // two ask to join; the owner approves one and declines the other
    for p in [&asker, &other] {
        let (status, body) = api(
            &p.v,
            Method::POST,
            &format!("/api/v1/n/alpha/groups/{club}/join"),
            None,
        )
        .await;
        assert!(status < 300, "{body}");
    }
    let member = |profile: i64| format!("/api/v1/n/alpha/groups/{club}/members/{profile}");
    let asker_profile = crate::profile_of(&app, &net, asker.id).await;
    let other_profile = crate::profile_of(&app, &net, other.id).await;
    let (status, _) = api(
        &owner.v,
        Method::POST,
        &member(asker_profile),
        Some(json!({"action": "promote"})),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = api(
        &other.v,
        Method::POST,
        &member(asker_profile),
        Some(json!({"action": "approve"})),
    )
    .await;
    assert_eq!(status, 404, "only its managers");
    let (status, _) = api(
        &owner.v,
        Method::POST,
        &member(asker_profile),
        Some(json!({"action": "approve"})),
    )
    .await;
    assert_eq!(status, 204);
    let (_, g) = api(
        &asker.v,
        Method::GET,
        &format!("/api/v1/n/alpha/groups/{club}"),
        None,
    )
    .await;
    assert_eq!(g["standing"], "member", "{g}");
    let (status, _) = api(
        &owner.v,
        Method::POST,
        &member(other_profile),
        Some(json!({"action": "decline"})),
    )
    .await;
    assert_eq!(status, 204);
    let (_, g) = api(
        &other.v,
        Method::GET,
        &format!("/api/v1/n/alpha/groups/{club}"),
        None,
    )
    .await;
    assert!(g["standing"].is_null(), "{g}");
    // removing: the member goes; approving them again finds nothing to do
    let (status, _) = api(
        &owner.v,
        Method::POST,
        &member(asker_profile),
        Some(json!({"action": "remove"})),
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = api(
        &owner.v,
        Method::POST,
        &member(asker_profile),
        Some(json!({"action": "approve"})),
    )
    .await;
    assert_eq!(status, 404);

    // inviting by address answers the same for a member and a stranger
    let invite = format!("/api/v1/n/alpha/groups/{club}/invitations");
    for email in [other.email.as_str(), "nobody@example.jp"] {
        let (status, _) = api(
            &owner.v,
            Method::POST,
            &invite,
            Some(json!({ "email": email })),
        )
        .await;
        assert_eq!(status, 202);
    }
    let (_, g) = api(
        &other.v,
        Method::GET,
        &format!("/api/v1/n/alpha/groups/{club}"),
        None,
    )
    .await;
    assert_eq!(g["standing"], "invited", "{g}");
    let (status, _) = api(
        &other.v,
        Method::POST,
        &invite,
        Some(json!({"email": "x@example.jp"})),
    )
    .await;
    assert_eq!(status, 404, "only its managers invite");
    app.stop().await;
}

dual_test!(
    spaces_proposals_and_posting,
    managing_groups_through_the_api
);
