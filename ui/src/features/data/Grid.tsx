// The document grid: only the visible rows are in the DOM, so a table of a million
// documents scrolls like one of a hundred. Past ~10 million pixels the scrollbar maps to
// rows proportionally instead of one pixel per pixel (browsers cap element heights).
// Columns are resized, moved and hidden in GridHeader (kept per table); Shift selects a
// range of rows; Ctrl+C copies the selected rows or the active cell as TSV, Ctrl+Shift+C
// as JSON; pasted TSV goes to `onPaste` from the active cell (gridClipboard).
// Ours rather than Glide Data Grid or AG Grid: rows come from the studio's live offset
// windows, cells are DOM showing Convex values, references and inline edits; adapting a
// canvas grid or AG Grid's row models to those costs more than these features did.
import { type ClipboardEvent, type KeyboardEvent, useEffect, useEffectEvent, useLayoutEffect, useRef, useState } from "react";
import { copyText, type PastedCell, pastedCells, writeClipboard } from "./gridClipboard";
import { CellEditor, CellValue } from "./CellValue";
import { GridHeader } from "./GridHeader";
import { useColumnLayout } from "./useColumnLayout";
import { type Doc, editText, type Json, typeOf } from "./values";

export const ROW_HEIGHT = 30;
const MAX_SCROLL_HEIGHT = 10_000_000;

export interface CellRef {
  row: number;
  column: string;
}

export interface GridProps {
  columns: string[];
  /** Keeps the column layout for this deployment's table across visits. */
  saveLayoutAs?: { deployment: string; table: string };
  total: number;
  rowAt(index: number): Doc | undefined;
  onRange(start: number, count: number): void;
  sort?: { field: string; descending: boolean };
  onSort(column: string): void;
  selected: ReadonlyMap<string, Doc>;
  onSelect(docs: Doc[], on: boolean): void;
  onOpenDocument(id: string): void;
  /** Staged values by document ID and field, shown instead of the stored ones. */
  staged: Map<string, Record<string, Json>>;
  editable: boolean;
  onCommitEdit(doc: Doc, column: string, text: string): Promise<string | null>;
  /** Scroll so that this row is at the top (a jump). */
  jumpTo?: { row: number; nonce: number };
  /** Pasted text, cut into cells from the active one rightwards and down. */
  onPaste?(cells: PastedCell[]): void;
}

export function Grid(props: GridProps) {
  const { total, rowAt, onRange } = props;
  const layout = useColumnLayout(props.columns, props.saveLayoutAs);
  const columns = layout.shown;
  const anchor = useRef<number | undefined>(undefined);
  const body = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const [active, setActive] = useState<CellRef>({ row: 0, column: columns[1] ?? "_id" });
  const [editing, setEditing] = useState<{ cell: CellRef; text: string; error?: string; busy?: boolean }>();
  const [expanded, setExpanded] = useState<{ cell: CellRef; value: Json }>();

  const fullHeight = total * ROW_HEIGHT;
  const scaled = fullHeight > MAX_SCROLL_HEIGHT;
  const scrollHeight = scaled ? MAX_SCROLL_HEIGHT : fullHeight;
  const visible = Math.ceil(Math.max(0, height - ROW_HEIGHT) / ROW_HEIGHT) + 1;
  const first = scaled
    ? Math.min(total - 1, Math.round((scrollTop / Math.max(1, scrollHeight - height)) * Math.max(0, total - visible + 1)))
    : Math.floor(scrollTop / ROW_HEIGHT);
  const start = Math.max(0, first);
  const count = Math.max(0, Math.min(visible, total - start));
  const layerTop = scaled ? scrollTop : start * ROW_HEIGHT;

  useLayoutEffect(() => {
    const element = body.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    setHeight(element.clientHeight);
    return () => observer.disconnect();
  }, []);

  useEffect(() => onRange(start, Math.max(count, 1) + 20), [start, count, onRange]);

  // A jump scrolls once, to where the row is at that moment.
  const scrollTo = useEffectEvent((jumpTo: number) => {
    if (!body.current) return;
    const row = Math.min(jumpTo, Math.max(0, total - 1));
    body.current.scrollTop = scaled ? (row / Math.max(1, total - visible + 1)) * (scrollHeight - height) : row * ROW_HEIGHT;
    setActive((a) => ({ ...a, row }));
  });
  const jumpTo = props.jumpTo;
  useEffect(() => {
    if (jumpTo) scrollTo(jumpTo.row);
  }, [jumpTo]);

  const valueOf = (doc: Doc, column: string): Json | undefined => {
    const staged = props.staged.get(doc._id as string);
    if (staged && column in staged) return staged[column];
    return doc[column];
  };

  const startEdit = (cell: CellRef) => {
    const doc = rowAt(cell.row);
    if (!doc || !props.editable || cell.column.startsWith("_")) return;
    setEditing({ cell, text: editText(valueOf(doc, cell.column)) });
  };

  const commit = async () => {
    if (!editing) return;
    const doc = rowAt(editing.cell.row);
    if (!doc) return;
    setEditing({ ...editing, busy: true, error: undefined });
    const problem = await props.onCommitEdit(doc, editing.cell.column, editing.text);
    if (problem) setEditing({ ...editing, busy: false, error: problem });
    else {
      setEditing(undefined);
      body.current?.focus();
    }
  };

  // Moves by `rows` and `cols`, or to an edge: `to` row 0 / the last row, column 0 / the last column.
  const move = (rows: number, cols: number, to?: { row?: "first" | "last"; column?: "first" | "last" }) => {
    setActive((a) => {
      const edge = (where: "first" | "last" | undefined, last: number, current: number) => (where === "first" ? 0 : where === "last" ? last : current);
      const row = Math.max(0, Math.min(total - 1, edge(to?.row, total - 1, a.row) + rows));
      const ci = Math.max(0, Math.min(columns.length - 1, edge(to?.column, columns.length - 1, columns.indexOf(a.column)) + cols));
      const element = body.current;
      if (element && !scaled) {
        const top = row * ROW_HEIGHT;
        if (top < element.scrollTop) element.scrollTop = top;
        if (top + ROW_HEIGHT > element.scrollTop + height - ROW_HEIGHT) element.scrollTop = top - height + 2 * ROW_HEIGHT;
      }
      return { row, column: columns[ci] ?? a.column };
    });
  };

  /** Selects (or clears) rows `from`..`to`, those loaded. */
  const selectRange = (from: number, to: number, on: boolean) => {
    const docs: Doc[] = [];
    for (let i = Math.min(from, to); i <= Math.max(from, to); i++) {
      const doc = rowAt(i);
      if (doc) docs.push(doc);
    }
    props.onSelect(docs, on);
  };

  const copyNow = (json: boolean) => {
    const doc = rowAt(active.row);
    return copyText(json, columns, [...props.selected.values()], doc && { value: valueOf(doc, active.column) });
  };
  // The browser's own copy (a menu), as TSV.
  const onCopy = (event: ClipboardEvent) => {
    const text = editing ? undefined : copyNow(false);
    if (text === undefined) return;
    event.preventDefault();
    event.clipboardData.setData("text/plain", text);
  };

  const onPaste = (event: ClipboardEvent) => {
    if (editing || !props.onPaste || !props.editable) return;
    event.preventDefault();
    const cells = pastedCells(event.clipboardData.getData("text/plain"), columns, active, rowAt);
    if (cells.length) props.onPaste(cells);
  };

  const onKey = (event: KeyboardEvent) => {
    if (editing) return;
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "c") {
      const text = copyNow(event.shiftKey);
      if (text !== undefined) void writeClipboard(text, body.current);
      event.preventDefault();
      return;
    }
    if (event.shiftKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      const to = Math.max(0, Math.min(total - 1, active.row + (event.key === "ArrowDown" ? 1 : -1)));
      selectRange(active.row, to, true);
      move(to - active.row, 0);
      return;
    }
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(1, 0),
      ArrowUp: () => move(-1, 0),
      ArrowLeft: () => move(0, -1),
      ArrowRight: () => move(0, 1),
      PageDown: () => move(visible - 2, 0),
      PageUp: () => move(-(visible - 2), 0),
      Home: () => move(0, 0, event.ctrlKey || event.metaKey ? { row: "first", column: "first" } : { column: "first" }),
      End: () => move(0, 0, event.ctrlKey || event.metaKey ? { row: "last", column: "last" } : { column: "last" }),
      Enter: () => startEdit(active),
      " ": () => {
        const doc = rowAt(active.row);
        if (doc) props.onOpenDocument(doc._id as string);
      },
    };
    const action = keys[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  };

  const template = `36px 72px ${columns.map((c) => `${layout.widthOf(c)}px`).join(" ")}`;
  const rows = [];
  for (let i = start; i < start + count; i++) {
    const doc = rowAt(i);
    const id = doc?._id as string | undefined;
    rows.push(
      <div
        className={`grid-row${id && props.selected.has(id) ? " selected" : ""}`}
        role="row"
        aria-rowindex={i + 2}
        key={i}
        style={{ gridTemplateColumns: template, height: ROW_HEIGHT }}
        data-row={i}
      >
        <div className="grid-cell check" role="gridcell">
          {id && (
            <input
              type="checkbox"
              aria-label={`Select row ${i + 1}`}
              checked={props.selected.has(id)}
              onChange={() => {}}
              onClick={(e) => {
                const on = e.currentTarget.checked;
                if (e.shiftKey && anchor.current !== undefined) selectRange(anchor.current, i, on);
                else if (doc) props.onSelect([doc], on);
                anchor.current = i;
              }}
            />
          )}
        </div>
        <div className="grid-cell rownum" role="gridcell">
          {i + 1}
        </div>
        {columns.map((column) => {
          const cell = { row: i, column };
          const isActive = active.row === i && active.column === column;
          const isEditing = editing && editing.cell.row === i && editing.cell.column === column;
          if (!doc) {
            return <div className="grid-cell loading" role="gridcell" key={column} />;
          }
          const value = valueOf(doc, column);
          const isStaged = !!props.staged.get(id!) && column in (props.staged.get(id!) ?? {});
          const type = typeOf(value);
          return (
            <div
              key={column}
              role="gridcell"
              data-column={column}
              className={`grid-cell t-${type}${isActive ? " active" : ""}${isStaged ? " staged" : ""}`}
              onClick={() => setActive(cell)}
              onDoubleClick={() => startEdit(cell)}
              title={type === "object" || type === "array" ? JSON.stringify(value, null, 2) : undefined}
            >
              {isEditing ? (
                <CellEditor
                  column={column}
                  editing={editing}
                  onText={(text) => setEditing({ ...editing, text, error: undefined })}
                  onCommit={() => void commit()}
                  onCancel={() => {
                    setEditing(undefined);
                    body.current?.focus();
                  }}
                />
              ) : (
                <CellValue
                  column={column}
                  id={id!}
                  value={value}
                  onOpenDocument={props.onOpenDocument}
                  onExpand={() => setExpanded(expanded && expanded.cell.row === i && expanded.cell.column === column ? undefined : { cell, value: value! })}
                />
              )}
            </div>
          );
        })}
      </div>,
    );
  }

  return (
    <div className="grid" role="grid" aria-rowcount={total + 1} aria-colcount={columns.length + 2}>
      <div
        className="grid-body"
        ref={body}
        tabIndex={0}
        onKeyDown={onKey}
        onCopy={onCopy}
        onPaste={onPaste}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        data-testid="grid-body"
      >
        <GridHeader layout={layout} template={template} sort={props.sort} onSort={props.onSort} />
        <div style={{ height: scrollHeight, position: "relative", minWidth: "max-content" }}>
          <div className="grid-layer" style={{ top: layerTop }}>
            {rows}
          </div>
        </div>
        {total === 0 && <div className="grid-empty">No documents.</div>}
      </div>
      {expanded && (
        <div className="expanded" role="dialog" aria-label={`${expanded.cell.column} value`}>
          <div className="expanded-head">
            <strong>{expanded.cell.column}</strong> · row {expanded.cell.row + 1}
            <button onClick={() => setExpanded(undefined)} aria-label="Close">
              ×
            </button>
          </div>
          <pre>{JSON.stringify(expanded.value, null, 2)}</pre>
        </div>
      )}
    </div>
  );
}
