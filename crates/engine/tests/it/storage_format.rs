//! The storage format's versions: a file of an older format is upgraded in place on open
//! (its data kept), and a file of a newer format is refused with a message saying so.

use atrium_engine::persistence::CURRENT_VERSION;
use atrium_engine::replay::ReplayKey;
use atrium_engine::{Engine, EngineOptions};
use atrium_value::{Object, Value};

fn row(n: i64) -> Object {
    [("n".to_owned(), Value::Int64(n))].into_iter().collect()
}

/// Turns a current file back into format 1 (no replay records), as version 1 wrote it.
fn downgrade_to_v1(path: &std::path::Path) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(
        "DROP TABLE mutation_replays; UPDATE meta SET value = '1' WHERE key = 'schema_version';",
    )
    .unwrap();
}

#[test]
fn a_format_1_file_is_upgraded_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deployment.sqlite3");
    let engine = Engine::open(&path, EngineOptions::default()).unwrap();
    for n in 0..3 {
        engine.run(1, |tx| tx.insert("items", row(n))).unwrap();
    }
    let before = engine.begin().collect_table("items").unwrap();
    drop(engine);
    downgrade_to_v1(&path);

    let engine = Engine::open(&path, EngineOptions::default()).unwrap();
    assert_eq!(engine.persistence().storage_version().unwrap(), Some(CURRENT_VERSION));
    assert_eq!(engine.begin().collect_table("items").unwrap(), before, "the data is kept");
    // The upgraded file takes what the new format adds.
    let key = ReplayKey { session: "s".into(), request: 1 };
    let mut tx = engine.begin();
    tx.insert("items", row(9)).unwrap();
    tx.record_replay(key.clone(), |_| "stored".into());
    engine.commit(tx).unwrap();
    assert_eq!(engine.replay_record(&key).unwrap().unwrap().answer, "stored");
    engine.persistence().integrity_check().unwrap();
}

#[test]
fn a_file_from_a_newer_build_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deployment.sqlite3");
    drop(Engine::open(&path, EngineOptions::default()).unwrap());
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'", []).unwrap();
    drop(c);
    let error = Engine::open(&path, EngineOptions::default()).unwrap_err().to_string();
    assert!(error.contains("storage format 99, written by a newer Atrium"), "{error}");
    let c = rusqlite::Connection::open(&path).unwrap();
    let version: String = c
        .query_row("SELECT value FROM meta WHERE key = 'schema_version'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, "99", "the file is not touched");
}
