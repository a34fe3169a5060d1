//! What the client's tests share: a real `atrium-server` on a test fixture, on 127.0.0.1.

use std::path::PathBuf;
use std::sync::Arc;

use atrium_server::{Deployment, DeploymentConfig, RunningServer, ServerConfig, serve};
use atrium_value::Value;
use atrium_value::json::from_json;

/// Serves the chat fixture from a fresh data directory (kept alive by the returned guard).
pub async fn start() -> (RunningServer, Arc<Deployment>, tempfile::TempDir) {
    start_fixture("chat").await
}

/// Serves `tests/fixtures/<name>` from a fresh data directory.
pub async fn start_fixture(name: &str) -> (RunningServer, Arc<Deployment>, tempfile::TempDir) {
    let data = tempfile::tempdir().unwrap();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures").join(name);
    let deployment = Deployment::open(DeploymentConfig {
        project_dir: Some(dir),
        data_dir: data.path().to_path_buf(),
        instance_name: "client-test".into(),
        admin_key: None,
    })
    .unwrap();
    let server = serve(
        deployment.clone(),
        ServerConfig { port: 0, site_port: 0, ..ServerConfig::default() },
    )
    .await
    .unwrap();
    (server, deployment, data)
}

/// Convex-encoded JSON as a value.
pub fn args(json: serde_json::Value) -> Value {
    from_json(&json).unwrap()
}
