//! Convex's function log stream: `GET /api/stream_function_logs` and
//! `/api/app_metrics/stream_function_logs` (admin), a long poll over the engine's log store
//! that answers at once when the server stops. Atrium's search of the whole log archive is
//! an Atrium extension (`routes::atrium`).
//!
//! It must not check the admin key itself: these routes are admin through their layer
//! (`server.rs`).

use axum::Json;
use axum::extract::{Query, State};

use crate::state::{ApiError, AppState, internal};

#[derive(serde::Deserialize)]
pub(crate) struct LogCursor {
    #[serde(default)]
    cursor: f64,
}

/// How many entries one answer of the log stream carries at most.
const LOG_PAGE: usize = 1000;
/// How long the log stream waits for a new entry before answering with none.
const LOG_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// `GET /api/stream_function_logs?cursor=N`: entries after the cursor (our cursor is the
/// log store's sequence number), waiting up to 60 s for one; `cursor=0` gives the most
/// recent 1000.
pub(crate) async fn stream_function_logs(
    State(state): State<AppState>,
    Query(query): Query<LogCursor>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let logs_error =
        |e: atrium_engine::logs::LogError| internal(format!("The log store cannot be read: {e}"));
    let engine = state.deployment.engine().clone();
    let mut cursor = query.cursor.max(0.0) as u64;
    if cursor == 0 {
        let latest = engine.logs().latest_cursor().map_err(logs_error)?;
        cursor = latest.saturating_sub(LOG_PAGE as u64);
    }
    let deadline = tokio::time::Instant::now() + LOG_WAIT;
    let mut stopping = state.stopping.clone();
    loop {
        let records = engine.logs().read_after(cursor, LOG_PAGE).map_err(logs_error)?;
        if let Some(last) = records.last() {
            let new_cursor = last.seq as f64;
            let entries: Vec<serde_json::Value> = records.into_iter().map(|r| r.entry).collect();
            return Ok(Json(serde_json::json!({ "entries": entries, "newCursor": new_cursor })));
        }
        if tokio::time::Instant::now() >= deadline || *stopping.borrow() {
            return Ok(Json(serde_json::json!({ "entries": [], "newCursor": query.cursor })));
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_millis(200)) => {}
            _ = stopping.changed() => {}
        }
    }
}
