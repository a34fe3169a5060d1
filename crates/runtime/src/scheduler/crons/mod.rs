//! Crons from `crons.ts`, run as Convex runs them: each stored cron (`table`) has one next
//! run; when it is due the function runs once (a mutation advances the cron in its own
//! transaction, so a slot never runs twice; an action is marked `inProgress` first and
//! runs at most once), and the next run is the next slot after the time it finished.
//! Slots missed in between (downtime, a slow run) are skipped and recorded as one
//! `canceled` run, never replayed. An action found `inProgress` at start-up failed with
//! Convex's "Transient error while executing action".
//!
//! Each component instance has its own crons (its `crons.ts`), stored in its own tables
//! and run in the instance, as Convex runs a component's crons.
//!
//! When runs start, and how many at once, is the scheduler's pool's business, not this
//! module's.

pub mod schedule;
pub mod table;

use std::time::Instant;

use atrium_engine::Engine;
use serde_json::Value as Json;

use crate::analysis::Analysis;
use crate::{Caller, FunctionKind, Runner, RuntimeError};

use super::clock::Clock;
use super::jobs::{TRANSIENT_ACTION_ERROR, canonical_name};
pub use schedule::CronSchedule;
pub use table::{CronDiff, CronSpec, RunStatus, StoredCron};

/// The crons `crons.ts` declares, or what is wrong with one of them.
pub fn declared(analysis: &Analysis) -> Result<Vec<CronSpec>, String> {
    let mut specs = Vec::new();
    for crons in analysis.modules.iter().filter_map(|m| m.crons.as_ref()) {
        let Some(map) = crons.as_object() else { continue };
        for (name, spec) in map {
            let function = spec.get("name").and_then(Json::as_str).unwrap_or_default();
            let args = spec.get("args").and_then(|a| a.get(0)).cloned().unwrap_or(Json::Null);
            let args = atrium_value::json::from_json(&args)
                .map_err(|e| format!("Cron job `{name}` has invalid arguments: {e}"))?;
            let schedule = spec.get("schedule").cloned().unwrap_or(Json::Null);
            let schedule = CronSchedule::from_json(&schedule)
                .map_err(|e| format!("Cron job `{name}`: {e}"))?;
            specs.push(CronSpec {
                name: name.clone(),
                udf_path: canonical_name(function),
                args,
                schedule,
            });
        }
    }
    Ok(specs)
}

/// Makes the stored crons of the instance `component` those `analysis` (its analysis)
/// declares (see [`table::sync`]).
pub fn sync(
    engine: &Engine,
    component: &str,
    analysis: &Analysis,
    clock: &dyn Clock,
) -> Result<CronDiff, String> {
    let declared = declared(analysis)?;
    let (result, _) = engine
        .run(16, |tx| table::sync(tx, component, &declared, clock.now_ms()))
        .map_err(|e| e.to_string())?;
    result
}

/// Stored crons of the instances `components` whose next run is due at `now`, soonest
/// first.
pub fn due<'a>(
    engine: &Engine,
    components: impl IntoIterator<Item = &'a str>,
    now: f64,
) -> Result<Vec<StoredCron>, RuntimeError> {
    let mut tx = engine.begin();
    let mut due = Vec::new();
    for component in components {
        due.extend(table::list(&mut tx, component)?.into_values().filter(|c| c.next_ms <= now));
    }
    due.sort_by(|a, b| a.next_ms.total_cmp(&b.next_ms));
    Ok(due)
}

/// The instances that have stored crons, from the catalog (at start-up, before any code).
fn instances_with_crons(tx: &atrium_engine::Transaction) -> Vec<String> {
    tx.catalog()
        .tables()
        .filter_map(|t| {
            let (component, table) = atrium_value::names::split_component(&t.name);
            (table == table::CRON_NEXT_RUN).then(|| component.to_owned())
        })
        .collect()
}

/// Ends the runs of actions a crash interrupted, in every instance: each is logged as
/// failed and its cron moves on to its next slot.
pub fn recover(engine: &Engine, clock: &dyn Clock) -> Result<usize, RuntimeError> {
    let (count, _) = engine.run(16, |tx| {
        let mut count = 0;
        let mut stuck = Vec::new();
        for component in instances_with_crons(tx) {
            stuck.extend(table::list(tx, &component)?.into_values());
        }
        for cron in stuck.into_iter().filter(|c| c.state == "inProgress") {
            let error = RunStatus::Err(TRANSIENT_ACTION_ERROR.to_owned());
            table::log_run(tx, &cron, cron.next_ms, error, Vec::new(), 0.0)?;
            table::advance(tx, &cron, clock.now_ms())?;
            count += 1;
        }
        Ok(count)
    })?;
    Ok(count)
}

fn lines(outcome: &crate::FunctionOutcome) -> Vec<String> {
    outcome.logs.iter().map(|l| format!("[{}] {}", l.level, l.message)).collect()
}

/// Records a run that did not go through the function's own transaction and advances the
/// cron, if it is still in `state` at the same slot.
fn finish(
    runner: &Runner,
    cron: &StoredCron,
    state: &str,
    status: RunStatus,
    lines: Vec<String>,
    seconds: f64,
    clock: &dyn Clock,
) -> Result<(), RuntimeError> {
    runner.engine().run(16, |tx| {
        if table::still_due(tx, cron, state)? {
            table::log_run(tx, cron, cron.next_ms, status.clone(), lines.clone(), seconds)?;
            table::advance(tx, cron, clock.now_ms())?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Runs one due cron (see the module doc) in its instance; `root` is the app's runner.
pub fn run(root: &Runner, cron: &StoredCron, clock: &dyn Clock) -> Result<(), RuntimeError> {
    let runner = &root.in_component(&cron.component)?;
    let path = cron.spec.udf_path.as_str();
    let args = cron.spec.args.clone();
    let started = Instant::now();
    let kind = match runner.function_kind(path) {
        Ok(FunctionKind::Query) => {
            Err(format!("{path} is a query; only mutations and actions can be run by cron jobs"))
        }
        Ok(kind) => Ok(kind),
        Err(error) => Err(error.to_string()),
    };
    let kind = match kind {
        Ok(kind) => kind,
        Err(error) => {
            return finish(runner, cron, "pending", RunStatus::Err(error), Vec::new(), 0.0, clock);
        }
    };
    if kind == FunctionKind::Mutation {
        let hook = |tx: &mut atrium_engine::Transaction| {
            if !table::still_due(tx, cron, "pending")? {
                return Ok(false);
            }
            table::advance(tx, cron, clock.now_ms())?;
            Ok(true)
        };
        let outcome = runner.run_with_hook(Caller::Cron, path, args, &hook);
        let seconds = started.elapsed().as_secs_f64();
        return match outcome {
            Ok(Some(outcome)) => match &outcome.result {
                Ok(value) => {
                    let text = atrium_value::json::to_json(value).to_string();
                    runner.engine().run(16, |tx| {
                        let status = RunStatus::Success(text.clone());
                        table::log_run(tx, cron, cron.next_ms, status, lines(&outcome), seconds)
                    })?;
                    Ok(())
                }
                Err(error) => {
                    let status = RunStatus::Err(error.message.clone());
                    finish(runner, cron, "pending", status, lines(&outcome), seconds, clock)
                }
            },
            Ok(None) => Ok(()), // another run took this slot, or the cron went away
            Err(error) => {
                let status = RunStatus::Err(error.to_string());
                finish(runner, cron, "pending", status, Vec::new(), seconds, clock)
            }
        };
    }
    let (started_run, _) = runner.engine().run(16, |tx| {
        if !table::still_due(tx, cron, "pending")? {
            return Ok(false);
        }
        table::start(tx, cron)?;
        Ok(true)
    })?;
    if !started_run {
        return Ok(());
    }
    let (status, log) = match runner.run_as(Caller::Cron, path, FunctionKind::Action, args) {
        Ok(outcome) => {
            let log = lines(&outcome);
            match outcome.result {
                Ok(value) => {
                    (RunStatus::Success(atrium_value::json::to_json(&value).to_string()), log)
                }
                Err(error) => (RunStatus::Err(error.message), log),
            }
        }
        Err(error) => (RunStatus::Err(error.to_string()), Vec::new()),
    };
    let seconds = started.elapsed().as_secs_f64();
    finish(runner, cron, "inProgress", status, log, seconds, clock)
}
