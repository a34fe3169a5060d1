//! File storage over real sockets: the upload URL from a mutation, the POST that streams a
//! body in, the download with its headers and ranges, tokens that work once, Convex's
//! errors, and a deleted file's 404 and collected blob.

use atrium_server::test_support::serve_fixture;
use serde_json::{Value, json};

async fn call(base: &str, kind: &str, path: &str, args: Value) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/{kind}"))
        .json(&json!({"path": path, "args": args, "format": "json"}))
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "success", "{path}: {body}");
    body["value"].clone()
}

fn sha256_base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(bytes))
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_serve_range_and_delete() {
    let (server, deployment, _data) = serve_fixture("kitchen", "files-test").await;
    let base = server.cloud_url.clone();
    let http = reqwest::Client::new();
    let url = call(&base, "mutation", "files:generateUploadUrl", json!({})).await;
    let url = url.as_str().unwrap().to_owned();
    assert!(url.starts_with(&format!("{base}/api/storage/upload?token=")), "{url}");

    let bytes: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let response = http
        .post(&url)
        .header("content-type", "image/png")
        .body(bytes.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    let id = answer["storageId"].as_str().unwrap().to_owned();
    assert!(id.starts_with("kg2"));

    // The token was single-use.
    let again = http.post(&url).body("x").send().await.unwrap();
    assert_eq!(again.status(), 401);
    let body: Value = again.json().await.unwrap();
    assert_eq!(
        body,
        json!({"code": "StorageTokenInvalid", "message": "Couldn't decode the StoreFileAuthorization token"})
    );

    call(&base, "mutation", "files:saveFile", json!({"storageId": id, "name": "p"})).await;
    let listed = call(&base, "query", "files:list", json!({})).await;
    let file_url = listed[0]["url"].as_str().unwrap().to_owned();
    assert_eq!(file_url, format!("{base}/api/storage/{id}"));

    let got = http.get(&file_url).send().await.unwrap();
    assert_eq!(got.status(), 200);
    let header = |r: &reqwest::Response, name: &str| {
        r.headers().get(name).map(|v| v.to_str().unwrap().to_owned())
    };
    assert_eq!(header(&got, "content-type").as_deref(), Some("image/png"));
    assert_eq!(header(&got, "content-length").as_deref(), Some("200000"));
    assert_eq!(header(&got, "accept-ranges").as_deref(), Some("bytes"));
    assert_eq!(header(&got, "digest"), Some(format!("sha-256={}", sha256_base64(&bytes))));
    let etag = header(&got, "etag").unwrap();
    assert_eq!(got.bytes().await.unwrap().as_ref(), bytes.as_slice());

    let part = http.get(&file_url).header("range", "bytes=1000-1999").send().await.unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(header(&part, "content-range").as_deref(), Some("bytes 1000-1999/200000"));
    assert_eq!(part.bytes().await.unwrap().as_ref(), &bytes[1000..2000]);
    let tail = http.get(&file_url).header("range", "bytes=-10").send().await.unwrap();
    assert_eq!(tail.bytes().await.unwrap().as_ref(), &bytes[199_990..]);
    let two = http.get(&file_url).header("range", "bytes=0-1, 5-6").send().await.unwrap();
    assert_eq!(two.status(), 416);
    let outside = http.get(&file_url).header("range", "bytes=300000-").send().await.unwrap();
    assert_eq!(outside.status(), 416);
    let cached = http.get(&file_url).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(cached.status(), 304);
    let head = http.head(&file_url).send().await.unwrap();
    assert_eq!(
        (head.status().as_u16(), header(&head, "content-length")),
        (200, Some("200000".into()))
    );

    let bad = http.get(format!("{base}/api/storage/not-an-id")).send().await.unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(bad.json::<Value>().await.unwrap()["code"], "InvalidStoragePath");

    // Delete: the URL answers 404 and the blob goes from disk.
    let engine = deployment.engine().clone();
    let sha = engine.file(&atrium_value::DocumentId::decode(&id).unwrap()).unwrap().unwrap().sha256;
    let blob_path = engine.blobs().path_of(&sha);
    assert!(blob_path.exists());
    call(&base, "mutation", "files:deleteFile", json!({"storageId": id})).await;
    let gone = http.get(&file_url).send().await.unwrap();
    assert_eq!(gone.status(), 404);
    assert_eq!(
        gone.json::<Value>().await.unwrap(),
        json!({"code": "FileNotFound", "message": format!("File {id} not found")})
    );
    while blob_path.exists() {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_checks_digest_and_keeps_no_file_of_a_refused_upload() {
    let (server, deployment, _data) = serve_fixture("kitchen", "files-test").await;
    let base = server.cloud_url.clone();
    let http = reqwest::Client::new();
    let url = call(&base, "mutation", "files:generateUploadUrl", json!({})).await;
    let refused = http
        .post(url.as_str().unwrap())
        .header("digest", format!("sha-256={}", sha256_base64(b"other")))
        .body("actual")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(
        body["message"],
        format!(
            "Sha256 mismatch. Expected: {} Actual: {}",
            sha256_base64(b"other"),
            sha256_base64(b"actual")
        )
    );
    let tmp = deployment.engine().blobs().root().join("tmp");
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0);
    assert!(!deployment.engine().blobs().path_of(&sha2_of(b"actual")).exists());

    let url = call(&base, "mutation", "files:generateUploadUrl", json!({})).await;
    let good = http
        .post(url.as_str().unwrap())
        .header("digest", format!("sha-256={}", sha256_base64(b"actual")))
        .body("actual")
        .send()
        .await
        .unwrap();
    assert_eq!(good.status(), 200);
    let id = good.json::<Value>().await.unwrap()["storageId"].as_str().unwrap().to_owned();
    let row = call(&base, "query", "files:systemGet", json!({"storageId": id})).await;
    assert_eq!(row["contentType"], Value::Null);
    assert_eq!(row["size"], 6.0);
    assert_eq!(row["sha256"], sha256_base64(b"actual"));
    server.stop().await;
}

fn sha2_of(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).into()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_snapshot_with_files_restores_the_same_ids_and_bytes() {
    let (server, deployment, _data) = serve_fixture("kitchen", "files-test").await;
    let base = server.cloud_url.clone();
    let stored = call(
        &base,
        "action",
        "files:storeInAction",
        json!({"text": "kept across snapshots", "type": "text/plain"}),
    )
    .await;
    let id = stored["id"].as_str().unwrap().to_owned();
    call(&base, "mutation", "files:saveFile", json!({"storageId": id, "name": "n"})).await;
    let exported = tempfile::NamedTempFile::new().unwrap();
    let (_, mut out) = deployment.export_snapshot(exported.reopen().unwrap(), &|_, _| {}).unwrap();
    std::io::Write::flush(&mut out).unwrap();
    let zip = std::fs::read(exported.path()).unwrap();
    server.stop().await;

    // Convex's layout: the rows, and the bytes named by ID and extension.
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.as_slice())).unwrap();
    let names: Vec<String> = archive.file_names().map(str::to_owned).collect();
    assert!(names.contains(&"_storage/documents.jsonl".to_owned()), "{names:?}");
    assert!(names.contains(&format!("_storage/{id}.txt")), "{names:?}");
    let mut rows = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("_storage/documents.jsonl").unwrap(),
        &mut rows,
    )
    .unwrap();
    let row: Value = serde_json::from_str(rows.lines().next().unwrap()).unwrap();
    assert_eq!(row["sha256"], sha256_base64(b"kept across snapshots"));

    let fresh = tempfile::tempdir().unwrap();
    let target = atrium_server::Deployment::open(atrium_server::DeploymentConfig {
        project_dir: None,
        data_dir: fresh.path().to_path_buf(),
        instance_name: "fresh".into(),
        admin_key: None,
    })
    .unwrap();
    // Read from the file, entry by entry.
    target.import_snapshot_file(exported.reopen().unwrap(), "requireEmpty").unwrap();
    let config = atrium_server::ServerConfig { port: 0, site_port: 0, ..Default::default() };
    let server = atrium_server::serve(target.clone(), config).await.unwrap();
    let got = reqwest::get(format!("{}/api/storage/{id}", server.cloud_url)).await.unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.headers()["content-type"], "text/plain");
    assert_eq!(got.bytes().await.unwrap().as_ref(), b"kept across snapshots");
    // The document that refers to it came along, still naming the same ID.
    let rows = target.engine().begin().collect_table("attachments").unwrap();
    assert_eq!(rows[0].fields.get("storageId").and_then(|v| v.as_str()), Some(id.as_str()));
    server.stop().await;
}

async fn admin(base: &str, key: &str, kind: &str, path: &str, args: Value) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/{kind}"))
        .header("authorization", format!("Convex {key}"))
        .json(&json!({"path": path, "args": args, "format": "json"}))
        .send()
        .await
        .unwrap();
    response.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_file_functions_list_get_and_delete() {
    let (server, deployment, _data) = serve_fixture("kitchen", "files-test").await;
    let base = server.cloud_url.clone();
    let key = deployment.admin_key().to_owned();
    let mut ids = Vec::new();
    for text in ["one", "two", "three"] {
        let out = call(
            &base,
            "action",
            "files:storeInAction",
            json!({"text": text, "type": "text/plain"}),
        )
        .await;
        ids.push(out["id"].as_str().unwrap().to_owned());
    }
    let count =
        admin(&base, &key, "query", "_system/frontend/fileStorageV2:numFiles", json!({})).await;
    assert_eq!(count["value"], 3.0);
    let page = admin(
        &base,
        &key,
        "query",
        "_system/frontend/fileStorageV2:fileMetadata",
        json!({"paginationOpts": {"numItems": 2, "cursor": null}}),
    )
    .await;
    let value = &page["value"];
    let listed: Vec<&str> =
        value["page"].as_array().unwrap().iter().map(|f| f["_id"].as_str().unwrap()).collect();
    assert_eq!(listed, vec![ids[2].as_str(), ids[1].as_str()], "newest first");
    assert_eq!(value["isDone"], false);
    assert_eq!(value["page"][0]["url"], format!("{base}/api/storage/{}", ids[2]));
    assert_eq!(value["page"][0]["size"], 5.0);
    assert_eq!(value["page"][0]["contentType"], "text/plain");
    let rest = admin(
        &base,
        &key,
        "query",
        "_system/frontend/fileStorageV2:fileMetadata",
        json!({"paginationOpts": {"numItems": 2, "cursor": value["continueCursor"]}}),
    )
    .await;
    assert_eq!(rest["value"]["page"][0]["_id"], ids[0].as_str());
    let one = admin(
        &base,
        &key,
        "query",
        "_system/frontend/fileStorageV2:getFile",
        json!({"storageId": ids[0]}),
    )
    .await;
    assert_eq!(one["value"]["sha256"], sha256_base64(b"one"));
    let url = admin(
        &base,
        &key,
        "mutation",
        "_system/frontend/fileStorageV2:generateUploadUrl",
        json!({}),
    )
    .await;
    assert!(url["value"].as_str().unwrap().contains("/api/storage/upload?token="), "{url}");
    let deleted = admin(
        &base,
        &key,
        "mutation",
        "_system/frontend/fileStorageV2:deleteFiles",
        json!({"storageIds": [ids[0], ids[1]]}),
    )
    .await;
    assert_eq!(deleted["status"], "success", "{deleted}");
    let count =
        admin(&base, &key, "query", "_system/frontend/fileStorageV2:numFiles", json!({})).await;
    assert_eq!(count["value"], 1.0);
    let again = admin(
        &base,
        &key,
        "mutation",
        "_system/frontend/fileStorageV2:deleteFile",
        json!({"storageId": ids[0]}),
    )
    .await;
    assert!(again.to_string().contains(&format!("storage id {} not found", ids[0])), "{again}");
    server.stop().await;
}

/// A multipart body with a `note` field and a `file` part holding `bytes`.
fn multipart(bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "atrium-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nbig\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test(flavor = "multi_thread")]
async fn http_actions_take_bodies_up_to_convex_s_20_mib() {
    let (server, _deployment, _data) = serve_fixture("kitchen", "files-test").await;
    let http = reqwest::Client::new();
    // 5 MiB: past axum's 2 MiB default, within Convex's limit; stored and answered back.
    let bytes: Vec<u8> = (0..5 * 1024 * 1024u32).map(|i| (i % 253) as u8).collect();
    let (content_type, body) = multipart(&bytes);
    let response = http
        .post(format!("{}/upload", server.site_url))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap().len(), bytes.len());

    // Past 20 MiB: refused before the action runs.
    let (content_type, body) = multipart(&vec![7u8; 21 * 1024 * 1024]);
    let response = http
        .post(format!("{}/http/upload", server.cloud_url))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let text = response.text().await.unwrap();
    assert!(text.contains("length limit exceeded"), "{text}");
    server.stop().await;
}
