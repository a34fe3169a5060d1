//! `paginatedTableDocuments` with Convex's `filters` through the client, against the
//! engine: clauses evaluated by the deployment across pages (a cursor goes on where a page
//! stopped), an index range with a filter over it, the order asked for, a filtered page
//! kept live over the sync socket, and a malformed expression refused with its reason.

use std::time::Duration;

use atrium_client::dashboard::{DashboardQuery, Page, Write};
use atrium_client::{DeploymentClient, SyncClient};
use atrium_protocol::table_filters::{
    ClauseOp, FilterClause, FilterExpression, IndexClause, IndexFilter,
};
use atrium_server::test_support::serve_fixture;
use atrium_value::Value;
use serde_json::json;

use crate::common::args;

fn clause(op: ClauseOp, field: &str, value: serde_json::Value) -> FilterClause {
    FilterClause { op, field: Some(field.into()), value: Some(value), id: None, enabled: None }
}

fn page(filters: &FilterExpression, cursor: Option<String>, descending: bool) -> DashboardQuery {
    DashboardQuery::TablePage {
        table: "messages".into(),
        cursor,
        limit: 4,
        descending,
        filters: Some(filters.encode()),
    }
}

fn bodies(documents: &[Value]) -> Vec<String> {
    documents
        .iter()
        .map(|d| d.get_path(["body"]).and_then(Value::as_str).unwrap().to_owned())
        .collect()
}

/// Every page of the filtered table, followed by cursor.
async fn all_pages(
    client: &DeploymentClient,
    filters: &FilterExpression,
    descending: bool,
) -> Vec<String> {
    let (mut out, mut cursor) = (Vec::new(), None);
    loop {
        let answer = client.dashboard(&page(filters, cursor.take(), descending)).await.unwrap();
        let page = Page::from_value(&answer).unwrap();
        assert!(page.documents.len() <= 4, "a page holds at most numItems documents");
        out.extend(bodies(&page.documents));
        match page.continue_cursor {
            Some(next) if !page.is_done => cursor = Some(next),
            _ => return out,
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_deployment_evaluates_filters_and_index_ranges() {
    let (server, deployment, _data) = serve_fixture("chat", "table-filters").await;
    let client =
        DeploymentClient::new(&server.cloud_url).unwrap().with_admin_key(deployment.admin_key());
    let writes: Vec<Write> = (0..20)
        .map(|n| Write::Insert {
            table: "messages".into(),
            document: args(json!({"author": if n % 2 == 0 { "ada" } else { "bob" }, "body": format!("m{n:02}")})),
        })
        .collect();
    client.apply_writes(&writes).await.unwrap();

    let ada_but_m00 = FilterExpression {
        clauses: vec![
            clause(ClauseOp::Eq, "author", json!("ada")),
            clause(ClauseOp::Neq, "body", json!("m00")),
        ],
        ..Default::default()
    };
    let newest_first: Vec<String> = (1..10).rev().map(|n| format!("m{:02}", n * 2)).collect();
    assert_eq!(all_pages(&client, &ada_but_m00, true).await, newest_first);

    // bob's messages through the index, a filter over the range, oldest first.
    let bob_range = FilterExpression {
        clauses: vec![clause(ClauseOp::AnyOf, "body", json!(["m01", "m07", "m08", "m19"]))],
        order: None,
        index: Some(IndexFilter {
            name: "by_author".into(),
            clauses: vec![IndexClause::Eq { enabled: true, value: Some(json!("bob")) }],
        }),
    };
    assert_eq!(all_pages(&client, &bob_range, false).await, ["m01", "m07", "m19"]);

    let none = FilterExpression {
        clauses: vec![clause(ClauseOp::Type, "body", json!("number"))],
        ..Default::default()
    };
    assert!(all_pages(&client, &none, true).await.is_empty());

    // A filtered page stays live: a matching insert reaches it, one that does not match
    // changes nothing it shows.
    let sync = SyncClient::connect(&client);
    let only_cy = FilterExpression {
        clauses: vec![clause(ClauseOp::Eq, "author", json!("cy"))],
        ..Default::default()
    };
    let query = page(&only_cy, None, true);
    let mut live = sync.subscribe(query.path(), &query.args());
    assert!(Page::from_value(&live.next().await.unwrap()).unwrap().documents.is_empty());
    client
        .apply_writes(&[Write::Insert {
            table: "messages".into(),
            document: args(json!({"author": "cy", "body": "hello"})),
        }])
        .await
        .unwrap();
    let updated =
        tokio::time::timeout(Duration::from_secs(10), live.next()).await.unwrap().unwrap();
    assert_eq!(bodies(&Page::from_value(&updated).unwrap().documents), ["hello"]);

    // A malformed expression is refused, naming what was wrong.
    let bad = DashboardQuery::TablePage {
        table: "messages".into(),
        cursor: None,
        limit: 4,
        descending: true,
        filters: Some("not base64!".into()),
    };
    let error = client.dashboard(&bad).await.unwrap_err();
    assert!(error.to_string().contains("`filters` is not base64"), "{error}");
    server.stop().await;
}
