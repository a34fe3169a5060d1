//! What every route shares: the state a handler receives ([`AppState`]), the error it answers
//! with outside a function ([`ApiError`]: `{code, message}` and an HTTP status), the admin
//! key checks applied as layers ([`require_admin`], [`require_admin_or_push_key`]), and the
//! small helpers handlers use to read a request (`identity`, `parse_body`, `internal`).
//!
//! This is the bottom of the HTTP layer: route modules import it, and it imports no route
//! module nor `server.rs`. It must not hold handlers.

use std::net::SocketAddr;
use std::sync::Arc;

use atrium_protocol::http::ErrorBody;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::Deployment;
use crate::auth::{Identity, bearer_token, identity_from_header};

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) deployment: Arc<Deployment>,
    /// Becomes true when the server is stopping.
    pub(crate) stopping: tokio::sync::watch::Receiver<bool>,
    /// (cloud URL, site URL) as clients reach them.
    pub(crate) urls: Arc<(String, String)>,
}

/// An error outside a function: `{code, message}` with an HTTP status.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into() }
    }

    pub(crate) fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// The message the caller reads.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }

    fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(ErrorBody { code: self.code.into(), message: self.message }))
            .into_response()
    }
}

/// A 500 `InternalServerError` carrying `message`.
pub(crate) fn internal(message: impl std::fmt::Display) -> ApiError {
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "InternalServerError", message.to_string())
}

/// The request body as JSON of type `T`, or a 400 `BadJsonBody`.
pub(crate) fn parse_body<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request("BadJsonBody", format!("The request body is not valid: {e}"))
    })
}

/// Who the `Authorization` header says the caller is (anonymous without one): a user token
/// is verified against the auth config; a malformed or wrong key or a refused token is a 401
/// with Convex's code and message.
pub(crate) async fn identity(state: &AppState, headers: &HeaderMap) -> Result<Identity, ApiError> {
    let header = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    if let Some(token) = bearer_token(header) {
        return state
            .deployment
            .verifier()
            .verify(token)
            .await
            .map(|v| Identity::User(v.identity))
            .map_err(|e| {
                let status = if e.code == "AuthProviderDiscoveryFailed" {
                    StatusCode::BAD_REQUEST
                } else {
                    StatusCode::UNAUTHORIZED
                };
                ApiError::new(status, e.code, e.message)
            });
    }
    header_identity(state, headers)
}

/// The address a request came from: the connection's peer, when the server was started
/// with `ConnectInfo` (always, outside handler tests).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Peer(pub(crate) Option<SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Peer(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0)))
    }
}

/// What `ctx.meta.getRequestMetadata()` reports of a request: its user agent, the user's
/// token, and the client's address — the connection's peer, or the first address
/// `x-forwarded-for` names when the peer is this machine (a proxy in front of the engine,
/// such as a dev server; a remote peer cannot claim another address that way).
pub(crate) fn request_metadata(headers: &HeaderMap, peer: Peer) -> atrium_runtime::RequestMetadata {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let forwarded = || {
        text("x-forwarded-for")
            .and_then(|f| f.split(',').next().map(|ip| ip.trim().to_owned()))
            .filter(|ip| !ip.is_empty())
    };
    let ip = match peer.0 {
        Some(addr) if addr.ip().is_loopback() => forwarded().or(Some(addr.ip().to_string())),
        Some(addr) => Some(addr.ip().to_string()),
        None => forwarded(),
    };
    atrium_runtime::RequestMetadata {
        ip,
        user_agent: text("user-agent"),
        auth_token: bearer_token(text("authorization").as_deref()).map(str::to_owned),
    }
}

fn header_identity(state: &AppState, headers: &HeaderMap) -> Result<Identity, ApiError> {
    let header = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    identity_from_header(header, state.deployment.admin_key())
        .map_err(|e| ApiError::unauthorized(e.code, e.message))
}

fn admin_identity(state: &AppState, headers: &HeaderMap) -> Result<Identity, ApiError> {
    match header_identity(state, headers)? {
        Identity::Anonymous => Err(ApiError::unauthorized(
            "BadAdminKey",
            "This route requires the deployment's admin key (`Authorization: Convex <admin key>`)",
        )),
        other => Ok(other),
    }
}

/// The layer on every admin route: the admin key from the `Authorization` header, checked
/// before the handler or any of its extractors runs (a missing key is a 401, never a
/// complaint about the body). The admin [`Identity`] (acting as a user, if the key says so)
/// goes on as a request extension.
pub(crate) async fn require_admin(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    match admin_identity(&state, request.headers()) {
        Ok(identity) => {
            request.extensions_mut().insert(identity);
            next.run(request).await
        }
        Err(error) => error.into_response(),
    }
}

/// A push request's body as JSON (Brotli-decoded), read by [`require_admin_or_push_key`].
#[derive(Clone)]
pub(crate) struct PushBody(pub(crate) serde_json::Value);

/// The layer on the CLI's push routes, whose admin key may come in the body's `adminKey`
/// instead of the header: the body is read (a body that is not JSON is a 400, as before the
/// key is looked at), the key checked, and the body handed on as a [`PushBody`] extension.
pub(crate) async fn require_admin_or_push_key(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match Bytes::from_request(Request::from_parts(parts.clone(), body), &()).await {
        Ok(bytes) => bytes,
        Err(rejection) => return rejection.into_response(),
    };
    let checked = crate::push::body_json(&parts.headers, &bytes)
        .map_err(|e| ApiError::bad_request("BadJsonBody", e))
        .and_then(|json| {
            push_key(&state, &parts.headers, &json)?;
            Ok(json)
        });
    match checked {
        Ok(json) => {
            let mut request = Request::from_parts(parts, Body::empty());
            request.extensions_mut().insert(PushBody(json));
            next.run(request).await
        }
        Err(error) => error.into_response(),
    }
}

/// The admin key from the header or, without one, from the body's `adminKey`.
fn push_key(
    state: &AppState,
    headers: &HeaderMap,
    body: &serde_json::Value,
) -> Result<(), ApiError> {
    if headers.get(header::AUTHORIZATION).is_none()
        && let Some(key) = body.get("adminKey").and_then(serde_json::Value::as_str)
    {
        return crate::auth::check_admin_key(key, state.deployment.admin_key())
            .map(|_| ())
            .map_err(|e| ApiError::unauthorized(e.code, e.message));
    }
    admin_identity(state, headers).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_address_is_the_peer_unless_a_local_proxy_forwards_one() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "203.0.113.7, 10.0.0.1".parse().unwrap());
        let ip = |headers: &HeaderMap, peer: Option<&str>| {
            request_metadata(headers, Peer(peer.map(|p| p.parse().unwrap()))).ip
        };
        assert_eq!(ip(&headers, Some("127.0.0.1:5000")).as_deref(), Some("203.0.113.7"));
        assert_eq!(ip(&headers, Some("[::1]:5000")).as_deref(), Some("203.0.113.7"));
        // A remote peer cannot claim another address.
        assert_eq!(ip(&headers, Some("198.51.100.2:5000")).as_deref(), Some("198.51.100.2"));
        assert_eq!(ip(&HeaderMap::new(), Some("127.0.0.1:5000")).as_deref(), Some("127.0.0.1"));
        assert_eq!(ip(&HeaderMap::new(), None), None);
    }
}
