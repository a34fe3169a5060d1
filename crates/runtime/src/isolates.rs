//! Warm isolates: QuickJS runtimes whose context already holds the installed globals (the
//! `Convex` host interface, console, determinism, web globals, `process.env`) and every
//! module an earlier call imported (the `convex` library, the project's modules), kept idle
//! between calls so a call only sets its per-call state.
//!
//! An [`Isolate`] is one runtime and context for one project version, one function class
//! (queries and mutations share the deterministic globals; actions have their own), one
//! memory and stack limit and one environment: its [`IsolateKey`]. Idle isolates live in a
//! small pool per thread (QuickJS runtimes stay on the thread that made them; the server
//! runs calls on tokio's reused blocking threads), at most a few per thread and a few per
//! core overall (a thread always keeps one). An isolate of a project version nobody holds
//! any more (after a push or a reload) is dropped the next time its thread's pool is used,
//! so calls in flight finish on the old version while new calls start on the new one.
//!
//! It must not decide whether an isolate may be reused (the sandbox does, after each call),
//! and holds no per-call state.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};

use atrium_value::validator::Validator;
use rquickjs::{Context, Function, Object, Persistent, Runtime as JsRuntime};

use crate::Project;
use crate::call::{FunctionKind, Limits};
use crate::host::HostState;
use crate::project::LoadFailure;

/// Idle isolates one thread keeps.
const PER_THREAD: usize = 4;

/// Idle isolates across threads, at most this many per core.
const PER_CORE: usize = 4;

/// What an isolate was built for; a call reuses only an isolate whose key equals its own.
#[derive(Clone)]
pub(crate) struct IsolateKey {
    project: Weak<Project>,
    action: bool,
    memory: usize,
    stack: usize,
    env: Arc<BTreeMap<String, String>>,
}

impl IsolateKey {
    pub(crate) fn new(
        project: &Arc<Project>,
        kind: FunctionKind,
        limits: &Limits,
        env: &Arc<BTreeMap<String, String>>,
    ) -> Self {
        Self {
            project: Arc::downgrade(project),
            action: kind == FunctionKind::Action,
            memory: limits.memory,
            stack: limits.stack,
            env: env.clone(),
        }
    }

    fn matches(&self, other: &IsolateKey) -> bool {
        Weak::ptr_eq(&self.project, &other.project)
            && self.action == other.action
            && self.memory == other.memory
            && self.stack == other.stack
            && (Arc::ptr_eq(&self.env, &other.env) || self.env == other.env)
    }

    /// Whether the project version is still held by anyone (a runner, a deployment).
    fn live(&self) -> bool {
        self.project.strong_count() > 0
    }
}

/// What a call needs of one registered function, read from it once per isolate (a
/// function's markers, visibility and validators do not change once its module loaded):
/// its object, the library's invoke method for its kind, and its validators
/// (`exportArgs`, `exportReturns`) parsed.
pub(crate) struct Export {
    pub(crate) function: Persistent<Object<'static>>,
    pub(crate) invoke: Persistent<Function<'static>>,
    pub(crate) kind: FunctionKind,
    pub(crate) public: bool,
    pub(crate) internal: bool,
    pub(crate) args: Option<Rc<Validator>>,
    pub(crate) returns: Option<Rc<Validator>>,
}

/// The registered functions calls ran in an isolate, by module file and export name.
pub(crate) type Exports = HashMap<PathBuf, HashMap<String, Rc<Export>>>;

/// One QuickJS runtime and its context, globals installed. Fields drop in order: the
/// context before its runtime.
pub(crate) struct Isolate {
    /// Namespaces of the modules calls imported, by file (dropped before the context).
    pub(crate) modules: RefCell<HashMap<PathBuf, Persistent<Object<'static>>>>,
    /// The functions calls ran (dropped before the context).
    pub(crate) exports: RefCell<Exports>,
    pub(crate) context: Context,
    pub(crate) runtime: JsRuntime,
    pub(crate) failure: LoadFailure,
    /// The host state the installed host functions use: the running call's, or an idle
    /// one (no transaction, no way to call functions) between calls.
    pub(crate) state: Rc<RefCell<HostState>>,
    pub(crate) key: IsolateKey,
}

/// Idle isolates across threads.
static IDLE: AtomicUsize = AtomicUsize::new(0);

/// One thread's idle isolates, least recently used first; counted in [`IDLE`].
struct Pool(Vec<Isolate>);

impl Pool {
    fn remove(&mut self, at: usize) -> Isolate {
        IDLE.fetch_sub(1, Ordering::Relaxed);
        self.0.remove(at)
    }

    /// Drops the isolates of project versions nobody holds any more.
    fn forget_stale(&mut self) {
        let before = self.0.len();
        self.0.retain(|isolate| isolate.key.live());
        IDLE.fetch_sub(before - self.0.len(), Ordering::Relaxed);
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        IDLE.fetch_sub(self.0.len(), Ordering::Relaxed);
    }
}

thread_local! {
    static POOL: RefCell<Pool> = const { RefCell::new(Pool(Vec::new())) };
}

fn cap() -> usize {
    PER_CORE * std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// An idle isolate built for `key`, if this thread has one.
pub(crate) fn take(key: &IsolateKey) -> Option<Isolate> {
    POOL.try_with(|pool| {
        let mut pool = pool.try_borrow_mut().ok()?;
        pool.forget_stale();
        let at = pool.0.iter().rposition(|isolate| isolate.key.matches(key))?;
        Some(pool.remove(at))
    })
    .ok()
    .flatten()
}

/// Keeps a healthy isolate for the next call on this thread (or drops it when the pools
/// are full).
pub(crate) fn give_back(isolate: Isolate) {
    if !isolate.key.live() {
        return;
    }
    let _ = POOL.try_with(|pool| {
        let Ok(mut pool) = pool.try_borrow_mut() else { return };
        pool.forget_stale();
        // Every thread may keep one; more only while the pools together stay under the cap.
        if !pool.0.is_empty() && IDLE.load(Ordering::Relaxed) >= cap() {
            return;
        }
        IDLE.fetch_add(1, Ordering::Relaxed);
        pool.0.push(isolate);
        if pool.0.len() > PER_THREAD {
            drop(pool.remove(0));
        }
    });
}
