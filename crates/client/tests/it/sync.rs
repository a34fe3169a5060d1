//! The sync client against a real `atrium-server`, through a TCP proxy the test can cut:
//! live updates, query-set resume after a dropped connection, and a mutation that is
//! replayed after the drop and applied once, and an action cut off mid-run that fails
//! instead of running twice.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::args;
use atrium_client::{ClientError, ConnectionState, DeploymentClient, Subscription, SyncClient};
use atrium_server::test_support::serve_fixture;
use atrium_value::Value;

/// Forwards 127.0.0.1 connections to `upstream`; `cut` drops every open one.
struct Proxy {
    url: String,
    open: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Proxy {
    async fn start(upstream: &str) -> Self {
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let open = Arc::new(Mutex::new(Vec::new()));
        let tasks = open.clone();
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let task = tokio::spawn(async move {
                    let mut outbound = tokio::net::TcpStream::connect(upstream).await.unwrap();
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                });
                tasks.lock().unwrap().push(task.abort_handle());
            }
        });
        Self { url, open }
    }

    fn cut(&self) {
        for task in self.open.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

/// The message bodies in a `messages:list` result.
fn bodies(list: &Value) -> Vec<String> {
    let Value::Array(messages) = list else { panic!("a list, got {list:?}") };
    messages
        .iter()
        .map(|m| match m {
            Value::Object(fields) => match fields.get("body") {
                Some(Value::String(body)) => body.to_string(),
                other => panic!("a body, got {other:?}"),
            },
            other => panic!("a document, got {other:?}"),
        })
        .collect()
}

async fn next(subscription: &mut Subscription) -> Vec<String> {
    let value = tokio::time::timeout(Duration::from_secs(10), subscription.next())
        .await
        .expect("a result within 10 s")
        .unwrap();
    bodies(&value)
}

async fn wait_for(
    state: &mut tokio::sync::watch::Receiver<ConnectionState>,
    want: fn(&ConnectionState) -> bool,
) -> ConnectionState {
    tokio::time::timeout(Duration::from_secs(10), state.wait_for(want))
        .await
        .expect("the state within 10 s")
        .unwrap()
        .clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn subscriptions_stay_live_across_a_dropped_connection() {
    let (server, deployment, _data) = serve_fixture("chat", "client-test").await;
    let proxy = Proxy::start(&server.cloud_url).await;
    let direct = DeploymentClient::new(&server.cloud_url).unwrap();
    let client = SyncClient::connect(
        &DeploymentClient::new(&proxy.url).unwrap().with_admin_key(deployment.admin_key()),
    );
    let mut list = client.subscribe("messages:list", &args(serde_json::json!({})));
    assert_eq!(next(&mut list).await, Vec::<String>::new());

    client
        .mutation("messages:send", &args(serde_json::json!({"body": "mine", "author": "a"})))
        .await
        .unwrap();
    assert_eq!(next(&mut list).await, vec!["mine"]);

    let mut state = client.state();
    proxy.cut();
    let lost = wait_for(&mut state, |s| matches!(s, ConnectionState::Reconnecting { .. })).await;
    assert!(matches!(lost, ConnectionState::Reconnecting { attempt: 1, .. }), "{lost:?}");
    wait_for(&mut state, |s| *s == ConnectionState::Connected).await;

    // Resumed: the query was re-added, and another client's write still arrives.
    direct
        .mutation("messages:send", &args(serde_json::json!({"body": "theirs", "author": "b"})))
        .await
        .unwrap();
    let mut seen = next(&mut list).await;
    while seen.len() < 2 {
        seen = next(&mut list).await;
    }
    assert_eq!(seen, vec!["mine", "theirs"]);

    drop(list);
    drop(client);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mutation_cut_off_mid_run_is_replayed_and_applied_once() {
    let (server, deployment, _data) = serve_fixture("chat", "client-test").await;
    let proxy = Proxy::start(&server.cloud_url).await;
    let client = SyncClient::connect(&DeploymentClient::new(&proxy.url).unwrap());
    let mut state = client.state();
    wait_for(&mut state, |s| *s == ConnectionState::Connected).await;

    // 4 M turns take about 0.3 s in a debug build: long enough to be cut (or replayed)
    // mid-run, and under the 1 s limit with the other core busy (15 M took 0.74 s and timed out).
    let slow = args(serde_json::json!({"body": "once", "author": "a", "spin": 4_000_000}));
    let replayed = tokio::time::timeout(
        Duration::from_secs(10),
        client.mutation("messages:sendSlowly", &slow),
    );
    let (outcome, ()) = tokio::join!(replayed, async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        proxy.cut();
    });
    let outcome = outcome.expect("answered within 10 s");
    let _ = outcome.expect("answered after the replay");
    let reconnected = wait_for(&mut state, |s| *s == ConnectionState::Connected).await;
    assert_eq!(reconnected, ConnectionState::Connected);
    assert_eq!(deployment.engine().count("messages").unwrap(), 1, "applied once");
    drop(client);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_deployment_reports_reconnecting_with_the_reason() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", free.local_addr().unwrap());
    drop(free);
    let client = SyncClient::connect(&DeploymentClient::new(&url).unwrap());
    let mut state = client.state();
    let state = wait_for(&mut state, |s| matches!(s, ConnectionState::Reconnecting { .. })).await;
    let ConnectionState::Reconnecting { reason, .. } = state else { unreachable!() };
    assert!(reason.to_lowercase().contains("refused"), "{reason}");
}

#[tokio::test(flavor = "multi_thread")]
async fn actions_answer_and_one_cut_off_fails_rather_than_running_twice() {
    let (server, _deployment, _data) = serve_fixture("kitchen", "client-test").await;
    let proxy = Proxy::start(&server.cloud_url).await;
    let client = SyncClient::connect(&DeploymentClient::new(&proxy.url).unwrap());
    let hi = args(serde_json::json!({"text": "hi"}));
    assert_eq!(client.action("nodeFriendly:shout", &hi).await.unwrap(), Value::String("HI".into()));

    // `web:timers` waits about 75 ms on timers; the connection drops under it.
    let none = args(serde_json::json!({}));
    let timers = tokio::time::timeout(Duration::from_secs(10), client.action("web:timers", &none));
    let (outcome, ()) = tokio::join!(timers, async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        proxy.cut();
    });
    match outcome.expect("answered within 10 s") {
        Err(error @ ClientError::ConnectionLost { .. }) => {
            assert!(error.to_string().contains("may or may not"), "{error}");
        }
        other => panic!("a lost action, got {other:?}"),
    }
    // The client carries on after reconnecting.
    let ok = args(serde_json::json!({"text": "ok"}));
    assert_eq!(client.action("nodeFriendly:shout", &ok).await.unwrap(), Value::String("OK".into()));
    drop(client);
    server.stop().await;
}
