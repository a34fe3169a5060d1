//! The dashboard's system functions, answered natively: Convex's `_system/frontend/*` (the
//! names and argument shapes Convex's own dashboard calls: table mapping and sizes, pages
//! of a table, a document by ID, indexes, schemas, and the data editing mutations) and
//! Atrium's extensions under `_system/atrium/*` (a table window at a row offset, document
//! history, several writes in one transaction), which a remote Convex deployment lacks —
//! clients detect that from the "not found" answer.
//!
//! Queries run in a transaction at the caller's snapshot and hand back its read set, so a
//! sync session keeps them live like any other query.

use std::collections::BTreeMap;

use atrium_engine::{
    Engine, EngineError, IndexRangeExpr, IndexState, KeyRange, Order, PatchValue, Transaction,
};
use atrium_value::names::{CREATION_TIME_FIELD, ID_FIELD};
use atrium_value::{DocumentId, Object, Value};

use crate::Deployment;

/// Most documents one page or window may hold.
const MAX_PAGE: usize = 10_000;
/// Most documents one editing call may write (Convex's dashboard limit too).
const MAX_WRITES: usize = 4_096;

/// Whether `path` (already normalised to `module:function`) is answered here.
pub(crate) fn handles(path: &str) -> bool {
    path.starts_with("_system/frontend/") || path.starts_with("_system/atrium/")
}

/// An editing function: it writes in the transaction it is given.
type Writer = fn(&Engine, &mut Transaction, &Value) -> Result<Value, EngineError>;

/// The editing function at `path` (`None` for a read-only one or an unknown path).
fn writer(path: &str) -> Option<Writer> {
    Some(match path {
        "_system/frontend/addDocument:default" => |_, tx, args| add_documents(tx, args),
        "_system/frontend/patchDocumentsFields:default" => |_, tx, args| patch_documents(tx, args),
        "_system/frontend/replaceDocument:default" => |_, tx, args| replace_document(tx, args),
        "_system/frontend/deleteDocuments:default" => |_, tx, args| delete_documents(tx, args),
        "_system/frontend/clearTablePage:default" => |_, tx, args| clear_table_page(tx, args),
        "_system/frontend/createTable:default" => |_, tx, args| create_table(tx, args),
        "_system/atrium/applyWrites:default" => |_, tx, args| apply_writes(tx, args),
        "_system/atrium/restoreRevision:default" => restore_revision,
        _ => return None,
    })
}

/// Whether `path` writes (and so must run as a mutation).
pub(crate) fn is_mutation(path: &str) -> bool {
    writer(path).is_some()
}

/// Runs a read-only dashboard function in `tx`; `None` when `path` is not one.
pub(crate) fn query(
    deployment: &Deployment,
    tx: &mut Transaction,
    path: &str,
    args: &Value,
) -> Option<Result<Value, String>> {
    let result = match path {
        "_system/frontend/getTableMapping:default" => Ok(table_mapping(tx)),
        "_system/frontend/tableSize:default" => arg_str(args, "tableName")
            .and_then(|t| Ok(Value::Float64(tx.count(t).map_err(e)? as f64))),
        "_system/frontend/paginatedTableDocuments:default" => paginated_documents(tx, args),
        "_system/frontend/getById:default" => get_by_id(tx, args),
        "_system/frontend/indexes:default" => arg_str(args, "tableName").map(|t| indexes(tx, t)),
        "_system/frontend/getSchemas:default" => Ok(schemas(deployment)),
        "_system/atrium/tableWindow:default" => table_window(tx, args),
        "_system/atrium/documentHistory:default" => history(deployment.engine(), args),
        "_system/atrium/cronJobs:default" => Ok(cron_jobs(deployment)),
        _ => return None,
    };
    Some(result)
}

/// Runs an editing function in one transaction (retried on conflicts) and commits it.
pub(crate) fn mutation(engine: &Engine, path: &str, args: &Value) -> Result<(Value, u64), String> {
    let write = writer(path).ok_or_else(|| format!("`{path}` is not an editing function"))?;
    let (value, outcome) =
        engine.run(3, |tx| write(engine, tx, args)).map_err(|e| e.to_string())?;
    Ok((value, outcome.ts.0))
}

fn e(error: EngineError) -> String {
    error.to_string()
}

/// A bad argument, as an engine error so it can leave a transaction closure.
fn invalid(message: String) -> EngineError {
    EngineError::InvalidDocumentFields(message)
}

fn arg_str<'a>(args: &'a Value, name: &str) -> Result<&'a str, String> {
    args.get_path([name])
        .and_then(Value::as_str)
        .ok_or_else(|| format!("Missing string argument `{name}`"))
}

fn arg_number(args: &Value, path: &[&str]) -> Option<f64> {
    match args.get_path(path.iter().copied()) {
        Some(Value::Float64(n)) => Some(*n),
        Some(Value::Int64(n)) => Some(*n as f64),
        _ => None,
    }
}

fn object(fields: Vec<(&str, Value)>) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<Object>())
}

fn order_arg(args: &Value) -> Result<Order, String> {
    match args.get_path(["order"]).and_then(Value::as_str) {
        None | Some("desc") => Ok(Order::Desc),
        Some("asc") => Ok(Order::Asc),
        Some(other) => Err(format!("`order` must be \"asc\" or \"desc\", not {other:?}")),
    }
}

fn page_size(args: &Value, path: &[&str]) -> usize {
    arg_number(args, path).unwrap_or(100.0).clamp(1.0, MAX_PAGE as f64) as usize
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| text.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect()
}

fn table_mapping(tx: &Transaction) -> Value {
    let catalog = tx.catalog();
    Value::Object(
        catalog
            .tables()
            .filter(|t| !t.name.starts_with('_'))
            .map(|t| (t.number.0.to_string(), Value::String(t.name.clone())))
            .collect(),
    )
}

fn done_page(page: Vec<Value>) -> Value {
    object(vec![
        ("page", Value::Array(page)),
        ("isDone", Value::Boolean(true)),
        ("continueCursor", Value::from("end")),
    ])
}

/// `{paginationOpts: {numItems, cursor}, table, filters, order?}`: documents by creation
/// time, newest first unless `order` says "asc". Filters are not evaluated here (Atrium's
/// studio filters on its side); a non-null `filters` is refused rather than ignored.
fn paginated_documents(tx: &mut Transaction, args: &Value) -> Result<Value, String> {
    let table = arg_str(args, "table")?;
    if !matches!(args.get_path(["filters"]), None | Some(Value::Null)) {
        return Err("`filters` are not supported by this engine's paginatedTableDocuments; pass null and filter the pages".into());
    }
    let order = order_arg(args)?;
    let limit = page_size(args, &["paginationOpts", "numItems"]);
    let after = match args.get_path(["paginationOpts", "cursor"]) {
        None | Some(Value::Null) => None,
        Some(Value::String(c)) if c == "end" => return Ok(done_page(Vec::new())),
        Some(Value::String(c)) => Some(unhex(c).ok_or_else(|| format!("Invalid cursor {c:?}"))?),
        Some(_) => return Err("`paginationOpts.cursor` must be a string or null".into()),
    };
    if tx.table_number(table).is_none() {
        return Ok(done_page(Vec::new()));
    }
    let index = tx.index(table, "by_creation_time").map_err(e)?;
    let page = tx.scan(&index, &KeyRange::all(), order, after.as_deref(), limit).map_err(e)?;
    let next = match (page.exhausted, page.documents.last()) {
        (false, Some((key, _))) => hex(key),
        _ => "end".to_owned(),
    };
    Ok(object(vec![
        ("page", Value::Array(page.documents.into_iter().map(|(_, d)| d.to_value()).collect())),
        ("isDone", Value::Boolean(page.exhausted)),
        ("continueCursor", Value::String(next)),
    ]))
}

/// `{table, offset, numItems, order?, index?, range?}`: the documents from row `offset`
/// on, in the order of `index` (creation time by default; newest first unless `order` is
/// "asc") within `range` (Convex's index range expressions: `[{type: "Eq" | "Gt" | "Gte" |
/// "Lt" | "Lte", fieldPath, value}]`, equalities on a prefix of the index's fields, then
/// bounds on the next one), and how many documents the range holds, at one snapshot.
fn table_window(tx: &mut Transaction, args: &Value) -> Result<Value, String> {
    let table = arg_str(args, "table")?;
    let order = order_arg(args)?;
    let offset = arg_number(args, &["offset"]).unwrap_or(0.0);
    if !(offset >= 0.0 && offset.fract() == 0.0) {
        return Err(format!("`offset` must be a whole number ≥ 0, not {offset}"));
    }
    let limit = page_size(args, &["numItems"]);
    let index_name = match args.get_path(["index"]) {
        None | Some(Value::Null) => "by_creation_time",
        Some(Value::String(name)) => name.as_str(),
        Some(_) => return Err("`index` must be an index name".into()),
    };
    let exprs = range_exprs(args.get_path(["range"]))?;
    if tx.table_number(table).is_none() {
        tx.count(table).map_err(e)?; // records the read, so the window sees the table appear
        return Ok(object(vec![
            ("page", Value::Array(Vec::new())),
            ("total", Value::Float64(0.0)),
        ]));
    }
    let index = tx.index(table, index_name).map_err(e)?;
    let range = atrium_engine::range::compile(&index, &format!("{table}.{index_name}"), &exprs)
        .map_err(e)?;
    let total = if exprs.is_empty() { tx.count(table) } else { tx.count_range(&index, &range) }
        .map_err(e)?;
    let page = tx.scan_from_offset(&index, &range, order, offset as u64, limit).map_err(e)?;
    Ok(object(vec![
        ("page", Value::Array(page.documents.into_iter().map(|(_, d)| d.to_value()).collect())),
        ("total", Value::Float64(total as f64)),
    ]))
}

/// Convex's serialized index range expressions.
fn range_exprs(range: Option<&Value>) -> Result<Vec<IndexRangeExpr>, String> {
    let list = match range {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(list)) => list,
        Some(_) => return Err("`range` must be an array of range expressions".into()),
    };
    list.iter()
        .map(|expr| {
            let field = expr
                .get_path(["fieldPath"])
                .and_then(Value::as_str)
                .ok_or("a range expression needs `fieldPath`")?
                .to_owned();
            let value = expr.get_path(["value"]).cloned();
            Ok(match expr.get_path(["type"]).and_then(Value::as_str) {
                Some("Eq") => IndexRangeExpr::Eq(field, value),
                Some("Gt") => IndexRangeExpr::Gt(field, value),
                Some("Gte") => IndexRangeExpr::Gte(field, value),
                Some("Lt") => IndexRangeExpr::Lt(field, value),
                Some("Lte") => IndexRangeExpr::Lte(field, value),
                other => return Err(format!("unknown range expression type {other:?}")),
            })
        })
        .collect()
}

fn parse_id(text: &str) -> Result<DocumentId, String> {
    DocumentId::decode(text).map_err(|err| format!("{text:?} is not a document ID: {err}"))
}

fn get_by_id(tx: &mut Transaction, args: &Value) -> Result<Value, String> {
    let id = parse_id(arg_str(args, "id")?)?;
    Ok(tx.get(&id).map_err(e)?.map_or(Value::Null, |d| d.to_value()))
}

fn indexes(tx: &mut Transaction, table: &str) -> Value {
    let Some(number) = tx.table_number(table) else { return Value::Array(Vec::new()) };
    let catalog = tx.catalog();
    let list = catalog
        .indexes_of(number)
        .filter(|i| i.name != "by_id")
        .map(|i| {
            object(vec![
                ("name", Value::String(i.name.clone())),
                (
                    "fields",
                    Value::Array(
                        i.declared_fields().iter().map(|f| Value::String(f.join("."))).collect(),
                    ),
                ),
                (
                    "backfill",
                    object(vec![(
                        "state",
                        Value::from(match i.state {
                            IndexState::Backfilling => "backfilling",
                            IndexState::Ready => "done",
                        }),
                    )]),
                ),
            ])
        })
        .collect();
    Value::Array(list)
}

/// `{active, inProgress}`: the schema in force as Convex's schema JSON text.
fn schemas(deployment: &Deployment) -> Value {
    // As the project's `export()` wrote it, so fields keep their declared order.
    let active = deployment.engine().schema().map_or(Value::Null, |schema| {
        Value::String(if schema.exported_text.is_empty() {
            schema.exported.to_string()
        } else {
            schema.exported_text.clone()
        })
    });
    object(vec![("active", active), ("inProgress", Value::Null)])
}

/// The project's cron jobs as `crons.ts` declares them: `[{name, function, args,
/// schedule}]`, `schedule` as Convex exports it (`{type: "daily", hourUTC, minuteUTC}`, …).
fn cron_jobs(deployment: &Deployment) -> Value {
    let Some(analysis) = deployment.analysis() else { return Value::Array(Vec::new()) };
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
            let json = serde_json::json!({
                "name": name,
                "function": spec.get("name").cloned().unwrap_or_default(),
                "args": args,
                "schedule": spec.get("schedule").cloned().unwrap_or_default(),
            });
            if let Ok(value) = atrium_value::json::from_json(&json) {
                jobs.push(value);
            }
        }
    }
    Value::Array(jobs)
}

/// `{id, limit?}`: a document's revisions, newest first: `{ts, document}` (null when the
/// revision deleted it).
fn history(engine: &Engine, args: &Value) -> Result<Value, String> {
    let id = parse_id(arg_str(args, "id")?)?;
    let limit = arg_number(args, &["limit"]).unwrap_or(50.0).clamp(1.0, 1000.0) as usize;
    let revisions = engine.history(&id, limit).map_err(e)?;
    Ok(Value::Array(
        revisions
            .into_iter()
            .map(|r| {
                object(vec![
                    ("ts", Value::Float64(r.ts.0 as f64)),
                    ("document", r.document.map_or(Value::Null, |d| d.to_value())),
                ])
            })
            .collect(),
    ))
}

/// A user document's fields: `_id` and `_creationTime` removed (an editor's copy of a
/// document carries them), other system fields refused.
fn user_fields(value: &Value, what: &str) -> Result<Object, EngineError> {
    let Value::Object(fields) = value else {
        return Err(invalid(format!("{what} must be an object")));
    };
    let mut fields = fields.clone();
    fields.remove(ID_FIELD);
    fields.remove(CREATION_TIME_FIELD);
    Ok(fields)
}

fn writes_limit(n: usize, what: &str) -> Result<(), EngineError> {
    if n > MAX_WRITES {
        return Err(invalid(format!("{n} {what} in one call; at most {MAX_WRITES} are allowed")));
    }
    Ok(())
}

fn tx_str<'a>(args: &'a Value, name: &str) -> Result<&'a str, EngineError> {
    arg_str(args, name).map_err(invalid)
}

fn tx_id(text: &str) -> Result<DocumentId, EngineError> {
    parse_id(text).map_err(invalid)
}

/// `{table, documents}`: inserts all or none; returns their IDs.
fn add_documents(tx: &mut Transaction, args: &Value) -> Result<Value, EngineError> {
    let table = tx_str(args, "table")?;
    let Some(Value::Array(documents)) = args.get_path(["documents"]) else {
        return Err(invalid("`documents` must be an array of objects".into()));
    };
    writes_limit(documents.len(), "documents")?;
    let mut ids = Vec::with_capacity(documents.len());
    for (n, document) in documents.iter().enumerate() {
        let fields = user_fields(document, &format!("documents[{n}]"))?;
        ids.push(Value::String(tx.insert(table, fields)?.encode()));
    }
    Ok(Value::Array(ids))
}

fn patch_of(fields: &Value) -> Result<BTreeMap<String, PatchValue>, EngineError> {
    let Value::Object(fields) = fields else {
        return Err(invalid("`fields` must be an object".into()));
    };
    Ok(fields.iter().map(|(k, v)| (k.clone(), PatchValue::Set(v.clone()))).collect())
}

/// `{table, fields, ids}`: sets `fields` on every listed document.
fn patch_documents(tx: &mut Transaction, args: &Value) -> Result<Value, EngineError> {
    let patch = patch_of(args.get_path(["fields"]).unwrap_or(&Value::Null))?;
    let Some(Value::Array(ids)) = args.get_path(["ids"]) else {
        return Err(invalid("`ids` must be an array of document IDs".into()));
    };
    writes_limit(ids.len(), "documents")?;
    for id in ids {
        let id = tx_id(id.as_str().unwrap_or_default())?;
        tx.patch(&id, patch.clone())?;
    }
    Ok(Value::Null)
}

/// `{id, document}`: replaces a document's fields.
fn replace_document(tx: &mut Transaction, args: &Value) -> Result<Value, EngineError> {
    let id = tx_id(tx_str(args, "id")?)?;
    let fields = user_fields(args.get_path(["document"]).unwrap_or(&Value::Null), "`document`")?;
    tx.replace(&id, fields)?;
    Ok(Value::Null)
}

/// `{toDelete: [{id, tableName}]}`.
fn delete_documents(tx: &mut Transaction, args: &Value) -> Result<Value, EngineError> {
    let Some(Value::Array(list)) = args.get_path(["toDelete"]) else {
        return Err(invalid("`toDelete` must be an array of {id, tableName}".into()));
    };
    writes_limit(list.len(), "documents")?;
    for entry in list {
        let id = tx_id(entry.get_path(["id"]).and_then(Value::as_str).unwrap_or_default())?;
        tx.delete(&id)?;
    }
    Ok(Value::Null)
}

/// `{tableName, cursor}`: deletes up to 4,000 of the oldest documents; call again with the
/// returned cursor while `hasMore`.
fn clear_table_page(tx: &mut Transaction, args: &Value) -> Result<Value, EngineError> {
    let table = tx_str(args, "tableName")?;
    if tx.table_number(table).is_none() {
        return Err(EngineError::TableNotFound(table.to_owned()));
    }
    let index = tx.index(table, "by_creation_time")?;
    let page = tx.scan(&index, &KeyRange::all(), Order::Asc, None, 4_000)?;
    let deleted = page.documents.len();
    for (_, document) in &page.documents {
        tx.delete(&document.id)?;
    }
    Ok(object(vec![
        ("continueCursor", Value::Null),
        ("deleted", Value::Float64(deleted as f64)),
        ("hasMore", Value::Boolean(!page.exhausted)),
    ]))
}

/// `{table}`: creates an empty table (an error if it exists).
fn create_table(tx: &mut Transaction, args: &Value) -> Result<Value, EngineError> {
    let table = tx_str(args, "table")?;
    if tx.table_number(table).is_some() {
        return Err(invalid(format!("Table `{table}` already exists")));
    }
    let id = tx.insert(table, Object::new())?;
    tx.delete(&id)?;
    Ok(Value::Null)
}

/// `{writes: [{op: "insert", table, document} | {op: "patch", id, fields} |
/// {op: "replace", id, document} | {op: "delete", id}]}`: a staged edit set committed in
/// one transaction — all of it or, on the first error (named by its position), none.
fn apply_writes(tx: &mut Transaction, args: &Value) -> Result<Value, EngineError> {
    let Some(Value::Array(writes)) = args.get_path(["writes"]) else {
        return Err(invalid("`writes` must be an array".into()));
    };
    writes_limit(writes.len(), "writes")?;
    let mut inserted = Vec::new();
    for (n, write) in writes.iter().enumerate() {
        let at = |error: EngineError| invalid(format!("write {}: {error}", n + 1));
        let op = write.get_path(["op"]).and_then(Value::as_str).unwrap_or_default();
        let id = || tx_id(write.get_path(["id"]).and_then(Value::as_str).unwrap_or_default());
        let document = || write.get_path(["document"]).unwrap_or(&Value::Null);
        match op {
            "insert" => {
                let table = tx_str(write, "table").map_err(at)?;
                let fields = user_fields(document(), "`document`").map_err(at)?;
                inserted.push(Value::String(tx.insert(table, fields).map_err(at)?.encode()));
            }
            "patch" => {
                let id = id().map_err(at)?;
                let patch =
                    patch_of(write.get_path(["fields"]).unwrap_or(&Value::Null)).map_err(at)?;
                tx.patch(&id, patch).map_err(at)?;
            }
            "replace" => {
                let id = id().map_err(at)?;
                let fields = user_fields(document(), "`document`").map_err(at)?;
                tx.replace(&id, fields).map_err(at)?;
            }
            "delete" => tx.delete(&id().map_err(at)?).map_err(at)?,
            other => {
                return Err(at(invalid(format!(
                    "`op` must be insert, patch, replace or delete, not {other:?}"
                ))));
            }
        }
    }
    Ok(object(vec![("inserted", Value::Array(inserted))]))
}

/// `{id, ts}`: puts a document back as it was at revision `ts` (re-creating it if it was
/// deleted since).
fn restore_revision(
    engine: &Engine,
    tx: &mut Transaction,
    args: &Value,
) -> Result<Value, EngineError> {
    let id = tx_id(tx_str(args, "id")?)?;
    let ts = arg_number(args, &["ts"]).ok_or_else(|| invalid("Missing number `ts`".into()))?;
    let revision = engine
        .history(&id, 1000)?
        .into_iter()
        .find(|r| r.ts.0 as f64 == ts)
        .ok_or_else(|| invalid(format!("{} has no revision at {ts}", id.encode())))?;
    let document = revision
        .document
        .ok_or_else(|| invalid("that revision is a deletion; pick an earlier one".into()))?;
    tx.restore(document)?;
    Ok(Value::Null)
}
