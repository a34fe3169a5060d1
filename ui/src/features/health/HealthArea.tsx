// The Health area: how the deployment is doing over a window — failure rate and p99 over
// time, the top failing and slowest functions, scheduler lag, live subscriptions and
// invalidations per minute, table sizes and stored files — from what the studio already
// computes (metrics over the log archive, the Schedules and Subscriptions reads). Each
// item links to the Logs, Functions, Schedules, Subscriptions or Data view behind it; a
// figure the deployment does not offer says so.
import { useMemo, useState } from "react";
import type { ConnectionStatus, HealthView, MetricsWindow } from "../../generated/studio";
import { TimeChart, type ChartSeries } from "../../components/TimeChart";
import { dataHash } from "../data/viewLink";
import { useAreaActions } from "../palette/areaActions";
import { FunctionTops } from "./FunctionTops";
import { duration, failureLevel, lagLevel, overallRate, percent, type Level } from "./healthWords";
import { useHealth } from "./useHealth";
import "./health.css";

const WINDOWS: { value: MetricsWindow; label: string }[] = [
  { value: "15m", label: "15 min" },
  { value: "1h", label: "1 hour" },
  { value: "24h", label: "24 hours" },
  { value: "7d", label: "7 days" },
];

function Tile({ label, value, detail, level, href, testId }: { label: string; value: string; detail?: string; level?: Level; href: string; testId: string }) {
  return (
    <a className={`health-tile ${level ? `level-${level}` : ""}`} href={href} data-testid={testId}>
      <span className="health-tile-label">{label}</span>
      <span className="health-tile-value">{value}</span>
      {detail && <span className="health-tile-detail muted">{detail}</span>}
    </a>
  );
}

function Tiles({ view }: { view: HealthView }) {
  const rate = overallRate(view.executions, view.errors);
  const worstP99 = view.slowest[0]?.p99_ms;
  const documents = view.tables.reduce((n, t) => n + t.count, 0);
  const s = view.scheduler;
  const subs = view.subscriptions;
  return (
    <div className="health-tiles">
      <Tile label="Failure rate" value={rate === null ? "no calls" : percent(rate)} detail={`${view.errors} of ${view.executions} calls`} level={rate === null ? undefined : failureLevel(rate)} href="#/logs" testId="tile-failure" />
      <Tile label="Slowest p99" value={worstP99 === undefined ? "no calls" : duration(worstP99)} detail={view.slowest[0]?.function} href="#/functions" testId="tile-p99" />
      <Tile
        label="Scheduler lag"
        value={s ? (s.overdue ? duration(s.lag_ms) : "on time") : "not available"}
        detail={s ? `${s.overdue} overdue of ${s.pending} pending` : "The deployment's scheduled jobs could not be read."}
        level={s ? lagLevel(s.lag_ms) : undefined}
        href="#/schedules"
        testId="tile-scheduler"
      />
      <Tile
        label="Live subscriptions"
        value={subs ? String(subs.live) : "not offered"}
        detail={
          subs
            ? subs.invalidations_per_minute === null
              ? "invalidations per minute: measuring…"
              : `${subs.invalidations_per_minute.toFixed(1)} invalidations per minute`
            : "This deployment has no subscription inspector (Atrium's engine has one)."
        }
        href="#/subscriptions"
        testId="tile-subscriptions"
      />
      <Tile label="Storage" value={`${documents.toLocaleString()} documents`} detail={`${view.tables.length} tables${view.files === null ? "" : `, ${view.files} files`}`} href="#/data" testId="tile-storage" />
    </div>
  );
}

export function HealthArea({ connection }: { connection?: ConnectionStatus }) {
  const deployment = connection?.deployment;
  const connected = connection?.state.state === "connected";
  const [window, setWindow] = useState<MetricsWindow>("1h");
  const health = useHealth(connected, deployment?.id, window);
  const view = health.value;
  useAreaActions(WINDOWS.map((w) => ({ id: `health.window.${w.value}`, label: `Health over ${w.label}`, keywords: "metrics window", run: () => setWindow(w.value) })));
  const failure: ChartSeries[] = useMemo(() => (view ? [{ label: "Failure rate %", colour: "var(--bad)", values: view.series.failure_rate.map((r) => (r === null ? null : r * 100)) }] : []), [view]);
  const p99: ChartSeries[] = useMemo(() => (view ? [{ label: "p99", colour: "var(--accent)", values: view.series.p99_ms }] : []), [view]);

  if (!deployment) {
    return (
      <section className="data-empty" data-testid="area-health">
        <h2>No deployment connected</h2>
        <p className="muted">Open Connections (Alt+0) to choose one.</p>
      </section>
    );
  }
  return (
    <section className="health-area" data-testid="area-health">
      <div className="toolbar">
        <h2 className="table-title">Deployment health</h2>
        <select aria-label="Window" value={window} onChange={(e) => setWindow(e.target.value as MetricsWindow)}>
          {WINDOWS.map((w) => (
            <option key={w.value} value={w.value}>
              {w.label}
            </option>
          ))}
        </select>
        {view && (
          <span className="muted" data-testid="health-source">
            {view.metrics_source === "deployment" ? "from the deployment's log archive" : "from the executions Atrium recorded while connected"}
          </span>
        )}
      </div>
      {health.error && (
        <div className="inline-error" role="alert">
          {health.error}
        </div>
      )}
      {!view && !health.error && <p className="muted">Reading the deployment's health…</p>}
      {view && (
        <>
          <Tiles view={view} />
          <div className="chart-row">
            <TimeChart title="Failure rate" unit="%" xs={view.series.starts_ms} series={failure} testId="chart-failure" />
            <TimeChart title="p99 execution time" unit="ms" xs={view.series.starts_ms} series={p99} testId="chart-p99" />
          </div>
          <div className="health-columns">
            <FunctionTops title="Top failing functions" functions={view.top_failing} empty="No function failed in this window." testId="top-failing" />
            <FunctionTops title="Slowest functions (p99)" functions={view.slowest} empty="No calls in this window." testId="top-slowest" />
          </div>
          <div className="health-card" data-testid="table-sizes">
            <h3>Tables</h3>
            {view.tables.length === 0 ? (
              <p className="muted">No tables.</p>
            ) : (
              <table className="metrics-table">
                <tbody>
                  {view.tables.map((t) => (
                    <tr key={t.name}>
                      <td>
                        <a href={dataHash({ table: t.name })}>{t.name}</a>
                      </td>
                      <td className="num">{t.count.toLocaleString()} documents</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        </>
      )}
    </section>
  );
}
