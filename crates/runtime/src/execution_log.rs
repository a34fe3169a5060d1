//! Execution records for the function log store, in the shape of Convex's log stream
//! (`stream_function_logs` "Completion" entries), so the CLI, the dashboard and Atrium's
//! Logs area read them as they read a real deployment's.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value as Json, json};

use crate::call::{Caller, ExecutionIds, FunctionKind, FunctionOutcome};

fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).expect("the OS random source is available");
    hex::encode(buffer)
}

/// A new random request ID (16 hex digits, as Convex's).
pub(crate) fn request_id() -> String {
    random_hex(8)
}

/// A new random execution ID (a UUID v4, as Convex's).
pub(crate) fn execution_id() -> String {
    let h = random_hex(16);
    format!("{}-{}-4{}-{}-{}", &h[0..8], &h[8..12], &h[13..16], &h[16..20], &h[20..32])
}

/// `messages.js:send` and `messages:send` both read `messages:send`; `:default` goes.
pub fn identifier(path: &str) -> String {
    let (module, export) = path.split_once(':').unwrap_or((path, "default"));
    let module = module.trim_end_matches(".js");
    if export == "default" { module.to_owned() } else { format!("{module}:{export}") }
}

/// The Completion entry for one top-level execution.
pub(crate) fn completion(
    path: &str,
    kind: FunctionKind,
    caller: Caller,
    as_user: bool,
    outcome: &FunctionOutcome,
    ids: &ExecutionIds,
) -> Json {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
    let seconds = outcome.duration.as_secs_f64();
    let log_lines: Vec<Json> = outcome
        .logs
        .iter()
        .map(|line| {
            json!({
                "messages": [line.message],
                "isTruncated": false,
                "timestamp": (now * 1000.0) as u64,
                "level": line.level,
                "systemMetadata": null,
            })
        })
        .collect();
    let (error, return_bytes) = match &outcome.result {
        Ok(value) => (Json::Null, atrium_value::json::to_json(value).to_string().len()),
        Err(error) => (Json::String(error.message.clone()), 0),
    };
    json!({
        "kind": "Completion",
        "udfType": match kind {
            FunctionKind::Query => "Query",
            FunctionKind::Mutation => "Mutation",
            FunctionKind::Action => "Action",
        },
        "componentPath": null,
        "identifier": identifier(path),
        "logLines": log_lines,
        "timestamp": now,
        "cachedResult": false,
        "caller": match (caller, &ids.parent) {
            (_, Some(_)) => "Action",
            (Caller::Client, None) => "HttpApi",
            (Caller::Internal, None) => "Tester",
            (Caller::Scheduler, None) => "Scheduler",
            (Caller::Cron, None) => "Cron",
        },
        "parentExecutionId": ids.parent,
        "executionTime": seconds,
        "userExecutionTime": seconds,
        "success": null,
        "error": error,
        "requestId": ids.request_id,
        "executionId": ids.execution_id,
        "usageStats": {
            "databaseReadBytes": outcome.usage.bytes_read,
            "databaseWriteBytes": 0,
            "databaseReadDocuments": outcome.usage.documents_read,
            "databaseWriteDocuments": outcome.usage.documents_written,
            "storageReadBytes": 0,
            "storageWriteBytes": 0,
            "vectorIndexReadBytes": 0,
            "vectorIndexWriteBytes": 0,
            "memoryUsedMb": 0,
        },
        "returnBytes": return_bytes,
        "occInfo": null,
        "willRetry": false,
        "executionTimestamp": now - seconds,
        "identityType": if as_user { "user" } else { "instance_admin" },
        "environment": "isolate",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_drop_js_and_default() {
        assert_eq!(identifier("messages.js:send"), "messages:send");
        assert_eq!(identifier("messages:send"), "messages:send");
        assert_eq!(identifier("folder/file.js:default"), "folder/file");
        assert_eq!(execution_id().len(), 36);
    }
}
