//! `test_connection` against a real `atrium-server` on 127.0.0.1: a good key, and an error
//! code naming the part to fix for a bad URL, a closed port and a wrong key.

use atrium_server::test_support::serve_fixture;
use atrium_studio::commands::dispatch;
use atrium_studio::{ErrorCode, HostKind, Studio, StudioConfig};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn test_connection_accepts_the_right_key_and_names_what_is_wrong_otherwise() {
    let (server, deployment, _data) = serve_fixture("chat", "studio-test").await;
    let config = tempfile::tempdir().unwrap();
    let studio = Studio::new(StudioConfig {
        host: HostKind::Browser,
        config_dir: config.path().to_path_buf(),
    });
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
