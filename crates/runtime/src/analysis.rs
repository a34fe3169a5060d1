//! Analysis: what a project's modules define — functions with their type, visibility and
//! validators, HTTP routes, cron jobs — and its schema. Modules are evaluated in an import
//! phase where database use is refused, as Convex does at push, with the deployment's
//! environment variables in `process.env` (a module may read them at load).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use atrium_engine::Schema;
use rquickjs::{Function, Object};
use serde_json::Value as Json;

use crate::call::{FunctionKind, Limits};
use crate::host::HostState;
use crate::sandbox::{describe, import_module, install, new_context};
use crate::{Project, RuntimeError};

/// Who may call a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Public,
    Internal,
}

/// A registered function.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionInfo {
    /// `messages:send`.
    pub path: String,
    pub kind: FunctionKind,
    /// `None` for very old libraries that mark neither.
    pub visibility: Option<Visibility>,
    /// Validator JSON (`None`: unvalidated).
    pub args: Option<Json>,
    pub returns: Option<Json>,
}

/// An HTTP route of `convex/http.ts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRoute {
    pub method: String,
    pub path: String,
}

/// One module's analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct ModuleAnalysis {
    /// The module path without extension (`messages`, `folder/file`).
    pub path: String,
    pub functions: Vec<FunctionInfo>,
    pub http_routes: Vec<HttpRoute>,
    /// `crons.ts`'s exported cron specs, as JSON.
    pub crons: Option<Json>,
}

/// A module that failed to load or to analyse: its functions alone are unavailable. Shown
/// (`Display`) in Convex's words: `Failed to analyze messages.js: Uncaught Error: …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleFailure {
    /// The module path without extension (`messages`, `folder/file`).
    pub path: String,
    /// What went wrong, without the module's name (`Uncaught Error: boom`).
    pub message: String,
}

impl ModuleFailure {
    /// The failure of `module` (path without extension) from its analysis error: an
    /// [`RuntimeError::Analyze`] naming that module gives its bare message.
    fn from_error(module: String, error: RuntimeError) -> Self {
        let message = match error {
            RuntimeError::Analyze { module: named, message }
                if named.strip_suffix(".js") == Some(module.as_str()) =>
            {
                message
            }
            other => other.to_string(),
        };
        ModuleFailure { path: module, message }
    }

    /// The error a strict analysis gives for this failure.
    pub fn to_error(&self) -> RuntimeError {
        RuntimeError::Analyze { module: format!("{}.js", self.path), message: self.message.clone() }
    }
}

impl std::fmt::Display for ModuleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Failed to analyze {}.js: {}", self.path, self.message)
    }
}

/// The whole project's analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub modules: Vec<ModuleAnalysis>,
    pub schema: Option<Schema>,
    /// Modules that failed ([`analyze_tolerant_with_env`] only; a strict analysis fails).
    pub failures: Vec<ModuleFailure>,
}

impl Analysis {
    pub fn functions(&self) -> impl Iterator<Item = &FunctionInfo> {
        self.modules.iter().flat_map(|m| m.functions.iter())
    }

    pub fn function(&self, path: &str) -> Option<&FunctionInfo> {
        self.functions().find(|f| f.path == path)
    }
}

const EXTENSIONS: &[&str] = &["ts", "tsx", "js", "mjs", "jsx"];

/// The project's function modules: files under `convex/` with a module extension, except
/// `_generated/`, `*.d.ts`, `schema.*`, dot files, names with more than one dot (tests,
/// configs) and local components' folders, as the Convex CLI skips them.
pub fn module_files(project: &Project) -> Result<Vec<(String, PathBuf)>, RuntimeError> {
    if let Some(paths) = project.pushed_paths() {
        // Pushed: every entry module; shared chunks under `_deps/` are never functions.
        return Ok(paths
            .into_iter()
            .filter(|p| !p.starts_with("_deps/") && (p.ends_with(".js") || p.ends_with(".mjs")))
            .map(|p| {
                let module = p.trim_end_matches(".mjs").trim_end_matches(".js").to_owned();
                (module, PathBuf::from(format!("{}{p}", crate::project::PUSHED_SCHEME)))
            })
            .filter(|(module, _)| module != "schema" && module != "auth.config")
            .collect());
    }
    let root = project.functions_dir().to_path_buf();
    let mut out = Vec::new();
    walk(&root, &root, &mut out)?;
    out.sort();
    Ok(out)
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> Result<(), RuntimeError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|error| RuntimeError::Io { path: dir.display().to_string(), error })?;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.')
            || name.starts_with('#')
            || name == "_generated"
            || name == "node_modules"
        {
            continue;
        }
        if path.is_dir() {
            // A local component's folder (it holds a `convex.config.ts`) is not the
            // app's: the CLI skips it, and the component tree loads it as a component.
            if !path.join("convex.config.ts").is_file() {
                walk(root, &path, out)?;
            }
            continue;
        }
        let Some((stem, ext)) = name.split_once('.') else { continue };
        if !EXTENSIONS.contains(&ext)
            || stem == "schema"
            || stem == "auth" && ext.starts_with("config")
        {
            continue;
        }
        let relative = path.strip_prefix(root).unwrap_or(&path).with_extension("");
        out.push((relative.to_string_lossy().replace('\\', "/"), path));
    }
    Ok(())
}

/// Analyses every module and evaluates the schema, with an empty environment.
pub fn analyze(project: &Arc<Project>) -> Result<Analysis, RuntimeError> {
    analyze_with_env(project, &BTreeMap::new())
}

/// Analyses every module and evaluates the schema with `env` as `process.env`, as Convex
/// analyses a push with the deployment's variables: one module that fails refuses the
/// whole, naming that module (`Failed to analyze messages.js: …`).
pub fn analyze_with_env(
    project: &Arc<Project>,
    env: &BTreeMap<String, String>,
) -> Result<Analysis, RuntimeError> {
    let mut modules = Vec::new();
    for (module, file) in module_files(project)? {
        modules.push(analyze_any_module(project, &module, &file, env)?);
    }
    Ok(Analysis { modules, schema: evaluate_schema_with_env(project, env)?, failures: Vec::new() })
}

/// [`analyze_with_env`] for a project folder being worked on: a module that fails is
/// listed in [`Analysis::failures`] and the others still serve. The schema must load.
pub fn analyze_tolerant_with_env(
    project: &Arc<Project>,
    env: &BTreeMap<String, String>,
) -> Result<Analysis, RuntimeError> {
    let mut modules = Vec::new();
    let mut failures = Vec::new();
    for (module, file) in module_files(project)? {
        match analyze_any_module(project, &module, &file, env) {
            Ok(analysis) => modules.push(analysis),
            Err(error) => failures.push(ModuleFailure::from_error(module, error)),
        }
    }
    Ok(Analysis { modules, schema: evaluate_schema_with_env(project, env)?, failures })
}

/// One module's analysis, in Node.js for a `"use node"` module, else in QuickJS; its
/// failure names it.
fn analyze_any_module(
    project: &Arc<Project>,
    module: &str,
    file: &Path,
    env: &BTreeMap<String, String>,
) -> Result<ModuleAnalysis, RuntimeError> {
    let analysed = if project.is_node_module(file) {
        analyze_node_module(project, module, file, env)
    } else {
        analyze_module(project, module, file, env)
    };
    analysed.map_err(|error| match error {
        RuntimeError::Analyze { .. } => error,
        other => {
            let message = match other {
                // The failure names the module already.
                RuntimeError::Js(message) | RuntimeError::Load { message, .. } => message,
                other => other.to_string(),
            };
            RuntimeError::Analyze { module: format!("{module}.js"), message }
        }
    })
}

/// Imports `file` in an import-phase context (`env` as `process.env`) and hands its
/// namespace to `f`.
pub(crate) fn with_namespace<T>(
    project: &Arc<Project>,
    file: &Path,
    env: &BTreeMap<String, String>,
    f: impl for<'js> FnOnce(&rquickjs::Ctx<'js>, Object<'js>) -> Result<T, RuntimeError>,
) -> Result<T, RuntimeError> {
    with_prepared_namespace(project, file, env, "", f)
}

/// [`with_namespace`], running the script `prepare` (when not empty) after the globals are
/// installed and before the module is imported.
pub(crate) fn with_prepared_namespace<T>(
    project: &Arc<Project>,
    file: &Path,
    env: &BTreeMap<String, String>,
    prepare: &str,
    f: impl for<'js> FnOnce(&rquickjs::Ctx<'js>, Object<'js>) -> Result<T, RuntimeError>,
) -> Result<T, RuntimeError> {
    let limits =
        Limits { query_mutation_time: std::time::Duration::from_secs(4), ..Limits::default() };
    let (runtime, context, failure) = new_context(project, &limits)?;
    let state = Rc::new(RefCell::new(HostState::new(None, FunctionKind::Query)));
    let result = context.with(|ctx| {
        install(&ctx, &state, FunctionKind::Query, env)?;
        if !prepare.is_empty() {
            ctx.eval::<(), _>(prepare).map_err(|e| RuntimeError::Js(describe(&ctx, e).message))?;
        }
        let namespace = import_module(&ctx, file, &failure)?;
        f(&ctx, namespace)
    });
    drop(context);
    drop(runtime);
    result
}

fn has(object: &Object<'_>, key: &str) -> bool {
    object.get::<_, Option<bool>>(key).ok().flatten().unwrap_or(false)
}

fn exported_json(object: &Object<'_>, method: &str) -> Result<Option<Json>, RuntimeError> {
    let Some(export) = object.get::<_, Option<Function>>(method)? else { return Ok(None) };
    let text: Option<String> = export.call((rquickjs::function::This(object.clone()),))?;
    text.map(|t| {
        serde_json::from_str(&t)
            .map_err(|e| RuntimeError::Js(format!("{method}() returned invalid JSON: {e}")))
    })
    .transpose()
    .map(|j: Option<Json>| j.filter(|j| !j.is_null()))
}

/// A `"use node"` module's analysis, done in Node.js (`node`): only actions are allowed.
fn analyze_node_module(
    project: &Arc<Project>,
    module: &str,
    file: &Path,
    env: &BTreeMap<String, String>,
) -> Result<ModuleAnalysis, RuntimeError> {
    let exports = crate::node::exports(project, env, module, file)?;
    let parse = |text: &Option<String>| -> Result<Option<Json>, RuntimeError> {
        let Some(text) = text else { return Ok(None) };
        let json: Json = serde_json::from_str(text)
            .map_err(|e| RuntimeError::Js(format!("a validator is not valid JSON: {e}")))?;
        Ok(Some(json).filter(|j| !j.is_null()))
    };
    let mut functions = Vec::new();
    for export in &exports {
        let Some(kind) = export.kind() else { continue };
        let visibility = match (export.is_public, export.is_internal) {
            (true, false) => Some(Visibility::Public),
            (false, true) => Some(Visibility::Internal),
            (true, true) => continue,
            (false, false) => None,
        };
        functions.push(FunctionInfo {
            path: format!("{module}:{}", export.name),
            kind,
            visibility,
            args: parse(&export.args)?,
            returns: parse(&export.returns)?,
        });
    }
    Ok(ModuleAnalysis { path: module.to_owned(), functions, http_routes: Vec::new(), crons: None })
}

fn analyze_module(
    project: &Arc<Project>,
    module: &str,
    file: &Path,
    env: &BTreeMap<String, String>,
) -> Result<ModuleAnalysis, RuntimeError> {
    with_namespace(project, file, env, |ctx, namespace| {
        let mut analysis = ModuleAnalysis {
            path: module.to_owned(),
            functions: Vec::new(),
            http_routes: Vec::new(),
            crons: None,
        };
        let mut names: Vec<String> = namespace.keys::<String>().collect::<Result<_, _>>()?;
        names.sort();
        for name in names {
            let Ok(Some(export)) = namespace.get::<_, Option<Object>>(&name) else { continue };
            let kinds: Vec<FunctionKind> =
                [FunctionKind::Query, FunctionKind::Mutation, FunctionKind::Action]
                    .into_iter()
                    .filter(|k| {
                        has(
                            &export,
                            match k {
                                FunctionKind::Query => "isQuery",
                                FunctionKind::Mutation => "isMutation",
                                FunctionKind::Action => "isAction",
                            },
                        )
                    })
                    .collect();
            if let [kind] = kinds[..] {
                let visibility = match (has(&export, "isPublic"), has(&export, "isInternal")) {
                    (true, false) => Some(Visibility::Public),
                    (false, true) => Some(Visibility::Internal),
                    (true, true) => continue,
                    (false, false) => None,
                };
                analysis.functions.push(FunctionInfo {
                    path: format!("{module}:{name}"),
                    kind,
                    visibility,
                    args: exported_json(&export, "exportArgs")?,
                    returns: exported_json(&export, "exportReturns")?,
                });
            }
            if name == "default" && module == "http" && has(&export, "isRouter") {
                let routes: Function = export.get("getRoutes")?;
                let list: rquickjs::Array = routes
                    .call((rquickjs::function::This(export.clone()),))
                    .map_err(|e| RuntimeError::Js(describe(ctx, e).message))?;
                for route in list.iter::<rquickjs::Array>() {
                    let route = route?;
                    analysis
                        .http_routes
                        .push(HttpRoute { path: route.get(0)?, method: route.get(1)? });
                }
            }
            if name == "default" && module == "crons" && has(&export, "isCrons") {
                analysis.crons = exported_json(&export, "export")?;
            }
        }
        if module == "http"
            && analysis.http_routes.is_empty()
            && namespace.get::<_, Option<Object>>("default")?.is_none()
        {
            return Err(RuntimeError::Js(
                "`convex/http.js` must have a default export of a Router.".into(),
            ));
        }
        Ok(analysis)
    })
}

/// Evaluates `convex/schema.ts` (if any) and returns its schema.
pub fn evaluate_schema(project: &Arc<Project>) -> Result<Option<Schema>, RuntimeError> {
    evaluate_schema_with_env(project, &BTreeMap::new())
}

/// [`evaluate_schema`] with `env` as `process.env`.
pub fn evaluate_schema_with_env(
    project: &Arc<Project>,
    env: &BTreeMap<String, String>,
) -> Result<Option<Schema>, RuntimeError> {
    let Some(file) = project.module_file("schema") else { return Ok(None) };
    with_namespace(project, &file, env, |_ctx, namespace| {
        let Some(schema) = namespace.get::<_, Option<Object>>("default")? else {
            return Err(RuntimeError::Js(
                "convex/schema.ts must export a schema as its default export".into(),
            ));
        };
        let export = schema
            .get::<_, Option<Function>>("export")?
            .ok_or_else(|| RuntimeError::Js("the schema has no export()".into()))?;
        let text: Option<String> = export.call((rquickjs::function::This(schema.clone()),))?;
        let text = text
            .filter(|t| t.trim() != "null")
            .ok_or_else(|| RuntimeError::Js("the schema's export() returned nothing".into()))?;
        // The text keeps the fields in the order they were declared.
        Schema::from_json_text(&text).map(Some).map_err(RuntimeError::Js)
    })
}

impl crate::Runner {
    /// Whether `path` is a query, mutation or action (its module imported in the import
    /// phase).
    pub fn function_kind(&self, path: &str) -> Result<FunctionKind, RuntimeError> {
        let (module, export) = path.split_once(':').unwrap_or((path, "default"));
        let module = module.trim_end_matches(".js");
        let file = self
            .project()
            .module_file(module)
            .ok_or_else(|| RuntimeError::ModuleNotFound(path.to_owned(), module.to_owned()))?;
        if self.project().is_node_module(&file) {
            let exports = crate::node::exports(self.project(), self.env(), module, &file)?;
            return exports.iter().find(|e| e.name == export).and_then(|e| e.kind()).ok_or_else(
                || RuntimeError::FunctionNotFound(format!("`{path}` is not a Convex function")),
            );
        }
        with_namespace(self.project(), &file, self.env(), |_ctx, namespace| {
            let Some(function) = namespace.get::<_, Option<Object>>(export)? else {
                return Err(RuntimeError::FunctionNotFound(format!(
                    "`{path}`: the module has no export named `{export}`"
                )));
            };
            [FunctionKind::Query, FunctionKind::Mutation, FunctionKind::Action]
                .into_iter()
                .find(|k| {
                    has(
                        &function,
                        match k {
                            FunctionKind::Query => "isQuery",
                            FunctionKind::Mutation => "isMutation",
                            FunctionKind::Action => "isAction",
                        },
                    )
                })
                .ok_or_else(|| {
                    RuntimeError::FunctionNotFound(format!("`{path}` is not a Convex function"))
                })
        })
    }
}
