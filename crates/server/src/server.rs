//! The server's lifecycle and its one route table: [`ServerConfig`], [`serve`] (binds the
//! cloud and site ports and assembles the routers) and [`RunningServer::stop`].
//!
//! Every route is declared here and only here. Admin routes are declared in
//! [`ADMIN_ROUTES`], which builds the admin sub-routers: their key check is a layer
//! (`state::require_admin`, or `state::require_admin_or_push_key` for the CLI's push routes),
//! so a route cannot be admin without it and the check runs before any extractor reads the
//! body. The test that calls every admin route without a key reads the same table.
//!
//! CORS mirrors the caller. Handlers live in `routes/*`; this module must not hold one.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, any, get, post};
use axum::serve::ListenerExt;
use tokio::sync::oneshot;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

use crate::Deployment;
use crate::routes::{
    atrium, auth_admin, env, functions, http_actions, instance, logs, push, scheduling, snapshot,
    storage, vector,
};
use crate::state::{AppState, require_admin, require_admin_or_push_key};

/// Where to listen.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// 127.0.0.1 unless asked otherwise.
    pub host: IpAddr,
    /// The cloud port (Convex's default 3210); 0 picks a free one.
    pub port: u16,
    /// The site port for HTTP actions (Convex's default 3211); 0 picks a free one.
    pub site_port: u16,
    /// Whether Atrium's own endpoints (`/api/atrium/*`, `_system/atrium/*`) are served. Off,
    /// the server answers only what Convex's backend does, so tests can stand it in for a
    /// Convex deployment.
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

/// How an admin route's key is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyCheck {
    /// `Authorization: Convex <admin key>` (`state::require_admin`).
    Header,
    /// The header, or the body's `adminKey` as the CLI sends on push
    /// (`state::require_admin_or_push_key`).
    HeaderOrPushBody,
}

/// A route that requires the admin key: its method, path (as routed: `{key}` is a path
/// parameter) and handler. The router applies the key check to every one.
#[derive(Debug)]
pub struct AdminRoute {
    pub method: &'static str,
    pub path: &'static str,
    key: KeyCheck,
    route: fn() -> MethodRouter<AppState>,
}

/// One [`AdminRoute`]; the method names both the entry and the handler's routing, so the
/// two cannot disagree.
macro_rules! admin {
    (POST push $path:literal => $handler:expr) => {
        AdminRoute {
            method: "POST",
            path: $path,
            key: KeyCheck::HeaderOrPushBody,
            route: || post($handler),
        }
    };
    (GET $path:literal => $handler:expr) => {
        AdminRoute { method: "GET", path: $path, key: KeyCheck::Header, route: || get($handler) }
    };
    (POST $path:literal => $handler:expr) => {
        AdminRoute { method: "POST", path: $path, key: KeyCheck::Header, route: || post($handler) }
    };
}

/// Every route that requires the admin key; the admin sub-routers are built from this list
/// (a test calls each without a key).
pub const ADMIN_ROUTES: &[AdminRoute] = &[
    admin!(GET "/api/check_admin_key" => instance::check_admin_key),
    admin!(POST "/api/function" => functions::function),
    admin!(GET "/api/stream_function_logs" => logs::stream_function_logs),
    admin!(GET "/api/atrium/subscriptions" => atrium::live_subscriptions),
    admin!(POST "/api/atrium/dry_run" => atrium::dry_run),
    admin!(GET "/api/atrium/module_source" => atrium::module_source),
    admin!(GET "/api/atrium/logs" => atrium::search_logs),
    admin!(GET "/api/atrium/executions" => atrium::executions),
    admin!(GET "/api/atrium/auth_providers" => auth_admin::auth_providers),
    admin!(POST "/api/atrium/verify_token" => auth_admin::verify_token),
    admin!(GET "/api/atrium/vector_indexes" => vector::list),
    admin!(POST "/api/atrium/vector_search" => vector::search),
    admin!(POST "/api/atrium/vector_sample" => vector::sample),
    admin!(POST "/api/atrium/vector_recall" => vector::recall),
    admin!(GET "/api/app_metrics/stream_function_logs" => logs::stream_function_logs),
    admin!(POST "/api/update_environment_variables" => env::update_environment_variables),
    admin!(GET "/api/list_environment_variables" => env::list_environment_variables),
    admin!(GET "/api/v1/list_environment_variables" => env::list_environment_variables),
    admin!(GET "/api/v1/get_canonical_urls" => instance::canonical_urls),
    admin!(POST push "/api/get_config_hashes" => push::get_config_hashes),
    admin!(POST push "/api/deploy2/evaluate_push" => push::evaluate_push),
    admin!(POST push "/api/deploy2/start_push" => push::start_push),
    admin!(POST push "/api/deploy2/wait_for_schema" => push::wait_for_schema),
    admin!(POST push "/api/deploy2/finish_push" => push::finish_push),
    admin!(POST "/api/export/request/zip" => snapshot::request_export),
    admin!(GET "/api/export/zip/{key}" => snapshot::download_export),
    admin!(POST "/api/import/start_upload" => snapshot::start_upload),
    admin!(POST "/api/import/upload_part" => snapshot::upload_part),
    admin!(POST "/api/import/finish_upload" => snapshot::finish_upload),
    admin!(POST "/api/perform_import" => snapshot::perform_import),
    admin!(POST "/api/cancel_job" => scheduling::cancel_job_route),
    admin!(POST "/api/cancel_all_jobs" => scheduling::cancel_all_jobs),
];

/// The routes anyone may call (a function's own visibility still applies).
fn public_routes() -> Router<AppState> {
    Router::new()
        .route("/", get(instance::root))
        .route("/instance_name", get(instance::instance_name))
        .route("/instance_version", get(instance::version))
        .route("/version", get(instance::version))
        .route("/echo", post(instance::echo))
        .route("/api/query", post(functions::query))
        .route("/api/mutation", post(functions::mutation))
        .route("/api/action", post(functions::action))
        .route("/api/run/{*path}", post(functions::run))
        .route("/api/query_ts", post(functions::query_ts))
        .route("/api/query_at_ts", post(functions::query_at_ts))
        .route("/api/query_batch", post(functions::query_batch))
        .route("/api/deploy2/report_push_completed", post(push::report_push_completed))
        .route("/http/{*path}", any(http_actions::http_action).layer(http_actions::body_limit()))
        .route("/api/storage/upload", post(storage::upload))
        .route("/api/storage/{id}", get(storage::download))
}

/// The admin sub-routers built from [`ADMIN_ROUTES`], each with its key check as a layer.
fn admin_routes(state: &AppState) -> Router<AppState> {
    let (mut header, mut push_body) = (Router::new(), Router::new());
    for route in ADMIN_ROUTES {
        match route.key {
            KeyCheck::Header => header = header.route(route.path, (route.route)()),
            KeyCheck::HeaderOrPushBody => push_body = push_body.route(route.path, (route.route)()),
        }
    }
    let header = header.route_layer(from_fn_with_state(state.clone(), require_admin));
    let push_body =
        push_body.route_layer(from_fn_with_state(state.clone(), require_admin_or_push_key));
    header.merge(push_body)
}

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
    // Functions see these URLs as CONVEX_CLOUD_URL and CONVEX_SITE_URL; file URLs are on
    // the cloud one.
    let (urls_for, cloud, site) = (deployment.clone(), cloud_url.clone(), site_url.clone());
    tokio::task::spawn_blocking(move || urls_for.set_urls(&cloud, &site))
        .await
        .map_err(std::io::Error::other)?;
    let (stopping, stopping_rx) = tokio::sync::watch::channel(false);
    let (closing_sessions, closing_sessions_rx) = tokio::sync::watch::channel(false);
    deployment.set_atrium_extensions(config.atrium_extensions);
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
    let cloud = public_routes()
        .merge(admin_routes(&state))
        .with_state(state.clone())
        .merge(
            Router::new()
                .route("/api/sync", get(crate::sync::upgrade))
                .route("/api/{version}/sync", get(crate::sync::upgrade))
                .with_state((state.deployment.clone(), closing_sessions_rx)),
        )
        .layer(from_fn_with_state(config.atrium_extensions, refuse_extensions_when_off))
        .layer(cors);
    let site = Router::new()
        .fallback(any(http_actions::site_http_action))
        .layer(http_actions::body_limit())
        .with_state(state);

    let mut stops = Vec::new();
    let mut tasks = Vec::new();
    for (listener, app) in [(cloud_listener, cloud), (site_listener, site)] {
        let (stop, stopped) = oneshot::channel::<()>();
        stops.push(stop);
        tasks.push(tokio::spawn(async move {
            // Each request knows its peer's address (`state::Peer`).
            let app = app.into_make_service_with_connect_info::<SocketAddr>();
            // Small frames (a Transition, a response) go out at once, not held back by
            // Nagle's algorithm until the previous write is acknowledged.
            let listener = listener.tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            });
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        }));
    }
    Ok(RunningServer { cloud_url, site_url, stops, tasks, stopping, closing_sessions })
}
