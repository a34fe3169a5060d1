//! What the deployment says about itself: the health routes (`/`, `/instance_name`,
//! `/instance_version`, `/version`, `/echo`), `/api/check_admin_key` and
//! `/api/v1/get_canonical_urls` (both admin).
//!
//! It must not check the admin key itself: the admin routes here are admin through their
//! layer (`server.rs`).

use atrium_protocol::http::CheckAdminKeyResponse;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;

use crate::state::AppState;

pub(crate) async fn root() -> &'static str {
    "This Convex deployment is running. See https://docs.convex.dev/."
}

pub(crate) async fn instance_name(State(state): State<AppState>) -> String {
    state.deployment.name().to_owned()
}

pub(crate) async fn version() -> &'static str {
    concat!("atrium-", env!("CARGO_PKG_VERSION"))
}

pub(crate) async fn echo(body: Bytes) -> Bytes {
    body
}

/// `GET /api/check_admin_key` (admin): what the key may do — everything.
pub(crate) async fn check_admin_key() -> Json<CheckAdminKeyResponse> {
    let ops = [
        "Deploy",
        "ViewEnvironmentVariables",
        "WriteEnvironmentVariables",
        "ViewLogs",
        "ViewMetrics",
        "ViewData",
        "WriteData",
        "ActAsUser",
        "RunInternalQueries",
        "RunInternalMutations",
        "RunInternalActions",
        "RunTestQuery",
    ];
    Json(CheckAdminKeyResponse {
        success: true,
        allowed_ops: ops.iter().map(|s| s.to_string()).collect(),
        is_read_only: false,
    })
}

/// `GET /api/v1/get_canonical_urls` (admin): the cloud and site URLs as clients reach them.
pub(crate) async fn canonical_urls(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "convexCloudUrl": state.urls.0, "convexSiteUrl": state.urls.1 }))
}
