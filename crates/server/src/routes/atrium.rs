//! Atrium's own endpoints under `/api/atrium/*` (all admin), apart from the vector ones
//! (`routes::vector`): the subscription inspector (`subscriptions`, logic in
//! `crate::inspector`), `dry_run`, `module_source`, the log archive search (`logs`) and the
//! kept executions for metrics (`executions`). Their wire types are in
//! `atrium_protocol::atrium`.
//!
//! It must not check the admin key itself (these routes are admin through their layer,
//! `server.rs`), and nothing here may be served when `ServerConfig::atrium_extensions` is
//! off (`server.rs` refuses the whole prefix then).

use std::collections::HashMap;

use atrium_protocol::atrium::{
    DryRunRequest, DryRunResponse, DryRunWrite, ExecutionColumns, LiveSubscriptions, LogSearch,
    ModuleSource,
};
use atrium_protocol::format::ValueFormat;
use atrium_protocol::http::log_line;
use atrium_runtime::{Caller, FunctionKind, RuntimeError};
use atrium_value::Value;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};

use crate::auth::Identity;
use crate::state::{ApiError, AppState, internal, parse_body};

/// `GET /api/atrium/executions?since=`: the kept executions since a time, for per-function
/// metrics.
pub(crate) async fn executions(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<ExecutionColumns>, ApiError> {
    let since = match query.get("since").map(String::as_str) {
        None | Some("") => 0.0,
        Some(text) => text.parse::<f64>().ok().filter(|s| s.is_finite()).ok_or_else(|| {
            ApiError::bad_request(
                "BadQuery",
                format!("`since` must be seconds since the epoch, not {text:?}"),
            )
        })?,
    };
    let engine = state.deployment.engine().clone();
    let columns = tokio::task::spawn_blocking(move || engine.logs().executions_since(since))
        .await
        .map_err(|e| internal(format!("the log store read failed: {e}")))?
        .map_err(|e| internal(format!("The log store cannot be read: {e}")))?;
    Ok(Json(columns))
}

/// `GET /api/atrium/logs?text=&function=&status=&level=&before=&limit=`: the log archive
/// searched, newest first: `{entries, next}` where `next` is the `before` for the next page
/// (null at the end).
pub(crate) async fn search_logs(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<LogSearch>, ApiError> {
    let get = |k: &str| query.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let number = |k: &str| -> Result<Option<u64>, ApiError> {
        get(k)
            .map(|v| {
                v.parse::<u64>().map_err(|_| {
                    ApiError::bad_request(
                        "BadQuery",
                        format!("`{k}` must be a whole number, not {v:?}"),
                    )
                })
            })
            .transpose()
    };
    let limit = number("limit")?.unwrap_or(200).clamp(1, 1000) as usize;
    let failed = match get("status") {
        None => None,
        Some("success") => Some(false),
        Some("failure") => Some(true),
        Some(other) => {
            return Err(ApiError::bad_request(
                "BadQuery",
                format!("`status` must be \"success\" or \"failure\", not {other:?}"),
            ));
        }
    };
    let filter = atrium_engine::logs::LogFilter {
        text: get("text").map(str::to_owned),
        function: get("function").map(str::to_owned),
        failed,
        level: get("level").map(str::to_owned),
    };
    let records = state
        .deployment
        .engine()
        .logs()
        .search(&filter, number("before")?, limit)
        .map_err(|e| internal(format!("The log store cannot be read: {e}")))?;
    let next = (records.len() == limit).then(|| records.last().map(|r| r.seq)).flatten();
    let entries = records.into_iter().map(|r| r.entry).collect();
    Ok(Json(LogSearch { entries, next }))
}

/// `GET /api/atrium/module_source?module=tasks`: a function module's source as written.
pub(crate) async fn module_source(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<ModuleSource>, ApiError> {
    let module = query.get("module").map(String::as_str).unwrap_or_default();
    let runner = state.deployment.runner();
    let found = runner.as_ref().and_then(|r| r.project().module_source(module));
    match found {
        Some((path, source)) => Ok(Json(ModuleSource { path, source })),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "ModuleNotFound",
            format!("This deployment has no module {module:?}"),
        )),
    }
}

/// `POST /api/atrium/dry_run` `{path, args}`: runs a mutation without committing it (an
/// acting-as identity in the key applies): its result, logs and the writes it would have
/// made, each document before and after, in Convex-encoded JSON.
pub(crate) async fn dry_run(
    State(state): State<AppState>,
    Extension(identity): Extension<Identity>,
    body: Bytes,
) -> Result<Json<DryRunResponse>, ApiError> {
    let request: DryRunRequest = parse_body(&body)?;
    let args = match atrium_value::json::from_json(&request.args) {
        Ok(value @ Value::Object(_)) => value,
        Ok(Value::Null) => Value::Object(Default::default()),
        _ => {
            return Err(ApiError::bad_request(
                "BadArgs",
                "`args` must be an object of Convex-encoded JSON",
            ));
        }
    };
    let Some(runner) = state.deployment.runner() else {
        let reason = state.deployment.no_code_reason("This deployment has no functions yet");
        return Err(ApiError::bad_request("NoFunctions", reason));
    };
    let path = request.path.clone();
    let run = tokio::task::spawn_blocking(move || {
        let (runner, caller) = match identity {
            Identity::AdminActingAs(user) | Identity::User(user) => {
                (runner.as_user(Some(user))?, Caller::Client)
            }
            _ => (runner, Caller::Internal),
        };
        if runner.function_kind(&path)? != FunctionKind::Mutation {
            return Err(RuntimeError::FunctionNotFound(format!(
                "`{path}` is not a mutation: only mutations can be dry-run"
            )));
        }
        runner.dry_run(caller, &path, args)
    })
    .await
    .map_err(|e| ApiError::bad_request("Internal", e.to_string()))?;
    let run = run.map_err(|e| ApiError::bad_request("DryRunFailed", e.to_string()))?;
    let encode = |v: &Value| ValueFormat::ConvexEncodedJson.encode(v);
    let writes = run
        .writes
        .iter()
        .map(|w| DryRunWrite {
            table: w.table.clone(),
            id: w.id.encode(),
            before: w.before.as_ref().map(|d| encode(&d.to_value())),
            after: w.after.as_ref().map(|d| encode(&d.to_value())),
        })
        .collect();
    let (status, value, error_message, error_data) = match &run.result {
        Ok(v) => ("success", encode(v), None, None),
        Err(e) => {
            ("error", serde_json::Value::Null, Some(e.message.clone()), e.data.as_ref().map(encode))
        }
    };
    Ok(Json(DryRunResponse {
        status: status.to_owned(),
        value,
        error_message,
        error_data,
        log_lines: run.logs.iter().map(|l| log_line(&l.level, &l.message)).collect(),
        writes,
        execution_time: run.duration.as_secs_f64(),
    }))
}

/// `GET /api/atrium/subscriptions`: every live query of every sync session, what it read and
/// which write last re-ran it.
pub(crate) async fn live_subscriptions(State(state): State<AppState>) -> Json<LiveSubscriptions> {
    Json(state.deployment.inspector.snapshot(state.deployment.engine()))
}
