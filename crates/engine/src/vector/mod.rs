//! Vector indexes: `vectorIndex(name, { vectorField, dimensions, filterFields })`.
//!
//! Each index keeps its documents' vectors in memory ([`store`]) and on disk (rows written
//! in the same SQLite transaction as the documents, so the index always matches committed
//! data). A search reads the latest commit, as Convex's does. Below
//! [`crate::EngineOptions::vector_exact_limit`] vectors a search is an exact scan; above it
//! the index keeps an HNSW graph ([`hnsw`]), stored beside the vectors so a restart loads
//! it instead of rebuilding it. A graph is built on a thread of its own over a snapshot of
//! the vectors, so commits never wait for it; searches scan exactly until it is ready.
//!
//! As in Convex, a write is never rejected because of a vector index: a document whose
//! field is missing, not an array of float64, of the wrong length (or, here, not finite) is
//! simply not indexed; the index reports how many such documents it skipped and why.

mod builds;
mod engine_api;
pub(crate) mod hnsw;
mod index;
pub(crate) mod storage;
pub(crate) mod store;

use atrium_value::names::check_identifier;
use atrium_value::{DocumentId, TableNumber, Value};
use serde_json::Value as Json;

pub(crate) use builds::{apply_commit, start_builds};
pub use hnsw::HnswParams;
pub use index::VectorWrite;
pub(crate) use index::{VectorIndex, stage_vector_writes};
pub(crate) use storage::load;
pub use store::{StoredVector, VectorHit};

use crate::{EngineError, IndexId};

/// Convex's bounds.
pub const MAX_DIMENSIONS: usize = 4096;
pub const MIN_DIMENSIONS: usize = 2;
pub const MAX_FILTER_FIELDS: usize = 16;
pub const MAX_RESULTS: usize = 256;
pub const DEFAULT_RESULTS: usize = 10;
pub const MAX_FILTER_TERMS: usize = 64;

/// What a schema declares for one vector index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VectorIndexSpec {
    /// The field holding the vector (`embedding`; dotted for nested fields).
    pub vector_field: String,
    pub dimensions: usize,
    pub filter_fields: Vec<String>,
}

impl VectorIndexSpec {
    /// Reads one entry of a table's exported `vectorIndexes`.
    pub fn from_json(table: &str, json: &Json) -> Result<(String, VectorIndexSpec), String> {
        let name = json
            .get("indexDescriptor")
            .and_then(Json::as_str)
            .ok_or_else(|| format!("table `{table}`: a vector index has no \"indexDescriptor\""))?;
        let what = format!("vector index `{table}.{name}`");
        let vector_field = json
            .get("vectorField")
            .and_then(Json::as_str)
            .ok_or_else(|| format!("{what} has no \"vectorField\""))?;
        let dimensions = json
            .get("dimensions")
            .and_then(Json::as_u64)
            .ok_or_else(|| format!("{what} has no whole-number \"dimensions\""))?;
        let filter_fields = json
            .get("filterFields")
            .and_then(Json::as_array)
            .map(|fields| {
                fields
                    .iter()
                    .map(|f| {
                        f.as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| format!("{what}: filterFields must be strings"))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        let spec = VectorIndexSpec {
            vector_field: vector_field.to_owned(),
            dimensions: dimensions as usize,
            filter_fields,
        };
        spec.check(table, name).map_err(|e| e.to_string())?;
        Ok((name.to_owned(), spec))
    }

    /// Checks the definition as Convex does at schema push.
    pub fn check(&self, table: &str, name: &str) -> Result<(), EngineError> {
        let invalid = |why: String| EngineError::InvalidIndex(format!("`{table}.{name}`: {why}"));
        check_identifier("index", name).map_err(invalid)?;
        if !(MIN_DIMENSIONS..=MAX_DIMENSIONS).contains(&self.dimensions) {
            return Err(invalid(format!(
                "dimensions must be between {MIN_DIMENSIONS} and {MAX_DIMENSIONS}, got {}",
                self.dimensions
            )));
        }
        if self.filter_fields.len() > MAX_FILTER_FIELDS {
            return Err(invalid(format!(
                "at most {MAX_FILTER_FIELDS} filter fields are allowed, got {}",
                self.filter_fields.len()
            )));
        }
        for field in std::iter::once(&self.vector_field).chain(&self.filter_fields) {
            for segment in field.split('.') {
                check_identifier("field", segment).map_err(invalid)?;
            }
        }
        Ok(())
    }

    pub(crate) fn to_json(&self) -> Json {
        serde_json::json!({
            "vectorField": self.vector_field,
            "dimensions": self.dimensions,
            "filterFields": self.filter_fields,
        })
    }
}

/// A vector index as the engine knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VectorIndexInfo {
    pub id: IndexId,
    pub table: TableNumber,
    pub name: String,
    pub spec: VectorIndexSpec,
}

/// How a search finds its neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchMethod {
    /// Exact below the index's size threshold, the graph above it (what `ctx.vectorSearch`
    /// uses).
    #[default]
    Auto,
    Exact,
    /// The graph, even for a small index (built for the query when it has none).
    Approximate,
}

/// A search: the index (`table.index`), the query vector, how many results, and filter
/// terms `(field, value)` — a document matches when any term does (Convex's `q.or` of
/// `q.eq`s).
#[derive(Debug, Clone, PartialEq)]
pub struct VectorQuery {
    pub table: String,
    pub index: String,
    pub vector: Vec<f64>,
    pub limit: usize,
    pub filter: Vec<(String, Value)>,
    pub method: SearchMethod,
}

/// What a search found and how.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorSearchOutcome {
    pub hits: Vec<VectorHit>,
    /// True when the graph answered, false for an exact scan.
    pub approximate: bool,
    /// Vectors the filter let through (all live vectors without a filter).
    pub candidates: usize,
}

/// A vector index's state, for inspectors.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorIndexStatus {
    pub table: String,
    pub info: VectorIndexInfo,
    /// Documents indexed.
    pub vectors: usize,
    /// Documents not indexed, with up to 20 of them and why.
    pub skipped: usize,
    pub skipped_sample: Vec<(DocumentId, String)>,
    /// Vectors (and their filter values) plus graph, in bytes.
    pub memory_bytes: usize,
    /// The graph, when the index has one: nodes (including retired slots) and bytes.
    pub graph_nodes: Option<usize>,
    pub graph_bytes: usize,
    /// How long the graph took to build when this process built it, in milliseconds.
    pub graph_build_ms: Option<f64>,
    /// A graph is being built in the background; searches scan exactly meanwhile.
    pub building: bool,
    /// Searches are exact up to this many vectors.
    pub exact_limit: usize,
    pub params: HnswParams,
}

/// Recall of the approximate search against an exact scan, over sample queries.
#[derive(Debug, Clone, PartialEq)]
pub struct RecallReport {
    pub k: usize,
    /// Recall of each query (|approximate ∩ exact| / |exact|).
    pub recalls: Vec<f32>,
    pub mean: f32,
    /// Median time per query, in milliseconds.
    pub exact_ms: f64,
    pub approximate_ms: f64,
    /// Whether the graph measured is the one searches use (false: the index is small
    /// enough for exact search and a graph was built for the check).
    pub graph_in_use: bool,
    pub vectors: usize,
}

/// Reads a Convex vector search filter expression (`q.eq` / `q.or`, as the `convex`
/// package serialises it) into `(field, value)` terms, any of which may match.
pub fn filter_from_expression(expression: &Json) -> Result<Vec<(String, Value)>, String> {
    let mut terms = Vec::new();
    if !expression.is_null() {
        collect_terms(expression, &mut terms)?;
    }
    if terms.len() > MAX_FILTER_TERMS {
        return Err(format!(
            "Vector queries can have at most {MAX_FILTER_TERMS} filter terms, got {}.",
            terms.len()
        ));
    }
    Ok(terms)
}

fn collect_terms(expression: &Json, terms: &mut Vec<(String, Value)>) -> Result<(), String> {
    if let Some(items) = expression.get("$or").and_then(Json::as_array) {
        for item in items {
            collect_terms(item, terms)?;
        }
        return Ok(());
    }
    if let Some([left, right]) = expression.get("$eq").and_then(Json::as_array).map(Vec::as_slice) {
        let field = left.get("$field").and_then(Json::as_str);
        let literal = right.get("$literal");
        if let (Some(field), Some(literal)) = (field, literal) {
            let value = atrium_value::json::from_json(literal)
                .map_err(|e| format!("vector filter value for `{field}`: {e}"))?;
            terms.push((field.to_owned(), value));
            return Ok(());
        }
    }
    Err(format!(
        "Vector search filters can only be `q.eq(field, value)` and `q.or(...)` of those; got {expression}"
    ))
}
