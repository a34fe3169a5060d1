//! Crashes at named points (`atrium_engine::fault`, armed by `ATRIUM_FAULT` in a child
//! process that re-runs this binary): during an index backfill and after a vector index's
//! graph is built but before it is stored. After each SIGKILL the file passes SQLite's
//! integrity check, every acknowledged write is there, nothing half-applied is (the
//! backfilled index was never committed and can be added again), and the vector index
//! serves searches and builds its graph again.

use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

use atrium_engine::fault::{FAULT_ENV, points};
use atrium_engine::vector::{SearchMethod, VectorIndexSpec, VectorQuery};
use atrium_engine::{Engine, EngineOptions};
use atrium_value::{DocumentId, Object, Value};

const CHILD_DB: &str = "ATRIUM_CRASH_POINT_DB";
const CHILD_STEP: &str = "ATRIUM_CRASH_POINT_STEP";

fn options() -> EngineOptions {
    EngineOptions { vector_exact_limit: 50, ..EngineOptions::default() }
}

fn row(i: usize) -> Object {
    let embedding = (0..8).map(|d| Value::Float64((((i * 31 + d * 7) % 23) as f64) - 11.0));
    [
        ("n".to_owned(), Value::Int64(i as i64)),
        ("embedding".to_owned(), Value::Array(embedding.collect())),
    ]
    .into_iter()
    .collect()
}

fn spec() -> VectorIndexSpec {
    VectorIndexSpec { vector_field: "embedding".into(), dimensions: 8, filter_fields: vec![] }
}

/// Not a test on its own: the child the crash-point test runs.
#[test]
#[ignore = "run by crashes_at_named_points_lose_nothing_acknowledged in a child process"]
fn crash_point_child() {
    let (Some(path), Ok(step)) = (std::env::var_os(CHILD_DB), std::env::var(CHILD_STEP)) else {
        return;
    };
    let engine = Engine::open(std::path::Path::new(&path), options()).unwrap();
    let mut out = std::io::stdout().lock();
    match step.as_str() {
        "backfill" => {
            for i in 0..2500 {
                let (id, _) = engine.run(1, |tx| tx.insert("items", row(i))).unwrap();
                writeln!(out, "acked {id}").unwrap();
            }
            out.flush().unwrap();
            engine.add_index("items", "by_n", &["n".to_owned()], |_, _| {}).unwrap();
        }
        "vector" => {
            engine.add_vector_index("items", "by_embedding", &spec(), |_, _| {}).unwrap();
            for i in 2500..2600 {
                let (id, _) = engine.run(1, |tx| tx.insert("items", row(i))).unwrap();
                writeln!(out, "acked {id}").unwrap();
            }
            out.flush().unwrap();
            engine.wait_for_vector_builds();
        }
        other => panic!("unknown step {other}"),
    }
    writeln!(out, "survived").unwrap();
}

/// Runs the child's `step` with `point` armed; the IDs it acknowledged.
fn run_child(db: &std::path::Path, step: &str, point: &str) -> Vec<DocumentId> {
    let child = Command::new(std::env::current_exe().unwrap())
        .args([
            "crash_points::crash_point_child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DB, db)
        .env(CHILD_STEP, step)
        .env(FAULT_ENV, point)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.signal(), Some(9), "{step}: killed by SIGKILL; stderr: {stderr}");
    assert!(stderr.contains(&format!("killing the process at `{point}`")), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("survived"));
    stdout
        .lines()
        // The harness prints "test … " before the first line, without a newline.
        .filter_map(|l| l.rsplit_once("acked ").map(|(_, id)| id))
        .map(|id| DocumentId::decode(id).unwrap())
        .collect()
}

#[test]
fn crashes_at_named_points_lose_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash-points.sqlite3");

    let acked = run_child(&db, "backfill", points::INDEX_BACKFILL);
    assert_eq!(acked.len(), 2500);
    let engine = Engine::open(&db, options()).unwrap();
    engine.persistence().integrity_check().unwrap();
    assert_eq!(engine.count("items").unwrap(), 2500);
    let present: std::collections::HashSet<DocumentId> =
        engine.begin().collect_table("items").unwrap().into_iter().map(|d| d.id).collect();
    assert!(acked.iter().all(|id| present.contains(id)), "every acknowledged insert is there");
    let number = engine.catalog().table("items").unwrap().number;
    assert!(engine.catalog().index(number, "by_n").is_none(), "no half-built index");
    engine.add_index("items", "by_n", &["n".to_owned()], |_, _| {}).unwrap();
    drop(engine);

    // The graph build starts with the index (2,500 rows > the exact limit), so the kill
    // may come before, during or after the inserts.
    let acked = run_child(&db, "vector", points::VECTOR_GRAPH_BUILT);
    let engine = Engine::open(&db, options()).unwrap();
    engine.persistence().integrity_check().unwrap();
    let count = engine.count("items").unwrap() as usize;
    assert!(count >= 2500 + acked.len() && count <= 2600, "{count} rows, {} acked", acked.len());
    let present: std::collections::HashSet<DocumentId> =
        engine.begin().collect_table("items").unwrap().into_iter().map(|d| d.id).collect();
    assert!(acked.iter().all(|id| present.contains(id)), "every acknowledged insert is there");
    engine.wait_for_vector_builds();
    let status = &engine.vector_index_statuses()[0];
    assert_eq!(status.vectors, count, "every document is in the vector index");
    assert_eq!(status.graph_nodes, Some(count), "the graph was built again");
    let found = engine
        .vector_search(&VectorQuery {
            table: "items".into(),
            index: "by_embedding".into(),
            vector: vec![1.0; 8],
            limit: 3,
            filter: Vec::new(),
            method: SearchMethod::Auto,
        })
        .unwrap();
    assert_eq!(found.hits.len(), 3);
}
