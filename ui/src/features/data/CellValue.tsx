// What a grid cell shows for a value: a document's own ID and references as links that
// open the document, the creation time as a date, objects and arrays with an expand button,
// "unset" for a missing field, anything else as formatted text; and the inline editor
// (Enter commits, Escape cancels, the schema's complaint shown under it).
import { formatValue, type Json, looksLikeId, typeOf } from "./values";

export function CellValue({
  column,
  id,
  value,
  onOpenDocument,
  onExpand,
}: {
  column: string;
  id: string;
  value: Json | undefined;
  onOpenDocument(id: string): void;
  onExpand(): void;
}) {
  const type = typeOf(value);
  if (column === "_id") {
    return (
      <button className="id-link" onClick={() => onOpenDocument(id)}>
        {id}
      </button>
    );
  }
  if (looksLikeId(value)) {
    return (
      <button className="id-link" title="Open the referenced document" onClick={() => onOpenDocument(value)}>
        {value}
      </button>
    );
  }
  if (column === "_creationTime" && typeof value === "number") return <>{new Date(value).toISOString().replace("T", " ").replace("Z", "")}</>;
  if (type === "object" || type === "array") {
    return (
      <>
        <button
          className="expand"
          aria-label={`Expand ${column}`}
          onClick={(e) => {
            e.stopPropagation();
            onExpand();
          }}
        >
          ▸
        </button>
        {formatValue(value)}
      </>
    );
  }
  if (type === "unset") return <span className="unset">unset</span>;
  return <>{formatValue(value)}</>;
}

export function CellEditor({
  column,
  editing,
  onText,
  onCommit,
  onCancel,
}: {
  column: string;
  editing: { text: string; error?: string; busy?: boolean };
  onText(text: string): void;
  onCommit(): void;
  onCancel(): void;
}) {
  return (
    <div className="cell-editor">
      <input
        autoFocus
        aria-label={`Edit ${column}`}
        value={editing.text}
        disabled={editing.busy}
        onChange={(e) => onText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") onCommit();
          if (e.key === "Escape") onCancel();
          e.stopPropagation();
        }}
      />
      {editing.error && (
        <div className="cell-error" role="alert">
          {editing.error}
        </div>
      )}
    </div>
  );
}
