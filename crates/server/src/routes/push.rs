//! The CLI's push handshake over HTTP: `get_config_hashes` and `deploy2/{evaluate_push,
//! start_push, wait_for_schema, finish_push, report_push_completed}`. The logic (module
//! bodies, hashes, the CLI's answers) lives in `crate::push`; this module only moves work off
//! the async threads and shapes errors.
//!
//! It must not check the admin key nor read the request body itself: the admin routes here
//! sit behind `state::require_admin_or_push_key`, which hands the decoded body on as a
//! [`PushBody`].

use axum::extract::State;
use axum::{Extension, Json};

use crate::state::{ApiError, AppState, PushBody, internal};

fn push_error(error: crate::deployment::DeploymentError) -> ApiError {
    let message = error.to_string();
    // The CLI tells the user which variable to set when it sees this code.
    if message.contains("is used in auth config file but its value was not set") {
        return ApiError::bad_request("AuthConfigMissingEnvironmentVariable", message);
    }
    ApiError::bad_request("InvalidModules", message)
}

pub(crate) async fn get_config_hashes(State(state): State<AppState>) -> Json<serde_json::Value> {
    let hashes: Vec<serde_json::Value> = state
        .deployment
        .pushed_modules()
        .iter()
        .filter(|m| m.path != "schema.js")
        .map(|m| serde_json::json!({ "path": m.path, "hash": m.hash(), "environment": m.environment }))
        .collect();
    Json(serde_json::json!({
        "config": { "functions": "convex/" },
        "moduleHashes": hashes,
        "udfServerVersion": if hashes.is_empty() { serde_json::Value::Null } else { "1.48.0".into() },
        "nodeVersion": null,
    }))
}

pub(crate) async fn evaluate_push() -> Json<serde_json::Value> {
    Json(
        serde_json::json!({ "schemaChange": { "allocatedComponentIds": {}, "schemaIds": {}, "indexDiffs": {} } }),
    )
}

pub(crate) async fn start_push(
    State(state): State<AppState>,
    Extension(PushBody(request)): Extension<PushBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let modules = crate::push::modules_of(&request, &state.deployment.pushed_modules())
        .map_err(|e| ApiError::bad_request("InvalidModules", e))?;
    let components = atrium_protocol::push::PushedComponents::from_start_push(&request)
        .map_err(|e| ApiError::bad_request("InvalidModules", e))?;
    let deployment = state.deployment.clone();
    let pending = tokio::task::spawn_blocking(move || deployment.start_push(modules, components))
        .await
        .map_err(internal)?
        .map_err(push_error)?;
    Ok(Json(crate::push::start_push_response(
        &pending.id,
        &state.deployment.environment(),
        &pending.auth,
        &pending.code,
    )))
}

pub(crate) async fn wait_for_schema(
    State(state): State<AppState>,
) -> Result<Json<serde_json::Value>, ApiError> {
    // The schema that matters is the one `start_push` analysed; check existing documents.
    let pending = state.deployment.pending_schema();
    if let Some(schema) = pending {
        let deployment = state.deployment.clone();
        let violations =
            tokio::task::spawn_blocking(move || deployment.engine().schema_violations(&schema, 1))
                .await
                .map_err(internal)?
                .map_err(internal)?;
        if let Some((table, id, error)) = violations.first() {
            return Ok(Json(serde_json::json!({
                "type": "failed",
                "error": format!("Document with ID \"{id}\" in table \"{table}\" does not match the schema: {error}"),
                "componentPath": "",
                "tableName": table,
            })));
        }
    }
    Ok(Json(serde_json::json!({ "type": "complete" })))
}

pub(crate) async fn finish_push(
    State(state): State<AppState>,
    Extension(PushBody(request)): Extension<PushBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    if request.get("dryRun").and_then(serde_json::Value::as_bool).unwrap_or(false) {
        return Ok(Json(
            serde_json::json!({ "authDiff": {"added": [], "removed": []}, "definitionDiffs": {}, "componentDiffs": {} }),
        ));
    }
    let id = request
        .pointer("/startPush/atriumPushId")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| {
            ApiError::bad_request(
                "InvalidPush",
                "finish_push needs the start_push response it follows",
            )
        })?
        .to_owned();
    let deployment = state.deployment.clone();
    let ((added, removed), crons) = tokio::task::spawn_blocking(move || {
        deployment.finish_push(&id).map(|modules| (modules, deployment.last_cron_diff()))
    })
    .await
    .map_err(internal)?
    .map_err(push_error)?;
    let crons = (crons.added, crons.updated, crons.deleted);
    Ok(Json(crate::push::finish_push_response(added, removed, crons)))
}

/// Not admin (the CLI reports without a key); nothing to record.
pub(crate) async fn report_push_completed() -> Json<serde_json::Value> {
    Json(serde_json::json!({}))
}
