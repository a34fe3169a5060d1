//! Modules as the official CLI pushes them: bundled by esbuild (from the project's own
//! `convex` dependency) with the CLI's options, shared code split into `_deps/` chunks,
//! loaded from memory and run.

use std::path::PathBuf;
use std::process::Command;

use atrium_engine::{Engine, EngineOptions};
use atrium_runtime::analysis::analyze;
use atrium_runtime::{FunctionKind, Project, Runner};
use atrium_value::{Object, Value};

fn bundle() -> Vec<(String, String)> {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/kitchen");
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(fixture.join("node_modules/.bin/esbuild"))
        .current_dir(&fixture)
        .args([
            "convex/checks.ts",
            "convex/calls.ts",
            "convex/pages.ts",
            "--bundle",
            "--format=esm",
            "--target=esnext",
            "--platform=browser",
            "--conditions=convex,module",
            "--splitting",
            "--chunk-names=_deps/[hash]",
            "--outbase=convex",
            "--keep-names",
            "--minify-syntax",
            "--minify-identifiers",
            "--define:process.env.NODE_ENV=\"production\"",
            "--log-level=warning",
        ])
        .arg(format!("--outdir={}", out.path().display()))
        .status()
        .expect("esbuild from the fixture's node_modules runs");
    assert!(status.success());
    let mut modules = Vec::new();
    for entry in walk(out.path()) {
        let path = entry.strip_prefix(out.path()).unwrap().to_string_lossy().replace('\\', "/");
        modules.push((path, std::fs::read_to_string(&entry).unwrap()));
    }
    modules
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn obj(fields: Vec<(&str, Value)>) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Object>())
}

#[test]
fn bundled_modules_with_shared_chunks_run() {
    let modules = bundle();
    assert!(
        modules.iter().any(|(p, _)| p.starts_with("_deps/")),
        "esbuild split shared code: {:?}",
        modules.iter().map(|m| &m.0).collect::<Vec<_>>()
    );
    let project = Project::from_modules(modules);

    let analysis = analyze(&project).unwrap();
    let paths: Vec<&str> = analysis.functions().map(|f| f.path.as_str()).collect();
    assert!(
        paths.contains(&"checks:typed")
            && paths.contains(&"calls:parent")
            && paths.contains(&"pages:page"),
        "{paths:?}"
    );
    assert!(analysis.modules.iter().all(|m| !m.path.starts_with("_deps")));

    let data = tempfile::tempdir().unwrap();
    let engine =
        Engine::open(&data.path().join("pushed.sqlite3"), EngineOptions::default()).unwrap();
    let runner = Runner::new(project, engine.clone());
    let typed = runner
        .run(
            "checks:typed",
            FunctionKind::Query,
            obj(vec![("name", "ada".into()), ("count", Value::Int64(41))]),
        )
        .unwrap();
    assert_eq!(typed.result.unwrap().get_path(["count"]), Some(&Value::Int64(42)));
    let parent =
        runner.run("calls:parent", FunctionKind::Mutation, obj(vec![])).unwrap().result.unwrap();
    assert_eq!(parent.get_path(["count"]), Some(&Value::Float64(1.0)));
    assert_eq!(engine.count("notes").unwrap(), 1);

    let chunk = runner.run("_deps/anything:x", FunctionKind::Query, obj(vec![])).unwrap_err();
    assert!(chunk.to_string().contains("shared chunk"), "{chunk}");
}

#[test]
fn ad_hoc_queries_find_the_query_registration_in_minified_chunks() {
    let data = tempfile::tempdir().unwrap();
    let engine =
        Engine::open(&data.path().join("pushed.sqlite3"), EngineOptions::default()).unwrap();
    let runner = Runner::new(Project::from_modules(bundle()), engine);
    runner.run("calls:parent", FunctionKind::Mutation, obj(vec![])).unwrap();
    let outcome = runner
        .run_query_source(
            "async (ctx) => (await ctx.db.query(\"notes\").collect()).map((n) => n.label)",
        )
        .unwrap();
    assert_eq!(outcome.result, Ok(Value::Array(vec![Value::from("four")])));
    assert_eq!(outcome.usage.documents_read, 1);
}

#[test]
fn pushed_modules_cannot_import_packages() {
    let project = Project::from_modules([(
        "bad.js".to_string(),
        "import { v } from \"convex/values\";\nexport const x = v;".to_string(),
    )]);
    let err = analyze(&project).unwrap_err().to_string();
    assert!(err.contains("convex/values") && err.contains("relative path"), "{err}");
}
