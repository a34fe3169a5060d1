//! Declared but unused dependencies: a crate's dependency that none of its Rust files
//! names, and a `[workspace.dependencies]` entry no member uses.
//!
//! The same text search `cargo machete` makes (a dependency is used when its crate name
//! appears as a word in the package's `.rs` files), done here so the check runs inside
//! `cargo test` with no tool to install. A dependency needed only for its features or to
//! pin a version is listed, with its reason, in the package's
//! `[package.metadata.xtask] unused-dependencies-ok`.

use std::collections::BTreeSet;
use std::path::Path;

/// Every unused dependency, as a sentence naming the package and the dependency.
pub(crate) fn unused_dependencies(root: &Path, metadata: &serde_json::Value) -> Vec<String> {
    let members: BTreeSet<&str> = metadata["workspace_members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|id| id.as_str())
        .collect();
    let mut problems = Vec::new();
    let mut used_by_members = BTreeSet::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        if !package["id"].as_str().is_some_and(|id| members.contains(id)) {
            continue;
        }
        let name = package["name"].as_str().unwrap_or_default();
        let Some(dir) = package["manifest_path"].as_str().and_then(|p| Path::new(p).parent())
        else {
            continue;
        };
        let allowed: BTreeSet<&str> = package["metadata"]["xtask"]["unused-dependencies-ok"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d.as_str())
            .collect();
        let words = words_in_rust_files(dir);
        for dep in package["dependencies"].as_array().into_iter().flatten() {
            let dep_name = dep["name"].as_str().unwrap_or_default();
            used_by_members.insert(dep_name.to_owned());
            let ident = dep["rename"].as_str().unwrap_or(dep_name).replace('-', "_");
            if ident == name.replace('-', "_") || allowed.contains(dep_name) {
                continue; // a crate's dev-dependency on itself (features for its tests)
            }
            if !words.contains(&ident) {
                let kind = dep["kind"].as_str().map_or(String::new(), |k| format!("{k}-"));
                problems.push(format!(
                    "{name} declares the {kind}dependency {dep_name} but none of its Rust files \
                     uses `{ident}` (remove it, or list it with a reason under \
                     [package.metadata.xtask] unused-dependencies-ok)"
                ));
            }
        }
    }
    for declared in workspace_dependencies(root) {
        if !used_by_members.contains(&declared) {
            problems.push(format!(
                "[workspace.dependencies] declares {declared}, which no workspace member uses"
            ));
        }
    }
    problems
}

/// The names under the root manifest's `[workspace.dependencies]`.
fn workspace_dependencies(root: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(root.join("Cargo.toml")).unwrap_or_default();
    let mut names = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == "[workspace.dependencies]";
            continue;
        }
        if !inside || line.is_empty() || line.starts_with('#') {
            continue;
        }
        let name: String =
            line.chars().take_while(|c| c.is_ascii_alphanumeric() || "-_".contains(*c)).collect();
        if !name.is_empty() {
            names.push(name);
        }
    }
    names
}

/// Every identifier-like word in the `.rs` files under `dir` (skipping `target/` and
/// `node_modules/`).
fn words_in_rust_files(dir: &Path) -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let file_name = entry.file_name();
            if path.is_dir() {
                if !matches!(file_name.to_str(), Some("target" | "node_modules" | ".git")) {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                words.extend(
                    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .filter(|w| !w.is_empty())
                        .map(str::to_owned),
                );
            }
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unused_dependency_is_named_and_a_used_one_is_not() {
        let dir = std::env::temp_dir().join(format!("atrium-unused-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("a/src")).unwrap();
        std::fs::write(dir.join("a/src/lib.rs"), "//! a\nuse serde_json::Value;\n").unwrap();
        std::fs::write(
            dir.join("Cargo.toml"),
            "[workspace.dependencies]\nserde_json = \"1\"\nrand = \"0.10\"\n",
        )
        .unwrap();
        let manifest = dir.join("a/Cargo.toml").display().to_string();
        let metadata = serde_json::json!({
            "workspace_members": ["a 0.1"],
            "packages": [{
                "id": "a 0.1", "name": "a", "manifest_path": manifest,
                "dependencies": [
                    {"name": "serde_json", "rename": null, "kind": null},
                    {"name": "tower", "rename": null, "kind": null},
                    {"name": "tempfile", "rename": null, "kind": "dev"},
                ],
                "metadata": {"xtask": {"unused-dependencies-ok": ["tempfile"]}},
            }],
        });
        let problems = unused_dependencies(&dir, &metadata);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("a declares the dependency tower"), "{problems:?}");
        assert!(problems[1].contains("declares rand, which no workspace member uses"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn the_real_workspace_declares_no_unused_dependency() {
        let root = crate::repo_root();
        let metadata = crate::deps::cargo_metadata(&root).unwrap();
        assert_eq!(unused_dependencies(&root, &metadata), Vec::<String>::new());
    }
}
