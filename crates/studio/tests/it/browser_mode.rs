//! Browser mode over real HTTP and WebSocket on 127.0.0.1: the token guard, the host guard,
//! commands and events.

use std::sync::Arc;

use atrium_studio::browser::{BrowserHost, BrowserOptions, DirAssets};
use atrium_studio::{HostKind, KeyStoreKind, Studio, StudioConfig};
use futures_util::StreamExt;
use reqwest::StatusCode;
use reqwest::redirect::Policy;

struct Fixture {
    host: BrowserHost,
    _config: tempfile::TempDir,
    _ui: tempfile::TempDir,
}

async fn start() -> Fixture {
    let config = tempfile::tempdir().unwrap();
    let ui = tempfile::tempdir().unwrap();
    std::fs::write(ui.path().join("index.html"), "<html>atrium test page</html>").unwrap();
    let studio = Arc::new(Studio::new(StudioConfig {
        host: HostKind::Browser,
        config_dir: config.path().to_path_buf(),
        data_dir: config.path().join("data"),
        key_store: Some(KeyStoreKind::PrivateFile),
        export_dir: config.path().join("exports"),
    }));
    let host = BrowserHost::start(
        studio,
        BrowserOptions { port: 0, assets: Arc::new(DirAssets::new(ui.path())) },
    )
    .await
    .unwrap();
    Fixture { host, _config: config, _ui: ui }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(Policy::none()).build().unwrap()
}

#[tokio::test]
async fn binds_loopback_only() {
    let f = start().await;
    assert!(f.host.local_addr().ip().is_loopback());
    assert!(f.host.url().starts_with("http://127.0.0.1:"));
    assert!(f.host.url().ends_with(&format!("/?token={}", f.host.token())));
}

#[tokio::test]
async fn requests_without_the_token_get_401() {
    let f = start().await;
    let base = format!("http://{}", f.host.local_addr());
    let c = client();
    for path in ["/", "/index.html", "/assets/x.js"] {
        let r = c.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let r = c.post(format!("{base}/api/rpc/app_info")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = c.get(format!("{base}/?token=wrong")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = c
        .post(format!("{base}/api/rpc/app_info"))
        .bearer_auth("0".repeat(64))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_token_url_sets_a_cookie_that_opens_the_page() {
    let f = start().await;
    let c = client();
    let r = c.get(f.host.url()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let pair = cookie.split(';').next().unwrap().to_owned();

    let page = c
        .get(format!("http://{}/", f.host.local_addr()))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    assert!(page.text().await.unwrap().contains("atrium test page"));
}

#[tokio::test]
async fn other_hosts_and_origins_are_refused_even_with_the_token() {
    let f = start().await;
    let c = client();
    let url = format!("http://{}/api/rpc/app_info", f.host.local_addr());
    let r = c
        .post(&url)
        .bearer_auth(f.host.token())
        .header("host", "evil.example:80")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = c
        .post(&url)
        .bearer_auth(f.host.token())
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn rpc_runs_commands_and_reports_errors_with_codes() {
    let f = start().await;
    let c = client();
    let base = format!("http://{}/api/rpc", f.host.local_addr());
    let info: serde_json::Value = c
        .post(format!("{base}/app_info"))
        .bearer_auth(f.host.token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["host"], "browser");

    let r = c.post(format!("{base}/nope")).bearer_auth(f.host.token()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "unknown_command");

    let r = c
        .post(format!("{base}/update_settings"))
        .bearer_auth(f.host.token())
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "bad_request");
}

#[tokio::test]
async fn events_reach_the_websocket() {
    let f = start().await;
    let addr = f.host.local_addr();

    // Without the token the upgrade is refused.
    let refused = tokio_tungstenite::connect_async(format!("ws://{addr}/api/events")).await;
    assert!(refused.is_err());

    let (mut socket, _) = tokio_tungstenite::connect_async(format!(
        "ws://{addr}/api/events?token={}",
        f.host.token()
    ))
    .await
    .unwrap();
    // Give the server a moment to subscribe before the change.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let r = client()
        .post(format!("http://{addr}/api/rpc/update_settings"))
        .bearer_auth(f.host.token())
        .json(&serde_json::json!({"theme": "light"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let message = tokio::time::timeout(std::time::Duration::from_secs(5), socket.next())
        .await
        .expect("an event within 5 s")
        .unwrap()
        .unwrap();
    let event: serde_json::Value = serde_json::from_str(message.to_text().unwrap()).unwrap();
    assert_eq!(event["type"], "settings_changed");
    assert_eq!(event["settings"]["theme"], "light");
}
