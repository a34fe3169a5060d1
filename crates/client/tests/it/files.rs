//! Stored files through the client: upload, the count, pages newest first with URLs that
//! serve the bytes, one file, delete — the calls the Files area makes, against a server
//! that answers only what a Convex deployment does.

use atrium_client::DeploymentClient;
use atrium_server::test_support::{serve_fixture, serve_fixture_as_convex};
use atrium_value::Value;

#[tokio::test(flavor = "multi_thread")]
async fn upload_list_read_and_delete_files() {
    let (server, deployment, _data) = serve_fixture_as_convex("kitchen", "files").await;
    let client =
        DeploymentClient::new(&server.cloud_url).unwrap().with_admin_key(deployment.admin_key());
    assert_eq!(client.file_count(None).await.unwrap(), 0);
    let first = client.upload_file(None, b"first".to_vec(), Some("text/plain")).await.unwrap();
    let second = client.upload_file(None, vec![0, 1, 2], None).await.unwrap();
    assert_eq!(client.file_count(None).await.unwrap(), 2);

    let page = client.file_page(None, None, 10, false).await.unwrap();
    let ids: Vec<&str> = page.page.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, vec![second.as_str(), first.as_str()], "newest first");
    assert!(page.is_done);
    assert_eq!(page.page[1].content_type.as_deref(), Some("text/plain"));
    assert_eq!(page.page[0].content_type, None);
    let served = reqwest::get(&page.page[1].url).await.unwrap().bytes().await.unwrap();
    assert_eq!(served.as_ref(), b"first");
    let oldest = client.file_page(None, None, 1, true).await.unwrap();
    assert_eq!((oldest.page[0].id.as_str(), oldest.is_done), (first.as_str(), false));

    assert_eq!(client.file(None, &first).await.unwrap().unwrap().size, 5.0);
    client.delete_files(None, std::slice::from_ref(&first)).await.unwrap();
    assert_eq!(client.file(None, &first).await.unwrap(), None);
    assert_eq!(client.file_count(None).await.unwrap(), 1);
    assert_eq!(
        client.file_references(None, &second, 10).await.unwrap(),
        None,
        "a Convex deployment does not name a file's referring documents"
    );
    server.stop().await;
}

fn object(fields: &[(&str, Value)]) -> Value {
    Value::Object(fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_engine_names_the_documents_that_refer_to_a_file() {
    let (server, deployment, _data) = serve_fixture("kitchen", "file-references").await;
    let client =
        DeploymentClient::new(&server.cloud_url).unwrap().with_admin_key(deployment.admin_key());
    let kept = client.upload_file(None, b"kept".to_vec(), Some("text/plain")).await.unwrap();
    let other = client.upload_file(None, b"other".to_vec(), None).await.unwrap();
    let none = client.file_references(None, &kept, 10).await.unwrap().unwrap();
    assert!(none.references.is_empty() && none.complete, "{none:?}");

    let saved = client
        .mutation(
            "files:saveFile",
            &object(&[("storageId", Value::from(kept.as_str())), ("name", Value::from("a"))]),
        )
        .await
        .unwrap();
    client
        .mutation(
            "files:saveFile",
            &object(&[("storageId", other.as_str().into()), ("name", "b".into())]),
        )
        .await
        .unwrap();
    let found = client.file_references(None, &kept, 10).await.unwrap().unwrap();
    assert_eq!(found.references.len(), 1, "{found:?}");
    let reference = &found.references[0];
    assert_eq!(reference.table, "attachments");
    assert_eq!(Value::from(reference.id.as_str()), saved);
    assert_eq!(reference.fields, vec!["storageId".to_owned()]);
    assert!(found.complete);
    assert!(found.searched >= 2.0);

    let bad = client.file_references(None, "not-an-id", 10).await.unwrap_err();
    assert!(bad.to_string().contains("not a storage ID"), "{bad}");
    server.stop().await;
}
