//! The Node.js child process that runs a project version's `"use node"` modules: found on
//! `PATH` (or `ATRIUM_NODE`), its version checked, started with Atrium's executor
//! (`executor.mjs`, `hooks.mjs`) and the modules it may import (`sources`), and spoken to
//! in JSON lines. One process per project version and environment, kept warm between
//! calls and started again when it died; it is killed when its project version is gone, or
//! retired ([`retire`]) when an action in it overran its time limit: later calls start a
//! new process and the old one is killed as soon as no call holds it.
//!
//! It owns the protocol's transport (requests out, replies routed to the call that waits
//! for them); what a call does with its messages is `node/mod.rs`'s.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use serde::Deserialize;
use serde_json::Value as Json;

use super::sources::NodeSources;
use crate::{Project, RuntimeError};

const EXECUTOR: &str = include_str!("executor.mjs");
const HOOKS: &str = include_str!("hooks.mjs");
/// What precedes each protocol line on the executor's stdout.
const MARK: &str = "\u{1}atrium\u{1}";
/// Heap of the Node.js process (Convex gives Node actions 512 MiB).
const HEAP_MB: u32 = 512;
/// How many lines of the process's stderr an error quotes.
const STDERR_TAIL: usize = 20;

/// A message from the executor, for the call `id`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub(crate) enum Incoming {
    Syscall { id: u64, call: u64, op: String, args: String },
    Log { id: u64, level: String, message: String },
    Done { id: u64, ok: Option<Json>, error: Option<Json> },
    Ready {},
}

impl Incoming {
    fn id(&self) -> Option<u64> {
        match self {
            Incoming::Syscall { id, .. } | Incoming::Log { id, .. } | Incoming::Done { id, .. } => {
                Some(*id)
            }
            Incoming::Ready {} => None,
        }
    }
}

/// A running executor.
pub(crate) struct NodeProcess {
    child: Mutex<Child>,
    stdin: Mutex<ChildStdin>,
    pending: Arc<Mutex<HashMap<u64, Sender<Incoming>>>>,
    next_id: AtomicU64,
    dead: Arc<AtomicBool>,
    stderr: Arc<Mutex<Vec<String>>>,
    /// The analysis of each module file, asked once (`node/mod.rs`).
    pub(crate) exports: Mutex<HashMap<std::path::PathBuf, Result<Json, Json>>>,
    pub(crate) sources: NodeSources,
    _dir: tempfile::TempDir,
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let mut child = self.child.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// One request in flight: its messages arrive here until `Done`.
pub(crate) struct Request {
    pub(crate) id: u64,
    pub(crate) messages: Receiver<Incoming>,
}

impl NodeProcess {
    /// Sends `message` (its `id` set to a new request's) and returns where its messages
    /// arrive.
    pub(crate) fn request(&self, mut message: Json) -> Result<Request, RuntimeError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        message["id"] = Json::from(id);
        let (sender, messages) = channel();
        self.pending.lock().unwrap().insert(id, sender);
        if let Err(e) = self.send(&message) {
            self.pending.lock().unwrap().remove(&id);
            return Err(e);
        }
        Ok(Request { id, messages })
    }

    /// Writes one protocol line to the executor.
    pub(crate) fn send(&self, message: &Json) -> Result<(), RuntimeError> {
        let mut line = message.to_string();
        line.push('\n');
        let mut stdin = self.stdin.lock().unwrap();
        stdin.write_all(line.as_bytes()).and_then(|()| stdin.flush()).map_err(|e| {
            self.dead.store(true, Ordering::Relaxed);
            RuntimeError::Js(format!("{}: {e}", self.exited()))
        })
    }

    /// Forgets a request (it finished, or its caller gave up on it).
    pub(crate) fn forget(&self, id: u64) {
        self.pending.lock().unwrap().remove(&id);
    }

    /// Why requests fail once the process is gone, with the end of its stderr.
    pub(crate) fn exited(&self) -> String {
        // A process that just died may still be flushing its last words to stderr.
        let mut status = None;
        for _ in 0..10 {
            status = self.child.lock().unwrap().try_wait().ok().flatten();
            if status.is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        let tail = self.stderr.lock().unwrap().join("\n");
        let status = status.map_or_else(String::new, |s| format!(" ({s})"));
        if tail.is_empty() {
            format!("The Node.js process running \"use node\" actions exited{status}")
        } else {
            format!("The Node.js process running \"use node\" actions exited{status}:\n{tail}")
        }
    }

    fn alive(&self) -> bool {
        !self.dead.load(Ordering::Relaxed)
    }
}

struct Entry {
    project: Weak<Project>,
    env: Arc<std::collections::BTreeMap<String, String>>,
    process: Arc<NodeProcess>,
}

fn registry() -> &'static Mutex<Vec<Entry>> {
    static PROCESSES: OnceLock<Mutex<Vec<Entry>>> = OnceLock::new();
    PROCESSES.get_or_init(Mutex::default)
}

/// The warm executor of `project` with `env` as `process.env`, started when there is none
/// (or it died). Processes of dropped project versions are stopped here.
pub(crate) fn process_for(
    project: &Arc<Project>,
    env: &std::collections::BTreeMap<String, String>,
) -> Result<Arc<NodeProcess>, RuntimeError> {
    let mut entries = registry().lock().unwrap();
    entries.retain(|e| e.project.strong_count() > 0 && e.process.alive());
    if let Some(entry) = entries
        .iter()
        .find(|e| std::ptr::eq(e.project.as_ptr(), Arc::as_ptr(project)) && *e.env == *env)
    {
        return Ok(entry.process.clone());
    }
    let process = Arc::new(spawn(project, env)?);
    entries.push(Entry {
        project: Arc::downgrade(project),
        env: Arc::new(env.clone()),
        process: process.clone(),
    });
    Ok(process)
}

/// Takes `process` out of service (an action in it overran its time limit and may still be
/// running): the next call starts a new process, and this one is killed once the calls
/// still holding it let go (its `Drop`).
pub(crate) fn retire(process: &Arc<NodeProcess>) {
    process.dead.store(true, Ordering::Relaxed);
    registry().lock().unwrap().retain(|e| !Arc::ptr_eq(&e.process, process));
}

/// The `node` to run: `ATRIUM_NODE`, else `node` on `PATH`.
fn node_binary() -> String {
    std::env::var("ATRIUM_NODE").unwrap_or_else(|_| "node".into())
}

/// Checks that `node` exists and can register module hooks (Node.js 18.19 / 20.6 or later).
fn check_version(node: &str) -> Result<(), RuntimeError> {
    let missing = |detail: String| {
        RuntimeError::Js(format!(
            "\"use node\" modules run in Node.js, but {detail}. Install Node.js 20 or later (https://nodejs.org) and make sure `node` is on the PATH Atrium starts with, or set ATRIUM_NODE to its path"
        ))
    };
    let output = Command::new(node)
        .arg("--version")
        .output()
        .map_err(|e| missing(format!("`{node}` could not be started ({e})")))?;
    let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let numbers: Vec<u32> =
        version.trim_start_matches('v').split('.').filter_map(|n| n.parse().ok()).collect();
    let supported = match numbers[..] {
        [major, minor, ..] => major > 20 || major == 20 && minor >= 6 || major == 18 && minor >= 19,
        _ => false,
    };
    if supported { Ok(()) } else { Err(missing(format!("`{node}` is version {version:?}"))) }
}

fn spawn(
    project: &Arc<Project>,
    env: &std::collections::BTreeMap<String, String>,
) -> Result<NodeProcess, RuntimeError> {
    let node = node_binary();
    check_version(&node)?;
    let io = |path: &std::path::Path| {
        let path = path.display().to_string();
        move |error| RuntimeError::Io { path, error }
    };
    let dir = tempfile::Builder::new()
        .prefix("atrium-node-")
        .tempdir()
        .map_err(io(&std::env::temp_dir()))?;
    let sources = NodeSources::prepare(project, dir.path())?;
    let (executor, hooks, init, describe) = (
        dir.path().join("executor.mjs"),
        dir.path().join("hooks.mjs"),
        dir.path().join("init.json"),
        dir.path().join("describe_error.js"),
    );
    std::fs::write(&executor, EXECUTOR).map_err(io(&executor))?;
    std::fs::write(&describe, crate::sandbox::DESCRIBE_ERROR).map_err(io(&describe))?;
    std::fs::write(&hooks, HOOKS).map_err(io(&hooks))?;
    let init_json = serde_json::json!({
        "sources": sources.transpiled,
        "globalRequire": project.pushed_modules().is_some(),
    });
    std::fs::write(&init, init_json.to_string()).map_err(io(&init))?;

    let mut command = Command::new(&node);
    command
        .arg("--no-warnings")
        .arg(format!("--max-old-space-size={HEAP_MB}"))
        .arg(&executor)
        .arg(&hooks)
        .arg(&init)
        .current_dir(sources.cwd.as_path())
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // The machine's basics, then the deployment's variables (as `process.env`).
    for name in ["PATH", "HOME", "TMPDIR", "LANG", "TZ", "SYSTEMROOT"] {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    command.envs(env);
    let mut child = command.spawn().map_err(|e| {
        RuntimeError::Js(format!(
            "\"use node\" modules run in Node.js, but `{node}` could not be started: {e}"
        ))
    })?;
    let stdin = child.stdin.take().expect("piped stdin");
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr_pipe = child.stderr.take().expect("piped stderr");

    let pending: Arc<Mutex<HashMap<u64, Sender<Incoming>>>> = Arc::default();
    let dead = Arc::new(AtomicBool::new(false));
    let stderr: Arc<Mutex<Vec<String>>> = Arc::default();
    {
        let stderr = stderr.clone();
        std::thread::Builder::new()
            .name("atrium-node-stderr".into())
            .spawn(move || {
                for line in BufReader::new(stderr_pipe).lines().map_while(Result::ok) {
                    tracing::debug!(target: "atrium_runtime::node", "{line}");
                    let mut tail = stderr.lock().unwrap();
                    if tail.len() == STDERR_TAIL {
                        tail.remove(0);
                    }
                    tail.push(line);
                }
            })
            .map_err(|e| RuntimeError::Js(format!("could not start a thread: {e}")))?;
    }
    let (ready_tx, ready_rx) = channel::<()>();
    {
        let (pending, dead) = (pending.clone(), dead.clone());
        std::thread::Builder::new()
            .name("atrium-node-stdout".into())
            .spawn(move || {
                let mut ready = Some(ready_tx);
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    let Some(json) = line.strip_prefix(MARK) else { continue };
                    let Ok(message) = serde_json::from_str::<Incoming>(json) else { continue };
                    let Some(id) = message.id() else {
                        if let Some(ready) = ready.take() {
                            let _ = ready.send(());
                        }
                        continue;
                    };
                    let mut pending = pending.lock().unwrap();
                    let done = matches!(message, Incoming::Done { .. });
                    if let Some(sender) = pending.get(&id) {
                        let _ = sender.send(message);
                    }
                    if done {
                        pending.remove(&id);
                    }
                }
                // The process is gone: every waiting call learns it (its channel closes).
                dead.store(true, Ordering::Relaxed);
                pending.lock().unwrap().clear();
            })
            .map_err(|e| RuntimeError::Js(format!("could not start a thread: {e}")))?;
    }
    let process = NodeProcess {
        child: Mutex::new(child),
        stdin: Mutex::new(stdin),
        pending,
        next_id: AtomicU64::new(1),
        dead,
        stderr,
        exports: Mutex::default(),
        sources,
        _dir: dir,
    };
    // The executor says it is ready once its hooks are registered; it may also die first.
    if ready_rx.recv_timeout(std::time::Duration::from_secs(30)).is_err() {
        return Err(RuntimeError::Js(process.exited()));
    }
    Ok(process)
}
