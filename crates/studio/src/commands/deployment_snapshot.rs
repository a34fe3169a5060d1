//! Snapshot export and import for the connected deployment — any deployment, not only a
//! local project: through the routes the official CLI uses (the client's `snapshot`
//! module), so Convex cloud, self-hosted Convex and the local engine answer alike. An export
//! is downloaded into the export folder; an import is uploaded from a ZIP on disk and, when
//! the deployment asks for confirmation with its summary of what will change, handed back
//! to the UI to confirm (`deployment_import_confirm`). Progress goes out as
//! `snapshot_progress` events.
//!
//! It must not write where the connection's safe mode does not allow: a read-only
//! connection refuses an import, a confirm-writes one needs `confirmed`.

use std::path::PathBuf;
use std::sync::Arc;

use atrium_protocol::snapshot::{ImportArgs, ImportState};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::SnapshotDone;
use crate::{CommandError, ErrorCode, SnapshotProgress, Studio, StudioEvent};

/// Bytes between two progress events of a download.
const PROGRESS_STEP: u64 = 1 << 20;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DeploymentExport {
    /// Include stored files (`_storage`), as `npx convex export --include-file-storage`.
    #[serde(default)]
    pub include_storage: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DeploymentImport {
    /// A snapshot ZIP on this machine (from Atrium or `npx convex export`).
    pub path: String,
    /// `requireEmpty` (the default: refuse if a table has data), `append`, `replace` or
    /// `replaceAll`.
    #[serde(default)]
    pub mode: Option<String>,
    /// Given after the user confirmed (connections that ask before writes).
    #[serde(default)]
    pub confirmed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ImportConfirm {
    pub import_id: String,
    #[serde(default)]
    pub confirmed: bool,
}

/// Where an import stands once it settled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ImportOutcome {
    pub import_id: String,
    /// `waiting_for_confirmation` (confirm with `deployment_import_confirm`) or `completed`.
    pub state: String,
    /// The deployment's summary of what the import changes, to show before confirming.
    pub message_to_confirm: Option<String>,
    /// Documents written (a completed import).
    #[ts(type = "number | null")]
    pub documents: Option<u64>,
}

fn progress(
    studio: &std::sync::Weak<Studio>,
    stage: &str,
    done: u64,
    total: Option<u64>,
    message: Option<String>,
) {
    if let Some(studio) = studio.upgrade() {
        let progress = SnapshotProgress { stage: stage.into(), done, total, message };
        studio.emit(StudioEvent::SnapshotProgress { progress });
    }
}

/// Asks the deployment for a snapshot and downloads it into the export folder.
pub(super) async fn deployment_export(
    studio: &Arc<Studio>,
    request: DeploymentExport,
) -> Result<SnapshotDone, CommandError> {
    let connected = studio.connected()?;
    let weak = Arc::downgrade(studio);
    progress(&weak, "export", 0, None, Some("The deployment is writing the snapshot".into()));
    let record = connected.http.export_snapshot(request.include_storage).await?;
    let start_ts = record.start_ts().ok_or_else(|| {
        CommandError::new(ErrorCode::Internal, "The deployment's export record has no timestamp")
    })?;
    let name = format!("{}-snapshot-{start_ts}.zip", file_stem(&connected.summary.name));
    let (path, file) = crate::files::create_export_file(&studio.export_dir(), &name)?;
    let mut out = std::io::BufWriter::new(file);
    let mut last = 0u64;
    let mut report = |done: u64, total: Option<u64>| {
        if done - last >= PROGRESS_STEP || Some(done) == total {
            last = done;
            progress(&weak, "download", done, total, None);
        }
    };
    let downloaded = connected.http.download_export(start_ts, &mut out, &mut report).await;
    let finished = downloaded.map_err(CommandError::from).and_then(|bytes| {
        std::io::Write::flush(&mut out)
            .and_then(|()| out.get_ref().sync_all())
            .map(|()| bytes)
            .map_err(|e| {
                CommandError::new(ErrorCode::Io, format!("Could not write the snapshot: {e}"))
            })
    });
    match finished {
        Ok(bytes) => Ok(SnapshotDone { path: path.display().to_string(), bytes, documents: 0 }),
        Err(error) => {
            // No half-written snapshot is left behind.
            let _ = std::fs::remove_file(&path);
            Err(error)
        }
    }
}

/// Uploads a snapshot ZIP and has the deployment import it: completed, or waiting for the
/// user to confirm the deployment's summary.
pub(super) async fn deployment_import(
    studio: &Arc<Studio>,
    request: DeploymentImport,
) -> Result<ImportOutcome, CommandError> {
    let connected = connected_for_import(studio, request.confirmed)?;
    let path = PathBuf::from(request.path.trim());
    let mut file = std::fs::File::open(&path).map_err(|e| {
        CommandError::new(ErrorCode::Io, format!("Could not read {}: {e}", path.display()))
    })?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let args = ImportArgs {
        format: "zip".into(),
        mode: request.mode.unwrap_or_else(|| "requireEmpty".into()),
        table_name: None,
        component_path: None,
    };
    let weak = Arc::downgrade(studio);
    let mut report = |done: u64, total: Option<u64>| progress(&weak, "upload", done, total, None);
    let id = connected.http.upload_import(&mut file, size, args, &mut report).await?;
    settle(studio, &connected.http, id, false).await
}

/// Confirms an import waiting for confirmation and waits until it completes.
pub(super) async fn deployment_import_confirm(
    studio: &Arc<Studio>,
    request: ImportConfirm,
) -> Result<ImportOutcome, CommandError> {
    let connected = connected_for_import(studio, request.confirmed)?;
    connected.http.perform_import(&request.import_id).await?;
    settle(studio, &connected.http, request.import_id, true).await
}

/// The connected deployment, once its safe mode allows an import (confirm-writes needs
/// `confirmed`).
fn connected_for_import(
    studio: &Studio,
    confirmed: bool,
) -> Result<Arc<crate::deployment::Connected>, CommandError> {
    let connected = studio.connected()?;
    connected.allow_write(
        confirmed,
        " (its safe mode); change that in Connections to import data.",
        "importing data",
    )?;
    Ok(connected)
}

async fn settle(
    studio: &Arc<Studio>,
    http: &atrium_client::DeploymentClient,
    import_id: String,
    confirmed: bool,
) -> Result<ImportOutcome, CommandError> {
    let weak = Arc::downgrade(studio);
    let mut on_state = |state: &ImportState| {
        let message =
            state.progress_message.clone().unwrap_or_else(|| state.state.replace('_', " "));
        progress(&weak, "import", 0, None, Some(message));
    };
    let state = http.settled_import(&import_id, confirmed, &mut on_state).await?;
    match state.state.as_str() {
        "failed" => Err(CommandError::new(
            ErrorCode::BadRequest,
            format!(
                "The import failed: {}",
                state.error_message.as_deref().unwrap_or("the deployment gave no reason")
            ),
        )),
        _ => Ok(ImportOutcome {
            import_id,
            documents: state.rows_written(),
            message_to_confirm: state.message_to_confirm.clone(),
            state: state.state,
        }),
    }
}

/// The deployment's name as a file name's start.
fn file_stem(name: &str) -> String {
    let stem: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' }).collect();
    let stem = stem.trim_matches('-');
    if stem.is_empty() { "deployment".into() } else { stem.to_owned() }
}
