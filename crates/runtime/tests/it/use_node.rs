//! `"use node"` modules run in a Node.js child process (the `usenode` fixture): Node's
//! built-ins, Buffer, files and an npm package that needs Node; `ctx` reaching back to the
//! engine; logs, errors, limits; the warm process and its restart; Convex's refusals.

use std::path::{Path, PathBuf};
use std::time::Duration;

use atrium_engine::{Engine, EngineOptions};
use atrium_runtime::analysis::analyze;
use atrium_runtime::{FunctionKind, Limits, Project, Runner};
use atrium_value::{Object, Value};

fn fixture() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/usenode");
    assert!(
        dir.join("node_modules/ws").is_dir(),
        "run `npm ci` in {} (make test does it)",
        dir.display()
    );
    dir
}

fn runner_for(dir: &Path) -> (tempfile::TempDir, Runner) {
    let data = tempfile::tempdir().unwrap();
    let engine = Engine::open(&data.path().join("node.sqlite3"), EngineOptions::default()).unwrap();
    (data, Runner::new(Project::open(dir).unwrap(), engine))
}

fn obj(fields: Vec<(&str, Value)>) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Object>())
}

fn action(runner: &Runner, path: &str, args: Value) -> Value {
    let outcome = runner.run(path, FunctionKind::Action, args).unwrap();
    outcome.result.unwrap_or_else(|e| panic!("{path} failed: {e}"))
}

/// A project folder with `files` under `convex/`, using the fixture's `node_modules`.
fn project_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(fixture().join("node_modules"), dir.path().join("node_modules"))
        .unwrap();
    std::fs::create_dir_all(dir.path().join("convex/_generated")).unwrap();
    for generated in ["server.ts", "api.ts"] {
        std::fs::copy(
            fixture().join("convex/_generated").join(generated),
            dir.path().join("convex/_generated").join(generated),
        )
        .unwrap();
    }
    for (path, text) in files {
        std::fs::write(dir.path().join("convex").join(path), text).unwrap();
    }
    dir
}

#[test]
fn node_actions_use_builtins_buffer_files_and_npm_packages() {
    let (_d, runner) = runner_for(&fixture());
    let digest = action(&runner, "nodeOnly:hash", obj(vec![("text", "hi".into())]));
    assert_eq!(
        digest,
        Value::from("8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4")
    );
    let file = action(&runner, "nodeOnly:tempFile", obj(vec![("text", "héllo".into())]));
    assert_eq!(
        file,
        obj(vec![
            ("base64", "aMOpbGxv".into()),
            ("isBuffer", Value::Boolean(true)),
            ("random", Value::Float64(8.0)),
            ("text", "héllo".into()),
        ])
    );
    let echoed = action(&runner, "nodeOnly:echoOverWebSocket", obj(vec![("text", "ping".into())]));
    assert_eq!(echoed, Value::from("echo:ping"));
}

#[test]
fn node_actions_reach_the_engine_through_ctx() {
    let (_d, runner) = runner_for(&fixture());
    let user = runner
        .as_user(Some(serde_json::json!({"issuer": "https://auth.example", "subject": "u7"})))
        .unwrap();
    let outcome = user
        .run("nodeOnly:roundTrip", FunctionKind::Action, obj(vec![("body", "hi".into())]))
        .unwrap();
    let result = outcome.result.unwrap();
    let Value::Object(fields) = &result else { panic!("{result}") };
    assert_eq!(fields["bodies"], Value::Array(vec!["hi".into()]));
    assert_eq!(fields["stored"], Value::from("hi"));
    assert_eq!(fields["identity"], Value::from("u7"));
    assert!(matches!(fields["id"], Value::String(_)), "{result}");
    let logs: Vec<(&str, &str)> =
        outcome.logs.iter().map(|l| (l.level.as_str(), l.message.as_str())).collect();
    assert_eq!(logs, vec![("LOG", "storing hi"), ("WARN", "done")]);
    let scheduled = runner
        .run_query_source(
            "async (ctx) => (await ctx.db.system.query(\"_scheduled_functions\").collect()).map((j) => j.name)",
        )
        .unwrap()
        .result
        .unwrap();
    assert_eq!(scheduled, Value::Array(vec!["notes.js:add".into()]));
}

#[test]
fn node_errors_limits_and_environment() {
    let (_d, runner) = runner_for(&fixture());
    let failed = runner.run("nodeOnly:fails", FunctionKind::Action, obj(vec![])).unwrap().result;
    let error = failed.unwrap_err();
    assert!(error.message.starts_with("Uncaught ConvexError"), "{}", error.message);
    assert_eq!(error.data, Some(obj(vec![("code", "nope".into())])));

    let invalid = runner.run("nodeOnly:hash", FunctionKind::Action, obj(vec![])).unwrap().result;
    assert!(invalid.unwrap_err().message.starts_with("ArgumentValidationError"));

    let wrong_kind = runner.run("nodeOnly:hash", FunctionKind::Query, obj(vec![])).unwrap_err();
    assert!(wrong_kind.to_string().contains("registered as a action"), "{wrong_kind}");

    let greeted = runner
        .clone()
        .with_env([("USENODE_GREETING".to_owned(), "bonjour".to_owned())].into())
        .run("nodeOnly:greeting", FunctionKind::Action, obj(vec![]))
        .unwrap()
        .result;
    assert_eq!(greeted, Ok(Value::from("bonjour")));
    let plain = runner.run("nodeOnly:greeting", FunctionKind::Action, obj(vec![])).unwrap().result;
    assert_eq!(plain, Ok(Value::Null), "process.env is the deployment's, not Atrium's");

    let limited = runner
        .clone()
        .with_limits(Limits { action_time: Duration::from_millis(300), ..Limits::default() });
    let slow = limited
        .run("nodeOnly:sleep", FunctionKind::Action, obj(vec![("ms", Value::Float64(20_000.0))]))
        .unwrap()
        .result;
    assert!(slow.unwrap_err().message.starts_with("Function execution timed out"));
    let quick = limited
        .run("nodeOnly:sleep", FunctionKind::Action, obj(vec![("ms", Value::Float64(1.0))]))
        .unwrap()
        .result;
    assert_eq!(quick, Ok(Value::Float64(1.0)), "a process still serves calls");
}

#[test]
fn a_node_action_past_its_time_limit_is_killed_with_its_process() {
    let (_d, runner) = runner_for(&fixture());
    let runner =
        runner.with_limits(Limits { action_time: Duration::from_millis(500), ..Limits::default() });
    let before = action(&runner, "nodeOnly:pid", obj(vec![]));
    let Value::Float64(pid) = before else { panic!("pid {before}") };
    let pid = pid as u32;
    let spun = runner.run("nodeOnly:spin", FunctionKind::Action, obj(vec![])).unwrap().result;
    assert_eq!(spun.unwrap_err().message, "Function execution timed out (maximum duration: 0.5s)");
    // The process that spun is gone (killed, not left burning a core) ...
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::path::Path::new(&format!("/proc/{pid}")).exists() {
        assert!(std::time::Instant::now() < deadline, "process {pid} still runs");
        std::thread::sleep(Duration::from_millis(50));
    }
    // ... and a new one serves the next calls.
    let after = action(&runner, "nodeOnly:pid", obj(vec![]));
    assert_ne!(after, before, "a new process");
    let hash = action(&runner, "nodeOnly:hash", obj(vec![("text", "hi".into())]));
    assert_eq!(
        hash,
        Value::from("8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4")
    );
}

#[test]
fn the_node_process_stays_warm_and_restarts_after_it_dies() {
    let (_d, runner) = runner_for(&fixture());
    let first = action(&runner, "nodeOnly:pid", obj(vec![]));
    assert_eq!(action(&runner, "nodeOnly:pid", obj(vec![])), first, "the same warm process");
    let crashed = runner.run("nodeOnly:crash", FunctionKind::Action, obj(vec![])).unwrap().result;
    let message = crashed.unwrap_err().message;
    assert!(
        message.contains("The Node.js process running \"use node\" actions exited"),
        "{message}"
    );
    let after = action(&runner, "nodeOnly:pid", obj(vec![]));
    assert_ne!(after, first, "a new process after the crash");
    assert_eq!(
        action(&runner, "nodeOnly:hash", obj(vec![("text", "".into())])).to_string().len(),
        66
    );
}

#[test]
fn analysis_of_node_modules_happens_in_node() {
    let project = Project::open(&fixture()).unwrap();
    let analysis = analyze(&project).unwrap();
    let node: Vec<(&str, FunctionKind)> = analysis
        .functions()
        .filter(|f| f.path.starts_with("nodeOnly:"))
        .map(|f| (f.path.as_str(), f.kind))
        .collect();
    assert_eq!(node.len(), 10, "{node:?}");
    assert!(node.iter().all(|(_, kind)| *kind == FunctionKind::Action));
    let hash = analysis.function("nodeOnly:hash").unwrap();
    assert_eq!(hash.returns, Some(serde_json::json!({"type": "string"})));
    assert_eq!(analysis.function("notes:list").unwrap().kind, FunctionKind::Query);
}

#[test]
fn a_query_in_a_node_module_is_refused_as_convex_refuses_it() {
    let dir = project_with(&[(
        "mixed.ts",
        "\"use node\";\nimport { query } from \"./_generated/server\";\nexport const list = query({ args: {}, handler: async () => [] });\n",
    )]);
    let error = analyze(&Project::open(dir.path()).unwrap()).unwrap_err().to_string();
    assert_eq!(
        error,
        "Failed to analyze mixed.js: `list` defined in `mixed.js` is a Query function. Only actions can be defined in Node.js. See https://docs.convex.dev/functions/actions for more details."
    );
}

#[test]
fn a_node_module_that_throws_at_import_is_named() {
    let dir = project_with(&[(
        "broken.ts",
        "\"use node\";\nimport { readFileSync } from \"node:fs\";\nreadFileSync(\"/no/such/file\");\nexport const x = 1;\n",
    )]);
    let error = analyze(&Project::open(dir.path()).unwrap()).unwrap_err().to_string();
    assert!(error.starts_with("Failed to analyze broken.js: Uncaught Error: ENOENT"), "{error}");
}

#[test]
fn a_folder_with_one_failing_module_still_serves_the_others() {
    let dir = project_with(&[
        (
            "broken.ts",
            "\"use node\";\nimport { action } from \"./_generated/server\";\nthrow new Error(\"boom at import\");\nexport const a = action(async () => 1);\n",
        ),
        (
            "fine.ts",
            "import { query } from \"./_generated/server\";\nexport const ok = query({ args: {}, handler: async () => \"ok\" });\n",
        ),
    ]);
    let project = Project::open(dir.path()).unwrap();
    let analysis =
        atrium_runtime::analysis::analyze_tolerant_with_env(&project, &Default::default()).unwrap();
    assert_eq!(analysis.function("fine:ok").unwrap().kind, FunctionKind::Query);
    assert_eq!(analysis.failures.len(), 1, "{:?}", analysis.failures);
    assert_eq!(analysis.failures[0].path, "broken");
    assert_eq!(analysis.failures[0].message, "Uncaught Error: boom at import");
    assert_eq!(
        analysis.failures[0].to_string(),
        "Failed to analyze broken.js: Uncaught Error: boom at import"
    );
    let strict = analyze(&project).unwrap_err().to_string();
    assert_eq!(strict, "Failed to analyze broken.js: Uncaught Error: boom at import");
    let (_d, runner) = runner_for(dir.path());
    let ok = runner.run("fine:ok", FunctionKind::Query, obj(vec![])).unwrap().result;
    assert_eq!(ok, Ok(Value::from("ok")));
}
