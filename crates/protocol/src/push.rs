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
