//! Local projects: created from the sample and empty templates, run two at once on their
//! own engines (stopping one leaves the other serving), opened from a folder (with a clear
//! diagnosis when it cannot run), connected to, and given the official CLI's variables in
//! `.env.local` — the admin key never in what the UI receives.

use atrium_client::DeploymentClient;
use atrium_studio::commands::dispatch;
use serde_json::{Value, json};

use crate::common;

fn project<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array().unwrap().iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("{list}"))
}

fn args(value: Value) -> atrium_value::Value {
    atrium_value::json::from_json(&value).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_projects_run_at_once_and_stopping_one_leaves_the_other() {
    let config = tempfile::tempdir().unwrap();
    let folders = tempfile::tempdir().unwrap();
    let studio = common::studio(config.path());
    for (name, template) in [("Alpha", "sample"), ("Beta", "empty")] {
        let dir = folders.path().join(name.to_lowercase());
        dispatch(
            &studio,
            "project_create",
            json!({"name": name, "template": template, "dir": dir}),
        )
        .await
        .unwrap();
        assert!(dir.join("node_modules/convex/package.json").is_file(), "it runs offline");
    }
    // A folder that is not empty is refused, and nothing is added.
    let taken = dispatch(
        &studio,
        "project_create",
        json!({"name": "Again", "template": "empty", "dir": folders.path().join("alpha")}),
    )
    .await
    .unwrap_err();
    assert!(taken.message.contains("is not empty"), "{}", taken.message);

    let list = dispatch(&studio, "project_list", json!(null)).await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    let (alpha, beta) =
        (project(&list, "Alpha")["id"].clone(), project(&list, "Beta")["id"].clone());
    assert_eq!(project(&list, "Alpha")["state"], "stopped");
    dispatch(&studio, "project_start", json!({"id": alpha})).await.unwrap();
    let list = dispatch(&studio, "project_start", json!({"id": beta})).await.unwrap();
    let (alpha_url, beta_url) = (
        project(&list, "Alpha")["url"].as_str().unwrap().to_owned(),
        project(&list, "Beta")["url"].as_str().unwrap().to_owned(),
    );
    assert_ne!(alpha_url, beta_url, "each on its own port");
    assert_eq!(project(&list, "Alpha")["state"], "running");
    assert!(project(&list, "Alpha")["data_bytes"].as_u64().unwrap() > 0);

    // The sample template comes with its data; the empty one with its functions.
    let alpha_client = DeploymentClient::new(&alpha_url).unwrap();
    let stats = alpha_client.query("tasks:stats", &args(json!({}))).await.unwrap();
    assert!(stats.get_path(["total"]).is_some(), "{stats:?}");
    let beta_client = DeploymentClient::new(&beta_url).unwrap();
    beta_client.mutation("items:add", &args(json!({"text": "first"}))).await.unwrap();

    // Stopping Alpha leaves Beta serving.
    let list = dispatch(&studio, "project_stop", json!({"id": alpha})).await.unwrap();
    assert_eq!(project(&list, "Alpha")["state"], "stopped");
    assert!(alpha_client.query("tasks:stats", &args(json!({}))).await.is_err());
    let items = beta_client.query("items:list", &args(json!({}))).await.unwrap();
    assert_eq!(atrium_value::json::to_json(&items)[0]["text"], "first");

    // Connecting starts it again and makes it the connected deployment.
    let status = dispatch(&studio, "project_connect", json!({"id": alpha})).await.unwrap();
    assert_eq!(status["deployment"]["name"], "Alpha");
    let tables = dispatch(&studio, "data_tables", json!(null)).await.unwrap();
    assert!(tables.as_array().unwrap().iter().any(|t| t["name"] == "tasks"), "{tables}");

    // The CLI's variables go to .env.local (owner-only); the UI never sees the key.
    let written = dispatch(&studio, "project_write_env", json!({"id": beta})).await.unwrap();
    let env = std::fs::read_to_string(written["path"].as_str().unwrap()).unwrap();
    assert!(env.contains(&format!("CONVEX_SELF_HOSTED_URL={beta_url}\n")), "{env}");
    let key_line = env.lines().find(|l| l.starts_with("CONVEX_SELF_HOSTED_ADMIN_KEY=")).unwrap();
    let key = key_line.trim_start_matches("CONVEX_SELF_HOSTED_ADMIN_KEY=");
    assert!(key.contains('|'), "{key_line}");
    assert!(!written.to_string().contains(key));
    let list = dispatch(&studio, "project_list", json!(null)).await.unwrap();
    assert!(!list.to_string().contains(key), "no admin key in the list");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode =
            std::fs::metadata(written["path"].as_str().unwrap()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Hot reload: a new function saved on disk is served without a restart; a syntax error
    // is reported with file and line while the previous version keeps answering.
    let beta_dir = folders.path().join("beta");
    let functions = beta_dir.join("convex/items.ts");
    let original = std::fs::read_to_string(&functions).unwrap();
    std::fs::write(
        &functions,
        format!("{original}\nexport const count = query({{ args: {{}}, handler: async (ctx) => (await ctx.db.query(\"items\").collect()).length }});\n"),
    )
    .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let count = loop {
        if let Ok(value) = beta_client.query("items:count", &args(json!({}))).await {
            break value;
        }
        assert!(std::time::Instant::now() < deadline, "the new function was never served");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(count, atrium_value::Value::Float64(1.0));
    std::fs::write(&functions, format!("{original}\nexport const count = query({{ args: {{}},\n  handler: async (ctx) => ((\n}});\n")).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let error = loop {
        let list = dispatch(&studio, "project_list", json!(null)).await.unwrap();
        if let Some(error) = project(&list, "Beta")["reload_error"].as_str() {
            break error.to_owned();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the syntax error was never reported: {list}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert!(error.contains("items.ts:"), "names the file and line: {error}");
    assert_eq!(
        beta_client.query("items:count", &args(json!({}))).await.unwrap(),
        atrium_value::Value::Float64(1.0),
        "the previous version still answers"
    );
    studio.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn opening_a_folder_says_what_is_missing() {
    let config = tempfile::tempdir().unwrap();
    let studio = common::studio(config.path());
    let folder = tempfile::tempdir().unwrap();
    let no_convex =
        dispatch(&studio, "project_open", json!({"dir": folder.path()})).await.unwrap_err();
    assert!(no_convex.message.contains("has no convex/ folder"), "{}", no_convex.message);
    std::fs::create_dir(folder.path().join("convex")).unwrap();
    std::fs::write(
        folder.path().join("package.json"),
        "{\"dependencies\":{\"convex\":\"1.48.0\"}}",
    )
    .unwrap();
    let no_modules =
        dispatch(&studio, "project_open", json!({"dir": folder.path()})).await.unwrap_err();
    assert!(no_modules.message.contains("no node_modules/convex"), "{}", no_modules.message);
    assert!(no_modules.message.ends_with("&& npm install"), "{}", no_modules.message);
    // A data folder that cannot be used: the start fails saying which folder and why.
    let made = tempfile::tempdir().unwrap();
    let list = dispatch(
        &studio,
        "project_create",
        json!({"name": "Delta", "template": "empty", "dir": made.path().join("delta")}),
    )
    .await
    .unwrap();
    let id = project(&list, "Delta")["id"].as_str().unwrap().to_owned();
    let data = config.path().join("data/local-projects").join(&id);
    std::fs::create_dir_all(data.parent().unwrap()).unwrap();
    std::fs::write(&data, "not a folder").unwrap();
    let refused = dispatch(&studio, "project_start", json!({"id": id})).await.unwrap_err();
    assert!(refused.message.contains(&data.display().to_string()), "{}", refused.message);
    let list = dispatch(&studio, "project_list", json!(null)).await.unwrap();
    assert_eq!(project(&list, "Delta")["state"], "failed");
    dispatch(&studio, "project_remove", json!({"id": id})).await.unwrap();

    let missing =
        dispatch(&studio, "project_open", json!({"dir": "/no/such/folder"})).await.unwrap_err();
    assert!(missing.message.contains("/no/such/folder"), "{}", missing.message);
    assert_eq!(dispatch(&studio, "project_list", json!(null)).await.unwrap(), json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn snapshots_reset_and_environment_variables() {
    let config = tempfile::tempdir().unwrap();
    let folders = tempfile::tempdir().unwrap();
    let studio = common::studio(config.path());
    let dir = folders.path().join("gamma");
    let list = dispatch(
        &studio,
        "project_create",
        json!({"name": "Gamma", "template": "empty", "dir": dir}),
    )
    .await
    .unwrap();
    let id = project(&list, "Gamma")["id"].clone();
    let list = dispatch(&studio, "project_start", json!({"id": id})).await.unwrap();
    let client = DeploymentClient::new(project(&list, "Gamma")["url"].as_str().unwrap()).unwrap();
    for text in ["one", "two"] {
        client.mutation("items:add", &args(json!({"text": text}))).await.unwrap();
    }
    let count = |client: DeploymentClient| async move {
        atrium_value::json::to_json(&client.query("items:list", &args(json!({}))).await.unwrap())
            .as_array()
            .unwrap()
            .len()
    };

    let mut events = studio.subscribe();
    let exported = dispatch(&studio, "project_export", json!({"id": id})).await.unwrap();
    let mut reported = None;
    while let Ok(event) = events.try_recv() {
        if let atrium_studio::StudioEvent::ExportProgress { progress } = event {
            reported = Some((progress.written, progress.total, progress.path));
        }
    }
    let (written, total, path) = reported.expect("the export reported its progress");
    assert_eq!((written, total), (2, 2));
    assert_eq!(Some(path.as_str()), exported["path"].as_str());
    let zip = exported["path"].as_str().unwrap().to_owned();
    assert!(
        zip.ends_with("gamma-snapshot.zip") && exported["bytes"].as_u64().unwrap() > 0,
        "{exported}"
    );

    let unconfirmed = dispatch(&studio, "project_reset", json!({"id": id})).await.unwrap_err();
    assert_eq!(unconfirmed.code, atrium_studio::ErrorCode::NeedsConfirmation);
    assert_eq!(count(client.clone()).await, 2, "nothing was deleted without confirming");
    let list =
        dispatch(&studio, "project_reset", json!({"id": id, "confirmed": true})).await.unwrap();
    let client = DeploymentClient::new(project(&list, "Gamma")["url"].as_str().unwrap()).unwrap();
    assert_eq!(count(client.clone()).await, 0, "reset deletes the documents");
    // History starts again with the reset, after the code load of the restart.
    dispatch(&studio, "project_connect", json!({"id": id})).await.unwrap();
    let history = dispatch(&studio, "history_events", json!({})).await.unwrap();
    let actions: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["reset_deployment", "push_config_with_components"], "{history}");

    let imported =
        dispatch(&studio, "project_import", json!({"id": id, "path": zip})).await.unwrap();
    assert_eq!(imported["documents"], 2);
    assert_eq!(count(client.clone()).await, 2);
    // A second import into data that is there is refused whole (requireEmpty).
    let refused =
        dispatch(&studio, "project_import", json!({"id": id, "path": zip})).await.unwrap_err();
    assert!(refused.message.contains("nothing was written"), "{}", refused.message);
    assert_eq!(count(client.clone()).await, 2);

    // A schema the data does not match: the reload error lists the offending documents,
    // and the previous code keeps serving.
    let schema = dir.join("convex/schema.ts");
    let original_schema = std::fs::read_to_string(&schema).unwrap();
    std::fs::write(&schema, original_schema.replace("text: v.string()", "text: v.number()"))
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let error = loop {
        let list = dispatch(&studio, "project_list", json!(null)).await.unwrap();
        if let Some(error) = project(&list, "Gamma")["reload_error"].as_str() {
            break error.to_owned();
        }
        assert!(std::time::Instant::now() < deadline, "no schema error: {list}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(error.matches("in table `items`").count(), 2, "both documents listed: {error}");
    assert_eq!(count(client.clone()).await, 2);
    // A new index backfills on reload; the error clears.
    std::fs::write(
        &schema,
        original_schema.replace(
            "defineTable({ text: v.string() })",
            "defineTable({ text: v.string() }).index(\"by_text\", [\"text\"])",
        ),
    )
    .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let list = dispatch(&studio, "project_list", json!(null)).await.unwrap();
        if project(&list, "Gamma")["reload_error"].is_null() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the fixed schema never loaded: {list}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let status = dispatch(&studio, "project_connect", json!({"id": id})).await.unwrap();
    assert_eq!(status["deployment"]["name"], "Gamma");
    let schema_info = dispatch(&studio, "data_schema", json!({"table": "items"})).await.unwrap();
    assert!(schema_info.to_string().contains("by_text"), "{schema_info}");

    // A chosen port that is taken: a clear message, and the project is marked failed.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let failed =
        dispatch(&studio, "project_set_port", json!({"id": id, "port": port})).await.unwrap_err();
    assert!(
        failed.message.contains(&format!("Port {port}"))
            && failed.message.contains("already in use"),
        "{}",
        failed.message
    );
    let list = dispatch(&studio, "project_list", json!(null)).await.unwrap();
    assert_eq!(project(&list, "Gamma")["state"], "failed");
    drop(taken);
    let list =
        dispatch(&studio, "project_set_port", json!({"id": id, "port": null})).await.unwrap();
    assert_eq!(project(&list, "Gamma")["port"], Value::Null);
    let list = dispatch(&studio, "project_start", json!({"id": id})).await.unwrap();
    assert_eq!(project(&list, "Gamma")["state"], "running");

    let vars =
        dispatch(&studio, "project_env_set", json!({"id": id, "name": "GREETING", "value": "hi"}))
            .await
            .unwrap();
    assert_eq!(vars, json!([{"name": "GREETING", "value": "hi"}]));
    let vars =
        dispatch(&studio, "project_env_set", json!({"id": id, "name": "GREETING", "value": null}))
            .await
            .unwrap();
    assert_eq!(vars, json!([]));
    studio.shutdown().await;
}
