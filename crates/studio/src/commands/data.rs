//! Commands of the Data area: tables, live views (see [`crate::data`]), documents with
//! their history, schema and indexes, and writes — which honour the connection's safe
//! mode and, where the deployment can, commit a staged set in one transaction.

use std::sync::Arc;

use atrium_client::dashboard::{DashboardQuery, Write, is_missing_function};
use atrium_value::Value;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::data::{Rows, ViewSpec};
use crate::{CommandError, ErrorCode, Studio};

/// A table and its document count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TableSummary {
    pub name: String,
    #[ts(type = "number")]
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RowsRequest {
    #[ts(type = "number")]
    pub view: u64,
    #[ts(type = "number")]
    pub offset: u64,
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ViewRef {
    #[ts(type = "number")]
    pub view: u64,
}

/// One edit, with values as Convex-encoded JSON.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum WriteRequest {
    Insert {
        table: String,
        #[ts(type = "unknown")]
        document: serde_json::Value,
    },
    /// Sets top-level fields.
    Patch {
        table: String,
        id: String,
        #[ts(type = "Record<string, unknown>")]
        fields: serde_json::Value,
    },
    Replace {
        id: String,
        #[ts(type = "unknown")]
        document: serde_json::Value,
    },
    Delete {
        id: String,
    },
}

/// Edits to commit together.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ApplyRequest {
    pub writes: Vec<WriteRequest>,
    /// The user confirmed (needed when the connection's safe mode asks for it).
    #[serde(default)]
    pub confirmed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ApplyResult {
    /// IDs of inserted documents, in order.
    pub inserted: Vec<String>,
    /// Whether the writes were committed in one transaction (false on a deployment that
    /// lacks Atrium's `applyWrites`: applied one by one).
    pub atomic: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct TableRequest {
    pub table: String,
    #[serde(default)]
    pub confirmed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ClearResult {
    #[ts(type = "number")]
    pub deleted: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DocumentRequest {
    pub id: String,
}

/// A revision of a document (`document` null when the revision deleted it).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RevisionInfo {
    /// The commit timestamp (nanoseconds).
    pub ts: f64,
    #[ts(type = "unknown")]
    pub document: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DocumentDetail {
    /// The document now (null if it does not exist).
    #[ts(type = "unknown")]
    pub document: serde_json::Value,
    /// Its revisions, newest first; `null` when the deployment does not offer history.
    pub history: Option<Vec<RevisionInfo>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RestoreRequest {
    pub id: String,
    pub ts: f64,
    #[serde(default)]
    pub confirmed: bool,
}

/// An index of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IndexSummary {
    pub name: String,
    /// An ordered index's fields (empty for a search index).
    pub fields: Vec<String>,
    /// A search index's `searchField` (null for an ordered index).
    pub search_field: Option<String>,
    /// A search index's `filterFields`.
    pub filter_fields: Vec<String>,
    /// "done" or "backfilling".
    pub backfill: String,
}

/// A table's declared schema (if any) and its indexes.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TableSchemaInfo {
    /// The deployment's schema as JSON text (`{tables: [{tableName, documentType, …}]}`),
    /// fields in declared order — parse it where order matters; null without a schema.
    pub schema_text: Option<String>,
    /// Whether the schema declares this table.
    pub declared: bool,
    /// Whether the deployment enforces its schema.
    pub schema_validation: bool,
    pub indexes: Vec<IndexSummary>,
}

fn json_value(json: &serde_json::Value, what: &str) -> Result<Value, CommandError> {
    atrium_value::json::from_json(json).map_err(|e| {
        CommandError::new(ErrorCode::BadRequest, format!("{what} is not valid Convex JSON: {e}"))
    })
}

/// Refuses writes a connection's safe mode does not allow.
fn check_write_allowed(studio: &Studio, confirmed: bool) -> Result<(), CommandError> {
    studio.connected()?.allow_write(
        confirmed,
        " (its safe mode); change that in Connections to edit.",
        "every write",
    )
}

pub(super) async fn data_tables(
    studio: &Arc<Studio>,
    _: (),
) -> Result<Vec<TableSummary>, CommandError> {
    let connected = studio.connected()?;
    let names = connected.http.table_names().await?;
    let sizes =
        futures_util::future::join_all(names.iter().map(|n| connected.http.table_size(n))).await;
    names
        .into_iter()
        .zip(sizes)
        .map(|(name, size)| Ok(TableSummary { name, count: size? }))
        .collect()
}

pub(super) async fn data_open(studio: &Arc<Studio>, spec: ViewSpec) -> Result<Rows, CommandError> {
    crate::data::open(studio, spec).await
}

pub(super) async fn data_rows(
    studio: &Arc<Studio>,
    request: RowsRequest,
) -> Result<Rows, CommandError> {
    crate::data::rows(studio, request.view, request.offset, request.limit).await
}

pub(super) async fn data_close(studio: &Arc<Studio>, request: ViewRef) -> Result<(), CommandError> {
    studio.views.close(request.view);
    Ok(())
}

pub(super) async fn data_apply(
    studio: &Arc<Studio>,
    request: ApplyRequest,
) -> Result<ApplyResult, CommandError> {
    check_write_allowed(studio, request.confirmed)?;
    if request.writes.is_empty() {
        return Ok(ApplyResult { inserted: Vec::new(), atomic: true });
    }
    let writes = request
        .writes
        .iter()
        .map(|w| {
            Ok(match w {
                WriteRequest::Insert { table, document } => Write::Insert {
                    table: table.clone(),
                    document: json_value(document, "the document")?,
                },
                WriteRequest::Patch { table, id, fields } => Write::Patch {
                    table: table.clone(),
                    id: id.clone(),
                    fields: json_value(fields, "the fields")?,
                },
                WriteRequest::Replace { id, document } => Write::Replace {
                    id: id.clone(),
                    document: json_value(document, "the document")?,
                },
                WriteRequest::Delete { id } => Write::Delete { id: id.clone() },
            })
        })
        .collect::<Result<Vec<_>, CommandError>>()?;
    let connected = studio.connected()?;
    match connected.http.apply_writes(&writes).await {
        Ok(value) => {
            let inserted = match value.get_path(["inserted"]) {
                Some(Value::Array(ids)) => {
                    ids.iter().filter_map(Value::as_str).map(str::to_owned).collect()
                }
                _ => Vec::new(),
            };
            Ok(ApplyResult { inserted, atomic: true })
        }
        Err(e) if is_missing_function(&e) => {
            connected.http.apply_writes_one_by_one(&writes).await?;
            Ok(ApplyResult { inserted: Vec::new(), atomic: false })
        }
        Err(e) => Err(CommandError::from(e)),
    }
}

pub(super) async fn data_clear_table(
    studio: &Arc<Studio>,
    request: TableRequest,
) -> Result<ClearResult, CommandError> {
    check_write_allowed(studio, request.confirmed)?;
    if !request.confirmed {
        return Err(CommandError::new(
            ErrorCode::NeedsConfirmation,
            "Clearing a table deletes every document in it; confirm first.",
        ));
    }
    let connected = studio.connected()?;
    let mut deleted = 0;
    loop {
        let (n, more) = connected.http.clear_table_page(&request.table).await?;
        deleted += n;
        if !more {
            return Ok(ClearResult { deleted });
        }
    }
}

pub(super) async fn data_create_table(
    studio: &Arc<Studio>,
    request: TableRequest,
) -> Result<(), CommandError> {
    check_write_allowed(studio, request.confirmed)?;
    studio.connected()?.http.create_table(request.table.trim()).await.map_err(CommandError::from)
}

pub(super) async fn data_document(
    studio: &Arc<Studio>,
    request: DocumentRequest,
) -> Result<DocumentDetail, CommandError> {
    let connected = studio.connected()?;
    let document =
        connected.http.dashboard(&DashboardQuery::Document { id: request.id.clone() }).await?;
    let history = match connected
        .http
        .dashboard(&DashboardQuery::History { id: request.id, limit: 50 })
        .await
    {
        Ok(Value::Array(revisions)) => Some(
            revisions
                .iter()
                .map(|r| RevisionInfo {
                    ts: match r.get_path(["ts"]) {
                        Some(Value::Float64(ts)) => *ts,
                        _ => 0.0,
                    },
                    document: r
                        .get_path(["document"])
                        .map_or(serde_json::Value::Null, atrium_value::json::to_json),
                })
                .collect(),
        ),
        Ok(_) => None,
        Err(e) if is_missing_function(&e) => None,
        Err(e) => return Err(CommandError::from(e)),
    };
    Ok(DocumentDetail { document: atrium_value::json::to_json(&document), history })
}

pub(super) async fn data_restore(
    studio: &Arc<Studio>,
    request: RestoreRequest,
) -> Result<(), CommandError> {
    check_write_allowed(studio, request.confirmed)?;
    let args =
        atrium_value::json::from_json(&serde_json::json!({"id": request.id, "ts": request.ts}))
            .map_err(CommandError::internal)?;
    studio
        .connected()?
        .http
        .mutation("_system/atrium/restoreRevision:default", &args)
        .await
        .map(|_| ())
        .map_err(CommandError::from)
}

pub(super) async fn data_schema(
    studio: &Arc<Studio>,
    request: TableRequest,
) -> Result<TableSchemaInfo, CommandError> {
    let connected = studio.connected()?;
    let schemas = connected.http.dashboard(&DashboardQuery::Schemas).await?;
    let schema_text = schemas.get_path(["active"]).and_then(Value::as_str).map(str::to_owned);
    let exported: serde_json::Value = schema_text
        .as_deref()
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or(serde_json::Value::Null);
    let declared = exported.get("tables").and_then(|t| t.as_array()).is_some_and(|tables| {
        tables
            .iter()
            .any(|t| t.get("tableName").and_then(|n| n.as_str()) == Some(request.table.as_str()))
    });
    let schema_validation =
        exported.get("schemaValidation").and_then(|v| v.as_bool()).unwrap_or(false);
    let indexes =
        connected.http.dashboard(&DashboardQuery::Indexes { table: request.table }).await?;
    let indexes = match indexes {
        Value::Array(list) => list
            .iter()
            .map(|i| IndexSummary {
                name: i.get_path(["name"]).and_then(Value::as_str).unwrap_or_default().to_owned(),
                fields: match i.get_path(["fields"]) {
                    Some(Value::Array(f)) => {
                        f.iter().filter_map(Value::as_str).map(str::to_owned).collect()
                    }
                    _ => Vec::new(),
                },
                search_field: i
                    .get_path(["fields", "searchField"])
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                filter_fields: match i.get_path(["fields", "filterFields"]) {
                    Some(Value::Array(f)) if i.get_path(["fields", "searchField"]).is_some() => {
                        f.iter().filter_map(Value::as_str).map(str::to_owned).collect()
                    }
                    _ => Vec::new(),
                },
                backfill: i
                    .get_path(["backfill", "state"])
                    .and_then(Value::as_str)
                    .unwrap_or("done")
                    .to_owned(),
            })
            .collect(),
        _ => Vec::new(),
    };
    Ok(TableSchemaInfo { schema_text, declared, schema_validation, indexes })
}
