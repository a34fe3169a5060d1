// The deployment's tables with their counts, a search over them, "+ New table", and a
// component selector when the deployment has components (their tables arrive named
// `<component>/<table>`; see components.ts).
import { useState } from "react";
import type { TableSummary } from "../../generated/studio";
import { APP, componentsOf, splitTable, tablesIn } from "./components";

interface TableListProps {
  tables?: TableSummary[];
  error?: string;
  /** The chosen table. */
  table?: string;
  onChoose(table: string): void;
  canWrite: boolean;
  onCreate(): void;
}

export function TableList({ tables, error, table, onChoose, canWrite, onCreate }: TableListProps) {
  const [query, setQuery] = useState("");
  const all = tables ?? [];
  const components = componentsOf(all.map((t) => t.name));
  // The chosen table's instance is the one shown, so the selection follows the grid.
  const [chosen, setChosen] = useState(() => (table ? splitTable(table).component : APP));
  const component = components.includes(chosen) ? chosen : APP;
  const visible = tablesIn(all, component).filter((t) => splitTable(t.name).table.toLowerCase().includes(query.toLowerCase()));
  const choose = (next: string) => {
    setChosen(next);
    const first = tablesIn(all, next)[0];
    if (first) onChoose(first.name);
  };
  return (
    <aside className="table-list" aria-label="Tables">
      {components.length > 1 && (
        <select className="component-select" aria-label="Component" value={component} onChange={(e) => choose(e.target.value)}>
          {components.map((c) => (
            <option key={c} value={c}>
              {c === APP ? "App" : c}
            </option>
          ))}
        </select>
      )}
      <input className="search" placeholder="Filter tables" aria-label="Filter tables" value={query} onChange={(e) => setQuery(e.target.value)} />
      {error && <div className="inline-error" role="alert">{error}</div>}
      <ul>
        {visible.map((t) => (
          <li key={t.name}>
            <button className={t.name === table ? "table-item active" : "table-item"} onClick={() => onChoose(t.name)} aria-current={t.name === table}>
              <span className="table-name">{splitTable(t.name).table}</span>
              <span className="table-count" data-testid={`count-${t.name}`}>
                {t.count.toLocaleString("en-US")}
              </span>
            </button>
          </li>
        ))}
        {tables && tablesIn(all, component).length === 0 && <li className="muted">No tables yet.</li>}
      </ul>
      <button className="link-button" disabled={!canWrite || component !== APP} onClick={onCreate}>
        + New table
      </button>
    </aside>
  );
}
