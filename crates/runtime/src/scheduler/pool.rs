//! The scheduler's pool: on each [`Scheduler::tick`] it starts every due scheduled job and
//! cron that is not already running, each on its own thread, up to a bound per lane.
//! Mutations and actions have separate lanes, so a due mutation never waits behind slow
//! actions; a job or cron is never started twice while it runs (its key is held).
//!
//! The pool owns concurrency and start-up recovery; how one job or cron runs is
//! `scheduled`'s and `crons`'s business. Keys name a cron by its instance and name.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use atrium_engine::Engine;

use super::clock::Clock;
use super::crons::{self, CronDiff};
use super::jobs;
use super::scheduled;
use crate::analysis::Analysis;
use crate::{FunctionKind, Runner, RuntimeError};

/// How often finished jobs are looked for (ms).
const COLLECT_EVERY_MS: f64 = 60_000.0;

/// What a running unit of work is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum JobKey {
    /// A `_scheduled_functions` document, by ID.
    Scheduled(String),
    /// A cron, by its component instance's path and its name.
    Cron(String, String),
}

/// How many mutations and how many actions may run at once.
#[derive(Debug, Clone, Copy)]
pub struct Lanes {
    pub mutations: usize,
    pub actions: usize,
}

impl Default for Lanes {
    /// Mutations contend for the database, so a few suffice; actions mostly wait on the
    /// network (an LLM call), so many may wait at once.
    fn default() -> Self {
        Self { mutations: 8, actions: 64 }
    }
}

#[derive(Debug, Default)]
struct Shared {
    running: Mutex<HashSet<JobKey>>,
    idle: Condvar,
    busy: [AtomicUsize; 2],
}

/// Releases a job's key and lane when its thread ends, however it ends.
struct Slot {
    shared: Arc<Shared>,
    key: JobKey,
    lane: usize,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut running = self.shared.running.lock().unwrap_or_else(|e| e.into_inner());
        running.remove(&self.key);
        self.shared.busy[self.lane].fetch_sub(1, Ordering::SeqCst);
        self.shared.idle.notify_all();
    }
}

/// Runs due scheduled functions and crons, concurrently.
#[derive(Debug)]
pub struct Scheduler {
    clock: Arc<dyn Clock>,
    lanes: Lanes,
    shared: Arc<Shared>,
    last_collect: Mutex<f64>,
}

impl Scheduler {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self::with_lanes(clock, Lanes::default())
    }

    pub fn with_lanes(clock: Arc<dyn Clock>, lanes: Lanes) -> Self {
        Self { clock, lanes, shared: Arc::default(), last_collect: Mutex::new(f64::MIN) }
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// At start-up, before the first tick: actions (and cron runs of actions) a crash left
    /// `inProgress` are failed with Convex's "Transient error while executing action".
    /// Returns how many.
    pub fn recover(&self, engine: &Engine) -> Result<usize, RuntimeError> {
        let (jobs, _) = engine.run(16, jobs::fail_interrupted)?;
        Ok(jobs + crons::recover(engine, self.clock.as_ref())?)
    }

    /// Makes the app's stored crons those `analysis` declares (on every load and push).
    pub fn sync_crons(&self, engine: &Engine, analysis: &Analysis) -> Result<CronDiff, String> {
        crons::sync(engine, "", analysis, self.clock.as_ref())
    }

    /// Makes the stored crons of the component instance at `component` those its
    /// `analysis` declares.
    pub fn sync_component_crons(
        &self,
        engine: &Engine,
        component: &str,
        analysis: &Analysis,
    ) -> Result<CronDiff, String> {
        crons::sync(engine, component, analysis, self.clock.as_ref())
    }

    /// How many jobs and crons are running now.
    pub fn running(&self) -> usize {
        self.shared.running.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Waits until nothing is running.
    pub fn wait_idle(&self) {
        let mut running = self.shared.running.lock().unwrap_or_else(|e| e.into_inner());
        while !running.is_empty() {
            running = self.shared.idle.wait(running).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Takes a place in `kind`'s lane and holds `key`, or says no.
    fn claim(&self, key: &JobKey, kind: FunctionKind) -> Option<Slot> {
        let (lane, bound) = match kind {
            FunctionKind::Action => (1, self.lanes.actions),
            _ => (0, self.lanes.mutations),
        };
        let mut running = self.shared.running.lock().unwrap_or_else(|e| e.into_inner());
        if running.contains(key) || self.shared.busy[lane].load(Ordering::SeqCst) >= bound {
            return None;
        }
        running.insert(key.clone());
        self.shared.busy[lane].fetch_add(1, Ordering::SeqCst);
        Some(Slot { shared: self.shared.clone(), key: key.clone(), lane })
    }

    fn spawn(slot: Slot, work: impl FnOnce() -> Result<(), RuntimeError> + Send + 'static) {
        let name = match &slot.key {
            JobKey::Scheduled(_) => "atrium-job",
            JobKey::Cron(..) => "atrium-cron",
        };
        let spawned = std::thread::Builder::new().name(name.into()).spawn(move || {
            let _slot = slot;
            if let Err(error) = work() {
                tracing::warn!("scheduler: {error}");
            }
        });
        if let Err(error) = spawned {
            tracing::warn!("scheduler: no thread for a job: {error}");
        }
    }

    /// Starts everything due now that is not running and fits its lane; collects finished
    /// jobs past their retention now and then. Returns how many it started.
    pub fn tick(&self, runner: &Runner) -> Result<usize, RuntimeError> {
        let now = self.clock.now_ms();
        let mut started = 0;
        for job in scheduled::pending(runner)? {
            if job.at > now {
                break;
            }
            // A component that is gone, a function that is gone or a query fails at once,
            // in the mutation lane.
            let runs_in = job.runner(runner);
            let kind = runs_in
                .as_ref()
                .ok()
                .and_then(|r| r.function_kind(&job.name).ok())
                .unwrap_or(FunctionKind::Mutation);
            let Some(slot) = self.claim(&JobKey::Scheduled(job.id.encode()), kind) else {
                continue;
            };
            let runner = match runs_in {
                Ok(runner) => runner,
                Err(error) => {
                    drop(slot);
                    scheduled::settle(runner, &job.id, "pending", Err(error.to_string()))?;
                    continue;
                }
            };
            started += 1;
            Self::spawn(slot, move || match runner.function_kind(&job.name) {
                Ok(kind) => scheduled::run(&runner, &job, kind),
                Err(error) => {
                    scheduled::settle(&runner, &job.id, "pending", Err(error.to_string()))
                        .map(|_| ())
                }
            });
        }
        let tree = runner.components();
        let instances = tree.instances().map(|i| i.path.as_str());
        for cron in crons::due(runner.engine(), instances, now)? {
            let kind = runner
                .in_component(&cron.component)
                .and_then(|r| r.function_kind(&cron.spec.udf_path))
                .unwrap_or(FunctionKind::Mutation);
            let key = JobKey::Cron(cron.component.clone(), cron.spec.name.clone());
            let Some(slot) = self.claim(&key, kind) else {
                continue;
            };
            let (runner, clock) = (runner.clone(), self.clock.clone());
            started += 1;
            Self::spawn(slot, move || crons::run(&runner, &cron, clock.as_ref()));
        }
        let mut last = self.last_collect.lock().unwrap_or_else(|e| e.into_inner());
        if now - *last >= COLLECT_EVERY_MS {
            *last = now;
            runner.engine().run(16, |tx| jobs::collect_finished(tx, now))?;
        }
        Ok(started)
    }
}
