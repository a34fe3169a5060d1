//! Commands of the Logs and Subscriptions areas: the log entries followed so far, and the
//! deployment's live subscriptions (Atrium's inspector, where the deployment has it).

use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

use crate::logs::LogEntry;
use crate::{CommandError, Studio};

pub(super) async fn logs_recent(
    studio: &Arc<Studio>,
    _: (),
) -> Result<Vec<LogEntry>, CommandError> {
    studio.connected()?;
    Ok(crate::logs::recent(&studio.logs.lock().unwrap()))
}

/// The write that last re-ran a live query.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SubscriptionCause {
    pub ts: f64,
    pub table: String,
    pub document: Option<String>,
    /// The mutation that committed it, when the deployment knows.
    pub function: Option<String>,
    pub request_id: Option<String>,
}

/// An index range a live query read (bounds as hex of the index key).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReadRange {
    pub index: String,
    pub start: String,
    pub end: Option<String>,
}

/// One live query of one client session.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LiveSubscription {
    pub session_id: String,
    pub query_id: u32,
    pub function: String,
    #[ts(type = "unknown")]
    pub args: serde_json::Value,
    pub identity: String,
    pub read_set: Vec<ReadRange>,
    pub result_bytes: f64,
    pub runs: f64,
    pub last_cause: Option<SubscriptionCause>,
}

/// The deployment's live subscriptions, or that it cannot list them.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SubscriptionReport {
    /// False for a deployment without Atrium's inspector (a Convex deployment).
    pub available: bool,
    pub subscriptions: Vec<LiveSubscription>,
}

pub(super) async fn inspect_subscriptions(
    studio: &Arc<Studio>,
    _: (),
) -> Result<SubscriptionReport, CommandError> {
    let connected = studio.connected()?;
    let Some(report) = connected.http.live_subscriptions().await.map_err(super::client_error)?
    else {
        return Ok(SubscriptionReport { available: false, subscriptions: Vec::new() });
    };
    let subscriptions = report
        .subscriptions
        .into_iter()
        .map(|s| LiveSubscription {
            session_id: s.session_id,
            query_id: s.query_id,
            function: s.function,
            args: s.args,
            identity: s.identity,
            read_set: s
                .read_set
                .into_iter()
                .map(|r| ReadRange { index: r.index, start: r.start, end: r.end })
                .collect(),
            result_bytes: s.result_bytes as f64,
            runs: s.runs as f64,
            last_cause: s.last_cause.map(|c| SubscriptionCause {
                ts: c.ts as f64,
                table: c.table,
                document: c.document,
                function: c.function,
                request_id: c.request_id,
            }),
        })
        .collect();
    Ok(SubscriptionReport { available: true, subscriptions })
}

/// Text to save as a file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SaveText {
    /// A plain file name (`logs.jsonl`); a number is added when it exists.
    pub file_name: String,
    pub text: String,
}

/// Where the file went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SavedFile {
    pub path: String,
}

/// Saves exported text (filtered logs as JSONL or CSV) in the user's Downloads folder (or
/// Atrium's data folder where there is none), never over an existing file.
pub(super) async fn save_export(
    studio: &Arc<Studio>,
    request: SaveText,
) -> Result<SavedFile, CommandError> {
    let name = std::path::Path::new(&request.file_name)
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| !n.is_empty() && !n.starts_with('.'))
        .ok_or_else(|| {
            CommandError::new(
                crate::ErrorCode::BadRequest,
                format!("{:?} is not a plain file name", request.file_name),
            )
        })?
        .to_owned();
    let dir = studio.export_dir();
    std::fs::create_dir_all(&dir).map_err(|e| {
        CommandError::new(crate::ErrorCode::Io, format!("Could not create {}: {e}", dir.display()))
    })?;
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) => (s.to_owned(), format!(".{e}")),
        None => (name.clone(), String::new()),
    };
    let mut path = dir.join(&name);
    let mut n = 1;
    while path.exists() {
        path = dir.join(format!("{stem}-{n}{ext}"));
        n += 1;
    }
    std::fs::write(&path, request.text.as_bytes()).map_err(|e| {
        CommandError::new(crate::ErrorCode::Io, format!("Could not write {}: {e}", path.display()))
    })?;
    Ok(SavedFile { path: path.display().to_string() })
}

/// A search of the deployment's log archive.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct LogSearch {
    /// Text the entry holds (any case); empty for any.
    #[serde(default)]
    pub text: String,
    /// Exactly this function (`module:function`); empty for any.
    #[serde(default)]
    pub function: String,
    /// Entries older than this archive position (the `next` of a previous page).
    #[serde(default)]
    #[ts(type = "number | null")]
    pub before: Option<u64>,
}

/// A page of the archive, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LogSearchResult {
    /// False for a deployment without Atrium's archive (a Convex deployment).
    pub available: bool,
    pub entries: Vec<LogEntry>,
    /// Where the next (older) page starts; null at the end.
    #[ts(type = "number | null")]
    pub next: Option<u64>,
}

pub(super) async fn search_logs(
    studio: &Arc<Studio>,
    request: LogSearch,
) -> Result<LogSearchResult, CommandError> {
    let connected = studio.connected()?;
    let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let (text, function) = (some(&request.text), some(&request.function));
    let found = connected
        .http
        .search_logs(text.as_deref(), function.as_deref(), request.before, 200)
        .await
        .map_err(super::client_error)?;
    Ok(match found {
        Some(found) => LogSearchResult {
            available: true,
            entries: found.entries.iter().map(crate::logs::entry).collect(),
            next: found.next,
        },
        None => LogSearchResult { available: false, entries: Vec::new(), next: None },
    })
}
