//! The job documents of `_scheduled_functions`: writing a job (`schedule`), cancelling
//! one, and reading or finishing its state inside a transaction.
//!
//! It must not run functions (the scheduler's `run_due_jobs` does) and so knows nothing of
//! the runner.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use atrium_engine::{PatchValue, Transaction};
use atrium_value::{DocumentId, Object, Value};

use crate::Project;

pub const SCHEDULED_FUNCTIONS: &str = "_scheduled_functions";
/// Convex's error for an action a crash left `inProgress` (it runs at most once).
pub const TRANSIENT_ACTION_ERROR: &str = "Transient error while executing action";
/// How long Convex keeps finished jobs before collecting them (a week).
pub const RETENTION_MS: f64 = 7.0 * 24.0 * 3600.0 * 1000.0;
/// Convex's limits per mutation: functions scheduled, and their arguments' total size.
pub const MAX_SCHEDULED_PER_MUTATION: usize = 1000;
pub const MAX_SCHEDULED_ARGS_BYTES: usize = 1 << 24;
const FIVE_YEARS_MS: f64 = 5.0 * 365.25 * 24.0 * 3600.0 * 1000.0;

pub(crate) fn now_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

pub(crate) fn state(kind: &str) -> Value {
    let mut object = Object::new();
    object.insert("kind".into(), Value::from(kind));
    Value::Object(object)
}

/// `module:fn` as Convex stores it in job documents: `module.js:fn`.
pub(crate) fn canonical_name(name: &str) -> String {
    match name.split_once(':') {
        Some((module, function)) if !module.ends_with(".js") => format!("{module}.js:{function}"),
        Some(_) => name.to_owned(),
        None => format!("{}.js:default", name.trim_end_matches(".js")),
    }
}

/// Where a job is written: the scheduling component's `_scheduled_functions`
/// (`caller`), and the function it runs (in `target_component`, whose functions are
/// `project`).
pub(crate) struct JobTarget<'a> {
    pub caller: &'a str,
    pub target_component: &'a str,
    pub project: &'a Project,
}

/// The field of a job that runs a function of another component instance than the one
/// that scheduled it (by function handle): that instance's path.
pub const JOB_COMPONENT_FIELD: &str = "component";

/// Writes a job in `tx`. `ts` is seconds since the epoch, as the library sends it.
pub(crate) fn schedule(
    tx: &mut Transaction,
    at: &JobTarget<'_>,
    name: &str,
    ts: f64,
    args: Value,
) -> Result<DocumentId, String> {
    let project = at.project;
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
    if at.target_component != at.caller {
        job.insert(JOB_COMPONENT_FIELD.into(), Value::from(at.target_component));
    }
    let table = crate::components::names::qualify(at.caller, SCHEDULED_FUNCTIONS);
    tx.insert_system(&table, job).map_err(|e| e.to_string())
}

/// Cancels a job of the component instance at `component` that has not finished (a no-op
/// for finished jobs); another instance's job is not found.
pub(crate) fn cancel(tx: &mut Transaction, component: &str, id: &DocumentId) -> Result<(), String> {
    let own = crate::components::names::qualify(component, SCHEDULED_FUNCTIONS);
    if tx.table_name(id.table).is_some_and(|table| table != own) {
        return Err(format!("Scheduled function {id} not found"));
    }
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

/// What one mutation has scheduled so far, checked against Convex's limits.
#[derive(Debug, Default, Clone, Copy)]
pub struct ScheduledBudget {
    pub count: usize,
    pub bytes: usize,
}

impl ScheduledBudget {
    /// Counts one more job with arguments `args`, or refuses it with Convex's message.
    pub(crate) fn charge(&mut self, args: &Value) -> Result<(), String> {
        let size = Value::Array(vec![args.clone()]).size();
        if self.count >= MAX_SCHEDULED_PER_MUTATION {
            return Err(format!(
                "Too many functions scheduled by this mutation (limit: {MAX_SCHEDULED_PER_MUTATION})"
            ));
        }
        if self.bytes + size > MAX_SCHEDULED_ARGS_BYTES {
            return Err(format!(
                "Too large total size of the arguments of scheduled functions from this mutation \
                 (limit: {MAX_SCHEDULED_ARGS_BYTES} bytes)"
            ));
        }
        self.count += 1;
        self.bytes += size;
        Ok(())
    }
}

/// Every instance's `_scheduled_functions` in the catalog (the app's, `<path>/…` of each
/// component instance), whether or not the loaded code still installs it.
fn job_tables(tx: &Transaction) -> Vec<String> {
    tx.catalog()
        .tables()
        .filter(|t| atrium_value::names::split_component(&t.name).1 == SCHEDULED_FUNCTIONS)
        .map(|t| t.name.clone())
        .collect()
}

/// Marks every job a crash left `inProgress` as failed, in every instance, as Convex does
/// at start-up.
pub(crate) fn fail_interrupted(tx: &mut Transaction) -> Result<usize, atrium_engine::EngineError> {
    let mut count = 0;
    let mut jobs = Vec::new();
    for table in job_tables(tx) {
        jobs.extend(tx.collect_table(&table)?);
    }
    for job in jobs {
        if job.fields.get("state").and_then(|s| s.get_path(["kind"]))
            == Some(&Value::from("inProgress"))
        {
            finish(tx, &job.id, Err(TRANSIENT_ACTION_ERROR.to_owned()))?;
            count += 1;
        }
    }
    Ok(count)
}

/// Deletes jobs that finished (`success`, `failed`, `canceled`) more than
/// [`RETENTION_MS`] before `now`, in every instance.
pub(crate) fn collect_finished(
    tx: &mut Transaction,
    now: f64,
) -> Result<usize, atrium_engine::EngineError> {
    let mut count = 0;
    let mut jobs = Vec::new();
    for table in job_tables(tx) {
        jobs.extend(tx.collect_table(&table)?);
    }
    for job in jobs {
        let finished = matches!(
            job.fields.get("state").and_then(|s| s.get_path(["kind"])).and_then(Value::as_str),
            Some("success" | "failed" | "canceled")
        );
        let Some(Value::Float64(completed)) = job.fields.get("completedTime") else { continue };
        if finished && completed + RETENTION_MS <= now {
            tx.delete(&job.id)?;
            count += 1;
        }
    }
    Ok(count)
}

pub(crate) fn finish(
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

pub(crate) fn state_of(
    tx: &mut Transaction,
    id: &DocumentId,
) -> Result<Option<String>, atrium_engine::EngineError> {
    Ok(tx
        .get(id)?
        .and_then(|job| job.fields.get("state").and_then(|s| s.get_path(["kind"])).cloned())
        .and_then(|k| k.as_str().map(str::to_owned)))
}
