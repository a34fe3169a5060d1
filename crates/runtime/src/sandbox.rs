//! One execution's JavaScript world: a warm isolate (`isolates`) for the project, or a new
//! QuickJS runtime and context loading the project's modules; the memory, stack and time
//! limits (the interrupt clock); the globals installed before any module loads (the
//! `Convex` host interface, console, determinism, web globals, `process.env`); the
//! per-call state a reused context gets (host state, a fresh seed for `Math.random`, the
//! frozen clock); whether the isolate may serve another call afterwards; and the loop that
//! drives a promise (jobs, timers, and the completions of actions' requests in flight)
//! until it settles.
//!
//! It knows nothing of which function runs or how calls are retried (the runner's job),
//! and it does not implement syscalls (`syscalls` dispatches them to `ops/`); it hands each
//! to [`HostState`].

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::path::Path;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rquickjs::promise::PromiseState;
use rquickjs::{Context, Ctx, Exception, Function, Module, Object, Promise, Runtime as JsRuntime};

use crate::call::{FunctionKind, Limits, LogLine};
use crate::host::HostState;
use crate::isolates::{self, Export, Isolate, IsolateKey};
use crate::project::{LoadFailure, ProjectModules};
use crate::{FunctionError, Project, RuntimeError};

const PRELUDE: &str = include_str!("prelude.js");
/// Shared with the Node.js executor (`node/process.rs` writes it beside `executor.mjs`).
pub(crate) const DESCRIBE_ERROR: &str = include_str!("describe_error.js");

/// One execution's JavaScript world: an isolate (its fields, `context`, `state`, `failure`,
/// are reached through `Deref`) and this call's clock. [`Sandbox::finish`] hands back the
/// host state and returns the isolate to its pool when nothing of the call can reach the
/// next one.
pub(crate) struct Sandbox {
    isolate: Isolate,
    kind: FunctionKind,
    pub(crate) timed_out: Arc<AtomicBool>,
    pub(crate) time_limit: Duration,
    /// Cleared when the call broke a limit, failed in the host, or ran code that must not
    /// stay loaded (a dashboard query): the isolate is then dropped, not reused.
    reusable: Cell<bool>,
}

impl std::ops::Deref for Sandbox {
    type Target = Isolate;

    fn deref(&self) -> &Isolate {
        &self.isolate
    }
}

impl Sandbox {
    /// The world for one execution of a `kind` function: a warm isolate of the project when
    /// this thread has one (else a new one), the time limit (JavaScript time only: time
    /// inside syscalls is subtracted, as Convex does), the host state its syscalls use, a
    /// fresh seed and the call's frozen clock.
    pub(crate) fn new(
        project: &Arc<Project>,
        limits: &Limits,
        kind: FunctionKind,
        env: &Arc<BTreeMap<String, String>>,
        state: HostState,
    ) -> Result<Sandbox, RuntimeError> {
        let key = IsolateKey::new(project, kind, limits, env);
        let isolate = match isolates::take(&key) {
            Some(isolate) => isolate,
            None => new_isolate(project, limits, kind, env)?,
        };
        let time_limit = match kind {
            FunctionKind::Action => limits.action_time,
            _ => limits.query_mutation_time,
        };
        let started = Instant::now();
        let syscall_time = Arc::new(AtomicU64::new(0));
        let timed_out = Arc::new(AtomicBool::new(false));
        let (flag, spent) = (timed_out.clone(), syscall_time.clone());
        isolate.runtime.set_interrupt_handler(Some(Box::new(move || {
            let in_syscalls = Duration::from_nanos(spent.load(Ordering::Relaxed));
            let over = started.elapsed().saturating_sub(in_syscalls) > time_limit;
            if over {
                flag.store(true, Ordering::Relaxed);
            }
            over
        })));
        let now = call_clock(&state);
        *isolate.state.borrow_mut() = state.with_syscall_clock(syscall_time);
        isolate.context.with(|ctx| -> rquickjs::Result<()> {
            let begin: Function = ctx.globals().get("__atrium_begin_call")?;
            begin.call((fresh_seed(), now))
        })?;
        Ok(Sandbox { isolate, kind, timed_out, time_limit, reusable: Cell::new(true) })
    }

    /// Drops the isolate after this call instead of reusing it.
    pub(crate) fn discard(&self) {
        self.reusable.set(false);
    }

    /// Marks the isolate for dropping when the call failed in the host or broke a limit
    /// (time, memory, stack): QuickJS may be left in a state no next call should see.
    pub(crate) fn judge<T>(&self, outcome: &Result<Result<T, FunctionError>, RuntimeError>) {
        let broke_a_limit = |e: &FunctionError| {
            e.message.starts_with("JavaScript execution ran out of memory")
                || e.message.contains("Maximum call stack size exceeded")
                || e.message.starts_with("Function execution timed out")
        };
        match outcome {
            Err(_) => self.discard(),
            Ok(Err(error)) if broke_a_limit(error) => self.discard(),
            Ok(_) => {}
        }
    }

    /// The namespace of the module `file`, imported once per isolate.
    pub(crate) fn module<'js>(
        &self,
        ctx: &Ctx<'js>,
        file: &Path,
    ) -> Result<Object<'js>, RuntimeError> {
        let saved = self.isolate.modules.borrow().get(file).cloned();
        if let Some(saved) = saved {
            return Ok(saved.restore(ctx)?);
        }
        let namespace = import_module(ctx, file, &self.isolate.failure)?;
        let saved = rquickjs::Persistent::save(ctx, namespace.clone());
        self.isolate.modules.borrow_mut().insert(file.to_path_buf(), saved);
        Ok(namespace)
    }

    /// What an earlier call in this isolate read of `file`'s `export`.
    pub(crate) fn export(&self, file: &Path, export: &str) -> Option<Rc<Export>> {
        self.isolate.exports.borrow().get(file)?.get(export).cloned()
    }

    /// Keeps what this call read of `file`'s `export` for the next calls.
    pub(crate) fn keep_export(&self, file: &Path, export: &str, read: Rc<Export>) {
        let mut exports = self.isolate.exports.borrow_mut();
        exports.entry(file.to_path_buf()).or_default().insert(export.to_owned(), read);
    }

    /// Hands back the call's host state. The isolate goes back to its pool unless the call
    /// broke a limit, failed in the host, or left work behind (queued jobs, an action's
    /// timers or requests in flight) that would otherwise run during the next call.
    pub(crate) fn finish(self) -> Result<HostState, RuntimeError> {
        let Sandbox { isolate, kind, timed_out, reusable, .. } = self;
        let idle = HostState::new(None, kind);
        let state = match isolate.state.try_borrow_mut() {
            Ok(mut state) => std::mem::replace(&mut *state, idle),
            Err(_) => return Err(RuntimeError::Js("host state still in use".into())),
        };
        let clean = reusable.get()
            && !timed_out.load(Ordering::Relaxed)
            && !isolate.runtime.is_job_pending()
            && (kind != FunctionKind::Action || idle_action(&isolate.context));
        if clean {
            isolates::give_back(isolate);
        }
        Ok(state)
    }
}

/// Whether an action's context has no timer waiting and no request in flight, whose
/// completion would otherwise run during the next call (fails closed: no way to ask, no
/// reuse).
fn idle_action(context: &Context) -> bool {
    context.with(|ctx| {
        let next: Option<Function> = ctx.globals().get("__atrium_next_timer").ok().flatten();
        let no_timer =
            next.and_then(|next| next.call::<_, f64>(()).ok()).is_some_and(|delay| delay < 0.0);
        let busy: Option<Function> = ctx.globals().get("__atrium_io_busy").ok().flatten();
        let no_io = busy.and_then(|busy| busy.call::<_, bool>(()).ok()).is_some_and(|busy| !busy);
        no_timer && no_io
    })
}

/// The frozen clock of a call: its snapshot's time, or now when later.
fn call_clock(state: &HostState) -> f64 {
    let snapshot = state.tx.as_ref().map_or(0.0, |tx| tx.snapshot().as_millis_f64());
    snapshot.max(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
            .floor(),
    )
}

fn fresh_seed() -> u32 {
    let mut seed = [0u8; 4];
    getrandom_seed(&mut seed);
    u32::from_le_bytes(seed)
}

/// A new isolate for `project`: a runtime and context with the globals installed for `kind`
/// and `env` (built here, not in `isolates`, which only keeps idle ones).
fn new_isolate(
    project: &Arc<Project>,
    limits: &Limits,
    kind: FunctionKind,
    env: &Arc<BTreeMap<String, String>>,
) -> Result<Isolate, RuntimeError> {
    let (runtime, context, failure) = new_context(project, limits)?;
    let state = Rc::new(RefCell::new(HostState::new(None, kind)));
    context.with(|ctx| install(&ctx, &state, kind, env))?;
    Ok(Isolate {
        modules: RefCell::default(),
        context,
        runtime,
        failure,
        state,
        exports: RefCell::default(),
        key: IsolateKey::new(project, kind, limits, env),
    })
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
    let modules = || ProjectModules { project: Arc::downgrade(project), failure: failure.clone() };
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
    options.set("describe", ctx.eval::<Function, _>(DESCRIBE_ERROR)?)?;
    options.set("deterministic", kind != FunctionKind::Action)?;
    options.set("seed", fresh_seed())?;
    options.set("now", call_clock(&state.borrow()))?;
    let prelude: Function = ctx.eval(PRELUDE)?;
    prelude.call::<_, ()>((options,))?;

    crate::web::install(ctx, kind)?;

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
            Err(RuntimeError::Load { file: file.display().to_string(), message: error.message })
        }
    }
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
                // Idle: wait for requests in flight (actions' fetch) until the next timer is
                // due, then run that timer; give up when there is neither.
                let next: Option<Function> = ctx.globals().get("__atrium_next_timer")?;
                let delay: f64 = match &next {
                    Some(next) => next.call(())?,
                    None => -1.0,
                };
                let io: Option<Function> = ctx.globals().get("__atrium_io_wait")?;
                let waited: i32 = match &io {
                    Some(io) => io.call((delay,))?,
                    None => -1,
                };
                if waited == 1 {
                    continue;
                }
                if waited < 0 {
                    if delay < 0.0 {
                        return Ok(None);
                    }
                    std::thread::sleep(Duration::from_secs_f64(delay / 1000.0));
                }
                let fire: Function = ctx.globals().get("__atrium_fire_timer")?;
                fire.call::<_, ()>(())?;
            }
        }
    }
}

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

/// Turns a JavaScript exception into the function's error, as Convex reports it.
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
    FunctionError::from_described(&json)
}
