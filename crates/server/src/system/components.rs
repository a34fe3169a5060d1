//! `_system/frontend/components:list`: the deployment's component instances (the app's
//! root included), each with its stable ID (`crate::component_ids`), as the CLI (`convex
//! run --component` with an inline query) and a dashboard's component selector read them.
//!
//! It must not answer anything else about components' data (the table functions scope by
//! `componentPath` themselves).

use atrium_protocol::dashboard::{ComponentInstance, path};
use atrium_value::Value;

use crate::Deployment;
use crate::component_ids::recorded;

/// Answers `path` when it is one of these; `None` otherwise.
pub(super) fn query(deployment: &Deployment, path: &str) -> Option<Result<Value, String>> {
    (path == path::COMPONENTS_LIST).then(|| list(deployment))
}

fn list(deployment: &Deployment) -> Result<Value, String> {
    let Some(runner) = deployment.runner() else { return Ok(Value::Array(Vec::new())) };
    let ids = recorded(&mut deployment.engine().begin()).map_err(|e| e.to_string())?;
    let instances: Vec<ComponentInstance> = runner
        .components()
        .instances()
        .map(|instance| ComponentInstance {
            // The stable ID of its `_components` document (its path until recorded).
            id: ids.get(&instance.path).map_or_else(|| instance.path.clone(), |r| r.id.clone()),
            name: instance.path.rsplit('/').next().filter(|n| !n.is_empty()).map(str::to_owned),
            path: instance.path.clone(),
            state: "active".into(),
            args: Default::default(),
            definition_path: (!instance.path.is_empty()).then(|| instance.definition.clone()),
            definition_name: instance.definition_name.clone(),
            http_prefix: (!instance.path.is_empty())
                .then(|| runner.components().http_prefix(&instance.path))
                .flatten(),
        })
        .collect();
    atrium_protocol::convex_json::to_value(&instances)
}
