// What the Data area shows instead of tables: no deployment chosen, or one not (yet) reachable.
import type { ConnectionStatus } from "../../generated/studio";

export function NoDeployment() {
  return (
    <section className="data-empty" data-testid="area-data">
      <h2>No deployment connected</h2>
      <p className="muted">Open Connections (the deployment name in the header, or Alt+0) to add or choose one.</p>
    </section>
  );
}

export function DataUnavailable({ connection }: { connection: ConnectionStatus }) {
  const { deployment, state } = connection;
  if (!deployment) return <NoDeployment />;
  const why =
    state.state === "refused"
      ? `${deployment.name} refused the admin key. Open Connections (Alt+0), edit the connection and paste the deployment's admin key.`
      : state.state === "reconnecting"
        ? `Atrium cannot reach ${deployment.url} (${state.reason}). It keeps trying; check the URL in Connections (Alt+0) if this persists.`
        : `Connecting to ${deployment.url}…`;
  return (
    <section className="data-empty" data-testid="area-data">
      <h2>{state.state === "connecting" ? "Connecting…" : "No data to show"}</h2>
      <p className="muted" data-testid="data-unavailable">
        {why}
      </p>
    </section>
  );
}
