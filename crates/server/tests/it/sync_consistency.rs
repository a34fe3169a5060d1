//! Read-your-writes through the official Rust `convex` client (Issue 17): after
//! `mutation(...)` resolves, the client's held `messages:list` already contains the new
//! message, with other clients writing to the same table at the same time.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::official_client_runtime::run_with_official_client;
use atrium_server::test_support::serve_fixture;
use convex::{ConvexClient, FunctionResult, Value};
use futures_util::StreamExt;

const ROUNDS: usize = 1_000;
const WRITERS: usize = 3;

fn message(body: &str, author: &str) -> BTreeMap<String, Value> {
    let mut args = BTreeMap::new();
    args.insert("body".to_string(), Value::from(body));
    args.insert("author".to_string(), Value::from(author));
    args
}

fn bodies(result: &FunctionResult) -> Vec<String> {
    let FunctionResult::Value(Value::Array(messages)) = result else { panic!("{result:?}") };
    messages
        .iter()
        .filter_map(|m| match m {
            Value::Object(fields) => match fields.get("body") {
                Some(Value::String(body)) => Some(body.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[test]
fn a_resolved_mutation_is_in_the_held_query_with_concurrent_writers() {
    run_with_official_client(4, async {
        let (server, _deployment, _data) = serve_fixture("chat", "rust-consistency").await;

        let stop = Arc::new(AtomicBool::new(false));
        let written = Arc::new(AtomicUsize::new(0));
        let mut writers = Vec::new();
        for w in 0..WRITERS {
            let (url, stop, written) = (server.cloud_url.clone(), stop.clone(), written.clone());
            writers.push(tokio::spawn(async move {
                let mut client = ConvexClient::new(&url).await.unwrap();
                // Each writer also holds the list, so its session re-runs it on every commit.
                let _held = client.subscribe("messages:list", BTreeMap::new()).await.unwrap();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    client
                        .mutation("messages:send", message(&format!("w{w}-{n}"), "writer"))
                        .await
                        .unwrap();
                    n += 1;
                    written.fetch_add(1, Ordering::Relaxed);
                }
            }));
        }

        let mut client = ConvexClient::new(&server.cloud_url).await.unwrap();
        let mut held = client.subscribe("messages:list", BTreeMap::new()).await.unwrap();
        tokio::time::timeout(Duration::from_secs(10), held.next()).await.unwrap().unwrap();

        let started = Instant::now();
        let mut stale = Vec::new();
        for round in 0..ROUNDS {
            let body = format!("round-{round}");
            let sent = client.mutation("messages:send", message(&body, "checker")).await.unwrap();
            assert_eq!(sent, FunctionResult::Value(Value::Null));
            // A query the client already holds answers from its current result at once.
            let now = client.query("messages:list", BTreeMap::new()).await.unwrap();
            if !bodies(&now).contains(&body) {
                stale.push(round);
            }
        }
        let elapsed = started.elapsed();
        stop.store(true, Ordering::Relaxed);
        for writer in writers {
            writer.await.unwrap();
        }
        eprintln!(
            "official Rust client: {ROUNDS} rounds in {:.2?}, {} concurrent writes, {} stale",
            elapsed,
            written.load(Ordering::Relaxed),
            stale.len()
        );
        assert!(written.load(Ordering::Relaxed) > 0, "the other clients wrote meanwhile");
        assert!(
            stale.is_empty(),
            "{} of {ROUNDS} rounds read stale: {:?}",
            stale.len(),
            &stale[..stale.len().min(20)]
        );
        // The client goes before the server, so its socket worker is not left reconnecting to
        // a stopped server while the runtime shuts down (seen to spin under load).
        drop(held);
        drop(client);
        server.stop().await;
    });
}
