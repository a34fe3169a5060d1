//! The local engine's Convex-compatible network API.
//!
//! This crate owns the deployment a project runs as ([`deployment`]: engine, runtime,
//! schema applied, admin key, scheduler), admin-key checks ([`auth`]), and the HTTP API:
//! `server` starts and stops it and holds the one route table ([`ADMIN_ROUTES`] for the admin
//! routes, whose key check is a layer), `state` what every handler shares (`AppState`,
//! `ApiError`, the key checks), and `routes/*` the handlers, one module per surface
//! (functions, push, snapshot, env, logs, Atrium's extensions, vector, HTTP actions); plus
//! the headless `atrium-engine` binary. It binds 127.0.0.1 by default.
//!
//! The sync WebSocket (`sync`) serves `ConvexClient` and React apps; the function log stream,
//! environment variables (`env`) and the system functions of the CLI and the dashboard
//! (`system`) are served too.
//! Code arrives from a project folder or by push from the official CLI ([`push`]); snapshots
//! export and import in Convex's ZIP layout (`snapshot`). File storage's upload tokens and
//! URLs are `file_urls`; its routes `routes/storage`.
//!
//! It must not depend on tauri or polars.

pub mod auth;
mod component_ids;
pub mod deployment;
pub mod deployment_events;
mod env;
mod file_urls;
#[doc(hidden)]
pub mod fuzzing;
mod ids;
mod inspector;
pub mod jwt;
pub mod push;
mod routes;
mod server;
mod snapshot;
mod snapshot_files;
mod state;
mod sync;
mod system;
#[cfg(feature = "test-support")]
pub mod test_support;

pub use deployment::{Deployment, DeploymentConfig};
pub use server::{ADMIN_ROUTES, AdminRoute, RunningServer, ServerConfig, serve};
