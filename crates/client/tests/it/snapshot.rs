//! Snapshot export and import through the CLI's routes, between two servers that answer
//! only what a Convex deployment does: an export is requested, followed and downloaded with
//! progress; the ZIP uploaded in parts to the other deployment brings its documents and
//! files; an import the deployment refuses fails with its words and writes nothing.

use atrium_client::DeploymentClient;
use atrium_protocol::snapshot::ImportArgs;
use atrium_server::test_support::serve_fixture_as_convex;
use atrium_value::Value;

use crate::common::args;

async fn item_count(client: &DeploymentClient) -> usize {
    let page = client
        .query(
            "pages:page",
            &args(serde_json::json!({"paginationOpts": {"numItems": 500, "cursor": null}})),
        )
        .await
        .unwrap();
    let Value::Object(page) = page else { panic!("{page:?}") };
    let Some(Value::Array(items)) = page.get("page") else { panic!("{page:?}") };
    items.len()
}

fn zip_import(mode: &str) -> ImportArgs {
    ImportArgs { format: "zip".into(), mode: mode.into(), table_name: None, component_path: None }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_snapshot_moves_documents_and_files_between_deployments() {
    let (source_server, source, _d1) = serve_fixture_as_convex("kitchen", "snap-from").await;
    let (target_server, target, _d2) = serve_fixture_as_convex("kitchen", "snap-to").await;
    let from =
        DeploymentClient::new(&source_server.cloud_url).unwrap().with_admin_key(source.admin_key());
    let to =
        DeploymentClient::new(&target_server.cloud_url).unwrap().with_admin_key(target.admin_key());
    from.mutation("pages:seed", &args(serde_json::json!({"from": 0, "to": 120}))).await.unwrap();
    from.upload_file(None, b"stored bytes".to_vec(), Some("text/plain")).await.unwrap();

    let record = from.export_snapshot(true).await.unwrap();
    assert_eq!(record.state, "completed");
    let ts = record.start_ts().expect("the export names its timestamp");
    let mut zip = Vec::new();
    let mut reports = Vec::new();
    let bytes = from
        .download_export(ts, &mut zip, &mut |done, total| reports.push((done, total)))
        .await
        .unwrap();
    assert_eq!(bytes as usize, zip.len());
    assert_eq!(reports.last(), Some(&(bytes, Some(bytes))), "the last report is the whole ZIP");
    assert_eq!(&zip[..2], b"PK");

    let mut uploads = Vec::new();
    let id = to
        .upload_import(&mut zip.as_slice(), bytes, zip_import("replace"), &mut |done, total| {
            uploads.push((done, total))
        })
        .await
        .unwrap();
    assert_eq!(uploads.last(), Some(&(bytes, Some(bytes))));
    let mut state = to.settled_import(&id, false, &mut |_| {}).await.unwrap();
    if state.state == "waiting_for_confirmation" {
        to.perform_import(&id).await.unwrap();
        state = to.settled_import(&id, true, &mut |_| {}).await.unwrap();
    }
    assert_eq!(state.state, "completed", "{state:?}");
    // The fixture seeds a table of its own on both sides; `replace` swaps the tables the
    // ZIP names for its contents.
    assert!(state.rows_written().is_some_and(|n| n >= 121), "{state:?}");
    assert_eq!(item_count(&to).await, 120);
    assert_eq!(to.file_count(None).await.unwrap(), 1);

    // Into tables that are no longer empty, `requireEmpty` is refused and nothing is written.
    let again = to
        .upload_import(&mut zip.as_slice(), bytes, zip_import("requireEmpty"), &mut |_, _| {})
        .await
        .unwrap();
    let refused = to.settled_import(&again, false, &mut |_| {}).await.unwrap();
    assert_eq!(refused.state, "failed");
    assert!(
        refused.error_message.as_deref().is_some_and(|m| m.contains("not empty")),
        "{refused:?}"
    );
    assert_eq!(item_count(&to).await, 120);
    source_server.stop().await;
    target_server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_export_is_the_deployments_error() {
    let (server, deployment, _d) = serve_fixture_as_convex("kitchen", "snap-missing").await;
    let client =
        DeploymentClient::new(&server.cloud_url).unwrap().with_admin_key(deployment.admin_key());
    assert!(client.latest_export().await.unwrap().is_none());
    let error = client.download_export(42, &mut Vec::new(), &mut |_, _| {}).await.unwrap_err();
    assert!(error.to_string().contains("ExportNotFound"), "{error}");
    server.stop().await;
}
