//! The built-in sample project: `assets/sample-project` served by Atrium's own engine on
//! free 127.0.0.1 ports, so a first launch has a deployment to look at with no setup. It
//! is reached like any other deployment, through its URL and admin key.
//!
//! (Running any project folder this way is the Projects area's job.)

use std::path::{Path, PathBuf};
use std::sync::Arc;

use atrium_server::{Deployment, DeploymentConfig, RunningServer, ServerConfig};

/// The sample project's connection ID.
pub(crate) const SAMPLE_ID: &str = "sample";

/// A project running on the built-in engine.
#[derive(Debug)]
pub(crate) struct LocalProject {
    pub name: String,
    pub url: String,
    pub admin_key: String,
    server: tokio::sync::Mutex<Option<RunningServer>>,
    _deployment: Arc<Deployment>,
}

impl LocalProject {
    pub(crate) async fn stop(&self) {
        if let Some(server) = self.server.lock().await.take() {
            server.stop().await;
        }
    }
}

/// Where the sample project's folder is: `ATRIUM_SAMPLE_PROJECT`, or the repository's
/// `assets/sample-project` (with its `node_modules` installed by `scripts/setup.sh`).
fn sample_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("ATRIUM_SAMPLE_PROJECT") {
        return (!dir.is_empty()).then(|| PathBuf::from(dir));
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/sample-project");
    dir.join("convex").is_dir().then_some(dir)
}

/// Starts the sample project; `Ok(None)` when it is not available (`ATRIUM_SAMPLE_PROJECT`
/// set empty, or no folder), `Err` with a sentence when it failed to start.
pub(crate) async fn start_sample(data_dir: &Path) -> Result<Option<LocalProject>, String> {
    let Some(project) = sample_dir() else { return Ok(None) };
    let data = data_dir.join("projects").join("sample-project");
    let config = DeploymentConfig {
        project_dir: Some(project.clone()),
        data_dir: data,
        instance_name: "sample-project".into(),
        admin_key: None,
    };
    let deployment = tokio::task::spawn_blocking(move || Deployment::open(config))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("The sample project ({}) did not start: {e}", project.display()))?;
    let server = atrium_server::serve(
        deployment.clone(),
        ServerConfig { port: 0, site_port: 0, ..ServerConfig::default() },
    )
    .await
    .map_err(|e| format!("The sample project's engine could not listen on 127.0.0.1: {e}"))?;
    // Sample data on first start (`seed:seed` does nothing when there is data already).
    let client = atrium_client::DeploymentClient::new(&server.cloud_url)
        .map_err(|e| e.to_string())?
        .with_admin_key(deployment.admin_key());
    if let Err(e) =
        client.mutation("seed:seed", &atrium_value::Value::Object(Default::default())).await
    {
        tracing::warn!("the sample project's seed failed: {e}");
    }
    Ok(Some(LocalProject {
        name: "Sample project".into(),
        url: server.cloud_url.clone(),
        admin_key: deployment.admin_key().to_owned(),
        server: tokio::sync::Mutex::new(Some(server)),
        _deployment: deployment,
    }))
}
