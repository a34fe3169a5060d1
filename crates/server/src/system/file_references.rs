//! `_system/atrium/fileReferences` (Atrium's extension; a Convex deployment lacks it): the
//! documents that hold a file's storage ID, among the tables of the file's instance
//! (`componentId`; the app's when absent). Tables whose schema declares a field
//! `v.id("_storage")` are searched first, then every other user table, each document's
//! values walked for the ID as a string; a reference in a declared field is marked so.
//!
//! The search reads at the caller's snapshot and records what it scanned, so the answer can
//! stay live. It is bounded (references and documents searched) and says when it stopped
//! early. It must not write, nor look inside system tables (`_storage` itself included).

use atrium_engine::{KeyRange, Order, Transaction};
use atrium_protocol::storage::{FileReference, FileReferences, FileReferencesArgs};
use atrium_value::Value;
use atrium_value::validator::Validator;

use super::args::engine_message;
use crate::Deployment;

/// Most references one answer names (when the caller gives no limit).
const DEFAULT_REFERENCES: usize = 50;
/// Most references a caller may ask for.
const MAX_REFERENCES: usize = 1_000;
/// Most documents one search reads before it says it stopped early.
const MAX_SEARCHED: u64 = 200_000;
/// Documents read per scan page.
const PAGE: usize = 512;

/// The referring documents of `args.storage_id`.
pub(super) fn file_references(
    deployment: &Deployment,
    tx: &mut Transaction,
    args: FileReferencesArgs,
) -> Result<FileReferences, String> {
    let id = atrium_value::DocumentId::decode(&args.storage_id)
        .map_err(|e| format!("{:?} is not a storage ID: {e}", args.storage_id))?;
    let wanted = id.encode();
    let limit = match args.limit {
        None => DEFAULT_REFERENCES,
        Some(n) if n >= 1.0 && n.fract() == 0.0 => (n as usize).min(MAX_REFERENCES),
        Some(n) => return Err(format!("`limit` must be a whole number ≥ 1, not {n}")),
    };
    let component =
        crate::component_ids::resolve(deployment.engine(), args.component_id.as_deref())?;
    let schema = deployment.engine().schema();
    // The instance's user tables, those with declared `v.id("_storage")` fields first.
    let mut tables: Vec<(String, Vec<String>)> = tx
        .catalog()
        .tables()
        .filter(|t| {
            let (path, table) = atrium_value::names::split_component(&t.name);
            path == component && !table.starts_with('_')
        })
        .map(|t| {
            let declared = schema
                .as_ref()
                .and_then(|s| s.tables.get(&t.name))
                .and_then(|t| t.document.as_ref())
                .map(storage_fields)
                .unwrap_or_default();
            (t.name.clone(), declared)
        })
        .collect();
    tables.sort_by(|a, b| a.1.is_empty().cmp(&b.1.is_empty()).then_with(|| a.0.cmp(&b.0)));

    let mut answer = FileReferences { references: Vec::new(), searched: 0.0, complete: true };
    let mut searched = 0u64;
    'tables: for (table, declared) in &tables {
        let index = tx.index(table, "by_creation_time").map_err(engine_message)?;
        let mut after: Option<Vec<u8>> = None;
        loop {
            if searched >= MAX_SEARCHED {
                answer.complete = false;
                break 'tables;
            }
            let page = tx
                .scan(&index, &KeyRange::all(), Order::Asc, after.as_deref(), PAGE)
                .map_err(engine_message)?;
            after = page.documents.last().map(|(key, _)| key.clone());
            for (_, document) in &page.documents {
                searched += 1;
                let mut fields = Vec::new();
                for (name, value) in document.fields.iter() {
                    find(value, name, &wanted, &mut fields);
                }
                if fields.is_empty() {
                    continue;
                }
                if answer.references.len() == limit {
                    answer.complete = false;
                    break 'tables;
                }
                let is_declared = fields.iter().any(|f| declared.contains(&generic(f)));
                answer.references.push(FileReference {
                    table: table.clone(),
                    id: document.id.encode(),
                    fields,
                    declared: is_declared,
                });
            }
            if page.exhausted {
                break;
            }
        }
    }
    answer.searched = searched as f64;
    Ok(answer)
}

/// Appends to `out` the paths under `path` where `value` holds the string `wanted`.
fn find(value: &Value, path: &str, wanted: &str, out: &mut Vec<String>) {
    match value {
        Value::String(text) if text == wanted => out.push(path.to_owned()),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                find(item, &format!("{path}[{i}]"), wanted, out);
            }
        }
        Value::Object(fields) => {
            for (name, item) in fields.iter() {
                find(item, &format!("{path}.{name}"), wanted, out);
            }
        }
        _ => {}
    }
}

/// A found path with array positions made generic (`photos[2]` → `photos[]`), as
/// [`storage_fields`] names declared ones.
fn generic(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_brackets = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_brackets = true;
                out.push_str("[]");
            }
            ']' => in_brackets = false,
            _ if in_brackets => {}
            _ => out.push(c),
        }
    }
    out
}

/// The field paths a document validator declares `v.id("_storage")` (arrays as `name[]`,
/// nested objects as `a.b`; optional fields and unions included).
pub(super) fn storage_fields(validator: &Validator) -> Vec<String> {
    let mut out = Vec::new();
    walk(validator, "", &mut out);
    out.sort();
    out.dedup();
    out
}

fn walk(validator: &Validator, path: &str, out: &mut Vec<String>) {
    match validator {
        Validator::Id(table) if atrium_engine::is_storage_table(table) && !path.is_empty() => {
            out.push(path.into())
        }
        Validator::Array(item) => walk(item, &format!("{path}[]"), out),
        Validator::Object(fields) => {
            for (name, field) in fields {
                let inner = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
                walk(&field.validator, &inner, out);
            }
        }
        Validator::Union(options) => options.iter().for_each(|v| walk(v, path, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_storage_fields_are_found_through_arrays_objects_and_unions() {
        let json = serde_json::json!({
            "type": "object",
            "value": {
                "avatar": {"fieldType": {"type": "id", "tableName": "_storage"}, "optional": true},
                "owner": {"fieldType": {"type": "id", "tableName": "users"}, "optional": false},
                "photos": {"fieldType": {"type": "array", "value": {"type": "id", "tableName": "_storage"}}, "optional": false},
                "meta": {"fieldType": {"type": "union", "value": [
                    {"type": "null"},
                    {"type": "object", "value": {"file": {"fieldType": {"type": "id", "tableName": "_storage"}, "optional": false}}}
                ]}, "optional": false}
            }
        });
        let validator = Validator::from_json(&json).unwrap();
        assert_eq!(storage_fields(&validator), vec!["avatar", "meta.file", "photos[]"]);
    }

    #[test]
    fn found_paths_name_array_positions_and_nesting() {
        let wanted = "kg2abc";
        let value = Value::Object(
            [
                ("photos".to_owned(), Value::Array(vec![Value::from("x"), Value::from(wanted)])),
                (
                    "meta".to_owned(),
                    Value::Object([("file".to_owned(), Value::from(wanted))].into_iter().collect()),
                ),
            ]
            .into_iter()
            .collect(),
        );
        let mut found = Vec::new();
        if let Value::Object(fields) = &value {
            for (name, value) in fields.iter() {
                find(value, name, wanted, &mut found);
            }
        }
        found.sort();
        assert_eq!(found, vec!["meta.file", "photos[1]"]);
        assert_eq!(generic("photos[1]"), "photos[]");
        assert_eq!(generic("a[0].b[12]"), "a[].b[]");
    }
}
