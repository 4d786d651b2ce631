//! The route table: every path the application answers, with its method,
//! handler and access rule. [`router`] builds the axum router from it (and
//! the OpenAPI document from its API rows); the authorization-matrix test
//! walks [`table`] and checks each row for every kind of visitor.
//!
//! A row is added here, in the capability's place, or nowhere.

use axum::Router;
use axum::extract::Request;
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use utoipa::openapi::path::HttpMethod;
use utoipa::openapi::{OpenApi, PathItem};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use crate::auth::Viewer;
use crate::scope::{self, Need};
use crate::{
    AppError, AppState, account, account_api, api, assets, business_matching, businesses, error,
    events_api, events_pages, groups, groups_api, images, intake, live, messages, messages_api,
    moderation, network_admin, networks, networks_api, notifications, operator, opportunities_api,
    opportunities_pages, opportunities_pipeline, posts, posts_api, profiles, profiles_api, signin,
    site,
};

/// Who may call a route. Each later capability adds its rules here
/// (network member, network admin, …) with their enforcement in
/// [`Access::layer`]; the matrix test covers each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// A signed-in account. Others: pages redirect to sign-in (GET) or get
    /// 401; the API answers 401.
    SignedIn,
    /// A platform operator. Signed-in others get 404 (the page's existence
    /// is not revealed); anonymous visitors are sent to sign in.
    Operator,
    /// An active member of the network in the path's `{slug}`, who has
    /// consented to its current purposes and guidelines. Others get 404
    /// (anonymous visitors are sent to sign in).
    Member,
    /// An active member whose consent may be out of date (the consent and
    /// leave pages).
    MemberAnyConsent,
    /// An active owner or admin of the network.
    NetworkAdmin,
    /// An active moderator, admin or owner of the network (community
    /// stewardship: group proposals; later, the moderation queue).
    NetworkModerator,
    /// An active member who may post opportunities: admins, and current
    /// staff an admin authorised. Others get 404.
    OpportunityPoster,
}

/// What a row serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An HTML page or a form target.
    Page,
    /// A JSON API operation (documented in OpenAPI).
    Api,
    /// A machine endpoint: health probes, static files, the API document.
    Machine,
}

enum Endpoint {
    Plain {
        method: Method,
        path: &'static str,
        handler: MethodRouter<AppState>,
    },
    Api(UtoipaMethodRouter<AppState>),
}

/// One row of the table.
pub struct Route {
    pub access: Access,
    pub kind: Kind,
    endpoint: Endpoint,
}

impl Route {
    fn plain(
        kind: Kind,
        method: Method,
        path: &'static str,
        access: Access,
        handler: MethodRouter<AppState>,
    ) -> Route {
        Route {
            access,
            kind,
            endpoint: Endpoint::Plain {
                method,
                path,
                handler,
            },
        }
    }

    fn api(access: Access, handler: UtoipaMethodRouter<AppState>) -> Route {
        Route {
            access,
            kind: Kind::Api,
            endpoint: Endpoint::Api(handler),
        }
    }

    /// The method and path template (`/static/{file}`) of this row.
    pub fn method_and_path(&self) -> (Method, String) {
        match &self.endpoint {
            Endpoint::Plain { method, path, .. } => (method.clone(), (*path).to_string()),
            Endpoint::Api((_, paths, _)) => {
                let (path, item) = paths
                    .paths
                    .iter()
                    .next()
                    .expect("an API row documents exactly one path");
                (method_of(item), path.clone())
            }
        }
    }
}

fn method_of(item: &PathItem) -> Method {
    let found = [
        (HttpMethod::Get, item.get.is_some()),
        (HttpMethod::Post, item.post.is_some()),
        (HttpMethod::Put, item.put.is_some()),
        (HttpMethod::Patch, item.patch.is_some()),
        (HttpMethod::Delete, item.delete.is_some()),
    ]
    .into_iter()
    .find(|(_, present)| *present)
    .map(|(m, _)| m)
    .expect("an API row documents one operation");
    match found {
        HttpMethod::Get => Method::GET,
        HttpMethod::Post => Method::POST,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Patch => Method::PATCH,
        _ => Method::DELETE,
    }
}

/// A page row (HTML or a form target).
fn page(
    method: Method,
    path: &'static str,
    access: Access,
    handler: MethodRouter<AppState>,
) -> Route {
    Route::plain(Kind::Page, method, path, access, handler)
}

/// Every route of the application.
pub fn table() -> Vec<Route> {
    use Access::{Operator, Public, SignedIn};
    use Kind::{Machine, Page};
    let (get_, post_) = (Method::GET, Method::POST);
    let mut rows = vec![
        // sign-in and accounts
        page(get_.clone(), "/signin", Public, get(signin::signin_page)),
        page(
            post_.clone(),
            "/signin",
            Public,
            post(signin::signin_password),
        ),
        page(
            post_.clone(),
            "/signin/link",
            Public,
            post(signin::request_link),
        ),
        page(get_.clone(), "/signin/link", Public, get(signin::link_page)),
        page(
            post_.clone(),
            "/signin/link/confirm",
            Public,
            post(signin::confirm_link),
        ),
        page(post_.clone(), "/signout", SignedIn, post(signin::signout)),
        page(
            get_.clone(),
            "/password/reset",
            Public,
            get(signin::reset_page),
        ),
        page(
            post_.clone(),
            "/password/reset/request",
            Public,
            post(signin::request_reset),
        ),
        page(
            post_.clone(),
            "/password/reset",
            Public,
            post(signin::reset_password),
        ),
        page(
            get_.clone(),
            "/account",
            SignedIn,
            get(account::settings_page),
        ),
        page(
            post_.clone(),
            "/account",
            SignedIn,
            post(account::save_settings),
        ),
        page(
            post_.clone(),
            "/account/password",
            SignedIn,
            post(account::change_password),
        ),
        page(
            get_.clone(),
            "/account/emails",
            SignedIn,
            get(account::emails_page),
        ),
        page(
            post_.clone(),
            "/account/emails",
            SignedIn,
            post(account::add_email),
        ),
        page(
            get_.clone(),
            "/account/emails/verify",
            Public,
            get(account::verify_email),
        ),
        page(
            post_.clone(),
            "/account/emails/{email_id}/primary",
            SignedIn,
            post(account::make_primary),
        ),
        page(
            post_.clone(),
            "/account/emails/{email_id}/remove",
            SignedIn,
            post(account::remove_email),
        ),
        page(
            get_.clone(),
            "/account/sessions",
            SignedIn,
            get(account::sessions_page),
        ),
        page(
            post_.clone(),
            "/account/sessions/{session_id}/revoke",
            SignedIn,
            post(account::revoke_session),
        ),
        page(
            post_.clone(),
            "/account/sessions/revoke-all",
            SignedIn,
            post(account::revoke_all_sessions),
        ),
        page(
            get_.clone(),
            "/account/tokens",
            SignedIn,
            get(account::tokens_page),
        ),
        page(
            post_.clone(),
            "/account/tokens",
            SignedIn,
            post(account::create_token),
        ),
        page(
            post_.clone(),
            "/account/tokens/{token_id}/revoke",
            SignedIn,
            post(account::revoke_token),
        ),
        // platform operator
        page(get_.clone(), "/operator", Operator, get(operator::home)),
        page(
            get_.clone(),
            "/operator/outbox",
            Operator,
            get(operator::outbox),
        ),
        page(
            get_.clone(),
            "/operator/outbox/{message_id}",
            Operator,
            get(operator::message),
        ),
        page(
            get_.clone(),
            "/operator/jobs",
            Operator,
            get(operator::jobs),
        ),
        page(
            get_.clone(),
            "/operator/audit",
            Operator,
            get(operator::audit),
        ),
        // site shell
        Route::plain(Page, Method::GET, "/", Public, get(site::home)),
        Route::plain(
            Page,
            Method::POST,
            "/lang",
            Public,
            post(site::set_language),
        ),
        // operations
        Route::plain(Machine, Method::GET, "/healthz", Public, get(site::healthz)),
        Route::plain(Machine, Method::GET, "/readyz", Public, get(site::readyz)),
        Route::plain(
            Machine,
            Method::GET,
            "/static/{file}",
            Public,
            get(assets::serve),
        ),
        // API documents
        Route::plain(
            Machine,
            Method::GET,
            "/api/openapi.json",
            Public,
            get(api::openapi_document),
        ),
        Route::plain(
            Machine,
            Method::GET,
            "/api/docs",
            Public,
            get(api::docs_redirect),
        ),
        Route::plain(
            Machine,
            Method::GET,
            "/api/docs/",
            Public,
            get(api::docs_index),
        ),
        Route::plain(
            Machine,
            Method::GET,
            "/api/docs/{*file}",
            Public,
            get(api::docs_file),
        ),
        // JSON API
        Route::api(Public, routes!(api::server_info)),
        Route::api(SignedIn, routes!(account_api::me)),
        Route::api(SignedIn, routes!(account_api::list_tokens)),
        Route::api(SignedIn, routes!(account_api::create_token)),
        Route::api(SignedIn, routes!(account_api::revoke_token)),
    ];
    rows.extend(network_routes());
    rows.extend(profile_routes());
    rows.extend(post_routes());
    rows.extend(group_routes());
    rows.extend(moderation_routes());
    rows.extend(message_routes());
    rows.extend(opportunity_routes());
    rows.extend(business_routes());
    rows.extend(event_routes());
    rows
}

/// The rows of direct messages and live updates.
fn message_routes() -> Vec<Route> {
    use Access::{Member, Public, SignedIn};
    let (g, p) = (Method::GET, Method::POST);
    vec![
        Route::plain(
            Kind::Machine,
            g.clone(),
            "/live",
            SignedIn,
            get(live::stream),
        ),
        page(g.clone(), "/messages", SignedIn, get(messages::any_inbox)),
        page(
            g.clone(),
            "/notifications",
            SignedIn,
            get(notifications::page),
        ),
        page(
            g.clone(),
            "/account/notifications",
            SignedIn,
            get(notifications::settings_page),
        ),
        page(
            p.clone(),
            "/account/notifications",
            SignedIn,
            post(notifications::save_settings),
        ),
        page(
            g.clone(),
            "/unsubscribe/{unsubscribe_token}",
            Public,
            get(notifications::unsubscribe_page),
        ),
        page(
            p.clone(),
            "/unsubscribe/{unsubscribe_token}",
            Public,
            post(notifications::unsubscribe),
        ),
        Route::api(
            SignedIn,
            routes!(
                notifications::settings_api,
                notifications::save_settings_api
            ),
        ),
        Route::api(SignedIn, routes!(notifications::list_api)),
        Route::api(SignedIn, routes!(notifications::read_api)),
        page(
            g.clone(),
            "/n/{slug}/messages",
            Member,
            get(messages::inbox_page),
        ),
        page(
            g.clone(),
            "/n/{slug}/messages/new",
            Member,
            get(messages::new_form),
        ),
        page(
            p.clone(),
            "/n/{slug}/messages",
            Member,
            post(messages::start_form),
        ),
        page(
            p.clone(),
            "/n/{slug}/messages/settings",
            Member,
            post(messages::settings_form),
        ),
        page(
            g.clone(),
            "/n/{slug}/messages/{conversation_id}",
            Member,
            get(messages::show),
        ),
        page(
            g.clone(),
            "/n/{slug}/messages/{conversation_id}/since",
            Member,
            get(messages::since),
        ),
        page(
            p.clone(),
            "/n/{slug}/messages/{conversation_id}",
            Member,
            post(messages::send_form),
        ),
        page(
            p.clone(),
            "/n/{slug}/messages/{conversation_id}/contact",
            Member,
            post(messages::contact_form),
        ),
        page(
            p.clone(),
            "/n/{slug}/messages/{conversation_id}/leave",
            Member,
            post(messages::leave_form),
        ),
        page(
            p.clone(),
            "/n/{slug}/messages/{conversation_id}/report/{dm_id}",
            Member,
            post(moderation::report_message_form),
        ),
        page(
            p,
            "/n/{slug}/people/{profile_id}/block",
            Member,
            post(messages::block_form),
        ),
        Route::api(Member, routes!(messages_api::inbox_api)),
        Route::api(Member, routes!(messages_api::start_api)),
        Route::api(Member, routes!(messages_api::messages_api)),
        Route::api(Member, routes!(messages_api::send_api)),
        Route::api(Member, routes!(messages_api::block_api)),
        Route::api(Member, routes!(messages_api::unblock_api)),
        Route::api(Member, routes!(messages_api::reach_api)),
    ]
}

/// The rows of networks: joining, consent, leaving, administration, API.
fn network_routes() -> Vec<Route> {
    use Access::{Member, MemberAnyConsent, NetworkAdmin, Operator, Public, SignedIn};
    let (g, p) = (Method::GET, Method::POST);
    vec![
        page(
            g.clone(),
            "/operator/networks",
            Operator,
            get(operator::networks),
        ),
        page(
            p.clone(),
            "/operator/networks",
            Operator,
            post(operator::create),
        ),
        page(g.clone(), "/n/{slug}", Member, get(networks::home)),
        page(g.clone(), "/n/{slug}/join", Public, get(networks::landing)),
        page(p.clone(), "/n/{slug}/join", SignedIn, post(networks::join)),
        page(
            g.clone(),
            "/n/{slug}/invite",
            Public,
            get(networks::invitation),
        ),
        page(
            p.clone(),
            "/n/{slug}/invite",
            Public,
            post(networks::accept_invitation),
        ),
        page(
            p.clone(),
            "/n/{slug}/invite/decline",
            Public,
            post(intake::decline),
        ),
        page(
            g.clone(),
            "/n/{slug}/consent",
            MemberAnyConsent,
            get(networks::consent_page),
        ),
        page(
            p.clone(),
            "/n/{slug}/consent",
            MemberAnyConsent,
            post(networks::give_consent),
        ),
        page(
            g.clone(),
            "/n/{slug}/leave",
            MemberAnyConsent,
            get(networks::leave_page),
        ),
        page(
            p.clone(),
            "/n/{slug}/leave",
            MemberAnyConsent,
            post(networks::leave),
        ),
        page(
            g.clone(),
            "/n/{slug}/admin/members",
            NetworkAdmin,
            get(network_admin::members),
        ),
        page(
            p.clone(),
            "/n/{slug}/admin/members/{membership_id}",
            NetworkAdmin,
            post(network_admin::change_member),
        ),
        page(
            g.clone(),
            "/n/{slug}/admin/invitations",
            NetworkAdmin,
            get(network_admin::invitations_list),
        ),
        page(
            p.clone(),
            "/n/{slug}/admin/invitations",
            NetworkAdmin,
            post(network_admin::create_invitation),
        ),
        page(
            p.clone(),
            "/n/{slug}/admin/invitations/{invitation_id}/revoke",
            NetworkAdmin,
            post(network_admin::revoke_invitation),
        ),
        page(
            g.clone(),
            "/n/{slug}/admin/alumni",
            NetworkAdmin,
            get(intake::roster),
        ),
        page(
            p.clone(),
            "/n/{slug}/admin/alumni/invite",
            NetworkAdmin,
            post(intake::invite),
        ),
        page(
            p.clone(),
            "/n/{slug}/admin/alumni/do-not-contact",
            NetworkAdmin,
            post(intake::block),
        ),
        page(
            g.clone(),
            "/n/{slug}/admin/alumni/exit",
            NetworkAdmin,
            get(intake::exit_form),
        ),
        page(
            p.clone(),
            "/n/{slug}/admin/alumni/exit",
            NetworkAdmin,
            post(intake::exit),
        ),
        page(
            g.clone(),
            "/n/{slug}/admin/alumni/settings",
            NetworkAdmin,
            get(intake::settings),
        ),
        page(
            p.clone(),
            "/n/{slug}/admin/alumni/settings",
            NetworkAdmin,
            post(intake::save_settings),
        ),
        page(
            g.clone(),
            "/n/{slug}/admin/imports",
            NetworkAdmin,
            get(intake::imports),
        ),
        page(
            p.clone(),
            "/n/{slug}/admin/imports",
            NetworkAdmin,
            post(intake::upload),
        ),
        page(
            g.clone(),
            "/n/{slug}/admin/imports/{import_id}",
            NetworkAdmin,
            get(intake::show),
        ),
        page(
            p.clone(),
            "/n/{slug}/admin/imports/{import_id}/mapping",
            NetworkAdmin,
            post(intake::remap),
        ),
        page(
            p.clone(),
            "/n/{slug}/admin/imports/{import_id}/run",
            NetworkAdmin,
            post(intake::run),
        ),
        page(
            g.clone(),
            "/n/{slug}/admin/imports/{import_id}/errors.csv",
            NetworkAdmin,
            get(intake::errors_csv),
        ),
        page(
            g.clone(),
            "/n/{slug}/admin/settings",
            NetworkAdmin,
            get(network_admin::settings),
        ),
        page(
            p.clone(),
            "/n/{slug}/admin/settings",
            NetworkAdmin,
            post(network_admin::save_settings),
        ),
        page(
            p,
            "/n/{slug}/admin/documents",
            NetworkAdmin,
            post(network_admin::publish_document),
        ),
        Route::api(SignedIn, routes!(networks_api::my_networks)),
        Route::api(Member, routes!(networks_api::network)),
        Route::api(NetworkAdmin, without_body_cap(routes!(intake::upload_api))),
        Route::api(NetworkAdmin, routes!(intake::import_api)),
        Route::api(NetworkAdmin, routes!(intake::remap_api)),
        Route::api(NetworkAdmin, routes!(intake::run_api)),
        Route::api(NetworkAdmin, routes!(intake::roster_api)),
        Route::api(NetworkAdmin, routes!(intake::invite_api)),
        Route::api(NetworkAdmin, routes!(intake::exit_api)),
        Route::api(NetworkAdmin, routes!(intake::block_api)),
        Route::api(
            NetworkAdmin,
            routes!(intake::settings_api, intake::save_settings_api),
        ),
        Route::api(NetworkAdmin, routes!(networks_api::members)),
        Route::api(NetworkAdmin, routes!(networks_api::change_member)),
        Route::api(NetworkAdmin, routes!(networks_api::create_invitation)),
        Route::api(Operator, routes!(networks_api::create_network_api)),
        Route::api(SignedIn, routes!(networks_api::join)),
        Route::api(MemberAnyConsent, routes!(networks_api::consent)),
        Route::api(MemberAnyConsent, routes!(networks_api::leave)),
        Route::api(NetworkAdmin, routes!(networks_api::settings)),
        Route::api(NetworkAdmin, routes!(networks_api::documents)),
    ]
}

/// The rows of profiles and the directory.
fn profile_routes() -> Vec<Route> {
    use Access::Member;
    let page = |method: Method, path: &'static str, handler: MethodRouter<AppState>| {
        Route::plain(Kind::Page, method, path, Member, handler)
    };
    let (g, p) = (Method::GET, Method::POST);
    vec![
        page(
            g.clone(),
            "/n/{slug}/directory",
            get(profiles::directory_page),
        ),
        page(
            g.clone(),
            "/n/{slug}/people/{profile_id}",
            get(profiles::person_page),
        ),
        page(g.clone(), "/n/{slug}/profile", get(profiles::edit)),
        page(p.clone(), "/n/{slug}/profile", post(profiles::save)),
        // our own body limit (crate::layers) gives uploads room; axum's
        // default 2 MB cap for multipart would refuse photos first
        page(
            p.clone(),
            "/n/{slug}/profile/photo",
            post(profiles::upload_photo).layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        page(
            p.clone(),
            "/n/{slug}/profile/photo/delete",
            post(profiles::remove_photo),
        ),
        Route::plain(
            Kind::Machine,
            g.clone(),
            "/n/{slug}/images/{image_key}/{size}",
            Member,
            get(images::serve),
        ),
        Route::api(Member, routes!(profiles_api::directory)),
        Route::api(Member, routes!(profiles_api::person)),
        Route::api(Member, routes!(profiles_api::my, profiles_api::update)),
    ]
}

/// The rows of the feed: news, posts, comments, reactions.
fn post_routes() -> Vec<Route> {
    use Access::{Member, NetworkAdmin};
    let (g, p) = (Method::GET, Method::POST);
    vec![
        page(g.clone(), "/n/{slug}/feed", Member, get(posts::feed)),
        page(
            p.clone(),
            "/n/{slug}/posts",
            Member,
            post(posts::create_form).layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        page(
            g.clone(),
            "/n/{slug}/posts/{post_id}",
            Member,
            get(posts::show),
        ),
        page(
            g.clone(),
            "/n/{slug}/posts/{post_id}/edit",
            Member,
            get(posts::edit_form),
        ),
        page(
            p.clone(),
            "/n/{slug}/posts/{post_id}/edit",
            Member,
            post(posts::save_edit),
        ),
        page(
            p.clone(),
            "/n/{slug}/posts/{post_id}/delete",
            Member,
            post(posts::delete_form),
        ),
        page(
            p.clone(),
            "/n/{slug}/posts/{post_id}/pin",
            NetworkAdmin,
            post(posts::pin_form),
        ),
        page(
            p.clone(),
            "/n/{slug}/posts/{post_id}/react",
            Member,
            post(posts::react_form),
        ),
        page(
            p.clone(),
            "/n/{slug}/posts/{post_id}/comments",
            Member,
            post(posts::comment_form),
        ),
        page(
            p.clone(),
            "/n/{slug}/posts/{post_id}/comments/{comment_id}/delete",
            Member,
            post(posts::delete_comment_form),
        ),
        Route::api(Member, routes!(notifications::suggest_api)),
        Route::api(Member, routes!(posts_api::list)),
        Route::api(Member, routes!(posts_api::newer)),
        Route::api(Member, routes!(posts_api::create_api)),
        Route::api(
            Member,
            without_body_cap(routes!(posts_api::upload_image_api)),
        ),
        Route::api(Member, routes!(posts_api::get_api)),
        Route::api(Member, routes!(posts_api::update_api)),
        Route::api(Member, routes!(posts_api::delete_api)),
        Route::api(Member, routes!(posts_api::comment_api)),
        Route::api(Member, routes!(posts_api::delete_comment_api)),
        Route::api(Member, routes!(posts_api::react_api)),
        Route::api(Member, routes!(posts_api::unreact_api)),
    ]
}

/// The rows of groups and their feeds.
fn group_routes() -> Vec<Route> {
    use Access::{Member, NetworkModerator};
    let (g, p) = (Method::GET, Method::POST);
    vec![
        page(g.clone(), "/n/{slug}/groups", Member, get(groups::list)),
        page(
            g.clone(),
            "/n/{slug}/groups/new",
            Member,
            get(groups::new_form),
        ),
        page(
            p.clone(),
            "/n/{slug}/groups",
            Member,
            post(groups::create_form),
        ),
        page(
            g.clone(),
            "/n/{slug}/groups/{group_id}",
            Member,
            get(groups::show),
        ),
        page(
            p.clone(),
            "/n/{slug}/groups/{group_id}/join",
            Member,
            post(groups::join_form),
        ),
        page(
            p.clone(),
            "/n/{slug}/groups/{group_id}/leave",
            Member,
            post(groups::leave_form),
        ),
        page(
            p.clone(),
            "/n/{slug}/groups/{group_id}/members",
            Member,
            post(groups::member_form),
        ),
        page(
            p.clone(),
            "/n/{slug}/groups/{group_id}/invite",
            Member,
            post(groups::invite_form),
        ),
        page(
            p.clone(),
            "/n/{slug}/groups/{group_id}/review",
            NetworkModerator,
            post(groups::review_form),
        ),
        page(
            p.clone(),
            "/n/{slug}/groups/{group_id}/posts",
            Member,
            post(groups::post_form).layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        Route::api(Member, routes!(groups_api::list_api)),
        Route::api(Member, routes!(groups_api::create_api)),
        Route::api(Member, routes!(groups_api::get_api)),
        Route::api(Member, routes!(groups_api::join_api)),
        Route::api(Member, routes!(groups_api::leave_api)),
        Route::api(Member, routes!(groups_api::posts_api)),
        Route::api(Member, routes!(groups_api::post_api)),
        Route::api(Member, routes!(groups_api::member_api)),
        Route::api(Member, routes!(groups_api::invite_api)),
        Route::api(NetworkModerator, routes!(groups_api::review_api)),
    ]
}

/// The rows of opportunities: the list, posting, one opportunity and its
/// answers; HR's pipeline and match list; who may post.
fn opportunity_routes() -> Vec<Route> {
    use Access::{Member, NetworkAdmin, OpportunityPoster};
    use opportunities_pages as pages;
    use opportunities_pipeline as pipeline;
    let (g, p) = (Method::GET, Method::POST);
    vec![
        page(
            g.clone(),
            "/n/{slug}/opportunities",
            Member,
            get(pages::list),
        ),
        page(
            p.clone(),
            "/n/{slug}/opportunities",
            OpportunityPoster,
            post(pages::create_form),
        ),
        page(
            g.clone(),
            "/n/{slug}/opportunities/new",
            OpportunityPoster,
            get(pages::new_form),
        ),
        page(
            p.clone(),
            "/n/{slug}/opportunities/matching",
            Member,
            post(pages::matching_form),
        ),
        page(
            g.clone(),
            "/n/{slug}/opportunities/posters",
            NetworkAdmin,
            get(pipeline::posters),
        ),
        page(
            p.clone(),
            "/n/{slug}/opportunities/posters",
            NetworkAdmin,
            post(pipeline::posters_form),
        ),
        page(
            g.clone(),
            "/n/{slug}/opportunities/{opportunity_id}",
            Member,
            get(pages::show),
        ),
        page(
            p.clone(),
            "/n/{slug}/opportunities/{opportunity_id}",
            OpportunityPoster,
            post(pages::update_form),
        ),
        page(
            g.clone(),
            "/n/{slug}/opportunities/{opportunity_id}/edit",
            OpportunityPoster,
            get(pages::edit_form),
        ),
        page(
            p.clone(),
            "/n/{slug}/opportunities/{opportunity_id}/save",
            Member,
            post(pages::save_form),
        ),
        page(
            p.clone(),
            "/n/{slug}/opportunities/{opportunity_id}/answers",
            Member,
            post(pages::answer_form),
        ),
        page(
            g.clone(),
            "/n/{slug}/opportunities/{opportunity_id}/pipeline",
            OpportunityPoster,
            get(pipeline::pipeline),
        ),
        page(
            g.clone(),
            "/n/{slug}/opportunities/{opportunity_id}/matches",
            OpportunityPoster,
            get(pipeline::matches_page),
        ),
        page(
            p.clone(),
            "/n/{slug}/opportunities/{opportunity_id}/answers/{answer_id}",
            OpportunityPoster,
            post(pipeline::answer_action_form),
        ),
        page(
            p.clone(),
            "/n/{slug}/opportunities/{opportunity_id}/answers/{answer_id}/withdraw",
            Member,
            post(pipeline::withdraw_form),
        ),
        Route::api(Member, routes!(opportunities_api::list_api)),
        Route::api(OpportunityPoster, routes!(opportunities_api::create_api)),
        Route::api(Member, routes!(opportunities_api::get_api)),
        Route::api(OpportunityPoster, routes!(opportunities_api::update_api)),
        Route::api(Member, routes!(opportunities_api::answer_api)),
        Route::api(OpportunityPoster, routes!(opportunities_api::answers_api)),
        Route::api(
            OpportunityPoster,
            routes!(opportunities_api::answer_action_api),
        ),
        Route::api(OpportunityPoster, routes!(opportunities_api::matches_api)),
        Route::api(Member, routes!(opportunities_api::saved_api)),
        Route::api(Member, routes!(opportunities_api::withdraw_api)),
        Route::api(Member, routes!(opportunities_api::matching_api)),
    ]
}

/// The rows of alumni businesses.
fn business_routes() -> Vec<Route> {
    use Access::Member;
    let (g, p) = (Method::GET, Method::POST);
    vec![
        page(
            g.clone(),
            "/n/{slug}/businesses",
            Member,
            get(businesses::list),
        ),
        page(
            p.clone(),
            "/n/{slug}/businesses",
            Member,
            post(businesses::create_form),
        ),
        page(
            g.clone(),
            "/n/{slug}/businesses/new",
            Member,
            get(businesses::new_form),
        ),
        page(
            g.clone(),
            "/n/{slug}/businesses/{business_id}",
            Member,
            get(businesses::show),
        ),
        page(
            p.clone(),
            "/n/{slug}/businesses/{business_id}",
            Member,
            post(businesses::update_form),
        ),
        page(
            g.clone(),
            "/n/{slug}/businesses/{business_id}/edit",
            Member,
            get(businesses::edit_form),
        ),
        page(
            p.clone(),
            "/n/{slug}/businesses/{business_id}/enquiry",
            Member,
            post(businesses::enquiry_form),
        ),
        Route::api(Member, routes!(businesses::list_api)),
        Route::api(Member, routes!(businesses::create_api)),
        Route::api(Member, routes!(businesses::get_api)),
        Route::api(Member, routes!(businesses::update_api)),
        Route::api(Member, routes!(businesses::delete_api)),
        Route::api(Member, routes!(businesses::enquiry_api)),
    ]
}

/// The rows of events. Organisers' pages answer 404 to others (the
/// event's own rule, like a poster's opportunity).
fn event_routes() -> Vec<Route> {
    use Access::{Member, Public};
    let (g, p) = (Method::GET, Method::POST);
    let e = |m: &Method, path: &'static str, handler: MethodRouter<AppState>| {
        page(m.clone(), path, Member, handler)
    };
    vec![
        e(&g, "/n/{slug}/events", get(events_pages::list)),
        e(&p, "/n/{slug}/events", post(events_pages::create_form)),
        e(&g, "/n/{slug}/events/new", get(events_pages::new_form)),
        e(&p, "/n/{slug}/events/feed", post(events_pages::feed_form)),
        e(&g, "/n/{slug}/events/{event_id}", get(events_pages::show)),
        e(
            &p,
            "/n/{slug}/events/{event_id}",
            post(events_pages::update_form),
        ),
        e(
            &g,
            "/n/{slug}/events/{event_id}/edit",
            get(events_pages::edit_form),
        ),
        e(
            &p,
            "/n/{slug}/events/{event_id}/rsvp",
            post(events_pages::rsvp_form),
        ),
        e(
            &g,
            "/n/{slug}/events/{event_id}/ticket",
            get(events_pages::ticket),
        ),
        e(
            &g,
            "/n/{slug}/events/{event_id}/event.ics",
            get(events_pages::ics),
        ),
        e(
            &g,
            "/n/{slug}/events/{event_id}/manage",
            get(events_pages::manage),
        ),
        e(
            &p,
            "/n/{slug}/events/{event_id}/invite",
            post(events_pages::invite_form),
        ),
        e(
            &p,
            "/n/{slug}/events/{event_id}/message",
            post(events_pages::message_form),
        ),
        e(
            &g,
            "/n/{slug}/events/{event_id}/tables",
            get(events_pages::tables),
        ),
        e(
            &g,
            "/n/{slug}/events/{event_id}/checkin",
            get(events_pages::checkin),
        ),
        e(
            &p,
            "/n/{slug}/events/{event_id}/checkin",
            post(events_pages::checkin_form),
        ),
        page(
            g.clone(),
            "/calendar/{calendar_token}",
            Public,
            get(events_pages::feed),
        ),
        e(
            &p,
            "/n/{slug}/events/{event_id}/cover",
            post(events_pages::cover_form),
        ),
        e(
            &g,
            "/n/{slug}/events/{event_id}/matching",
            get(business_matching::page),
        ),
        e(
            &p,
            "/n/{slug}/events/{event_id}/pitches",
            post(business_matching::apply_form),
        ),
        e(
            &p,
            "/n/{slug}/events/{event_id}/pitches/{pitch_id}",
            post(business_matching::decide_form),
        ),
        e(
            &p,
            "/n/{slug}/events/{event_id}/projects",
            post(business_matching::projects_form),
        ),
        e(
            &p,
            "/n/{slug}/events/{event_id}/meetings",
            post(business_matching::request_form),
        ),
        e(
            &p,
            "/n/{slug}/events/{event_id}/meetings/{meeting_id}",
            post(business_matching::answer_form),
        ),
        e(&g, "/n/{slug}/cards", get(business_matching::cards)),
        e(
            &p,
            "/n/{slug}/cards",
            post(business_matching::save_card_form),
        ),
        e(
            &p,
            "/n/{slug}/cards/exchange",
            post(business_matching::exchange_form),
        ),
        e(
            &p,
            "/n/{slug}/cards/exchanges/{exchange_id}",
            post(business_matching::decide_exchange_form),
        ),
        Route::api(Member, routes!(business_matching::matching_api)),
        Route::api(Member, routes!(business_matching::apply_api)),
        Route::api(Member, routes!(business_matching::decide_api)),
        Route::api(Member, routes!(business_matching::projects_api)),
        Route::api(Member, routes!(business_matching::request_api)),
        Route::api(Member, routes!(business_matching::answer_api)),
        Route::api(Member, routes!(business_matching::cards_api)),
        Route::api(Member, routes!(business_matching::save_card_api)),
        Route::api(Member, routes!(business_matching::exchange_api)),
        Route::api(Member, routes!(business_matching::decide_exchange_api)),
        Route::api(Member, routes!(events_api::list_api)),
        Route::api(Member, routes!(events_api::create_api)),
        Route::api(Member, routes!(events_api::get_api)),
        Route::api(Member, routes!(events_api::update_api)),
        Route::api(Member, routes!(events_api::status_api)),
        Route::api(Member, routes!(events_api::rsvp_api)),
        Route::api(Member, routes!(events_api::registrations_api)),
        Route::api(Member, routes!(events_api::checkin_api)),
        Route::api(Member, routes!(events_api::balance_api)),
        Route::api(Member, routes!(events_api::invites_api)),
        Route::api(Member, routes!(events_api::message_api)),
    ]
}

/// The rows of reports and the moderators' queue.
fn moderation_routes() -> Vec<Route> {
    use Access::{Member, NetworkModerator};
    let (g, p) = (Method::GET, Method::POST);
    vec![
        page(
            p.clone(),
            "/n/{slug}/posts/{post_id}/report",
            Member,
            post(moderation::report_post_form),
        ),
        page(
            p.clone(),
            "/n/{slug}/posts/{post_id}/comments/{comment_id}/report",
            Member,
            post(moderation::report_comment_form),
        ),
        page(
            p.clone(),
            "/n/{slug}/people/{profile_id}/report",
            Member,
            post(moderation::report_profile_form),
        ),
        page(
            g.clone(),
            "/n/{slug}/moderation",
            NetworkModerator,
            get(moderation::queue),
        ),
        page(
            p.clone(),
            "/n/{slug}/moderation/held/{post_id}",
            NetworkModerator,
            post(moderation::release_form),
        ),
        Route::api(NetworkModerator, routes!(moderation::held_api)),
        Route::api(NetworkModerator, routes!(moderation::release_api)),
        page(
            p.clone(),
            "/n/{slug}/moderation/{report_id}",
            NetworkModerator,
            post(moderation::decide_form),
        ),
        Route::api(Member, routes!(moderation::report_api)),
        Route::api(NetworkModerator, routes!(moderation::queue_api)),
        Route::api(NetworkModerator, routes!(moderation::decide_api)),
    ]
}

/// Paths whose requests may carry an upload (a larger body limit).
pub const UPLOAD_PATHS: &[&str] = &["/profile/photo", "/posts", "/images"];
/// Paths that take a leavers' CSV (the import limit): the page's and the
/// API's.
pub const IMPORT_PATHS: &[&str] = &["/imports"];

/// Our own body limit ([`crate::layers`]) gives imports room; axum's
/// default 2 MB cap for a `Bytes` body would refuse them first.
fn without_body_cap(
    (schemas, paths, router): UtoipaMethodRouter<AppState>,
) -> UtoipaMethodRouter<AppState> {
    (
        schemas,
        paths,
        router.layer(axum::extract::DefaultBodyLimit::disable()),
    )
}

/// The router built from [`table`], with the 404 fallback.
pub fn router() -> Router<AppState> {
    let (router, _) = build();
    router
}

/// The OpenAPI document of the API rows of [`table`].
pub fn openapi() -> OpenApi {
    let (_, doc) = build();
    doc
}

fn build() -> (Router<AppState>, OpenApi) {
    let mut pages = Router::new();
    let mut api = OpenApiRouter::with_openapi(api::base_document());
    for route in table() {
        let access = route.access;
        match route.endpoint {
            Endpoint::Plain { path, handler, .. } => {
                pages = pages.route(path, access.layer(handler));
            }
            Endpoint::Api((schemas, paths, handler)) => {
                api = api.routes((schemas, paths, access.layer(handler)));
            }
        }
    }
    let (api_router, doc) = api.split_for_parts();
    (pages.merge(api_router).fallback(error::not_found), doc)
}

impl Access {
    /// Wraps `handler` in this rule's check.
    fn layer(self, handler: MethodRouter<AppState>) -> MethodRouter<AppState> {
        match self {
            Access::Public => handler,
            Access::Member
            | Access::MemberAnyConsent
            | Access::NetworkAdmin
            | Access::NetworkModerator
            | Access::OpportunityPoster => {
                let need = match self {
                    Access::Member => Need::Member,
                    Access::MemberAnyConsent => Need::MemberAnyConsent,
                    Access::NetworkModerator => Need::Moderator,
                    Access::OpportunityPoster => Need::Poster,
                    _ => Need::Admin,
                };
                handler.route_layer(middleware::from_fn(
                    move |req: Request, next: Next| async move {
                        match req.extensions().get::<AppState>().cloned() {
                            Some(state) => scope::enforce(state, need, req, next).await,
                            None => {
                                AppError::Internal("state not in extensions".into()).into_response()
                            }
                        }
                    },
                ))
            }
            Access::SignedIn | Access::Operator => {
                handler.route_layer(middleware::from_fn(move |req: Request, next: Next| {
                    enforce(self, req, next)
                }))
            }
        }
    }
}

async fn enforce(access: Access, req: Request, next: Next) -> Response {
    let viewer = req.extensions().get::<Viewer>();
    let signed_in = viewer.and_then(|v| v.account()).is_some();
    let allowed = match access {
        Access::Public
        | Access::Member
        | Access::MemberAnyConsent
        | Access::NetworkAdmin
        | Access::NetworkModerator
        | Access::OpportunityPoster => true,
        Access::SignedIn => signed_in,
        Access::Operator => viewer.is_some_and(Viewer::is_operator),
    };
    if allowed {
        return next.run(req).await;
    }
    if signed_in {
        return AppError::NotFound.into_response();
    }
    crate::auth::sign_in_first(&req)
}
