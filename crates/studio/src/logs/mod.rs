//! The connected deployment's function logs, followed live: a task reads the deployment's
//! log stream (`atrium-client`'s `LogStream`, starting with the history the deployment
//! keeps), turns each execution into a [`LogEntry`], keeps the newest ones in memory for
//! windows that open later, and announces each batch as `log_entries`. The entry types
//! (what the hub keeps and the events carry) are in `entry.rs`, a leaf.

mod entry;

use std::sync::Weak;

use atrium_client::{DeploymentClient, LogStream};
use serde_json::Value as Json;

pub use entry::LogEntry;
pub(crate) use entry::{entry, recent};

use crate::log_archive::RecordedArchive;
use crate::{Studio, StudioEvent};

/// Entries kept for windows that open later.
pub(crate) const KEPT: usize = 5_000;

/// Follows `client`'s log stream until the connection changes (the task is aborted) or
/// the deployment refuses. Where the deployment keeps no searchable archive of its own,
/// the entries are recorded in `archive` too (those newer than what it holds: the stream
/// starts with the deployment's history).
pub(crate) async fn follow(
    studio: Weak<Studio>,
    client: DeploymentClient,
    archive: Option<RecordedArchive>,
) {
    let recorded_up_to = match &archive {
        Some(archive) => archive.newest_timestamp().await,
        None => 0.0,
    };
    // `None` until the deployment has said whether it keeps an archive.
    let mut deployment_archives: Option<bool> = None;
    let mut stream = LogStream::new(client.clone(), true);
    loop {
        let batch = match stream.next().await {
            Ok(batch) => batch,
            Err(e) => {
                tracing::warn!("the log stream stopped: {e}");
                return;
            }
        };
        if batch.is_empty() {
            continue;
        }
        if let Some(archive) = &archive {
            if deployment_archives.is_none() {
                deployment_archives =
                    client.executions_since(f64::MAX).await.ok().map(|found| found.is_some());
            }
            // Recorded unless the deployment is known to keep its own.
            if deployment_archives != Some(true) {
                let new: Vec<Json> = batch
                    .iter()
                    .filter(|e| e["timestamp"].as_f64().is_none_or(|t| t > recorded_up_to))
                    .cloned()
                    .collect();
                if !new.is_empty() {
                    archive.record(new).await;
                }
            }
        }
        let Some(studio) = studio.upgrade() else { return };
        let entries: Vec<LogEntry> = batch.iter().map(entry).collect();
        {
            let mut kept = studio.logs.lock().unwrap();
            kept.extend(entries.iter().cloned());
            while kept.len() > KEPT {
                kept.pop_front();
            }
        }
        studio.emit(StudioEvent::LogEntries { entries });
    }
}
