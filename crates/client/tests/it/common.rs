//! What the client's tests share.

use atrium_value::Value;
use atrium_value::json::from_json;

/// Convex-encoded JSON as a value.
pub fn args(json: serde_json::Value) -> Value {
    from_json(&json).unwrap()
}
