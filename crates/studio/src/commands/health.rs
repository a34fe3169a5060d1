//! The Health area's command: one overview of the connected deployment from what the
//! studio already reads — failure rate and p99 over time and the top failing and slowest
//! functions (the metrics over the log archive, `crate::metrics`), scheduler lag (pending
//! jobs past their time), live subscriptions and invalidations per minute (the
//! subscription inspector, where the deployment has one), table sizes and the stored file
//! count. A part the deployment does not offer is `None`, so the UI says so.
//!
//! It must not compute metrics itself (`crate::metrics` does) nor word them.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::data::TableSummary;
use super::metrics::MetricsRequest;
use super::schedules::SchedulesRequest;
use crate::invalidations::{InvalidationRate, Sample};
use crate::metrics::{FunctionMetrics, MetricsWindow};
use crate::{CommandError, Studio};

/// How many functions each top list holds.
const TOP: usize = 5;

/// Which window to look at.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct HealthRequest {
    pub window: MetricsWindow,
}

/// One function in a top list.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FunctionHealth {
    pub function: String,
    pub udf_type: String,
    pub calls: u32,
    pub errors: u32,
    /// Errors per call, 0..1.
    pub failure_rate: f64,
    pub p99_ms: f64,
}

/// Figures over time (one entry per bucket).
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct HealthSeries {
    pub starts_ms: Vec<f64>,
    /// Errors per call, 0..1; `None` for a bucket without calls.
    pub failure_rate: Vec<Option<f64>>,
    pub p99_ms: Vec<Option<f64>>,
}

/// Scheduled functions waiting past their time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct SchedulerHealth {
    pub pending: u32,
    /// Pending jobs whose time has passed.
    pub overdue: u32,
    /// How long the most overdue job has waited, ms (0 when none).
    pub lag_ms: f64,
}

/// Live subscriptions, from the subscription inspector.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct SubscriptionHealth {
    pub live: u32,
    /// Re-runs caused by writes per minute since the previous overview (`None` on the
    /// first one).
    pub invalidations_per_minute: Option<f64>,
}

/// The Health overview.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct HealthView {
    /// Where the executions came from: "deployment" or "recorded" (see `function_metrics`).
    pub metrics_source: String,
    pub bucket_seconds: f64,
    pub executions: u32,
    pub errors: u32,
    pub series: HealthSeries,
    /// Most errors first (functions with errors only).
    pub top_failing: Vec<FunctionHealth>,
    /// Highest p99 first.
    pub slowest: Vec<FunctionHealth>,
    /// `None` when the deployment's scheduled jobs could not be read.
    pub scheduler: Option<SchedulerHealth>,
    /// `None` when the deployment has no subscription inspector (a Convex deployment).
    pub subscriptions: Option<SubscriptionHealth>,
    /// Largest first.
    pub tables: Vec<TableSummary>,
    /// `None` when the deployment does not list stored files.
    pub files: Option<f64>,
}

fn function_health(f: &FunctionMetrics) -> FunctionHealth {
    FunctionHealth {
        function: f.function.clone(),
        udf_type: f.udf_type.clone(),
        calls: f.calls,
        errors: f.errors,
        failure_rate: if f.calls == 0 { 0.0 } else { f.errors as f64 / f.calls as f64 },
        p99_ms: f.p99_ms,
    }
}

/// The top failing and slowest functions of a metrics report.
fn tops(functions: &[FunctionMetrics]) -> (Vec<FunctionHealth>, Vec<FunctionHealth>) {
    let mut failing: Vec<FunctionHealth> =
        functions.iter().filter(|f| f.errors > 0).map(function_health).collect();
    failing.sort_by(|a, b| b.errors.cmp(&a.errors).then(b.failure_rate.total_cmp(&a.failure_rate)));
    failing.truncate(TOP);
    let mut slowest: Vec<FunctionHealth> = functions.iter().map(function_health).collect();
    slowest.sort_by(|a, b| b.p99_ms.total_cmp(&a.p99_ms));
    slowest.truncate(TOP);
    (failing, slowest)
}

fn rates() -> &'static Mutex<InvalidationRate> {
    static RATES: OnceLock<Mutex<InvalidationRate>> = OnceLock::new();
    RATES.get_or_init(Default::default)
}

pub(super) async fn health_overview(
    studio: &Arc<Studio>,
    request: HealthRequest,
) -> Result<HealthView, CommandError> {
    let connected = studio.connected()?;
    let metrics = super::metrics::function_metrics(
        studio,
        MetricsRequest { window: request.window, function: None },
    )
    .await?;
    let report = metrics.report;
    let s = &report.series;
    let series = HealthSeries {
        starts_ms: s.starts_ms.clone(),
        failure_rate: s
            .calls
            .iter()
            .zip(&s.errors)
            .map(|(c, e)| (*c > 0).then(|| *e as f64 / *c as f64))
            .collect(),
        p99_ms: s.p99_ms.clone(),
    };
    let (top_failing, slowest) = tops(&report.functions);
    let now_ms =
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1e3);
    let scheduler = super::schedules::schedules_list(studio, SchedulesRequest::default())
        .await
        .ok()
        .map(|view| {
            let pending: Vec<f64> =
                view.jobs.iter().filter(|j| j.state == "pending").map(|j| j.scheduled_ms).collect();
            let overdue: Vec<f64> = pending.iter().filter(|t| **t < now_ms).copied().collect();
            SchedulerHealth {
                pending: pending.len() as u32,
                overdue: overdue.len() as u32,
                lag_ms: overdue.iter().map(|t| now_ms - t).fold(0.0, f64::max),
            }
        });
    let subscriptions = connected.http.live_subscriptions().await?.map(|report| {
        let sample = Sample {
            runs: report
                .subscriptions
                .iter()
                .filter(|q| q.live)
                .map(|q| ((q.session_id.clone(), q.query_id), q.runs))
                .collect(),
        };
        let live = sample.runs.len() as u32;
        let rate = rates().lock().unwrap().sample(connected.generation, Instant::now(), sample);
        SubscriptionHealth { live, invalidations_per_minute: rate }
    });
    let mut tables = super::data::data_tables(studio, ()).await?;
    tables.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    let files = connected.http.file_count(None).await.ok().map(|n| n as f64);
    Ok(HealthView {
        metrics_source: metrics.source,
        bucket_seconds: report.bucket_seconds,
        executions: report.executions,
        errors: report.functions.iter().map(|f| f.errors).sum(),
        series,
        top_failing,
        slowest,
        scheduler,
        subscriptions,
        tables,
        files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(name: &str, calls: u32, errors: u32, p99: f64) -> FunctionMetrics {
        FunctionMetrics {
            function: name.into(),
            udf_type: "Query".into(),
            calls,
            errors,
            p50_ms: 0.0,
            p95_ms: 0.0,
            p99_ms: p99,
        }
    }

    #[test]
    fn tops_rank_by_errors_and_by_p99() {
        let all = [f("a", 10, 0, 5.0), f("b", 4, 2, 50.0), f("c", 10, 3, 1.0)];
        let (failing, slowest) = tops(&all);
        let names = |v: &[FunctionHealth]| v.iter().map(|f| f.function.clone()).collect::<Vec<_>>();
        assert_eq!(names(&failing), ["c", "b"], "only failing ones, most errors first");
        assert_eq!(failing[1].failure_rate, 0.5);
        assert_eq!(names(&slowest), ["b", "a", "c"]);
    }
}
