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
//! project and the user's local projects (each on its own engine through `atrium-server`,
//! hot-reloaded on changes, with reset, snapshot export/import, environment variables and
//! promotion to another deployment through the CLI's push routes),
//! holds the connection to the chosen deployment, the Data area's live views and watched
//! queries, follows its logs (recording them where the deployment keeps no searchable
//! archive), computes per-function metrics and runs SQL over loaded tables (with CSV, JSON
//! Lines and Parquet export) with polars, which only this crate may depend on, and maps
//! vector indexes.
//!
//! Layers: [`commands`] is the top — it decodes requests and calls the feature modules
//! below it, which never import it. The studio reaches deployments only through
//! `atrium-client`, and the local engine only through `atrium-server` (never the engine or
//! the runtime directly). This crate must not depend on tauri: hosts adapt to it, never
//! the other way round.

pub mod browser;
pub mod commands;
mod component_info;
mod connecting;
mod connections;
pub mod data;
mod deployment;
mod error;
mod events;
mod files;
mod invalidations;
mod keychain;
mod local;
mod log_archive;
mod logs;
pub mod metrics;
pub mod projects;
mod promote;
mod settings;
mod snapshot_progress;
pub mod sql;
mod studio;
pub mod vector_map;
mod watches;

pub use connections::{SafeMode, SavedConnection};
pub use deployment::{ConnectionState, ConnectionStatus, DeploymentKind, DeploymentSummary};
pub use error::{CommandError, ErrorCode};
pub use events::StudioEvent;
pub use keychain::KeyStoreKind;
pub use settings::{Settings, SettingsPatch, ThemePreference};
pub use snapshot_progress::SnapshotProgress;
pub use studio::{AppInfo, HostKind, Studio, StudioConfig};
