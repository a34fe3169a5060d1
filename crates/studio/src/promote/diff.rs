//! What a push of a local project changes on a target deployment, worked out from what
//! both deployments answer (their function specs, schemas, module hashes and environment
//! variable names): functions added, removed or changed, tables and indexes added, removed
//! or changed, and the variables the project has that the target lacks (names only).
//!
//! It must not fetch anything (`promote/mod.rs` does) nor see a variable's value.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use ts_rs::TS;

/// A function's signature as `_system/cli/modules:apiSpec` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signature {
    /// `module:function` (module without `.js`).
    pub path: String,
    /// Kind, visibility and validators, compared as one.
    pub shape: String,
}

/// Added, removed and changed names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct Changes {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<String>,
}

impl Changes {
    fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// What the push changes on the target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct PushDiff {
    /// `module:function`; changed: its signature or its module's code differs.
    pub functions: Changes,
    /// Tables of the schema; changed: the document validator differs.
    pub tables: Changes,
    /// `table.index` (database, search and vector indexes); changed: its fields differ.
    pub indexes: Changes,
    /// Environment variables the project has and the target lacks (names only).
    pub missing_env: Vec<String>,
    /// Nothing would change.
    pub unchanged: bool,
}

/// Signatures from an `apiSpec` answer (HTTP routes are left out).
pub(crate) fn signatures(spec: &serde_json::Value) -> Vec<Signature> {
    let mut out = Vec::new();
    for entry in spec.as_array().into_iter().flatten() {
        let kind = entry.get("functionType").and_then(|v| v.as_str()).unwrap_or_default();
        if kind == "HttpAction" {
            continue;
        }
        let identifier = entry.get("identifier").and_then(|v| v.as_str()).unwrap_or_default();
        let (module, name) = identifier.split_once(':').unwrap_or((identifier, "default"));
        let shape = serde_json::json!([
            kind,
            entry.pointer("/visibility/kind"),
            entry.get("args"),
            entry.get("returns")
        ]);
        out.push(Signature {
            path: format!("{}:{name}", module.trim_end_matches(".js")),
            shape: shape.to_string(),
        });
    }
    out
}

fn names<T: Ord + Clone>(map: &BTreeMap<T, String>) -> BTreeSet<T> {
    map.keys().cloned().collect()
}

fn compare(ours: &BTreeMap<String, String>, theirs: &BTreeMap<String, String>) -> Changes {
    let (a, b) = (names(ours), names(theirs));
    Changes {
        added: a.difference(&b).cloned().collect(),
        removed: b.difference(&a).cloned().collect(),
        changed: a.intersection(&b).filter(|n| ours[*n] != theirs[*n]).cloned().collect(),
    }
}

/// The functions the push adds, removes and changes: `local` against `target`, a function
/// in both changed when its signature or its module's hash differs.
pub(crate) fn functions(
    local: &[Signature],
    target: &[Signature],
    local_hashes: &BTreeMap<String, String>,
    target_hashes: &BTreeMap<String, String>,
) -> Changes {
    let with_hash = |sigs: &[Signature], hashes: &BTreeMap<String, String>| {
        sigs.iter()
            .map(|s| {
                let module = format!("{}.js", s.path.split(':').next().unwrap_or_default());
                let hash = hashes.get(&module).cloned().unwrap_or_default();
                (s.path.clone(), format!("{}#{hash}", s.shape))
            })
            .collect::<BTreeMap<_, _>>()
    };
    compare(&with_hash(local, local_hashes), &with_hash(target, target_hashes))
}

/// Each table's document validator and each index's definition, from Convex's schema
/// JSON text (none: no schema).
fn schema_parts(text: Option<&str>) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let (mut tables, mut indexes) = (BTreeMap::new(), BTreeMap::new());
    let schema: serde_json::Value =
        text.and_then(|t| serde_json::from_str(t).ok()).unwrap_or_default();
    for table in schema.get("tables").and_then(|t| t.as_array()).into_iter().flatten() {
        let Some(name) = table.get("tableName").and_then(|n| n.as_str()) else { continue };
        let validator = table.get("documentType").map(|d| d.to_string()).unwrap_or_default();
        tables.insert(name.to_owned(), validator);
        for family in ["indexes", "searchIndexes", "vectorIndexes", "stagedDbIndexes"] {
            for index in table.get(family).and_then(|i| i.as_array()).into_iter().flatten() {
                let Some(index_name) = index.get("indexDescriptor").and_then(|n| n.as_str()) else {
                    continue;
                };
                let mut definition = index.clone();
                if let Some(object) = definition.as_object_mut() {
                    object.remove("indexDescriptor");
                }
                indexes.insert(format!("{name}.{index_name}"), definition.to_string());
            }
        }
    }
    (tables, indexes)
}

/// The whole diff.
pub(crate) fn push_diff(
    functions: Changes,
    local_schema: Option<&str>,
    target_schema: Option<&str>,
    local_env: &[String],
    target_env: &[String],
) -> PushDiff {
    let (local_tables, local_indexes) = schema_parts(local_schema);
    let (target_tables, target_indexes) = schema_parts(target_schema);
    let tables = compare(&local_tables, &target_tables);
    let indexes = compare(&local_indexes, &target_indexes);
    let missing_env: Vec<String> =
        local_env.iter().filter(|n| !target_env.contains(n)).cloned().collect();
    let unchanged = functions.is_empty() && tables.is_empty() && indexes.is_empty();
    PushDiff { functions, tables, indexes, missing_env, unchanged }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sig(path: &str, shape: &str) -> Signature {
        Signature { path: path.into(), shape: shape.into() }
    }

    #[test]
    fn functions_are_added_removed_and_changed_by_signature_or_code() {
        let local = [sig("a:x", "q"), sig("a:y", "m"), sig("b:z", "q"), sig("c:new", "q")];
        let target = [sig("a:x", "q"), sig("a:y", "q"), sig("b:z", "q"), sig("d:old", "q")];
        let hashes = |b: &str| {
            BTreeMap::from([("a.js".to_owned(), "1".to_owned()), ("b.js".to_owned(), b.to_owned())])
        };
        let changes = functions(&local, &target, &hashes("2"), &hashes("3"));
        assert_eq!(changes.added, vec!["c:new"]);
        assert_eq!(changes.removed, vec!["d:old"]);
        assert_eq!(changes.changed, vec!["a:y", "b:z"], "a:y's kind, b's code");
    }

    #[test]
    fn tables_indexes_and_env_names() {
        let local = json!({"tables": [
            {"tableName": "tasks", "documentType": {"type": "object", "value": {}},
             "indexes": [{"indexDescriptor": "by_done", "fields": ["done"]}],
             "searchIndexes": [{"indexDescriptor": "search", "searchField": "text", "filterFields": []}]},
            {"tableName": "notes", "documentType": null, "indexes": []}
        ]})
        .to_string();
        let target = json!({"tables": [
            {"tableName": "tasks", "documentType": {"type": "any"},
             "indexes": [{"indexDescriptor": "by_done", "fields": ["done", "at"]},
                         {"indexDescriptor": "by_owner", "fields": ["owner"]}]},
            {"tableName": "old", "documentType": null, "indexes": []}
        ]})
        .to_string();
        let env = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        let diff = push_diff(
            Changes::default(),
            Some(&local),
            Some(&target),
            &env(&["API_KEY", "SHARED"]),
            &env(&["SHARED", "OTHER"]),
        );
        assert_eq!(diff.tables.added, vec!["notes"]);
        assert_eq!(diff.tables.removed, vec!["old"]);
        assert_eq!(diff.tables.changed, vec!["tasks"]);
        assert_eq!(diff.indexes.added, vec!["tasks.search"]);
        assert_eq!(diff.indexes.removed, vec!["tasks.by_owner"]);
        assert_eq!(diff.indexes.changed, vec!["tasks.by_done"]);
        assert_eq!(diff.missing_env, vec!["API_KEY"]);
        assert!(!diff.unchanged);
        let same = push_diff(Changes::default(), Some(&local), Some(&local), &[], &[]);
        assert!(same.unchanged);
        let fresh = push_diff(Changes::default(), Some(&local), None, &[], &[]);
        assert_eq!(fresh.tables.added, vec!["notes", "tasks"]);
    }

    #[test]
    fn api_spec_entries_become_signatures() {
        let spec = json!([
            {"identifier": "tasks.js:list", "functionType": "Query", "visibility": {"kind": "public"}, "args": "{}", "returns": "{}"},
            {"functionType": "HttpAction", "method": "GET", "path": "/x"}
        ]);
        let sigs = signatures(&spec);
        assert_eq!(sigs.len(), 1);
        assert_eq!(sigs[0].path, "tasks:list");
    }
}
