//! The Runner API: running a project's functions against an engine — as a client, an
//! admin or the scheduler, dry-run, ad-hoc dashboard queries — and retrying mutations on
//! write conflicts. Each attempt logs one execution (`execution_log`).
//!
//! One call's JavaScript world is the sandbox's job (`sandbox`, `invoke`); the value types
//! live in `call`; syscalls reach back here only through [`NestedCalls`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use atrium_engine::{Engine, Timestamp, Transaction};
use atrium_value::Value;
use atrium_value::json::to_json;

pub use crate::call::{Caller, DryRun, FunctionKind, FunctionOutcome, Limits, LogLine, Usage};
use crate::call::{ExecutionIds, Nested, NestedCalls};
use crate::components::names::Target as FunctionTarget;
use crate::components::tree::ComponentTree;
use crate::execution_log::Completion;
use crate::file_urls::{FileUrls, LocalOrigin};
use crate::invoke::{Call, invoke};
use crate::sandbox::Sandbox;
use crate::syscalls::HostState;
use crate::{FunctionError, Project, RuntimeError};

/// The path a dashboard query runs under.
const ADHOC_QUERY: &str = "_atrium/query";

/// How often a mutation is retried after write conflicts.
const MUTATION_ATTEMPTS: usize = 16;

/// Runs a project's functions against an engine.
#[derive(Debug, Clone)]
pub struct Runner {
    /// The functions of the instance this runner runs in (`component`).
    project: Arc<Project>,
    /// Every component instance of the code.
    components: Arc<ComponentTree>,
    /// The instance calls run in: `""` for the app.
    component: Arc<str>,
    engine: Engine,
    limits: Limits,
    /// The deployment's environment variables, as `process.env`.
    env: Arc<BTreeMap<String, String>>,
    /// The user the functions run as (`ctx.auth.getUserIdentity()`); `None` for admin and
    /// anonymous calls.
    identity: Option<Arc<serde_json::Value>>,
    /// Why the caller's token was refused (an HTTP action called with one): its
    /// `getUserIdentity()`, and a nested action's, throw this, as Convex does.
    refused_identity: Option<Arc<str>>,
    /// Queries read at this commit instead of the latest (`/api/query_at_ts`).
    snapshot: Option<Timestamp>,
    /// The journal of the query's previous run (sync subscriptions), `crate::journal`.
    journal: Option<Arc<str>>,
    /// The request ID the log entry carries (a random one when `None`).
    request_id: Option<Arc<str>>,
    /// The request that started the call (`ctx.meta.getRequestMetadata`).
    request: Option<Arc<crate::call::RequestMetadata>>,
    /// The execution calling through this runner (an action's `ctx.runQuery` and friends):
    /// logged as the parent of the executions it starts.
    calling_execution: Option<Arc<str>>,
    /// Where file storage's URLs come from (the server, or a fixed origin).
    file_urls: Arc<dyn FileUrls>,
    /// The (sync session, request) a mutation's answer is stored under in its commit.
    replay: Option<Arc<atrium_engine::replay::ReplayKey>>,
    /// Set when the execution started through this runner, or a function it called in its
    /// transaction, read the user's identity; each execution has its own
    /// ([`Runner::start_execution`]).
    identity_read: Arc<AtomicBool>,
}

struct Execution {
    result: Result<Value, FunctionError>,
    state: HostState,
}

impl Runner {
    pub fn new(project: Arc<Project>, engine: Engine) -> Self {
        Self::with_components(Arc::new(ComponentTree::app_only(project)), engine)
    }

    /// A runner for code with components; calls run in the app until
    /// [`Runner::in_component`] says otherwise.
    pub fn with_components(components: Arc<ComponentTree>, engine: Engine) -> Self {
        Self {
            project: components.app().clone(),
            components,
            component: Arc::from(""),
            engine,
            limits: Limits::default(),
            env: Arc::default(),
            identity: None,
            refused_identity: None,
            snapshot: None,
            journal: None,
            request_id: None,
            request: None,
            calling_execution: None,
            file_urls: Arc::new(LocalOrigin::default()),
            replay: None,
            identity_read: Arc::default(),
        }
    }

    /// The IDs of a new execution started through this runner, and the runner that
    /// execution runs with: functions it calls log it as their parent and share its request.
    pub(crate) fn start_execution(&self) -> (ExecutionIds, Runner) {
        let ids = ExecutionIds {
            execution_id: crate::execution_log::execution_id(),
            request_id: self
                .request_id
                .as_deref()
                .map_or_else(crate::execution_log::request_id, str::to_owned),
            parent: self.calling_execution.as_deref().map(str::to_owned),
        };
        let runner = Runner {
            request_id: Some(Arc::from(ids.request_id.as_str())),
            calling_execution: Some(Arc::from(ids.execution_id.as_str())),
            identity_read: Arc::default(),
            ..self.clone()
        };
        (ids, runner)
    }

    /// A runner whose calls run as `identity` (a UserIdentity object: `issuer` and
    /// `subject`, plus any claims; `tokenIdentifier` is derived when absent). Functions they
    /// call run as the same user; scheduled jobs run with no identity.
    pub fn as_user(&self, identity: Option<serde_json::Value>) -> Result<Runner, RuntimeError> {
        let identity = match identity {
            None => None,
            Some(serde_json::Value::Object(mut claims)) => {
                let text = |key: &str| {
                    claims.get(key).and_then(serde_json::Value::as_str).map(str::to_owned)
                };
                let (Some(issuer), Some(subject)) = (text("issuer"), text("subject")) else {
                    return Err(RuntimeError::Js(
                        "A user identity needs `issuer` and `subject`".into(),
                    ));
                };
                claims
                    .entry("tokenIdentifier")
                    .or_insert_with(|| serde_json::Value::String(format!("{issuer}|{subject}")));
                Some(Arc::new(serde_json::Value::Object(claims)))
            }
            Some(other) => {
                return Err(RuntimeError::Js(format!(
                    "A user identity must be an object, not {other}"
                )));
            }
        };
        Ok(Runner { identity, ..self.clone() })
    }

    /// A runner whose calls run in the component instance at `path` (`""`: the app). A
    /// component never sees the identity of the caller that crossed into it.
    pub fn in_component(&self, path: &str) -> Result<Runner, RuntimeError> {
        if path == &*self.component {
            return Ok(self.clone());
        }
        let instance = self.components.require(path).map_err(RuntimeError::Js)?;
        Ok(Runner {
            project: instance.project.clone(),
            component: Arc::from(path),
            identity: None,
            ..self.clone()
        })
    }

    /// The component instance this runner's calls run in (`""`: the app).
    pub fn component(&self) -> &str {
        &self.component
    }

    pub fn components(&self) -> &Arc<ComponentTree> {
        &self.components
    }

    /// A runner whose queries read at commit `ts` (mutations and actions are unaffected).
    pub fn at_snapshot(&self, ts: Timestamp) -> Runner {
        Runner { snapshot: Some(ts), ..self.clone() }
    }

    /// A runner whose queries continue from `journal`, what the same subscription's
    /// previous run returned (its paginated query ends where that page ended).
    pub fn with_journal(&self, journal: Option<&str>) -> Runner {
        Runner { journal: journal.map(Arc::from), ..self.clone() }
    }

    /// A runner whose functions learn `metadata` from `ctx.meta.getRequestMetadata()`.
    pub fn with_request_metadata(&self, metadata: crate::call::RequestMetadata) -> Runner {
        Runner { request: Some(Arc::new(metadata)), ..self.clone() }
    }

    /// A runner whose executions are logged under `request_id` (the ID the caller's
    /// request got), so logs and the subscription inspector name the same request.
    pub fn with_request_id(&self, request_id: &str) -> Runner {
        Runner { request_id: Some(Arc::from(request_id)), ..self.clone() }
    }

    /// A runner whose mutation stores its answer under (`session`, `request`) in the same
    /// commit, for a client that sends it again after a restart (`crate::replay`). Only
    /// the call it runs is recorded, not the functions that call makes.
    pub fn with_replay_key(&self, session: &str, request: u32) -> Runner {
        let key = atrium_engine::replay::ReplayKey { session: session.to_owned(), request };
        Runner { replay: Some(Arc::new(key)), ..self.clone() }
    }

    pub fn identity(&self) -> Option<&serde_json::Value> {
        self.identity.as_deref()
    }

    /// Sets where `generateUploadUrl` and `getUrl` get their URLs.
    pub fn with_file_urls(mut self, urls: Arc<dyn FileUrls>) -> Self {
        self.file_urls = urls;
        self
    }

    /// A runner for a caller whose token was refused for `reason`: it runs with no identity,
    /// and `ctx.auth.getUserIdentity()` in its actions throws `reason` (Convex's HTTP
    /// actions with an invalid `Authorization` header).
    pub fn with_refused_identity(&self, reason: &str) -> Runner {
        Runner { identity: None, refused_identity: Some(Arc::from(reason)), ..self.clone() }
    }

    /// Sets the environment variables functions see in `process.env`.
    pub fn with_env(mut self, env: BTreeMap<String, String>) -> Self {
        self.env = Arc::new(env);
        self
    }

    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    pub fn project(&self) -> &Arc<Project> {
        &self.project
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Runs `path` (`messages:send`) as `kind` with `args` (an object), as an admin or
    /// another function would: internal functions are allowed.
    pub fn run(
        &self,
        path: &str,
        kind: FunctionKind,
        args: Value,
    ) -> Result<FunctionOutcome, RuntimeError> {
        self.run_as(Caller::Internal, path, kind, args)
    }

    /// Runs a function for `caller`; a client calling an internal function is refused as if
    /// the function did not exist.
    pub fn run_as(
        &self,
        caller: Caller,
        path: &str,
        kind: FunctionKind,
        args: Value,
    ) -> Result<FunctionOutcome, RuntimeError> {
        self.run_inner(caller, path, kind, args, None)
    }

    /// Runs a mutation without committing it: its result, logs and the writes it would
    /// have made (each document before and after). Nothing is stored and nothing is
    /// scheduled; the execution is not recorded in the log store.
    pub fn dry_run(&self, caller: Caller, path: &str, args: Value) -> Result<DryRun, RuntimeError> {
        let started = Instant::now();
        let target = self.resolve(path)?;
        let args_json = serde_json::Value::Array(vec![to_json(&args)]).to_string();
        let call = Call {
            file: &target.file,
            path,
            export: target.export.as_str(),
            kind: FunctionKind::Mutation,
            caller,
            args: &args,
            args_json: &args_json,
        };
        let execution = self.execute(&call, Some(self.engine.begin()), 0)?;
        let writes =
            execution.state.tx.as_ref().map(Transaction::pending_writes).unwrap_or_default();
        // The transaction is dropped here: nothing it wrote is committed.
        Ok(DryRun {
            result: execution.result,
            logs: execution.state.logs,
            writes,
            duration: started.elapsed(),
        })
    }

    /// Runs a query written in the dashboard (`async (ctx) => …`, see
    /// [`Project::adhoc_query_module`]) read-only at the latest commit (or this runner's
    /// snapshot), as admin: its result, logs, read set and what it read. Not recorded in
    /// the log store.
    pub fn run_query_source(&self, source: &str) -> Result<FunctionOutcome, RuntimeError> {
        let started = Instant::now();
        let file = self.project.adhoc_query_module(source)?;
        let args = Value::Object(Default::default());
        let call = Call {
            file: &file,
            path: ADHOC_QUERY,
            export: "default",
            kind: FunctionKind::Query,
            caller: Caller::Internal,
            args: &args,
            args_json: "[{}]",
        };
        let tx = match self.snapshot {
            Some(ts) => self.engine.begin_at(ts)?,
            None => self.engine.begin(),
        };
        let snapshot = tx.snapshot();
        let execution = self.execute(&call, Some(tx), 0)?;
        let tx = execution.state.tx.as_ref().expect("a query runs with a transaction");
        Ok(FunctionOutcome {
            return_bytes: return_bytes(&execution),
            read_set: tx.read_set().clone(),
            usage: Usage::of(tx),
            result: execution.result,
            logs: execution.state.logs,
            snapshot,
            commit: None,
            duration: started.elapsed(),
            journal: execution.state.journal_out,
            read_identity: true,
        })
    }

    /// Runs a mutation and, in the same transaction just before it commits, `before_commit`
    /// (the scheduler marks its job done there). When the hook returns `false` the mutation
    /// is abandoned without committing and `Ok(None)` is returned.
    pub(crate) fn run_with_hook(
        &self,
        caller: Caller,
        path: &str,
        args: Value,
        before_commit: &BeforeCommit<'_>,
    ) -> Result<Option<FunctionOutcome>, RuntimeError> {
        match self.run_inner(caller, path, FunctionKind::Mutation, args, Some(before_commit)) {
            Err(RuntimeError::Abandoned) => Ok(None),
            other => other.map(Some),
        }
    }

    fn run_inner(
        &self,
        caller: Caller,
        path: &str,
        kind: FunctionKind,
        args: Value,
        before_commit: Option<&BeforeCommit<'_>>,
    ) -> Result<FunctionOutcome, RuntimeError> {
        let (ids, runner) = self.start_execution();
        let outcome = runner.attempts(caller, path, kind, args, before_commit);
        if let Ok(outcome) = &outcome {
            let as_user = self.identity.is_some();
            self.log(Completion::of(path, kind, caller, as_user, outcome, ids));
        }
        outcome
    }

    /// Logs a query answered with the result of an earlier run (`outcome`, Convex's
    /// `cachedResult`): its log lines and result size, as a new execution of this runner's
    /// request that took `took` and read nothing.
    pub fn log_cached(
        &self,
        caller: Caller,
        path: &str,
        outcome: &FunctionOutcome,
        took: Duration,
    ) {
        let (ids, _) = self.start_execution();
        let as_user = self.identity.is_some();
        let mut entry = Completion::of(path, FunctionKind::Query, caller, as_user, outcome, ids);
        entry.cached = true;
        entry.seconds = took.as_secs_f64();
        entry.usage = Default::default();
        self.log(entry);
    }

    fn log(&self, mut entry: Completion) {
        if !self.component.is_empty() {
            // Logs name the component instance the function ran in.
            entry.component = Some(self.component.to_string());
        }
        // The entry's JSON is made by the log writer, not on the caller's time.
        self.engine.logs().append_soon_text_with(move || entry.into_text());
    }

    fn attempts(
        &self,
        caller: Caller,
        path: &str,
        kind: FunctionKind,
        args: Value,
        before_commit: Option<&BeforeCommit<'_>>,
    ) -> Result<FunctionOutcome, RuntimeError> {
        let started = Instant::now();
        let target = self.resolve(path)?;
        let args_json = serde_json::Value::Array(vec![to_json(&args)]).to_string();
        let (file, export) = (&target.file, target.export.as_str());

        let mut attempts = 0;
        loop {
            attempts += 1;
            // Actions have no transaction: they reach the database through other functions.
            let tx = match (kind, self.snapshot) {
                (FunctionKind::Action, _) => None,
                (FunctionKind::Query, Some(ts)) => Some(self.engine.begin_at(ts)?),
                _ => Some(self.engine.begin()),
            };
            let snapshot =
                tx.as_ref().map_or_else(|| self.engine.latest_ts(), Transaction::snapshot);
            let call =
                Call { file, path, export, kind, caller, args: &args, args_json: &args_json };
            let mut execution = self.execute(&call, tx, 0)?;
            let read_set =
                execution.state.tx.as_ref().map(|tx| tx.read_set().clone()).unwrap_or_default();
            let usage = execution.state.tx.as_ref().map_or_else(Usage::default, Usage::of);
            let result_commit_ts = std::mem::take(&mut execution.state.result_commit_ts);
            let return_bytes = return_bytes(&execution);
            let logs = execution.state.logs;
            let replay = match (&self.replay, &execution.result) {
                (Some(key), Ok(value)) if kind == FunctionKind::Mutation => {
                    Some((key, crate::replay::writer(value, &result_commit_ts, &logs)))
                }
                _ => None,
            };
            let journal = execution.state.journal_out.take();
            let outcome = |result, commit| FunctionOutcome {
                result,
                logs,
                read_set,
                snapshot,
                commit,
                duration: started.elapsed(),
                usage,
                journal,
                return_bytes,
                read_identity: self.identity_read.load(Ordering::Relaxed),
            };
            if kind != FunctionKind::Mutation || execution.result.is_err() {
                return Ok(outcome(execution.result, None));
            }
            let mut tx = execution.state.tx.expect("a function runs with a transaction");
            if let Some(hook) = before_commit
                && !hook(&mut tx)?
            {
                return Err(RuntimeError::Abandoned);
            }
            if let Some((key, answer)) = replay {
                tx.record_replay((**key).clone(), answer);
            }
            match self.engine.commit(tx) {
                Ok(commit) => {
                    // `db.vars.commitTs` in the return value is the commit's timestamp.
                    let mut result = execution.result;
                    if let Ok(value) = &mut result {
                        result_commit_ts.resolve_value(value, commit.ts.0 as i64);
                    }
                    return Ok(outcome(result, Some(commit)));
                }
                Err(e) if e.is_retryable() && attempts < MUTATION_ATTEMPTS => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The module file and export of a function path (`messages:send`; `messages` means its
    /// default export).
    fn resolve(&self, path: &str) -> Result<Target, RuntimeError> {
        let (module, export) = match path.split_once(':') {
            Some((m, e)) if !m.is_empty() && !e.is_empty() => (m, e),
            Some(_) => return Err(RuntimeError::BadPath(path.to_owned())),
            None => (path, "default"),
        };
        if module.starts_with("_deps/") {
            return Err(RuntimeError::FunctionNotFound(format!(
                "`{path}` is in a shared chunk (_deps/), which holds no callable functions"
            )));
        }
        let file = self
            .project
            .module_file(module)
            .ok_or_else(|| RuntimeError::ModuleNotFound(path.to_owned(), module.to_owned()))?;
        Ok(Target { file, export: export.to_owned() })
    }

    fn execute(
        &self,
        call: &Call<'_>,
        tx: Option<Transaction>,
        depth: usize,
    ) -> Result<Execution, RuntimeError> {
        if self.project.is_node_module(call.file) {
            return self.execute_in_node(call, tx, depth);
        }
        let sandbox = self.sandbox(call.kind, tx, depth)?;
        sandbox.state.borrow_mut().function_path = call.path.to_owned();
        if call.path == ADHOC_QUERY {
            // A dashboard query's module must not stay loaded in a warm isolate.
            sandbox.discard();
        }
        let result = invoke(&sandbox, call, &self.limits);
        sandbox.judge(&result);
        let state = sandbox.finish()?;
        Ok(Execution { result: result?, state })
    }

    /// Runs an action of a `"use node"` module in the project's Node.js process (`node`);
    /// its syscalls are served by host state as an isolate's are.
    fn execute_in_node(
        &self,
        call: &Call<'_>,
        tx: Option<Transaction>,
        depth: usize,
    ) -> Result<Execution, RuntimeError> {
        let mut state = HostState::new(tx, call.kind)
            .in_component(&self.component)
            .with_calls(Box::new(self.clone()), depth);
        state.function_path = call.path.to_owned();
        let result = crate::node::run(&self.project, &self.env, &self.limits, call, &mut state)?;
        Ok(Execution { result, state })
    }

    /// The sandbox for one execution of a `kind` function (a warm isolate when one is idle)
    /// whose syscalls call other functions through this runner, `depth` calls deep.
    pub(crate) fn sandbox(
        &self,
        kind: FunctionKind,
        tx: Option<Transaction>,
        depth: usize,
    ) -> Result<Sandbox, RuntimeError> {
        let mut state = HostState::new(tx, kind)
            .in_component(&self.component)
            // Functions this execution calls store no replay record of their own.
            .with_calls(Box::new(Runner { replay: None, ..self.clone() }), depth);
        if depth == 0 && kind == FunctionKind::Query {
            state.journal_in = self.journal.as_deref().map(str::to_owned);
        }
        Sandbox::new(&self.project, &self.limits, kind, &self.env, state)
    }

    pub(crate) fn env(&self) -> &BTreeMap<String, String> {
        &self.env
    }
}

impl NestedCalls for Runner {
    fn run_nested(
        &self,
        to: &FunctionTarget,
        kind: FunctionKind,
        args: &Value,
        tx: Transaction,
        depth: usize,
    ) -> Result<Nested, RuntimeError> {
        let runner = self.in_component(&to.component)?;
        let path = to.path.as_str();
        let target = runner.resolve(path)?;
        let args_json = serde_json::Value::Array(vec![to_json(args)]).to_string();
        let call = Call {
            file: &target.file,
            path,
            export: &target.export,
            kind,
            caller: Caller::Internal,
            args,
            args_json: &args_json,
        };
        let execution = runner.execute(&call, Some(tx), depth)?;
        let tx = execution.state.tx.expect("a nested call keeps its transaction");
        Ok(Nested { tx, result: execution.result, logs: execution.state.logs })
    }

    fn run(
        &self,
        to: &FunctionTarget,
        kind: FunctionKind,
        args: Value,
    ) -> Result<FunctionOutcome, RuntimeError> {
        Runner::run(&self.in_component(&to.component)?, &to.path, kind, args)
    }

    fn project_of(&self, component: &str) -> Option<Arc<Project>> {
        self.components.instance(component).map(|i| i.project.clone())
    }

    fn engine(&self) -> &Engine {
        &self.engine
    }

    fn identity(&self) -> Option<&serde_json::Value> {
        self.identity.as_deref()
    }

    fn refused_identity(&self) -> Option<&str> {
        self.refused_identity.as_deref()
    }

    fn note_identity_read(&self) {
        self.identity_read.store(true, Ordering::Relaxed);
    }

    fn request_metadata(&self) -> Option<&crate::call::RequestMetadata> {
        self.request.as_deref()
    }

    fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    fn file_urls(&self) -> &dyn FileUrls {
        &*self.file_urls
    }
}

/// A step run inside a mutation's transaction just before it commits; `false` abandons it.
pub(crate) type BeforeCommit<'a> =
    dyn Fn(&mut Transaction) -> Result<bool, atrium_engine::EngineError> + 'a;

/// The size of an execution's result as Convex JSON text: as the function handed it back
/// when it ran in an isolate, else measured (0 for a failure).
fn return_bytes(execution: &Execution) -> usize {
    match (&execution.result, execution.state.result_bytes) {
        (Err(_), _) => 0,
        (Ok(_), Some(bytes)) => bytes,
        (Ok(value), None) => to_json(value).to_string().len(),
    }
}

struct Target {
    file: std::path::PathBuf,
    export: String,
}
