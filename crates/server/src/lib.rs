//! The local engine's Convex-compatible network API.
//!
//! This crate owns the deployment a project runs as ([`deployment`]: engine, runtime,
//! schema applied, admin key, scheduler), admin-key checks ([`auth`]), and the HTTP API
//! ([`api`]: `/api/query`, `/api/mutation`, `/api/action`, `/api/function`, `/api/run/*`,
//! `/api/query_ts`, `/api/query_at_ts`, `/api/query_batch`, `/api/check_admin_key`, health
//! routes, HTTP actions under `/http/` and on the site port), plus the headless
//! `atrium-engine` binary. It binds 127.0.0.1 by default; every admin route checks the
//! admin key.
//!
//! The sync WebSocket (`sync`) serves `ConvexClient` and React apps; the function log stream,
//! environment variables (`env`) and the system functions of the CLI and the dashboard
//! (`system`) are served too.
//! Code arrives from a project folder or by push from the official CLI ([`push`]); snapshots
//! export and import in Convex's ZIP layout (`snapshot`).
//!
//! It must not depend on tauri or polars.

pub mod api;
pub mod auth;
pub mod deployment;
mod env;
mod inspector;
pub mod push;
mod snapshot;
mod sync;
mod system;
#[cfg(feature = "test-support")]
pub mod test_support;
mod vector;

pub use api::{RunningServer, ServerConfig, serve};
pub use deployment::{Deployment, DeploymentConfig};
