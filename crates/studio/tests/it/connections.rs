//! Connections against a real `atrium-server` on 127.0.0.1: `test_connection` (a good key,
//! and an error code naming the part to fix for a bad URL, a closed port and a wrong key),
//! saved connections with their keys kept out of the UI, and the header's states.

use atrium_server::test_support::serve_fixture;
use atrium_studio::commands::dispatch;
use atrium_studio::{ErrorCode, Studio};
use serde_json::json;

use crate::common;

#[tokio::test(flavor = "multi_thread")]
async fn test_connection_accepts_the_right_key_and_names_what_is_wrong_otherwise() {
    let (server, deployment, _data) = serve_fixture("chat", "studio-test").await;
    let config = tempfile::tempdir().unwrap();
    let studio = common::studio(config.path());
    let url = format!("{}/", server.cloud_url);

    let ok = dispatch(
        &studio,
        "test_connection",
        json!({"url": url, "admin_key": deployment.admin_key()}),
    )
    .await
    .unwrap();
    assert_eq!(ok["url"], server.cloud_url, "the URL is normalised");
    assert!(ok["allowed_ops"].as_array().unwrap().iter().any(|op| op == "WriteData"));
    assert!(!ok.to_string().contains(deployment.admin_key()), "the key is not echoed back");

    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}", free.local_addr().unwrap());
    drop(free);
    for (request, code) in [
        (json!({"url": "localhost:3210", "admin_key": "k"}), ErrorCode::BadUrl),
        (json!({"url": closed, "admin_key": "k"}), ErrorCode::Unreachable),
        (json!({"url": url, "admin_key": "studio-test|00ff"}), ErrorCode::BadAdminKey),
        (json!({"url": url}), ErrorCode::BadAdminKey),
    ] {
        let error = dispatch(&studio, "test_connection", request.clone()).await.unwrap_err();
        assert_eq!(error.code, code, "{request}: {}", error.message);
        assert!(!error.message.contains("studio-test|00ff"), "{}", error.message);
    }
    server.stop().await;
}

async fn wait_for_state(
    studio: &Studio,
    events: &mut tokio::sync::broadcast::Receiver<atrium_studio::StudioEvent>,
    want: &str,
) -> serde_json::Value {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let status = serde_json::to_value(studio.connection_status()).unwrap();
        if status["state"]["state"] == want {
            return status;
        }
        tokio::time::timeout_at(deadline, events.recv())
            .await
            .unwrap_or_else(|_| panic!("state never became {want}; last {status}"))
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn saved_connections_keep_keys_out_of_the_ui_and_the_header_says_what_is_wrong() {
    let (server, deployment, _data) = serve_fixture("chat", "studio-test").await;
    let config = tempfile::tempdir().unwrap();
    let studio = common::studio(config.path());
    let mut events = studio.subscribe();
    let key = deployment.admin_key().to_owned();

    let list = dispatch(
        &studio,
        "save_connection",
        json!({"name": "Chat", "url": server.cloud_url, "colour": "#3B82F6",
               "safe_mode": "confirm_writes", "admin_key": key}),
    )
    .await
    .unwrap();
    let saved = &list["connections"][0];
    assert_eq!(
        (saved["name"].clone(), saved["has_admin_key"].clone()),
        (json!("Chat"), json!(true))
    );
    assert_eq!(saved["colour"], "#3b82f6");
    assert!(!list.to_string().contains(&key), "the key never goes to the UI");
    let id = saved["id"].as_str().unwrap().to_owned();
    // The key is in the 0600 file (no keychain here), not in connections.json.
    let connections = std::fs::read_to_string(config.path().join("connections.json")).unwrap();
    assert!(!connections.contains(&key));
    assert!(std::fs::read_to_string(config.path().join("admin_keys.json")).unwrap().contains(&key));

    // Connected, with the right key.
    dispatch(&studio, "connect", json!({"id": id})).await.unwrap();
    let status = wait_for_state(&studio, &mut events, "connected").await;
    assert_eq!(status["deployment"]["name"], "Chat");
    assert_eq!(status["deployment"]["safe_mode"], "confirm_writes");

    // A wrong key: the header says the key was refused.
    dispatch(
        &studio,
        "save_connection",
        json!({"id": id, "name": "Chat", "url": server.cloud_url, "colour": "#3b82f6",
               "safe_mode": "normal", "admin_key": "studio-test|00ff"}),
    )
    .await
    .unwrap();
    let status = wait_for_state(&studio, &mut events, "refused").await;
    assert!(status["state"]["reason"].as_str().unwrap().contains("admin key"), "{status}");

    // An unreachable URL: reconnecting, never connected.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}", free.local_addr().unwrap());
    drop(free);
    let list = dispatch(
        &studio,
        "save_connection",
        json!({"name": "Nowhere", "url": closed, "colour": "#ef4444", "safe_mode": "normal"}),
    )
    .await
    .unwrap();
    let nowhere = list["connections"][1]["id"].as_str().unwrap().to_owned();
    assert_eq!(list["connections"][1]["has_admin_key"], false);
    dispatch(&studio, "connect", json!({"id": nowhere})).await.unwrap();
    let status = wait_for_state(&studio, &mut events, "reconnecting").await;
    assert_eq!(status["state"]["connected_before"], false, "{status}");

    // Removing it forgets it and disconnects; a new studio remembers the rest.
    let list = dispatch(&studio, "remove_connection", json!({"id": nowhere})).await.unwrap();
    assert_eq!(list["connections"].as_array().unwrap().len(), 1);
    assert_eq!(
        serde_json::to_value(studio.connection_status()).unwrap()["state"]["state"],
        "not_connected"
    );
    let again = common::studio(config.path());
    let list = dispatch(&again, "list_connections", json!(null)).await.unwrap();
    assert_eq!(list["connections"][0]["id"], id.as_str());
    server.stop().await;
}

/// Connecting again and again to the same deployment, several connects at once and with
/// commands in flight (each holding the connection it started on, as the UI's polls do),
/// ends "connected" every time: a replaced connection's state watcher never reports over
/// its replacement's.
#[tokio::test(flavor = "multi_thread")]
async fn repeated_connects_to_one_deployment_end_connected() {
    let (server, deployment, _data) = serve_fixture("chat", "studio-reconnect").await;
    let config = tempfile::tempdir().unwrap();
    let studio = common::studio(config.path());
    let mut events = studio.subscribe();
    let id = common::connect(&studio, &server.cloud_url, deployment.admin_key()).await;
    wait_for_state(&studio, &mut events, "connected").await;
    for round in 0..5 {
        let connects = (0..3).map(|_| dispatch(&studio, "connect", json!({"id": id})));
        // Commands in flight meanwhile keep the replaced connections alive a while.
        let polls = (0..3).map(|_| dispatch(&studio, "files_count", json!(null)));
        let (connected, _) = tokio::join!(
            futures_util::future::join_all(connects),
            futures_util::future::join_all(polls)
        );
        assert!(connected.iter().all(Result::is_ok), "round {round}: {connected:?}");
        let status = wait_for_state(&studio, &mut events, "connected").await;
        assert_eq!(status["deployment"]["id"], id.as_str(), "round {round}");
    }
    server.stop().await;
}
