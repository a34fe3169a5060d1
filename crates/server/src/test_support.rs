//! For tests in this and other crates (feature `test-support`): a deployment serving one
//! of the repository's test projects (`tests/fixtures/<name>`) on free 127.0.0.1 ports.

use std::path::PathBuf;
use std::sync::Arc;

use crate::{Deployment, DeploymentConfig, RunningServer, ServerConfig, serve};

/// Serves `tests/fixtures/<fixture>` as `instance_name`, from a fresh data directory that
/// lives as long as the returned guard.
pub async fn serve_fixture(
    fixture: &str,
    instance_name: &str,
) -> (RunningServer, Arc<Deployment>, tempfile::TempDir) {
    serve_fixture_with(fixture, instance_name, true).await
}

/// As [`serve_fixture`], without Atrium's own endpoints: what a client sees of a Convex
/// deployment.
pub async fn serve_fixture_as_convex(
    fixture: &str,
    instance_name: &str,
) -> (RunningServer, Arc<Deployment>, tempfile::TempDir) {
    serve_fixture_with(fixture, instance_name, false).await
}

/// Serves `tests/fixtures/<fixture>` from the data directory `data` (kept by the caller):
/// stop it and serve again on the same folder to test what survives a restart.
pub async fn serve_fixture_in(
    fixture: &str,
    instance_name: &str,
    data: &std::path::Path,
) -> (RunningServer, Arc<Deployment>) {
    let project =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures").join(fixture);
    let deployment = Deployment::open(DeploymentConfig {
        project_dir: Some(project),
        data_dir: data.to_path_buf(),
        instance_name: instance_name.into(),
        admin_key: None,
    })
    .unwrap_or_else(|e| panic!("the {fixture} fixture opens: {e}"));
    let config = ServerConfig { port: 0, site_port: 0, ..ServerConfig::default() };
    let server = serve(deployment.clone(), config).await.expect("the server starts");
    (server, deployment)
}

async fn serve_fixture_with(
    fixture: &str,
    instance_name: &str,
    atrium_extensions: bool,
) -> (RunningServer, Arc<Deployment>, tempfile::TempDir) {
    let data = tempfile::tempdir().expect("a temporary data directory");
    let project =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures").join(fixture);
    let deployment = Deployment::open(DeploymentConfig {
        project_dir: Some(project),
        data_dir: data.path().to_path_buf(),
        instance_name: instance_name.into(),
        admin_key: None,
    })
    .unwrap_or_else(|e| panic!("the {fixture} fixture opens: {e}"));
    let config =
        ServerConfig { port: 0, site_port: 0, atrium_extensions, ..ServerConfig::default() };
    let server = serve(deployment.clone(), config).await.expect("the server starts");
    (server, deployment, data)
}
