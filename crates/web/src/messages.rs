//! Direct messages, as pages: the inbox, starting a conversation (one
//! person, or a group of up to 20), a conversation with its messages and
//! the form to answer, sharing one's contact card, leaving, blocking, and
//! each member's choice of who may write to them. [`crate::messages_api`]
//! offers the same through the JSON API; both go through the functions
//! here, so the rules (`core::messages`) are applied once.
//!
//! A conversation exists only for its people: anyone else gets 404. The
//! pages work without JS (send, then the page reloads); with JS, the
//! `GET /live` stream tells an open conversation that something arrived
//! and the page fetches just the new messages.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use enishi_core::messages::{
    self as rules, Between, ContactField, MAX_BODY_CHARS, MAX_PEOPLE, MAX_TITLE_CHARS, PAGE_SIZE,
    Reach,
};
use enishi_core::networks::Role;
use enishi_core::posts::FieldError;
use enishi_core::text::grouped;
use enishi_store::messages::{self as stored, Conversation, Message, NewMessage, Person};
use enishi_store::now_ms;
use serde::Deserialize;

use crate::auth::Viewer;
use crate::csrf::{CsrfForm, random_token};
use crate::ctx::PageCtx;
use crate::live::Event;
use crate::posts::AuthorView;
use crate::profiles::{Card, DirectoryParams, run_search, visible_person};
use crate::scope::NetworkScope;
use crate::{AppError, AppState};

// ─────────────────────────────── rules ───────────────────────────────

/// Whether `scope`'s member may write to the member with `account`
/// (`None`: not a member of this network at all).
pub async fn may_write_to(
    state: &AppState,
    scope: &NetworkScope,
    account: i64,
) -> Result<Option<bool>, AppError> {
    let me = scope.membership.account_id;
    let Some(b) = stored::between(&state.db, scope.id(), me, account).await? else {
        return Ok(None);
    };
    let between = Between {
        reach: Reach::parse(&b.dm_from).unwrap_or_default(),
        shared: b.shared,
        blocked: b.blocked,
        active: b.status == "active",
    };
    Ok(Some(rules::may_write(scope.role, between)))
}

/// The conversation, when the member is in it (404 otherwise; a group
/// conversation they left is closed to them).
pub async fn conversation_for(
    state: &AppState,
    scope: &NetworkScope,
    id: i64,
) -> Result<Conversation, AppError> {
    let c = stored::get(&state.db, scope.id(), id, scope.membership.account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if c.kind == "group" && c.left_at.is_some() {
        return Err(AppError::NotFound);
    }
    Ok(c)
}

/// A new conversation as written in a form or an API call.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StartInput {
    /// The people to write to: their profile ids (1 to 19).
    pub to: Vec<i64>,
    /// A group conversation's name (optional).
    pub title: String,
    /// The first message.
    pub body: String,
}

/// Starts a conversation (or, with one person, continues the one the two
/// already have) with its first message: the conversation's id.
pub async fn start(
    state: &AppState,
    scope: &NetworkScope,
    input: &StartInput,
    once_key: Option<&str>,
) -> Result<Result<i64, Vec<FieldError>>, AppError> {
    let me = scope.membership.account_id;
    let mut errors = Vec::new();
    let body = rules::check_body(&input.body)
        .map_err(|e| errors.push(e))
        .ok();
    let title = rules::check_title(&input.title)
        .map_err(|e| errors.push(e))
        .ok();
    // profile ids → accounts; people the writer may not see or reach are
    // refused with one message (which of them, and why, is not told)
    let mut people = Vec::new();
    let mut unknown = false;
    let mut unreachable = false;
    for profile in input.to.iter().take(MAX_PEOPLE * 2) {
        match visible_person(state, scope, *profile).await {
            Ok((p, _)) => match p.account_id {
                Some(a) if a == me => {}
                Some(a) => match may_write_to(state, scope, a).await? {
                    Some(true) => people.push(a),
                    _ => unreachable = true,
                },
                None => unknown = true,
            },
            Err(AppError::NotFound) => unknown = true,
            Err(e) => return Err(e),
        }
    }
    if input.to.len() > MAX_PEOPLE * 2 {
        errors.push(FieldError {
            field: "to",
            key: "invalid.conversation_too_many",
        });
    } else if unknown {
        errors.push(FieldError {
            field: "to",
            key: "invalid.conversation_unknown",
        });
    } else if unreachable {
        errors.push(FieldError {
            field: "to",
            key: "invalid.conversation_unreachable",
        });
    } else if let Err(e) = rules::check_people(me, &people) {
        errors.push(e);
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let people = rules::check_people(me, &people).unwrap_or_default();
    let (body, title) = (body.unwrap_or_default(), title.unwrap_or_default());
    let now = now_ms();
    let once = once_key.and_then(enishi_core::posts::check_once_key);
    // a repeated form (double click) lands in the conversation it started
    if let Some(key) = once.as_deref()
        && let Some(m) = stored::by_once_key(&state.db, scope.id(), me, key).await?
    {
        return Ok(Ok(m.conversation_id));
    }
    let conversation = if people.len() == 1 {
        stored::direct(&state.db, scope.id(), me, people[0], now).await?
    } else {
        stored::group(&state.db, scope.id(), me, &people, &title, now).await?
    };
    post(state, scope, conversation, "text", &body, once.as_deref()).await?;
    Ok(Ok(conversation))
}

/// Stores a message and tells the conversation's other people.
async fn post(
    state: &AppState,
    scope: &NetworkScope,
    conversation: i64,
    kind: &str,
    body: &str,
    once: Option<&str>,
) -> Result<(i64, bool), AppError> {
    let me = scope.membership.account_id;
    let new = NewMessage {
        conversation_id: conversation,
        author_id: me,
        kind,
        body,
        once_key: once,
    };
    let (id, fresh) = stored::send(&state.db, scope.id(), &new, now_ms()).await?;
    if fresh {
        let to: Vec<i64> = stored::people(&state.db, scope.id(), &[conversation])
            .await?
            .into_iter()
            .filter(|p| p.account_id != me && p.left_at.is_none())
            .map(|p| p.account_id)
            .collect();
        state
            .live
            .publish(Event {
                to: to.clone(),
                what: "message".into(),
                network: scope.network.id,
                conversation: Some(conversation),
                id: Some(id),
            })
            .await;
        if let Err(e) = crate::notifications::mail_message(state, scope, conversation, &to).await {
            tracing::error!(error = %e, "could not mail about a message");
        }
    }
    Ok((id, fresh))
}

/// Whether the member may still write in `c`: in a direct conversation,
/// the other person must be active and neither may have blocked the other
/// (admins excepted).
async fn open_for_writing(
    state: &AppState,
    scope: &NetworkScope,
    c: &Conversation,
) -> Result<bool, AppError> {
    if c.kind != "direct" {
        return Ok(c.left_at.is_none());
    }
    let me = scope.membership.account_id;
    let people = stored::people(&state.db, scope.id(), &[c.id]).await?;
    let Some(other) = people.iter().find(|p| p.account_id != me) else {
        return Ok(false);
    };
    let Some(b) = stored::between(&state.db, scope.id(), me, other.account_id).await? else {
        return Ok(false);
    };
    // the conversation exists: the recipient's choice of who may start one
    // no longer matters, blocks and suspensions do
    Ok(rules::may_write(
        scope.role,
        Between {
            reach: Reach::Anyone,
            shared: b.shared,
            blocked: b.blocked,
            active: b.status == "active",
        },
    ))
}

/// Sends a message in a conversation the member is in: its id, and
/// whether it is new (a repeated one-time key gives the first one's).
pub async fn send(
    state: &AppState,
    scope: &NetworkScope,
    c: &Conversation,
    body: &str,
    once_key: Option<&str>,
) -> Result<Result<(i64, bool), FieldError>, AppError> {
    let body = match rules::check_body(body) {
        Ok(b) => b,
        Err(e) => return Ok(Err(e)),
    };
    if !open_for_writing(state, scope, c).await? {
        return Ok(Err(FieldError {
            field: "body",
            key: "invalid.conversation_closed",
        }));
    }
    let once = once_key.and_then(enishi_core::posts::check_once_key);
    Ok(Ok(
        post(state, scope, c.id, "text", &body, once.as_deref()).await?
    ))
}

/// Shares the member's chosen contact fields into a conversation.
pub async fn share_contact(
    state: &AppState,
    scope: &NetworkScope,
    c: &Conversation,
    fields: &[ContactField],
) -> Result<Result<i64, FieldError>, AppError> {
    let mine = crate::profiles::my_profile(state, scope).await?;
    let p = &mine.profile;
    let card = rules::contact_card(fields, |f| match f {
        ContactField::Email => p.email.clone(),
        ContactField::Phone => p.phone.clone(),
        ContactField::Company => p.company.clone(),
        ContactField::Title => p.title.clone(),
        ContactField::Links => p.links.join("\n"),
    });
    if card.is_empty() {
        return Ok(Err(FieldError {
            field: "fields",
            key: "invalid.contact_empty",
        }));
    }
    if !open_for_writing(state, scope, c).await? {
        return Ok(Err(FieldError {
            field: "fields",
            key: "invalid.conversation_closed",
        }));
    }
    let body: Vec<(String, String)> = card
        .into_iter()
        .map(|(f, v)| (f.as_str().to_string(), v))
        .collect();
    let body = serde_json::to_string(&body).unwrap_or_default();
    Ok(Ok(post(state, scope, c.id, "contact", &body, None)
        .await?
        .0))
}

/// Marks what the member has now seen of a conversation as read.
pub async fn seen(
    state: &AppState,
    scope: &NetworkScope,
    c: &Conversation,
    upto: Option<i64>,
) -> Result<(), AppError> {
    if let Some(id) = upto.filter(|id| *id > c.last_read_id) {
        stored::mark_read(&state.db, scope.id(), c.id, scope.membership.account_id, id).await?;
    }
    Ok(())
}

// ─────────────────────────────── views ───────────────────────────────

/// A person of a conversation as the page shows them.
#[derive(Clone, Debug)]
pub struct PersonView {
    pub account_id: i64,
    pub who: AuthorView,
    /// Writes for the network's admins (network business).
    pub admin: bool,
    pub left: bool,
}

fn person_view(scope: &NetworkScope, ctx: &PageCtx, p: &Person) -> PersonView {
    PersonView {
        account_id: p.account_id,
        who: AuthorView::of(
            scope,
            ctx.lang,
            Some(p.account_id),
            &p.author,
            ctx.t("posts.former_member"),
        ),
        admin: Role::parse(p.role.as_deref().unwrap_or("")).is_some_and(|r| r.is_admin()),
        left: p.left_at.is_some(),
    }
}

/// One message as the page shows it.
#[derive(Clone, Debug)]
pub struct MessageView {
    pub id: i64,
    pub mine: bool,
    pub who: AuthorView,
    pub admin: bool,
    pub at: i64,
    /// Plain text (escaped by the template; line breaks kept by CSS).
    pub text: String,
    /// A shared contact card: (field word, label key, value).
    pub card: Vec<(&'static str, &'static str, String)>,
    /// Hidden by a moderator: why (only its author sees it).
    pub hidden: Option<String>,
    pub may_report: bool,
}

/// The messages as `scope`'s member sees them: hidden ones only for their
/// author.
pub fn message_views(
    scope: &NetworkScope,
    ctx: &PageCtx,
    people: &[PersonView],
    list: &[Message],
) -> Vec<MessageView> {
    let me = scope.membership.account_id;
    let unknown = PersonView {
        account_id: 0,
        who: AuthorView::of(
            scope,
            ctx.lang,
            None,
            &Default::default(),
            ctx.t("posts.former_member"),
        ),
        admin: false,
        left: true,
    };
    list.iter()
        .filter(|m| m.hidden_at.is_none() || m.author_id == Some(me))
        .map(|m| {
            let author = m
                .author_id
                .and_then(|a| people.iter().find(|p| p.account_id == a))
                .unwrap_or(&unknown);
            let card = if m.kind == "contact" {
                serde_json::from_str::<Vec<(String, String)>>(&m.body)
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|(f, v)| {
                        ContactField::parse(&f).map(|f| (f.as_str(), contact_label(f), v))
                    })
                    .collect()
            } else {
                Vec::new()
            };
            MessageView {
                id: m.id,
                mine: m.author_id == Some(me),
                who: author.who.clone(),
                admin: author.admin,
                at: m.created_at,
                text: if m.kind == "contact" {
                    String::new()
                } else {
                    m.body.clone()
                },
                card,
                hidden: m
                    .hidden_at
                    .map(|_| m.hidden_reason.clone().unwrap_or_default()),
                may_report: m.author_id != Some(me) && m.hidden_at.is_none(),
            }
        })
        .collect()
}

/// The catalogue key of a contact field's label.
pub fn contact_label(f: ContactField) -> &'static str {
    match f {
        ContactField::Email => "messages.contact_email",
        ContactField::Phone => "messages.contact_phone",
        ContactField::Company => "messages.contact_company",
        ContactField::Title => "messages.contact_title",
        ContactField::Links => "messages.contact_links",
    }
}

/// A line of the inbox.
#[derive(Clone, Debug)]
pub struct SummaryView {
    pub id: i64,
    pub name: String,
    pub people: Vec<AuthorView>,
    pub unread: i64,
    pub at: i64,
    pub last: String,
    pub last_mine: bool,
}

/// What a conversation is called: its title, else its other people's
/// names.
pub fn conversation_name(title: &str, others: &[&PersonView], ctx: &PageCtx) -> String {
    if !title.is_empty() {
        return title.to_string();
    }
    let names: Vec<&str> = others.iter().map(|p| p.who.name.as_str()).collect();
    if names.is_empty() {
        ctx.t("messages.only_you").to_string()
    } else {
        names.join("、")
    }
}

/// The inbox's lines for `scope`'s member.
pub async fn inbox(
    state: &AppState,
    ctx: &PageCtx,
    scope: &NetworkScope,
) -> Result<Vec<SummaryView>, AppError> {
    let me = scope.membership.account_id;
    let list = stored::inbox(&state.db, scope.id(), me).await?;
    let ids: Vec<i64> = list.iter().map(|c| c.id).collect();
    let everyone = stored::people(&state.db, scope.id(), &ids).await?;
    Ok(list
        .iter()
        .map(|c| {
            let people: Vec<PersonView> = everyone
                .iter()
                .filter(|p| p.conversation_id == c.id && p.account_id != me)
                .map(|p| person_view(scope, ctx, p))
                .collect();
            let others: Vec<&PersonView> = people.iter().filter(|p| !p.left).collect();
            let last = match c.last_kind.as_deref() {
                Some("contact") => ctx.t("messages.contact_shared").to_string(),
                _ => {
                    let body = c.last_body.clone().unwrap_or_default();
                    let short: String = body.chars().take(80).collect();
                    if short.len() < body.len() {
                        format!("{short}…")
                    } else {
                        short
                    }
                }
            };
            SummaryView {
                id: c.id,
                name: conversation_name(&c.title, &others, ctx),
                people: others.iter().map(|p| p.who.clone()).take(4).collect(),
                unread: c.unread,
                at: c.last_message_at,
                last,
                last_mine: c.last_author == Some(me),
            }
        })
        .collect())
}

// ─────────────────────────────── inbox ───────────────────────────────

/// `GET /messages` (the header's link): the inbox of the network with the
/// most unread messages, else of the first network.
pub async fn any_inbox(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, AppError> {
    let me = viewer.account().ok_or(AppError::NotFound)?.id;
    let first = viewer.memberships.first().map(|(n, _)| n.slug.clone());
    let mut best: Option<(String, i64)> = None;
    let unread = stored::unread_by_network(&state.db, me).await?;
    for (network, n) in unread {
        if let Some(found) =
            enishi_store::networks::by_id(&state.db, enishi_store::networks::NetworkId(network))
                .await?
            && best.as_ref().is_none_or(|(_, m)| n > *m)
        {
            best = Some((found.slug, n));
        }
    }
    match best.map(|(s, _)| s).or(first) {
        Some(slug) => Ok(Redirect::to(&format!("/n/{slug}/messages")).into_response()),
        None => Ok(Redirect::to("/").into_response()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "messages/inbox.html")]
pub struct InboxPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub conversations: Vec<SummaryView>,
    pub reach: &'static str,
    pub reaches: Vec<&'static str>,
    pub blocked: Vec<(i64, AuthorView)>,
    pub notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    pub done: Option<String>,
}

/// `GET /n/{slug}/messages`
pub async fn inbox_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Query(q): Query<DoneQuery>,
) -> Result<InboxPage, AppError> {
    let me = scope.membership.account_id;
    let conversations = inbox(&state, &ctx, &scope).await?;
    let blocked = stored::blocked(&state.db, scope.id(), me)
        .await?
        .into_iter()
        .map(|(id, a)| {
            (
                a.profile_id.unwrap_or(0),
                AuthorView::of(&scope, ctx.lang, Some(id), &a, ctx.t("posts.former_member")),
            )
        })
        .collect();
    Ok(InboxPage {
        slug: scope.slug().to_string(),
        conversations,
        reach: Reach::parse(&scope.membership.dm_from)
            .unwrap_or_default()
            .as_str(),
        reaches: Reach::ALL.iter().map(|r| r.as_str()).collect(),
        blocked,
        notice: match q.done.as_deref() {
            Some("settings") => Some(ctx.t("messages.notice_settings")),
            Some("left") => Some(ctx.t("messages.notice_left")),
            Some("unblocked") => Some(ctx.t("messages.notice_unblocked")),
            _ => None,
        },
        ctx,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReachForm {
    pub reach: String,
}

/// Changes who may write to the member.
pub async fn set_reach(
    state: &AppState,
    scope: &NetworkScope,
    word: &str,
) -> Result<Result<(), FieldError>, AppError> {
    let Some(reach) = Reach::parse(word.trim()) else {
        return Ok(Err(FieldError {
            field: "reach",
            key: "invalid.message_reach",
        }));
    };
    stored::set_reach(
        &state.db,
        scope.id(),
        scope.membership.account_id,
        reach.as_str(),
    )
    .await?;
    Ok(Ok(()))
}

/// `POST /n/{slug}/messages/settings`
pub async fn settings_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    CsrfForm(form): CsrfForm<ReachForm>,
) -> Result<Response, AppError> {
    match set_reach(&state, &scope, &form.reach).await? {
        Ok(()) => Ok(
            Redirect::to(&format!("/n/{}/messages?done=settings", scope.slug())).into_response(),
        ),
        Err(e) => Err(AppError::Invalid {
            field: e.field,
            message: ctx.t(e.key),
        }),
    }
}

// ─────────────────────────────── new ───────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "messages/new.html")]
pub struct NewPage {
    pub ctx: PageCtx,
    pub slug: String,
    /// The chosen people, with the link that drops each.
    pub chosen: Vec<(Card, String)>,
    /// Profile ids chosen, for the form.
    pub to: Vec<i64>,
    pub q: String,
    /// Search results, with the link that adds each.
    pub found: Vec<(Card, String)>,
    pub title: String,
    pub body: String,
    pub errors: Vec<FieldError>,
    pub once: String,
    pub max_body: String,
    pub max_title: usize,
    pub max_people: usize,
}

impl NewPage {
    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| self.ctx.t(e.key))
    }
}

/// The chosen profile ids in a query string or form (`to=…`, repeated),
/// unreadable ones dropped, at most twice the limit.
fn chosen_ids(pairs: &[(String, String)], drop: Option<i64>) -> Vec<i64> {
    let mut ids: Vec<i64> = Vec::new();
    for (k, v) in pairs {
        if k == "to"
            && let Ok(id) = v.trim().parse::<i64>()
            && !ids.contains(&id)
            && Some(id) != drop
        {
            ids.push(id);
        }
    }
    ids.truncate(MAX_PEOPLE * 2);
    ids
}

fn to_query(ids: &[i64]) -> String {
    ids.iter()
        .map(|id| format!("to={id}"))
        .collect::<Vec<_>>()
        .join("&")
}

async fn new_page(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
    to: Vec<i64>,
    q: String,
    (title, body): (String, String),
    errors: Vec<FieldError>,
) -> Result<NewPage, AppError> {
    let slug = scope.slug().to_string();
    let me = scope.membership.account_id;
    let mut chosen = Vec::new();
    for id in &to {
        // each card shown is a profile view (the directory's per-minute
        // limit): the page must not be a way round it
        crate::profiles::count_view(state, scope).await?;
        if let Ok((p, viewer)) = visible_person(state, scope, *id).await
            && p.account_id.is_some()
            && p.account_id != Some(me)
        {
            let rest: Vec<i64> = to.iter().copied().filter(|x| x != id).collect();
            let drop = format!(
                "/n/{slug}/messages/new?{}&q={}",
                to_query(&rest),
                url_escape(&q)
            );
            chosen.push((
                Card::of(&slug, p.id, &p.profile.seen_by(viewer), ctx.lang),
                drop,
            ));
        }
    }
    let to: Vec<i64> = chosen.iter().map(|(c, _)| c.id).collect();
    let mut found = Vec::new();
    if !q.trim().is_empty() {
        crate::profiles::count_view(state, scope).await?;
        let params = DirectoryParams {
            q: q.chars().take(200).collect(),
            ..Default::default()
        };
        let (page, _) = run_search(state, scope, &params, 10).await?;
        for h in page.hits {
            if h.stored.account_id.is_none()
                || h.stored.account_id == Some(me)
                || to.contains(&h.stored.id)
            {
                continue;
            }
            let mut more = to.clone();
            more.push(h.stored.id);
            let add = format!("/n/{slug}/messages/new?{}", to_query(&more));
            found.push((
                Card::of(&slug, h.stored.id, &h.stored.profile, ctx.lang),
                add,
            ));
        }
    }
    Ok(NewPage {
        slug,
        chosen,
        to,
        q,
        found,
        title,
        body,
        errors,
        once: random_token()[..32].to_string(),
        max_body: grouped(MAX_BODY_CHARS as i64),
        max_title: MAX_TITLE_CHARS,
        max_people: MAX_PEOPLE - 1,
        ctx,
    })
}

fn url_escape(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .unwrap_or_default()
        .trim_start_matches('=')
        .to_string()
}

/// `GET /n/{slug}/messages/new?to=…&q=…`
pub async fn new_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<NewPage, AppError> {
    let q = pairs
        .iter()
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let to = chosen_ids(&pairs, None);
    new_page(&state, ctx, &scope, to, q, Default::default(), Vec::new()).await
}

/// `POST /n/{slug}/messages`
pub async fn start_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let input = StartInput {
        to: chosen_ids(&pairs, None),
        title: field("title"),
        body: field("body"),
    };
    let once = field("once");
    match start(&state, &scope, &input, Some(&once)).await? {
        Ok(id) => {
            Ok(Redirect::to(&format!("/n/{}/messages/{id}#latest", scope.slug())).into_response())
        }
        Err(errors) => {
            let page = new_page(
                &state,
                ctx,
                &scope,
                input.to,
                String::new(),
                (input.title, input.body),
                errors,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

// ─────────────────────────────── a conversation ───────────────────────────────

#[derive(Template, WebTemplate)]
#[template(path = "messages/conversation.html")]
pub struct ConversationPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub id: i64,
    pub name: String,
    pub direct: bool,
    pub people: Vec<PersonView>,
    /// Oldest first.
    pub messages: Vec<MessageView>,
    pub older: Option<String>,
    /// The newest message's id (the script asks for what follows it).
    pub last_id: i64,
    pub open: bool,
    pub body: String,
    pub error: Option<&'static str>,
    pub once: String,
    pub max_body: String,
    /// Contact fields the member has filled in: (word, label key, value).
    pub contact: Vec<(&'static str, &'static str, String)>,
    /// The other person of a direct conversation: (profile id, blocked by me).
    pub other: Option<(i64, bool)>,
    pub notice: Option<&'static str>,
    /// The network's guidelines, on the report form.
    pub guidelines: String,
    /// Which report form to open (with its error), if any.
    pub report_error_key: String,
}

#[derive(Deserialize, Default)]
pub struct ConversationQuery {
    pub before: Option<i64>,
    pub done: Option<String>,
}

/// The people of `c` as the page shows them.
pub async fn people_of(
    state: &AppState,
    ctx: &PageCtx,
    scope: &NetworkScope,
    c: i64,
) -> Result<Vec<PersonView>, AppError> {
    Ok(stored::people(&state.db, scope.id(), &[c])
        .await?
        .iter()
        .map(|p| person_view(scope, ctx, p))
        .collect())
}

#[allow(clippy::too_many_arguments)]
async fn conversation_page(
    state: &AppState,
    mut ctx: PageCtx,
    scope: &NetworkScope,
    c: &Conversation,
    before: Option<i64>,
    body: String,
    error: Option<&'static str>,
    notice: Option<&'static str>,
) -> Result<ConversationPage, AppError> {
    let me = scope.membership.account_id;
    let slug = scope.slug().to_string();
    let people = people_of(state, &ctx, scope, c.id).await?;
    let mut list = stored::page(&state.db, scope.id(), c.id, before, PAGE_SIZE + 1).await?;
    let more = list.len() as i64 > PAGE_SIZE;
    list.truncate(PAGE_SIZE as usize);
    list.reverse();
    let older = list
        .first()
        .filter(|_| more)
        .map(|m| format!("/n/{slug}/messages/{}?before={}", c.id, m.id));
    let last_id = list.last().map(|m| m.id).unwrap_or(0);
    if before.is_none() {
        seen(state, scope, c, Some(last_id)).await?;
        // the header was counted before this page marked these read
        let newly_read = list
            .iter()
            .filter(|m| m.id > c.last_read_id && m.author_id != Some(me) && m.hidden_at.is_none())
            .count() as i64;
        if let Some(header) = ctx.me.as_mut() {
            header.unread_messages = (header.unread_messages - newly_read).max(0);
        }
    }
    let messages = message_views(scope, &ctx, &people, &list);
    let others: Vec<&PersonView> = people
        .iter()
        .filter(|p| p.account_id != me && !p.left)
        .collect();
    let other = if c.kind == "direct" {
        match people.iter().find(|p| p.account_id != me) {
            Some(p) => {
                let profile = p
                    .who
                    .href
                    .as_deref()
                    .and_then(|h| h.rsplit('/').next())
                    .and_then(|id| id.parse().ok());
                match profile {
                    Some(profile) => Some((
                        profile,
                        stored::blocked_by_me(&state.db, scope.id(), me, p.account_id).await?,
                    )),
                    None => None,
                }
            }
            None => None,
        }
    } else {
        None
    };
    let mine = crate::profiles::my_profile(state, scope).await?;
    let p = &mine.profile;
    let contact = ContactField::ALL
        .iter()
        .map(|f| {
            let v = match f {
                ContactField::Email => p.email.clone(),
                ContactField::Phone => p.phone.clone(),
                ContactField::Company => p.company.clone(),
                ContactField::Title => p.title.clone(),
                ContactField::Links => p.links.join(" "),
            };
            (f.as_str(), contact_label(*f), v)
        })
        .filter(|(_, _, v)| !v.trim().is_empty())
        .collect();
    Ok(ConversationPage {
        name: conversation_name(&c.title, &others, &ctx),
        id: c.id,
        direct: c.kind == "direct",
        open: open_for_writing(state, scope, c).await?,
        people,
        messages,
        older,
        last_id,
        body,
        error,
        once: random_token()[..32].to_string(),
        max_body: grouped(MAX_BODY_CHARS as i64),
        contact,
        other,
        notice,
        guidelines: crate::networks::guidelines(state, &scope.network, ctx.lang).await?,
        report_error_key: String::new(),
        slug,
        ctx,
    })
}

/// `GET /n/{slug}/messages/{conversation_id}`
pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    Query(q): Query<ConversationQuery>,
) -> Result<ConversationPage, AppError> {
    let c = conversation_for(&state, &scope, id).await?;
    let notice = match q.done.as_deref() {
        Some("shared") => Some(ctx.t("messages.notice_shared")),
        Some("blocked") => Some(ctx.t("messages.notice_blocked")),
        Some("unblocked") => Some(ctx.t("messages.notice_unblocked")),
        Some("reported") => Some(ctx.t("moderation.notice_reported")),
        _ => None,
    };
    conversation_page(
        &state,
        ctx,
        &scope,
        &c,
        q.before,
        String::new(),
        None,
        notice,
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "messages/items.html")]
pub struct ItemsFragment {
    pub ctx: PageCtx,
    pub slug: String,
    pub id: i64,
    pub messages: Vec<MessageView>,
    pub guidelines: String,
    pub report_error_key: String,
}

#[derive(Deserialize, Default)]
pub struct SinceQuery {
    pub after: Option<i64>,
}

/// `GET /n/{slug}/messages/{conversation_id}/since?after=ID`: the messages
/// after `ID` as HTML list items (the page's script appends them), marked
/// read.
pub async fn since(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    Query(q): Query<SinceQuery>,
) -> Result<ItemsFragment, AppError> {
    let c = conversation_for(&state, &scope, id).await?;
    let list = stored::since(
        &state.db,
        scope.id(),
        c.id,
        q.after.unwrap_or(0).max(0),
        PAGE_SIZE,
    )
    .await?;
    seen(&state, &scope, &c, list.last().map(|m| m.id)).await?;
    let people = people_of(&state, &ctx, &scope, c.id).await?;
    Ok(ItemsFragment {
        slug: scope.slug().to_string(),
        id: c.id,
        messages: message_views(&scope, &ctx, &people, &list),
        guidelines: crate::networks::guidelines(&state, &scope.network, ctx.lang).await?,
        report_error_key: String::new(),
        ctx,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SendForm {
    pub body: String,
    pub once: String,
}

/// `POST /n/{slug}/messages/{conversation_id}`
pub async fn send_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<SendForm>,
) -> Result<Response, AppError> {
    let c = conversation_for(&state, &scope, id).await?;
    match send(&state, &scope, &c, &form.body, Some(&form.once)).await? {
        Ok(_) => {
            Ok(Redirect::to(&format!("/n/{}/messages/{id}#latest", scope.slug())).into_response())
        }
        Err(e) => {
            let page = conversation_page(
                &state,
                ctx.clone(),
                &scope,
                &c,
                None,
                form.body,
                Some(ctx.t(e.key)),
                None,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// The conversation's page with an error shown (a refused report).
pub async fn page_with_error(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
    c: &Conversation,
    error_key: Option<&str>,
) -> Result<ConversationPage, AppError> {
    let error = error_key.map(|k| ctx.t(k));
    conversation_page(state, ctx, scope, c, None, String::new(), error, None).await
}

/// `POST /n/{slug}/messages/{conversation_id}/contact` (`fields`, repeated)
pub async fn contact_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let c = conversation_for(&state, &scope, id).await?;
    let fields: Vec<ContactField> = pairs
        .iter()
        .filter(|(k, _)| k == "fields")
        .filter_map(|(_, v)| ContactField::parse(v))
        .collect();
    match share_contact(&state, &scope, &c, &fields).await? {
        Ok(_) => Ok(Redirect::to(&format!(
            "/n/{}/messages/{id}?done=shared#latest",
            scope.slug()
        ))
        .into_response()),
        Err(e) => {
            let page = conversation_page(
                &state,
                ctx.clone(),
                &scope,
                &c,
                None,
                String::new(),
                Some(ctx.t(e.key)),
                None,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// `POST /n/{slug}/messages/{conversation_id}/leave`
pub async fn leave_form(
    State(state): State<AppState>,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(_): CsrfForm<crate::signin::NoFields>,
) -> Result<Response, AppError> {
    let c = conversation_for(&state, &scope, id).await?;
    stored::leave(
        &state.db,
        scope.id(),
        c.id,
        scope.membership.account_id,
        now_ms(),
    )
    .await?;
    Ok(Redirect::to(&format!("/n/{}/messages?done=left", scope.slug())).into_response())
}

/// Blocks (`on`) or unblocks a member by profile; the blocked person is not
/// told. One's own profile, or a profile one may not see: 404.
pub async fn set_block(
    state: &AppState,
    scope: &NetworkScope,
    viewer: &Viewer,
    profile: i64,
    on: bool,
) -> Result<(), AppError> {
    let (p, _) = visible_person(state, scope, profile).await?;
    let me = scope.membership.account_id;
    let other = p
        .account_id
        .filter(|a| *a != me)
        .ok_or(AppError::NotFound)?;
    if on {
        stored::block(&state.db, scope.id(), me, other, now_ms()).await?;
    } else {
        stored::unblock(&state.db, scope.id(), me, other).await?;
    }
    state
        .record_event(
            Some(scope.network.id),
            Some(me),
            if on {
                "member.blocked"
            } else {
                "member.unblocked"
            },
            Some(&profile.to_string()),
            &viewer.ip_text(),
        )
        .await;
    Ok(())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BlockForm {
    /// `1` blocks, anything else unblocks.
    pub on: String,
    /// Where to go back to: a conversation's id, else the inbox.
    pub back: String,
}

/// `POST /n/{slug}/people/{profile_id}/block`
pub async fn block_form(
    State(state): State<AppState>,
    scope: NetworkScope,
    viewer: Viewer,
    Path((_slug, profile)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<BlockForm>,
) -> Result<Response, AppError> {
    let on = form.on == "1";
    set_block(&state, &scope, &viewer, profile, on).await?;
    let done = if on { "blocked" } else { "unblocked" };
    let to = match form.back.trim().parse::<i64>() {
        Ok(c) => format!("/n/{}/messages/{c}?done={done}", scope.slug()),
        Err(_) => format!("/n/{}/messages?done={done}", scope.slug()),
    };
    Ok(Redirect::to(&to).into_response())
}
