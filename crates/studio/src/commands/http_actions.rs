//! Trying an HTTP action route from the Functions area: the request the user wrote (method,
//! path, headers, body) sent to the connected deployment's site, and what came back. Only
//! shapes the request and answer; the sending is `atrium-client`'s.

use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{CommandError, ErrorCode, Studio};

/// A request to one of the deployment's HTTP routes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct HttpActionRequest {
    /// GET, POST, …
    pub method: String,
    /// From the router's root, starting with `/` (a query string may follow).
    pub path: String,
    /// Header name and value pairs, in order.
    pub headers: Vec<(String, String)>,
    /// Sent as is; `None` sends no body.
    pub body: Option<String>,
}

/// What the route answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct HttpActionResult {
    /// The URL the request went to.
    pub url: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    #[ts(type = "number")]
    pub duration_ms: u64,
}

pub(super) async fn http_action_request(
    studio: &Arc<Studio>,
    request: HttpActionRequest,
) -> Result<HttpActionResult, CommandError> {
    let connected = studio.connected()?;
    if let Some((name, _)) = request.headers.iter().find(|(name, _)| name.trim().is_empty()) {
        return Err(CommandError::new(
            ErrorCode::BadRequest,
            format!("A header has no name (value {name:?}): write each as `Name: value`."),
        ));
    }
    let url = format!("{}{}", connected.http.site_url(), request.path);
    let started = Instant::now();
    let answer = connected
        .http
        .http_action(&request.method, &request.path, &request.headers, request.body)
        .await?;
    Ok(HttpActionResult {
        url,
        status: answer.status,
        headers: answer.headers,
        body: answer.body,
        duration_ms: started.elapsed().as_millis() as u64,
    })
}
