//! How a sync session writes what it computed onto the wire: function arguments read from
//! a message, log lines, identities for the inspector, and error texts as Convex words
//! them. A leaf below the session and its calls; it must not send anything.

use atrium_protocol::http::log_line;
use atrium_runtime::{FunctionOutcome, RuntimeError};

use crate::auth::Identity;
use crate::ids::random_hex;

pub(super) use atrium_protocol::http::arguments_object as arguments;

pub(super) fn logs(outcome: &FunctionOutcome) -> Vec<String> {
    outcome.logs.iter().map(|l| log_line(&l.level, &l.message)).collect()
}

/// Who a session runs queries as, for the inspector.
pub(super) fn identity_label(identity: &Identity) -> String {
    match identity {
        Identity::Anonymous => "anonymous".into(),
        Identity::Admin => "admin".into(),
        Identity::AdminActingAs(user) => format!(
            "admin acting as {}",
            user.get("subject").and_then(|s| s.as_str()).unwrap_or("a user")
        ),
        Identity::User(user) => format!(
            "user {}",
            user.get("tokenIdentifier").and_then(|s| s.as_str()).unwrap_or("(unknown)")
        ),
    }
}

pub(super) fn server_error(message: &str) -> String {
    format!("[Request ID: {}] Server Error\n{message}", random_hex(8))
}

pub(super) fn describe_runtime_error(error: &RuntimeError) -> String {
    match error {
        RuntimeError::FunctionNotFound(_) | RuntimeError::ModuleNotFound(..) | RuntimeError::BadPath(_) => {
            "Could not find public function. Did you forget to run `npx convex dev` or `npx convex deploy`?".to_owned()
        }
        other => other.to_string(),
    }
}
