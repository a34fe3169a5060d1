//! The scheduler: `ctx.scheduler.runAfter/runAt/cancel` write jobs to
//! `_scheduled_functions`; [`run_due_jobs`] runs the ones whose time has come.
//!
//! A job document is `{name: "module.js:fn", args: [ {…} ], scheduledTime: ms,
//! completedTime?: ms, state: {kind: "pending" | "inProgress" | "success" | "failed" |
//! "canceled", error?}}`. A scheduled mutation runs exactly once: its job is marked
//! `success` in the mutation's own transaction. An action runs at most once: marked
//! `inProgress` first, then `success` or `failed`. Scheduled functions run with no user
//! identity. Whoever hosts the engine (the server) calls [`run_due_jobs`] on a timer.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use atrium_engine::{PatchValue, Transaction};
use atrium_value::{DocumentId, Object, Value};

use crate::{FunctionKind, Project, Runner, RuntimeError};

pub const SCHEDULED_FUNCTIONS: &str = "_scheduled_functions";
const FIVE_YEARS_MS: f64 = 5.0 * 365.25 * 24.0 * 3600.0 * 1000.0;

pub(crate) fn now_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn state(kind: &str) -> Value {
    let mut object = Object::new();
    object.insert("kind".into(), Value::from(kind));
    Value::Object(object)
}

/// `module:fn` as Convex stores it in job documents: `module.js:fn`.
fn canonical_name(name: &str) -> String {
    match name.split_once(':') {
        Some((module, function)) if !module.ends_with(".js") => format!("{module}.js:{function}"),
        Some(_) => name.to_owned(),
        None => format!("{}.js:default", name.trim_end_matches(".js")),
    }
}

/// Writes a job in `tx`. `ts` is seconds since the epoch, as the library sends it.
pub(crate) fn schedule(
    tx: &mut Transaction,
    project: &Project,
    name: &str,
    ts: f64,
    args: Value,
) -> Result<DocumentId, String> {
    let scheduled_ms = ts * 1000.0;
    if !scheduled_ms.is_finite() || (scheduled_ms - now_ms()).abs() > FIVE_YEARS_MS {
        return Err(format!("Scheduled time {ts} for `{name}` is more than five years away"));
    }
    let module = name.split_once(':').map_or(name, |(m, _)| m);
    if project.module_file(module.trim_end_matches(".js")).is_none() {
        return Err(format!("Attempted to schedule function at nonexistent path: {name}"));
    }
    if !matches!(args, Value::Object(_)) {
        return Err(format!("The arguments for scheduled function `{name}` must be an object"));
    }
    let mut job = Object::new();
    job.insert("name".into(), Value::String(canonical_name(name)));
    job.insert("args".into(), Value::Array(vec![args]));
    job.insert("scheduledTime".into(), Value::Float64(scheduled_ms));
    job.insert("state".into(), state("pending"));
    tx.insert_system(SCHEDULED_FUNCTIONS, job).map_err(|e| e.to_string())
}

/// Cancels a job that has not finished (a no-op for finished jobs).
pub(crate) fn cancel(tx: &mut Transaction, id: &DocumentId) -> Result<(), String> {
    let Some(job) = tx.get(id).map_err(|e| e.to_string())? else {
        return Err(format!("Scheduled function {id} not found"));
    };
    let kind = job.fields.get("state").and_then(|s| s.get_path(["kind"])).cloned();
    if matches!(kind.as_ref().and_then(Value::as_str), Some("pending" | "inProgress")) {
        let mut patch = BTreeMap::new();
        patch.insert("state".to_string(), PatchValue::Set(state("canceled")));
        patch.insert("completedTime".to_string(), PatchValue::Set(Value::Float64(now_ms())));
        tx.patch(id, patch).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn finish(
    tx: &mut Transaction,
    id: &DocumentId,
    outcome: Result<(), String>,
) -> Result<(), atrium_engine::EngineError> {
    let mut patch = BTreeMap::new();
    let new_state = match outcome {
        Ok(()) => state("success"),
        Err(error) => {
            let Value::Object(mut failed) = state("failed") else { unreachable!() };
            failed.insert("error".into(), Value::String(error));
            Value::Object(failed)
        }
    };
    patch.insert("state".to_string(), PatchValue::Set(new_state));
    patch.insert("completedTime".to_string(), PatchValue::Set(Value::Float64(now_ms())));
    tx.patch(id, patch)
}

fn state_of(
    tx: &mut Transaction,
    id: &DocumentId,
) -> Result<Option<String>, atrium_engine::EngineError> {
    Ok(tx
        .get(id)?
        .and_then(|job| job.fields.get("state").and_then(|s| s.get_path(["kind"])).cloned())
        .and_then(|k| k.as_str().map(str::to_owned)))
}

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
    Ok(pending_jobs(runner)?.first().map(|(_, _, _, at)| *at))
}

type Job = (DocumentId, String, Value, f64);

fn pending_jobs(runner: &Runner) -> Result<Vec<Job>, RuntimeError> {
    let mut tx = runner.engine().begin();
    let mut jobs: Vec<Job> = Vec::new();
    for job in tx.collect_table(SCHEDULED_FUNCTIONS)? {
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
            jobs.push((job.id, name.clone(), args, *at));
        }
    }
    jobs.sort_by(|a, b| a.3.total_cmp(&b.3));
    Ok(jobs)
}

/// Runs every pending job due at `now` (ms since the epoch). Returns how many ran.
pub fn run_due_jobs(runner: &Runner, now: f64) -> Result<usize, RuntimeError> {
    let mut ran = 0;
    for (id, name, args, at) in pending_jobs(runner)? {
        if at > now {
            break;
        }
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
