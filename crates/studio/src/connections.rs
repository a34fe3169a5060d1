//! Saved deployments: name, URL, colour and safe mode, kept in `connections.json` in the
//! config folder (written atomically). Their admin keys are not in that file: they live in
//! the [`crate::keychain::KeyStore`] under the connection's ID.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{CommandError, ErrorCode};

/// How careful the dashboard is with writes on a deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SafeMode {
    /// Edits apply when made.
    #[default]
    Normal,
    /// Every write asks for confirmation first.
    ConfirmWrites,
    /// No writes at all from the dashboard.
    ReadOnly,
}

/// A saved deployment (its admin key is in the key store, not here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SavedConnection {
    pub id: String,
    pub name: String,
    pub url: String,
    /// A CSS hex colour (`#3b82f6`) marking the deployment in the header.
    pub colour: String,
    pub safe_mode: SafeMode,
}

/// A connection to add (no `id`) or change.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ConnectionDraft {
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    pub url: String,
    pub colour: String,
    pub safe_mode: SafeMode,
    /// A new admin key; blank or missing keeps the stored one.
    #[serde(default)]
    pub admin_key: Option<String>,
}

/// What `connections.json` holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct ConnectionsFileContents {
    #[serde(default)]
    pub connections: Vec<SavedConnection>,
    /// The connection used last, reopened at start-up.
    #[serde(default)]
    pub last_used: Option<String>,
}

#[derive(Debug)]
pub(crate) struct ConnectionsFile {
    path: PathBuf,
}

impl ConnectionsFile {
    pub(crate) fn new(config_dir: &std::path::Path) -> Self {
        Self { path: config_dir.join("connections.json") }
    }

    /// The saved connections; a missing file means none. A damaged file is reported and
    /// left alone (nothing is saved over it until the user changes something).
    pub(crate) fn load(&self) -> (ConnectionsFileContents, Option<String>) {
        crate::files::read_json(&self.path, "connections")
    }

    pub(crate) fn save(&self, contents: &ConnectionsFileContents) -> Result<(), CommandError> {
        crate::files::write_json(&self.path, contents, "connections")
    }
}

/// Checks a connection's fields; the message names the field to fix.
pub(crate) fn validate(name: &str, url: &str, colour: &str) -> Result<String, CommandError> {
    if name.trim().is_empty() {
        return Err(CommandError::new(ErrorCode::BadRequest, "Give the connection a name."));
    }
    let ok_colour = colour.len() == 7
        && colour.starts_with('#')
        && colour[1..].chars().all(|c| c.is_ascii_hexdigit());
    if !ok_colour {
        return Err(CommandError::new(
            ErrorCode::BadRequest,
            format!("Colour must be a hex colour like #3b82f6, not {colour:?}."),
        ));
    }
    let client = atrium_client::DeploymentClient::new(url.trim())
        .map_err(|e| CommandError::new(ErrorCode::BadUrl, e.to_string()))?;
    Ok(client.url())
}

/// A new random connection ID.
pub(crate) fn new_id() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the OS random source");
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_checked_with_messages_that_name_them() {
        assert!(
            validate(" ", "http://127.0.0.1:3210", "#112233").unwrap_err().message.contains("name")
        );
        assert!(
            validate("a", "http://127.0.0.1:3210", "blue").unwrap_err().message.contains("Colour")
        );
        assert_eq!(validate("a", "ftp://x", "#112233").unwrap_err().code, ErrorCode::BadUrl);
        assert_eq!(
            validate("a", " http://127.0.0.1:3210/ ", "#112233").unwrap(),
            "http://127.0.0.1:3210"
        );
    }

    #[test]
    fn a_damaged_file_is_reported_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("connections.json"), "{oops").unwrap();
        let (contents, problem) = ConnectionsFile::new(dir.path()).load();
        assert!(contents.connections.is_empty());
        assert!(problem.unwrap().contains("connections.json"));
        assert_eq!(std::fs::read_to_string(dir.path().join("connections.json")).unwrap(), "{oops");
    }
}
