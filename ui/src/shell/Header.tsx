// The header: the current area, and which deployment is connected and how.
import type { ConnectionStatus } from "../generated/studio";
import type { LinkState } from "../platform";

export type Tone = "ok" | "warn" | "bad" | "idle";

/** What the header says about a connection: a short state word, its tone, and details. */
export function describeConnection(status: ConnectionStatus | undefined, link: LinkState) {
  if (link === "down") {
    return { label: "Atrium unreachable", tone: "bad" as Tone, detail: "Lost contact with the Atrium process; retrying." };
  }
  if (!status) return { label: "Loading…", tone: "idle" as Tone, detail: "" };
  const { state } = status;
  switch (state.state) {
    case "not_connected":
      return { label: "Not connected", tone: "idle" as Tone, detail: "No deployment is connected yet." };
    case "connected":
      return { label: "Connected", tone: "ok" as Tone, detail: status.deployment?.url ?? "" };
    case "reconnecting":
      return { label: "Reconnecting", tone: "warn" as Tone, detail: `Attempt ${state.attempt}` };
    case "offline":
      return { label: "Offline", tone: "bad" as Tone, detail: state.reason };
  }
}

export function Header({ title, status, link }: { title: string; status?: ConnectionStatus; link: LinkState }) {
  const { label, tone, detail } = describeConnection(status, link);
  const deployment = status?.deployment;
  return (
    <header className="header">
      <h1 className="area-title">{title}</h1>
      <div className="deployment" data-testid="deployment" title={detail}>
        <span className="deployment-name" data-testid="deployment-name">
          {deployment ? deployment.name : "No deployment"}
        </span>
        {deployment && <span className="deployment-kind">{deployment.kind === "local" ? "local" : "remote"}</span>}
        <span className={`state-pill tone-${tone}`} data-testid="connection-state" role="status">
          <span className="state-dot" aria-hidden="true" />
          {label}
        </span>
      </div>
    </header>
  );
}
