//! System functions (`_system/*`), admin only, answered natively — the one entry point
//! ([`run`]) the HTTP API and the sync socket call, and the routing of a path to its room:
//! - [`cli`]: the official CLI's `_system/cli/*` (table lists and contents, table sizes, the
//!   function spec, environment variables, export and import state);
//! - [`frontend`]: Convex's dashboard functions `_system/frontend/*`;
//! - [`atrium`]: Atrium's dashboard extensions `_system/atrium/*`, which a Convex deployment
//!   lacks (clients detect that from the "not found" answer);
//! - [`adhoc`]: `_system/atrium/queryFromSource`, a query written in the dashboard.
//!
//! Arguments and answers of the dashboard functions are `atrium_protocol::dashboard`'s
//! types; a bad argument is refused before any transaction with a message naming it.
//! Dashboard queries run at the caller's snapshot and hand back their read set, so a sync
//! session keeps them live like any other query; editing functions commit one transaction
//! (retried on conflicts).
//!
//! It must not route HTTP or speak the sync protocol; those call [`run`].

mod adhoc;
mod atrium;
mod cli;
mod frontend;

use atrium_engine::{Engine, EngineError, ReadSet, Timestamp, Transaction};
use atrium_protocol::convex_json;
use atrium_protocol::dashboard::path;
use atrium_value::{Object, Value};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Deployment;
use crate::auth::Identity;

/// Most documents one page or window may hold.
const MAX_PAGE: usize = 10_000;
/// Most documents one editing call may write (Convex's dashboard limit too).
const MAX_WRITES: usize = 4_096;

pub(crate) fn is_system(path: &str) -> bool {
    path.starts_with("_system/")
}

/// `module:function`, with `.js` and `:default` normalised away.
fn canonical(path: &str) -> String {
    let (module, function) = path.split_once(':').unwrap_or((path, "default"));
    format!("{}:{function}", module.trim_end_matches(".js"))
}

/// A system function's answer.
pub(crate) struct SystemAnswer {
    pub value: Value,
    /// For a query that can stay live: what it read, at which snapshot.
    pub read: Option<(ReadSet, Timestamp)>,
    /// For a write: its commit timestamp.
    pub commit_ts: Option<u64>,
}

/// Runs a system function as `identity`; a query reads at `at` (the latest commit when
/// `None`).
pub(crate) fn run(
    deployment: &Deployment,
    identity: &Identity,
    path: &str,
    args: &Value,
    at: Option<Timestamp>,
) -> Result<SystemAnswer, String> {
    if *identity != Identity::Admin {
        return Err(format!("System function `{path}` can only be called with the admin key"));
    }
    let path = canonical(path);
    if path == path::QUERY_FROM_SOURCE {
        let (value, read, snapshot) = adhoc::run(deployment, args, at)?;
        return Ok(SystemAnswer { value, read: Some((read, snapshot)), commit_ts: None });
    }
    if !is_dashboard(&path) {
        let value = cli::run(deployment, &path, args)?;
        return Ok(SystemAnswer { value, read: None, commit_ts: None });
    }
    if let Some(result) = frontend::mutation(deployment.engine(), &path, args)
        .or_else(|| atrium::mutation(deployment.engine(), &path, args))
    {
        let (value, ts) = result?;
        return Ok(SystemAnswer { value, read: None, commit_ts: Some(ts) });
    }
    let engine = deployment.engine();
    let mut tx = match at {
        Some(ts) => engine.begin_at(ts).map_err(|e| e.to_string())?,
        None => engine.begin(),
    };
    let answer = frontend::query(deployment, &mut tx, &path, args)
        .or_else(|| atrium::query(deployment, &mut tx, &path, args))
        .ok_or_else(|| format!("Could not find function for '{path}'"))??;
    Ok(SystemAnswer {
        value: answer,
        read: Some((tx.read_set().clone(), tx.snapshot())),
        commit_ts: None,
    })
}

/// Whether `path` (already normalised to `module:function`) is a dashboard function.
fn is_dashboard(path: &str) -> bool {
    path.starts_with("_system/frontend/") || path.starts_with("_system/atrium/")
}

/// `path`'s arguments as `A`, or a message naming what was wrong.
fn decode<A: DeserializeOwned>(path: &str, args: &Value) -> Result<A, String> {
    convex_json::from_value(args).map_err(|e| format!("Invalid arguments for `{path}`: {e}"))
}

/// An answer as the Convex value it stands for.
fn encode<R: Serialize>(answer: &R) -> Result<Value, String> {
    convex_json::to_value(answer)
}

/// Runs a read-only function: its arguments decoded, its answer encoded.
fn read<A: DeserializeOwned, R: Serialize>(
    path: &str,
    args: &Value,
    answer: impl FnOnce(A) -> Result<R, String>,
) -> Result<Value, String> {
    encode(&answer(decode(path, args)?)?)
}

/// Runs an editing function in one transaction (retried on conflicts) and commits it: its
/// arguments decoded first, so a bad one never opens a transaction.
fn commit<A: DeserializeOwned, R: Serialize>(
    engine: &Engine,
    path: &str,
    args: &Value,
    mut write: impl FnMut(&mut Transaction, &A) -> Result<R, EngineError>,
) -> Result<(Value, u64), String> {
    let args: A = decode(path, args)?;
    let (answer, outcome) = engine.run(3, |tx| write(tx, &args)).map_err(|e| e.to_string())?;
    Ok((encode(&answer)?, outcome.ts.0))
}

fn object(fields: Vec<(&str, Value)>) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<Object>())
}

/// A page size: 100 when not given, within `1..=MAX_PAGE`.
fn page_size(num_items: Option<f64>) -> usize {
    num_items.unwrap_or(100.0).clamp(1.0, MAX_PAGE as f64) as usize
}

/// A bad argument found inside a transaction, as an engine error so it can leave it.
fn invalid(message: String) -> EngineError {
    EngineError::InvalidDocumentFields(message)
}

fn writes_limit(n: usize, what: &str) -> Result<(), EngineError> {
    if n > MAX_WRITES {
        return Err(invalid(format!("{n} {what} in one call; at most {MAX_WRITES} are allowed")));
    }
    Ok(())
}

fn parse_id(text: &str) -> Result<atrium_value::DocumentId, String> {
    atrium_value::DocumentId::decode(text)
        .map_err(|err| format!("{text:?} is not a document ID: {err}"))
}

fn tx_id(text: &str) -> Result<atrium_value::DocumentId, EngineError> {
    parse_id(text).map_err(invalid)
}

/// A user document's fields: `_id` and `_creationTime` removed (an editor's copy of a
/// document carries them), other system fields refused by the engine.
fn user_fields(value: &Value, what: &str) -> Result<Object, EngineError> {
    let Value::Object(fields) = value else {
        return Err(invalid(format!("{what} must be an object")));
    };
    let mut fields = fields.clone();
    fields.remove(atrium_value::names::ID_FIELD);
    fields.remove(atrium_value::names::CREATION_TIME_FIELD);
    Ok(fields)
}

/// A cursor as pages hand it out: the last key's hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| text.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect()
}
