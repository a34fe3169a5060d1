//! The value types of one function call: the limits it runs under, who calls it, what
//! kind of function it is, what it printed and produced, the IDs it is logged under, and
//! [`NestedCalls`], the way a running function's syscalls reach back to the runner.
//!
//! A leaf: it must not import the runner, the sandbox or the syscall ops (they all import
//! it).

use std::sync::Arc;
use std::time::Duration;

use atrium_engine::{CommitOutcome, Engine, ReadSet, Timestamp, Transaction};
use atrium_value::Value;

use crate::components::names::Target;
use crate::{FunctionError, Project, RuntimeError};

/// The limits a function runs under; a function that breaks one fails cleanly and the
/// engine keeps serving.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Wall-clock time for a query or mutation (Convex: 1 s of user time).
    pub query_mutation_time: Duration,
    pub action_time: Duration,
    /// JavaScript heap (Convex: 64 MiB).
    pub memory: usize,
    /// Native stack for JavaScript recursion.
    pub stack: usize,
    /// Largest return value, in bytes of Convex JSON (Convex: 16 MiB).
    pub result_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            query_mutation_time: Duration::from_secs(1),
            action_time: Duration::from_secs(600),
            memory: 64 << 20,
            stack: 1 << 20,
            result_size: 16 << 20,
        }
    }
}

/// Who is calling: clients may call public functions only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// A client over the HTTP API or WebSocket.
    Client,
    /// Another function, or an admin (the dashboard, the CLI).
    Internal,
    /// The scheduler running a due job (internal functions allowed).
    Scheduler,
    /// A cron job's run (internal functions allowed).
    Cron,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunctionKind {
    Query,
    Mutation,
    Action,
}

impl FunctionKind {
    pub(crate) fn invoke_method(self) -> &'static str {
        match self {
            FunctionKind::Query => "invokeQuery",
            FunctionKind::Mutation => "invokeMutation",
            FunctionKind::Action => "invokeAction",
        }
    }

    pub(crate) fn marker(self) -> &'static str {
        match self {
            FunctionKind::Query => "isQuery",
            FunctionKind::Mutation => "isMutation",
            FunctionKind::Action => "isAction",
        }
    }

    pub(crate) fn noun(self) -> &'static str {
        match self {
            FunctionKind::Query => "query",
            FunctionKind::Mutation => "mutation",
            FunctionKind::Action => "action",
        }
    }
}

/// A console line the function printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// `LOG`, `INFO`, `WARN`, `ERROR` or `DEBUG`.
    pub level: String,
    pub message: String,
}

/// What a mutation would have done (`Runner::dry_run`).
#[derive(Debug)]
pub struct DryRun {
    pub result: Result<Value, FunctionError>,
    pub logs: Vec<LogLine>,
    pub writes: Vec<atrium_engine::PendingChange>,
    pub duration: std::time::Duration,
}

/// What running a function produced.
#[derive(Debug)]
pub struct FunctionOutcome {
    pub result: Result<Value, FunctionError>,
    pub logs: Vec<LogLine>,
    /// What a query read (its subscription); a mutation's last attempt's reads.
    pub read_set: ReadSet,
    pub snapshot: Timestamp,
    /// A mutation's commit.
    pub commit: Option<CommitOutcome>,
    pub duration: Duration,
    /// Documents and bytes read, documents written (Convex's usage figures).
    pub usage: Usage,
    /// A query's journal (`crate::journal`): where its paginated query's page ended, for
    /// the next run of the same subscription to end there too.
    pub journal: Option<String>,
    /// The size of the result's Convex JSON text, in bytes (0 for a failure).
    pub return_bytes: usize,
    /// Whether it, or a function it called in its transaction, read the user's identity
    /// (`ctx.auth.getUserIdentity()`): a query's result that did not is the same for every
    /// user, and the server's query cache shares it between them, as Convex's does.
    pub read_identity: bool,
}

/// What one execution read and wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub documents_read: u64,
    pub bytes_read: u64,
    pub documents_written: u64,
}

impl Usage {
    /// What a transaction read and wrote.
    pub(crate) fn of(tx: &Transaction) -> Usage {
        let (documents_read, bytes_read) = tx.read_stats();
        Usage { documents_read, bytes_read, documents_written: tx.write_count() as u64 }
    }
}

/// Identifies one execution in the log store: its own ID, its request's (shared with the
/// functions an action calls), and the execution of the action that called it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExecutionIds {
    pub execution_id: String,
    pub request_id: String,
    pub parent: Option<String>,
}

/// What a function may learn of the request that started it (`ctx.meta.getRequestMetadata`):
/// the caller's address, user agent and auth token, where the server knew them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestMetadata {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The user's JWT the request was authenticated with.
    pub auth_token: Option<String>,
}

/// A nested call's result, and the caller's transaction back.
pub(crate) struct Nested {
    pub(crate) tx: Transaction,
    pub(crate) result: Result<Value, FunctionError>,
    pub(crate) logs: Vec<LogLine>,
}

/// What a running function's syscalls need from the runner that started it: calling other
/// functions, and the engine, project and identity it runs with. Implemented by
/// `Runner`; the ops see only this.
pub(crate) trait NestedCalls {
    /// Runs a function called by another one (`ctx.runQuery`/`ctx.runMutation` inside a
    /// query or mutation) inside the caller's transaction, `depth` calls deep.
    fn run_nested(
        &self,
        to: &Target,
        kind: FunctionKind,
        args: &Value,
        tx: Transaction,
        depth: usize,
    ) -> Result<Nested, RuntimeError>;

    /// Runs a function in its own transaction, as an admin would (an action's
    /// `ctx.runQuery`, `runMutation`, `runAction`).
    fn run(
        &self,
        to: &Target,
        kind: FunctionKind,
        args: Value,
    ) -> Result<FunctionOutcome, RuntimeError>;

    /// The functions of the component instance at `component`, if there is one.
    fn project_of(&self, component: &str) -> Option<Arc<Project>>;

    fn engine(&self) -> &Engine;

    /// The user the functions run as, if any.
    fn identity(&self) -> Option<&serde_json::Value>;

    /// Why the caller's token was refused, when it was (see `Runner::with_refused_identity`).
    fn refused_identity(&self) -> Option<&str> {
        None
    }

    /// Notes that the execution read the user's identity ([`FunctionOutcome::read_identity`]).
    fn note_identity_read(&self) {}

    /// The request that started the call, where the server told it.
    fn request_metadata(&self) -> Option<&RequestMetadata> {
        None
    }

    /// The request ID executions log, when one was given.
    fn request_id(&self) -> Option<&str> {
        None
    }
    /// Where file storage's URLs come from.
    fn file_urls(&self) -> &dyn crate::file_urls::FileUrls;
}
