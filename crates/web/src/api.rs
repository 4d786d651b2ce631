//! The JSON API's frame: the OpenAPI document (generated from the handlers'
//! annotations by utoipa, served at `/api/openapi.json`), Swagger UI at
//! `/api/docs/` (embedded through the `vendored` feature: nothing is fetched
//! at build or run time), and the server-information operation. Each
//! capability adds its operations under `/api/v1` in its own module.
//!
//! Errors under `/api` are RFC 9457 problem documents (see [`crate::error`]).

use std::sync::{Arc, LazyLock};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use enishi_core::Lang;
use serde::Serialize;
use utoipa::openapi::OpenApi;
use utoipa::{OpenApi as _, ToSchema};

use crate::{AppError, AppState};

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Enishi API",
        description = "JSON API of Enishi (縁), the alumni-network platform. \
Errors are RFC 9457 problem documents (`application/problem+json`).",
    ),
    components(schemas(crate::error::Problem)),
    modifiers(&Security),
    tags(
        (name = "server", description = "About this server"),
        (name = "account", description = "The signed-in account and its API tokens"),
        (name = "networks", description = "Networks, memberships and invitations"),
        (name = "directory", description = "Profiles and the alumni directory"),
        (name = "feed", description = "Company news, posts, comments and reactions"),
        (name = "groups", description = "Groups by era, department, region or interest, and their feeds"),
        (name = "moderation", description = "Reports, and the moderators' queue"),
        (name = "messages", description = "Direct messages: conversations, blocks, and who may write to you"),
        (name = "notifications", description = "What others did that concerns you: comments, replies, reactions, group decisions"),
        (name = "opportunities", description = "Projects, rehire openings, referral requests, mentoring and talks, and HR's pipeline"),
        (name = "businesses", description = "Alumni businesses and enquiries"),
        (name = "events", description = "Events: registration with seats and waitlist, check-in, era balance, invitations")
    )
)]
struct ApiDoc;

/// How callers authenticate: a personal API token (`Authorization: Bearer
/// enishi_…`), or the browser session cookie (then writes need the
/// `X-CSRF-Token` header or a same-origin `Origin`).
struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut OpenApi) {
        // utoipa copies Cargo's (empty) licence field; an empty name is invalid.
        openapi.info.license = None;
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("Personal API token"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
    }
}

/// The document's frame (info, tags, shared schemas) before the operations
/// of the route table are added.
pub fn base_document() -> OpenApi {
    ApiDoc::openapi()
}

/// The complete document as pretty JSON (built once at start-up).
pub fn openapi_json() -> String {
    crate::routes::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises")
}

/// `GET /api/openapi.json`
pub async fn openapi_document(State(state): State<AppState>) -> Response {
    (
        [(CONTENT_TYPE, "application/json")],
        state.openapi_json.clone(),
    )
        .into_response()
}

static SWAGGER: LazyLock<Arc<utoipa_swagger_ui::Config<'static>>> = LazyLock::new(|| {
    Arc::new(utoipa_swagger_ui::Config::new(["/api/openapi.json"]).try_it_out_enabled(false))
});

/// `GET /api/docs` → `/api/docs/`
pub async fn docs_redirect() -> Redirect {
    Redirect::permanent("/api/docs/")
}

/// `GET /api/docs/`: Swagger UI's page.
pub async fn docs_index() -> Result<Response, AppError> {
    serve_docs_file("index.html")
}

/// `GET /api/docs/{*file}`: Swagger UI's files.
pub async fn docs_file(Path(file): Path<String>) -> Result<Response, AppError> {
    serve_docs_file(&file)
}

fn serve_docs_file(file: &str) -> Result<Response, AppError> {
    let found = utoipa_swagger_ui::serve(file, SWAGGER.clone())
        .map_err(|e| AppError::Internal(format!("swagger ui: {e}")))?
        .ok_or(AppError::NotFound)?;
    let mut response = (
        [
            (CONTENT_TYPE, found.content_type),
            (CACHE_CONTROL, "public, max-age=3600".to_string()),
        ],
        found.bytes.into_owned(),
    )
        .into_response();
    if found.gzpipped {
        response.headers_mut().insert(
            CONTENT_ENCODING,
            axum::http::HeaderValue::from_static("gzip"),
        );
    }
    Ok(response)
}

/// A JSON request body whose rejection (malformed JSON, wrong content
/// type, a missing field) is an [`AppError`], so it answers as a problem
/// document like every other API error.
pub struct ApiJson<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, AppError> {
        Json::<T>::from_request(req, state)
            .await
            .map(|Json(value)| ApiJson(value))
            .map_err(|e| AppError::from_rejection(e.status(), e.body_text()))
    }
}

/// About this server.
#[derive(Serialize, ToSchema)]
pub struct ServerInfo {
    /// Always `Enishi`.
    pub name: &'static str,
    /// The running version.
    pub version: &'static str,
    /// API version prefix of this document.
    pub api: &'static str,
    /// Languages the UI and messages are available in (BCP 47).
    pub languages: Vec<&'static str>,
    pub default_language: &'static str,
}

/// Server information: name, version and languages.
#[utoipa::path(
    get,
    path = "/api/v1/server",
    tag = "server",
    responses((status = 200, description = "About this server", body = ServerInfo))
)]
pub async fn server_info() -> Json<ServerInfo> {
    Json(ServerInfo {
        name: "Enishi",
        version: env!("CARGO_PKG_VERSION"),
        api: "v1",
        languages: Lang::ALL.iter().map(|l| l.code()).collect(),
        default_language: Lang::default().code(),
    })
}
