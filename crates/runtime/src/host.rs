//! [`HostState`]: what one function execution's syscalls share — its transaction, its kind,
//! open query streams, console lines, the way back to the runner ([`NestedCalls`]) — and
//! Convex's per-execution read and write limits.
//!
//! It must not implement ops (they live in `ops/`, dispatched by `syscalls`) and must not
//! know the concrete `Runner`.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use atrium_engine::Transaction;
use atrium_value::DocumentId;
use serde_json::Value as Json;

use crate::call::{FunctionKind, LogLine, NestedCalls};
use crate::query::QueryStream;

/// Convex's limit on documents one execution reads.
pub const MAX_DOCUMENTS_READ: u64 = 32_000;
/// Convex's limit on bytes one execution reads.
pub const MAX_BYTES_READ: u64 = 16 << 20;
/// Convex's limit on documents one execution writes.
pub(crate) const MAX_DOCUMENTS_WRITTEN: usize = 16_000;

/// Everything one function execution's syscalls share.
pub struct HostState {
    /// `None` while modules are being imported (analysis): database use is refused.
    pub tx: Option<Transaction>,
    pub kind: FunctionKind,
    pub(crate) streams: HashMap<u32, QueryStream>,
    pub(crate) next_query_id: u32,
    pub(crate) paginated: bool,
    /// The journal this query's previous run returned (`crate::journal`).
    pub(crate) journal_in: Option<String>,
    /// The journal this run returns: where its paginated query's page ended.
    pub(crate) journal_out: Option<String>,
    pub logs: Vec<LogLine>,
    /// For calls to other functions.
    calls: Option<Box<dyn NestedCalls>>,
    pub(crate) depth: usize,
    /// The function being run (`messages:send`), for `ctx.meta`.
    pub function_path: String,
    /// The component instance the function belongs to (`""`: the app): the tables it names
    /// are that instance's (`crate::components`).
    pub component: String,
    /// Nanoseconds spent in syscalls, which do not count against the time limit.
    syscall_clock: Option<Arc<AtomicU64>>,
    /// What this mutation scheduled, against Convex's per-mutation limits.
    pub(crate) scheduled: crate::scheduler::jobs::ScheduledBudget,
    /// Blobs a mutation stored (`ctx.storage.store`), pinned until its commit is done.
    pub(crate) staged_files: Vec<atrium_engine::StagedBlob>,
    /// Where a mutation's return value holds `db.vars.commitTs`, resolved after it commits.
    pub(crate) result_commit_ts: atrium_value::pending::CommitTsSlots,
    /// The length of the result's JSON text, as the function handed it back.
    pub(crate) result_bytes: Option<usize>,
}

impl std::fmt::Debug for HostState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostState")
            .field("kind", &self.kind)
            .field("queries", &self.streams.len())
            .finish()
    }
}

/// A failed syscall: the message user code sees, and for a `ConvexError` its data.
#[derive(Debug, Clone, PartialEq)]
pub struct SyscallError {
    pub message: String,
    /// Convex JSON; when present, the library throws a `ConvexError` with it.
    pub data: Option<Json>,
}

impl From<String> for SyscallError {
    fn from(message: String) -> Self {
        Self { message, data: None }
    }
}

impl From<&str> for SyscallError {
    fn from(message: &str) -> Self {
        Self { message: message.to_owned(), data: None }
    }
}

impl HostState {
    pub fn new(tx: Option<Transaction>, kind: FunctionKind) -> Self {
        Self {
            tx,
            kind,
            streams: HashMap::new(),
            next_query_id: 0,
            paginated: false,
            journal_in: None,
            journal_out: None,
            logs: Vec::new(),
            calls: None,
            depth: 0,
            syscall_clock: None,
            function_path: String::new(),
            scheduled: Default::default(),
            staged_files: Vec::new(),
            component: String::new(),
            result_commit_ts: Default::default(),
            result_bytes: None,
        }
    }

    /// Runs the execution in the component instance at `path`.
    pub(crate) fn in_component(mut self, path: &str) -> Self {
        self.component = path.to_owned();
        self
    }

    /// The catalog name of this instance's table `table`.
    pub(crate) fn table(&self, table: &str) -> String {
        crate::components::names::qualify(&self.component, table)
    }

    /// A query of this instance's tables, as the catalog names them.
    pub(crate) fn own_query(&self, mut query: crate::query::Query) -> crate::query::Query {
        match &mut query.source {
            crate::query::Source::FullTableScan { table, .. }
            | crate::query::Source::IndexRange { table, .. } => *table = self.table(table),
            crate::query::Source::Search(search) => search.table = self.table(&search.table),
        }
        query
    }

    /// The name this instance knows the catalog table `qualified` by, if it is its own.
    pub(crate) fn own_table<'a>(&self, qualified: &'a str) -> Option<&'a str> {
        crate::components::names::local_name(&self.component, qualified)
    }

    pub fn with_syscall_clock(mut self, clock: Arc<AtomicU64>) -> Self {
        self.syscall_clock = Some(clock);
        self
    }

    /// Runs a syscall, adding its duration to the syscall clock.
    pub fn timed<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let started = std::time::Instant::now();
        let result = f(self);
        if let Some(clock) = &self.syscall_clock {
            clock.fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
        }
        result
    }

    /// Lets this execution call other functions (`depth` is how deep in such calls it is).
    pub(crate) fn with_calls(mut self, calls: Box<dyn NestedCalls>, depth: usize) -> Self {
        self.calls = Some(calls);
        self.depth = depth;
        self
    }

    /// The runner this execution calls other functions through, if it may.
    pub(crate) fn calls(&self) -> Option<&dyn NestedCalls> {
        self.calls.as_deref()
    }

    pub(crate) fn tx_mut(&mut self) -> Result<&mut Transaction, String> {
        self.tx.as_mut().ok_or_else(import_time)
    }

    /// Resolves document IDs to table names for validators.
    pub fn ids(&self) -> impl atrium_value::validator::IdTables + '_ {
        // An action has no transaction: its arguments' IDs are read against the latest
        // catalog.
        let catalog = match (&self.tx, self.calls()) {
            (None, Some(calls)) => Some(calls.engine().catalog()),
            _ => None,
        };
        TxIds(self.tx.as_ref(), catalog, &self.component)
    }

    /// Convex's per-execution limits on what a function reads and writes.
    pub(crate) fn check_limits(&self) -> Result<(), String> {
        let Some(tx) = &self.tx else { return Ok(()) };
        let (documents, bytes) = tx.read_stats();
        if documents > MAX_DOCUMENTS_READ {
            return Err(format!(
                "Too many documents read in a single function execution (limit: {MAX_DOCUMENTS_READ}). Consider using smaller limits in your queries, paginating your queries, or using indexed queries with a selective index range expression."
            ));
        }
        if bytes > MAX_BYTES_READ {
            return Err(format!(
                "Too many bytes read in a single function execution (limit: {MAX_BYTES_READ} bytes). Consider using smaller limits in your queries, paginating your queries, or using indexed queries with a selective index range expression."
            ));
        }
        if tx.write_count() > MAX_DOCUMENTS_WRITTEN {
            return Err(format!(
                "Too many documents written in a single function execution (limit: {MAX_DOCUMENTS_WRITTEN})."
            ));
        }
        Ok(())
    }

    pub(crate) fn require_mutation(&self, what: &str) -> Result<(), String> {
        match self.kind {
            FunctionKind::Mutation => Ok(()),
            _ => Err(format!("{what} is only allowed in mutations")),
        }
    }
}

/// The error of a database op tried while modules are imported.
pub(crate) fn import_time() -> String {
    "Can't use database at import time".into()
}

struct TxIds<'a>(Option<&'a Transaction>, Option<Arc<atrium_engine::Catalog>>, &'a str);

impl atrium_value::validator::IdTables for TxIds<'_> {
    fn table_of(&self, id: &DocumentId) -> Option<(String, bool)> {
        // System tables have fixed numbers, known without a transaction (an action's
        // arguments) and before their first document (`v.id("_storage")`).
        let fixed = || {
            atrium_engine::SYSTEM_TABLES
                .iter()
                .find(|(_, number)| *number == id.table.0)
                .map(|(name, _)| (*name).to_owned())
        };
        let qualified = match (self.0, &self.1) {
            (Some(tx), _) => tx.table_name(id.table).or_else(fixed)?,
            (None, Some(catalog)) => {
                catalog.table_name(id.table).map(str::to_owned).or_else(fixed)?
            }
            (None, None) => fixed()?,
        };
        // Another instance's table is named in full, so it matches no validator here.
        let name = crate::components::names::local_name(self.2, &qualified)
            .map_or_else(|| qualified.clone(), str::to_owned);
        let system = name.starts_with('_');
        Some((name, system))
    }
}
