//! The dashboard's system functions: their paths, arguments and answers, with Convex's
//! camelCase wire names. `_system/frontend/*` are Convex's own (every Convex deployment
//! serves them to its dashboard; shapes as Convex's `system-udfs` declare them);
//! `_system/atrium/*` are Atrium's extensions, which a Convex deployment lacks.
//!
//! Arguments and answers cross the wire as Convex values: [`crate::convex_json::from_value`]
//! reads one of these types out of a function's arguments (the error names the bad argument)
//! and [`crate::convex_json::to_value`] writes one. `atrium-client` builds requests and reads
//! answers with them; `atrium-server` reads arguments and writes answers with them.
//!
//! It must not hold behaviour (defaults beyond `serde`'s, clamps, engine calls): the server
//! decides what a missing page size means.

use std::collections::BTreeMap;

use atrium_value::Value;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value as Json;

use crate::convex_json::{nullable_value, number, option_number, option_value, value, values};

/// The functions' paths, as `module:function`.
pub mod path {
    pub const TABLE_MAPPING: &str = "_system/frontend/getTableMapping:default";
    pub const TABLE_SIZE: &str = "_system/frontend/tableSize:default";
    pub const PAGINATED_TABLE_DOCUMENTS: &str = "_system/frontend/paginatedTableDocuments:default";
    pub const GET_BY_ID: &str = "_system/frontend/getById:default";
    pub const INDEXES: &str = "_system/frontend/indexes:default";
    pub const GET_SCHEMAS: &str = "_system/frontend/getSchemas:default";
    pub const ADD_DOCUMENT: &str = "_system/frontend/addDocument:default";
    pub const PATCH_DOCUMENTS_FIELDS: &str = "_system/frontend/patchDocumentsFields:default";
    pub const REPLACE_DOCUMENT: &str = "_system/frontend/replaceDocument:default";
    pub const DELETE_DOCUMENTS: &str = "_system/frontend/deleteDocuments:default";
    pub const CLEAR_TABLE_PAGE: &str = "_system/frontend/clearTablePage:default";
    pub const CREATE_TABLE: &str = "_system/frontend/createTable:default";
    pub const TABLE_WINDOW: &str = "_system/atrium/tableWindow:default";
    pub const DOCUMENT_HISTORY: &str = "_system/atrium/documentHistory:default";
    pub const RESTORE_REVISION: &str = "_system/atrium/restoreRevision:default";
    pub const APPLY_WRITES: &str = "_system/atrium/applyWrites:default";
    pub const CRON_JOBS: &str = "_system/atrium/cronJobs:default";
    pub const MODULE_ERRORS: &str = "_system/atrium/moduleErrors:default";
    pub const QUERY_FROM_SOURCE: &str = "_system/atrium/queryFromSource:default";
    pub const SEARCH_DOCUMENTS: &str = "_system/atrium/searchDocuments:default";
    // The Schedules area's (argument and answer types in `crate::schedules`).
    pub const PAGINATED_SCHEDULED_JOBS: &str = "_system/frontend/paginatedScheduledJobs:default";
    pub const LIST_CRON_JOBS: &str = "_system/frontend/listCronJobs:default";
    pub const LIST_CRON_JOB_RUNS: &str = "_system/frontend/listCronJobRuns:default";
    pub const SCHEDULED_FUNCTIONS: &str = "_system/atrium/scheduledFunctions:default";
    pub const RUN_SCHEDULED_NOW: &str = "_system/atrium/runScheduledNow:default";
    pub const RUN_CRON_NOW: &str = "_system/atrium/runCronNow:default";
    pub const COMPONENTS_LIST: &str = "_system/frontend/components:list";
}

/// One of `components:list`'s answer: an installed component instance (the app included,
/// with path `""` and no name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentInstance {
    /// The instance's stable ID (a `_components` document ID), as `componentId` arguments
    /// name it.
    pub id: String,
    /// The name it was installed under (`null` for the app).
    pub name: Option<String>,
    /// Its path from the app: `shardedCounter`, `aggregate/batchWorker`; `""` for the app.
    pub path: String,
    /// `active` (Convex also has `unmounted`).
    pub state: String,
    pub args: BTreeMap<String, Json>,
    /// Its definition (`../node_modules/@convex-dev/x/dist/component`); `null` for the app.
    pub definition_path: Option<String>,
    /// The definition's own name (`defineComponent("shardedCounter")`).
    pub definition_name: Option<String>,
    /// Where its HTTP routes are served on the deployment's site (`/ticker/`), as Convex's
    /// `httpPrefix`; `null` when it is not mounted (and for the app).
    #[serde(default)]
    pub http_prefix: Option<String>,
}

/// No arguments (`getTableMapping`, `getSchemas`, `cronJobs`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NoArgs {}

/// The table mapping: `{tableNumber: name}` of the user tables.
pub type TableMapping = BTreeMap<String, String>;

/// `tableSize`, `clearTablePage`'s table: `{tableName}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableSizeArgs {
    pub table_name: String,
}

/// `indexes`: `{tableName, tableNamespace}` (Convex requires the namespace, `null` for the
/// app's own tables).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexesArgs {
    pub table_name: String,
    #[serde(default)]
    pub table_namespace: Option<String>,
}

/// `createTable`: `{table}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateTableArgs {
    pub table: String,
}

/// `getById`: `{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GetByIdArgs {
    pub id: String,
}

/// `getById`'s answer: the document, or `null` when there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MaybeDocument(#[serde(with = "nullable_value")] pub Option<Value>);

/// `asc` or `desc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    Asc,
    Desc,
}

/// Convex's `paginationOpts`: `{numItems, cursor}` (`cursor` null for the first page).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaginationOpts {
    #[serde(default, with = "option_number")]
    pub num_items: Option<f64>,
    #[serde(default)]
    pub cursor: Option<String>,
}

/// `paginatedTableDocuments`: `{paginationOpts, table, filters, order?}` — documents by
/// creation time. `filters` is Convex's base64 filter expression (`null`: none); `order`
/// is Atrium's addition (absent means newest first, the only order Convex's has), so it is
/// sent only when ascending.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaginatedTableDocumentsArgs {
    #[serde(default)]
    pub pagination_opts: PaginationOpts,
    pub table: String,
    #[serde(default)]
    pub filters: Option<String>,
    #[serde(default, skip_serializing_if = "is_desc_or_none")]
    pub order: Option<SortOrder>,
}

fn is_desc_or_none(order: &Option<SortOrder>) -> bool {
    matches!(order, None | Some(SortOrder::Desc))
}

/// A page of documents: `{page, isDone, continueCursor}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentPage {
    #[serde(with = "values")]
    pub page: Vec<Value>,
    #[serde(default)]
    pub is_done: bool,
    #[serde(default)]
    pub continue_cursor: Option<String>,
}

/// One of Convex's serialized index range expressions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RangeExpr {
    #[serde(rename = "type")]
    pub kind: RangeKind,
    pub field_path: String,
    /// Absent: compare with a missing field.
    #[serde(default, with = "option_value", skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RangeKind {
    Eq,
    Gt,
    Gte,
    Lt,
    Lte,
}

/// `tableWindow` (Atrium): `{table, index?, range?, offset?, numItems?, order?}` — rows
/// `offset..offset + numItems` in the order of `index` (creation time when null), newest
/// first unless `order` is `asc`, within `range` (equalities on a prefix of the index's
/// fields, then bounds on the next one; null for all).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableWindowArgs {
    pub table: String,
    #[serde(default)]
    pub index: Option<String>,
    #[serde(default)]
    pub range: Option<Vec<RangeExpr>>,
    #[serde(default, with = "option_number", skip_serializing_if = "Option::is_none")]
    pub offset: Option<f64>,
    #[serde(default, with = "option_number", skip_serializing_if = "Option::is_none")]
    pub num_items: Option<f64>,
    #[serde(default)]
    pub order: Option<SortOrder>,
}

/// A window of a table and how many documents its range holds, at one snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableWindow {
    #[serde(with = "values")]
    pub page: Vec<Value>,
    #[serde(with = "number")]
    pub total: f64,
}

/// `searchDocuments`: a table's documents matching `text` in its search index `index`, most
/// relevant first, with `.eq` filters on the index's filter fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchDocumentsArgs {
    pub table: String,
    pub index: String,
    pub text: String,
    #[serde(default)]
    pub filters: Vec<SearchFilter>,
    #[serde(default, with = "option_number", skip_serializing_if = "Option::is_none")]
    pub num_items: Option<f64>,
}

/// An `.eq(fieldPath, value)` of a search (absent value: the field is missing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchFilter {
    pub field_path: String,
    #[serde(default, with = "option_value", skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

/// The documents a search found, most relevant first, with their BM25 scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchDocuments {
    #[serde(with = "values")]
    pub page: Vec<Value>,
    pub scores: Vec<f64>,
}

/// One of `indexes`'s answer: `{name, fields, backfill: {state}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexInfo {
    pub name: String,
    /// Field paths, dotted; Convex's search and vector indexes answer an object here.
    pub fields: Json,
    pub backfill: Backfill,
}

/// `state`: `backfilling`, `backfilled` or `done`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backfill {
    pub state: String,
}

/// `getSchemas`: the schema in force and one being validated, as Convex's schema JSON text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schemas {
    #[serde(default)]
    pub active: Option<String>,
    #[serde(default)]
    pub in_progress: Option<String>,
}

/// `documentHistory` (Atrium): `{id, limit?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentHistoryArgs {
    pub id: String,
    #[serde(default, with = "option_number", skip_serializing_if = "Option::is_none")]
    pub limit: Option<f64>,
}

/// A revision, newest first in `documentHistory`'s answer: `document` null when it deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    #[serde(with = "number")]
    pub ts: f64,
    #[serde(default, with = "nullable_value")]
    pub document: Option<Value>,
}

/// `restoreRevision` (Atrium): `{id, ts}` — a document put back as it was at revision `ts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestoreRevisionArgs {
    pub id: String,
    #[serde(with = "number")]
    pub ts: f64,
}

/// `addDocument`: `{table, documents}` — all inserted or none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddDocumentArgs {
    pub table: String,
    #[serde(with = "values")]
    pub documents: Vec<Value>,
}

/// `patchDocumentsFields`: `{table, fields, ids}` — `fields` set on every listed document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchDocumentsFieldsArgs {
    pub table: String,
    #[serde(with = "value")]
    pub fields: Value,
    pub ids: Vec<String>,
}

/// `replaceDocument`: `{id, document}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplaceDocumentArgs {
    pub id: String,
    #[serde(with = "value")]
    pub document: Value,
}

/// `deleteDocuments`: `{toDelete: [{id, tableName}]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteDocumentsArgs {
    pub to_delete: Vec<DocumentRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentRef {
    pub id: String,
    #[serde(default)]
    pub table_name: String,
}

/// `clearTablePage`: `{tableName, cursor}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClearTablePageArgs {
    pub table_name: String,
    #[serde(default)]
    pub cursor: Option<String>,
}

/// `clearTablePage`'s answer: call again with `continueCursor` while `hasMore`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClearTablePage {
    #[serde(default)]
    pub continue_cursor: Option<String>,
    #[serde(with = "number")]
    pub deleted: f64,
    #[serde(default)]
    pub has_more: bool,
}

/// `applyWrites` (Atrium): `{writes}` — committed in one transaction, all or none. A
/// malformed write is named by its position (`write 2: …`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApplyWritesArgs {
    pub writes: Vec<DocumentWrite>,
}

impl<'de> Deserialize<'de> for ApplyWritesArgs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            writes: Vec<Json>,
        }
        let raw = Raw::deserialize(d)?;
        let writes = raw
            .writes
            .into_iter()
            .enumerate()
            .map(|(n, write)| {
                serde_json::from_value(write)
                    .map_err(|e| serde::de::Error::custom(format!("write {}: {e}", n + 1)))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { writes })
    }
}

/// One write of `applyWrites`, tagged by `op`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum DocumentWrite {
    Insert {
        table: String,
        #[serde(with = "value")]
        document: Value,
    },
    /// Sets the given top-level fields.
    Patch {
        id: String,
        #[serde(with = "value")]
        fields: Value,
    },
    Replace {
        id: String,
        #[serde(with = "value")]
        document: Value,
    },
    Delete {
        id: String,
    },
}

/// `applyWrites`'s answer: the inserted documents' IDs, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliedWrites {
    pub inserted: Vec<String>,
}

/// One of `cronJobs`'s answer (Atrium): a job as `crons.ts` declares it; `schedule` as
/// Convex exports it (`{type: "daily", hourUTC, minuteUTC}`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CronJobSpec {
    pub name: String,
    pub function: Json,
    pub args: Json,
    pub schedule: Json,
}

/// One of `moduleErrors`'s answer (Atrium): a module of a project folder that failed to
/// load while the others serve; its functions alone are unavailable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleError {
    /// The module's path without extension (`messages`, `folder/file`).
    pub path: String,
    /// What went wrong, without the module's name (`Uncaught Error: boom`).
    pub message: String,
}

/// `queryFromSource` (Atrium): `{source}`, a query's text (`async (ctx) => …`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryFromSourceArgs {
    pub source: String,
}

/// `queryFromSource`'s answer: `{value | error, errorData, logLines, cost}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryFromSource {
    /// The query's value (present, maybe null, when it succeeded).
    #[serde(default, with = "option_value", skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Present when it failed: a `ConvexError`'s data, or null.
    #[serde(default, with = "option_value", skip_serializing_if = "Option::is_none")]
    pub error_data: Option<Value>,
    pub log_lines: Vec<String>,
    pub cost: QueryCost,
}

/// What an ad-hoc query cost, against Convex's limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryCost {
    #[serde(with = "number")]
    pub documents_read: f64,
    #[serde(with = "number")]
    pub documents_read_limit: f64,
    #[serde(with = "number")]
    pub bytes_read: f64,
    #[serde(with = "number")]
    pub bytes_read_limit: f64,
    /// Documents returned (a page's items, an array's length, 1 for one value).
    #[serde(with = "number")]
    pub returned: f64,
    /// The indexes it read, as `table.index`.
    pub indexes: Vec<String>,
    #[serde(with = "number")]
    pub execution_ms: f64,
}
