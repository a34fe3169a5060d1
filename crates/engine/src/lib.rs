//! The local engine's database.
//!
//! This crate will own storage (one SQLite file per deployment, an append-only log of
//! document revisions, WAL), tables and indexes, optimistic serializable transactions with
//! read sets recorded as index ranges, range-precise subscriptions, the scheduler, the
//! function log store, and vector and text indexes.
//!
//! It must not run JavaScript, speak HTTP, or depend on tauri or polars. Filled by the
//! local-engine issue; empty until then.
