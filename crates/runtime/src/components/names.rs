//! Names across component instances: an instance's path from its parent's, its tables'
//! catalog names, and function addresses (`{name}`, `{reference}`, `{functionHandle}`) and
//! handles resolved to a [`Target`].
//!
//! A leaf: it imports nothing of the crate.

use atrium_value::names::{COMPONENT_SEPARATOR, split_component};

/// The path of `child` installed in `parent`.
pub fn child_path(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_owned()
    } else {
        format!("{parent}{COMPONENT_SEPARATOR}{child}")
    }
}

/// The catalog name of `table` of the instance at `component`.
pub fn qualify(component: &str, table: &str) -> String {
    if component.is_empty() {
        table.to_owned()
    } else {
        format!("{component}{COMPONENT_SEPARATOR}{table}")
    }
}

/// The table's own name when the catalog name `qualified` belongs to the instance at
/// `component`; `None` for another instance's table.
pub fn local_name<'a>(component: &str, qualified: &'a str) -> Option<&'a str> {
    let (path, table) = split_component(qualified);
    (path == component).then_some(table)
}

/// A function in some instance: where a call, a schedule or a handle goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub component: String,
    /// `module:export` (or `module`, its default export).
    pub path: String,
}

const HANDLE_SCHEME: &str = "function://";
const CHILD_REFERENCE: &str = "_reference/childComponent/";

impl Target {
    pub fn new(component: &str, path: &str) -> Self {
        let path = path.strip_suffix(".js").unwrap_or(path);
        let path = match path.split_once(':') {
            Some((module, export)) => {
                format!("{}:{export}", module.strip_suffix(".js").unwrap_or(module))
            }
            None => path.to_owned(),
        };
        Self { component: component.to_owned(), path }
    }

    /// The function handle of this function.
    pub fn handle(&self) -> String {
        format!("{HANDLE_SCHEME}{};{}", self.component, self.path)
    }

    /// A function handle's target.
    pub fn from_handle(handle: &str) -> Result<Self, String> {
        handle
            .strip_prefix(HANDLE_SCHEME)
            .and_then(|rest| rest.split_once(';'))
            .filter(|(_, path)| !path.is_empty())
            .map(|(component, path)| Self::new(component, path))
            .ok_or_else(|| format!("Invalid function handle: {handle}"))
    }

    /// Where a function address the library sends (`{name}`, `{reference}` or
    /// `{functionHandle}`) points, called from the instance at `caller`.
    pub fn from_address(
        caller: &str,
        name: Option<&str>,
        reference: Option<&str>,
        handle: Option<&str>,
    ) -> Result<Self, String> {
        if let Some(handle) = handle {
            return Self::from_handle(handle);
        }
        if let Some(name) = name {
            return Ok(Self::new(caller, name));
        }
        let reference =
            reference.ok_or("A function call needs a name, a reference or a function handle")?;
        let parts: Vec<&str> = reference
            .strip_prefix(CHILD_REFERENCE)
            .ok_or_else(|| format!("Unsupported function reference: {reference}"))?
            .split('/')
            .collect();
        match parts.as_slice() {
            [child, module @ .., export] if !module.is_empty() => {
                Ok(Self::new(&child_path(caller, child), &format!("{}:{export}", module.join("/"))))
            }
            _ => Err(format!(
                "A component function reference needs a component, a module and a function: {reference}"
            )),
        }
    }
}

/// Rewrites a component's schema (`schema.export()` JSON) to name its tables as the
/// catalog does: `tableName` and every `v.id(…)` inside it get the instance's prefix.
pub fn qualify_schema(component: &str, schema: &mut serde_json::Value) {
    fn ids(component: &str, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                if map.get("type").and_then(|t| t.as_str()) == Some("id")
                    && let Some(serde_json::Value::String(table)) = map.get_mut("tableName")
                {
                    *table = qualify(component, table);
                }
                map.values_mut().for_each(|v| ids(component, v));
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| ids(component, v)),
            _ => {}
        }
    }
    for table in schema.get_mut("tables").and_then(|t| t.as_array_mut()).into_iter().flatten() {
        if let Some(serde_json::Value::String(name)) = table.get_mut("tableName") {
            *name = qualify(component, name);
        }
        if let Some(document) = table.get_mut("documentType") {
            ids(component, document);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_handles_name_a_function_in_an_instance() {
        let child = Target::from_address(
            "",
            None,
            Some("_reference/childComponent/shardedCounter/public/add"),
            None,
        )
        .unwrap();
        assert_eq!(child, Target::new("shardedCounter", "public:add"));
        let grandchild = Target::from_address(
            "aggregate",
            None,
            Some("_reference/childComponent/w/a/b/run"),
            None,
        )
        .unwrap();
        assert_eq!(grandchild, Target::new("aggregate/w", "a/b:run"));
        let own = Target::from_address("x", Some("lib.js:go"), None, None).unwrap();
        assert_eq!(own, Target::new("x", "lib:go"));
        assert_eq!(Target::from_handle(&own.handle()).unwrap(), own);
        assert!(Target::from_handle("function://nothing").is_err());
    }

    #[test]
    fn tables_are_named_per_instance() {
        assert_eq!(qualify("", "items"), "items");
        assert_eq!(qualify("a/b", "shards"), "a/b/shards");
        assert_eq!(local_name("a/b", "a/b/shards"), Some("shards"));
        assert_eq!(local_name("a", "a/b/shards"), None);
        assert_eq!(local_name("", "items"), Some("items"));
        assert_eq!(local_name("", "a/items"), None);
        let mut schema = serde_json::json!({"tables": [{"tableName": "t", "documentType":
            {"type": "object", "value": {"o": {"fieldType": {"type": "id", "tableName": "t"}}}}}]});
        qualify_schema("c", &mut schema);
        assert_eq!(schema["tables"][0]["tableName"], "c/t");
        assert_eq!(
            schema["tables"][0]["documentType"]["value"]["o"]["fieldType"]["tableName"],
            "c/t"
        );
    }
}
