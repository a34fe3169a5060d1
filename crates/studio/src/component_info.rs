//! An installed component instance as the UI lists it ([`ComponentSummary`]), with the npm
//! package and version it came from when its definition is a folder on this machine (a
//! project served from its folder). A leaf: the component commands and the Project area's
//! list both use it, so it must not import either.

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

/// One installed component instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ComponentSummary {
    /// Its path from the app (`shardedCounter`, `aggregate/batchWorker`), as calls name it.
    pub path: String,
    /// The definition's own name (`defineComponent("shardedCounter")`).
    pub definition_name: Option<String>,
    /// Where the definition is (`…/node_modules/@convex-dev/x/dist/component`).
    pub definition: Option<String>,
    /// The npm package it was installed from (`@convex-dev/workpool`), when known.
    pub package: Option<String>,
    /// That package's version (`0.4.16`).
    pub version: Option<String>,
    /// Where its HTTP routes are served on the deployment's site (`/ticker/`), when the
    /// deployment says (`components:list`'s `httpPrefix`) and it is mounted.
    pub http_prefix: Option<String>,
}

/// The package (name, version) a definition folder inside `node_modules` belongs to: the
/// nearest `package.json` above it with both.
pub fn package_of(definition: &Path) -> Option<(String, String)> {
    if !definition.is_absolute()
        || !definition.components().any(|c| c.as_os_str() == "node_modules")
    {
        return None;
    }
    for dir in definition.ancestors() {
        if dir.file_name().is_some_and(|n| n == "node_modules") {
            return None;
        }
        let Ok(text) = std::fs::read_to_string(dir.join("package.json")) else { continue };
        let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
        if let (Some(name), Some(version)) = (
            json.get("name").and_then(|n| n.as_str()),
            json.get("version").and_then(|v| v.as_str()),
        ) {
            return Some((name.to_owned(), version.to_owned()));
        }
    }
    None
}

impl ComponentSummary {
    /// A summary of the instance at `path` whose definition is at `definition`.
    pub fn new(path: String, definition_name: Option<String>, definition: Option<String>) -> Self {
        let package = definition.as_deref().and_then(|d| package_of(Path::new(d)));
        Self {
            path,
            definition_name,
            definition,
            package: package.as_ref().map(|p| p.0.clone()),
            version: package.map(|p| p.1),
            http_prefix: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_definition_inside_node_modules_names_its_package_and_version() {
        let root = std::env::temp_dir().join(format!("atrium-pkg-{}", std::process::id()));
        let definition = root.join("node_modules/@convex-dev/x/dist/component");
        std::fs::create_dir_all(&definition).unwrap();
        // `dist/package.json` only marks the module type: the package's own is further up.
        std::fs::write(
            root.join("node_modules/@convex-dev/x/dist/package.json"),
            r#"{"type":"module"}"#,
        )
        .unwrap();
        std::fs::write(
            root.join("node_modules/@convex-dev/x/package.json"),
            r#"{"name":"@convex-dev/x","version":"1.2.3"}"#,
        )
        .unwrap();
        std::fs::write(root.join("package.json"), r#"{"name":"app","version":"9.9.9"}"#).unwrap();
        assert_eq!(package_of(&definition), Some(("@convex-dev/x".into(), "1.2.3".into())));
        // A local component (no node_modules on the way) names none, nor a relative path.
        assert_eq!(package_of(&root.join("convex/ticker")), None);
        assert_eq!(package_of(Path::new("../node_modules/@convex-dev/x/dist/component")), None);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
