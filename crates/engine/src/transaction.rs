//! [`Transaction`]: reads at a snapshot, buffered writes, and the read set they record.
//!
//! Reads see the transaction's own writes. Every read records what it depended on: `get`
//! a point on the table's `by_id` index, a scan the key interval it actually consumed (from
//! the range start to the last row returned, or the whole range once exhausted), looking up
//! a table its name. At commit ([`crate::Engine::commit`]) the read set decides whether a
//! concurrent commit conflicts, and a query's read set becomes its subscription.

use std::collections::BTreeMap;
use std::sync::Arc;

use atrium_value::limits::check_document;
use atrium_value::names::{
    CREATION_TIME_FIELD, ID_FIELD, check_component_table_name, split_component,
};
use atrium_value::pending::CommitTsSlots;
use atrium_value::sort_key::sort_key;
use atrium_value::{DocumentId, Object, TableNumber, Value};
use rand_chacha::ChaCha12Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

use crate::catalog::{BY_ID, IndexState, table_name_key};
use crate::inner::Inner;
use crate::key_range::key_successor;
use crate::schema::{CatalogIds, Schema};
use crate::write_set::{PatchValue, PendingChange, PendingWrite};
use crate::{
    Catalog, Document, EngineError, IndexId, IndexInfo, KeyRange, Order, ReadSet, TableInfo,
    Timestamp,
};

/// A page of documents from an index scan.
#[derive(Debug, Clone)]
pub struct ScanPage {
    /// Documents with their index keys, in scan order.
    pub documents: Vec<(Vec<u8>, Document)>,
    /// No more documents in the range after these.
    pub exhausted: bool,
}

/// A point a transaction's writes can be rolled back to (a nested mutation that failed).
#[derive(Debug, Clone)]
pub struct Checkpoint {
    writes: BTreeMap<DocumentId, PendingWrite>,
    new_tables: Vec<(TableInfo, Vec<IndexInfo>)>,
}

/// One transaction. Create with [`crate::Engine::begin`], finish with
/// [`crate::Engine::commit`] (or drop it to abort).
pub struct Transaction {
    pub(crate) inner: Arc<Inner>,
    pub(crate) snapshot: Timestamp,
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) writes: BTreeMap<DocumentId, PendingWrite>,
    pub(crate) new_tables: Vec<(TableInfo, Vec<IndexInfo>)>,
    pub(crate) read_set: ReadSet,
    schema: Option<Arc<Schema>>,
    /// Seeded on first use (most transactions never insert).
    rng: Option<ChaCha12Rng>,
    /// The wall-clock start of the transaction (after its snapshot): new documents'
    /// `_creationTime` comes from it.
    begin_time: Timestamp,
    last_creation_time: f64,
    documents_read: u64,
    bytes_read: u64,
    /// The answer to store with the commit for a replaying client (`crate::replay`).
    pub(crate) replay: Option<crate::replay::PendingReplay>,
}

impl std::fmt::Debug for Transaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transaction")
            .field("snapshot", &self.snapshot)
            .field("writes", &self.writes.len())
            .field("read_ranges", &self.read_set.len())
            .finish()
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        let numbers: Vec<TableNumber> = self.new_tables.iter().map(|(t, _)| t.number).collect();
        self.inner.release_table_numbers(&numbers);
    }
}

impl Transaction {
    pub(crate) fn new(
        inner: Arc<Inner>,
        snapshot: Timestamp,
        catalog: Arc<Catalog>,
        schema: Option<Arc<Schema>>,
    ) -> Self {
        Self {
            inner,
            snapshot,
            catalog,
            writes: BTreeMap::new(),
            new_tables: Vec::new(),
            read_set: ReadSet::default(),
            schema,
            rng: None,
            begin_time: Timestamp::next_after(snapshot),
            last_creation_time: 0.0,
            documents_read: 0,
            bytes_read: 0,
            replay: None,
        }
    }

    /// Remembers the writes so far.
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint { writes: self.writes.clone(), new_tables: self.new_tables.clone() }
    }

    /// Undoes every write since `checkpoint`. Reads stay in the read set: they happened.
    pub fn rollback_to(&mut self, checkpoint: Checkpoint) {
        let kept: Vec<TableNumber> = checkpoint.new_tables.iter().map(|(t, _)| t.number).collect();
        let dropped: Vec<TableNumber> =
            self.new_tables.iter().map(|(t, _)| t.number).filter(|n| !kept.contains(n)).collect();
        self.inner.release_table_numbers(&dropped);
        self.writes = checkpoint.writes;
        self.new_tables = checkpoint.new_tables;
    }

    /// Makes the IDs this transaction generates deterministic (queries and mutations run
    /// with a seeded generator).
    pub fn seed_ids(&mut self, seed: [u8; 32]) {
        self.rng = Some(ChaCha12Rng::from_seed(seed));
    }

    /// The tables and indexes this transaction sees.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn snapshot(&self) -> Timestamp {
        self.snapshot
    }

    pub fn read_set(&self) -> &ReadSet {
        &self.read_set
    }

    /// Documents and bytes read so far, for Convex's per-function limits.
    pub fn read_stats(&self) -> (u64, u64) {
        (self.documents_read, self.bytes_read)
    }

    /// The writes so far, each with the document before (as of the snapshot) and after
    /// (`None`: not there), in document ID order — what a dry run shows.
    pub fn pending_writes(&self) -> Vec<PendingChange> {
        self.writes
            .iter()
            .filter(|(_, w)| w.old.is_some() || w.new.is_some())
            .map(|(id, w)| PendingChange {
                table: self.table_name(w.table).unwrap_or_else(|| format!("table {}", w.table.0)),
                id: *id,
                before: w.old.as_ref().map(|(d, _)| d.clone()),
                after: w.new.clone(),
            })
            .collect()
    }

    /// Documents written so far (inserted, changed or deleted).
    pub fn write_count(&self) -> usize {
        self.writes.len()
    }

    pub fn has_writes(&self) -> bool {
        !self.writes.is_empty() || !self.new_tables.is_empty()
    }

    /// The number of a table, recording the lookup. `None` when it does not exist.
    pub fn table_number(&mut self, name: &str) -> Option<TableNumber> {
        self.read_set.add(IndexId::TABLE_NAMES, KeyRange::point(&table_name_key(name)));
        self.lookup_table(name).map(|t| t.number)
    }

    fn lookup_table(&self, name: &str) -> Option<&TableInfo> {
        self.catalog
            .table(name)
            .or_else(|| self.new_tables.iter().map(|(t, _)| t).find(|t| t.name == name))
    }

    /// The table's name for a number (catalog or created in this transaction).
    pub fn table_name(&self, number: TableNumber) -> Option<String> {
        self.catalog.table_name(number).map(str::to_owned).or_else(|| {
            self.new_tables.iter().find(|(t, _)| t.number == number).map(|(t, _)| t.name.clone())
        })
    }

    fn indexes_of(&self, table: TableNumber) -> Vec<IndexInfo> {
        let mut all: Vec<IndexInfo> = self.catalog.indexes_of(table).cloned().collect();
        for (t, indexes) in &self.new_tables {
            if t.number == table {
                all.extend(indexes.iter().cloned());
            }
        }
        all
    }

    /// An index of a table, by name; queries may not use one still backfilling.
    pub fn index(&mut self, table: &str, index: &str) -> Result<IndexInfo, EngineError> {
        let not_found = || EngineError::IndexNotFound(format!("{table}.{index}"));
        let number = self.table_number(table).ok_or_else(not_found)?;
        let info =
            self.indexes_of(number).into_iter().find(|i| i.name == index).ok_or_else(not_found)?;
        if info.state != IndexState::Ready {
            return Err(EngineError::InvalidIndex(format!(
                "index {table}.{index} is still backfilling and cannot be queried yet"
            )));
        }
        Ok(info)
    }

    pub(crate) fn create_table(&mut self, name: &str) -> Result<TableNumber, EngineError> {
        let number = match system_table_number(name) {
            Some(number) => number,
            None => {
                // A component's system table (`counter/_scheduled_functions`) gets a number of
                // its own: the fixed numbers belong to the app's.
                let system = is_system_table(split_component(name).1);
                check_component_table_name(name, system).map_err(EngineError::InvalidTableName)?;
                self.inner.reserve_table_number(&self.catalog)
            }
        };
        let table = TableInfo { name: name.to_owned(), number };
        let indexes = self.inner.system_indexes(number);
        self.new_tables.push((table, indexes));
        Ok(number)
    }

    fn by_id(&self, table: TableNumber) -> Result<IndexId, EngineError> {
        if let Some(index) = self.catalog.index(table, BY_ID) {
            return Ok(index.id);
        }
        self.indexes_of(table)
            .into_iter()
            .find(|i| i.name == BY_ID)
            .map(|i| i.id)
            .ok_or_else(|| EngineError::Corrupt(format!("table {} has no by_id index", table.0)))
    }

    fn count_read(&mut self, document: &Document) {
        self.documents_read += 1;
        self.bytes_read += document_size(document) as u64;
    }

    /// The document as this transaction sees it: its own writes, else the snapshot.
    pub fn get(&mut self, id: &DocumentId) -> Result<Option<Document>, EngineError> {
        let Some(_) = self.table_name(id.table) else { return Ok(None) };
        let by_id = self.by_id(id.table)?;
        self.read_set.add(by_id, KeyRange::point(&sort_key(&Value::String(id.encode()))));
        let document = match self.writes.get(id) {
            Some(write) => write.new.clone(),
            None => self.inner.persistence.revision_at(id, self.snapshot)?.and_then(|r| r.document),
        };
        if let Some(document) = &document {
            self.count_read(document);
        }
        Ok(document)
    }

    fn current_with_ts(
        &mut self,
        id: &DocumentId,
    ) -> Result<Option<(Document, Option<Timestamp>)>, EngineError> {
        if let Some(write) = self.writes.get(id) {
            let prev = write.old.as_ref().map(|(_, ts)| *ts);
            return Ok(write.new.clone().map(|d| (d, prev)));
        }
        self.get(id)?;
        Ok(self
            .inner
            .persistence
            .revision_at(id, self.snapshot)?
            .and_then(|r| r.document.map(|d| (d, Some(r.ts)))))
    }

    /// Validates a document against the schema of its table, if there is one.
    fn check_schema(&self, table: &str, fields: &Object) -> Result<(), EngineError> {
        let Some(schema) = &self.schema else { return Ok(()) };
        let ids = CatalogIds {
            catalog: &self.catalog,
            extra: self.new_tables.iter().map(|(t, _)| (t.number.0, t.name.clone())).collect(),
        };
        schema
            .check(table, fields, &ids)
            .map_err(|error| EngineError::SchemaViolation { table: table.to_owned(), error })
    }

    fn check_fields(fields: &Object) -> Result<(), EngineError> {
        for system in [ID_FIELD, CREATION_TIME_FIELD] {
            if fields.contains_key(system) {
                return Err(EngineError::InvalidDocumentFields(format!(
                    "`{system}` is a system field and cannot be set"
                )));
            }
        }
        check_document(fields)?;
        Ok(())
    }

    /// Inserts a document, creating the table if it does not exist. Returns its new ID.
    pub fn insert(&mut self, table: &str, fields: Object) -> Result<DocumentId, EngineError> {
        if split_component(table).1.starts_with('_') {
            return Err(EngineError::InvalidTableName(format!(
                "table name `{table}` starts with `_`, which is reserved for system tables"
            )));
        }
        self.insert_any(table, fields, CommitTsSlots::default())
    }

    /// Inserts into a system table (`_scheduled_functions`, `_storage`, `_cron_jobs`), which
    /// have fixed table numbers as in Convex. Only the engine's own subsystems write these.
    pub fn insert_system(
        &mut self,
        table: &str,
        fields: Object,
    ) -> Result<DocumentId, EngineError> {
        if !is_system_table(split_component(table).1) {
            return Err(EngineError::InvalidTableName(format!("`{table}` is not a system table")));
        }
        self.insert_any(table, fields, CommitTsSlots::default())
    }

    pub(crate) fn insert_any(
        &mut self,
        table: &str,
        fields: Object,
        commit_ts: CommitTsSlots,
    ) -> Result<DocumentId, EngineError> {
        Self::check_fields(&fields)?;
        self.check_schema(table, &fields)?;
        let number = match self.table_number(table) {
            Some(n) => n,
            None => self.create_table(table)?,
        };
        // Creation times strictly increase within a transaction.
        let base = self.begin_time.as_millis_f64();
        let creation_time =
            if self.last_creation_time >= base { self.last_creation_time.next_up() } else { base };
        self.last_creation_time = creation_time;
        let mut random = [0u8; 14];
        self.rng
            .get_or_insert_with(|| {
                let mut seed = [0u8; 32];
                getrandom::fill(&mut seed).expect("the OS random source is available");
                ChaCha12Rng::from_seed(seed)
            })
            .fill_bytes(&mut random);
        let id = DocumentId::new(number, random, creation_time);
        let document = Document { id, creation_time, fields };
        check_document(document.to_value().as_object().expect("documents are objects"))?;
        self.writes.insert(
            id,
            PendingWrite { commit_ts, ..PendingWrite::new(number, None, Some(document)) },
        );
        Ok(id)
    }

    fn write(
        &mut self,
        id: &DocumentId,
        new: Option<Document>,
        commit_ts: CommitTsSlots,
    ) -> Result<(), EngineError> {
        let (current, prev_ts) =
            self.current_with_ts(id)?.ok_or(EngineError::DocumentNotFound(*id))?;
        match self.writes.get_mut(id) {
            Some(write) => {
                write.new = new;
                write.commit_ts = commit_ts;
            }
            None => {
                let old = prev_ts.map(|ts| (current, ts));
                let write = PendingWrite { commit_ts, ..PendingWrite::new(id.table, old, new) };
                self.writes.insert(*id, write);
            }
        }
        Ok(())
    }

    /// Replaces a document's fields.
    pub fn replace(&mut self, id: &DocumentId, fields: Object) -> Result<(), EngineError> {
        self.replace_any(id, fields, CommitTsSlots::default())
    }

    pub(crate) fn replace_any(
        &mut self,
        id: &DocumentId,
        fields: Object,
        commit_ts: CommitTsSlots,
    ) -> Result<(), EngineError> {
        Self::check_fields(&fields)?;
        let (current, _) = self.current_with_ts(id)?.ok_or(EngineError::DocumentNotFound(*id))?;
        if let Some(table) = self.table_name(id.table) {
            self.check_schema(&table, &fields)?;
        }
        let document = Document { id: *id, creation_time: current.creation_time, fields };
        check_document(document.to_value().as_object().expect("documents are objects"))?;
        self.write(id, Some(document), commit_ts)
    }

    /// Sets or removes top-level fields of a document.
    pub fn patch(
        &mut self,
        id: &DocumentId,
        patch: BTreeMap<String, PatchValue>,
    ) -> Result<(), EngineError> {
        self.patch_any(id, patch, CommitTsSlots::default())
    }

    /// A patch whose set values hold commit-timestamp placeholders at `new_slots` (relative
    /// to the document); placeholders already in fields the patch leaves alone stay.
    pub(crate) fn patch_any(
        &mut self,
        id: &DocumentId,
        patch: BTreeMap<String, PatchValue>,
        new_slots: CommitTsSlots,
    ) -> Result<(), EngineError> {
        let (current, _) = self.current_with_ts(id)?.ok_or(EngineError::DocumentNotFound(*id))?;
        let mut commit_ts = self.commit_ts_slots(id).cloned().unwrap_or_default();
        commit_ts.retain_fields(|name| !patch.contains_key(name));
        commit_ts.extend(new_slots);
        let mut fields = current.fields.clone();
        for (name, change) in patch {
            if name == ID_FIELD || name == CREATION_TIME_FIELD {
                return Err(EngineError::InvalidDocumentFields(format!(
                    "`{name}` is a system field and cannot be changed"
                )));
            }
            match change {
                PatchValue::Set(value) => {
                    fields.insert(name, value);
                }
                PatchValue::Remove => {
                    fields.remove(&name);
                }
            }
        }
        self.replace_any(id, fields, commit_ts)
    }

    /// Makes sure a user table (or a component's `_storage`) exists, with `number` when it
    /// is created here (imports keep the table numbers IDs embed). Fails when the table
    /// exists with another number.
    pub fn ensure_table(
        &mut self,
        name: &str,
        number: Option<TableNumber>,
    ) -> Result<TableNumber, EngineError> {
        if let Some(existing) = self.table_number(name) {
            if number.is_some_and(|n| n != existing) {
                return Err(EngineError::InvalidTableName(format!(
                    "table `{name}` has number {} here but {} in the import; import into an empty deployment",
                    existing.0,
                    number.map_or(0, |n| n.0)
                )));
            }
            return Ok(existing);
        }
        // A component's `_storage` is restored with its files' table number, like a user table.
        let system = crate::blobs::is_storage_table(name);
        check_component_table_name(name, system).map_err(EngineError::InvalidTableName)?;
        let number = match number {
            Some(n) => {
                if self.table_name(n).is_some() || self.inner.table_number_taken(n) {
                    return Err(EngineError::InvalidTableName(format!(
                        "table number {} for `{name}` is already used by another table",
                        n.0
                    )));
                }
                self.inner.reserve_specific(n);
                n
            }
            None => self.inner.reserve_table_number(&self.catalog),
        };
        let indexes = self.inner.system_indexes(number);
        self.new_tables.push((TableInfo { name: name.to_owned(), number }, indexes));
        Ok(number)
    }

    /// Inserts a document under a given ID and creation time (imports). The table must be the
    /// ID's table, and the ID must not exist yet.
    pub fn insert_with_id(
        &mut self,
        table: &str,
        id: DocumentId,
        creation_time: f64,
        fields: Object,
    ) -> Result<(), EngineError> {
        Self::check_fields(&fields)?;
        self.check_schema(table, &fields)?;
        if self.table_number(table) != Some(id.table) {
            return Err(EngineError::InvalidDocumentFields(format!(
                "ID {id} does not belong to table `{table}`"
            )));
        }
        if self.get(&id)?.is_some() {
            return Err(EngineError::InvalidDocumentFields(format!(
                "a document with ID {id} already exists"
            )));
        }
        let document = Document { id, creation_time, fields };
        check_document(document.to_value().as_object().expect("documents are objects"))?;
        match self.writes.get_mut(&id) {
            // Deleted earlier in this transaction: the write keeps the committed version it
            // replaces, so commit retires that version's index entries and count.
            Some(write) => {
                write.new = Some(document);
                write.commit_ts = CommitTsSlots::default();
            }
            None => {
                self.writes.insert(id, PendingWrite::new(id.table, None, Some(document)));
            }
        }
        Ok(())
    }

    /// Writes an earlier revision of a document back as its newest version, with its
    /// original ID and creation time, whether the document was since changed or deleted.
    pub fn restore(&mut self, revision: Document) -> Result<(), EngineError> {
        let id = revision.id;
        let Some(table) = self.table_name(id.table) else {
            return Err(EngineError::TableNotFound(format!("(table number {})", id.table.0)));
        };
        Self::check_fields(&revision.fields)?;
        self.check_schema(&table, &revision.fields)?;
        let current = self.current_with_ts(&id)?;
        match self.writes.get_mut(&id) {
            Some(write) => {
                write.new = Some(revision);
                write.commit_ts = CommitTsSlots::default();
            }
            None => {
                let old = current.and_then(|(d, ts)| ts.map(|ts| (d, ts)));
                self.writes.insert(id, PendingWrite::new(id.table, old, Some(revision)));
            }
        }
        Ok(())
    }

    /// Deletes a document.
    pub fn delete(&mut self, id: &DocumentId) -> Result<(), EngineError> {
        self.write(id, None, CommitTsSlots::default())
    }

    /// Reads up to `limit` documents of `index` within `range`, in `order`, after the key
    /// `after` (exclusive, in scan order) when given.
    pub fn scan(
        &mut self,
        index: &IndexInfo,
        range: &KeyRange,
        order: Order,
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<ScanPage, EngineError> {
        // This transaction's own versions of the table's documents that fall in the range.
        let mut overlay: Vec<(Vec<u8>, Document)> = self
            .writes
            .values()
            .filter(|w| w.table == index.table)
            .filter_map(|w| w.new.as_ref())
            .map(|d| (index.key(d), d.clone()))
            .filter(|(key, _)| range.contains(key))
            .filter(|(key, _)| match (after, order) {
                (None, _) => true,
                (Some(a), Order::Asc) => key.as_slice() > a,
                (Some(a), Order::Desc) => key.as_slice() < a,
            })
            .collect();
        overlay.sort_by(|a, b| a.0.cmp(&b.0));
        if order == Order::Desc {
            overlay.reverse();
        }

        // Snapshot entries not shadowed by this transaction's writes.
        let mut stored: Vec<(Vec<u8>, Document)> = Vec::new();
        let mut cursor = after.map(<[u8]>::to_vec);
        let mut storage_exhausted = false;
        while stored.len() < limit && !storage_exhausted {
            let page = self.inner.persistence.index_scan(
                index.id,
                range,
                self.snapshot,
                order,
                cursor.as_deref(),
                (limit - stored.len()).max(16),
            )?;
            storage_exhausted = page.exhausted;
            if let Some((last, _)) = page.entries.last() {
                cursor = Some(last.clone());
            }
            stored
                .extend(page.entries.into_iter().filter(|(_, d)| !self.writes.contains_key(&d.id)));
        }
        let boundary =
            (!storage_exhausted).then(|| stored.last().map(|(k, _)| k.clone())).flatten();

        // Merge the two sorted lists.
        let before = |a: &[u8], b: &[u8]| match order {
            Order::Asc => a < b,
            Order::Desc => a > b,
        };
        let mut documents: Vec<(Vec<u8>, Document)> = Vec::with_capacity(limit.min(1024));
        let mut stored_iter = stored.into_iter().peekable();
        let mut overlay_iter = overlay
            .into_iter()
            .filter(|(key, _)| boundary.as_ref().is_none_or(|b| !before(b, key)))
            .peekable();
        loop {
            let take_overlay = match (stored_iter.peek(), overlay_iter.peek()) {
                (None, None) => break,
                (Some(_), None) => false,
                (None, Some(_)) => true,
                (Some((sk, _)), Some((ok, _))) => before(ok, sk),
            };
            let next = if take_overlay { overlay_iter.next() } else { stored_iter.next() };
            documents.push(next.expect("peeked"));
        }
        let exhausted = storage_exhausted && documents.len() <= limit;
        documents.truncate(limit);
        for (_, document) in &documents {
            self.documents_read += 1;
            self.bytes_read += document_size(document) as u64;
        }

        // Record what was consumed.
        let consumed = match order {
            Order::Asc => KeyRange {
                start: after.map(key_successor).unwrap_or_else(|| range.start.clone()),
                end: match (exhausted, documents.last()) {
                    (false, Some((last, _))) => Some(key_successor(last)),
                    _ => range.end.clone(),
                },
            },
            Order::Desc => KeyRange {
                start: match (exhausted, documents.last()) {
                    (false, Some((last, _))) => last.clone(),
                    _ => range.start.clone(),
                },
                end: after.map(<[u8]>::to_vec).or_else(|| range.end.clone()),
            },
        };
        let consumed = KeyRange {
            start: consumed.start.max(range.start.clone()),
            end: match (&consumed.end, &range.end) {
                (Some(a), Some(b)) => Some(a.min(b).clone()),
                (a, b) => a.clone().or_else(|| b.clone()),
            },
        };
        self.read_set.add(index.id, consumed);
        Ok(ScanPage { documents, exhausted })
    }

    /// The number of documents in a table at this snapshot (an unknown table has none),
    /// recorded as a read of the whole table: any insert or delete invalidates it. This
    /// transaction's own writes are not counted.
    pub fn count(&mut self, table: &str) -> Result<u64, EngineError> {
        if self.table_number(table).is_none() {
            return Ok(0);
        }
        let by_id = self.index(table, crate::catalog::BY_ID)?;
        self.read_set.add(by_id.id, KeyRange::all());
        self.inner.count(by_id.table, by_id.id, self.snapshot)
    }

    /// The number of documents of `index` within `range` at this snapshot, recorded as a
    /// read of the range. (For a whole table, [`Transaction::count`] is cheaper.)
    pub fn count_range(&mut self, index: &IndexInfo, range: &KeyRange) -> Result<u64, EngineError> {
        self.read_set.add(index.id, range.clone());
        self.inner.count_range(index.id, range, self.snapshot)
    }

    /// Like [`Transaction::scan`], but starting `offset` documents into `range`: a grid's
    /// jump to row N without reading rows 0..N. The skipped part is recorded as read too
    /// (a write there moves every later row). Counts committed documents only.
    pub fn scan_from_offset(
        &mut self,
        index: &IndexInfo,
        range: &KeyRange,
        order: Order,
        offset: u64,
        limit: usize,
    ) -> Result<ScanPage, EngineError> {
        if offset == 0 {
            return self.scan(index, range, order, None, limit);
        }
        let Some(before) =
            self.inner.key_at_offset(index.id, range, self.snapshot, order, offset - 1)?
        else {
            self.read_set.add(index.id, range.clone());
            return Ok(ScanPage { documents: Vec::new(), exhausted: true });
        };
        let skipped = match order {
            Order::Asc => {
                KeyRange { start: range.start.clone(), end: Some(key_successor(&before)) }
            }
            Order::Desc => KeyRange { start: before.clone(), end: range.end.clone() },
        };
        self.read_set.add(index.id, skipped);
        self.scan(index, range, order, Some(&before), limit)
    }

    /// Reads every document of a table in creation order (a full table scan). An unknown
    /// table yields nothing.
    pub fn collect_table(&mut self, table: &str) -> Result<Vec<Document>, EngineError> {
        if self.table_number(table).is_none() {
            return Ok(Vec::new());
        }
        let index = self.index(table, crate::catalog::BY_CREATION_TIME)?;
        let mut out = Vec::new();
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = self.scan(&index, &KeyRange::all(), Order::Asc, after.as_deref(), 256)?;
            after = page.documents.last().map(|(k, _)| k.clone());
            out.extend(page.documents.into_iter().map(|(_, d)| d));
            if page.exhausted {
                return Ok(out);
            }
        }
    }
}

/// A document's size as Convex counts it, without building the full value.
fn document_size(document: &Document) -> usize {
    // `_id` (32-character string) and `_creationTime` (float64), with their names.
    let system = (3 + 1 + 34) + (13 + 1 + 9);
    2 + system + document.fields.iter().map(|(k, v)| k.len() + 1 + v.size()).sum::<usize>()
}

/// System tables and their fixed numbers (512 + n, as Convex numbers them).
pub const SYSTEM_TABLES: &[(&str, u32)] = &[
    ("_environment_variables", 529),
    ("_cron_jobs", 531),
    // The deployment's component instances, whose document IDs are their stable IDs.
    ("_components", 535),
    ("_scheduled_functions", 539),
    ("_storage", 540),
    // Cron runs (Convex's `_cron_job_logs` is table 51, `_cron_next_run` 118).
    ("_cron_job_logs", 563),
    ("_cron_next_run", 630),
    // Deployment events (Convex's audit log) and the summary of the code recorded last.
    ("_deployment_audit_log", 690),
    ("_atrium_code_state", 691),
];

fn is_system_table(name: &str) -> bool {
    SYSTEM_TABLES.iter().any(|(n, _)| *n == name)
}

fn system_table_number(name: &str) -> Option<TableNumber> {
    SYSTEM_TABLES.iter().find(|(n, _)| *n == name).map(|(_, number)| TableNumber(*number))
}

impl Transaction {
    /// Creates a table with no documents in this transaction.
    pub(crate) fn insert_table_only(&mut self, name: &str) -> Result<(), EngineError> {
        if self.table_number(name).is_none() {
            self.create_table(name)?;
        }
        Ok(())
    }
}

impl Transaction {
    /// Stores `answer(commit ts)` under `key` in this transaction's commit (if it writes
    /// anything), replacing an earlier call's; see `crate::replay`. A retried transaction
    /// must call it again.
    pub fn record_replay(
        &mut self,
        key: crate::replay::ReplayKey,
        answer: impl FnOnce(Timestamp) -> String + Send + Sync + 'static,
    ) {
        self.replay = Some(crate::replay::PendingReplay { key, answer: Box::new(answer) });
    }
}
