//! The instance tree: every component instance of a deployment's code (the app's included)
//! by path, with its definition and functions.
//!
//! It must not evaluate definitions (`definition` builds the tree) nor run functions.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::Project;

/// One installed component instance.
#[derive(Debug, Clone)]
pub struct Instance {
    /// `""` for the app, else the names from the app down, joined with `/`.
    pub path: String,
    /// The definition it instantiates (`../node_modules/@convex-dev/x/dist/component`;
    /// `""` for the app).
    pub definition: String,
    /// The definition's own name (`defineComponent("shardedCounter")`).
    pub definition_name: Option<String>,
    /// The instance's functions.
    pub project: Arc<Project>,
    /// Installed names of its children.
    pub children: Vec<String>,
    /// Where its children's HTTP routes are mounted: (path prefix ending in `/`, installed
    /// name of the child), from `use(child, { httpPrefix })`.
    pub http_mounts: Vec<(String, String)>,
}

impl Instance {
    /// The child whose HTTP routes serve `path`, and the path the child routes: the
    /// longest mount prefix `path` starts with, `/ticker/` serving `/ticker/count` as
    /// `/count`.
    pub fn http_mount(&self, path: &str) -> Option<(&str, String)> {
        self.http_mounts
            .iter()
            .filter(|(prefix, _)| path.starts_with(prefix.as_str()))
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(prefix, child)| (child.as_str(), format!("/{}", &path[prefix.len()..])))
    }
}

/// Every instance of a deployment's code, the app's included.
#[derive(Debug, Clone)]
pub struct ComponentTree {
    instances: BTreeMap<String, Instance>,
}

impl ComponentTree {
    /// A tree with the app alone.
    pub fn app_only(project: Arc<Project>) -> Self {
        let app = Instance {
            path: String::new(),
            definition: String::new(),
            definition_name: None,
            project,
            children: Vec::new(),
            http_mounts: Vec::new(),
        };
        Self { instances: BTreeMap::from([(String::new(), app)]) }
    }

    pub(crate) fn from_instances(instances: Vec<Instance>) -> Self {
        Self { instances: instances.into_iter().map(|i| (i.path.clone(), i)).collect() }
    }

    pub fn instance(&self, path: &str) -> Option<&Instance> {
        self.instances.get(path)
    }

    /// Where the HTTP routes of the instance at `path` are served on the deployment's site:
    /// its mount prefix under its parent's, down from the app (`/ticker/`; the app's `/`).
    /// `None` when it or an ancestor is not mounted (its routes are not reachable).
    pub fn http_prefix(&self, path: &str) -> Option<String> {
        if path.is_empty() {
            return Some("/".to_owned());
        }
        let (parent, name) =
            path.rsplit_once(atrium_value::names::COMPONENT_SEPARATOR).unwrap_or(("", path));
        let outer = self.http_prefix(parent)?;
        let (mount, _) =
            self.instances.get(parent)?.http_mounts.iter().find(|(_, child)| child == name)?;
        Some(format!("{outer}{}", mount.trim_start_matches('/')))
    }

    /// Every instance, the app first, then by path.
    pub fn instances(&self) -> impl Iterator<Item = &Instance> {
        self.instances.values()
    }

    pub fn app(&self) -> &Arc<Project> {
        &self.instances[""].project
    }

    /// The instance at `path`, or Convex's error for a component that is not installed.
    pub fn require(&self, path: &str) -> Result<&Instance, String> {
        self.instances.get(path).ok_or_else(|| format!("Component \"{path}\" not found"))
    }
}
