//! Deployment events (History): what the local engine records in `_deployment_audit_log`
//! when code is loaded or changed (functions added, removed and changed, indexes and the
//! schema), when environment variables change (names only: a value never reaches the
//! log), when a snapshot is imported; nothing when the same code starts again; and
//! Convex's `paginatedDeploymentEvents` answering them newest first over HTTP.

use std::path::Path;
use std::sync::Arc;

use atrium_runtime::Project;
use atrium_server::{Deployment, DeploymentConfig, ServerConfig, serve};
use atrium_value::Value;
use serde_json::{Value as Json, json};

use super::environment_at_load::project_with;

const MESSAGES: &str = r#"import { mutation, query } from "./_generated/server";
import { v } from "convex/values";
export const list = query({ args: {}, handler: async (ctx) => ctx.db.query("messages").collect() });
export const send = mutation({ args: { body: v.string() }, handler: async (ctx, { body }) => {
  await ctx.db.insert("messages", { body, author: "me" });
} });
export const old = query({ args: {}, handler: async () => 1 });
"#;

const MESSAGES_NEXT: &str = r#"import { mutation, query } from "./_generated/server";
import { v } from "convex/values";
export const list = query({ args: {}, handler: async (ctx) => ctx.db.query("messages").collect() });
export const send = mutation({ args: { body: v.string(), author: v.string() }, handler: async (ctx, a) => {
  await ctx.db.insert("messages", a);
} });
export const count = query({ args: {}, handler: async (ctx) => (await ctx.db.query("messages").collect()).length });
"#;

const SCHEMA: &str = r#"import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  messages: defineTable({ body: v.string(), author: v.string() }),
});
"#;

const SCHEMA_NEXT: &str = r#"import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  messages: defineTable({ body: v.string(), author: v.string() }).index("by_author", ["author"]),
});
"#;

fn open(project: &Path, data: &Path) -> Arc<Deployment> {
    Deployment::open(DeploymentConfig {
        project_dir: Some(project.to_path_buf()),
        data_dir: data.to_path_buf(),
        instance_name: "deployment-events".into(),
        admin_key: None,
    })
    .unwrap()
}

/// Every recorded event as JSON, oldest first.
fn events(deployment: &Deployment) -> Vec<Json> {
    let mut tx = deployment.engine().begin();
    let mut docs = tx.collect_table("_deployment_audit_log").unwrap_or_default();
    docs.sort_by(|a, b| a.creation_time.total_cmp(&b.creation_time));
    docs.iter().map(|d| atrium_value::json::to_json(&d.to_value())).collect()
}

fn sorted(value: &Json) -> Vec<String> {
    let mut names: Vec<String> =
        value.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
    names.sort();
    names
}

fn app_diff(event: &Json) -> &Json {
    let diffs = event["metadata"]["component_diffs"].as_array().unwrap();
    let app = diffs.iter().find(|d| d["component_path"].is_null()).expect("the app's diff");
    &app["component_diff"]
}

#[test]
fn code_environment_and_import_changes_are_recorded_without_values() {
    let project = project_with(&[("messages.ts", MESSAGES), ("schema.ts", SCHEMA)]);
    let data = tempfile::tempdir().unwrap();
    let deployment = open(project.path(), data.path());

    let first = events(&deployment);
    assert_eq!(first.len(), 1, "{first:#?}");
    assert_eq!(first[0]["action"], "push_config_with_components");
    let created = app_diff(&first[0]);
    assert_eq!(created["diffType"]["type"], "create");
    assert_eq!(
        sorted(&created["functionDiff"]["added"]),
        ["messages:list", "messages:old", "messages:send"]
    );
    assert!(created["schemaDiff"]["next_schema"].as_str().unwrap().contains("messages"));

    // The same code starting again changes nothing.
    drop(deployment);
    let deployment = open(project.path(), data.path());
    assert_eq!(events(&deployment).len(), 1, "a restart records nothing");

    // Functions added, removed, changed; an index added.
    std::fs::write(project.path().join("convex/messages.ts"), MESSAGES_NEXT).unwrap();
    std::fs::write(project.path().join("convex/schema.ts"), SCHEMA_NEXT).unwrap();
    deployment.load(Project::open(project.path()).unwrap()).unwrap();
    let all = events(&deployment);
    assert_eq!(all.len(), 2);
    let modified = app_diff(&all[1]);
    assert_eq!(modified["diffType"]["type"], "modify");
    assert_eq!(sorted(&modified["functionDiff"]["added"]), ["messages:count"]);
    assert_eq!(sorted(&modified["functionDiff"]["removed"]), ["messages:old"]);
    // `list` is in a module whose source changed; `send` also changed its arguments.
    assert!(sorted(&modified["functionDiff"]["changed"]).contains(&"messages:send".to_owned()));
    let added_indexes = modified["indexDiff"]["added_indexes"].as_array().unwrap();
    assert_eq!(added_indexes.len(), 1, "{added_indexes:?}");
    assert_eq!(added_indexes[0]["name"], "messages.by_author");
    assert_eq!(added_indexes[0]["fields"], json!(["author"]));
    assert!(modified["schemaDiff"]["previous_schema"].as_str().is_some());
    assert!(modified["schemaDiff"]["next_schema"].as_str().unwrap().contains("by_author"));

    // Environment variables: create, update, delete, by name; the value is nowhere.
    let secret = "s3cr3t-value-never-stored";
    let set = |value: Option<&str>| {
        deployment.update_environment(&[("API_TOKEN".into(), value.map(str::to_owned))]).unwrap()
    };
    set(Some(secret));
    set(Some("another-s3cr3t"));
    set(Some("another-s3cr3t"));
    set(None);
    let all = events(&deployment);
    let env: Vec<(&str, &str)> = all
        .iter()
        .filter(|e| e["action"].as_str().unwrap().ends_with("_environment_variable"))
        .map(|e| (e["action"].as_str().unwrap(), e["metadata"]["variable_name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        env,
        [
            ("create_environment_variable", "API_TOKEN"),
            ("update_environment_variable", "API_TOKEN"),
            ("delete_environment_variable", "API_TOKEN"),
        ],
        "an unchanged value is no event"
    );
    let text = serde_json::to_string(&all).unwrap();
    assert!(!text.contains("s3cr3t"), "a value reached the audit log: {text}");

    // A snapshot restored into the deployment (replace: its tables named, never contents).
    let runner = deployment.runner().unwrap();
    let mut args = atrium_value::Object::new();
    args.insert("body".into(), Value::from("hello"));
    args.insert("author".into(), Value::from("ann"));
    let outcome =
        runner.run("messages:send", atrium_runtime::FunctionKind::Mutation, Value::Object(args));
    outcome.unwrap().result.unwrap();
    let (_, zip) =
        deployment.export_snapshot(std::io::Cursor::new(Vec::new()), &|_, _| {}).unwrap();
    assert_eq!(deployment.import_snapshot(&zip.into_inner(), "replace").unwrap(), 1);
    let all = events(&deployment);
    let import = all.last().unwrap();
    assert_eq!(import["action"], "snapshot_import");
    assert_eq!(import["metadata"]["import_mode"], "Replace");
    assert_eq!(import["metadata"]["requestor"]["type"], "snapshotRestore");
    assert_eq!(import["metadata"]["table_names"][0]["table_names"], json!(["messages"]));
    assert!(!serde_json::to_string(import).unwrap().contains("hello"), "no contents");

    // A refused import records nothing.
    let before = events(&deployment).len();
    assert!(deployment.import_snapshot(b"not a zip", "append").is_err());
    assert_eq!(events(&deployment).len(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn paginated_deployment_events_answers_newest_first_in_pages() {
    let project = project_with(&[("messages.ts", MESSAGES)]);
    let data = tempfile::tempdir().unwrap();
    let deployment = open(project.path(), data.path());
    for name in ["A", "B", "C"] {
        deployment.update_environment(&[(name.into(), Some("v".into()))]).unwrap();
    }
    let config = ServerConfig { port: 0, site_port: 0, ..ServerConfig::default() };
    let server = serve(deployment.clone(), config).await.unwrap();
    let call = |path: &'static str, args: Json| {
        let url = format!("{}/api/query", server.cloud_url);
        let key = deployment.admin_key().to_owned();
        async move {
            let body = json!({"path": path, "args": args, "format": "json"});
            let response = reqwest::Client::new()
                .post(url)
                .header("authorization", format!("Convex {key}"))
                .json(&body)
                .send()
                .await
                .unwrap();
            let answer: Json = response.json().await.unwrap();
            assert_eq!(answer["status"], "success", "{answer}");
            answer["value"].clone()
        }
    };
    let path = "_system/frontend/paginatedDeploymentEvents";
    let first = call(
        path,
        json!({"paginationOpts": {"numItems": 2, "cursor": null}, "filters": {"minDate": 0}}),
    )
    .await;
    let names: Vec<&str> = first["page"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["metadata"]["variable_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["C", "B"], "newest first");
    assert_eq!(first["isDone"], false);
    let cursor = first["continueCursor"].clone();
    let second = call(
        path,
        json!({"paginationOpts": {"numItems": 2, "cursor": cursor}, "filters": {"minDate": 0}}),
    )
    .await;
    let actions: Vec<&str> =
        second["page"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create_environment_variable", "push_config_with_components"]);
    assert_eq!(second["isDone"], true);

    let only_pushes = call(path, json!({"paginationOpts": {"numItems": 10, "cursor": null}, "filters": {"minDate": 0, "actions": ["push_config_with_components"]}})).await;
    assert_eq!(only_pushes["page"].as_array().unwrap().len(), 1);
    let future = call(
        path,
        json!({"paginationOpts": {"numItems": 10, "cursor": null}, "filters": {"minDate": 4.0e12}}),
    )
    .await;
    assert_eq!(future["page"], json!([]));

    let last_push = call("_system/frontend/deploymentEvents:lastPushEvent", json!({})).await;
    assert_eq!(last_push["action"], "push_config_with_components");
    server.stop().await;
}
