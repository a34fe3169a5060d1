//! Commands of the Query area's SQL: load tables of the connected deployment into polars
//! frames (with progress), run SQL over them, read a result's rows by offset, and export a
//! result or a whole table to CSV, JSON Lines or Parquet (with progress).

use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::sql::export::{ExportFormat, ExportProgress};
use crate::sql::{LoadedTableInfo, SqlError};
use crate::{CommandError, ErrorCode, Studio, StudioEvent};

/// A SQL statement to run.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SqlRequest {
    pub sql: String,
}

/// A result kept in the studio: its shape; rows are read with `sql_rows`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SqlResultInfo {
    #[ts(type = "number")]
    pub result: u64,
    pub columns: Vec<String>,
    /// Each column's polars type (`i64`, `str`, `struct[2]`, …).
    pub types: Vec<String>,
    #[ts(type = "number")]
    pub rows: u64,
    pub run_ms: f64,
    /// The tables the statement named, as loaded (with their notes).
    pub tables: Vec<LoadedTableInfo>,
}

/// What running SQL gave: a result, or an error with its position.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SqlOutcome {
    pub result: Option<SqlResultInfo>,
    pub error: Option<SqlError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SqlRowsRequest {
    #[ts(type = "number")]
    pub result: u64,
    #[ts(type = "number")]
    pub offset: u64,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SqlTableRequest {
    pub table: String,
}

/// What to export: a kept result, or a whole table (loaded first when it is not).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    #[serde(default)]
    #[ts(type = "number | null")]
    pub result: Option<u64>,
    #[serde(default)]
    pub table: Option<String>,
    pub format: ExportFormat,
}

/// An export written.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ExportDone {
    pub path: String,
    #[ts(type = "number")]
    pub rows: u64,
    #[ts(type = "number")]
    pub bytes: u64,
}

pub(super) async fn sql_tables(
    studio: &Arc<Studio>,
    _: (),
) -> Result<Vec<LoadedTableInfo>, CommandError> {
    studio.connected()?;
    Ok(studio.sql.tables())
}

pub(super) async fn sql_load(
    studio: &Arc<Studio>,
    request: SqlTableRequest,
) -> Result<LoadedTableInfo, CommandError> {
    let connected = studio.connected()?;
    let loaded = crate::sql::load_table(studio, &connected, &request.table).await?;
    Ok(crate::sql::info(&request.table, &loaded))
}

pub(super) async fn sql_run(
    studio: &Arc<Studio>,
    request: SqlRequest,
) -> Result<SqlOutcome, CommandError> {
    let connected = studio.connected()?;
    let names = connected.http.table_names().await?;
    let referenced = crate::sql::referenced_tables(&request.sql, &names);
    let mut tables = Vec::new();
    for name in &referenced {
        let loaded = match studio.sql.table(name) {
            Some(loaded) => loaded,
            None => crate::sql::load_table(studio, &connected, name).await?,
        };
        tables.push((name.clone(), loaded));
    }
    let frames: Vec<_> = tables.iter().map(|(n, t)| (n.clone(), t.frame.clone())).collect();
    let sql = request.sql.clone();
    let started = Instant::now();
    let ran = tokio::task::spawn_blocking(move || crate::sql::run_sql(&sql, &frames))
        .await
        .map_err(CommandError::internal)?;
    let run_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(match ran {
        Ok(frame) => {
            let info = SqlResultInfo {
                result: 0,
                columns: frame.get_column_names().iter().map(|c| c.to_string()).collect(),
                types: frame.dtypes().iter().map(|t| t.to_string()).collect(),
                rows: frame.height() as u64,
                run_ms,
                tables: tables.iter().map(|(n, t)| crate::sql::info(n, t)).collect(),
            };
            let result = studio.sql.keep_result(frame);
            SqlOutcome { result: Some(SqlResultInfo { result, ..info }), error: None }
        }
        Err(mut error) => {
            if referenced.is_empty() && error.message.contains("not found") {
                error.message.push_str(&format!(
                    "\nThe deployment's tables: {}.",
                    if names.is_empty() { "none".to_owned() } else { names.join(", ") }
                ));
            }
            SqlOutcome { result: None, error: Some(error) }
        }
    })
}

/// Rows of a result, each a JSON object of its columns.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SqlRows {
    #[ts(type = "Record<string, unknown>[]")]
    pub rows: Vec<serde_json::Value>,
}

pub(super) async fn sql_rows(
    studio: &Arc<Studio>,
    request: SqlRowsRequest,
) -> Result<SqlRows, CommandError> {
    let frame = studio.sql.result(request.result)?;
    let (offset, limit) = (request.offset as usize, request.limit.min(1_000) as usize);
    let rows =
        tokio::task::spawn_blocking(move || crate::sql::frame::rows_as_json(&frame, offset, limit))
            .await
            .map_err(CommandError::internal)?
            .map_err(CommandError::internal)?;
    Ok(SqlRows { rows })
}

pub(super) async fn sql_export(
    studio: &Arc<Studio>,
    request: ExportRequest,
) -> Result<ExportDone, CommandError> {
    let (frame, stem) = match (&request.result, &request.table) {
        (Some(id), None) => (studio.sql.result(*id)?.as_ref().clone(), "atrium-query".to_owned()),
        (None, Some(table)) => {
            let connected = studio.connected()?;
            let loaded = match studio.sql.table(table) {
                Some(loaded) => loaded,
                None => crate::sql::load_table(studio, &connected, table).await?,
            };
            (loaded.frame.clone(), table.clone())
        }
        _ => {
            return Err(CommandError::new(
                ErrorCode::BadRequest,
                "Export either a result or a table (exactly one of `result` and `table`).",
            ));
        }
    };
    write_export(studio, frame, &stem, request.format).await
}

/// What to export from the Data area: an open view as it stands (filters, sort, range).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ViewExportRequest {
    #[ts(type = "number")]
    pub view: u64,
    pub format: ExportFormat,
}

pub(super) async fn data_export(
    studio: &Arc<Studio>,
    request: ViewExportRequest,
) -> Result<ExportDone, CommandError> {
    let view = studio.views.get(request.view)?;
    let table = view.table().to_owned();
    let documents = view.all_documents().await?;
    let name = table.clone();
    let (frame, _notes) = tokio::task::spawn_blocking(move || {
        crate::sql::frame::documents_to_frame(&name, &documents)
    })
    .await
    .map_err(CommandError::internal)?
    .map_err(|e| CommandError::internal(format!("Could not make a frame of `{table}`: {e}")))?;
    write_export(studio, frame, &table, request.format).await
}

/// Writes `frame` as `<stem>.<format>` in the export folder (never over another file),
/// announcing `export_progress`; a failed write leaves no file behind.
async fn write_export(
    studio: &Arc<Studio>,
    frame: polars::prelude::DataFrame,
    stem: &str,
    format: ExportFormat,
) -> Result<ExportDone, CommandError> {
    let name = format!("{stem}.{}", format.extension());
    let (path, file) = crate::files::create_export_file(&studio.export_dir(), &name)?;
    let shown = path.display().to_string();
    let total = frame.height() as u64;
    let weak = Arc::downgrade(studio);
    let progress_path = shown.clone();
    let written = tokio::task::spawn_blocking(move || {
        crate::sql::export::write_frame(&frame, format, file, |written| {
            if let Some(studio) = weak.upgrade() {
                studio.emit(StudioEvent::ExportProgress {
                    progress: ExportProgress {
                        path: progress_path.clone(),
                        written: written as u64,
                        total,
                    },
                });
            }
        })
    })
    .await
    .map_err(CommandError::internal)?;
    if let Err(e) = written {
        // A half-written file is worse than none.
        let _ = std::fs::remove_file(&path);
        return Err(CommandError::new(ErrorCode::Io, format!("Could not write {shown}: {e}")));
    }
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    Ok(ExportDone { path: shown, rows: total, bytes })
}
