//! The Functions area's commands against a real `atrium-server` (the kitchen fixture): the
//! function list with validators, runs with results, logs and ConvexError data, acting as
//! a user, safe modes, and a query kept live.

use std::time::Duration;

use atrium_server::test_support::serve_fixture;
use atrium_studio::commands::dispatch;
use atrium_studio::{ErrorCode, StudioEvent};
use serde_json::json;

use crate::common;

/// The next `query_watch_update`, as JSON.
async fn next_version(
    events: &mut tokio::sync::broadcast::Receiver<StudioEvent>,
) -> serde_json::Value {
    loop {
        let event =
            tokio::time::timeout(Duration::from_secs(10), events.recv()).await.unwrap().unwrap();
        if let StudioEvent::QueryWatchUpdate { update } = event {
            return serde_json::to_value(update).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn list_run_act_as_a_user_and_watch() {
    let (server, deployment, _data) = serve_fixture("kitchen", "studio-functions").await;
    let config = tempfile::tempdir().unwrap();
    let studio = common::studio(config.path());
    let save = |mode: &str| {
        json!({"id": null, "name": "Kitchen", "url": server.cloud_url, "colour": "#3b82f6",
               "safe_mode": mode, "admin_key": deployment.admin_key()})
    };
    let list = dispatch(&studio, "save_connection", save("normal")).await.unwrap();
    let id = list["connections"][0]["id"].as_str().unwrap().to_owned();
    dispatch(&studio, "connect", json!({"id": id})).await.unwrap();

    let functions = dispatch(&studio, "function_list", json!({})).await.unwrap();
    let typed = functions["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "checks:typed")
        .unwrap_or_else(|| panic!("{functions}"));
    assert_eq!(
        (typed["kind"].clone(), typed["visibility"].clone()),
        (json!("query"), json!("public"))
    );
    assert_eq!(typed["args"]["value"]["count"]["fieldType"]["type"], "bigint");
    assert!(
        functions["functions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"] == "checks:secret" && f["visibility"] == "internal")
    );
    assert!(!functions["routes"].as_array().unwrap().is_empty(), "kitchen has HTTP routes");
    let cron = &functions["crons"][0];
    assert_eq!(
        (cron["name"].clone(), cron["function"].clone(), cron["schedule"].clone()),
        (json!("tidy up"), json!("checks:secret"), json!("every 5 min")),
        "{functions}"
    );

    // The source of a module, as written.
    let source =
        dispatch(&studio, "function_source", json!({"module": "checks:typed"})).await.unwrap();
    assert_eq!(source["available"], true);
    assert!(source["path"].as_str().unwrap().ends_with("checks.ts"), "{source}");
    assert!(source["source"].as_str().unwrap().contains("export const typed = query("));
    let missing = dispatch(&studio, "function_source", json!({"module": "nope"})).await.unwrap();
    assert_eq!(missing["available"], false);

    // A query with an int64 argument.
    let run = dispatch(
        &studio,
        "run_function",
        json!({"path": "checks:typed", "kind": "query",
               "args": {"name": "ann", "count": {"$integer": "AQAAAAAAAAA="}}}),
    )
    .await
    .unwrap();
    assert_eq!(run["ok"], true, "{run}");
    assert_eq!(run["value"]["greeting"], "hello ann");
    assert_eq!(run["value"]["count"], json!({"$integer": "AgAAAAAAAAA="}));
    assert!(run["duration_ms"].as_f64().unwrap() > 0.0);

    // Logs come back with the result.
    let logs = dispatch(
        &studio,
        "run_function",
        json!({"path": "checks:logs", "kind": "query", "args": {}}),
    )
    .await
    .unwrap();
    assert!(
        logs["log_lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().contains("careful")),
        "{logs}"
    );

    // A ConvexError's data is kept apart from the message.
    let failed = dispatch(
        &studio,
        "run_function",
        json!({"path": "checks:fail", "kind": "mutation", "args": {"code": "E42"}}),
    )
    .await
    .unwrap();
    assert_eq!(failed["ok"], false);
    assert_eq!(failed["error_data"], json!({"code": "E42", "message": "Nope"}));
    assert!(!failed["error"].as_str().unwrap().contains("Request ID"), "{failed}");

    // Acting as a user.
    let me = dispatch(
        &studio,
        "run_function",
        json!({"path": "auth:whoami", "kind": "query", "args": {},
               "identity": {"subject": "user-7", "issuer": "https://issuer.example", "name": "Ada"}}),
    )
    .await
    .unwrap();
    assert_eq!(me["value"]["name"], "Ada", "{me}");
    let admin = dispatch(
        &studio,
        "run_function",
        json!({"path": "auth:whoami", "kind": "query", "args": {}}),
    )
    .await
    .unwrap();
    assert_eq!(admin["value"], json!(null));

    // A dry run shows the writes and changes nothing.
    let count = |v: &serde_json::Value| v["value"].as_f64().unwrap();
    let before = dispatch(
        &studio,
        "run_function",
        json!({"path": "calls:countNotes", "kind": "query", "args": {}}),
    )
    .await
    .unwrap();
    let dry = dispatch(
        &studio,
        "dry_run_function",
        json!({"path": "calls:parent", "kind": "mutation", "args": {}}),
    )
    .await
    .unwrap();
    assert_eq!(dry["available"], true);
    assert_eq!(dry["run"]["ok"], true, "{dry}");
    let writes = dry["writes"].as_array().unwrap();
    assert_eq!(writes.len(), 1, "the failing sub-mutation's write was rolled back: {dry}");
    assert_eq!(
        (writes[0]["table"].clone(), writes[0]["before"].clone()),
        (json!("notes"), json!(null))
    );
    assert_eq!(writes[0]["after"]["label"], "four");
    let after = dispatch(
        &studio,
        "run_function",
        json!({"path": "calls:countNotes", "kind": "query", "args": {}}),
    )
    .await
    .unwrap();
    assert_eq!(count(&after), count(&before), "nothing was committed");
    let not_a_mutation = dispatch(
        &studio,
        "dry_run_function",
        json!({"path": "calls:countNotes", "kind": "query", "args": {}}),
    )
    .await
    .unwrap_err();
    assert_eq!(not_a_mutation.code, ErrorCode::BadRequest);

    // A query kept live gets a new version when a mutation changes what it read.
    let mut events = studio.subscribe();
    let watch = dispatch(&studio, "watch_query", json!({"path": "calls:countNotes", "args": {}}))
        .await
        .unwrap();
    let first = next_version(&mut events).await;
    assert_eq!(
        (first["watch"].clone(), first["version"].clone()),
        (watch["watch"].clone(), json!(1))
    );
    let before = first["value"].as_f64().unwrap();
    dispatch(
        &studio,
        "run_function",
        json!({"path": "calls:parent", "kind": "mutation", "args": {}}),
    )
    .await
    .unwrap();
    let second = next_version(&mut events).await;
    assert_eq!(second["version"], 2);
    assert!(second["value"].as_f64().unwrap() > before, "{second}");
    dispatch(&studio, "unwatch_query", watch).await.unwrap();

    // Kept live acting as a user: the query sees that user.
    let as_ada = dispatch(
        &studio,
        "watch_query",
        json!({"path": "auth:whoami", "args": {},
               "identity": {"subject": "user-7", "issuer": "https://issuer.example", "name": "Ada"}}),
    )
    .await
    .unwrap();
    let seen = next_version(&mut events).await;
    assert_eq!(
        (seen["watch"].clone(), seen["value"]["name"].clone()),
        (as_ada["watch"].clone(), json!("Ada")),
        "{seen}"
    );
    dispatch(&studio, "unwatch_query", as_ada).await.unwrap();

    // Safe modes: read-only runs queries only; confirm-writes needs `confirmed`.
    dispatch(&studio, "save_connection", {
        let mut s = save("read_only");
        s["id"] = json!(id);
        s
    })
    .await
    .unwrap();
    let refused = dispatch(
        &studio,
        "run_function",
        json!({"path": "calls:parent", "kind": "mutation", "args": {}}),
    )
    .await
    .unwrap_err();
    assert_eq!(refused.code, ErrorCode::ReadOnly);
    dispatch(
        &studio,
        "run_function",
        json!({"path": "calls:countNotes", "kind": "query", "args": {}}),
    )
    .await
    .unwrap();
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_module_that_fails_to_load_is_listed_with_its_error() {
    let kitchen =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/kitchen");
    let project = tempfile::tempdir().unwrap();
    std::fs::create_dir(project.path().join("convex")).unwrap();
    std::os::unix::fs::symlink(kitchen.join("node_modules"), project.path().join("node_modules"))
        .unwrap();
    std::fs::write(
        project.path().join("convex/fine.ts"),
        "import { queryGeneric as query } from \"convex/server\";\nexport const ok = query({ args: {}, handler: async () => \"ok\" });\n",
    )
    .unwrap();
    std::fs::write(
        project.path().join("convex/broken.ts"),
        "import { queryGeneric as query } from \"convex/server\";\nthrow new Error(\"boom at import\");\nexport const never = query({ args: {}, handler: async () => 1 });\n",
    )
    .unwrap();
    // An absolute path: `serve_fixture` joins it onto the fixtures folder, which keeps it.
    let (server, deployment, _data) =
        serve_fixture(project.path().to_str().unwrap(), "studio-module-errors").await;
    let config = tempfile::tempdir().unwrap();
    let studio = common::studio(config.path());
    let saved = dispatch(
        &studio,
        "save_connection",
        json!({"id": null, "name": "Broken", "url": server.cloud_url, "colour": "#3b82f6",
               "safe_mode": "normal", "admin_key": deployment.admin_key()}),
    )
    .await
    .unwrap();
    let id = saved["connections"][0]["id"].as_str().unwrap().to_owned();
    dispatch(&studio, "connect", json!({"id": id})).await.unwrap();

    let list = dispatch(&studio, "function_list", json!({})).await.unwrap();
    let paths: Vec<&str> =
        list["functions"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, vec!["fine:ok"], "{list}");
    assert_eq!(
        list["module_errors"],
        json!([{"module": "broken", "message": "Uncaught Error: boom at import"}])
    );

    // A deployment without Atrium's extensions (as a Convex one) lists no errors.
    deployment.set_atrium_extensions(false);
    let list = dispatch(&studio, "function_list", json!({})).await.unwrap();
    assert_eq!(list["functions"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["module_errors"], json!([]));
}
