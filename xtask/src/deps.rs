//! The dependency rules between the workspace's crates, checked on `cargo metadata`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// Crates whose tests must build without the heavy GUI and dataframe stacks.
pub(crate) const LEAN_CRATES: &[&str] = &[
    "atrium-value",
    "atrium-protocol",
    "atrium-logs",
    "atrium-engine",
    "atrium-runtime",
    "atrium-server",
    "atrium-client",
];
/// The only crate that may depend on tauri.
pub(crate) const TAURI_HOST: &str = "atrium";
/// The only crate that may depend on polars directly.
pub(crate) const POLARS_USER: &str = "atrium-studio";

/// `cargo metadata` of the workspace at `root`, as JSON.
pub(crate) fn cargo_metadata(root: &Path) -> Result<serde_json::Value, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("could not run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cargo metadata printed invalid JSON: {e}"))
}

/// Direct dependencies that break the layers, whatever their kind (normal, build, dev):
/// `(from, to, why)`.
pub(crate) const FORBIDDEN_EDGES: &[(&str, &str, &str)] = &[
    (
        "atrium-studio",
        "atrium-engine",
        "the studio reaches the local engine only through atrium-server's Deployment",
    ),
    (
        "atrium-studio",
        "atrium-runtime",
        "the studio reaches the local engine only through atrium-server's Deployment",
    ),
    (
        "atrium-engine",
        "atrium-protocol",
        "the engine speaks no wire types; its function log store is atrium-logs",
    ),
];

/// Packages by name, with the names of the packages each depends on (all kinds: normal,
/// build and dev).
#[derive(Debug, Default)]
pub(crate) struct WorkspaceGraph {
    pub(crate) members: BTreeSet<String>,
    pub(crate) deps: BTreeMap<String, BTreeSet<String>>,
}

fn is_tauri(name: &str) -> bool {
    name == "tauri" || name.starts_with("tauri-")
}

fn is_polars(name: &str) -> bool {
    name == "polars" || name.starts_with("polars-")
}

impl WorkspaceGraph {
    pub(crate) fn from_metadata(metadata: &serde_json::Value) -> Result<Self, String> {
        let mut names = BTreeMap::new();
        for package in metadata["packages"].as_array().ok_or("metadata has no packages")? {
            let (Some(id), Some(name)) = (package["id"].as_str(), package["name"].as_str()) else {
                continue;
            };
            names.insert(id.to_owned(), name.to_owned());
        }
        let name_of = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
        let mut graph = WorkspaceGraph::default();
        for id in metadata["workspace_members"].as_array().ok_or("metadata has no members")? {
            graph.members.insert(name_of(id.as_str().unwrap_or_default()));
        }
        let nodes =
            metadata["resolve"]["nodes"].as_array().ok_or("metadata has no resolve graph")?;
        for node in nodes {
            let from = name_of(node["id"].as_str().unwrap_or_default());
            let entry = graph.deps.entry(from).or_default();
            for dep in node["deps"].as_array().into_iter().flatten() {
                entry.insert(name_of(dep["pkg"].as_str().unwrap_or_default()));
            }
        }
        Ok(graph)
    }

    /// Every package `start` reaches, itself excluded.
    pub(crate) fn reachable(&self, start: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![start.to_owned()];
        while let Some(name) = stack.pop() {
            for dep in self.deps.get(&name).into_iter().flatten() {
                if seen.insert(dep.clone()) {
                    stack.push(dep.clone());
                }
            }
        }
        seen
    }
}

/// Each broken rule, as a sentence naming the crates involved.
pub(crate) fn violations(graph: &WorkspaceGraph) -> Vec<String> {
    let mut problems = Vec::new();
    for member in &graph.members {
        let reachable = graph.reachable(member);
        let tauri: Vec<_> = reachable.iter().filter(|n| is_tauri(n)).cloned().collect();
        if member != TAURI_HOST && !tauri.is_empty() {
            problems.push(format!(
                "{member} depends on {} (only {TAURI_HOST}, the desktop host, may)",
                tauri.join(", ")
            ));
        }
        let direct_polars: Vec<_> = graph
            .deps
            .get(member)
            .into_iter()
            .flatten()
            .filter(|n| is_polars(n))
            .cloned()
            .collect();
        if member != POLARS_USER && !direct_polars.is_empty() {
            problems.push(format!(
                "{member} depends directly on {} (only {POLARS_USER} may)",
                direct_polars.join(", ")
            ));
        }
        if LEAN_CRATES.contains(&member.as_str()) {
            let heavy: Vec<_> =
                reachable.iter().filter(|n| is_polars(n) || is_tauri(n)).cloned().collect();
            if !heavy.is_empty() {
                problems.push(format!(
                    "{member} must build without tauri and polars, but reaches {}",
                    heavy.join(", ")
                ));
            }
        }
    }
    for (from, to, why) in FORBIDDEN_EDGES {
        if graph.deps.get(*from).is_some_and(|deps| deps.contains(*to)) {
            problems.push(format!("{from} depends directly on {to} ({why})"));
        }
    }
    let ruled = FORBIDDEN_EDGES.iter().flat_map(|(from, to, _)| [from, to]);
    let named: BTreeSet<&str> =
        LEAN_CRATES.iter().chain([&POLARS_USER, &TAURI_HOST]).chain(ruled).copied().collect();
    for name in named {
        if !graph.members.contains(name) {
            problems.push(format!("{name} is not a workspace member: update xtask's rules"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &str)]) -> WorkspaceGraph {
        let mut g = WorkspaceGraph::default();
        for name in LEAN_CRATES.iter().chain([&POLARS_USER, &TAURI_HOST]) {
            g.members.insert(name.to_string());
        }
        for (from, to) in edges {
            g.deps.entry(from.to_string()).or_default().insert(to.to_string());
        }
        g
    }

    #[test]
    fn the_intended_shape_passes() {
        let g = graph(&[
            ("atrium", "tauri"),
            ("atrium", "atrium-studio"),
            ("atrium-studio", "polars"),
            ("atrium-studio", "atrium-client"),
            ("atrium-studio", "atrium-server"),
            ("atrium-studio", "atrium-logs"),
            ("atrium-server", "atrium-engine"),
            ("atrium-engine", "atrium-logs"),
            ("atrium-logs", "atrium-protocol"),
        ]);
        assert_eq!(violations(&g), Vec::<String>::new());
    }

    #[test]
    fn the_studio_reaching_the_engine_or_runtime_directly_is_caught() {
        for layer in ["atrium-engine", "atrium-runtime"] {
            let g = graph(&[("atrium-studio", "atrium-server"), ("atrium-studio", layer)]);
            let problems = violations(&g);
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert!(problems[0].contains(&format!("atrium-studio depends directly on {layer}")));
        }
        // Through the server is the allowed door.
        let g = graph(&[("atrium-studio", "atrium-server"), ("atrium-server", "atrium-runtime")]);
        assert_eq!(violations(&g), Vec::<String>::new());
    }

    #[test]
    fn the_engine_depending_on_the_protocol_is_caught() {
        let g = graph(&[("atrium-engine", "atrium-protocol")]);
        let problems = violations(&g);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("atrium-engine depends directly on atrium-protocol"));
    }

    #[test]
    fn tauri_outside_the_host_is_caught_even_transitively() {
        let g = graph(&[("atrium-studio", "some-lib"), ("some-lib", "tauri-utils")]);
        let problems = violations(&g);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("atrium-studio") && problems[0].contains("tauri-utils"));
    }

    #[test]
    fn polars_in_a_lean_crate_is_caught() {
        let g = graph(&[("atrium-engine", "polars")]);
        let problems = violations(&g);
        assert!(problems.iter().any(|p| p.contains("atrium-engine depends directly on polars")));
        assert!(problems.iter().any(|p| p.contains("atrium-engine must build without")));
    }

    #[test]
    fn a_lean_crate_reaching_polars_through_studio_is_caught() {
        let g = graph(&[("atrium-client", "atrium-studio"), ("atrium-studio", "polars")]);
        let problems = violations(&g);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("atrium-client must build without"));
    }

    #[test]
    fn the_real_workspace_follows_the_rules() {
        let graph =
            WorkspaceGraph::from_metadata(&cargo_metadata(&crate::repo_root()).unwrap()).unwrap();
        assert!(graph.reachable(TAURI_HOST).contains("tauri"), "the host should reach tauri");
        assert_eq!(violations(&graph), Vec::<String>::new());
    }
}
