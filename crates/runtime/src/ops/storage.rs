//! File storage ops (`ctx.storage`): `getUrl`, `getMetadata`, `generateUploadUrl`,
//! `delete`, and `store`/`get` (the library's 1.48 syscalls from mutations; actions reach
//! the same two ops through the prelude's `storage/storeBlob` and `storage/getBlob`).
//!
//! In queries and mutations every read and write goes through the execution's transaction
//! (so `getUrl` is reactive and `delete` commits with the mutation); in actions each call
//! is a transaction of its own. URLs come from the runner's
//! [`FileUrls`](crate::file_urls::FileUrls); bytes from the engine's blob store. It must
//! not speak HTTP.

use atrium_engine::{STORAGE_TABLE, StoredFile, decode_sha256};
use atrium_value::DocumentId;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Value as Json, json};

use super::OpResult;
use crate::call::FunctionKind;
use crate::components::names::qualify;
use crate::host::HostState;

/// The `_storage` table's number, which every storage ID carries.
const STORAGE_TABLE_NUMBER: u32 = 540;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IdArgs {
    storage_id: Option<Json>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoreArgs {
    blob: Option<String>,
    content_type: Option<String>,
    sha256: Option<String>,
}

fn base64() -> &'static base64::engine::GeneralPurpose {
    &base64::engine::general_purpose::STANDARD
}

/// A storage ID argument, with Convex's messages for what is not one. It must name a file
/// of the execution's own instance: each component stores its files in its own
/// `<path>/_storage`, as on Convex.
fn storage_id(
    state: &mut HostState,
    value: Option<&Json>,
    what: &str,
) -> Result<DocumentId, String> {
    let invalid = |detail: String| format!("Invalid argument `storageId` for `{what}`: {detail}");
    let text = match value {
        Some(Json::String(text)) => text,
        Some(other) => return Err(invalid(format!("Invalid storage ID: {other}."))),
        None => return Err(format!("Missing argument `storageId` for `{what}`")),
    };
    let id = DocumentId::decode(text).map_err(|_| {
        invalid(format!(
            "Invalid storage ID: \"{text}\". Storage ID should be an Id of '_storage' table, or a UUID string."
        ))
    })?;
    let own = qualify(&state.component, STORAGE_TABLE);
    let table = match state.kind {
        FunctionKind::Action => match state.calls() {
            Some(calls) => calls.engine().begin().table_name(id.table),
            None => None,
        },
        _ => state.tx_mut()?.table_name(id.table),
    };
    let ours = match table {
        Some(name) => name == own,
        // No such table yet: only the app's `_storage` has a number known in advance.
        None => state.component.is_empty() && id.table.0 == STORAGE_TABLE_NUMBER,
    };
    if !ours {
        return Err(invalid(
            "Invalid storage ID. Storage ID cannot be an ID on any table other than '_storage'."
                .into(),
        ));
    }
    Ok(id)
}

/// The file's row: through the transaction in queries and mutations, at the latest commit
/// in actions.
fn read_file(state: &mut HostState, id: &DocumentId) -> Result<Option<StoredFile>, String> {
    match state.kind {
        FunctionKind::Action => {
            let calls = state.calls().ok_or("File storage is not available here")?;
            calls.engine().file(id).map_err(|e| e.to_string())
        }
        _ => state.tx_mut()?.file(id).map_err(|e| e.to_string()),
    }
}

pub(crate) fn get_url(state: &mut HostState, args: IdArgs) -> OpResult {
    let id = storage_id(state, args.storage_id.as_ref(), "storage.getUrl")?;
    let file = read_file(state, &id)?;
    let calls = state.calls().ok_or("File storage is not available here")?;
    Ok(file.map_or(Json::Null, |f| json!(calls.file_urls().download_url(&f.id))))
}

pub(crate) fn get_metadata(state: &mut HostState, args: IdArgs) -> OpResult {
    let id = storage_id(state, args.storage_id.as_ref(), "storage.getMetadata")?;
    Ok(read_file(state, &id)?.map_or(Json::Null, |f| {
        json!({
            "storageId": f.id.encode(),
            "sha256": hex::encode(f.sha256),
            "size": f.size as f64,
            "contentType": f.content_type,
        })
    }))
}

pub(crate) fn generate_upload_url(state: &mut HostState) -> OpResult {
    if state.kind == FunctionKind::Query {
        return Err("storage.generateUploadUrl is not allowed in queries".into());
    }
    let calls = state.calls().ok_or("File storage is not available here")?;
    Ok(json!(calls.file_urls().upload_url(&state.component)))
}

pub(crate) fn delete(state: &mut HostState, args: IdArgs) -> OpResult {
    let id = storage_id(state, args.storage_id.as_ref(), "storage.delete")?;
    let missing = || format!("storage id {} not found", id.encode());
    match state.kind {
        FunctionKind::Query => Err("storage.delete is not allowed in queries".into()),
        FunctionKind::Mutation => {
            let tx = state.tx_mut()?;
            if tx.file(&id).map_err(|e| e.to_string())?.is_none() {
                return Err(missing());
            }
            tx.delete(&id).map_err(|e| e.to_string())?;
            Ok(Json::Null)
        }
        FunctionKind::Action => {
            let calls = state.calls().ok_or("File storage is not available here")?;
            let (found, _) = calls
                .engine()
                .run(16, |tx| {
                    let found = tx.file(&id)?.is_some();
                    if found {
                        tx.delete(&id)?;
                    }
                    Ok(found)
                })
                .map_err(|e| e.to_string())?;
            if found { Ok(Json::Null) } else { Err(missing()) }
        }
    }
}

pub(crate) fn store(state: &mut HostState, args: StoreArgs) -> OpResult {
    if state.kind == FunctionKind::Query {
        return Err("ctx.storage.store() is not supported in queries".into());
    }
    let encoded = args.blob.ok_or("Missing argument `blob` for `storage.store`")?;
    let bytes = base64()
        .decode(encoded)
        .map_err(|e| format!("Invalid argument `blob` for `storage.store`: {e}"))?;
    let content_type = args.content_type.filter(|t| !t.is_empty());
    let calls = state.calls().ok_or("File storage is not available here")?;
    let blob = calls.engine().blobs().put(&bytes).map_err(|e| format!("File storage: {e}"))?;
    if let Some(expected) = &args.sha256 {
        let actual = base64().encode(blob.sha256);
        if decode_sha256(expected) != Some(blob.sha256) {
            return Err(format!("Sha256 mismatch. Expected: {expected} Actual: {actual}"));
        }
    }
    let table = qualify(&state.component, STORAGE_TABLE);
    let id = if state.kind == FunctionKind::Action {
        let engine = calls.engine();
        engine.commit_file(&table, &blob, content_type.as_deref()).map_err(|e| e.to_string())?
    } else {
        let id = state.tx_mut()?.insert_file(&table, &blob, content_type.as_deref());
        // Pinned until the mutation's commit is done (the host state outlives it).
        state.staged_files.push(blob);
        id.map_err(|e| e.to_string())?
    };
    Ok(json!(id.encode()))
}

pub(crate) fn get(state: &mut HostState, args: IdArgs) -> OpResult {
    let id = storage_id(state, args.storage_id.as_ref(), "storage.get")?;
    let Some(file) = read_file(state, &id)? else { return Ok(Json::Null) };
    let calls = state.calls().ok_or("File storage is not available here")?;
    let bytes = calls
        .engine()
        .blobs()
        .read(&file.sha256)
        .map_err(|e| format!("File storage: cannot read {}: {e}", id.encode()))?;
    Ok(json!({ "blob": base64().encode(bytes), "contentType": file.content_type }))
}
