//! Document ops: `db.get`, `insert`, `patch` (`shallowMerge`), `replace`, `delete`
//! (`remove`), `count`, `normalizeId` and the snapshot timestamp, on the execution's
//! transaction. Writes are refused outside mutations. Written values may hold
//! `db.vars.commitTs` (`{"$commitTs": null}`); a read of the transaction's own write hands
//! the token back, as Convex does, until the commit resolves it.

use std::collections::BTreeMap;

use atrium_engine::{Document, PatchValue, Transaction};
use atrium_value::json::to_json;
use atrium_value::json_text::object_with_to_json_text;
use atrium_value::names::{CREATION_TIME_FIELD, ID_FIELD};
use atrium_value::pending::CommitTsSlots;
use atrium_value::{DocumentId, Object, Value};
use serde::Deserialize;
use serde_json::{Value as Json, json};

use super::OpResult;
use crate::host::HostState;

/// A document ID, and the table the library expects it in (when it says).
#[derive(Debug, Deserialize)]
pub(crate) struct IdArgs {
    id: Option<String>,
    table: Option<String>,
}

/// `insert`, `shallowMerge` and `replace`: a table or document, and a value.
#[derive(Debug, Deserialize)]
pub(crate) struct WriteArgs {
    id: Option<String>,
    table: Option<String>,
    #[serde(default, deserialize_with = "super::present")]
    value: Option<Json>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct CountArgs {
    table: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NormalizeIdArgs {
    table: Option<String>,
    id_string: Option<String>,
}

/// Decodes `id` (the argument named `key` of `op`), checking it names a document of
/// `table` when one is given.
fn document_id(
    state: &mut HostState,
    id: Option<&str>,
    table: Option<&str>,
    key: &str,
    op: &str,
) -> Result<DocumentId, String> {
    let text = id.ok_or_else(|| format!("Missing argument `{key}` for `{op}`"))?;
    let id = DocumentId::decode(text)
        .map_err(|e| format!("Invalid argument `{key}` for `{op}`: Unable to decode ID: {e}"))?;
    let qualified = state.tx_mut()?.table_name(id.table);
    // An ID of another component instance's table names nothing here.
    let actual = match &qualified {
        Some(name) => Some(state.own_table(name).ok_or_else(|| {
            format!("Invalid argument `{key}` for `{op}`: Unable to decode ID: the ID is of a table outside this component")
        })?),
        None => None,
    };
    if let Some(expected) = table
        && actual != Some(expected)
    {
        return Err(format!(
            "Invalid argument `{key}` for `{op}`: expected to be an Id<\"{expected}\">, got Id<\"{}\"> instead.",
            actual.unwrap_or("unknown")
        ));
    }
    Ok(id)
}

/// A document as Convex JSON for the function, with the `{"$commitTs": null}` token where
/// the transaction's own write still holds a placeholder.
pub(crate) fn document_json(tx: &Transaction, document: &Document) -> Json {
    match tx.commit_ts_slots(&document.id) {
        Some(slots) if !slots.is_empty() => slots.encode(&document.to_value()),
        _ => to_json(&document.to_value()),
    }
}

/// [`document_json`] as text, written straight from the stored fields (no copy of the
/// document, no JSON tree) unless the transaction's own write still holds a placeholder.
pub(crate) fn document_json_text(tx: &Transaction, document: &Document) -> String {
    match tx.commit_ts_slots(&document.id) {
        Some(slots) if !slots.is_empty() => slots.encode(&document.to_value()).to_string(),
        _ => object_with_to_json_text(
            &document.fields,
            &[
                (CREATION_TIME_FIELD, Value::Float64(document.creation_time)),
                (ID_FIELD, Value::String(document.id.encode())),
            ],
        ),
    }
}

/// The document `id` as Convex JSON, or `null`.
fn read(state: &mut HostState, id: &DocumentId) -> OpResult {
    let tx = state.tx_mut()?;
    Ok(match tx.get(id).map_err(|e| e.to_string())? {
        Some(document) => document_json(tx, &document),
        None => Json::Null,
    })
}

/// `db.get`'s reply as text (see [`document_json_text`]).
pub(crate) fn get(state: &mut HostState, args: IdArgs) -> Result<String, String> {
    let id = document_id(state, args.id.as_deref(), args.table.as_deref(), "id", "db.get")?;
    let tx = state.tx_mut()?;
    Ok(match tx.get(&id).map_err(|e| e.to_string())? {
        Some(document) => document_json_text(tx, &document),
        None => "null".to_owned(),
    })
}

pub(crate) fn insert(state: &mut HostState, args: WriteArgs) -> OpResult {
    state.require_mutation("db.insert")?;
    let table = args.table.as_deref().ok_or("Missing argument `table` for `db.insert`")?;
    let (fields, slots) = object_arg(args.value.as_ref(), "db.insert")?;
    let table = state.table(table);
    let id =
        state.tx_mut()?.insert_with_commit_ts(&table, fields, slots).map_err(|e| e.to_string())?;
    Ok(json!({ "_id": id.encode() }))
}

pub(crate) fn patch(state: &mut HostState, args: WriteArgs) -> OpResult {
    state.require_mutation("db.patch")?;
    let id = document_id(state, args.id.as_deref(), args.table.as_deref(), "id", "db.patch")?;
    let value =
        args.value.as_ref().and_then(Json::as_object).ok_or("`db.patch` takes an object")?;
    let mut patch = BTreeMap::new();
    let mut slots = CommitTsSlots::default();
    for (name, field) in value {
        let change = match field.as_object() {
            Some(m) if m.len() == 1 && m.contains_key("$undefined") => PatchValue::Remove,
            _ => {
                let (value, inner) = CommitTsSlots::decode(field)
                    .map_err(|e| format!("Invalid patch for `{name}`: {e}"))?;
                slots.extend(inner.under(name));
                PatchValue::Set(value)
            }
        };
        if name == ID_FIELD || name == CREATION_TIME_FIELD {
            continue; // The library sends them back unchanged; they cannot change.
        }
        patch.insert(name.clone(), change);
    }
    if state.tx_mut()?.get(&id).map_err(|e| e.to_string())?.is_none() {
        return Err(format!("Update on nonexistent document ID {id}"));
    }
    state.tx_mut()?.patch_with_commit_ts(&id, patch, slots).map_err(|e| e.to_string())?;
    read(state, &id)
}

pub(crate) fn replace(state: &mut HostState, args: WriteArgs) -> OpResult {
    state.require_mutation("db.replace")?;
    let id = document_id(state, args.id.as_deref(), args.table.as_deref(), "id", "db.replace")?;
    let (mut fields, slots) = object_arg(args.value.as_ref(), "db.replace")?;
    let Some(existing) = state.tx_mut()?.get(&id).map_err(|e| e.to_string())? else {
        return Err(format!("Replace on nonexistent document ID {id}"));
    };
    if let Some(given) = fields.remove(ID_FIELD)
        && given != Value::String(id.encode())
    {
        return Err("Document's _id field doesn't match".into());
    }
    if let Some(given) = fields.remove(CREATION_TIME_FIELD)
        && given != Value::Float64(existing.creation_time)
    {
        return Err("Document's _creationTime field doesn't match".into());
    }
    state.tx_mut()?.replace_with_commit_ts(&id, fields, slots).map_err(|e| e.to_string())?;
    read(state, &id)
}

pub(crate) fn remove(state: &mut HostState, args: IdArgs) -> OpResult {
    state.require_mutation("db.delete")?;
    let id = document_id(state, args.id.as_deref(), args.table.as_deref(), "id", "db.delete")?;
    let tx = state.tx_mut()?;
    let Some(existing) = tx.get(&id).map_err(|e| e.to_string())? else {
        return Err(format!("Delete on nonexistent document ID {id}"));
    };
    let json = document_json(tx, &existing);
    tx.delete(&id).map_err(|e| e.to_string())?;
    Ok(json)
}

pub(crate) fn count(state: &mut HostState, args: CountArgs) -> OpResult {
    let table = state.table(args.table.as_deref().ok_or("Missing argument `table`")?);
    Ok(json!(state.tx_mut()?.collect_table(&table).map_err(|e| e.to_string())?.len() as f64))
}

pub(crate) fn normalize_id(state: &mut HostState, args: NormalizeIdArgs) -> OpResult {
    let table = state.table(args.table.as_deref().ok_or("Missing argument `table`")?);
    let table = table.as_str();
    let text = args.id_string.as_deref().ok_or("Missing argument `idString`")?;
    let tx = state.tx_mut()?;
    let id = DocumentId::decode(text)
        .ok()
        .filter(|id| tx.table_name(id.table).as_deref() == Some(table));
    Ok(json!({ "id": id.map(|id| id.encode()) }))
}

/// The commit the execution reads at (`getSnapshotTs`), as a Convex `Int64`.
pub(crate) fn snapshot_ts(state: &mut HostState) -> OpResult {
    Ok(json!(to_json(&Value::Int64(state.tx_mut()?.snapshot().0 as i64))))
}

/// A written document's fields, and where they hold `db.vars.commitTs`.
fn object_arg(value: Option<&Json>, op: &str) -> Result<(Object, CommitTsSlots), String> {
    match CommitTsSlots::decode(
        value.ok_or_else(|| format!("Missing argument `value` for `{op}`"))?,
    ) {
        Ok((Value::Object(fields), slots)) => Ok((fields, slots)),
        Ok((other, _)) => Err(format!("`{op}` takes an object, not {}", other.value_type().name())),
        Err(e) => Err(format!("Invalid value for `{op}`: {e}")),
    }
}
