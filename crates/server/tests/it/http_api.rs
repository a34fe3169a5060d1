//! The HTTP API over real sockets on 127.0.0.1, serving the chat and kitchen fixtures.

use std::sync::Arc;

use atrium_server::test_support::serve_fixture;
use atrium_server::{ADMIN_ROUTES, Deployment, DeploymentConfig, RunningServer};
use serde_json::{Value, json};

struct Fixture {
    server: RunningServer,
    deployment: Arc<Deployment>,
    _data: tempfile::TempDir,
}

async fn start(project: &str) -> Fixture {
    let (server, deployment, data) = serve_fixture(project, "test-instance").await;
    Fixture { server, deployment, _data: data }
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

async fn post(f: &Fixture, path: &str, body: Value, key: Option<&str>) -> (u16, Value) {
    let mut request = client().post(format!("{}{path}", f.server.cloud_url)).json(&body);
    if let Some(key) = key {
        request = request.header("authorization", format!("Convex {key}"));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn every_admin_route_refuses_a_missing_or_wrong_key() {
    let f = start("chat").await;
    for route in ADMIN_ROUTES {
        // The table holds routed paths; a path parameter gets a concrete value.
        let (method, path) = (route.method, route.path.replace("{key}", "0"));
        for key in [None, Some("test-instance|0000"), Some("someone-else|1234")] {
            let url = format!("{}{path}", f.server.cloud_url);
            let mut request = match method {
                "GET" => client().get(&url),
                _ => client().post(&url).json(&json!({"path": "messages:list", "args": {}})),
            };
            if let Some(key) = key {
                request = request.header("authorization", format!("Convex {key}"));
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status().as_u16(), 401, "{method} {path} with {key:?}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["code"], "BadAdminKey", "{method} {path}: {body}");
        }
    }
    let key = f.deployment.admin_key().to_owned();
    let ok = client()
        .get(format!("{}/api/check_admin_key", f.server.cloud_url))
        .header("authorization", format!("Convex {key}"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    f.server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn mutations_and_queries_round_trip_in_both_formats() {
    let f = start("chat").await;
    let (status, sent) = post(&f, "/api/mutation", json!({"path": "messages:send", "args": [{"body": "hi", "author": "ada"}], "format": "convex_encoded_json"}), None).await;
    assert_eq!((status, &sent), (200, &json!({"status": "success", "value": null})));
    let (_, listed) =
        post(&f, "/api/query", json!({"path": "messages:list", "args": {}}), None).await;
    assert_eq!(listed["status"], "success");
    assert_eq!(listed["value"][0]["body"], "hi");
    assert!(listed["value"][0]["_creationTime"].is_number());

    let (_, wrong) = post(
        &f,
        "/api/query",
        json!({"path": "messages:send", "args": {"body": "x", "author": "y"}}),
        None,
    )
    .await;
    assert_eq!(wrong["status"], "error");
    assert!(
        wrong["errorMessage"].as_str().unwrap().contains("registered as a mutation"),
        "{wrong}"
    );
    let (_, bad_args) =
        post(&f, "/api/mutation", json!({"path": "messages:send", "args": {"body": 1}}), None)
            .await;
    assert!(
        bad_args["errorMessage"].as_str().unwrap().contains("ArgumentValidationError"),
        "{bad_args}"
    );
    let (status, bad_format) =
        post(&f, "/api/query", json!({"path": "messages:list", "args": {}, "format": "xml"}), None)
            .await;
    assert_eq!((status, bad_format["code"].as_str()), (400, Some("BadFormat")));
    f.server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn snapshots_batches_and_run_paths() {
    let f = start("chat").await;
    post(
        &f,
        "/api/mutation",
        json!({"path": "messages:send", "args": {"body": "one", "author": "a"}}),
        None,
    )
    .await;
    let ts = client()
        .post(format!("{}/api/query_ts", f.server.cloud_url))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["ts"]
        .clone();
    post(
        &f,
        "/api/mutation",
        json!({"path": "messages:send", "args": {"body": "two", "author": "a"}}),
        None,
    )
    .await;
    let (_, then) =
        post(&f, "/api/query_at_ts", json!({"path": "messages:list", "args": {}, "ts": ts}), None)
            .await;
    assert_eq!(
        then["value"].as_array().unwrap().len(),
        1,
        "the earlier snapshot has one message: {then}"
    );
    let (_, batch) = post(&f, "/api/query_batch", json!({"queries": [{"path": "messages:list", "args": {}}, {"path": "messages:nope", "args": {}}]}), None).await;
    assert_eq!(batch["results"][0]["value"].as_array().unwrap().len(), 2);
    assert_eq!(batch["results"][1]["status"], "error");

    let key = f.deployment.admin_key().to_owned();
    let (_, run) = post(&f, "/api/run/messages/list", json!({"args": {}}), Some(&key)).await;
    assert_eq!(run["value"].as_array().unwrap().len(), 2);
    let (status, missing) = post(&f, "/api/run/list", json!({}), Some(&key)).await;
    assert_eq!((status, missing["code"].as_str()), (400, Some("MissingIdentifier")));
    let (_, function) = post(
        &f,
        "/api/function",
        json!({"path": "messages:send", "args": {"body": "three", "author": "b"}}),
        Some(&key),
    )
    .await;
    assert_eq!(function["status"], "success", "{function}");
    f.server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn internal_functions_need_the_admin_key_and_identities_pass_through() {
    let f = start("kitchen").await;
    let (_, anonymous) =
        post(&f, "/api/mutation", json!({"path": "checks:secret", "args": {}}), None).await;
    assert!(
        anonymous["errorMessage"]
            .as_str()
            .unwrap()
            .contains("Could not find public function for 'checks:secret'"),
        "{anonymous}"
    );
    let key = f.deployment.admin_key().to_owned();
    let (_, admin) =
        post(&f, "/api/mutation", json!({"path": "checks:secret", "args": {}}), Some(&key)).await;
    assert_eq!(admin["value"], "done");

    use base64::Engine as _;
    let identity = base64::engine::general_purpose::STANDARD
        .encode(br#"{"issuer":"https://convex.test","subject":"u1","name":"Ann"}"#);
    let (_, me) = post(
        &f,
        "/api/query",
        json!({"path": "auth:whoami", "args": {}}),
        Some(&format!("{key}:{identity}")),
    )
    .await;
    assert_eq!(me["value"], json!({"name": "Ann", "token": "https://convex.test|u1"}));

    let (_, failing) = post(
        &f,
        "/api/mutation",
        json!({"path": "checks:fail", "args": {"code": "E1"}, "format": "convex_encoded_json"}),
        None,
    )
    .await;
    assert_eq!(failing["errorData"], json!({"code": "E1", "message": "Nope"}));
    assert!(failing["errorMessage"].as_str().unwrap().starts_with("[Request ID: "));
    let (_, logs) = post(&f, "/api/query", json!({"path": "checks:logs", "args": {}}), None).await;
    assert_eq!(logs["logLines"][1], "[INFO] information");
    f.server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn http_actions_answer_on_both_ports_and_cors_is_mirrored() {
    let f = start("kitchen").await;
    let hello = client().get(format!("{}/http/hello", f.server.cloud_url)).send().await.unwrap();
    assert_eq!(hello.text().await.unwrap(), "hello");
    let echo = client()
        .post(format!("{}/echo?q=site", f.server.site_url))
        .header("content-type", "application/json")
        .body(r#"{"x":1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(echo.status().as_u16(), 201);
    assert_eq!(echo.headers()["x-echo"], "yes");
    let body: Value = echo.json().await.unwrap();
    assert_eq!((body["got"]["x"].clone(), body["q"].clone()), (json!(1), json!("site")));
    let missing = client().get(format!("{}/nowhere", f.server.site_url)).send().await.unwrap();
    assert_eq!(missing.status().as_u16(), 404);

    let preflight = client()
        .request(reqwest::Method::OPTIONS, format!("{}/api/query", f.server.cloud_url))
        .header("origin", "http://localhost:5173")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type,convex-client")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.headers()["access-control-allow-origin"], "http://localhost:5173");
    assert_eq!(preflight.headers()["access-control-allow-credentials"], "true");

    let root = client().get(&f.server.cloud_url).send().await.unwrap().text().await.unwrap();
    assert!(root.starts_with("This Convex deployment is running"));
    let name = client()
        .get(format!("{}/instance_name", f.server.cloud_url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(name, "test-instance");
    f.server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_admin_key_is_kept_in_a_private_file_and_reused() {
    let data = tempfile::tempdir().unwrap();
    let config = || DeploymentConfig {
        project_dir: None,
        data_dir: data.path().to_path_buf(),
        instance_name: "keyed".into(),
        admin_key: None,
    };
    let first = Deployment::open(config()).unwrap().admin_key().to_owned();
    let second = Deployment::open(config()).unwrap().admin_key().to_owned();
    assert_eq!(first, second);
    assert!(first.starts_with("keyed|"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.path().join("admin_key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_log_stream_tails_executions() {
    let f = start("chat").await;
    let key = f.deployment.admin_key().to_owned();
    let logs = |cursor: f64| {
        let url = format!("{}/api/stream_function_logs?cursor={cursor}", f.server.cloud_url);
        let key = key.clone();
        async move {
            client()
                .get(url)
                .header("authorization", format!("Convex {key}"))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    post(
        &f,
        "/api/mutation",
        json!({"path": "messages:send", "args": {"body": "a", "author": "b"}}),
        None,
    )
    .await;
    let head = logs(0.0).await;
    assert_eq!(head["entries"][0]["identifier"], "messages:send");
    assert_eq!(head["entries"][0]["kind"], "Completion");
    let cursor = head["newCursor"].as_f64().unwrap();

    // A long poll waits for the next execution.
    let waiting = tokio::spawn(logs(cursor));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    post(&f, "/api/query", json!({"path": "messages:list", "args": {}}), None).await;
    let next = waiting.await.unwrap();
    assert_eq!(next["entries"].as_array().unwrap().len(), 1);
    assert_eq!(next["entries"][0]["udfType"], "Query");
    assert!(next["newCursor"].as_f64().unwrap() > cursor);
    f.server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn environment_variables_reach_functions_and_the_cli_queries() {
    let f = start("kitchen").await;
    let key = f.deployment.admin_key().to_owned();
    let (status, _) = post(&f, "/api/update_environment_variables", json!({"changes": [{"name": "GREETING", "value": "hello from env"}, {"name": "OTHER", "value": "x"}]}), Some(&key)).await;
    assert_eq!(status, 200);
    let (status, bad) = post(
        &f,
        "/api/update_environment_variables",
        json!({"changes": [{"name": "bad-name", "value": "x"}]}),
        Some(&key),
    )
    .await;
    assert_eq!((status, bad["code"].as_str()), (400, Some("InvalidEnvironmentVariables")));
    post(
        &f,
        "/api/update_environment_variables",
        json!({"changes": [{"name": "OTHER", "value": null}]}),
        Some(&key),
    )
    .await;

    let (_, globals) =
        post(&f, "/api/query", json!({"path": "web:globals", "args": {}}), None).await;
    assert_eq!(globals["value"]["env"], "hello from env");
    let listed: Value = client()
        .get(format!("{}/api/list_environment_variables", f.server.cloud_url))
        .header("authorization", format!("Convex {key}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed, json!({"environmentVariables": {"GREETING": "hello from env"}}));
    let (_, env_list) = post(
        &f,
        "/api/query",
        json!({"path": "_system/cli/queryEnvironmentVariables:default", "args": {}}),
        Some(&key),
    )
    .await;
    assert_eq!(env_list["value"][0]["name"], "GREETING");
    let (_, env_get) = post(
        &f,
        "/api/query",
        json!({"path": "_system/cli/queryEnvironmentVariables:get", "args": {"name": "NOPE"}}),
        Some(&key),
    )
    .await;
    assert_eq!(env_get["value"], Value::Null);
    f.server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_system_functions_answer_for_admins_only() {
    let f = start("chat").await;
    let key = f.deployment.admin_key().to_owned();
    for i in 0..5 {
        post(
            &f,
            "/api/mutation",
            json!({"path": "messages:send", "args": {"body": format!("m{i}"), "author": "a"}}),
            None,
        )
        .await;
    }
    let (_, denied) =
        post(&f, "/api/query", json!({"path": "_system/cli/tables:default", "args": {}}), None)
            .await;
    assert!(denied["errorMessage"].as_str().unwrap().contains("admin key"), "{denied}");

    let (_, tables) = post(&f, "/api/query", json!({"path": "_system/cli/tables:default", "args": {"paginationOpts": {"cursor": null, "numItems": 10000}}}), Some(&key)).await;
    assert_eq!(tables["value"]["page"], json!([{"name": "messages"}]));
    let (_, size) = post(
        &f,
        "/api/query",
        json!({"path": "_system/cli/tableSize:default", "args": {"tableName": "messages"}}),
        Some(&key),
    )
    .await;
    assert_eq!(size["value"], 5.0);

    let mut bodies = Vec::new();
    let mut cursor = Value::Null;
    loop {
        let (_, page) = post(&f, "/api/query", json!({"path": "_system/cli/tableData:default", "args": {"table": "messages", "order": "desc", "paginationOpts": {"cursor": cursor, "numItems": 2}}}), Some(&key)).await;
        bodies.extend(
            page["value"]["page"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["body"].as_str().unwrap().to_owned()),
        );
        if page["value"]["isDone"] == true {
            break;
        }
        cursor = page["value"]["continueCursor"].clone();
    }
    assert_eq!(bodies, vec!["m4", "m3", "m2", "m1", "m0"]);

    let (_, spec) = post(
        &f,
        "/api/query",
        json!({"path": "_system/cli/modules:apiSpec", "args": {}}),
        Some(&key),
    )
    .await;
    let identifiers: Vec<&str> =
        spec["value"].as_array().unwrap().iter().filter_map(|s| s["identifier"].as_str()).collect();
    assert_eq!(
        identifiers,
        vec![
            "messages.js:byAuthor",
            "messages.js:feed",
            "messages.js:list",
            "messages.js:remove",
            "messages.js:search",
            "messages.js:send",
            "messages.js:sendSlowly"
        ]
    );
    f.server.stop().await;
}

/// A stand-in upstream that sends `0;`, `1;`, `2;` as chunks, each only once the client
/// has received the previous one (it notes when it waited in vain).
fn gated_upstream(
    delivered: Arc<std::sync::atomic::AtomicUsize>,
    stalled: Arc<std::sync::atomic::AtomicBool>,
) -> String {
    use std::io::{Read, Write};
    use std::sync::atomic::Ordering;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut buffer = [0u8; 4096];
        let _ = stream.read(&mut buffer);
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        );
        for k in 0..3 {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
            while delivered.load(Ordering::SeqCst) < k && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            if delivered.load(Ordering::SeqCst) < k {
                stalled.store(true, Ordering::SeqCst);
            }
            let _ = stream.write_all(format!("2\r\n{k};\r\n").as_bytes());
            let _ = stream.flush();
        }
        let _ = stream.write_all(b"0\r\n\r\n");
    });
    format!("http://{address}/")
}

#[tokio::test(flavor = "multi_thread")]
async fn http_actions_stream_their_bodies_as_produced() {
    use std::sync::atomic::Ordering;
    let f = start("sdks").await;
    let delivered = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let stalled = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let upstream = gated_upstream(delivered.clone(), stalled.clone());
    let mut response = client()
        .get(format!("{}/passthrough?upstream={upstream}", f.server.site_url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let mut body = String::new();
    while let Some(chunk) = response.chunk().await.unwrap() {
        body.push_str(std::str::from_utf8(&chunk).unwrap());
        delivered.store(body.matches(';').count(), Ordering::SeqCst);
    }
    assert_eq!(body, "0;1;2;");
    assert!(
        !stalled.load(Ordering::SeqCst),
        "the upstream waited for a chunk the client never got"
    );
}

/// Queries over HTTP go through the query cache, as on Convex: a repeated query is answered
/// with the earlier run's result and log lines, logged as a cached execution, until a commit
/// touches what it read; a commit elsewhere does not end it.
#[tokio::test(flavor = "multi_thread")]
async fn a_repeated_http_query_is_answered_from_the_cache_until_its_data_changes() {
    let f = start("chat").await;
    let by_ann = json!({"path": "messages:byAuthor", "args": {"author": "ann"}});
    let send = |author: &str| json!({"path": "messages:send", "args": {"body": format!("from {author}"), "author": author}});
    let entries = || -> Vec<Value> {
        let records = f.deployment.engine().logs().read_after(0, 100_000).unwrap();
        records
            .into_iter()
            .map(|r| r.entry)
            .filter(|e| e["identifier"].as_str().is_some_and(|i| i.contains("byAuthor")))
            .collect()
    };
    let (_, first) = post(&f, "/api/query", by_ann.clone(), None).await;
    assert_eq!(first["value"], json!([]));
    post(&f, "/api/mutation", send("bob"), None).await;
    let (_, second) = post(&f, "/api/query", by_ann.clone(), None).await;
    assert_eq!(second, first);
    let cached: Vec<Value> = entries().iter().map(|e| e["cachedResult"].clone()).collect();
    assert_eq!(cached, vec![json!(false), json!(true)], "bob's message touched nothing it read");

    post(&f, "/api/mutation", send("ann"), None).await;
    let (_, third) = post(&f, "/api/query", by_ann.clone(), None).await;
    assert_eq!(third["value"][0]["body"], "from ann", "never the outdated result: {third}");
    assert_eq!(entries().last().unwrap()["cachedResult"], false, "ran again");

    // Another caller is another key: an admin's query runs for itself.
    let key = f.deployment.admin_key().to_owned();
    let (_, admin) = post(&f, "/api/query", by_ann, Some(&key)).await;
    assert_eq!(admin["value"], third["value"]);
    assert_eq!(entries().last().unwrap()["cachedResult"], false);
    f.server.stop().await;
}
