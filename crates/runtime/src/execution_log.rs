//! Execution records for the function log store, in the shape of Convex's log stream
//! (`stream_function_logs` "Completion" entries), so the CLI, the dashboard and Atrium's
//! Logs area read them as they read a real deployment's.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value as Json, json};

use crate::call::{Caller, ExecutionIds, FunctionKind, FunctionOutcome};

/// Random bytes from the OS, fetched a few kilobytes at a time per thread: two IDs per
/// function call would otherwise cost two system calls.
fn random_hex(bytes: usize) -> String {
    const POOL: usize = 4096;
    thread_local! {
        static RANDOM: std::cell::RefCell<(Box<[u8; POOL]>, usize)> =
            std::cell::RefCell::new((Box::new([0; POOL]), POOL));
    }
    RANDOM.with_borrow_mut(|(pool, used)| {
        if *used + bytes > POOL {
            getrandom::fill(&mut pool[..]).expect("the OS random source is available");
            *used = 0;
        }
        let taken = &pool[*used..*used + bytes];
        *used += bytes;
        hex::encode(taken)
    })
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
    Completion::of(path, kind, caller, as_user, outcome, ids.clone()).into_json()
}

/// What a Completion entry says of one top-level execution, taken when it ends (cheap: no
/// JSON yet) and turned into the entry later, off the caller's thread
/// (`LogStore::append_soon_with`).
pub(crate) struct Completion {
    identifier: String,
    kind: FunctionKind,
    caller: Caller,
    as_user: bool,
    logs: Vec<crate::call::LogLine>,
    error: Option<String>,
    return_bytes: usize,
    seconds: f64,
    usage: crate::call::Usage,
    ids: ExecutionIds,
    /// When it ended, in seconds since the Unix epoch.
    now: f64,
    /// The component instance it ran in, when not the app.
    pub(crate) component: Option<String>,
}

impl Completion {
    pub(crate) fn of(
        path: &str,
        kind: FunctionKind,
        caller: Caller,
        as_user: bool,
        outcome: &FunctionOutcome,
        ids: ExecutionIds,
    ) -> Self {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
        let (error, return_bytes) = match &outcome.result {
            Ok(_) => (None, outcome.return_bytes),
            Err(error) => (Some(error.message.clone()), 0),
        };
        Completion {
            identifier: identifier(path),
            kind,
            caller,
            as_user,
            logs: outcome.logs.clone(),
            error,
            return_bytes,
            seconds: outcome.duration.as_secs_f64(),
            usage: outcome.usage,
            ids,
            now,
            component: None,
        }
    }

    pub(crate) fn into_json(self) -> Json {
        let Completion { now, seconds, ids, usage, .. } = self;
        let log_lines: Vec<Json> = self
            .logs
            .into_iter()
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
        json!({
            "kind": "Completion",
            "udfType": match self.kind {
                FunctionKind::Query => "Query",
                FunctionKind::Mutation => "Mutation",
                FunctionKind::Action => "Action",
            },
            "componentPath": self.component,
            "identifier": self.identifier,
            "logLines": log_lines,
            "timestamp": now,
            "cachedResult": false,
            "caller": match (self.caller, &ids.parent) {
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
            "error": self.error,
            "requestId": ids.request_id,
            "executionId": ids.execution_id,
            "usageStats": {
                "databaseReadBytes": usage.bytes_read,
                "databaseWriteBytes": 0,
                "databaseReadDocuments": usage.documents_read,
                "databaseWriteDocuments": usage.documents_written,
                "storageReadBytes": 0,
                "storageWriteBytes": 0,
                "vectorIndexReadBytes": 0,
                "vectorIndexWriteBytes": 0,
                "memoryUsedMb": 0,
            },
            "returnBytes": self.return_bytes,
            "occInfo": null,
            "willRetry": false,
            "executionTimestamp": now - seconds,
            "identityType": if self.as_user { "user" } else { "instance_admin" },
            "environment": "isolate",
        })
    }
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
