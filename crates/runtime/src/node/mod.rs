//! `"use node"` modules, run in a Node.js child process as Convex runs them in its Node
//! executor: what such a module exports (its analysis happens in Node.js too, so a module
//! that needs Node never fails in QuickJS), and running one of its actions — arguments and
//! return value validated here, each syscall the action makes (`ctx.runQuery`,
//! `runMutation`, `runAction`, the scheduler, storage, auth, vector search) answered by
//! the same [`HostState`] an isolate's action uses, its console lines kept as its logs,
//! and the action time limit applied (an action that overruns it fails with Convex's
//! timeout error, and the process it ran in is replaced and killed).
//!
//! Hand-written rather than a crate: the executor is a small script of ours
//! (`executor.mjs`) behind a JSON-lines pipe, which no crate provides for Convex's host
//! interface. The process itself is `process.rs`'s; what it may import, `sources.rs`'s.
//! It must not know the runner (calls come back through the host state's `NestedCalls`).

mod process;
mod sources;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::RecvTimeoutError;
use std::time::Instant;

use atrium_value::Value;
use atrium_value::json::from_json_str;
use atrium_value::validator::Validator;
use serde::Deserialize;
use serde_json::Value as Json;

use crate::call::{Caller, FunctionKind, Limits, LogLine};
use crate::host::HostState;
use crate::invoke::Call;
use crate::{FunctionError, Project, RuntimeError};
use process::{Incoming, NodeProcess, process_for, retire};

/// One export of a `"use node"` module that Convex registers (a function, a router, crons).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NodeExport {
    pub(crate) name: String,
    pub(crate) is_query: bool,
    pub(crate) is_mutation: bool,
    pub(crate) is_action: bool,
    pub(crate) is_public: bool,
    pub(crate) is_internal: bool,
    /// `exportArgs()`'s JSON text.
    pub(crate) args: Option<String>,
    /// `exportReturns()`'s JSON text.
    pub(crate) returns: Option<String>,
}

impl NodeExport {
    pub(crate) fn kind(&self) -> Option<FunctionKind> {
        match (self.is_query, self.is_mutation, self.is_action) {
            (true, false, false) => Some(FunctionKind::Query),
            (false, true, false) => Some(FunctionKind::Mutation),
            (false, false, true) => Some(FunctionKind::Action),
            _ => None,
        }
    }
}

/// What the `"use node"` module `file` (the function module `module`) exports, imported in
/// Node.js with `env` as `process.env`. A module that throws at import is an
/// [`RuntimeError::Analyze`] naming it; a query or mutation in it is refused as Convex
/// refuses it.
pub(crate) fn exports(
    project: &Arc<Project>,
    env: &BTreeMap<String, String>,
    module: &str,
    file: &Path,
) -> Result<Vec<NodeExport>, RuntimeError> {
    let process = process_for(project, env)?;
    let shown = format!("{module}.js");
    let json = analysed(&process, file)?.map_err(|error| RuntimeError::Analyze {
        module: shown.clone(),
        message: FunctionError::from_described(&error).message,
    })?;
    let exports: Vec<NodeExport> = serde_json::from_value(json)
        .map_err(|e| RuntimeError::Js(format!("the Node.js executor answered badly: {e}")))?;
    for export in &exports {
        let noun = match export.kind() {
            Some(FunctionKind::Query) => "Query",
            Some(FunctionKind::Mutation) => "Mutation",
            _ => continue,
        };
        return Err(RuntimeError::Analyze {
            module: shown,
            message: format!(
                "`{}` defined in `{module}.js` is a {noun} function. Only actions can be defined in Node.js. See https://docs.convex.dev/functions/actions for more details.",
                export.name
            ),
        });
    }
    Ok(exports)
}

/// The executor's analysis of `file` (asked once per process): the exports, or the error
/// the import threw, described.
fn analysed(process: &NodeProcess, file: &Path) -> Result<Result<Json, Json>, RuntimeError> {
    if let Some(known) = process.exports.lock().unwrap().get(file) {
        return Ok(known.clone());
    }
    let target = process.sources.file(file);
    let request = process
        .request(serde_json::json!({ "type": "analyze", "file": target.display().to_string() }))?;
    let answer = loop {
        match request.messages.recv() {
            Ok(Incoming::Done { ok, error, .. }) => {
                break match error {
                    Some(error) => Err(error),
                    None => Ok(ok.unwrap_or(Json::Null)),
                };
            }
            // Module-level code has no call to log to or syscalls to make.
            Ok(_) => continue,
            Err(_) => return Err(RuntimeError::Js(process.exited())),
        }
    };
    process.exports.lock().unwrap().insert(file.to_path_buf(), answer.clone());
    Ok(answer)
}

/// Runs `call` in the project's Node.js process; its syscalls go to `state`. `Err` is a
/// failure of the runtime or a function that is not there; `Ok(Err)` the action's own.
pub(crate) fn run(
    project: &Arc<Project>,
    env: &BTreeMap<String, String>,
    limits: &Limits,
    call: &Call<'_>,
    state: &mut HostState,
) -> Result<Result<Value, FunctionError>, RuntimeError> {
    let Call { file, path, export, kind, caller, args, args_json } = *call;
    let module = path.split_once(':').map_or(path, |(m, _)| m).trim_end_matches(".js");
    let exports = exports(project, env, module, file)?;
    let Some(function) = exports.iter().find(|e| e.name == export) else {
        return Err(RuntimeError::FunctionNotFound(format!(
            "Could not find function for `{path}`: the module has no export named `{export}`"
        )));
    };
    match function.kind() {
        Some(FunctionKind::Action) if kind == FunctionKind::Action => {}
        Some(registered) => {
            return Err(RuntimeError::WrongKind(format!(
                "Function {path} is registered as a {} but is being run as a {}.",
                registered.noun(),
                kind.noun()
            )));
        }
        None => {
            return Err(RuntimeError::FunctionNotFound(format!(
                "Function {path} is not a Convex function. Did you forget to wrap it with `query`, `mutation` or `action`?"
            )));
        }
    }
    if caller == Caller::Client && function.is_internal && !function.is_public {
        return Err(RuntimeError::FunctionNotFound(format!(
            "Could not find public function for '{path}'. Did you forget to run `npx convex dev` or `npx convex deploy`?"
        )));
    }
    if let Some(validator) = validator(function.args.as_deref())?
        && let Err(error) = validator.validate(args, &state.ids())
    {
        return Ok(Err(FunctionError {
            message: format!("ArgumentValidationError: {error}"),
            data: None,
        }));
    }
    let process = process_for(project, env)?;
    let target = process.sources.file(file);
    let request = process.request(serde_json::json!({
        "type": "run",
        "file": target.display().to_string(),
        "export": export,
        "args": args_json,
    }))?;
    let deadline = Instant::now() + limits.action_time;
    let done = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match request.messages.recv_timeout(left) {
            Ok(Incoming::Syscall { call, op, args, .. }) => {
                let reply = match state.async_syscall(&op, &args) {
                    Ok(text) => serde_json::json!({ "type": "reply", "call": call, "ok": text }),
                    Err(error) => serde_json::json!({
                        "type": "reply", "call": call, "error": error.message, "data": error.data,
                    }),
                };
                process.send(&reply)?;
            }
            Ok(Incoming::Log { level, message, .. }) => state.logs.push(LogLine { level, message }),
            Ok(Incoming::Done { ok, error, .. }) => break (ok, error),
            Ok(Incoming::Ready {}) => {}
            Err(RecvTimeoutError::Timeout) => {
                // The action may be stuck (a loop never yields): its process is replaced,
                // and killed once no other call runs in it.
                process.forget(request.id);
                retire(&process);
                return Ok(Err(FunctionError {
                    message: format!(
                        "Function execution timed out (maximum duration: {}s)",
                        limits.action_time.as_secs_f64()
                    ),
                    data: None,
                }));
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Ok(Err(FunctionError { message: process.exited(), data: None }));
            }
        }
    };
    let text = match done {
        (_, Some(error)) => return Ok(Err(FunctionError::from_described(&error))),
        (Some(Json::String(text)), None) => text,
        _ => return Err(RuntimeError::Js("the action's result is not a string".into())),
    };
    if text.len() > limits.result_size {
        return Ok(Err(FunctionError {
            message: format!(
                "Function {path} return value is too large ({} bytes; the limit is {} bytes)",
                text.len(),
                limits.result_size
            ),
            data: None,
        }));
    }
    let value = match from_json_str(&text) {
        Ok(value) => value,
        Err(e) => {
            return Ok(Err(FunctionError {
                message: format!("Invalid return value: {e}"),
                data: None,
            }));
        }
    };
    if let Some(validator) = validator(function.returns.as_deref())?
        && let Err(error) = validator.validate(&value, &state.ids())
    {
        return Ok(Err(FunctionError {
            message: format!("ReturnsValidationError: {error}"),
            data: None,
        }));
    }
    Ok(Ok(value))
}

/// A validator from `exportArgs()`/`exportReturns()` text, unless absent or `any`.
fn validator(text: Option<&str>) -> Result<Option<Validator>, RuntimeError> {
    let Some(text) = text else { return Ok(None) };
    let json: Json = serde_json::from_str(text)
        .map_err(|e| RuntimeError::Js(format!("a validator is not valid JSON: {e}")))?;
    if json.is_null() {
        return Ok(None);
    }
    let validator = Validator::from_json(&json).map_err(RuntimeError::Js)?;
    Ok((validator != Validator::Any).then_some(validator))
}
