// The recall check: recall@k of the index's graph search against an exact scan under the
// same filter, over a sample of the index's own vectors as queries, with a chart of each
// query's recall (sorted, worst first) and the mean.
import { useState } from "react";
import type { RecallResult, VectorIndexView } from "../../generated/studio";
import { call, errorMessage } from "../../platform";

const WIDTH = 640;
const HEIGHT = 160;

export function RecallPanel({ index, filter }: { index: VectorIndexView; filter: { field: string; value: unknown }[] }) {
  const [k, setK] = useState(10);
  const [queries, setQueries] = useState(100);
  const [result, setResult] = useState<RecallResult>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const run = () => {
    setBusy(true);
    call("vector_recall", { table: index.table, index: index.name, k, queries, filter })
      .then((r) => (setResult(r), setError(undefined)))
      .catch((e) => setError(errorMessage(e)))
      .finally(() => setBusy(false));
  };

  return (
    <div className="card vector-recall" data-testid="vector-recall">
      <h2>Recall check</h2>
      <p className="muted small-note">
        Each query is one of the index's own vectors (its document left out); the graph's top k is compared with an exact scan's{filter.length ? ", under the search filter above" : ""}.
      </p>
      <div className="tool-row">
        <label className="form-row">
          <span className="field-label">k</span>
          <input type="number" min={1} max={256} value={k} onChange={(e) => setK(Math.max(1, Math.min(256, Number(e.target.value) || 10)))} aria-label="k" />
        </label>
        <label className="form-row">
          <span className="field-label">Queries</span>
          <input type="number" min={1} max={1000} value={queries} onChange={(e) => setQueries(Math.max(1, Math.min(1000, Number(e.target.value) || 100)))} aria-label="Queries" />
        </label>
        <button type="button" className="primary" onClick={run} disabled={busy}>
          {busy ? "Checking…" : "Run recall check"}
        </button>
      </div>
      {error && <div className="inline-error" role="alert">{error}</div>}
      {result && (
        <>
          <p data-testid="recall-summary">
            <strong className="recall-figure">recall@{result.k} = {result.mean.toFixed(3)}</strong> over {result.recalls.length} queries · graph {result.approximate_ms.toFixed(2)} ms vs exact {result.exact_ms.toFixed(2)} ms per query (median)
          </p>
          {!result.graph_in_use && (
            <p className="muted small-note">
              This index has {result.vectors.toLocaleString("en-US")} vectors, few enough that searches scan them exactly (recall 1). The figure is for a graph built over them for this check: what searches would get above the exact-scan limit.
            </p>
          )}
          <RecallChart recalls={result.recalls} mean={result.mean} />
        </>
      )}
    </div>
  );
}

function RecallChart({ recalls, mean }: { recalls: number[]; mean: number }) {
  const sorted = [...recalls].sort((a, b) => a - b);
  const pad = { left: 36, bottom: 18, top: 8 };
  const plotW = WIDTH - pad.left - 8;
  const plotH = HEIGHT - pad.bottom - pad.top;
  const barW = plotW / Math.max(1, sorted.length);
  const y = (v: number) => pad.top + plotH * (1 - v);
  return (
    <svg className="recall-chart" data-testid="recall-chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`Recall per query, sorted; mean ${mean.toFixed(3)}`}>
      {[0, 0.5, 1].map((t) => (
        <g key={t}>
          <line x1={pad.left} x2={WIDTH - 8} y1={y(t)} y2={y(t)} className="grid-line" />
          <text x={pad.left - 6} y={y(t) + 4} textAnchor="end" className="axis-label">
            {t.toFixed(1)}
          </text>
        </g>
      ))}
      {sorted.map((r, i) => (
        <rect key={i} x={pad.left + i * barW} width={Math.max(1, barW - 1)} y={y(r)} height={plotH * r} className={r < 0.9 ? "recall-bar low" : "recall-bar"}>
          <title>{`query ${i + 1}: ${r.toFixed(2)}`}</title>
        </rect>
      ))}
      <line x1={pad.left} x2={WIDTH - 8} y1={y(mean)} y2={y(mean)} className="mean-line" />
      <text x={WIDTH - 10} y={mean > 0.85 ? y(mean) + 13 : y(mean) - 4} textAnchor="end" className="axis-label mean-label">
        mean {mean.toFixed(3)}
      </text>
      <text x={pad.left} y={HEIGHT - 4} className="axis-label">
        queries, worst first
      </text>
    </svg>
  );
}
