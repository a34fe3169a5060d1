// The grid's header row: sort by a column (click), resize it (drag its right edge, or
// Alt+←/→ on its name), move it (drag it onto another, or Alt+Shift+←/→), and the Columns
// menu that hides and shows columns or resets the layout. The layout itself is
// useColumnLayout's; this component only turns gestures into its calls.
import { type PointerEvent as ReactPointerEvent, useState } from "react";
import { useDialog } from "../../components/useDialog";
import "./gridHeader.css";
import type { ColumnLayoutApi } from "./useColumnLayout";

const STEP = 20;

export function GridHeader({
  layout,
  template,
  sort,
  onSort,
}: {
  layout: ColumnLayoutApi;
  template: string;
  sort?: { field: string; descending: boolean };
  onSort(column: string): void;
}) {
  const [menu, setMenu] = useState(false);
  const [dragging, setDragging] = useState<string>();
  // While a column is resized no column can be dragged (the same gesture would move it).
  const [resizing, setResizing] = useState(false);

  const startResize = (column: string, event: ReactPointerEvent<HTMLSpanElement>) => {
    event.preventDefault();
    event.stopPropagation();
    const handle = event.currentTarget;
    handle.setPointerCapture(event.pointerId);
    setResizing(true);
    const startX = event.clientX;
    const startWidth = layout.widthOf(column);
    const onMove = (e: PointerEvent) => layout.resize(column, startWidth + e.clientX - startX);
    const onUp = () => {
      setResizing(false);
      handle.removeEventListener("pointermove", onMove);
      handle.removeEventListener("pointerup", onUp);
      handle.removeEventListener("pointercancel", onUp);
    };
    handle.addEventListener("pointermove", onMove);
    handle.addEventListener("pointerup", onUp);
    handle.addEventListener("pointercancel", onUp);
  };

  return (
    <div className="grid-head" role="row" style={{ gridTemplateColumns: template }}>
      <div className="grid-cell check" role="columnheader">
        <button className="columns-button" aria-label="Columns" aria-expanded={menu} title="Show, hide and reset columns" onClick={() => setMenu((m) => !m)}>
          ⋮
        </button>
        {menu && <ColumnsMenu layout={layout} onClose={() => setMenu(false)} />}
      </div>
      <div className="grid-cell rownum" role="columnheader">
        #
      </div>
      {layout.shown.map((column) => {
        const sorted = sort?.field === column || (!sort && column === "_creationTime");
        const descending = sort ? sort.descending : true;
        return (
          <div
            key={column}
            className={`grid-cell head${sorted ? " sorted" : ""}${dragging === column ? " dragging" : ""}`}
            role="columnheader"
            aria-sort={sorted ? (descending ? "descending" : "ascending") : "none"}
            data-column={column}
            draggable={!resizing}
            onDragStart={(e) => {
              e.dataTransfer.setData("application/x-atrium-column", column);
              e.dataTransfer.effectAllowed = "move";
              setDragging(column);
            }}
            onDragEnd={() => setDragging(undefined)}
            onDragOver={(e) => {
              if (e.dataTransfer.types.includes("application/x-atrium-column")) e.preventDefault();
            }}
            onDrop={(e) => {
              const moving = e.dataTransfer.getData("application/x-atrium-column");
              e.preventDefault();
              setDragging(undefined);
              if (moving && moving !== column) layout.move(moving, column);
            }}
          >
            <button
              onClick={() => onSort(column)}
              title={`Sort by ${column} · drag to move · Alt+←/→ width · Alt+Shift+←/→ move`}
              onKeyDown={(e) => {
                if (!e.altKey || (e.key !== "ArrowLeft" && e.key !== "ArrowRight")) return;
                e.preventDefault();
                e.stopPropagation();
                const by = e.key === "ArrowLeft" ? -1 : 1;
                if (e.shiftKey) layout.step(column, by);
                else layout.resize(column, layout.widthOf(column) + by * STEP);
              }}
            >
              {column}
              {sorted && <span aria-hidden="true">{descending ? " ↓" : " ↑"}</span>}
            </button>
            <span
              className="col-resize"
              role="separator"
              aria-orientation="vertical"
              aria-label={`Resize ${column}`}
              onPointerDown={(e) => startResize(column, e)}
            />
          </div>
        );
      })}
    </div>
  );
}

function ColumnsMenu({ layout, onClose }: { layout: ColumnLayoutApi; onClose(): void }) {
  const menu = useDialog<HTMLDivElement>(onClose);
  const order = [...layout.shown, ...layout.all.filter((c) => !layout.shown.includes(c))];
  return (
    <div ref={menu} className="columns-menu" role="dialog" aria-label="Columns">
      {order.map((column) => (
        <label key={column}>
          <input type="checkbox" checked={!layout.hidden.includes(column)} onChange={(e) => layout.setHidden(column, !e.target.checked)} />
          {column}
        </label>
      ))}
      <button
        onClick={() => {
          layout.reset();
          onClose();
        }}
      >
        Reset widths, order and hidden columns
      </button>
    </div>
  );
}
