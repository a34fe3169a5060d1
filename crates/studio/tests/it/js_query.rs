//! JavaScript queries (`async (ctx) => …`) against a real `atrium-server`: the value, its
//! cost (documents read, the index used, rows returned), errors with ConvexError data, and
//! a query kept live that updates after another client's mutation.

use std::time::Duration;

use atrium_client::DeploymentClient;
use atrium_server::test_support::serve_fixture;
use atrium_studio::StudioEvent;
use atrium_studio::commands::dispatch;
use serde_json::json;

use crate::common;

const BY_ANN: &str = "async (ctx) => {\n  const mine = await ctx.db.query(\"messages\")\n    .withIndex(\"by_author\", (q) => q.eq(\"author\", \"ann\")).collect();\n  return mine.map((m) => ({ body: m.body }));\n}";

#[tokio::test(flavor = "multi_thread")]
async fn js_queries_answer_with_their_cost_and_stay_live() {
    let (server, deployment, _data) = serve_fixture("chat", "studio-js-query").await;
    let other = DeploymentClient::new(&server.cloud_url).unwrap();
    let send = |author: &str, body: &str| {
        atrium_value::json::from_json(&json!({"author": author, "body": body})).unwrap()
    };
    for (author, body) in [("ann", "one"), ("bob", "two"), ("ann", "three")] {
        other.mutation("messages:send", &send(author, body)).await.unwrap();
    }
    let config = tempfile::tempdir().unwrap();
    let studio = common::studio(config.path());
    let mut events = studio.subscribe();
    common::connect(&studio, &server.cloud_url, deployment.admin_key()).await;

    let result = dispatch(&studio, "run_js_query", json!({"source": BY_ANN})).await.unwrap();
    assert_eq!(result["available"], true);
    let answer = &result["answer"];
    assert_eq!(answer["value"], json!([{"body": "one"}, {"body": "three"}]), "{answer}");
    let cost = &answer["cost"];
    assert_eq!(cost["documentsRead"], 2.0, "the index range read only ann's: {cost}");
    assert_eq!(cost["returned"], 2.0);
    assert_eq!(cost["indexes"], json!(["messages.by_author"]));
    assert_eq!(cost["documentsReadLimit"], 32_000.0);

    let failing = dispatch(
        &studio,
        "run_js_query",
        json!({"source": "async (ctx) => { throw new Error(\"no thanks\"); }"}),
    )
    .await
    .unwrap();
    assert!(failing["answer"]["error"].as_str().unwrap().contains("no thanks"), "{failing}");
    let bad =
        dispatch(&studio, "run_js_query", json!({"source": "async (ctx) => {"})).await.unwrap_err();
    assert!(bad.message.contains("query.ts:"), "a syntax error names where: {}", bad.message);

    // Kept live: a new version after another client's mutation.
    let watch = dispatch(&studio, "watch_js_query", json!({"source": BY_ANN})).await.unwrap();
    let mut versions = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while versions.len() < 2 {
        let event =
            tokio::time::timeout_at(deadline, events.recv()).await.expect("updates").unwrap();
        if let StudioEvent::QueryWatchUpdate { update } = event
            && json!(update.watch) == watch["watch"]
        {
            versions.push(update.value["value"].clone());
            if versions.len() == 1 {
                other.mutation("messages:send", &send("ann", "four")).await.unwrap();
            }
        }
    }
    assert_eq!(versions[1].as_array().unwrap().len(), 3, "{versions:?}");
    dispatch(&studio, "unwatch_query", watch).await.unwrap();
    server.stop().await;
}
