//! Warm isolates on the `kitchen` fixture's `warm.ts`: module state persists between calls
//! (as on Convex) while nothing of one call's identity, logs, transaction, seed or clock
//! reaches the next; a call that broke a limit, or left a timer behind, leaves no trace.

use std::path::PathBuf;
use std::time::Duration;

use atrium_engine::{Engine, EngineOptions};
use atrium_runtime::{FunctionKind, Limits, Project, Runner};
use atrium_value::{Object, Value};

fn runner() -> (tempfile::TempDir, Runner) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/kitchen");
    let data = tempfile::tempdir().unwrap();
    let engine = Engine::open(&data.path().join("warm.sqlite3"), EngineOptions::default()).unwrap();
    (data, Runner::new(Project::open(&dir).unwrap(), engine))
}

fn obj(fields: Vec<(&str, Value)>) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Object>())
}

struct Count {
    calls: f64,
    subject: Value,
    random: f64,
    now: f64,
    documents: f64,
    logs: Vec<String>,
}

fn count(runner: &Runner, label: &str) -> Count {
    let outcome =
        runner.run("warm:count", FunctionKind::Query, obj(vec![("label", label.into())])).unwrap();
    let result = outcome.result.unwrap();
    let number = |name: &str| match result.get_path([name]) {
        Some(Value::Float64(n)) => *n,
        other => panic!("{name}: {other:?} in {result}"),
    };
    Count {
        calls: number("calls"),
        subject: result.get_path(["subject"]).cloned().unwrap(),
        random: number("random"),
        now: number("now"),
        documents: number("documents"),
        logs: outcome.logs.into_iter().map(|line| line.message).collect(),
    }
}

#[test]
fn module_state_persists_between_calls_but_per_call_state_does_not() {
    let (_d, runner) = runner();
    let first = count(&runner, "one");
    let user = runner
        .as_user(Some(serde_json::json!({"issuer": "https://auth.example", "subject": "u1"})))
        .unwrap();
    let second = count(&user, "two");
    std::thread::sleep(Duration::from_millis(5));
    let third = count(&runner, "three");

    assert_eq!(second.calls, first.calls + 1.0, "the module's state persists");
    assert_eq!(third.calls, second.calls + 1.0, "the module's state persists");
    assert_eq!(first.subject, Value::Null);
    assert_eq!(second.subject, Value::from("u1"));
    assert_eq!(third.subject, Value::Null, "the previous call's identity is gone");
    assert_eq!(first.logs, vec!["call one".to_owned()]);
    assert_eq!(third.logs, vec!["call three".to_owned()], "only this call's console lines");
    assert!(first.random != second.random && second.random != third.random, "a seed per call");
    assert!(third.now > first.now, "each call freezes its own clock");

    // A mutation that failed rolled back: the next call's transaction does not see its write.
    let failed = runner
        .run("warm:write", FunctionKind::Mutation, obj(vec![("fail", Value::Boolean(true))]))
        .unwrap();
    assert!(failed.result.is_err());
    assert_eq!(count(&runner, "after failure").documents, 0.0);
    let written = runner
        .run("warm:write", FunctionKind::Mutation, obj(vec![("fail", Value::Boolean(false))]))
        .unwrap();
    assert_eq!(written.result, Ok(Value::Null));
    let after = count(&runner, "after write");
    assert_eq!(after.documents, 1.0);
    assert_eq!(after.calls, third.calls + 2.0, "mutations and queries share the isolate");
}

#[test]
fn a_call_that_timed_out_leaves_no_trace_in_the_next() {
    let (_d, runner) = runner();
    let runner = runner.with_limits(Limits {
        query_mutation_time: Duration::from_millis(300),
        ..Limits::default()
    });
    let marked = |runner: &Runner| {
        runner.run("warm:isMarked", FunctionKind::Query, obj(vec![])).unwrap().result.unwrap()
    };
    assert_eq!(marked(&runner), Value::Boolean(false));
    let spun = runner.run("warm:markThenSpin", FunctionKind::Query, obj(vec![])).unwrap();
    let message = spun.result.unwrap_err().message;
    assert!(message.contains("timed out"), "{message}");
    assert_eq!(marked(&runner), Value::Boolean(false), "the timed-out isolate was dropped");
}

#[test]
fn an_action_timer_left_running_does_not_fire_in_the_next_call() {
    let (_d, runner) = runner();
    let left = runner.run("warm:leaveTimer", FunctionKind::Action, obj(vec![])).unwrap();
    assert_eq!(left.result, Ok(Value::Null));
    let saw = runner.run("warm:sawLeftTimer", FunctionKind::Action, obj(vec![])).unwrap();
    assert_eq!(saw.result, Ok(Value::Boolean(false)));
}
