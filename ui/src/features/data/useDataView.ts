// One live view of a table: opened in the studio, rows fetched by offset as the grid
// scrolls, and fetched again when the studio says the view changed.
import { useCallback, useEffect, useEffectEvent, useRef, useState } from "react";
import type { Rows, ViewInfo, ViewSpec } from "../../generated/studio";
import { useLatestCall } from "../../lib/useLatestCall";
import { call, errorMessage, onLinkChange, onStudioEvent } from "../../platform";
import type { Doc } from "./values";

interface Block {
  offset: number;
  rows: Doc[];
}

export interface DataView {
  info?: ViewInfo;
  /** The failure to open or read the view, if any. */
  error?: string;
  loading: boolean;
  rowAt(index: number): Doc | undefined;
  /** Rows currently loaded (for columns inferred from data). */
  loaded: Doc[];
  /** Tells the view which rows the grid shows. */
  showRange(start: number, count: number): void;
}


export function useDataView(spec: ViewSpec | undefined, onOpened?: (rows: Rows) => void): DataView {
  const [info, setInfo] = useState<ViewInfo>();
  const [block, setBlock] = useState<Block>({ offset: 0, rows: [] });
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);
  const view = useRef<number | undefined>(undefined);
  const range = useRef({ start: 0, count: 60 });
  // Rows answer in order of asking: an older answer than one already asked for is dropped.
  const latest = useLatestCall();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const specKey = spec ? JSON.stringify(spec) : "";

  const apply = useCallback((rows: Rows) => {
    setInfo(rows.info);
    setBlock({ offset: rows.offset, rows: rows.rows as Doc[] });
  }, []);
  const opened = useEffectEvent((rows: Rows) => onOpened?.(rows));

  // The range last asked for, so a spell that ends where it began asks nothing more.
  const fetched = useRef<{ start: number; count: number } | undefined>(undefined);

  const fetchNow = useCallback(() => {
    const id = view.current;
    if (id === undefined) return;
    fetched.current = range.current;
    const { start, count } = range.current;
    void latest.run(call("data_rows", { view: id, offset: start, limit: count }), apply, (e) => setError(errorMessage(e)));
  }, [apply, latest]);

  useEffect(() => {
    if (!specKey) return;
    const spec = JSON.parse(specKey) as ViewSpec;
    let live = true; // this view is still the one shown (else it is closed as it opens)
    setInfo(undefined);
    setBlock({ offset: 0, rows: [] });
    setError(undefined);
    setLoading(true);
    range.current = { start: 0, count: range.current.count };
    const isNewest = latest.begin();
    call("data_open", spec)
      .then((rows) => {
        if (!live) {
          void call("data_close", { view: rows.info.view }).catch(() => {});
          return;
        }
        view.current = rows.info.view;
        if (isNewest()) apply(rows);
        opened(rows);
      })
      .catch((e) => live && setError(errorMessage(e)))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
      const id = view.current;
      view.current = undefined;
      if (id !== undefined) void call("data_close", { view: id }).catch(() => {});
    };
  }, [specKey, apply, latest]);

  useEffect(() => {
    const stopEvents = onStudioEvent((event) => {
      if (event.type === "data_view_changed" && event.info.view === view.current) {
        setInfo(event.info);
        fetchNow();
      }
    });
    // Changes announced while the event stream was not open are read again.
    const stopLink = onLinkChange((state) => state === "up" && fetchNow());
    return () => {
      stopEvents();
      stopLink();
    };
  }, [fetchNow]);

  const showRange = useCallback(
    (start: number, count: number) => {
      const same = range.current.start === start && range.current.count === count;
      range.current = { start, count };
      if (same) return;
      // The first change after a quiet spell (a jump, the first wheel step) is read at once;
      // changes while scrolling go on are read once the 40 ms spell after the last one ends.
      if (timer.current === undefined) fetchNow();
      else clearTimeout(timer.current);
      timer.current = setTimeout(() => {
        timer.current = undefined;
        if (range.current !== fetched.current) fetchNow();
      }, 40);
    },
    [fetchNow],
  );

  const rowAt = useCallback((index: number) => block.rows[index - block.offset], [block]);

  return { info, error, loading, rowAt, loaded: block.rows, showRange };
}
