//! The dashboard's core: everything the UI can ask for, behind typed commands.
//!
//! A command is declared once, in [`commands`], as `async fn(&Studio, Request) ->
//! Result<Response, CommandError>`. From that one table come the dispatcher the hosts call
//! and the TypeScript bindings the UI compiles against (`ui/src/generated/studio.ts`,
//! committed; a test fails when it is stale).
//!
//! Two hosts serve the same commands and events:
//! - the desktop window (`src-tauri`, over Tauri IPC), and
//! - browser mode ([`browser`]): an HTTP + WebSocket server on 127.0.0.1 guarded by a random
//!   per-launch token, so the UI also runs in a plain browser and under Playwright.
//!
//! It keeps saved deployments (admin keys in the OS keychain), runs the built-in sample
//! project on the local engine, holds the connection to the chosen deployment and the Data
//! area's live views, follows its logs (recording them where the deployment keeps no
//! searchable archive) and computes per-function metrics with polars, which only this crate
//! may depend on. Later issues add local projects, SQL over tables and export/import.
//! This crate must not depend on tauri: hosts adapt to it, never the other way round.

pub mod browser;
pub mod commands;
mod connections;
pub mod data;
mod deployment;
mod error;
mod events;
mod files;
mod keychain;
mod local;
mod log_archive;
mod logs;
pub mod metrics;
pub mod projects;
mod settings;
pub mod sql;
mod studio;
pub mod vector_map;

pub use connections::{SafeMode, SavedConnection};
pub use error::{CommandError, ErrorCode};
pub use events::StudioEvent;
pub use keychain::KeyStoreKind;
pub use settings::{Settings, SettingsPatch, ThemePreference};
pub use studio::{
    AppInfo, ConnectionState, ConnectionStatus, DeploymentKind, DeploymentSummary, HostKind,
    Studio, StudioConfig,
};
