//! A Convex project on disk: where its function modules are, how their imports resolve, and
//! the JavaScript QuickJS runs for each (TypeScript stripped once, then cached).
//!
//! Imports resolve like a bundler would for Convex: relative paths with `.ts`/`.js`
//! extensions (and `./x.js` finding `x.ts`), bare specifiers from the project's own
//! `node_modules` with the `import`/`default` export conditions (CommonJS files there run
//! as ES modules, `cjs`). In QuickJS, `node:` built-ins are refused with a message naming
//! the importing module; `"use node"` modules ([`Project::is_node_module`]) run in Node.js
//! instead (`node/`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use oxc_resolver::{ResolveOptions, Resolver};
use rquickjs::loader::{ImportAttributes, Loader, Resolver as JsResolver};
use rquickjs::module::{Declared, WriteOptions};
use rquickjs::{Ctx, Module};

use crate::RuntimeError;
use crate::transpile::to_javascript;

const MODULE_EXTENSIONS: &[&str] = &["ts", "js", "mjs", "tsx", "jsx"];

/// The scheme of modules that arrived by push (already bundled): `convex:/messages.js`.
pub const PUSHED_SCHEME: &str = "convex:/";

/// A Convex project: a folder with a `convex/` directory, or modules pushed by the official
/// CLI (bundled ESM whose shared code sits in `_deps/` chunks).
pub struct Project {
    root: PathBuf,
    functions_dir: PathBuf,
    resolver: Resolver,
    /// Pushed modules by path (`messages.js`, `_deps/ABC123.js`); `None` for a folder.
    pushed: Option<HashMap<String, Arc<str>>>,
    /// The pushed modules the CLI bundled for Node.js (`environment: "node"`).
    pushed_node: std::collections::HashSet<String>,
    /// Whether each folder module file starts with `"use node"`, read once.
    node_files: Mutex<HashMap<PathBuf, bool>>,
    /// The file each folder module was found in (no file-system look-up per call).
    module_files: Mutex<HashMap<String, PathBuf>>,
    sources: Mutex<HashMap<PathBuf, Arc<str>>>,
    /// Queries written in the dashboard, as modules ([`Project::adhoc_query_module`]).
    adhoc: Mutex<HashMap<PathBuf, Arc<str>>>,
    /// Compiled QuickJS bytecode per module file, so each call only loads and evaluates.
    bytecode: Mutex<HashMap<PathBuf, Arc<[u8]>>>,
}

impl std::fmt::Debug for Project {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Project").field("root", &self.root).finish_non_exhaustive()
    }
}

impl Project {
    /// Opens the project at `root` (the folder holding `convex/` and `node_modules/`).
    pub fn open(root: &Path) -> Result<Arc<Self>, RuntimeError> {
        let root = root
            .canonicalize()
            .map_err(|error| RuntimeError::Io { path: root.display().to_string(), error })?;
        let functions_dir = root.join("convex");
        if !functions_dir.is_dir() {
            return Err(RuntimeError::Io {
                path: functions_dir.display().to_string(),
                error: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "the project has no convex/ folder",
                ),
            });
        }
        Ok(Arc::new(Self {
            root,
            functions_dir,
            resolver: Self::resolver(),
            pushed: None,
            pushed_node: Default::default(),
            node_files: Mutex::default(),
            module_files: Mutex::default(),
            sources: Mutex::new(HashMap::new()),
            adhoc: Mutex::new(HashMap::new()),
            bytecode: Mutex::new(HashMap::new()),
        }))
    }

    /// A component's functions in a folder (`node_modules/@convex-dev/x/dist/component`): the
    /// folder is both the root and the functions folder.
    pub fn open_component(dir: &Path) -> Result<Arc<Self>, RuntimeError> {
        let dir = dir
            .canonicalize()
            .map_err(|error| RuntimeError::Io { path: dir.display().to_string(), error })?;
        Ok(Arc::new(Self {
            root: dir.clone(),
            functions_dir: dir,
            resolver: Self::resolver(),
            pushed: None,
            pushed_node: Default::default(),
            node_files: Mutex::default(),
            module_files: Mutex::default(),
            sources: Mutex::new(HashMap::new()),
            adhoc: Mutex::new(HashMap::new()),
            bytecode: Mutex::new(HashMap::new()),
        }))
    }

    fn resolver() -> Resolver {
        Resolver::new(ResolveOptions {
            condition_names: vec!["import".into(), "default".into()],
            extensions: MODULE_EXTENSIONS.iter().map(|e| format!(".{e}")).collect(),
            extension_alias: vec![(".js".into(), vec![".ts".into(), ".tsx".into(), ".js".into()])],
            main_fields: vec!["module".into(), "main".into()],
            builtin_modules: true,
            ..ResolveOptions::default()
        })
    }

    /// The folder holding the function modules (`convex/`, or a component's folder).
    pub fn functions_dir(&self) -> &Path {
        &self.functions_dir
    }

    /// A project from pushed modules (`path` → JavaScript source), as the CLI sends them.
    pub fn from_modules(modules: impl IntoIterator<Item = (String, String)>) -> Arc<Self> {
        Self::from_pushed(modules.into_iter().map(|(path, source)| (path, source, false)))
    }

    /// A project from pushed modules (`path`, JavaScript source, whether the CLI bundled it
    /// for Node.js: `environment: "node"`).
    pub fn from_pushed(modules: impl IntoIterator<Item = (String, String, bool)>) -> Arc<Self> {
        let mut pushed_node = std::collections::HashSet::new();
        let modules = modules
            .into_iter()
            .map(|(path, source, node)| {
                let path = path.trim_start_matches("./").to_owned();
                if node {
                    pushed_node.insert(path.clone());
                }
                (path, Arc::from(source))
            })
            .collect();
        Arc::new(Self {
            root: PathBuf::from(PUSHED_SCHEME),
            functions_dir: PathBuf::from(PUSHED_SCHEME),
            resolver: Resolver::new(ResolveOptions::default()),
            pushed: Some(modules),
            pushed_node,
            node_files: Mutex::default(),
            module_files: Mutex::default(),
            sources: Mutex::new(HashMap::new()),
            adhoc: Mutex::new(HashMap::new()),
            bytecode: Mutex::new(HashMap::new()),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The pushed modules' paths (`None` for a project folder).
    pub fn pushed_paths(&self) -> Option<Vec<String>> {
        self.pushed.as_ref().map(|m| {
            let mut paths: Vec<String> = m.keys().cloned().collect();
            paths.sort();
            paths
        })
    }

    /// The pushed modules by path (`None` for a project folder).
    pub(crate) fn pushed_modules(&self) -> Option<&HashMap<String, Arc<str>>> {
        self.pushed.as_ref()
    }

    /// Whether the module file `file` runs in Node.js: pushed with `environment: "node"`,
    /// or a folder's module that starts with the `"use node"` directive.
    pub fn is_node_module(&self, file: &Path) -> bool {
        if self.pushed.is_some() {
            let text = file.to_string_lossy();
            return self.pushed_node.contains(text.strip_prefix(PUSHED_SCHEME).unwrap_or(&text));
        }
        if let Some(known) = self.node_files.lock().unwrap().get(file) {
            return *known;
        }
        let node = std::fs::read_to_string(file).is_ok_and(|source| starts_with_use_node(&source));
        self.node_files.lock().unwrap().insert(file.to_path_buf(), node);
        node
    }

    /// The file of a function module (`messages` → `convex/messages.ts`).
    pub fn module_file(&self, module: &str) -> Option<PathBuf> {
        if module.split('/').any(|part| part.is_empty() || part == ".." || part == ".") {
            return None;
        }
        let module = module.trim_end_matches(".js");
        if let Some(pushed) = &self.pushed {
            return ["js", "mjs"]
                .iter()
                .map(|ext| format!("{module}.{ext}"))
                .find(|path| pushed.contains_key(path))
                .map(|path| PathBuf::from(format!("{PUSHED_SCHEME}{path}")));
        }
        if let Some(known) = self.module_files.lock().unwrap().get(module) {
            return Some(known.clone());
        }
        let file = MODULE_EXTENSIONS
            .iter()
            .map(|ext| self.functions_dir.join(format!("{module}.{ext}")))
            .find(|p| p.is_file())?;
        self.module_files.lock().unwrap().insert(module.to_owned(), file.clone());
        Some(file)
    }

    /// A function module's source as written (TypeScript or JavaScript from the project
    /// folder, or the bundle the CLI pushed) and its name; `None` when there is no such
    /// module.
    pub fn module_source(&self, module: &str) -> Option<(String, String)> {
        let file = self.module_file(module)?;
        let text = file.to_str().and_then(|f| f.strip_prefix(PUSHED_SCHEME)).map_or_else(
            || std::fs::read_to_string(&file).ok(),
            |pushed| self.pushed.as_ref().and_then(|m| m.get(pushed)).map(|s| s.to_string()),
        )?;
        let name = file
            .strip_prefix(&self.root)
            .map_or_else(|_| file.display().to_string(), |p| p.display().to_string());
        Some((name, text))
    }

    /// Forgets cached JavaScript (after files changed on disk).
    pub fn invalidate(&self) {
        self.sources.lock().unwrap().clear();
        self.node_files.lock().unwrap().clear();
        self.module_files.lock().unwrap().clear();
        self.bytecode.lock().unwrap().clear();
    }

    /// A query written in the dashboard — a function expression like a Convex handler,
    /// `async (ctx) => …`, TypeScript allowed — as a module whose default export is that
    /// handler registered with the project's own `queryGeneric`: imported from
    /// `convex/server` in a project folder, and found among the shared chunks of pushed
    /// bundles (whose names are minified) by what it returns. Its path.
    pub(crate) fn adhoc_query_module(&self, source: &str) -> Result<PathBuf, RuntimeError> {
        // Checked on its own first, so a syntax error's line and column are the user's.
        to_javascript(Path::new("query.ts"), &format!("({source}\n);"))?;
        let registration = match &self.pushed {
            None => "import { queryGeneric } from \"convex/server\";\n".to_owned(),
            Some(modules) => {
                let mut chunks: Vec<&String> =
                    modules.keys().filter(|k| k.starts_with("_deps/")).collect();
                chunks.sort();
                let imports: String = chunks
                    .iter()
                    .enumerate()
                    .map(|(i, chunk)| format!("import * as chunk{i} from \"./{chunk}\";\n"))
                    .collect();
                let list: Vec<String> = (0..chunks.len()).map(|i| format!("chunk{i}")).collect();
                format!(
                    "{imports}const queryGeneric = [{}].flatMap((m) => Object.values(m)).find((f) => {{\n\
                     if (typeof f !== \"function\") return false;\n\
                     try {{ const q = f({{ args: {{}}, handler: () => null }});\n\
                     return !!q && q.isQuery === true && q.isPublic === true && typeof q.invokeQuery === \"function\"; }}\n\
                     catch {{ return false; }}\n}});\n\
                     if (!queryGeneric) throw new Error(\"This deployment's pushed code does not include Convex's query registration, so ad-hoc queries cannot run on it\");\n",
                    list.join(", ")
                )
            }
        };
        let text = format!(
            "{registration}export default queryGeneric({{ args: {{}}, handler: (\n{source}\n) }});\n"
        );
        let js: Arc<str> = to_javascript(Path::new("query.ts"), &text)?.into();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        std::hash::Hash::hash(&text, &mut hasher);
        let name = format!("_atrium_query_{:016x}.js", std::hash::Hasher::finish(&hasher));
        let path = match &self.pushed {
            Some(_) => PathBuf::from(format!("{PUSHED_SCHEME}{name}")),
            None => self.functions_dir.join(name),
        };
        let mut adhoc = self.adhoc.lock().unwrap();
        // Bounded: older queries' modules and bytecode go.
        if adhoc.len() >= 64 {
            let mut bytecode = self.bytecode.lock().unwrap();
            for old in adhoc.keys() {
                bytecode.remove(old);
            }
            adhoc.clear();
        }
        adhoc.insert(path.clone(), js);
        Ok(path)
    }

    /// The JavaScript for a module file, stripped of types, cached.
    pub(crate) fn javascript(&self, path: &Path) -> Result<Arc<str>, RuntimeError> {
        if let Some(js) = self.adhoc.lock().unwrap().get(path) {
            return Ok(js.clone());
        }
        if let Some(pushed) = &self.pushed {
            let key = path.to_string_lossy();
            let key = key.strip_prefix(PUSHED_SCHEME).unwrap_or(&key);
            return pushed.get(key).cloned().ok_or_else(|| RuntimeError::Io {
                path: path.display().to_string(),
                error: std::io::Error::new(std::io::ErrorKind::NotFound, "no such pushed module"),
            });
        }
        if let Some(source) = self.sources.lock().unwrap().get(path) {
            return Ok(source.clone());
        }
        let text = std::fs::read_to_string(path)
            .map_err(|error| RuntimeError::Io { path: path.display().to_string(), error })?;
        let shown = path.strip_prefix(&self.root).unwrap_or(path);
        let mut js = if crate::cjs::is_commonjs(path, &text) {
            let text = text
                .strip_prefix("#!")
                .map_or(text.as_str(), |rest| rest.find('\n').map_or("", |at| &rest[at..]));
            let resolve = |from: &Path, specifier: &str| {
                self.resolve(&from.display().to_string(), specifier).ok()
            };
            crate::cjs::to_module(path, text, &resolve)
        } else {
            to_javascript(shown, &text)?
        };
        if let Some(stanza) = definition_stanza(path) {
            js.push_str(&stanza);
        }
        let js: Arc<str> = js.into();
        self.sources.lock().unwrap().insert(path.to_path_buf(), js.clone());
        Ok(js)
    }

    /// Resolves an import from the module `importer` (a file path).
    pub(crate) fn resolve(&self, importer: &str, specifier: &str) -> Result<PathBuf, RuntimeError> {
        let import_error = |reason: String| RuntimeError::Import {
            specifier: specifier.to_owned(),
            importer: Path::new(importer)
                .strip_prefix(&self.root)
                .unwrap_or(Path::new(importer))
                .display()
                .to_string(),
            reason,
        };
        if let Some(pushed) = &self.pushed {
            return resolve_pushed(pushed, importer, specifier).map_err(import_error);
        }
        let no_builtins = || {
            let use_node =
                std::fs::read_to_string(importer).is_ok_and(|source| starts_with_use_node(&source));
            import_error(if use_node {
                "this \"use node\" module is being loaded outside Node.js (its functions run in Node.js; other modules may not import it)".into()
            } else {
                "Node.js built-in modules are only available in \"use node\" modules, which run in Node.js (add \"use node\"; at the top of the module; it may then define only actions)".into()
            })
        };
        if specifier.starts_with("node:") {
            return Err(no_builtins());
        }
        let dir = Path::new(importer).parent().unwrap_or(&self.root);
        match self.resolver.resolve(dir, specifier) {
            Ok(resolution) => Ok(resolution.full_path()),
            Err(oxc_resolver::ResolveError::Builtin { .. }) => Err(no_builtins()),
            Err(e) => {
                let hint =
                    if !specifier.starts_with('.') && !self.root.join("node_modules").is_dir() {
                        " (the project has no node_modules: run `npm install` in it)"
                    } else {
                        ""
                    };
                Err(import_error(format!("{e}{hint}")))
            }
        }
    }
}

/// For a `convex.config` file in a folder, what Convex's bundler would have given its
/// definition: `componentDefinitionPath` (the folder) and `defaultName` (its
/// `defineComponent` name), set by a self-import after the module's own code ran, so that
/// a parent's `app.use(child)` works as it does on Convex.
fn definition_stanza(path: &Path) -> Option<String> {
    let file = path.file_name()?.to_str()?;
    let dir = path.parent()?.to_str()?;
    if !file.starts_with("convex.config.") || file.matches('.').count() != 2 {
        return None;
    }
    let self_import = serde_json::Value::from(format!("./{file}"));
    let dir = serde_json::Value::from(dir);
    Some(format!(
        "\nimport __atriumDefinition from {self_import};\n\
         if (__atriumDefinition && typeof __atriumDefinition === \"object\") {{\n\
         __atriumDefinition.componentDefinitionPath = {dir};\n\
         if (typeof __atriumDefinition._name === \"string\") __atriumDefinition.defaultName = __atriumDefinition._name;\n}}\n"
    ))
}

/// Whether a module's first statement is the `"use node"` directive.
pub(crate) fn starts_with_use_node(source: &str) -> bool {
    let mut rest = source.trim_start();
    // Skip leading comments.
    loop {
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.split_once('\n').map_or("", |(_, r)| r).trim_start();
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r).trim_start();
        } else {
            break;
        }
    }
    rest.starts_with("\"use node\"") || rest.starts_with("'use node'")
}

/// Resolves an import between pushed modules: relative paths only, within the push.
fn resolve_pushed(
    pushed: &HashMap<String, Arc<str>>,
    importer: &str,
    specifier: &str,
) -> Result<PathBuf, String> {
    if let Some(path) = specifier.strip_prefix(PUSHED_SCHEME)
        && pushed.contains_key(path)
    {
        return Ok(PathBuf::from(specifier));
    }
    if !(specifier.starts_with("./") || specifier.starts_with("../")) {
        return Err(format!(
            "pushed modules may only import each other by relative path; `{specifier}` would need a package the push did not include"
        ));
    }
    let base = importer.strip_prefix(PUSHED_SCHEME).unwrap_or(importer);
    let mut parts: Vec<&str> = base.split('/').collect();
    parts.pop(); // the importing file itself
    for segment in specifier.split('/') {
        match segment {
            "." | "" => {}
            ".." => {
                parts.pop().ok_or("the path leaves the pushed modules")?;
            }
            other => parts.push(other),
        }
    }
    let path = parts.join("/");
    if pushed.contains_key(&path) {
        Ok(PathBuf::from(format!("{PUSHED_SCHEME}{path}")))
    } else {
        Err(format!("no pushed module `{path}`"))
    }
}

/// The first module resolution or load failure of a context, with its full detail.
pub(crate) type LoadFailure = Arc<Mutex<Option<RuntimeError>>>;

/// The module resolver and loader QuickJS calls, backed by a [`Project`].
pub(crate) struct ProjectModules {
    /// Weak, so an idle warm isolate (`isolates`) does not keep a replaced project version
    /// alive; a call holds the project while it imports.
    pub(crate) project: std::sync::Weak<Project>,
    /// The first resolution or load failure, with its full detail (QuickJS only keeps a
    /// message).
    pub(crate) failure: LoadFailure,
}

impl ProjectModules {
    fn fail<T>(&self, error: RuntimeError) -> rquickjs::Result<T> {
        let message = error.to_string();
        self.failure.lock().unwrap().get_or_insert(error);
        Err(rquickjs::Error::new_loading_message("module", message))
    }
}

impl JsResolver for ProjectModules {
    fn resolve<'js>(
        &mut self,
        _ctx: &Ctx<'js>,
        base: &str,
        name: &str,
        _attributes: Option<ImportAttributes<'js>>,
    ) -> rquickjs::Result<String> {
        let Some(project) = self.project.upgrade() else { return self.fail(unloaded()) };
        if Path::new(name).is_absolute() && Path::new(name).is_file()
            || project.adhoc.lock().unwrap().contains_key(Path::new(name))
        {
            return Ok(name.to_owned());
        }
        match project.resolve(base, name) {
            Ok(path) => Ok(path.display().to_string()),
            Err(e) => self.fail(e),
        }
    }
}

impl Loader for ProjectModules {
    fn load<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        name: &str,
        _attributes: Option<ImportAttributes<'js>>,
    ) -> rquickjs::Result<Module<'js, Declared>> {
        let Some(project) = self.project.upgrade() else { return self.fail(unloaded()) };
        let path = Path::new(name);
        let cached = project.bytecode.lock().unwrap().get(path).cloned();
        if let Some(bytes) = cached {
            // SAFETY: the bytes were written by `Module::write` below, by this same QuickJS
            // build in this process, from a module that compiled.
            #[allow(unsafe_code, reason = "loading bytecode this process compiled")]
            return unsafe { Module::load(ctx.clone(), &bytes) };
        }
        let js = match project.javascript(path) {
            Ok(js) => js,
            Err(e) => return self.fail(e),
        };
        let module = Module::declare(ctx.clone(), name, js.as_bytes().to_vec())?;
        if let Ok(bytes) = module.write(WriteOptions::default()) {
            project.bytecode.lock().unwrap().insert(path.to_path_buf(), bytes.into());
        }
        Ok(module)
    }
}

/// The error of an import after the project version was dropped.
fn unloaded() -> RuntimeError {
    RuntimeError::Js("the project's code was replaced while a module was loading".into())
}
