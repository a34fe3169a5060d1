//! Crash safety: a child process commits in a loop and is killed with SIGKILL at random
//! moments. After each kill, every commit the child saw acknowledged must be there, and
//! SQLite's integrity check must pass. (`bench/crash.sh` runs many more trials.)

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use atrium_engine::{Engine, EngineOptions};
use atrium_value::{DocumentId, Object, Value};

const CHILD_ENV: &str = "ATRIUM_CRASH_CHILD_DB";

/// Not a test on its own: the writer the crash test runs in a child process.
#[test]
#[ignore = "run by crash_test_keeps_every_acknowledged_commit in a child process"]
fn crash_child_writer() {
    let Some(path) = std::env::var_os(CHILD_ENV) else { return };
    let engine = Engine::open(std::path::Path::new(&path), EngineOptions::default()).unwrap();
    let stdout = std::io::stdout();
    for n in 0u64.. {
        let mut fields = Object::new();
        fields.insert("n".into(), Value::Int64(n as i64));
        fields.insert("padding".into(), Value::String("x".repeat((n % 7) as usize * 100)));
        let (id, _) = engine.run(5, |tx| tx.insert("events", fields.clone())).unwrap();
        let mut out = stdout.lock();
        writeln!(out, "acked {id}").unwrap();
        out.flush().unwrap();
    }
}

fn pseudo_random(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn crash_test_keeps_every_acknowledged_commit() {
    let trials: usize =
        std::env::var("ATRIUM_CRASH_TRIALS").ok().and_then(|t| t.parse().ok()).unwrap_or(20);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.sqlite3");
    let mut seed =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
            as u64
            | 1;
    let mut acked_total: Vec<DocumentId> = Vec::new();

    for trial in 0..trials {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "crash::crash_child_writer",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let acked = Arc::new(Mutex::new(Vec::new()));
        let reader = {
            let acked = acked.clone();
            let stdout = child.stdout.take().unwrap();
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if let Some(id) = line.strip_prefix("acked ") {
                        acked.lock().unwrap().push(DocumentId::decode(id).unwrap());
                    }
                }
            })
        };
        // Let it get going (the first trial also creates the file), then kill at a random moment.
        let wait = 50 + pseudo_random(&mut seed) % 250;
        std::thread::sleep(Duration::from_millis(wait));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        reader.join().unwrap();
        let acked = acked.lock().unwrap().clone();

        let engine = Engine::open(&db, EngineOptions::default()).unwrap();
        engine.persistence().integrity_check().unwrap_or_else(|e| panic!("trial {trial}: {e}"));
        let present: std::collections::HashSet<DocumentId> =
            engine.begin().collect_table("events").unwrap().into_iter().map(|d| d.id).collect();
        for id in acked_total.iter().chain(&acked) {
            assert!(present.contains(id), "trial {trial}: acknowledged {id} is missing");
        }
        acked_total.extend(acked);
    }
    assert!(
        acked_total.len() > trials,
        "the child should have committed something ({} commits)",
        acked_total.len()
    );
    eprintln!("crash test: {trials} kills, {} acknowledged commits all present", acked_total.len());
}
