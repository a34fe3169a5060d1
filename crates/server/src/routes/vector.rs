//! Atrium's vector index endpoints (`/api/atrium/vector_*`, admin only): list the indexes
//! with their state, search one (by a vector or by a document's stored vector), sample its
//! vectors (for a map), and measure graph recall against an exact scan. Convex allows
//! vector search only inside actions; these let an inspector look without deploying one.
//!
//! It must not check the admin key itself: these routes are admin through their layer
//! (`server.rs`), which runs before the body is read.

use std::time::Instant;

use atrium_engine::vector::{SearchMethod, VectorQuery};
use atrium_engine::{Engine, EngineError};
use atrium_protocol::atrium::{
    SkippedDocument, VectorFilterTerm, VectorIndexList, VectorIndexState, VectorPoint,
    VectorRecallRequest, VectorRecallResponse, VectorSampleRequest, VectorSampleResponse,
    VectorSearchHit, VectorSearchRequest, VectorSearchResponse,
};
use atrium_value::{DocumentId, Value};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;

use crate::state::{ApiError, AppState, internal};

/// The request body as what the endpoint takes.
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| bad(format!("the request body is not what this endpoint takes: {e}")))
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("InvalidVectorQuery", message)
}

fn engine_error(error: EngineError) -> ApiError {
    match error {
        EngineError::Storage(_) | EngineError::Corrupt(_) => internal(error),
        other => bad(other.to_string()),
    }
}

/// `table.index` split in two.
fn index_name(name: &str) -> Result<(String, String), ApiError> {
    name.split_once('.')
        .map(|(t, i)| (t.to_owned(), i.to_owned()))
        .ok_or_else(|| bad(format!("`{name}` is not an index name of the form `table.index`")))
}

fn filter_terms(terms: &[VectorFilterTerm]) -> Result<Vec<(String, Value)>, ApiError> {
    terms
        .iter()
        .map(|t| {
            let value = atrium_value::json::from_json(&t.value)
                .map_err(|e| bad(format!("filter value for `{}`: {e}", t.field)))?;
            Ok((t.field.clone(), value))
        })
        .collect()
}

/// Runs engine work off the async threads.
async fn blocking<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(Engine) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let engine = state.deployment.engine().clone();
    tokio::task::spawn_blocking(move || work(engine))
        .await
        .map_err(|e| internal(format!("the vector index work failed: {e}")))?
}

pub(crate) async fn list(State(state): State<AppState>) -> Result<Json<VectorIndexList>, ApiError> {
    let indexes = blocking(&state, |engine| {
        Ok(engine
            .vector_index_statuses()
            .into_iter()
            .map(|s| VectorIndexState {
                table: s.table,
                name: s.info.name,
                vector_field: s.info.spec.vector_field,
                dimensions: s.info.spec.dimensions as u32,
                filter_fields: s.info.spec.filter_fields,
                vectors: s.vectors as u64,
                skipped: s.skipped as u64,
                skipped_sample: s
                    .skipped_sample
                    .into_iter()
                    .map(|(id, reason)| SkippedDocument { id: id.encode(), reason })
                    .collect(),
                memory_bytes: s.memory_bytes as u64,
                graph_nodes: s.graph_nodes.map(|n| n as u64),
                graph_bytes: s.graph_bytes as u64,
                graph_build_ms: s.graph_build_ms,
                graph_building: s.building,
                exact_limit: s.exact_limit as u64,
                m: s.params.m as u32,
                ef_construction: s.params.ef_construction as u32,
                ef_search: s.params.ef_search as u32,
            })
            .collect())
    })
    .await?;
    Ok(Json(VectorIndexList { indexes }))
}

pub(crate) async fn search(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Json<VectorSearchResponse>, ApiError> {
    let request: VectorSearchRequest = parse(&body)?;
    let (table, index) = index_name(&request.index_name)?;
    let filter = filter_terms(&request.filter)?;
    let method = match request.method.as_deref() {
        None | Some("auto") => SearchMethod::Auto,
        Some("exact") => SearchMethod::Exact,
        Some("approximate") => SearchMethod::Approximate,
        Some(other) => {
            return Err(bad(format!(
                "`method` must be \"auto\", \"exact\" or \"approximate\", not {other:?}"
            )));
        }
    };
    let response = blocking(&state, move |engine| {
        let vector = match (request.vector, request.like) {
            (Some(vector), None) => vector,
            (None, Some(like)) => {
                let id = DocumentId::decode(&like)
                    .map_err(|e| bad(format!("`like` is not a document ID: {e}")))?;
                let stored = engine.vector_of(&table, &index, &id).map_err(engine_error)?;
                let stored = stored.ok_or_else(|| {
                    bad(format!("Document {like} is not in the vector index {table}.{index}."))
                })?;
                stored.vector.iter().map(|x| f64::from(*x)).collect()
            }
            _ => return Err(bad("give either `vector` or `like` (a document ID)")),
        };
        let started = Instant::now();
        let outcome = engine
            .vector_search(&VectorQuery {
                table,
                index,
                vector,
                limit: request.limit.map_or(atrium_engine::vector::DEFAULT_RESULTS, |l| l as usize),
                filter,
                method,
            })
            .map_err(engine_error)?;
        Ok(VectorSearchResponse {
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            approximate: outcome.approximate,
            candidates: outcome.candidates as u64,
            results: outcome
                .hits
                .into_iter()
                .map(|h| VectorSearchHit { id: h.id.encode(), score: f64::from(h.score) })
                .collect(),
        })
    })
    .await?;
    Ok(Json(response))
}

/// At most this many vectors per sample.
const MAX_SAMPLE: u32 = 5000;

pub(crate) async fn sample(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Json<VectorSampleResponse>, ApiError> {
    let request: VectorSampleRequest = parse(&body)?;
    let (table, index) = index_name(&request.index_name)?;
    if request.limit > MAX_SAMPLE {
        return Err(bad(format!(
            "a sample holds at most {MAX_SAMPLE} vectors, not {}",
            request.limit
        )));
    }
    let points = blocking(&state, move |engine| {
        let sample =
            engine.vector_sample(&table, &index, request.limit as usize).map_err(engine_error)?;
        Ok(sample
            .into_iter()
            .map(|v| VectorPoint {
                id: v.id.encode(),
                vector: v.vector,
                filters: v
                    .filters
                    .iter()
                    .map(|f| f.as_ref().map(atrium_value::json::to_json))
                    .collect(),
            })
            .collect())
    })
    .await?;
    Ok(Json(VectorSampleResponse { points }))
}

pub(crate) async fn recall(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Json<VectorRecallResponse>, ApiError> {
    let request: VectorRecallRequest = parse(&body)?;
    let (table, index) = index_name(&request.index_name)?;
    let filter = filter_terms(&request.filter)?;
    if !(1..=256).contains(&request.k) || !(1..=1000).contains(&request.queries) {
        return Err(bad("`k` must be 1 to 256 and `queries` 1 to 1000"));
    }
    let report = blocking(&state, move |engine| {
        engine
            .vector_recall(&table, &index, request.k as usize, request.queries as usize, &filter)
            .map_err(engine_error)
    })
    .await?;
    Ok(Json(VectorRecallResponse {
        k: report.k as u32,
        recalls: report.recalls,
        mean: report.mean,
        exact_ms: report.exact_ms,
        approximate_ms: report.approximate_ms,
        graph_in_use: report.graph_in_use,
        vectors: report.vectors as u64,
    }))
}
