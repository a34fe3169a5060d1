//! Convex's cancel routes for scheduled functions, as its dashboard calls them:
//! `POST /api/cancel_job` `{id, componentId?}` and `POST /api/cancel_all_jobs`
//! `{componentId?, udfPath?, startNextTs?, endNextTs?}` (every pending or in-progress job
//! of the instance, of one function when given). A job ID names its instance, so
//! `cancel_job` reaches a component's job too. Bodies are `atrium_protocol::schedules`' types.
//!
//! It must not check the admin key itself: these routes are admin through their layer
//! (`server.rs`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use serde_json::Value as JsonValue;

use atrium_protocol::schedules::{CancelAllJobsRequest, CancelJobRequest};
use atrium_runtime::scheduler::{SCHEDULED_FUNCTIONS, cancel_job, canonical_name};
use atrium_value::{DocumentId, Value};

use crate::state::{ApiError, AppState, internal, parse_body};

/// `POST /api/cancel_job`.
pub(crate) async fn cancel_job_route(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Json<JsonValue>, ApiError> {
    let request: CancelJobRequest = parse_body(&body)?;
    let id = DocumentId::decode(&request.id).map_err(|e| {
        ApiError::bad_request("InvalidId", format!("Invalid scheduled function ID: {e}"))
    })?;
    let deployment = state.deployment.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        deployment.engine().run(16, |tx| Ok(cancel_job(tx, &id)))
    })
    .await
    .map_err(internal)?
    .map_err(internal)?;
    outcome.0.map_err(|message| ApiError::bad_request("InvalidScheduledFunction", message))?;
    Ok(Json(JsonValue::Null))
}

/// `POST /api/cancel_all_jobs`.
pub(crate) async fn cancel_all_jobs(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Json<JsonValue>, ApiError> {
    let request: CancelAllJobsRequest = parse_body(&body)?;
    let wanted = request.udf_path.as_deref().map(canonical_name);
    // Which instance's jobs: `componentId` (a stable ID, or an instance path) or
    // `componentPath`; the app's when neither.
    let component = request.component_id.clone().or(request.component_path.clone());
    let component = crate::component_ids::resolve(state.deployment.engine(), component.as_deref())
        .map_err(|message| ApiError::bad_request("InvalidComponent", message))?;
    let table = atrium_runtime::components::names::qualify(&component, SCHEDULED_FUNCTIONS);
    let within = move |at_ms: f64| {
        let ns = (at_ms * 1_000_000.0) as u64;
        request.start_next_ts.is_none_or(|s| ns >= s) && request.end_next_ts.is_none_or(|e| ns < e)
    };
    let deployment = state.deployment.clone();
    tokio::task::spawn_blocking(move || {
        deployment.engine().run(16, |tx| {
            for job in tx.collect_table(&table)? {
                let kind = job.fields.get("state").and_then(|s| s.get_path(["kind"]));
                let active = matches!(kind.and_then(Value::as_str), Some("pending" | "inProgress"));
                let name = job.fields.get("name").and_then(Value::as_str);
                let at = match job.fields.get("scheduledTime") {
                    Some(Value::Float64(at)) => *at,
                    _ => 0.0,
                };
                if active && (wanted.is_none() || name == wanted.as_deref()) && within(at) {
                    // Only active jobs are touched, so cancelling cannot fail here.
                    let _ = cancel_job(tx, &job.id);
                }
            }
            Ok(())
        })
    })
    .await
    .map_err(internal)?
    .map_err(internal)?;
    Ok(Json(JsonValue::Null))
}
