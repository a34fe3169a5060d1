//! The deployment's function log stream: `GET /api/app_metrics/stream_function_logs`, a
//! long poll by cursor that answers as soon as there are entries newer than the cursor (or
//! after about a minute with none). Entries are Convex's `FunctionExecution` objects
//! (`Completion` with structured log lines, `Progress` for actions), kept as JSON.
//!
//! [`LogStream`] follows the stream from "now" (or from the start of what the deployment
//! keeps), retrying with backoff when the deployment is briefly unreachable.

use std::time::Duration;

use atrium_protocol::atrium::{ExecutionColumns, LogQuery, LogSearch};
use serde::Deserialize;

use crate::{ClientError, DeploymentClient};

/// One answer of the long poll.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogBatch {
    pub entries: Vec<serde_json::Value>,
    pub new_cursor: f64,
}

impl DeploymentClient {
    /// Entries newer than `cursor` (0: the deployment's recent history), waiting up to
    /// about a minute for one to appear. Needs the admin key.
    pub async fn function_logs(&self, cursor: f64) -> Result<LogBatch, ClientError> {
        let url = format!("{}?cursor={cursor}", self.endpoint("app_metrics/stream_function_logs"));
        // Structured log lines, as Convex gives its dashboard.
        let request = self.authorize(self.http.get(url)).header("Convex-Client", "dashboard-0.0.0");
        let (status, body) = self.send(request).await?;
        self.decode(status, &body)
    }
}

/// Follows a deployment's log stream.
#[derive(Debug)]
pub struct LogStream {
    client: DeploymentClient,
    cursor: Option<f64>,
    failures: u32,
}

impl LogStream {
    /// From what happens next (`history`: false) or from the deployment's recent history.
    pub fn new(client: DeploymentClient, history: bool) -> Self {
        Self { client, cursor: history.then_some(0.0), failures: 0 }
    }

    /// The next entries (possibly none, when the poll times out). Transient failures are
    /// retried with backoff; a refused key or a server that is not a deployment is returned.
    pub async fn next(&mut self) -> Result<Vec<serde_json::Value>, ClientError> {
        loop {
            let cursor = match self.cursor {
                Some(cursor) => cursor,
                None => {
                    // The first answer only tells where "now" is.
                    let head = self.poll(0.0).await?;
                    self.cursor = Some(head.new_cursor);
                    continue;
                }
            };
            let batch = self.poll(cursor).await?;
            self.cursor = Some(batch.new_cursor.max(cursor));
            return Ok(batch.entries);
        }
    }

    async fn poll(&mut self, cursor: f64) -> Result<LogBatch, ClientError> {
        loop {
            match self.client.function_logs(cursor).await {
                Ok(batch) => {
                    self.failures = 0;
                    return Ok(batch);
                }
                Err(ClientError::Unreachable { .. } | ClientError::Http { .. })
                    if self.failures < 8 =>
                {
                    self.failures += 1;
                    let wait = Duration::from_millis(200 << self.failures.min(5));
                    tokio::time::sleep(wait).await;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

impl DeploymentClient {
    /// The deployment's log archive searched, newest first (Atrium's
    /// `GET /api/atrium/logs`): the entries `query` selects and the `before` of the next
    /// page; `None` when the deployment has no such archive (a Convex deployment).
    pub async fn search_logs(&self, query: &LogQuery) -> Result<Option<LogSearch>, ClientError> {
        let request = self.http.get(self.endpoint("atrium/logs")).query(query);
        self.extension(request).await
    }

    /// Every completed execution the deployment's log archive keeps since `since` (seconds
    /// since the epoch), as columns (Atrium's `GET /api/atrium/executions`); `None` when
    /// the deployment has no such archive.
    pub async fn executions_since(
        &self,
        since: f64,
    ) -> Result<Option<ExecutionColumns>, ClientError> {
        let request = self.http.get(self.endpoint("atrium/executions")).query(&[("since", since)]);
        self.extension(request).await
    }
}
