//! The Schedules area's system functions: Convex's `paginatedScheduledJobs` (pending and
//! in-progress jobs in Convex's `_scheduled_jobs` shape), `listCronJobs` (each cron with
//! its last run and next run) and `listCronJobRuns`, and Atrium's `scheduledFunctions`
//! (every job with its outcome), `runScheduledNow` and `runCronNow`.
//!
//! Every one takes `componentId` (a stable ID from `components:list`, or an instance path)
//! and sees that instance's own tables (`<path>/_scheduled_functions`, `<path>/_cron_*`).
//!
//! Reads and writes the scheduler's system tables directly; it runs no functions (the
//! scheduler picks up what "run now" made due). The cancel routes are in
//! `routes/scheduling.rs`.

use atrium_engine::{EngineError, PatchValue, Transaction};
use atrium_protocol::dashboard::path;
use atrium_protocol::schedules::{
    ComponentArgs, Documents, PaginatedScheduledJobsArgs, RunCronNowArgs, RunScheduledNowArgs,
    ScheduledFunctionsArgs, ScheduledJobsPage,
};
use atrium_runtime::components::names::qualify;
use atrium_runtime::scheduler::crons::table::{CRON_JOB_LOGS, CRON_JOBS, CRON_NEXT_RUN};
use atrium_runtime::scheduler::{Clock, SCHEDULED_FUNCTIONS, SystemClock, canonical_name};
use atrium_value::{Object, Value};

use super::args::{commit, engine_message, invalid, page_size, read, tx_id};
use crate::Deployment;
use crate::component_ids::resolve;

/// Runs a read-only function in `tx`; `None` when `path` is not one of these. Each takes
/// `componentId` (`crate::component_ids`): the instance whose jobs and crons it sees.
pub(super) fn query(
    deployment: &Deployment,
    tx: &mut Transaction,
    path: &str,
    args: &Value,
) -> Option<Result<Value, String>> {
    let instance = |id: Option<String>| resolve(deployment.engine(), id.as_deref());
    Some(match path {
        path::PAGINATED_SCHEDULED_JOBS => read(path, args, |a: PaginatedScheduledJobsArgs| {
            let component = instance(a.component_id.clone())?;
            scheduled_jobs(tx, &component, a)
        }),
        path::LIST_CRON_JOBS => read(path, args, |a: ComponentArgs| {
            cron_jobs(tx, &instance(a.component_id)?).map(Documents)
        }),
        path::LIST_CRON_JOB_RUNS => read(path, args, |a: ComponentArgs| {
            let table = qualify(&instance(a.component_id)?, CRON_JOB_LOGS);
            Ok(Documents(documents(tx, &table)?))
        }),
        path::SCHEDULED_FUNCTIONS => read(path, args, |a: ScheduledFunctionsArgs| {
            let component = instance(a.component_id.clone())?;
            scheduled_functions(tx, &component, a).map(Documents)
        }),
        _ => return None,
    })
}

/// Runs an editing function and commits it; `None` when `path` is not one of these.
pub(super) fn mutation(
    deployment: &Deployment,
    path: &str,
    args: &Value,
) -> Option<Result<(Value, u64), String>> {
    let engine = deployment.engine();
    Some(match path {
        path::RUN_SCHEDULED_NOW => commit(engine, path, args, run_scheduled_now),
        path::RUN_CRON_NOW => {
            let component = match super::args::decode::<RunCronNowArgs>(path, args)
                .and_then(|a| resolve(engine, a.component_id.as_deref()))
            {
                Ok(component) => component,
                Err(error) => return Some(Err(error)),
            };
            commit(engine, path, args, |tx, a: &RunCronNowArgs| run_cron_now(tx, &component, a))
        }
        _ => return None,
    })
}

fn documents(tx: &mut Transaction, table: &str) -> Result<Vec<Value>, String> {
    Ok(tx.collect_table(table).map_err(engine_message)?.into_iter().map(|d| d.to_value()).collect())
}

fn kind(job: &Value) -> Option<&str> {
    job.get_path(["state", "kind"]).and_then(Value::as_str)
}

fn number(value: Option<&Value>) -> f64 {
    match value {
        Some(Value::Float64(n)) => *n,
        _ => 0.0,
    }
}

fn ns(ms: f64) -> Value {
    Value::Int64((ms * 1_000_000.0).round() as i64)
}

/// A `_scheduled_functions` document in Convex's system shape (`_scheduled_jobs`).
fn system_shape(job: &Value) -> Value {
    let mut o = Object::new();
    for field in ["_id", "_creationTime"] {
        if let Some(v) = job.get_path([field]) {
            o.insert(field.into(), v.clone());
        }
    }
    o.insert("udfPath".into(), job.get_path(["name"]).cloned().unwrap_or(Value::Null));
    let args = job.get_path(["args"]).map(atrium_value::json::to_json).unwrap_or_default();
    o.insert("udfArgs".into(), Value::Bytes(args.to_string().into_bytes()));
    let mut state = Object::new();
    state.insert("type".into(), Value::from(kind(job).unwrap_or("pending")));
    o.insert("state".into(), Value::Object(state));
    let at = number(job.get_path(["scheduledTime"]));
    o.insert("nextTs".into(), ns(at));
    o.insert("originalScheduledTs".into(), ns(at));
    Value::Object(o)
}

fn scheduled_jobs(
    tx: &mut Transaction,
    component: &str,
    args: PaginatedScheduledJobsArgs,
) -> Result<ScheduledJobsPage, String> {
    let wanted = args.udf_path.as_deref().map(canonical_name);
    let table = qualify(component, SCHEDULED_FUNCTIONS);
    let mut jobs: Vec<Value> = documents(tx, &table)?
        .into_iter()
        .filter(|j| matches!(kind(j), Some("pending" | "inProgress")))
        .filter(|j| {
            wanted.is_none() || j.get_path(["name"]).and_then(Value::as_str) == wanted.as_deref()
        })
        .collect();
    jobs.sort_by(|a, b| {
        number(a.get_path(["scheduledTime"])).total_cmp(&number(b.get_path(["scheduledTime"])))
    });
    let start: usize = match args.pagination_opts.cursor.as_deref() {
        None => 0,
        Some(c) => c.parse().map_err(|_| format!("Invalid cursor {c:?}"))?,
    };
    let end = (start + page_size(args.pagination_opts.num_items)).min(jobs.len());
    let page = jobs.get(start.min(end)..end).unwrap_or_default().iter().map(system_shape).collect();
    Ok(ScheduledJobsPage { page, is_done: end >= jobs.len(), continue_cursor: end.to_string() })
}

fn scheduled_functions(
    tx: &mut Transaction,
    component: &str,
    args: ScheduledFunctionsArgs,
) -> Result<Vec<Value>, String> {
    let wanted = args.udf_path.as_deref().map(canonical_name);
    let mut jobs: Vec<Value> = documents(tx, &qualify(component, SCHEDULED_FUNCTIONS))?
        .into_iter()
        .filter(|j| {
            wanted.is_none() || j.get_path(["name"]).and_then(Value::as_str) == wanted.as_deref()
        })
        .filter(|j| args.state.is_none() || kind(j) == args.state.as_deref())
        .collect();
    jobs.sort_by(|a, b| {
        number(b.get_path(["scheduledTime"])).total_cmp(&number(a.get_path(["scheduledTime"])))
    });
    jobs.truncate(1000);
    Ok(jobs)
}

/// The crons of the instance at `component` (an instance path).
fn cron_jobs(tx: &mut Transaction, component: &str) -> Result<Vec<Value>, String> {
    let logs = documents(tx, &qualify(component, CRON_JOB_LOGS))?;
    let next_runs = documents(tx, &qualify(component, CRON_NEXT_RUN))?;
    let mut out = Vec::new();
    for job in documents(tx, &qualify(component, CRON_JOBS))? {
        let (Value::Object(mut fields), Some(id)) = (job.clone(), job.get_path(["_id"]).cloned())
        else {
            continue;
        };
        let name = job.get_path(["name"]);
        let last = logs
            .iter()
            .filter(|l| l.get_path(["name"]) == name)
            .max_by_key(|l| match l.get_path(["ts"]) {
                Some(Value::Int64(ts)) => *ts,
                _ => 0,
            })
            .cloned();
        let Some(next) = next_runs.iter().find(|n| n.get_path(["cronJobId"]) == Some(&id)) else {
            return Err("No next run found for cron job".into());
        };
        fields.insert("lastRun".into(), last.unwrap_or(Value::Null));
        fields.insert("nextRun".into(), next.clone());
        out.push(Value::Object(fields));
    }
    Ok(out)
}

fn run_scheduled_now(tx: &mut Transaction, args: &RunScheduledNowArgs) -> Result<(), EngineError> {
    let id = tx_id(&args.id)?;
    let job =
        tx.get(&id)?.ok_or_else(|| invalid(format!("Scheduled function {} not found", args.id)))?;
    if kind(&job.to_value()) != Some("pending") {
        return Err(invalid(format!("Scheduled function {} is not pending", args.id)));
    }
    let now = SystemClock.now_ms();
    tx.patch(&id, [("scheduledTime".to_string(), PatchValue::Set(Value::Float64(now)))].into())
}

fn run_cron_now(
    tx: &mut Transaction,
    component: &str,
    args: &RunCronNowArgs,
) -> Result<(), EngineError> {
    let jobs = tx.collect_table(&qualify(component, CRON_JOBS))?;
    let job = jobs
        .iter()
        .find(|j| j.fields.get("name").and_then(Value::as_str) == Some(args.name.as_str()))
        .ok_or_else(|| invalid(format!("No cron job named {:?}", args.name)))?;
    let id = Value::String(job.id.encode());
    let next = tx
        .collect_table(&qualify(component, CRON_NEXT_RUN))?
        .into_iter()
        .find(|n| n.fields.get("cronJobId") == Some(&id))
        .ok_or_else(|| invalid("No next run found for cron job".into()))?;
    let state = next.fields.get("state").and_then(|s| s.get_path(["type"])).and_then(Value::as_str);
    if state != Some("pending") {
        return Err(invalid(format!("Cron job {:?} is running", args.name)));
    }
    tx.patch(&next.id, [("nextTs".to_string(), PatchValue::Set(ns(SystemClock.now_ms())))].into())
}
