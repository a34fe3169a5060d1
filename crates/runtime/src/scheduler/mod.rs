//! The scheduler: `ctx.scheduler.runAfter/runAt/cancel` write jobs to
//! `_scheduled_functions`; [`run_due_jobs`] runs the ones whose time has come.
//!
//! A job document is `{name: "module.js:fn", args: [ {…} ], scheduledTime: ms,
//! completedTime?: ms, state: {kind: "pending" | "inProgress" | "success" | "failed" |
//! "canceled", error?}}`. A scheduled mutation runs exactly once: its job is marked
//! `success` in the mutation's own transaction. An action runs at most once: marked
//! `inProgress` first, then `success` or `failed`. Scheduled functions run with no user
//! identity. Whoever hosts the engine (the server) calls [`run_due_jobs`] on a timer.

pub(crate) mod jobs;

use std::collections::BTreeMap;

use atrium_engine::{PatchValue, Transaction};
use atrium_value::{DocumentId, Object, Value};

pub use jobs::SCHEDULED_FUNCTIONS;
use jobs::{finish, state, state_of};

use crate::{FunctionKind, Runner, RuntimeError};

/// Marks a job finished in its own transaction, if it is still in `expected` state.
fn settle(
    runner: &Runner,
    id: &DocumentId,
    expected: &str,
    outcome: Result<(), String>,
) -> Result<bool, RuntimeError> {
    let (updated, _) = runner.engine().run(16, |tx| {
        if state_of(tx, id)?.as_deref() != Some(expected) {
            return Ok(false);
        }
        finish(tx, id, outcome.clone())?;
        Ok(true)
    })?;
    Ok(updated)
}

/// When the next pending job is due (ms since the epoch), if any.
pub fn next_due(runner: &Runner) -> Result<Option<f64>, RuntimeError> {
    Ok(pending_jobs(runner)?.first().map(|(_, _, _, _, at)| *at))
}

/// A pending job: its ID, the runner in the component it runs in, its function, its
/// arguments and when it is due.
type Job = (DocumentId, Runner, String, Value, f64);

/// Every component instance's pending jobs (each instance has its own
/// `_scheduled_functions`), soonest first.
fn pending_jobs(runner: &Runner) -> Result<Vec<Job>, RuntimeError> {
    let mut jobs: Vec<Job> = Vec::new();
    for instance in runner.components().instances() {
        let scheduling = runner.in_component(&instance.path)?;
        for (id, target, name, args, at) in pending_in(runner, &instance.path)? {
            let runs_in = match target {
                Some(component) => scheduling.in_component(&component)?,
                None => scheduling.clone(),
            };
            jobs.push((id, runs_in, name, args, at));
        }
    }
    jobs.sort_by(|a, b| a.4.total_cmp(&b.4));
    Ok(jobs)
}

type Pending = (DocumentId, Option<String>, String, Value, f64);

fn pending_in(runner: &Runner, component: &str) -> Result<Vec<Pending>, RuntimeError> {
    let mut tx = runner.engine().begin();
    let mut jobs: Vec<Pending> = Vec::new();
    let table = crate::components::names::qualify(component, SCHEDULED_FUNCTIONS);
    for job in tx.collect_table(&table)? {
        let pending = job.fields.get("state").and_then(|s| s.get_path(["kind"]))
            == Some(&Value::from("pending"));
        let (Some(Value::String(name)), Some(Value::Float64(at))) =
            (job.fields.get("name"), job.fields.get("scheduledTime"))
        else {
            continue;
        };
        if pending {
            let args = match job.fields.get("args") {
                Some(Value::Array(items)) if items.len() == 1 => items[0].clone(),
                _ => Value::Object(Object::new()),
            };
            let target = match job.fields.get(jobs::JOB_COMPONENT_FIELD) {
                Some(Value::String(component)) => Some(component.clone()),
                _ => None,
            };
            jobs.push((job.id, target, name.clone(), args, *at));
        }
    }
    Ok(jobs)
}

/// Runs every pending job due at `now` (ms since the epoch). Returns how many ran.
pub fn run_due_jobs(runner: &Runner, now: f64) -> Result<usize, RuntimeError> {
    let mut ran = 0;
    for (id, runner, name, args, at) in pending_jobs(runner)? {
        if at > now {
            break;
        }
        let runner = &runner;
        ran += 1;
        let kind = match runner.function_kind(&name) {
            Ok(kind) => kind,
            Err(error) => {
                settle(runner, &id, "pending", Err(error.to_string()))?;
                continue;
            }
        };
        match kind {
            FunctionKind::Mutation => {
                let hook = |tx: &mut Transaction| -> Result<bool, atrium_engine::EngineError> {
                    if state_of(tx, &id)?.as_deref() != Some("pending") {
                        return Ok(false);
                    }
                    finish(tx, &id, Ok(()))?;
                    Ok(true)
                };
                match runner.run_with_hook(&name, args, &hook) {
                    Ok(Some(outcome)) => {
                        if let Err(error) = outcome.result {
                            settle(runner, &id, "pending", Err(error.message))?;
                        }
                    }
                    Ok(None) => {} // cancelled while it ran
                    Err(error) => {
                        settle(runner, &id, "pending", Err(error.to_string()))?;
                    }
                }
            }
            FunctionKind::Action => {
                let (started, _) = runner.engine().run(16, |tx| {
                    if state_of(tx, &id)?.as_deref() != Some("pending") {
                        return Ok(false);
                    }
                    let mut patch = BTreeMap::new();
                    patch.insert("state".to_string(), PatchValue::Set(state("inProgress")));
                    tx.patch(&id, patch)?;
                    Ok(true)
                })?;
                if !started {
                    continue;
                }
                let outcome = match runner.run_as(
                    crate::Caller::Scheduler,
                    &name,
                    FunctionKind::Action,
                    args,
                ) {
                    Ok(outcome) => outcome.result.map(|_| ()).map_err(|e| e.message),
                    Err(error) => Err(error.to_string()),
                };
                settle(runner, &id, "inProgress", outcome)?;
            }
            FunctionKind::Query => {
                settle(
                    runner,
                    &id,
                    "pending",
                    Err(format!("{name} is a query; only mutations and actions can be scheduled")),
                )?;
            }
        }
    }
    Ok(ran)
}
