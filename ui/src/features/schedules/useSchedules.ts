// The Schedules area's state: the scheduled functions (filtered by function and state) and
// the crons, read again a second after each answer while the area is open (usePolling; at
// once after an action or a filter change), a clock ticking
// each second for countdowns, and the actions (cancel, cancel all, run now).
import { useCallback, useEffect, useState } from "react";
import { usePolling } from "../../lib/usePolling";
import { call, errorMessage } from "../../platform";

const REFRESH_MS = 1000;

export interface ScheduleFilter {
  function: string;
  state: string;
}

export function useSchedules(connected: boolean, deploymentId: string | undefined, filter: ScheduleFilter) {
  const [actionError, setActionError] = useState<string>();
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  const fn = filter.function.trim() || null;
  const state = filter.state || null;
  const key = connected ? JSON.stringify([deploymentId ?? "", fn, state]) : null;
  const list = usePolling(key, () => call("schedules_list", { function: fn, state }), REFRESH_MS);
  const { reload } = list;

  const act = useCallback(
    async (action: () => Promise<unknown>) => {
      try {
        await action();
        setActionError(undefined);
      } catch (e) {
        setActionError(errorMessage(e));
      }
      reload();
    },
    [reload],
  );

  return {
    view: list.value,
    error: actionError ?? list.error,
    now,
    cancel: (id: string, confirmed: boolean) => act(() => call("schedules_cancel", { id, confirmed })),
    cancelAll: (fn: string | null, confirmed: boolean) => act(() => call("schedules_cancel_all", { function: fn, confirmed })),
    runNow: (id: string, confirmed: boolean) => act(() => call("schedules_run_now", { id, confirmed })),
    runCronNow: (name: string, confirmed: boolean) => act(() => call("crons_run_now", { name, confirmed })),
  };
}
