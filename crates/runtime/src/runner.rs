//! Running one function call: a fresh QuickJS runtime and context, the prelude (the
//! `Convex` global, console, determinism), the module imported through the project's
//! loader, `invokeQuery`/`invokeMutation`/`invokeAction` called, and its promise driven to
//! completion. Mutations commit afterwards and are retried on write conflicts.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use atrium_engine::{CommitOutcome, Engine, ReadSet, Timestamp, Transaction};
use atrium_value::Value;
use atrium_value::json::{from_json_str, to_json};
use atrium_value::validator::Validator;
use rquickjs::promise::PromiseState;
use rquickjs::{Context, Ctx, Exception, Function, Module, Object, Promise, Runtime as JsRuntime};

use crate::project::{LoadFailure, ProjectModules};
use crate::syscalls::HostState;
use crate::{FunctionError, Project, RuntimeError};

const PRELUDE: &str = include_str!("prelude.js");
const WEB_GLOBALS: &str = include_str!("web_globals.js");
const FETCH: &str = include_str!("fetch.js");
/// How often a mutation is retried after write conflicts.
const MUTATION_ATTEMPTS: usize = 16;

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunctionKind {
    Query,
    Mutation,
    Action,
}

impl FunctionKind {
    fn invoke_method(self) -> &'static str {
        match self {
            FunctionKind::Query => "invokeQuery",
            FunctionKind::Mutation => "invokeMutation",
            FunctionKind::Action => "invokeAction",
        }
    }

    fn marker(self) -> &'static str {
        match self {
            FunctionKind::Query => "isQuery",
            FunctionKind::Mutation => "isMutation",
            FunctionKind::Action => "isAction",
        }
    }

    fn noun(self) -> &'static str {
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

/// What a mutation would have done ([`Runner::dry_run`]).
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
}

/// What one execution read and wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub documents_read: u64,
    pub bytes_read: u64,
    pub documents_written: u64,
}

/// Runs a project's functions against an engine.
#[derive(Debug, Clone)]
pub struct Runner {
    project: Arc<Project>,
    engine: Engine,
    limits: Limits,
    /// The deployment's environment variables, as `process.env`.
    env: Arc<BTreeMap<String, String>>,
    /// The user the functions run as (`ctx.auth.getUserIdentity()`); `None` for admin and
    /// anonymous calls.
    identity: Option<Arc<serde_json::Value>>,
    /// Queries read at this commit instead of the latest (`/api/query_at_ts`).
    snapshot: Option<Timestamp>,
    /// The request ID the log entry carries (a random one when `None`).
    request_id: Option<Arc<str>>,
    /// The execution calling through this runner (an action's `ctx.runQuery` and friends):
    /// logged as the parent of the executions it starts.
    calling_execution: Option<Arc<str>>,
}

/// Identifies one execution in the log store: its own ID, its request's (shared with the
/// functions an action calls), and the execution of the action that called it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExecutionIds {
    pub execution_id: String,
    pub request_id: String,
    pub parent: Option<String>,
}

struct Execution {
    result: Result<Value, FunctionError>,
    state: HostState,
}

impl Runner {
    pub fn new(project: Arc<Project>, engine: Engine) -> Self {
        Self {
            project,
            engine,
            limits: Limits::default(),
            env: Arc::default(),
            identity: None,
            snapshot: None,
            request_id: None,
            calling_execution: None,
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

    /// A runner whose queries read at commit `ts` (mutations and actions are unaffected).
    pub fn at_snapshot(&self, ts: Timestamp) -> Runner {
        Runner { snapshot: Some(ts), ..self.clone() }
    }

    /// A runner whose executions are logged under `request_id` (the ID the caller's
    /// request got), so logs and the subscription inspector name the same request.
    pub fn with_request_id(&self, request_id: &str) -> Runner {
        Runner { request_id: Some(Arc::from(request_id)), ..self.clone() }
    }

    pub fn identity(&self) -> Option<&serde_json::Value> {
        self.identity.as_deref()
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
            path: "_atrium/query",
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
            read_set: tx.read_set().clone(),
            usage: usage(tx),
            result: execution.result,
            logs: execution.state.logs,
            snapshot,
            commit: None,
            duration: started.elapsed(),
        })
    }

    /// Runs a mutation and, in the same transaction just before it commits, `before_commit`
    /// (the scheduler marks its job done there). When the hook returns `false` the mutation
    /// is abandoned without committing and `Ok(None)` is returned.
    pub(crate) fn run_with_hook(
        &self,
        path: &str,
        args: Value,
        before_commit: &BeforeCommit<'_>,
    ) -> Result<Option<FunctionOutcome>, RuntimeError> {
        match self.run_inner(
            Caller::Scheduler,
            path,
            FunctionKind::Mutation,
            args,
            Some(before_commit),
        ) {
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
            let entry = crate::execution_log::completion(
                path,
                kind,
                caller,
                self.identity.is_some(),
                outcome,
                &ids,
            );
            if let Err(e) = self.engine.logs().append(&[entry]) {
                tracing::warn!("could not record the execution of {path} in the log store: {e}");
            }
        }
        outcome
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
            let execution = self.execute(&call, tx, 0)?;
            let read_set =
                execution.state.tx.as_ref().map(|tx| tx.read_set().clone()).unwrap_or_default();
            let usage = execution.state.tx.as_ref().map_or_else(Usage::default, usage);
            let logs = execution.state.logs;
            let outcome = |result, commit| FunctionOutcome {
                result,
                logs,
                read_set,
                snapshot,
                commit,
                duration: started.elapsed(),
                usage,
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
            match self.engine.commit(tx) {
                Ok(commit) => return Ok(outcome(execution.result, Some(commit))),
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

    /// Runs a function called by another one (`ctx.runQuery`/`ctx.runMutation` inside a
    /// query or mutation) inside the caller's transaction.
    pub(crate) fn run_nested(
        &self,
        path: &str,
        kind: FunctionKind,
        args: &Value,
        tx: Transaction,
        depth: usize,
    ) -> Result<Nested, RuntimeError> {
        let target = self.resolve(path)?;
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
        let execution = self.execute(&call, Some(tx), depth)?;
        let tx = execution.state.tx.expect("a nested call keeps its transaction");
        Ok(Nested { tx, result: execution.result, logs: execution.state.logs })
    }

    fn execute(
        &self,
        call: &Call<'_>,
        tx: Option<Transaction>,
        depth: usize,
    ) -> Result<Execution, RuntimeError> {
        let Call { file, path, export, kind, caller, args, args_json } = *call;
        let sandbox = self.sandbox(kind, tx, depth)?;
        sandbox.state.borrow_mut().function_path = path.to_owned();
        let (state, failure, timed_out, time_limit) =
            (&sandbox.state, &sandbox.failure, &sandbox.timed_out, sandbox.time_limit);

        let result = sandbox.context.with(|ctx| -> Result<Result<Value, FunctionError>, RuntimeError> {
            install(&ctx, state, kind, &self.env)?;
            let namespace = import_module(&ctx, file, failure)?;
            let function: rquickjs::Value = namespace.get(export)?;
            let Some(function) = function.into_object() else {
                return Err(RuntimeError::FunctionNotFound(format!(
                    "Could not find function for `{path}`: the module has no export named `{export}`"
                )));
            };
            if !function.get::<_, Option<bool>>(kind.marker())?.unwrap_or(false) {
                let registered = [FunctionKind::Query, FunctionKind::Mutation, FunctionKind::Action]
                    .into_iter()
                    .find(|k| function.get::<_, Option<bool>>(k.marker()).ok().flatten().unwrap_or(false));
                return Err(match registered {
                    Some(k) => RuntimeError::WrongKind(format!("Function {path} is registered as a {} but is being run as a {}.", k.noun(), kind.noun())),
                    None => RuntimeError::FunctionNotFound(format!("Function {path} is not a Convex function. Did you forget to wrap it with `query`, `mutation` or `action`?")),
                });
            }
            let public = function.get::<_, Option<bool>>("isPublic")?.unwrap_or(false);
            let internal = function.get::<_, Option<bool>>("isInternal")?.unwrap_or(false);
            if caller == Caller::Client && internal && !public {
                return Err(RuntimeError::FunctionNotFound(format!(
                    "Could not find public function for '{path}'. Did you forget to run `npx convex dev` or `npx convex deploy`?"
                )));
            }
            if let Some(validator) = exported_validator(&function, "exportArgs")?
                && let Err(error) = validator.validate(args, &state.borrow().ids())
            {
                return Ok(Err(FunctionError { message: format!("ArgumentValidationError: {error}"), data: None }));
            }
            let returns = exported_validator(&function, "exportReturns")?;
            let invoke: Function = function.get(kind.invoke_method())?;
            let call = match kind {
                FunctionKind::Action => invoke.call::<_, Promise>((rquickjs::function::This(function.clone()), "", args_json)),
                _ => invoke.call::<_, Promise>((rquickjs::function::This(function.clone()), args_json)),
            };
            let settled = call.and_then(|p| settle(&ctx, &p));
            if timed_out.load(std::sync::atomic::Ordering::Relaxed) {
                return Ok(Err(FunctionError {
                    message: format!("Function execution timed out (maximum duration: {})", seconds(time_limit)),
                    data: None,
                }));
            }
            Ok(match settled {
                Ok(Some(value)) => {
                    let text: String = value
                        .as_string()
                        .ok_or_else(|| RuntimeError::Js("the function's result is not a string".into()))?
                        .to_string()?;
                    if text.len() > self.limits.result_size {
                        return Ok(Err(FunctionError {
                            message: format!(
                                "Function {path} return value is too large ({} bytes; the limit is {} bytes)",
                                text.len(),
                                self.limits.result_size
                            ),
                            data: None,
                        }));
                    }
                    let value = from_json_str(&text)
                        .map_err(|e| FunctionError { message: format!("Invalid return value: {e}"), data: None });
                    match (value, &returns) {
                        (Ok(value), Some(validator)) => match validator.validate(&value, &state.borrow().ids()) {
                            Ok(()) => Ok(value),
                            Err(error) => Err(FunctionError { message: format!("ReturnsValidationError: {error}"), data: None }),
                        },
                        (value, _) => value,
                    }
                }
                Ok(None) => Err(FunctionError { message: "Returned promise will never resolve".into(), data: None }),
                Err(e) => Err(out_of_limits(&ctx, e, &self.limits)),
            })
        })?;
        Ok(Execution { result, state: sandbox.finish()? })
    }

    /// A fresh QuickJS runtime and context for one execution: the project's modules, the
    /// time limit (JavaScript time only: time inside syscalls is subtracted, as Convex
    /// does), and the host state.
    pub(crate) fn sandbox(
        &self,
        kind: FunctionKind,
        tx: Option<Transaction>,
        depth: usize,
    ) -> Result<Sandbox, RuntimeError> {
        let (runtime, context, failure) = new_context(&self.project, &self.limits)?;
        let time_limit = match kind {
            FunctionKind::Action => self.limits.action_time,
            _ => self.limits.query_mutation_time,
        };
        let started = Instant::now();
        let syscall_time = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let timed_out = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (flag, spent) = (timed_out.clone(), syscall_time.clone());
        runtime.set_interrupt_handler(Some(Box::new(move || {
            let in_syscalls =
                Duration::from_nanos(spent.load(std::sync::atomic::Ordering::Relaxed));
            let over = started.elapsed().saturating_sub(in_syscalls) > time_limit;
            if over {
                flag.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            over
        })));
        let state = Rc::new(RefCell::new(
            HostState::new(tx, kind)
                .with_runner(self.clone(), depth)
                .with_syscall_clock(syscall_time),
        ));
        Ok(Sandbox { runtime, context, failure, state, timed_out, time_limit })
    }

    pub(crate) fn env(&self) -> &BTreeMap<String, String> {
        &self.env
    }
}

/// One execution's JavaScript world. Dropped (context before runtime) by
/// [`Sandbox::finish`], which hands back the host state.
pub(crate) struct Sandbox {
    runtime: JsRuntime,
    pub(crate) context: Context,
    pub(crate) failure: LoadFailure,
    pub(crate) state: Rc<RefCell<HostState>>,
    pub(crate) timed_out: Arc<std::sync::atomic::AtomicBool>,
    pub(crate) time_limit: Duration,
}

impl Sandbox {
    pub(crate) fn finish(self) -> Result<HostState, RuntimeError> {
        let Sandbox { runtime, context, state, .. } = self;
        drop(context);
        drop(runtime);
        Rc::try_unwrap(state)
            .map_err(|_| RuntimeError::Js("host state still in use".into()))
            .map(RefCell::into_inner)
    }
}

/// A nested call's result, and the caller's transaction back.
pub(crate) struct Nested {
    pub(crate) tx: Transaction,
    pub(crate) result: Result<Value, FunctionError>,
    pub(crate) logs: Vec<LogLine>,
}

/// A step run inside a mutation's transaction just before it commits; `false` abandons it.
pub(crate) type BeforeCommit<'a> =
    dyn Fn(&mut Transaction) -> Result<bool, atrium_engine::EngineError> + 'a;

struct Target {
    file: std::path::PathBuf,
    export: String,
}

struct Call<'a> {
    file: &'a Path,
    path: &'a str,
    export: &'a str,
    kind: FunctionKind,
    caller: Caller,
    args: &'a Value,
    args_json: &'a str,
}

fn seconds(d: Duration) -> String {
    format!("{}s", d.as_secs_f64())
}

/// The validator a registered function exports (`exportArgs`/`exportReturns`), unless
/// absent or `any`.
pub(crate) fn exported_validator(
    function: &Object<'_>,
    method: &str,
) -> Result<Option<Validator>, RuntimeError> {
    let Some(export) = function.get::<_, Option<Function>>(method)? else { return Ok(None) };
    let text: Option<String> = export.call((rquickjs::function::This(function.clone()),))?;
    let Some(text) = text else { return Ok(None) };
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| RuntimeError::Js(format!("{method}() returned invalid JSON: {e}")))?;
    if json.is_null() {
        return Ok(None);
    }
    let validator = Validator::from_json(&json).map_err(RuntimeError::Js)?;
    Ok((validator != Validator::Any).then_some(validator))
}

/// A failure, worded as a broken limit when it was one.
fn out_of_limits(ctx: &Ctx<'_>, error: rquickjs::Error, limits: &Limits) -> FunctionError {
    let described = describe(ctx, error);
    if described.message.contains("out of memory") {
        return FunctionError {
            message: format!(
                "JavaScript execution ran out of memory (maximum memory usage: {} MB)",
                limits.memory >> 20
            ),
            data: None,
        };
    }
    if described.message.contains("stack overflow") {
        return FunctionError {
            message: "Uncaught RangeError: Maximum call stack size exceeded".into(),
            data: None,
        };
    }
    described
}

/// Imports a module file and returns its namespace; a load failure keeps its detail
/// (syntax error position, unresolved import).
pub(crate) fn import_module<'js>(
    ctx: &Ctx<'js>,
    file: &Path,
    failure: &LoadFailure,
) -> Result<Object<'js>, RuntimeError> {
    let imported = Module::import(ctx, file.display().to_string());
    match imported.and_then(|p| settle(ctx, &p)) {
        Ok(Some(value)) => value
            .into_object()
            .ok_or_else(|| RuntimeError::Js("module namespace is not an object".into())),
        Ok(None) => Err(RuntimeError::Js(format!(
            "{}: Top-level awaits in source files are unsupported",
            file.display()
        ))),
        Err(e) => {
            if let Some(failure) = failure.lock().unwrap().take() {
                return Err(failure);
            }
            let error = describe(ctx, e);
            Err(RuntimeError::Js(format!("Failed to load {}: {}", file.display(), error.message)))
        }
    }
}

/// What a transaction read and wrote.
fn usage(tx: &Transaction) -> Usage {
    let (documents_read, bytes_read) = tx.read_stats();
    Usage { documents_read, bytes_read, documents_written: tx.write_count() as u64 }
}

/// A fresh QuickJS runtime and context that load modules from `project`.
pub(crate) fn new_context(
    project: &Arc<Project>,
    limits: &Limits,
) -> Result<(JsRuntime, Context, LoadFailure), RuntimeError> {
    let runtime = JsRuntime::new()?;
    runtime.set_memory_limit(limits.memory);
    runtime.set_max_stack_size(limits.stack);
    let failure = Arc::new(Mutex::new(None));
    let modules = || ProjectModules { project: project.clone(), failure: failure.clone() };
    runtime.set_loader(modules(), modules());
    let context = Context::full(&runtime)?;
    Ok((runtime, context, failure))
}

/// Installs the native host functions and runs the prelude.
pub(crate) fn install<'js>(
    ctx: &Ctx<'js>,
    state: &Rc<RefCell<HostState>>,
    kind: FunctionKind,
    env: &BTreeMap<String, String>,
) -> Result<(), RuntimeError> {
    let host = Object::new(ctx.clone())?;
    let s = state.clone();
    host.set(
        "__syscall",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'_>, op: String, args: String| -> rquickjs::Result<String> {
                let result = s.borrow_mut().timed(|state| state.syscall(&op, &args));
                result.map_err(|message| Exception::throw_message(&ctx, &message))
            },
        )?,
    )?;
    let s = state.clone();
    host.set(
        "__async",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'_>, op: String, args: String| -> rquickjs::Result<String> {
                let result = s.borrow_mut().timed(|state| state.async_syscall(&op, &args));
                result.map_err(|error| throw_with_data(&ctx, &error.message, error.data.as_ref()))
            },
        )?,
    )?;
    let s = state.clone();
    host.set(
        "__log",
        Function::new(ctx.clone(), move |level: String, message: String| {
            s.borrow_mut().logs.push(LogLine { level, message });
        })?,
    )?;
    let options = Object::new(ctx.clone())?;
    options.set("host", host)?;
    options.set("deterministic", kind != FunctionKind::Action)?;
    let mut seed = [0u8; 4];
    getrandom_seed(&mut seed);
    options.set("seed", u32::from_le_bytes(seed))?;
    let snapshot = state.borrow().tx.as_ref().map_or(0.0, |tx| tx.snapshot().as_millis_f64());
    let now = snapshot.max(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
            .floor(),
    );
    options.set("now", now)?;
    let prelude: Function = ctx.eval(PRELUDE)?;
    prelude.call::<_, ()>((options,))?;

    // Web globals; randomness is seeded in queries and mutations, from the OS in actions.
    let web: Function = ctx.eval(WEB_GLOBALS)?;
    let web_options = Object::new(ctx.clone())?;
    if kind == FunctionKind::Action {
        web_options.set(
            "randomBytes",
            Function::new(ctx.clone(), |n: usize| -> Vec<u8> {
                let mut bytes = vec![0u8; n.min(65536)];
                getrandom::fill(&mut bytes).expect("the OS random source is available");
                bytes
            })?,
        )?;
    } else {
        let seeded: Function =
            ctx.eval("(n) => Array.from({ length: n }, () => Math.floor(Math.random() * 256))")?;
        web_options.set("randomBytes", seeded)?;
    }
    web.call::<_, ()>((web_options,))?;

    // Headers/Request/Response everywhere; fetch itself in actions only.
    let fetch: Function = ctx.eval(FETCH)?;
    let fetch_options = Object::new(ctx.clone())?;
    if kind == FunctionKind::Action {
        fetch_options.set("send", Function::new(ctx.clone(), http_send)?)?;
    }
    fetch.call::<_, ()>((fetch_options,))?;

    // `process.env`, present before any module loads.
    let process = Object::new(ctx.clone())?;
    let variables = Object::new(ctx.clone())?;
    for (name, value) in env {
        variables.set(name.as_str(), value.as_str())?;
    }
    process.set("env", variables)?;
    ctx.globals().set("process", process)?;
    Ok(())
}

fn getrandom_seed(out: &mut [u8]) {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    out.copy_from_slice(&nanos.to_le_bytes()[..out.len()]);
}

/// The HTTP client actions' `fetch` uses (one per process; never dropped).
fn http_client() -> &'static reqwest::blocking::Client {
    static CLIENT: std::sync::OnceLock<reqwest::blocking::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::blocking::Client::builder()
            .connect_timeout(Duration::from_secs(30))
            .timeout(Duration::from_secs(300))
            .user_agent(concat!("Atrium/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the HTTP client builds")
    })
}

/// `fetch`'s host half: sends a request and returns `{status, statusText, headers, body,
/// url}`, or `{error}` when no response came.
fn http_send<'js>(
    ctx: Ctx<'js>,
    url: String,
    method: String,
    headers: Vec<Vec<String>>,
    body: Option<rquickjs::ArrayBuffer<'js>>,
) -> rquickjs::Result<Object<'js>> {
    let reply = Object::new(ctx.clone())?;
    let method = match reqwest::Method::from_bytes(method.as_bytes()) {
        Ok(m) => m,
        Err(_) => {
            reply.set("error", format!("invalid method {method}"))?;
            return Ok(reply);
        }
    };
    let mut request = http_client().request(method, &url);
    for pair in &headers {
        if let [name, value] = pair.as_slice() {
            request = request.header(name.as_str(), value.as_str());
        }
    }
    if let Some(body) = &body {
        // SAFETY: the bytes are copied at once; no JavaScript runs (so nothing can detach or
        // resize the buffer) while the slice lives.
        #[allow(unsafe_code, reason = "copying an ArrayBuffer's bytes before any JS runs")]
        let bytes = unsafe { body.as_bytes() }.map(<[u8]>::to_vec).unwrap_or_default();
        request = request.body(bytes);
    }
    match request.send().and_then(|response| {
        let status = response.status();
        let final_url = response.url().to_string();
        let headers: Vec<Vec<String>> = response
            .headers()
            .iter()
            .map(|(k, v)| vec![k.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()])
            .collect();
        let bytes = response.bytes()?;
        Ok((status, final_url, headers, bytes))
    }) {
        Ok((status, final_url, headers, bytes)) => {
            reply.set("status", status.as_u16())?;
            reply.set("statusText", status.canonical_reason().unwrap_or(""))?;
            reply.set("headers", headers)?;
            reply.set("url", final_url)?;
            reply.set("body", rquickjs::ArrayBuffer::new(ctx.clone(), bytes.to_vec())?)?;
        }
        Err(error) => reply.set("error", error.to_string())?,
    }
    Ok(reply)
}

/// Runs jobs until `promise` settles; `Ok(None)` if it never can.
pub(crate) fn settle<'js>(
    ctx: &Ctx<'js>,
    promise: &Promise<'js>,
) -> rquickjs::Result<Option<rquickjs::Value<'js>>> {
    loop {
        match promise.state() {
            PromiseState::Resolved | PromiseState::Rejected => return promise.result().transpose(),
            PromiseState::Pending => {
                if ctx.execute_pending_job() {
                    continue;
                }
                // Idle: run the next timer (actions only), or give up.
                let next: Option<Function> = ctx.globals().get("__atrium_next_timer")?;
                let delay: f64 = match &next {
                    Some(next) => next.call(())?,
                    None => -1.0,
                };
                if delay < 0.0 {
                    return Ok(None);
                }
                std::thread::sleep(Duration::from_secs_f64(delay / 1000.0));
                let fire: Function = ctx.globals().get("__atrium_fire_timer")?;
                fire.call::<_, ()>(())?;
            }
        }
    }
}

/// Turns a JavaScript exception into the function's error, as Convex reports it.
/// Throws an `Error` with `message`, carrying `data` (Convex JSON) so the library turns it
/// into a `ConvexError`.
fn throw_with_data(
    ctx: &Ctx<'_>,
    message: &str,
    data: Option<&serde_json::Value>,
) -> rquickjs::Error {
    let Some(data) = data else { return Exception::throw_message(ctx, message) };
    let built = Exception::from_message(ctx.clone(), message).and_then(|exception| {
        let value = ctx.json_parse(data.to_string())?;
        exception.as_object().set("data", value)?;
        Ok(exception)
    });
    match built {
        Ok(exception) => exception.throw(),
        Err(e) => e,
    }
}

pub(crate) fn describe(ctx: &Ctx<'_>, error: rquickjs::Error) -> FunctionError {
    let thrown = match error {
        rquickjs::Error::Exception => ctx.catch(),
        other => return FunctionError { message: format!("Uncaught {other}"), data: None },
    };
    let described: Option<String> =
        ctx.globals().get::<_, Function>("__atrium_describe").and_then(|f| f.call((thrown,))).ok();
    let Some(json) = described.and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
    else {
        return FunctionError { message: "Uncaught exception".into(), data: None };
    };
    let name = json["name"].as_str().unwrap_or_default();
    let message = json["message"].as_str().unwrap_or_default();
    let text = match (name.is_empty(), message.is_empty()) {
        (false, false) => format!("Uncaught {name}: {message}"),
        (false, true) => format!("Uncaught {name}"),
        (true, _) => format!("Uncaught {message}"),
    };
    let data = json["data"].as_str().and_then(|d| from_json_str(d).ok());
    FunctionError { message: text, data }
}
