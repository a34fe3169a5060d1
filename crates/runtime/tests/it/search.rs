//! `withSearchIndex` through the project's own `convex` package, on the sample project's
//! `tasks.search_text` (searchField `text`, filterFields `done`): results in relevance
//! order, `.eq` filters, `.take`/`.first`/`.collect`, pagination over search results, and
//! Convex's errors reaching the function.

use std::path::PathBuf;

use atrium_engine::search::SearchIndexSpec;
use atrium_engine::{Engine, EngineOptions};
use atrium_runtime::analysis::analyze;
use atrium_runtime::{FunctionKind, Project, Runner};
use atrium_value::{Object, Value};

fn seeded() -> (Runner, Engine, tempfile::TempDir) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/sample-project");
    let project = Project::open(&dir).unwrap();
    let schema = analyze(&project).unwrap().schema.expect("a schema");
    let data = tempfile::tempdir().unwrap();
    let engine = Engine::open(&data.path().join("s.sqlite3"), EngineOptions::default()).unwrap();
    engine.set_schema(Some(schema.clone()));
    for (table, spec) in &schema.tables {
        engine.create_table(table).unwrap();
        for (name, fields) in &spec.indexes {
            engine.add_index(table, name, fields, |_, _| {}).unwrap();
        }
        for json in &spec.search_indexes {
            let (name, index) = SearchIndexSpec::from_json(table, json).unwrap();
            engine.add_search_index(table, &name, &index, |_, _| {}).unwrap();
        }
    }
    let runner = Runner::new(project, engine.clone());
    runner.run("seed:seed", FunctionKind::Mutation, Value::Object(Object::new())).unwrap();
    (runner, engine, data)
}

fn query(runner: &Runner, body: &str) -> Result<Value, String> {
    let source = format!("async (ctx) => {{ {body} }}");
    runner.run_query_source(&source).unwrap().result.map_err(|e| e.message)
}

fn texts(value: Value) -> Vec<String> {
    let Value::Array(items) = value else { panic!("an array: {value:?}") };
    items
        .into_iter()
        .map(|item| match item {
            Value::String(s) => s,
            other => panic!("a string: {other:?}"),
        })
        .collect()
}

#[test]
fn search_queries_run_in_relevance_order_with_filters() {
    let (runner, _engine, _dir) = seeded();
    let found = query(
        &runner,
        r#"const r = await ctx.db.query("tasks").withSearchIndex("search_text", (q) => q.search("text", "rotate")).collect();
           return r.map((t) => t.text);"#,
    )
    .unwrap();
    // The shorter text ranks first (BM25 length normalisation).
    assert_eq!(texts(found), vec!["Rotate the API keys", "Crash on rotate in settings"]);

    let open_the = query(
        &runner,
        r#"const r = await ctx.db.query("tasks").withSearchIndex("search_text", (q) => q.search("text", "the").eq("done", false)).collect();
           return r.map((t) => t.text);"#,
    )
    .unwrap();
    let open_the = texts(open_the);
    assert_eq!(open_the.len(), 4, "{open_the:?}");
    assert!(!open_the.iter().any(|t| t.contains("runbook") || t.contains("offline")), "done tasks");

    // Prefix of the last term, `.first()` and `.take()`.
    let first = query(
        &runner,
        r#"const t = await ctx.db.query("tasks").withSearchIndex("search_text", (q) => q.search("text", "compr")).first();
           return t.text;"#,
    )
    .unwrap();
    assert_eq!(first, Value::from("Compress hero images"));
    let taken = query(
        &runner,
        r#"return (await ctx.db.query("tasks").withSearchIndex("search_text", (q) => q.search("text", "the")).take(2)).length;"#,
    )
    .unwrap();
    assert_eq!(taken, Value::Float64(2.0));
}

#[test]
fn search_results_paginate_without_gaps_or_repeats() {
    let (runner, _engine, _dir) = seeded();
    let all = query(
        &runner,
        r#"return (await ctx.db.query("tasks").withSearchIndex("search_text", (q) => q.search("text", "the")).collect()).map((t) => t._id);"#,
    )
    .unwrap();
    let paged = query(
        &runner,
        r#"let cursor = null; const ids = [];
           for (let i = 0; i < 10; i++) {
             const page = await ctx.db.query("tasks").withSearchIndex("search_text", (q) => q.search("text", "the")).paginate({ numItems: 2, cursor });
             ids.push(...page.page.map((t) => t._id));
             if (page.isDone) return ids;
             cursor = page.continueCursor;
           }
           return ids;"#,
    );
    // One paginated query per function: the loop's second page is refused, as in Convex.
    assert!(paged.unwrap_err().contains("multiple paginated queries"));
    let first_page = query(
        &runner,
        r#"const page = await ctx.db.query("tasks").withSearchIndex("search_text", (q) => q.search("text", "the")).paginate({ numItems: 3, cursor: null });
           return [page.continueCursor, ...page.page.map((t) => t._id)];"#,
    )
    .unwrap();
    let Value::Array(first_page) = first_page else { panic!() };
    let Value::String(cursor) = &first_page[0] else { panic!() };
    let second_page = query(
        &runner,
        &format!(
            r#"const page = await ctx.db.query("tasks").withSearchIndex("search_text", (q) => q.search("text", "the")).paginate({{ numItems: 100, cursor: "{cursor}" }});
               return page.page.map((t) => t._id);"#
        ),
    )
    .unwrap();
    let Value::Array(second_page) = second_page else { panic!() };
    let mut together = first_page[1..].to_vec();
    together.extend(second_page);
    assert_eq!(Value::Array(together), all);
}

#[test]
fn convex_errors_reach_the_function() {
    let (runner, _engine, _dir) = seeded();
    let error = query(
        &runner,
        r#"return await ctx.db.query("tasks").withSearchIndex("search_text", (q) => q.search("text", "x").eq("priority", 1)).collect();"#,
    )
    .unwrap_err();
    assert!(
        error.contains("Search query against tasks.search_text contains an equality filter on \"priority\" but that field isn't indexed for filtering in `filterFields`."),
        "{error}"
    );
    let error = query(
        &runner,
        r#"return await ctx.db.query("tasks").withSearchIndex("nope", (q) => q.search("text", "x")).collect();"#,
    )
    .unwrap_err();
    assert!(error.contains("tasks.nope"), "{error}");
}
