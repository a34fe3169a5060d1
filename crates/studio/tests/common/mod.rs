//! What the studio's tests share.

use std::sync::Arc;

use atrium_studio::{HostKind, KeyStoreKind, Studio, StudioConfig};

/// A browser-mode studio keeping its files (and admin keys, in the 0600 file rather than
/// the user's keychain) in `dir`.
pub fn studio(dir: &std::path::Path) -> Arc<Studio> {
    Arc::new(Studio::new(StudioConfig {
        host: HostKind::Browser,
        config_dir: dir.to_path_buf(),
        data_dir: dir.join("data"),
        key_store: Some(KeyStoreKind::PrivateFile),
        export_dir: dir.join("exports"),
    }))
}
