//! Pagination through the real library's `.paginate()`: pages, cursors, end cursors,
//! filters, and the errors Convex's clients rely on.

use std::path::PathBuf;

use atrium_engine::{Engine, EngineOptions};
use atrium_runtime::{FunctionKind, Project, Runner};
use atrium_value::{Object, Value};

fn runner() -> (tempfile::TempDir, Runner) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/kitchen");
    let data = tempfile::tempdir().unwrap();
    let engine =
        Engine::open(&data.path().join("pages.sqlite3"), EngineOptions::default()).unwrap();
    (data, Runner::new(Project::open(&dir).unwrap(), engine))
}

fn obj(fields: Vec<(&str, Value)>) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Object>())
}

fn opts(n: f64, cursor: Option<&str>, end: Option<&str>) -> Value {
    let mut fields =
        vec![("numItems", Value::Float64(n)), ("cursor", cursor.map_or(Value::Null, Value::from))];
    if let Some(end) = end {
        fields.push(("endCursor", Value::from(end)));
    }
    obj(fields)
}

struct Page {
    items: Vec<f64>,
    done: bool,
    cursor: String,
}

fn page(runner: &Runner, path: &str, args: Value) -> Page {
    let result = runner.run(path, FunctionKind::Query, args).unwrap().result.unwrap();
    let Some(Value::Array(items)) = result.get_path(["page"]).cloned() else { panic!("{result}") };
    let items = items
        .iter()
        .map(|d| match d.get_path(["i"]) {
            Some(Value::Float64(i)) => *i,
            other => panic!("{other:?}"),
        })
        .collect();
    let Some(Value::Boolean(done)) = result.get_path(["isDone"]).cloned() else { panic!() };
    let Some(Value::String(cursor)) = result.get_path(["continueCursor"]).cloned() else {
        panic!()
    };
    Page { items, done, cursor }
}

fn seed(runner: &Runner, from: f64, to: f64) {
    let args = obj(vec![("from", Value::Float64(from)), ("to", Value::Float64(to))]);
    runner.run("pages:seed", FunctionKind::Mutation, args).unwrap().result.unwrap();
}

#[test]
fn pages_cover_the_table_in_order() {
    let (_d, runner) = runner();
    seed(&runner, 0.0, 25.0);
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let p = page(
            &runner,
            "pages:page",
            obj(vec![("paginationOpts", opts(10.0, cursor.as_deref(), None))]),
        );
        pages += 1;
        all.extend(p.items);
        if p.done {
            break;
        }
        cursor = Some(p.cursor);
        assert!(pages < 10, "pagination does not finish");
    }
    assert_eq!(all, (0..25).map(f64::from).collect::<Vec<_>>());
    assert!(pages == 3 || pages == 4, "{pages} pages");
}

#[test]
fn filters_apply_within_pages_and_order_is_respected() {
    let (_d, runner) = runner();
    seed(&runner, 0.0, 12.0);
    let args =
        obj(vec![("paginationOpts", opts(4.0, None, None)), ("evenOnly", Value::Boolean(true))]);
    assert_eq!(page(&runner, "pages:page", args).items, vec![0.0, 2.0, 4.0, 6.0]);
    let newest =
        page(&runner, "pages:newestFirst", obj(vec![("paginationOpts", opts(3.0, None, None))]));
    assert_eq!(newest.items, vec![11.0, 10.0, 9.0]);
}

#[test]
fn an_end_cursor_keeps_the_page_boundary_as_documents_arrive() {
    let (_d, runner) = runner();
    seed(&runner, 0.0, 10.0);
    let first = page(&runner, "pages:page", obj(vec![("paginationOpts", opts(5.0, None, None))]));
    assert_eq!(first.items, vec![0.0, 1.0, 2.0, 3.0, 4.0]);
    // Re-running the first page up to its end cursor returns the same rows, even with a
    // larger numItems.
    let again = page(
        &runner,
        "pages:page",
        obj(vec![("paginationOpts", opts(1.0, None, Some(&first.cursor)))]),
    );
    assert_eq!(again.items, first.items);
    assert_eq!(again.cursor, first.cursor);
    let rest = page(
        &runner,
        "pages:page",
        obj(vec![("paginationOpts", opts(100.0, Some(&first.cursor), None))]),
    );
    assert_eq!(rest.items, vec![5.0, 6.0, 7.0, 8.0, 9.0]);
    assert!(rest.done);
}

#[test]
fn a_cursor_from_another_query_is_an_invalid_cursor_convex_error() {
    let (_d, runner) = runner();
    seed(&runner, 0.0, 5.0);
    let first = page(&runner, "pages:page", obj(vec![("paginationOpts", opts(2.0, None, None))]));
    let outcome = runner
        .run(
            "pages:newestFirst",
            FunctionKind::Query,
            obj(vec![("paginationOpts", opts(2.0, Some(&first.cursor), None))]),
        )
        .unwrap();
    let error = outcome.result.unwrap_err();
    assert!(error.message.contains("InvalidCursor"), "{}", error.message);
    let data = error.data.expect("ConvexError data");
    assert_eq!(data.get_path(["paginationError"]), Some(&Value::from("InvalidCursor")));
    assert_eq!(data.get_path(["isConvexSystemError"]), Some(&Value::Boolean(true)));

    let twice =
        runner.run("pages:twice", FunctionKind::Query, obj(vec![])).unwrap().result.unwrap_err();
    assert!(twice.message.contains("multiple paginated queries"), "{}", twice.message);
}
