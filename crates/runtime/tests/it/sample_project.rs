//! The sample project in `assets/sample-project` (what Atrium opens by default): it
//! analyses, its schema applies, it seeds, and its functions answer as written.

use std::path::PathBuf;

use atrium_engine::{Engine, EngineOptions};
use atrium_runtime::analysis::analyze;
use atrium_runtime::{FunctionKind, Project, Runner};
use atrium_value::{Object, Value};

fn obj(fields: Vec<(&str, Value)>) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Object>())
}

#[test]
fn the_sample_project_analyses_seeds_and_answers() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/sample-project");
    assert!(
        dir.join("node_modules/convex").is_dir(),
        "run `npm ci` in {} (make run/test do it)",
        dir.display()
    );
    let project = Project::open(&dir).unwrap();
    let analysis = analyze(&project).unwrap();
    for path in [
        "tasks:list",
        "tasks:add",
        "projects:create",
        "notes:add",
        "seed:seed",
        "reports:weeklySummary",
    ] {
        assert!(analysis.function(path).is_some(), "{path} missing");
    }
    let schema = analysis.schema.clone().expect("a schema");
    assert_eq!(
        schema.tables.keys().cloned().collect::<Vec<_>>(),
        vec!["notes", "projects", "tasks"]
    );
    assert_eq!(schema.tables["notes"].vector_indexes.len(), 1);
    assert_eq!(schema.tables["tasks"].search_indexes.len(), 1);
    assert!(analysis.modules.iter().any(|m| m.path == "http" && m.http_routes.len() == 1));
    assert!(analysis.modules.iter().any(|m| m.path == "crons" && m.crons.is_some()));

    let data = tempfile::tempdir().unwrap();
    let engine =
        Engine::open(&data.path().join("sample.sqlite3"), EngineOptions::default()).unwrap();
    engine.set_schema(Some(schema.clone()));
    for (table, indexes) in schema.tables.iter().map(|(t, s)| (t, &s.indexes)) {
        engine.create_table(table).unwrap();
        for (name, fields) in indexes {
            engine.add_index(table, name, fields, |_, _| {}).unwrap();
        }
        for (name, spec) in &schema.tables[table].vector_indexes {
            engine.add_vector_index(table, name, spec, |_, _| {}).unwrap();
        }
    }
    let runner = Runner::new(project, engine.clone());
    let run =
        |path: &str, kind: FunctionKind, args: Value| runner.run(path, kind, args).unwrap().result;

    assert_eq!(
        run("seed:seed", FunctionKind::Mutation, obj(vec![])),
        Ok(obj(vec![("seeded", Value::Boolean(true))]))
    );
    assert_eq!(
        run("seed:seedNow", FunctionKind::Mutation, obj(vec![])),
        Ok(obj(vec![("seeded", Value::Boolean(false))]))
    );
    assert_eq!(
        run("tasks:stats", FunctionKind::Query, obj(vec![])),
        Ok(obj(vec![
            ("done", Value::Float64(2.0)),
            ("open", Value::Float64(7.0)),
            ("total", Value::Float64(9.0))
        ]))
    );
    let Ok(Value::Array(open)) = run("tasks:open", FunctionKind::Query, obj(vec![])) else {
        panic!()
    };
    assert_eq!(open.len(), 7);
    assert_eq!(
        open[0].get_path(["priority"]),
        Some(&Value::Float64(3.0)),
        "highest priority first"
    );

    let Ok(Value::Array(projects)) = run("projects:list", FunctionKind::Query, obj(vec![])) else {
        panic!()
    };
    let names: Vec<_> = projects.iter().map(|p| p.get_path(["name"]).cloned().unwrap()).collect();
    assert_eq!(
        names,
        vec![Value::from("Mobile app"), Value::from("Operations"), Value::from("Website")]
    );
    let website = projects[2].get_path(["_id"]).cloned().unwrap();
    let Ok(Value::Array(in_website)) =
        run("tasks:inProject", FunctionKind::Query, obj(vec![("project", website)]))
    else {
        panic!()
    };
    assert_eq!(in_website.len(), 3);

    let summary = run("reports:weeklySummary", FunctionKind::Action, obj(vec![]));
    assert_eq!(summary, Ok(Value::from("2 of 9 tasks done; 0 archived")));

    let empty =
        run("tasks:add", FunctionKind::Mutation, obj(vec![("text", " ".into())])).unwrap_err();
    assert_eq!(empty.data.unwrap().get_path(["code"]), Some(&Value::from("EMPTY_TEXT")));
    assert_eq!(engine.count("notes").unwrap(), 12);

    // `ctx.vectorSearch` in an action: a note's own embedding finds it first (score 1),
    // and a topic filter keeps only that topic.
    let Ok(Value::Array(notes)) = run("notes:list", FunctionKind::Query, obj(vec![])) else {
        panic!()
    };
    let travel =
        notes.iter().find(|n| n.get_path(["topic"]) == Some(&Value::from("travel"))).unwrap();
    let similar = |topic: Option<&str>| {
        let mut args = vec![("vector", travel.get_path(["embedding"]).cloned().unwrap())];
        if let Some(topic) = topic {
            args.push(("topic", topic.into()));
        }
        match run("notes:similar", FunctionKind::Action, obj(args)) {
            Ok(Value::Array(hits)) => hits,
            other => panic!("{other:?}"),
        }
    };
    let hits = similar(None);
    assert_eq!(hits.len(), 5);
    assert_eq!(hits[0].get_path(["_id"]), travel.get_path(["_id"]));
    let Some(Value::Float64(score)) = hits[0].get_path(["_score"]) else { panic!() };
    assert!((score - 1.0).abs() < 1e-5, "{score}");
    let scores: Vec<f64> = hits
        .iter()
        .map(|h| match h.get_path(["_score"]) {
            Some(Value::Float64(s)) => *s,
            _ => f64::NAN,
        })
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first: {scores:?}");
    let cooking = similar(Some("cooking"));
    assert_eq!(cooking.len(), 4, "4 of the 12 notes are on cooking");
    let topics: Vec<Value> = cooking
        .iter()
        .map(|h| {
            let id = h.get_path(["_id"]).unwrap();
            notes
                .iter()
                .find(|n| n.get_path(["_id"]) == Some(id))
                .unwrap()
                .get_path(["topic"])
                .cloned()
                .unwrap()
        })
        .collect();
    assert!(topics.iter().all(|t| *t == Value::from("cooking")), "{topics:?}");
    let wrong = run(
        "notes:similar",
        FunctionKind::Action,
        obj(vec![("vector", Value::Array(vec![Value::Float64(1.0); 3]))]),
    )
    .unwrap_err();
    assert!(
        wrong.message.contains("Expected a vector with dimensions 8, received 3."),
        "{}",
        wrong.message
    );
}
