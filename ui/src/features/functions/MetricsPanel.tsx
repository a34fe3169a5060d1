// Per-function metrics: calls, errors and p50/p95/p99 execution time over a chosen window,
// computed by the studio (polars) from the deployment's log archive — or, for a deployment
// without one, from what Atrium recorded while connected — with charts over time.
import { useEffect, useMemo, useState } from "react";
import type { MetricsResult, MetricsWindow } from "../../generated/studio";
import { useLatestCall } from "../../lib/useLatestCall";
import { call, errorMessage, onStudioEvent } from "../../platform";
import { TimeChart, type ChartSeries } from "../../components/TimeChart";

const WINDOWS: { value: MetricsWindow; label: string }[] = [
  { value: "15m", label: "15 min" },
  { value: "1h", label: "1 hour" },
  { value: "24h", label: "24 hours" },
  { value: "7d", label: "7 days" },
];

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

/** Metrics of every function (a table), with charts of `fn` (or of all when absent). */
export function MetricsPanel({ fn, onPick }: { fn?: string; onPick?: (path: string) => void }) {
  const [window, setWindow] = useState<MetricsWindow>("1h");
  const [result, setResult] = useState<MetricsResult>();
  const [error, setError] = useState<string>();
  const [stale, setStale] = useState(0);

  const latest = useLatestCall();
  useEffect(() => {
    void latest.run(
      call("function_metrics", { window, function: fn ?? null }),
      (r) => (setResult(r), setError(undefined)),
      (e) => setError(errorMessage(e)),
    );
    return latest.drop;
  }, [window, fn, stale, latest]);

  // New executions refresh the figures, at most every two seconds.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = onStudioEvent((event) => {
      if (event.type !== "log_entries" || timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        setStale((n) => n + 1);
      }, 2000);
    });
    return () => {
      stop();
      if (timer) clearTimeout(timer);
    };
  }, []);

  const report = result?.report;
  const calls: ChartSeries[] = useMemo(
    () =>
      report
        ? [
            { label: "Calls", colour: "var(--accent)", values: report.series.calls, bars: true },
            { label: "Errors", colour: "var(--bad)", values: report.series.errors, bars: true },
          ]
        : [],
    [report],
  );
  const latency: ChartSeries[] = useMemo(
    () =>
      report
        ? [
            { label: "p50", colour: "var(--ok)", values: report.series.p50_ms },
            { label: "p95", colour: "var(--warn)", values: report.series.p95_ms },
            { label: "p99", colour: "var(--bad)", values: report.series.p99_ms },
          ]
        : [],
    [report],
  );
  const rows = fn ? report?.functions.filter((f) => f.function === fn) : report?.functions;

  return (
    <div className="metrics-panel" data-testid="metrics-panel">
      <div className="toolbar">
        <h3 className="table-title">{fn ? "Metrics" : "Function metrics"}</h3>
        <div className="segmented" role="group" aria-label="Metrics window">
          {WINDOWS.map((w) => (
            <button key={w.value} aria-pressed={window === w.value} className={window === w.value ? "active" : ""} onClick={() => setWindow(w.value)}>
              {w.label}
            </button>
          ))}
        </div>
        <div className="toolbar-spacer" />
        {result && (
          <span className="muted" data-testid="metrics-source">
            {report!.executions} execution{report!.executions === 1 ? "" : "s"} ·{" "}
            {result.source === "recorded" ? "from the log archive Atrium recorded while connected" : "from the deployment's log archive"}
          </span>
        )}
      </div>
      {error && <div className="inline-error" role="alert">{error}</div>}
      {report && (
        <>
          <div className="chart-row">
            <TimeChart title={fn ? `${fn}: calls and errors` : "Calls and errors"} unit="" xs={report.series.starts_ms} series={calls} testId="chart-calls" />
            <TimeChart title="Execution time" unit="ms" xs={report.series.starts_ms} series={latency} testId="chart-latency" />
          </div>
          <table className="metrics-table" aria-label="Function metrics">
            <thead>
              <tr>
                <th>Function</th>
                <th>Calls</th>
                <th>Errors</th>
                <th>p50 ms</th>
                <th>p95 ms</th>
                <th>p99 ms</th>
              </tr>
            </thead>
            <tbody>
              {rows?.length === 0 && (
                <tr>
                  <td colSpan={6} className="muted">
                    No executions in this window.
                  </td>
                </tr>
              )}
              {rows?.map((f) => (
                <tr key={f.function} data-function={f.function}>
                  <td>
                    {onPick ? (
                      <button className="link-button" onClick={() => onPick(f.function)}>
                        {f.function}
                      </button>
                    ) : (
                      f.function
                    )}{" "}
                    <span className="muted">{f.udf_type}</span>
                  </td>
                  <td className="num">{f.calls}</td>
                  <td className={`num${f.errors ? " error-text" : ""}`}>
                    {f.errors}
                    {f.errors ? ` (${((100 * f.errors) / f.calls).toFixed(0)}%)` : ""}
                  </td>
                  <td className="num">{ms(f.p50_ms)}</td>
                  <td className="num">{ms(f.p95_ms)}</td>
                  <td className="num">{ms(f.p99_ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
