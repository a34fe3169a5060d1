// What the grid shows of the chosen table: a filter (typed as text or built clause by
// clause), a sort, or a range of an index with a filter over it. Yields the view spec to open.
import { useCallback, useMemo, useState } from "react";
import type { Filter, IndexRange, IndexSummary, Sort, ViewSpec } from "../../generated/studio";
import { splitForIndex } from "./indexSplit";
import { filterToText, parseFilterText } from "./filterText";

const NO_FILTER: Filter = { combinator: "and", clauses: [] };

export interface FilterState {
  filter: Filter;
  /** The filter (with the index range when an index is chosen) as the user types it. */
  text: string;
  setText(text: string): void;
  /** Why the typed text could not be applied. */
  error?: string;
  sort: Sort | null;
  /** The index whose range is read, "" for none. */
  indexName: string;
  indexRange: IndexRange | null;
  showBuilder: boolean;
  toggleBuilder(): void;
  /** Applies the typed text, as a filter or as the chosen index's range. */
  apply(): void;
  /** Sets the filter from the builder (the text follows). */
  setClauses(next: Filter): void;
  /** A click on a column header: ascending, descending, off. */
  sortBy(column: string): void;
  chooseIndex(name: string): void;
  /** The Reset button: no filter, sort or range. */
  resetView(): void;
  /** A table was chosen: everything back to its start but the builder. */
  clear(): void;
  /** A view from a link: the filter line's text (applied) and the sort. */
  restore(text: string, sort: Sort | null): void;
  /** The view to open, when a table is chosen and the deployment connected. */
  spec?: ViewSpec;
}

export function useFilterState(table: string | undefined, connected: boolean, indexes?: IndexSummary[]): FilterState {
  const [filter, setFilter] = useState<Filter>(NO_FILTER);
  const [text, setText] = useState("");
  const [error, setError] = useState<string>();
  const [showBuilder, setShowBuilder] = useState(false);
  const [sort, setSort] = useState<Sort | null>(null);
  const [indexName, setIndexName] = useState("");
  const [indexRange, setIndexRange] = useState<IndexRange | null>(null);

  const apply = () => {
    try {
      const parsed = parseFilterText(text);
      if (indexName) {
        // Clauses the index can serve make its range; the others filter what it holds.
        const fields = indexes?.find((i) => i.name === indexName)?.fields ?? [];
        const { range, rest } = splitForIndex(parsed, fields);
        setIndexRange({ name: indexName, clauses: range, descending: false });
        setFilter(rest);
      } else setFilter(parsed);
      setError(undefined);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const setClauses = (next: Filter) => {
    setFilter(next);
    setText(filterToText(next));
  };

  const sortBy = (column: string) => {
    setIndexRange(null);
    setIndexName("");
    setSort((current) => {
      if (column === "_creationTime") {
        const descending = current === null || current.field !== "_creationTime" ? false : !current.descending;
        return descending ? null : { field: column, descending: false };
      }
      if (current?.field === column) return current.descending ? null : { field: column, descending: true };
      return { field: column, descending: false };
    });
  };

  const chooseIndex = (name: string) => {
    setIndexName(name);
    setIndexRange(name ? { name, clauses: [], descending: false } : null);
    setText("");
    setFilter(NO_FILTER);
    setError(undefined);
  };

  const resetView = () => {
    setClauses(NO_FILTER);
    setSort(null);
    setIndexName("");
    setIndexRange(null);
  };

  const clear = useCallback(() => {
    setFilter(NO_FILTER);
    setText("");
    setSort(null);
    setIndexName("");
    setIndexRange(null);
  }, []);

  const restore = useCallback((linked: string, linkedSort: Sort | null) => {
    setText(linked);
    setSort(linkedSort);
    try {
      setFilter(parseFilterText(linked));
      setError(undefined);
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);

  const spec: ViewSpec | undefined = useMemo(
    () =>
      table && connected
        ? indexRange
          ? { table, filter: filter.clauses.length ? filter : null, sort: null, index: indexRange }
          : { table, filter: filter.clauses.length ? filter : null, sort, index: null }
        : undefined,
    [table, connected, filter, sort, indexRange],
  );

  return {
    filter,
    text,
    setText,
    error,
    sort,
    indexName,
    indexRange,
    showBuilder,
    toggleBuilder: () => setShowBuilder((b) => !b),
    apply,
    setClauses,
    sortBy,
    chooseIndex,
    resetView,
    clear,
    restore,
    spec,
  };
}
