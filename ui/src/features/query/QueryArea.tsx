// The Query area: ad-hoc questions of the connected deployment's data — SQL over its
// tables (polars, in the studio) or a query written like a Convex function, run read-only
// on the deployment. Alt+Q switches between the two.
import { useEffect, useState } from "react";
import type { ConnectionStatus } from "../../generated/studio";
import { call } from "../../platform";
import { JsPanel } from "./JsPanel";
import { SqlPanel } from "./SqlPanel";

type Mode = "sql" | "js";

export function QueryArea({ connection }: { connection?: ConnectionStatus }) {
  const deployment = connection?.deployment;
  const [mode, setMode] = useState<Mode>(() => (localStorage.getItem("atrium.query.mode") === "js" ? "js" : "sql"));
  const [firstTable, setFirstTable] = useState<string>();
  const deploymentId = deployment?.id;
  useEffect(() => {
    if (deploymentId) void call("data_tables").then((t) => setFirstTable(t[0]?.name)).catch(() => {});
  }, [deploymentId]);
  const choose = (next: Mode) => {
    setMode(next);
    localStorage.setItem("atrium.query.mode", next);
  };
  if (!deployment) {
    return (
      <section className="data-empty" data-testid="area-query">
        <h2>No deployment connected</h2>
        <p className="muted">Open Connections (Alt+0) to choose one; then ask its tables anything in SQL or JavaScript.</p>
      </section>
    );
  }
  return (
    <section
      className="query-area"
      data-testid="area-query"
      onKeyDown={(e) => {
        if (e.altKey && e.key.toLowerCase() === "q") {
          e.preventDefault();
          choose(mode === "sql" ? "js" : "sql");
        }
      }}
    >
      <div className="query-tabs" role="tablist" aria-label="Query language">
        {(["sql", "js"] as const).map((m) => (
          <button key={m} role="tab" aria-selected={mode === m} className={mode === m ? "active" : ""} onClick={() => choose(m)}>
            {m === "sql" ? "SQL" : "JavaScript"}
          </button>
        ))}
      </div>
      {mode === "sql" ? (
        <SqlPanel key={deployment.id} deploymentId={deployment.id} />
      ) : (
        firstTable !== undefined && <JsPanel key={deployment.id} deploymentId={deployment.id} firstTable={firstTable} />
      )}
    </section>
  );
}
