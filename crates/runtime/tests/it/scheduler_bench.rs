//! The scheduler's figures for `bench/scheduler.sh` (ignored in normal runs: timings are
//! not asserted): 50 actions that each wait 1 s through the pool, beside the same actions
//! through a pool of one action at a time (the old loop's behaviour) measured in the same
//! run on fewer actions, and how soon a mutation due now runs while a long action runs.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use atrium_engine::{Engine, EngineOptions};
use atrium_runtime::scheduler::{Lanes, Scheduler, SystemClock};
use atrium_runtime::{FunctionKind, Project, Runner};
use atrium_value::{Object, Value};

fn runner() -> (tempfile::TempDir, Runner) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/schedules");
    let data = tempfile::tempdir().unwrap();
    let engine = Engine::open(&data.path().join("b.sqlite3"), EngineOptions::default()).unwrap();
    (data, Runner::new(Project::open(&dir).unwrap(), engine))
}

fn obj(fields: Vec<(&str, Value)>) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Object>())
}

fn spans(runner: &Runner) -> usize {
    let result = runner.run("schedules:spans", FunctionKind::Query, obj(vec![])).unwrap().result;
    match result {
        Ok(Value::Array(spans)) => spans.len(),
        other => panic!("{other:?}"),
    }
}

/// Seconds until `count` actions of `ms` each finished through a pool with `lanes`.
fn actions(lanes: Lanes, count: f64, ms: f64) -> f64 {
    let (_d, runner) = runner();
    let args = obj(vec![("count", Value::Float64(count)), ("ms", Value::Float64(ms))]);
    runner.run("schedules:scheduleSlow", FunctionKind::Mutation, args).unwrap();
    let scheduler = Scheduler::with_lanes(Arc::new(SystemClock), lanes);
    let started = Instant::now();
    while spans(&runner) < count as usize {
        scheduler.tick(&runner).unwrap();
        std::thread::sleep(Duration::from_millis(10));
    }
    started.elapsed().as_secs_f64()
}

#[test]
#[ignore = "a benchmark: bench/scheduler.sh runs it"]
fn scheduler_figures() {
    let pool = actions(Lanes::default(), 50.0, 1000.0);
    let serial = actions(Lanes { mutations: 1, actions: 1 }, 5.0, 1000.0);
    println!();
    println!("{:<44} {:>9}", "scheduled actions (each waits 1 s)", "wall time");
    println!("{:<44} {:>7.2} s", "50 through the pool (64 action lanes)", pool);
    println!("{:<44} {:>7.2} s", "5 one at a time (baseline)", serial);
    println!("{:<44} {:>7.2} s", "50 one at a time (from the baseline)", serial * 10.0);
    println!("pool vs one at a time for 50 actions: {:.1}x faster", serial * 10.0 / pool);
}
