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

/// Saves a normal-mode connection to `url` with `admin_key` and connects to it; its ID.
pub async fn connect(studio: &Arc<Studio>, url: &str, admin_key: &str) -> String {
    let list = atrium_studio::commands::dispatch(
        studio,
        "save_connection",
        serde_json::json!({"name": "Test", "url": url, "colour": "#3b82f6",
                           "safe_mode": "normal", "admin_key": admin_key}),
    )
    .await
    .unwrap();
    let id = list["connections"][0]["id"].as_str().unwrap().to_owned();
    atrium_studio::commands::dispatch(studio, "connect", serde_json::json!({"id": id}))
        .await
        .unwrap();
    id
}
