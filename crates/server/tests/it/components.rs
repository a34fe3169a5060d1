//! Components served from a project folder (`tests/fixtures/components`: components
//! installed from npm, `convex.config.ts` read from disk): `componentPath` on the HTTP API,
//! each instance's own tables, `_system/frontend/components:list`.

use atrium_server::test_support::serve_fixture;
use serde_json::{Value, json};

async fn post(url: &str, body: Value, key: Option<&str>) -> Value {
    let mut request = reqwest::Client::new().post(url).json(&body);
    if let Some(key) = key {
        request = request.header("authorization", format!("Convex {key}"));
    }
    request.send().await.unwrap().json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn component_functions_run_in_their_own_instance_and_see_only_its_tables() {
    let (server, deployment, _data) = serve_fixture("components", "components-test").await;
    let key = deployment.admin_key().to_owned();
    let function = format!("{}/api/function", server.cloud_url);
    let call = |path: &str, component: &str, args: Value| json!({"path": path, "args": args, "format": "json", "componentPath": component});

    // The same component installed twice: each instance counts on its own.
    for (component, times) in [("shardedCounter", 3), ("otherCounter", 1)] {
        for _ in 0..times {
            let added = post(
                &function,
                call("public:add", component, json!({"name": "k", "count": 2})),
                Some(&key),
            )
            .await;
            assert_eq!(added["status"], "success", "{added}");
        }
    }
    for (component, expected) in [("shardedCounter", 6.0), ("otherCounter", 2.0)] {
        let count =
            post(&function, call("public:count", component, json!({"name": "k"})), Some(&key))
                .await;
        assert_eq!(count["value"].as_f64(), Some(expected), "{component}: {count}");
    }
    let app = post(&function, call("counter:count", "", json!({"key": "k"})), Some(&key)).await;
    assert_eq!(app["value"], json!({"counter": 6.0, "other": 2.0}), "{app}");

    // Only admins reach a component's functions from outside.
    let public = post(
        &format!("{}/api/query", server.cloud_url),
        call("public:count", "shardedCounter", json!({"name": "k"})),
        None,
    )
    .await;
    assert_eq!(public["status"], "error", "{public}");
    assert!(public["errorMessage"].as_str().unwrap().contains("Could not find public function"));
    let missing =
        post(&function, call("public:count", "nope", json!({"name": "k"})), Some(&key)).await;
    assert!(missing["errorMessage"].as_str().unwrap().contains("Component \"nope\" not found"));

    // The CLI's table functions see the instance's own tables, under their own names.
    let tables =
        post(&function, call("_system/cli/tables", "shardedCounter", json!({})), Some(&key)).await;
    assert_eq!(tables["value"]["page"], json!([{"name": "counters"}]), "{tables}");
    let rows = post(
        &function,
        call("_system/cli/tableData", "otherCounter", json!({"table": "counters"})),
        Some(&key),
    )
    .await;
    let id = rows["value"]["page"][0]["_id"].as_str().expect("a counter shard").to_owned();

    // The app cannot read a component's document by its ID.
    let peek = post(&function, call("handles:peek", "", json!({"id": id})), Some(&key)).await;
    assert_eq!(peek["status"], "error", "{peek}");
    assert!(peek["errorMessage"].as_str().unwrap().contains("outside this component"), "{peek}");

    let list =
        post(&function, call("_system/frontend/components:list", "", json!({})), Some(&key)).await;
    let mut paths: Vec<&str> =
        list["value"].as_array().unwrap().iter().map(|c| c["path"].as_str().unwrap()).collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "",
            "aggregate",
            "aggregate/batchWorker",
            "migrations",
            "otherCounter",
            "presence",
            "presence/batchWorker",
            "rateLimiter",
            "rateLimiter/batchWorker",
            "shardedCounter",
            "ticker",
            "workpool",
            "workpool/batchWorker"
        ]
    );
    let other = list["value"].as_array().unwrap().iter().find(|c| c["path"] == "otherCounter");
    assert_eq!(other.unwrap()["definitionName"], "shardedCounter");
    server.stop().await;
}
