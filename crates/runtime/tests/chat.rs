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
