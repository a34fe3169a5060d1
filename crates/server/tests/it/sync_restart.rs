//! Exactly once across restarts: a mutation sent over the sync socket stores its answer in
//! its own commit, so the same (session, request) sent after the engine was stopped and
//! opened again on the same data folder gets that answer and does not run a second time.
//! (`tests/e2e/convex-client-restart.test.mjs` kills the engine between the commit and the
//! reply, with the official client.)

use serde_json::json;

use crate::sync_socket::{connect, next, send};
use atrium_server::test_support::serve_fixture_in;

#[tokio::test(flavor = "multi_thread")]
async fn a_mutation_replayed_after_a_restart_gets_its_stored_answer() {
    let data = tempfile::tempdir().unwrap();
    let session = "55555555-5555-5555-5555-555555555555";
    let mutation = json!({"type": "Mutation", "requestId": 3, "udfPath": "messages:sendSlowly",
        "args": [{"body": "exactly once", "author": "ws", "spin": 10}]});

    let (server, deployment) = serve_fixture_in("chat", "restart-test", data.path()).await;
    let mut socket = connect(&server, session).await;
    send(&mut socket, mutation.clone()).await;
    let original = next(&mut socket).await;
    assert_eq!(original["success"], true, "{original}");
    drop(socket);
    server.stop().await;
    drop(deployment);

    let (server, deployment) = serve_fixture_in("chat", "restart-test", data.path()).await;
    let mut socket = connect(&server, session).await;
    send(&mut socket, mutation.clone()).await;
    let replayed = next(&mut socket).await;
    assert_eq!(replayed, original, "the replay gets the first run's response");
    let transition = next(&mut socket).await;
    assert_eq!(transition["type"], "Transition", "a Transition follows, as after a run");
    assert_eq!(deployment.engine().count("messages").unwrap(), 1, "it ran once");

    // Another request of the same session, or the same request of another, runs.
    send(
        &mut socket,
        json!({"type": "Mutation", "requestId": 4, "udfPath": "messages:send",
        "args": [{"body": "next", "author": "ws"}]}),
    )
    .await;
    assert_eq!(next(&mut socket).await["success"], true);
    let mut other = connect(&server, "66666666-6666-6666-6666-666666666666").await;
    send(&mut other, mutation).await;
    let fresh = next(&mut other).await;
    assert_eq!(fresh["success"], true, "{fresh}");
    assert_ne!(fresh["ts"], original["ts"], "another session's request 3 is a new run");
    assert_eq!(deployment.engine().count("messages").unwrap(), 3);
    server.stop().await;
}
