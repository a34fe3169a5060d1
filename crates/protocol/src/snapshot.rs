//! Snapshot export and import as the official CLI drives them (`npx convex export` /
//! `import`): the routes, the bodies they take and answer, and the records the CLI's
//! system functions report progress with (`_system/cli/exports:getLatest`,
//! `_system/cli/queryImport`).
//!
//! Numbers in those records are Convex values (`start_ts` an `$integer` on Convex, an
//! int64 that a float would round), so they are read as [`Value`]s and narrowed here.
//!
//! It must not know how a ZIP is laid out or written; the server's `snapshot` module does.

use atrium_value::Value;
use serde::{Deserialize, Serialize};

/// The routes, relative to `/api/`, and the system functions the CLI calls.
pub mod path {
    /// `POST`, `?includeStorage=true|false`: starts an export.
    pub const REQUEST_EXPORT: &str = "export/request/zip";
    /// `GET export/zip/{start_ts}`: the finished export's ZIP.
    pub const DOWNLOAD_EXPORT: &str = "export/zip";
    /// `POST`: an upload token ([`StartUpload`]).
    pub const START_UPLOAD: &str = "import/start_upload";
    /// `POST ?uploadToken=…&partNumber=n` with the bytes: the part's token (a JSON value).
    pub const UPLOAD_PART: &str = "import/upload_part";
    /// `POST` [`FinishUpload`]: the import's ID ([`ImportStarted`]).
    pub const FINISH_UPLOAD: &str = "import/finish_upload";
    /// `POST` [`PerformImport`]: confirms an import waiting for confirmation.
    pub const PERFORM_IMPORT: &str = "perform_import";
    /// The newest export's record (or `null`).
    pub const LATEST_EXPORT: &str = "_system/cli/exports:getLatest";
    /// `{ importId }`: the import's record ([`ImportRecord`]).
    pub const QUERY_IMPORT: &str = "_system/cli/queryImport:default";
}

/// The size of each uploaded part (the CLI's default, 5 MiB).
pub const UPLOAD_PART_BYTES: usize = 5 * 1024 * 1024;

/// `import/start_upload`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartUpload {
    pub upload_token: String,
}

/// What is imported, and how (`import` in [`FinishUpload`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportArgs {
    /// `zip`, `jsonLines`, `jsonArray` or `csv`.
    pub format: String,
    /// `requireEmpty`, `append`, `replace` or `replaceAll`.
    pub mode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component_path: Option<String>,
}

/// `import/finish_upload`'s body: the parts uploaded, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FinishUpload {
    pub import: ImportArgs,
    pub upload_token: String,
    pub part_tokens: Vec<serde_json::Value>,
}

/// `import/finish_upload`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportStarted {
    pub import_id: String,
}

/// `perform_import`'s body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PerformImport {
    pub import_id: String,
}

/// An export's record, as `exports:getLatest` answers it (fields the dashboard uses).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ExportRecord {
    /// `requested`, `in_progress`, `completed` or `failed`.
    pub state: String,
    #[serde(default, with = "crate::convex_json::option_value")]
    start_ts: Option<Value>,
    #[serde(default, with = "crate::convex_json::option_value")]
    size: Option<Value>,
}

impl ExportRecord {
    /// The snapshot's timestamp, which names its ZIP.
    pub fn start_ts(&self) -> Option<i64> {
        self.start_ts.as_ref().and_then(integer)
    }

    /// The ZIP's size in bytes, where the deployment reports it.
    pub fn size(&self) -> Option<u64> {
        self.size.as_ref().and_then(integer).and_then(|n| u64::try_from(n).ok())
    }
}

/// An import's record, as `queryImport` answers it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ImportRecord {
    pub state: ImportState,
}

/// Where an import stands: `uploaded`, `waiting_for_confirmation` (with Convex's summary of
/// what it changes), `in_progress`, `completed` or `failed`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ImportState {
    pub state: String,
    #[serde(default)]
    pub message_to_confirm: Option<String>,
    #[serde(default)]
    pub require_manual_confirmation: Option<bool>,
    #[serde(default)]
    pub progress_message: Option<String>,
    #[serde(default)]
    pub checkpoint_messages: Option<Vec<String>>,
    #[serde(default)]
    pub error_message: Option<String>,
    #[serde(default, with = "crate::convex_json::option_value")]
    num_rows_written: Option<Value>,
}

impl ImportState {
    /// Documents written (a completed import).
    pub fn rows_written(&self) -> Option<u64> {
        self.num_rows_written.as_ref().and_then(integer).and_then(|n| u64::try_from(n).ok())
    }

    /// Whether the import will not change state again by itself.
    pub fn is_settled(&self) -> bool {
        matches!(self.state.as_str(), "waiting_for_confirmation" | "completed" | "failed")
    }
}

/// An integer from an int64 or a whole float.
fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Int64(n) => Some(*n),
        Value::Float64(f) if f.fract() == 0.0 => Some(*f as i64),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convex_json::from_value;
    use atrium_value::json::from_json;

    #[test]
    fn an_export_record_keeps_its_int64_timestamp_exact() {
        let ts = 1_733_000_000_123_456_789_i64;
        let mut doc = atrium_value::Object::new();
        doc.insert("state".into(), Value::from("completed"));
        doc.insert("start_ts".into(), Value::Int64(ts));
        doc.insert("size".into(), Value::Int64(2048));
        let record: ExportRecord = from_value(&Value::Object(doc)).unwrap();
        assert_eq!(
            (record.state.as_str(), record.start_ts(), record.size()),
            ("completed", Some(ts), Some(2048))
        );
    }

    #[test]
    fn an_import_waiting_for_confirmation_carries_its_summary() {
        let json = serde_json::json!({"state": {"state": "waiting_for_confirmation",
            "message_to_confirm": "Import change summary:\ntable | create | delete", "require_manual_confirmation": true}});
        let record: ImportRecord = from_value(&from_json(&json).unwrap()).unwrap();
        assert!(record.state.is_settled());
        assert_eq!(record.state.message_to_confirm.as_deref().map(|m| m.lines().count()), Some(2));
        assert_eq!(record.state.rows_written(), None);
    }
}
