//! `_system/frontend/components:list`: the deployment's component instances (the app's
//! root included), as the CLI (`convex run --component` with an inline query) and a
//! dashboard's component selector read them.
//!
//! It must not answer anything else about components' data (the table functions scope by
//! `componentPath` themselves).

use atrium_protocol::dashboard::{ComponentInstance, path};
use atrium_value::Value;

use crate::Deployment;

/// Answers `path` when it is one of these; `None` otherwise.
pub(super) fn query(deployment: &Deployment, path: &str) -> Option<Result<Value, String>> {
    (path == path::COMPONENTS_LIST).then(|| list(deployment))
}

fn list(deployment: &Deployment) -> Result<Value, String> {
    let Some(runner) = deployment.runner() else { return Ok(Value::Array(Vec::new())) };
    let instances: Vec<ComponentInstance> = runner
        .components()
        .instances()
        .map(|instance| ComponentInstance {
            id: instance.path.clone(),
            name: instance.path.rsplit('/').next().filter(|n| !n.is_empty()).map(str::to_owned),
            path: instance.path.clone(),
            state: "active".into(),
            args: Default::default(),
            definition_path: (!instance.path.is_empty()).then(|| instance.definition.clone()),
            definition_name: instance.definition_name.clone(),
        })
        .collect();
    atrium_protocol::convex_json::to_value(&instances)
}
