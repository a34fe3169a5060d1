//! The sync client's wire helpers: the messages it sends, a response as its caller's result,
//! and the session ID. No connection state lives here.

use atrium_protocol::sync::{ClientMessage, QuerySetModification};
use atrium_value::Value;
use atrium_value::json::from_json;
use futures_util::SinkExt;
use serde_json::Value as Json;
use tokio_tungstenite::tungstenite::Message;

use crate::ClientError;

/// The sync WebSocket as this client holds it.
pub(super) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A mutation's or action's response as its caller's result.
pub(super) fn outcome(
    success: bool,
    result: Json,
    log_lines: Vec<String>,
    error_data: Option<Json>,
) -> Result<Value, ClientError> {
    if success {
        return from_json(&result).map_err(|e| ClientError::Function {
            message: format!("unreadable result: {e}"),
            data: None,
            log_lines: Vec::new(),
        });
    }
    Err(ClientError::Function {
        message: result.as_str().map_or_else(|| result.to_string(), str::to_owned),
        data: error_data.as_ref().and_then(|d| from_json(d).ok()),
        log_lines,
    })
}

pub(super) fn add(query_id: u32, udf_path: String, args: Json) -> QuerySetModification {
    QuerySetModification::Add { query_id, udf_path, args, journal: None, component_path: None }
}

pub(super) fn mutation(request_id: u32, udf_path: String, args: Json) -> ClientMessage {
    ClientMessage::Mutation { request_id, udf_path, args, component_path: None }
}

pub(super) fn action(request_id: u32, udf_path: String, args: Json) -> ClientMessage {
    ClientMessage::Action { request_id, udf_path, args, component_path: None }
}

pub(super) async fn send(socket: &mut Socket, message: &ClientMessage) -> Result<(), String> {
    let text = serde_json::to_string(message).map_err(|e| e.to_string())?;
    socket.send(Message::Text(text.into())).await.map_err(|e| e.to_string())
}

/// A random version-4 UUID, the session ID the deployment files replays under.
pub(super) fn session_id() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex::encode(bytes);
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}
