//! Commands of the Logs and Subscriptions areas: the log entries followed so far, a search
//! of the whole log archive (the deployment's own where it has one, else the studio's
//! recorded archive), saving filtered logs to a file in the export folder, and the live
//! subscriptions of the deployment (Atrium's inspector, where the deployment has it).

use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

use crate::logs::LogEntry;
use atrium_logs::LogFilter;
use atrium_protocol::atrium::LogQuery;

use crate::{CommandError, ErrorCode, Studio};

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

/// A full-text search a live query ran: its index, its terms (the last one also matches
/// as a prefix) and its `.eq` filters.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LiveSearchRead {
    pub index: String,
    pub terms: Vec<String>,
    pub prefix: Option<String>,
    /// `(field, value)`; values as Convex JSON text, or `undefined`.
    pub filters: Vec<(String, String)>,
}

/// One live query of one client session.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LiveSubscription {
    pub session_id: String,
    pub query_id: u32,
    pub function: String,
    /// The component instance the query is in (its path); `None` for the app's.
    pub component: Option<String>,
    #[ts(type = "unknown")]
    pub args: serde_json::Value,
    pub identity: String,
    pub read_set: Vec<ReadRange>,
    pub search_reads: Vec<LiveSearchRead>,
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
    let Some(report) = connected.http.live_subscriptions().await? else {
        return Ok(SubscriptionReport { available: false, subscriptions: Vec::new() });
    };
    let subscriptions = report
        .subscriptions
        .into_iter()
        .map(|s| LiveSubscription {
            session_id: s.session_id,
            query_id: s.query_id,
            function: s.function,
            component: s.component,
            args: s.args,
            identity: s.identity,
            read_set: s
                .read_set
                .into_iter()
                .map(|r| ReadRange { index: r.index, start: r.start, end: r.end })
                .collect(),
            search_reads: s
                .search_reads
                .into_iter()
                .map(|r| LiveSearchRead {
                    index: r.index,
                    terms: r.terms,
                    prefix: r.prefix,
                    filters: r.filters.into_iter().map(|f| (f.field, f.value)).collect(),
                })
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
    let (path, mut file) =
        crate::files::create_export_file(&studio.export_dir(), &request.file_name)?;
    std::io::Write::write_all(&mut file, request.text.as_bytes()).map_err(|e| {
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
    /// "success" or "failure"; empty for any.
    #[serde(default)]
    pub status: String,
    /// Executions that logged a line at this level (LOG, INFO, WARN, ERROR, DEBUG); empty
    /// for any.
    #[serde(default)]
    pub level: String,
    /// Entries older than this archive position (the `next` of a previous page).
    #[serde(default)]
    #[ts(type = "number | null")]
    pub before: Option<u64>,
}

/// A page of the archive, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LogSearchResult {
    /// Which archive answered: "deployment" (its own log store, Atrium's engine) or
    /// "recorded" (what the studio recorded while connected).
    pub source: String,
    pub entries: Vec<LogEntry>,
    /// Where the next (older) page starts; null at the end.
    #[ts(type = "number | null")]
    pub next: Option<u64>,
}

const SEARCH_PAGE: usize = 200;

pub(super) async fn search_logs(
    studio: &Arc<Studio>,
    request: LogSearch,
) -> Result<LogSearchResult, CommandError> {
    let connected = studio.connected()?;
    let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let status = some(&request.status);
    if let Some(status) = &status
        && status != "success"
        && status != "failure"
    {
        return Err(CommandError::new(
            ErrorCode::BadRequest,
            format!("The status filter must be \"success\" or \"failure\", not {status:?}."),
        ));
    }
    let query = LogQuery {
        text: some(&request.text),
        function: some(&request.function),
        status,
        level: some(&request.level).map(|l| l.to_uppercase()),
        before: request.before,
        limit: SEARCH_PAGE,
    };
    if let Some(found) = connected.http.search_logs(&query).await? {
        return Ok(LogSearchResult {
            source: "deployment".into(),
            entries: found.entries.iter().map(crate::logs::entry).collect(),
            next: found.next,
        });
    }
    let archive = recorded_archive(&connected)?;
    let filter = LogFilter {
        text: query.text,
        function: query.function,
        failed: query.status.map(|s| s == "failure"),
        level: query.level,
    };
    let records =
        archive.read(move |store| store.search(&filter, query.before, SEARCH_PAGE)).await?;
    let next = (records.len() == SEARCH_PAGE).then(|| records.last().map(|r| r.seq)).flatten();
    Ok(LogSearchResult {
        source: "recorded".into(),
        entries: records.iter().map(|r| crate::logs::entry(&r.entry)).collect(),
        next,
    })
}

/// The connection's recorded archive, or an error saying why there is none.
pub(super) fn recorded_archive(
    connected: &crate::deployment::Connected,
) -> Result<crate::log_archive::RecordedArchive, CommandError> {
    connected.archive.clone().ok_or_else(|| {
        CommandError::internal(
            "This deployment keeps no searchable log archive, and the studio could not open \
             its own (see the studio's log)",
        )
    })
}
