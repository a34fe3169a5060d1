//! Convex's dashboard functions, `_system/frontend/*`, with the names and argument shapes
//! Convex's own dashboard calls: the table mapping and sizes, pages of a table, a document
//! by ID, indexes, schemas, and the data editing mutations (add, patch, replace, delete,
//! clear a table page, create a table).
//!
//! Arguments and answers are `atrium_protocol::dashboard`'s types. It must not answer
//! Atrium's own extensions (see [`super::atrium`]).

use std::collections::BTreeMap;

use atrium_engine::{Engine, EngineError, IndexState, KeyRange, Order, PatchValue, Transaction};
use atrium_protocol::dashboard::{
    AddDocumentArgs, Backfill, ClearTablePage, ClearTablePageArgs, CreateTableArgs,
    DeleteDocumentsArgs, DocumentPage, GetByIdArgs, IndexInfo, IndexesArgs, MaybeDocument,
    PaginatedTableDocumentsArgs, PatchDocumentsFieldsArgs, ReplaceDocumentArgs, Schemas, SortOrder,
    TableMapping, TableSizeArgs, path,
};
use atrium_protocol::deployment_events::{ClearTablesMetadata, action};
use atrium_protocol::table_filters::FilterExpression;
use atrium_value::{Object, Value};

use super::args::{
    commit, encode, engine_message, invalid, page_size, parse_id, read, tx_id, user_fields,
    writes_limit,
};
use super::table_filters::{self, DocumentFilter};
use crate::Deployment;

/// Runs a read-only function in `tx`; `None` when `path` is not one of these.
pub(super) fn query(
    deployment: &Deployment,
    tx: &mut Transaction,
    path: &str,
    args: &Value,
) -> Option<Result<Value, String>> {
    Some(match path {
        path::TABLE_MAPPING => encode(&table_mapping(tx)),
        path::TABLE_SIZE => read(path, args, |a: TableSizeArgs| {
            tx.count(&a.table_name).map(|n| n as f64).map_err(engine_message)
        }),
        path::PAGINATED_TABLE_DOCUMENTS => read(path, args, |a| paginated_documents(tx, a)),
        path::GET_BY_ID => read(path, args, |a: GetByIdArgs| {
            let id = parse_id(&a.id)?;
            Ok(MaybeDocument(tx.get(&id).map_err(engine_message)?.map(|d| d.to_value())))
        }),
        path::INDEXES => read(path, args, |a: IndexesArgs| Ok(indexes(tx, &a.table_name))),
        path::GET_SCHEMAS => encode(&schemas(deployment)),
        _ => return None,
    })
}

/// Runs an editing function and commits it; `None` when `path` is not one of these.
pub(super) fn mutation(
    engine: &Engine,
    path: &str,
    args: &Value,
) -> Option<Result<(Value, u64), String>> {
    Some(match path {
        path::ADD_DOCUMENT => commit(engine, path, args, add_documents),
        path::PATCH_DOCUMENTS_FIELDS => commit(engine, path, args, patch_documents),
        path::REPLACE_DOCUMENT => commit(engine, path, args, |tx, a: &ReplaceDocumentArgs| {
            let id = tx_id(&a.id)?;
            tx.replace(&id, user_fields(&a.document, "`document`")?)
        }),
        path::DELETE_DOCUMENTS => commit(engine, path, args, |tx, a: &DeleteDocumentsArgs| {
            writes_limit(a.to_delete.len(), "documents")?;
            a.to_delete.iter().try_for_each(|entry| tx.delete(&tx_id(&entry.id)?))
        }),
        path::CLEAR_TABLE_PAGE => commit(engine, path, args, clear_table_page),
        path::CREATE_TABLE => commit(engine, path, args, create_table),
        _ => return None,
    })
}

/// Every user table, components' included (named `<component>/<table>`), without the
/// system tables of the app or of any component.
fn table_mapping(tx: &Transaction) -> TableMapping {
    tx.catalog()
        .tables()
        .filter(|t| !atrium_value::names::split_component(&t.name).1.starts_with('_'))
        .map(|t| (t.number.0.to_string(), t.name.clone()))
        .collect()
}

/// Most documents a filtered page reads before it answers short (Convex stops a page at a
/// similar budget).
const MAX_ROWS_READ: usize = 16_384;

fn done_page(page: Vec<Value>) -> DocumentPage {
    DocumentPage { page, is_done: true, continue_cursor: Some("end".to_owned()) }
}

/// Documents of a table a page at a time, newest first unless `order` says "asc", through
/// Convex's `filters` when given (`table_filters.rs`): its index range read in that index's
/// order, its clauses tested on each document. A filtered page stops after
/// [`MAX_ROWS_READ`] documents read even when short, with a cursor to go on from, as
/// Convex's does.
fn paginated_documents(
    tx: &mut Transaction,
    args: PaginatedTableDocumentsArgs,
) -> Result<DocumentPage, String> {
    let table = args.table.as_str();
    let expression = args.filters.as_deref().map(FilterExpression::decode).transpose()?;
    let filter = expression.as_ref().map(DocumentFilter::new).transpose()?.unwrap_or_default();
    let order = match args.order.or(expression.as_ref().and_then(|e| e.order)) {
        Some(SortOrder::Asc) => Order::Asc,
        None | Some(SortOrder::Desc) => Order::Desc,
    };
    let limit = page_size(args.pagination_opts.num_items);
    let mut after = match args.pagination_opts.cursor.as_deref() {
        None => None,
        Some("end") => return Ok(done_page(Vec::new())),
        Some(c) => Some(hex::decode(c).map_err(|_| format!("Invalid cursor {c:?}"))?),
    };
    if tx.table_number(table).is_none() {
        return Ok(done_page(Vec::new()));
    }
    let (index, range) = match expression.as_ref().and_then(|e| e.index.as_ref()) {
        Some(chosen) => {
            let index = tx.index(table, &chosen.name).map_err(engine_message)?;
            let fields: Vec<String> = index.declared_fields().iter().map(|f| f.join(".")).collect();
            let exprs = table_filters::index_range(&fields, chosen)?;
            let range =
                atrium_engine::range::compile(&index, &format!("{table}.{}", chosen.name), &exprs)
                    .map_err(engine_message)?;
            (index, range)
        }
        None => (tx.index(table, "by_creation_time").map_err(engine_message)?, KeyRange::all()),
    };
    let (mut documents, mut read) = (Vec::new(), 0usize);
    let mut exhausted = loop {
        let page =
            tx.scan(&index, &range, order, after.as_deref(), limit).map_err(engine_message)?;
        read += page.documents.len();
        if let Some((key, _)) = page.documents.last() {
            after = Some(key.clone());
        }
        for (key, document) in page.documents {
            let value = document.to_value();
            if filter.matches(&value) {
                documents.push((key, value));
            }
        }
        if page.exhausted || documents.len() >= limit || read >= MAX_ROWS_READ {
            break page.exhausted;
        }
    };
    // More matches than asked for: the page ends at the last one kept.
    if documents.len() > limit {
        documents.truncate(limit);
        after = documents.last().map(|(key, _)| key.clone());
        exhausted = false;
    }
    let next = match (exhausted, after) {
        (false, Some(key)) => hex::encode(key),
        _ => "end".to_owned(),
    };
    Ok(DocumentPage {
        page: documents.into_iter().map(|(_, d)| d).collect(),
        is_done: exhausted,
        continue_cursor: Some(next),
    })
}

fn indexes(tx: &mut Transaction, table: &str) -> Vec<IndexInfo> {
    let Some(number) = tx.table_number(table) else { return Vec::new() };
    let catalog = tx.catalog();
    // Search indexes answer `{searchField, filterFields}` as their fields, as on Convex.
    let search = tx.search_index_names(table).into_iter().filter_map(|name| {
        let spec = tx.search_index_spec(table, &name)?;
        Some(IndexInfo {
            name,
            fields: serde_json::json!({
                "searchField": spec.search_field,
                "filterFields": spec.filter_fields,
            }),
            backfill: Backfill { state: "done".to_owned() },
        })
    });
    let search: Vec<IndexInfo> = search.collect();
    catalog
        .indexes_of(number)
        .filter(|i| i.name != "by_id")
        .map(|i| IndexInfo {
            name: i.name.clone(),
            fields: i.declared_fields().iter().map(|f| f.join(".")).collect(),
            backfill: Backfill {
                state: match i.state {
                    IndexState::Backfilling => "backfilling",
                    IndexState::Ready => "done",
                }
                .to_owned(),
            },
        })
        .chain(search)
        .collect()
}

/// The schema in force as Convex's schema JSON text, as the project's `export()` wrote it
/// (so fields keep their declared order); none in progress.
fn schemas(deployment: &Deployment) -> Schemas {
    let active = deployment.engine().schema().map(|schema| {
        if schema.exported_text.is_empty() {
            schema.exported.to_string()
        } else {
            schema.exported_text.clone()
        }
    });
    Schemas { active, in_progress: None }
}

/// Inserts all or none; answers their IDs.
fn add_documents(tx: &mut Transaction, args: &AddDocumentArgs) -> Result<Vec<String>, EngineError> {
    writes_limit(args.documents.len(), "documents")?;
    let mut ids = Vec::with_capacity(args.documents.len());
    for (n, document) in args.documents.iter().enumerate() {
        let fields = user_fields(document, &format!("documents[{n}]"))?;
        ids.push(tx.insert(&args.table, fields)?.encode());
    }
    Ok(ids)
}

pub(super) fn patch_of(fields: &Value) -> Result<BTreeMap<String, PatchValue>, EngineError> {
    let Value::Object(fields) = fields else {
        return Err(invalid("`fields` must be an object".into()));
    };
    Ok(fields.iter().map(|(k, v)| (k.clone(), PatchValue::Set(v.clone()))).collect())
}

/// Sets `fields` on every listed document.
fn patch_documents(
    tx: &mut Transaction,
    args: &PatchDocumentsFieldsArgs,
) -> Result<(), EngineError> {
    let patch = patch_of(&args.fields)?;
    writes_limit(args.ids.len(), "documents")?;
    for id in &args.ids {
        tx.patch(&tx_id(id)?, patch.clone())?;
    }
    Ok(())
}

/// Deletes up to 4,000 of the oldest documents; call again while `hasMore`.
fn clear_table_page(
    tx: &mut Transaction,
    args: &ClearTablePageArgs,
) -> Result<ClearTablePage, EngineError> {
    let table = args.table_name.as_str();
    if tx.table_number(table).is_none() {
        return Err(EngineError::TableNotFound(table.to_owned()));
    }
    let index = tx.index(table, "by_creation_time")?;
    let page = tx.scan(&index, &KeyRange::all(), Order::Asc, None, 4_000)?;
    let deleted = page.documents.len();
    for (_, document) in &page.documents {
        tx.delete(&document.id)?;
    }
    if page.exhausted && deleted > 0 {
        // The table is now empty: a deployment event, with its name only.
        let metadata = ClearTablesMetadata { table_names: vec![table.to_owned()] };
        crate::deployment_events::record(tx, action::CLEAR_TABLES, &metadata)?;
    }
    Ok(ClearTablePage { continue_cursor: None, deleted: deleted as f64, has_more: !page.exhausted })
}

/// Creates an empty table (an error if it exists).
fn create_table(tx: &mut Transaction, args: &CreateTableArgs) -> Result<(), EngineError> {
    let table = args.table.as_str();
    if tx.table_number(table).is_some() {
        return Err(invalid(format!("Table `{table}` already exists")));
    }
    let id = tx.insert(table, Object::new())?;
    tx.delete(&id)
}
