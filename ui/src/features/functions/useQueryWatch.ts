// A query kept live from the runner: each new version of its result kept (the last 100),
// one of them shown beside the one before it.
import { useCallback, useEffect, useRef, useState } from "react";
import type { QueryVersion } from "../../generated/studio";
import { call, errorMessage, onStudioEvent } from "../../platform";
import type { Json } from "../data/values";

export interface QueryWatch {
  /** The watch's ID while the query is live. */
  watch?: number;
  versions: QueryVersion[];
  /** The version shown (the newest unless one was picked), and the one before it. */
  shown?: QueryVersion;
  previous?: QueryVersion;
  show(version: number): void;
  /** Keeps the query live with these arguments; a failure goes to `onError`. */
  start(args: Record<string, Json>, identity: Record<string, unknown> | null, onError: (message: string) => void): Promise<void>;
  stop(): void;
}

export function useQueryWatch(path: string): QueryWatch {
  const [watch, setWatch] = useState<number>();
  const [versions, setVersions] = useState<QueryVersion[]>([]);
  const [shownVersion, setShownVersion] = useState<number>();
  const watchRef = useRef<number | undefined>(undefined);
  // Updates can arrive before `watch_query` answers with their ID: held here until then.
  const early = useRef(new Map<number, QueryVersion[]>());

  const stop = useCallback(() => {
    if (watchRef.current !== undefined) void call("unwatch_query", { watch: watchRef.current }).catch(() => {});
    watchRef.current = undefined;
    setWatch(undefined);
  }, []);

  const start: QueryWatch["start"] = async (args, identity, onError) => {
    stop();
    setVersions([]);
    setShownVersion(undefined);
    try {
      const w = await call("watch_query", { path, args, identity });
      watchRef.current = w.watch;
      setWatch(w.watch);
      setVersions(early.current.get(w.watch) ?? []);
      early.current.clear();
    } catch (e) {
      onError(errorMessage(e));
    }
  };

  useEffect(
    () =>
      onStudioEvent((event) => {
        if (event.type !== "query_watch_update") return;
        if (event.update.watch === watchRef.current) setVersions((v) => [...v, event.update].slice(-100));
        else if (watchRef.current === undefined || event.update.watch > watchRef.current) {
          const held = early.current.get(event.update.watch) ?? [];
          early.current.set(event.update.watch, [...held, event.update].slice(-100));
        }
      }),
    [],
  );
  useEffect(() => stop, [stop]);

  const shown = versions.find((v) => v.version === shownVersion) ?? versions.at(-1);
  const previous = shown ? versions.find((v) => v.version === shown.version - 1) : undefined;
  return { watch, versions, shown, previous, show: setShownVersion, start, stop };
}
