//! The sync socket spoken frame by frame from tests: connect with a session, send a
//! message, read the next one. Shared by the sync protocol's test modules.

use std::time::Duration;

use atrium_server::RunningServer;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn connect(server: &RunningServer, session: &str) -> Socket {
    let url = format!("{}/api/1.48.0/sync", server.cloud_url.replace("http://", "ws://"));
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    send(&mut socket, json!({"type": "Connect", "sessionId": session, "connectionCount": 0, "lastCloseReason": "InitialConnect", "clientTs": 0})).await;
    socket
}

pub async fn send(socket: &mut Socket, message: Value) {
    socket.send(Message::Text(message.to_string().into())).await.unwrap();
}

/// The next message that is not a Ping.
pub async fn next(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message within 10 s");
        match message {
            Some(Ok(Message::Text(text))) => {
                let value: Value = serde_json::from_str(&text).unwrap();
                if value["type"] != "Ping" {
                    return value;
                }
            }
            Some(Ok(Message::Close(_))) | None => return json!({"type": "<closed>"}),
            other => panic!("unexpected {other:?}"),
        }
    }
}
