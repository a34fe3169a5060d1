// The Query area: ad-hoc questions of the connected deployment's data — SQL over its
// tables (polars, in the studio).
import type { ConnectionStatus } from "../../generated/studio";
import { SqlPanel } from "./SqlPanel";

export function QueryArea({ connection }: { connection?: ConnectionStatus }) {
  const deployment = connection?.deployment;
  if (!deployment) {
    return (
      <section className="data-empty" data-testid="area-query">
        <h2>No deployment connected</h2>
        <p className="muted">Open Connections (Alt+0) to choose one; then ask its tables anything in SQL.</p>
      </section>
    );
  }
  return (
    <section className="query-area" data-testid="area-query">
      <SqlPanel key={deployment.id} deploymentId={deployment.id} />
    </section>
  );
}
