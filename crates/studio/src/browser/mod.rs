//! Browser mode: the studio's commands and events served to a plain browser.
//!
//! The server binds 127.0.0.1 only. It serves the UI's files, `POST /api/rpc/{command}`
//! (the same dispatcher the desktop window calls over IPC) and `GET /api/events` (a
//! WebSocket carrying [`StudioEvent`](crate::StudioEvent)s). Every request must carry the
//! per-launch token (see [`auth`]); without it the answer is 401. Files the export commands
//! write are also offered to the browser once (see [`downloads`]).

mod assets;
mod auth;
mod downloads;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use assets::{DirAssets, UiAssets};

use crate::{CommandError, ErrorCode, Studio, commands};

/// How to start browser mode.
pub struct BrowserOptions {
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// The UI's built files (`ui/dist`).
    pub assets: Arc<dyn UiAssets>,
}

impl std::fmt::Debug for BrowserOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrowserOptions").field("port", &self.port).finish_non_exhaustive()
    }
}

/// A running browser-mode server. Dropping it leaves the server running until the process
/// ends; [`BrowserHost::shutdown`] stops it.
#[derive(Debug)]
pub struct BrowserHost {
    addr: SocketAddr,
    token: String,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

#[derive(Clone)]
struct AppState {
    studio: Arc<Studio>,
    assets: Arc<dyn UiAssets>,
    downloads: downloads::Downloads,
}

impl BrowserHost {
    /// Binds 127.0.0.1 and starts serving. Fails when the port is taken.
    pub async fn start(studio: Arc<Studio>, options: BrowserOptions) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, options.port)).await?;
        let addr = listener.local_addr()?;
        let token = auth::new_token();
        let state = AppState { studio, assets: options.assets, downloads: Default::default() };
        let guard = auth::Guard { token: token.clone(), port: addr.port() };
        let app = Router::new()
            .route("/api/rpc/{command}", post(rpc))
            .route("/api/events", get(events))
            .route("/api/download/{token}", get(download))
            .fallback(get(asset))
            .with_state(state)
            .layer(axum::middleware::from_fn_with_state(guard, auth::check))
            .layer(axum::middleware::from_fn(security_headers));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        Ok(Self { addr, token, stop, task })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// The address to open, token included.
    pub fn url(&self) -> String {
        format!("http://{}/?token={}", self.addr, self.token)
    }

    /// Waits until the server stops (it only stops on [`BrowserHost::shutdown`] or an I/O
    /// error).
    pub async fn stop_and_wait(self) -> std::io::Result<()> {
        let _ = self.stop.send(());
        self.task.await.map_err(std::io::Error::other)?
    }
}

async fn rpc(
    State(state): State<AppState>,
    Path(command): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let payload = if body.iter().all(u8::is_ascii_whitespace) {
        Ok(serde_json::Value::Null)
    } else {
        serde_json::from_slice(&body).map_err(|e| CommandError::bad_request(&command, e))
    };
    let result = match payload {
        Ok(payload) => commands::dispatch(&state.studio, &command, payload).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(mut value) => {
            state.downloads.offer(&command, &state.studio.export_dir(), &mut value);
            axum::Json(value).into_response()
        }
        Err(error) => {
            let status = match error.code {
                ErrorCode::UnknownCommand | ErrorCode::NotFound => StatusCode::NOT_FOUND,
                ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
                ErrorCode::Io | ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
                // Not 401: that status means the browser lost Atrium's own launch token.
                ErrorCode::BadUrl | ErrorCode::BadAdminKey | ErrorCode::FunctionFailed => {
                    StatusCode::UNPROCESSABLE_ENTITY
                }
                ErrorCode::Unreachable | ErrorCode::NotADeployment => StatusCode::BAD_GATEWAY,
                ErrorCode::NotConnected | ErrorCode::ReadOnly | ErrorCode::NeedsConfirmation => {
                    StatusCode::CONFLICT
                }
                ErrorCode::TooLarge => StatusCode::INSUFFICIENT_STORAGE,
            };
            (status, axum::Json(error)).into_response()
        }
    }
}

async fn download(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    state.downloads.take(&token).await
}

async fn events(State(state): State<AppState>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |socket| forward_events(state.studio, socket))
}

async fn forward_events(studio: Arc<Studio>, mut socket: WebSocket) {
    let mut events = studio.subscribe();
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok(event) => {
                    let Ok(text) = serde_json::to_string(&event) else { continue };
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        return;
                    }
                }
                // A slow tab missed some events; later ones still arrive.
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

async fn asset(State(state): State<AppState>, uri: axum::http::Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    match assets::resolve(state.assets.as_ref(), path) {
        Some(found) => {
            let mut response = Response::new(Body::from(found.bytes.into_owned()));
            let headers = response.headers_mut();
            if let Ok(mime) = HeaderValue::from_str(found.mime.as_ref()) {
                headers.insert(header::CONTENT_TYPE, mime);
            }
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(found.cache_control));
            response
        }
        None => (StatusCode::NOT_FOUND, format!("No file /{path} in Atrium's UI.")).into_response(),
    }
}

/// Headers on every response: no sniffing, no framing, and no token leaking through the
/// Referer header.
async fn security_headers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    response
}
