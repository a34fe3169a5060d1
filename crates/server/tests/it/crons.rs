//! Crons and scheduled functions in a running deployment: a cron every second ticks while
//! the engine runs, stops when a reload removes it, and after a restart neither runs twice
//! nor replays the slots it missed; an action in progress when `atrium-engine` is killed
//! with SIGKILL is `failed` after the restart, with Convex's error.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use atrium_runtime::FunctionKind;
use atrium_runtime::scheduler::TRANSIENT_ACTION_ERROR;
use atrium_server::{Deployment, DeploymentConfig};
use atrium_value::{Object, Value};
use serde_json::{Value as Json, json};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/schedules")
}

/// A copy of the fixture's `convex/` (its `node_modules` linked), to edit.
fn project_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let convex = dir.path().join("convex");
    std::fs::create_dir_all(convex.join("_generated")).unwrap();
    for entry in walk(&fixture().join("convex")) {
        let relative = entry.strip_prefix(fixture().join("convex")).unwrap();
        std::fs::copy(&entry, convex.join(relative)).unwrap();
    }
    std::os::unix::fs::symlink(fixture().join("node_modules"), dir.path().join("node_modules"))
        .unwrap();
    std::fs::copy(fixture().join("package.json"), dir.path().join("package.json")).unwrap();
    dir
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { files.extend(walk(&path)) } else { files.push(path) }
    }
    files
}

fn open(project: &Path, data: &Path) -> Arc<Deployment> {
    Deployment::open(DeploymentConfig {
        project_dir: Some(project.to_path_buf()),
        data_dir: data.to_path_buf(),
        instance_name: "crons".into(),
        admin_key: None,
    })
    .unwrap()
}

fn ticks(deployment: &Deployment) -> f64 {
    let runner = deployment.runner().unwrap();
    match runner.run("schedules:ticks", FunctionKind::Query, Value::Object(Object::new())) {
        Ok(outcome) => match outcome.result {
            Ok(Value::Float64(n)) => n,
            other => panic!("{other:?}"),
        },
        Err(e) => panic!("{e}"),
    }
}

/// (status type, num_canceled) of each logged run of the cron `counter`.
fn runs(deployment: &Deployment) -> Vec<(String, Option<i64>)> {
    let mut tx = deployment.engine().begin();
    tx.collect_table("_cron_job_logs")
        .unwrap()
        .into_iter()
        .filter(|d| d.fields.get("name").and_then(Value::as_str) == Some("counter"))
        .map(|d| {
            let status = &d.fields["status"];
            let kind = status.get_path(["type"]).and_then(Value::as_str).unwrap().to_owned();
            let canceled = match status.get_path(["num_canceled"]) {
                Some(Value::Int64(n)) => Some(*n),
                _ => None,
            };
            (kind, canceled)
        })
        .collect()
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn stop(deployment: Arc<Deployment>) {
    deployment.stop();
    deployment.scheduler().wait_idle();
    drop(deployment);
    std::thread::sleep(Duration::from_millis(200)); // the scheduler thread lets go
}

#[test]
fn a_cron_every_second_ticks_stops_when_removed_and_survives_a_restart() {
    let project = project_copy();
    let data = tempfile::tempdir().unwrap();
    let deployment = open(project.path(), data.path());
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(4));
    let in_four_seconds = ticks(&deployment);
    eprintln!("the every-second cron ran {in_four_seconds} times in {:?}", started.elapsed());
    wait_until("three ticks", || ticks(&deployment) >= 3.0);

    // A restart after three seconds away: one run for the overdue slot, the rest skipped.
    stop(deployment);
    let before = {
        let d = open(project.path(), data.path());
        let n = ticks(&d);
        stop(d);
        n
    };
    std::thread::sleep(Duration::from_secs(3));
    let restarted = Instant::now();
    let deployment = open(project.path(), data.path());
    wait_until("a canceled run", || runs(&deployment).iter().any(|r| r.0 == "canceled"));
    let skipped = runs(&deployment).iter().find_map(|r| r.1).unwrap();
    assert!(skipped >= 2, "the missed slots were skipped: {skipped}");
    let after = ticks(&deployment);
    // One run for the overdue slot, then at most one per second since: no burst.
    let allowed = 1.0 + restarted.elapsed().as_secs_f64().ceil();
    assert!(after - before <= allowed, "missed slots replayed: {before} then {after}");

    // Removed by a reload, it stops.
    std::fs::remove_file(project.path().join("convex/crons.ts")).unwrap();
    deployment.reload_project(project.path(), &|_, _, _, _| {}).unwrap();
    assert_eq!(deployment.last_cron_diff().deleted, vec!["counter", "midnight"]);
    deployment.scheduler().wait_idle();
    let stopped_at = ticks(&deployment);
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(ticks(&deployment), stopped_at, "a removed cron stopped");
    assert_eq!(deployment.engine().begin().collect_table("_cron_jobs").unwrap().len(), 0);
    stop(deployment);
}

struct Engine {
    child: Child,
    url: String,
    key: String,
}

fn serve(data: &Path) -> Engine {
    let mut child = Command::new(env!("CARGO_BIN_EXE_atrium-engine"))
        .args(["serve", fixture().to_str().unwrap(), "--port", "0", "--site-port", "0"])
        .arg("--data-dir")
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut url, mut key) = (String::new(), String::new());
    while url.is_empty() || key.is_empty() {
        let line = lines.next().expect("the engine prints its URL and key").unwrap();
        if let Some(rest) = line.strip_prefix("Convex URL:") {
            url = rest.trim().to_owned();
        }
        if let Some(rest) = line.strip_prefix("Admin key:") {
            key = rest.trim().to_owned();
        }
    }
    Engine { child, url, key }
}

fn call(engine: &Engine, kind: &str, path: &str, args: Json) -> Json {
    let client = reqwest::blocking::Client::new();
    let response = client
        .post(format!("{}/api/{kind}", engine.url))
        .header("authorization", format!("Convex {}", engine.key))
        .json(&json!({"path": path, "args": args, "format": "json"}))
        .send()
        .unwrap();
    let body: Json = response.json().unwrap();
    assert_eq!(body["status"], "success", "{body}");
    body["value"].clone()
}

#[test]
fn an_action_running_when_the_engine_is_killed_is_failed_after_the_restart() {
    let data = tempfile::tempdir().unwrap();
    let mut engine = serve(data.path());
    call(&engine, "mutation", "schedules:scheduleSlow", json!({"count": 1, "ms": 60_000}));
    wait_until("the action in progress", || {
        call(&engine, "query", "schedules:jobs", json!({}))[0]["state"]["kind"] == "inProgress"
    });
    engine.child.kill().unwrap(); // SIGKILL
    engine.child.wait().unwrap();

    let mut engine = serve(data.path());
    let job = call(&engine, "query", "schedules:jobs", json!({}))[0].clone();
    assert_eq!(job["state"], json!({"kind": "failed", "error": TRANSIENT_ACTION_ERROR}), "{job}");
    assert!(job["completedTime"].is_number());
    engine.child.kill().unwrap();
    engine.child.wait().unwrap();
}
