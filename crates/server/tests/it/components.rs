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

/// `components:list`'s `{path: id}`, and the ticker's `httpPrefix`.
async fn component_ids(
    cloud_url: &str,
    key: &str,
) -> (std::collections::BTreeMap<String, String>, Value) {
    let body = json!({"path": "_system/frontend/components:list", "args": {}, "format": "json"});
    let list = post(&format!("{cloud_url}/api/function"), body, Some(key)).await;
    let list = list["value"].as_array().unwrap_or_else(|| panic!("{list}")).clone();
    let ids = list
        .iter()
        .map(|c| (c["path"].as_str().unwrap().to_owned(), c["id"].as_str().unwrap().to_owned()))
        .collect();
    let ticker = list.iter().find(|c| c["path"] == "ticker").unwrap()["httpPrefix"].clone();
    (ids, ticker)
}

#[tokio::test(flavor = "multi_thread")]
async fn component_ids_are_stable_across_reloads_and_restarts() {
    let (server, deployment, data) = serve_fixture("components", "components-ids").await;
    let key = deployment.admin_key().to_owned();
    let (ids, ticker_prefix) = component_ids(&server.cloud_url, &key).await;
    assert_eq!(ids.len(), 13, "{ids:?}");
    for (path, id) in &ids {
        // Convex-shaped: the ID of the instance's `_components` document, not its path.
        assert!(atrium_value::DocumentId::decode(id).is_ok(), "{path}: {id}");
        assert_ne!(path, id);
    }
    assert_eq!(ticker_prefix, json!("/ticker/"));

    // A `componentId` names the instance for the dashboard's functions; its path works too
    // (what the CLI sends); anything else is refused, naming it.
    let function = format!("{}/api/function", server.cloud_url);
    let crons = |component: &str| json!({"path": "_system/frontend/listCronJobs", "args": {"componentId": component}, "format": "json"});
    for component in [ids["ticker"].as_str(), "ticker"] {
        let listed = post(&function, crons(component), Some(&key)).await;
        assert_eq!(listed["value"][0]["name"], "tick", "{component}: {listed}");
    }
    let app = post(&function, crons(&ids[""]), Some(&key)).await;
    assert!(app["value"].as_array().unwrap().iter().all(|c| c["name"] != "tick"), "{app}");
    let unknown = post(&function, crons("nope"), Some(&key)).await;
    assert!(unknown["errorMessage"].as_str().unwrap().contains("\"nope\""), "{unknown}");

    // The same code loaded again keeps every ID.
    let project = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/components");
    deployment.reload_project(&project, &|_, _, _, _| {}).unwrap();
    assert_eq!(component_ids(&server.cloud_url, &key).await.0, ids, "after a reload");

    // And so does a restart on the same data folder.
    server.stop().await;
    deployment.stop();
    deployment.scheduler().wait_idle();
    drop(deployment);
    let deployment = atrium_server::Deployment::open(atrium_server::DeploymentConfig {
        project_dir: Some(project),
        data_dir: data.path().to_path_buf(),
        instance_name: "components-ids".into(),
        admin_key: None,
    })
    .unwrap();
    let config = atrium_server::ServerConfig { port: 0, site_port: 0, ..Default::default() };
    let server = atrium_server::serve(deployment.clone(), config).await.unwrap();
    assert_eq!(component_ids(&server.cloud_url, &key).await.0, ids, "after a restart");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn schedules_and_files_are_each_components_own() {
    let (server, deployment, _data) = serve_fixture("components", "components-scopes").await;
    let key = deployment.admin_key().to_owned();
    let ticker = component_ids(&server.cloud_url, &key).await.0["ticker"].clone();
    let function = format!("{}/api/function", server.cloud_url);
    let run = |path: &str, args: Value, component: &str| json!({"path": path, "args": args, "format": "json", "componentPath": component});
    let system = |path: &str, args: Value| json!({"path": path, "args": args, "format": "json"});
    let value = |answer: Value| {
        assert_eq!(answer["status"], "success", "{answer}");
        answer["value"].clone()
    };

    // A job the component schedules is in its own list, not the app's.
    let job = value(post(&function, run("ticks:tickLater", json!({}), "ticker"), Some(&key)).await);
    let jobs = |component: Option<&str>| {
        let args =
            json!({"componentId": component, "paginationOpts": {"numItems": 50, "cursor": null}});
        system("_system/frontend/paginatedScheduledJobs", args)
    };
    let ids_of = |page: &Value| -> Vec<String> {
        page.as_array().unwrap().iter().map(|j| j["_id"].as_str().unwrap().to_owned()).collect()
    };
    let theirs = value(post(&function, jobs(Some(&ticker)), Some(&key)).await);
    assert_eq!(ids_of(&theirs["page"]), [job.as_str().unwrap()], "{theirs}");
    let apps = value(post(&function, jobs(None), Some(&key)).await);
    assert!(!ids_of(&apps["page"]).contains(&job.as_str().unwrap().to_owned()), "{apps}");
    let history = |state: &str| {
        system(
            "_system/atrium/scheduledFunctions",
            json!({"componentId": ticker.clone(), "state": state}),
        )
    };
    assert_eq!(ids_of(&value(post(&function, history("pending"), Some(&key)).await)).len(), 1);
    // Cancelling all of the app's leaves the component's job; the component's cancels it.
    let cancel = format!("{}/api/cancel_all_jobs", server.cloud_url);
    post(&cancel, json!({}), Some(&key)).await;
    assert_eq!(ids_of(&value(post(&function, history("pending"), Some(&key)).await)).len(), 1);
    post(&cancel, json!({"componentId": ticker.clone()}), Some(&key)).await;
    let canceled = value(post(&function, history("canceled"), Some(&key)).await);
    assert_eq!(ids_of(&canceled), [job.as_str().unwrap()]);

    // A file the component stores is in its own storage, listed and served from there.
    let stored = value(
        post(&function, run("ticks:storeText", json!({"text": "tick tock"}), "ticker"), Some(&key))
            .await,
    );
    let stored = stored.as_str().unwrap().to_owned();
    let files = |component: Option<&str>| {
        let args =
            json!({"componentId": component, "paginationOpts": {"numItems": 50, "cursor": null}});
        system("_system/frontend/fileStorageV2:fileMetadata", args)
    };
    let theirs = value(post(&function, files(Some(&ticker)), Some(&key)).await);
    assert_eq!(ids_of(&theirs["page"]), std::slice::from_ref(&stored), "{theirs}");
    assert_eq!(ids_of(&value(post(&function, files(None), Some(&key)).await)["page"]).len(), 0);
    let url = theirs["page"][0]["url"].as_str().unwrap().to_owned();
    assert_eq!(reqwest::get(&url).await.unwrap().text().await.unwrap(), "tick tock");
    let get = |component: Option<&str>| {
        let args = json!({"componentId": component, "storageId": stored.clone()});
        system("_system/frontend/fileStorageV2:getFile", args)
    };
    assert_eq!(value(post(&function, get(None), Some(&key)).await), Value::Null);
    assert_eq!(value(post(&function, get(Some(&ticker)), Some(&key)).await)["size"], 9.0);

    // An upload URL issued for the component stores the file there.
    let upload_url = value(
        post(
            &function,
            system(
                "_system/frontend/fileStorageV2:generateUploadUrl",
                json!({"componentId": ticker.clone()}),
            ),
            Some(&key),
        )
        .await,
    );
    let uploaded: Value = reqwest::Client::new()
        .post(upload_url.as_str().unwrap())
        .body("uploaded")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let count = |component: Option<&str>| {
        system("_system/frontend/fileStorageV2:numFiles", json!({"componentId": component}))
    };
    assert_eq!(value(post(&function, count(Some(&ticker)), Some(&key)).await), 2.0);
    assert_eq!(value(post(&function, count(None), Some(&key)).await), 0.0);

    // Deleting through the app's scope finds no such file; through the component's it goes.
    let delete = |component: Option<&str>| {
        let args = json!({"componentId": component, "storageIds": [uploaded["storageId"].clone()]});
        system("_system/frontend/fileStorageV2:deleteFiles", args)
    };
    let refused = post(&function, delete(None), Some(&key)).await;
    assert!(
        refused["errorMessage"].as_str().unwrap_or_default().contains("not found"),
        "{refused}"
    );
    value(post(&function, delete(Some(&ticker)), Some(&key)).await);
    assert_eq!(value(post(&function, count(Some(&ticker)), Some(&key)).await), 1.0);
    server.stop().await;
}
