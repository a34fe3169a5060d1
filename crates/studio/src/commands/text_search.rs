//! The Data area's search box: a table's documents matching text in one of its search
//! indexes, most relevant first, with `.eq` filters on the index's filter fields. It uses
//! Atrium's `_system/atrium/searchDocuments`; a Convex deployment, which searches only
//! inside functions, answers that it does not have it: the result then says `offered: false`
//! (not an error: the deployment is fine, it just does not offer this), and the UI says so.

use std::sync::Arc;

use atrium_client::ClientError;
use atrium_protocol::dashboard::{SearchDocumentsArgs, SearchFilter, path};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::vector::FilterTerm;
use crate::{CommandError, ErrorCode, Studio};

#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct TextSearch {
    pub table: String,
    pub index: String,
    pub text: String,
    /// Equalities, all of which must hold (Convex's `.eq` chain).
    #[serde(default)]
    pub filters: Vec<FilterTerm>,
    /// At most this many results (default 50).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Matching documents (Convex-encoded JSON) in relevance order, with their BM25 scores.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TextSearchResult {
    /// False when the deployment cannot search from the dashboard (a Convex deployment,
    /// which searches only inside functions); `rows` is then empty.
    pub offered: bool,
    #[ts(type = "Array<Record<string, unknown>>")]
    pub rows: Vec<serde_json::Value>,
    pub scores: Vec<f64>,
}

pub(super) async fn text_search(
    studio: &Arc<Studio>,
    request: TextSearch,
) -> Result<TextSearchResult, CommandError> {
    let connected = studio.connected()?;
    let filters = request
        .filters
        .into_iter()
        .map(|f| {
            let value = atrium_value::json::from_json(&f.value).map_err(|e| {
                CommandError::new(
                    ErrorCode::BadRequest,
                    format!("the value for `{}` is not valid Convex JSON: {e}", f.field),
                )
            })?;
            Ok(SearchFilter { field_path: f.field, value: Some(value) })
        })
        .collect::<Result<Vec<_>, CommandError>>()?;
    let args = SearchDocumentsArgs {
        table: request.table,
        index: request.index,
        text: request.text,
        filters,
        num_items: request.limit.map(f64::from),
    };
    let args = atrium_protocol::convex_json::to_value(&args)
        .map_err(|e| CommandError::new(ErrorCode::BadRequest, e))?;
    let answer = match connected.http.query(path::SEARCH_DOCUMENTS, &args).await {
        Ok(answer) => answer,
        Err(ClientError::Function { message, .. }) if message.contains("Could not find") => {
            return Ok(TextSearchResult { offered: false, rows: Vec::new(), scores: Vec::new() });
        }
        Err(error) => return Err(error.into()),
    };
    let result: atrium_protocol::dashboard::SearchDocuments =
        atrium_protocol::convex_json::from_value(&answer).map_err(|reason| {
            CommandError::new(ErrorCode::Internal, format!("unexpected search answer: {reason}"))
        })?;
    Ok(TextSearchResult {
        offered: true,
        rows: result.page.iter().map(atrium_value::json::to_json).collect(),
        scores: result.scores,
    })
}
