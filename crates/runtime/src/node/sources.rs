//! What the Node.js executor may import, and where each module file is for it. A project
//! folder's modules stay where they are: every file under `convex/` is handed over with its
//! types stripped (the executor's hooks load them from that table), and `node_modules`
//! resolves as Node.js resolves it. Pushed modules (bundled by the CLI for Node.js, shared
//! chunks under `_deps/`) are written to the process's own folder.
//!
//! It must not start processes (`process.rs` does).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::project::PUSHED_SCHEME;
use crate::{Project, RuntimeError};

const EXTENSIONS: &[&str] = &["ts", "tsx", "js", "mjs", "jsx"];

/// The modules one executor may import.
pub(crate) struct NodeSources {
    /// Absolute path → JavaScript, for a folder's own modules.
    pub(crate) transpiled: BTreeMap<String, String>,
    /// The executor's working directory: the project folder, or where pushed modules went.
    pub(crate) cwd: PathBuf,
    /// Where pushed modules were written (`None` for a folder).
    pushed_dir: Option<PathBuf>,
}

impl NodeSources {
    /// Gathers `project`'s modules (pushed ones are written under `dir`).
    pub(crate) fn prepare(project: &Project, dir: &Path) -> Result<Self, RuntimeError> {
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |error| RuntimeError::Io { path, error }
        };
        if let Some(pushed) = project.pushed_modules() {
            let root = dir.join("modules");
            for (path, source) in pushed {
                let file = root.join(path);
                if let Some(parent) = file.parent() {
                    std::fs::create_dir_all(parent).map_err(io(parent))?;
                }
                std::fs::write(&file, source.as_bytes()).map_err(io(&file))?;
            }
            // The CLI's bundles are ES modules.
            let package = root.join("package.json");
            std::fs::create_dir_all(&root).map_err(io(&root))?;
            std::fs::write(&package, "{\"type\":\"module\"}").map_err(io(&package))?;
            return Ok(Self {
                transpiled: BTreeMap::new(),
                cwd: root.clone(),
                pushed_dir: Some(root),
            });
        }
        let mut transpiled = BTreeMap::new();
        collect(project, project.functions_dir(), &mut transpiled)?;
        Ok(Self { transpiled, cwd: project.root().to_path_buf(), pushed_dir: None })
    }

    /// The file the executor imports for the module file `file`.
    pub(crate) fn file(&self, file: &Path) -> PathBuf {
        let text = file.to_string_lossy();
        match (&self.pushed_dir, text.strip_prefix(PUSHED_SCHEME)) {
            (Some(dir), Some(path)) => dir.join(path),
            _ => file.to_path_buf(),
        }
    }
}

/// Every module file under `dir`, types stripped; a file that does not compile becomes a
/// module that throws why, so only what imports it fails.
fn collect(
    project: &Project,
    dir: &Path,
    out: &mut BTreeMap<String, String>,
) -> Result<(), RuntimeError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|error| RuntimeError::Io { path: dir.display().to_string(), error })?;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "node_modules" {
            continue;
        }
        if path.is_dir() {
            collect(project, &path, out)?;
            continue;
        }
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
        if !EXTENSIONS.contains(&extension) || name.ends_with(".d.ts") {
            continue;
        }
        let js = match project.javascript(&path) {
            Ok(js) => js.to_string(),
            Err(e) => format!("throw new Error({});\n", serde_json::Value::from(e.to_string())),
        };
        out.insert(path.display().to_string(), js);
    }
    Ok(())
}
