//! A Convex protocol client for any Convex-compatible deployment.
//!
//! This crate will own the dashboard's connection to a deployment, local or remote, over
//! Convex's protocol only: the HTTP API, the sync WebSocket with reconnect, query-set resume
//! and mutation replay, typed calls to system functions, and the log stream. No code path
//! is special-cased for the local engine.
//!
//! It must not depend on the engine, tauri or polars. Filled by the Data-area issue; empty
//! until then.
