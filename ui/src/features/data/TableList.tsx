// The deployment's tables with their counts, a search over them, and "+ New table".
import { useState } from "react";
import type { TableSummary } from "../../generated/studio";

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
  const visible = (tables ?? []).filter((t) => t.name.toLowerCase().includes(query.toLowerCase()));
  return (
    <aside className="table-list" aria-label="Tables">
      <input className="search" placeholder="Filter tables" aria-label="Filter tables" value={query} onChange={(e) => setQuery(e.target.value)} />
      {error && <div className="inline-error" role="alert">{error}</div>}
      <ul>
        {visible.map((t) => (
          <li key={t.name}>
            <button className={t.name === table ? "table-item active" : "table-item"} onClick={() => onChoose(t.name)} aria-current={t.name === table}>
              <span className="table-name">{t.name}</span>
              <span className="table-count" data-testid={`count-${t.name}`}>
                {t.count.toLocaleString("en-US")}
              </span>
            </button>
          </li>
        ))}
        {tables && tables.length === 0 && <li className="muted">No tables yet.</li>}
      </ul>
      <button className="link-button" disabled={!canWrite} onClick={onCreate}>
        + New table
      </button>
    </aside>
  );
}
