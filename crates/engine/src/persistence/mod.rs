//! Where the engine's data lives: [`SqlitePersistence`] and the types its API speaks.
//!
//! Storage is an append-only log of document revisions plus, for every index, entries
//! `(key, ts) → document or tombstone`. Reading at a snapshot timestamp `ts` sees, for each
//! key, the newest entry at or before `ts`. A commit writes everything it changes at one
//! timestamp, atomically. `tests/it/persistence_conformance.rs` checks these rules.
//!
//! There is one implementation and no trait: the engine is SQLite by design (one file per
//! deployment, vector and search state beside it). The engine's reference model
//! (`tests/it/model/`) checks the engine at its own API — transactions, conflicts,
//! subscriptions — where a second storage implementation would only test itself.

mod blocks;
mod migrations;
mod replays;
mod sqlite;

pub use migrations::CURRENT_VERSION;
pub use sqlite::{SqlitePersistence, StoredVectorIndex};

use atrium_value::DocumentId;

use crate::vector::VectorWrite;
use crate::{Catalog, Document, IndexId, IndexInfo, TableInfo, Timestamp};

/// One document's change in a commit.
#[derive(Debug, Clone)]
pub struct DocumentWrite {
    pub id: DocumentId,
    /// The new version; `None` deletes the document.
    pub document: Option<Document>,
    /// The timestamp of the revision this one replaces, if any.
    pub prev_ts: Option<Timestamp>,
}

/// One index entry written in a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexWrite {
    pub index: IndexId,
    pub key: Vec<u8>,
    pub id: DocumentId,
    /// The key no longer points at the document (it was deleted, or its key changed).
    pub deleted: bool,
}

/// Everything one commit changes.
#[derive(Debug, Clone, Default)]
pub struct CommitBatch {
    pub ts: Timestamp,
    pub documents: Vec<DocumentWrite>,
    pub index_writes: Vec<IndexWrite>,
    pub new_tables: Vec<TableInfo>,
    pub new_indexes: Vec<IndexInfo>,
    /// Indexes whose backfill finished in this commit.
    pub ready_indexes: Vec<IndexId>,
    /// Tables dropped in this commit (their catalog entries, documents and index entries go).
    pub dropped_tables: Vec<TableInfo>,
    /// Changes to vector indexes (slots retired and added, documents skipped).
    pub vector_writes: Vec<VectorWrite>,
    /// The committing mutation's answer, for a client that replays it (`crate::replay`).
    pub replay: Option<crate::replay::ReplayWrite>,
}

/// A stored revision of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    pub ts: Timestamp,
    /// `None` for a deletion.
    pub document: Option<Document>,
}

/// What opening a store finds.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub catalog: Catalog,
    /// The newest commit's timestamp (zero for a new store).
    pub max_ts: Timestamp,
}

/// A page of an index scan: live entries in order with the document each points at (as of
/// the scan's timestamp), and whether the range is exhausted.
#[derive(Debug, Clone)]
pub struct IndexEntries {
    pub entries: Vec<(Vec<u8>, Document)>,
    pub exhausted: bool,
}
