//! CommonJS packages as ES modules, so a folder project can import npm packages published
//! as CommonJS (svix, standardwebhooks, …) the way Convex's bundler lets it.
//!
//! A CommonJS file under `node_modules` becomes a module that imports every module its
//! `require("…")` calls name, runs the file's code in the usual `(exports, require,
//! module, __filename, __dirname)` wrapper — on its first `require`, as Node.js does, so
//! require cycles see partly filled exports as they would there — and
//! exports `module.exports` as `default` plus the names the code assigns on `exports`
//! (found as cjs-module-lexer finds them: `exports.x =`, `Object.defineProperty(exports,
//! "x"`, and the names of `__exportStar(require("…"))` re-exports). A `require` whose
//! target does not resolve (an optional dependency, a Node.js built-in) throws when it is
//! called, not when the module loads.
//!
//! It only rewrites source text; resolving is the project's job (`project`).

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use regex::Regex;

/// How deep `__exportStar` re-exports are followed to find names.
const MAX_REEXPORT_DEPTH: usize = 4;

fn require_call() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r#"\brequire\(\s*(?:'([^'\n]+)'|"([^"\n]+)")\s*\)"#).unwrap())
}

fn export_names() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"\b(?:module\.)?exports\.([A-Za-z_$][\w$]*)\s*=[^=]|Object\.defineProperty\(\s*(?:module\.)?exports\s*,\s*["']([A-Za-z_$][\w$]*)["']"#,
        )
        .unwrap()
    })
}

fn reexports() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r#"__exportStar\(\s*require\(\s*["']([^"']+)["']\s*\)"#).unwrap())
}

fn esm_syntax() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"(?m)^\s*(?:import\s*[{*"']|import\s+[\w$]|export\s+(?:\{|\*|default|const|let|var|function|class|async))"#)
            .unwrap()
    })
}

/// Whether the file at `path` (in `node_modules`) is CommonJS: a `.cjs` file, or a `.js`
/// file whose package is not `"type": "module"` and which has no import or export
/// statements.
pub(crate) fn is_commonjs(path: &Path, source: &str) -> bool {
    if !path.components().any(|c| c.as_os_str() == "node_modules") {
        return false;
    }
    match path.extension().and_then(|e| e.to_str()) {
        Some("cjs") => true,
        Some("js") => package_type(path) != Some(true) && !esm_syntax().is_match(source),
        _ => false,
    }
}

/// Whether the nearest `package.json` says `"type": "module"` (`None`: no package.json).
fn package_type(path: &Path) -> Option<bool> {
    let mut dir = path.parent();
    while let Some(d) = dir {
        if let Ok(text) = std::fs::read_to_string(d.join("package.json")) {
            let json: serde_json::Value = serde_json::from_str(&text).ok()?;
            return Some(json["type"].as_str() == Some("module"));
        }
        dir = d.parent();
    }
    None
}

fn required(source: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for caps in require_call().captures_iter(source) {
        let spec = caps.get(1).or_else(|| caps.get(2)).map(|m| m.as_str().to_owned());
        if let Some(spec) = spec
            && !seen.contains(&spec)
        {
            seen.push(spec);
        }
    }
    seen
}

/// The names a CommonJS file exports, following `__exportStar` re-exports through
/// `resolve`.
fn names(
    source: &str,
    path: &Path,
    resolve: &dyn Fn(&Path, &str) -> Option<std::path::PathBuf>,
    depth: usize,
    out: &mut BTreeSet<String>,
) {
    for caps in export_names().captures_iter(source) {
        if let Some(name) = caps.get(1).or_else(|| caps.get(2)) {
            out.insert(name.as_str().to_owned());
        }
    }
    if depth >= MAX_REEXPORT_DEPTH {
        return;
    }
    for caps in reexports().captures_iter(source) {
        let Some(target) = resolve(path, &caps[1]) else { continue };
        if let Ok(text) = std::fs::read_to_string(&target)
            && is_commonjs(&target, &text)
        {
            names(&text, &target, resolve, depth + 1, out);
        }
    }
}

const RESERVED: &[&str] = &[
    "default",
    "__esModule",
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "implements",
    "import",
    "in",
    "instanceof",
    "interface",
    "let",
    "new",
    "null",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "yield",
];

/// The ES module that runs the CommonJS file at `path`. `resolve` says where a
/// `require` specifier leads (`None`: it does not resolve, so requiring it throws).
pub(crate) fn to_module(
    path: &Path,
    source: &str,
    resolve: &dyn Fn(&Path, &str) -> Option<std::path::PathBuf>,
) -> String {
    let mut out = String::new();
    let mut cases = String::new();
    for (i, spec) in required(source).iter().enumerate() {
        let Some(target) = resolve(path, spec) else { continue };
        let target = serde_json::to_string(&target.display().to_string()).unwrap_or_default();
        let spec = serde_json::to_string(spec).unwrap_or_default();
        out.push_str(&format!("import * as __atrium_r{i} from {target};\n"));
        cases.push_str(&format!("    case {spec}: return __atrium_interop(__atrium_r{i});\n"));
    }
    let mut exported = BTreeSet::new();
    names(source, path, resolve, 0, &mut exported);
    let filename = serde_json::to_string(&path.display().to_string()).unwrap_or_default();
    let dirname =
        serde_json::to_string(&path.parent().map(|p| p.display().to_string()).unwrap_or_default())
            .unwrap_or_default();
    out.push_str(&format!(
        r#"function __atrium_interop(ns) {{
  return ns && Object.prototype.hasOwnProperty.call(ns, "__atrium_cjs") ? ns.__atrium_cjs() : ns;
}}
var __atrium_module;
export function __atrium_cjs() {{
  if (__atrium_module === undefined) {{
    __atrium_module = {{ exports: {{}} }};
    __atrium_factory.call(__atrium_module.exports, __atrium_module.exports, __atrium_require, __atrium_module, {filename}, {dirname}, globalThis);
  }}
  return __atrium_module.exports;
}}
function __atrium_require(specifier) {{
  switch (specifier) {{
{cases}  }}
  const error = new Error(`Cannot find module '${{specifier}}' (required from {file})`);
  error.code = "MODULE_NOT_FOUND";
  throw error;
}}
function __atrium_factory(exports, require, module, __filename, __dirname, global) {{
{source}
}}
const __atrium_exports = __atrium_cjs();
export default __atrium_exports;
"#,
        file = path.file_name().and_then(|f| f.to_str()).unwrap_or("a module").replace('`', ""),
    ));
    for name in exported.iter().filter(|n| !RESERVED.contains(&n.as_str())) {
        out.push_str(&format!("export const {name} = __atrium_exports == null ? undefined : __atrium_exports.{name};\n"));
    }
    out
}
