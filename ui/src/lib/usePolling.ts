// A view read again and again while it is shown: at once when `key` changes (the deployment,
// a filter) or `reload()` is called (after the user changed something), otherwise `everyMs`
// after each answer, four times that after a failure (refresher.ts). `key` null: not read
// (not connected). The last answer stays shown until the next one arrives.
import { useCallback, useEffect, useRef, useState } from "react";
import { errorMessage } from "../platform";
import { type Refresher, startRefresher } from "./refresher";

export interface Polled<T> {
  value: T | undefined;
  error: string | undefined;
  /** Reads again now. */
  reload(): void;
}

export function usePolling<T>(key: string | null, read: () => Promise<T>, everyMs: number): Polled<T> {
  const [value, setValue] = useState<T>();
  const [error, setError] = useState<string>();
  const latestRead = useRef(read);
  const refresher = useRef<Refresher>(undefined);
  useEffect(() => {
    latestRead.current = read;
  });

  useEffect(() => {
    if (key === null) return;
    const started = startRefresher({
      read: () => latestRead.current(),
      answered: (answer: T) => {
        setValue(answer);
        setError(undefined);
        return true;
      },
      failed: (e) => setError(errorMessage(e)),
      everyMs,
      retryMs: everyMs * 4,
    });
    refresher.current = started;
    return () => {
      started.stop();
      if (refresher.current === started) refresher.current = undefined;
    };
  }, [key, everyMs]);

  const reload = useCallback(() => refresher.current?.poke(), []);
  return { value, error, reload };
}
