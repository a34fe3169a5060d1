//! Per-function metrics and log searches by status and level, from the deployment's own
//! archive (Atrium's engine) and from the archive the studio records for a deployment
//! without one (the server with Atrium's endpoints off, as a Convex deployment answers);
//! and the caller chain of functions an action calls.

use std::time::Duration;

use atrium_client::DeploymentClient;
use atrium_server::test_support::{serve_fixture, serve_fixture_as_convex};
use atrium_studio::commands::dispatch;
use serde_json::{Value, json};

use crate::common;

fn args(value: Value) -> atrium_value::Value {
    atrium_value::json::from_json(&value).unwrap()
}

/// Runs kitchen functions: `checks:logs` 3 times (logs at every level), `checks:fail` twice
/// (a ConvexError), `calls:viaAction` once (an action calling a mutation and a query).
async fn run_some(url: &str, admin_key: &str) {
    let client = DeploymentClient::new(url).unwrap().with_admin_key(admin_key);
    for _ in 0..3 {
        client.query("checks:logs", &args(json!({}))).await.unwrap();
    }
    for code in ["a", "b"] {
        client.mutation("checks:fail", &args(json!({"code": code}))).await.unwrap_err();
    }
    client.action("calls:viaAction", &args(json!({"label": "x"}))).await.unwrap();
}

fn metrics_of<'a>(report: &'a Value, function: &str) -> &'a Value {
    report["report"]["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["function"] == function)
        .unwrap_or_else(|| panic!("no metrics for {function}: {report}"))
}

/// Every execution [`run_some`] makes, as (function, calls): what the archive holds once
/// all of them have arrived.
const RUN_SOME_CALLS: &[(&str, u64)] = &[
    ("checks:logs", 3),
    ("checks:fail", 2),
    ("calls:viaAction", 1),
    ("calls:addNote", 1),
    ("calls:countNotes", 1),
];

/// The metrics once each `(function, calls)` of `expected` has that many calls (the
/// recorded archive fills as the log stream brings entries, in no promised order).
async fn metrics_when(
    studio: &std::sync::Arc<atrium_studio::Studio>,
    expected: &[(&str, u64)],
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let report = dispatch(studio, "function_metrics", json!({"window": "15m"})).await.unwrap();
        let functions = report["report"]["functions"].as_array().unwrap();
        let found = expected.iter().all(|(function, calls)| {
            functions.iter().any(|f| f["function"] == *function && f["calls"] == *calls)
        });
        if found {
            return report;
        }
        assert!(tokio::time::Instant::now() < deadline, "never reached {expected:?}: {report}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn assert_kitchen_figures(report: &Value) {
    let logs = metrics_of(report, "checks:logs");
    assert_eq!((logs["calls"].as_u64(), logs["errors"].as_u64()), (Some(3), Some(0)), "{logs}");
    assert_eq!(logs["udf_type"], "Query");
    let (p50, p99) = (logs["p50_ms"].as_f64().unwrap(), logs["p99_ms"].as_f64().unwrap());
    assert!(p50 > 0.0 && p50 <= p99, "{logs}");
    let fail = metrics_of(report, "checks:fail");
    assert_eq!((fail["calls"].as_u64(), fail["errors"].as_u64()), (Some(2), Some(2)));
    // The functions the action called are executions of their own.
    assert_eq!(metrics_of(report, "calls:addNote")["calls"], 1);
    let series = &report["report"]["series"];
    let total: u64 = series["calls"].as_array().unwrap().iter().map(|c| c.as_u64().unwrap()).sum();
    assert_eq!(total, report["report"]["executions"].as_u64().unwrap());
    assert_eq!(series["starts_ms"].as_array().unwrap().len(), 30);
}

async fn search(studio: &std::sync::Arc<atrium_studio::Studio>, filter: Value) -> Value {
    dispatch(studio, "search_logs", filter).await.unwrap()
}

fn functions(found: &Value) -> Vec<String> {
    let mut names: Vec<String> = found["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["function"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names.dedup();
    names
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_and_filtered_searches_come_from_the_engines_archive() {
    let (server, deployment, _data) = serve_fixture("kitchen", "studio-metrics").await;
    let config = tempfile::tempdir().unwrap();
    let studio = common::studio(config.path());
    common::connect(&studio, &server.cloud_url, deployment.admin_key()).await;
    run_some(&server.cloud_url, deployment.admin_key()).await;

    let report = dispatch(&studio, "function_metrics", json!({"window": "1h"})).await.unwrap();
    assert_eq!(report["source"], "deployment");
    let report = metrics_when(&studio, RUN_SOME_CALLS).await;
    assert_kitchen_figures(&report);
    let only_fail =
        dispatch(&studio, "function_metrics", json!({"window": "15m", "function": "checks:fail"}))
            .await
            .unwrap();
    let calls: u64 = only_fail["report"]["series"]["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap())
        .sum();
    assert_eq!(calls, 2, "the series is the chosen function's");

    let failures = search(&studio, json!({"status": "failure"})).await;
    assert_eq!(functions(&failures), vec!["checks:fail"]);
    let warned = search(&studio, json!({"level": "warn"})).await;
    assert_eq!(functions(&warned), vec!["checks:logs"]);
    assert_eq!(warned["entries"].as_array().unwrap().len(), 3);
    let bad = dispatch(&studio, "search_logs", json!({"status": "maybe"})).await.unwrap_err();
    assert!(bad.message.contains("\"maybe\""), "{}", bad.message);

    // The caller chain: what the action called names it as parent, in the same request.
    let chain = search(&studio, json!({"function": ""})).await;
    let entries = chain["entries"].as_array().unwrap();
    let action = entries.iter().find(|e| e["function"] == "calls:viaAction").unwrap();
    let called: Vec<&Value> = entries.iter().filter(|e| e["parent_id"] == action["id"]).collect();
    let mut names: Vec<&str> = called.iter().map(|e| e["function"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, vec!["calls:addNote", "calls:countNotes"], "{chain}");
    assert!(
        called.iter().all(|e| e["request_id"] == action["request_id"] && e["caller"] == "Action")
    );
    assert_eq!(action["parent_id"], Value::Null);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deployment_without_an_archive_is_recorded_by_the_studio_without_duplicates() {
    let (server, deployment, _data) = serve_fixture_as_convex("kitchen", "studio-recorded").await;
    let config = tempfile::tempdir().unwrap();
    let studio = common::studio(config.path());
    let id = common::connect(&studio, &server.cloud_url, deployment.admin_key()).await;
    run_some(&server.cloud_url, deployment.admin_key()).await;

    let report = metrics_when(&studio, RUN_SOME_CALLS).await;
    assert_eq!(report["source"], "recorded");
    assert_kitchen_figures(&report);
    let failures = search(&studio, json!({"status": "failure"})).await;
    assert_eq!(failures["source"], "recorded");
    assert_eq!(functions(&failures), vec!["checks:fail"]);
    assert_eq!(
        search(&studio, json!({"level": "ERROR"})).await["entries"].as_array().unwrap().len(),
        3
    );

    // Reconnecting replays the deployment's history on the stream; nothing is recorded twice.
    dispatch(&studio, "disconnect", json!(null)).await.unwrap();
    dispatch(&studio, "connect", json!({"id": id})).await.unwrap();
    let client =
        DeploymentClient::new(&server.cloud_url).unwrap().with_admin_key(deployment.admin_key());
    client.query("checks:logs", &args(json!({}))).await.unwrap();
    let report = metrics_when(&studio, &[("checks:logs", 4)]).await;
    assert_eq!(metrics_of(&report, "checks:fail")["calls"], 2, "{report}");

    // A fresh studio on the same data folder still has the recorded executions.
    drop(studio);
    let again = common::studio(config.path());
    dispatch(&again, "connect", json!({"id": id})).await.unwrap();
    let report = dispatch(&again, "function_metrics", json!({"window": "15m"})).await.unwrap();
    assert_eq!(metrics_of(&report, "checks:fail")["calls"], 2, "{report}");
    server.stop().await;
}
