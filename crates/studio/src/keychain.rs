//! Where admin keys live: the OS keychain (Secret Service on Linux, Keychain on macOS,
//! Credential Manager on Windows) through the `keyring` crate, or — only where no keychain
//! service answers — a file readable by its owner alone (`admin_keys.json`, 0600).
//!
//! Keys are stored under the service `atrium` and the saved connection's ID. They are read
//! here and handed to the deployment client; they never go to the UI.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;
use ts_rs::TS;

use crate::{CommandError, ErrorCode};

const SERVICE: &str = "atrium";

/// Which store holds the admin keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum KeyStoreKind {
    /// The OS keychain.
    Keychain,
    /// A 0600 file in the config folder: no keychain service is running.
    PrivateFile,
}

/// The admin key store chosen at start-up.
#[derive(Debug)]
pub(crate) struct KeyStore {
    kind: KeyStoreKind,
    file: PathBuf,
    lock: Mutex<()>,
}

fn failed(what: &str, e: impl std::fmt::Display) -> CommandError {
    CommandError::new(ErrorCode::Io, format!("Could not {what} the admin key: {e}"))
}

impl KeyStore {
    /// Uses `kind`, or when `None` the OS keychain if one answers and otherwise the
    /// private file in `config_dir`.
    pub(crate) fn open(config_dir: &Path, kind: Option<KeyStoreKind>) -> Self {
        let kind = kind.unwrap_or_else(|| {
            if keychain_answers() { KeyStoreKind::Keychain } else { KeyStoreKind::PrivateFile }
        });
        Self { kind, file: config_dir.join("admin_keys.json"), lock: Mutex::new(()) }
    }

    pub(crate) fn kind(&self) -> KeyStoreKind {
        self.kind
    }

    pub(crate) fn get(&self, id: &str) -> Result<Option<String>, CommandError> {
        let _guard = self.lock.lock().unwrap();
        match self.kind {
            KeyStoreKind::Keychain => match entry(id)?.get_password() {
                Ok(key) => Ok(Some(key)),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(failed("read", e)),
            },
            KeyStoreKind::PrivateFile => Ok(self.read_file()?.remove(id)),
        }
    }

    pub(crate) fn set(&self, id: &str, key: &str) -> Result<(), CommandError> {
        let _guard = self.lock.lock().unwrap();
        match self.kind {
            KeyStoreKind::Keychain => entry(id)?.set_password(key).map_err(|e| failed("store", e)),
            KeyStoreKind::PrivateFile => {
                let mut keys = self.read_file()?;
                keys.insert(id.to_owned(), key.to_owned());
                self.write_file(&keys)
            }
        }
    }

    pub(crate) fn delete(&self, id: &str) -> Result<(), CommandError> {
        let _guard = self.lock.lock().unwrap();
        match self.kind {
            KeyStoreKind::Keychain => match entry(id)?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(failed("delete", e)),
            },
            KeyStoreKind::PrivateFile => {
                let mut keys = self.read_file()?;
                if keys.remove(id).is_some() {
                    self.write_file(&keys)?;
                }
                Ok(())
            }
        }
    }

    fn read_file(&self) -> Result<BTreeMap<String, String>, CommandError> {
        match std::fs::read(&self.file) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(failed("read", format!("{}: {e}", self.file.display()))),
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                failed(
                    "read",
                    format!("{} is not a JSON object of keys ({e})", self.file.display()),
                )
            }),
        }
    }

    fn write_file(&self, keys: &BTreeMap<String, String>) -> Result<(), CommandError> {
        let json = serde_json::to_vec_pretty(keys).map_err(CommandError::internal)?;
        crate::files::write_atomically(&self.file, &json, true)
            .map_err(|e| failed("store", format!("{}: {e}", self.file.display())))
    }
}

fn entry(id: &str) -> Result<keyring::Entry, CommandError> {
    keyring::Entry::new(SERVICE, id).map_err(|e| failed("reach", e))
}

/// Whether a keychain service answers: a lookup of an entry that does not exist must say
/// "no entry" rather than fail to reach the store.
fn keychain_answers() -> bool {
    match keyring::Entry::new(SERVICE, "atrium-probe") {
        Ok(probe) => matches!(probe.get_password(), Ok(_) | Err(keyring::Error::NoEntry)),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_private_file_round_trips_and_is_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = KeyStore {
            kind: KeyStoreKind::PrivateFile,
            file: dir.path().join("admin_keys.json"),
            lock: Mutex::new(()),
        };
        assert_eq!(store.get("a").unwrap(), None);
        store.set("a", "local|01").unwrap();
        store.set("b", "local|02").unwrap();
        store.delete("b").unwrap();
        assert_eq!(store.get("a").unwrap().as_deref(), Some("local|01"));
        assert_eq!(store.get("b").unwrap(), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&store.file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A damaged file is reported, not overwritten.
        std::fs::write(&store.file, "not json").unwrap();
        let err = store.set("c", "k").unwrap_err();
        assert!(err.message.contains("admin_keys.json"), "{}", err.message);
        assert_eq!(std::fs::read_to_string(&store.file).unwrap(), "not json");
    }
}
