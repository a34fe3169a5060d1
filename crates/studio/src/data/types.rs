//! What the Data area's commands and events carry: the view asked for ([`ViewSpec`], with
//! an optional [`IndexRange`]), its size and progress ([`ViewInfo`]) and its rows
//! ([`Rows`]). A leaf: the events carry these, so this module must not import the studio,
//! its events or the view logic.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::filter::{Filter, FilterOp, Sort};

/// What to show: a table, optionally filtered and sorted, or a range of one of its indexes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ViewSpec {
    pub table: String,
    #[serde(default)]
    pub filter: Option<Filter>,
    #[serde(default)]
    pub sort: Option<Sort>,
    #[serde(default)]
    pub index: Option<IndexRange>,
}

/// A range of an index: equalities on a prefix of its fields, then bounds on the next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct IndexRange {
    pub name: String,
    #[serde(default)]
    pub clauses: Vec<RangeClause>,
    #[serde(default)]
    pub descending: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RangeClause {
    pub field: String,
    /// eq, gt, gte, lt or lte.
    pub op: FilterOp,
    /// Convex-encoded JSON.
    #[ts(type = "unknown")]
    pub value: serde_json::Value,
}

/// How a view is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ViewMode {
    Window,
    Scan,
}

/// A view's size and progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ViewInfo {
    pub view: u64,
    pub mode: ViewMode,
    /// The index whose order (and range) a window follows; `None` for creation time or a
    /// scan.
    pub index: Option<String>,
    /// Rows in the view (for a scan: matching documents among those read).
    #[ts(type = "number")]
    pub total: u64,
    /// Documents read (a scan) — the table's size for a window.
    #[ts(type = "number")]
    pub scanned: u64,
    /// Whether every document of the table was considered.
    pub complete: bool,
    /// Why the view stopped updating, if it did.
    pub error: Option<String>,
}

/// Rows of a view, as Convex-encoded JSON documents.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Rows {
    #[ts(type = "number")]
    pub offset: u64,
    #[ts(type = "unknown[]")]
    pub rows: Vec<serde_json::Value>,
    pub info: ViewInfo,
}
