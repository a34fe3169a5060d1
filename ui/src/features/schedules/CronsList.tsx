// The cron jobs: each one's schedule in words, function and arguments, next run (counting
// down), and its last runs with status, duration and a link to its logs; "run now".
import type { CronJobView } from "../../generated/studio";
import { logsLink } from "../logs/logEntries";
import { absoluteTime, describeSchedule, duration, relativeTime } from "./scheduleWords";

const RUN_TONE: Record<string, string> = { success: "tone-ok", err: "tone-bad", canceled: "tone-idle" };

export function CronsList(props: { crons: CronJobView[]; now: number; canRunNow: boolean; onRunNow(cron: CronJobView): void }) {
  const { crons, now } = props;
  if (crons.length === 0) return <p className="muted" data-testid="no-crons">This deployment has no cron jobs (crons.ts).</p>;
  return (
    <div className="cron-list" data-testid="cron-jobs-list">
      {crons.map((cron) => (
        <article className="card cron-card" key={cron.name} data-testid="cron-job" data-name={cron.name}>
          <header className="cron-head">
            <strong>{cron.name}</strong>
            <span className="muted" data-testid="cron-schedule">
              {describeSchedule(cron.schedule)}
            </span>
            <span className="toolbar-spacer" />
            {props.canRunNow && (
              <button onClick={() => props.onRunNow(cron)} disabled={cron.running} data-testid="cron-run-now">
                Run now
              </button>
            )}
          </header>
          <div className="cron-facts">
            <code>{cron.function}</code>
            {cron.args !== "{}" && <code className="muted">{cron.args}</code>}
            <a className="id-link" href={logsLink(cron.function)}>
              logs
            </a>
            <span>
              {cron.running ? (
                "running now"
              ) : cron.next_run_ms !== null ? (
                <span title={absoluteTime(cron.next_run_ms)}>
                  next run <span data-testid="cron-next">{relativeTime(cron.next_run_ms, now)}</span> · {absoluteTime(cron.next_run_ms)}
                </span>
              ) : null}
            </span>
          </div>
          {cron.runs.length > 0 ? (
            <ol className="cron-runs" data-testid="cron-runs">
              {cron.runs.map((run) => (
                <li key={`${run.ts_ms}-${run.status}`} data-testid="cron-run" data-status={run.status}>
                  <span className={RUN_TONE[run.status] ?? ""}>{run.status === "err" ? "failed" : run.status === "canceled" ? `skipped ${run.skipped ?? ""}` : "success"}</span>
                  <span title={absoluteTime(run.ts_ms)}>{relativeTime(run.ts_ms, now)}</span>
                  <span className="muted">{duration(run.seconds)}</span>
                  {run.error && <span className="inline-error schedules-error">{run.error}</span>}
                  {run.log_lines.length > 0 && <code className="muted">{run.log_lines.join(" · ")}</code>}
                </li>
              ))}
            </ol>
          ) : (
            <p className="muted">No runs yet.</p>
          )}
        </article>
      ))}
    </div>
  );
}
