//! Changing a variable that code reads at load analyses the code again, as Convex pushes its
//! config again: a module whose exports depend on `process.env.TIER` and a `crons.ts` that
//! schedules a job only while `NIGHTLY` is set follow `update_environment`, for code from a
//! project folder and for pushed (bundled) code; a change that would make a module throw at
//! load is refused and leaves the variables as they were.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use atrium_protocol::push::{PushedComponents, PushedModule};
use atrium_runtime::FunctionKind;
use atrium_server::{Deployment, DeploymentConfig};
use atrium_value::{Object, Value};

/// Refuses to load without `API_KEY`; `premium` exists only on the pro tier.
const PLANS: &str = r#"import { mutation, query } from "./_generated/server";
if (!process.env.API_KEY) throw new Error("API_KEY is not set");
const tier = process.env.TIER ?? "free";
export const current = query({ args: {}, handler: async () => tier });
export const premium =
  tier === "pro" ? query({ args: {}, handler: async () => "premium feature" }) : undefined;
export const report = mutation({ args: {}, handler: async () => null });
"#;

const CRONS: &str = r#"import { anyApi, cronJobs } from "convex/server";
const crons = cronJobs();
if (process.env.NIGHTLY) {
  crons.daily("nightly report", { hourUTC: 3, minuteUTC: 0 }, anyApi.plans.report);
}
export default crons;
"#;

fn auth_fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/auth")
}

/// A project with `plans.ts` and `crons.ts`, using the `auth` fixture's `convex` package.
fn project() -> tempfile::TempDir {
    project_with(&[("plans.ts", PLANS), ("crons.ts", CRONS)])
}

/// A project folder with these `convex/` files, using the `auth` fixture's `convex`
/// package and generated code.
pub(crate) fn project_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let generated = dir.path().join("convex/_generated");
    std::fs::create_dir_all(&generated).unwrap();
    for file in ["api.ts", "server.ts"] {
        std::fs::copy(auth_fixture().join("convex/_generated").join(file), generated.join(file))
            .unwrap();
    }
    for (name, text) in files {
        std::fs::write(dir.path().join("convex").join(name), text).unwrap();
    }
    std::os::unix::fs::symlink(
        auth_fixture().join("node_modules"),
        dir.path().join("node_modules"),
    )
    .unwrap();
    dir
}

/// The project's modules bundled as the CLI pushes them (the fixture's esbuild).
fn bundled(project: &Path) -> Vec<PushedModule> {
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(auth_fixture().join("node_modules/.bin/esbuild"))
        .current_dir(project)
        .args(["convex/plans.ts", "convex/crons.ts", "--bundle", "--format=esm"])
        .args(["--platform=browser", "--conditions=convex,module", "--outbase=convex"])
        .args(["--log-level=warning", &format!("--outdir={}", out.path().display())])
        .status()
        .expect("esbuild from the fixture's node_modules runs");
    assert!(status.success());
    ["plans.js", "crons.js"]
        .into_iter()
        .map(|path| PushedModule {
            path: path.into(),
            source: std::fs::read_to_string(out.path().join(path)).unwrap(),
            source_map: None,
            environment: "isolate".into(),
        })
        .collect()
}

fn open(project: Option<&Path>, data: &Path) -> Arc<Deployment> {
    Deployment::open(DeploymentConfig {
        project_dir: project.map(Path::to_path_buf),
        data_dir: data.to_path_buf(),
        instance_name: "environment-at-load".into(),
        admin_key: None,
    })
    .unwrap()
}

fn set(deployment: &Deployment, name: &str, value: Option<&str>) -> Result<(), String> {
    deployment.update_environment(&[(name.into(), value.map(str::to_owned))])
}

fn functions(deployment: &Deployment) -> Vec<String> {
    deployment.analysis().unwrap().functions().map(|f| f.path.clone()).collect()
}

fn crons(deployment: &Deployment) -> Vec<String> {
    let mut tx = deployment.engine().begin();
    tx.collect_table("_cron_jobs")
        .unwrap()
        .into_iter()
        .filter_map(|d| d.fields.get("name").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

fn query(deployment: &Deployment, path: &str) -> Value {
    let runner = deployment.runner().unwrap();
    let outcome = runner.run(path, FunctionKind::Query, Value::Object(Object::new())).unwrap();
    outcome.result.unwrap_or_else(|e| panic!("{path}: {e:?}"))
}

/// The variables follow each step; `key` is set and `TIER` unset when called.
fn follows_the_environment(deployment: &Deployment) {
    assert!(functions(deployment).contains(&"plans:current".to_owned()));
    assert!(!functions(deployment).contains(&"plans:premium".to_owned()));
    assert_eq!(crons(deployment), Vec::<String>::new());

    set(deployment, "TIER", Some("pro")).unwrap();
    set(deployment, "NIGHTLY", Some("1")).unwrap();
    assert!(functions(deployment).contains(&"plans:premium".to_owned()), "analysed again");
    assert_eq!(query(deployment, "plans:premium"), Value::from("premium feature"));
    assert_eq!(query(deployment, "plans:current"), Value::from("pro"));
    assert_eq!(crons(deployment), vec!["nightly report".to_owned()]);

    set(deployment, "NIGHTLY", None).unwrap();
    assert_eq!(crons(deployment), Vec::<String>::new(), "the cron goes with its variable");

    let refused = set(deployment, "API_KEY", None).unwrap_err();
    assert!(refused.starts_with("This change would make the code fail to load"), "{refused}");
    assert!(refused.contains("API_KEY is not set"), "{refused}");
    assert!(deployment.environment().contains_key("API_KEY"), "nothing was stored");
    assert!(functions(deployment).contains(&"plans:premium".to_owned()), "the code still serves");
}

#[test]
fn folder_code_is_analysed_again_when_a_variable_it_reads_changes() {
    let (project, data) = (project(), tempfile::tempdir().unwrap());
    let deployment = open(Some(project.path()), data.path());
    // A folder's module that fails to load is listed while the others serve.
    let failures = deployment.module_failures();
    assert!(failures.iter().any(|f| f.message.contains("API_KEY is not set")), "{failures:?}");
    assert!(failures.iter().all(|f| !f.message.starts_with("Failed to analyze")), "{failures:?}");
    set(&deployment, "API_KEY", Some("key")).unwrap();
    assert_eq!(deployment.load_error(), None);
    assert_eq!(deployment.module_failures(), vec![]);
    follows_the_environment(&deployment);
    deployment.stop();
}

#[test]
fn pushed_code_is_analysed_again_when_a_variable_it_reads_changes() {
    let (project, data) = (project(), tempfile::tempdir().unwrap());
    let deployment = open(None, data.path());
    set(&deployment, "API_KEY", Some("key")).unwrap();
    let pending = deployment.start_push(bundled(project.path()), PushedComponents::default());
    let id = pending.unwrap().id;
    deployment.finish_push(&id).unwrap();
    follows_the_environment(&deployment);
    deployment.stop();
}
