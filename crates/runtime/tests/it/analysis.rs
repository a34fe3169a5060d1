//! Analysis of the fixture projects: functions with type, visibility and validators, HTTP
//! routes, crons, and the schema.

use std::path::PathBuf;

use atrium_runtime::analysis::{Visibility, analyze, module_files};
use atrium_runtime::{FunctionKind, Project};

fn project(name: &str) -> std::sync::Arc<Project> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures").join(name);
    Project::open(&dir).unwrap()
}

#[test]
fn lists_modules_like_the_cli() {
    let modules: Vec<String> =
        module_files(&project("kitchen")).unwrap().into_iter().map(|(m, _)| m).collect();
    for expected in ["calls", "checks", "crons", "http", "jobs", "pages", "runaway", "web"] {
        assert!(modules.iter().any(|m| m == expected), "{expected} missing from {modules:?}");
    }
    for skipped in ["helpers.test", "helpers", "schema", "_generated/server", "_generated/api"] {
        assert!(!modules.iter().any(|m| m == skipped), "{skipped} should be skipped: {modules:?}");
    }
    let mut sorted = modules.clone();
    sorted.sort();
    assert_eq!(modules, sorted, "modules are listed in order");
}

#[test]
fn chat_functions_and_schema() {
    let analysis = analyze(&project("chat")).unwrap();
    let functions: Vec<(&str, FunctionKind, Option<Visibility>)> =
        analysis.functions().map(|f| (f.path.as_str(), f.kind, f.visibility)).collect();
    assert_eq!(
        functions,
        vec![
            ("messages:byAuthor", FunctionKind::Query, Some(Visibility::Public)),
            ("messages:feed", FunctionKind::Query, Some(Visibility::Public)),
            ("messages:list", FunctionKind::Query, Some(Visibility::Public)),
            ("messages:remove", FunctionKind::Mutation, Some(Visibility::Public)),
            ("messages:search", FunctionKind::Query, Some(Visibility::Public)),
            ("messages:send", FunctionKind::Mutation, Some(Visibility::Public)),
            ("messages:sendSlowly", FunctionKind::Mutation, Some(Visibility::Public)),
        ]
    );
    let send = analysis.function("messages:send").unwrap();
    assert_eq!(send.args.as_ref().unwrap()["value"]["body"]["fieldType"]["type"], "string");
    let schema = analysis.schema.expect("chat has a schema");
    assert!(schema.tables["messages"].document.is_some());
    assert_eq!(schema.tables["messages"].indexes["by_author"], vec!["author".to_owned()]);
}

#[test]
fn kitchen_visibility_validators_routes_and_crons() {
    let analysis = analyze(&project("kitchen")).unwrap();
    let secret = analysis.function("checks:secret").unwrap();
    assert_eq!(
        (secret.kind, secret.visibility),
        (FunctionKind::Mutation, Some(Visibility::Internal))
    );
    let typed = analysis.function("checks:typed").unwrap();
    assert_eq!(typed.returns.as_ref().unwrap()["type"], "object");
    assert!(analysis.function("checks:logs").unwrap().returns.is_none());

    let http = analysis.modules.iter().find(|m| m.path == "http").unwrap();
    let routes: Vec<(&str, &str)> =
        http.http_routes.iter().map(|r| (r.method.as_str(), r.path.as_str())).collect();
    // Exact routes first (by path), then prefix routes rendered as `/prefix/*`.
    assert_eq!(
        routes,
        vec![
            ("GET", "/broken"),
            ("POST", "/echo"),
            ("GET", "/hello"),
            ("POST", "/upload"),
            ("GET", "/files/*")
        ]
    );
    let crons = analysis.modules.iter().find(|m| m.path == "crons").unwrap();
    let specs = crons.crons.as_ref().expect("cron specs");
    assert!(specs.to_string().contains("tidy up"), "{specs}");
    assert!(analysis.schema.is_none());
}
