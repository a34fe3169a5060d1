//! Where the engine's data lives: the [`Persistence`] trait and its SQLite implementation.
//!
//! Storage is an append-only log of document revisions plus, for every index, entries
//! `(key, ts) → document or tombstone`. Reading at a snapshot timestamp `ts` sees, for each
//! key, the newest entry at or before `ts`. A commit writes everything it changes at one
//! timestamp, atomically. Any implementation must pass the conformance suite in
//! `tests/persistence_conformance.rs`.

mod migrations;
mod replays;
mod sqlite;

pub use migrations::CURRENT_VERSION;
pub use sqlite::{SqlitePersistence, StoredVectorIndex};

use atrium_value::DocumentId;

use crate::vector::VectorWrite;
use crate::{
    Catalog, Document, EngineError, IndexId, IndexInfo, KeyRange, Order, TableInfo, Timestamp,
};

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

/// The engine's storage. Reads may run concurrently with each other and with a commit.
pub trait Persistence: Send + Sync {
    /// Reads the catalog and the newest timestamp.
    fn load(&self) -> Result<Loaded, EngineError>;

    /// Writes a whole commit atomically: after a crash, either all of it or none of it is
    /// there.
    fn commit(&self, batch: &CommitBatch) -> Result<(), EngineError>;

    /// The newest revision of a document at or before `ts`.
    fn revision_at(&self, id: &DocumentId, ts: Timestamp) -> Result<Option<Revision>, EngineError>;

    /// Live index entries within `range` as of `ts`, in `order`, strictly after `after`
    /// (in scan order) when given; at most `limit`. Each comes with its document's
    /// revision as of `ts`.
    fn index_scan(
        &self,
        index: IndexId,
        range: &KeyRange,
        ts: Timestamp,
        order: Order,
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<IndexEntries, EngineError>;

    /// A document's revisions, newest first.
    fn history(&self, id: &DocumentId, limit: usize) -> Result<Vec<Revision>, EngineError>;

    /// Forgets revisions and index entries superseded before `before` (the retention
    /// window), keeping whatever a read at `before` or later still sees. Returns how many
    /// rows were removed.
    fn prune(&self, before: Timestamp) -> Result<usize, EngineError>;

    /// The number of live documents in a table as of `ts`.
    fn count(&self, by_id: IndexId, ts: Timestamp) -> Result<u64, EngineError>;

    /// The number of live entries of `index` within `range` as of `ts`.
    fn count_range(
        &self,
        index: IndexId,
        range: &KeyRange,
        ts: Timestamp,
    ) -> Result<u64, EngineError>;

    /// The key of the live entry `offset` places into `range` (0 = the first), in `order`,
    /// as of `ts`; `None` when the range holds no more than `offset` entries. Lets a grid
    /// jump to a row without reading the rows before it.
    fn key_at_offset(
        &self,
        index: IndexId,
        range: &KeyRange,
        ts: Timestamp,
        order: Order,
        offset: u64,
    ) -> Result<Option<Vec<u8>>, EngineError>;
}
