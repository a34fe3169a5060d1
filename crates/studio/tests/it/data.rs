//! The Data area's commands against a real `atrium-server`: tables with counts, a live
//! window view, a filtered and sorted scan view that stays live, writes committed in one
//! transaction, safe modes, document history, and the search box (said not offered by a
//! deployment that answers only what Convex does).

use std::time::Duration;

use atrium_client::DeploymentClient;
use atrium_server::test_support::{serve_fixture, serve_fixture_as_convex};
use atrium_studio::commands::dispatch;
use atrium_studio::{ErrorCode, StudioEvent};
use serde_json::{Value, json};

use crate::common;

fn bodies(rows: &Value) -> Vec<String> {
    rows["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["body"].as_str().unwrap().to_owned())
        .collect()
}

/// Waits for a `data_view_changed` of `view` whose info satisfies `done`.
async fn changed(
    events: &mut tokio::sync::broadcast::Receiver<StudioEvent>,
    view: u64,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let event =
            tokio::time::timeout_at(deadline, events.recv()).await.expect("a view update").unwrap();
        if let StudioEvent::DataViewChanged { info } = event {
            let info = serde_json::to_value(info).unwrap();
            if info["view"] == view && done(&info) {
                return info;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn browse_filter_sort_edit_and_watch() {
    let (server, deployment, _data) = serve_fixture("chat", "studio-data").await;
    let config = tempfile::tempdir().unwrap();
    let studio = common::studio(config.path());
    let id = common::connect(&studio, &server.cloud_url, deployment.admin_key()).await;

    // Thirty messages in one commit.
    let writes: Vec<Value> = (0..30)
        .map(|n| {
            let author = if n % 2 == 0 { "ann" } else { "bob" };
            json!({"op": "insert", "table": "messages",
                   "document": {"author": author, "body": format!("m{n:02}")}})
        })
        .collect();
    let applied = dispatch(&studio, "data_apply", json!({"writes": writes})).await.unwrap();
    assert_eq!(
        (applied["inserted"].as_array().unwrap().len(), applied["atomic"].clone()),
        (30, json!(true))
    );
    let tables = dispatch(&studio, "data_tables", json!(null)).await.unwrap();
    assert_eq!(tables, json!([{"name": "messages", "count": 30}]));

    // The whole table: a window, newest first; a later offset is one query.
    let view = dispatch(&studio, "data_open", json!({"table": "messages"})).await.unwrap();
    assert_eq!(view["info"]["mode"], "window");
    assert_eq!(view["info"]["total"], 30);
    assert_eq!(&bodies(&view)[..2], ["m29", "m28"]);
    let view_id = view["info"]["view"].as_u64().unwrap();
    let tail = dispatch(&studio, "data_rows", json!({"view": view_id, "offset": 28, "limit": 10}))
        .await
        .unwrap();
    assert_eq!(bodies(&tail), ["m01", "m00"]);

    // Another client's insert reaches the open view.
    let mut events = studio.subscribe();
    let other = DeploymentClient::new(&server.cloud_url).unwrap();
    let send = |body: &str, author: &str| {
        atrium_value::json::from_json(&json!({"author": author, "body": body})).unwrap()
    };
    other.mutation("messages:send", &send("live", "cat")).await.unwrap();
    changed(&mut events, view_id, |i| i["total"] == 31).await;
    let top = dispatch(&studio, "data_rows", json!({"view": view_id, "offset": 0, "limit": 3}))
        .await
        .unwrap();
    assert_eq!(bodies(&top)[0], "live");

    // author = cat OR body contains "m2" (m20..m29), sorted by body ascending: a scan.
    let filtered = dispatch(
        &studio,
        "data_open",
        json!({"table": "messages",
               "filter": {"combinator": "or", "clauses": [
                   {"field": "author", "op": "eq", "value": "cat"},
                   {"field": "body", "op": "contains", "value": "M2"}]},
               "sort": {"field": "body", "descending": false}}),
    )
    .await
    .unwrap();
    assert_eq!(filtered["info"]["mode"], "scan");
    assert_eq!(
        (filtered["info"]["scanned"].clone(), filtered["info"]["complete"].clone()),
        (json!(31), json!(true))
    );
    let expected: Vec<String> =
        ["live".to_owned()].into_iter().chain((20..30).map(|n| format!("m{n}"))).collect();
    assert_eq!(bodies(&filtered), expected);
    // AND of the same clauses matches nothing; a bad regex is named.
    let and = dispatch(
        &studio,
        "data_open",
        json!({"table": "messages", "filter": {"combinator": "and", "clauses": [
            {"field": "author", "op": "eq", "value": "ann"},
            {"field": "body", "op": "regex", "value": "^m2[02468]$"}]}}),
    )
    .await
    .unwrap();
    assert_eq!(bodies(&and), ["m28", "m26", "m24", "m22", "m20"]);
    let bad = dispatch(
        &studio,
        "data_open",
        json!({"table": "messages", "filter": {"clauses": [{"field": "body", "op": "regex", "value": "("}]}}),
    )
    .await
    .unwrap_err();
    assert_eq!(bad.code, ErrorCode::BadRequest);
    assert!(bad.message.contains("regular expression"), "{}", bad.message);

    // A sort an index serves is a window in index order; so is a chosen index range.
    let by_author = dispatch(
        &studio,
        "data_open",
        json!({"table": "messages", "sort": {"field": "author", "descending": true}}),
    )
    .await
    .unwrap();
    assert_eq!(
        (by_author["info"]["mode"].clone(), by_author["info"]["index"].clone()),
        (json!("window"), json!("by_author"))
    );
    assert_eq!(by_author["rows"][0]["author"], "cat");
    assert_eq!(by_author["rows"][1]["author"], "bob");
    let bobs = dispatch(
        &studio,
        "data_open",
        json!({"table": "messages", "index": {"name": "by_author",
               "clauses": [{"field": "author", "op": "eq", "value": "bob"}]}}),
    )
    .await
    .unwrap();
    assert_eq!(bobs["info"]["total"], 15);
    assert!(bobs["rows"].as_array().unwrap().iter().all(|r| r["author"] == "bob"));
    // A filter over a chosen range: the deployment reads only the range, the studio tests
    // the regex on what it holds.
    let bobs_m1 = dispatch(
        &studio,
        "data_open",
        json!({"table": "messages", "index": {"name": "by_author",
               "clauses": [{"field": "author", "op": "eq", "value": "bob"}]},
               "filter": {"clauses": [{"field": "body", "op": "regex", "value": "^m1"}]}}),
    )
    .await
    .unwrap();
    assert_eq!(
        (bobs_m1["info"]["mode"].clone(), bobs_m1["info"]["scanned"].clone()),
        (json!("scan"), json!(15))
    );
    let mut want: Vec<String> = bodies(&bobs).into_iter().filter(|b| b.starts_with("m1")).collect();
    let mut got = bodies(&bobs_m1);
    want.sort();
    got.sort();
    assert!(!want.is_empty());
    assert_eq!(got, want);
    let bad = dispatch(
        &studio,
        "data_open",
        json!({"table": "messages", "index": {"name": "by_author",
               "clauses": [{"field": "body", "op": "eq", "value": "x"}]}}),
    )
    .await
    .unwrap_err();
    assert!(bad.message.contains("body"), "{}", bad.message);

    // The filtered view stays live too.
    let filtered_id = filtered["info"]["view"].as_u64().unwrap();
    other.mutation("messages:send", &send("m2-late", "dan")).await.unwrap();
    changed(&mut events, filtered_id, |i| i["total"] == 12).await;

    // Two staged edits commit together; one bad edit stops the whole set.
    let ids: Vec<String> = top["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["_id"].as_str().unwrap().to_owned())
        .collect();
    let patch = |id: &str, body: Value| json!({"op": "patch", "table": "messages", "id": id, "fields": {"body": body}});
    let err = dispatch(
        &studio,
        "data_apply",
        json!({"writes": [patch(&ids[0], json!("ok")), patch(&ids[1], json!(7))]}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::FunctionFailed);
    assert!(err.message.contains("write 2") && err.message.contains("schema"), "{}", err.message);
    dispatch(
        &studio,
        "data_apply",
        json!({"writes": [patch(&ids[0], json!("first")), patch(&ids[1], json!("second"))]}),
    )
    .await
    .unwrap();
    let detail = dispatch(&studio, "data_document", json!({"id": ids[0]})).await.unwrap();
    assert_eq!(detail["document"]["body"], "first");
    let history = detail["history"].as_array().unwrap();
    assert_eq!(history.len(), 2, "{detail}");
    assert_eq!(history[1]["document"]["body"], "live");

    // Restoring the earlier revision puts the old body back.
    dispatch(&studio, "data_restore", json!({"id": ids[0], "ts": history[1]["ts"]})).await.unwrap();
    let detail = dispatch(&studio, "data_document", json!({"id": ids[0]})).await.unwrap();
    assert_eq!(detail["document"]["body"], "live");

    // Safe modes: confirm-writes needs `confirmed`; read-only refuses.
    let save = |mode: &str| json!({"id": id, "name": "Test", "url": server.cloud_url, "colour": "#3b82f6", "safe_mode": mode});
    dispatch(&studio, "save_connection", save("confirm_writes")).await.unwrap();
    let delete = json!({"writes": [{"op": "delete", "id": ids[2]}]});
    let err = dispatch(&studio, "data_apply", delete.clone()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::NeedsConfirmation);
    let mut confirmed = delete.clone();
    confirmed["confirmed"] = json!(true);
    dispatch(&studio, "data_apply", confirmed).await.unwrap();
    dispatch(&studio, "save_connection", save("read_only")).await.unwrap();
    let err = dispatch(
        &studio,
        "data_apply",
        json!({"writes": [{"op": "delete", "id": ids[1]}], "confirmed": true}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::ReadOnly);
    let tables = dispatch(&studio, "data_tables", json!(null)).await.unwrap();
    assert_eq!(tables[0]["count"], 31, "one of 32 deleted, the read-only delete refused");

    // Reconnecting (the save above) closed the old views.
    let err = dispatch(&studio, "data_rows", json!({"view": view_id, "offset": 0, "limit": 1}))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);

    // Schema and indexes.
    let schema = dispatch(&studio, "data_schema", json!({"table": "messages"})).await.unwrap();
    assert_eq!(schema["declared"], true);
    let text = schema["schema_text"].as_str().unwrap();
    // Declared order (author, then body), as the project wrote it.
    assert!(text.find("\"author\"").unwrap() < text.find("\"body\"").unwrap(), "{text}");
    assert!(schema["indexes"].as_array().unwrap().iter().any(|i| i["name"] == "by_creation_time"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_search_box_searches_the_engine_and_says_a_convex_deployment_does_not_offer_it() {
    let search = json!({"table": "messages", "index": "search_body", "text": "hello"});
    for (as_convex, instance) in [(false, "studio-search"), (true, "studio-search-convex")] {
        let (server, deployment, _data) = if as_convex {
            serve_fixture_as_convex("chat", instance).await
        } else {
            serve_fixture("chat", instance).await
        };
        let client = DeploymentClient::new(&server.cloud_url)
            .unwrap()
            .with_admin_key(deployment.admin_key());
        let message = json!({"author": "ann", "body": "hello world"});
        client
            .mutation("messages:send", &atrium_value::json::from_json(&message).unwrap())
            .await
            .unwrap();
        let config = tempfile::tempdir().unwrap();
        let studio = common::studio(config.path());
        common::connect(&studio, &server.cloud_url, deployment.admin_key()).await;

        let found = dispatch(&studio, "data_search", search.clone()).await.unwrap();
        assert_eq!(found["offered"], !as_convex, "{found}");
        let expected: Vec<String> = if as_convex { vec![] } else { vec!["hello world".to_owned()] };
        assert_eq!(bodies(&found), expected, "{found}");
        server.stop().await;
    }
}
