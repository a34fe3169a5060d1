// The History area: what changed in the deployment, newest first — pushes and reloads
// (functions, indexes, schema), environment variables (names only), imports and restores,
// cleared tables — each opening onto its diff. Read through Convex's own deployment-event
// function, so a Convex deployment that offers it shows its events too; one that does not
// is told plainly.
import { useState } from "react";
import type { ConnectionStatus, HistoryEvent } from "../../generated/studio";
import { useAreaActions } from "../palette/areaActions";
import { EventDiff } from "./EventDiff";
import { eventKind, eventSummary, eventTitle, hasDetails, type EventKind } from "./historyWords";
import { useHistory } from "./useHistory";
import "./history.css";

const FILTERS: { value: "" | EventKind; label: string; actions: string[] | null }[] = [
  { value: "", label: "All events", actions: null },
  { value: "code", label: "Code", actions: ["push_config_with_components", "push_config", "build_indexes"] },
  { value: "env", label: "Environment", actions: ["create_environment_variable", "update_environment_variable", "delete_environment_variable", "replace_environment_variable"] },
  { value: "data", label: "Data", actions: ["snapshot_import", "reset_deployment", "clear_tables", "create_table", "delete_tables"] },
];

function when(ms: number): string {
  return new Date(ms).toLocaleString();
}

function EventRow({ event, open, onToggle }: { event: HistoryEvent; open: boolean; onToggle(): void }) {
  const kind = eventKind(event.action);
  const details = hasDetails(event);
  return (
    <li className={`history-event kind-${kind}`} data-testid="history-event" data-action={event.action}>
      <button className="history-head" onClick={onToggle} disabled={!details} aria-expanded={details ? open : undefined}>
        <span className={`history-dot kind-${kind}`} aria-hidden="true" />
        <span className="history-title">{eventTitle(event)}</span>
        <span className="history-summary" data-testid="history-summary">
          {eventSummary(event)}
        </span>
        <span className="history-time muted">{when(event.time_ms)}</span>
      </button>
      {event.message && open && <p className="muted history-message">{event.message}</p>}
      {open && details && <EventDiff event={event} />}
    </li>
  );
}

export function HistoryArea({ connection }: { connection?: ConnectionStatus }) {
  const deployment = connection?.deployment;
  const connected = connection?.state.state === "connected";
  const [filter, setFilter] = useState<"" | EventKind>("");
  const actions = FILTERS.find((f) => f.value === filter)?.actions ?? null;
  const history = useHistory(connected, deployment?.id, actions);
  const [open, setOpen] = useState<Set<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((o) => {
      const next = new Set(o);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  useAreaActions([
    ...FILTERS.map((f) => ({ id: `history.filter.${f.value || "all"}`, label: `History: ${f.label.toLowerCase()}`, keywords: "events audit", run: () => setFilter(f.value) })),
    ...(history.more ? [{ id: "history.more", label: "Load older events", keywords: "history", run: history.loadMore }] : []),
  ]);

  if (!deployment) {
    return (
      <section className="data-empty" data-testid="area-history">
        <h2>No deployment connected</h2>
        <p className="muted">Open Connections (Alt+0) to choose one.</p>
      </section>
    );
  }
  return (
    <section className="history-area" data-testid="area-history">
      <div className="toolbar">
        <h2 className="table-title">Deployment history</h2>
        <select aria-label="Events" value={filter} onChange={(e) => setFilter(e.target.value as "" | EventKind)}>
          {FILTERS.map((f) => (
            <option key={f.value} value={f.value}>
              {f.label}
            </option>
          ))}
        </select>
        <span className="view-count" data-testid="history-count">
          {history.events.length} shown
        </span>
      </div>
      {history.error && (
        <div className="inline-error" role="alert">
          {history.error}
        </div>
      )}
      {history.available === false && (
        <p className="data-empty" data-testid="history-unavailable">
          This deployment does not offer deployment events (Convex's <code>paginatedDeploymentEvents</code>), so there is no history to show.
        </p>
      )}
      {history.available === undefined && !history.error && <p className="muted">Reading the deployment's events…</p>}
      {history.available && history.events.length === 0 && <p className="muted">No events recorded yet.</p>}
      <ol className="history-list">
        {history.events.map((e) => (
          <EventRow key={e.id} event={e} open={open.has(e.id)} onToggle={() => toggle(e.id)} />
        ))}
      </ol>
      {history.more && (
        <button onClick={history.loadMore} disabled={history.loadingMore} data-testid="history-more">
          {history.loadingMore ? "Loading…" : "Load older events"}
        </button>
      )}
    </section>
  );
}
