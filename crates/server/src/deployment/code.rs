//! A deployment's code as the runtime runs it: the component instance tree (from a project
//! folder's `convex.config.ts`, or from what the CLI pushed), the analysis of the app and of
//! each instance, and the one schema of them all.
//!
//! It must not apply the schema nor swap the deployment's code (the deployment does).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use atrium_protocol::push::{PushedComponents, PushedModule};
use atrium_runtime::Project;
use atrium_runtime::analysis::{Analysis, analyze, analyze_tolerant_with_env, analyze_with_env};
use atrium_runtime::components::definition::{PushedDefinition, tree_from_folder, tree_from_push};
use atrium_runtime::components::schema::merged_schema;
use atrium_runtime::components::tree::ComponentTree;

use super::DeploymentError;

/// Analysed code, ready to serve.
#[derive(Debug, Clone)]
pub struct Code {
    pub tree: Arc<ComponentTree>,
    /// The app's functions, with the schema of every instance merged in.
    pub analysis: Analysis,
    /// Each component instance's analysis, by instance path (the app not included).
    pub instances: BTreeMap<String, Analysis>,
}

fn project_error(error: atrium_runtime::RuntimeError) -> DeploymentError {
    DeploymentError::Project(Box::new(error))
}

fn modules_project(modules: &[PushedModule]) -> Arc<Project> {
    Project::from_pushed(
        modules.iter().map(|m| (m.path.clone(), m.source.clone(), m.environment == "node")),
    )
}

/// The code of a project folder.
pub fn from_folder(
    project: Arc<Project>,
    env: &BTreeMap<String, String>,
) -> Result<Code, DeploymentError> {
    analyse(tree_from_folder(project).map_err(project_error)?, env)
}

/// The code of a push: the app's modules (its schema as `schema.js`) and its components.
pub fn from_push(
    modules: &[PushedModule],
    components: &PushedComponents,
    env: &BTreeMap<String, String>,
) -> Result<Code, DeploymentError> {
    let definitions = components
        .component_definitions
        .iter()
        .map(|definition| {
            let mut modules = definition.functions.clone();
            if let Some(schema) = &definition.schema {
                modules.push(PushedModule { path: "schema.js".into(), ..schema.clone() });
            }
            PushedDefinition {
                path: definition.definition_path.clone(),
                config: definition.definition.source.clone(),
                project: modules_project(&modules),
            }
        })
        .collect();
    let tree = tree_from_push(
        modules_project(modules),
        components.app_definition.as_ref().map(|d| d.source.as_str()),
        definitions,
    )
    .map_err(project_error)?;
    analyse(tree, env)
}

/// The code of a tree loaded before, analysed again (with other variables).
pub fn from_tree(
    tree: &ComponentTree,
    env: &BTreeMap<String, String>,
) -> Result<Code, DeploymentError> {
    analyse(tree.clone(), env)
}

/// Analyses the app with `env` as `process.env`; components see no deployment variables. A
/// push with a module that fails is refused, naming it, as Convex refuses it; a folder's
/// failing module is listed in the analysis (`failures`) and the others serve.
fn analyse(tree: ComponentTree, env: &BTreeMap<String, String>) -> Result<Code, DeploymentError> {
    let mut analysis = if tree.app().pushed_paths().is_none() {
        analyze_tolerant_with_env(tree.app(), env)
    } else {
        analyze_with_env(tree.app(), env)
    }
    .map_err(project_error)?;
    let mut by_definition: HashMap<String, Analysis> = HashMap::new();
    let mut instances = BTreeMap::new();
    for instance in tree.instances().filter(|i| !i.path.is_empty()) {
        let analysed = match by_definition.get(&instance.definition) {
            Some(done) => done.clone(),
            None => {
                let done = analyze(&instance.project).map_err(|e| {
                    DeploymentError::Project(Box::new(atrium_runtime::RuntimeError::Js(format!(
                        "component {}: {e}",
                        instance.path
                    ))))
                })?;
                by_definition.insert(instance.definition.clone(), done.clone());
                done
            }
        };
        instances.insert(instance.path.clone(), analysed);
    }
    analysis.schema = merged_schema(&tree).map_err(project_error)?;
    Ok(Code { tree: Arc::new(tree), analysis, instances })
}
