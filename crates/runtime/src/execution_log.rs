//! Execution records for the function log store, in the shape of Convex's log stream
//! (`stream_function_logs` "Completion" entries), so the CLI, the dashboard and Atrium's
//! Logs area read them as they read a real deployment's.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::Value as Json;

use crate::call::{Caller, ExecutionIds, FunctionKind, FunctionOutcome};

/// `N` random bytes from the OS, fetched a few kilobytes at a time per thread: two IDs per
/// function call would otherwise cost two system calls.
fn random_bytes<const N: usize>() -> [u8; N] {
    const POOL: usize = 4096;
    thread_local! {
        static RANDOM: std::cell::RefCell<(Box<[u8; POOL]>, usize)> =
            std::cell::RefCell::new((Box::new([0; POOL]), POOL));
    }
    RANDOM.with_borrow_mut(|(pool, used)| {
        if *used + N > POOL {
            getrandom::fill(&mut pool[..]).expect("the OS random source is available");
            *used = 0;
        }
        let mut taken = [0; N];
        taken.copy_from_slice(&pool[*used..*used + N]);
        *used += N;
        taken
    })
}

/// A new random request ID (16 hex digits, as Convex's).
pub(crate) fn request_id() -> String {
    hex::encode(random_bytes::<8>())
}

/// A new random execution ID (a UUID v4, as Convex's).
pub(crate) fn execution_id() -> String {
    let id = uuid::Builder::from_random_bytes(random_bytes::<16>()).into_uuid();
    id.hyphenated().encode_lower(&mut uuid::Uuid::encode_buffer()).to_owned()
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
/// (`LogStore::append_soon_text_with`, written straight to text).
pub(crate) struct Completion {
    identifier: String,
    kind: FunctionKind,
    caller: Caller,
    as_user: bool,
    logs: Vec<crate::call::LogLine>,
    error: Option<String>,
    return_bytes: usize,
    pub(crate) seconds: f64,
    pub(crate) usage: crate::call::Usage,
    ids: ExecutionIds,
    /// When it ended, in seconds since the Unix epoch.
    now: f64,
    /// The component instance it ran in, when not the app.
    pub(crate) component: Option<String>,
    /// Answered with the result of an earlier run (Convex's `cachedResult`).
    pub(crate) cached: bool,
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
            cached: false,
        }
    }

    /// The entry as JSON.
    pub(crate) fn into_json(self) -> Json {
        serde_json::to_value(self.entry()).expect("a log entry serializes")
    }

    /// The entry as JSON text, written straight from its fields (no JSON tree): what the
    /// log writer stores.
    pub(crate) fn into_text(self) -> String {
        serde_json::to_string(&self.entry()).expect("a log entry serializes")
    }

    fn entry(&self) -> Entry<'_> {
        let Completion { now, seconds, ref ids, usage, .. } = *self;
        Entry {
            kind: "Completion",
            udf_type: match self.kind {
                FunctionKind::Query => "Query",
                FunctionKind::Mutation => "Mutation",
                FunctionKind::Action => "Action",
            },
            component_path: self.component.as_deref(),
            identifier: &self.identifier,
            log_lines: self
                .logs
                .iter()
                .map(|line| EntryLine {
                    messages: [&line.message],
                    is_truncated: false,
                    timestamp: (now * 1000.0) as u64,
                    level: &line.level,
                    system_metadata: None,
                })
                .collect(),
            timestamp: now,
            cached_result: self.cached,
            caller: match (self.caller, &ids.parent) {
                (_, Some(_)) => "Action",
                (Caller::Client, None) => "HttpApi",
                (Caller::Internal, None) => "Tester",
                (Caller::Scheduler, None) => "Scheduler",
                (Caller::Cron, None) => "Cron",
            },
            parent_execution_id: ids.parent.as_deref(),
            execution_time: seconds,
            user_execution_time: seconds,
            success: None,
            error: self.error.as_deref(),
            request_id: &ids.request_id,
            execution_id: &ids.execution_id,
            usage_stats: UsageStats {
                database_read_bytes: usage.bytes_read,
                database_write_bytes: 0,
                database_read_documents: usage.documents_read,
                database_write_documents: usage.documents_written,
                storage_read_bytes: 0,
                storage_write_bytes: 0,
                vector_index_read_bytes: 0,
                vector_index_write_bytes: 0,
                memory_used_mb: 0,
            },
            return_bytes: self.return_bytes,
            occ_info: None,
            will_retry: false,
            execution_timestamp: now - seconds,
            identity_type: if self.as_user { "user" } else { "instance_admin" },
            environment: "isolate",
        }
    }
}

/// A Completion entry's fields, in the order the entry has always been written.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Entry<'a> {
    kind: &'static str,
    udf_type: &'static str,
    component_path: Option<&'a str>,
    identifier: &'a str,
    log_lines: Vec<EntryLine<'a>>,
    timestamp: f64,
    cached_result: bool,
    caller: &'static str,
    parent_execution_id: Option<&'a str>,
    execution_time: f64,
    user_execution_time: f64,
    /// Always `null`.
    success: Option<()>,
    error: Option<&'a str>,
    request_id: &'a str,
    execution_id: &'a str,
    usage_stats: UsageStats,
    return_bytes: usize,
    /// Always `null`.
    occ_info: Option<()>,
    will_retry: bool,
    execution_timestamp: f64,
    identity_type: &'static str,
    environment: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EntryLine<'a> {
    messages: [&'a str; 1],
    is_truncated: bool,
    timestamp: u64,
    level: &'a str,
    /// Always `null`.
    system_metadata: Option<()>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UsageStats {
    database_read_bytes: u64,
    database_write_bytes: u64,
    database_read_documents: u64,
    database_write_documents: u64,
    storage_read_bytes: u64,
    storage_write_bytes: u64,
    vector_index_read_bytes: u64,
    vector_index_write_bytes: u64,
    memory_used_mb: u64,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::call::{LogLine, Usage};

    #[test]
    fn identifiers_drop_js_and_default() {
        assert_eq!(identifier("messages.js:send"), "messages:send");
        assert_eq!(identifier("messages:send"), "messages:send");
        assert_eq!(identifier("folder/file.js:default"), "folder/file");
    }

    #[test]
    fn ids_are_random_uuids_and_hex() {
        let (a, b) = (execution_id(), execution_id());
        assert_ne!(a, b);
        let parsed = uuid::Uuid::parse_str(&a).expect("a UUID");
        assert_eq!(parsed.get_version(), Some(uuid::Version::Random));
        assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122);
        assert_eq!(parsed.hyphenated().to_string(), a, "lower-case, hyphenated");
        let request = request_id();
        assert_eq!(request.len(), 16);
        assert!(request.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(request, request_id());
    }

    /// The entry as `into_json` built it before entries were written straight to text.
    fn reference_json(this: Completion) -> Json {
        let Completion { now, seconds, ids, usage, .. } = this;
        let log_lines: Vec<Json> = this
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
            "udfType": match this.kind {
                FunctionKind::Query => "Query",
                FunctionKind::Mutation => "Mutation",
                FunctionKind::Action => "Action",
            },
            "componentPath": this.component,
            "identifier": this.identifier,
            "logLines": log_lines,
            "timestamp": now,
            "cachedResult": this.cached,
            "caller": match (this.caller, &ids.parent) {
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
            "error": this.error,
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
            "returnBytes": this.return_bytes,
            "occInfo": null,
            "willRetry": false,
            "executionTimestamp": now - seconds,
            "identityType": if this.as_user { "user" } else { "instance_admin" },
            "environment": "isolate",
        })
    }

    /// A completion of each shape: a client's mutation that logged (quotes, a newline,
    /// non-ASCII), a cron's failed action in a component, a query answered from the cache;
    /// each called by an action or not.
    fn samples() -> Vec<Completion> {
        let mut all = Vec::new();
        for parent in [None, Some("0f0e-parent".to_owned())] {
            let ids = ExecutionIds {
                execution_id: "7b6c7c3a-1d2e-4f00-8a9b-0c1d2e3f4a5b".into(),
                request_id: "0123456789abcdef".into(),
                parent,
            };
            all.push(Completion {
                identifier: "messages:send".into(),
                kind: FunctionKind::Mutation,
                caller: Caller::Client,
                as_user: true,
                logs: vec![
                    LogLine { level: "LOG".into(), message: "hello \"there\"\n".into() },
                    LogLine { level: "ERROR".into(), message: "ünïcode ✓".into() },
                ],
                error: None,
                return_bytes: 17,
                seconds: 0.000123,
                usage: Usage { documents_read: 3, bytes_read: 456, documents_written: 1 },
                ids: ids.clone(),
                now: 1_764_000_000.123_456,
                component: None,
                cached: false,
            });
            all.push(Completion {
                identifier: "folder/file".into(),
                kind: FunctionKind::Action,
                caller: Caller::Cron,
                as_user: false,
                logs: Vec::new(),
                error: Some("Uncaught Error: boom".into()),
                return_bytes: 0,
                seconds: 1.5,
                usage: Usage::default(),
                ids: ids.clone(),
                now: 1_764_000_001.0,
                component: Some("waitlist".into()),
                cached: false,
            });
            all.push(Completion {
                identifier: "messages:list".into(),
                kind: FunctionKind::Query,
                caller: Caller::Client,
                as_user: false,
                logs: vec![LogLine { level: "LOG".into(), message: "from the first run".into() }],
                error: None,
                return_bytes: 2,
                seconds: 0.00001,
                usage: Usage::default(),
                ids,
                now: 1_764_000_002.5,
                component: None,
                cached: true,
            });
        }
        all
    }

    #[test]
    fn the_entry_text_is_the_json_it_always_was() {
        for ((entry, again), reference) in samples().into_iter().zip(samples()).zip(samples()) {
            let expected = reference_json(reference);
            assert_eq!(entry.into_text(), expected.to_string(), "same text, same key order");
            assert_eq!(again.into_json(), expected);
        }
    }
}
