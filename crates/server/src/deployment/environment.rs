//! A deployment's environment as code sees it: the variables plus `CONVEX_CLOUD_URL` and
//! `CONVEX_SITE_URL`, the engine's URLs (set once the server listens), changes to the
//! variables (refused when they would break `auth.config.ts`), and the auth providers that
//! config evaluates to.
//!
//! It must not touch the sync sessions beyond announcing a change on the event channel.

use std::collections::BTreeMap;
use std::sync::Arc;

use atrium_runtime::Project;
use atrium_runtime::auth_config::evaluate_auth_config;

use super::{Deployment, DeploymentError, DeploymentEvent};
use crate::jwt::{AuthProvider, Verifier};

impl Deployment {
    /// The variables functions and analysis see: the deployment's, then `CONVEX_CLOUD_URL`
    /// and `CONVEX_SITE_URL`.
    pub fn function_environment(&self) -> BTreeMap<String, String> {
        let mut env = self.environment();
        let (cloud, site) = self.urls.read().unwrap().clone();
        env.insert("CONVEX_CLOUD_URL".into(), cloud);
        env.insert("CONVEX_SITE_URL".into(), site);
        env
    }

    /// The engine's URLs as clients reach them (the server sets them once it listens). Code
    /// loaded before is analysed again when they differ from the ones it saw: its
    /// `auth.config.ts` may name `CONVEX_SITE_URL`.
    pub fn set_urls(&self, cloud: &str, site: &str) {
        let urls = (cloud.to_owned(), site.to_owned());
        if *self.urls.read().unwrap() == urls {
            return;
        }
        *self.urls.write().unwrap() = urls;
        let project = self.runner.read().unwrap().as_ref().map(|r| r.project().clone());
        if let Some(project) = project
            && let Err(e) = self.load(project)
        {
            tracing::warn!("the code could not be analysed again with the engine's URLs: {e}");
        }
    }

    /// The providers of the loaded `auth.config.ts` and their cached keys.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// Sets (`Some`) or removes (`None`) environment variables; live queries re-run.
    pub fn update_environment(&self, changes: &[(String, Option<String>)]) -> Result<(), String> {
        // The auth config is evaluated with the new variables first: a change that breaks
        // it is refused, as Convex does.
        let mut next = self.function_environment();
        for (name, value) in changes {
            crate::env::check(name, value.as_deref())?;
            match value {
                Some(value) => next.insert(name.clone(), value.clone()),
                None => next.remove(name),
            };
        }
        let project = self.runner.read().unwrap().as_ref().map(|r| r.project().clone());
        let auth = match &project {
            Some(project) => Some(auth_providers(project, &next).map_err(|e| {
                format!("This change would make the auth config invalid: {}", inner_message(&e))
            })?),
            None => None,
        };
        crate::env::apply(&self.engine, changes)?;
        if let Some(auth) = auth {
            self.verifier.set_providers(auth);
        }
        let fresh = crate::env::load(&self.engine).map_err(|e| e.to_string())?;
        *self.env.write().unwrap() = fresh;
        self.clear_query_cache();
        let _ = self.events.send(DeploymentEvent::EnvironmentChanged);
        Ok(())
    }
}

/// The URLs functions see until the server says where it listens (Convex's default ports).
pub(super) const DEFAULT_URLS: [&str; 2] = ["http://127.0.0.1:3210", "http://127.0.0.1:3211"];

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
fn inner_message(error: &DeploymentError) -> String {
    match error {
        DeploymentError::Project(inner) => match inner.as_ref() {
            atrium_runtime::RuntimeError::Js(message) => message.clone(),
            other => other.to_string(),
        },
        other => other.to_string(),
    }
}
