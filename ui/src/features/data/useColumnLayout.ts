// The grid's column layout for one table: loaded when the table (or deployment) changes,
// saved on every change when the grid has a place to keep it (`saveAs`), else kept only
// while the grid is shown (query results).
import { useCallback, useMemo, useState } from "react";
import { type ColumnLayout, EMPTY_LAYOUT, loadLayout, moved, resized, saveLayout, shownColumns, stepped, widthOf, withHidden } from "./columnLayout";

export interface ColumnLayoutApi {
  /** Every column, as the data has them. */
  all: readonly string[];
  /** The shown columns, in the user's order. */
  shown: string[];
  hidden: readonly string[];
  widthOf(column: string): number;
  resize(column: string, width: number): void;
  move(column: string, before: string | null): void;
  step(column: string, by: -1 | 1): void;
  setHidden(column: string, hide: boolean): void;
  reset(): void;
}

/** `saveAs` is `{ deployment, table }` to keep the layout across visits. */
export function useColumnLayout(columns: readonly string[], saveAs?: { deployment: string; table: string }): ColumnLayoutApi {
  const deployment = saveAs?.deployment;
  const table = saveAs?.table;
  const place = deployment && table ? `${deployment}|${table}` : "";
  const [state, setState] = useState(() => ({ place, layout: deployment && table ? loadLayout(deployment, table) : EMPTY_LAYOUT }));
  // Another table: its own layout (read while rendering, so no frame shows the old one).
  let current = state;
  if (state.place !== place) {
    current = { place, layout: deployment && table ? loadLayout(deployment, table) : EMPTY_LAYOUT };
    setState(current);
  }
  const layout = current.layout;

  const update = useCallback(
    (change: (layout: ColumnLayout) => ColumnLayout) =>
      setState((s) => {
        const next = change(s.layout);
        if (deployment && table) saveLayout(deployment, table, next);
        return { ...s, layout: next };
      }),
    [deployment, table],
  );

  return useMemo(
    () => ({
      all: columns,
      shown: shownColumns(layout, columns),
      hidden: layout.hidden,
      widthOf: (column: string) => widthOf(layout, column),
      resize: (column: string, width: number) => update((l) => resized(l, column, width)),
      move: (column: string, before: string | null) => update((l) => moved(l, columns, column, before)),
      step: (column: string, by: -1 | 1) => update((l) => stepped(l, columns, column, by)),
      setHidden: (column: string, hide: boolean) => update((l) => withHidden(l, column, hide)),
      reset: () => update(() => EMPTY_LAYOUT),
    }),
    [layout, columns, update],
  );
}
