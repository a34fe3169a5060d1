//! What the official CLI pushes (`npx convex deploy`, `npx convex dev`): the modules of
//! `start_push`'s `appDefinition.changedModules` — already bundled ESM, with their source
//! maps — and the hash `get_config_hashes` reports for each.
//!
//! It must not hold the push handshake itself (the server's `push` module does).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A module as the CLI pushes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushedModule {
    pub path: String,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_map: Option<String>,
    #[serde(default = "isolate")]
    pub environment: String,
}

fn isolate() -> String {
    "isolate".into()
}

impl PushedModule {
    /// What `get_config_hashes` reports: sha256 (hex) of the source then the source map.
    pub fn hash(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.source.as_bytes());
        if let Some(map) = &self.source_map {
            hasher.update(map.as_bytes());
        }
        hex::encode(hasher.finalize())
    }
}

/// A component definition as the CLI pushes it in `start_push`'s `componentDefinitions`:
/// its path (relative to the app's `convex/`), its bundled `convex.config.js`, the
/// definitions it installs, its schema and its function modules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushedComponentDefinition {
    pub definition_path: String,
    pub definition: PushedModule,
    #[serde(default)]
    pub dependencies: Vec<String>,
    #[serde(default)]
    pub schema: Option<PushedModule>,
    #[serde(default)]
    pub functions: Vec<PushedModule>,
}

/// The component part of a push: the app's `convex.config.js` (`appDefinition.definition`;
/// none when the app installs no component) and every component definition.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushedComponents {
    #[serde(default)]
    pub app_definition: Option<PushedModule>,
    #[serde(default)]
    pub component_definitions: Vec<PushedComponentDefinition>,
}

impl PushedComponents {
    /// Reads them from a `start_push` request body.
    pub fn from_start_push(request: &serde_json::Value) -> Result<Self, String> {
        let app_definition = request
            .pointer("/appDefinition/definition")
            .filter(|d| !d.is_null())
            .map(|d| serde_json::from_value(d.clone()))
            .transpose()
            .map_err(|e| format!("The pushed convex.config.js is malformed: {e}"))?;
        let component_definitions = match request.get("componentDefinitions") {
            None | Some(serde_json::Value::Null) => Vec::new(),
            Some(list) => serde_json::from_value(list.clone())
                .map_err(|e| format!("A pushed component definition is malformed: {e}"))?,
        };
        Ok(Self { app_definition, component_definitions })
    }
}
