//! Component definitions: evaluating `convex.config` modules (the app's `defineApp()` and
//! each component's `defineComponent(name)`) in the import phase and building the instance
//! tree from what their `export()` says — from a push (each definition bundled by the CLI,
//! importing its children as `./_componentDeps/<base64url of their path>`) or from a
//! project folder (`convex/convex.config.ts`, each component's `convex.config.js` inside
//! `node_modules`).
//!
//! The `convex` library's `use()` reads `componentDefinitionPath` and `defaultName` off the
//! imported definition, which Convex's bundler and backend provide; here a pushed child is a
//! small module the tree builder writes, and a folder's definitions get the two properties
//! from `Project` (see `project::definition_stanza`).
//!
//! It must not run functions nor touch the engine.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use base64::Engine as _;
use rquickjs::{Function, Object};
use serde_json::Value as Json;

use super::names::child_path;
use super::tree::{ComponentTree, Instance};
use crate::{Project, RuntimeError};

/// A component definition the CLI pushed: its path, its bundled `convex.config.js`, and its
/// functions (schema included) as a project.
#[derive(Debug, Clone)]
pub struct PushedDefinition {
    pub path: String,
    pub config: String,
    pub project: Arc<Project>,
}

/// What a definition's `export()` says about it.
#[derive(Debug, Clone, Default)]
struct Exported {
    name: Option<String>,
    /// (installed name, definition path)
    children: Vec<(String, String)>,
    /// (path prefix, installed name of the child whose HTTP routes it serves)
    http_mounts: Vec<(String, String)>,
}

fn parse_export(json: &Json) -> Exported {
    let children = json
        .get("childComponents")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| {
            Some((c.get("name")?.as_str()?.to_owned(), c.get("path")?.as_str()?.to_owned()))
        })
        .collect();
    // `{"/ticker/": "_reference/childComponent/ticker"}`
    let http_mounts = json
        .get("httpMounts")
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(prefix, reference)| {
            let child = reference.as_str()?.strip_prefix("_reference/childComponent/")?;
            Some((prefix.clone(), child.to_owned()))
        })
        .collect();
    Exported {
        name: json.get("name").and_then(Json::as_str).map(str::to_owned),
        children,
        http_mounts,
    }
}

/// Imports `file` with `project`'s loader and returns its default export's `export()`.
fn evaluate(project: &Arc<Project>, file: &Path) -> Result<Json, RuntimeError> {
    // `convex.config` modules see no deployment variables.
    crate::analysis::with_namespace(project, file, &BTreeMap::new(), |ctx, namespace| {
        let definition: Object =
            namespace.get::<_, Option<Object>>("default")?.ok_or_else(|| {
                RuntimeError::Js(format!(
                    "{} must have a default export (defineApp() or defineComponent())",
                    file.display()
                ))
            })?;
        let export: Function =
            definition.get::<_, Option<Function>>("export")?.ok_or_else(|| {
                RuntimeError::Js(format!("{}'s default export is not a definition", file.display()))
            })?;
        let value: rquickjs::Value =
            export
                .call((rquickjs::function::This(definition.clone()),))
                .map_err(|e| RuntimeError::Js(crate::sandbox::describe(ctx, e).message))?;
        let text = ctx
            .json_stringify(value)?
            .map(|s| s.to_string())
            .transpose()?
            .unwrap_or_else(|| "null".into());
        serde_json::from_str(&text)
            .map_err(|e| RuntimeError::Js(format!("a definition's export() is not JSON: {e}")))
    })
}

/// The definition paths a pushed `convex.config.js` imports its children by.
fn pushed_dependencies(config: &str) -> Vec<String> {
    const MARK: &str = "_componentDeps/";
    let mut out = Vec::new();
    let mut rest = config;
    while let Some(at) = rest.find(MARK) {
        rest = &rest[at + MARK.len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len());
        if let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&rest[..end])
            && let Ok(path) = String::from_utf8(bytes)
            && !out.contains(&path)
        {
            out.push(path);
        }
    }
    out
}

fn stub_name(path: &str) -> String {
    format!("_componentDeps/{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(path))
}

/// Evaluates a pushed `convex.config.js` with its children (already evaluated, in `names`)
/// as stub modules.
fn evaluate_pushed(
    config: &str,
    names: &HashMap<String, Exported>,
) -> Result<Exported, RuntimeError> {
    let mut modules = vec![("convex.config.js".to_owned(), config.to_owned())];
    for dependency in pushed_dependencies(config) {
        let default_name = names.get(&dependency).and_then(|e| e.name.clone());
        modules.push((
            stub_name(&dependency),
            format!(
                "export default {{ componentDefinitionPath: {}, defaultName: {} }};\n",
                Json::from(dependency.as_str()),
                default_name.map_or(Json::Null, Json::from)
            ),
        ));
    }
    let project = Project::from_modules(modules);
    let file = project.module_file("convex.config").expect("the config was just added");
    Ok(parse_export(&evaluate(&project, &file)?))
}

/// The instance tree of pushed code: the app's functions, its `convex.config.js` (none when
/// the app installs no component) and every component definition the push carried.
pub fn tree_from_push(
    app: Arc<Project>,
    app_config: Option<&str>,
    definitions: Vec<PushedDefinition>,
) -> Result<ComponentTree, RuntimeError> {
    let Some(app_config) = app_config else { return Ok(ComponentTree::app_only(app)) };
    let mut exported: HashMap<String, Exported> = HashMap::new();
    let mut left: Vec<&PushedDefinition> = definitions.iter().collect();
    while !left.is_empty() {
        let ready = left.iter().position(|d| {
            pushed_dependencies(&d.config).iter().all(|dep| exported.contains_key(dep))
        });
        let Some(index) = ready else {
            return Err(RuntimeError::Js(format!(
                "The pushed component definitions import each other in a cycle or import one the push lacks: {}",
                left.iter().map(|d| d.path.as_str()).collect::<Vec<_>>().join(", ")
            )));
        };
        let definition = left.remove(index);
        let export = evaluate_pushed(&definition.config, &exported).map_err(|e| {
            RuntimeError::Js(format!("component definition {}: {e}", definition.path))
        })?;
        exported.insert(definition.path.clone(), export);
    }
    let root = evaluate_pushed(app_config, &exported)?;
    let projects: HashMap<&str, Arc<Project>> =
        definitions.iter().map(|d| (d.path.as_str(), d.project.clone())).collect();
    build(app, root, &exported, &|path| projects.get(path).cloned())
}

/// The instance tree of a project folder: `convex/convex.config.ts` (or `.js`) when there
/// is one, and each component it installs, from its folder (`…/dist/component`).
pub fn tree_from_folder(app: Arc<Project>) -> Result<ComponentTree, RuntimeError> {
    let Some(config) = app.module_file("convex.config") else {
        return Ok(ComponentTree::app_only(app));
    };
    let root = parse_export(&evaluate(&app, &config)?);
    let mut exported: HashMap<String, Exported> = HashMap::new();
    let mut queue: Vec<String> = root.children.iter().map(|(_, p)| p.clone()).collect();
    while let Some(dir) = queue.pop() {
        if exported.contains_key(&dir) {
            continue;
        }
        let file = ["js", "ts", "mjs"]
            .iter()
            .map(|ext| Path::new(&dir).join(format!("convex.config.{ext}")))
            .find(|p| p.is_file())
            .ok_or_else(|| {
                RuntimeError::Js(format!("the component folder {dir} has no convex.config.js"))
            })?;
        let export = parse_export(&evaluate(&app, &file)?);
        queue.extend(export.children.iter().map(|(_, p)| p.clone()));
        exported.insert(dir, export);
    }
    let mut projects: BTreeMap<String, Arc<Project>> = BTreeMap::new();
    for dir in exported.keys() {
        projects.insert(dir.clone(), Project::open_component(Path::new(dir))?);
    }
    build(app, root, &exported, &|path| projects.get(path).cloned())
}

fn build(
    app: Arc<Project>,
    root: Exported,
    exported: &HashMap<String, Exported>,
    project_of: &dyn Fn(&str) -> Option<Arc<Project>>,
) -> Result<ComponentTree, RuntimeError> {
    let mut instances = vec![Instance {
        path: String::new(),
        definition: String::new(),
        definition_name: None,
        project: app,
        children: root.children.iter().map(|(n, _)| n.clone()).collect(),
        http_mounts: root.http_mounts.clone(),
    }];
    let mut queue: Vec<(String, String)> = root
        .children
        .iter()
        .map(|(name, definition)| (child_path("", name), definition.clone()))
        .collect();
    while let Some((path, definition)) = queue.pop() {
        if path.split('/').count() > 16 {
            return Err(RuntimeError::Js(format!("components are nested too deeply at {path}")));
        }
        let export = exported.get(&definition).ok_or_else(|| {
            RuntimeError::Js(format!(
                "{path} installs the component {definition}, which the code lacks"
            ))
        })?;
        let project = project_of(&definition).ok_or_else(|| {
            RuntimeError::Js(format!("the component {definition} has no functions"))
        })?;
        queue.extend(export.children.iter().map(|(n, d)| (child_path(&path, n), d.clone())));
        instances.push(Instance {
            path,
            definition,
            definition_name: export.name.clone(),
            project,
            children: export.children.iter().map(|(n, _)| n.clone()).collect(),
            http_mounts: export.http_mounts.clone(),
        });
    }
    Ok(ComponentTree::from_instances(instances))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pushed_dependencies_are_read_from_the_imports() {
        let source = format!(
            "import a from\"./{}\";import b from \"./{}\";",
            stub_name("../node_modules/x/dist/component"),
            stub_name("../y")
        );
        assert_eq!(pushed_dependencies(&source), vec!["../node_modules/x/dist/component", "../y"]);
    }
}
