//! Atrium's own endpoints on the local engine (`/api/atrium/*`), which a Convex deployment
//! does not serve: the subscription inspector, mutation dry runs, module sources and the
//! log archive search, the auth providers and token checks. Values inside are Convex-encoded
//! JSON.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// `GET /api/atrium/subscriptions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveSubscriptions {
    pub subscriptions: Vec<LiveQuery>,
}

/// One live query of one sync socket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveQuery {
    pub socket: u64,
    pub session_id: String,
    pub query_id: u32,
    pub function: String,
    /// The component instance the query is in (its path); absent for the app's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    pub args: Json,
    /// "admin", "anonymous" or "admin acting as <subject>".
    pub identity: String,
    /// Whether it holds a subscription (false after a failed run).
    pub live: bool,
    pub read_set: Vec<ReadRange>,
    /// The full-text searches it ran (its read set's search part).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub search_reads: Vec<SearchReadInfo>,
    pub result_bytes: u64,
    pub runs: u64,
    pub last_run_ts: u64,
    pub last_cause: Option<WriteCause>,
}

/// An index range a query read; bounds as hex of the index key (`end` none: to the end).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadRange {
    /// `table.index`.
    pub index: String,
    pub start: String,
    pub end: Option<String>,
}

/// A full-text search a query ran: a write re-runs the query when a version of the
/// document it writes has every filter value and one of the terms (or a completion of the
/// prefix).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchReadInfo {
    /// `table.index`.
    pub index: String,
    /// The search text's terms as searched (lowercased), without the last one.
    pub terms: Vec<String>,
    /// The last term, which also matches as a prefix.
    pub prefix: Option<String>,
    pub filters: Vec<SearchFilterInfo>,
}

/// One `.eq(field, value)` of a search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchFilterInfo {
    pub field: String,
    /// Convex JSON text of the value, or `undefined`.
    pub value: String,
}

/// The write that last re-ran a query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WriteCause {
    pub ts: u64,
    pub table: String,
    pub document: Option<String>,
    /// The function that committed it, when the engine recorded one.
    pub function: Option<String>,
    pub request_id: Option<String>,
}

/// `POST /api/atrium/dry_run`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DryRunRequest {
    pub path: String,
    #[serde(default)]
    pub args: Json,
}

/// What a mutation would have done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DryRunResponse {
    /// "success" or "error".
    pub status: String,
    pub value: Json,
    pub error_message: Option<String>,
    pub error_data: Option<Json>,
    pub log_lines: Vec<String>,
    pub writes: Vec<DryRunWrite>,
    /// Seconds.
    pub execution_time: f64,
}

/// One document a dry-run mutation would change (`before`/`after` none: not there).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DryRunWrite {
    pub table: String,
    pub id: String,
    pub before: Option<Json>,
    pub after: Option<Json>,
}

/// `GET /api/atrium/module_source?module=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleSource {
    pub path: String,
    pub source: String,
}

/// The query string of `GET /api/atrium/logs`; `None` fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// `success` or `failure`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// LOG, DEBUG, INFO, WARN or ERROR: executions that logged a line at that level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// The `next` of the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<u64>,
    pub limit: usize,
}

/// `GET /api/atrium/logs?text=&function=&status=&level=&before=&limit=` (`status`: `success`
/// or `failure`; `level`: executions that logged a line at that level): log entries newest
/// first, and
/// the `before` of the next page (none at the end).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogSearch {
    pub entries: Vec<Json>,
    pub next: Option<u64>,
}

/// `GET /api/atrium/executions?since=` (seconds since the epoch): every completed execution
/// the log store keeps from then on, oldest first, as columns of equal length.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionColumns {
    pub function: Vec<String>,
    /// Query, Mutation, Action or HttpAction.
    pub udf_type: Vec<String>,
    /// Seconds since the epoch.
    pub timestamp: Vec<f64>,
    pub execution_ms: Vec<f64>,
    pub failed: Vec<bool>,
}

/// `GET /api/atrium/vector_indexes`: every vector index and its state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VectorIndexList {
    pub indexes: Vec<VectorIndexState>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VectorIndexState {
    pub table: String,
    pub name: String,
    pub vector_field: String,
    pub dimensions: u32,
    pub filter_fields: Vec<String>,
    /// Documents indexed.
    pub vectors: u64,
    /// Documents in the table the index does not hold (a missing, malformed or
    /// wrong-length vector), with up to 20 of them and why.
    pub skipped: u64,
    pub skipped_sample: Vec<SkippedDocument>,
    pub memory_bytes: u64,
    /// The HNSW graph's node count, when the index has one (it searches exactly otherwise).
    pub graph_nodes: Option<u64>,
    pub graph_bytes: u64,
    /// How long this process took to build the graph (absent when it was loaded).
    pub graph_build_ms: Option<f64>,
    /// A graph is being built in the background (searches are exact until it is ready).
    #[serde(default)]
    pub graph_building: bool,
    /// Searches scan exactly up to this many vectors.
    pub exact_limit: u64,
    pub m: u32,
    pub ef_construction: u32,
    pub ef_search: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedDocument {
    pub id: String,
    pub reason: String,
}

/// One filter term: documents whose `field` equals `value` (Convex-encoded JSON).
/// Several terms match any of them, as `q.or(q.eq(…), …)` does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VectorFilterTerm {
    pub field: String,
    pub value: Json,
}

/// `POST /api/atrium/vector_search`: search by a vector, or by a document's stored vector
/// (`like`: "more like this").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VectorSearchRequest {
    /// `table.index`.
    pub index_name: String,
    #[serde(default)]
    pub vector: Option<Vec<f64>>,
    #[serde(default)]
    pub like: Option<String>,
    #[serde(default)]
    pub limit: Option<u32>,
    #[serde(default)]
    pub filter: Vec<VectorFilterTerm>,
    /// "auto" (default: as `ctx.vectorSearch`), "exact" or "approximate".
    #[serde(default)]
    pub method: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VectorSearchResponse {
    pub results: Vec<VectorSearchHit>,
    /// Whether the graph answered (false: an exact scan).
    pub approximate: bool,
    /// Vectors the filter let through.
    pub candidates: u64,
    pub took_ms: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VectorSearchHit {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(rename = "_score")]
    pub score: f64,
}

/// `POST /api/atrium/vector_sample`: up to `limit` stored vectors spread over the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VectorSampleRequest {
    pub index_name: String,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VectorSampleResponse {
    pub points: Vec<VectorPoint>,
}

/// A stored vector (unit length) with its document and filter values (one per filter
/// field, `null` when the document lacks it; Convex-encoded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VectorPoint {
    pub id: String,
    pub vector: Vec<f32>,
    pub filters: Vec<Option<Json>>,
}

/// `POST /api/atrium/vector_recall`: recall@k of graph search against an exact scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VectorRecallRequest {
    pub index_name: String,
    pub k: u32,
    pub queries: u32,
    #[serde(default)]
    pub filter: Vec<VectorFilterTerm>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VectorRecallResponse {
    pub k: u32,
    /// Each query's recall, in query order.
    pub recalls: Vec<f32>,
    pub mean: f32,
    /// Median milliseconds per query.
    pub exact_ms: f64,
    pub approximate_ms: f64,
    /// False when the index is small enough to search exactly and a graph was built for
    /// the check.
    pub graph_in_use: bool,
    pub vectors: u64,
}

/// `POST /api/atrium/verify_token`: a user token to check against the deployment's auth
/// providers (what `Authorization: Bearer` and sync `Authenticate` would do with it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyTokenRequest {
    pub token: String,
}

/// The answer to [`VerifyTokenRequest`]: the identity functions would see and the token's
/// claims, or why it is refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerifyTokenResponse {
    pub identity: Option<Json>,
    pub claims: Option<Json>,
    pub error: Option<TokenRefusal>,
}

/// A refused token: Convex's code and message, and the precise cause where Convex's message
/// is general (an OIDC token's expiry or signature).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRefusal {
    pub code: String,
    pub message: String,
    pub detail: Option<String>,
}

/// `GET /api/atrium/auth_providers`: the providers of `auth.config.ts`, as the push response's
/// `appAuth` lists them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthProviders {
    pub providers: Vec<Json>,
}
