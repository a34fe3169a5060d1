//! Mutation replay records: stored in the commit that made them, read back after the
//! engine is reopened, absent when the transaction wrote nothing or did not commit, and
//! written from the commit's own timestamp.

use atrium_engine::replay::{ReplayKey, ReplayRecord};
use atrium_engine::{Engine, EngineError, EngineOptions};
use atrium_value::{Object, Value};

fn open(path: &std::path::Path) -> Engine {
    Engine::open(path, EngineOptions::default()).unwrap()
}

fn key(request: u32) -> ReplayKey {
    ReplayKey { session: "session-a".into(), request }
}

fn row(n: i64) -> Object {
    [("n".to_owned(), Value::Int64(n))].into_iter().collect()
}

#[test]
fn a_record_is_committed_with_the_writes_and_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deployment.sqlite3");
    let engine = open(&path);
    let mut tx = engine.begin();
    tx.insert("items", row(1)).unwrap();
    tx.record_replay(key(7), |ts| format!("answer at {}", ts.0));
    let outcome = engine.commit(tx).unwrap();
    let expected = ReplayRecord { ts: outcome.ts, answer: format!("answer at {}", outcome.ts.0) };
    assert_eq!(engine.replay_record(&key(7)).unwrap(), Some(expected.clone()));
    assert_eq!(engine.replay_record(&key(8)).unwrap(), None, "another request");
    let other = ReplayKey { session: "session-b".into(), request: 7 };
    assert_eq!(engine.replay_record(&other).unwrap(), None, "another session");
    drop(engine);

    let reopened = open(&path);
    assert_eq!(reopened.replay_record(&key(7)).unwrap(), Some(expected));
    assert_eq!(reopened.count("items").unwrap(), 1);
}

#[test]
fn no_record_without_a_commit_that_writes() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir.path().join("deployment.sqlite3"));
    // Read-only: nothing to commit, nothing stored.
    let mut tx = engine.begin();
    tx.record_replay(key(1), |_| "read only".into());
    engine.commit(tx).unwrap();
    assert_eq!(engine.replay_record(&key(1)).unwrap(), None);
    // Dropped (aborted): nothing stored.
    let mut tx = engine.begin();
    tx.insert("items", row(1)).unwrap();
    tx.record_replay(key(2), |_| "aborted".into());
    drop(tx);
    assert_eq!(engine.replay_record(&key(2)).unwrap(), None);
    // A write conflict: the losing transaction stores nothing either.
    engine.run(1, |tx| tx.insert("items", row(0))).unwrap();
    let mut loser = engine.begin();
    loser.count("items").unwrap();
    loser.insert("items", row(2)).unwrap();
    loser.record_replay(key(3), |_| "lost".into());
    engine.run(1, |tx| tx.insert("items", row(3))).unwrap();
    assert!(matches!(engine.commit(loser), Err(EngineError::Conflict { .. })));
    assert_eq!(engine.replay_record(&key(3)).unwrap(), None);
}
