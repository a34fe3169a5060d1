//! The official Rust `convex` client (from crates.io) subscribes to a query on atrium-engine
//! and receives the update a mutation causes.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::official_client_runtime::run_with_official_client;
use atrium_server::test_support::serve_fixture;
use convex::{ConvexClient, FunctionResult, Value};
use futures_util::StreamExt;

#[test]
fn the_official_rust_client_subscribes_and_sees_updates() {
    run_with_official_client(2, async {
        let (server, _deployment, _data) = serve_fixture("chat", "rust-client").await;

        let mut client = ConvexClient::new(&server.cloud_url).await.unwrap();
        let mut subscription = client.subscribe("messages:list", BTreeMap::new()).await.unwrap();
        let first = tokio::time::timeout(Duration::from_secs(10), subscription.next())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first, FunctionResult::Value(Value::Array(vec![])));

        let mut args = BTreeMap::new();
        args.insert("body".to_string(), Value::from("from rust"));
        args.insert("author".to_string(), Value::from("ferris"));
        let sent = client.mutation("messages:send", args).await.unwrap();
        assert_eq!(sent, FunctionResult::Value(Value::Null));

        // The client may report the unchanged value again before the new one; wait for it.
        let messages = loop {
            let update = tokio::time::timeout(Duration::from_secs(10), subscription.next())
                .await
                .unwrap()
                .unwrap();
            let FunctionResult::Value(Value::Array(messages)) = update else {
                panic!("{update:?}")
            };
            if !messages.is_empty() {
                break messages;
            }
        };
        assert_eq!(messages.len(), 1);
        let Value::Object(message) = &messages[0] else { panic!() };
        assert_eq!(message.get("body"), Some(&Value::from("from rust")));
        drop(subscription);
        server.stop().await;
    });
}
