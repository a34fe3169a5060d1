//! Stable component IDs, as Convex gives them: each component instance the deployment has
//! installed is a document of the `_components` system table (`{path, name,
//! definitionPath, state}`), and its document ID is the `componentId` that
//! `_system/frontend/components:list` answers and the dashboard functions take back.
//!
//! [`sync`] records the instances of newly installed code: an instance keeps its document
//! (so its ID survives restarts and pushes), a new one gets a document, one no longer
//! installed is marked `unmounted` (its data stays, as on Convex). [`resolve`] turns a
//! `componentId` into the instance path the engine's table names use; it also accepts an
//! instance path, which is what the official CLI sends (`--component`, `componentPath`).
//!
//! It must not decide which tables an instance sees (`atrium_runtime::components` does).

use std::collections::BTreeMap;

use atrium_engine::{Engine, EngineError, PatchValue, Transaction};
use atrium_value::{DocumentId, Object, Value};

/// The system table of component instances.
pub(crate) const COMPONENTS_TABLE: &str = "_components";

/// One recorded instance.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Recorded {
    pub id: String,
    pub path: String,
    pub state: String,
}

fn text(document: &Object, field: &str) -> Option<String> {
    document.get(field).and_then(Value::as_str).map(str::to_owned)
}

/// Every recorded instance (unmounted ones included), by path.
pub(crate) fn recorded(tx: &mut Transaction) -> Result<BTreeMap<String, Recorded>, EngineError> {
    if tx.table_number(COMPONENTS_TABLE).is_none() {
        return Ok(BTreeMap::new());
    }
    Ok(tx
        .collect_table(COMPONENTS_TABLE)?
        .into_iter()
        .filter_map(|d| {
            let path = text(&d.fields, "path")?;
            let state = text(&d.fields, "state").unwrap_or_else(|| "active".into());
            Some((path.clone(), Recorded { id: d.id.encode(), path, state }))
        })
        .collect())
}

/// Records the installed instances `(path, definition path)` (the app's root is `""`): new
/// ones get a document, known ones keep theirs (active again if they had been unmounted),
/// the others are marked `unmounted`. Commits only when something changed.
pub(crate) fn sync(
    engine: &Engine,
    installed: &[(String, Option<String>)],
) -> Result<(), EngineError> {
    engine.run(16, |tx| {
        let known = recorded(tx)?;
        for (path, definition) in installed {
            match known.get(path) {
                Some(r) if r.state == "active" => {}
                Some(r) => {
                    let id = DocumentId::decode(&r.id)
                        .map_err(|e| EngineError::Corrupt(format!("_components ID: {e}")))?;
                    let state = PatchValue::Set(Value::from("active"));
                    tx.patch(&id, [("state".to_owned(), state)].into())?;
                }
                None => {
                    let mut fields = Object::new();
                    fields.insert("path".into(), Value::from(path.as_str()));
                    let name = path.rsplit('/').next().filter(|n| !n.is_empty());
                    fields.insert("name".into(), name.map_or(Value::Null, Value::from));
                    let definition = definition.as_deref().map_or(Value::Null, Value::from);
                    fields.insert("definitionPath".into(), definition);
                    fields.insert("state".into(), Value::from("active"));
                    tx.insert_system(COMPONENTS_TABLE, fields)?;
                }
            }
        }
        for r in known.values() {
            if r.state == "active" && !installed.iter().any(|(path, _)| *path == r.path) {
                let id = DocumentId::decode(&r.id)
                    .map_err(|e| EngineError::Corrupt(format!("_components ID: {e}")))?;
                let state = PatchValue::Set(Value::from("unmounted"));
                tx.patch(&id, [("state".to_owned(), state)].into())?;
            }
        }
        Ok(())
    })?;
    Ok(())
}

/// The instance path a `componentId` names: `None` or `""` is the app; a `_components`
/// document ID is that instance; an instance path is accepted as itself (the CLI's
/// `--component`). An unknown one is refused with a message naming it.
pub(crate) fn resolve(engine: &Engine, component_id: Option<&str>) -> Result<String, String> {
    let Some(wanted) = component_id.filter(|c| !c.is_empty()) else { return Ok(String::new()) };
    let mut tx = engine.begin();
    let known = recorded(&mut tx).map_err(|e| e.to_string())?;
    if let Some(found) = known.values().find(|r| r.id == wanted) {
        return Ok(found.path.clone());
    }
    if known.contains_key(wanted) {
        return Ok(wanted.to_owned());
    }
    Err(format!(
        "Component {wanted:?} not found: not an ID from components:list nor an installed component's path"
    ))
}
