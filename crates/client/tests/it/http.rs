//! The HTTP client against a real `atrium-server` on 127.0.0.1: function calls both ways,
//! the admin-key check, and a distinct error for each way a connection can be wrong.

use crate::common::args;
use atrium_client::{ClientError, DeploymentClient};
use atrium_server::test_support::serve_fixture;
use atrium_value::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test(flavor = "multi_thread")]
async fn mutations_and_queries_round_trip_and_function_errors_carry_the_message() {
    let (server, _deployment, _data) = serve_fixture("chat", "client-test").await;
    let client = DeploymentClient::new(&server.cloud_url).unwrap();
    let sent = args(serde_json::json!({"body": "from Rust", "author": "atrium"}));
    assert_eq!(client.mutation("messages:send", &sent).await.unwrap(), Value::Null);
    let list = client.query("messages:list", &args(serde_json::json!({}))).await.unwrap();
    let Value::Array(messages) = list else { panic!("a list, got {list:?}") };
    assert_eq!(messages.len(), 1);
    let Value::Object(first) = &messages[0] else { panic!("a document") };
    assert_eq!(first.get("body"), Some(&Value::String("from Rust".into())));

    let wrong = args(serde_json::json!({"body": 7, "author": "x"}));
    match client.mutation("messages:send", &wrong).await {
        Err(ClientError::Function { message, .. }) => {
            assert!(message.contains("ArgumentValidationError"), "{message}");
        }
        other => panic!("a function error, got {other:?}"),
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_admin_key_check_tells_a_good_key_from_a_bad_one() {
    let (server, deployment, _data) = serve_fixture("chat", "client-test").await;
    let client = DeploymentClient::new(&server.cloud_url).unwrap();
    let good = client.clone().with_admin_key(deployment.admin_key());
    let allowed = good.check_admin_key().await.unwrap();
    assert!(allowed.success && allowed.allowed_ops.iter().any(|op| op == "WriteData"));

    for client in [client.clone(), client.with_admin_key("client-test|0123abcd")] {
        match client.check_admin_key().await {
            Err(error @ ClientError::BadAdminKey { .. }) => {
                assert!(error.to_string().contains(&server.cloud_url), "{error}");
            }
            other => panic!("a refused key, got {other:?}"),
        }
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_urls_unreachable_hosts_and_other_servers_are_told_apart() {
    for url in ["ftp://127.0.0.1:3210", "not a url", "http://"] {
        assert!(
            matches!(DeploymentClient::new(url), Err(ClientError::BadUrl { .. })),
            "{url} should be refused"
        );
    }

    // A port nothing listens on.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let closed = DeploymentClient::new(&format!("http://127.0.0.1:{port}")).unwrap();
    let error = closed.query("messages:list", &Value::Null).await.unwrap_err();
    assert!(matches!(error, ClientError::Unreachable { .. }), "{error:?}");
    assert!(error.to_string().contains(&port.to_string()), "{error}");

    // A web server that is not a deployment.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer).await;
            let page = "<html>hello</html>";
            let reply = format!(
                "HTTP/1.1 404 Not Found\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
                page.len()
            );
            let _ = stream.write_all(reply.as_bytes()).await;
        }
    });
    let other = DeploymentClient::new(&url).unwrap().with_admin_key("k");
    let error = other.check_admin_key().await.unwrap_err();
    assert!(matches!(error, ClientError::NotADeployment { .. }), "{error:?}");
    assert!(error.to_string().contains("HTTP 404"), "{error}");
}
