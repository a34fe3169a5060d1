//! A deployment's environment as code sees it: the variables plus `CONVEX_CLOUD_URL` and
//! `CONVEX_SITE_URL` (the engine's URLs), a change of variables applied to a copy (so the
//! auth config can be tried with it first), and the auth providers `auth.config.ts`
//! evaluates to.
//!
//! A leaf of the deployment's rooms: it holds no state and touches no engine.

use std::collections::BTreeMap;
use std::sync::Arc;

use atrium_runtime::Project;
use atrium_runtime::auth_config::evaluate_auth_config;

use super::error::DeploymentError;
use crate::jwt::AuthProvider;

/// The URLs functions see until the server says where it listens (Convex's default ports).
pub(super) const DEFAULT_URLS: [&str; 2] = ["http://127.0.0.1:3210", "http://127.0.0.1:3211"];

/// `variables` with `CONVEX_CLOUD_URL` and `CONVEX_SITE_URL` set to `urls`.
pub(super) fn with_urls(
    mut variables: BTreeMap<String, String>,
    (cloud, site): &(String, String),
) -> BTreeMap<String, String> {
    variables.insert("CONVEX_CLOUD_URL".into(), cloud.clone());
    variables.insert("CONVEX_SITE_URL".into(), site.clone());
    variables
}

/// `env` after `changes` (each checked), without storing anything.
pub(super) fn changed(
    mut env: BTreeMap<String, String>,
    changes: &[(String, Option<String>)],
) -> Result<BTreeMap<String, String>, String> {
    for (name, value) in changes {
        crate::env::check(name, value.as_deref())?;
        match value {
            Some(value) => env.insert(name.clone(), value.clone()),
            None => env.remove(name),
        };
    }
    Ok(env)
}

/// The providers of `project`'s auth config evaluated with `env` (none without one).
pub(super) fn auth_providers(
    project: &Arc<Project>,
    env: &BTreeMap<String, String>,
) -> Result<Vec<AuthProvider>, DeploymentError> {
    let config =
        evaluate_auth_config(project, env).map_err(|e| DeploymentError::Project(Box::new(e)))?;
    match config {
        None => Ok(Vec::new()),
        Some(config) => AuthProvider::parse_config(&config)
            .map_err(|e| DeploymentError::Project(Box::new(atrium_runtime::RuntimeError::Js(e)))),
    }
}

/// The runtime's message inside a project error, without the deployment's prefix.
pub(super) fn inner_message(error: &DeploymentError) -> String {
    match error {
        DeploymentError::Project(inner) => match inner.as_ref() {
            atrium_runtime::RuntimeError::Js(message) => message.clone(),
            other => other.to_string(),
        },
        other => other.to_string(),
    }
}
