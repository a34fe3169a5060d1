// The Schedules area's state: the scheduled functions (filtered by function and state) and
// the crons, read again a second after each answer while the area is open (usePolling; at
// once after an action or a filter change), a clock ticking
// each second for countdowns, and the actions (cancel, cancel all, run now). Everything is
// about one component instance (`component`, its path; "" for the app): each has its own
// scheduled functions and crons.
import { useCallback, useEffect, useState } from "react";
import { usePolling } from "../../lib/usePolling";
import { call, errorMessage } from "../../platform";

const REFRESH_MS = 1000;

export interface ScheduleFilter {
  function: string;
  state: string;
}

export function useSchedules(connected: boolean, deploymentId: string | undefined, filter: ScheduleFilter, component: string) {
  const [actionError, setActionError] = useState<string>();
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  const fn = filter.function.trim() || null;
  const state = filter.state || null;
  const scope = component || null;
  const key = connected ? JSON.stringify([deploymentId ?? "", fn, state, component]) : null;
  const list = usePolling(key, () => call("schedules_list", { function: fn, state, component: scope }), REFRESH_MS);
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
    cancel: (id: string, confirmed: boolean) => act(() => call("schedules_cancel", { id, confirmed, component: scope })),
    cancelAll: (fn: string | null, confirmed: boolean) => act(() => call("schedules_cancel_all", { function: fn, confirmed, component: scope })),
    runNow: (id: string, confirmed: boolean) => act(() => call("schedules_run_now", { id, confirmed, component: scope })),
    runCronNow: (name: string, confirmed: boolean) => act(() => call("crons_run_now", { name, confirmed, component: scope })),
  };
}
