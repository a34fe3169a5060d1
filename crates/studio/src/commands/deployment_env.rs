//! The connected deployment's environment variables — any deployment, not only a local
//! project: listed and changed through the routes the official CLI uses (the client's
//! `env` module), so Convex cloud, self-hosted Convex and the local engine answer alike.
//!
//! It must not write a variable the connection's safe mode does not allow: a read-only
//! connection refuses, a confirm-writes one needs `confirmed`.

use std::sync::Arc;

use serde::Deserialize;
use ts_rs::TS;

use super::EnvVar;
use crate::{CommandError, ErrorCode, Studio};

/// Sets (`value`) or removes (`value: null`) one environment variable.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DeploymentEnvSet {
    pub name: String,
    #[serde(default)]
    pub value: Option<String>,
    /// Given after the user confirmed (connections that ask before writes).
    #[serde(default)]
    pub confirmed: bool,
}

pub(super) async fn deployment_env(
    studio: &Arc<Studio>,
    _: (),
) -> Result<Vec<EnvVar>, CommandError> {
    let connected = studio.connected()?;
    let vars = connected.http.environment_variables().await?;
    Ok(vars.into_iter().map(|(name, value)| EnvVar { name, value }).collect())
}

pub(super) async fn deployment_env_set(
    studio: &Arc<Studio>,
    request: DeploymentEnvSet,
) -> Result<Vec<EnvVar>, CommandError> {
    let name = request.name.trim().to_owned();
    if name.is_empty() {
        return Err(CommandError::new(ErrorCode::BadRequest, "Name the environment variable."));
    }
    let connected = studio.connected()?;
    connected.allow_write(
        request.confirmed,
        " (its safe mode); change that in Connections to edit its environment variables.",
        "changing environment variables",
    )?;
    connected.http.update_environment_variables(&[(name, request.value)]).await?;
    deployment_env(studio, ()).await
}
