//! `ctx.vectorSearch(table, index, { vector, limit, filter })` in an action: the latest
//! commit's nearest documents, through the engine's vector indexes.

use atrium_engine::vector::{DEFAULT_RESULTS, SearchMethod, VectorQuery, filter_from_expression};
use serde::Deserialize;
use serde_json::{Value as Json, json};

use super::OpResult;
use crate::call::FunctionKind;
use crate::host::HostState;

#[derive(Debug, Deserialize)]
pub(crate) struct SearchArgs {
    #[serde(default, deserialize_with = "super::present")]
    query: Option<Json>,
}

/// The `query` object the library sends.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryArgs {
    index_name: Option<Json>,
    vector: Option<Json>,
    limit: Option<Json>,
    expressions: Option<Json>,
}

/// The nearest documents as `{ results: [{ _id, _score }] }`.
pub(crate) fn search(state: &mut HostState, args: SearchArgs) -> OpResult {
    if state.kind != FunctionKind::Action {
        return Err("`vectorSearch` is only available in actions".into());
    }
    let calls = state.calls().ok_or("Vector search is not possible here")?;
    let query = args.query.ok_or("vectorSearch: missing `query`")?;
    // A `query` that is not an object reads as one with no fields.
    let query: QueryArgs = serde_json::from_value(query).unwrap_or_default();
    let index_name = query.index_name.as_ref().and_then(Json::as_str).unwrap_or_default();
    let (table, index) = index_name
        .split_once('.')
        .ok_or_else(|| format!("vectorSearch: invalid index name `{index_name}`"))?;
    let vector = query
        .vector
        .as_ref()
        .and_then(Json::as_array)
        .ok_or("`vector` must be a non-empty Array in vectorSearch")?
        .iter()
        .map(|x| x.as_f64().ok_or("`vector` must contain only numbers in vectorSearch"))
        .collect::<Result<Vec<f64>, _>>()?;
    let limit =
        match &query.limit {
            None | Some(Json::Null) => DEFAULT_RESULTS,
            Some(n) => n.as_f64().filter(|n| n.fract() == 0.0 && *n >= 1.0).ok_or_else(|| {
                format!("vectorSearch: `limit` must be a positive integer, got {n}")
            })? as usize,
        };
    let filter = filter_from_expression(query.expressions.as_ref().unwrap_or(&Json::Null))?;
    let outcome = calls
        .engine()
        .vector_search(&VectorQuery {
            table: state.table(table),
            index: index.to_owned(),
            vector,
            limit,
            filter,
            method: SearchMethod::Auto,
        })
        .map_err(|e| e.to_string())?;
    let results: Vec<Json> = outcome
        .hits
        .iter()
        .map(|hit| json!({ "_id": hit.id.encode(), "_score": hit.score }))
        .collect();
    Ok(json!({ "results": results }))
}
