//! Per-function metrics over a window of time: calls, errors and p50/p95/p99 execution
//! time per function, and the same over time buckets for charts — computed with polars
//! from the executions a log archive keeps (the deployment's, or the one the studio
//! recorded).

use atrium_protocol::atrium::ExecutionColumns;
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How far back metrics look, and how wide their chart buckets are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum MetricsWindow {
    #[serde(rename = "15m")]
    Minutes15,
    #[serde(rename = "1h")]
    Hour,
    #[serde(rename = "24h")]
    Day,
    #[serde(rename = "7d")]
    Week,
}

impl MetricsWindow {
    /// The window's length and its bucket width, in seconds.
    pub fn seconds(self) -> (f64, f64) {
        match self {
            MetricsWindow::Minutes15 => (15.0 * 60.0, 30.0),
            MetricsWindow::Hour => (3600.0, 60.0),
            MetricsWindow::Day => (24.0 * 3600.0, 30.0 * 60.0),
            MetricsWindow::Week => (7.0 * 24.0 * 3600.0, 4.0 * 3600.0),
        }
    }
}

/// One function's figures over the window.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FunctionMetrics {
    pub function: String,
    /// Query, Mutation, Action or HttpAction.
    pub udf_type: String,
    pub calls: u32,
    pub errors: u32,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
}

/// Figures per time bucket, for charts; a bucket without calls has no percentiles.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct MetricsSeries {
    /// Each bucket's start, in milliseconds since the epoch.
    pub starts_ms: Vec<f64>,
    pub calls: Vec<u32>,
    pub errors: Vec<u32>,
    pub p50_ms: Vec<Option<f64>>,
    pub p95_ms: Vec<Option<f64>>,
    pub p99_ms: Vec<Option<f64>>,
}

/// Metrics of every function over a window, and the chart series of one (or of all).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MetricsReport {
    /// The window's start, in milliseconds since the epoch.
    pub since_ms: f64,
    pub bucket_seconds: f64,
    /// Executions in the window (all functions).
    pub executions: u32,
    /// Busiest first.
    pub functions: Vec<FunctionMetrics>,
    /// Over time, for the chosen function (all functions when none was chosen).
    pub series: MetricsSeries,
}

fn percentiles() -> [(f64, &'static str); 3] {
    [(0.5, "p50"), (0.95, "p95"), (0.99, "p99")]
}

fn figures() -> Vec<Expr> {
    let mut exprs = vec![
        len().cast(DataType::UInt32).alias("calls"),
        col("failed").cast(DataType::UInt32).sum().alias("errors"),
    ];
    for (q, name) in percentiles() {
        exprs.push(col("ms").quantile(lit(q), QuantileMethod::Linear).alias(name));
    }
    exprs
}

fn numbers(frame: &DataFrame, name: &str) -> PolarsResult<Vec<Option<f64>>> {
    let column = frame.column(name)?.cast(&DataType::Float64)?;
    Ok(column.f64()?.iter().collect())
}

fn counts(frame: &DataFrame, name: &str) -> PolarsResult<Vec<u32>> {
    let column = frame.column(name)?.cast(&DataType::UInt32)?;
    Ok(column.u32()?.iter().map(Option::unwrap_or_default).collect())
}

fn texts(frame: &DataFrame, name: &str) -> PolarsResult<Vec<String>> {
    Ok(frame.column(name)?.str()?.iter().map(|s| s.unwrap_or_default().to_owned()).collect())
}

/// The metrics of `executions` in `window` ending at `now` (seconds since the epoch), with
/// the series of `function` (or of all functions).
pub fn compute(
    executions: ExecutionColumns,
    now: f64,
    window: MetricsWindow,
    function: Option<&str>,
) -> PolarsResult<MetricsReport> {
    let (length, bucket) = window.seconds();
    // Buckets end at `now`'s bucket, so the newest bucket is the one filling up.
    let last_bucket_start = (now / bucket).floor() * bucket;
    let buckets = (length / bucket).round() as usize;
    let since = last_bucket_start - bucket * (buckets as f64 - 1.0);

    let frame = df!(
        "function" => executions.function,
        "udf_type" => executions.udf_type,
        "timestamp" => executions.timestamp,
        "ms" => executions.execution_ms,
        "failed" => executions.failed,
    )?
    .lazy()
    .filter(col("timestamp").gt_eq(lit(since)));

    let per_function = frame
        .clone()
        .group_by([col("function"), col("udf_type")])
        .agg(figures())
        .sort_by_exprs(
            vec![col("calls"), col("function")],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )
        .collect()?;
    let names = texts(&per_function, "function")?;
    let types = texts(&per_function, "udf_type")?;
    let (calls, errors) = (counts(&per_function, "calls")?, counts(&per_function, "errors")?);
    let [p50, p95, p99] = percentiles().map(|(_, name)| numbers(&per_function, name));
    let (p50, p95, p99) = (p50?, p95?, p99?);
    let functions: Vec<FunctionMetrics> = (0..names.len())
        .map(|i| FunctionMetrics {
            function: names[i].clone(),
            udf_type: types[i].clone(),
            calls: calls[i],
            errors: errors[i],
            p50_ms: p50[i].unwrap_or_default(),
            p95_ms: p95[i].unwrap_or_default(),
            p99_ms: p99[i].unwrap_or_default(),
        })
        .collect();

    let chosen = match function {
        Some(f) => frame.filter(col("function").eq(lit(f))),
        None => frame,
    };
    let per_bucket = chosen
        .with_column(
            ((col("timestamp") - lit(since)) / lit(bucket))
                .floor()
                .cast(DataType::Int64)
                .alias("bucket"),
        )
        .group_by([col("bucket")])
        .agg(figures())
        .collect()?;
    let mut series = MetricsSeries {
        starts_ms: (0..buckets).map(|i| (since + bucket * i as f64) * 1000.0).collect(),
        calls: vec![0; buckets],
        errors: vec![0; buckets],
        p50_ms: vec![None; buckets],
        p95_ms: vec![None; buckets],
        p99_ms: vec![None; buckets],
    };
    let bucket_of = per_bucket.column("bucket")?.i64()?.iter().collect::<Vec<_>>();
    let (calls, errors) = (counts(&per_bucket, "calls")?, counts(&per_bucket, "errors")?);
    let [p50, p95, p99] = percentiles().map(|(_, name)| numbers(&per_bucket, name));
    let (p50, p95, p99) = (p50?, p95?, p99?);
    for (row, index) in bucket_of.into_iter().enumerate() {
        // An execution stamped after `now` (a clock ahead of ours) goes in the last bucket.
        let Some(index) = index.map(|i| (i.max(0) as usize).min(buckets - 1)) else { continue };
        series.calls[index] += calls[row];
        series.errors[index] += errors[row];
        series.p50_ms[index] = p50[row];
        series.p95_ms[index] = p95[row];
        series.p99_ms[index] = p99[row];
    }

    Ok(MetricsReport {
        since_ms: since * 1000.0,
        bucket_seconds: bucket,
        executions: functions.iter().map(|f| f.calls).sum(),
        functions,
        series,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn executions(rows: &[(&str, f64, f64, bool)]) -> ExecutionColumns {
        let mut columns = ExecutionColumns::default();
        for (function, timestamp, ms, failed) in rows {
            columns.function.push((*function).to_owned());
            columns.udf_type.push("Query".to_owned());
            columns.timestamp.push(*timestamp);
            columns.execution_ms.push(*ms);
            columns.failed.push(*failed);
        }
        columns
    }

    #[test]
    fn counts_errors_and_percentiles_per_function_and_bucket() {
        let now = 10_000.0;
        // a:one — 100 calls over the last 100 seconds taking 1..=100 ms, every 10th failing;
        // b:two — 3 calls; one call older than the window.
        let mut rows: Vec<(&str, f64, f64, bool)> =
            (1..=100).map(|i| ("a:one", now - 100.0 + i as f64, i as f64, i % 10 == 0)).collect();
        rows.extend([("b:two", now - 5.0, 7.0, false), ("b:two", now - 4.0, 9.0, true)]);
        rows.push(("b:two", now - 3.0, 11.0, false));
        rows.push(("a:one", now - 5_000.0, 1_000.0, true));
        let report = compute(executions(&rows), now, MetricsWindow::Minutes15, None).unwrap();

        assert_eq!(report.executions, 103, "the call before the window is left out");
        let a = &report.functions[0];
        assert_eq!((a.function.as_str(), a.calls, a.errors), ("a:one", 100, 10));
        assert!((a.p50_ms - 50.5).abs() < 1e-9, "{}", a.p50_ms);
        assert!((a.p95_ms - 95.05).abs() < 1e-9, "{}", a.p95_ms);
        assert!((a.p99_ms - 99.01).abs() < 1e-9, "{}", a.p99_ms);
        let b = &report.functions[1];
        assert_eq!((b.function.as_str(), b.calls, b.errors, b.p50_ms), ("b:two", 3, 1, 9.0));

        let series = &report.series;
        assert_eq!(series.starts_ms.len(), 30, "15 minutes in 30-second buckets");
        assert_eq!(series.calls.iter().sum::<u32>(), 103);
        assert_eq!(series.errors.iter().sum::<u32>(), 11);
        assert!(series.p50_ms[0].is_none(), "no calls 15 minutes ago");
        // The newest bucket holds the calls since the last 30-second boundary: a:one at
        // 9990..=10000 s (11) and b:two's 3.
        assert_eq!(*series.calls.last().unwrap(), 11 + 3);

        let only_b =
            compute(executions(&rows), now, MetricsWindow::Minutes15, Some("b:two")).unwrap();
        assert_eq!(only_b.series.calls.iter().sum::<u32>(), 3);
        assert_eq!(only_b.functions.len(), 2, "the table still lists every function");
    }

    #[test]
    fn no_executions_gives_empty_figures() {
        let report = compute(ExecutionColumns::default(), 1e9, MetricsWindow::Week, None).unwrap();
        assert!(report.functions.is_empty());
        assert_eq!(report.series.calls, vec![0; 42]);
    }
}
