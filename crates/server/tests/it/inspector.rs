//! The subscription inspector at the server level: two live queries on different ranges of
//! one table (the official Rust client subscribing), one write — only the query whose range
//! it touched re-runs, and the inspector names that write: its table, document, the
//! mutation and the request that made it.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::official_client_runtime::run_with_official_client;
use atrium_server::test_support::serve_fixture;
use convex::{ConvexClient, FunctionResult, Value};
use futures_util::StreamExt;
use serde_json::json;

fn author(name: &str) -> BTreeMap<String, Value> {
    BTreeMap::from([("author".to_string(), Value::from(name))])
}

async fn inspect(url: &str, key: &str) -> serde_json::Value {
    let response = reqwest::Client::new()
        .get(format!("{url}/api/atrium/subscriptions"))
        .header("Authorization", format!("Convex {key}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn by_author<'a>(list: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    list["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["function"] == "messages:byAuthor" && s["args"]["author"] == name)
        .unwrap_or_else(|| panic!("no subscription for {name} in {list}"))
}

#[test]
fn only_the_subscription_whose_range_a_write_touches_reruns_and_its_cause_is_named() {
    run_with_official_client(2, async {
        let (server, deployment, _data) = serve_fixture("chat", "inspector").await;
        let mut client = ConvexClient::new(&server.cloud_url).await.unwrap();
        let mut ann = client.subscribe("messages:byAuthor", author("ann")).await.unwrap();
        let mut bob = client.subscribe("messages:byAuthor", author("bob")).await.unwrap();
        for subscription in [&mut ann, &mut bob] {
            let first = tokio::time::timeout(Duration::from_secs(10), subscription.next())
                .await
                .unwrap()
                .unwrap();
            assert_eq!(first, FunctionResult::Value(Value::Array(vec![])));
        }

        let before = inspect(&server.cloud_url, deployment.admin_key()).await;
        for name in ["ann", "bob"] {
            let s = by_author(&before, name);
            assert_eq!((s["runs"].clone(), s["lastCause"].clone()), (json!(1), json!(null)), "{s}");
            assert_eq!(s["live"], true);
            let ranges = s["readSet"].as_array().unwrap();
            assert!(ranges.iter().any(|r| r["index"] == "messages.by_author"), "{s}");
        }
        // The two read different ranges of the same index.
        assert_ne!(by_author(&before, "ann")["readSet"], by_author(&before, "bob")["readSet"]);

        // One write, by an HTTP mutation with a request ID we can look for.
        let response = reqwest::Client::new()
            .post(format!("{}/api/mutation", server.cloud_url))
            .json(&json!({"path": "messages:send", "args": {"author": "ann", "body": "hello"}}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        // (The client may report the unchanged value again before the new one.)
        let messages = loop {
            let update =
                tokio::time::timeout(Duration::from_secs(10), ann.next()).await.unwrap().unwrap();
            let FunctionResult::Value(Value::Array(messages)) = update else {
                panic!("{update:?}")
            };
            if !messages.is_empty() {
                break messages;
            }
        };
        assert_eq!(messages.len(), 1);
        let Value::Object(message) = &messages[0] else { panic!() };
        let Some(Value::String(id)) = message.get("_id") else { panic!("{message:?}") };

        let after = inspect(&server.cloud_url, deployment.admin_key()).await;
        let hit = by_author(&after, "ann");
        assert_eq!(hit["runs"], 2, "{hit}");
        let cause = &hit["lastCause"];
        assert_eq!(cause["table"], "messages");
        assert_eq!(cause["document"], id.as_str());
        assert_eq!(cause["function"], "messages:send");
        assert!(cause["requestId"].as_str().is_some_and(|r| !r.is_empty()), "{cause}");
        let missed = by_author(&after, "bob");
        assert_eq!((missed["runs"].clone(), missed["lastCause"].clone()), (json!(1), json!(null)));

        // Without the admin key the inspector is refused; a closed client's queries go.
        let refused =
            reqwest::get(format!("{}/api/atrium/subscriptions", server.cloud_url)).await.unwrap();
        assert_eq!(refused.status(), 401);
        drop((ann, bob, client));
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let list = inspect(&server.cloud_url, deployment.admin_key()).await;
            if list["subscriptions"].as_array().unwrap().is_empty() {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "still listed: {list}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server.stop().await;
    });
}

/// A live search query's read set shows its search: the index, the terms (the last one a
/// prefix) and the `.eq` filters, as the inspector shows index ranges.
#[test]
fn a_live_search_shows_its_index_text_and_filters() {
    run_with_official_client(2, async {
        let (server, deployment, _data) = serve_fixture("chat", "inspector-search").await;
        let mut client = ConvexClient::new(&server.cloud_url).await.unwrap();
        let args = BTreeMap::from([
            ("text".to_string(), Value::from("Hello wor")),
            ("author".to_string(), Value::from("ann")),
        ]);
        let mut search = client.subscribe("messages:search", args).await.unwrap();
        let first =
            tokio::time::timeout(Duration::from_secs(10), search.next()).await.unwrap().unwrap();
        assert_eq!(first, FunctionResult::Value(Value::Array(vec![])));

        let list = inspect(&server.cloud_url, deployment.admin_key()).await;
        let query = list["subscriptions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["function"] == "messages:search")
            .unwrap_or_else(|| panic!("no search subscription in {list}"));
        assert_eq!(
            query["searchReads"],
            json!([{"index": "messages.search_body", "terms": ["hello"], "prefix": "wor",
                    "filters": [{"field": "author", "value": "\"ann\""}]}]),
            "{query}"
        );
        drop((search, client));
        server.stop().await;
    });
}
