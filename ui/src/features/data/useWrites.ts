// Writes to the deployment from the Data area, through its safe mode: refused when the
// connection is read-only, confirmed first when it asks for confirmation.
import type { Confirmation } from "../../components/ConfirmDialog";
import type { DeploymentSummary, WriteRequest } from "../../generated/studio";
import { call, errorMessage } from "../../platform";

/** Commits writes in one transaction; resolves to what went wrong, or null. */
export type RunWrites = (writes: WriteRequest[], what: string) => Promise<string | null>;

export function useWrites(deployment: DeploymentSummary | undefined, ask: (request: Confirmation) => Promise<boolean>, changed: () => void): RunWrites {
  const safeMode = deployment?.safe_mode ?? "normal";
  return async (writes, what) => {
    if (safeMode === "read_only") return `${deployment?.name ?? "This deployment"} is read-only in Atrium.`;
    let confirmed = false;
    if (safeMode === "confirm_writes") {
      confirmed = await ask({ title: "Confirm write", message: `${what} on ${deployment?.name}?`, confirmLabel: "Write" });
      if (!confirmed) return "Cancelled.";
    }
    try {
      await call("data_apply", { writes, confirmed });
      changed();
      return null;
    } catch (e) {
      return errorMessage(e);
    }
  };
}
