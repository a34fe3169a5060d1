//! What the system functions share: decoding arguments into their protocol types and
//! encoding answers, running a read or an editing transaction, page and write limits,
//! document IDs and user fields. A leaf below the function rooms (`cli`, `frontend`,
//! `atrium`); it must not know any function by name.

use atrium_engine::{Engine, EngineError, Transaction};
use atrium_protocol::convex_json;
use atrium_value::{Object, Value};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Most documents one page or window may hold.
const MAX_PAGE: usize = 10_000;
/// Most documents one editing call may write (Convex's dashboard limit too).
const MAX_WRITES: usize = 4_096;

/// `path`'s arguments as `A`, or a message naming what was wrong.
pub(super) fn decode<A: DeserializeOwned>(path: &str, args: &Value) -> Result<A, String> {
    convex_json::from_value(args).map_err(|e| format!("Invalid arguments for `{path}`: {e}"))
}

/// An answer as the Convex value it stands for.
pub(super) fn encode<R: Serialize>(answer: &R) -> Result<Value, String> {
    convex_json::to_value(answer)
}

/// Runs a read-only function: its arguments decoded, its answer encoded.
pub(super) fn read<A: DeserializeOwned, R: Serialize>(
    path: &str,
    args: &Value,
    answer: impl FnOnce(A) -> Result<R, String>,
) -> Result<Value, String> {
    encode(&answer(decode(path, args)?)?)
}

/// Runs an editing function in one transaction (retried on conflicts) and commits it: its
/// arguments decoded first, so a bad one never opens a transaction.
pub(super) fn commit<A: DeserializeOwned, R: Serialize>(
    engine: &Engine,
    path: &str,
    args: &Value,
    mut write: impl FnMut(&mut Transaction, &A) -> Result<R, EngineError>,
) -> Result<(Value, u64), String> {
    let args: A = decode(path, args)?;
    let (answer, outcome) = engine.run(3, |tx| write(tx, &args)).map_err(|e| e.to_string())?;
    Ok((encode(&answer)?, outcome.ts.0))
}

pub(super) fn object(fields: Vec<(&str, Value)>) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<Object>())
}

/// A page size: 100 when not given, within `1..=MAX_PAGE`.
pub(super) fn page_size(num_items: Option<f64>) -> usize {
    num_items.unwrap_or(100.0).clamp(1.0, MAX_PAGE as f64) as usize
}

/// An engine error as the message a dashboard function answers with.
pub(super) fn engine_message(error: EngineError) -> String {
    error.to_string()
}

/// A bad argument found inside a transaction, as an engine error so it can leave it.
pub(super) fn invalid(message: String) -> EngineError {
    EngineError::InvalidDocumentFields(message)
}

pub(super) fn writes_limit(n: usize, what: &str) -> Result<(), EngineError> {
    if n > MAX_WRITES {
        return Err(invalid(format!("{n} {what} in one call; at most {MAX_WRITES} are allowed")));
    }
    Ok(())
}

pub(super) fn parse_id(text: &str) -> Result<atrium_value::DocumentId, String> {
    atrium_value::DocumentId::decode(text)
        .map_err(|err| format!("{text:?} is not a document ID: {err}"))
}

pub(super) fn tx_id(text: &str) -> Result<atrium_value::DocumentId, EngineError> {
    parse_id(text).map_err(invalid)
}

/// A user document's fields: `_id` and `_creationTime` removed (an editor's copy of a
/// document carries them), other system fields refused by the engine.
pub(super) fn user_fields(value: &Value, what: &str) -> Result<Object, EngineError> {
    let Value::Object(fields) = value else {
        return Err(invalid(format!("{what} must be an object")));
    };
    let mut fields = fields.clone();
    fields.remove(atrium_value::names::ID_FIELD);
    fields.remove(atrium_value::names::CREATION_TIME_FIELD);
    Ok(fields)
}
