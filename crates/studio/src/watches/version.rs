//! [`QueryVersion`]: one result of a watched query, as `query_watch_update` carries it. A
//! leaf: the events hold it, so this module must not import the studio, its events or the
//! watch logic.

use serde::Serialize;
use ts_rs::TS;

/// A new result of a watched query.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct QueryVersion {
    #[ts(type = "number")]
    pub watch: u64,
    /// 1 for the first result, then one more per change.
    pub version: u32,
    /// When the studio received it (milliseconds since the epoch).
    pub received_ms: f64,
    #[ts(type = "unknown")]
    pub value: serde_json::Value,
    pub error: Option<String>,
}
