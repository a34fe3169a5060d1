//! The built-in sample project: `assets/sample-project` served by Atrium's own engine on
//! free 127.0.0.1 ports, so a first launch has a deployment to look at with no setup. It
//! is reached like any other deployment, through its URL and admin key.
//!
//! [`start`] runs any project folder this way; the Project area's projects use it too.

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
    /// The project folder, and its data folder.
    pub dir: PathBuf,
    pub data: PathBuf,
    server: tokio::sync::Mutex<Option<RunningServer>>,
    pub deployment: Arc<Deployment>,
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
    repository_sample()
}

/// The repository's `assets/sample-project`, if it is there.
fn repository_sample() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/sample-project");
    dir.join("convex").is_dir().then_some(dir)
}

/// Starts the sample project; `Ok(None)` when it is not available (`ATRIUM_SAMPLE_PROJECT`
/// set empty, or no folder), `Err` with a sentence when it failed to start.
pub(crate) async fn start_sample(data_dir: &Path) -> Result<Option<LocalProject>, String> {
    let Some(project) = sample_dir() else { return Ok(None) };
    let data = data_dir.join("projects").join("sample-project");
    let running = start(&project, &data, "sample-project", "Sample project", None).await?;
    running.seed().await;
    Ok(Some(running))
}

/// The folder templates are copied from: the sample project's (`ATRIUM_SAMPLE_PROJECT` when
/// it names one — set empty it only keeps the sample from starting — or the repository's
/// `assets/sample-project`), if it is there.
pub(crate) fn template_source() -> Option<PathBuf> {
    sample_dir().or_else(repository_sample)
}

/// Serves the project folder `project` on the built-in engine with its data in `data`, on
/// free 127.0.0.1 ports.
pub(crate) async fn start(
    project: &Path,
    data: &Path,
    instance: &str,
    name: &str,
    port: Option<u16>,
) -> Result<LocalProject, String> {
    let config = DeploymentConfig {
        project_dir: Some(project.to_path_buf()),
        data_dir: data.to_path_buf(),
        instance_name: instance.into(),
        admin_key: None,
    };
    let shown = project.display().to_string();
    let deployment = tokio::task::spawn_blocking(move || Deployment::open(config))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("{name} ({shown}) did not start: {e}"))?;
    // A chosen port takes the next one for HTTP actions, as Convex's 3210 and 3211.
    let (port, site_port) = port.map_or((0, 0), |p| (p, p.saturating_add(1)));
    let server = atrium_server::serve(
        deployment.clone(),
        ServerConfig { port, site_port, ..ServerConfig::default() },
    )
    .await
    .map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "Port {port} or {site_port} on 127.0.0.1 is already in use (another program, or \
             another project): choose another port for {name}, or stop what uses it."
        ),
        _ => format!("{name}'s engine could not listen on 127.0.0.1: {e}"),
    })?;
    Ok(LocalProject {
        name: name.into(),
        url: server.cloud_url.clone(),
        admin_key: deployment.admin_key().to_owned(),
        dir: project.to_path_buf(),
        data: data.to_path_buf(),
        server: tokio::sync::Mutex::new(Some(server)),
        deployment,
    })
}

impl LocalProject {
    /// Runs the project's `seed:seed` mutation (the sample's does nothing when there is
    /// data already); a failure is logged, not fatal.
    pub(crate) async fn seed(&self) {
        let client = match atrium_client::DeploymentClient::new(&self.url) {
            Ok(client) => client.with_admin_key(&self.admin_key),
            Err(e) => return tracing::warn!("{e}"),
        };
        if let Err(e) =
            client.mutation("seed:seed", &atrium_value::Value::Object(Default::default())).await
        {
            tracing::warn!("{}'s seed failed: {e}", self.name);
        }
    }
}
