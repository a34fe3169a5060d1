//! SQL over a deployment's tables (polars) against a real `atrium-server`: WHERE on a
//! nested field, GROUP BY, a JOIN on an ID field, errors with their position, mixed-type
//! fields explained, tables reloaded when the deployment changes them, and exports to CSV,
//! JSON Lines and Parquet read back equal.

use std::time::Duration;

use atrium_client::DeploymentClient;
use atrium_client::dashboard::Write;
use atrium_server::test_support::serve_fixture;
use atrium_studio::StudioEvent;
use atrium_studio::commands::dispatch;
use atrium_studio::sql::export::{ExportFormat, read_frame};
use serde_json::{Value, json};

use crate::common;

fn value(json: Value) -> atrium_value::Value {
    atrium_value::json::from_json(&json).unwrap()
}

async fn insert(client: &DeploymentClient, table: &str, documents: Vec<Value>) -> Vec<String> {
    let writes: Vec<Write> = documents
        .into_iter()
        .map(|d| Write::Insert { table: table.into(), document: value(d) })
        .collect();
    let answer = client.apply_writes(&writes).await.unwrap();
    let answer = atrium_value::json::to_json(&answer);
    answer["inserted"].as_array().unwrap().iter().map(|i| i.as_str().unwrap().to_owned()).collect()
}

async fn sql(studio: &std::sync::Arc<atrium_studio::Studio>, text: &str) -> (Value, Vec<Value>) {
    let outcome = dispatch(studio, "sql_run", json!({"sql": text})).await.unwrap();
    let result = outcome["result"].clone();
    assert!(result.is_object(), "{text}: {outcome}");
    let rows = dispatch(
        studio,
        "sql_rows",
        json!({"result": result["result"], "offset": 0, "limit": 1000}),
    )
    .await
    .unwrap();
    (result, rows["rows"].as_array().unwrap().clone())
}

#[tokio::test(flavor = "multi_thread")]
async fn sql_over_tables_with_nested_fields_groups_joins_and_exports() {
    let (server, deployment, _data) = serve_fixture("kitchen", "studio-sql").await;
    let client =
        DeploymentClient::new(&server.cloud_url).unwrap().with_admin_key(deployment.admin_key());
    let users = insert(
        &client,
        "users",
        vec![
            json!({"name": "ann", "profile": {"city": "Tokyo", "age": 31.0}}),
            json!({"name": "bob", "profile": {"city": "Oslo", "age": 45}}),
            json!({"name": "cy", "profile": {"city": "Tokyo", "age": 27.0}}),
        ],
    )
    .await;
    insert(
        &client,
        "posts",
        vec![
            json!({"author": users[0], "title": "one", "likes": 3}),
            json!({"author": users[0], "title": "two", "likes": 5}),
            json!({"author": users[1], "title": "three", "likes": 7.0}),
        ],
    )
    .await;
    let config = tempfile::tempdir().unwrap();
    let studio = common::studio(config.path());
    let mut events = studio.subscribe();
    common::connect(&studio, &server.cloud_url, deployment.admin_key()).await;

    // WHERE on a nested field (`table.field.sub` works too). Convex numbers are float64.
    let (result, rows) = sql(
        &studio,
        "SELECT name, profile.age AS age FROM users WHERE users.profile.city = 'Tokyo' ORDER BY name",
    )
    .await;
    assert_eq!(rows, vec![json!({"name": "ann", "age": 31.0}), json!({"name": "cy", "age": 27.0})]);
    assert_eq!(result["columns"], json!(["name", "age"]));
    assert_eq!(result["tables"][0]["documents"], 3);
    // Loading announced its progress.
    let mut saw_progress = false;
    while let Ok(event) = events.try_recv() {
        if let StudioEvent::SqlLoadProgress { progress } = event {
            saw_progress |=
                progress.table == "users" && progress.loaded == 3 && progress.total == 3;
        }
    }
    assert!(saw_progress);

    // GROUP BY.
    let (_, rows) = sql(
        &studio,
        "SELECT profile.city AS city, count(*) AS people, max(profile.age) AS oldest \
         FROM users GROUP BY profile.city ORDER BY city",
    )
    .await;
    assert_eq!(
        rows,
        vec![
            json!({"city": "Oslo", "people": 1, "oldest": 45.0}),
            json!({"city": "Tokyo", "people": 2, "oldest": 31.0}),
        ]
    );

    // A JOIN of two tables on an ID field.
    let (_, rows) = sql(
        &studio,
        "SELECT u.name, count(*) AS posts, sum(p.likes) AS likes \
         FROM posts p JOIN users u ON p.author = u._id GROUP BY u.name ORDER BY u.name",
    )
    .await;
    assert_eq!(
        rows,
        vec![
            json!({"name": "ann", "posts": 2, "likes": 8.0}),
            json!({"name": "bob", "posts": 1, "likes": 7.0})
        ]
    );

    // Bad SQL: the message and where it is.
    let outcome = dispatch(&studio, "sql_run", json!({"sql": "SELECT name\nFROM users WHERE"}))
        .await
        .unwrap();
    let error = &outcome["error"];
    assert!(outcome["result"].is_null(), "{outcome}");
    assert_eq!((error["line"].as_u64(), error["column"].as_u64()), (Some(2), Some(17)), "{error}");
    let outcome =
        dispatch(&studio, "sql_run", json!({"sql": "SELECT name\nFROM users WHERE WHERE n = 1"}))
            .await
            .unwrap();
    let error = &outcome["error"];
    // `WHERE WHERE` reads as a column named WHERE; the parser stops at `n`.
    assert_eq!((error["line"].as_u64(), error["column"].as_u64()), (Some(2), Some(24)), "{error}");
    assert!(error["message"].as_str().unwrap().contains("found: n"), "{error}");
    let outcome =
        dispatch(&studio, "sql_run", json!({"sql": "SELECT * FROM nowhere"})).await.unwrap();
    let message = outcome["error"]["message"].as_str().unwrap();
    // The tables it knows are named (the kitchen's "tidy up" cron may have made `secrets`).
    assert!(
        message.contains("nowhere") && message.contains("posts, ") && message.contains("users"),
        "{message}"
    );

    // A change on the deployment reloads the table; a mixed-type field is explained.
    insert(
        &client,
        "users",
        vec![json!({"name": "dee", "profile": {"city": "Lima", "age": "forty"}})],
    )
    .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let reloaded = loop {
        match tokio::time::timeout_at(deadline, events.recv()).await.expect("a reload").unwrap() {
            StudioEvent::SqlTableReloaded { table } if table.name == "users" => break table,
            _ => continue,
        }
    };
    assert_eq!(reloaded.documents, 4);
    assert!(
        reloaded.notes.iter().any(|n| n.contains("`users.profile.age` holds number and string")),
        "{:?}",
        reloaded.notes
    );
    let (_, rows) = sql(&studio, "SELECT count(*) AS n FROM users").await;
    assert_eq!(rows, vec![json!({"n": 4})]);

    // Export round trips.
    let (result, rows) = sql(&studio, "SELECT * FROM users ORDER BY name").await;
    assert_eq!(rows.len(), 4);
    for format in ["csv", "jsonl", "parquet"] {
        let done =
            dispatch(&studio, "sql_export", json!({"result": result["result"], "format": format}))
                .await
                .unwrap();
        let path = std::path::PathBuf::from(done["path"].as_str().unwrap());
        assert!(path.starts_with(config.path().join("exports")), "{path:?}");
        assert_eq!(done["rows"], 4);
        let format: ExportFormat = serde_json::from_value(json!(format)).unwrap();
        let back = read_frame(&path, format).unwrap();
        assert_eq!(back.height(), 4, "{format:?}");
        let names: Vec<String> = back
            .column("name")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|n| n.unwrap().to_owned())
            .collect();
        assert_eq!(names, vec!["ann", "bob", "cy", "dee"], "{format:?}");
        if format != ExportFormat::Csv {
            let city =
                back.column("profile").unwrap().struct_().unwrap().field_by_name("city").unwrap();
            assert_eq!(city.str().unwrap().get(0), Some("Tokyo"), "{format:?}");
        }
    }
    // A whole table, without a query.
    let done = dispatch(&studio, "sql_export", json!({"table": "posts", "format": "jsonl"}))
        .await
        .unwrap();
    assert!(done["path"].as_str().unwrap().ends_with("posts.jsonl"));
    assert_eq!(std::fs::read_to_string(done["path"].as_str().unwrap()).unwrap().lines().count(), 3);

    // The Data area's views as they stand: a filtered scan, and a whole window.
    let scan = dispatch(
        &studio,
        "data_open",
        json!({"table": "posts", "filter": {"clauses": [{"field": "likes", "op": "gt", "value": 4}]}}),
    )
    .await
    .unwrap();
    assert_eq!(scan["info"]["mode"], "scan");
    let done =
        dispatch(&studio, "data_export", json!({"view": scan["info"]["view"], "format": "csv"}))
            .await
            .unwrap();
    assert_eq!(done["rows"], 2, "only the posts the filter keeps");
    let back = read_frame(std::path::Path::new(done["path"].as_str().unwrap()), ExportFormat::Csv)
        .unwrap();
    let mut titles: Vec<String> = back
        .column("title")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|t| t.unwrap().to_owned())
        .collect();
    titles.sort();
    assert_eq!(titles, vec!["three", "two"]);
    let window = dispatch(&studio, "data_open", json!({"table": "users"})).await.unwrap();
    assert_eq!(window["info"]["mode"], "window");
    let done = dispatch(
        &studio,
        "data_export",
        json!({"view": window["info"]["view"], "format": "parquet"}),
    )
    .await
    .unwrap();
    assert_eq!(done["rows"], 4);
    server.stop().await;
}
