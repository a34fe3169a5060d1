//! Query journals on the sync socket: a live paginated query's page keeps its end (the
//! journal's `endCursor`) across re-runs while rows are inserted and deleted inside it, so
//! consecutive pages never lose or repeat a row; a client that re-subscribes with the
//! journal (after a reconnect) gets the same page end.

use atrium_server::RunningServer;
use atrium_server::test_support::serve_fixture;
use serde_json::{Value, json};

use crate::sync_socket::{Socket, connect, next, send};

/// The next Transition (Pings and other messages skipped; a closed socket fails the test).
async fn transition(socket: &mut Socket) -> Value {
    loop {
        let value = next(socket).await;
        match value["type"].as_str() {
            Some("Transition") => return value,
            Some("<closed>") => panic!("the socket closed before a Transition"),
            _ => {}
        }
    }
}

async fn mutation(server: &RunningServer, path: &str, args: Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/api/mutation", server.cloud_url))
        .json(&json!({"path": path, "args": args}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{path}: {}", response.text().await.unwrap());
}

fn add(query_id: u32, cursor: Value, journal: Value) -> Value {
    json!({"type": "Add", "queryId": query_id, "udfPath": "pages:newestFirst",
           "args": [{"paginationOpts": {"numItems": 3, "cursor": cursor}}], "journal": journal})
}

/// `(items' i, continueCursor, journal)` of a query's update in a Transition.
fn page(transition: &Value, query_id: u32) -> Option<(Vec<i64>, String, Value)> {
    let update = transition["modifications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["queryId"] == query_id)?;
    assert_eq!(update["type"], "QueryUpdated", "{update}");
    let value = &update["value"];
    let items = value["page"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["i"].as_f64().unwrap() as i64)
        .collect();
    Some((items, value["continueCursor"].as_str().unwrap().to_owned(), update["journal"].clone()))
}

#[tokio::test(flavor = "multi_thread")]
async fn live_pages_keep_their_end_under_inserts_and_deletes() {
    let (server, _deployment, _data) = serve_fixture("kitchen", "journal-test").await;
    mutation(&server, "pages:seed", json!({"from": 0, "to": 10})).await;
    let mut socket = connect(&server, "21111111-1111-1111-1111-111111111111").await;
    send(
        &mut socket,
        json!({"type": "ModifyQuerySet", "baseVersion": 0, "newVersion": 1,
        "modifications": [add(0, Value::Null, Value::Null)]}),
    )
    .await;
    let (first, end, journal) = page(&transition(&mut socket).await, 0).unwrap();
    assert_eq!(first, vec![9, 8, 7]);
    assert!(
        journal.as_str().is_some_and(|j| j.contains(&end)),
        "the journal pins {end}: {journal}"
    );
    send(
        &mut socket,
        json!({"type": "ModifyQuerySet", "baseVersion": 1, "newVersion": 2,
        "modifications": [add(1, json!(end), Value::Null)]}),
    )
    .await;
    let (second, _, _) = page(&transition(&mut socket).await, 1).unwrap();
    assert_eq!(second, vec![6, 5, 4]);

    // A new row inside the first page: it grows instead of pushing 7 out of every page.
    mutation(&server, "pages:seed", json!({"from": 10, "to": 11})).await;
    let update = transition(&mut socket).await;
    let (grown, grown_end, _) = page(&update, 0).expect("the first page re-ran");
    assert_eq!(grown, vec![10, 9, 8, 7]);
    assert_eq!(grown_end, end, "the page's end stays");
    assert!(page(&update, 1).is_none(), "the second page did not change");

    // A deleted row: the page shrinks instead of taking 6 from the second page.
    mutation(&server, "pages:remove", json!({"i": 8})).await;
    let (shrunk, shrunk_end, journal) = page(&transition(&mut socket).await, 0).unwrap();
    assert_eq!(shrunk, vec![10, 9, 7]);
    assert_eq!(shrunk_end, end);

    // Reconnecting with the journal keeps the end; without it the page is cut at 3.
    drop(socket);
    mutation(&server, "pages:seed", json!({"from": 11, "to": 12})).await;
    let mut socket = connect(&server, "21111111-1111-1111-1111-111111111112").await;
    send(
        &mut socket,
        json!({"type": "ModifyQuerySet", "baseVersion": 0, "newVersion": 1,
        "modifications": [add(0, Value::Null, journal), add(1, Value::Null, Value::Null)]}),
    )
    .await;
    let resumed = transition(&mut socket).await;
    assert_eq!(page(&resumed, 0).unwrap().0, vec![11, 10, 9, 7]);
    assert_eq!(page(&resumed, 0).unwrap().1, end);
    assert_eq!(page(&resumed, 1).unwrap().0, vec![11, 10, 9]);
}

/// The `QueryFailed` of `query_id` in a Transition.
fn failure(transition: &Value, query_id: u32) -> Value {
    let failed = transition["modifications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["queryId"] == query_id)
        .unwrap_or_else(|| panic!("no update of query {query_id}: {transition}"))
        .clone();
    assert_eq!(failed["type"], "QueryFailed", "{failed}");
    failed
}

/// As Convex's sync worker: a failed run sends the journal it recorded before it threw
/// (a page it ended), and one that threw before paginating sends `null`.
#[tokio::test(flavor = "multi_thread")]
async fn a_failed_query_sends_the_journal_its_run_recorded() {
    let (server, _deployment, _data) = serve_fixture("kitchen", "journal-failed").await;
    mutation(&server, "pages:seed", json!({"from": 0, "to": 3})).await;
    let mut socket = connect(&server, "21111111-1111-1111-1111-111111111113").await;
    // `pages:twice` ends one page, then fails on its second paginate.
    let twice = json!({"type": "Add", "queryId": 0, "udfPath": "pages:twice", "args": [{}]});
    let invalid = json!({"type": "Add", "queryId": 1, "udfPath": "pages:newestFirst",
                         "args": [{"paginationOpts": "not options"}]});
    send(
        &mut socket,
        json!({"type": "ModifyQuerySet", "baseVersion": 0, "newVersion": 1,
               "modifications": [twice, invalid]}),
    )
    .await;
    let update = transition(&mut socket).await;
    let failed = failure(&update, 0);
    let journal = failed["journal"].as_str().unwrap_or_else(|| panic!("a journal: {failed}"));
    assert!(journal.contains("endCursor"), "the journal pins the first page's end: {journal}");
    let invalid = failure(&update, 1);
    assert_eq!(invalid["journal"], Value::Null, "{invalid}");
}
