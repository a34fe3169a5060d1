//! The Logs and Subscriptions areas' commands against a real `atrium-server`: executions
//! arrive as `log_entries` events and stay in `logs_recent`; the inspector lists another
//! client's live query and names the mutation that re-ran it.

use std::time::Duration;

use atrium_client::{DeploymentClient, SyncClient};
use atrium_server::test_support::serve_fixture;
use atrium_studio::StudioEvent;
use atrium_studio::commands::dispatch;
use serde_json::json;

use crate::common;

fn args(value: serde_json::Value) -> atrium_value::Value {
    atrium_value::json::from_json(&value).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn logs_follow_live_and_the_inspector_names_what_reran_a_query() {
    let (server, deployment, _data) = serve_fixture("chat", "studio-live").await;
    let config = tempfile::tempdir().unwrap();
    let studio = common::studio(config.path());
    let mut events = studio.subscribe();
    common::connect(&studio, &server.cloud_url, deployment.admin_key()).await;

    // Another client keeps a query live.
    let other = DeploymentClient::new(&server.cloud_url).unwrap();
    let sync = SyncClient::connect(&other);
    let mut ann = sync.subscribe("messages:byAuthor", &args(json!({"author": "ann"})));
    ann.next().await.unwrap();

    other.mutation("messages:send", &args(json!({"author": "ann", "body": "hi"}))).await.unwrap();
    // The execution reaches the studio as an event, within a few seconds.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let sent = loop {
        match tokio::time::timeout_at(deadline, events.recv()).await.expect("a log event").unwrap()
        {
            StudioEvent::LogEntries { entries } => {
                if let Some(e) = entries.iter().find(|e| e.function == "messages:send") {
                    break e.clone();
                }
            }
            _ => continue,
        }
    };
    assert_eq!((sent.udf_type.as_str(), sent.error.clone()), ("Mutation", None));
    let recent = dispatch(&studio, "logs_recent", json!(null)).await.unwrap();
    assert!(recent.as_array().unwrap().iter().any(|e| e["function"] == "messages:send"));

    // The archive answers searches by text and by function, newest first.
    for n in 0..3 {
        other
            .mutation(
                "messages:send",
                &args(json!({"author": "zed", "body": format!("needle {n}")})),
            )
            .await
            .unwrap();
    }
    let found = dispatch(&studio, "search_logs", json!({"text": "", "function": "messages:send"}))
        .await
        .unwrap();
    assert_eq!(found["source"], "deployment");
    assert_eq!(found["entries"].as_array().unwrap().len(), 4, "{found}");
    assert!(found["entries"].as_array().unwrap().iter().all(|e| e["function"] == "messages:send"));
    let none = dispatch(&studio, "search_logs", json!({"text": "", "function": "messages:list"}))
        .await
        .unwrap();
    assert_eq!(none["entries"], json!([]));

    ann.next().await.unwrap();
    let report = dispatch(&studio, "inspect_subscriptions", json!(null)).await.unwrap();
    assert_eq!(report["available"], true);
    let live = report["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["function"] == "messages:byAuthor")
        .unwrap_or_else(|| panic!("{report}"))
        .clone();
    assert_eq!(live["args"], json!({"author": "ann"}));
    assert_eq!(live["last_cause"]["function"], "messages:send");
    assert_eq!(live["last_cause"]["table"], "messages");
    // The log entry and the inspector name the same request.
    assert_eq!(live["last_cause"]["request_id"], json!(sent.request_id), "{live}");
    assert!(
        live["read_set"].as_array().unwrap().iter().any(|r| r["index"] == "messages.by_author")
    );
    server.stop().await;
}

#[tokio::test]
async fn exports_are_saved_beside_each_other_never_over_one_another() {
    let config = tempfile::tempdir().unwrap();
    let studio = common::studio(config.path());
    let first =
        dispatch(&studio, "save_export", json!({"file_name": "logs.jsonl", "text": "{\"a\":1}\n"}))
            .await
            .unwrap();
    let second =
        dispatch(&studio, "save_export", json!({"file_name": "logs.jsonl", "text": "{\"a\":2}\n"}))
            .await
            .unwrap();
    let (a, b) = (first["path"].as_str().unwrap(), second["path"].as_str().unwrap());
    assert!(a.ends_with("exports/logs.jsonl") && b.ends_with("exports/logs-1.jsonl"), "{a} {b}");
    assert_eq!(std::fs::read_to_string(a).unwrap(), "{\"a\":1}\n");
    assert_eq!(std::fs::read_to_string(b).unwrap(), "{\"a\":2}\n");
    let bad = dispatch(&studio, "save_export", json!({"file_name": "../escape.txt", "text": "x"}))
        .await
        .map(|v| v["path"].as_str().unwrap().to_owned())
        .unwrap();
    assert!(bad.ends_with("exports/escape.txt"), "only the file name is used: {bad}");
    let err = dispatch(&studio, "save_export", json!({"file_name": "..", "text": "x"}))
        .await
        .unwrap_err();
    assert_eq!(err.code, atrium_studio::ErrorCode::BadRequest);
}
