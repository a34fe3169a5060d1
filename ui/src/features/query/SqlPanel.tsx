// SQL over the connected deployment's tables: the studio loads the tables a statement names
// into polars frames (with progress), runs it, and keeps the result; the grid reads its
// rows by offset. Loaded tables reload when the deployment changes them, and the last
// statement runs again. Results (or whole tables) export to CSV, JSON Lines or Parquet.
import { useCallback, useEffect, useEffectEvent, useMemo, useRef, useState } from "react";
import type { ExportFormat, LoadedTableInfo, LoadProgress, SqlError, SqlResultInfo, StudioEvent, TableSummary } from "../../generated/studio";
import { useLatestCall } from "../../lib/useLatestCall";
import { call, errorMessage, onStudioEvent } from "../../platform";
import { CodeEditor } from "../../components/CodeEditor";
import { formatBytes } from "../../components/formatBytes";
import { DocumentPanel } from "../data/DocumentPanel";
import { useExportProgress } from "../../state/useExportProgress";
import { HistoryList, ResultGrid, SavedQueries } from "./shared";
import type { Doc } from "../data/values";
import { clearRequestedQuery, loadHistory, remember, requestedQuery } from "./queryHistory";

const FORMATS: ExportFormat[] = ["csv", "jsonl", "parquet"];

export function SqlPanel({ deploymentId }: { deploymentId: string }) {
  const [text, setText] = useState(() => requestedQuery("sql") ?? "");
  useEffect(clearRequestedQuery, []);
  const [tables, setTables] = useState<TableSummary[]>([]);
  const [loaded, setLoaded] = useState<Record<string, LoadedTableInfo>>({});
  const [progress, setProgress] = useState<LoadProgress>();
  const [result, setResult] = useState<SqlResultInfo>();
  const [sqlError, setSqlError] = useState<SqlError>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [running, setRunning] = useState(false);
  const [rows, setRows] = useState<{ result: number; offset: number; rows: Doc[] }>();
  const [panel, setPanel] = useState<string>();
  const [mark, setMark] = useState<{ line: number; column: number; message: string } | null>();
  const [history, setHistory] = useState<string[]>(() => loadHistory(deploymentId, "sql"));
  const [naming, setNaming] = useState(false);
  const exporting = useExportProgress();
  const lastRun = useRef<string | undefined>(undefined);
  const range = useRef({ start: 0, count: 60 });
  const latestRun = useLatestCall(); // only the newest run's answer counts

  useEffect(() => {
    call("data_tables")
      .then((t) => {
        setTables(t);
        setText((current) => current || (t[0] ? `SELECT * FROM ${t[0].name} LIMIT 100` : ""));
      })
      .catch((e) => setError(errorMessage(e)));
    call("sql_tables")
      .then((t) => setLoaded(Object.fromEntries(t.map((i) => [i.name, i]))))
      .catch(() => {});
  }, [deploymentId]);

  const fetchRows = useCallback((id: number) => {
    const { start, count } = range.current;
    call("sql_rows", { result: id, offset: start, limit: count })
      .then((r) => setRows({ result: id, offset: start, rows: r.rows as Doc[] }))
      .catch((e) => setError(errorMessage(e)));
  }, []);

  const run = useCallback(
    async (statement: string, reason?: string) => {
      if (!statement.trim()) return;
      const isNewest = latestRun.begin();
      setRunning(true);
      setError(undefined);
      try {
        const outcome = await call("sql_run", { sql: statement });
        if (!isNewest()) return;
        lastRun.current = statement;
        setSqlError(outcome.error ?? undefined);
        setMark(outcome.error?.line ? { line: outcome.error.line, column: outcome.error.column ?? 1, message: outcome.error.message } : null);
        if (outcome.error) {
          // The result below belonged to the statement before: it goes, rather than pass for this one's.
          setResult(undefined);
          setRows(undefined);
        }
        if (outcome.result) {
          const info = outcome.result;
          setResult(info);
          setLoaded((l) => ({ ...l, ...Object.fromEntries(info.tables.map((t) => [t.name, t])) }));
          range.current = { start: 0, count: range.current.count };
          fetchRows(info.result);
          setNotice(reason);
          if (!reason) setHistory(remember(deploymentId, "sql", statement));
        }
      } catch (e) {
        if (isNewest()) setError(errorMessage(e));
      } finally {
        if (isNewest()) {
          setRunning(false);
          setProgress(undefined);
        }
      }
    },
    [deploymentId, fetchRows, latestRun],
  );

  // Loading progress; a loaded table the deployment changed was read again: run again.
  const onEvent = useEffectEvent((event: StudioEvent) => {
    if (event.type === "sql_load_progress") setProgress(event.progress);
    if (event.type === "sql_table_reloaded") {
      setLoaded((l) => ({ ...l, [event.table.name]: event.table }));
      const used = result?.tables.some((t) => t.name === event.table.name);
      if (used && lastRun.current) void run(lastRun.current, `Updated: ${event.table.name} changed on the deployment.`);
    }
  });
  useEffect(() => onStudioEvent((event) => onEvent(event)), []);

  const exportAs = async (format: ExportFormat, table?: string) => {
    try {
      setNotice(`Exporting${table ? ` ${table}` : ""} as ${format.toUpperCase()}…`);
      const done = await call("sql_export", { result: table ? null : result!.result, table: table ?? null, format });
      setNotice(`Saved ${done.rows.toLocaleString()} rows (${formatBytes(done.bytes)}) to ${done.path}`);
    } catch (e) {
      setNotice(errorMessage(e));
    }
  };

  const rowAt = (index: number): Doc | undefined =>
    rows && result && rows.result === result.result && index >= rows.offset && index < rows.offset + rows.rows.length ? rows.rows[index - rows.offset] : undefined;

  const notes = result?.tables.flatMap((t) => t.notes) ?? [];
  // Completion: every table, with the columns of those loaded.
  const schema = useMemo(
    () => Object.fromEntries(tables.map((t) => [t.name, loaded[t.name]?.columns ?? []])),
    [tables, loaded],
  );

  return (
    <div className="sql-panel">
      <aside className="table-list" aria-label="Tables for SQL">
        <SavedQueries deploymentId={deploymentId} language="sql" text={text} onPick={setText} naming={naming} onNamed={() => setNaming(false)} />
        <div className="fn-module-name">Tables</div>
        {tables.map((t) => {
          const info = loaded[t.name];
          return (
            <div key={t.name} className="sql-table" data-table={t.name}>
              <button className="table-item" title="Query this table" onClick={() => setText(`SELECT * FROM ${t.name} LIMIT 100`)}>
                <span className="table-name">{t.name}</span>
                <span className="table-count">{info ? `${info.documents.toLocaleString()} loaded` : t.count.toLocaleString()}</span>
              </button>
              {info && (
                <div className="muted sql-columns" title={info.columns.join(", ")}>
                  {info.columns.filter((c) => !c.startsWith("_")).join(", ")}
                </div>
              )}
            </div>
          );
        })}
        <HistoryList history={history} onPick={setText} />
      </aside>
      <div className="data-main sql-main">
        <CodeEditor value={text} onChange={setText} label="SQL" language="sql" onRun={() => void run(text)} mark={mark} schema={schema} />
        <div className="toolbar">
          <button className="primary" onClick={() => void run(text)} disabled={running} title="Ctrl+Enter">
            {running ? "Running…" : "Run SQL"}
          </button>
          {progress && (
            <span className="sql-progress" role="status" data-testid="sql-progress">
              Loading {progress.table}: {progress.loaded.toLocaleString()} / {progress.total.toLocaleString()}
              <progress max={progress.total || 1} value={progress.loaded} />
            </span>
          )}
          <button onClick={() => setNaming(true)}>Save…</button>
          <div className="toolbar-spacer" />
          {FORMATS.map((f) => (
            <button key={f} disabled={!result} onClick={() => void exportAs(f)} title={`Save the result as ${f.toUpperCase()}`}>
              Export {f.toUpperCase()}
            </button>
          ))}
        </div>
        {result && (
          <div className="muted cost-line" data-testid="sql-status">
            {result.rows.toLocaleString()} row{result.rows === 1 ? "" : "s"} · {result.run_ms.toFixed(1)} ms ·{" "}
            {result.tables.map((t) => `${t.name} (${t.documents.toLocaleString()} documents, loaded ${new Date(t.loaded_at).toLocaleTimeString()})`).join(", ")}
          </div>
        )}
        {sqlError && (
          <div className="inline-error" role="alert" data-testid="sql-error">
            {sqlError.line ? `Line ${sqlError.line}, column ${sqlError.column}: ` : ""}
            {sqlError.message}
          </div>
        )}
        {error && <div className="inline-error" role="alert">{error}</div>}
        {notice && (
          <div className="notice" role="status" data-testid="sql-notice">
            {notice}
            <button onClick={() => setNotice(undefined)} aria-label="Dismiss">
              ×
            </button>
          </div>
        )}
        {exporting && (
          <div className="notice" role="status" data-testid="export-progress">
            {exporting}
          </div>
        )}
        {notes.map((n) => (
          <div key={n} className="notice" role="note">
            {n}
          </div>
        ))}
        {result && (
          <ResultGrid
            key={result.result}
            columns={result.columns}
            total={result.rows}
            rowAt={rowAt}
            onRange={(start, count) => {
              range.current = { start, count };
              fetchRows(result.result);
            }}
            onOpenDocument={setPanel}
          />
        )}
      </div>
      {panel && <DocumentPanel id={panel} onClose={() => setPanel(undefined)} onOpen={setPanel} canWrite={false} write={async () => "Read-only here."} version={0} />}
    </div>
  );
}
