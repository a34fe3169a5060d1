//! Convex's dashboard file functions, `_system/frontend/fileStorageV2:*`, with the names,
//! arguments and answers Convex's own dashboard uses: the count, pages of files newest
//! first (each with its URL), one file, delete one or several, an upload URL. Each takes
//! `componentId` and sees that instance's own files (`<path>/_storage`).
//!
//! Arguments and answers are `atrium_protocol::storage`'s types. It must not serve bytes
//! (`routes/storage.rs` does) nor answer other dashboard functions.

use atrium_engine::{Engine, KeyRange, Order, STORAGE_TABLE, StoredFile, Transaction};
use atrium_protocol::dashboard::SortOrder;
use atrium_protocol::schedules::ComponentArgs;
use atrium_protocol::storage::{
    FileMetadata, FileMetadataArgs, FilePage, StorageIdArgs, StorageIdsArgs, path,
};
use atrium_runtime::components::names::qualify;
use atrium_runtime::file_urls::FileUrls;
use atrium_value::Value;

use super::args::{commit, encode, engine_message, invalid, page_size, read, tx_id, writes_limit};
use crate::Deployment;
use crate::component_ids::resolve;

/// The storage table of the instance a `componentId` names.
fn storage_of(deployment: &Deployment, component_id: Option<&str>) -> Result<String, String> {
    Ok(qualify(&resolve(deployment.engine(), component_id)?, STORAGE_TABLE))
}

/// Runs a read-only function in `tx`; `None` when `path` is not one of these.
pub(super) fn query(
    deployment: &Deployment,
    tx: &mut Transaction,
    path: &str,
    args: &Value,
) -> Option<Result<Value, String>> {
    let urls = deployment.upload_tokens();
    let storage = |id: Option<String>| storage_of(deployment, id.as_deref());
    Some(match path {
        path::NUM_FILES => read(path, args, |a: ComponentArgs| {
            let table = storage(a.component_id)?;
            if tx.table_number(&table).is_none() {
                return Ok(0.0);
            }
            tx.count(&table).map(|n| n as f64).map_err(engine_message)
        }),
        path::FILE_METADATA => read(path, args, |a: FileMetadataArgs| {
            let table = storage(a.component_id.clone())?;
            file_page(tx, &table, urls, a)
        }),
        path::GET_FILE => read(path, args, |a: StorageIdArgs| {
            let table = storage(a.component_id)?;
            let id = atrium_value::DocumentId::decode(&a.storage_id)
                .map_err(|e| format!("{:?} is not a storage ID: {e}", a.storage_id))?;
            if tx.table_name(id.table).as_deref() != Some(table.as_str()) {
                return Ok(None);
            }
            Ok(tx.file(&id).map_err(engine_message)?.map(|f| metadata(&f, urls)))
        }),
        _ => return None,
    })
}

/// Runs an editing function and commits it; `None` when `path` is not one of these.
pub(super) fn mutation(
    deployment: &Deployment,
    engine: &Engine,
    path: &str,
    args: &Value,
) -> Option<Result<(Value, u64), String>> {
    if ![path::DELETE_FILE, path::DELETE_FILES, path::GENERATE_UPLOAD_URL].contains(&path) {
        return None;
    }
    // Every one names its instance (`componentId`), resolved before the transaction.
    let table = match super::args::decode::<ComponentArgs>(path, args)
        .and_then(|a| storage_of(deployment, a.component_id.as_deref()))
    {
        Ok(table) => table,
        Err(error) => return Some(Err(error)),
    };
    Some(match path {
        path::DELETE_FILE => {
            commit(engine, path, args, |tx, a: &StorageIdArgs| delete(tx, &table, &a.storage_id))
        }
        path::DELETE_FILES => commit(engine, path, args, |tx, a: &StorageIdsArgs| {
            writes_limit(a.storage_ids.len(), "files")?;
            a.storage_ids.iter().try_for_each(|id| delete(tx, &table, id))
        }),
        path::GENERATE_UPLOAD_URL => {
            let component = atrium_value::names::split_component(&table).0.to_owned();
            let url = deployment.upload_tokens().upload_url(&component);
            encode(&url).map(|v| (v, engine.latest_ts().0))
        }
        _ => return None,
    })
}

/// Deletes a file of the storage table `table` (another instance's is "not found").
fn delete(tx: &mut Transaction, table: &str, text: &str) -> Result<(), atrium_engine::EngineError> {
    let id = tx_id(text)?;
    let ours = tx.table_name(id.table).as_deref() == Some(table);
    if !ours || tx.file(&id)?.is_none() {
        return Err(invalid(format!("storage id {text} not found")));
    }
    tx.delete(&id)
}

fn metadata(file: &StoredFile, urls: &dyn FileUrls) -> FileMetadata {
    FileMetadata {
        id: file.id.encode(),
        creation_time: file.creation_time,
        sha256: file.sha256_base64(),
        size: file.size as f64,
        content_type: file.content_type.clone(),
        url: urls.download_url(&file.id),
    }
}

/// A page of files by creation time (newest first unless `asc`), within the filters'
/// creation-time window.
fn file_page(
    tx: &mut Transaction,
    table: &str,
    urls: &dyn FileUrls,
    args: FileMetadataArgs,
) -> Result<FilePage, String> {
    let filters = args.filters.unwrap_or_default();
    let order = match filters.order {
        Some(SortOrder::Asc) => Order::Asc,
        None | Some(SortOrder::Desc) => Order::Desc,
    };
    let done = || FilePage { page: Vec::new(), is_done: true, continue_cursor: "end".into() };
    let after = match args.pagination_opts.cursor.as_deref() {
        None => None,
        Some("end") => return Ok(done()),
        Some(c) => Some(hex::decode(c).map_err(|_| format!("Invalid cursor {c:?}"))?),
    };
    if tx.table_number(table).is_none() {
        return Ok(done());
    }
    let index = tx.index(table, "by_creation_time").map_err(engine_message)?;
    let limit = page_size(args.pagination_opts.num_items);
    let scanned = tx
        .scan(&index, &KeyRange::all(), order, after.as_deref(), limit)
        .map_err(engine_message)?;
    let within = |t: f64| {
        filters.min_creation_time.is_none_or(|min| t >= min)
            && filters.max_creation_time.is_none_or(|max| t <= max)
    };
    let continue_cursor = match (scanned.exhausted, scanned.documents.last()) {
        (false, Some((key, _))) => hex::encode(key),
        _ => "end".to_owned(),
    };
    let page = scanned
        .documents
        .iter()
        .filter_map(|(_, d)| StoredFile::from_document(d))
        .filter(|f| within(f.creation_time))
        .map(|f| metadata(&f, urls))
        .collect();
    Ok(FilePage { page, is_done: scanned.exhausted, continue_cursor })
}
