//! Events the studio pushes to the UI without being asked.
//!
//! Hosts forward every [`StudioEvent`] to the window (Tauri events) or to each browser
//! (the `/api/events` WebSocket); the UI applies them to its state.
//!
//! The payloads are the features' own types, each from a leaf module (`data/types.rs`,
//! `deployment.rs`, `watches/version.rs`, `logs/entry.rs`, `sql/state.rs`, …): the studio
//! holds the event bus, so this module must not import the studio or any feature logic.

use serde::Serialize;
use ts_rs::TS;

use crate::data::ViewInfo;
use crate::{ConnectionStatus, Settings};

/// Something changed that the UI shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StudioEvent {
    /// The settings changed (from any window or browser tab).
    SettingsChanged { settings: Settings },
    /// The connected deployment or its connection state changed.
    ConnectionChanged { status: ConnectionStatus },
    /// An open data view's rows may have changed: fetch the visible ones again.
    DataViewChanged { info: ViewInfo },
    /// A watched query has a new result.
    QueryWatchUpdate { update: crate::watches::QueryVersion },
    /// New entries from the connected deployment's log stream, oldest first.
    LogEntries { entries: Vec<crate::logs::LogEntry> },
    /// A table being loaded for SQL: documents read so far.
    SqlLoadProgress { progress: crate::sql::LoadProgress },
    /// A table loaded for SQL was read again after the deployment changed it.
    SqlTableReloaded { table: crate::sql::LoadedTableInfo },
    /// A local project's state changed by itself (its code reloaded after a change on disk,
    /// or failed to).
    ProjectsChanged { projects: Vec<crate::projects::ProjectInfo> },
    /// An export being written: rows so far.
    ExportProgress { progress: crate::sql::export::ExportProgress },
    /// A snapshot export or import with the connected deployment advanced.
    SnapshotProgress { progress: crate::snapshot_progress::SnapshotProgress },
    /// A promotion of a local project to another deployment advanced.
    PromoteProgress { progress: crate::promote::progress::PromoteProgress },
}

/// Where events go: the studio, which sends them to every listener. Work that outlives a
/// command and must not hold the studio itself (a data view's tasks) keeps a `Weak` one.
pub(crate) trait EventSink: Send + Sync {
    fn emit(&self, event: StudioEvent);
}
