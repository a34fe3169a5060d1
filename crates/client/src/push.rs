//! Pushing code through the routes the official CLI uses (`npx convex deploy`), so Convex
//! cloud, self-hosted Convex and the local engine answer alike: `get_config_hashes` (what
//! the deployment serves, module by module), then `deploy2/start_push` with the CLI's own
//! request body, `deploy2/wait_for_schema` until the deployment has checked its documents
//! against the pushed schema and backfilled the new indexes, and `deploy2/finish_push`.
//! Until `finish_push` the deployment keeps serving its old code: a push refused at
//! `start_push` (a module that fails to load) or at `wait_for_schema` (a document that does
//! not match) changes nothing.
//!
//! It must not build the request body (the CLI's bundler does, see the studio's
//! `promote/bundle.rs`) nor decide whether a push is allowed: the deployment does.

use atrium_protocol::push::{
    ConfigHashes, ConfigHashesRequest, FinishPushRequest, SchemaStatus, WaitForSchemaRequest, path,
};

use crate::{ClientError, DeploymentClient};

/// How long one `wait_for_schema` call may wait on the deployment, as the CLI asks.
const SCHEMA_TIMEOUT_MS: u64 = 10_000;

impl DeploymentClient {
    fn push_url(&self, route: &str) -> String {
        format!("{}{route}", self.url())
    }

    fn key_for_push(&self) -> Result<String, ClientError> {
        self.admin_key().map(str::to_owned).ok_or_else(|| ClientError::BadAdminKey {
            url: self.url(),
            message: "pushing code needs the deployment's admin key".into(),
        })
    }

    async fn post_push<T: serde::de::DeserializeOwned>(
        &self,
        route: &str,
        body: &impl serde::Serialize,
    ) -> Result<T, ClientError> {
        let request = self.authorize(self.http.post(self.push_url(route)).json(body));
        let (status, text) = self.send(request).await?;
        self.decode(status, &text)
    }

    /// The hash of each module the deployment serves (`get_config_hashes`).
    pub async fn config_hashes(&self) -> Result<ConfigHashes, ClientError> {
        let body =
            ConfigHashesRequest { version: "1.48.0".into(), admin_key: self.key_for_push()? };
        self.post_push(path::CONFIG_HASHES, &body).await
    }

    /// Sends a `start_push` request (as the CLI writes it; its `adminKey` and `dryRun` are
    /// set here): the deployment's answer, which the next steps hand back.
    pub async fn start_push(
        &self,
        mut request: serde_json::Value,
    ) -> Result<serde_json::Value, ClientError> {
        let key = self.key_for_push()?;
        if let Some(object) = request.as_object_mut() {
            object.insert("adminKey".into(), key.into());
            object.insert("dryRun".into(), false.into());
        }
        self.post_push(path::START_PUSH, &request).await
    }

    /// One `wait_for_schema` call for the push `start` answered.
    pub async fn wait_for_schema(
        &self,
        start: &serde_json::Value,
    ) -> Result<SchemaStatus, ClientError> {
        let body = WaitForSchemaRequest {
            admin_key: self.key_for_push()?,
            schema_change: start.get("schemaChange").cloned().unwrap_or_default(),
            timeout_ms: SCHEMA_TIMEOUT_MS,
            dry_run: false,
        };
        self.post_push(path::WAIT_FOR_SCHEMA, &body).await
    }

    /// Makes the push `start` answered the deployment's code: its diff, as answered.
    pub async fn finish_push(
        &self,
        start: serde_json::Value,
    ) -> Result<serde_json::Value, ClientError> {
        let body = FinishPushRequest {
            admin_key: self.key_for_push()?,
            start_push: start,
            dry_run: false,
        };
        self.post_push(path::FINISH_PUSH, &body).await
    }
}
