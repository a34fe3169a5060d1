//! Queries written in the dashboard (`async (ctx) => …`) run read-only against a project
//! folder with its own `convex` package: their result, what they read, TypeScript allowed,
//! writes refused, and syntax errors placed in the user's text.

use std::path::PathBuf;

use atrium_engine::{Engine, EngineOptions};
use atrium_runtime::{FunctionKind, Project, Runner, RuntimeError};
use atrium_value::{Object, Value};

fn runner() -> (Runner, Engine, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(&dir.path().join("chat.sqlite3"), EngineOptions::default()).unwrap();
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/chat");
    let runner = Runner::new(Project::open(&fixture).unwrap(), engine.clone());
    for (author, body) in [("ann", "one"), ("bob", "two"), ("ann", "three")] {
        let args = Value::Object(Object::from_iter([
            ("author".to_owned(), Value::from(author)),
            ("body".to_owned(), Value::from(body)),
        ]));
        runner.run("messages:send", FunctionKind::Mutation, args).unwrap();
    }
    (runner, engine, dir)
}

#[test]
fn a_typed_query_returns_its_result_and_reports_what_it_read() {
    let (runner, _engine, _dir) = runner();
    let outcome = runner
        .run_query_source(
            "async (ctx) => {\n  const mine: any[] = await ctx.db.query(\"messages\")\n    \
             .filter((q) => q.eq(q.field(\"author\"), \"ann\")).collect();\n  \
             console.log(\"found\", mine.length);\n  return mine.map((m) => m.body);\n}",
        )
        .unwrap();
    assert_eq!(outcome.result, Ok(Value::Array(vec![Value::from("one"), Value::from("three")])));
    assert_eq!(outcome.usage.documents_read, 3, "a filter reads every message");
    assert!(outcome.logs.iter().any(|l| l.message.contains("found 2")));
    assert!(!outcome.read_set.is_empty(), "the read set keeps it live");
    // Running the same text again uses the cached module.
    assert_eq!(
        runner.run_query_source("async (ctx) => 1 + 1").unwrap().result,
        Ok(Value::Float64(2.0))
    );
}

#[test]
fn writes_are_refused_and_syntax_errors_point_at_the_users_text() {
    let (runner, engine, _dir) = runner();
    let outcome = runner
        .run_query_source(
            "async (ctx) => { await ctx.db.insert(\"messages\", { author: \"x\", body: \"y\" }); }",
        )
        .unwrap();
    // A query's `ctx.db` has no `insert` (as in Convex).
    assert!(outcome.result.unwrap_err().message.contains("not a function"));
    assert_eq!(engine.count("messages").unwrap(), 3, "nothing was written");

    let error = runner
        .run_query_source("async (ctx) => {\n  return ctx.db.query(\"messages\").collect(;\n}")
        .unwrap_err();
    let RuntimeError::Syntax { line, .. } = &error else { panic!("{error:?}") };
    assert_eq!(*line, 2, "the error names line 2 of what the user wrote: {error}");
}
