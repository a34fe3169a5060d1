//! Deployment events (Convex's deployment audit log): what changed in the deployment, kept
//! as documents of the `_deployment_audit_log` system table (`{action, member_id: null,
//! metadata}`) in the same transaction as the change where there is one (environment
//! variables, imports, clearing a table), and after the code serves for pushes and reloads.
//!
//! Code changes are found by comparing a summary of the code now serving (each function's
//! signature and its module's source hash, modules, indexes, the schema text) with the
//! summary stored at the previous change (`_atrium_code_state`, one document), so a restart
//! of the same code records nothing, while a push records even when it changed nothing,
//! as Convex does.
//!
//! It must not store an environment variable's value, nor a document's contents.

use std::collections::BTreeMap;

use atrium_engine::{Engine, EngineError, Transaction};
use atrium_protocol::convex_json;
use atrium_protocol::deployment_events::{
    ComponentDiff, ComponentPathDiff, DiffType, FunctionDiff, IndexDiff, IndexMetadata, NameDiff,
    PushMetadata, ResetMetadata, SchemaDiff, TABLE, action,
};
use atrium_runtime::analysis::Analysis;
use atrium_runtime::components::tree::ComponentTree;
use atrium_value::{Object, Value};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The system table holding the summary of the code recorded last.
const CODE_STATE_TABLE: &str = "_atrium_code_state";

/// Records one event in `tx`; `metadata` is one of `deployment_events`' metadata types.
pub(crate) fn record<M: Serialize>(
    tx: &mut Transaction,
    action: &str,
    metadata: &M,
) -> Result<(), EngineError> {
    let metadata = convex_json::to_value(metadata).map_err(EngineError::Corrupt)?;
    let mut fields = Object::new();
    fields.insert("action".into(), Value::from(action));
    fields.insert("member_id".into(), Value::Null);
    fields.insert("metadata".into(), metadata);
    tx.insert_system(TABLE, fields)?;
    Ok(())
}

/// Records that the deployment's data was deleted and it started again empty (a local
/// project's reset); `requestor` names who asked (`"studio"`).
pub fn record_reset(engine: &Engine, requestor: &str) -> Result<(), EngineError> {
    let metadata = ResetMetadata { requestor: requestor.to_owned() };
    engine.run(1, |tx| record(tx, action::RESET_DEPLOYMENT, &metadata)).map(|_| ())
}

/// One component instance's code, as far as History compares it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct InstanceSummary {
    /// `module:function` → signature and module source hash.
    functions: BTreeMap<String, String>,
    /// Module paths (`messages.js`).
    modules: Vec<String>,
    /// `table.index` → the index as the audit log shows it.
    indexes: BTreeMap<String, IndexMetadata>,
    /// The schema's JSON text.
    schema: Option<String>,
}

/// The summary of installed code: by instance path (`""`: the app).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct CodeSummary(BTreeMap<String, InstanceSummary>);

fn hash(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..8])
}

fn instance(analysis: &Analysis, source: impl Fn(&str) -> Option<String>) -> InstanceSummary {
    let mut summary = InstanceSummary::default();
    for module in &analysis.modules {
        let source_hash = source(&module.path).map(|s| hash(&s)).unwrap_or_default();
        summary.modules.push(format!("{}.js", module.path));
        for f in &module.functions {
            let signature = format!(
                "{:?}|{:?}|{}|{}|{source_hash}",
                f.kind,
                f.visibility,
                f.args.as_ref().map(|a| a.to_string()).unwrap_or_default(),
                f.returns.as_ref().map(|r| r.to_string()).unwrap_or_default(),
            );
            summary.functions.insert(f.path.clone(), signature);
        }
    }
    if let Some(schema) = &analysis.schema {
        for (table, t) in &schema.tables {
            for (name, fields) in &t.indexes {
                let index = IndexMetadata {
                    name: Some(format!("{table}.{name}")),
                    kind: "database".into(),
                    fields: fields.clone(),
                    search_field: None,
                    vector_field: None,
                };
                summary.indexes.insert(format!("{table}.{name}"), index);
            }
            for (name, spec) in &t.vector_indexes {
                let index = IndexMetadata {
                    name: Some(format!("{table}.{name}")),
                    kind: "vector".into(),
                    fields: spec.filter_fields.clone(),
                    search_field: None,
                    vector_field: Some(spec.vector_field.clone()),
                };
                summary.indexes.insert(format!("{table}.{name}"), index);
            }
            for json in &t.search_indexes {
                let name = json.get("indexDescriptor").and_then(|n| n.as_str()).unwrap_or("");
                let index = IndexMetadata {
                    name: Some(format!("{table}.{name}")),
                    kind: "search".into(),
                    fields: Vec::new(),
                    search_field: json.get("searchField").and_then(|f| f.as_str()).map(Into::into),
                    vector_field: None,
                };
                summary.indexes.insert(format!("{table}.{name}"), index);
            }
        }
        let text = if schema.exported_text.is_empty() {
            serde_json::to_string_pretty(&schema.exported).unwrap_or_default()
        } else {
            schema.exported_text.clone()
        };
        summary.schema = Some(text);
    }
    summary
}

impl CodeSummary {
    /// Summarises code about to be installed: its instance tree, the app's analysis and
    /// each component instance's.
    pub(crate) fn of(
        tree: &ComponentTree,
        app: &Analysis,
        components: &BTreeMap<String, Analysis>,
    ) -> Self {
        let mut instances = BTreeMap::new();
        for i in tree.instances() {
            let project = i.project.clone();
            let source = move |module: &str| project.module_source(module).map(|(_, text)| text);
            let analysis = if i.path.is_empty() { Some(app) } else { components.get(&i.path) };
            if let Some(analysis) = analysis {
                instances.insert(i.path.clone(), instance(analysis, source));
            }
        }
        CodeSummary(instances)
    }
}

fn added<'a, T: Ord + 'a>(
    before: impl Iterator<Item = &'a T>,
    after: impl Iterator<Item = &'a T>,
) -> Vec<&'a T> {
    let before: std::collections::BTreeSet<&T> = before.collect();
    after.filter(|x| !before.contains(x)).collect()
}

fn diff(
    before: Option<&InstanceSummary>,
    after: Option<&InstanceSummary>,
) -> Option<ComponentDiff> {
    let empty = InstanceSummary::default();
    let kind = match (before, after) {
        (None, Some(_)) => "create",
        (Some(_), None) => "unmount",
        (Some(_), Some(_)) => "modify",
        (None, None) => return None,
    };
    let (b, a) = (before.unwrap_or(&empty), after.unwrap_or(&empty));
    let owned = |v: Vec<&String>| v.into_iter().cloned().collect::<Vec<_>>();
    let functions = FunctionDiff {
        added: owned(added(b.functions.keys(), a.functions.keys())),
        removed: owned(added(a.functions.keys(), b.functions.keys())),
        changed: a
            .functions
            .iter()
            .filter(|(path, sig)| b.functions.get(*path).is_some_and(|old| old != *sig))
            .map(|(path, _)| path.clone())
            .collect(),
    };
    let modules = NameDiff {
        added: owned(added(b.modules.iter(), a.modules.iter())),
        removed: owned(added(a.modules.iter(), b.modules.iter())),
    };
    let index_changed = |from: &InstanceSummary, to: &InstanceSummary| -> Vec<IndexMetadata> {
        to.indexes
            .iter()
            .filter(|(name, index)| from.indexes.get(*name) != Some(*index))
            .map(|(_, index)| index.clone())
            .collect()
    };
    let indexes =
        IndexDiff { added_indexes: index_changed(b, a), removed_indexes: index_changed(a, b) };
    let schema = (b.schema != a.schema)
        .then(|| SchemaDiff { previous_schema: b.schema.clone(), next_schema: a.schema.clone() });
    let unchanged = functions == FunctionDiff::default()
        && modules == NameDiff::default()
        && indexes == IndexDiff::default()
        && schema.is_none();
    if kind == "modify" && unchanged {
        return None;
    }
    Some(ComponentDiff {
        diff_type: DiffType { kind: kind.into() },
        index_diff: Some(indexes),
        module_diff: modules,
        schema_diff: schema,
        function_diff: Some(functions),
    })
}

fn stored_summary(
    tx: &mut Transaction,
) -> Result<Option<(atrium_value::DocumentId, CodeSummary)>, EngineError> {
    if tx.table_number(CODE_STATE_TABLE).is_none() {
        return Ok(None);
    }
    let Some(doc) = tx.collect_table(CODE_STATE_TABLE)?.into_iter().next() else { return Ok(None) };
    let summary = doc
        .fields
        .get("summary")
        .and_then(Value::as_str)
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    Ok(Some((doc.id, summary)))
}

/// Records installed code: a `push_config_with_components` event with each instance's
/// diff against the code recorded last, when something changed or when `pushed` (a push
/// is recorded even when it changes nothing). `message` says where the code came from.
pub(crate) fn record_code(
    engine: &Engine,
    summary: &CodeSummary,
    pushed: bool,
    message: &str,
) -> Result<(), EngineError> {
    let text = serde_json::to_string(summary).map_err(|e| EngineError::Corrupt(e.to_string()))?;
    engine.run(16, |tx| {
        let stored = stored_summary(tx)?;
        let before = stored.as_ref().map(|(_, s)| s.clone()).unwrap_or_default();
        let paths: std::collections::BTreeSet<&String> =
            before.0.keys().chain(summary.0.keys()).collect();
        let component_diffs: Vec<ComponentPathDiff> = paths
            .into_iter()
            .filter_map(|path| {
                let d = diff(before.0.get(path), summary.0.get(path))?;
                let component_path = (!path.is_empty()).then(|| path.clone());
                Some(ComponentPathDiff { component_path, component_diff: d })
            })
            .collect();
        if component_diffs.is_empty() && !pushed {
            return Ok(());
        }
        let metadata = PushMetadata {
            auth_diff: Some(NameDiff::default()),
            component_diffs,
            message: Some(message.to_owned()),
        };
        record(tx, action::PUSH_CONFIG_WITH_COMPONENTS, &metadata)?;
        let mut fields = Object::new();
        fields.insert("summary".into(), Value::from(text.as_str()));
        match &stored {
            Some((id, _)) => tx.replace(id, fields)?,
            None => {
                tx.insert_system(CODE_STATE_TABLE, fields)?;
            }
        }
        Ok(())
    })?;
    Ok(())
}
