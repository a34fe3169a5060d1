//! The function API: `/api/query`, `/api/mutation`, `/api/action`, `/api/function` (admin),
//! `/api/run/*`, `/api/query_ts`, `/api/query_at_ts` and `/api/query_batch`. A call's
//! arguments are decoded, the CLI's system functions answered natively (`crate::system`),
//! queries through the query cache (the result of an earlier run while still valid, as
//! Convex answers them), others run on the runtime off the async threads, and the commit
//! recorded for the subscription inspector.
//!
//! Function outcomes are always HTTP 200 (`{"status":"success"|"error", …}`); only a
//! malformed request is an [`ApiError`]. This module must not check the admin key itself:
//! `/api/function` is admin through its layer (`server.rs`).

use atrium_protocol::format::ValueFormat;
use atrium_protocol::http::{
    QueryAtTsRequest, QueryBatchRequest, QueryBatchResponse, QueryTsResponse, RunRequest,
    UdfRequest, UdfResponse, log_line,
};
use atrium_protocol::timestamp;
use atrium_runtime::{Caller, FunctionKind, FunctionOutcome, Runner, RuntimeError};
use atrium_value::Value;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;

use crate::auth::Identity;
use crate::state::{ApiError, AppState, Peer, identity, parse_body};
use crate::sync::shared::{QueryRun, query_keys, shared_query};

fn request_id(headers: &HeaderMap) -> String {
    if let Some(id) = headers.get("convex-request-id").and_then(|v| v.to_str().ok()) {
        return id.to_owned();
    }
    crate::ids::random_hex(8)
}

/// The arguments object from `args` (an object, or a one-element array holding it).
fn arguments(args: &serde_json::Value) -> Result<Value, ApiError> {
    atrium_protocol::http::arguments_object(args)
        .map_err(|message| ApiError::bad_request("InvalidArgs", message))
}

struct Call {
    path: String,
    /// The component instance the function is in (`""`: the app); admins only.
    component: String,
    /// `None`: whatever the function is (`/api/function`, `/api/run`).
    kind: Option<FunctionKind>,
    args: Value,
    format: ValueFormat,
    identity: Identity,
    request_id: String,
    request: atrium_runtime::RequestMetadata,
    at: Option<u64>,
}

impl Call {
    /// A call from a request's parts: arguments decoded, format checked, a request id given.
    fn new(
        path: String,
        kind: Option<FunctionKind>,
        args: &serde_json::Value,
        format: Option<&str>,
        identity: Identity,
        (headers, peer): (&HeaderMap, Peer),
        at: Option<u64>,
    ) -> Result<Self, ApiError> {
        Ok(Call {
            path,
            component: String::new(),
            kind,
            args: arguments(args)?,
            format: format_of(format)?,
            identity,
            request_id: request_id(headers),
            request: crate::state::request_metadata(headers, peer),
            at,
        })
    }
}

fn not_found(path: &str, identity: &Identity) -> String {
    match identity {
        Identity::Admin => {
            format!("Could not find function for '{path}'. Did you forget to run `npx convex dev`?")
        }
        _ => format!(
            "Could not find public function for '{path}'. Did you forget to run `npx convex dev` or `npx convex deploy`?"
        ),
    }
}

fn error_response(
    call: &Call,
    message: String,
    data: Option<&Value>,
    logs: Vec<String>,
) -> UdfResponse {
    UdfResponse::Error {
        error_message: format!("[Request ID: {}] Server Error\n{message}", call.request_id),
        error_data: data.map(|d| call.format.encode(d)),
        log_lines: logs,
    }
}

/// Runs one function call and shapes its outcome.
async fn run_call(state: &AppState, call: Call) -> UdfResponse {
    if crate::system::is_system(&call.path) {
        let at = call.at.map(atrium_engine::Timestamp);
        return match crate::system::run(
            &state.deployment,
            &call.identity,
            &call.path,
            &call.args,
            at,
            &call.component,
        ) {
            Ok(answer) => {
                if let Some(ts) = answer.commit_ts {
                    state.deployment.inspector.record_commit(ts, commit_source(&call));
                }
                UdfResponse::Success {
                    value: call.format.encode(&answer.value),
                    log_lines: Vec::new(),
                }
            }
            Err(message) => error_response(&call, message, None, Vec::new()),
        };
    }
    let Some(runner) = state.deployment.runner() else {
        let reason = state.deployment.no_code_reason(&not_found(&call.path, &call.identity));
        return error_response(&call, reason, None, Vec::new());
    };
    if call.kind == Some(FunctionKind::Query) {
        return cached_query(state, call, runner).await;
    }
    let (runner, caller) = match runner_for(&runner, &call) {
        Ok(prepared) => prepared,
        Err(error) => return runtime_error(&call, &error),
    };
    let (path, args, kind, at) = (call.path.clone(), call.args.clone(), call.kind, call.at);
    let outcome = tokio::task::spawn_blocking(move || -> Result<FunctionOutcome, RuntimeError> {
        let runner = match at {
            Some(ts) => runner.at_snapshot(atrium_engine::Timestamp(ts)),
            None => runner,
        };
        let kind = match kind {
            Some(kind) => kind,
            None => runner.function_kind(&path)?,
        };
        runner.run_as(caller, &path, kind, args)
    })
    .await;
    match outcome {
        Ok(Ok(outcome)) => {
            if let Some(commit) = &outcome.commit {
                state.deployment.inspector.record_commit(commit.ts.0, commit_source(&call));
            }
            answer(&call, &outcome)
        }
        Ok(Err(error)) => runtime_error(&call, &error),
        Err(join) => error_response(&call, format!("Internal error: {join}"), None, Vec::new()),
    }
}

/// A query through the query cache (`sync/shared.rs`), as Convex answers one: the result of
/// an earlier run while no commit has touched what it read (logged as a cached execution),
/// or a run of its own, which later callers may take.
async fn cached_query(state: &AppState, call: Call, runner: Runner) -> UdfResponse {
    let started = std::time::Instant::now();
    let (runner, caller) = match runner_for(&runner, &call) {
        Ok(prepared) => prepared,
        Err(error) => return runtime_error(&call, &error),
    };
    let deployment = &state.deployment;
    let ts = call.at.map_or_else(|| deployment.engine().latest_ts(), atrium_engine::Timestamp);
    let keys = query_keys("http", &call.identity, &call.component, &call.path, &call.args, None);
    let (shared, ran) = shared_query(deployment, &keys, ts, || {
        let (path, identity) = (call.path.clone(), call.identity.clone());
        Ok(QueryRun {
            runner: runner.clone(),
            caller,
            path: call.path.clone(),
            args: call.args.clone(),
            describe: Box::new(move |error| runtime_error_text(&path, &identity, error)),
        })
    })
    .await;
    match shared {
        Ok(run) => {
            if !ran {
                runner.log_cached(caller, &call.path, &run.outcome, started.elapsed());
            }
            answer(&call, &run.outcome)
        }
        Err(message) => error_response(&call, message, None, Vec::new()),
    }
}

/// The runner and caller `call` runs with: its component (admins only), identity and request.
fn runner_for(runner: &Runner, call: &Call) -> Result<(Runner, Caller), RuntimeError> {
    if !call.component.is_empty() && !matches!(call.identity, Identity::Admin) {
        // Only admins reach a component's functions from outside; apps call them.
        return Err(RuntimeError::FunctionNotFound(call.path.clone()));
    }
    let runner = runner.in_component(&call.component)?;
    let (runner, caller) = match &call.identity {
        Identity::Admin => (runner, Caller::Internal),
        Identity::AdminActingAs(user) | Identity::User(user) => {
            (runner.as_user(Some(user.clone()))?, Caller::Client)
        }
        Identity::Anonymous => (runner, Caller::Client),
    };
    let runner =
        runner.with_request_id(&call.request_id).with_request_metadata(call.request.clone());
    Ok((runner, caller))
}

/// The answer to `call` from its function's outcome.
fn answer(call: &Call, outcome: &FunctionOutcome) -> UdfResponse {
    let logs = outcome.logs.iter().map(|l| log_line(&l.level, &l.message)).collect();
    match &outcome.result {
        Ok(value) => UdfResponse::Success { value: call.format.encode(value), log_lines: logs },
        Err(error) => error_response(call, error.message.clone(), error.data.as_ref(), logs),
    }
}

/// The answer to `call` when the runtime could not run it.
fn runtime_error(call: &Call, error: &RuntimeError) -> UdfResponse {
    let message = runtime_error_text(&call.path, &call.identity, error);
    error_response(call, message, None, Vec::new())
}

/// How a runtime error reads to the caller of `path` as `identity`.
fn runtime_error_text(path: &str, identity: &Identity, error: &RuntimeError) -> String {
    match error {
        RuntimeError::FunctionNotFound(_)
        | RuntimeError::ModuleNotFound(..)
        | RuntimeError::BadPath(_) => not_found(path, identity),
        other => other.to_string(),
    }
}

fn commit_source(call: &Call) -> crate::inspector::CommitSource {
    crate::inspector::CommitSource {
        function: call.path.clone(),
        request_id: call.request_id.clone(),
    }
}

fn format_of(name: Option<&str>) -> Result<ValueFormat, ApiError> {
    ValueFormat::parse(name)
        .map(|f| f.unwrap_or(ValueFormat::CleanJson))
        .map_err(|e| ApiError::bad_request("BadFormat", e))
}

async fn udf(
    state: AppState,
    peer: Peer,
    headers: HeaderMap,
    body: Bytes,
    kind: Option<FunctionKind>,
) -> Result<Json<UdfResponse>, ApiError> {
    let request: UdfRequest = parse_body(&body)?;
    let identity = identity(&state, &headers).await?;
    let mut call = Call::new(
        request.path,
        kind,
        &request.args,
        request.format.as_deref(),
        identity,
        (&headers, peer),
        None,
    )?;
    call.component = request.component_path.unwrap_or_default();
    Ok(Json(run_call(&state, call).await))
}

pub(crate) async fn query(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<UdfResponse>, ApiError> {
    udf(state, peer, headers, body, Some(FunctionKind::Query)).await
}

pub(crate) async fn mutation(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<UdfResponse>, ApiError> {
    udf(state, peer, headers, body, Some(FunctionKind::Mutation)).await
}

pub(crate) async fn action(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<UdfResponse>, ApiError> {
    udf(state, peer, headers, body, Some(FunctionKind::Action)).await
}

/// `POST /api/function` (admin): any kind of function, internal ones included.
pub(crate) async fn function(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<UdfResponse>, ApiError> {
    udf(state, peer, headers, body, None).await
}

pub(crate) async fn run(
    State(state): State<AppState>,
    Path(path): Path<String>,
    peer: Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<UdfResponse>, ApiError> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let Some((function, module)) = segments.split_last().filter(|(_, m)| !m.is_empty()) else {
        return Err(ApiError::bad_request(
            "MissingIdentifier",
            format!("`/api/run/{path}` needs a module and a function, e.g. /api/run/messages/list"),
        ));
    };
    let request: RunRequest = if body.is_empty() {
        RunRequest { args: serde_json::Value::Null, format: None, component_path: None }
    } else {
        parse_body(&body)?
    };
    let identity = identity(&state, &headers).await?;
    let path = format!("{}:{function}", module.join("/"));
    let mut call = Call::new(
        path,
        None,
        &request.args,
        request.format.as_deref(),
        identity,
        (&headers, peer),
        None,
    )?;
    call.component = request.component_path.unwrap_or_default();
    Ok(Json(run_call(&state, call).await))
}

pub(crate) async fn query_ts(State(state): State<AppState>) -> Json<QueryTsResponse> {
    Json(QueryTsResponse { ts: timestamp::encode(state.deployment.engine().latest_ts().0) })
}

pub(crate) async fn query_at_ts(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<UdfResponse>, ApiError> {
    let request: QueryAtTsRequest = parse_body(&body)?;
    let ts =
        timestamp::decode(&request.ts).map_err(|e| ApiError::bad_request("InvalidTimestamp", e))?;
    let identity = identity(&state, &headers).await?;
    let (path, format) = (request.path, request.format.as_deref());
    let call = Call::new(
        path,
        Some(FunctionKind::Query),
        &request.args,
        format,
        identity,
        (&headers, peer),
        Some(ts),
    )?;
    Ok(Json(run_call(&state, call).await))
}

pub(crate) async fn query_batch(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<QueryBatchResponse>, ApiError> {
    let request: QueryBatchRequest = parse_body(&body)?;
    let at = state.deployment.engine().latest_ts().0;
    let identity = identity(&state, &headers).await?;
    let mut results = Vec::with_capacity(request.queries.len());
    for query in request.queries {
        let (path, format) = (query.path, query.format.as_deref());
        let kind = Some(FunctionKind::Query);
        let call = Call::new(
            path,
            kind,
            &query.args,
            format,
            identity.clone(),
            (&headers, peer),
            Some(at),
        )?;
        results.push(run_call(&state, call).await);
    }
    Ok(Json(QueryBatchResponse { results }))
}
