//! The per-function metrics command: executions read from the deployment's log archive
//! (Atrium's engine) or, for a deployment without one, from the archive the studio recorded
//! while connected, and computed with polars ([`crate::metrics`]).

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::metrics::{MetricsReport, MetricsWindow};
use crate::{CommandError, Studio};

/// Which metrics to compute.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct MetricsRequest {
    pub window: MetricsWindow,
    /// The function whose series to chart (`module:function`); all functions when absent.
    #[serde(default)]
    pub function: Option<String>,
}

/// The metrics and where their executions came from.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MetricsResult {
    /// "deployment" (its own log archive) or "recorded" (what the studio recorded while
    /// connected: a Convex deployment keeps no archive to read).
    pub source: String,
    pub report: MetricsReport,
}

pub(super) async fn function_metrics(
    studio: &Arc<Studio>,
    request: MetricsRequest,
) -> Result<MetricsResult, CommandError> {
    let connected = studio.connected()?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
    let (length, bucket) = request.window.seconds();
    let since = now - length - bucket;
    let (source, executions) = match connected.http.executions_since(since).await? {
        Some(columns) => ("deployment", columns),
        None => {
            let archive = super::live::recorded_archive(&connected)?;
            let columns = archive.read(move |store| store.executions_since(since)).await?;
            ("recorded", columns)
        }
    };
    let report = tokio::task::spawn_blocking(move || {
        crate::metrics::compute(executions, now, request.window, request.function.as_deref())
    })
    .await
    .map_err(CommandError::internal)?
    .map_err(|e| CommandError::internal(format!("Computing the metrics failed: {e}")))?;
    Ok(MetricsResult { source: source.into(), report })
}
