//! The deployment's one schema from every instance's: each instance's `schema.ts` with its
//! tables named as the catalog names them (`<path>/<table>`, `v.id` included), beside the
//! app's tables, so the engine validates and indexes them all as one.
//!
//! It must not apply the schema (the server does) nor run functions.

use std::collections::HashMap;

use atrium_engine::Schema;
use serde_json::Value as Json;

use super::names::qualify_schema;
use super::tree::ComponentTree;
use crate::RuntimeError;
use crate::analysis::evaluate_schema;

/// The schema of the app and every component instance in one; `None` when none has one.
pub fn merged_schema(tree: &ComponentTree) -> Result<Option<Schema>, RuntimeError> {
    let app = evaluate_schema(tree.app())?;
    let mut by_definition: HashMap<&str, Option<Json>> = HashMap::new();
    let mut tables: Vec<Json> = Vec::new();
    for instance in tree.instances().filter(|i| !i.path.is_empty()) {
        if !by_definition.contains_key(instance.definition.as_str()) {
            let schema = evaluate_schema(&instance.project).map_err(|e| {
                RuntimeError::Js(format!("the schema of component {}: {e}", instance.path))
            })?;
            by_definition.insert(&instance.definition, schema.map(|s| s.exported));
        }
        let Some(Some(exported)) = by_definition.get(instance.definition.as_str()) else {
            continue;
        };
        let mut exported = exported.clone();
        qualify_schema(&instance.path, &mut exported);
        tables.extend(exported.get("tables").and_then(Json::as_array).cloned().unwrap_or_default());
    }
    if tables.is_empty() {
        return Ok(app);
    }
    let mut merged = app.as_ref().map_or_else(
        || serde_json::json!({"tables": [], "schemaValidation": true}),
        |app| app.exported.clone(),
    );
    if let Some(list) = merged.get_mut("tables").and_then(Json::as_array_mut) {
        list.extend(tables);
    }
    let mut schema = Schema::from_json(&merged).map_err(RuntimeError::Js)?;
    // Tools show the app's own schema as written.
    if let Some(app) = app {
        schema.exported = app.exported;
        schema.exported_text = app.exported_text;
    }
    Ok(Some(schema))
}
