//! The sync protocol spoken frame by frame: query subscriptions, Transitions that chain and
//! follow commits, mutation responses with timestamps, replays answered once, and fatal
//! errors for broken clients.

use std::sync::Arc;
use std::time::Duration;

use atrium_server::test_support::serve_fixture;
use atrium_server::{Deployment, RunningServer};
use futures_util::StreamExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::sync_socket::{connect, next, send};

async fn start() -> (RunningServer, Arc<Deployment>, tempfile::TempDir) {
    serve_fixture("chat", "sync-test").await
}

async fn http_mutation(server: &RunningServer, body: &str) {
    reqwest::Client::new()
        .post(format!("{}/api/mutation", server.cloud_url))
        .json(&json!({"path": "messages:send", "args": {"body": body, "author": "http"}}))
        .send()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn subscriptions_follow_commits_and_transitions_chain() {
    let (server, _deployment, _data) = start().await;
    let mut socket = connect(&server, "11111111-1111-1111-1111-111111111111").await;
    send(
        &mut socket,
        json!({"type": "ModifyQuerySet", "baseVersion": 0, "newVersion": 1, "modifications": [
        {"type": "Add", "queryId": 0, "udfPath": "messages:list", "args": [{}]}]}),
    )
    .await;
    let first = next(&mut socket).await;
    assert_eq!(first["type"], "Transition");
    assert_eq!(first["startVersion"], json!({"querySet": 0, "identity": 0, "ts": "AAAAAAAAAAA="}));
    assert_eq!(first["endVersion"]["querySet"], 1);
    assert_eq!(
        first["modifications"],
        json!([{"type": "QueryUpdated", "queryId": 0, "value": [], "logLines": [], "journal": null}])
    );

    http_mutation(&server, "pushed to you").await;
    let update = next(&mut socket).await;
    assert_eq!(update["startVersion"], first["endVersion"], "Transitions chain");
    assert_eq!(update["modifications"][0]["value"][0]["body"], "pushed to you");

    send(&mut socket, json!({"type": "ModifyQuerySet", "baseVersion": 1, "newVersion": 2, "modifications": [{"type": "Remove", "queryId": 0}]})).await;
    let removed = next(&mut socket).await;
    assert_eq!(removed["modifications"], json!([{"type": "QueryRemoved", "queryId": 0}]));
    assert_eq!(removed["startVersion"], update["endVersion"]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn mutations_answer_with_a_timestamp_and_replays_run_once() {
    let (server, deployment, _data) = start().await;
    let session = "22222222-2222-2222-2222-222222222222";
    let mut socket = connect(&server, session).await;
    let mutation = json!({"type": "Mutation", "requestId": 0, "udfPath": "messages:send", "args": [{"body": "once", "author": "ws"}]});
    send(&mut socket, mutation.clone()).await;
    let response = next(&mut socket).await;
    assert_eq!(
        (response["type"].as_str(), response["success"].as_bool()),
        (Some("MutationResponse"), Some(true))
    );
    let ts = atrium_protocol::timestamp::decode(response["ts"].as_str().unwrap()).unwrap();
    let transition = next(&mut socket).await;
    let reached =
        atrium_protocol::timestamp::decode(transition["endVersion"]["ts"].as_str().unwrap())
            .unwrap();
    assert!(reached >= ts, "a Transition reaching the commit follows the response");

    // The client reconnects and re-sends the same request: answered, not run again.
    drop(socket);
    let mut again = connect(&server, session).await;
    send(&mut again, mutation).await;
    let replayed = next(&mut again).await;
    assert_eq!(replayed["ts"], response["ts"]);
    assert_eq!(deployment.engine().count("messages").unwrap(), 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_replay_during_the_first_run_waits_for_it_instead_of_running_again() {
    let (server, deployment, _data) = start().await;
    let session = "33333333-3333-3333-3333-333333333333";
    // 4 M turns take about 0.3 s in a debug build: long enough to be cut (or replayed)
    // mid-run, and under the 1 s limit with the other core busy (15 M took 0.74 s and timed out).
    let mutation = json!({"type": "Mutation", "requestId": 4, "udfPath": "messages:sendSlowly",
        "args": [{"body": "slow", "author": "ws", "spin": 4_000_000}]});
    let mut first = connect(&server, session).await;
    send(&mut first, mutation.clone()).await;
    // The first connection is still running it when the client, reconnected, replays it.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    let mut second = connect(&server, session).await;
    send(&mut second, mutation).await;
    let replayed = next(&mut second).await;
    let original = next(&mut first).await;
    assert_eq!(replayed["success"], true, "{replayed}");
    assert_eq!(replayed["ts"], original["ts"], "the replay carries the first run's answer");
    assert_eq!(deployment.engine().count("messages").unwrap(), 1);
    eprintln!("replay answered after {:?}", started.elapsed());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_clients_get_a_fatal_error_and_bad_keys_an_auth_error() {
    let (server, _deployment, _data) = start().await;
    let mut socket = connect(&server, "33333333-3333-3333-3333-333333333333").await;
    send(
        &mut socket,
        json!({"type": "ModifyQuerySet", "baseVersion": 5, "newVersion": 6, "modifications": []}),
    )
    .await;
    let fatal = next(&mut socket).await;
    assert_eq!(fatal["type"], "FatalError");
    assert!(fatal["error"].as_str().unwrap().contains("BaseVersionMismatch"));

    let mut socket = connect(&server, "44444444-4444-4444-4444-444444444444").await;
    send(&mut socket, json!({"type": "Authenticate", "baseVersion": 0, "tokenType": "Admin", "value": "sync-test|bad"})).await;
    let auth = next(&mut socket).await;
    assert_eq!(
        (auth["type"].as_str(), auth["authUpdateAttempted"].as_bool()),
        (Some("AuthError"), Some(true))
    );
    server.stop().await;
}

#[tokio::test]
async fn stopping_the_server_ends_its_sync_sessions_and_lets_go_of_the_deployment() {
    let (server, deployment, _data) = start().await;
    let mut socket = connect(&server, "stopping").await;
    send(&mut socket, json!({"type": "ModifyQuerySet", "baseVersion": 0, "newVersion": 1, "modifications": [{"type": "Add", "queryId": 0, "udfPath": "messages:list", "args": [{}]}]})).await;
    assert_eq!(next(&mut socket).await["type"], "Transition");
    server.stop().await;
    // The socket is closed by the server, not left open holding the deployment.
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match socket.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the session ended when the server stopped");
    let released = tokio::time::timeout(Duration::from_secs(5), async {
        while Arc::strong_count(&deployment) > 1 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(released.is_ok(), "still held {} times", Arc::strong_count(&deployment));
}

/// Convex's query cache: a run one session made is taken by a session asking at a later
/// timestamp while no commit has touched what it read, and a commit that touches it makes
/// the next session run the query again, with the new result.
#[tokio::test(flavor = "multi_thread")]
async fn a_kept_run_serves_later_sessions_until_a_commit_touches_what_it_read() {
    let (server, deployment, _data) = start().await;
    let runs = || {
        let records = deployment.engine().logs().read_after(0, 100_000).unwrap();
        records
            .iter()
            .filter(|r| r.entry["identifier"].as_str().is_some_and(|i| i.contains("byAuthor")))
            .count()
    };
    let mut sockets = Vec::new();
    let mut subscribe = async |session: &str| {
        let mut socket = connect(&server, session).await;
        send(
            &mut socket,
            json!({"type": "ModifyQuerySet", "baseVersion": 0, "newVersion": 1, "modifications": [
            {"type": "Add", "queryId": 0, "udfPath": "messages:byAuthor", "args": [{"author": "ann"}]}]}),
        )
        .await;
        let first = next(&mut socket).await;
        sockets.push(socket);
        (first["endVersion"]["ts"].clone(), first["modifications"][0]["value"].clone())
    };
    let (first_ts, first) = subscribe("11111111-1111-4111-8111-111111111111").await;
    assert_eq!(first, json!([]));
    assert_eq!(runs(), 1);

    // Another author's message: a later timestamp, but nothing `byAuthor("ann")` read.
    http_mutation(&server, "not ann's").await;
    let (second_ts, second) = subscribe("22222222-2222-4222-8222-222222222222").await;
    assert_ne!(second_ts, first_ts, "the second session is at a later timestamp");
    assert_eq!(second, json!([]));
    assert_eq!(runs(), 1, "the second session took the kept run instead of running the query");

    // Ann's message touches the kept run's read set: the next session runs the query again.
    reqwest::Client::new()
        .post(format!("{}/api/mutation", server.cloud_url))
        .json(&json!({"path": "messages:send", "args": {"body": "ann's", "author": "ann"}}))
        .send()
        .await
        .unwrap();
    let (_, third) = subscribe("33333333-3333-4333-8333-333333333333").await;
    assert_eq!(third[0]["body"], "ann's", "never the outdated result: {third}");
    assert!(runs() >= 2, "ran again after the commit");
    // The session that took the kept run is subscribed like the others: it hears of it too.
    let update = next(&mut sockets[1]).await;
    assert_eq!(update["modifications"][0]["value"][0]["body"], "ann's", "{update}");
    server.stop().await;
}
