//! HTTP actions: `/http/*` on the cloud port and every path on the site port, handed to the
//! project's `http.js` router on the runtime off the async threads; the action's status,
//! headers and body are the answer — a stream body (`new Response(readableStream)`) sent
//! chunk by chunk as the action produces it.
//!
//! It must not check the admin key: HTTP actions are public, as on Convex. A caller's
//! `Authorization: Bearer` token is verified and its identity is what `ctx.auth` sees.

use atrium_runtime::http::{BodyEvent, BodySink, HttpRequest};
use axum::body::{Body, Bytes};
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::auth::Identity;
use crate::state::{AppState, Peer};

/// The largest request body an HTTP action receives (Convex's 20 MiB); a longer one is
/// refused with 413 before the action runs.
pub(crate) const BODY_LIMIT: usize = 20 << 20;

/// The layer that sets [`BODY_LIMIT`] on the HTTP action routes (axum's default is 2 MiB).
pub(crate) fn body_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(BODY_LIMIT)
}

async fn serve_http_action(
    state: AppState,
    peer: Peer,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
    path: String,
) -> Response {
    let Some(runner) = state.deployment.runner() else {
        return match state.deployment.load_error() {
            Some(reason) => (StatusCode::INTERNAL_SERVER_ERROR, reason).into_response(),
            None => (StatusCode::NOT_FOUND, "This deployment has no HTTP actions").into_response(),
        };
    };
    // `ctx.auth` sees the caller's verified token. A refused one does not refuse the request
    // (the header may be the app's own scheme): the action runs, and its
    // `getUserIdentity()` throws the refusal, as Convex does.
    let runner = match crate::state::identity(&state, &headers).await {
        Ok(Identity::User(user) | Identity::AdminActingAs(user)) => {
            runner.as_user(Some(user.clone())).unwrap_or(runner)
        }
        Ok(_) => runner,
        Err(error) => {
            tracing::debug!("HTTP action caller's token refused: {error:?}");
            runner.with_refused_identity(error.message())
        }
    };
    let runner = runner.with_request_metadata(crate::state::request_metadata(&headers, peer));
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
    // A handler answering with a stream body: the head, then each chunk as it is produced.
    let (events, mut received) = tokio::sync::mpsc::channel::<BodyEvent>(16);
    let mut task = tokio::task::spawn_blocking(move || {
        let sink: BodySink = Box::new(move |event| events.blocking_send(event).is_ok());
        runner.run_http_streamed(&request, sink)
    });
    if let Some(BodyEvent::Head(head)) = received.recv().await {
        let chunks = futures_util::stream::unfold(received, |mut received| async move {
            match received.recv().await {
                Some(BodyEvent::Chunk(bytes)) => {
                    Some((Ok::<_, std::io::Error>(Bytes::from(bytes)), received))
                }
                _ => None,
            }
        });
        tokio::spawn(async move {
            match (&mut task).await {
                Ok(Ok(outcome)) if outcome.error.is_some() => {
                    tracing::debug!("a streamed HTTP action failed midway: {:?}", outcome.error);
                }
                Ok(Err(error)) => tracing::warn!("a streamed HTTP action: {error}"),
                _ => {}
            }
        });
        return answer(head.status, head.headers, Body::from_stream(chunks));
    }
    match task.await {
        Ok(Ok(outcome)) => {
            let response = outcome.response;
            answer(response.status, response.headers, Body::from(response.body))
        }
        Ok(Err(error)) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
        Err(join) => (StatusCode::INTERNAL_SERVER_ERROR, join.to_string()).into_response(),
    }
}

/// The action's status and headers with `body`.
fn answer(status: u16, headers: Vec<(String, String)>, body: Body) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) =
            (header::HeaderName::try_from(name), HeaderValue::try_from(value))
        {
            response.headers_mut().append(name, value);
        }
    }
    response
}

/// `/http/{*path}` on the cloud port.
pub(crate) async fn http_action(
    State(state): State<AppState>,
    Path(path): Path<String>,
    peer: Peer,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    serve_http_action(state, peer, method, uri, headers, body, format!("/{path}")).await
}

/// Any path on the site port.
pub(crate) async fn site_http_action(
    State(state): State<AppState>,
    peer: Peer,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    serve_http_action(state, peer, method, uri, headers, body, path).await
}
