//! Atrium's `_system/atrium/queryFromSource`: a query written in the dashboard
//! (`async (ctx) => …`, [`Runner::run_query_source`]) run read-only as admin, answered with
//! its value and its cost — documents and bytes read against Convex's limits, the indexes
//! it read, what it returned. Its read set is the query's, so a sync subscription keeps it
//! live like any query.

use atrium_engine::{ReadSet, Timestamp};
use atrium_runtime::{MAX_BYTES_READ, MAX_DOCUMENTS_READ, Runner};
use atrium_value::{Object, Value};

use crate::Deployment;

pub(crate) const PATH: &str = "_system/atrium/queryFromSource:default";

fn object(fields: Vec<(&str, Value)>) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<Object>())
}

/// Runs `args.source`; the answer `{value | error, logLines, cost}` and the read set with
/// its snapshot.
pub(crate) fn run(
    deployment: &Deployment,
    args: &Value,
    at: Option<Timestamp>,
) -> Result<(Value, ReadSet, Timestamp), String> {
    let Some(Value::String(source)) = args.get_path(["source"]) else {
        return Err("`source` must be the query's text: `async (ctx) => …`".into());
    };
    let runner: Runner = deployment
        .runner()
        .ok_or("This deployment has no code loaded, so it cannot run queries yet")?;
    let runner = match at {
        Some(ts) => runner.at_snapshot(ts),
        None => runner,
    };
    let outcome = runner.run_query_source(source).map_err(|e| e.to_string())?;
    let catalog = deployment.engine().catalog();
    let mut indexes: Vec<String> = outcome
        .read_set
        .ranges()
        .iter()
        .map(|(index, _)| crate::inspector::index_label(&catalog, *index))
        .filter(|label| label != "(table names)")
        .collect();
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
    let cost = object(vec![
        ("documentsRead", Value::Float64(outcome.usage.documents_read as f64)),
        ("documentsReadLimit", Value::Float64(MAX_DOCUMENTS_READ as f64)),
        ("bytesRead", Value::Float64(outcome.usage.bytes_read as f64)),
        ("bytesReadLimit", Value::Float64(MAX_BYTES_READ as f64)),
        ("returned", Value::Float64(returned)),
        ("indexes", Value::Array(indexes.into_iter().map(Value::String).collect())),
        ("executionMs", Value::Float64(outcome.duration.as_secs_f64() * 1000.0)),
    ]);
    let log_lines = Value::Array(
        outcome
            .logs
            .iter()
            .map(|l| Value::String(format!("[{}] {}", l.level, l.message)))
            .collect(),
    );
    let answer = match outcome.result {
        Ok(value) => object(vec![("value", value), ("logLines", log_lines), ("cost", cost)]),
        Err(error) => object(vec![
            ("error", Value::String(error.message)),
            ("errorData", error.data.unwrap_or(Value::Null)),
            ("logLines", log_lines),
            ("cost", cost),
        ]),
    };
    Ok((answer, outcome.read_set, outcome.snapshot))
}
