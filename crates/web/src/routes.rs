//! The route table: every path the application answers, with its method,
//! handler and access rule. [`router`] builds the axum router from it (and
//! the OpenAPI document from its API rows); the authorization-matrix test
//! walks [`table`] and checks each row for every kind of visitor.
//!
//! A row is added here, in the capability's place, or nowhere.

use axum::Router;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};
use utoipa::openapi::path::HttpMethod;
use utoipa::openapi::{OpenApi, PathItem};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use crate::{AppState, api, assets, error, site};

/// Who may call a route. Each later capability adds its rules here
/// (signed-in account, network member, network admin, operator, …) with
/// their enforcement in [`Access::layer`]; the matrix test covers each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
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

/// Every route of the application.
pub fn table() -> Vec<Route> {
    use Access::Public;
    use Kind::{Machine, Page};
    vec![
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
    ]
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
        }
    }
}
