//! The local engine's database.
//!
//! This crate owns storage (one SQLite file per deployment, WAL, an append-only log of
//! document revisions), tables and indexes, optimistic serializable transactions whose read
//! sets are index key ranges and range-precise subscriptions. It keeps the function log
//! store (the `atrium-logs` crate, re-exported as [`logs`]) in the same file.
//!
//! ```text
//! Engine ── begin() ──▶ Transaction  (reads at a snapshot, buffers writes, records a ReadSet)
//!   │                        │
//!   │◀──── commit(tx) ───────┘  OCC: writes committed after the snapshot that hit the
//!   │                           read set fail the commit with a retryable Conflict
//!   ├── SqlitePersistence: revisions, index entries, catalog, logs
//!   └── Subscriptions: read sets of live queries; each commit reports exactly the ones
//!       whose ranges contain a written key, with the write that caused it
//! ```
//!
//! Vector indexes ([`vector`]) sit beside the ordered indexes: kept in the same commits,
//! searched exactly or through an HNSW graph. Search indexes ([`search`]) are tantivy indexes
//! kept in the same commits and stored beside the database. It must not run JavaScript,
//! speak HTTP, or depend on tauri or polars.

pub mod blobs;
pub mod catalog;
mod commit_ts;
mod counts;
mod document;
mod engine;
mod error;
pub mod fault;
mod inner;
mod jumps;
pub mod key_range;
/// The function log store, a crate of its own (`atrium-logs`) kept in the engine's file.
pub use atrium_logs as logs;
mod order_stats;
pub mod persistence;
pub mod range;
pub mod replay;
pub mod schema;
pub mod search;
pub mod subscriptions;
mod timestamp;
mod transaction;
pub mod vector;
mod write_set;

pub use blobs::{
    BlobStore, BlobWriter, STORAGE_TABLE, StagedBlob, StoredFile, decode_sha256, is_storage_table,
};
pub use catalog::{Catalog, IndexId, IndexInfo, IndexState, TableInfo};
pub use document::{Document, FieldPath};
pub use engine::Engine;
pub use error::EngineError;
pub use inner::{CommitOutcome, EngineOptions};
pub use key_range::KeyRange;
pub use range::{IndexRangeExpr, Order};
pub use schema::{Schema, TableSchema};
pub use subscriptions::{Invalidation, ReadSet, SubscriptionId};
pub use timestamp::Timestamp;
pub use transaction::{Checkpoint, SYSTEM_TABLES, ScanPage, Transaction};
pub use write_set::{PatchValue, PendingChange};
