// The History area's state: the newest page of deployment events, read again every few
// seconds while the area is open (usePolling), and older pages appended on demand. A
// deployment without deployment events answers `available: false` once; it is never
// polled into a spinner.
import { useCallback, useState } from "react";
import type { HistoryEvent, HistoryPage } from "../../generated/studio";
import { usePolling } from "../../lib/usePolling";
import { call, errorMessage } from "../../platform";

const REFRESH_MS = 3000;

export interface HistoryState {
  /** `undefined` until the first answer. */
  available: boolean | undefined;
  events: HistoryEvent[];
  error: string | undefined;
  /** Whether older events remain. */
  more: boolean;
  loadingMore: boolean;
  loadMore(): void;
}

/** The newest page followed by the older pages, each event once. */
export function mergePages(newest: HistoryPage | undefined, older: readonly HistoryEvent[]): HistoryEvent[] {
  const seen = new Set<string>();
  const all: HistoryEvent[] = [];
  for (const event of [...(newest?.events ?? []), ...older]) {
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    all.push(event);
  }
  return all;
}

export function useHistory(connected: boolean, deploymentId: string | undefined, actions: string[] | null): HistoryState {
  const key = connected ? JSON.stringify([deploymentId ?? "", actions]) : null;
  const newest = usePolling(key, () => call("history_events", { cursor: null, actions }), REFRESH_MS);
  const [older, setOlder] = useState<{ key: string | null; events: HistoryEvent[]; cursor: string | null | undefined }>({ key: null, events: [], cursor: undefined });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string>();

  // Older pages belong to one deployment and filter; another starts from the newest page.
  const mine = older.key === key ? older : { key, events: [], cursor: undefined };
  const cursor = mine.cursor === undefined ? newest.value?.next_cursor : mine.cursor;

  const loadMore = useCallback(() => {
    if (!cursor) return;
    setLoadingMore(true);
    call("history_events", { cursor, actions })
      .then((page) => {
        setOlder({ key, events: [...mine.events, ...page.events], cursor: page.next_cursor });
        setMoreError(undefined);
      })
      .catch((e: unknown) => setMoreError(errorMessage(e)))
      .finally(() => setLoadingMore(false));
  }, [cursor, actions, key, mine.events]);

  return {
    available: newest.value?.available,
    events: mergePages(newest.value, mine.events),
    error: moreError ?? newest.error,
    more: Boolean(cursor),
    loadingMore,
    loadMore,
  };
}
