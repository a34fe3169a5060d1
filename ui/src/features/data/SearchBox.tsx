// The Data area's search box: text searched in one of the table's search indexes (with
// its filter fields as equalities), results in relevance order with their scores. Shown
// only for a table that has a search index; results are read again as the deployment
// changes (`version`) and as the text or filters change.
import { useEffect, useState } from "react";
import type { IndexSummary, TextSearchResult } from "../../generated/studio";
import { call, errorMessage } from "../../platform";
import { type Doc, formatValue, parseInput } from "./values";

interface SearchBoxProps {
  table: string;
  indexes: IndexSummary[];
  version: number;
  onOpenDocument(id: string): void;
}

export function SearchBox({ table, indexes, version, onOpenDocument }: SearchBoxProps) {
  const searchable = indexes.filter((i) => i.search_field);
  const [indexName, setIndexName] = useState(searchable[0]?.name ?? "");
  const [text, setText] = useState("");
  const [filters, setFilters] = useState<Record<string, string>>({});
  const [result, setResult] = useState<TextSearchResult>();
  const [error, setError] = useState<string>();
  const index = searchable.find((i) => i.name === indexName) ?? searchable[0];

  useEffect(() => {
    setText("");
    setFilters({});
    setResult(undefined);
    setIndexName(searchable[0]?.name ?? "");
    // eslint-disable-next-line react-hooks/exhaustive-deps -- a new table starts a new search
  }, [table]);

  useEffect(() => {
    if (!index || !text.trim()) {
      setResult(undefined);
      setError(undefined);
      return;
    }
    let current = true;
    const terms = Object.entries(filters)
      .filter(([, value]) => value.trim() !== "")
      .map(([field, value]) => ({ field, value: parseInput(value, false) }));
    const timer = setTimeout(() => {
      call("data_search", { table, index: index.name, text, filters: terms, limit: 50 })
        .then((r) => current && (setResult(r), setError(undefined)))
        .catch((e) => current && (setResult(undefined), setError(errorMessage(e))));
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [table, index, text, filters, version]);

  if (!index) return null;
  const field = index.search_field ?? "";
  return (
    <div className="search-box" data-testid="search-box">
      <div className="search-inputs">
        {searchable.length > 1 ? (
          <select aria-label="Search index" value={index.name} onChange={(e) => setIndexName(e.target.value)}>
            {searchable.map((i) => (
              <option key={i.name} value={i.name}>
                {i.name}
              </option>
            ))}
          </select>
        ) : (
          <span className="search-index" title="The search index used">
            {index.name}
          </span>
        )}
        <input
          type="search"
          aria-label={`Search ${field}`}
          placeholder={`Search ${field}…`}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        {index.filter_fields.map((f) => (
          <label key={f} className="search-filter" title="Only documents whose field equals this (JSON, or a bare word as a string)">
            <code>{f}</code> =
            <input aria-label={`Filter ${f}`} placeholder="any" value={filters[f] ?? ""} onChange={(e) => setFilters((all) => ({ ...all, [f]: e.target.value }))} />
          </label>
        ))}
      </div>
      {error && (
        <div className="inline-error" role="alert">
          {error}
        </div>
      )}
      {result && !result.offered && (
        <p className="muted" data-testid="search-unavailable">
          This deployment does not offer search from the dashboard: Convex searches only inside functions. Search inside a query function (Functions area), or on Atrium&apos;s local engine.
        </p>
      )}
      {result?.offered && (
        <div className="search-results" data-testid="search-results">
          <p className="muted">
            {result.rows.length === 0 ? "No documents match." : `${result.rows.length} most relevant first · index ${index.name}`}
          </p>
          {result.rows.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th>Score</th>
                  <th>{field}</th>
                  {index.filter_fields.map((f) => (
                    <th key={f}>{f}</th>
                  ))}
                  <th>_id</th>
                </tr>
              </thead>
              <tbody>
                {(result.rows as Doc[]).map((row, i) => (
                  <tr key={String(row._id)} data-testid="search-hit" onClick={() => onOpenDocument(String(row._id))}>
                    <td className="num">{(result.scores[i] ?? 0).toFixed(3)}</td>
                    <td>{formatValue(row[field] as Doc[string], 120)}</td>
                    {index.filter_fields.map((f) => (
                      <td key={f}>{formatValue(row[f] as Doc[string], 40)}</td>
                    ))}
                    <td className="mono">{String(row._id)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </div>
  );
}
