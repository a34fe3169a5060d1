//! The acceptance project: a chat app in the shape of Convex's tutorial, with its own
//! `convex` npm package (installed by `make test`'s setup), run through the runtime.

use std::path::PathBuf;

use atrium_engine::{Engine, EngineOptions};
use atrium_runtime::{FunctionKind, Project, Runner};
use atrium_value::{Object, Value};

fn fixture(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures").join(name);
    assert!(
        dir.join("node_modules/convex/package.json").is_file(),
        "{} has no node_modules: run `npm ci` there (make test does it)",
        dir.display()
    );
    dir
}

fn args(fields: &[(&str, &str)]) -> Value {
    Value::Object(fields.iter().map(|(k, v)| (k.to_string(), Value::from(*v))).collect::<Object>())
}

#[test]
fn send_two_messages_and_list_them_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(&dir.path().join("chat.sqlite3"), EngineOptions::default()).unwrap();
    let runner = Runner::new(Project::open(&fixture("chat")).unwrap(), engine.clone());

    for (body, author) in [("Hello!", "ada"), ("Hi Ada", "grace")] {
        let outcome = runner
            .run(
                "messages:send",
                FunctionKind::Mutation,
                args(&[("body", body), ("author", author)]),
            )
            .unwrap();
        assert_eq!(outcome.result, Ok(Value::Null), "send returns nothing");
        assert!(outcome.commit.is_some(), "a mutation commits");
    }
    assert_eq!(engine.count("messages").unwrap(), 2);

    let outcome = runner.run("messages:list", FunctionKind::Query, args(&[])).unwrap();
    let Ok(Value::Array(messages)) = outcome.result else {
        panic!("list returned {:?}", outcome.result)
    };
    let bodies: Vec<_> = messages
        .iter()
        .map(|m| (m.get_path(["body"]).cloned().unwrap(), m.get_path(["author"]).cloned().unwrap()))
        .collect();
    assert_eq!(
        bodies,
        vec![
            (Value::from("Hello!"), Value::from("ada")),
            (Value::from("Hi Ada"), Value::from("grace"))
        ]
    );
    for m in &messages {
        assert!(matches!(m.get_path(["_id"]), Some(Value::String(id)) if id.len() == 32));
        assert!(matches!(m.get_path(["_creationTime"]), Some(Value::Float64(_))));
    }
    assert!(!outcome.read_set.is_empty(), "a query records what it read");
}

#[test]
fn bad_arguments_and_wrong_kinds_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(&dir.path().join("chat.sqlite3"), EngineOptions::default()).unwrap();
    let runner = Runner::new(Project::open(&fixture("chat")).unwrap(), engine.clone());

    let err = runner.run("messages:list", FunctionKind::Mutation, args(&[])).unwrap_err();
    assert!(
        err.to_string().contains("registered as a query but is being run as a mutation"),
        "{err}"
    );
    let err = runner.run("messages:nope", FunctionKind::Query, args(&[])).unwrap_err();
    assert!(err.to_string().contains("no export named `nope`"), "{err}");
    let err = runner.run("missing:list", FunctionKind::Query, args(&[])).unwrap_err();
    assert!(err.to_string().contains("convex/missing.ts"), "{err}");
}

#[test]
fn every_execution_is_recorded_in_the_log_store() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(&dir.path().join("chat.sqlite3"), EngineOptions::default()).unwrap();
    let runner = Runner::new(Project::open(&fixture("chat")).unwrap(), engine.clone());
    runner
        .run("messages:send", FunctionKind::Mutation, args(&[("body", "hi"), ("author", "a")]))
        .unwrap();
    runner.run("messages:send", FunctionKind::Mutation, args(&[("body", "hi")])).unwrap();
    let listed = runner.run("messages:list", FunctionKind::Query, args(&[])).unwrap();
    let listed = atrium_value::json::to_json(&listed.result.unwrap()).to_string();

    let records = engine.logs().read_after(0, 10).unwrap();
    let summary: Vec<(String, String, bool)> = records
        .iter()
        .map(|r| {
            (
                r.entry["identifier"].as_str().unwrap().to_owned(),
                r.entry["udfType"].as_str().unwrap().to_owned(),
                r.entry["error"].is_null(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("messages:send".into(), "Mutation".into(), true),
            ("messages:send".into(), "Mutation".into(), false),
            ("messages:list".into(), "Query".into(), true),
        ]
    );
    let failed = &records[1].entry;
    assert!(failed["error"].as_str().unwrap().contains("ArgumentValidationError"), "{failed}");
    assert_eq!(records[2].entry["usageStats"]["databaseReadDocuments"], 1);
    assert_eq!(records[2].entry["returnBytes"], listed.len(), "the result's Convex JSON size");
    assert_eq!(records[1].entry["returnBytes"], 0, "a failure returned nothing");
    assert!(records[0].entry["executionTime"].as_f64().unwrap() > 0.0);
    assert_eq!(records[0].entry["requestId"].as_str().unwrap().len(), 16);
}
