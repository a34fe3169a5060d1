//! Search indexes stored in the data directory: a restart opens the stored index instead
//! of rebuilding it (no backfill progress) and catches up with commits it missed; a
//! changed definition, a damaged or missing directory is rebuilt; and a child process
//! killed with SIGKILL in the middle of a build or of its commits leaves an index that is
//! either usable as is or detected and rebuilt — in every case the search answers exactly
//! what a BM25 over the table's documents answers.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use atrium_engine::search::{SearchIndexSpec, tokenize};
use atrium_engine::{Engine, EngineOptions};
use atrium_value::{DocumentId, Value};

use super::search::{Rng, WORDS, check_against_reference, corpus, message, open, query, spec};

type Stored = BTreeMap<DocumentId, (Vec<String>, String)>;

/// Adds the index; the backfill progress it reported (none: the stored index was opened).
fn add(engine: &Engine, spec: &SearchIndexSpec) -> Vec<(u64, u64)> {
    let mut seen = Vec::new();
    engine
        .add_search_index("messages", "search_body", spec, |done, total| seen.push((done, total)))
        .unwrap();
    seen
}

/// The table's documents as the reference scores them.
fn stored_of(engine: &Engine) -> Stored {
    let documents = engine.begin().collect_table("messages").unwrap();
    documents
        .into_iter()
        .map(|d| {
            let text = |f: &str| match d.fields.get(f) {
                Some(Value::String(s)) => s.clone(),
                other => panic!("{f}: {other:?}"),
            };
            (d.id, (tokenize(&text("body")), text("channel")))
        })
        .collect()
}

/// The searches every test checks against the reference.
fn check(engine: &Engine) {
    let stored = stored_of(engine);
    check_against_reference(
        engine,
        &stored,
        "sierra tango",
        &[("sierra", 1.0), ("tango", 1.0)],
        None,
    );
    check_against_reference(engine, &stored, "quebec romeo", &[("quebec", 1.0), ("romeo", 1.0)], {
        Some("c1")
    });
    let status = &engine.search_index_statuses()[0];
    assert_eq!(status.documents, stored.len() as u64, "documents counted exactly");
}

fn insert(engine: &Engine, docs: &[(String, String)]) {
    for chunk in docs.chunks(500) {
        engine
            .run(1, |tx| {
                chunk.iter().try_for_each(|(b, c)| tx.insert("messages", message(b, c)).map(drop))
            })
            .unwrap();
    }
}

/// The directory of the one stored index.
fn index_dir(db: &Path) -> PathBuf {
    let root = db.with_extension("search");
    let found: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with('t'))
        .collect();
    assert_eq!(found.len(), 1, "one stored index in {}: {found:?}", root.display());
    found[0].clone()
}

#[test]
fn a_restart_opens_the_stored_index_and_catches_up_with_commits_it_missed() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    engine.create_table("messages").unwrap();
    let docs = corpus(800);
    insert(&engine, &docs[..400]);
    assert!(!add(&engine, &spec()).is_empty(), "the first start builds");
    insert(&engine, &docs[400..600]);
    check(&engine);
    drop(engine);

    // A run that does not declare the index changes the table behind its back.
    let engine = open(&dir);
    let ids: Vec<DocumentId> = stored_of(&engine).into_keys().collect();
    engine
        .run(1, |tx| {
            ids.iter().step_by(5).try_for_each(|id| tx.delete(id))?;
            ids.iter().enumerate().filter(|(i, _)| i % 9 == 2 && i % 5 != 0).try_for_each(
                |(_, id)| tx.replace(id, message("quebec quebec romeo sierra", "c1")).map(drop),
            )
        })
        .unwrap();
    insert(&engine, &docs[600..]);
    drop(engine);

    let engine = open(&dir);
    assert_eq!(add(&engine, &spec()), vec![], "opened, not rebuilt");
    check(&engine);
    // Writes after the restart go on as before.
    insert(&engine, &docs[..50]);
    check(&engine);
    drop(engine);
    let engine = open(&dir);
    assert_eq!(add(&engine, &spec()), vec![]);
    check(&engine);
}

#[test]
fn a_changed_definition_or_a_damaged_directory_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("deployment.sqlite3");
    let engine = open(&dir);
    engine.create_table("messages").unwrap();
    insert(&engine, &corpus(300));
    add(&engine, &spec());
    drop(engine);

    // Another filter field: rebuilt (and the old directory replaced).
    let engine = open(&dir);
    let other = SearchIndexSpec { search_field: "body".into(), filter_fields: vec![] };
    assert!(!add(&engine, &other).is_empty(), "a changed definition is rebuilt");
    drop(engine);
    let engine = open(&dir);
    assert!(!add(&engine, &spec()).is_empty(), "changed back: rebuilt again");
    check(&engine);
    drop(engine);

    // A damaged commit record.
    std::fs::write(index_dir(&db).join("meta.json"), b"{ not json").unwrap();
    let engine = open(&dir);
    assert!(!add(&engine, &spec()).is_empty(), "a damaged index is rebuilt");
    check(&engine);
    drop(engine);

    // A missing segment file.
    let segment = std::fs::read_dir(index_dir(&db))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "idx"))
        .expect("a segment file");
    std::fs::remove_file(segment).unwrap();
    let engine = open(&dir);
    assert!(!add(&engine, &spec()).is_empty(), "an index missing a file is rebuilt");
    check(&engine);
    drop(engine);

    // Gone entirely; and a dropped table takes its stored index along.
    std::fs::remove_dir_all(index_dir(&db)).unwrap();
    let engine = open(&dir);
    assert!(!add(&engine, &spec()).is_empty(), "a missing index is rebuilt");
    check(&engine);
    engine.drop_table("messages").unwrap();
    let root = db.with_extension("search");
    assert_eq!(std::fs::read_dir(root).unwrap().count(), 0, "the table's index went with it");
}

#[test]
fn a_build_lets_commits_through_and_a_search_of_it_is_told_it_is_backfilling() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(&dir);
    engine.create_table("messages").unwrap();
    insert(&engine, &corpus(1500));
    let mut during = Vec::new();
    engine
        .add_search_index("messages", "search_body", &spec(), |done, _| {
            if done == 1000 {
                // Mid-build (pages of 1000): commits go through, searches are answered.
                let error = engine.begin().search(&query("sierra", None)).unwrap_err();
                during.push(error.to_string());
                engine
                    .run(1, |tx| tx.insert("messages", message("sierra sierra tango", "c1")))
                    .unwrap();
            }
        })
        .unwrap();
    assert_eq!(
        during,
        vec!["Index messages.search_body is currently backfilling and not available to query yet."]
    );
    // The document committed during the build was caught up.
    check(&engine);
    assert_eq!(engine.search_index_statuses()[0].documents, 1501);
}

const CHILD_DB: &str = "ATRIUM_SEARCH_CRASH_DB";
const CHILD_MODE: &str = "ATRIUM_SEARCH_CRASH_MODE";

/// Not a test on its own: the process the crash tests kill. `build` adds the index
/// (reporting its progress), `commit` opens it and then inserts, replaces and deletes
/// documents in a loop.
#[test]
#[ignore = "run by the search crash tests in a child process"]
fn search_crash_child() {
    let Some(path) = std::env::var_os(CHILD_DB) else { return };
    let engine = Engine::open(Path::new(&path), EngineOptions::default()).unwrap();
    let mode = std::env::var(CHILD_MODE).unwrap();
    engine
        .add_search_index("messages", "search_body", &spec(), |done, _| {
            println!("progress {done}");
        })
        .unwrap();
    println!("ready");
    if mode == "build" {
        loop {
            std::thread::sleep(Duration::from_secs(1));
        }
    }
    let mut rng = Rng(std::process::id() as u64);
    let mut ids: Vec<DocumentId> = stored_of(&engine).into_keys().collect();
    loop {
        let body: Vec<&str> =
            (0..2 + rng.below(8)).map(|_| WORDS[rng.below(WORDS.len())]).collect();
        let body = body.join(" ");
        let channel = format!("c{}", rng.below(4));
        let pick = rng.below(ids.len());
        let op = if ids.len() < 100 { 0 } else { rng.below(3) };
        let (inserted, _) = engine
            .run(1, |tx| match op {
                0 => tx.insert("messages", message(&body, &channel)).map(Some),
                1 => tx.replace(&ids[pick], message(&body, &channel)).map(|_| None),
                _ => tx.delete(&ids[pick]).map(|_| None),
            })
            .unwrap();
        match (op, inserted) {
            (_, Some(id)) => ids.push(id),
            (2, None) => {
                ids.swap_remove(pick);
            }
            _ => {}
        }
        println!("acked");
    }
}

/// Runs the child in `mode` and kills it (SIGKILL) once it printed `after` lines
/// starting with `marker` and `extra` more milliseconds passed.
fn run_and_kill(db: &Path, mode: &str, marker: &str, after: usize, extra: u64) -> usize {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["search_store::search_crash_child", "--exact", "--ignored", "--nocapture"])
        .args(["--test-threads=1"])
        .env(CHILD_DB, db)
        .env(CHILD_MODE, mode)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (lines, seen) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let mut count = 0;
    while count < after {
        let line = seen.recv_timeout(Duration::from_secs(120)).expect("the child goes on");
        if line.starts_with(marker) {
            count += 1;
        }
    }
    std::thread::sleep(Duration::from_millis(extra));
    child.kill().unwrap();
    child.wait().unwrap();
    reader.join().unwrap();
    seen.try_iter().filter(|l| l.starts_with(marker)).count() + count
}

#[test]
fn a_kill_during_a_build_leaves_an_index_that_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("deployment.sqlite3");
    let engine = open(&dir);
    engine.create_table("messages").unwrap();
    insert(&engine, &corpus(2500));
    drop(engine);
    // Killed after the first pages were indexed, before the build was committed.
    let pages = run_and_kill(&db, "build", "progress", 2, 0);
    assert!(pages >= 2);
    let engine = open(&dir);
    assert!(!add(&engine, &spec()).is_empty(), "the half-built index is rebuilt");
    check(&engine);
    let root = db.with_extension("search");
    let leftovers: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".build"))
        .collect();
    assert!(leftovers.is_empty(), "the killed build's directory is gone: {leftovers:?}");
}

#[test]
fn a_kill_during_commits_leaves_a_usable_index() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("deployment.sqlite3");
    let engine = open(&dir);
    engine.create_table("messages").unwrap();
    insert(&engine, &corpus(500));
    add(&engine, &spec());
    drop(engine);
    let mut rng = Rng(11);
    let mut commits = 0;
    for _trial in 0..4 {
        // Killed at some moment among its commits (some published, some not yet).
        commits += run_and_kill(&db, "commit", "acked", 20, rng.below(400) as u64);
        let engine = open(&dir);
        assert_eq!(add(&engine, &spec()), vec![], "the stored index is usable as is");
        check(&engine);
    }
    assert!(commits >= 80, "the child committed ({commits})");
}
