//! [`Inner`]: the state an [`Engine`](crate::Engine) and each of its transactions share —
//! storage, the latest catalog and schema, the commit state (recent commits for conflict
//! checks), subscriptions, reserved table numbers, counts, order statistics, vector and search indexes — with the
//! options it was opened with and what a commit reports.
//!
//! It must not import the engine's or a transaction's API (`engine.rs`, `transaction.rs`
//! both build on it).

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU32, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use atrium_value::TableNumber;

use crate::catalog::{BY_CREATION_TIME, BY_ID, IndexState, index_fields};
use crate::counts::TableCounts;
use crate::logs::LogStore;
use crate::persistence::SqlitePersistence;
use crate::schema::Schema;
use crate::subscriptions::{Subscriptions, WrittenKey};
use crate::vector::{HnswParams, VectorIndex};
use crate::{
    Catalog, Document, EngineError, IndexId, IndexInfo, Invalidation, KeyRange, Order, Timestamp,
};

/// How the engine keeps its data.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// `synchronous=FULL`: survive power loss, at the cost of an fsync per commit.
    /// Otherwise (default) a process crash loses nothing acknowledged.
    pub durable: bool,
    /// How long old document revisions are kept (for history and restore).
    pub retention: Duration,
    /// How many recent commits are remembered for conflict checks; a transaction whose
    /// snapshot is older than all of them must retry.
    pub commit_memory: usize,
    /// How many function log entries are kept (oldest dropped first).
    pub log_retention: usize,
    /// Vector searches scan exactly up to this many vectors; above it an index builds and
    /// uses an HNSW graph.
    pub vector_exact_limit: usize,
    pub hnsw: HnswParams,
    /// Keep order statistics for the indexes jumped into (`order_stats.rs`), so a jump to
    /// row `n` does not count the `n` rows before it in SQLite. On by default.
    pub order_stats: bool,
    /// Entries per block of the order statistics (tests make it small).
    pub order_stats_block: u64,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            durable: false,
            retention: Duration::from_secs(30 * 24 * 3600),
            commit_memory: 10_000,
            log_retention: 100_000,
            vector_exact_limit: 10_000,
            hnsw: HnswParams::default(),
            order_stats: true,
            order_stats_block: crate::order_stats::BLOCK,
        }
    }
}

/// What a commit did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitOutcome {
    /// The commit's timestamp (the snapshot's, for a transaction that wrote nothing).
    pub ts: Timestamp,
    /// The subscriptions this commit hit, each with the write that hit it.
    pub invalidated: Vec<Invalidation>,
}

pub(crate) struct CommitRecord {
    pub(crate) ts: Timestamp,
    pub(crate) written: Vec<WrittenKey>,
}

pub(crate) struct CommitState {
    pub(crate) last_ts: Timestamp,
    pub(crate) recent: VecDeque<CommitRecord>,
    /// Commits at or before this timestamp are no longer in `recent`.
    pub(crate) forgotten_until: Timestamp,
}

impl CommitState {
    /// The remembered commits after `ts`, oldest first (found by search: `recent` is in
    /// timestamp order and holds thousands).
    pub(crate) fn commits_after(&self, ts: Timestamp) -> impl Iterator<Item = &CommitRecord> {
        let from = self.recent.partition_point(|r| r.ts <= ts);
        self.recent.range(from..)
    }
}

pub(crate) type Listener = Box<dyn Fn(&CommitOutcome) + Send + Sync>;

pub(crate) struct Inner {
    pub(crate) persistence: SqlitePersistence,
    pub(crate) logs: LogStore,
    pub(crate) options: EngineOptions,
    pub(crate) catalog: RwLock<Arc<Catalog>>,
    pub(crate) schema: RwLock<Option<Arc<Schema>>>,
    pub(crate) commit: Mutex<CommitState>,
    pub(crate) subscriptions: Mutex<Subscriptions>,
    pub(crate) reserved_tables: Mutex<Vec<TableNumber>>,
    pub(crate) next_index_id: AtomicU32,
    pub(crate) listeners: RwLock<Vec<Listener>>,
    pub(crate) counts: Mutex<TableCounts>,
    /// Order statistics of the indexes jumped into. Commits change them under the commit
    /// lock.
    pub(crate) order_stats: Mutex<crate::order_stats::OrderStats>,
    /// Order statistics being built in the background, and a signal when one finishes.
    pub(crate) order_stats_builds: (Mutex<usize>, std::sync::Condvar),
    /// Vector indexes by ID. Commits change them under the commit lock.
    pub(crate) vectors: RwLock<BTreeMap<IndexId, Arc<RwLock<VectorIndex>>>>,
    /// Vector graphs being built in the background, and a signal when one finishes.
    pub(crate) vector_builds: (Mutex<usize>, std::sync::Condvar),
    /// Search indexes by ID. Commits change them under the commit lock.
    pub(crate) searches: RwLock<crate::search::index::SearchIndexes>,
    /// Search indexes being built (table, index name): not yet in `searches`.
    pub(crate) search_builds: Mutex<Vec<(TableNumber, String)>>,
    /// File storage's blobs, beside the SQLite file.
    pub(crate) blobs: crate::blobs::store::BlobStore,
}

impl Inner {
    pub(crate) fn options(&self) -> &EngineOptions {
        &self.options
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Publish search index changes still waiting, so a restart has nothing to catch up.
        crate::search::publish_waiting(self.searches.get_mut().unwrap(), true);
        // Store graphs extended since they were last stored, so a restart loads them.
        for index in self.vectors.get_mut().unwrap().values() {
            let mut index = index.write().unwrap();
            if let Err(error) =
                crate::vector::storage::save_graph(&self.persistence, &mut index, true)
            {
                tracing::warn!("could not store a vector index graph: {error}");
            }
        }
    }
}

impl Inner {
    /// The number of documents in `table` at `snapshot`: remembered counts when they
    /// cover it, otherwise a full count (which also starts remembering the table).
    pub(crate) fn count(
        &self,
        table: TableNumber,
        by_id: IndexId,
        snapshot: Timestamp,
    ) -> Result<u64, EngineError> {
        if let Some(n) = self.counts.lock().unwrap().at(table, snapshot) {
            return Ok(n);
        }
        {
            // Seed at the latest commit while no commit can run, so none is missed.
            let state = self.commit.lock().unwrap();
            let mut counts = self.counts.lock().unwrap();
            if !counts.is_seeded(table) {
                let n = self.persistence.count(by_id, state.last_ts)?;
                counts.seed(table, state.last_ts, n);
            }
            if let Some(n) = counts.at(table, snapshot) {
                return Ok(n);
            }
        }
        // A snapshot older than what is remembered.
        self.persistence.count(by_id, snapshot)
    }

    pub(crate) fn reserve_table_number(&self, catalog: &Catalog) -> TableNumber {
        let mut reserved = self.reserved_tables.lock().unwrap();
        let latest = self.catalog.read().unwrap().clone();
        let mut number = catalog.free_table_number(&reserved);
        while latest.table_name(number).is_some() || reserved.contains(&number) {
            number = TableNumber(number.0 + 1);
        }
        reserved.push(number);
        number
    }

    /// Whether a table number is used by a committed table or reserved by a transaction.
    pub(crate) fn table_number_taken(&self, number: TableNumber) -> bool {
        self.catalog.read().unwrap().table_name(number).is_some()
            || self.reserved_tables.lock().unwrap().contains(&number)
    }

    pub(crate) fn reserve_specific(&self, number: TableNumber) {
        self.reserved_tables.lock().unwrap().push(number);
    }

    pub(crate) fn release_table_numbers(&self, numbers: &[TableNumber]) {
        if !numbers.is_empty() {
            self.reserved_tables.lock().unwrap().retain(|n| !numbers.contains(n));
        }
    }

    pub(crate) fn allocate_index_id(&self) -> IndexId {
        IndexId(self.next_index_id.fetch_add(1, AtomicOrdering::SeqCst))
    }

    /// Reads every document of `table` as of `snapshot` in creation order, for an index
    /// backfill, telling `progress` (documents read, documents in the table). Run it under
    /// the commit lock, so no commit slips between the scan and the new index (it counts
    /// through storage, not [`Inner::count`], which may take that lock).
    pub(crate) fn backfill_scan(
        &self,
        catalog: &Catalog,
        table: &str,
        snapshot: Timestamp,
        mut progress: impl FnMut(u64, u64),
        mut each: impl FnMut(&Document),
    ) -> Result<(), EngineError> {
        let number =
            catalog.table(table).ok_or_else(|| EngineError::TableNotFound(table.into()))?.number;
        let by_creation = catalog.index(number, BY_CREATION_TIME).ok_or_else(|| {
            EngineError::Corrupt(format!("table {table} has no by_creation_time"))
        })?;
        let by_id = catalog.index(number, BY_ID).map_or(by_creation.id, |i| i.id);
        let total = self.persistence.count(by_id, snapshot)?;
        let mut after: Option<Vec<u8>> = None;
        let mut done = 0u64;
        progress(0, total);
        loop {
            let page = self.persistence.index_scan(
                by_creation.id,
                &KeyRange::all(),
                snapshot,
                Order::Asc,
                after.as_deref(),
                1000,
            )?;
            page.entries.iter().for_each(|(_, document)| each(document));
            done += page.entries.len() as u64;
            progress(done, total);
            crate::fault::point(crate::fault::points::INDEX_BACKFILL);
            after = page.entries.last().map(|(k, _)| k.clone());
            if page.exhausted {
                return Ok(());
            }
        }
    }

    pub(crate) fn system_indexes(&self, table: TableNumber) -> Vec<IndexInfo> {
        [BY_ID, BY_CREATION_TIME]
            .into_iter()
            .map(|name| IndexInfo {
                id: self.allocate_index_id(),
                table,
                name: name.to_owned(),
                fields: index_fields(name, &[]),
                state: IndexState::Ready,
            })
            .collect()
    }
}
