//! Scheduled functions through the real library's `ctx.scheduler`: mutations and actions
//! run when due, cancellation, failures recorded, scheduling rolled back with its mutation.

use std::path::PathBuf;

use atrium_engine::{Engine, EngineOptions};
use atrium_runtime::scheduler::run_due_jobs;
use atrium_runtime::{FunctionKind, Project, Runner};
use atrium_value::{Object, Value};

fn runner() -> (tempfile::TempDir, Runner) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/kitchen");
    let data = tempfile::tempdir().unwrap();
    let engine = Engine::open(&data.path().join("jobs.sqlite3"), EngineOptions::default()).unwrap();
    (data, Runner::new(Project::open(&dir).unwrap(), engine))
}

fn obj(fields: Vec<(&str, Value)>) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Object>())
}

fn now() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64()
        * 1000.0
}

fn mutation(runner: &Runner, path: &str, args: Value) -> Result<Value, String> {
    runner.run(path, FunctionKind::Mutation, args).unwrap().result.map_err(|e| e.message)
}

/// (name, state kind, error) of every job.
fn jobs(runner: &Runner) -> Vec<(String, String, Option<String>)> {
    let Ok(Value::Array(jobs)) =
        runner.run("jobs:list", FunctionKind::Query, obj(vec![])).unwrap().result
    else {
        panic!()
    };
    jobs.iter()
        .map(|j| {
            let s = |p: &[&str]| {
                j.get_path(p.iter().copied()).and_then(Value::as_str).map(str::to_owned)
            };
            (s(&["name"]).unwrap(), s(&["state", "kind"]).unwrap(), s(&["state", "error"]))
        })
        .collect()
}

/// The labels recorded, sorted (due jobs run concurrently, in no set order).
fn labels(runner: &Runner) -> Vec<String> {
    let mut labels: Vec<String> = runner
        .engine()
        .begin()
        .collect_table("records")
        .unwrap()
        .into_iter()
        .map(|d| d.fields["label"].as_str().unwrap().to_owned())
        .collect();
    labels.sort();
    labels
}

#[test]
fn due_mutations_and_actions_run_once() {
    let (_d, runner) = runner();
    let id = mutation(
        &runner,
        "jobs:later",
        obj(vec![("label", "a".into()), ("delayMs", Value::Float64(0.0))]),
    )
    .unwrap();
    assert!(matches!(&id, Value::String(s) if s.starts_with("kc2")), "{id}");
    mutation(&runner, "jobs:laterAction", obj(vec![("label", "b".into())])).unwrap();
    assert_eq!(jobs(&runner).iter().filter(|j| j.1 == "pending").count(), 2);

    assert_eq!(run_due_jobs(&runner, now() + 1000.0).unwrap(), 2);
    assert_eq!(labels(&runner), vec!["a", "b"]);
    assert_eq!(
        jobs(&runner).into_iter().map(|j| (j.0, j.1)).collect::<Vec<_>>(),
        vec![
            ("jobs.js:record".into(), "success".into()),
            ("jobs.js:recordFromAction".into(), "success".into())
        ]
    );
    assert_eq!(run_due_jobs(&runner, now() + 1000.0).unwrap(), 0, "nothing runs twice");
    assert_eq!(labels(&runner).len(), 2);
}

#[test]
fn jobs_wait_for_their_time_and_can_be_cancelled() {
    let (_d, runner) = runner();
    let id = mutation(
        &runner,
        "jobs:later",
        obj(vec![("label", "later".into()), ("delayMs", Value::Float64(60_000.0))]),
    )
    .unwrap();
    assert_eq!(run_due_jobs(&runner, now()).unwrap(), 0, "not due yet");
    mutation(&runner, "jobs:cancelIt", obj(vec![("id", id)])).unwrap();
    assert_eq!(run_due_jobs(&runner, now() + 120_000.0).unwrap(), 0);
    assert_eq!(jobs(&runner)[0].1, "canceled");
    assert!(labels(&runner).is_empty());
}

#[test]
fn failures_are_recorded_and_scheduling_rolls_back_with_its_mutation() {
    let (_d, runner) = runner();
    mutation(&runner, "jobs:scheduleFailing", obj(vec![])).unwrap();
    run_due_jobs(&runner, now() + 1000.0).unwrap();
    let job = &jobs(&runner)[0];
    assert_eq!(job.1, "failed");
    assert!(job.2.as_deref().unwrap_or_default().contains("job failed"), "{job:?}");

    let err = mutation(&runner, "jobs:scheduleThenThrow", obj(vec![])).unwrap_err();
    assert!(err.contains("rolled back"), "{err}");
    assert_eq!(jobs(&runner).len(), 1, "the job of a failed mutation was never written");
}
