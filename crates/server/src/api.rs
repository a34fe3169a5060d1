//! The HTTP API: health routes, the function API, admin-key checks, HTTP actions — served
//! on the cloud port, with HTTP actions also at the root of the site port.
//!
//! Function outcomes are always HTTP 200 (`{"status":"success"|"error", …}`); other
//! failures are `{code, message}` with a status from their class. CORS mirrors the caller.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use atrium_protocol::format::ValueFormat;
use atrium_protocol::http::{
    CheckAdminKeyResponse, ErrorBody, QueryAtTsRequest, QueryBatchRequest, QueryBatchResponse,
    QueryTsResponse, RunRequest, UdfRequest, UdfResponse, log_line,
};
use atrium_protocol::timestamp;
use atrium_runtime::http::HttpRequest;
use atrium_runtime::{Caller, FunctionKind, FunctionOutcome, Runner, RuntimeError};
use atrium_value::Value;
use atrium_value::json::from_json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use std::collections::BTreeMap;
use tokio::sync::oneshot;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

use crate::Deployment;
use crate::auth::{Identity, identity_from_header};

/// Where to listen.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// 127.0.0.1 unless asked otherwise.
    pub host: IpAddr,
    /// The cloud port (Convex's default 3210); 0 picks a free one.
    pub port: u16,
    /// The site port for HTTP actions (Convex's default 3211); 0 picks a free one.
    pub site_port: u16,
    /// Whether Atrium's own endpoints (`/api/atrium/*`) are served. Off, the server answers
    /// only what Convex's backend does, so tests can stand it in for a Convex deployment.
    pub atrium_extensions: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 3210,
            site_port: 3211,
            atrium_extensions: true,
        }
    }
}

/// A server that is listening. [`RunningServer::stop`] shuts it down.
#[derive(Debug)]
pub struct RunningServer {
    pub cloud_url: String,
    pub site_url: String,
    stops: Vec<oneshot::Sender<()>>,
    tasks: Vec<tokio::task::JoinHandle<std::io::Result<()>>>,
    /// Tells long polls to answer now rather than hold the shutdown up.
    stopping: tokio::sync::watch::Sender<bool>,
    /// Tells sync sessions to close, once the listeners are gone (so a client that
    /// reconnects at once finds no server rather than a session that closes again).
    closing_sessions: tokio::sync::watch::Sender<bool>,
}

impl RunningServer {
    pub async fn stop(self) {
        let _ = self.stopping.send(true);
        for stop in self.stops {
            let _ = stop.send(());
        }
        for task in self.tasks {
            let _ = task.await;
        }
        let _ = self.closing_sessions.send(true);
    }
}

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) deployment: Arc<Deployment>,
    /// Becomes true when the server is stopping.
    stopping: tokio::sync::watch::Receiver<bool>,
    /// (cloud URL, site URL) as clients reach them.
    urls: Arc<(String, String)>,
}

/// An error outside a function: `{code, message}` with an HTTP status.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    pub(crate) fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self { status: StatusCode::BAD_REQUEST, code, message: message.into() }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(ErrorBody { code: self.code.into(), message: self.message }))
            .into_response()
    }
}

/// The routes that require the admin key (checked by a test that calls each without one).
pub const ADMIN_ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/check_admin_key"),
    ("POST", "/api/function"),
    ("GET", "/api/stream_function_logs"),
    ("GET", "/api/atrium/subscriptions"),
    ("POST", "/api/atrium/dry_run"),
    ("GET", "/api/atrium/module_source"),
    ("GET", "/api/atrium/logs"),
    ("GET", "/api/atrium/executions"),
    ("GET", "/api/atrium/vector_indexes"),
    ("POST", "/api/atrium/vector_search"),
    ("POST", "/api/atrium/vector_sample"),
    ("POST", "/api/atrium/vector_recall"),
    ("GET", "/api/app_metrics/stream_function_logs"),
    ("POST", "/api/update_environment_variables"),
    ("GET", "/api/list_environment_variables"),
    ("GET", "/api/v1/list_environment_variables"),
    ("GET", "/api/v1/get_canonical_urls"),
    ("POST", "/api/get_config_hashes"),
    ("POST", "/api/deploy2/evaluate_push"),
    ("POST", "/api/deploy2/start_push"),
    ("POST", "/api/deploy2/wait_for_schema"),
    ("POST", "/api/deploy2/finish_push"),
    ("POST", "/api/export/request/zip"),
    ("GET", "/api/export/zip/0"),
    ("POST", "/api/import/start_upload"),
    ("POST", "/api/import/upload_part"),
    ("POST", "/api/import/finish_upload"),
    ("POST", "/api/perform_import"),
];

/// Answers `/api/atrium/*` with a plain 404, as a Convex deployment does, when Atrium's
/// endpoints are off.
async fn refuse_extensions_when_off(
    State(extensions): State<bool>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if !extensions && request.uri().path().starts_with("/api/atrium/") {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    }
    next.run(request).await
}

/// Starts serving `deployment`.
pub async fn serve(
    deployment: Arc<Deployment>,
    config: ServerConfig,
) -> std::io::Result<RunningServer> {
    let cloud_listener =
        tokio::net::TcpListener::bind(SocketAddr::new(config.host, config.port)).await?;
    let site_listener =
        tokio::net::TcpListener::bind(SocketAddr::new(config.host, config.site_port)).await?;
    let cloud_url = format!("http://{}", cloud_listener.local_addr()?);
    let site_url = format!("http://{}", site_listener.local_addr()?);
    let (stopping, stopping_rx) = tokio::sync::watch::channel(false);
    let (closing_sessions, closing_sessions_rx) = tokio::sync::watch::channel(false);
    let state = AppState {
        deployment,
        stopping: stopping_rx,
        urls: Arc::new((cloud_url.clone(), site_url.clone())),
    };
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_headers(AllowHeaders::mirror_request())
        .allow_credentials(true)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::OPTIONS,
            Method::PATCH,
            Method::DELETE,
            Method::PUT,
        ])
        .max_age(std::time::Duration::from_secs(86400));
    let cloud = Router::new()
        .route(
            "/",
            get(|| async { "This Convex deployment is running. See https://docs.convex.dev/." }),
        )
        .route("/instance_name", get(instance_name))
        .route("/instance_version", get(version))
        .route("/version", get(version))
        .route("/echo", post(|body: Bytes| async move { body }))
        .route("/api/check_admin_key", get(check_admin_key))
        .route("/api/query", post(query))
        .route("/api/mutation", post(mutation))
        .route("/api/action", post(action))
        .route("/api/function", post(function))
        .route("/api/run/{*path}", post(run))
        .route("/api/query_ts", post(query_ts))
        .route("/api/query_at_ts", post(query_at_ts))
        .route("/api/query_batch", post(query_batch))
        .route("/api/stream_function_logs", get(stream_function_logs))
        .route("/api/atrium/subscriptions", get(live_subscriptions))
        .route("/api/atrium/dry_run", post(dry_run))
        .route("/api/atrium/module_source", get(module_source))
        .route("/api/atrium/logs", get(search_logs))
        .route("/api/atrium/executions", get(executions))
        .route("/api/atrium/vector_indexes", get(crate::vector::list))
        .route("/api/atrium/vector_search", post(crate::vector::search))
        .route("/api/atrium/vector_sample", post(crate::vector::sample))
        .route("/api/atrium/vector_recall", post(crate::vector::recall))
        .route("/api/app_metrics/stream_function_logs", get(stream_function_logs))
        .route("/api/update_environment_variables", post(update_environment_variables))
        .route("/api/list_environment_variables", get(list_environment_variables))
        .route("/api/v1/list_environment_variables", get(list_environment_variables))
        .route("/api/v1/get_canonical_urls", get(canonical_urls))
        .route("/api/get_config_hashes", post(get_config_hashes))
        .route("/api/deploy2/evaluate_push", post(evaluate_push))
        .route("/api/deploy2/start_push", post(start_push))
        .route("/api/deploy2/wait_for_schema", post(wait_for_schema))
        .route("/api/deploy2/finish_push", post(finish_push))
        .route("/api/deploy2/report_push_completed", post(report_push_completed))
        .route("/api/export/request/zip", post(request_export))
        .route("/api/export/zip/{key}", get(download_export))
        .route("/api/import/start_upload", post(start_upload))
        .route("/api/import/upload_part", post(upload_part))
        .route("/api/import/finish_upload", post(finish_upload))
        .route("/api/perform_import", post(perform_import))
        .route("/http/{*path}", any(http_action))
        .with_state(state.clone())
        .merge(
            Router::new()
                .route("/api/sync", get(crate::sync::upgrade))
                .route("/api/{version}/sync", get(crate::sync::upgrade))
                .with_state((state.deployment.clone(), closing_sessions_rx)),
        )
        .layer(axum::middleware::from_fn_with_state(
            config.atrium_extensions,
            refuse_extensions_when_off,
        ))
        .layer(cors);
    let site = Router::new().fallback(any(site_http_action)).with_state(state);

    let mut stops = Vec::new();
    let mut tasks = Vec::new();
    for (listener, app) in [(cloud_listener, cloud), (site_listener, site)] {
        let (stop, stopped) = oneshot::channel::<()>();
        stops.push(stop);
        tasks.push(tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        }));
    }
    Ok(RunningServer { cloud_url, site_url, stops, tasks, stopping, closing_sessions })
}

async fn instance_name(State(state): State<AppState>) -> String {
    state.deployment.name().to_owned()
}

async fn version() -> &'static str {
    concat!("atrium-", env!("CARGO_PKG_VERSION"))
}

fn identity(state: &AppState, headers: &HeaderMap) -> Result<Identity, ApiError> {
    let header = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    identity_from_header(header, state.deployment.admin_key()).map_err(|e| ApiError {
        status: StatusCode::UNAUTHORIZED,
        code: e.code,
        message: e.message,
    })
}

pub(crate) fn require_admin(state: &AppState, headers: &HeaderMap) -> Result<Identity, ApiError> {
    match identity(state, headers)? {
        Identity::Anonymous => Err(ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: "BadAdminKey",
            message: "This route requires the deployment's admin key (`Authorization: Convex <admin key>`)".into(),
        }),
        other => Ok(other),
    }
}

async fn check_admin_key(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<CheckAdminKeyResponse>, ApiError> {
    require_admin(&state, &headers)?;
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
    Ok(Json(CheckAdminKeyResponse {
        success: true,
        allowed_ops: ops.iter().map(|s| s.to_string()).collect(),
        is_read_only: false,
    }))
}

fn request_id(headers: &HeaderMap) -> String {
    if let Some(id) = headers.get("convex-request-id").and_then(|v| v.to_str().ok()) {
        return id.to_owned();
    }
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The arguments object from `args` (an object, or a one-element array holding it).
fn arguments(args: &serde_json::Value) -> Result<Value, ApiError> {
    let args = match args {
        serde_json::Value::Null => return Ok(Value::Object(Default::default())),
        serde_json::Value::Array(items) if items.len() == 1 => &items[0],
        other => other,
    };
    match from_json(args) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(other) => Err(ApiError::bad_request(
            "InvalidArgs",
            format!("Function arguments must be an object, not {}", other.value_type().name()),
        )),
        Err(e) => {
            Err(ApiError::bad_request("InvalidArgs", format!("Invalid function arguments: {e}")))
        }
    }
}

struct Call {
    path: String,
    /// `None`: whatever the function is (`/api/function`, `/api/run`).
    kind: Option<FunctionKind>,
    args: Value,
    format: ValueFormat,
    identity: Identity,
    request_id: String,
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
        headers: &HeaderMap,
        at: Option<u64>,
    ) -> Result<Self, ApiError> {
        Ok(Call {
            path,
            kind,
            args: arguments(args)?,
            format: format_of(format)?,
            identity,
            request_id: request_id(headers),
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
        return error_response(&call, not_found(&call.path, &call.identity), None, Vec::new());
    };
    let path = call.path.clone();
    let args = call.args.clone();
    let identity = call.identity.clone();
    let request_id = call.request_id.clone();
    let kind = call.kind;
    let at = call.at;
    let outcome = tokio::task::spawn_blocking(move || -> Result<FunctionOutcome, RuntimeError> {
        let (runner, caller): (Runner, Caller) = match identity {
            Identity::Admin => (runner, Caller::Internal),
            Identity::AdminActingAs(user) => (runner.as_user(Some(user))?, Caller::Client),
            Identity::Anonymous => (runner, Caller::Client),
        };
        let runner = match at {
            Some(ts) => runner.at_snapshot(atrium_engine::Timestamp(ts)),
            None => runner,
        }
        .with_request_id(&request_id);
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
            let logs = outcome.logs.iter().map(|l| log_line(&l.level, &l.message)).collect();
            match outcome.result {
                Ok(value) => {
                    UdfResponse::Success { value: call.format.encode(&value), log_lines: logs }
                }
                Err(error) => error_response(&call, error.message, error.data.as_ref(), logs),
            }
        }
        Ok(Err(
            RuntimeError::FunctionNotFound(_)
            | RuntimeError::ModuleNotFound(..)
            | RuntimeError::BadPath(_),
        )) => error_response(&call, not_found(&call.path, &call.identity), None, Vec::new()),
        Ok(Err(error)) => error_response(&call, error.to_string(), None, Vec::new()),
        Err(join) => error_response(&call, format!("Internal error: {join}"), None, Vec::new()),
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

fn parse_body<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request("BadJsonBody", format!("The request body is not valid: {e}"))
    })
}

async fn udf(
    state: AppState,
    headers: HeaderMap,
    body: Bytes,
    kind: Option<FunctionKind>,
) -> Result<Json<UdfResponse>, ApiError> {
    let request: UdfRequest = parse_body(&body)?;
    if request.component_path.as_deref().is_some_and(|c| !c.is_empty()) {
        return Err(ApiError::bad_request(
            "ComponentsNotSupported",
            "Components are not supported by this engine yet",
        ));
    }
    let identity = identity(&state, &headers)?;
    let call = Call::new(
        request.path,
        kind,
        &request.args,
        request.format.as_deref(),
        identity,
        &headers,
        None,
    )?;
    Ok(Json(run_call(&state, call).await))
}

async fn query(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<UdfResponse>, ApiError> {
    udf(state, headers, body, Some(FunctionKind::Query)).await
}

async fn mutation(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<UdfResponse>, ApiError> {
    udf(state, headers, body, Some(FunctionKind::Mutation)).await
}

async fn action(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<UdfResponse>, ApiError> {
    udf(state, headers, body, Some(FunctionKind::Action)).await
}

async fn function(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<UdfResponse>, ApiError> {
    require_admin(&state, &headers)?;
    udf(state, headers, body, None).await
}

async fn run(
    State(state): State<AppState>,
    Path(path): Path<String>,
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
        RunRequest { args: serde_json::Value::Null, format: None }
    } else {
        parse_body(&body)?
    };
    let identity = identity(&state, &headers)?;
    let path = format!("{}:{function}", module.join("/"));
    let call =
        Call::new(path, None, &request.args, request.format.as_deref(), identity, &headers, None)?;
    Ok(Json(run_call(&state, call).await))
}

async fn query_ts(State(state): State<AppState>) -> Json<QueryTsResponse> {
    Json(QueryTsResponse { ts: timestamp::encode(state.deployment.engine().latest_ts().0) })
}

async fn query_at_ts(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<UdfResponse>, ApiError> {
    let request: QueryAtTsRequest = parse_body(&body)?;
    let ts =
        timestamp::decode(&request.ts).map_err(|e| ApiError::bad_request("InvalidTimestamp", e))?;
    let identity = identity(&state, &headers)?;
    let (path, format) = (request.path, request.format.as_deref());
    let call = Call::new(
        path,
        Some(FunctionKind::Query),
        &request.args,
        format,
        identity,
        &headers,
        Some(ts),
    )?;
    Ok(Json(run_call(&state, call).await))
}

async fn query_batch(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<QueryBatchResponse>, ApiError> {
    let request: QueryBatchRequest = parse_body(&body)?;
    let at = state.deployment.engine().latest_ts().0;
    let identity = identity(&state, &headers)?;
    let mut results = Vec::with_capacity(request.queries.len());
    for query in request.queries {
        let (path, format) = (query.path, query.format.as_deref());
        let kind = Some(FunctionKind::Query);
        let call =
            Call::new(path, kind, &query.args, format, identity.clone(), &headers, Some(at))?;
        results.push(run_call(&state, call).await);
    }
    Ok(Json(QueryBatchResponse { results }))
}

/// The admin key from the header or, for push routes, from the body's `adminKey`.
fn require_admin_in(
    state: &AppState,
    headers: &HeaderMap,
    body: &serde_json::Value,
) -> Result<(), ApiError> {
    if headers.get(header::AUTHORIZATION).is_none()
        && let Some(key) = body.get("adminKey").and_then(serde_json::Value::as_str)
    {
        return crate::auth::check_admin_key(key, state.deployment.admin_key())
            .map(|_| ())
            .map_err(|e| ApiError {
                status: StatusCode::UNAUTHORIZED,
                code: e.code,
                message: e.message,
            });
    }
    require_admin(state, headers).map(|_| ())
}

fn push_body(headers: &HeaderMap, body: &Bytes) -> Result<serde_json::Value, ApiError> {
    crate::push::body_json(headers, body).map_err(|e| ApiError::bad_request("BadJsonBody", e))
}

fn push_error(error: crate::deployment::DeploymentError) -> ApiError {
    ApiError::bad_request("InvalidModules", error.to_string())
}

async fn canonical_urls(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    require_admin(&state, &headers)?;
    Ok(Json(serde_json::json!({ "convexCloudUrl": state.urls.0, "convexSiteUrl": state.urls.1 })))
}

async fn get_config_hashes(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let request = push_body(&headers, &body)?;
    require_admin_in(&state, &headers, &request)?;
    let hashes: Vec<serde_json::Value> = state
        .deployment
        .pushed_modules()
        .iter()
        .filter(|m| m.path != "schema.js")
        .map(|m| serde_json::json!({ "path": m.path, "hash": m.hash(), "environment": m.environment }))
        .collect();
    Ok(Json(serde_json::json!({
        "config": { "functions": "convex/" },
        "moduleHashes": hashes,
        "udfServerVersion": if hashes.is_empty() { serde_json::Value::Null } else { "1.48.0".into() },
        "nodeVersion": null,
    })))
}

async fn evaluate_push(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let request = push_body(&headers, &body)?;
    require_admin_in(&state, &headers, &request)?;
    Ok(Json(
        serde_json::json!({ "schemaChange": { "allocatedComponentIds": {}, "schemaIds": {}, "indexDiffs": {} } }),
    ))
}

async fn start_push(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let request = push_body(&headers, &body)?;
    require_admin_in(&state, &headers, &request)?;
    let modules = crate::push::modules_of(&request, &state.deployment.pushed_modules())
        .map_err(|e| ApiError::bad_request("InvalidModules", e))?;
    let deployment = state.deployment.clone();
    let pending = tokio::task::spawn_blocking(move || deployment.start_push(modules))
        .await
        .map_err(|e| ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "InternalServerError",
            message: e.to_string(),
        })?
        .map_err(push_error)?;
    Ok(Json(crate::push::start_push_response(&pending.id, &state.deployment.environment())))
}

async fn wait_for_schema(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let request = push_body(&headers, &body)?;
    require_admin_in(&state, &headers, &request)?;
    // The schema that matters is the one `start_push` analysed; check existing documents.
    let pending = state.deployment.pending_schema();
    if let Some(schema) = pending {
        let deployment = state.deployment.clone();
        let violations =
            tokio::task::spawn_blocking(move || deployment.engine().schema_violations(&schema, 1))
                .await
                .map_err(|e| ApiError {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    code: "InternalServerError",
                    message: e.to_string(),
                })?
                .map_err(|e| ApiError {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    code: "InternalServerError",
                    message: e.to_string(),
                })?;
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

async fn finish_push(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let request = push_body(&headers, &body)?;
    require_admin_in(&state, &headers, &request)?;
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
    let (added, removed) = tokio::task::spawn_blocking(move || deployment.finish_push(&id))
        .await
        .map_err(|e| ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "InternalServerError",
            message: e.to_string(),
        })?
        .map_err(push_error)?;
    Ok(Json(crate::push::finish_push_response(added, removed)))
}

async fn report_push_completed() -> Json<serde_json::Value> {
    Json(serde_json::json!({}))
}

pub(crate) fn internal(message: impl std::fmt::Display) -> ApiError {
    ApiError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        code: "InternalServerError",
        message: message.to_string(),
    }
}

/// `POST /api/export/request/zip`: writes the snapshot now; `exports:getLatest` then reports
/// it completed.
async fn request_export(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    require_admin(&state, &headers)?;
    let engine = state.deployment.engine().clone();
    let (ts, zip) = tokio::task::spawn_blocking(move || crate::snapshot::export_zip(&engine))
        .await
        .map_err(internal)?
        .map_err(internal)?;
    let (id, created) = crate::snapshot::record_id(533);
    let int = |n: u64| Value::Int64(n as i64);
    let mut document = atrium_value::Object::new();
    for (k, v) in [
        ("_id", Value::String(id.clone())),
        ("_creationTime", Value::Float64(created)),
        ("state", Value::from("completed")),
        ("start_ts", int(ts)),
        ("complete_ts", int(ts)),
        ("expiration_ts", int(ts + 30 * 24 * 3600 * 1_000_000_000)),
        ("zip_object_key", Value::String(format!("{ts}.zip"))),
        ("component", Value::Null),
        ("requestor", Value::from("snapshotExport")),
        ("size", int(zip.len() as u64)),
    ] {
        document.insert(k.to_owned(), v);
    }
    let mut format = atrium_value::Object::new();
    format.insert("format".into(), Value::from("zip"));
    format.insert("include_storage".into(), Value::Boolean(false));
    document.insert("format".into(), Value::Object(format));
    state.deployment.exports.lock().unwrap().push(crate::deployment::ExportRecord {
        document: Value::Object(document),
        id,
        start_ts: ts,
        zip: Arc::new(zip),
    });
    Ok(StatusCode::OK)
}

/// `GET /api/export/zip/{start_ts or id}`: the ZIP.
async fn download_export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    require_admin(&state, &headers)?;
    let record = state
        .deployment
        .exports
        .lock()
        .unwrap()
        .iter()
        .find(|r| r.id == key || r.start_ts.to_string() == key)
        .cloned()
        .ok_or_else(|| ApiError {
            status: StatusCode::NOT_FOUND,
            code: "ExportNotFound",
            message: format!("No export {key}"),
        })?;
    let mut response = Response::new(Body::from(record.zip.as_ref().clone()));
    let name = format!("snapshot_{}_{}.zip", state.deployment.name(), record.start_ts);
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename={name}")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=2592000"));
    Ok(response)
}

async fn start_upload(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    require_admin(&state, &headers)?;
    let (token, _) = crate::snapshot::record_id(534);
    state.deployment.uploads.lock().unwrap().insert(token.clone(), BTreeMap::new());
    Ok(Json(serde_json::json!({ "uploadToken": token })))
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct UploadPart {
    upload_token: Option<String>,
    part_number: Option<u32>,
}

async fn upload_part(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(part): axum::extract::Query<UploadPart>,
    body: Bytes,
) -> Result<Json<String>, ApiError> {
    require_admin(&state, &headers)?;
    let (Some(token), Some(number)) = (part.upload_token, part.part_number) else {
        return Err(ApiError::bad_request(
            "InvalidUpload",
            "upload_part needs uploadToken and partNumber",
        ));
    };
    let mut uploads = state.deployment.uploads.lock().unwrap();
    let parts = uploads.get_mut(&token).ok_or_else(|| {
        ApiError::bad_request("InvalidUploadToken", "Unknown upload token: start the upload again")
    })?;
    parts.insert(number, body.to_vec());
    Ok(Json(format!("part-{number}")))
}

/// `POST /api/import/finish_upload`: runs the import at once (no confirmation step) and
/// records its outcome for `queryImport`.
async fn finish_upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    require_admin(&state, &headers)?;
    let request: serde_json::Value = parse_body(&body)?;
    let token = request["uploadToken"].as_str().unwrap_or_default().to_owned();
    let parts = state.deployment.uploads.lock().unwrap().remove(&token).ok_or_else(|| {
        ApiError::bad_request("InvalidUploadToken", "Unknown upload token: start the upload again")
    })?;
    let bytes: Vec<u8> = parts.into_values().flatten().collect();
    let format = request
        .pointer("/import/format")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("jsonLines")
        .to_owned();
    let table =
        request.pointer("/import/tableName").and_then(serde_json::Value::as_str).map(str::to_owned);
    let mode_text =
        request.pointer("/import/mode").and_then(serde_json::Value::as_str).map(str::to_owned);
    let mode = crate::snapshot::ImportMode::parse(mode_text.as_deref())
        .map_err(|e| ApiError::bad_request("InvalidImport", e))?;
    let engine = state.deployment.engine().clone();
    let (f, t) = (format.clone(), table.clone());
    let outcome = tokio::task::spawn_blocking(move || {
        crate::snapshot::import(&engine, &bytes, &f, t.as_deref(), mode)
    })
    .await
    .map_err(internal)?;
    let (id, created) = crate::snapshot::record_id(534);
    let mut import_state = atrium_value::Object::new();
    match outcome {
        Ok(written) => {
            import_state.insert("state".into(), Value::from("completed"));
            import_state.insert("num_rows_written".into(), Value::Int64(written as i64));
        }
        Err(error) => {
            import_state.insert("state".into(), Value::from("failed"));
            import_state.insert("error_message".into(), Value::String(error));
        }
    }
    let mut format_doc = atrium_value::Object::new();
    format_doc.insert("format".into(), Value::String(format));
    if let Some(table) = table {
        format_doc.insert("table".into(), Value::String(table));
    }
    let mut document = atrium_value::Object::new();
    document.insert("_id".into(), Value::String(id.clone()));
    document.insert("_creationTime".into(), Value::Float64(created));
    document.insert("state".into(), Value::Object(import_state));
    document.insert("format".into(), Value::Object(format_doc));
    document
        .insert("mode".into(), Value::String(mode_text.unwrap_or_else(|| "requireEmpty".into())));
    document.insert("component_path".into(), Value::Null);
    document.insert(
        "requestor".into(),
        Value::Object([("type".to_string(), Value::from("snapshotImport"))].into_iter().collect()),
    );
    state.deployment.imports.lock().unwrap().push(crate::deployment::ImportRecord {
        id: id.clone(),
        document: Value::Object(document),
    });
    Ok(Json(serde_json::json!({ "importId": id })))
}

async fn perform_import(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    // Imports run at finish_upload; there is nothing left to confirm.
    require_admin(&state, &headers)?;
    Ok(StatusCode::OK)
}

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
async fn update_environment_variables(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    require_admin(&state, &headers)?;
    let request: EnvironmentChanges = parse_body(&body)?;
    let changes: Vec<(String, Option<String>)> =
        request.changes.into_iter().map(|c| (c.name, c.value)).collect();
    let deployment = state.deployment.clone();
    tokio::task::spawn_blocking(move || deployment.update_environment(&changes))
        .await
        .map_err(|e| ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "InternalServerError",
            message: e.to_string(),
        })?
        .map_err(|message| ApiError::bad_request("InvalidEnvironmentVariables", message))?;
    Ok(StatusCode::OK)
}

/// `GET /api/list_environment_variables` → `{environmentVariables: {NAME: value}}`.
async fn list_environment_variables(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    require_admin(&state, &headers)?;
    Ok(Json(serde_json::json!({ "environmentVariables": state.deployment.environment() })))
}

#[derive(serde::Deserialize)]
struct LogCursor {
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
/// `?text=&function=&before=&limit=`: the log archive searched, newest first (Atrium
/// extension, admin only): `{entries, next}` where `next` is the `before` for the next
/// page (null at the end).
/// The kept executions since a time, for per-function metrics.
async fn executions(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<Json<atrium_protocol::atrium::ExecutionColumns>, ApiError> {
    require_admin(&state, &headers)?;
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

async fn search_logs(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<Json<atrium_protocol::atrium::LogSearch>, ApiError> {
    require_admin(&state, &headers)?;
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
    let records =
        state.deployment.engine().logs().search(&filter, number("before")?, limit).map_err(
            |e| ApiError {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                code: "InternalServerError",
                message: format!("The log store cannot be read: {e}"),
            },
        )?;
    let next = (records.len() == limit).then(|| records.last().map(|r| r.seq)).flatten();
    let entries = records.into_iter().map(|r| r.entry).collect();
    Ok(Json(atrium_protocol::atrium::LogSearch { entries, next }))
}

/// `?module=tasks`: a function module's source as written (Atrium extension, admin only).
async fn module_source(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<Json<atrium_protocol::atrium::ModuleSource>, ApiError> {
    require_admin(&state, &headers)?;
    let module = query.get("module").map(String::as_str).unwrap_or_default();
    let runner = state.deployment.runner();
    let found = runner.as_ref().and_then(|r| r.project().module_source(module));
    match found {
        Some((path, source)) => Ok(Json(atrium_protocol::atrium::ModuleSource { path, source })),
        None => Err(ApiError {
            status: StatusCode::NOT_FOUND,
            code: "ModuleNotFound",
            message: format!("This deployment has no module {module:?}"),
        }),
    }
}

/// `{path, args}`: runs a mutation without committing it (Atrium extension, admin only;
/// an acting-as identity in the key applies): its result, logs and the writes it would
/// have made, each document before and after, in Convex-encoded JSON.
async fn dry_run(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<atrium_protocol::atrium::DryRunResponse>, ApiError> {
    use atrium_protocol::atrium::{DryRunRequest, DryRunResponse, DryRunWrite};
    let identity = require_admin(&state, &headers)?;
    let request: DryRunRequest = parse_body(&body)?;
    let args = match atrium_value::json::from_json(&request.args) {
        Ok(value @ atrium_value::Value::Object(_)) => value,
        Ok(atrium_value::Value::Null) => atrium_value::Value::Object(Default::default()),
        _ => {
            return Err(ApiError::bad_request(
                "BadArgs",
                "`args` must be an object of Convex-encoded JSON",
            ));
        }
    };
    let Some(runner) = state.deployment.runner() else {
        return Err(ApiError::bad_request("NoFunctions", "This deployment has no functions yet"));
    };
    let path = request.path.clone();
    let run = tokio::task::spawn_blocking(move || {
        let (runner, caller) = match identity {
            Identity::AdminActingAs(user) => (runner.as_user(Some(user))?, Caller::Client),
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
    let encode = |v: &atrium_value::Value| ValueFormat::ConvexEncodedJson.encode(v);
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

/// Atrium's subscription inspector: every live query of every sync session, what it read
/// and which write last re-ran it.
async fn live_subscriptions(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<atrium_protocol::atrium::LiveSubscriptions>, ApiError> {
    require_admin(&state, &headers)?;
    Ok(Json(state.deployment.inspector.snapshot(state.deployment.engine())))
}

async fn stream_function_logs(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<LogCursor>,
) -> Result<Json<serde_json::Value>, ApiError> {
    require_admin(&state, &headers)?;
    let logs_error = |e: atrium_engine::logs::LogError| ApiError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        code: "InternalServerError",
        message: format!("The log store cannot be read: {e}"),
    };
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

async fn serve_http_action(
    state: AppState,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
    path: String,
) -> Response {
    let Some(runner) = state.deployment.runner() else {
        return (StatusCode::NOT_FOUND, "This deployment has no HTTP actions").into_response();
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("127.0.0.1");
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    let request = HttpRequest {
        method: method.to_string(),
        url: format!("http://{host}{path}{query}"),
        path,
        headers: headers
            .iter()
            .filter_map(|(k, v)| Some((k.to_string(), v.to_str().ok()?.to_owned())))
            .collect(),
        body: body.to_vec(),
    };
    match tokio::task::spawn_blocking(move || runner.run_http(&request)).await {
        Ok(Ok(outcome)) => {
            let mut response = Response::new(Body::from(outcome.response.body));
            *response.status_mut() = StatusCode::from_u16(outcome.response.status)
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            for (name, value) in outcome.response.headers {
                if let (Ok(name), Ok(value)) =
                    (header::HeaderName::try_from(name), HeaderValue::try_from(value))
                {
                    response.headers_mut().append(name, value);
                }
            }
            response
        }
        Ok(Err(error)) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
        Err(join) => (StatusCode::INTERNAL_SERVER_ERROR, join.to_string()).into_response(),
    }
}

async fn http_action(
    State(state): State<AppState>,
    Path(path): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    serve_http_action(state, method, uri, headers, body, format!("/{path}")).await
}

async fn site_http_action(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    serve_http_action(state, method, uri, headers, body, path).await
}
