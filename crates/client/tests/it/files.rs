//! Stored files through the client: upload, the count, pages newest first with URLs that
//! serve the bytes, one file, delete — the calls the Files area makes, against a server
//! that answers only what a Convex deployment does.

use atrium_client::DeploymentClient;
use atrium_server::test_support::serve_fixture_as_convex;

#[tokio::test(flavor = "multi_thread")]
async fn upload_list_read_and_delete_files() {
    let (server, deployment, _data) = serve_fixture_as_convex("kitchen", "files").await;
    let client =
        DeploymentClient::new(&server.cloud_url).unwrap().with_admin_key(deployment.admin_key());
    assert_eq!(client.file_count().await.unwrap(), 0);
    let first = client.upload_file(b"first".to_vec(), Some("text/plain")).await.unwrap();
    let second = client.upload_file(vec![0, 1, 2], None).await.unwrap();
    assert_eq!(client.file_count().await.unwrap(), 2);

    let page = client.file_page(None, 10, false).await.unwrap();
    let ids: Vec<&str> = page.page.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, vec![second.as_str(), first.as_str()], "newest first");
    assert!(page.is_done);
    assert_eq!(page.page[1].content_type.as_deref(), Some("text/plain"));
    assert_eq!(page.page[0].content_type, None);
    let served = reqwest::get(&page.page[1].url).await.unwrap().bytes().await.unwrap();
    assert_eq!(served.as_ref(), b"first");
    let oldest = client.file_page(None, 1, true).await.unwrap();
    assert_eq!((oldest.page[0].id.as_str(), oldest.is_done), (first.as_str(), false));

    assert_eq!(client.file(&first).await.unwrap().unwrap().size, 5.0);
    client.delete_files(std::slice::from_ref(&first)).await.unwrap();
    assert_eq!(client.file(&first).await.unwrap(), None);
    assert_eq!(client.file_count().await.unwrap(), 1);
    server.stop().await;
}
