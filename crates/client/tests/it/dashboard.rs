//! The dashboard's system functions through the client against a real `atrium-server`:
//! tables and sizes, a live table window, edits in one transaction (all or nothing, schema
//! errors named), document history, and telling a missing extension apart.

use std::time::Duration;

use crate::common::args;
use atrium_client::dashboard::{DashboardQuery, Page, Window, Write, is_missing_function};
use atrium_client::{DeploymentClient, SyncClient};
use atrium_server::test_support::serve_fixture;
use atrium_value::Value;
use serde_json::json;

fn bodies(documents: &[Value]) -> Vec<String> {
    documents
        .iter()
        .map(|d| d.get_path(["body"]).and_then(Value::as_str).unwrap_or("?").to_owned())
        .collect()
}

fn insert(body: &str) -> Write {
    Write::Insert {
        table: "messages".into(),
        document: args(json!({"author": "ann", "body": body})),
    }
}

#[tokio::test]
async fn browse_edit_and_watch_a_table() {
    let (server, deployment, _data) = serve_fixture("chat", "dashboard-test").await;
    let client =
        DeploymentClient::new(&server.cloud_url).unwrap().with_admin_key(deployment.admin_key());

    // Five messages, written in one transaction.
    let writes: Vec<Write> = (0..5).map(|n| insert(&format!("m{n}"))).collect();
    let inserted = client.apply_writes(&writes).await.unwrap();
    let ids: Vec<String> = match inserted.get_path(["inserted"]) {
        Some(Value::Array(ids)) => ids.iter().map(|v| v.as_str().unwrap().to_owned()).collect(),
        other => panic!("unexpected {other:?}"),
    };
    assert_eq!(ids.len(), 5);
    assert_eq!(client.table_names().await.unwrap(), vec!["messages".to_owned()]);
    assert_eq!(client.table_size("messages").await.unwrap(), 5);

    // Pages newest first, with a cursor; a window at an offset.
    let page = |cursor: Option<String>| DashboardQuery::TablePage {
        filters: None,
        table: "messages".into(),
        cursor,
        limit: 3,
        descending: true,
    };
    let first = Page::from_value(&client.dashboard(&page(None)).await.unwrap()).unwrap();
    assert_eq!(bodies(&first.documents), ["m4", "m3", "m2"]);
    let second =
        Page::from_value(&client.dashboard(&page(first.continue_cursor.clone())).await.unwrap())
            .unwrap();
    assert_eq!((bodies(&second.documents), second.is_done), (vec!["m1".into(), "m0".into()], true));
    let window = DashboardQuery::TableWindow {
        table: "messages".into(),
        index: None,
        range: Vec::new(),
        offset: 3,
        limit: 10,
        descending: false,
    };
    let w = Window::from_value(&client.dashboard(&window).await.unwrap()).unwrap();
    assert_eq!((bodies(&w.documents), w.total), (vec!["m3".into(), "m4".into()], 5));

    // The same window kept live: an insert by another client reaches it.
    let sync = SyncClient::connect(&client);
    let mut live = sync.subscribe(window.path(), &window.args());
    let w = Window::from_value(&live.next().await.unwrap()).unwrap();
    assert_eq!(bodies(&w.documents), ["m3", "m4"]);
    let anonymous = DeploymentClient::new(&server.cloud_url).unwrap();
    anonymous
        .mutation("messages:send", &args(json!({"author": "bob", "body": "live"})))
        .await
        .unwrap();
    let w = tokio::time::timeout(Duration::from_secs(5), live.next()).await.unwrap().unwrap();
    let w = Window::from_value(&w).unwrap();
    assert_eq!((bodies(&w.documents), w.total), (vec!["m3".into(), "m4".into(), "live".into()], 6));

    // A staged set with a schema violation in it writes nothing, and says which write.
    let bad = vec![
        Write::Patch {
            table: "messages".into(),
            id: ids[0].clone(),
            fields: args(json!({"body": "edited"})),
        },
        Write::Patch {
            table: "messages".into(),
            id: ids[1].clone(),
            fields: args(json!({"body": 42})),
        },
    ];
    let err = client.apply_writes(&bad).await.unwrap_err().to_string();
    assert!(err.contains("write 2") && err.contains("schema"), "{err}");
    let doc = DashboardQuery::Document { id: ids[0].clone() };
    assert_eq!(bodies(&[client.dashboard(&doc).await.unwrap()]), ["m0"]);

    // A good set commits as one; history shows both revisions; a delete goes through.
    let good = vec![
        Write::Patch {
            table: "messages".into(),
            id: ids[0].clone(),
            fields: args(json!({"body": "edited"})),
        },
        Write::Delete { id: ids[1].clone() },
    ];
    client.apply_writes(&good).await.unwrap();
    assert_eq!(bodies(&[client.dashboard(&doc).await.unwrap()]), ["edited"]);
    assert_eq!(client.table_size("messages").await.unwrap(), 5);
    let history =
        client.dashboard(&DashboardQuery::History { id: ids[0].clone(), limit: 10 }).await.unwrap();
    let Value::Array(revisions) = history else { panic!("{history:?}") };
    let docs: Vec<Value> =
        revisions.iter().map(|r| r.get_path(["document"]).unwrap().clone()).collect();
    assert_eq!(bodies(&docs), ["edited", "m0"]);

    // Clearing the table empties it.
    assert_eq!(client.clear_table_page("messages").await.unwrap(), (5, false));
    assert_eq!(client.table_size("messages").await.unwrap(), 0);

    // Without the admin key, no system function answers; an unknown one is "missing".
    assert!(anonymous.table_names().await.is_err());
    let missing =
        client.query("_system/atrium/noSuchThing:default", &args(json!({}))).await.unwrap_err();
    assert!(is_missing_function(&missing), "{missing}");
}

#[tokio::test]
async fn the_log_stream_delivers_new_executions_and_refuses_a_wrong_key() {
    let (server, deployment, _data) = serve_fixture("chat", "dashboard-logs").await;
    let admin =
        DeploymentClient::new(&server.cloud_url).unwrap().with_admin_key(deployment.admin_key());
    let anonymous = DeploymentClient::new(&server.cloud_url).unwrap();
    anonymous
        .mutation("messages:send", &args(json!({"author": "a", "body": "before"})))
        .await
        .unwrap();

    // From "now": the earlier call is not delivered, the next one is.
    let mut stream = atrium_client::LogStream::new(admin.clone(), false);
    let next = tokio::spawn(async move { stream.next().await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    anonymous
        .mutation("messages:send", &args(json!({"author": "a", "body": "after"})))
        .await
        .unwrap();
    let entries =
        tokio::time::timeout(Duration::from_secs(10), next).await.unwrap().unwrap().unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["identifier"], "messages:send");
    assert_eq!(entries[0]["kind"], "Completion");

    // With history, both are there.
    let history = admin.function_logs(0.0).await.unwrap();
    assert!(history.entries.len() >= 2);
    let wrong =
        DeploymentClient::new(&server.cloud_url).unwrap().with_admin_key("dashboard-logs|00");
    let mut refused = atrium_client::LogStream::new(wrong, true);
    assert!(matches!(refused.next().await, Err(atrium_client::ClientError::BadAdminKey { .. })));
}
