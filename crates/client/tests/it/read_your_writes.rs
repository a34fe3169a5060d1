//! Atrium's own `SyncClient` has read-your-writes (Issue 17): once `mutation` resolves, the
//! held `messages:list` already contains the new message, with other clients writing to
//! the same table at the same time.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use atrium_client::{DeploymentClient, SyncClient};
use atrium_server::test_support::serve_fixture;
use atrium_value::Value;
use atrium_value::json::from_json;
use serde_json::json;

const ROUNDS: usize = 300;
const WRITERS: usize = 3;

fn message(body: &str, author: &str) -> Value {
    from_json(&json!({ "body": body, "author": author })).unwrap()
}

fn contains(list: &Value, body: &str) -> bool {
    let Value::Array(messages) = list else { panic!("a list, got {list:?}") };
    messages.iter().any(|m| match m {
        Value::Object(fields) => {
            matches!(fields.get("body"), Some(Value::String(b)) if *b == *body)
        }
        _ => false,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_resolved_mutation_is_in_the_held_query() {
    let (server, _deployment, _data) = serve_fixture("chat", "client-read-your-writes").await;
    let deployment = DeploymentClient::new(&server.cloud_url).unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (client, stop, written) =
            (SyncClient::connect(&deployment), stop.clone(), written.clone());
        writers.push(tokio::spawn(async move {
            let _held = client.subscribe("messages:list", &message_args());
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                client
                    .mutation("messages:send", &message(&format!("w{w}-{n}"), "writer"))
                    .await
                    .unwrap();
                n += 1;
                written.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }

    let client = SyncClient::connect(&deployment);
    let mut held = client.subscribe("messages:list", &message_args());
    tokio::time::timeout(Duration::from_secs(10), held.next()).await.unwrap().unwrap();
    let started = Instant::now();
    let mut stale = 0;
    for round in 0..ROUNDS {
        let body = format!("round-{round}");
        client.mutation("messages:send", &message(&body, "checker")).await.unwrap();
        let now = held.latest().expect("a result is held").unwrap();
        if !contains(&now, &body) {
            stale += 1;
        }
    }
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    eprintln!(
        "SyncClient: {ROUNDS} rounds in {elapsed:.2?}, {} concurrent writes, {stale} stale",
        written.load(Ordering::Relaxed)
    );
    assert!(written.load(Ordering::Relaxed) > 0, "the other clients wrote meanwhile");
    assert_eq!(stale, 0, "{stale} of {ROUNDS} rounds read stale");
    drop(held);
    server.stop().await;
}

fn message_args() -> Value {
    from_json(&json!({})).unwrap()
}
