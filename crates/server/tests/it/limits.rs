//! Limits on untrusted input over real sockets: function arguments nested too deeply or
//! with too long an array are refused with Convex's messages; an upload that says it is
//! larger than the limit is refused with 413 before its body is read; a sync message over
//! the size limit gets a `FatalError` frame and a close.

use atrium_server::test_support::serve_fixture;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::sync_socket::connect;

async fn mutation(base: &str, args: Value) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/mutation"))
        .json(&json!({"path": "messages:send", "args": args, "format": "json"}))
        .send()
        .await
        .unwrap();
    response.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn arguments_beyond_convex_shape_limits_are_refused_with_its_messages() {
    let (server, deployment, _data) = serve_fixture("chat", "limits-test").await;
    let nested = (0..65).fold(json!("x"), |inner, _| json!([inner]));
    let answer = mutation(&server.cloud_url, json!({"body": nested, "author": "a"})).await;
    let message = answer["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Value is too nested (nested 65 levels deep > maximum nesting 64)"),
        "{answer}"
    );
    let long = Value::Array(vec![json!(1); 8193]);
    let answer = mutation(&server.cloud_url, json!({"body": long, "author": "a"})).await;
    let message = answer["message"].as_str().unwrap_or_default();
    assert!(message.contains("Array length is too long (8193 > maximum length 8192)"), "{answer}");
    assert_eq!(deployment.engine().count("messages").unwrap_or(0), 0, "nothing ran");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upload_declared_too_large_is_refused_before_its_body() {
    let (server, deployment, _data) = serve_fixture("kitchen", "upload-limit-test").await;
    let response = reqwest::Client::new()
        .post(format!("{}/api/mutation", server.cloud_url))
        .json(&json!({"path": "files:generateUploadUrl", "args": {}, "format": "json"}))
        .send()
        .await
        .unwrap();
    let url: Value = response.json().await.unwrap();
    let url = url["value"].as_str().unwrap().to_owned();
    let path = url.split_once("/api/").map(|(_, p)| format!("/api/{p}")).unwrap();
    let host = server.cloud_url.trim_start_matches("http://").to_owned();
    // Raw HTTP: a body that claims 2 GiB and sends a few bytes; the answer comes anyway.
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\nsome bytes",
        2u64 << 30
    );
    let (answer, read) = tokio::task::spawn_blocking(move || {
        use std::io::{Read as _, Write as _};
        let mut stream = std::net::TcpStream::connect(&host).unwrap();
        stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        stream.write_all(head.as_bytes()).unwrap();
        let mut answer = vec![0u8; 4096];
        let read = stream.read(&mut answer).expect("an answer without the body");
        (answer, read)
    })
    .await
    .unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("FileTooLarge"), "{answer}");
    assert_eq!(deployment.engine().count("_storage").unwrap_or(0), 0, "no file was stored");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_message_over_the_limit_gets_a_fatal_error_frame() {
    let (server, _deployment, _data) = serve_fixture("chat", "sync-limit-test").await;
    let socket = connect(&server, "77777777-7777-7777-7777-777777777777").await;
    let (mut sink, mut stream) = socket.split();
    let body = "x".repeat((64 << 20) + 1);
    let big = json!({"type": "Mutation", "requestId": 0, "udfPath": "messages:send",
        "args": [{"body": body, "author": "a"}]});
    // The server stops reading at the frame's header: send while reading its answer.
    let sending = tokio::spawn(async move {
        let _ = sink.send(Message::Text(big.to_string().into())).await;
    });
    let mut fatal = None;
    while let Ok(Some(Ok(message))) =
        tokio::time::timeout(std::time::Duration::from_secs(20), stream.next()).await
    {
        match message {
            Message::Text(text) => {
                let value: Value = serde_json::from_str(&text).unwrap();
                if value["type"] == "FatalError" {
                    fatal = Some(value);
                }
            }
            Message::Close(_) => break,
            _ => {}
        }
    }
    sending.abort();
    let fatal = fatal.expect("a FatalError frame before the close");
    assert!(fatal["error"].as_str().unwrap().contains("Message is too large"), "{fatal}");
    server.stop().await;
}
