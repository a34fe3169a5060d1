//! Promoting a local project to another deployment — here a second local engine with no
//! code, standing in for the remote: the preview names what the push adds, the promotion
//! brings functions, schema and data (the remote's functions then answer over HTTP), and a
//! push the remote refuses (a document that does not match the new schema, a module that
//! fails to load) leaves its functions and data as they were.

use std::sync::Arc;

use atrium_client::DeploymentClient;
use atrium_server::{Deployment, DeploymentConfig, RunningServer, ServerConfig};
use atrium_studio::commands::dispatch;
use serde_json::{Value, json};

use crate::common;

/// An engine with no code and no data, as a fresh self-hosted deployment is.
async fn empty_engine(data: &std::path::Path) -> (RunningServer, Arc<Deployment>) {
    let deployment = Deployment::open(DeploymentConfig {
        project_dir: None,
        data_dir: data.to_path_buf(),
        instance_name: "remote".into(),
        admin_key: None,
    })
    .unwrap();
    let config = ServerConfig { port: 0, site_port: 0, ..ServerConfig::default() };
    (atrium_server::serve(deployment.clone(), config).await.unwrap(), deployment)
}

async fn create(
    studio: &Arc<atrium_studio::Studio>,
    name: &str,
    template: &str,
    dir: &std::path::Path,
) -> String {
    let list =
        dispatch(studio, "project_create", json!({"name": name, "template": template, "dir": dir}))
            .await
            .unwrap();
    let id = list.as_array().unwrap().iter().find(|p| p["name"] == name).unwrap()["id"].clone();
    id.as_str().unwrap().to_owned()
}

fn no_args() -> atrium_value::Value {
    atrium_value::Value::Object(Default::default())
}

/// Every task, through the sample project's paginated `tasks:list`.
async fn tasks(client: &DeploymentClient) -> Vec<Value> {
    let args = json!({"paginationOpts": {"numItems": 1000, "cursor": null}});
    let page =
        client.query("tasks:list", &atrium_value::json::from_json(&args).unwrap()).await.unwrap();
    atrium_value::json::to_json(&page)["page"].as_array().unwrap().clone()
}

async fn function_paths(client: &DeploymentClient) -> Vec<String> {
    let spec = client.query("_system/cli/modules:apiSpec", &no_args()).await.unwrap();
    let mut paths: Vec<String> = atrium_value::json::to_json(&spec)
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["identifier"].as_str().map(str::to_owned))
        .collect();
    paths.sort();
    paths
}

#[tokio::test(flavor = "multi_thread")]
async fn a_project_is_promoted_to_another_engine_and_a_refused_push_changes_nothing() {
    let config = tempfile::tempdir().unwrap();
    let folders = tempfile::tempdir().unwrap();
    let remote_data = tempfile::tempdir().unwrap();
    let studio = common::studio(config.path());
    let (server, deployment) = empty_engine(remote_data.path()).await;
    let remote =
        DeploymentClient::new(&server.cloud_url).unwrap().with_admin_key(deployment.admin_key());
    let saved = dispatch(
        &studio,
        "save_connection",
        json!({"name": "Remote", "url": server.cloud_url, "colour": "#3b82f6",
               "safe_mode": "normal", "admin_key": deployment.admin_key()}),
    )
    .await
    .unwrap();
    let target = saved["connections"][0]["id"].as_str().unwrap().to_owned();

    let source = create(&studio, "Source", "sample", &folders.path().join("source")).await;
    let started = dispatch(&studio, "project_start", json!({"id": source})).await.unwrap();
    let source_url = started.as_array().unwrap()[0]["url"].as_str().unwrap().to_owned();
    let local = DeploymentClient::new(&source_url).unwrap();
    let local_tasks = tasks(&local).await;
    assert!(!local_tasks.is_empty(), "the sample project is seeded");

    // The preview: everything is new on the empty remote.
    let preview =
        dispatch(&studio, "promote_preview", json!({"project": source, "target": target}))
            .await
            .unwrap();
    assert_eq!(preview["target_name"], "Remote");
    let added = preview["diff"]["functions"]["added"].as_array().unwrap();
    assert!(added.contains(&json!("tasks:list")), "{preview}");
    assert!(preview["diff"]["functions"]["removed"].as_array().unwrap().is_empty());
    assert!(preview["diff"]["tables"]["added"].as_array().unwrap().contains(&json!("tasks")));
    assert!(!preview["diff"]["indexes"]["added"].as_array().unwrap().is_empty(), "{preview}");
    assert_eq!(preview["diff"]["unchanged"], false);

    // Its own deployment is no target.
    let own = dispatch(&studio, "project_connect", json!({"id": source})).await.unwrap();
    let own_id = own["deployment"]["id"].as_str().unwrap().to_owned();
    let refused =
        dispatch(&studio, "promote_preview", json!({"project": source, "target": own_id}))
            .await
            .unwrap_err();
    assert!(refused.message.contains("this project's own deployment"), "{}", refused.message);

    // A connection that is read-only, or asks before writes, is not pushed to unasked.
    for (mode, expected) in
        [("read_only", "read-only"), ("confirm_writes", "asks for confirmation")]
    {
        let saved = dispatch(
            &studio,
            "save_connection",
            json!({"name": mode, "url": server.cloud_url, "colour": "#3b82f6",
                   "safe_mode": mode, "admin_key": deployment.admin_key()}),
        )
        .await
        .unwrap();
        let careful =
            saved["connections"].as_array().unwrap().iter().find(|c| c["name"] == mode).unwrap();
        let refused =
            dispatch(&studio, "promote", json!({"project": source, "target": careful["id"]}))
                .await
                .unwrap_err();
        assert!(refused.message.contains(expected), "{}", refused.message);
    }
    assert!(function_paths(&remote).await.is_empty(), "nothing was pushed");

    // The promotion, with the data.
    let mut events = studio.subscribe();
    let done = dispatch(
        &studio,
        "promote",
        json!({"project": source, "target": target, "copy_data": true}),
    )
    .await
    .unwrap();
    assert!(done["modules_added"].as_array().unwrap().contains(&json!("tasks.js")), "{done}");
    assert!(done["documents"].as_u64().unwrap() >= local_tasks.len() as u64, "{done}");
    let mut steps = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let atrium_studio::StudioEvent::PromoteProgress { progress } = event
            && steps.last() != Some(&progress.step)
        {
            steps.push(progress.step);
        }
    }
    for step in ["bundle", "push", "schema", "finish", "export", "upload", "import", "done"] {
        assert!(steps.iter().any(|s| s == step), "{step} announced: {steps:?}");
    }
    // The remote's functions answer, with the data copied.
    let remote_tasks = tasks(&remote).await;
    assert_eq!(remote_tasks.len(), local_tasks.len());
    let schema = remote.schemas().await.unwrap().active.unwrap();
    assert!(schema.contains("\"tasks\""), "{schema}");
    let again = dispatch(&studio, "promote_preview", json!({"project": source, "target": target}))
        .await
        .unwrap();
    assert_eq!(again["diff"]["unchanged"], true, "{again}");

    // A push whose schema the remote's documents do not match is refused: nothing changes.
    let before = function_paths(&remote).await;
    let clash = folders.path().join("clash");
    let clashing = create(&studio, "Clash", "empty", &clash).await;
    std::fs::write(
        clash.join("convex/schema.ts"),
        "import { defineSchema, defineTable } from \"convex/server\";\n\
         import { v } from \"convex/values\";\n\
         export default defineSchema({\n  items: defineTable({ text: v.string() }),\n  tasks: defineTable({ nope: v.number() }),\n});\n",
    )
    .unwrap();
    dispatch(&studio, "project_start", json!({"id": clashing})).await.unwrap();
    let error = dispatch(&studio, "promote", json!({"project": clashing, "target": target}))
        .await
        .unwrap_err();
    assert!(error.message.contains("Promote stopped at wait_for_schema"), "{}", error.message);
    assert!(error.message.contains("does not match the schema"), "{}", error.message);
    assert_eq!(function_paths(&remote).await, before, "the remote keeps its functions");
    assert_eq!(tasks(&remote).await, remote_tasks, "and its data");
    assert!(remote.query("items:list", &no_args()).await.is_err(), "the refused code never served");

    // A module that fails to load is refused at start_push: nothing changes either.
    std::fs::write(
        clash.join("convex/schema.ts"),
        "import { defineSchema, defineTable } from \"convex/server\";\n\
         import { v } from \"convex/values\";\n\
         export default defineSchema({ items: defineTable({ text: v.string() }) });\n",
    )
    .unwrap();
    std::fs::write(
        clash.join("convex/broken.ts"),
        "throw new Error(\"boom at load\");\nexport const x = 1;\n",
    )
    .unwrap();
    let error = dispatch(&studio, "promote", json!({"project": clashing, "target": target}))
        .await
        .unwrap_err();
    assert!(error.message.contains("Promote stopped at start_push"), "{}", error.message);
    assert!(error.message.contains("boom at load"), "{}", error.message);
    assert_eq!(function_paths(&remote).await, before);
    assert_eq!(tasks(&remote).await, remote_tasks);
    server.stop().await;
}
