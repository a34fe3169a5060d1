//! Atrium's vector index endpoints through the client against a real `atrium-server`
//! running the sample project (`notes.by_embedding`: 8 dimensions, filter field `topic`),
//! and the answer from a deployment that does not serve them.

use std::path::PathBuf;

use crate::common::args;
use atrium_client::DeploymentClient;
use atrium_protocol::atrium::{
    VectorFilterTerm, VectorRecallRequest, VectorSampleRequest, VectorSearchRequest,
};
use atrium_server::test_support::serve_fixture_as_convex;
use atrium_server::{Deployment, DeploymentConfig, ServerConfig, serve};
use serde_json::json;

fn search(
    like: Option<String>,
    vector: Option<Vec<f64>>,
    topic: Option<&str>,
) -> VectorSearchRequest {
    VectorSearchRequest {
        index_name: "notes.by_embedding".into(),
        vector,
        like,
        limit: Some(5),
        filter: topic
            .map(|t| vec![VectorFilterTerm { field: "topic".into(), value: json!(t) }])
            .unwrap_or_default(),
        method: None,
    }
}

#[tokio::test]
async fn inspect_search_sample_and_check_recall_of_the_sample_projects_index() {
    let data = tempfile::tempdir().unwrap();
    let project = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/sample-project");
    let deployment = Deployment::open(DeploymentConfig {
        project_dir: Some(project),
        data_dir: data.path().to_path_buf(),
        instance_name: "vector-test".into(),
        admin_key: None,
    })
    .unwrap();
    let config = ServerConfig { port: 0, site_port: 0, ..ServerConfig::default() };
    let server = serve(deployment.clone(), config).await.unwrap();
    let client =
        DeploymentClient::new(&server.cloud_url).unwrap().with_admin_key(deployment.admin_key());
    client.mutation("seed:seedNow", &args(json!({}))).await.unwrap();

    let list = client.vector_indexes().await.unwrap().expect("served");
    let index = &list.indexes[0];
    assert_eq!((index.table.as_str(), index.name.as_str()), ("notes", "by_embedding"));
    assert_eq!((index.dimensions, index.vectors, index.skipped), (8, 12, 0));
    assert_eq!(index.filter_fields, vec!["topic".to_string()]);
    assert_eq!(index.graph_nodes, None, "12 vectors are searched exactly");

    // More like this: a note's own vector finds it first; a filter keeps its topic.
    let sample = client
        .vector_sample(&VectorSampleRequest { index_name: "notes.by_embedding".into(), limit: 50 })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sample.points.len(), 12);
    let travel = sample.points.iter().find(|p| p.filters[0] == Some(json!("travel"))).unwrap();
    let found =
        client.vector_search(&search(Some(travel.id.clone()), None, None)).await.unwrap().unwrap();
    assert_eq!(found.results.len(), 5);
    assert_eq!(found.results[0].id, travel.id);
    assert!((found.results[0].score - 1.0).abs() < 1e-5);
    let filtered = client
        .vector_search(&search(Some(travel.id.clone()), None, Some("cooking")))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((filtered.results.len(), filtered.candidates), (4, 4));
    assert!(filtered.results.iter().all(|r| {
        sample.points.iter().any(|p| p.id == r.id && p.filters[0] == Some(json!("cooking")))
    }));

    // The action and the endpoint agree.
    let vector: Vec<f64> = travel.vector.iter().map(|x| f64::from(*x)).collect();
    let from_action =
        client.action("notes:similar", &args(json!({ "vector": vector.clone() }))).await.unwrap();
    let action_ids: Vec<String> = match from_action {
        atrium_value::Value::Array(hits) => hits
            .iter()
            .map(|h| h.get_path(["_id"]).and_then(|v| v.as_str()).unwrap().to_owned())
            .collect(),
        other => panic!("{other:?}"),
    };
    let by_vector = client.vector_search(&search(None, Some(vector), None)).await.unwrap().unwrap();
    assert_eq!(action_ids, by_vector.results.iter().map(|r| r.id.clone()).collect::<Vec<_>>());

    // Bad input names what was wrong.
    let wrong = client.vector_search(&search(None, Some(vec![1.0; 3]), None)).await.unwrap_err();
    assert!(
        wrong.to_string().contains("Expected a vector with dimensions 8, received 3."),
        "{wrong}"
    );
    let bad_filter = VectorSearchRequest {
        filter: vec![VectorFilterTerm { field: "title".into(), value: json!("x") }],
        ..search(Some(travel.id.clone()), None, None)
    };
    let wrong = client.vector_search(&bad_filter).await.unwrap_err();
    assert!(wrong.to_string().contains("isn't indexed for filtering"), "{wrong}");

    // Recall: the small index searches exactly, so the check builds a graph to measure.
    let recall = client
        .vector_recall(&VectorRecallRequest {
            index_name: "notes.by_embedding".into(),
            k: 3,
            queries: 12,
            filter: Vec::new(),
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(recall.recalls.len(), 12);
    assert!(!recall.graph_in_use);
    assert!(recall.mean > 0.0 && recall.mean <= 1.0);
    server.stop().await;
}

#[tokio::test]
async fn a_deployment_without_the_endpoints_answers_none() {
    let (server, deployment, _data) = serve_fixture_as_convex("chat", "convex-like").await;
    let client =
        DeploymentClient::new(&server.cloud_url).unwrap().with_admin_key(deployment.admin_key());
    assert!(client.vector_indexes().await.unwrap().is_none());
}
