// The Schedules area's state: the scheduled functions (filtered by function and state) and
// the crons, reloaded a second after each answer while the area is open, a clock ticking
// each second for countdowns, and the actions (cancel, cancel all, run now).
import { useCallback, useEffect, useState } from "react";
import type { SchedulesView } from "../../generated/studio";
import { call, errorMessage } from "../../platform";

const REFRESH_MS = 1000;

export interface ScheduleFilter {
  function: string;
  state: string;
}

export function useSchedules(connected: boolean, deploymentId: string | undefined, filter: ScheduleFilter) {
  const [view, setView] = useState<SchedulesView>();
  const [error, setError] = useState<string>();
  const [now, setNow] = useState(() => Date.now());
  const [reload, setReload] = useState(0);

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    if (!connected) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () =>
      call("schedules_list", { function: filter.function.trim() || null, state: filter.state || null })
        .then((v) => {
          if (!live) return;
          setView(v);
          setError(undefined);
          timer = setTimeout(load, REFRESH_MS);
        })
        .catch((e) => {
          if (!live) return;
          setError(errorMessage(e));
          timer = setTimeout(load, REFRESH_MS * 4);
        });
    void load();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [connected, deploymentId, filter.function, filter.state, reload]);

  const act = useCallback(async (action: () => Promise<unknown>) => {
    try {
      await action();
      setError(undefined);
    } catch (e) {
      setError(errorMessage(e));
    }
    setReload((n) => n + 1);
  }, []);

  return {
    view,
    error,
    now,
    cancel: (id: string, confirmed: boolean) => act(() => call("schedules_cancel", { id, confirmed })),
    cancelAll: (fn: string | null, confirmed: boolean) => act(() => call("schedules_cancel_all", { function: fn, confirmed })),
    runNow: (id: string, confirmed: boolean) => act(() => call("schedules_run_now", { id, confirmed })),
    runCronNow: (name: string, confirmed: boolean) => act(() => call("crons_run_now", { name, confirmed })),
  };
}
