//! A log stream entry as the UI shows it: [`LogEntry`] and its [`LogLine`]s, made from the
//! stream's JSON by [`entry`]. A leaf: the hub keeps these and the events carry them, so
//! this module must not import the studio, its events or the log follower.

use std::collections::VecDeque;

use serde::Serialize;
use serde_json::Value as Json;
use ts_rs::TS;

/// One line a function logged.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LogLine {
    /// LOG, DEBUG, INFO, WARN or ERROR.
    pub level: String,
    pub text: String,
    /// Milliseconds since the epoch.
    pub timestamp: f64,
}

/// One function execution (or an action's progress) from the log stream.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LogEntry {
    pub id: String,
    /// "completion", or "progress" for lines an action logged while running.
    pub kind: String,
    /// `module:function`.
    pub function: String,
    /// The component instance the function ran in (its path); `None` for the app's.
    pub component: Option<String>,
    /// Query, Mutation, Action or HttpAction.
    pub udf_type: String,
    /// Milliseconds since the epoch.
    pub timestamp: f64,
    /// The error message of a failed execution.
    pub error: Option<String>,
    pub execution_ms: Option<f64>,
    /// A query answered with the result of an earlier run (Convex's `cachedResult`).
    pub cached: bool,
    pub request_id: Option<String>,
    /// HttpApi, Scheduler, Action (called by another execution), …
    pub caller: Option<String>,
    /// The execution of the action that called this one.
    pub parent_id: Option<String>,
    pub documents_read: Option<f64>,
    pub documents_written: Option<f64>,
    pub lines: Vec<LogLine>,
}

fn text(value: &Json, key: &str) -> Option<String> {
    value.get(key).and_then(Json::as_str).map(str::to_owned)
}

fn number(value: &Json, path: &[&str]) -> Option<f64> {
    path.iter().try_fold(value, |v, k| v.get(k))?.as_f64()
}

/// A stream entry as the UI shows it; unknown shapes become an entry that says so.
pub(crate) fn entry(raw: &Json) -> LogEntry {
    let lines = raw
        .get("logLines")
        .and_then(Json::as_array)
        .map(|lines| {
            lines
                .iter()
                .map(|line| match line {
                    Json::String(s) => {
                        LogLine { level: "LOG".into(), text: s.clone(), timestamp: 0.0 }
                    }
                    structured => LogLine {
                        level: text(structured, "level").unwrap_or_else(|| "LOG".into()),
                        text: structured
                            .get("messages")
                            .and_then(Json::as_array)
                            .map(|m| {
                                m.iter()
                                    .map(|p| {
                                        p.as_str().map_or_else(|| p.to_string(), str::to_owned)
                                    })
                                    .collect::<Vec<_>>()
                                    .join(" ")
                            })
                            .unwrap_or_default(),
                        timestamp: number(structured, &["timestamp"]).unwrap_or(0.0),
                    },
                })
                .collect()
        })
        .unwrap_or_default();
    let seconds = number(raw, &["timestamp"]).unwrap_or(0.0);
    LogEntry {
        id: text(raw, "executionId").unwrap_or_else(|| format!("{seconds}")),
        kind: text(raw, "kind").unwrap_or_default().to_lowercase(),
        function: text(raw, "identifier").unwrap_or_else(|| "?".into()),
        component: text(raw, "componentPath").filter(|c| !c.is_empty()),
        udf_type: text(raw, "udfType").unwrap_or_default(),
        timestamp: seconds * 1000.0,
        error: text(raw, "error"),
        execution_ms: number(raw, &["executionTime"]).map(|s| s * 1000.0),
        cached: raw.get("cachedResult").and_then(Json::as_bool).unwrap_or(false),
        request_id: text(raw, "requestId"),
        caller: text(raw, "caller"),
        parent_id: text(raw, "parentExecutionId"),
        documents_read: number(raw, &["usageStats", "databaseReadDocuments"]),
        documents_written: number(raw, &["usageStats", "databaseWriteDocuments"]),
        lines,
    }
}

/// The kept entries, oldest first.
pub(crate) fn recent(logs: &VecDeque<LogEntry>) -> Vec<LogEntry> {
    logs.iter().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn completions_become_entries_with_their_lines() {
        let raw = json!({"kind": "Completion", "udfType": "Mutation", "identifier": "messages:send",
            "logLines": [{"messages": ["'hi'", "42"], "level": "WARN", "timestamp": 1000},
                         "[LOG] plain"],
            "timestamp": 1.5, "executionTime": 0.012, "error": null, "requestId": "ab",
            "executionId": "e1", "caller": "HttpApi",
            "usageStats": {"databaseReadDocuments": 3, "databaseWriteDocuments": 1}});
        let e = entry(&raw);
        assert_eq!(
            (e.function.as_str(), e.kind.as_str(), e.timestamp),
            ("messages:send", "completion", 1500.0)
        );
        assert_eq!(e.execution_ms, Some(12.0));
        assert!(!e.cached);
        assert_eq!(e.error, None);
        assert_eq!((e.documents_read, e.documents_written), (Some(3.0), Some(1.0)));
        assert_eq!(e.lines[0].text, "'hi' 42");
        assert_eq!(e.lines[0].level, "WARN");
        assert_eq!(e.lines[1].text, "[LOG] plain");
        let failed = entry(&json!({"kind": "Completion", "identifier": "a:b", "error": "boom"}));
        assert_eq!(failed.error.as_deref(), Some("boom"));
        let cached =
            entry(&json!({"kind": "Completion", "identifier": "a:b", "cachedResult": true}));
        assert!(cached.cached);
    }
}
