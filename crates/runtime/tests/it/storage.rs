//! File storage through the real library (`ctx.storage`, `db.system`, `v.id("_storage")`)
//! on the `kitchen` fixture's `files.ts`, and the web APIs it needs: Blob, File, FormData,
//! `Request.formData()`, `new Response(blob)`, an HTTP action answering a multipart upload.

use std::path::PathBuf;

use atrium_engine::{Engine, EngineOptions};
use atrium_runtime::http::HttpRequest;
use atrium_runtime::{FunctionKind, Project, Runner};
use atrium_value::Value;
use atrium_value::json::to_json;
use serde_json::{Value as Json, json};

fn runner() -> (tempfile::TempDir, Runner) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/kitchen");
    let data = tempfile::tempdir().unwrap();
    let engine =
        Engine::open(&data.path().join("files.sqlite3"), EngineOptions::default()).unwrap();
    (data, Runner::new(Project::open(&dir).unwrap(), engine))
}

fn args(pairs: Json) -> Value {
    atrium_value::json::from_json(&pairs).unwrap()
}

fn run(runner: &Runner, path: &str, kind: FunctionKind, a: Json) -> Result<Json, String> {
    let outcome = runner.run(path, kind, args(a)).unwrap();
    outcome.result.map(|v| to_json(&v)).map_err(|e| e.message)
}

#[test]
fn an_action_stores_and_reads_back_a_blob() {
    let (_d, runner) = runner();
    let out = run(
        &runner,
        "files:storeInAction",
        FunctionKind::Action,
        json!({"text": "hello, storage", "type": "text/plain"}),
    )
    .unwrap();
    let id = out["id"].as_str().unwrap();
    assert!(id.starts_with("kg2"), "{id}");
    assert_eq!(out["text"], "hello, storage");
    assert_eq!(out["type"], "text/plain");
    assert_eq!(out["size"], 14.0);
    assert_eq!(out["url"], format!("http://127.0.0.1:3210/api/storage/{id}"));
    // The row is there with Convex's fields, through db.system and v.id("_storage").
    let row =
        run(&runner, "files:systemGet", FunctionKind::Query, json!({"storageId": id})).unwrap();
    assert_eq!(row["size"], 14.0);
    assert_eq!(row["contentType"], "text/plain");
    assert_eq!(row["_id"], id);
    let sha = sha2_base64(b"hello, storage");
    assert_eq!(row["sha256"], sha);
    let meta =
        run(&runner, "files:metadata", FunctionKind::Query, json!({"storageId": id})).unwrap();
    assert_eq!(meta["storageId"], id);
    assert_eq!(meta["size"], 14.0);
    assert_eq!(meta["sha256"].as_str().unwrap().len(), 64, "hex, as getMetadata gives it");
    let all = run(&runner, "files:systemList", FunctionKind::Query, json!({})).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 1);
}

fn sha2_base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(bytes))
}

#[test]
fn store_refuses_what_is_not_a_blob() {
    let (_d, runner) = runner();
    let out = run(&runner, "files:storeNotABlob", FunctionKind::Action, json!({})).unwrap();
    assert_eq!(
        out,
        "store() expects a Blob. If you are trying to store a Request, `await request.blob()` will give you the correct input."
    );
}

#[test]
fn a_mutation_stores_in_its_transaction_and_deletes_with_convex_errors() {
    let (_d, runner) = runner();
    let out = run(&runner, "files:storeInMutation", FunctionKind::Mutation, json!({"text": "m"}))
        .unwrap();
    assert_eq!((out["text"].as_str(), out["type"].as_str()), (Some("m"), Some("text/plain")));
    let id = out["id"].as_str().unwrap().to_owned();
    let saved = run(
        &runner,
        "files:saveFile",
        FunctionKind::Mutation,
        json!({"storageId": id, "name": "m"}),
    );
    assert!(saved.is_ok(), "{saved:?}");
    let listed = run(&runner, "files:list", FunctionKind::Query, json!({})).unwrap();
    assert_eq!(listed[0]["url"], format!("http://127.0.0.1:3210/api/storage/{id}"));

    // v.id("_storage") refuses other tables' IDs.
    let other = listed[0]["_id"].as_str().unwrap();
    let wrong = run(
        &runner,
        "files:saveFile",
        FunctionKind::Mutation,
        json!({"storageId": other, "name": "x"}),
    );
    assert!(wrong.unwrap_err().contains("_storage"));
    let bad = run(&runner, "files:getUrl", FunctionKind::Query, json!({"storageId": "nope"}));
    assert_eq!(
        bad.unwrap_err(),
        "Uncaught Error: Invalid argument `storageId` for `storage.getUrl`: Invalid storage ID: \"nope\". Storage ID should be an Id of '_storage' table, or a UUID string."
    );
    let not_storage =
        run(&runner, "files:getUrl", FunctionKind::Query, json!({"storageId": other}));
    assert!(not_storage.unwrap_err().ends_with(
        "Invalid storage ID. Storage ID cannot be an ID on any table other than '_storage'."
    ));

    run(&runner, "files:deleteFile", FunctionKind::Mutation, json!({"storageId": id})).unwrap();
    let url = run(&runner, "files:getUrl", FunctionKind::Query, json!({"storageId": id})).unwrap();
    assert_eq!(url, Json::Null);
    let again = run(&runner, "files:deleteFile", FunctionKind::Mutation, json!({"storageId": id}));
    assert_eq!(again.unwrap_err(), format!("Uncaught Error: storage id {id} not found"));
}

#[test]
fn an_action_deletes_and_issues_upload_urls() {
    let (_d, runner) = runner();
    let out =
        run(&runner, "files:storeInAction", FunctionKind::Action, json!({"text": "x", "type": ""}))
            .unwrap();
    assert_eq!(out["type"], "");
    let id = out["id"].as_str().unwrap();
    let row =
        run(&runner, "files:systemGet", FunctionKind::Query, json!({"storageId": id})).unwrap();
    assert_eq!(row["contentType"], Json::Null, "no type is null, as Convex shows it");
    let after =
        run(&runner, "files:deleteInAction", FunctionKind::Action, json!({"storageId": id}))
            .unwrap();
    assert_eq!(after, json!({"url": null, "blob": null}));
    let url = run(&runner, "files:uploadUrlInAction", FunctionKind::Action, json!({})).unwrap();
    assert!(url.as_str().unwrap().starts_with("http://127.0.0.1:3210/api/storage/upload?token="));
}

#[test]
fn blob_file_and_form_data_behave_as_on_the_web() {
    let (_d, runner) = runner();
    let out = run(&runner, "files:blobs", FunctionKind::Query, json!({})).unwrap();
    assert_eq!(
        out,
        json!({
            "size": 13.0, "type": "text/plain", "text": "héllo! world", "slice": "éllo!",
            "fileName": "a.txt", "lastModified": 5.0, "isBlob": true,
            "note": "there", "notes": 1.0,
            "parsedFile": ["a.txt", "text/plain", "héllo! world"],
            "responseType": "application/json", "responseBlob": "a/b",
            "bytes": [1.0, 2.0, 3.0],
        })
    );
}

#[test]
fn an_http_action_stores_a_multipart_upload_and_answers_the_blob() {
    let (_d, runner) = runner();
    let boundary = "XyZ";
    let png: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nsmall\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&png);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let request = HttpRequest {
        method: "POST".into(),
        url: "http://127.0.0.1:3211/upload".into(),
        path: "/upload".into(),
        headers: vec![("Content-Type".into(), format!("multipart/form-data; boundary={boundary}"))],
        body,
    };
    let out = runner.run_http(&request).unwrap();
    assert_eq!(out.error.map(|e| e.message), None);
    let response = out.response;
    assert_eq!(response.status, 200);
    assert_eq!(response.body, png);
    let header = |name: &str| {
        response.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
    };
    assert_eq!(header("content-type").as_deref(), Some("image/png"));
    assert_eq!(header("x-note").as_deref(), Some("small"));
    let id = header("x-storage-id").unwrap();
    let file =
        runner.engine().file(&atrium_value::DocumentId::decode(&id).unwrap()).unwrap().unwrap();
    assert_eq!(file.size, 3000);
    assert_eq!(runner.engine().blobs().read(&file.sha256).unwrap(), png);
}
