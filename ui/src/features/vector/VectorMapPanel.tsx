// The 2D map: a sample of the index's vectors projected onto their first two principal
// components (computed by the studio), coloured by a filter field. Hovering a point shows
// its document; clicking searches "more like this" from it.
import { useEffect, useEffectEvent, useMemo, useRef, useState } from "react";
import type { MapPoint, VectorIndexView, VectorMap } from "../../generated/studio";
import { call, errorMessage } from "../../platform";
import { preview } from "./VectorArea";

const WIDTH = 640;
const HEIGHT = 420;
const PALETTE = ["#5b50e8", "#16a34a", "#d97706", "#dc2626", "#0891b2", "#c026d3", "#65a30d", "#ea580c", "#2563eb", "#9f1239"];

export function VectorMapPanel({ index, onPick }: { index: VectorIndexView; onPick: (id: string) => void }) {
  const [limit, setLimit] = useState(1000);
  const [colorBy, setColorBy] = useState<string | null>(index.filter_fields[0] ?? null);
  const [map, setMap] = useState<VectorMap>();
  const [error, setError] = useState<string>();
  const [hover, setHover] = useState<{ point: MapPoint; text?: string }>();
  const documents = useRef(new Map<string, string>());

  const draw = () =>
    call("vector_map", { table: index.table, index: index.name, limit, color_by: colorBy })
      .then((m) => (setMap(m), setError(undefined)))
      .catch((e) => setError(errorMessage(e)));

  // Drawn again when the index or the colouring changes; a new sample size waits for Redraw.
  const drawNow = useEffectEvent(() => void draw());
  useEffect(() => drawNow(), [index.table, index.name, colorBy]);

  const groups = useMemo(() => {
    const names = [...new Set((map?.points ?? []).map((p) => p.group ?? "(none)"))].sort();
    return new Map(names.map((g, i) => [g, PALETTE[i % PALETTE.length]]));
  }, [map]);

  const scale = useMemo(() => {
    const pts = map?.points ?? [];
    const xs = pts.map((p) => p.x);
    const ys = pts.map((p) => p.y);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const m = 16;
    const sx = (x: number) => m + ((x - x0) / (x1 - x0 || 1)) * (WIDTH - 2 * m);
    const sy = (y: number) => HEIGHT - m - ((y - y0) / (y1 - y0 || 1)) * (HEIGHT - 2 * m);
    return { sx, sy };
  }, [map]);

  const onHover = (point: MapPoint) => {
    const known = documents.current.get(point.id);
    setHover({ point, text: known });
    if (known !== undefined) return;
    call("data_document", { id: point.id })
      .then((d) => {
        const text = preview(d.document, index.vector_field);
        documents.current.set(point.id, text);
        setHover((h) => (h?.point.id === point.id ? { point, text } : h));
      })
      .catch(() => undefined);
  };

  return (
    <div className="card vector-map" data-testid="vector-map">
      <h2>Map</h2>
      <div className="tool-row">
        <label className="form-row">
          <span className="field-label">Sample</span>
          <input type="number" min={2} max={5000} value={limit} onChange={(e) => setLimit(Math.max(2, Math.min(5000, Number(e.target.value) || 1000)))} aria-label="Sample size" />
        </label>
        <label className="form-row">
          <span className="field-label">Colour by</span>
          <select value={colorBy ?? ""} onChange={(e) => setColorBy(e.target.value || null)} aria-label="Colour by">
            <option value="">nothing</option>
            {index.filter_fields.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => void draw()}>
          Redraw
        </button>
      </div>
      {error && <div className="inline-error" role="alert">{error}</div>}
      {map && (
        <>
          <p className="muted small-note" data-testid="map-summary">
            {map.points.length.toLocaleString("en-US")} of {map.total.toLocaleString("en-US")} vectors · first two principal components, explaining {(map.explained[0] * 100).toFixed(0)}% and {(map.explained[1] * 100).toFixed(0)}% of the variance · click a point to search from it
          </p>
          <div className="map-wrap">
            <svg className="map-plot" data-testid="map-plot" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="Vectors projected to two dimensions" onMouseLeave={() => setHover(undefined)}>
              {map.points.map((p) => (
                <circle
                  key={p.id}
                  cx={scale.sx(p.x)}
                  cy={scale.sy(p.y)}
                  r={map.points.length > 2000 ? 2.5 : 4}
                  fill={groups.get(p.group ?? "(none)")}
                  className={hover?.point.id === p.id ? "map-point hovered" : "map-point"}
                  data-id={p.id}
                  onMouseEnter={() => onHover(p)}
                  onClick={() => onPick(p.id)}
                />
              ))}
            </svg>
            {hover && (
              <div className="map-tooltip" role="tooltip" data-testid="map-tooltip" style={{ left: `${(scale.sx(hover.point.x) / WIDTH) * 100}%`, top: `${(scale.sy(hover.point.y) / HEIGHT) * 100}%` }}>
                <code>{hover.point.id}</code>
                {hover.point.group !== null && <div>{colorBy}: {hover.point.group}</div>}
                <div className="muted">{hover.text ?? "…"}</div>
              </div>
            )}
          </div>
          {colorBy && (
            <ul className="map-legend">
              {[...groups].map(([g, colour]) => (
                <li key={g}>
                  <span className="colour-chip" style={{ background: colour }} /> {g}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}
