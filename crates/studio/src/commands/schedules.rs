//! The Schedules area's commands: scheduled functions (with their outcome where the
//! deployment keeps it, else Convex's pending and in-progress jobs), cancelling one or all
//! matching a filter, "run now" for a job or a cron, and the crons with their schedule,
//! next run and last runs.
//!
//! Every command names a component instance by its path (the app's when absent); the
//! deployment's `componentId` for it is looked up in `components:list`, as Convex's
//! dashboard passes it.
//!
//! Everything goes through the client's Convex functions and routes; Atrium's extensions
//! (history of finished jobs, run now) are used where the deployment answers them, and the
//! view says when it does not. It must not format for display beyond turning documents into
//! plain fields (the UI words schedules and times).

use std::collections::BTreeMap;
use std::sync::Arc;

use atrium_value::Value;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::components::component_id;
use crate::{CommandError, ErrorCode, Studio};

/// Which scheduled functions to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SchedulesRequest {
    /// The component instance (its path: `shardedCounter`, `pool/worker`); absent or `""`
    /// for the app's. Each instance has its own scheduled functions and crons.
    #[serde(default)]
    pub component: Option<String>,
    /// `module:function`; all functions when absent.
    #[serde(default)]
    pub function: Option<String>,
    /// `pending`, `inProgress`, `success`, `failed` or `canceled`; all when absent.
    #[serde(default)]
    pub state: Option<String>,
}

/// One scheduled function.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ScheduledJobView {
    pub id: String,
    /// `module:function`.
    pub function: String,
    /// The argument object as JSON text.
    pub args: String,
    /// When it is (or was) due, ms since the epoch.
    pub scheduled_ms: f64,
    pub state: String,
    pub completed_ms: Option<f64>,
    pub error: Option<String>,
}

/// A cron's schedule as declared: `kind` is `interval`, `hourly`, `daily`, `weekly`,
/// `monthly` or `cron`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct CronScheduleView {
    pub kind: String,
    pub seconds: Option<f64>,
    pub minute_utc: Option<f64>,
    pub hour_utc: Option<f64>,
    /// 0 = Sunday.
    pub day_of_week: Option<f64>,
    pub day: Option<f64>,
    pub cron: Option<String>,
}

/// One recorded run of a cron.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CronRunView {
    /// The slot it ran for, ms since the epoch.
    pub ts_ms: f64,
    /// `success`, `err` or `canceled` (skipped slots).
    pub status: String,
    pub error: Option<String>,
    /// For `canceled`: how many slots were skipped.
    pub skipped: Option<f64>,
    pub seconds: f64,
    pub log_lines: Vec<String>,
}

/// One cron job.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CronJobView {
    pub name: String,
    pub function: String,
    pub args: String,
    pub schedule: CronScheduleView,
    pub next_run_ms: Option<f64>,
    pub running: bool,
    /// Newest first.
    pub runs: Vec<CronRunView>,
}

/// The Schedules area's contents.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SchedulesView {
    pub jobs: Vec<ScheduledJobView>,
    /// Whether finished jobs are listed (Atrium's engine); a Convex deployment's dashboard
    /// functions list pending and in-progress jobs only.
    pub history: bool,
    pub crons: Vec<CronJobView>,
}

/// A job to cancel or run now.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct JobRef {
    pub id: String,
    /// The component instance (its path: `shardedCounter`, `pool/worker`); absent or `""`
    /// for the app's. Each instance has its own scheduled functions and crons.
    #[serde(default)]
    pub component: Option<String>,
    #[serde(default)]
    pub confirmed: bool,
}

/// Cancels every pending or in-progress job of a function (or of all).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CancelAllRequest {
    /// The component instance (its path: `shardedCounter`, `pool/worker`); absent or `""`
    /// for the app's. Each instance has its own scheduled functions and crons.
    #[serde(default)]
    pub component: Option<String>,
    #[serde(default)]
    pub function: Option<String>,
    #[serde(default)]
    pub confirmed: bool,
}

/// A cron to run now.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CronRef {
    pub name: String,
    /// The component instance (its path: `shardedCounter`, `pool/worker`); absent or `""`
    /// for the app's. Each instance has its own scheduled functions and crons.
    #[serde(default)]
    pub component: Option<String>,
    #[serde(default)]
    pub confirmed: bool,
}

/// `module.js:fn` → `module:fn`.
fn identifier(udf_path: &str) -> String {
    let (module, export) = udf_path.split_once(':').unwrap_or((udf_path, "default"));
    format!("{}:{export}", module.trim_end_matches(".js"))
}

/// `module:fn` → `module.js:fn`, as Convex's routes and functions take it.
fn udf_path(function: &str) -> String {
    let (module, export) = function.split_once(':').unwrap_or((function, "default"));
    format!("{}.js:{export}", module.trim_end_matches(".js"))
}

fn text(value: &Value, path: &[&str]) -> Option<String> {
    value.get_path(path.iter().copied()).and_then(Value::as_str).map(str::to_owned)
}

fn num(value: &Value, path: &[&str]) -> Option<f64> {
    match value.get_path(path.iter().copied())? {
        Value::Float64(n) => Some(*n),
        Value::Int64(n) => Some(*n as f64),
        _ => None,
    }
}

/// The first argument of an args array, as JSON text (Convex keeps it as bytes).
fn args_text(value: Option<&Value>) -> String {
    let first = |json: serde_json::Value| json.get(0).map(|a| a.to_string()).unwrap_or_default();
    match value {
        Some(Value::Bytes(bytes)) => serde_json::from_slice(bytes).map(first).unwrap_or_default(),
        Some(Value::Array(items)) if !items.is_empty() => {
            atrium_value::json::to_json(&items[0]).to_string()
        }
        _ => String::new(),
    }
}

/// A `_scheduled_functions` document (Atrium).
fn public_job(doc: &Value) -> ScheduledJobView {
    ScheduledJobView {
        id: text(doc, &["_id"]).unwrap_or_default(),
        function: identifier(&text(doc, &["name"]).unwrap_or_default()),
        args: args_text(doc.get_path(["args"])),
        scheduled_ms: num(doc, &["scheduledTime"]).unwrap_or_default(),
        state: text(doc, &["state", "kind"]).unwrap_or_default(),
        completed_ms: num(doc, &["completedTime"]),
        error: text(doc, &["state", "error"]),
    }
}

/// A `_scheduled_jobs` document (Convex's system shape).
fn system_job(doc: &Value) -> ScheduledJobView {
    ScheduledJobView {
        id: text(doc, &["_id"]).unwrap_or_default(),
        function: identifier(&text(doc, &["udfPath"]).unwrap_or_default()),
        args: args_text(doc.get_path(["udfArgs"])),
        scheduled_ms: num(doc, &["nextTs"]).unwrap_or_default() / 1e6,
        state: text(doc, &["state", "type"]).unwrap_or_default(),
        completed_ms: num(doc, &["completedTs"]).map(|ns| ns / 1e6),
        error: text(doc, &["state", "error"]),
    }
}

fn schedule(value: Option<&Value>) -> CronScheduleView {
    let Some(v) = value else { return CronScheduleView::default() };
    CronScheduleView {
        kind: text(v, &["type"]).unwrap_or_default(),
        seconds: num(v, &["seconds"]),
        minute_utc: num(v, &["minuteUTC"]),
        hour_utc: num(v, &["hourUTC"]),
        day_of_week: num(v, &["dayOfWeek"]),
        day: num(v, &["day"]),
        cron: text(v, &["cronExpr"]),
    }
}

fn run(log: &Value) -> CronRunView {
    let lines = match log.get_path(["logLines", "logLines"]) {
        Some(Value::Array(lines)) => lines
            .iter()
            .map(|l| {
                l.as_str().map_or_else(|| atrium_value::json::to_json(l).to_string(), str::to_owned)
            })
            .collect(),
        _ => Vec::new(),
    };
    CronRunView {
        ts_ms: num(log, &["ts"]).unwrap_or_default() / 1e6,
        status: text(log, &["status", "type"]).unwrap_or_default(),
        error: text(log, &["status", "error"]),
        skipped: num(log, &["status", "num_canceled"]),
        seconds: num(log, &["executionTime"]).unwrap_or_default(),
        log_lines: lines,
    }
}

pub(super) async fn schedules_list(
    studio: &Arc<Studio>,
    request: SchedulesRequest,
) -> Result<SchedulesView, CommandError> {
    let connected = studio.connected()?;
    let http = &connected.http;
    let component = component_id(&connected, request.component.as_deref()).await?;
    let component = component.as_deref();
    let wanted = request.function.as_deref().map(udf_path);
    let (mut jobs, history) = match http
        .scheduled_functions(component, wanted.as_deref(), request.state.as_deref())
        .await?
    {
        Some(docs) => (docs.iter().map(public_job).collect::<Vec<_>>(), true),
        None => {
            let mut jobs = Vec::new();
            let mut cursor = None;
            for _ in 0..10 {
                let page =
                    http.scheduled_jobs_page(component, wanted.as_deref(), cursor, 100).await?;
                jobs.extend(page.page.iter().map(system_job));
                if page.is_done {
                    break;
                }
                cursor = Some(page.continue_cursor);
            }
            (jobs, false)
        }
    };
    if let Some(state) = &request.state {
        jobs.retain(|j| &j.state == state);
    }
    let mut runs: BTreeMap<String, Vec<CronRunView>> = BTreeMap::new();
    for log in http.cron_job_runs(component).await? {
        runs.entry(text(&log, &["name"]).unwrap_or_default()).or_default().push(run(&log));
    }
    let crons = http
        .cron_jobs_with_runs(component)
        .await?
        .iter()
        .map(|job| {
            let name = text(job, &["name"]).unwrap_or_default();
            let mut runs = runs.remove(&name).unwrap_or_default();
            runs.sort_by(|a, b| b.ts_ms.total_cmp(&a.ts_ms));
            CronJobView {
                function: identifier(&text(job, &["cronSpec", "udfPath"]).unwrap_or_default()),
                args: args_text(job.get_path(["cronSpec", "udfArgs"])),
                schedule: schedule(job.get_path(["cronSpec", "cronSchedule"])),
                next_run_ms: num(job, &["nextRun", "nextTs"]).map(|ns| ns / 1e6),
                running: text(job, &["nextRun", "state", "type"]).as_deref() == Some("inProgress"),
                runs,
                name,
            }
        })
        .collect();
    Ok(SchedulesView { jobs, history, crons })
}

const HINT: &str = "; scheduled functions cannot be changed.";

pub(super) async fn schedules_cancel(
    studio: &Arc<Studio>,
    request: JobRef,
) -> Result<(), CommandError> {
    let connected = studio.connected()?;
    connected.allow_write(request.confirmed, HINT, "cancelling scheduled functions")?;
    let component = component_id(&connected, request.component.as_deref()).await?;
    Ok(connected.http.cancel_job(component.as_deref(), &request.id).await?)
}

pub(super) async fn schedules_cancel_all(
    studio: &Arc<Studio>,
    request: CancelAllRequest,
) -> Result<(), CommandError> {
    let connected = studio.connected()?;
    connected.allow_write(request.confirmed, HINT, "cancelling scheduled functions")?;
    let path = request.function.as_deref().map(udf_path);
    let component = component_id(&connected, request.component.as_deref()).await?;
    Ok(connected.http.cancel_all_jobs(component.as_deref(), path.as_deref()).await?)
}

fn unsupported(error: atrium_client::ClientError, what: &str) -> CommandError {
    if atrium_client::dashboard::is_missing_function(&error) {
        return CommandError::new(
            ErrorCode::NotFound,
            format!("This deployment cannot {what}; only Atrium's engine can."),
        );
    }
    error.into()
}

pub(super) async fn schedules_run_now(
    studio: &Arc<Studio>,
    request: JobRef,
) -> Result<(), CommandError> {
    let connected = studio.connected()?;
    connected.allow_write(request.confirmed, HINT, "running scheduled functions")?;
    connected
        .http
        .run_scheduled_now(&request.id)
        .await
        .map_err(|e| unsupported(e, "run a scheduled function now"))
}

pub(super) async fn crons_run_now(
    studio: &Arc<Studio>,
    request: CronRef,
) -> Result<(), CommandError> {
    let connected = studio.connected()?;
    connected.allow_write(request.confirmed, "; cron jobs cannot be run.", "running cron jobs")?;
    let component = component_id(&connected, request.component.as_deref()).await?;
    connected
        .http
        .run_cron_now(component.as_deref(), &request.name)
        .await
        .map_err(|e| unsupported(e, "run a cron job now"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_identifiers_convert_both_ways() {
        assert_eq!(udf_path("schedules:tick"), "schedules.js:tick");
        assert_eq!(identifier("schedules.js:tick"), "schedules:tick");
        assert_eq!(args_text(Some(&Value::Bytes(br#"[{"a":1}]"#.to_vec()))), r#"{"a":1}"#);
    }
}
