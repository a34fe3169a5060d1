//! Crons and the concurrent scheduler against the `schedules` fixture: next runs on a fixed
//! clock, one run per slot, missed slots skipped (not replayed), crons following the code,
//! start-up recovery of interrupted actions, Convex's scheduling limits, and actions running
//! side by side without holding up mutations.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use atrium_engine::{Engine, EngineOptions, PatchValue};
use atrium_runtime::analysis::analyze;
use atrium_runtime::scheduler::crons::{self, CronSchedule, CronSpec, table};
use atrium_runtime::scheduler::{
    Clock, FixedClock, RETENTION_MS, Scheduler, SystemClock, TRANSIENT_ACTION_ERROR, run_due_jobs,
};
use atrium_runtime::{FunctionKind, Project, Runner};
use atrium_value::{Object, Value};

/// 2026-12-02T05:38:00Z.
const T0: f64 = 1_796_189_880_000.0;
/// 2026-12-03T00:00:00Z.
const NEXT_MIDNIGHT: f64 = 1_796_256_000_000.0;

fn runner() -> (tempfile::TempDir, Runner) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/schedules");
    let data = tempfile::tempdir().unwrap();
    let engine = Engine::open(&data.path().join("s.sqlite3"), EngineOptions::default()).unwrap();
    (data, Runner::new(Project::open(&dir).unwrap(), engine))
}

fn obj(fields: Vec<(&str, Value)>) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Object>())
}

fn call(runner: &Runner, path: &str, kind: FunctionKind, args: Value) -> Result<Value, String> {
    runner.run(path, kind, args).unwrap().result.map_err(|e| e.message)
}

fn ticks(runner: &Runner) -> f64 {
    match call(runner, "schedules:ticks", FunctionKind::Query, obj(vec![])).unwrap() {
        Value::Float64(n) => n,
        other => panic!("{other}"),
    }
}

fn stored(runner: &Runner) -> std::collections::BTreeMap<String, table::StoredCron> {
    table::list(&mut runner.engine().begin(), "").unwrap()
}

fn logs(runner: &Runner, name: &str) -> Vec<Value> {
    let mut tx = runner.engine().begin();
    tx.collect_table(table::CRON_JOB_LOGS)
        .unwrap()
        .into_iter()
        .filter(|d| d.fields.get("name").and_then(Value::as_str) == Some(name))
        .map(|d| d.fields.get("status").cloned().unwrap())
        .collect()
}

fn synced(runner: &Runner, clock: Arc<FixedClock>) -> Scheduler {
    let scheduler = Scheduler::new(clock);
    let analysis = analyze(runner.project()).unwrap();
    let diff = scheduler.sync_crons(runner.engine(), &analysis).unwrap();
    assert_eq!(diff.added, vec!["counter", "midnight"]);
    scheduler
}

fn tick_and_wait(scheduler: &Scheduler, runner: &Runner) -> usize {
    let started = scheduler.tick(runner).unwrap();
    scheduler.wait_idle();
    started
}

#[test]
fn a_daily_crons_next_run_is_the_next_midnight_utc() {
    let (_d, runner) = runner();
    let _scheduler = synced(&runner, Arc::new(FixedClock::new(T0)));
    let crons = stored(&runner);
    assert_eq!(crons["midnight"].next_ms, NEXT_MIDNIGHT);
    assert_eq!(crons["counter"].next_ms, T0, "an interval cron first runs at once");
    let daily = CronSchedule::Daily { hour_utc: 0, minute_utc: None };
    assert_eq!(daily.next_run(None, NEXT_MIDNIGHT).unwrap(), NEXT_MIDNIGHT + 86_400_000.0);
    let cron = CronSchedule::Cron { expression: "30 6 * * *".into() };
    assert_eq!(cron.next_run(None, T0).unwrap(), T0 + 52.0 * 60_000.0);
}

#[test]
fn a_cron_runs_once_per_slot_and_skips_the_slots_it_missed() {
    let (_d, runner) = runner();
    let clock = Arc::new(FixedClock::new(T0));
    let scheduler = synced(&runner, clock.clone());
    assert_eq!(tick_and_wait(&scheduler, &runner), 1);
    assert_eq!(tick_and_wait(&scheduler, &runner), 0, "the slot already ran");
    assert_eq!(ticks(&runner), 1.0);
    assert_eq!(stored(&runner)["counter"].next_ms, T0 + 1000.0);

    // Ten and a half seconds of downtime: one run now, nine slots skipped.
    clock.set(T0 + 10_500.0);
    assert_eq!(tick_and_wait(&scheduler, &runner), 1);
    assert_eq!(tick_and_wait(&scheduler, &runner), 0);
    assert_eq!(ticks(&runner), 2.0, "missed slots are not replayed");
    assert_eq!(stored(&runner)["counter"].next_ms, T0 + 11_000.0);
    let statuses = logs(&runner, "counter");
    let kinds: Vec<_> =
        statuses.iter().map(|s| s.get_path(["type"]).unwrap().as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "success").count(), 2, "{kinds:?}");
    let canceled = statuses.iter().find(|s| s.get_path(["type"]) == Some(&"canceled".into()));
    assert_eq!(canceled.unwrap().get_path(["num_canceled"]), Some(&Value::Int64(9)));

    // A restart (a new pool, crons synced again from the same code) keeps the slot.
    let again = Scheduler::new(clock.clone());
    let diff = again.sync_crons(runner.engine(), &analyze(runner.project()).unwrap()).unwrap();
    assert!(diff.added.is_empty() && diff.updated.is_empty() && diff.deleted.is_empty());
    assert_eq!(tick_and_wait(&again, &runner), 0, "no double run after a restart");
    assert_eq!(ticks(&runner), 2.0);
}

#[test]
fn crons_follow_the_code_added_changed_and_removed() {
    let (_d, runner) = runner();
    let clock = Arc::new(FixedClock::new(T0));
    let scheduler = synced(&runner, clock.clone());
    tick_and_wait(&scheduler, &runner);
    let spec = |schedule| CronSpec {
        name: "counter".into(),
        udf_path: "schedules.js:tick".into(),
        args: obj(vec![]),
        schedule,
    };
    let sync = |specs: &[CronSpec]| {
        runner.engine().run(4, |tx| table::sync(tx, "", specs, T0)).unwrap().0.unwrap()
    };
    let diff = sync(&[spec(CronSchedule::Interval { seconds: 60 })]);
    assert_eq!(
        (diff.updated, diff.deleted),
        (vec!["counter".to_string()], vec!["midnight".to_string()])
    );
    assert_eq!(stored(&runner)["counter"].next_ms, T0, "a changed schedule starts afresh");
    assert!(!stored(&runner).contains_key("midnight"));

    let diff = sync(&[]);
    assert_eq!(diff.deleted, vec!["counter"]);
    clock.set(T0 + 120_000.0);
    assert_eq!(tick_and_wait(&scheduler, &runner), 0, "a removed cron stops");
    assert!(logs(&runner, "counter").is_empty(), "its run history goes with it");
}

#[test]
fn bad_crons_are_refused_with_convex_messages() {
    let bad = serde_json::json!({"type": "monthly", "day": 32, "hourUTC": 1});
    let err = CronSchedule::from_json(&bad).unwrap_err();
    assert!(err.starts_with("day of month must be 1-31 in"), "{err}");
    assert!(crons::declared(&analyze(runner().1.project()).unwrap()).is_ok());
}

#[test]
fn an_action_a_crash_left_in_progress_is_failed_at_start_up() {
    let (_d, runner) = runner();
    let args = obj(vec![("count", Value::Float64(1.0)), ("ms", Value::Float64(1.0))]);
    call(&runner, "schedules:scheduleSlow", FunctionKind::Mutation, args).unwrap();
    let id = runner.engine().begin().collect_table("_scheduled_functions").unwrap()[0].id;
    runner
        .engine()
        .run(1, |tx| {
            let state = obj(vec![("kind", "inProgress".into())]);
            tx.patch(&id, [("state".to_string(), PatchValue::Set(state))].into())
        })
        .unwrap();
    let scheduler = Scheduler::new(Arc::new(SystemClock));
    assert_eq!(scheduler.recover(runner.engine()).unwrap(), 1);
    let Value::Array(jobs) =
        call(&runner, "schedules:jobs", FunctionKind::Query, obj(vec![])).unwrap()
    else {
        panic!()
    };
    assert_eq!(jobs[0].get_path(["state", "kind"]), Some(&"failed".into()));
    assert_eq!(jobs[0].get_path(["state", "error"]), Some(&TRANSIENT_ACTION_ERROR.into()));
    assert!(matches!(jobs[0].get_path(["completedTime"]), Some(Value::Float64(_))));
    assert_eq!(tick_and_wait(&scheduler, &runner), 0, "it never runs again");
}

#[test]
fn scheduling_limits_are_convexs() {
    let (_d, runner) = runner();
    let many = |n: f64| {
        let args = obj(vec![("count", Value::Float64(n))]);
        call(&runner, "schedules:scheduleMany", FunctionKind::Mutation, args)
    };
    assert_eq!(
        many(1001.0).unwrap_err(),
        "Uncaught Error: Too many functions scheduled by this mutation (limit: 1000)"
    );
    many(1000.0).unwrap();
    let err = call(&runner, "schedules:scheduleHuge", FunctionKind::Mutation, obj(vec![]));
    let err = err.unwrap_err();
    assert!(
        err.contains(
            "Too large total size of the arguments of scheduled functions from this mutation \
             (limit: 16777216 bytes)"
        ),
        "{err}"
    );
}

#[test]
fn finished_jobs_are_kept_a_week_then_collected() {
    let (_d, runner) = runner();
    call(
        &runner,
        "schedules:scheduleQuick",
        FunctionKind::Mutation,
        obj(vec![("label", "q".into())]),
    )
    .unwrap();
    let now = SystemClock.now_ms();
    run_due_jobs(&runner, now + 1.0).unwrap();
    let count = || runner.engine().begin().collect_table("_scheduled_functions").unwrap().len();
    run_due_jobs(&runner, now + RETENTION_MS - 60_000.0).unwrap();
    assert_eq!(count(), 1, "kept within the retention");
    run_due_jobs(&runner, now + RETENTION_MS + 60_000.0).unwrap();
    assert_eq!(count(), 0, "collected after it");
}

fn spans(runner: &Runner) -> Vec<(String, f64, f64)> {
    let Value::Array(spans) =
        call(runner, "schedules:spans", FunctionKind::Query, obj(vec![])).unwrap()
    else {
        panic!()
    };
    spans
        .iter()
        .map(|s| {
            let n = |f: &str| match s.get_path([f]) {
                Some(Value::Float64(n)) => *n,
                _ => panic!(),
            };
            (s.get_path(["label"]).unwrap().as_str().unwrap().to_owned(), n("start"), n("end"))
        })
        .collect()
}

#[test]
fn fifty_slow_actions_run_side_by_side() {
    let (_d, runner) = runner();
    let args = obj(vec![("count", Value::Float64(50.0)), ("ms", Value::Float64(1000.0))]);
    call(&runner, "schedules:scheduleSlow", FunctionKind::Mutation, args).unwrap();
    let started = Instant::now();
    let scheduler = Scheduler::new(Arc::new(SystemClock));
    // One tick starts every due action (the lane allows 64), none waiting for another.
    // Counted by the pool rather than sampled: on a loaded machine the first actions may
    // end before the tick has spawned the last thread.
    let first = scheduler.tick(&runner).unwrap();
    assert_eq!(first, 50, "every due action was started without waiting for another");
    while spans(&runner).len() < 50 {
        scheduler.tick(&runner).unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    eprintln!("50 actions of 1 s each finished in {:?}", started.elapsed());
    let spans = spans(&runner);
    // The most actions waiting at one moment: every start, counted against all spans.
    let overlap = spans
        .iter()
        .map(|(_, at, _)| spans.iter().filter(|(_, s, e)| s <= at && at < e).count())
        .max()
        .unwrap();
    eprintln!("at most {overlap} actions were waiting at the same moment");
    assert!(overlap >= 2, "the actions ran one at a time");
}

#[test]
fn a_mutation_due_now_runs_while_a_long_action_runs() {
    let (_d, runner) = runner();
    let args = obj(vec![("count", Value::Float64(1.0)), ("ms", Value::Float64(10_000.0))]);
    call(&runner, "schedules:scheduleSlow", FunctionKind::Mutation, args).unwrap();
    let scheduler = Scheduler::new(Arc::new(SystemClock));
    scheduler.tick(&runner).unwrap();
    let label = obj(vec![("label", "quick".into())]);
    call(&runner, "schedules:scheduleQuick", FunctionKind::Mutation, label).unwrap();
    let scheduled = SystemClock.now_ms();
    while spans(&runner).iter().all(|s| s.0 != "quick") {
        scheduler.tick(&runner).unwrap();
        std::thread::sleep(Duration::from_millis(10));
    }
    let quick = spans(&runner).into_iter().find(|s| s.0 == "quick").unwrap();
    eprintln!("the mutation ran {} ms after it was scheduled", quick.1 - scheduled);
    // The quick job's thread leaves the pool just after its commit is visible.
    let deadline = Instant::now() + Duration::from_secs(5);
    while scheduler.running() > 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(scheduler.running(), 1, "the long action is still running");
    scheduler.wait_idle();
    let slow = spans(&runner).into_iter().find(|s| s.0 == "slow 0").unwrap();
    assert!(quick.2 < slow.2, "the mutation finished before the action did");
}
