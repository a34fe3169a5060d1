//! Atrium's `_system/atrium/queryFromSource`: a query written in the dashboard
//! (`async (ctx) => …`, [`Runner::run_query_source`]) run read-only as admin, answered with
//! its value and its cost — documents and bytes read against Convex's limits, the indexes
//! it read, what it returned. Its read set is the query's, so a sync subscription keeps it
//! live like any query. Its arguments and answer are `atrium_protocol::dashboard`'s
//! [`QueryFromSourceArgs`] and [`QueryFromSource`].
//!
//! It must not write: the runner runs the source as a read-only query.

use atrium_engine::{ReadSet, Timestamp};
use atrium_protocol::dashboard::{QueryCost, QueryFromSource, QueryFromSourceArgs};
use atrium_runtime::{MAX_BYTES_READ, MAX_DOCUMENTS_READ, Runner};
use atrium_value::Value;

use crate::Deployment;

/// Runs `args.source`; the answer `{value | error, logLines, cost}` and the read set with
/// its snapshot.
pub(crate) fn run(
    deployment: &Deployment,
    args: &Value,
    at: Option<Timestamp>,
) -> Result<(Value, ReadSet, Timestamp), String> {
    let Ok(QueryFromSourceArgs { source }) = atrium_protocol::convex_json::from_value(args) else {
        return Err("`source` must be the query's text: `async (ctx) => …`".into());
    };
    let runner: Runner = deployment.runner().ok_or_else(|| {
        deployment
            .no_code_reason("This deployment has no code loaded, so it cannot run queries yet")
    })?;
    let runner = match at {
        Some(ts) => runner.at_snapshot(ts),
        None => runner,
    };
    let outcome = runner.run_query_source(&source).map_err(|e| e.to_string())?;
    let catalog = deployment.engine().catalog();
    let mut indexes: Vec<String> = outcome
        .read_set
        .ranges()
        .iter()
        .map(|(index, _)| crate::inspector::index_label(&catalog, *index))
        .filter(|label| label != "(table names)")
        .collect();
    // Search indexes read, named as `table.index (search)`.
    let searched = deployment.engine().search_index_infos();
    for read in outcome.read_set.searches() {
        if let Some(info) = searched.iter().find(|i| i.id == read.index) {
            let table = catalog.table_name(info.table).unwrap_or("?");
            indexes.push(format!("{table}.{} (search)", info.name));
        }
    }
    indexes.dedup();
    let returned = match &outcome.result {
        Ok(Value::Array(items)) => items.len() as f64,
        Ok(Value::Object(page)) => match page.get("page") {
            Some(Value::Array(items)) => items.len() as f64,
            _ => 1.0,
        },
        Ok(Value::Null) | Err(_) => 0.0,
        Ok(_) => 1.0,
    };
    let cost = QueryCost {
        documents_read: outcome.usage.documents_read as f64,
        documents_read_limit: MAX_DOCUMENTS_READ as f64,
        bytes_read: outcome.usage.bytes_read as f64,
        bytes_read_limit: MAX_BYTES_READ as f64,
        returned,
        indexes,
        execution_ms: outcome.duration.as_secs_f64() * 1000.0,
    };
    let log_lines = outcome.logs.iter().map(|l| format!("[{}] {}", l.level, l.message)).collect();
    let answer = match outcome.result {
        Ok(value) => {
            QueryFromSource { value: Some(value), error: None, error_data: None, log_lines, cost }
        }
        Err(error) => QueryFromSource {
            value: None,
            error: Some(error.message),
            error_data: Some(error.data.unwrap_or(Value::Null)),
            log_lines,
            cost,
        },
    };
    let answer = atrium_protocol::convex_json::to_value(&answer)?;
    Ok((answer, outcome.read_set, outcome.snapshot))
}
