//! Crons in storage, as Convex keeps them: `_cron_jobs` (`{name, cronSpec: {udfPath,
//! udfArgs, cronSchedule}}`), `_cron_next_run` (`{cronJobId, state: {type}, prevTs,
//! nextTs}`, timestamps in nanoseconds) and `_cron_job_logs` (`{name, ts, udfPath,
//! udfArgs, status, logLines, executionTime}`, the newest five per cron).
//!
//! Each component instance has its own three tables (`<path>/_cron_jobs`, …; the app's
//! are unqualified), as each has its own `crons.ts`: a cron is keyed by its instance and
//! its name.
//!
//! It writes inside a caller's transaction and runs no functions.

use std::collections::BTreeMap;

use atrium_engine::{Document, EngineError, Transaction};
use atrium_value::{DocumentId, Object, Value};

use super::schedule::CronSchedule;
use crate::components::names::qualify;

pub const CRON_JOBS: &str = "_cron_jobs";
pub const CRON_NEXT_RUN: &str = "_cron_next_run";
pub const CRON_JOB_LOGS: &str = "_cron_job_logs";
/// Convex keeps this many runs per cron in `_cron_job_logs`.
pub const MAX_LOGS_PER_CRON: usize = 5;

/// A cron as `crons.ts` declares it.
#[derive(Debug, Clone, PartialEq)]
pub struct CronSpec {
    pub name: String,
    /// `module.js:function`, as Convex stores it.
    pub udf_path: String,
    /// The function's argument object.
    pub args: Value,
    pub schedule: CronSchedule,
}

impl CronSpec {
    fn args_bytes(&self) -> Vec<u8> {
        let array = serde_json::Value::Array(vec![atrium_value::json::to_json(&self.args)]);
        array.to_string().into_bytes()
    }

    fn to_value(&self) -> Value {
        let mut spec = Object::new();
        spec.insert("udfPath".into(), Value::String(self.udf_path.clone()));
        spec.insert("udfArgs".into(), Value::Bytes(self.args_bytes()));
        spec.insert("cronSchedule".into(), self.schedule.to_value());
        Value::Object(spec)
    }
}

/// A stored cron with its next run.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCron {
    /// The component instance whose `crons.ts` declares it (`""`: the app).
    pub component: String,
    pub job_id: DocumentId,
    pub next_run_id: DocumentId,
    pub spec: CronSpec,
    /// `pending` or `inProgress`.
    pub state: String,
    pub prev_ms: Option<f64>,
    pub next_ms: f64,
}

/// What a sync changed, by cron name (the push's `cronDiff`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CronDiff {
    pub added: Vec<String>,
    pub updated: Vec<String>,
    pub deleted: Vec<String>,
}

pub(crate) fn ms_to_ns(ms: f64) -> Value {
    Value::Int64((ms * 1_000_000.0).round() as i64)
}

fn ns_to_ms(value: Option<&Value>) -> Option<f64> {
    match value {
        Some(Value::Int64(ns)) => Some(*ns as f64 / 1_000_000.0),
        _ => None,
    }
}

fn state(kind: &str) -> Value {
    let mut o = Object::new();
    o.insert("type".into(), Value::from(kind));
    Value::Object(o)
}

fn str_field<'a>(doc: &'a Document, field: &str) -> Option<&'a str> {
    doc.fields.get(field).and_then(Value::as_str)
}

fn parse_spec(doc: &Document) -> Option<CronSpec> {
    let spec = doc.fields.get("cronSpec")?;
    let args = match spec.get_path(["udfArgs"]) {
        Some(Value::Bytes(bytes)) => {
            let json: serde_json::Value = serde_json::from_slice(&bytes[..]).ok()?;
            atrium_value::json::from_json(json.get(0)?).ok()?
        }
        _ => return None,
    };
    let schedule = match spec.get_path(["cronSchedule"]) {
        Some(value) => schedule_from_value(value)?,
        None => return None,
    };
    Some(CronSpec {
        name: str_field(doc, "name")?.to_owned(),
        udf_path: spec.get_path(["udfPath"]).and_then(Value::as_str)?.to_owned(),
        args,
        schedule,
    })
}

fn schedule_from_value(value: &Value) -> Option<CronSchedule> {
    let int = |f: &str| match value.get_path([f]) {
        Some(Value::Int64(n)) => Some(*n),
        _ => None,
    };
    Some(match value.get_path(["type"]).and_then(Value::as_str)? {
        "interval" => CronSchedule::Interval { seconds: int("seconds")? },
        "hourly" => CronSchedule::Hourly { minute_utc: int("minuteUTC") },
        "daily" => CronSchedule::Daily { hour_utc: int("hourUTC")?, minute_utc: int("minuteUTC") },
        "weekly" => CronSchedule::Weekly {
            day_of_week: int("dayOfWeek")?,
            hour_utc: int("hourUTC")?,
            minute_utc: int("minuteUTC"),
        },
        "monthly" => CronSchedule::Monthly {
            day: int("day")?,
            hour_utc: int("hourUTC")?,
            minute_utc: int("minuteUTC"),
        },
        "cron" => CronSchedule::Cron {
            expression: value.get_path(["cronExpr"]).and_then(Value::as_str)?.to_owned(),
        },
        _ => return None,
    })
}

/// Every stored cron of the instance `component`, by name.
pub fn list(
    tx: &mut Transaction,
    component: &str,
) -> Result<BTreeMap<String, StoredCron>, EngineError> {
    let mut next_runs: BTreeMap<String, Document> = BTreeMap::new();
    for doc in tx.collect_table(&qualify(component, CRON_NEXT_RUN))? {
        if let Some(job) = str_field(&doc, "cronJobId") {
            next_runs.insert(job.to_owned(), doc);
        }
    }
    let mut crons = BTreeMap::new();
    for doc in tx.collect_table(&qualify(component, CRON_JOBS))? {
        let (Some(spec), Some(next)) = (parse_spec(&doc), next_runs.get(&doc.id.encode())) else {
            continue;
        };
        let stored = StoredCron {
            component: component.to_owned(),
            job_id: doc.id,
            next_run_id: next.id,
            state: next
                .fields
                .get("state")
                .and_then(|s| s.get_path(["type"]))
                .and_then(Value::as_str)
                .unwrap_or("pending")
                .to_owned(),
            prev_ms: ns_to_ms(next.fields.get("prevTs")),
            next_ms: ns_to_ms(next.fields.get("nextTs")).unwrap_or(f64::INFINITY),
            spec,
        };
        crons.insert(stored.spec.name.clone(), stored);
    }
    Ok(crons)
}

fn write_next_run(
    tx: &mut Transaction,
    component: &str,
    id: Option<&DocumentId>,
    job: &DocumentId,
    kind: &str,
    prev_ms: Option<f64>,
    next_ms: f64,
) -> Result<(), EngineError> {
    let mut o = Object::new();
    o.insert("cronJobId".into(), Value::String(job.encode()));
    o.insert("state".into(), state(kind));
    o.insert("prevTs".into(), prev_ms.map_or(Value::Null, ms_to_ns));
    o.insert("nextTs".into(), ms_to_ns(next_ms));
    match id {
        Some(id) => tx.replace(id, o),
        None => tx.insert_system(&qualify(component, CRON_NEXT_RUN), o).map(|_| ()),
    }
}

/// Makes storage hold exactly `declared`: new crons get a first run, changed schedules a
/// new next run from `now`, removed crons go with their next run and their logs. A cron
/// whose schedule did not change keeps its next run, so a reload never runs it twice.
pub fn sync(
    tx: &mut Transaction,
    component: &str,
    declared: &[CronSpec],
    now: f64,
) -> Result<Result<CronDiff, String>, EngineError> {
    let mut stored = list(tx, component)?;
    let mut diff = CronDiff::default();
    for spec in declared {
        match stored.remove(&spec.name) {
            None => {
                let next = match spec.schedule.next_run(None, now) {
                    Ok(next) => next,
                    Err(e) => return Ok(Err(e)),
                };
                let mut job = Object::new();
                job.insert("name".into(), Value::String(spec.name.clone()));
                job.insert("cronSpec".into(), spec.to_value());
                let id = tx.insert_system(&qualify(component, CRON_JOBS), job)?;
                write_next_run(tx, component, None, &id, "pending", None, next)?;
                diff.added.push(spec.name.clone());
            }
            Some(old) if old.spec != *spec => {
                let mut job = Object::new();
                job.insert("name".into(), Value::String(spec.name.clone()));
                job.insert("cronSpec".into(), spec.to_value());
                tx.replace(&old.job_id, job)?;
                if old.spec.schedule != spec.schedule {
                    let next = match spec.schedule.next_run(None, now) {
                        Ok(next) => next,
                        Err(e) => return Ok(Err(e)),
                    };
                    let id = (&old.next_run_id, &old.job_id);
                    write_next_run(tx, component, Some(id.0), id.1, &old.state, old.prev_ms, next)?;
                }
                diff.updated.push(spec.name.clone());
            }
            Some(_) => {}
        }
    }
    for (name, old) in stored {
        tx.delete(&old.job_id)?;
        tx.delete(&old.next_run_id)?;
        keep_logs(tx, component, &name, 0)?;
        diff.deleted.push(name);
    }
    Ok(Ok(diff))
}

/// Marks a cron's run in progress (actions run at most once).
pub fn start(tx: &mut Transaction, cron: &StoredCron) -> Result<(), EngineError> {
    write_next_run(
        tx,
        &cron.component,
        Some(&cron.next_run_id),
        &cron.job_id,
        "inProgress",
        cron.prev_ms,
        cron.next_ms,
    )
}

/// Whether `cron`'s run at its `next_ms` is still the one to make (not run, not removed).
pub fn still_due(
    tx: &mut Transaction,
    cron: &StoredCron,
    state: &str,
) -> Result<bool, EngineError> {
    let Some(doc) = tx.get(&cron.next_run_id)? else { return Ok(false) };
    let kind = doc.fields.get("state").and_then(|s| s.get_path(["type"])).and_then(Value::as_str);
    Ok(kind == Some(state) && ns_to_ms(doc.fields.get("nextTs")) == Some(cron.next_ms))
}

/// A finished run's record.
#[derive(Debug, Clone)]
pub enum RunStatus {
    /// The function's result, as JSON text.
    Success(String),
    Err(String),
    Canceled(i64),
}

/// Records a run (at `ts_ms`) in `_cron_job_logs`, keeping the newest five.
pub fn log_run(
    tx: &mut Transaction,
    cron: &StoredCron,
    ts_ms: f64,
    status: RunStatus,
    log_lines: Vec<String>,
    execution_seconds: f64,
) -> Result<(), EngineError> {
    keep_logs(tx, &cron.component, &cron.spec.name, MAX_LOGS_PER_CRON - 1)?;
    let mut s = Object::new();
    match status {
        RunStatus::Success(value) => {
            s.insert("type".into(), "success".into());
            let mut result = Object::new();
            result.insert("type".into(), "default".into());
            result.insert("value".into(), Value::String(value));
            s.insert("result".into(), Value::Object(result));
        }
        RunStatus::Err(error) => {
            s.insert("type".into(), "err".into());
            s.insert("error".into(), Value::String(error));
        }
        RunStatus::Canceled(n) => {
            s.insert("type".into(), "canceled".into());
            s.insert("num_canceled".into(), Value::Int64(n));
        }
    }
    let mut lines = Object::new();
    lines.insert(
        "logLines".into(),
        Value::Array(log_lines.into_iter().map(Value::String).collect()),
    );
    lines.insert("isTruncated".into(), Value::Boolean(false));
    let mut log = Object::new();
    log.insert("name".into(), Value::String(cron.spec.name.clone()));
    log.insert("ts".into(), ms_to_ns(ts_ms));
    log.insert("udfPath".into(), Value::String(cron.spec.udf_path.clone()));
    log.insert("udfArgs".into(), Value::Bytes(cron.spec.args_bytes()));
    log.insert("status".into(), Value::Object(s));
    log.insert("logLines".into(), Value::Object(lines));
    log.insert("executionTime".into(), Value::Float64(execution_seconds));
    tx.insert_system(&qualify(&cron.component, CRON_JOB_LOGS), log)?;
    Ok(())
}

/// Deletes all but the newest `keep` logs of the cron `name`.
fn keep_logs(
    tx: &mut Transaction,
    component: &str,
    name: &str,
    keep: usize,
) -> Result<(), EngineError> {
    let mut logs: Vec<(i64, DocumentId)> = tx
        .collect_table(&qualify(component, CRON_JOB_LOGS))?
        .into_iter()
        .filter(|d| str_field(d, "name") == Some(name))
        .map(|d| match d.fields.get("ts") {
            Some(Value::Int64(ts)) => (*ts, d.id),
            _ => (0, d.id),
        })
        .collect();
    logs.sort_by_key(|l| std::cmp::Reverse(l.0));
    for (_, id) in logs.into_iter().skip(keep) {
        tx.delete(&id)?;
    }
    Ok(())
}

/// Moves a cron past the run at its `next_ms`: the next run after `now`. Runs whose time
/// also passed are skipped, as Convex does, and recorded as one `canceled` log.
pub fn advance(tx: &mut Transaction, cron: &StoredCron, now: f64) -> Result<(), EngineError> {
    let schedule = &cron.spec.schedule;
    let next_after = |prev: f64| schedule.next_run(Some(prev), now).unwrap_or(f64::INFINITY);
    let mut next = next_after(cron.next_ms);
    let first_skipped = next;
    let mut skipped = 0;
    while next < now {
        skipped += 1;
        next = next_after(next);
    }
    if skipped > 0 {
        log_run(tx, cron, first_skipped, RunStatus::Canceled(skipped), Vec::new(), 0.0)?;
    }
    let (id, job) = (&cron.next_run_id, &cron.job_id);
    write_next_run(tx, &cron.component, Some(id), job, "pending", Some(cron.next_ms), next)
}
