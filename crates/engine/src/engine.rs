//! [`Engine`]: opens a deployment's store, starts transactions, commits them with
//! optimistic concurrency control, manages tables and indexes, and reports which
//! subscriptions each commit invalidates.
//!
//! Other `impl Engine` blocks: vector indexes (add, search, status, recall) in
//! `vector/engine_api.rs`, search indexes in `search/engine_api.rs`. The state it shares with its transactions ([`Inner`]), its
//! options and [`CommitOutcome`] live in `inner.rs`; the buffered writes it commits in
//! `write_set.rs`; the function log store it hands out ([`Engine::logs`]) in `logs.rs`.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::atomic::AtomicU32;
use std::sync::{Arc, Mutex, RwLock};

use atrium_value::{DocumentId, TableNumber};

use crate::catalog::{BY_ID, IndexState, check_user_index, index_fields, table_name_key};
use crate::counts::TableCounts;
use crate::inner::{CommitOutcome, CommitRecord, CommitState, EngineOptions, Inner};
use crate::logs::LogStore;
use crate::persistence::{CommitBatch, DocumentWrite, IndexWrite, Revision, SqlitePersistence};
use crate::schema::{CatalogIds, Schema};
use crate::subscriptions::{Subscriptions, WrittenKey};
use crate::vector::stage_vector_writes;
use crate::write_set::PendingWrite;
use crate::{
    Catalog, EngineError, IndexId, IndexInfo, Invalidation, ReadSet, SubscriptionId, TableInfo,
    Timestamp, Transaction,
};

/// A deployment's database. Cheap to clone; clones share the same store.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("path", &self.inner.persistence.path())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Opens the deployment stored at `path` (created if missing).
    pub fn open(path: &Path, options: EngineOptions) -> Result<Self, EngineError> {
        // The function log store writes into the same file: both hold one gate to write.
        let gate = atrium_logs::WriteGate::new();
        let persistence = SqlitePersistence::open(path, options.durable, gate.clone())?;
        let loaded = persistence.load()?;
        // Old revisions beyond the retention window go at start-up.
        let keep = options.retention.as_nanos() as u64;
        let cutoff = Timestamp(Timestamp::next_after(Timestamp::ZERO).0.saturating_sub(keep));
        let pruned = persistence.prune(cutoff)?;
        if pruned > 0 {
            tracing::info!("pruned {pruned} revisions older than the retention window");
        }
        let logs = LogStore::open_gated(path, options.log_retention, gate)?;
        let vectors = crate::vector::load(&persistence)?;
        let blobs = crate::blobs::store::BlobStore::open(path)
            .map_err(|e| EngineError::Files(format!("cannot open {}: {e}", path.display())))?;
        let next_index_id =
            vectors.keys().map(|id| id.0 + 1).fold(loaded.catalog.next_index_id.max(1), u32::max);
        let engine = Self {
            inner: Arc::new(Inner {
                persistence,
                logs,
                options,
                catalog: RwLock::new(Arc::new(loaded.catalog)),
                schema: RwLock::new(None),
                commit: Mutex::new(CommitState {
                    last_ts: loaded.max_ts,
                    recent: VecDeque::new(),
                    forgotten_until: loaded.max_ts,
                }),
                subscriptions: Mutex::new(Subscriptions::default()),
                reserved_tables: Mutex::new(Vec::new()),
                next_index_id: AtomicU32::new(next_index_id),
                listeners: RwLock::new(Vec::new()),
                counts: Mutex::new(TableCounts::default()),
                order_stats: Mutex::new(Default::default()),
                order_stats_builds: (Mutex::new(0), std::sync::Condvar::new()),
                vectors: RwLock::new(vectors),
                vector_builds: (Mutex::new(0), std::sync::Condvar::new()),
                searches: RwLock::new(Default::default()),
                search_builds: Mutex::new(Vec::new()),
                blobs,
            }),
        };
        crate::vector::start_builds(&engine.inner);
        let search_root = crate::search::store::root(engine.inner.persistence.path());
        crate::search::store::remove_leftovers(&search_root, &engine.catalog());
        crate::search::start_publisher(&engine.inner);
        // Blobs left unreferenced by a crash (renamed, row never committed) go now.
        engine.collect_blobs()?;
        Ok(engine)
    }

    pub fn persistence(&self) -> &SqlitePersistence {
        &self.inner.persistence
    }

    /// The function log store (in the same database file).
    pub fn logs(&self) -> &LogStore {
        &self.inner.logs
    }

    /// The tables and indexes as of the latest commit.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.inner.catalog.read().unwrap().clone()
    }

    /// Sets the schema new transactions validate their writes against (`None`: no schema).
    pub fn set_schema(&self, schema: Option<Schema>) {
        *self.inner.schema.write().unwrap() = schema.map(Arc::new);
    }

    pub fn schema(&self) -> Option<Arc<Schema>> {
        self.inner.schema.read().unwrap().clone()
    }

    /// The documents that do not match `schema` (at most `limit`), as a schema push must
    /// report them before it takes effect.
    pub fn schema_violations(
        &self,
        schema: &Schema,
        limit: usize,
    ) -> Result<Vec<(String, DocumentId, String)>, EngineError> {
        let mut violations = Vec::new();
        let mut tx = self.begin();
        let catalog = self.catalog();
        let ids = CatalogIds { catalog: &catalog, extra: Vec::new() };
        for table in schema.tables.keys() {
            for document in tx.collect_table(table)? {
                if let Err(error) = schema.check(table, &document.fields, &ids) {
                    violations.push((table.clone(), document.id, error.to_string()));
                    if violations.len() >= limit {
                        return Ok(violations);
                    }
                }
            }
        }
        Ok(violations)
    }

    /// The latest commit's timestamp.
    pub fn latest_ts(&self) -> Timestamp {
        self.inner.commit.lock().unwrap().last_ts
    }

    /// Starts a transaction reading at the latest commit.
    pub fn begin(&self) -> Transaction {
        // Read the timestamp and catalog under the commit lock so they agree.
        let state = self.inner.commit.lock().unwrap();
        let catalog = self.catalog();
        let ts = state.last_ts;
        drop(state);
        let schema = self.schema();
        Transaction::new(self.inner.clone(), ts, catalog, schema)
    }

    /// Starts a read at an earlier commit timestamp (within the retention window). Fails for
    /// a timestamp after the latest commit.
    pub fn begin_at(&self, ts: Timestamp) -> Result<Transaction, EngineError> {
        let latest = self.latest_ts();
        if ts > latest {
            return Err(EngineError::InvalidRange(format!(
                "timestamp {} is after the latest commit {}",
                ts.0, latest.0
            )));
        }
        Ok(Transaction::new(self.inner.clone(), ts, self.catalog(), self.schema()))
    }

    /// The stored answer of the mutation `key` names, if it committed within the
    /// retention window (`crate::replay`).
    pub fn replay_record(
        &self,
        key: &crate::replay::ReplayKey,
    ) -> Result<Option<crate::replay::ReplayRecord>, EngineError> {
        self.inner.persistence.replay_record(key)
    }

    /// Calls `listener` after every commit that wrote something.
    pub fn on_commit(&self, listener: impl Fn(&CommitOutcome) + Send + Sync + 'static) {
        self.inner.listeners.write().unwrap().push(Box::new(listener));
    }

    /// Commits a transaction. Fails with a retryable [`EngineError::Conflict`] when a commit
    /// after its snapshot wrote something it read; then nothing is written.
    pub fn commit(&self, mut tx: Transaction) -> Result<CommitOutcome, EngineError> {
        if !tx.has_writes() {
            return Ok(CommitOutcome { ts: tx.snapshot, invalidated: Vec::new() });
        }
        let mut state = self.inner.commit.lock().unwrap();
        if tx.snapshot < state.forgotten_until {
            return Err(EngineError::Conflict {
                table: "(any)".into(),
                what: "more than the engine remembers".into(),
                ts: state.forgotten_until,
            });
        }
        for record in state.commits_after(tx.snapshot) {
            if let Some(write) = tx.read_set.first_hit(&record.written) {
                return Err(EngineError::Conflict {
                    table: write.table.clone(),
                    what: match write.document {
                        Some(id) => format!("document {id}"),
                        None => "the table itself".into(),
                    },
                    ts: record.ts,
                });
            }
        }

        let ts = Timestamp::next_after(state.last_ts);
        let current = self.catalog();
        // Copy the catalog only when this commit changes it.
        let mut changed: Option<Catalog> = (!tx.new_tables.is_empty()).then(|| (*current).clone());
        let replay = tx.replay.take().map(|pending| pending.at(ts));
        let mut batch = CommitBatch { ts, replay, ..CommitBatch::default() };
        let mut written = Vec::new();
        for (table, indexes) in std::mem::take(&mut tx.new_tables) {
            let catalog = changed.as_mut().expect("copied above");
            written.push(WrittenKey {
                index: IndexId::TABLE_NAMES,
                key: Some(table_name_key(&table.name)),
                table: table.name.clone(),
                document: None,
                search: None,
            });
            catalog.add_table(table.clone());
            for index in &indexes {
                catalog.add_index(index.clone());
            }
            batch.new_tables.push(table);
            batch.new_indexes.extend(indexes);
        }
        let catalog: &Catalog = changed.as_ref().unwrap_or(&current);
        let mut deltas: HashMap<TableNumber, i64> = HashMap::new();
        let vectors = self.inner.vectors.read().unwrap().clone();
        let mut next_slots = HashMap::new();
        let searches = self.inner.searches.read().unwrap().clone();
        let mut search_writes = Vec::new();
        let mut files_deleted = false;
        for (id, mut write) in std::mem::take(&mut tx.writes) {
            // Placeholders become the commit timestamp before any key or row is derived.
            write.resolve_commit_ts(ts);
            files_deleted |= write.old.is_some()
                && write.new.is_none()
                && catalog.table_name(write.table).is_some_and(crate::blobs::is_storage_table);
            for index in vectors.values() {
                let index = index.read().unwrap();
                if index.info.table == write.table {
                    stage_vector_writes(
                        &index,
                        &id,
                        write.old.as_ref().map(|(d, _)| d),
                        write.new.as_ref(),
                        &mut next_slots,
                        &mut batch.vector_writes,
                    );
                }
            }
            for index in searches.values() {
                let index = index.read().unwrap();
                if index.info.table == write.table {
                    crate::search::stage_search_writes(
                        &index,
                        catalog.table_name(write.table).unwrap_or("(unknown)"),
                        &id,
                        write.old.as_ref().map(|(d, _)| d),
                        write.new.as_ref(),
                        &mut search_writes,
                        &mut written,
                    );
                }
            }
            let delta = match (&write.old, &write.new) {
                (None, Some(_)) => 1,
                (Some(_), None) => -1,
                _ => 0,
            };
            *deltas.entry(write.table).or_default() += delta;
            stage_write(catalog, &id, &write, &mut batch, &mut written);
        }

        self.inner.persistence.commit(&batch)?;
        self.inner.counts.lock().unwrap().commit(ts, &deltas);
        self.inner.order_stats.lock().unwrap().commit(ts, &batch.index_writes);
        crate::vector::apply_commit(
            &self.inner,
            &vectors,
            std::mem::take(&mut batch.vector_writes),
        );
        crate::search::apply_commit(&searches, search_writes, ts);
        let outcome = self.finish_commit(&mut state, changed, ts, written, &batch);
        if files_deleted {
            crate::blobs::collect::request_collection(&self.inner);
        }
        outcome
    }

    fn finish_commit(
        &self,
        state: &mut CommitState,
        catalog: Option<Catalog>,
        ts: Timestamp,
        written: Vec<WrittenKey>,
        batch: &CommitBatch,
    ) -> Result<CommitOutcome, EngineError> {
        if let Some(catalog) = catalog {
            *self.inner.catalog.write().unwrap() = Arc::new(catalog);
        }
        let numbers: Vec<TableNumber> = batch.new_tables.iter().map(|t| t.number).collect();
        self.inner.release_table_numbers(&numbers);
        state.last_ts = ts;
        let invalidated = self.inner.subscriptions.lock().unwrap().invalidate(&written, ts);
        state.recent.push_back(CommitRecord { ts, written });
        while state.recent.len() > self.inner.options.commit_memory {
            if let Some(old) = state.recent.pop_front() {
                state.forgotten_until = old.ts;
            }
        }
        let outcome = CommitOutcome { ts, invalidated };
        for listener in self.inner.listeners.read().unwrap().iter() {
            listener(&outcome);
        }
        Ok(outcome)
    }

    /// Runs `f` in a transaction and commits it, retrying on conflicts (up to `attempts`).
    pub fn run<T>(
        &self,
        attempts: usize,
        mut f: impl FnMut(&mut Transaction) -> Result<T, EngineError>,
    ) -> Result<(T, CommitOutcome), EngineError> {
        let mut last = None;
        for _ in 0..attempts.max(1) {
            let mut tx = self.begin();
            let value = f(&mut tx)?;
            match self.commit(tx) {
                Ok(outcome) => return Ok((value, outcome)),
                Err(e) if e.is_retryable() => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.expect("at least one attempt"))
    }

    /// Creates an empty table (with its `by_id` and `by_creation_time` indexes).
    pub fn create_table(&self, name: &str) -> Result<TableInfo, EngineError> {
        let mut tx = self.begin();
        if tx.table_number(name).is_some() {
            return Err(EngineError::InvalidTableName(format!("table `{name}` already exists")));
        }
        tx.insert_table_only(name)?;
        self.commit(tx)?;
        self.catalog().table(name).cloned().ok_or_else(|| EngineError::TableNotFound(name.into()))
    }

    /// Deletes a table and every document in it.
    pub fn drop_table(&self, name: &str) -> Result<CommitOutcome, EngineError> {
        let mut state = self.inner.commit.lock().unwrap();
        let mut catalog = (*self.catalog()).clone();
        let indexes: Vec<IndexId> = catalog
            .table(name)
            .map(|t| catalog.indexes_of(t.number).map(|i| i.id).collect())
            .ok_or_else(|| EngineError::TableNotFound(name.into()))?;
        let table = catalog.remove_table(name).expect("checked above");
        let ts = Timestamp::next_after(state.last_ts);
        let mut written: Vec<WrittenKey> = indexes
            .into_iter()
            .map(|index| WrittenKey {
                index,
                key: None,
                table: name.into(),
                document: None,
                search: None,
            })
            .collect();
        written.push(WrittenKey {
            index: IndexId::TABLE_NAMES,
            key: Some(table_name_key(name)),
            table: name.into(),
            document: None,
            search: None,
        });
        let number = table.number;
        let batch = CommitBatch { ts, dropped_tables: vec![table], ..CommitBatch::default() };
        self.inner.persistence.commit(&batch)?;
        {
            let mut order_stats = self.inner.order_stats.lock().unwrap();
            written.iter().for_each(|w| order_stats.forget(w.index));
        }
        self.inner.vectors.write().unwrap().retain(|_, i| i.read().unwrap().info.table != number);
        let searches: Vec<IndexId> = self
            .inner
            .searches
            .read()
            .unwrap()
            .iter()
            .filter(|(_, i)| i.read().unwrap().info.table == number)
            .map(|(id, _)| *id)
            .collect();
        for id in searches {
            if let Some(index) = self.inner.searches.write().unwrap().remove(&id) {
                crate::search::store::remove(&index.read().unwrap().dir);
            }
            written.push(WrittenKey {
                index: id,
                key: None,
                table: name.into(),
                document: None,
                search: None,
            });
        }
        self.inner.counts.lock().unwrap().forget(number);
        self.finish_commit(&mut state, Some(catalog), ts, written, &batch)
    }

    /// Adds an index to a table, filling it from the table's documents. `progress` is
    /// called with (documents indexed, documents in the table) as the backfill goes.
    pub fn add_index(
        &self,
        table: &str,
        name: &str,
        fields: &[String],
        progress: impl FnMut(u64, u64),
    ) -> Result<IndexInfo, EngineError> {
        check_user_index(name, fields)?;
        let mut state = self.inner.commit.lock().unwrap();
        let mut catalog = (*self.catalog()).clone();
        let number =
            catalog.table(table).ok_or_else(|| EngineError::TableNotFound(table.into()))?.number;
        if catalog.index(number, name).is_some() {
            return Err(EngineError::IndexExists { index: format!("{table}.{name}") });
        }
        let index = IndexInfo {
            id: self.inner.allocate_index_id(),
            table: number,
            name: name.to_owned(),
            fields: index_fields(name, fields),
            state: IndexState::Ready,
        };
        // Backfill under the commit lock: no commit can slip between the scan and the
        // index's first entries.
        let ts = Timestamp::next_after(state.last_ts);
        let mut batch = CommitBatch { ts, ..CommitBatch::default() };
        self.inner.backfill_scan(&catalog, table, state.last_ts, progress, |document| {
            batch.index_writes.push(IndexWrite {
                index: index.id,
                key: index.key(document),
                id: document.id,
                deleted: false,
            });
        })?;
        batch.new_indexes.push(index.clone());
        catalog.add_index(index.clone());
        self.inner.persistence.commit(&batch)?;
        self.finish_commit(&mut state, Some(catalog), ts, Vec::new(), &batch)?;
        Ok(index)
    }

    /// Registers a query's read set, read at `read_ts`. If a commit after `read_ts` already
    /// hit it, returns that invalidation instead of registering; so too (naming no document)
    /// when `read_ts` is older than the commits the engine remembers.
    pub fn subscribe(
        &self,
        read_set: impl Into<Arc<ReadSet>>,
        read_ts: Timestamp,
    ) -> Result<SubscriptionId, Invalidation> {
        self.subscribe_for(read_set, read_ts, 0)
    }

    /// [`Engine::subscribe`] for `owner`, whom the subscription's invalidation names
    /// ([`Invalidation::owner`]), so commit listeners can route hits without a lookup table
    /// that would race with registration.
    pub fn subscribe_for(
        &self,
        read_set: impl Into<Arc<ReadSet>>,
        read_ts: Timestamp,
        owner: u64,
    ) -> Result<SubscriptionId, Invalidation> {
        let read_set = read_set.into();
        let state = self.inner.commit.lock().unwrap();
        // Commits it may have missed are no longer remembered: it may be outdated.
        if read_ts < state.forgotten_until {
            return Err(Invalidation {
                subscription: SubscriptionId(0),
                ts: state.forgotten_until,
                table: "(any)".into(),
                document: None,
                owner,
            });
        }
        for record in state.commits_after(read_ts) {
            if let Some(write) = read_set.first_hit(&record.written) {
                return Err(Invalidation {
                    subscription: SubscriptionId(0),
                    ts: record.ts,
                    table: write.table.as_str().into(),
                    document: write.document,
                    owner,
                });
            }
        }
        Ok(self.inner.subscriptions.lock().unwrap().register_for(read_set, owner))
    }

    pub fn unsubscribe(&self, id: SubscriptionId) {
        self.inner.subscriptions.lock().unwrap().unregister(id);
    }

    /// The read set of a live subscription (for the subscription inspector).
    pub fn subscription_read_set(&self, id: SubscriptionId) -> Option<ReadSet> {
        self.inner.subscriptions.lock().unwrap().read_set(id).cloned()
    }

    /// A document's stored revisions, newest first (within the retention window).
    pub fn history(&self, id: &DocumentId, limit: usize) -> Result<Vec<Revision>, EngineError> {
        self.inner.persistence.history(id, limit)
    }

    /// Forgets revisions older than the retention window. Returns rows removed.
    pub fn prune_history(&self) -> Result<usize, EngineError> {
        let now = Timestamp::next_after(Timestamp::ZERO);
        let keep = self.inner.options.retention.as_nanos() as u64;
        self.inner.persistence.prune(Timestamp(now.0.saturating_sub(keep)))
    }

    /// The number of documents in a table at the latest commit.
    pub fn count(&self, table: &str) -> Result<u64, EngineError> {
        let catalog = self.catalog();
        let number =
            catalog.table(table).ok_or_else(|| EngineError::TableNotFound(table.into()))?.number;
        let by_id =
            catalog.index(number, BY_ID).ok_or_else(|| EngineError::Corrupt("no by_id".into()))?;
        self.inner.count(number, by_id.id, self.latest_ts())
    }
}

/// Adds one document write to the batch: its revision, its index entries, and the keys
/// conflict checks and subscriptions look at (old and new key in every index).
fn stage_write(
    catalog: &Catalog,
    id: &DocumentId,
    write: &PendingWrite,
    batch: &mut CommitBatch,
    written: &mut Vec<WrittenKey>,
) {
    let old = write.old.as_ref().map(|(d, _)| d);
    if old.is_none() && write.new.is_none() {
        return; // inserted and deleted in the same transaction
    }
    let table = catalog.table_name(write.table).unwrap_or("(unknown)").to_owned();
    batch.documents.push(DocumentWrite {
        id: *id,
        document: write.new.clone(),
        prev_ts: write.old.as_ref().map(|(_, ts)| *ts),
    });
    for index in catalog.indexes_of(write.table) {
        let old_key = old.map(|d| index.key(d));
        let new_key = write.new.as_ref().map(|d| index.key(d));
        if old_key != new_key {
            if let Some(key) = &old_key {
                batch.index_writes.push(IndexWrite {
                    index: index.id,
                    key: key.clone(),
                    id: *id,
                    deleted: true,
                });
            }
            if let Some(key) = &new_key {
                batch.index_writes.push(IndexWrite {
                    index: index.id,
                    key: key.clone(),
                    id: *id,
                    deleted: false,
                });
            }
        }
        for key in [old_key, new_key].into_iter().flatten() {
            let entry = WrittenKey {
                index: index.id,
                key: Some(key),
                table: table.clone(),
                document: Some(*id),
                search: None,
            };
            if !written.contains(&entry) {
                written.push(entry);
            }
        }
    }
}
