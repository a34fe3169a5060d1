//! Convex's wire types, declared once for both ends of the protocol.
//!
//! This crate will own every message that crosses the network between a Convex deployment
//! and a client: sync WebSocket client/server messages, HTTP API request and response
//! bodies, function log entries, push requests and responses, and system-function payloads.
//! `atrium-server` (the local engine's API) and `atrium-client` (the dashboard's connection
//! to any deployment) both use these types, so the two sides cannot drift apart.
//!
//! It must not depend on the engine, the runtime, tauri or polars. Filled by the server
//! issue; empty until then.
