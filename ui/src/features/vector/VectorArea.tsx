// The Vector area: the deployment's vector indexes (definition, vectors held, documents
// skipped and why, memory, exact or graph search), a search panel — paste a vector or
// search "more like this" from a document — with filter terms and scored results linked
// to their documents, a recall check of the graph against an exact scan, and a 2D map.
import { useCallback, useEffect, useRef, useState } from "react";
import type { ConnectionStatus, VectorIndexList, VectorIndexView, VectorSearchResult } from "../../generated/studio";
import { call, errorMessage } from "../../platform";
import { formatBytes } from "../../components/formatBytes";
import { filterTerms, parseVector } from "./vectorInput";
import { RecallPanel } from "./RecallPanel";
import { VectorMapPanel } from "./VectorMapPanel";

const key = (i: VectorIndexView) => `${i.table}.${i.name}`;

/** A link that opens a document in the Data area. */
export function DocumentLink({ table, id }: { table: string; id: string }) {
  return (
    <a className="id-link" href={`#/data/${encodeURIComponent(table)}?doc=${encodeURIComponent(id)}`} title="Open in Data">
      <code>{id}</code>
    </a>
  );
}

/** A document's fields in one line, without the vector and system fields. */
export function preview(document: unknown, vectorField: string): string {
  if (!document || typeof document !== "object") return "(document gone)";
  const entries = Object.entries(document as Record<string, unknown>).filter(([k]) => !k.startsWith("_") && k !== vectorField);
  const text = entries.map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`).join(" · ");
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

export function VectorArea({ connection }: { connection?: ConnectionStatus }) {
  const connected = connection?.state.state === "connected";
  const [list, setList] = useState<VectorIndexList>();
  const [error, setError] = useState<string>();
  const [selected, setSelected] = useState<string>();

  const load = useCallback(() => {
    call("vector_indexes")
      .then((l) => {
        setList(l);
        setError(undefined);
        setSelected((s) => (s && l.indexes.some((i) => key(i) === s) ? s : l.indexes[0] && key(l.indexes[0])));
      })
      .catch((e) => setError(errorMessage(e)));
  }, []);

  useEffect(() => {
    if (!connected) return;
    load();
    const timer = setInterval(load, 3000);
    return () => clearInterval(timer);
  }, [connected, connection?.deployment?.id, load]);

  if (!connection?.deployment) {
    return (
      <section className="data-empty" data-testid="area-vector">
        <h2>No deployment connected</h2>
        <p className="muted">Open Connections (Alt+0) to choose one.</p>
      </section>
    );
  }
  const index = list?.indexes.find((i) => key(i) === selected);
  return (
    <section className="data-area vector-area" data-testid="area-vector">
      <aside className="table-list" aria-label="Vector indexes">
        <h2 className="eyebrow">Vector indexes</h2>
        {error && <div className="inline-error" role="alert">{error}</div>}
        {list && list.indexes.length === 0 && <p className="muted">No vector indexes. Declare one in schema.ts with <code>.vectorIndex(name, {"{ vectorField, dimensions, filterFields }"})</code>.</p>}
        <ul>
          {list?.indexes.map((i) => (
            <li key={key(i)}>
              <button className={key(i) === selected ? "table-item active" : "table-item"} onClick={() => setSelected(key(i))} aria-current={key(i) === selected}>
                <span className="table-name">{key(i)}</span>
                <span className="table-count">{i.vectors === null ? `${i.dimensions}d` : i.vectors.toLocaleString("en-US")}</span>
              </button>
            </li>
          ))}
        </ul>
      </aside>
      <div className="data-main vector-main">
        {list?.message && <div className="notice" role="status">{list.message}</div>}
        {index && <IndexDetails index={index} />}
        {index && list?.searchable && <SearchAndTools key={key(index)} index={index} />}
      </div>
    </section>
  );
}

function IndexDetails({ index }: { index: VectorIndexView }) {
  return (
    <div className="card vector-details" data-testid="vector-details">
      <h2 className="table-title">
        {index.table}.{index.name}
      </h2>
      <dl className="facts">
        <dt>Vector field</dt>
        <dd>
          <code>{index.vector_field}</code> · {index.dimensions} dimensions · cosine similarity
        </dd>
        <dt>Filter fields</dt>
        <dd>{index.filter_fields.length ? index.filter_fields.map((f) => <code key={f}>{f} </code>) : <span className="muted">none</span>}</dd>
        {index.vectors !== null && (
          <>
            <dt>Vectors</dt>
            <dd data-testid="vector-count">{index.vectors.toLocaleString("en-US")}</dd>
            <dt>Not indexed</dt>
            <dd>
              {index.skipped ? (
                <details>
                  <summary className="tone-warn">{index.skipped.toLocaleString("en-US")} documents (wrong length, not float64, missing…)</summary>
                  <ul className="skipped-list">
                    {index.skipped_sample.map((s) => (
                      <li key={s.id}>
                        <DocumentLink table={index.table} id={s.id} /> — {s.reason}
                      </li>
                    ))}
                  </ul>
                </details>
              ) : (
                "none"
              )}
            </dd>
            <dt>Search</dt>
            <dd data-testid="vector-mode">
              {index.mode === "building"
                ? `Building an HNSW graph in the background; searches scan exactly until it is ready`
                : index.mode === "graph"
                ? `HNSW graph of ${index.graph_nodes?.toLocaleString("en-US")} nodes (${index.graph_params}${index.graph_build_ms != null ? `, built in ${(index.graph_build_ms / 1000).toFixed(1)} s` : ", loaded from disk"})`
                : `Exact scan (graph above ${index.exact_limit?.toLocaleString("en-US")} vectors)`}
            </dd>
            <dt>Memory</dt>
            <dd>
              {formatBytes(index.memory_bytes ?? 0)}
              {index.graph_bytes ? ` (graph ${formatBytes(index.graph_bytes)})` : ""}
            </dd>
          </>
        )}
      </dl>
    </div>
  );
}

function SearchAndTools({ index }: { index: VectorIndexView }) {
  const [source, setSource] = useState<"document" | "vector">("document");
  const [like, setLike] = useState("");
  const [vectorText, setVectorText] = useState("");
  const [filters, setFilters] = useState<Record<string, string>>({});
  const [limit, setLimit] = useState(10);
  const [method, setMethod] = useState("auto");
  const [result, setResult] = useState<VectorSearchResult>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  // A search started from the map (below the results) brings its results into view.
  const summary = useRef<HTMLParagraphElement>(null);
  const reveal = useRef(false);
  useEffect(() => {
    if (!reveal.current || !result) return;
    reveal.current = false;
    summary.current?.scrollIntoView({ block: "start" });
  }, [result]);

  const search = useCallback(
    (likeId?: string) => {
      const useLike = likeId ?? (source === "document" ? like.trim() : undefined);
      let vector: number[] | undefined;
      if (!useLike) {
        const parsed = parseVector(vectorText, index.dimensions);
        if (parsed.error) return setError(parsed.error);
        vector = parsed.vector;
      }
      if (likeId) {
        setSource("document");
        setLike(likeId);
      }
      setBusy(true);
      call("vector_search", {
        table: index.table,
        index: index.name,
        vector: vector ?? null,
        like: useLike ?? null,
        limit,
        filter: filterTerms(filters),
        method,
      })
        .then((r) => (setResult(r), setError(undefined)))
        .catch((e) => (setResult(undefined), setError(errorMessage(e))))
        .finally(() => setBusy(false));
    },
    [index, source, like, vectorText, filters, limit, method],
  );

  return (
    <>
      <div className="card vector-search" data-testid="vector-search">
        <h2>Search</h2>
        <form
          className="vector-form"
          onSubmit={(e) => {
            e.preventDefault();
            search();
          }}
        >
          <div className="segmented" role="tablist" aria-label="Search by">
            <button type="button" role="tab" className={source === "document" ? "segment selected" : "segment"} aria-selected={source === "document"} onClick={() => setSource("document")}>
              More like a document
            </button>
            <button type="button" role="tab" className={source === "vector" ? "segment selected" : "segment"} aria-selected={source === "vector"} onClick={() => setSource("vector")}>
              A vector
            </button>
          </div>
          {source === "document" ? (
            <label className="form-row">
              <span className="field-label">Document ID</span>
              <input value={like} onChange={(e) => setLike(e.target.value)} placeholder="An ID from this table (or click a point on the map)" aria-label="Document ID" spellCheck={false} />
            </label>
          ) : (
            <label className="form-row">
              <span className="field-label">Vector ({index.dimensions} numbers)</span>
              <textarea
                value={vectorText}
                onChange={(e) => setVectorText(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
                    e.preventDefault();
                    search();
                  }
                }}
                rows={3}
                placeholder="[0.12, -0.4, …]"
                aria-label="Vector"
                spellCheck={false}
              />
            </label>
          )}
          <div className="tool-row">
            {index.filter_fields.map((f) => (
              <label key={f} className="form-row">
                <span className="field-label">{f} =</span>
                <input value={filters[f] ?? ""} onChange={(e) => setFilters({ ...filters, [f]: e.target.value })} placeholder="any (a | b for either)" aria-label={`Filter ${f}`} />
              </label>
            ))}
            <label className="form-row">
              <span className="field-label">Limit</span>
              <input type="number" min={1} max={256} value={limit} onChange={(e) => setLimit(Math.max(1, Math.min(256, Number(e.target.value) || 10)))} aria-label="Limit" />
            </label>
            <label className="form-row">
              <span className="field-label">Method</span>
              <select value={method} onChange={(e) => setMethod(e.target.value)} aria-label="Method">
                <option value="auto">As ctx.vectorSearch</option>
                <option value="exact">Exact scan</option>
                <option value="approximate">Graph (approximate)</option>
              </select>
            </label>
            <button type="submit" className="primary" disabled={busy}>
              Search
            </button>
          </div>
        </form>
        {error && <div className="inline-error" role="alert">{error}</div>}
        {result && (
          <>
            <p className="muted" data-testid="vector-result-summary" ref={summary}>
              {result.hits.length} result{result.hits.length === 1 ? "" : "s"} of {result.candidates.toLocaleString("en-US")} candidate vectors · {result.approximate ? "graph search" : "exact scan"} · {result.took_ms.toFixed(2)} ms
            </p>
            <table className="inspector vector-results" data-testid="vector-results">
              <thead>
                <tr>
                  <th>#</th>
                  <th>Score</th>
                  <th>Document</th>
                  <th>Fields</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {result.hits.map((hit, i) => (
                  <tr key={hit.id}>
                    <td>{i + 1}</td>
                    <td className="score">
                      <span className="score-bar" style={{ width: `${Math.max(0, hit.score) * 60}px` }} />
                      {hit.score.toFixed(4)}
                    </td>
                    <td>
                      <DocumentLink table={index.table} id={hit.id} />
                    </td>
                    <td className="muted">{preview(hit.document, index.vector_field)}</td>
                    <td>
                      <button type="button" onClick={() => search(hit.id)} title="Search with this document's vector">
                        More like this
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </div>
      <RecallPanel index={index} filter={filterTerms(filters)} />
      <VectorMapPanel
        index={index}
        onPick={(id) => {
          reveal.current = true;
          search(id);
        }}
      />
    </>
  );
}
