// The scheduled functions: function, arguments, when (relative, counting down, and
// absolute), state, completion and error, a link to the function's logs, and per-job
// actions (cancel while pending or running, run now while pending).
import type { ScheduledJobView } from "../../generated/studio";
import { logsLink } from "../logs/logEntries";
import { absoluteTime, cancellable, relativeTime } from "./scheduleWords";

const STATE_TONE: Record<string, string> = { success: "tone-ok", failed: "tone-bad", canceled: "tone-idle", inProgress: "tone-warn", pending: "" };

export function JobsTable(props: {
  jobs: ScheduledJobView[];
  now: number;
  canRunNow: boolean;
  onCancel(job: ScheduledJobView): void;
  onRunNow(job: ScheduledJobView): void;
}) {
  const { jobs, now } = props;
  if (jobs.length === 0) return <p className="muted" data-testid="no-jobs">No scheduled functions match.</p>;
  return (
    <table className="inspector schedules-table" data-testid="scheduled-jobs">
      <thead>
        <tr>
          <th>Function</th>
          <th>Arguments</th>
          <th>Scheduled</th>
          <th>State</th>
          <th>Completed</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {jobs.map((job) => (
          <tr key={job.id} data-testid="scheduled-job" data-state={job.state} data-function={job.function}>
            <td>
              <code>{job.function}</code>
              <a className="id-link schedules-logs" href={logsLink(job.function)} title="This function's log lines">
                logs
              </a>
            </td>
            <td className="schedules-args">
              <code>{job.args}</code>
            </td>
            <td title={absoluteTime(job.scheduled_ms)}>
              {cancellable(job.state) && <span data-testid="job-when">{relativeTime(job.scheduled_ms, now)}</span>}
              <div className={cancellable(job.state) ? "muted" : ""}>{absoluteTime(job.scheduled_ms)}</div>
            </td>
            <td className={STATE_TONE[job.state] ?? ""} data-testid="job-state">
              {job.state}
            </td>
            <td>
              {job.completed_ms !== null && <span title={absoluteTime(job.completed_ms)}>{relativeTime(job.completed_ms, now)}</span>}
              {job.error && <div className="inline-error schedules-error">{job.error}</div>}
            </td>
            <td className="schedules-actions">
              {job.state === "pending" && props.canRunNow && (
                <button onClick={() => props.onRunNow(job)} data-testid="job-run-now">
                  Run now
                </button>
              )}
              {cancellable(job.state) && (
                <button className="danger" onClick={() => props.onCancel(job)} data-testid="job-cancel">
                  Cancel
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
