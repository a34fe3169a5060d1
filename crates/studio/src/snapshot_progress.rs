//! The progress of a snapshot export or import with a connected deployment, announced as
//! `snapshot_progress` (a leaf type: the event bus and the commands both name it).
//!
//! It must not know how snapshots move; `commands/deployment_snapshot.rs` does.

use serde::Serialize;
use ts_rs::TS;

/// One step of a snapshot moving to or from the deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SnapshotProgress {
    /// `export` (the deployment writes it), `download`, `upload` or `import` (the
    /// deployment reads it).
    pub stage: String,
    /// Bytes moved so far (download and upload).
    #[ts(type = "number")]
    pub done: u64,
    /// The total bytes, where known.
    #[ts(type = "number | null")]
    pub total: Option<u64>,
    /// The deployment's own words on where it stands, where it gives them.
    pub message: Option<String>,
}
