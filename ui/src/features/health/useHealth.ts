// The Health area's state: the overview for the chosen window, read again every five
// seconds while the area is open (usePolling), so invalidations per minute are measured
// between two reads.
import type { MetricsWindow } from "../../generated/studio";
import { usePolling } from "../../lib/usePolling";
import { call } from "../../platform";

const REFRESH_MS = 5000;

export function useHealth(connected: boolean, deploymentId: string | undefined, window: MetricsWindow) {
  const key = connected ? JSON.stringify([deploymentId ?? "", window]) : null;
  return usePolling(key, () => call("health_overview", { window }), REFRESH_MS);
}
