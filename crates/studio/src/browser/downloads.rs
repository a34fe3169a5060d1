//! Browser mode's downloads: a file an export command wrote is handed to the browser once,
//! at a token URL, so the user gets it through the browser instead of hunting for it on the
//! server's disk.
//!
//! After an export command (`sql_export`, `data_export`, `project_export`, `save_export`)
//! answers with a `path` inside the studio's export folder, [`Downloads::offer`] adds
//! `download: "/api/download/<token>"` to its answer; `GET /api/download/<token>` serves the
//! file once as an attachment and forgets the token. Only paths an export produced are ever
//! served: this module must not serve a path a request names.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The commands whose answer names a file the user asked for.
const EXPORT_COMMANDS: &[&str] = &["sql_export", "data_export", "project_export", "save_export"];

/// Files waiting to be fetched, by one-time token.
#[derive(Clone, Debug, Default)]
pub(super) struct Downloads {
    pending: Arc<Mutex<HashMap<String, PathBuf>>>,
}

impl Downloads {
    /// Adds a `download` URL to an export command's answer when it names a file in
    /// `export_dir`; leaves every other answer as it is.
    pub(super) fn offer(&self, command: &str, export_dir: &Path, answer: &mut serde_json::Value) {
        if !EXPORT_COMMANDS.contains(&command) {
            return;
        }
        let Some(object) = answer.as_object_mut() else { return };
        let Some(path) = object.get("path").and_then(|p| p.as_str()).map(PathBuf::from) else {
            return;
        };
        let inside = match (path.canonicalize(), export_dir.canonicalize()) {
            (Ok(file), Ok(dir)) => file.starts_with(dir),
            _ => false,
        };
        if !inside {
            return;
        }
        let token = super::auth::new_token();
        self.pending.lock().expect("downloads lock").insert(token.clone(), path);
        object.insert("download".into(), format!("/api/download/{token}").into());
    }

    /// Serves the file behind `token` once.
    pub(super) async fn take(&self, token: &str) -> Response {
        let path = self.pending.lock().expect("downloads lock").remove(token);
        let Some(path) = path else {
            return (StatusCode::NOT_FOUND, "No such download (each is served once).")
                .into_response();
        };
        let bytes = match tokio::fs::read(&path).await {
            Ok(bytes) => bytes,
            Err(e) => {
                let text = format!("Could not read the export {}: {e}", path.display());
                return (StatusCode::INTERNAL_SERVER_ERROR, text).into_response();
            }
        };
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("export");
        // File names come from the studio's exporters; keep the header plain ASCII anyway.
        let name: String = name
            .chars()
            .map(|c| if (c.is_ascii_graphic() || c == ' ') && c != '"' { c } else { '_' })
            .collect();
        let mut response = Response::new(Body::from(bytes));
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
        if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}
