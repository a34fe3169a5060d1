// The Subscriptions area: every live query clients hold on the deployment — function,
// arguments, session, what it read (index ranges), result size, runs — and the write that
// last re-ran it (table, document, mutation, request). Refreshed as functions run and a
// quarter second after each answer while open (useSubscriptionReport).
// A deployment without Atrium's inspector (Convex itself) is named as such. The dashboard's
// own queries (Data tabs, …) are hidden unless asked for; read sets are named in words.
import { useState } from "react";
import type { ConnectionStatus } from "../../generated/studio";
import { describeRead, describeSearch, isDashboardQuery } from "./readSet";
import { useSubscriptionReport } from "./useSubscriptionReport";

export function SubscriptionsArea({ connection }: { connection?: ConnectionStatus }) {
  const [showOwn, setShowOwn] = useState(false);
  const connected = connection?.state.state === "connected";
  const { report, error } = useSubscriptionReport(connected, connection?.deployment?.id);

  if (!connection?.deployment) {
    return (
      <section className="data-empty" data-testid="area-subscriptions">
        <h2>No deployment connected</h2>
        <p className="muted">Open Connections (Alt+0) to choose one.</p>
      </section>
    );
  }
  if (report && !report.available) {
    return (
      <section className="data-empty" data-testid="area-subscriptions">
        <h2>Not available on this deployment</h2>
        <p className="muted">
          {connection.deployment.name} does not list its live subscriptions: Convex deployments keep that to themselves. Atrium's local engine does.
        </p>
      </section>
    );
  }
  const all = report?.subscriptions ?? [];
  const own = all.filter((s) => isDashboardQuery(s.function)).length;
  const list = showOwn ? all : all.filter((s) => !isDashboardQuery(s.function));
  return (
    <section className="subscriptions-area" data-testid="area-subscriptions">
      <div className="toolbar">
        <h2 className="table-title">Live subscriptions</h2>
        <span className="view-count" data-testid="subscription-count">
          {list.length} live quer{list.length === 1 ? "y" : "ies"}
        </span>
        <div className="toolbar-spacer" />
        <label className="toggle" title="Queries the dashboard itself keeps live, such as a Data tab's table window">
          <input type="checkbox" checked={showOwn} onChange={(e) => setShowOwn(e.target.checked)} /> Show Atrium's own queries ({own})
        </label>
      </div>
      {error && <div className="inline-error" role="alert">{error}</div>}
      <table className="inspector" data-testid="inspector">
        <thead>
          <tr>
            <th>Function</th>
            <th>Arguments</th>
            <th>Session</th>
            <th>Reads</th>
            <th>Result</th>
            <th>Runs</th>
            <th>Last re-run by</th>
          </tr>
        </thead>
        <tbody>
          {list.map((s) => (
            <tr key={`${s.session_id}/${s.query_id}`} data-function={s.function}>
              <td>
                {s.component && <span className="log-component" title="The component instance the query is in">{s.component}</span>}
                <code>{s.function}</code>
                {isDashboardQuery(s.function) && <span className="deployment-kind">Atrium</span>}
                <div className="muted">{s.identity}</div>
              </td>
              <td>
                <code>{JSON.stringify(s.args)}</code>
              </td>
              <td title={s.session_id}>
                <code>{s.session_id.slice(0, 8) || "—"}</code> #{s.query_id}
              </td>
              <td>
                {s.read_set.map((r, i) => (
                  <div key={i} title={`${r.index}: ${r.start || "start"} … ${r.end ?? "end"}`}>
                    {describeRead(r)}
                  </div>
                ))}
                {s.search_reads.map((r, i) => (
                  <div key={`search-${i}`} className="search-read" data-testid="search-read">
                    {describeSearch(r)}
                  </div>
                ))}
              </td>
              <td>{s.result_bytes.toLocaleString("en-US")} B</td>
              <td>{s.runs}</td>
              <td className="cause">
                {s.last_cause ? (
                  <>
                    <code>{s.last_cause.function ?? "a write"}</code> wrote <code>{s.last_cause.table}</code>
                    {s.last_cause.document && <div className="muted">{s.last_cause.document}</div>}
                    {s.last_cause.request_id && <div className="muted">request {s.last_cause.request_id}</div>}
                  </>
                ) : (
                  <span className="muted">— (first run)</span>
                )}
              </td>
            </tr>
          ))}
          {list.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                No client holds a live query right now.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
