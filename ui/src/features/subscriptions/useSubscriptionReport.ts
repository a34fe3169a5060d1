// The Subscriptions area's report, kept fresh while the area is open: read again the moment
// the deployment reports a function ran (a `log_entries` event: the write that re-ran a
// query arrives here as soon as the log tail has it), and a quarter second after each
// answer otherwise (refresher.ts).
import { useEffect, useState } from "react";
import type { SubscriptionReport } from "../../generated/studio";
import { call, errorMessage, onStudioEvent } from "../../platform";
import { startRefresher } from "../../lib/refresher";

const REFRESH_MS = 250;

export function useSubscriptionReport(connected: boolean, deploymentId: string | undefined) {
  const [report, setReport] = useState<SubscriptionReport>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    if (!connected) return;
    const refresher = startRefresher({
      read: () => call("inspect_subscriptions"),
      answered: (r) => {
        setReport(r);
        setError(undefined);
        // A deployment without the inspector is asked once.
        return r.available;
      },
      failed: (e) => setError(errorMessage(e)),
      everyMs: REFRESH_MS,
      retryMs: REFRESH_MS * 4,
    });
    const stop = onStudioEvent((event) => {
      if (event.type === "log_entries") refresher.poke();
    });
    return () => {
      stop();
      refresher.stop();
    };
  }, [connected, deploymentId]);

  return { report, error };
}
