//! What the official CLI pushes (`npx convex deploy`, `npx convex dev`): the modules of
//! `start_push`'s `appDefinition.changedModules` — already bundled ESM, with their source
//! maps — and the hash `get_config_hashes` reports for each; and the bodies of the
//! handshake's steps both ends read (`wait_for_schema`'s status, `finish_push`'s request).
//!
//! It must not hold the push handshake itself (the server's `push` module serves it, the
//! client's `push` module drives it).

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

/// The push routes, as the CLI calls them (POST, admin key in the body or the header).
pub mod path {
    pub const CONFIG_HASHES: &str = "/api/get_config_hashes";
    pub const START_PUSH: &str = "/api/deploy2/start_push";
    pub const WAIT_FOR_SCHEMA: &str = "/api/deploy2/wait_for_schema";
    pub const FINISH_PUSH: &str = "/api/deploy2/finish_push";
}

/// `get_config_hashes`' request: the CLI's version and the admin key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigHashesRequest {
    pub version: String,
    pub admin_key: String,
}

/// One module's hash in `get_config_hashes`' answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModuleHash {
    pub path: String,
    pub hash: String,
}

/// The part of `get_config_hashes`' answer a push preview reads: the hash of each module
/// the deployment serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigHashes {
    #[serde(default)]
    pub module_hashes: Vec<ModuleHash>,
}

/// `wait_for_schema`'s request: the `schemaChange` of the `start_push` answer it follows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WaitForSchemaRequest {
    pub admin_key: String,
    pub schema_change: serde_json::Value,
    pub timeout_ms: u64,
    pub dry_run: bool,
}

/// One component's progress in a `wait_for_schema` answer still `inProgress`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentSchemaStatus {
    #[serde(default)]
    pub schema_validation_complete: bool,
    #[serde(default)]
    pub indexes_complete: u64,
    #[serde(default)]
    pub indexes_total: u64,
}

/// `wait_for_schema`'s answer: where checking existing documents against the pushed schema
/// (and backfilling its new indexes) stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum SchemaStatus {
    #[serde(rename_all = "camelCase")]
    InProgress {
        #[serde(default)]
        components: std::collections::BTreeMap<String, ComponentSchemaStatus>,
    },
    /// A document does not match the pushed schema: the push stops here, nothing changed.
    #[serde(rename_all = "camelCase")]
    Failed {
        error: String,
        #[serde(default)]
        component_path: Option<String>,
        #[serde(default)]
        table_name: Option<String>,
    },
    /// Another push replaced this one's schema.
    RaceDetected,
    Complete,
}

/// `finish_push`'s request: the `start_push` answer it completes, as received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FinishPushRequest {
    pub admin_key: String,
    pub start_push: serde_json::Value,
    pub dry_run: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_statuses_read_as_the_cli_reads_them() {
        let failed: SchemaStatus = serde_json::from_value(serde_json::json!({
            "type": "failed", "error": "Document with ID \"x\" …", "componentPath": "", "tableName": "items"
        }))
        .unwrap();
        assert!(matches!(failed, SchemaStatus::Failed { table_name: Some(t), .. } if t == "items"));
        let busy: SchemaStatus = serde_json::from_value(serde_json::json!({
            "type": "inProgress",
            "components": {"": {"schemaValidationComplete": false, "indexesComplete": 1, "indexesTotal": 2}}
        }))
        .unwrap();
        assert!(
            matches!(busy, SchemaStatus::InProgress { components } if components[""].indexes_total == 2)
        );
        let done: SchemaStatus =
            serde_json::from_value(serde_json::json!({"type": "complete"})).unwrap();
        assert_eq!(done, SchemaStatus::Complete);
        let race: SchemaStatus =
            serde_json::from_value(serde_json::json!({"type": "raceDetected"})).unwrap();
        assert_eq!(race, SchemaStatus::RaceDetected);
    }
}
