// The bar under the toolbar: the filter (or index range) typed as text, the index to read,
// the clause builder's toggle, Reset, the sort shown, and "Go to row".
import { useRef } from "react";
import type { TableSchemaInfo } from "../../generated/studio";
import type { FilterState } from "./useFilterState";

interface FilterBarProps {
  filters: FilterState;
  schema?: TableSchemaInfo;
  /** Scrolls the grid to a row (0-based). */
  onJump(row: number): void;
}

export function FilterBar({ filters, schema, onJump }: FilterBarProps) {
  const { indexName, sort, showBuilder } = filters;
  const jumpInput = useRef<HTMLInputElement>(null);
  return (
    <div className="filter-bar">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          filters.apply();
        }}
      >
        <input
          className="filter-text"
          aria-label={indexName ? "Index range" : "Filter"}
          placeholder={
            indexName
              ? `Range of ${indexName}: equalities on its first fields, then bounds; other clauses filter it — Enter to apply`
              : 'Filter, e.g. author == "ann" or n > 3 — Enter to apply'
          }
          value={filters.text}
          onChange={(e) => filters.setText(e.target.value)}
        />
      </form>
      <select
        aria-label="Index"
        value={indexName}
        title="Read a range of an index instead of filtering (fast on large tables)"
        onChange={(e) => filters.chooseIndex(e.target.value)}
      >
        <option value="">No index</option>
        {schema?.indexes
          .filter((i) => i.name !== "by_creation_time")
          .map((i) => (
            <option key={i.name} value={i.name}>
              {i.name} [{i.fields.join(", ")}]
            </option>
          ))}
      </select>
      <button onClick={filters.toggleBuilder} aria-expanded={showBuilder} disabled={!!indexName}>
        {showBuilder ? "Hide builder" : "Builder"}
      </button>
      {(filters.filter.clauses.length > 0 || sort || filters.indexRange) && <button onClick={filters.resetView}>Reset</button>}
      {sort && <span className="muted">sorted by {sort.field} {sort.descending ? "↓" : "↑"}</span>}
      <form
        className="jump"
        onSubmit={(e) => {
          e.preventDefault();
          const row = Number.parseInt(jumpInput.current?.value ?? "", 10);
          if (Number.isFinite(row) && row >= 1) onJump(row - 1);
        }}
      >
        <input ref={jumpInput} aria-label="Go to row" placeholder="Row #" inputMode="numeric" />
      </form>
    </div>
  );
}
