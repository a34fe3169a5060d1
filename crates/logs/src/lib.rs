//! The function log store: execution records kept in a SQLite file (the deployment's own
//! database in the engine, a file of its own for the studio's recorded archive), so logs
//! survive restarts and are there when no UI was open.
//!
//! Entries are JSON objects (the log entry shape of Convex's log stream), appended with an
//! increasing sequence number that serves as the tailing cursor. The oldest entries go
//! first once more than the retention bound are stored. The store tails, searches
//! ([`LogFilter`]) and samples completed executions for metrics ([`ExecutionColumns`]).
//! Entries a function call produces go in with [`LogStore::append_soon`]: queued and
//! written in batches by a background thread, so a call does not wait for a SQLite write;
//! every read writes what is queued first, so readers see every entry appended before.
//! The queue is bounded: callers that outpace the writer write the queue themselves rather
//! than pile entries up in memory.
//! A store that shares its file with another writer of this process (the engine's
//! commits) takes a [`WriteGate`] with it, so neither waits in SQLite's busy handler.
//! It knows nothing of documents, transactions or how entries are produced or served.

use std::path::Path;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

pub use atrium_protocol::atrium::ExecutionColumns;
use rusqlite::{Connection, params};

/// What can go wrong reading or writing the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LogError {
    #[error("Storage error: {0}")]
    Storage(#[from] rusqlite::Error),
    #[error("The data file is damaged: {0}")]
    Corrupt(String),
}

/// One stored log entry and its cursor.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRecord {
    pub seq: u64,
    pub entry: serde_json::Value,
}

/// Which entries a search returns; `None` fields match everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogFilter {
    /// Contained in the entry's text, ignoring ASCII case.
    pub text: Option<String>,
    /// The function's identifier (`messages:send`).
    pub function: Option<String>,
    /// Only failed executions (`true`) or only successful ones (`false`).
    pub failed: Option<bool>,
    /// Executions that logged at least one line at this level (LOG, INFO, WARN, ERROR, DEBUG).
    pub level: Option<String>,
}

/// Serialises the writes of the connections of this process that share one SQLite file
/// (the engine's commits and its log store's batches). Without it, a writer finding the
/// file locked by the other waits in SQLite's busy handler, which sleeps 1, 2, 5, 10… ms
/// whatever the holder's write takes (usually well under one); waiting here wakes it as
/// soon as the holder is done. It guards no data, so a panic while held does not poison
/// it. Connections of other processes still meet SQLite's own lock.
#[derive(Debug, Clone, Default)]
pub struct WriteGate(Arc<Mutex<()>>);

impl WriteGate {
    pub fn new() -> Self {
        Self::default()
    }

    /// Waits until no other holder writes, and holds the gate until the guard drops.
    pub fn lock(&self) -> MutexGuard<'_, ()> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[derive(Debug)]
pub struct LogStore {
    shared: Arc<Shared>,
    /// Writes queued entries; started by the first [`LogStore::append_soon`].
    writer: std::sync::OnceLock<std::thread::JoinHandle<()>>,
}

#[derive(Debug)]
struct Shared {
    connection: Mutex<Connection>,
    /// Held while writing, shared with the file's other writers in this process.
    gate: WriteGate,
    /// Frames in the write-ahead log after this connection's last commit (its WAL hook).
    wal_frames: Arc<AtomicI32>,
    max_entries: usize,
    /// Entries appended with `append_soon`, not yet written.
    queue: Mutex<Queue>,
    queued: Condvar,
}

#[derive(Default)]
struct Queue {
    entries: Vec<Queued>,
    closing: bool,
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue").field("entries", &self.entries.len()).finish()
    }
}

/// A queued entry: its JSON, or what makes it (run by whoever writes it, so a caller does
/// not spend its own time building JSON nobody may read), as text.
enum Queued {
    Ready(serde_json::Value),
    Later(Box<dyn FnOnce() -> String + Send>),
}

impl Queued {
    /// The entry's JSON text, as stored.
    fn into_text(self) -> String {
        match self {
            Queued::Ready(entry) => entry.to_string(),
            Queued::Later(make) => make(),
        }
    }
}

/// Queued entries (up to a kilobyte or so each) past which the caller appending one writes
/// the queue itself: calls that outpace the writer (in-process loops reach twice its rate)
/// then wait for their logs instead of holding gigabytes of them in memory.
const MAX_QUEUED: usize = 16_384;

/// How long the writer waits for more entries before writing a batch.
const BATCH_WINDOW: Duration = Duration::from_millis(5);

/// The write-ahead log's length, in frames, past which a write is followed by a
/// checkpoint (SQLite's own automatic checkpoint threshold).
const CHECKPOINT_FRAMES: i32 = 1000;

impl LogStore {
    pub fn open(path: &Path, max_entries: usize) -> Result<Self, LogError> {
        Self::open_gated(path, max_entries, WriteGate::new())
    }

    /// [`LogStore::open`] for a file another connection of this process writes too: every
    /// write of the store holds `gate`, as that connection's writes must.
    pub fn open_gated(path: &Path, max_entries: usize, gate: WriteGate) -> Result<Self, LogError> {
        let mut connection = Connection::open(path)?;
        connection.busy_timeout(std::time::Duration::from_secs(10))?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        let held = gate.lock();
        connection.execute_batch(
            "CREATE TABLE IF NOT EXISTS function_logs (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                entry TEXT NOT NULL
            );",
        )?;
        drop(held);
        // SQLite checkpoints inside the commit that grows the log past the threshold, which
        // would hold the gate through a checkpoint's copying and syncing; instead the hook
        // (which replaces SQLite's automatic checkpoints on this connection) notes the
        // length, and `write` checkpoints once the gate is released.
        let wal_frames = Arc::new(AtomicI32::new(0));
        let frames = wal_frames.clone();
        connection.wal_hook(Some(
            move |_: &mut rusqlite::hooks::Wal, pages: std::ffi::c_int| {
                frames.store(pages, Ordering::Relaxed);
                Ok(())
            },
        ))?;
        let shared = Shared {
            connection: Mutex::new(connection),
            gate,
            wal_frames,
            max_entries: max_entries.max(1),
            queue: Mutex::default(),
            queued: Condvar::new(),
        };
        Ok(Self { shared: Arc::new(shared), writer: std::sync::OnceLock::new() })
    }

    /// Appends entries in order, after any queued ones; returns the cursor of the last one.
    pub fn append(&self, entries: &[serde_json::Value]) -> Result<u64, LogError> {
        let mut connection = self.shared.connection.lock().unwrap();
        let mut all = self.shared.take_queued();
        all.extend(entries.iter().map(serde_json::Value::to_string));
        self.shared.write(&mut connection, &all)
    }

    /// Queues an entry, written within a few milliseconds by a background thread (or by the
    /// next read, whichever comes first).
    pub fn append_soon(&self, entry: serde_json::Value) {
        self.queue(Queued::Ready(entry));
    }

    /// [`LogStore::append_soon`] for the entry's JSON text (an object) that `make` returns,
    /// called on the writer's thread (or by the next read): its place in the order is taken
    /// now. The text is stored as given.
    pub fn append_soon_text_with(&self, make: impl FnOnce() -> String + Send + 'static) {
        self.queue(Queued::Later(Box::new(make)));
    }

    fn queue(&self, entry: Queued) {
        self.writer.get_or_init(|| {
            let shared = self.shared.clone();
            std::thread::Builder::new()
                .name("atrium-log-writer".into())
                .spawn(move || shared.write_queued_until_closed())
                .expect("a thread for the log writer")
        });
        let mut queue = self.shared.queue.lock().unwrap();
        queue.entries.push(entry);
        let queued = queue.entries.len();
        drop(queue);
        // The writer only waits on an empty queue: a wake-up for every entry would cost a
        // system call per function call.
        if queued == 1 {
            self.shared.queued.notify_one();
        }
        if queued > MAX_QUEUED
            && let Err(e) = self.connection()
        {
            eprintln!("atrium-logs: queued log entries could not be written: {e}");
        }
    }

    /// The connection, with every queued entry written.
    fn connection(&self) -> Result<MutexGuard<'_, Connection>, LogError> {
        let mut connection = self.shared.connection.lock().unwrap();
        let queued = self.shared.take_queued();
        if !queued.is_empty() {
            self.shared.write(&mut connection, &queued)?;
        }
        Ok(connection)
    }

    /// Entries after `cursor` (0 for the oldest kept), oldest first, at most `limit`.
    pub fn read_after(&self, cursor: u64, limit: usize) -> Result<Vec<LogRecord>, LogError> {
        let connection = self.connection()?;
        let mut statement = connection.prepare_cached(
            "SELECT seq, entry FROM function_logs WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = statement.query_map(params![cursor as i64, limit as i64], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        records(rows)
    }

    /// Entries before `before` (all when `None`), newest first, at most `limit`, that pass
    /// `filter`: searching the whole archive, not only what a tail has seen.
    pub fn search(
        &self,
        filter: &LogFilter,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<LogRecord>, LogError> {
        let connection = self.connection()?;
        let mut statement = connection.prepare_cached(
            "SELECT seq, entry FROM function_logs \
             WHERE (?1 IS NULL OR seq < ?1) \
             AND (?2 IS NULL OR instr(lower(entry), lower(?2)) > 0) \
             AND (?3 IS NULL OR json_extract(entry, '$.identifier') = ?3) \
             AND (?4 IS NULL OR (json_extract(entry, '$.error') IS NOT NULL) = ?4) \
             AND (?5 IS NULL OR EXISTS (SELECT 1 FROM json_each(entry, '$.logLines') \
                  WHERE upper(json_extract(value, '$.level')) = upper(?5))) \
             ORDER BY seq DESC LIMIT ?6",
        )?;
        let params = params![
            before.map(|b| b as i64),
            filter.text,
            filter.function,
            filter.failed,
            filter.level,
            limit as i64
        ];
        let rows =
            statement.query_map(params, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        records(rows)
    }

    /// Every completed execution whose timestamp (seconds since the epoch) is at or after
    /// `since`, oldest first, reduced to what per-function metrics need.
    pub fn executions_since(&self, since: f64) -> Result<ExecutionColumns, LogError> {
        let connection = self.connection()?;
        let mut statement = connection.prepare_cached(
            "SELECT json_extract(entry, '$.identifier'), json_extract(entry, '$.udfType'), \
                    json_extract(entry, '$.timestamp'), json_extract(entry, '$.executionTime'), \
                    json_extract(entry, '$.error') IS NOT NULL \
             FROM function_logs \
             WHERE json_extract(entry, '$.kind') = 'Completion' \
             AND json_extract(entry, '$.timestamp') >= ?1 ORDER BY seq",
        )?;
        let mut rows = statement.query([since])?;
        let mut columns = ExecutionColumns::default();
        while let Some(row) = rows.next()? {
            columns.function.push(row.get::<_, Option<String>>(0)?.unwrap_or_default());
            columns.udf_type.push(row.get::<_, Option<String>>(1)?.unwrap_or_default());
            columns.timestamp.push(row.get::<_, Option<f64>>(2)?.unwrap_or_default());
            columns.execution_ms.push(row.get::<_, Option<f64>>(3)?.unwrap_or_default() * 1000.0);
            columns.failed.push(row.get(4)?);
        }
        Ok(columns)
    }

    /// The cursor of the newest entry (0 when there are none).
    pub fn latest_cursor(&self) -> Result<u64, LogError> {
        let connection = self.connection()?;
        let last: i64 =
            connection
                .query_row("SELECT COALESCE(MAX(seq), 0) FROM function_logs", [], |r| r.get(0))?;
        Ok(last as u64)
    }
}

impl Shared {
    /// The queued entries' texts, made now (on the caller's thread: the writer's, or a
    /// reader's).
    fn take_queued(&self) -> Vec<String> {
        let queued = std::mem::take(&mut self.queue.lock().unwrap().entries);
        queued.into_iter().map(Queued::into_text).collect()
    }

    /// Writes the entries' `texts` in one transaction and drops the oldest beyond the
    /// retention bound; the cursor of the last entry.
    fn write(&self, connection: &mut Connection, texts: &[String]) -> Result<u64, LogError> {
        // The texts are made before the gate is taken: the file's other writer waits only
        // for the write.
        let gate = self.gate.lock();
        let tx = connection.transaction()?;
        {
            let mut insert = tx.prepare_cached("INSERT INTO function_logs (entry) VALUES (?1)")?;
            for text in texts {
                insert.execute([text])?;
            }
        }
        let last: i64 = tx
            .prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM function_logs")?
            .query_row([], |r| r.get(0))?;
        tx.prepare_cached("DELETE FROM function_logs WHERE seq <= ?1")?
            .execute([last - self.max_entries as i64])?;
        tx.commit()?;
        drop(gate);
        if self.wal_frames.load(Ordering::Relaxed) >= CHECKPOINT_FRAMES {
            // Passive: copies what no reader still needs, waits for no one; the file's
            // other writer may commit meanwhile. The entries are stored whatever happens
            // here; a checkpoint that failed is tried again after the next write.
            if connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())).is_ok() {
                self.wal_frames.store(0, Ordering::Relaxed);
            }
        }
        Ok(last as u64)
    }

    /// The writer thread: waits for queued entries, lets a batch gather, writes it; on
    /// closing, writes what is left and ends.
    fn write_queued_until_closed(&self) {
        loop {
            let closing = {
                let mut queue = self.queue.lock().unwrap();
                while queue.entries.is_empty() && !queue.closing {
                    queue = self.queued.wait(queue).unwrap();
                }
                queue.closing
            };
            if !closing {
                std::thread::sleep(BATCH_WINDOW);
            }
            let mut connection = self.connection.lock().unwrap();
            let queued = self.take_queued();
            if !queued.is_empty()
                && let Err(e) = self.write(&mut connection, &queued)
            {
                eprintln!("atrium-logs: {} log entries could not be written: {e}", queued.len());
            }
            if closing {
                return;
            }
        }
    }
}

impl Drop for LogStore {
    fn drop(&mut self) {
        self.shared.queue.lock().unwrap().closing = true;
        self.shared.queued.notify_one();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// Stored `(seq, JSON text)` rows as records; a damaged entry is reported as such.
fn records(
    rows: impl Iterator<Item = rusqlite::Result<(i64, String)>>,
) -> Result<Vec<LogRecord>, LogError> {
    rows.map(|row| {
        let (seq, text) = row?;
        let entry = serde_json::from_str(&text)
            .map_err(|e| LogError::Corrupt(format!("log entry {seq}: {e}")))?;
        Ok(LogRecord { seq: seq as u64, entry })
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn appends_tails_and_keeps_a_bounded_number() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let store = LogStore::open(&path, 3).unwrap();
        assert_eq!(store.latest_cursor().unwrap(), 0);
        let c1 = store.append(&[json!({"n": 1}), json!({"n": 2})]).unwrap();
        assert_eq!(c1, 2);
        let tail = store.read_after(1, 10).unwrap();
        assert_eq!(tail, vec![LogRecord { seq: 2, entry: json!({"n": 2}) }]);
        store.append(&[json!({"n": 3}), json!({"n": 4})]).unwrap();
        let all = store.read_after(0, 10).unwrap();
        assert_eq!(
            all.iter().map(|r| r.entry["n"].as_i64().unwrap()).collect::<Vec<_>>(),
            vec![2, 3, 4]
        );
        drop(store);
        // Kept across a restart.
        let reopened = LogStore::open(&path, 3).unwrap();
        assert_eq!(reopened.latest_cursor().unwrap(), 4);
    }

    fn completion(
        function: &str,
        timestamp: f64,
        ms: f64,
        error: Option<&str>,
        level: &str,
    ) -> serde_json::Value {
        json!({
            "kind": "Completion", "identifier": function, "udfType": "Mutation",
            "timestamp": timestamp, "executionTime": ms / 1000.0, "error": error,
            "executionId": format!("{function}-{timestamp}"),
            "logLines": [{"messages": ["hello"], "level": level}],
        })
    }

    #[test]
    fn searches_by_status_and_level_and_samples_executions() {
        let dir = tempfile::tempdir().unwrap();
        let store = LogStore::open(&dir.path().join("logs.sqlite3"), 100).unwrap();
        store
            .append(&[
                completion("a:one", 10.0, 5.0, None, "LOG"),
                completion("a:one", 20.0, 7.0, Some("boom"), "ERROR"),
                completion("b:two", 30.0, 9.0, None, "WARN"),
                json!({"kind": "Progress", "identifier": "b:two", "timestamp": 31.0}),
            ])
            .unwrap();
        let functions = |filter: LogFilter| -> Vec<f64> {
            store
                .search(&filter, None, 10)
                .unwrap()
                .iter()
                .map(|r| r.entry["timestamp"].as_f64().unwrap())
                .collect()
        };
        assert_eq!(functions(LogFilter { failed: Some(true), ..Default::default() }), vec![20.0]);
        assert_eq!(
            functions(LogFilter { failed: Some(false), ..Default::default() }),
            vec![31.0, 30.0, 10.0]
        );
        assert_eq!(
            functions(LogFilter { level: Some("warn".into()), ..Default::default() }),
            vec![30.0]
        );
        assert_eq!(
            functions(LogFilter {
                function: Some("a:one".into()),
                level: Some("LOG".into()),
                ..Default::default()
            }),
            vec![10.0]
        );

        let samples = store.executions_since(15.0).unwrap();
        assert_eq!(
            samples.function,
            vec!["a:one", "b:two"],
            "progress and older entries are left out"
        );
        assert_eq!(samples.failed, vec![true, false]);
        assert_eq!(samples.timestamp, vec![20.0, 30.0]);
        assert!((samples.execution_ms[1] - 9.0).abs() < 1e-9);
    }

    #[test]
    fn a_gated_store_writes_only_while_no_one_else_holds_the_gate() {
        let dir = tempfile::tempdir().unwrap();
        let gate = WriteGate::new();
        let store = Arc::new(
            LogStore::open_gated(&dir.path().join("db.sqlite3"), 10, gate.clone()).unwrap(),
        );
        let held = gate.lock();
        let (done, finished) = std::sync::mpsc::channel();
        let writer = {
            let store = store.clone();
            std::thread::spawn(move || {
                let cursor = store.append(&[json!({"n": 1})]).unwrap();
                done.send(cursor).unwrap();
            })
        };
        // Whatever the machine's speed, the write cannot finish while the gate is held.
        assert!(finished.recv_timeout(Duration::from_millis(200)).is_err());
        drop(held);
        assert_eq!(finished.recv().unwrap(), 1, "written once the gate is free");
        writer.join().unwrap();
        // A panic while holding the gate does not stop later writers.
        let poisoner = gate.clone();
        let _ = std::thread::spawn(move || {
            let _held = poisoner.lock();
            panic!("a writer failed while holding the gate");
        })
        .join();
        assert_eq!(store.append(&[json!({"n": 2})]).unwrap(), 2);
    }

    #[test]
    fn the_write_ahead_log_is_checkpointed_as_entries_come() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let store = LogStore::open(&path, 100_000).unwrap();
        for n in 0..3000 {
            store.append(&[json!({"n": n})]).unwrap();
        }
        // Each append commits at least one 4 KiB frame: without checkpoints the log would
        // hold every one of them; with them it restarts once past the threshold.
        let wal = std::fs::metadata(dir.path().join("db.sqlite3-wal")).unwrap().len();
        let frame = 4096 + 24;
        assert!(wal < 2 * CHECKPOINT_FRAMES as u64 * frame, "the WAL is {wal} bytes");
        assert_eq!(store.latest_cursor().unwrap(), 3000);
    }

    #[test]
    fn queued_entries_keep_their_order_and_are_made_off_the_callers_thread() {
        let dir = tempfile::tempdir().unwrap();
        let store = LogStore::open(&dir.path().join("logs.sqlite3"), 100).unwrap();
        let caller = std::thread::current().id();
        let made_on = Arc::new(Mutex::new(Vec::new()));
        store.append_soon(json!({"n": 1}));
        let made = made_on.clone();
        store.append_soon_text_with(move || {
            made.lock().unwrap().push(std::thread::current().id());
            json!({"n": 2}).to_string()
        });
        store.append_soon_text_with(|| r#"{"n":3}"#.to_owned());
        // Let the writer take the batch (a read would otherwise write it on this thread).
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while made_on.lock().unwrap().is_empty() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        let all = store.read_after(0, 10).unwrap();
        assert_eq!(
            all.iter().map(|r| r.entry["n"].as_i64().unwrap()).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        let made_on = made_on.lock().unwrap();
        assert_eq!(made_on.len(), 1, "made exactly once");
        assert_ne!(made_on[0], caller, "made by the writer thread");
        // Entries queued after the writer went idle are written too.
        store.append_soon_text_with(|| json!({"n": 4}).to_string());
        assert_eq!(store.read_after(3, 10).unwrap()[0].entry, json!({"n": 4}));
    }

    #[test]
    fn a_caller_outpacing_the_writer_writes_the_queue_itself() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(LogStore::open(&dir.path().join("logs.sqlite3"), 100_000).unwrap());
        // While the connection is held, neither the writer nor anyone else can write.
        let held = store.shared.connection.lock().unwrap();
        let (done, finished) = std::sync::mpsc::channel();
        let appender = {
            let store = store.clone();
            std::thread::spawn(move || {
                for n in 0..=MAX_QUEUED {
                    store.append_soon(json!({ "n": n }));
                }
                done.send(()).unwrap();
            })
        };
        // The appends up to the bound return; the one past it waits to write the queue.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while store.shared.queue.lock().unwrap().entries.len() <= MAX_QUEUED
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(store.shared.queue.lock().unwrap().entries.len(), MAX_QUEUED + 1);
        assert!(finished.recv_timeout(Duration::from_millis(200)).is_err(), "the caller waits");
        drop(held);
        finished.recv_timeout(Duration::from_secs(20)).expect("the caller wrote and went on");
        appender.join().unwrap();
        assert!(store.shared.queue.lock().unwrap().entries.is_empty(), "nothing left queued");
        let last = store.read_after(MAX_QUEUED as u64, 10).unwrap();
        assert_eq!(last.len(), 1);
        assert_eq!(last[0].entry, json!({ "n": MAX_QUEUED }), "every entry, in order");
    }
}
