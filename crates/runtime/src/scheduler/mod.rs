//! The scheduler: `ctx.scheduler.runAfter/runAt/cancel` write jobs to
//! `_scheduled_functions` (`jobs`), `crons.ts` declares crons (`crons`), and the
//! [`Scheduler`] pool (`pool`) runs whatever is due, concurrently.
//!
//! A job document is `{name: "module.js:fn", args: [ {…} ], scheduledTime: ms,
//! completedTime?: ms, state: {kind: "pending" | "inProgress" | "success" | "failed" |
//! "canceled", error?}}`, as Convex's `_scheduled_functions` shows it. How one job runs is
//! `scheduled`'s business; finished jobs are collected after Convex's retention of a week.
//! Whoever hosts the engine (the server) calls [`Scheduler::tick`] on a timer.

pub mod clock;
pub mod crons;
pub(crate) mod jobs;
mod pool;
pub mod scheduled;

pub use clock::{Clock, FixedClock, SystemClock};
pub use jobs::{
    MAX_SCHEDULED_ARGS_BYTES, MAX_SCHEDULED_PER_MUTATION, RETENTION_MS, SCHEDULED_FUNCTIONS,
    TRANSIENT_ACTION_ERROR,
};
pub use pool::{JobKey, Lanes, Scheduler};

use std::sync::Arc;

use crate::{Runner, RuntimeError};

/// Cancels a job that has not finished (a no-op for finished ones), as
/// `ctx.scheduler.cancel` and Convex's `/api/cancel_job` do: a job of any component
/// instance, found by its ID (whose table says which instance's it is).
pub fn cancel_job(
    tx: &mut atrium_engine::Transaction,
    id: &atrium_value::DocumentId,
) -> Result<(), String> {
    let component = tx
        .table_name(id.table)
        .map(|table| atrium_value::names::split_component(&table).0.to_owned())
        .unwrap_or_default();
    jobs::cancel(tx, &component, id)
}

/// A function path as jobs store it: `module.js:function`.
pub fn canonical_name(path: &str) -> String {
    jobs::canonical_name(path)
}

/// When the next pending job is due (ms since the epoch), if any.
pub fn next_due(runner: &Runner) -> Result<Option<f64>, RuntimeError> {
    Ok(scheduled::pending(runner)?.first().map(|job| job.at))
}

/// Runs every job due at `now` (ms since the epoch) and waits for them: how tests and
/// one-shot callers drive the pool. Returns how many ran.
pub fn run_due_jobs(runner: &Runner, now: f64) -> Result<usize, RuntimeError> {
    let scheduler = Scheduler::new(Arc::new(FixedClock::new(now)));
    let mut ran = 0;
    loop {
        let started = scheduler.tick(runner)?;
        scheduler.wait_idle();
        if started == 0 {
            return Ok(ran);
        }
        ran += started;
    }
}
