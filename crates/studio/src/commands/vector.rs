//! The Vector area's commands: the deployment's vector indexes with their state, search by
//! a vector or a document ("more like this") with filters — hits come with their documents
//! — a recall check of the approximate index against an exact scan, and a 2D map of a
//! sample of vectors ([`crate::vector_map`]). They use Atrium's `/api/atrium/vector_*`
//! endpoints; a Convex deployment, which runs vector search only inside actions, gets its
//! index definitions from its schema and a message saying what is possible.

use std::sync::Arc;

use atrium_client::ClientError;
use atrium_client::dashboard::DashboardQuery;
use atrium_protocol::atrium::{
    VectorFilterTerm, VectorRecallRequest, VectorSampleRequest, VectorSearchRequest,
};
use atrium_value::Value;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{CommandError, ErrorCode, Studio};

/// A vector index: its definition and, where the deployment reports it, its state.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct VectorIndexView {
    pub table: String,
    pub name: String,
    pub vector_field: String,
    pub dimensions: u32,
    pub filter_fields: Vec<String>,
    /// Documents indexed (null: the deployment does not say).
    pub vectors: Option<u64>,
    /// Documents the index does not hold, with some of them and why.
    pub skipped: Option<u64>,
    pub skipped_sample: Vec<SkippedView>,
    pub memory_bytes: Option<u64>,
    /// "exact" (searched by scanning every vector), "graph" (an HNSW graph), "building"
    /// (a graph is being built; searches are exact meanwhile), or null.
    pub mode: Option<String>,
    pub graph_nodes: Option<u64>,
    pub graph_bytes: Option<u64>,
    pub graph_build_ms: Option<f64>,
    pub exact_limit: Option<u64>,
    /// "M 16 · efConstruction 100 · efSearch 64".
    pub graph_params: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SkippedView {
    pub id: String,
    pub reason: String,
}

/// The vector indexes, and whether the deployment lets the studio search them.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct VectorIndexList {
    pub searchable: bool,
    /// Why not, when not.
    pub message: Option<String>,
    pub indexes: Vec<VectorIndexView>,
}

/// One filter term; terms are OR'd (Convex's `q.or(q.eq(field, value), …)`).
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct FilterTerm {
    pub field: String,
    /// Convex-encoded JSON.
    #[ts(type = "unknown")]
    pub value: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct VectorSearch {
    pub table: String,
    pub index: String,
    /// A vector to search with…
    #[serde(default)]
    pub vector: Option<Vec<f64>>,
    /// …or a document whose stored vector to search with ("more like this").
    #[serde(default)]
    pub like: Option<String>,
    pub limit: u32,
    #[serde(default)]
    pub filter: Vec<FilterTerm>,
    /// "auto" (as `ctx.vectorSearch`), "exact" or "approximate".
    pub method: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct VectorHitView {
    pub id: String,
    pub score: f64,
    /// The document (Convex-encoded JSON; null if it is gone).
    #[ts(type = "unknown")]
    pub document: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct VectorSearchResult {
    pub hits: Vec<VectorHitView>,
    pub approximate: bool,
    /// Vectors the filter let through.
    pub candidates: u64,
    pub took_ms: f64,
}

#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RecallCheck {
    pub table: String,
    pub index: String,
    pub k: u32,
    pub queries: u32,
    #[serde(default)]
    pub filter: Vec<FilterTerm>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RecallResult {
    pub k: u32,
    pub recalls: Vec<f32>,
    pub mean: f32,
    pub exact_ms: f64,
    pub approximate_ms: f64,
    /// False: the index searches exactly (it is small) and a graph was built to measure.
    pub graph_in_use: bool,
    pub vectors: u64,
}

#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct VectorMapRequest {
    pub table: String,
    pub index: String,
    /// At most this many vectors (spread over the index).
    pub limit: u32,
    /// The filter field to colour points by (null: none).
    #[serde(default)]
    pub color_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MapPoint {
    pub id: String,
    pub x: f32,
    pub y: f32,
    /// The colouring field's value as text (null when the document lacks it).
    pub group: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct VectorMap {
    pub points: Vec<MapPoint>,
    /// The share of variance along each axis (0..1).
    pub explained: [f32; 2],
    /// Vectors in the index (the map shows `points.len()` of them).
    pub total: u64,
}

const NOT_SEARCHABLE: &str = "This deployment does not serve Atrium's vector endpoints: Convex runs vector search only inside actions. Write an action that calls ctx.vectorSearch and run it from Functions; the definitions below come from the schema.";

fn index_name(table: &str, index: &str) -> String {
    format!("{table}.{index}")
}

/// The deployment's error as a bad request (its message names what was wrong).
fn vector_error(error: ClientError) -> CommandError {
    match error {
        ClientError::Http { status: 400, message, .. } => {
            CommandError::new(ErrorCode::BadRequest, message)
        }
        other => CommandError::from(other),
    }
}

fn not_served() -> CommandError {
    CommandError::new(ErrorCode::NotFound, NOT_SEARCHABLE)
}

fn terms(filter: Vec<FilterTerm>) -> Vec<VectorFilterTerm> {
    filter.into_iter().map(|t| VectorFilterTerm { field: t.field, value: t.value }).collect()
}

/// Vector index definitions from the schema's exported JSON.
fn from_schema(schema: &serde_json::Value) -> Vec<VectorIndexView> {
    let mut out = Vec::new();
    for table in schema.get("tables").and_then(|t| t.as_array()).into_iter().flatten() {
        let Some(table_name) = table.get("tableName").and_then(|n| n.as_str()) else { continue };
        for index in table.get("vectorIndexes").and_then(|v| v.as_array()).into_iter().flatten() {
            let text = |k: &str| index.get(k).and_then(|v| v.as_str()).unwrap_or("").to_owned();
            out.push(VectorIndexView {
                table: table_name.to_owned(),
                name: text("indexDescriptor"),
                vector_field: text("vectorField"),
                dimensions: index.get("dimensions").and_then(|d| d.as_u64()).unwrap_or(0) as u32,
                filter_fields: index
                    .get("filterFields")
                    .and_then(|f| f.as_array())
                    .map(|f| f.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default(),
                vectors: None,
                skipped: None,
                skipped_sample: Vec::new(),
                memory_bytes: None,
                mode: None,
                graph_nodes: None,
                graph_bytes: None,
                graph_build_ms: None,
                exact_limit: None,
                graph_params: None,
            });
        }
    }
    out
}

pub(super) async fn vector_indexes(
    studio: &Arc<Studio>,
    _: (),
) -> Result<VectorIndexList, CommandError> {
    let connected = studio.connected()?;
    if let Some(list) = connected.http.vector_indexes().await.map_err(vector_error)? {
        let indexes = list
            .indexes
            .into_iter()
            .map(|s| VectorIndexView {
                table: s.table,
                name: s.name,
                vector_field: s.vector_field,
                dimensions: s.dimensions,
                filter_fields: s.filter_fields,
                vectors: Some(s.vectors),
                skipped: Some(s.skipped),
                skipped_sample: s
                    .skipped_sample
                    .into_iter()
                    .map(|d| SkippedView { id: d.id, reason: d.reason })
                    .collect(),
                memory_bytes: Some(s.memory_bytes),
                mode: Some(
                    if s.graph_nodes.is_some() {
                        "graph"
                    } else if s.graph_building {
                        "building"
                    } else {
                        "exact"
                    }
                    .into(),
                ),
                graph_nodes: s.graph_nodes,
                graph_bytes: Some(s.graph_bytes),
                graph_build_ms: s.graph_build_ms,
                exact_limit: Some(s.exact_limit),
                graph_params: Some(format!(
                    "M {} · efConstruction {} · efSearch {}",
                    s.m, s.ef_construction, s.ef_search
                )),
            })
            .collect();
        return Ok(VectorIndexList { searchable: true, message: None, indexes });
    }
    let schemas = connected.http.dashboard(&DashboardQuery::Schemas).await?;
    let exported: serde_json::Value = schemas
        .get_path(["active"])
        .and_then(Value::as_str)
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or(serde_json::Value::Null);
    Ok(VectorIndexList {
        searchable: false,
        message: Some(NOT_SEARCHABLE.into()),
        indexes: from_schema(&exported),
    })
}

pub(super) async fn vector_search(
    studio: &Arc<Studio>,
    request: VectorSearch,
) -> Result<VectorSearchResult, CommandError> {
    let connected = studio.connected()?;
    let found = connected
        .http
        .vector_search(&VectorSearchRequest {
            index_name: index_name(&request.table, &request.index),
            vector: request.vector,
            like: request.like,
            limit: Some(request.limit),
            filter: terms(request.filter),
            method: Some(request.method),
        })
        .await
        .map_err(vector_error)?
        .ok_or_else(not_served)?;
    let documents = futures_util::future::join_all(found.results.iter().map(|hit| {
        let http = connected.http.clone();
        let id = hit.id.clone();
        async move { http.dashboard(&DashboardQuery::Document { id }).await }
    }))
    .await;
    let hits = found
        .results
        .into_iter()
        .zip(documents)
        .map(|(hit, document)| VectorHitView {
            id: hit.id,
            score: hit.score,
            document: document
                .map(|d| atrium_value::json::to_json(&d))
                .unwrap_or(serde_json::Value::Null),
        })
        .collect();
    Ok(VectorSearchResult {
        hits,
        approximate: found.approximate,
        candidates: found.candidates,
        took_ms: found.took_ms,
    })
}

pub(super) async fn vector_recall(
    studio: &Arc<Studio>,
    request: RecallCheck,
) -> Result<RecallResult, CommandError> {
    let connected = studio.connected()?;
    let report = connected
        .http
        .vector_recall(&VectorRecallRequest {
            index_name: index_name(&request.table, &request.index),
            k: request.k,
            queries: request.queries,
            filter: terms(request.filter),
        })
        .await
        .map_err(vector_error)?
        .ok_or_else(not_served)?;
    Ok(RecallResult {
        k: report.k,
        recalls: report.recalls,
        mean: report.mean,
        exact_ms: report.exact_ms,
        approximate_ms: report.approximate_ms,
        graph_in_use: report.graph_in_use,
        vectors: report.vectors,
    })
}

pub(super) async fn vector_map(
    studio: &Arc<Studio>,
    request: VectorMapRequest,
) -> Result<VectorMap, CommandError> {
    let connected = studio.connected()?;
    let list =
        connected.http.vector_indexes().await.map_err(vector_error)?.ok_or_else(not_served)?;
    let index = list
        .indexes
        .iter()
        .find(|i| i.table == request.table && i.name == request.index)
        .ok_or_else(|| {
        CommandError::new(
            ErrorCode::NotFound,
            format!("Index {} not found.", index_name(&request.table, &request.index)),
        )
    })?;
    let color = match &request.color_by {
        None => None,
        Some(field) => {
            Some(index.filter_fields.iter().position(|f| f == field).ok_or_else(|| {
                CommandError::new(
                    ErrorCode::BadRequest,
                    format!("`{field}` is not a filter field of this index"),
                )
            })?)
        }
    };
    let total = index.vectors;
    let sample = connected
        .http
        .vector_sample(&VectorSampleRequest {
            index_name: index_name(&request.table, &request.index),
            limit: request.limit,
        })
        .await
        .map_err(vector_error)?
        .ok_or_else(not_served)?;
    let rows: Vec<Vec<f32>> = sample.points.iter().map(|p| p.vector.clone()).collect();
    let projection = tokio::task::spawn_blocking(move || crate::vector_map::project(&rows))
        .await
        .map_err(CommandError::internal)?;
    let points = sample
        .points
        .into_iter()
        .zip(projection.points)
        .map(|(point, [x, y])| MapPoint {
            group: color.and_then(|i| point.filters.get(i).cloned().flatten()).map(|v| match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            }),
            id: point.id,
            x,
            y,
        })
        .collect();
    Ok(VectorMap { points, explained: projection.explained, total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_come_from_an_exported_schema() {
        let schema = serde_json::json!({"tables": [
            {"tableName": "notes", "indexes": [], "vectorIndexes": [
                {"indexDescriptor": "by_embedding", "vectorField": "embedding", "dimensions": 1536, "filterFields": ["topic", "lang"]}
            ]},
            {"tableName": "tasks", "indexes": [], "vectorIndexes": []}
        ]});
        let indexes = from_schema(&schema);
        assert_eq!(indexes.len(), 1);
        let index = &indexes[0];
        assert_eq!((index.table.as_str(), index.name.as_str()), ("notes", "by_embedding"));
        assert_eq!((index.vector_field.as_str(), index.dimensions), ("embedding", 1536));
        assert_eq!(index.filter_fields, vec!["topic".to_string(), "lang".to_string()]);
        assert_eq!((index.vectors, index.mode.as_deref()), (None, None), "state unknown");
        assert!(from_schema(&serde_json::Value::Null).is_empty());
    }
}
