//! Atrium's dashboard extensions, `_system/atrium/*`: a table window at a row offset within
//! an index range, a search over a search index, a document's history and restoring one of
//! its revisions, a staged edit set committed in one transaction, the project's cron
//! jobs and the modules of a folder that fail to load. A Convex deployment lacks
//! them; clients fall back when the answer says "not found".
//!
//! Arguments and answers are `atrium_protocol::dashboard`'s types. The ad-hoc query
//! (`queryFromSource`) lives in [`super::adhoc`]; it must not answer Convex's own functions
//! (see [`super::frontend`]).

use atrium_engine::{Engine, EngineError, IndexRangeExpr, Order, Transaction};
use atrium_protocol::dashboard::{
    AppliedWrites, ApplyWritesArgs, CronJobSpec, DocumentHistoryArgs, DocumentWrite, ModuleError,
    RangeExpr, RangeKind, RestoreRevisionArgs, Revision, SearchDocuments, SearchDocumentsArgs,
    SortOrder, TableWindow, TableWindowArgs, path,
};
use atrium_value::Value;

use super::args::{
    commit, encode, engine_message, invalid, page_size, parse_id, read, tx_id, user_fields,
    writes_limit,
};
use super::frontend::patch_of;
use crate::Deployment;

/// Runs a read-only extension in `tx`; `None` when `path` is not one.
pub(super) fn query(
    deployment: &Deployment,
    tx: &mut Transaction,
    path: &str,
    args: &Value,
) -> Option<Result<Value, String>> {
    Some(match path {
        path::TABLE_WINDOW => read(path, args, |a| table_window(tx, a)),
        path::DOCUMENT_HISTORY => read(path, args, |a| history(deployment.engine(), a)),
        path::CRON_JOBS => encode(&cron_jobs(deployment)),
        path::MODULE_ERRORS => encode(&module_errors(deployment)),
        path::SEARCH_DOCUMENTS => read(path, args, |a| search_documents(tx, a)),
        _ => return None,
    })
}

/// Runs an editing extension and commits it; `None` when `path` is not one.
pub(super) fn mutation(
    engine: &Engine,
    path: &str,
    args: &Value,
) -> Option<Result<(Value, u64), String>> {
    Some(match path {
        path::APPLY_WRITES => commit(engine, path, args, apply_writes),
        path::RESTORE_REVISION => {
            commit(engine, path, args, |tx, a: &RestoreRevisionArgs| restore(engine, tx, a))
        }
        _ => return None,
    })
}

/// Up to `numItems` (default 50) documents matching the search, most relevant first.
fn search_documents(
    tx: &mut Transaction,
    args: SearchDocumentsArgs,
) -> Result<SearchDocuments, String> {
    let spec = tx
        .search_index_spec(&args.table, &args.index)
        .ok_or_else(|| format!("Index {}.{} not found.", args.table, args.index))?;
    let query = atrium_engine::search::SearchQuery {
        table: args.table,
        index: args.index,
        search: vec![(spec.search_field, args.text)],
        filters: args.filters.into_iter().map(|f| (f.field_path, f.value)).collect(),
    };
    let limit = page_size(args.num_items.or(Some(50.0)));
    let hits = tx.search(&query).map_err(engine_message)?;
    let mut page = Vec::new();
    let mut scores = Vec::new();
    for hit in hits.into_iter().take(limit) {
        if let Some(document) = tx.get(&hit.id).map_err(engine_message)? {
            page.push(document.to_value());
            scores.push(hit.score);
        }
    }
    Ok(SearchDocuments { page, scores })
}

/// The documents from row `offset` on, in the order of `index` within `range`, and how many
/// documents the range holds, at one snapshot.
fn table_window(tx: &mut Transaction, args: TableWindowArgs) -> Result<TableWindow, String> {
    let table = args.table.as_str();
    let order = match args.order {
        Some(SortOrder::Asc) => Order::Asc,
        None | Some(SortOrder::Desc) => Order::Desc,
    };
    let offset = args.offset.unwrap_or(0.0);
    if !(offset >= 0.0 && offset.fract() == 0.0) {
        return Err(format!("`offset` must be a whole number ≥ 0, not {offset}"));
    }
    let limit = page_size(args.num_items);
    let index_name = args.index.as_deref().unwrap_or("by_creation_time");
    let exprs: Vec<IndexRangeExpr> = args.range.unwrap_or_default().into_iter().map(expr).collect();
    if tx.table_number(table).is_none() {
        tx.count(table).map_err(engine_message)?; // records the read, so the window sees the table appear
        return Ok(TableWindow { page: Vec::new(), total: 0.0 });
    }
    let index = tx.index(table, index_name).map_err(engine_message)?;
    let range = atrium_engine::range::compile(&index, &format!("{table}.{index_name}"), &exprs)
        .map_err(engine_message)?;
    let total = if exprs.is_empty() { tx.count(table) } else { tx.count_range(&index, &range) }
        .map_err(engine_message)?;
    let page =
        tx.scan_from_offset(&index, &range, order, offset as u64, limit).map_err(engine_message)?;
    Ok(TableWindow {
        page: page.documents.into_iter().map(|(_, d)| d.to_value()).collect(),
        total: total as f64,
    })
}

fn expr(expr: RangeExpr) -> IndexRangeExpr {
    let (field, value) = (expr.field_path, expr.value);
    match expr.kind {
        RangeKind::Eq => IndexRangeExpr::Eq(field, value),
        RangeKind::Gt => IndexRangeExpr::Gt(field, value),
        RangeKind::Gte => IndexRangeExpr::Gte(field, value),
        RangeKind::Lt => IndexRangeExpr::Lt(field, value),
        RangeKind::Lte => IndexRangeExpr::Lte(field, value),
    }
}

/// A document's revisions, newest first (at most `limit`, 50 by default).
fn history(engine: &Engine, args: DocumentHistoryArgs) -> Result<Vec<Revision>, String> {
    let id = parse_id(&args.id)?;
    let limit = args.limit.unwrap_or(50.0).clamp(1.0, 1000.0) as usize;
    let revisions = engine.history(&id, limit).map_err(engine_message)?;
    Ok(revisions
        .into_iter()
        .map(|r| Revision { ts: r.ts.0 as f64, document: r.document.map(|d| d.to_value()) })
        .collect())
}

/// The project's cron jobs as `crons.ts` declares them (a job whose arguments are not
/// Convex JSON is left out).
fn cron_jobs(deployment: &Deployment) -> Vec<CronJobSpec> {
    let Some(analysis) = deployment.analysis() else { return Vec::new() };
    let mut jobs = Vec::new();
    for crons in analysis.modules.iter().filter_map(|m| m.crons.as_ref()) {
        let Some(map) = crons.as_object() else { continue };
        for (name, spec) in map {
            let args = spec
                .get("args")
                .and_then(|a| a.as_array())
                .and_then(|a| a.first())
                .cloned()
                .unwrap_or(serde_json::Value::Object(Default::default()));
            let job = CronJobSpec {
                name: name.clone(),
                function: spec.get("name").cloned().unwrap_or_default(),
                args,
                schedule: spec.get("schedule").cloned().unwrap_or_default(),
            };
            if atrium_protocol::convex_json::to_value(&job).is_ok() {
                jobs.push(job);
            }
        }
    }
    jobs
}

/// The app's modules that fail to load while the others serve (a pushed app has none: a
/// push with a failing module is refused).
fn module_errors(deployment: &Deployment) -> Vec<ModuleError> {
    let failures = deployment.module_failures().into_iter();
    failures.map(|f| ModuleError { path: f.path, message: f.message }).collect()
}

/// A staged edit set committed in one transaction — all of it or, on the first error (named
/// by its position), none.
fn apply_writes(
    tx: &mut Transaction,
    args: &ApplyWritesArgs,
) -> Result<AppliedWrites, EngineError> {
    writes_limit(args.writes.len(), "writes")?;
    let mut inserted = Vec::new();
    for (n, write) in args.writes.iter().enumerate() {
        let at = |error: EngineError| invalid(format!("write {}: {error}", n + 1));
        match write {
            DocumentWrite::Insert { table, document } => {
                let fields = user_fields(document, "`document`").map_err(at)?;
                inserted.push(tx.insert(table, fields).map_err(at)?.encode());
            }
            DocumentWrite::Patch { id, fields } => {
                let id = tx_id(id).map_err(at)?;
                tx.patch(&id, patch_of(fields).map_err(at)?).map_err(at)?;
            }
            DocumentWrite::Replace { id, document } => {
                let id = tx_id(id).map_err(at)?;
                let fields = user_fields(document, "`document`").map_err(at)?;
                tx.replace(&id, fields).map_err(at)?;
            }
            DocumentWrite::Delete { id } => tx.delete(&tx_id(id).map_err(at)?).map_err(at)?,
        }
    }
    Ok(AppliedWrites { inserted })
}

/// Puts a document back as it was at revision `ts` (re-creating it if it was deleted since).
fn restore(
    engine: &Engine,
    tx: &mut Transaction,
    args: &RestoreRevisionArgs,
) -> Result<(), EngineError> {
    let id = tx_id(&args.id)?;
    let ts = args.ts;
    let revision = engine
        .history(&id, 1000)?
        .into_iter()
        .find(|r| r.ts.0 as f64 == ts)
        .ok_or_else(|| invalid(format!("{} has no revision at {ts}", id.encode())))?;
    let document = revision
        .document
        .ok_or_else(|| invalid("that revision is a deletion; pick an earlier one".into()))?;
    tx.restore(document)
}
