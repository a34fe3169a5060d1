//! Real SDKs from npm inside actions, against stand-ins on 127.0.0.1 (the `sdks` fixture):
//! Anthropic's messages call, its stream (read in an action, and relayed chunk by chunk
//! from an HTTP action: the stand-in sends each event only after the previous one reached
//! the client), a timeout through `AbortSignal.timeout` ending in the SDK's own error;
//! OpenAI's chat completion; Resend's email; svix's webhook verifier (CommonJS).

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use atrium_runtime::FunctionKind;
use atrium_runtime::http::{BodyEvent, HttpRequest};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use serde_json::json;

use crate::standin;
use crate::web_platform::{run, runner};

const DELTAS: [&str; 3] = ["one", "two", "three"];

/// How many relayed chunks the client has received, for the stand-in to wait on.
#[derive(Default)]
struct Delivered {
    count: Mutex<usize>,
    changed: Condvar,
}

impl Delivered {
    fn add(&self) {
        *self.count.lock().unwrap() += 1;
        self.changed.notify_all();
    }

    /// Waits until at least `n` were delivered; `false` after five seconds without.
    fn wait_for(&self, n: usize) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut count = self.count.lock().unwrap();
        while *count < n {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            count = self.changed.wait_timeout(count, left).unwrap().0;
        }
        true
    }
}

fn sse(stream: &mut std::net::TcpStream, event: &serde_json::Value) -> bool {
    let text = format!("event: {}\ndata: {event}\n\n", event["type"].as_str().unwrap());
    standin::chunk(stream, text.as_bytes())
}

/// Anthropic's Messages API: a message, or its stream (each delta sent once `gate` says
/// the previous one reached the client, when there is a gate).
fn anthropic_standin(gate: Option<Arc<Delivered>>, stalled: Arc<Mutex<bool>>) -> String {
    standin::start(move |request, stream| {
        assert_eq!((request.method.as_str(), request.path()), ("POST", "/v1/messages"));
        let key = request
            .header("x-api-key")
            .or_else(|| request.header("authorization")?.strip_prefix("Bearer "));
        assert_eq!(key, Some("sk-ant-test"));
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        if body["messages"][0]["content"] == "Slow" {
            std::thread::sleep(Duration::from_secs(3));
            return;
        }
        if body["stream"] != true {
            standin::json(
                stream,
                200,
                &json!({
                    "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-test",
                    "content": [{ "type": "text", "text": "Hello from the stand-in" }],
                    "stop_reason": "end_turn", "stop_sequence": null,
                    "usage": { "input_tokens": 3, "output_tokens": 5 },
                }),
            );
            return;
        }
        standin::begin_chunked(stream, "text/event-stream");
        sse(
            stream,
            &json!({ "type": "message_start", "message": {
            "id": "msg_2", "type": "message", "role": "assistant", "model": "claude-test", "content": [],
            "stop_reason": null, "stop_sequence": null, "usage": { "input_tokens": 3, "output_tokens": 1 } } }),
        );
        sse(
            stream,
            &json!({ "type": "content_block_start", "index": 0, "content_block": { "type": "text", "text": "" } }),
        );
        for (i, text) in DELTAS.iter().enumerate() {
            if let Some(gate) = &gate
                && !gate.wait_for(i)
            {
                *stalled.lock().unwrap() = true;
            }
            sse(
                stream,
                &json!({ "type": "content_block_delta", "index": 0, "delta": { "type": "text_delta", "text": text } }),
            );
        }
        sse(stream, &json!({ "type": "content_block_stop", "index": 0 }));
        sse(
            stream,
            &json!({ "type": "message_delta", "delta": { "stop_reason": "end_turn", "stop_sequence": null }, "usage": { "output_tokens": 3 } }),
        );
        sse(stream, &json!({ "type": "message_stop" }));
        standin::end(stream);
    })
}

#[test]
fn anthropic_messages_streams_and_timeouts() {
    let stalled = Arc::new(Mutex::new(false));
    let url = anthropic_standin(None, stalled.clone());
    let (_d, runner) = runner();
    let message = run(&runner, "sdks:anthropicMessage", FunctionKind::Action, vec![("url", &url)]);
    assert_eq!(
        message,
        json!({ "id": "msg_1", "text": "Hello from the stand-in", "stop": "end_turn" })
    );
    let deltas = run(&runner, "sdks:anthropicStream", FunctionKind::Action, vec![("url", &url)]);
    assert_eq!(deltas, json!(DELTAS));
    let timeout = run(&runner, "sdks:anthropicTimeout", FunctionKind::Action, vec![("url", &url)]);
    assert_eq!(timeout, json!("APIUserAbortError: true"));
}

#[test]
fn an_http_action_relays_a_stream_chunk_by_chunk() {
    let delivered = Arc::new(Delivered::default());
    let stalled = Arc::new(Mutex::new(false));
    let upstream = anthropic_standin(Some(delivered.clone()), stalled.clone());
    let (_d, runner) = runner();
    let request = HttpRequest {
        method: "GET".into(),
        url: format!("http://127.0.0.1:3211/relay?upstream={upstream}"),
        path: "/relay".into(),
        headers: vec![],
        body: vec![],
    };
    let events = Arc::new(Mutex::new(Vec::new()));
    let record = events.clone();
    let sink = Box::new(move |event: BodyEvent| {
        if matches!(event, BodyEvent::Chunk(_)) {
            delivered.add();
        }
        record.lock().unwrap().push(event);
        true
    });
    let outcome = runner.run_http_streamed(&request, sink).unwrap();
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert!(!*stalled.lock().unwrap(), "the stand-in waited for a chunk the client never got");
    let events = events.lock().unwrap();
    let BodyEvent::Head(head) = &events[0] else { panic!("no head first: {events:?}") };
    assert_eq!(head.status, 200);
    assert!(head.headers.iter().any(|(k, v)| k == "content-type" && v == "text/event-stream"));
    let chunks: Vec<String> = events[1..]
        .iter()
        .map(|e| match e {
            BodyEvent::Chunk(bytes) => String::from_utf8(bytes.clone()).unwrap(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(chunks, ["data: one\n\n", "data: two\n\n", "data: three\n\n"]);

    // The same route through run_http collects the body.
    let plain = HttpRequest {
        url: "http://127.0.0.1:3211/chunks".into(),
        path: "/chunks".into(),
        ..request
    };
    let collected = runner.run_http(&plain).unwrap();
    assert_eq!(String::from_utf8(collected.response.body).unwrap(), "one,two,three");
}

#[test]
fn openai_and_resend_make_their_main_calls() {
    let url = standin::start(|request, stream| match (request.method.as_str(), request.path()) {
        ("POST", "/v1/chat/completions") => {
            assert_eq!(request.header("authorization"), Some("Bearer sk-test"));
            let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
            assert_eq!(body["model"], "gpt-test");
            standin::json(
                stream,
                200,
                &json!({
                    "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-test",
                    "choices": [{ "index": 0, "message": { "role": "assistant", "content": "Hi from the stand-in" }, "finish_reason": "stop" }],
                    "usage": { "prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2 },
                }),
            );
        }
        ("POST", "/emails") => {
            assert_eq!(request.header("authorization"), Some("Bearer re_test"));
            let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
            assert_eq!(
                (body["subject"].as_str(), body["to"].as_str()),
                (Some("Hello"), Some("b@example.com"))
            );
            standin::json(stream, 200, &json!({ "id": "email_1" }));
        }
        other => panic!("unexpected {other:?}"),
    });
    let (_d, runner) = runner();
    let chat = run(&runner, "sdks:openaiChat", FunctionKind::Action, vec![("url", &url)]);
    assert_eq!(chat, json!({ "id": "chatcmpl-1", "text": "Hi from the stand-in" }));
    let email = run(&runner, "sdks:resendEmail", FunctionKind::Action, vec![("url", &url)]);
    assert_eq!(email, json!({ "id": "email_1", "error": null }));
}

#[test]
fn svix_accepts_a_signed_webhook_and_refuses_a_tampered_one() {
    let key = BASE64.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    let payload = r#"{"type":"user.created","data":{"id":1}}"#;
    let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.{payload}").as_bytes());
    let signature = format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()));
    let (_d, runner) = runner();
    let verdict = run(
        &runner,
        "sdks:verifyWebhook",
        FunctionKind::Action,
        vec![
            ("payload", payload),
            ("id", id),
            ("timestamp", &timestamp),
            ("signature", &signature),
        ],
    );
    assert_eq!(verdict["good"], json!(payload));
    assert_eq!(verdict["tampered"], json!("refused: No matching signature found"));
}
