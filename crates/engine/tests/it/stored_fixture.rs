//! Stored-data compatibility: `tests/fixtures/format2/` is a data folder written by the
//! build that introduced storage format 2 (documents, an ordered index, a vector index with
//! its stored HNSW graph, a stored file, a replay record) and `expected.json` what it read
//! back then. Every later build must open a copy of it and read back exactly that.
//!
//! The folder is regenerated only by running the ignored `write_stored_fixture` with
//! `ATRIUM_WRITE_FIXTURE=1`, and only when adding a new format's folder: an old folder is
//! never rewritten (that would hide the incompatibility this test exists to catch).

use std::path::{Path, PathBuf};

use atrium_engine::replay::ReplayKey;
use atrium_engine::vector::{SearchMethod, VectorIndexSpec, VectorQuery};
use atrium_engine::{Engine, EngineOptions, IndexRangeExpr, Order};
use atrium_value::json::to_json;
use atrium_value::{Object, Value};
use serde_json::{Value as Json, json};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/format2")
}

fn options() -> EngineOptions {
    // History older than the default retention would be pruned at open: keep it all.
    let retention = std::time::Duration::from_secs(100 * 365 * 24 * 3600);
    EngineOptions { vector_exact_limit: 20, retention, ..EngineOptions::default() }
}

const QUERY: [f64; 4] = [0.3, -0.2, 0.9, 0.1];

/// A deterministic vector for row `i`.
fn vector(i: usize) -> Vec<f64> {
    (0..4).map(|d| (i as f64 * 0.37 + d as f64 * 1.3).sin()).collect()
}

fn write(dir: &Path) {
    let engine = Engine::open(&dir.join("deployment.sqlite3"), options()).unwrap();
    engine.create_table("notes").unwrap();
    engine.add_index("notes", "by_topic", &["topic".to_owned()], |_, _| {}).unwrap();
    let spec = VectorIndexSpec {
        vector_field: "embedding".into(),
        dimensions: 4,
        filter_fields: vec!["topic".into()],
    };
    engine.add_vector_index("notes", "by_embedding", &spec, |_, _| {}).unwrap();
    for i in 0..48 {
        let fields: Object = [
            ("topic".to_owned(), Value::from(["music", "food", "travel"][i % 3])),
            ("n".to_owned(), Value::Int64(i as i64)),
            (
                "embedding".to_owned(),
                Value::Array(vector(i).into_iter().map(Value::Float64).collect()),
            ),
            ("blob".to_owned(), Value::Bytes(vec![i as u8; 3])),
        ]
        .into_iter()
        .collect();
        engine.run(1, |tx| tx.insert("notes", fields.clone())).unwrap();
    }
    // A document with history: replaced, and another deleted.
    let mut tx = engine.begin();
    let first = tx.collect_table("notes").unwrap()[0].id;
    let second = tx.collect_table("notes").unwrap()[1].id;
    let mut fields = tx.get(&first).unwrap().unwrap().fields;
    fields.insert("topic".into(), "edited".into());
    tx.replace(&first, fields).unwrap();
    tx.delete(&second).unwrap();
    tx.record_replay(ReplayKey { session: "fixture".into(), request: 1 }, |ts| format!("{}", ts.0));
    engine.commit(tx).unwrap();
    engine.store_file(b"a stored file's bytes", Some("text/plain")).unwrap();
    engine.wait_for_vector_builds();
}

/// Everything the folder holds, as this build reads it.
fn dump(engine: &Engine) -> Json {
    let catalog = engine.catalog();
    let mut names: Vec<String> = catalog.tables().map(|t| t.name.clone()).collect();
    names.sort();
    let mut tx = engine.begin();
    let mut tables = serde_json::Map::new();
    for name in &names {
        let number = catalog.table(name).unwrap().number;
        let mut indexes: Vec<Json> = catalog
            .indexes_of(number)
            .map(|i| json!({"name": i.name, "fields": i.fields, "state": format!("{:?}", i.state)}))
            .collect();
        indexes.sort_by_key(|i| i["name"].to_string());
        let documents: Vec<Json> =
            tx.collect_table(name).unwrap().iter().map(|d| to_json(&d.to_value())).collect();
        tables.insert(name.clone(), json!({"indexes": indexes, "documents": documents}));
    }
    let by_topic = crate::engine::scan_all(
        &mut tx,
        "notes",
        "by_topic",
        &[IndexRangeExpr::Eq("topic".into(), Some(Value::from("food")))],
        Order::Desc,
    );
    let by_topic: Vec<Json> = by_topic.into_iter().map(|f| to_json(&Value::Object(f))).collect();
    let edited = tx.collect_table("notes").unwrap()[0].id;
    let history: Vec<Json> = engine
        .history(&edited, 10)
        .unwrap()
        .iter()
        .map(|r| json!({"ts": r.ts.0, "document": r.document.as_ref().map(|d| to_json(&d.to_value()))}))
        .collect();
    let status = &engine.vector_index_statuses()[0];
    let found = engine
        .vector_search(&VectorQuery {
            table: "notes".into(),
            index: "by_embedding".into(),
            vector: QUERY.to_vec(),
            limit: 5,
            filter: Vec::new(),
            method: SearchMethod::Auto,
        })
        .unwrap();
    let hits: Vec<Json> = found
        .hits
        .iter()
        .map(|h| json!({"id": h.id.encode(), "score": (h.score * 1e4).round() / 1e4}))
        .collect();
    let files: Vec<Json> = tx
        .collect_table("_storage")
        .unwrap()
        .iter()
        .map(|d| {
            let file = engine.file(&d.id).unwrap().unwrap();
            let bytes = engine.blobs().read(&file.sha256).unwrap();
            json!({"id": d.id.encode(), "type": file.content_type, "bytes": String::from_utf8_lossy(&bytes)})
        })
        .collect();
    let replay =
        engine.replay_record(&ReplayKey { session: "fixture".into(), request: 1 }).unwrap();
    json!({
        "storageVersion": engine.persistence().storage_version().unwrap(),
        "latestTs": engine.latest_ts().0,
        "tables": tables,
        "byTopicFood": by_topic,
        "history": history,
        "vector": {"vectors": status.vectors, "graphNodes": status.graph_nodes,
            "approximate": found.approximate, "hits": hits},
        "files": files,
        "replay": replay.map(|r| json!({"ts": r.ts.0, "answer": r.answer})),
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
#[ignore = "writes the fixture; run with ATRIUM_WRITE_FIXTURE=1 only for a new format"]
fn write_stored_fixture() {
    if std::env::var_os("ATRIUM_WRITE_FIXTURE").is_none() {
        return;
    }
    let dir = fixture();
    assert!(!dir.join("deployment.sqlite3").exists(), "never rewrite a released fixture");
    std::fs::create_dir_all(&dir).unwrap();
    write(&dir);
    let engine = Engine::open(&dir.join("deployment.sqlite3"), options()).unwrap();
    let expected = serde_json::to_string_pretty(&dump(&engine)).unwrap();
    drop(engine);
    std::fs::write(dir.join("expected.json"), expected + "\n").unwrap();
}

#[test]
fn the_format_2_fixture_reads_back_identically() {
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), copy.path());
    let expected: Json =
        serde_json::from_str(&std::fs::read_to_string(copy.path().join("expected.json")).unwrap())
            .unwrap();
    let engine = Engine::open(&copy.path().join("deployment.sqlite3"), options()).unwrap();
    engine.persistence().integrity_check().unwrap();
    engine.wait_for_vector_builds();
    let mut found = dump(&engine);
    // Replay records expire (24 h after their commit): present, it must be as written.
    if found["replay"].is_null() {
        found["replay"] = expected["replay"].clone();
    }
    assert_eq!(found, expected);
}
