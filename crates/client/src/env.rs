//! The deployment's environment variables through the routes the official CLI uses, so
//! they work on Convex cloud, self-hosted Convex and the local engine alike: listed by the
//! `_system/cli/queryEnvironmentVariables` query (`npx convex env list`), changed by
//! `POST /api/update_environment_variables` (`env set` / `env remove`).
//!
//! It must not check names or values itself: the deployment does, and its refusal
//! (`InvalidEnvironmentVariables`, ...) reaches the caller as it was worded.

use atrium_value::Value;
use atrium_value::json::to_json;
use serde::Serialize;

use crate::{ClientError, DeploymentClient};

const LIST: &str = "_system/cli/queryEnvironmentVariables:default";

#[derive(Serialize)]
struct Change<'a> {
    name: &'a str,
    value: Option<&'a str>,
}

#[derive(Serialize)]
struct Changes<'a> {
    changes: Vec<Change<'a>>,
}

impl DeploymentClient {
    /// Every environment variable as `(name, value)`, by name (needs the admin key).
    pub async fn environment_variables(&self) -> Result<Vec<(String, String)>, ClientError> {
        let answer = self.query(LIST, &Value::Object(Default::default())).await?;
        let serde_json::Value::Array(docs) = to_json(&answer) else {
            return Err(ClientError::NotADeployment {
                url: self.url(),
                reason: format!("{LIST} did not answer a list"),
            });
        };
        let mut vars: Vec<(String, String)> = docs
            .iter()
            .filter_map(|doc| {
                Some((
                    doc.get("name")?.as_str()?.to_owned(),
                    doc.get("value")?.as_str()?.to_owned(),
                ))
            })
            .collect();
        vars.sort();
        Ok(vars)
    }

    /// Sets (`Some`) or removes (`None`) variables, all in one change.
    pub async fn update_environment_variables(
        &self,
        changes: &[(String, Option<String>)],
    ) -> Result<(), ClientError> {
        let body = Changes {
            changes: changes
                .iter()
                .map(|(name, value)| Change { name, value: value.as_deref() })
                .collect(),
        };
        let request = self
            .authorize(self.http.post(self.endpoint("update_environment_variables")).json(&body));
        let (status, text) = self.send(request).await?;
        if status.is_success() {
            return Ok(());
        }
        self.decode::<serde_json::Value>(status, &text).map(|_| ())
    }
}
