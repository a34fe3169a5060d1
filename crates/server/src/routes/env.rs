//! Environment variables over HTTP: `POST /api/update_environment_variables` and
//! `GET /api/list_environment_variables` (also under `/api/v1/`), both admin. The checks and
//! storage live in `crate::env` (through the deployment).
//!
//! It must not check the admin key itself: these routes are admin through their layer
//! (`server.rs`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;

use crate::state::{ApiError, AppState, internal, parse_body};

#[derive(serde::Deserialize)]
struct EnvironmentChanges {
    changes: Vec<EnvironmentChange>,
}

#[derive(serde::Deserialize)]
struct EnvironmentChange {
    name: String,
    value: Option<String>,
}

/// `POST /api/update_environment_variables` `{changes: [{name, value | null}]}`.
pub(crate) async fn update_environment_variables(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let request: EnvironmentChanges = parse_body(&body)?;
    let changes: Vec<(String, Option<String>)> =
        request.changes.into_iter().map(|c| (c.name, c.value)).collect();
    let deployment = state.deployment.clone();
    tokio::task::spawn_blocking(move || deployment.update_environment(&changes))
        .await
        .map_err(internal)?
        .map_err(|message| ApiError::bad_request("InvalidEnvironmentVariables", message))?;
    Ok(StatusCode::OK)
}

/// `GET /api/list_environment_variables` → `{environmentVariables: {NAME: value}}`.
pub(crate) async fn list_environment_variables(
    State(state): State<AppState>,
) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "environmentVariables": state.deployment.environment() }))
}
