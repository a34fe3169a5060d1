//! Convex's wire types, declared once for both ends of the protocol.
//!
//! This crate owns what crosses the network between a Convex deployment and its clients:
//! - [`http`]: the HTTP function API's requests and responses (`/api/query`, …), error
//!   bodies, `check_admin_key`;
//! - [`format`]: the result formats (`convex_encoded_json`, clean `json`);
//! - [`sync`]: the sync WebSocket's client and server messages;
//! - [`timestamp`]: timestamps as the wire writes them (base64 of 8 little-endian bytes);
//! - [`atrium`]: Atrium's own `/api/atrium/*` endpoints (inspector, dry runs, sources,
//!   log archive search);
//! - [`dashboard`]: the dashboard's system functions' paths, arguments and answers
//!   (Convex's `_system/frontend/*` and Atrium's `_system/atrium/*`);
//! - [`deployment_events`]: the deployment audit log (History area): Convex's event
//!   functions and the metadata of each recorded action;
//! - [`push`]: what the official CLI pushes (`start_push`'s modules);
//! - [`schedules`]: scheduled functions and cron jobs for the Schedules area (system
//!   functions and the cancel routes);
//! - [`storage`]: file storage's upload answer and error codes;
//! - [`table_filters`]: the `filters` argument of Convex's `paginatedTableDocuments`;
//! - [`snapshot`]: snapshot export and import (the CLI's routes and progress records);
//! - [`convex_json`]: serde adapters for Convex values inside these types.
//!
//! `atrium-server` (the local engine's API) and `atrium-client` (the dashboard's connection
//! to any deployment) both use these types, so the two sides cannot drift apart. Tests prove
//! the Convex JSON encoding and the sync messages against the official `convex` and
//! `convex_sync_types` crates (`tests/official.rs`).
//!
//! It must not depend on the engine, the runtime, tauri or polars.

pub mod atrium;
pub mod convex_json;
pub mod dashboard;
pub mod deployment_events;
pub mod format;
pub mod http;
pub mod push;
pub mod schedules;
pub mod snapshot;
pub mod storage;
pub mod sync;
pub mod table_filters;
pub mod timestamp;
