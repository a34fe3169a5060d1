// The deployment's tables with their counts: read when a deployment connects, again (at
// most once a second) as the studio reports changes to the open table, and every
// REFRESH_MS while the page is visible, so writes to other tables (by any client) show in
// their counts. `version` counts the changes seen, so a document shown beside the grid can
// be read again.
import { useCallback, useEffect, useState } from "react";
import type { TableSummary } from "../../generated/studio";
import { useLatestCall } from "../../lib/useLatestCall";
import { call, errorMessage, onStudioEvent } from "../../platform";

const REFRESH_MS = 2000;

export interface Tables {
  tables?: TableSummary[];
  error?: string;
  /** Reads the list again; settles when the newest answer is in. */
  reload(): Promise<void>;
  /** Bumps on every change of the deployment's data. */
  version: number;
  /** Records a change made from here: the counts and open documents are read again. */
  changed(): void;
}

export function useTables(connected: boolean, deploymentId: string | undefined): Tables {
  const [tables, setTables] = useState<TableSummary[]>();
  const [error, setError] = useState<string>();
  const [version, setVersion] = useState(0);
  const latest = useLatestCall();

  const reload = useCallback(
    () =>
      latest.run(
        call("data_tables"),
        (list) => {
          // The same answer keeps the same array (no re-render every REFRESH_MS).
          setTables((old) => (old && JSON.stringify(old) === JSON.stringify(list) ? old : list));
          setError(undefined);
        },
        (e) => setError(errorMessage(e)),
      ),
    [latest],
  );

  useEffect(() => {
    if (!connected) return;
    void reload();
  }, [connected, deploymentId, reload]);

  // Counts follow changes (at most once a second).
  useEffect(() => {
    let pending: ReturnType<typeof setTimeout> | undefined;
    const stop = onStudioEvent((event) => {
      if (event.type !== "data_view_changed") return;
      setVersion((v) => v + 1);
      if (!pending) pending = setTimeout(() => ((pending = undefined), void reload()), 1000);
    });
    return () => {
      stop();
      clearTimeout(pending);
    };
  }, [reload]);

  // Counts of tables not open here follow too: the list is read again while shown.
  useEffect(() => {
    if (!connected) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") void reload();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [connected, deploymentId, reload]);

  const changed = useCallback(() => {
    void reload();
    setVersion((v) => v + 1);
  }, [reload]);

  return { tables, error, reload, version, changed };
}
