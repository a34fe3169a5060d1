//! `db.vars.commitTs` through the runtime on the `committs` fixture (a `v.commitTs()` schema
//! as @convex-dev/rate-limiter 0.4 declares one): the placeholder inside the mutation, the
//! commit timestamp afterwards, in the document and in its index.

use std::path::PathBuf;

use atrium_engine::{Engine, EngineOptions};
use atrium_runtime::analysis::analyze;
use atrium_runtime::{FunctionKind, Project, Runner};
use atrium_value::{Object, Value};

fn runner() -> (tempfile::TempDir, Engine, Runner) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/committs");
    assert!(
        dir.join("node_modules/convex").is_dir(),
        "run `npm ci` in {} (make test does it)",
        dir.display()
    );
    let project = Project::open(&dir).unwrap();
    let schema = analyze(&project).unwrap().schema.expect("the fixture has a schema");
    let data = tempfile::tempdir().unwrap();
    let engine =
        Engine::open(&data.path().join("committs.sqlite3"), EngineOptions::default()).unwrap();
    engine.set_schema(Some(schema.clone()));
    engine.create_table("stamps").unwrap();
    for (name, fields) in &schema.tables["stamps"].indexes {
        engine.add_index("stamps", name, fields, |_, _| {}).unwrap();
    }
    let runner = Runner::new(project, engine.clone());
    (data, engine, runner)
}

fn obj(fields: Vec<(&str, Value)>) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Object>())
}

#[test]
fn a_mutation_sees_the_placeholder_and_the_commit_stores_its_timestamp() {
    let (_d, engine, runner) = runner();
    let outcome = runner
        .run("stamps:stamp", FunctionKind::Mutation, obj(vec![("label", "first".into())]))
        .unwrap();
    let result = outcome.result.unwrap();
    let commit_ts = Value::Int64(outcome.commit.expect("the mutation commits").ts.0 as i64);
    for flag in ["unresolved", "nested", "newestIsOurs"] {
        assert_eq!(result.get_path([flag]), Some(&Value::Boolean(true)), "{flag}: {result}");
    }
    assert_eq!(result.get_path(["shown"]), Some(&Value::from("[unresolved commit timestamp]")));
    let id = result.get_path(["id"]).and_then(Value::as_str).unwrap().to_owned();
    let id = atrium_value::DocumentId::decode(&id).unwrap();

    let stored = engine.begin().get(&id).unwrap().unwrap();
    assert_eq!(stored.fields["at"], commit_ts);
    let history = Value::Array(vec![obj(vec![("at", commit_ts.clone())])]);
    assert_eq!(stored.fields["history"], history);

    // The index holds the commit timestamp: a query finds the document by it.
    let found = runner
        .run("stamps:byAt", FunctionKind::Query, obj(vec![("at", commit_ts.clone())]))
        .unwrap()
        .result
        .unwrap();
    assert_eq!(found, Value::Array(vec!["first".into()]));

    // A patch with the placeholder moves the field to the later commit's timestamp.
    let id_arg = obj(vec![("id", Value::String(id.encode()))]);
    let outcome = runner.run("stamps:restamp", FunctionKind::Mutation, id_arg).unwrap();
    outcome.result.unwrap();
    let later = Value::Int64(outcome.commit.unwrap().ts.0 as i64);
    assert!(later > commit_ts);
    assert_eq!(engine.begin().get(&id).unwrap().unwrap().fields["at"], later);
    let stale = runner
        .run("stamps:byAt", FunctionKind::Query, obj(vec![("at", commit_ts)]))
        .unwrap()
        .result
        .unwrap();
    assert_eq!(stale, Value::Array(vec![]), "the old index entry is gone");
}

#[test]
fn a_mutation_returning_the_placeholder_returns_its_commit_ts() {
    let (_d, _engine, runner) = runner();
    let args = obj(vec![("label", "returned".into())]);
    let outcome = runner.run("stamps:stampAndReturn", FunctionKind::Mutation, args).unwrap();
    let commit_ts = Value::Int64(outcome.commit.unwrap().ts.0 as i64);
    let result = outcome.result.unwrap();
    assert_eq!(result.get_path(["at"]), Some(&commit_ts));
    assert_eq!(result.get_path(["doc", "at"]), Some(&commit_ts));
    assert_eq!(result.get_path(["doc", "label"]), Some(&Value::from("returned")));
}

#[test]
fn the_placeholder_is_refused_outside_document_writes_and_against_the_schema() {
    let (_d, engine, runner) = runner();
    let err = runner
        .run("stamps:filterByPlaceholder", FunctionKind::Query, obj(vec![]))
        .unwrap()
        .result
        .unwrap_err();
    assert!(err.message.contains("`$commitTs`"), "{}", err.message);

    let err = runner.run("stamps:wrongField", FunctionKind::Mutation, obj(vec![])).unwrap().result;
    let message = err.unwrap_err().message;
    assert!(message.contains("Path: .label"), "{message}");
    assert!(message.contains("v.string()"), "{message}");
    assert_eq!(engine.count("stamps").unwrap(), 0, "nothing was written");
}
