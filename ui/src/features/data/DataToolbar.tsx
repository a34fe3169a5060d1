// The bar above the grid: the table's name, the view's count and liveness, and the
// table's actions (stage edits, add, delete selected, clear, schema, export).
import type { ExportFormat, ViewInfo } from "../../generated/studio";
import { call, errorMessage } from "../../platform";

interface DataToolbarProps {
  table?: string;
  info?: ViewInfo;
  connected: boolean;
  canWrite: boolean;
  staging: boolean;
  onStaging(on: boolean): void;
  onAdd(): void;
  selectedCount: number;
  onDelete(): void;
  onClear(): void;
  showSchema: boolean;
  onToggleSchema(): void;
  notify(notice: string, options?: { stay?: boolean }): void;
}

export function DataToolbar(props: DataToolbarProps) {
  const { table, info, connected, canWrite, selectedCount, notify } = props;
  const live = connected && info && !info.error;
  return (
    <div className="toolbar">
      <h2 className="table-title">{table ?? "—"}</h2>
      {info && (
        <span className="view-count" data-testid="view-count">
          {info.mode === "scan"
            ? `${info.total.toLocaleString("en-US")} matching · scanned ${info.scanned.toLocaleString("en-US")}${info.complete ? " (all)" : ` (stopped at the scan limit)`}`
            : `${info.total.toLocaleString("en-US")} documents${info.index ? ` · index ${info.index}` : ""}`}
        </span>
      )}
      <span className={`live-pill ${live ? "on" : "off"}`} data-testid="live-indicator" title={info?.error ?? (connected ? "Rows update as documents change" : "Waiting for the connection")}>
        <span className="state-dot" aria-hidden="true" />
        {live ? "Live" : info?.error || (info && !connected) ? "Paused" : "…"}
      </span>
      <div className="toolbar-spacer" />
      <label className="toggle">
        <input type="checkbox" checked={props.staging} onChange={(e) => props.onStaging(e.target.checked)} disabled={!canWrite} /> Stage edits
      </label>
      <button disabled={!canWrite} onClick={props.onAdd}>
        Add documents
      </button>
      <button className="danger" disabled={!canWrite || selectedCount === 0} onClick={props.onDelete}>
        Delete{selectedCount ? ` (${selectedCount})` : ""}
      </button>
      <button disabled={!canWrite} onClick={props.onClear}>
        Clear table
      </button>
      <button aria-pressed={props.showSchema} onClick={props.onToggleSchema}>
        Schema
      </button>
      <select
        aria-label="Export view"
        value=""
        disabled={!info}
        title="Save this view as it stands (filters, sort, range) as a file"
        onChange={(e) => {
          const format = e.target.value as ExportFormat;
          if (!info || !format) return;
          notify(`Exporting ${table} as ${format.toUpperCase()}…`);
          call("data_export", { view: info.view, format })
            .then((done) => notify(`Saved ${done.rows.toLocaleString("en-US")} documents to ${done.path}`, { stay: true }))
            .catch((err) => notify(errorMessage(err), { stay: true }));
        }}
      >
        <option value="">Export…</option>
        <option value="csv">CSV</option>
        <option value="jsonl">JSON Lines</option>
        <option value="parquet">Parquet</option>
      </select>
    </div>
  );
}
