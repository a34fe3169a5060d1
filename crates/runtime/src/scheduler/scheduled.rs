//! Running one due job of `_scheduled_functions`: a mutation is marked `success` in its own
//! transaction (so it runs exactly once), an action is marked `inProgress` first and then
//! `success` or `failed` (so it runs at most once). Scheduled functions run with no user
//! identity.
//!
//! Which jobs are due and how many run at once is the pool's business, not this module's.

use std::collections::BTreeMap;

use atrium_engine::{PatchValue, Transaction};
use atrium_value::{DocumentId, Object, Value};

use super::jobs::{JOB_COMPONENT_FIELD, SCHEDULED_FUNCTIONS, finish, state, state_of};
use crate::{Caller, FunctionKind, Runner, RuntimeError};

/// A pending job: its ID, the component instance whose `_scheduled_functions` holds it
/// (`""` for the app), the instance it runs in when another one (a function handle's),
/// its function, argument object and time (ms since the epoch).
#[derive(Debug, Clone)]
pub struct Job {
    pub id: DocumentId,
    pub component: String,
    pub target: Option<String>,
    pub name: String,
    pub args: Value,
    pub at: f64,
}

impl Job {
    /// The runner of the component instance the job's function runs in.
    pub fn runner(&self, root: &Runner) -> Result<Runner, RuntimeError> {
        let scheduling = root.in_component(&self.component)?;
        match &self.target {
            Some(target) => scheduling.in_component(target),
            None => Ok(scheduling),
        }
    }
}

/// Every component instance's pending jobs (each instance has its own
/// `_scheduled_functions`), soonest first.
pub fn pending(runner: &Runner) -> Result<Vec<Job>, RuntimeError> {
    let mut jobs: Vec<Job> = Vec::new();
    for instance in runner.components().instances() {
        pending_in(runner, &instance.path, &mut jobs)?;
    }
    jobs.sort_by(|a, b| a.at.total_cmp(&b.at));
    Ok(jobs)
}

fn pending_in(runner: &Runner, component: &str, jobs: &mut Vec<Job>) -> Result<(), RuntimeError> {
    let mut tx = runner.engine().begin();
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
            let target = match job.fields.get(JOB_COMPONENT_FIELD) {
                Some(Value::String(component)) => Some(component.clone()),
                _ => None,
            };
            jobs.push(Job {
                id: job.id,
                component: component.to_owned(),
                target,
                name: name.clone(),
                args,
                at: *at,
            });
        }
    }
    Ok(())
}

/// Marks a job finished in its own transaction, if it is still in `expected` state.
pub(crate) fn settle(
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

/// Runs `job`, a function of `kind`.
pub fn run(runner: &Runner, job: &Job, kind: FunctionKind) -> Result<(), RuntimeError> {
    let (id, name, args) = (&job.id, job.name.as_str(), job.args.clone());
    match kind {
        FunctionKind::Mutation => {
            let hook = |tx: &mut Transaction| -> Result<bool, atrium_engine::EngineError> {
                if state_of(tx, id)?.as_deref() != Some("pending") {
                    return Ok(false);
                }
                finish(tx, id, Ok(()))?;
                Ok(true)
            };
            match runner.run_with_hook(Caller::Scheduler, name, args, &hook) {
                Ok(Some(outcome)) => {
                    if let Err(error) = outcome.result {
                        settle(runner, id, "pending", Err(error.message))?;
                    }
                }
                Ok(None) => {} // cancelled while it ran
                Err(error) => {
                    settle(runner, id, "pending", Err(error.to_string()))?;
                }
            }
        }
        FunctionKind::Action => {
            let (started, _) = runner.engine().run(16, |tx| {
                if state_of(tx, id)?.as_deref() != Some("pending") {
                    return Ok(false);
                }
                let mut patch = BTreeMap::new();
                patch.insert("state".to_string(), PatchValue::Set(state("inProgress")));
                tx.patch(id, patch)?;
                Ok(true)
            })?;
            if !started {
                return Ok(());
            }
            let outcome = match runner.run_as(Caller::Scheduler, name, FunctionKind::Action, args) {
                Ok(outcome) => outcome.result.map(|_| ()).map_err(|e| e.message),
                Err(error) => Err(error.to_string()),
            };
            settle(runner, id, "inProgress", outcome)?;
        }
        FunctionKind::Query => {
            let message = format!("{name} is a query; only mutations and actions can be scheduled");
            settle(runner, id, "pending", Err(message))?;
        }
    }
    Ok(())
}
