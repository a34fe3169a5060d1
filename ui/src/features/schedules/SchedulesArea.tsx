// The Schedules area: scheduled functions (filtered by function and state; cancel one,
// cancel all matching after a confirmation, run now) and cron jobs (schedule in words, next
// run, last runs, run now), live. Against a Convex deployment the jobs are its pending and
// running ones (its dashboard functions keep no finished jobs) and "run now" is Atrium's.
// The component selector scopes it all to one component instance, as in Convex's dashboard.
import { useState } from "react";
import type { ConnectionStatus, CronJobView, ScheduledJobView } from "../../generated/studio";
import { ComponentSelect } from "../../components/ComponentSelect";
import { ConfirmDialog, type Confirmation } from "../../components/ConfirmDialog";
import { useComponents } from "../../lib/useComponents";
import { useQuestion } from "../../lib/useQuestion";
import { CronsList } from "./CronsList";
import { JobsTable } from "./JobsTable";
import { STATES } from "./scheduleWords";
import { type ScheduleFilter, useSchedules } from "./useSchedules";

export function SchedulesArea({ connection }: { connection?: ConnectionStatus }) {
  const [filter, setFilter] = useState<ScheduleFilter>({ function: "", state: "" });
  const deployment = connection?.deployment;
  const connected = connection?.state.state === "connected";
  const components = useComponents(deployment?.id, connected);
  const [component, setComponent] = useState("");
  const schedules = useSchedules(connected, deployment?.id, filter, component);
  const question = useQuestion<Confirmation, boolean>();

  if (!deployment) {
    return (
      <section className="data-empty" data-testid="area-schedules">
        <h2>No deployment connected</h2>
        <p className="muted">Open Connections (Alt+0) to choose one.</p>
      </section>
    );
  }
  const asksFirst = deployment.safe_mode === "confirm_writes";
  const confirmIfAsked = async (request: Confirmation) => (asksFirst ? question.ask(request) : true);
  const view = schedules.view;
  const jobs = view?.jobs ?? [];
  const functions = [...new Set(jobs.map((j) => j.function))].sort();
  const canRunNow = view?.history ?? false;

  const cancel = async (job: ScheduledJobView) => {
    if (await confirmIfAsked({ title: "Cancel this scheduled function?", message: `${job.function} will not run.`, confirmLabel: "Cancel it", danger: true }))
      await schedules.cancel(job.id, asksFirst);
  };
  const runNow = async (job: ScheduledJobView) => {
    if (await confirmIfAsked({ title: "Run it now?", message: `${job.function} runs now instead of at its time.`, confirmLabel: "Run now" }))
      await schedules.runNow(job.id, asksFirst);
  };
  const runCron = async (cron: CronJobView) => {
    if (await confirmIfAsked({ title: "Run this cron now?", message: `${cron.name} (${cron.function}) runs now.`, confirmLabel: "Run now" }))
      await schedules.runCronNow(cron.name, asksFirst);
  };
  const cancelAll = async () => {
    const fn = filter.function.trim() || null;
    const active = jobs.filter((j) => (j.state === "pending" || j.state === "inProgress") && (!fn || j.function === fn)).length;
    const ok = await question.ask({
      title: fn ? `Cancel every scheduled run of ${fn}?` : "Cancel every scheduled function?",
      message: `${active} pending or running job${active === 1 ? "" : "s"} shown will be cancelled (and any others of ${fn ?? "any function"} not yet listed).`,
      confirmLabel: "Cancel all",
      danger: true,
    });
    if (ok) await schedules.cancelAll(fn, true);
  };

  return (
    <section className="schedules-area" data-testid="area-schedules">
      <div className="toolbar">
        <ComponentSelect components={components} value={component} onChange={(c) => setComponent(c)} />
        <h2 className="table-title">Scheduled functions</h2>
        <span className="view-count" data-testid="job-count">
          {jobs.length} shown
        </span>
        <input aria-label="Function" placeholder="Function" list="schedule-functions" value={filter.function} onChange={(e) => setFilter({ ...filter, function: e.target.value })} />
        <datalist id="schedule-functions">
          {functions.map((f) => (
            <option key={f} value={f} />
          ))}
        </datalist>
        <select aria-label="State" value={filter.state} onChange={(e) => setFilter({ ...filter, state: e.target.value })}>
          <option value="">Any state</option>
          {STATES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <span className="toolbar-spacer" />
        <button className="danger" onClick={() => void cancelAll()} data-testid="cancel-all">
          Cancel all matching…
        </button>
      </div>
      {!view?.history && view && <p className="muted">This deployment lists pending and running jobs only; finished ones are kept by Atrium's engine.</p>}
      {schedules.error && (
        <div className="inline-error" role="alert">
          {schedules.error}
        </div>
      )}
      <JobsTable jobs={jobs} now={schedules.now} canRunNow={canRunNow} onCancel={(j) => void cancel(j)} onRunNow={(j) => void runNow(j)} />
      <div className="toolbar">
        <h2 className="table-title">Cron jobs</h2>
      </div>
      <CronsList crons={view?.crons ?? []} now={schedules.now} canRunNow={canRunNow} onRunNow={(c) => void runCron(c)} />
      {question.pending && <ConfirmDialog request={question.pending} onAnswer={question.answer} />}
    </section>
  );
}
