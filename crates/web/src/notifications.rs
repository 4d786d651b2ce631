//! In-app notifications: made where things happen (a comment, a reply, a
//! reaction, a group decision), counted on the header's bell, listed on
//! `/notifications` across the person's networks (seeing them marks them
//! read), told live to open pages through `GET /live`, and offered to
//! programs through the API. Who is told is `core::notifications`'.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use enishi_core::Lang;
use enishi_core::notifications::{
    EmailPrefs, Frequency, Kind, PAGE_SIZE, Topic, next_digest, topic_of,
};
use enishi_store::notifications::{self as stored, Listed, NewNotification};
use enishi_store::now_ms;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::ApiJson;
use crate::auth::Viewer;
use crate::csrf::{CsrfForm, random_token};
use crate::ctx::PageCtx;
use crate::i18n::Tr;
use crate::live::Event;
use crate::scope::NetworkScope;
use crate::{AppError, AppState};

/// What a notification is about.
#[derive(Clone, Debug, Default)]
pub struct About {
    pub post: Option<i64>,
    pub comment: Option<i64>,
    pub group: Option<i64>,
    /// Words that go with it (a moderator's warning).
    pub note: Option<String>,
    /// The opportunity (an answer's stage).
    pub opportunity: Option<i64>,
    /// The event.
    pub event: Option<i64>,
}

/// Tells `who` (account, kind) that the member of `scope` did something
/// `about`: stored, then told live. A failure is logged, not returned:
/// what happened has happened.
pub async fn notify(state: &AppState, scope: &NetworkScope, who: &[(i64, Kind)], about: About) {
    let actor = scope.membership.account_id;
    for (account, kind) in who {
        let about = about.clone();
        let new = NewNotification {
            account_id: *account,
            kind: kind.as_str(),
            actor_id: Some(actor),
            post_id: about.post,
            comment_id: about.comment,
            group_id: about.group,
            note: about.note.as_deref(),
            opportunity_id: about.opportunity,
            event_id: about.event,
        };
        match stored::add(&state.db, scope.id(), &new, now_ms()).await {
            Ok(Some(id)) => {
                state
                    .live
                    .publish(Event {
                        to: vec![*account],
                        what: "notification".into(),
                        network: scope.network.id,
                        conversation: None,
                        id: Some(id),
                    })
                    .await;
                if let Err(e) = mail_notification(state, scope, *account, *kind, about).await {
                    tracing::error!(error = %e, "could not mail a notification");
                }
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "could not store a notification"),
        }
    }
}

/// Whether the member with `account` may read `post` now: an active
/// member whom the news' audience admits, who may read its group (if it
/// is in one); never a hidden post.
async fn may_read_post(
    state: &AppState,
    scope: &NetworkScope,
    post: &enishi_store::posts::Post,
    account: i64,
) -> Result<bool, AppError> {
    use enishi_core::groups::{self, Access, Space, Standing, Status};
    use enishi_core::networks::{Kind as MemberKind, Role};
    let Some(m) = enishi_store::memberships::of_account(&state.db, scope.id(), account).await?
    else {
        return Ok(false);
    };
    let (Some(kind), Some(role)) = (MemberKind::parse(&m.kind), Role::parse(&m.role)) else {
        return Ok(false);
    };
    let audience = enishi_core::posts::Audience::parse(&post.audience)
        .unwrap_or(enishi_core::posts::Audience::Everyone);
    if m.status != "active" || post.hidden_at.is_some() || !audience.admits(kind, role) {
        return Ok(false);
    }
    let Some(group_id) = post.group_id else {
        return Ok(true);
    };
    let Some(g) = enishi_store::groups::get(&state.db, scope.id(), group_id).await? else {
        return Ok(false);
    };
    let standing = enishi_store::groups::standing(&state.db, scope.id(), group_id, account)
        .await?
        .and_then(|s| Standing::parse(&s));
    let viewer = groups::Viewer {
        kind,
        role,
        standing,
        proposer: g.proposed_by == Some(account),
    };
    Ok(
        match (
            Space::parse(&g.space),
            Access::parse(&g.access),
            Status::parse(&g.status),
        ) {
            (Some(space), Some(access), Some(status)) => {
                groups::may_read(space, access, status, &viewer)
            }
            _ => false,
        },
    )
}

/// Tells the people mentioned in `body` (a post's, or one of its
/// comments') that they were, when the writer may see them and they may
/// read the post; nobody else learns of it.
pub async fn notify_mentions(
    state: &AppState,
    scope: &NetworkScope,
    post: &enishi_store::posts::Post,
    body: &str,
    comment: Option<i64>,
) -> Result<(), AppError> {
    let me = scope.membership.account_id;
    let mut who = Vec::new();
    for profile in enishi_core::posts::mentions(body, scope.slug()) {
        let person = match crate::profiles::visible_person(state, scope, profile).await {
            Ok((p, _)) => p,
            Err(AppError::NotFound) => continue,
            Err(e) => return Err(e),
        };
        let Some(account) = person.account_id.filter(|a| *a != me) else {
            continue;
        };
        if may_read_post(state, scope, post, account).await? {
            who.push((account, Kind::Mention));
        }
    }
    let about = About {
        post: Some(post.id),
        comment,
        ..Default::default()
    };
    notify(state, scope, &who, about).await;
    Ok(())
}

/// A notification as the page and the API show it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: i64,
    /// `comment`, `reply`, `reaction`, `group_approved`, `group_declined`
    /// or `join_accepted`.
    pub kind: String,
    /// The network's slug and name.
    pub network: String,
    pub network_name: String,
    /// What happened, in the caller's language.
    pub text: String,
    /// Where it happened (a path on this site).
    pub href: String,
    /// Unix milliseconds.
    pub created_at: i64,
    pub unread: bool,
}

/// What a notification says, in `tr`'s language.
fn sentence(tr: Tr, kind: &str, who: &str, group: &str, note: &str, title: &str) -> String {
    tr.fmt(
        &format!("notifications.{kind}"),
        &[
            ("who", who),
            ("group", group),
            ("note", note),
            ("title", title),
        ],
    )
}

/// Where a notification leads, in the network `slug`.
fn href_of(
    slug: &str,
    post: Option<i64>,
    comment: Option<i64>,
    group: Option<i64>,
    opportunity: Option<i64>,
    event: Option<i64>,
) -> String {
    if let Some(o) = opportunity {
        return format!("/n/{slug}/opportunities/{o}");
    }
    if let Some(e) = event {
        return format!("/n/{slug}/events/{e}");
    }
    match (post, comment, group) {
        (Some(p), Some(c), _) => format!("/n/{slug}/posts/{p}#comment-{c}"),
        (Some(p), None, _) => format!("/n/{slug}/posts/{p}"),
        (None, _, Some(g)) => format!("/n/{slug}/groups/{g}"),
        _ => format!("/n/{slug}"),
    }
}

/// A stored notification's sentence, the actor named as their profile in
/// that network shows them.
fn describe(tr: Tr, n: &Listed) -> String {
    let s = |o: &Option<String>| o.clone().unwrap_or_default();
    let who = if n.actor.profile_id.is_some() {
        enishi_core::profile::name_in(
            tr.lang,
            &s(&n.actor.family),
            &s(&n.actor.given),
            &s(&n.actor.family_romaji),
            &s(&n.actor.given_romaji),
        )
    } else {
        tr.get("posts.former_member").to_string()
    };
    sentence(
        tr,
        &n.kind,
        &who,
        &s(&n.group_name),
        &s(&n.note),
        &s(if n.event_id.is_some() {
            &n.event_title
        } else {
            &n.opportunity_title
        }),
    )
}

fn view(ctx: &PageCtx, n: &Listed) -> NotificationView {
    let text = describe(ctx.tr, n);
    let href = href_of(
        &n.slug,
        n.post_id,
        n.comment_id,
        n.group_id,
        n.opportunity_id,
        n.event_id,
    );
    NotificationView {
        id: n.id,
        kind: n.kind.clone(),
        network: n.slug.clone(),
        network_name: if ctx.lang == Lang::En {
            n.name_en.clone()
        } else {
            n.name_ja.clone()
        },
        text,
        href,
        created_at: n.created_at,
        unread: n.read_at.is_none(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications/list.html")]
pub struct ListPage {
    pub ctx: PageCtx,
    pub items: Vec<NotificationView>,
    /// The person is in more than one network (each line names its own).
    pub several: bool,
}

/// `GET /notifications`: the newest notifications; seeing them marks them
/// read.
pub async fn page(
    State(state): State<AppState>,
    mut ctx: PageCtx,
    viewer: Viewer,
) -> Result<ListPage, AppError> {
    let me = viewer.account().ok_or(AppError::NotFound)?.id;
    let list = stored::list(&state.db, me, PAGE_SIZE).await?;
    if let Some(newest) = list.first() {
        let marked = stored::mark_read(&state.db, me, newest.id, now_ms()).await? as i64;
        // the header was counted before this page marked them read
        if let Some(header) = ctx.me.as_mut() {
            header.unread_notifications = (header.unread_notifications - marked).max(0);
        }
    }
    Ok(ListPage {
        items: list.iter().map(|n| view(&ctx, n)).collect(),
        several: viewer.memberships.len() > 1,
        ctx,
    })
}

/// The caller's newest notifications in all their networks (listing them
/// does not mark them read).
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications",
    responses((status = 200, description = "Notifications, newest first", body = Vec<NotificationView>),
              (status = 401, description = "Not signed in", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn list_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
) -> Result<Json<Vec<NotificationView>>, AppError> {
    let me = viewer.account().ok_or(AppError::NotFound)?.id;
    let list = stored::list(&state.db, me, PAGE_SIZE).await?;
    Ok(Json(list.iter().map(|n| view(&ctx, n)).collect()))
}

/// Marks all the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "notifications",
    responses((status = 204, description = "Marked read"),
              (status = 401, description = "Not signed in", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn read_api(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<StatusCode, AppError> {
    let me = viewer.account().ok_or(AppError::NotFound)?.id;
    stored::mark_read(&state.db, me, i64::MAX, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ─────────────────────────────── e-mail ───────────────────────────────

/// A one-click unsubscribe token: `{account}-{topic}-{key}` (the key is
/// the account's random unsubscribe key).
pub fn token(account: i64, topic: Topic, key: &str) -> String {
    format!("{account}-{}-{key}", topic.as_str())
}

/// The parts of a token, if it reads as one.
pub fn parse_token(token: &str) -> Option<(i64, Topic, &str)> {
    let mut parts = token.splitn(3, '-');
    let account = parts.next()?.parse().ok()?;
    let topic = Topic::parse(parts.next()?)?;
    let key = parts.next()?;
    (key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit())).then_some((account, topic, key))
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The absolute one-click unsubscribe link for `account`'s `topic`.
pub async fn unsubscribe_link(
    state: &AppState,
    account: i64,
    topic: Topic,
) -> Result<String, AppError> {
    let key = stored::unsubscribe_key(&state.db, account, &random_token()).await?;
    Ok(state.link(&format!("/unsubscribe/{}", token(account, topic, &key))))
}

/// Whom a mail goes to and in which language, if they want `topic`.
/// (`None`: mail that is not optional, like a moderator's warning.)
pub(crate) async fn recipient(
    state: &AppState,
    account: i64,
    topic: Option<Topic>,
) -> Result<Option<(String, Lang)>, AppError> {
    let prefs = EmailPrefs::from_json(&stored::prefs(&state.db, account).await?);
    if topic.is_some_and(|t| !prefs.wants(t)) {
        return Ok(None);
    }
    let Some(to) = enishi_store::accounts::primary_email(&state.db, account).await? else {
        return Ok(None);
    };
    let lang = enishi_store::accounts::by_id(&state.db, account)
        .await?
        .map(|a| Lang::from_code(&a.lang).unwrap_or_default())
        .unwrap_or_default();
    Ok(Some((to, lang)))
}

/// A member's name as their profile in the network shows it, in `lang`.
async fn name_of(
    state: &AppState,
    net: enishi_store::networks::NetworkId,
    account: i64,
    lang: Lang,
) -> Result<String, AppError> {
    Ok(
        match enishi_store::profiles::of_account(&state.db, net, account).await? {
            Some(p) => p.profile.display_name(lang),
            None => Tr::new(lang).get("posts.former_member").to_string(),
        },
    )
}

/// Mails the person a notification they want by e-mail (its topic).
async fn mail_notification(
    state: &AppState,
    scope: &NetworkScope,
    account: i64,
    kind: Kind,
    about: About,
) -> Result<(), AppError> {
    // a warning is the network's business: mailed whatever the choices
    let topic = topic_of(kind);
    if topic.is_none() && !matches!(kind, Kind::Warned | Kind::Suspended) {
        return Ok(());
    }
    let Some((to, lang)) = recipient(state, account, topic).await? else {
        return Ok(());
    };
    let tr = Tr::new(lang);
    let who = name_of(state, scope.id(), scope.membership.account_id, lang).await?;
    let group = match about.group {
        Some(g) => enishi_store::groups::get(&state.db, scope.id(), g)
            .await?
            .map(|g| g.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let note = about.note.clone().unwrap_or_default();
    let title = match about.opportunity {
        Some(o) => enishi_store::opportunities::listed(&state.db, scope.id(), account, Some(o))
            .await?
            .into_iter()
            .next()
            .map(|l| l.opportunity.title)
            .unwrap_or_default(),
        None => match about.event {
            Some(e) => enishi_store::events::get(&state.db, scope.id(), e)
                .await?
                .map(|e| e.title)
                .unwrap_or_default(),
            None => String::new(),
        },
    };
    let text = sentence(tr, kind.as_str(), &who, &group, &note, &title);
    let path = href_of(
        scope.slug(),
        about.post,
        about.comment,
        about.group,
        about.opportunity,
        about.event,
    );
    let network = crate::networks::name_in(&scope.network, lang).to_string();
    let unsubscribe = match topic {
        Some(t) => Some(unsubscribe_link(state, account, t).await?),
        None => None,
    };
    let mail = crate::mail::render_full(
        crate::mail::Kind::Notification,
        lang,
        &state.link(&path),
        &[("text", text.as_str()), ("network", network.as_str())],
        &[],
        unsubscribe.as_deref(),
    )?;
    crate::mail::queue(state, &to, &mail, unsubscribe.as_deref()).await?;
    Ok(())
}

/// Mails the people of a conversation who want it that `scope`'s member
/// wrote to them — once per conversation until they have read it, and
/// never the words.
pub async fn mail_message(
    state: &AppState,
    scope: &NetworkScope,
    conversation: i64,
    to: &[i64],
) -> Result<(), AppError> {
    for account in to {
        // only the first unread message of the conversation is mailed
        if enishi_store::messages::unread_in(&state.db, scope.id(), conversation, *account).await?
            != 1
        {
            continue;
        }
        let Some((address, lang)) = recipient(state, *account, Some(Topic::Messages)).await? else {
            continue;
        };
        let who = name_of(state, scope.id(), scope.membership.account_id, lang).await?;
        let network = crate::networks::name_in(&scope.network, lang).to_string();
        let unsubscribe = unsubscribe_link(state, *account, Topic::Messages).await?;
        let mail = crate::mail::render_full(
            crate::mail::Kind::Message,
            lang,
            &state.link(&format!("/n/{}/messages/{conversation}", scope.slug())),
            &[("who", who.as_str()), ("network", network.as_str())],
            &[],
            Some(&unsubscribe),
        )?;
        crate::mail::queue(state, &address, &mail, Some(&unsubscribe)).await?;
    }
    Ok(())
}

// ─────────────────────────────── the digest ───────────────────────────────

/// Accounts looked at per sweep at most.
const DIGESTS_PER_SWEEP: i64 = 200;

/// Sends the digests that are due: what is new for each person since
/// their last one (unread notifications and messages, new posts in their
/// networks), nothing when nothing is new. A person seen for the first
/// time is only given a due time (the next 08:00 in Japan), so a new
/// version does not mail everyone at once. Safe on several nodes: each
/// digest is claimed before it is written.
pub async fn digest_sweep(state: &AppState, now: i64) -> Result<usize, AppError> {
    let mut sent = 0;
    for due in stored::due_digests(&state.db, now, DIGESTS_PER_SWEEP).await? {
        let prefs = EmailPrefs::from_json(&due.notify_prefs);
        let next = next_digest(prefs.digest, now);
        if !stored::claim_digest(&state.db, due.id, due.digest_due_at, next).await? {
            continue;
        }
        if due.digest_due_at == 0 || prefs.digest == Frequency::Off {
            continue;
        }
        let period = match prefs.digest {
            Frequency::Daily => 86_400_000,
            _ => 7 * 86_400_000,
        };
        let since = due.digest_sent_at.unwrap_or(now - period).max(now - period);
        if digest_for(state, &due, since, prefs.opportunities).await? {
            stored::digest_sent(&state.db, due.id, now).await?;
            sent += 1;
        }
    }
    Ok(sent)
}

/// Writes one person's digest; `false` when there was nothing to tell.
async fn digest_for(
    state: &AppState,
    due: &stored::Due,
    since: i64,
    opportunities: bool,
) -> Result<bool, AppError> {
    let lang = Lang::from_code(&due.lang).unwrap_or_default();
    let tr = Tr::new(lang);
    let unread: Vec<Listed> = stored::list(&state.db, due.id, PAGE_SIZE)
        .await?
        .into_iter()
        .filter(|n| n.read_at.is_none())
        .collect();
    let (messages, _) = stored::header_counts(&state.db, due.id).await?;
    let posts = stored::new_posts(&state.db, due.id, since).await?;
    let mut lines: Vec<String> = unread.iter().take(5).map(|n| describe(tr, n)).collect();
    if unread.len() > 5 {
        lines.push(tr.fmt(
            "digest.more",
            &[("n", (unread.len() - 5).to_string().as_str())],
        ));
    }
    if messages > 0 {
        lines.push(tr.fmt("digest.messages", &[("n", messages.to_string().as_str())]));
    }
    for (_, ja, en, n) in posts.iter().filter(|p| p.3 > 0) {
        let name = if lang == Lang::En { en } else { ja };
        lines.push(tr.fmt(
            "digest.posts",
            &[("network", name.as_str()), ("n", n.to_string().as_str())],
        ));
    }
    if opportunities {
        lines.extend(opportunities_for(state, due.id, lang, since).await?);
    }
    if lines.is_empty() {
        return Ok(false);
    }
    let Some(to) = enishi_store::accounts::primary_email(&state.db, due.id).await? else {
        return Ok(false);
    };
    let networks: Vec<String> = enishi_store::memberships::networks_of(&state.db, due.id)
        .await?
        .into_iter()
        .filter(|(_, _, status)| status == "active")
        .map(|(n, _, _)| {
            if lang == Lang::En {
                n.name_en
            } else {
                n.name_ja
            }
        })
        .collect();
    let unsubscribe = unsubscribe_link(state, due.id, Topic::Digest).await?;
    let mail = crate::mail::render_full(
        crate::mail::Kind::Digest,
        lang,
        &state.link("/notifications"),
        &[("network", networks.join("、").as_str())],
        &lines,
        Some(&unsubscribe),
    )?;
    crate::mail::queue(state, &to, &mail, Some(&unsubscribe)).await?;
    Ok(true)
}

/// "Opportunities for you" posted since `since`, in each of the
/// account's networks (at most three each), as digest lines.
async fn opportunities_for(
    state: &AppState,
    account: i64,
    lang: Lang,
    since: i64,
) -> Result<Vec<String>, AppError> {
    let tr = Tr::new(lang);
    let mut lines = Vec::new();
    for (network, _, status) in enishi_store::memberships::networks_of(&state.db, account).await? {
        if status != "active" {
            continue;
        }
        let Some(scope) = crate::scope::resolve(state, &network.slug, account).await? else {
            continue;
        };
        let name = crate::networks::name_in(&scope.network, lang).to_string();
        for f in crate::opportunities::for_you(state, tr, &scope, Some(since), 3).await? {
            lines.push(tr.fmt(
                "digest.for_you",
                &[
                    ("network", name.as_str()),
                    ("title", f.opportunity.row.opportunity.title.as_str()),
                    ("reasons", f.reasons.as_str()),
                ],
            ));
        }
    }
    Ok(lines)
}

/// Adds the digest sweep to `worker`.
pub fn register(worker: enishi_jobs::Worker, state: &AppState) -> enishi_jobs::Worker {
    let state = state.clone();
    worker.every("digests", move |now| {
        let state = state.clone();
        Box::pin(async move { digest_sweep(&state, now).await.map_err(|e| e.to_string()) })
    })
}

// ─────────────────────────────── choices ───────────────────────────────

/// E-mail choices as the settings page and the API write them.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct PrefsBody {
    /// "You have a new message" e-mails.
    pub messages: bool,
    /// Someone mentioned you.
    pub mentions: bool,
    /// Comments on your posts and replies to your comments.
    pub replies: bool,
    /// Decisions about groups you proposed or asked to join.
    pub groups: bool,
    /// `daily`, `weekly` or `off`.
    pub digest: String,
    /// News about opportunities you answered, and "opportunities for you"
    /// in the digest.
    pub opportunities: bool,
    /// Event invitations, reminders and organisers' messages (missing:
    /// on).
    #[serde(default = "on")]
    pub events: bool,
}

fn on() -> bool {
    true
}

impl PrefsBody {
    fn of(p: EmailPrefs) -> PrefsBody {
        PrefsBody {
            messages: p.messages,
            mentions: p.mentions,
            replies: p.replies,
            groups: p.groups,
            digest: p.digest.as_str().to_string(),
            opportunities: p.opportunities,
            events: p.events,
        }
    }
}

/// Saves e-mail choices (and moves the next digest to its new rhythm).
pub async fn save_prefs(
    state: &AppState,
    account: i64,
    body: &PrefsBody,
) -> Result<Result<EmailPrefs, &'static str>, AppError> {
    let Some(digest) = Frequency::parse(body.digest.trim()) else {
        return Ok(Err("invalid.digest_frequency"));
    };
    let prefs = EmailPrefs {
        messages: body.messages,
        mentions: body.mentions,
        replies: body.replies,
        groups: body.groups,
        digest,
        opportunities: body.opportunities,
        events: body.events,
    };
    stored::set_prefs(
        &state.db,
        account,
        &prefs.to_json(),
        next_digest(digest, now_ms()),
    )
    .await?;
    Ok(Ok(prefs))
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications/settings.html")]
pub struct SettingsPage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub prefs: PrefsBody,
    pub frequencies: Vec<&'static str>,
    pub notice: Option<&'static str>,
    pub error: Option<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct SettingsQuery {
    pub done: Option<String>,
}

/// `GET /account/notifications`
pub async fn settings_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    Query(q): Query<SettingsQuery>,
) -> Result<SettingsPage, AppError> {
    let me = viewer.account().ok_or(AppError::NotFound)?.id;
    let prefs = EmailPrefs::from_json(&stored::prefs(&state.db, me).await?);
    Ok(SettingsPage {
        section: "notifications",
        prefs: PrefsBody::of(prefs),
        frequencies: Frequency::ALL.iter().map(|f| f.as_str()).collect(),
        notice: (q.done.as_deref() == Some("saved")).then(|| ctx.t("notifications.saved")),
        error: None,
        ctx,
    })
}

/// The settings form: checkboxes are absent when unticked.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettingsForm {
    pub messages: Option<String>,
    pub mentions: Option<String>,
    pub replies: Option<String>,
    pub groups: Option<String>,
    pub opportunities: Option<String>,
    pub events: Option<String>,
    pub digest: String,
}

/// `POST /account/notifications`
pub async fn save_settings(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> Result<Response, AppError> {
    let me = viewer.account().ok_or(AppError::NotFound)?.id;
    let body = PrefsBody {
        messages: form.messages.is_some(),
        mentions: form.mentions.is_some(),
        replies: form.replies.is_some(),
        groups: form.groups.is_some(),
        digest: form.digest,
        opportunities: form.opportunities.is_some(),
        events: form.events.is_some(),
    };
    match save_prefs(&state, me, &body).await? {
        Ok(_) => Ok(Redirect::to("/account/notifications?done=saved").into_response()),
        Err(key) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            SettingsPage {
                section: "notifications",
                prefs: body,
                frequencies: Frequency::ALL.iter().map(|f| f.as_str()).collect(),
                notice: None,
                error: Some(ctx.t(key)),
                ctx,
            },
        )
            .into_response()),
    }
}

/// The caller's e-mail choices.
#[utoipa::path(get, path = "/api/v1/me/notification-settings", tag = "notifications",
    responses((status = 200, description = "The choices", body = PrefsBody),
              (status = 401, description = "Not signed in", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn settings_api(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<PrefsBody>, AppError> {
    let me = viewer.account().ok_or(AppError::NotFound)?.id;
    let prefs = EmailPrefs::from_json(&stored::prefs(&state.db, me).await?);
    Ok(Json(PrefsBody::of(prefs)))
}

/// Changes the caller's e-mail choices (all fields; a missing one is
/// `false`).
#[utoipa::path(put, path = "/api/v1/me/notification-settings", tag = "notifications",
    request_body = PrefsBody,
    responses((status = 200, description = "Saved", body = PrefsBody),
              (status = 422, description = "Unknown digest frequency", body = crate::error::Problem),
              (status = 401, description = "Not signed in", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn save_settings_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    viewer: Viewer,
    ApiJson(body): ApiJson<PrefsBody>,
) -> Result<Json<PrefsBody>, AppError> {
    let me = viewer.account().ok_or(AppError::NotFound)?.id;
    let prefs = save_prefs(&state, me, &body)
        .await?
        .map_err(|key| AppError::Invalid {
            field: "digest",
            message: ctx.t(key),
        })?;
    Ok(Json(PrefsBody::of(prefs)))
}

// ─────────────────────────────── unsubscribing ───────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "notifications/unsubscribe.html")]
pub struct UnsubscribePage {
    pub ctx: PageCtx,
    pub topic: &'static str,
    pub token: String,
    pub done: bool,
}

/// The account and topic of a valid token (404 otherwise).
async fn check_token(state: &AppState, token: &str) -> Result<(i64, Topic), AppError> {
    let (account, topic, key) = parse_token(token).ok_or(AppError::NotFound)?;
    let stored = stored::stored_key(&state.db, account)
        .await?
        .ok_or(AppError::NotFound)?;
    if !same(&stored, key) {
        return Err(AppError::NotFound);
    }
    Ok((account, topic))
}

/// `GET /unsubscribe/{unsubscribe_token}`: asks before switching off (a
/// link scanner following the link changes nothing).
pub async fn unsubscribe_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(token): Path<String>,
) -> Result<UnsubscribePage, AppError> {
    let (_, topic) = check_token(&state, &token).await?;
    Ok(UnsubscribePage {
        topic: topic.as_str(),
        token,
        done: false,
        ctx,
    })
}

/// `POST /unsubscribe/{unsubscribe_token}`: switches the topic off. This
/// is the RFC 8058 one-click target: mail clients post
/// `List-Unsubscribe=One-Click` without cookies, so it takes no CSRF
/// token — the secret token in the path is the proof, and all it can do is
/// stop e-mail.
pub async fn unsubscribe(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(token): Path<String>,
) -> Result<UnsubscribePage, AppError> {
    let (account, topic) = check_token(&state, &token).await?;
    let prefs = EmailPrefs::from_json(&stored::prefs(&state.db, account).await?).without(topic);
    stored::set_prefs(
        &state.db,
        account,
        &prefs.to_json(),
        next_digest(prefs.digest, now_ms()),
    )
    .await?;
    state
        .record_event(
            None,
            Some(account),
            "notifications.unsubscribed",
            Some(topic.as_str()),
            "",
        )
        .await;
    Ok(UnsubscribePage {
        topic: topic.as_str(),
        token,
        done: true,
        ctx,
    })
}

/// One person the writer may mention.
#[derive(Serialize, ToSchema)]
pub struct Suggestion {
    pub profile_id: i64,
    pub name: String,
    /// What tells two people of the same name apart: their years at the
    /// company, else their company and title (as the caller may see them).
    pub detail: String,
    /// Their profile's path (what a mention links to).
    pub href: String,
}

/// What the composer's `@` asks for.
#[derive(Deserialize, utoipa::IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct SuggestParams {
    /// What was typed after `@` (a name, its reading, romaji).
    pub q: Option<String>,
}

/// People the caller may mention: members with an account whom the
/// directory shows the caller, best matches first (at most 8). Counted
/// against the directory's per-minute limit, like a search.
#[utoipa::path(get, path = "/api/v1/n/{slug}/people/suggest", tag = "feed",
    params(("slug" = String, Path, description = "The network's slug"), SuggestParams),
    responses((status = 200, description = "People to mention", body = Vec<Suggestion>),
              (status = 404, description = "No such network of yours", body = crate::error::Problem)),
    security(("token" = []), ("session" = [])))]
pub async fn suggest_api(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Query(q): Query<SuggestParams>,
) -> Result<Json<Vec<Suggestion>>, AppError> {
    let text: String = q.q.unwrap_or_default().trim().chars().take(40).collect();
    if text.is_empty() {
        return Ok(Json(Vec::new()));
    }
    crate::profiles::count_view(&state, &scope).await?;
    let params = crate::profiles::DirectoryParams {
        q: text,
        ..Default::default()
    };
    let (page, _) = crate::profiles::run_search(&state, &scope, &params, 9).await?;
    let me = scope.membership.account_id;
    Ok(Json(
        page.hits
            .iter()
            .filter(|h| h.stored.account_id.is_some_and(|a| a != me))
            .take(8)
            .map(|h| {
                let card = crate::profiles::Card::of(
                    scope.slug(),
                    h.stored.id,
                    &h.stored.profile,
                    ctx.lang,
                );
                Suggestion {
                    profile_id: h.stored.id,
                    detail: if card.era.is_empty() {
                        card.now
                    } else {
                        card.era
                    },
                    name: card.name,
                    href: format!("/n/{}/people/{}", scope.slug(), h.stored.id),
                }
            })
            .collect(),
    ))
}
