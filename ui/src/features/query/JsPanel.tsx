// JavaScript queries: a query body written like a Convex function (`async (ctx) => …`)
// run read-only on the deployment, once or kept live, with its cost — documents and bytes
// read against Convex's limits, the indexes it used, rows returned. Arrays of objects show
// in the grid; anything else as JSON.
import { useEffect, useMemo, useRef, useState } from "react";
import type { QueryVersion } from "../../generated/studio";
import { call, errorMessage, onStudioEvent } from "../../platform";
import { CodeEditor } from "../../components/CodeEditor";
import { formatBytes } from "../../components/formatBytes";
import type { Doc, Json } from "../data/values";
import { DocumentPanel } from "../data/DocumentPanel";
import { HistoryList, ResultGrid, SavedQueries } from "./shared";
import { clearRequestedQuery, loadHistory, remember, requestedQuery } from "./queryHistory";

interface Cost {
  documentsRead: number;
  documentsReadLimit: number;
  bytesRead: number;
  bytesReadLimit: number;
  returned: number;
  indexes: string[];
  executionMs: number;
}

/** The deployment's answer to an ad-hoc query (exported for tests). */
export interface Answer {
  value?: Json;
  error?: string;
  errorData?: Json;
  logLines: string[];
  cost?: Cost;
}


/** The cost line: what the query read against Convex's limits (exported for tests). */
export function costLine(cost: Cost): string {
  const percent = (used: number, limit: number) => `${((100 * used) / limit).toFixed(used / limit < 0.01 ? 2 : 0)}%`;
  const indexes = cost.indexes.length ? `index ${cost.indexes.join(", ")}` : "no index";
  return (
    `Read ${cost.documentsRead.toLocaleString("en-US")} document${cost.documentsRead === 1 ? "" : "s"} (${percent(cost.documentsRead, cost.documentsReadLimit)} of the ${cost.documentsReadLimit.toLocaleString("en-US")} limit), ` +
    `${formatBytes(cost.bytesRead)} (${percent(cost.bytesRead, cost.bytesReadLimit)} of ${formatBytes(cost.bytesReadLimit)}) · ${indexes} · returned ${cost.returned.toLocaleString("en-US")} · ${cost.executionMs.toFixed(1)} ms`
  );
}

/** The grid's columns for an array of objects (`_id`, `_creationTime` first), or null. */
export function tableColumns(value: Json | undefined): string[] | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  if (!value.every((v) => v !== null && typeof v === "object" && !Array.isArray(v))) return null;
  const seen = new Set<string>();
  for (const row of value as Doc[]) for (const k of Object.keys(row)) seen.add(k);
  const system = ["_id", "_creationTime"].filter((c) => seen.has(c));
  return [...system, ...[...seen].filter((c) => !c.startsWith("_"))];
}

const template = (table: string) => `async (ctx) => {\n  return await ctx.db.query("${table}").order("desc").take(20);\n}\n`;

export function JsPanel({ deploymentId, firstTable }: { deploymentId: string; firstTable?: string }) {
  const [text, setText] = useState(() => requestedQuery("js") ?? loadHistory(deploymentId, "js")[0] ?? template(firstTable ?? "tasks"));
  useEffect(clearRequestedQuery, []);
  const [answer, setAnswer] = useState<Answer>();
  const [unavailable, setUnavailable] = useState(false);
  const [error, setError] = useState<string>();
  const [running, setRunning] = useState(false);
  const [live, setLive] = useState<{ watch: number; version: number; at: number }>();
  const [history, setHistory] = useState(() => loadHistory(deploymentId, "js"));
  const [naming, setNaming] = useState(false);
  const [panel, setPanel] = useState<string>();
  const [mark, setMark] = useState<{ line: number; column: number; message: string } | null>();
  // The live watch, for event handlers and the unmount: set with `live` where it starts and stops.
  const liveRef = useRef(live);

  const stopLive = () => {
    const current = liveRef.current;
    if (current) void call("unwatch_query", { watch: current.watch }).catch(() => {});
    liveRef.current = undefined;
    setLive(undefined);
  };
  useEffect(() => () => stopLive(), []);

  // Updates can arrive before `watch_js_query` has answered with their watch ID: the
  // newest of each unknown watch is held until the answer comes.
  const early = useRef(new Map<number, QueryVersion>());
  const apply = (update: QueryVersion) => {
    if (update.error) setError(update.error);
    else setAnswer(update.value as unknown as Answer);
    setLive((l) => l && { ...l, version: update.version, at: update.received_ms });
  };
  useEffect(
    () =>
      onStudioEvent((event) => {
        if (event.type !== "query_watch_update") return;
        if (event.update.watch === liveRef.current?.watch) apply(event.update);
        else early.current.set(event.update.watch, event.update);
      }),
    [],
  );

  const showError = (e: unknown) => {
    const message = errorMessage(e);
    setError(message);
    // The answer below belonged to the query before: it goes, rather than pass for this one's.
    setAnswer(undefined);
    const at = /query\.ts:(\d+):(\d+)/.exec(message);
    setMark(at ? { line: Number(at[1]), column: Number(at[2]), message } : null);
  };

  const run = async () => {
    stopLive();
    setRunning(true);
    setError(undefined);
    try {
      const result = await call("run_js_query", { source: text });
      setMark(null);
      setUnavailable(!result.available);
      setAnswer(result.available ? (result.answer as Answer) : undefined);
      setHistory(remember(deploymentId, "js", text));
    } catch (e) {
      showError(e);
    } finally {
      setRunning(false);
    }
  };

  const keepLive = async () => {
    stopLive();
    setError(undefined);
    try {
      const ref = await call("watch_js_query", { source: text });
      const started = { watch: ref.watch, version: 0, at: Date.now() };
      liveRef.current = started;
      setLive(started);
      const held = early.current.get(ref.watch);
      early.current.clear();
      if (held) apply(held);
      setHistory(remember(deploymentId, "js", text));
    } catch (e) {
      showError(e);
    }
  };

  const columns = useMemo(() => tableColumns(answer?.value), [answer]);
  const rows = (answer?.value ?? []) as Doc[];

  return (
    <div className="sql-panel">
      <aside className="table-list" aria-label="Saved JavaScript queries">
        <SavedQueries deploymentId={deploymentId} language="js" text={text} onPick={setText} naming={naming} onNamed={() => setNaming(false)} />
        <HistoryList history={history} onPick={setText} />
      </aside>
      <div className="data-main sql-main">
        <CodeEditor value={text} onChange={setText} label="JavaScript query" language="javascript" onRun={() => void run()} mark={mark} />
        <div className="toolbar">
          <button className="primary" onClick={() => void run()} disabled={running} title="Ctrl+Enter">
            {running ? "Running…" : "Run query"}
          </button>
          {live ? (
            <button onClick={stopLive}>Stop live</button>
          ) : (
            <button onClick={() => void keepLive()} title="Run it again whenever what it read changes">
              Keep live
            </button>
          )}
          <button onClick={() => setNaming(true)}>Save…</button>
          {live && (
            <span className="live-pill on" data-testid="js-live">
              <span className="state-dot" aria-hidden="true" />
              Live · version {live.version}
            </span>
          )}
        </div>
        {unavailable && (
          <div className="notice" role="status">
            This deployment cannot run ad-hoc queries: Atrium's engine offers them (`_system/atrium/queryFromSource`); a Convex deployment does not. Use the Functions area to run its
            own queries.
          </div>
        )}
        {error && (
          <div className="inline-error" role="alert" data-testid="js-error">
            {error}
          </div>
        )}
        {answer?.cost && (
          <div className="muted cost-line" data-testid="js-cost">
            {costLine(answer.cost)}
          </div>
        )}
        {answer?.error && (
          <div className="inline-error" role="alert">
            {answer.error}
            {answer.errorData != null && <pre>{JSON.stringify(answer.errorData, null, 2)}</pre>}
          </div>
        )}
        {answer && answer.logLines.length > 0 && <pre className="run-logs">{answer.logLines.join("\n")}</pre>}
        {answer && answer.value !== undefined && columns ? (
          <ResultGrid key={columns.join(",")} columns={columns} total={rows.length} rowAt={(i) => rows[i]} onOpenDocument={setPanel} />
        ) : (
          answer && answer.value !== undefined && <pre data-testid="js-value">{JSON.stringify(answer.value, null, 2)}</pre>
        )}
      </div>
      {panel && <DocumentPanel id={panel} onClose={() => setPanel(undefined)} onOpen={setPanel} canWrite={false} write={async () => "Read-only here."} version={0} />}
    </div>
  );
}
