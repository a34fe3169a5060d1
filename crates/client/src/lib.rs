//! A Convex protocol client for any Convex-compatible deployment.
//!
//! This crate owns the dashboard's connection to a deployment, local or remote, over
//! Convex's protocol only. No code path is special-cased for the local engine.
//!
//! Today: the HTTP function API (queries, mutations, actions in Convex-encoded JSON, so
//! int64 and bytes survive) and the admin-key check, with errors that say whether the URL,
//! the key or the function was at fault (`http`); and the sync WebSocket — live queries and
//! mutations with reconnect, query-set resume and mutation replay (`sync`); typed calls to
//! the dashboard's system functions (`dashboard`); stored files through Convex's dashboard
//! file functions and storage routes (`files`); the function log stream (`logs`); the Schedules area's
//! scheduled jobs, crons and cancel routes (`schedules`); Atrium's vector index endpoints (`vector`); the
//! deployment's auth providers and token checks (`auth`); environment variables through the
//! CLI's routes (`env`); snapshot export and import through the CLI's routes (`snapshot`); the
//! deployment audit log for the History area (`deployment_events`); pushing code through the
//! CLI's `deploy2` routes (`push`).
//!
//! It must not depend on the engine, tauri or polars.

mod auth;
pub mod dashboard;
mod deployment_events;
mod env;
mod files;
mod http;
mod http_action;
mod logs;
mod push;
mod schedules;
mod snapshot;
mod sync;
mod vector;

pub use http::{ClientError, DeploymentClient, FunctionKind};
pub use http_action::HttpActionAnswer;
pub use logs::{LogBatch, LogStream};
pub use sync::{ConnectionState, Subscription, SyncClient};
