//! The desktop window: Tauri IPC over the studio's command table, studio events forwarded
//! to the window.
//!
//! There is one IPC command, `rpc(command, payload)`, that hands the call to
//! `atrium_studio::commands::dispatch`: the command set is declared once, in the studio.

use std::sync::Arc;

use atrium_studio::{CommandError, HostKind, Studio, StudioConfig, commands};
use tauri::{Emitter, Manager};

/// The event name the UI's platform module listens to.
const STUDIO_EVENT: &str = "studio-event";

/// Whether a window can be shown: on Linux that needs an X11 or Wayland display.
pub(crate) fn display_available() -> bool {
    if cfg!(target_os = "linux") {
        ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
    } else {
        true
    }
}

#[tauri::command]
async fn rpc(
    studio: tauri::State<'_, Arc<Studio>>,
    command: String,
    payload: Option<serde_json::Value>,
) -> Result<serde_json::Value, CommandError> {
    commands::dispatch(&studio, &command, payload.unwrap_or(serde_json::Value::Null)).await
}

pub(crate) fn run() -> Result<(), String> {
    let studio = Arc::new(Studio::new(StudioConfig::for_host(HostKind::Desktop)));
    for warning in studio.app_info().warnings {
        eprintln!("atrium: {warning}");
    }
    tauri::Builder::default()
        .manage(studio)
        .invoke_handler(tauri::generate_handler![rpc])
        .setup(|app| {
            let handle = app.handle().clone();
            let studio = app.state::<Arc<Studio>>().inner().clone();
            let mut events = studio.subscribe();
            // The sample project and the last connection come up in the background.
            tauri::async_runtime::spawn(async move { studio.start().await });
            tauri::async_runtime::spawn(async move {
                use tokio::sync::broadcast::error::RecvError;
                loop {
                    match events.recv().await {
                        Ok(event) => {
                            if let Err(e) = handle.emit(STUDIO_EVENT, &event) {
                                tracing::warn!("could not forward a studio event: {e}");
                            }
                        }
                        Err(RecvError::Lagged(_)) => continue,
                        Err(RecvError::Closed) => break,
                    }
                }
            });
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"))
        .map_err(|e| format!("the desktop window failed: {e}"))
}
