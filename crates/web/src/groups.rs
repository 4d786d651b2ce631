//! Groups, as pages: the list, proposing or creating one, a group's page
//! with its space shown plainly, joining (at once, by request, or by
//! invitation), its members and requests, and its own feed.
//! [`crate::groups_api`] offers the same through the JSON API.
//!
//! Every rule comes from `core::groups`; [`group_for`] resolves a group
//! and the viewer's standing once, and answers 404 for a group that does
//! not exist for the viewer (another space, hidden, someone else's
//! proposal) — the same answer as for one that does not exist at all.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use enishi_core::groups::{
    self, Access, Category, FieldError, JoinOutcome, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, Space,
    Standing, Status,
};
use enishi_core::posts::Cursor;
use enishi_core::text::grouped;
use enishi_store::groups::{self as stored, Group, NewGroup};
use enishi_store::now_ms;
use enishi_store::posts::Feed;
use serde::Deserialize;

use crate::auth::Viewer;
use crate::csrf::CsrfForm;
use crate::ctx::PageCtx;
use crate::posts::{AuthorView, PostInput, PostView, load_feed, views};
use crate::scope::NetworkScope;
use crate::{AppError, AppState};

/// A group as the viewer stands to it.
#[derive(Clone, Debug)]
pub struct GroupCtx {
    pub group: Group,
    pub space: Space,
    pub access: Access,
    pub status: Status,
    pub category: Category,
    pub viewer: groups::Viewer,
}

impl GroupView {
    /// How many belong, written out (`1,204`).
    pub fn members_text(&self) -> String {
        grouped(self.members)
    }
}

impl GroupCtx {
    pub fn may_read(&self) -> bool {
        groups::may_read(self.space, self.access, self.status, &self.viewer)
    }
    pub fn may_post(&self) -> bool {
        groups::may_post(self.space, self.access, self.status, &self.viewer)
    }
    pub fn may_manage(&self) -> bool {
        groups::may_manage(self.space, &self.viewer)
    }
    pub fn is_steward(&self) -> bool {
        groups::is_steward(self.space, self.viewer.kind, self.viewer.role)
    }
}

fn parsed(group: &Group) -> Result<(Space, Access, Status, Category), AppError> {
    match (
        Space::parse(&group.space),
        Access::parse(&group.access),
        Status::parse(&group.status),
        Category::parse(&group.category),
    ) {
        (Some(s), Some(a), Some(st), Some(c)) => Ok((s, a, st, c)),
        _ => Err(AppError::Internal(format!(
            "group {} has unknown words",
            group.id
        ))),
    }
}

/// The group `id` as `scope`'s member stands to it; 404 when it does not
/// exist for them.
pub async fn group_for(
    state: &AppState,
    scope: &NetworkScope,
    id: i64,
) -> Result<GroupCtx, AppError> {
    let group = stored::get(&state.db, scope.id(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (space, access, status, category) = parsed(&group)?;
    let me = scope.membership.account_id;
    let standing = stored::standing(&state.db, scope.id(), id, me)
        .await?
        .and_then(|s| Standing::parse(&s));
    let viewer = groups::Viewer {
        kind: scope.kind,
        role: scope.role,
        standing,
        proposer: group.proposed_by == Some(me),
    };
    if !groups::may_see(space, access, status, &viewer) {
        return Err(AppError::NotFound);
    }
    Ok(GroupCtx {
        group,
        space,
        access,
        status,
        category,
        viewer,
    })
}

/// A group as written in the form or the API.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct GroupInput {
    pub name: String,
    /// Markdown.
    pub description: String,
    /// `era`, `department`, `region` or `interest`.
    pub category: String,
    /// `open`, `request` or `hidden`.
    pub access: String,
    /// `shared` (company and alumni), `alumni` or `staff`.
    pub space: String,
}

/// Creates a group (a steward of its space) or proposes it (anyone else):
/// its id and status.
pub async fn create(
    state: &AppState,
    scope: &NetworkScope,
    input: &GroupInput,
) -> Result<Result<(i64, Status), Vec<FieldError>>, AppError> {
    let draft = match groups::check(
        &input.name,
        &input.description,
        &input.category,
        &input.access,
        &input.space,
        scope.kind,
    ) {
        Ok(d) => d,
        Err(e) => return Ok(Err(e)),
    };
    let status = if groups::is_steward(draft.space, scope.kind, scope.role) {
        Status::Active
    } else {
        Status::Proposed
    };
    let id = stored::create(
        &state.db,
        scope.id(),
        &NewGroup {
            name: &draft.name,
            description: &draft.description,
            category: draft.category.as_str(),
            access: draft.access.as_str(),
            space: draft.space.as_str(),
            status: status.as_str(),
            creator: scope.membership.account_id,
        },
        now_ms(),
    )
    .await?;
    Ok(Ok((id, status)))
}

/// Joins, asks to join, or accepts an invitation.
pub async fn join(
    state: &AppState,
    scope: &NetworkScope,
    g: &GroupCtx,
) -> Result<JoinOutcome, AppError> {
    let outcome = groups::join(g.access, g.status, g.viewer.standing, g.is_steward());
    let standing = match outcome {
        JoinOutcome::Joined => Standing::Member,
        JoinOutcome::Requested => Standing::Requested,
        JoinOutcome::Unchanged => return Ok(outcome),
        JoinOutcome::Refused => return Err(AppError::NotFound),
    };
    stored::set_standing(
        &state.db,
        scope.id(),
        g.group.id,
        scope.membership.account_id,
        standing.as_str(),
        now_ms(),
    )
    .await?;
    Ok(outcome)
}

/// Leaves (or withdraws a request, or declines an invitation). The last
/// owner stays: `Err(key)` says why.
pub async fn leave(
    state: &AppState,
    scope: &NetworkScope,
    g: &GroupCtx,
) -> Result<Result<(), &'static str>, AppError> {
    if g.viewer.standing == Some(Standing::Owner)
        && stored::owners(&state.db, scope.id(), g.group.id).await? <= 1
    {
        return Ok(Err("groups.last_owner"));
    }
    stored::remove(
        &state.db,
        scope.id(),
        g.group.id,
        scope.membership.account_id,
    )
    .await?;
    Ok(Ok(()))
}

// ─────────────────────────────── views ───────────────────────────────

/// A group as the viewer sees it: in a list, at the top of its page, and
/// in the API.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct GroupView {
    pub id: i64,
    pub name: String,
    /// `era`, `department`, `region` or `interest`.
    pub category: &'static str,
    /// `open`, `request` or `hidden`.
    pub access: &'static str,
    /// `shared` (company and alumni), `alumni` (HR and staff cannot read
    /// it) or `staff`.
    pub space: &'static str,
    /// `proposed`, `active` or `declined`.
    pub status: &'static str,
    /// The viewer's: `owner`, `member`, `requested`, `invited`, or null.
    pub standing: Option<&'static str>,
    /// How many belong (owners and members).
    pub members: i64,
}

fn group_view(g: &Group, standing: Option<Standing>, members: i64) -> Result<GroupView, AppError> {
    let (space, access, status, category) = parsed(g)?;
    Ok(GroupView {
        id: g.id,
        name: g.name.clone(),
        category: category.as_str(),
        access: access.as_str(),
        space: space.as_str(),
        status: status.as_str(),
        standing: standing.map(Standing::as_str),
        members,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "groups/list.html")]
pub struct ListPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub mine: Vec<GroupView>,
    pub others: Vec<GroupView>,
    pub proposals: Vec<GroupView>,
    pub category: String,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub category: Option<String>,
}

/// The group typed as an audience (its id as text), when it is one the
/// member can reach and read; `None` otherwise (unknown, unreadable, not
/// a number).
pub async fn readable_id(
    state: &AppState,
    scope: &NetworkScope,
    text: &str,
) -> Result<Option<i64>, AppError> {
    let Ok(id) = text.trim().parse::<i64>() else {
        return Ok(None);
    };
    match group_for(state, scope, id).await {
        Ok(g) if g.may_read() => Ok(Some(g.group.id)),
        Ok(_) | Err(AppError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The active groups the member may choose as an audience (theirs first):
/// (id, name).
pub async fn active_choices(
    state: &AppState,
    scope: &NetworkScope,
) -> Result<Vec<(i64, String)>, AppError> {
    let (mine, others, _) = visible_groups(state, scope, None).await?;
    Ok(mine
        .into_iter()
        .chain(others)
        .filter(|g| g.status == "active")
        .map(|g| (g.id, g.name))
        .collect())
}

/// The groups that exist for the viewer, split: theirs, the others, and
/// (for stewards) proposals to decide. With a category, only that kind.
pub async fn visible_groups(
    state: &AppState,
    scope: &NetworkScope,
    category: Option<Category>,
) -> Result<(Vec<GroupView>, Vec<GroupView>, Vec<GroupView>), AppError> {
    let spaces: Vec<&str> = Space::admitting(scope.kind)
        .iter()
        .map(|s| s.as_str())
        .collect();
    let me = scope.membership.account_id;
    let listed = stored::list(&state.db, scope.id(), &spaces, me).await?;
    let (mut mine, mut others, mut proposals) = (Vec::new(), Vec::new(), Vec::new());
    for row in listed {
        let (space, access, status, cat) = parsed(&row.group)?;
        if category.is_some_and(|c| c != cat) {
            continue;
        }
        let standing = row.standing.as_deref().and_then(Standing::parse);
        let viewer = groups::Viewer {
            kind: scope.kind,
            role: scope.role,
            standing,
            proposer: row.group.proposed_by == Some(me),
        };
        if !groups::may_see(space, access, status, &viewer) {
            continue;
        }
        let view = group_view(&row.group, standing, row.members)?;
        if status != Status::Active {
            proposals.push(view);
        } else if standing.is_some() {
            mine.push(view);
        } else {
            others.push(view);
        }
    }
    Ok((mine, others, proposals))
}

/// `GET /n/{slug}/groups`
pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Query(q): Query<ListQuery>,
) -> Result<ListPage, AppError> {
    let category = q.category.as_deref().and_then(Category::parse);
    let (mine, others, proposals) = visible_groups(&state, &scope, category).await?;
    Ok(ListPage {
        slug: scope.slug().to_string(),
        mine,
        others,
        proposals,
        category: category.map(|c| c.as_str().to_string()).unwrap_or_default(),
        ctx,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "groups/new.html")]
pub struct NewPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub input: GroupInput,
    pub errors: Vec<FieldError>,
    /// The spaces the member may make a group in.
    pub spaces: Vec<&'static str>,
    pub max_name: usize,
    pub max_description: String,
}

impl NewPage {
    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| self.ctx.t(e.key))
    }
}

fn new_page(
    ctx: PageCtx,
    scope: &NetworkScope,
    input: GroupInput,
    errors: Vec<FieldError>,
) -> NewPage {
    NewPage {
        slug: scope.slug().to_string(),
        input,
        errors,
        spaces: Space::admitting(scope.kind)
            .iter()
            .map(|s| s.as_str())
            .collect(),
        max_name: MAX_NAME_CHARS,
        max_description: grouped(MAX_DESCRIPTION_CHARS as i64),
        ctx,
    }
}

/// `GET /n/{slug}/groups/new`
pub async fn new_form(ctx: PageCtx, scope: NetworkScope) -> NewPage {
    let input = GroupInput {
        category: "interest".into(),
        access: "open".into(),
        space: "shared".into(),
        ..GroupInput::default()
    };
    new_page(ctx, &scope, input, Vec::new())
}

/// `POST /n/{slug}/groups`
pub async fn create_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    CsrfForm(input): CsrfForm<GroupInput>,
) -> Result<Response, AppError> {
    match create(&state, &scope, &input).await? {
        Ok((id, status)) => {
            let done = if status == Status::Active {
                "created"
            } else {
                "proposed"
            };
            Ok(
                Redirect::to(&format!("/n/{}/groups/{id}?done={done}", scope.slug()))
                    .into_response(),
            )
        }
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            new_page(ctx, &scope, input, errors),
        )
            .into_response()),
    }
}

/// Someone in the group, for its page.
#[derive(Clone, Debug)]
pub struct MemberView {
    pub account_id: i64,
    pub standing: &'static str,
    pub author: AuthorView,
}

#[derive(Template, WebTemplate)]
#[template(path = "groups/group.html")]
pub struct GroupPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub group: GroupView,
    pub description_html: String,
    pub may_read: bool,
    pub may_post: bool,
    pub may_manage: bool,
    pub is_steward: bool,
    pub members: Vec<MemberView>,
    pub requests: Vec<MemberView>,
    pub posts: Vec<PostView>,
    pub next: Option<String>,
    pub input: PostInput,
    pub post_errors: Vec<enishi_core::posts::FieldError>,
    pub once: String,
    pub notice: Option<String>,
    pub max_body: String,
}

impl GroupPage {
    pub fn post_error(&self) -> Option<&'static str> {
        self.post_errors.first().map(|e| self.ctx.t(e.key))
    }
}

#[derive(Deserialize, Default)]
pub struct GroupQuery {
    pub done: Option<String>,
    pub after: Option<String>,
}

async fn group_page(
    state: &AppState,
    ctx: PageCtx,
    scope: &NetworkScope,
    g: &GroupCtx,
    after: Option<Cursor>,
    draft: (PostInput, Vec<enishi_core::posts::FieldError>),
    notice: Option<String>,
) -> Result<GroupPage, AppError> {
    let everyone = stored::members(&state.db, scope.id(), g.group.id).await?;
    let member_count = everyone
        .iter()
        .filter(|m| Standing::parse(&m.standing).is_some_and(Standing::is_member))
        .count();
    let view_of = |m: &stored::Member| MemberView {
        account_id: m.account_id,
        standing: Standing::parse(&m.standing)
            .map(Standing::as_str)
            .unwrap_or("member"),
        author: AuthorView::of(
            scope,
            ctx.lang,
            Some(m.account_id),
            &m.author,
            ctx.t("posts.former_member"),
        ),
    };
    let (members, requests): (Vec<MemberView>, Vec<MemberView>) = everyone
        .iter()
        .map(view_of)
        .partition(|m| m.standing == "owner" || m.standing == "member");
    let (posts, next) = if g.may_read() {
        let page = load_feed(state, scope, Feed::Group(g.group.id), after).await?;
        let next = page.next.map(|c| {
            format!(
                "/n/{}/groups/{}?after={}",
                scope.slug(),
                g.group.id,
                c.encode()
            )
        });
        (views(state, &ctx, scope, &page.posts).await?, next)
    } else {
        (Vec::new(), None)
    };
    Ok(GroupPage {
        slug: scope.slug().to_string(),
        group: group_view(&g.group, g.viewer.standing, member_count as i64)?,
        description_html: crate::markdown::render(&g.group.description),
        may_read: g.may_read(),
        may_post: g.may_post(),
        may_manage: g.may_manage(),
        is_steward: g.is_steward(),
        members: if g.may_read() || g.may_manage() {
            members
        } else {
            Vec::new()
        },
        requests: if g.may_manage() { requests } else { Vec::new() },
        posts,
        next,
        input: draft.0,
        post_errors: draft.1,
        once: crate::csrf::random_token()[..32].to_string(),
        notice,
        max_body: grouped(enishi_core::posts::MAX_BODY_CHARS as i64),
        ctx,
    })
}

/// `GET /n/{slug}/groups/{group_id}`
pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    Query(q): Query<GroupQuery>,
) -> Result<GroupPage, AppError> {
    let g = group_for(&state, &scope, id).await?;
    let notice = q
        .done
        .as_deref()
        .filter(|d| DONE.contains(d))
        .map(|d| ctx.t(&format!("groups.done_{d}")).to_string());
    let after = q.after.as_deref().and_then(Cursor::decode);
    group_page(
        &state,
        ctx,
        &scope,
        &g,
        after,
        (PostInput::default(), Vec::new()),
        notice,
    )
    .await
}

/// The `?done=` notices a group page knows.
const DONE: &[&str] = &[
    "created",
    "proposed",
    "joined",
    "requested",
    "left",
    "approved",
    "declined",
    "removed",
    "invited",
    "group_approved",
    "group_declined",
    "posted",
];

fn back(scope: &NetworkScope, id: i64, done: &str) -> Response {
    Redirect::to(&format!("/n/{}/groups/{id}?done={done}", scope.slug())).into_response()
}

/// `POST /n/{slug}/groups/{group_id}/join`
pub async fn join_form(
    State(state): State<AppState>,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(_): CsrfForm<crate::signin::NoFields>,
) -> Result<Response, AppError> {
    let g = group_for(&state, &scope, id).await?;
    let done = match join(&state, &scope, &g).await? {
        JoinOutcome::Requested => "requested",
        _ => "joined",
    };
    Ok(back(&scope, id, done))
}

/// `POST /n/{slug}/groups/{group_id}/leave`
pub async fn leave_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(_): CsrfForm<crate::signin::NoFields>,
) -> Result<Response, AppError> {
    let g = group_for(&state, &scope, id).await?;
    match leave(&state, &scope, &g).await? {
        Ok(()) => {
            Ok(Redirect::to(&format!("/n/{}/groups?done=left", scope.slug())).into_response())
        }
        Err(key) => Err(AppError::Conflict(ctx.t(key))),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MemberForm {
    pub account_id: String,
    /// `approve`, `decline` or `remove`.
    pub action: String,
}

/// `POST /n/{slug}/groups/{group_id}/members` (the group's owners and the
/// space's stewards)
/// Approves or declines a request to join, or removes a member (the
/// group's owners and its space's moderators); `done` word for the page.
pub async fn change_member(
    state: &AppState,
    scope: &NetworkScope,
    viewer: &Viewer,
    id: i64,
    who: i64,
    action: &str,
) -> Result<&'static str, AppError> {
    let g = group_for(state, scope, id).await?;
    if !g.may_manage() {
        return Err(AppError::NotFound);
    }
    let net = scope.id();
    let (changed, done) = match action {
        "approve" => (
            stored::change_standing(&state.db, net, id, who, "requested", "member").await?,
            "approved",
        ),
        "decline" => {
            let target = stored::standing(&state.db, net, id, who).await?;
            (
                target.as_deref() == Some("requested")
                    && stored::remove(&state.db, net, id, who).await?,
                "declined",
            )
        }
        "remove" => {
            let target = stored::standing(&state.db, net, id, who).await?;
            if target.as_deref() == Some("owner") {
                return Err(AppError::BadRequest);
            }
            (stored::remove(&state.db, net, id, who).await?, "removed")
        }
        _ => return Err(AppError::BadRequest),
    };
    if !changed {
        return Err(AppError::NotFound);
    }
    if action == "approve" {
        let about = crate::notifications::About {
            group: Some(id),
            ..Default::default()
        };
        crate::notifications::notify(
            state,
            scope,
            &[(who, enishi_core::notifications::Kind::JoinAccepted)],
            about,
        )
        .await;
    }
    state
        .record_event(
            Some(scope.network.id),
            Some(scope.membership.account_id),
            &format!("group.member_{action}"),
            Some(&format!("{id}/{who}")),
            &viewer.ip_text(),
        )
        .await;
    Ok(done)
}

pub async fn member_form(
    State(state): State<AppState>,
    scope: NetworkScope,
    viewer: Viewer,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<MemberForm>,
) -> Result<Response, AppError> {
    // an unreadable id is nobody: 404 after the group's own checks
    let who: i64 = form.account_id.trim().parse().unwrap_or(0);
    let done = change_member(&state, &scope, &viewer, id, who, &form.action).await?;
    Ok(back(&scope, id, done))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InviteForm {
    pub email: String,
}

/// `POST /n/{slug}/groups/{group_id}/invite`: invites a member of the
/// network by their address. The answer is the same whether or not the
/// address is a member's, so the form cannot be used to test addresses.
/// Invites a member by address to a group the member manages. The answer
/// is the same whether or not the address is a member's who may join.
pub async fn invite(
    state: &AppState,
    scope: &NetworkScope,
    id: i64,
    email: &str,
) -> Result<(), AppError> {
    let g = group_for(state, scope, id).await?;
    if !g.may_manage() {
        return Err(AppError::NotFound);
    }
    let address = email.trim().to_lowercase();
    if let Some(account) = enishi_store::accounts::by_verified_email(&state.db, &address).await?
        && let Some(m) =
            enishi_store::memberships::of_account(&state.db, scope.id(), account.id).await?
        && m.status == "active"
        && enishi_core::networks::Kind::parse(&m.kind).is_some_and(|k| g.space.admits(k))
        && stored::standing(&state.db, scope.id(), id, account.id)
            .await?
            .is_none()
    {
        stored::set_standing(&state.db, scope.id(), id, account.id, "invited", now_ms()).await?;
    }
    Ok(())
}

pub async fn invite_form(
    State(state): State<AppState>,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> Result<Response, AppError> {
    invite(&state, &scope, id, &form.email).await?;
    Ok(back(&scope, id, "invited"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewForm {
    /// `approve` or `decline`.
    pub decision: String,
}

/// `POST /n/{slug}/groups/{group_id}/review` (stewards of the group's space)
/// Approves or declines a proposed group (its space's moderators): the
/// `done` word for the page.
pub async fn review(
    state: &AppState,
    ctx: &PageCtx,
    scope: &NetworkScope,
    viewer: &Viewer,
    id: i64,
    decision: &str,
) -> Result<&'static str, AppError> {
    let g = group_for(state, scope, id).await?;
    if !g.is_steward() {
        return Err(AppError::NotFound);
    }
    let (status, done) = match decision {
        "approve" => (Status::Active, "group_approved"),
        "decline" => (Status::Declined, "group_declined"),
        _ => return Err(AppError::BadRequest),
    };
    let me = scope.membership.account_id;
    if !stored::decide(&state.db, scope.id(), id, status.as_str(), me, now_ms()).await? {
        return Err(AppError::Conflict(ctx.t("groups.already_decided")));
    }
    if let Some(proposer) = g.group.proposed_by.filter(|p| *p != me) {
        let kind = if status == Status::Active {
            enishi_core::notifications::Kind::GroupApproved
        } else {
            enishi_core::notifications::Kind::GroupDeclined
        };
        let about = crate::notifications::About {
            group: Some(id),
            ..Default::default()
        };
        crate::notifications::notify(state, scope, &[(proposer, kind)], about).await;
    }
    state
        .record_event(
            Some(scope.network.id),
            Some(me),
            &format!("group.{}", status.as_str()),
            Some(&id.to_string()),
            &viewer.ip_text(),
        )
        .await;
    Ok(done)
}

pub async fn review_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    viewer: Viewer,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> Result<Response, AppError> {
    let done = review(&state, &ctx, &scope, &viewer, id, &form.decision).await?;
    Ok(back(&scope, id, done))
}

/// `POST /n/{slug}/groups/{group_id}/posts`: a post in the group's feed
/// (its members only).
pub async fn post_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    scope: NetworkScope,
    Path((_slug, id)): Path<(String, i64)>,
    composer: crate::posts::Composer,
) -> Result<Response, AppError> {
    let g = group_for(&state, &scope, id).await?;
    if !g.may_post() {
        return Err(AppError::NotFound);
    }
    let once = composer.form.once.clone();
    let input = match composer.input(&state, &scope, Some(id)).await? {
        Ok(input) => input,
        Err((input, errors)) => {
            let page = group_page(&state, ctx, &scope, &g, None, (input, errors), None).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    match crate::posts::create(&state, &scope, Some(id), &input, Some(&once)).await? {
        Ok((post_id, _)) => Ok(Redirect::to(&format!(
            "/n/{}/groups/{id}?done=posted#post-{post_id}",
            scope.slug()
        ))
        .into_response()),
        Err(errors) => {
            let page = group_page(&state, ctx, &scope, &g, None, (input, errors), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
