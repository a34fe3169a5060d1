//! The syscall ops, one module per family. Each op takes its arguments as a serde struct
//! (Convex's camelCase field names) and a [`HostState`](crate::host::HostState), and
//! answers JSON or the error text user code sees.
//!
//! Ops must not know the concrete `Runner`: calls into other functions go through
//! [`NestedCalls`](crate::call::NestedCalls).

pub(crate) mod calls;
pub(crate) mod database;
pub(crate) mod meta;
pub(crate) mod pagination;
pub(crate) mod query;
pub(crate) mod scheduler;
pub(crate) mod storage;
pub(crate) mod vector;

/// An op's answer (JSON), or the message user code sees.
pub(crate) type OpResult = Result<serde_json::Value, String>;

/// Reads a field that may be `null` as `Some(Value::Null)` (plain `Option` would read it as
/// absent), so "missing" and "null" keep their different errors.
pub(crate) fn present<'de, D>(deserializer: D) -> Result<Option<serde_json::Value>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}
