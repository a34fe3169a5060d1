// The header: the current area, and which deployment is connected and how. The deployment
// is a button that opens Connections (also Alt+0).
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
    case "connecting":
      return { label: "Connecting…", tone: "idle" as Tone, detail: status.deployment?.url ?? "" };
    case "connected":
      return { label: "Connected", tone: "ok" as Tone, detail: status.deployment?.url ?? "" };
    case "reconnecting":
      return state.connected_before
        ? { label: "Connection lost", tone: "warn" as Tone, detail: `Reconnecting (attempt ${state.attempt}): ${state.reason}` }
        : { label: "Unreachable", tone: "bad" as Tone, detail: `Retrying (attempt ${state.attempt}): ${state.reason}` };
    case "refused":
      return { label: "Admin key refused", tone: "bad" as Tone, detail: state.reason };
  }
}

const SAFE_LABELS = { normal: "", confirm_writes: "confirm writes", read_only: "read-only" } as const;

export function Header({
  title,
  status,
  link,
  onOpenConnections,
}: {
  title: string;
  status?: ConnectionStatus;
  link: LinkState;
  onOpenConnections?: () => void;
}) {
  const { label, tone, detail } = describeConnection(status, link);
  const deployment = status?.deployment;
  const safe = deployment ? SAFE_LABELS[deployment.safe_mode] : "";
  return (
    <>
      <header className="header" style={deployment ? { boxShadow: `inset 0 3px 0 ${deployment.colour}` } : undefined}>
        <h1 className="area-title">{title}</h1>
        <div className="deployment" data-testid="deployment" title={detail}>
          <button className="deployment-button" onClick={onOpenConnections} aria-label="Connections" title="Connections (Alt+0)">
            {deployment && <span className="colour-chip" style={{ background: deployment.colour }} aria-hidden="true" />}
            <span className="deployment-name" data-testid="deployment-name">
              {deployment ? deployment.name : "No deployment"}
            </span>
          </button>
          {deployment && <span className="deployment-kind">{deployment.kind === "local" ? "local" : "remote"}</span>}
          {safe && <span className="deployment-kind safe" data-testid="safe-mode">{safe}</span>}
          <span className={`state-pill tone-${tone}`} data-testid="connection-state" role="status">
            <span className="state-dot" aria-hidden="true" />
            {label}
          </span>
        </div>
      </header>
      {detail && tone === "bad" && deployment && (
        <div className="banner error" data-testid="connection-detail" role="status">
          {detail}
        </div>
      )}
    </>
  );
}
