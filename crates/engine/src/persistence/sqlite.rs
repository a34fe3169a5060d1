//! [`SqlitePersistence`]: the engine's storage in one SQLite file (WAL).
//!
//! Tables: `commits(ts)`, `documents(id, ts, table_number, prev_ts, json)` — one row per
//! revision, `json` NULL for a deletion — and `index_entries(index_id, key, ts, deleted,
//! doc_id)`, plus the catalog (`tables`, `indexes`). One writer connection commits; readers
//! take pooled connections of their own and never wait for it.
//! Vector indexes keep their current state only (searches read the latest commit):
//! `vector_indexes`, `vector_entries(index_id, slot, doc_id, vector, filters, live)`,
//! `vector_skipped` (documents not indexed, and why) and `vector_graphs` (a serialised HNSW
//! graph with the number of slots it covers). `mutation_replays` (`replays.rs`) holds
//! mutations' answers for replaying clients. `meta.schema_version` is the storage format;
//! `migrations.rs` upgrades older files on open.
//!
//! Every write holds the file's [`WriteGate`], shared with the function log store that
//! writes into the same file, so the two wait for each other on a lock, not in SQLite's
//! busy handler.
//!
//! Durability: WAL with `synchronous=NORMAL`, so a process crash loses nothing that was
//! acknowledged; `EngineOptions::durable` switches to `FULL` for power-loss safety.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use atrium_logs::WriteGate;

use atrium_value::{DocumentId, TableNumber};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use super::{CommitBatch, IndexEntries, Loaded, Revision};
use crate::catalog::{IndexInfo, IndexState, TableInfo};
use crate::vector::{StoredVector, VectorIndexInfo, VectorIndexSpec, VectorWrite};
use crate::{Catalog, Document, EngineError, IndexId, KeyRange, Order, Timestamp};
use atrium_value::Value;
use serde_json::Value as Json;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS commits (ts INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS tables (
    number INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS indexes (
    id INTEGER PRIMARY KEY,
    table_number INTEGER NOT NULL,
    name TEXT NOT NULL,
    fields TEXT NOT NULL,
    state TEXT NOT NULL,
    UNIQUE (table_number, name)
);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    table_number INTEGER NOT NULL,
    prev_ts INTEGER,
    json TEXT,
    PRIMARY KEY (id, ts)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS documents_by_table ON documents (table_number);
CREATE TABLE IF NOT EXISTS index_entries (
    index_id INTEGER NOT NULL,
    key BLOB NOT NULL,
    ts INTEGER NOT NULL,
    deleted INTEGER NOT NULL,
    doc_id TEXT NOT NULL,
    PRIMARY KEY (index_id, key, ts)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS vector_indexes (
    id INTEGER PRIMARY KEY,
    table_number INTEGER NOT NULL,
    name TEXT NOT NULL,
    spec TEXT NOT NULL,
    UNIQUE (table_number, name)
);
CREATE TABLE IF NOT EXISTS vector_entries (
    index_id INTEGER NOT NULL,
    slot INTEGER NOT NULL,
    doc_id TEXT NOT NULL,
    vector BLOB NOT NULL,
    filters TEXT NOT NULL,
    live INTEGER NOT NULL,
    PRIMARY KEY (index_id, slot)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS vector_skipped (
    index_id INTEGER NOT NULL,
    doc_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (index_id, doc_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS vector_graphs (
    index_id INTEGER PRIMARY KEY,
    slots INTEGER NOT NULL,
    graph BLOB NOT NULL
);
";

/// The engine's SQLite store.
#[derive(Debug)]
pub struct SqlitePersistence {
    path: PathBuf,
    writer: Mutex<Connection>,
    /// Held with `writer` by every write (see the module doc).
    gate: WriteGate,
    readers: Mutex<Vec<Connection>>,
    /// Replay records written since open (`replays.rs` prunes every so many).
    replays_written: std::sync::atomic::AtomicU64,
}

fn open_connection(path: &Path, durable: bool) -> Result<Connection, EngineError> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    connection.busy_timeout(std::time::Duration::from_secs(10))?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", if durable { "FULL" } else { "NORMAL" })?;
    connection.pragma_update(None, "foreign_keys", "OFF")?;
    // Plans must not depend on bound values: without this, SQLite marks a statement whose
    // `LIMIT ?` or range bound it could plan with, and re-prepares (parses and plans again)
    // that cached statement every time a new value is bound, that is on every scan.
    connection.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(connection)
}

impl SqlitePersistence {
    /// Opens (creating if needed) the store at `path`.
    pub fn open(path: &Path, durable: bool, gate: WriteGate) -> Result<Self, EngineError> {
        let held = gate.lock();
        let mut writer = open_connection(path, durable)?;
        writer.execute_batch(SCHEMA)?;
        super::migrations::upgrade(&mut writer, path)?;
        // Replay records past their retention go now (and amortised as new ones come).
        let pruned = super::replays::prune(&writer, Timestamp::next_after(Timestamp::ZERO))?;
        if pruned > 0 {
            tracing::info!("forgot {pruned} mutation replay records");
        }
        drop(held);
        Ok(Self {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            gate,
            readers: Mutex::new(Vec::new()),
            replays_written: std::sync::atomic::AtomicU64::new(0),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The writer connection, for a write: the gate first, then the connection.
    fn writer(&self) -> Writer<'_> {
        let gate = self.gate.lock();
        Writer { connection: self.writer.lock().unwrap(), _gate: gate }
    }

    /// Runs `f` with a reader connection from the pool.
    pub(super) fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, EngineError>,
    ) -> Result<T, EngineError> {
        let pooled = self.readers.lock().unwrap().pop();
        let connection = match pooled {
            Some(c) => c,
            None => open_connection(&self.path, false)?,
        };
        let result = f(&connection);
        self.readers.lock().unwrap().push(connection);
        result
    }

    /// The stored answer of a replayed mutation (see `crate::replay`).
    pub fn replay_record(
        &self,
        key: &crate::replay::ReplayKey,
    ) -> Result<Option<crate::replay::ReplayRecord>, EngineError> {
        self.read(|c| super::replays::read(c, key))
    }

    /// The storage format recorded in the file (see `migrations.rs`).
    pub fn storage_version(&self) -> Result<Option<u32>, EngineError> {
        super::migrations::stored_version(&self.writer.lock().unwrap())
    }

    /// The documents of `table` with a revision after `ts` (what a stored search index
    /// covering commits up to `ts` must read again). Reads `documents_by_table` only,
    /// which holds each row's ID and timestamp.
    pub(crate) fn documents_changed_after(
        &self,
        table: TableNumber,
        ts: Timestamp,
    ) -> Result<Vec<DocumentId>, EngineError> {
        self.read(|c| {
            let mut statement = c.prepare_cached(
                "SELECT DISTINCT id FROM documents WHERE table_number = ?1 AND ts > ?2",
            )?;
            let rows = statement
                .query_map(params![i64::from(table.0), to_i64(ts)], |r| r.get::<_, String>(0))?;
            rows.map(|id| {
                let id = id?;
                DocumentId::decode(&id)
                    .map_err(|e| EngineError::Corrupt(format!("document ID {id}: {e}")))
            })
            .collect()
        })
    }

    /// Runs `PRAGMA integrity_check`; `Ok(())` when the file is sound.
    pub fn integrity_check(&self) -> Result<(), EngineError> {
        let writer = self.writer.lock().unwrap();
        let result: String = writer.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if result == "ok" { Ok(()) } else { Err(EngineError::Corrupt(result)) }
    }
}

pub(super) fn to_i64(ts: Timestamp) -> i64 {
    ts.0 as i64
}

fn revision_from_row(ts: i64, json: Option<String>) -> Result<Revision, EngineError> {
    Ok(Revision {
        ts: Timestamp(ts as u64),
        document: json.as_deref().map(Document::from_json_text).transpose()?,
    })
}

/// `SELECT <columns> FROM index_entries e` limited to the entries of index `?1` live at
/// `?2` (newest per key, not a tombstone) with keys from `?3` (up to `?4` when the range
/// has an end), in `order` when given. Every range read builds on this.
pub(super) fn live_entries_sql(
    columns: &str,
    range: &KeyRange,
    order: Option<Order>,
    after: bool,
) -> String {
    let mut sql = format!(
        "SELECT {columns} FROM index_entries e \
         WHERE e.index_id = ?1 AND e.ts <= ?2 AND e.deleted = 0 \
         AND NOT EXISTS (SELECT 1 FROM index_entries n WHERE n.index_id = e.index_id \
             AND n.key = e.key AND n.ts > e.ts AND n.ts <= ?2) \
         AND e.key >= ?3"
    );
    if range.end.is_some() {
        sql.push_str(" AND e.key < ?4");
    }
    if after {
        sql.push_str(match order {
            Some(Order::Desc) => " AND e.key < ?5",
            _ => " AND e.key > ?5",
        });
    }
    match order {
        Some(Order::Asc) => sql.push_str(" ORDER BY e.key ASC"),
        Some(Order::Desc) => sql.push_str(" ORDER BY e.key DESC"),
        None => {}
    }
    sql
}

/// The storage API the engine uses. Reads may run concurrently with each other and with a
/// commit.
impl SqlitePersistence {
    /// Reads the catalog and the newest timestamp.
    pub fn load(&self) -> Result<Loaded, EngineError> {
        self.read(|c| {
            let mut catalog = Catalog::default();
            let mut tables = c.prepare("SELECT number, name FROM tables")?;
            let rows =
                tables.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (number, name) = row?;
                catalog.add_table(TableInfo { name, number: TableNumber(number as u32) });
            }
            let mut indexes =
                c.prepare("SELECT id, table_number, name, fields, state FROM indexes")?;
            let rows = indexes.query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?;
            for row in rows {
                let (id, table, name, fields, state) = row?;
                let fields: Vec<String> = serde_json::from_str(&fields)
                    .map_err(|e| EngineError::Corrupt(format!("index {name} fields: {e}")))?;
                catalog.add_index(IndexInfo {
                    id: IndexId(id as u32),
                    table: TableNumber(table as u32),
                    name,
                    fields: fields
                        .iter()
                        .map(|f| f.split('.').map(str::to_owned).collect())
                        .collect(),
                    state: if state == "ready" {
                        IndexState::Ready
                    } else {
                        IndexState::Backfilling
                    },
                });
            }
            let max_ts: Option<i64> =
                c.query_row("SELECT MAX(ts) FROM commits", [], |r| r.get(0))?;
            Ok(Loaded { catalog, max_ts: Timestamp(max_ts.unwrap_or(0) as u64) })
        })
    }

    /// Writes a whole commit atomically: after a crash, either all of it or none of it is
    /// there.
    pub fn commit(&self, batch: &CommitBatch) -> Result<(), EngineError> {
        let mut writer = self.writer();
        let tx = writer.transaction()?;
        let ts = to_i64(batch.ts);
        tx.execute("INSERT INTO commits (ts) VALUES (?1)", [ts])?;
        for table in &batch.dropped_tables {
            let number = i64::from(table.number.0);
            tx.execute(
                "DELETE FROM index_entries WHERE index_id IN (SELECT id FROM indexes WHERE table_number = ?1)",
                [number],
            )?;
            tx.execute("DELETE FROM indexes WHERE table_number = ?1", [number])?;
            for vector_table in ["vector_entries", "vector_skipped", "vector_graphs"] {
                tx.execute(
                    &format!("DELETE FROM {vector_table} WHERE index_id IN (SELECT id FROM vector_indexes WHERE table_number = ?1)"),
                    [number],
                )?;
            }
            tx.execute("DELETE FROM vector_indexes WHERE table_number = ?1", [number])?;
            tx.execute("DELETE FROM documents WHERE table_number = ?1", [number])?;
            tx.execute("DELETE FROM tables WHERE number = ?1", [number])?;
        }
        for table in &batch.new_tables {
            tx.execute(
                "INSERT INTO tables (number, name) VALUES (?1, ?2)",
                params![i64::from(table.number.0), table.name],
            )?;
        }
        for index in &batch.new_indexes {
            let fields: Vec<String> = index.fields.iter().map(|f| f.join(".")).collect();
            tx.execute(
                "INSERT INTO indexes (id, table_number, name, fields, state) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    i64::from(index.id.0),
                    i64::from(index.table.0),
                    index.name,
                    serde_json::to_string(&fields).expect("strings serialize"),
                    match index.state {
                        IndexState::Ready => "ready",
                        IndexState::Backfilling => "backfilling",
                    }
                ],
            )?;
        }
        for id in &batch.ready_indexes {
            tx.execute("UPDATE indexes SET state = 'ready' WHERE id = ?1", [i64::from(id.0)])?;
        }
        {
            let mut insert_doc = tx.prepare_cached(
                "INSERT INTO documents (id, ts, table_number, prev_ts, json) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for write in &batch.documents {
                insert_doc.execute(params![
                    write.id.encode(),
                    ts,
                    i64::from(write.id.table.0),
                    write.prev_ts.map(to_i64),
                    write.document.as_ref().map(Document::to_json_text),
                ])?;
            }
            let mut insert_entry = tx.prepare_cached(
                "INSERT OR REPLACE INTO index_entries (index_id, key, ts, deleted, doc_id) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for entry in &batch.index_writes {
                insert_entry.execute(params![
                    i64::from(entry.index.0),
                    entry.key,
                    ts,
                    entry.deleted,
                    entry.id.encode()
                ])?;
            }
            write_vector_changes(&tx, &batch.vector_writes)?;
            if let Some(replay) = &batch.replay {
                super::replays::write(&tx, batch.ts, replay, &self.replays_written)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The newest revision of a document at or before `ts`.
    pub fn revision_at(
        &self,
        id: &DocumentId,
        ts: Timestamp,
    ) -> Result<Option<Revision>, EngineError> {
        self.read(|c| {
            let row: Option<(i64, Option<String>)> = c
                .prepare_cached("SELECT ts, json FROM documents WHERE id = ?1 AND ts <= ?2 ORDER BY ts DESC LIMIT 1")?
                .query_row(params![id.encode(), to_i64(ts)], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            row.map(|(ts, json)| revision_from_row(ts, json)).transpose()
        })
    }

    /// Live index entries within `range` as of `ts`, in `order`, strictly after `after`
    /// (in scan order) when given; at most `limit`. Each comes with its document's
    /// revision as of `ts`.
    pub fn index_scan(
        &self,
        index: IndexId,
        range: &KeyRange,
        ts: Timestamp,
        order: Order,
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<IndexEntries, EngineError> {
        // The cursor narrows the range itself: with two bounds on one side SQLite may seek
        // to the range's and walk every entry up to the cursor (a deep jump's whole skip).
        let range = &match (after, order) {
            (None, _) => range.clone(),
            (Some(after), Order::Asc) => KeyRange {
                start: range.start.clone().max(crate::key_range::key_successor(after)),
                end: range.end.clone(),
            },
            (Some(after), Order::Desc) => KeyRange {
                start: range.start.clone(),
                end: Some(match &range.end {
                    Some(end) if end.as_slice() < after => end.clone(),
                    _ => after.to_vec(),
                }),
            },
        };
        let mut sql = live_entries_sql(
            "e.key, (SELECT d.json FROM documents d WHERE d.id = e.doc_id AND d.ts <= ?2 \
                 ORDER BY d.ts DESC LIMIT 1)",
            range,
            Some(order),
            false,
        );
        sql.push_str(" LIMIT ?6");
        self.read(|c| {
            let mut statement = c.prepare_cached(&sql)?;
            let mut rows = statement.query(params![
                i64::from(index.0),
                to_i64(ts),
                range.start,
                range.end,
                Option::<Vec<u8>>::None,
                (limit as i64).saturating_add(1)
            ])?;
            let mut entries = Vec::new();
            while let Some(row) = rows.next()? {
                let json: Option<String> = row.get(1)?;
                let json = json.ok_or_else(|| {
                    EngineError::Corrupt("an index entry points at a deleted document".into())
                })?;
                entries.push((row.get::<_, Vec<u8>>(0)?, Document::from_json_text(&json)?));
            }
            let exhausted = entries.len() <= limit;
            entries.truncate(limit);
            Ok(IndexEntries { entries, exhausted })
        })
    }

    /// A document's revisions, newest first.
    pub fn history(&self, id: &DocumentId, limit: usize) -> Result<Vec<Revision>, EngineError> {
        self.read(|c| {
            let mut statement = c.prepare_cached(
                "SELECT ts, json FROM documents WHERE id = ?1 ORDER BY ts DESC LIMIT ?2",
            )?;
            let rows = statement.query_map(params![id.encode(), limit as i64], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))
            })?;
            rows.map(|row| {
                let (ts, json) = row?;
                revision_from_row(ts, json)
            })
            .collect()
        })
    }

    /// Forgets revisions and index entries superseded before `before` (the retention
    /// window), keeping whatever a read at `before` or later still sees. Returns how many
    /// rows were removed.
    pub fn prune(&self, before: Timestamp) -> Result<usize, EngineError> {
        let mut writer = self.writer();
        let tx = writer.transaction()?;
        let b = to_i64(before);
        let mut removed = tx.execute(
            "DELETE FROM documents WHERE ts < ?1 AND EXISTS (SELECT 1 FROM documents d \
             WHERE d.id = documents.id AND d.ts > documents.ts AND d.ts <= ?1)",
            [b],
        )?;
        removed += tx.execute(
            "DELETE FROM documents WHERE ts < ?1 AND json IS NULL AND NOT EXISTS \
             (SELECT 1 FROM documents d WHERE d.id = documents.id AND d.ts < documents.ts)",
            [b],
        )?;
        removed += tx.execute(
            "DELETE FROM index_entries WHERE ts < ?1 AND EXISTS (SELECT 1 FROM index_entries n \
             WHERE n.index_id = index_entries.index_id AND n.key = index_entries.key \
             AND n.ts > index_entries.ts AND n.ts <= ?1)",
            [b],
        )?;
        removed += tx.execute(
            "DELETE FROM index_entries WHERE ts < ?1 AND deleted = 1 AND NOT EXISTS \
             (SELECT 1 FROM index_entries o WHERE o.index_id = index_entries.index_id \
             AND o.key = index_entries.key AND o.ts < index_entries.ts)",
            [b],
        )?;
        tx.commit()?;
        Ok(removed)
    }

    /// The key of the live entry `offset` places into `range` (0 = the first), in `order`,
    /// as of `ts`; `None` when the range holds no more than `offset` entries. Lets a grid
    /// jump to a row without reading the rows before it.
    pub fn key_at_offset(
        &self,
        index: IndexId,
        range: &KeyRange,
        ts: Timestamp,
        order: Order,
        offset: u64,
    ) -> Result<Option<Vec<u8>>, EngineError> {
        let mut sql = live_entries_sql("e.key", range, Some(order), false);
        sql.push_str(" LIMIT 1 OFFSET ?5");
        self.read(|c| {
            let mut statement = c.prepare_cached(&sql)?;
            let mut rows = statement.query(params![
                i64::from(index.0),
                to_i64(ts),
                range.start,
                range.end,
                i64::try_from(offset).unwrap_or(i64::MAX)
            ])?;
            Ok(match rows.next()? {
                Some(row) => Some(row.get(0)?),
                None => None,
            })
        })
    }

    /// The number of live entries of `index` within `range` as of `ts`.
    pub fn count_range(
        &self,
        index: IndexId,
        range: &KeyRange,
        ts: Timestamp,
    ) -> Result<u64, EngineError> {
        let sql = live_entries_sql("COUNT(*)", range, None, false);
        self.read(|c| {
            let mut statement = c.prepare_cached(&sql)?;
            // The statement names ?4 only when the range has an end.
            let n: i64 = match &range.end {
                Some(end) => statement
                    .query_row(params![i64::from(index.0), to_i64(ts), range.start, end], |r| {
                        r.get(0)
                    })?,
                None => statement
                    .query_row(params![i64::from(index.0), to_i64(ts), range.start], |r| {
                        r.get(0)
                    })?,
            };
            Ok(n as u64)
        })
    }

    /// The number of live documents in a table as of `ts`.
    pub fn count(&self, by_id: IndexId, ts: Timestamp) -> Result<u64, EngineError> {
        self.count_range(by_id, &KeyRange::all(), ts)
    }
}

/// A vector index as stored: its definition, slot count, skipped documents, graph (the
/// slots themselves are read with [`SqlitePersistence::read_vector_entries`]).
#[derive(Debug)]
pub struct StoredVectorIndex {
    pub info: VectorIndexInfo,
    pub slots: usize,
    pub skipped: Vec<(DocumentId, String)>,
    /// The stored graph and the number of slots it covers.
    pub graph: Option<(usize, Vec<u8>)>,
}

fn vector_bytes(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// Filter values as JSON: one array per field, empty when the document lacks it.
fn filters_json(filters: &[Option<Value>]) -> String {
    let items: Vec<Json> = filters
        .iter()
        .map(|f| Json::Array(f.iter().map(atrium_value::json::to_json).collect()))
        .collect();
    Json::Array(items).to_string()
}

fn corrupt_vector(what: impl std::fmt::Display) -> EngineError {
    EngineError::Corrupt(format!("a stored vector index entry is damaged: {what}"))
}

fn parse_filters(text: &str) -> Result<Vec<Option<Value>>, EngineError> {
    let json: Vec<Vec<Json>> = serde_json::from_str(text).map_err(corrupt_vector)?;
    json.into_iter()
        .map(|f| f.first().map(atrium_value::json::from_json).transpose().map_err(corrupt_vector))
        .collect()
}

fn insert_vector_entry(
    tx: &rusqlite::Transaction<'_>,
    index: IndexId,
    slot: u32,
    entry: &StoredVector,
    live: bool,
) -> Result<(), EngineError> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO vector_entries (index_id, slot, doc_id, vector, filters, live) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        i64::from(index.0),
        i64::from(slot),
        entry.id.encode(),
        vector_bytes(&entry.vector),
        filters_json(&entry.filters),
        live
    ])?;
    Ok(())
}

fn write_vector_changes(
    tx: &rusqlite::Transaction<'_>,
    writes: &[VectorWrite],
) -> Result<(), EngineError> {
    for write in writes {
        let index = i64::from(write.index.0);
        if let Some(slot) = write.retire {
            tx.prepare_cached(
                "UPDATE vector_entries SET live = 0 WHERE index_id = ?1 AND slot = ?2",
            )?
            .execute(params![index, i64::from(slot)])?;
        }
        if let Some((slot, entry)) = &write.insert {
            insert_vector_entry(tx, write.index, *slot, entry, true)?;
        }
        tx.prepare_cached("DELETE FROM vector_skipped WHERE index_id = ?1 AND doc_id = ?2")?
            .execute(params![index, write.id.encode()])?;
        if let Some(reason) = &write.skipped {
            tx.prepare_cached(
                "INSERT INTO vector_skipped (index_id, doc_id, reason) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![index, write.id.encode(), reason])?;
        }
    }
    Ok(())
}

impl SqlitePersistence {
    /// Every vector index with its slots, skipped documents and stored graph.
    pub fn load_vector_indexes(&self) -> Result<Vec<StoredVectorIndex>, EngineError> {
        self.read(|c| {
            let mut indexes = Vec::new();
            let mut statement =
                c.prepare("SELECT id, table_number, name, spec FROM vector_indexes ORDER BY id")?;
            let rows = statement.query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })?;
            for row in rows {
                let (id, table, name, spec) = row?;
                let mut spec: Json = serde_json::from_str(&spec).map_err(corrupt_vector)?;
                spec["indexDescriptor"] = Json::from(name.as_str());
                let (_, spec) = VectorIndexSpec::from_json("", &spec).map_err(corrupt_vector)?;
                let info = VectorIndexInfo {
                    id: IndexId(id as u32),
                    table: TableNumber(table as u32),
                    name,
                    spec,
                };
                indexes.push(StoredVectorIndex {
                    info,
                    slots: 0,
                    skipped: Vec::new(),
                    graph: None,
                });
            }
            for index in &mut indexes {
                let id = i64::from(index.info.id.0);
                let slots: i64 = c.query_row(
                    "SELECT COUNT(*) FROM vector_entries WHERE index_id = ?1",
                    [id],
                    |r| r.get(0),
                )?;
                index.slots = slots as usize;
                let mut statement =
                    c.prepare("SELECT doc_id, reason FROM vector_skipped WHERE index_id = ?1")?;
                let rows = statement
                    .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
                for row in rows {
                    let (doc, reason) = row?;
                    index.skipped.push((DocumentId::decode(&doc).map_err(corrupt_vector)?, reason));
                }
                index.graph = c
                    .query_row(
                        "SELECT slots, graph FROM vector_graphs WHERE index_id = ?1",
                        [id],
                        |r| Ok((r.get::<_, i64>(0)? as usize, r.get::<_, Vec<u8>>(1)?)),
                    )
                    .optional()?;
            }
            Ok(indexes)
        })
    }

    /// Calls `f` with each of a vector index's slots in slot order (and whether it is
    /// live), streaming them from disk.
    pub fn read_vector_entries(
        &self,
        info: &VectorIndexInfo,
        mut f: impl FnMut(StoredVector, bool),
    ) -> Result<(), EngineError> {
        let dims = info.spec.dimensions;
        self.read(|c| {
            let mut statement = c.prepare(
                "SELECT slot, doc_id, vector, filters, live FROM vector_entries WHERE index_id = ?1 ORDER BY slot",
            )?;
            let mut rows = statement.query([i64::from(info.id.0)])?;
            let mut expected = 0i64;
            while let Some(row) = rows.next()? {
                let slot: i64 = row.get(0)?;
                if slot != expected {
                    return Err(corrupt_vector(format!("slot {slot} is out of order")));
                }
                expected += 1;
                let doc: String = row.get(1)?;
                let bytes: Vec<u8> = row.get(2)?;
                if bytes.len() != dims * 4 {
                    return Err(corrupt_vector(format!("slot {slot} has the wrong length")));
                }
                let vector = bytes
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
                    .collect();
                let filters = parse_filters(&row.get::<_, String>(3)?)?;
                let id = DocumentId::decode(&doc).map_err(corrupt_vector)?;
                f(StoredVector { id, vector, filters }, row.get(4)?);
            }
            Ok(())
        })
    }

    /// Writes a vector index whole — definition, live entries renumbered from slot 0,
    /// skipped documents, graph — replacing whatever was stored for it, atomically.
    pub fn replace_vector_index(
        &self,
        info: &VectorIndexInfo,
        entries: &mut dyn Iterator<Item = StoredVector>,
        skipped: &std::collections::BTreeMap<DocumentId, String>,
        graph: Option<&[u8]>,
    ) -> Result<(), EngineError> {
        let mut writer = self.writer();
        let tx = writer.transaction()?;
        let id = i64::from(info.id.0);
        tx.execute(
            "INSERT OR REPLACE INTO vector_indexes (id, table_number, name, spec) VALUES (?1, ?2, ?3, ?4)",
            params![id, i64::from(info.table.0), info.name, info.spec.to_json().to_string()],
        )?;
        for table in ["vector_entries", "vector_skipped", "vector_graphs"] {
            tx.execute(&format!("DELETE FROM {table} WHERE index_id = ?1"), [id])?;
        }
        let mut count = 0usize;
        for (slot, entry) in entries.enumerate() {
            insert_vector_entry(&tx, info.id, slot as u32, &entry, true)?;
            count += 1;
        }
        for (doc, reason) in skipped {
            tx.execute(
                "INSERT INTO vector_skipped (index_id, doc_id, reason) VALUES (?1, ?2, ?3)",
                params![id, doc.encode(), reason],
            )?;
        }
        if let Some(graph) = graph {
            tx.execute(
                "INSERT INTO vector_graphs (index_id, slots, graph) VALUES (?1, ?2, ?3)",
                params![id, count as i64, graph],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Stores a vector index's graph, covering its first `slots` slots.
    pub fn save_vector_graph(
        &self,
        index: IndexId,
        slots: usize,
        graph: &[u8],
    ) -> Result<(), EngineError> {
        self.writer().execute(
            "INSERT OR REPLACE INTO vector_graphs (index_id, slots, graph) VALUES (?1, ?2, ?3)",
            params![i64::from(index.0), slots as i64, graph],
        )?;
        Ok(())
    }

    /// Forgets a vector index.
    pub fn drop_vector_index(&self, index: IndexId) -> Result<(), EngineError> {
        let mut writer = self.writer();
        let tx = writer.transaction()?;
        let id = i64::from(index.0);
        for table in ["vector_entries", "vector_skipped", "vector_graphs"] {
            tx.execute(&format!("DELETE FROM {table} WHERE index_id = ?1"), [id])?;
        }
        tx.execute("DELETE FROM vector_indexes WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(())
    }
}

/// The writer connection held with the file's write gate; the connection is released
/// first.
struct Writer<'a> {
    connection: MutexGuard<'a, Connection>,
    _gate: MutexGuard<'a, ()>,
}

impl std::ops::Deref for Writer<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.connection
    }
}

impl std::ops::DerefMut for Writer<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.connection
    }
}
