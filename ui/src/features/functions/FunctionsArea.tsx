// The Functions area: the deployment's functions by module, and a runner — a form built
// from the function's argument validator (or the arguments as JSON), run as admin or
// acting as a user, with the result, log lines, duration and ConvexError data; queries can
// be kept live, each new version on a timeline with a diff from the one before; the last
// 25 runs of each function are kept (per deployment, in this browser or window).
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { MetricsPanel } from "./MetricsPanel";
import { type Confirmation, ConfirmDialog } from "../../components/ConfirmDialog";
import { JsonEditor } from "../../components/JsonEditor";
import type { ConnectionStatus, DryRunResult, FunctionInfo, FunctionList, ModuleSource, QueryVersion, RunResult } from "../../generated/studio";
import { useQuestion } from "../../lib/useQuestion";
import { call, errorMessage, onStudioEvent } from "../../platform";
import type { Json } from "../data/values";
import { type ArgField, buildArgs, diffLines, fieldsOf, textsOf, typeLabel } from "./argsForm";

const BADGE: Record<string, string> = { query: "Q", mutation: "M", action: "A" };
const DEFAULT_IDENTITY = '{\n  "subject": "user-1",\n  "issuer": "https://example.com",\n  "name": "Test User"\n}';

interface HistoryEntry {
  at: number;
  args: Record<string, Json>;
  ok: boolean;
}

function historyKey(deployment: string, path: string) {
  return `atrium.runs.${deployment}.${path}`;
}

function loadHistory(key: string): HistoryEntry[] {
  try {
    return JSON.parse(localStorage.getItem(key) ?? "[]") as HistoryEntry[];
  } catch {
    return [];
  }
}

export function FunctionsArea({ connection }: { connection?: ConnectionStatus }) {
  const deployment = connection?.deployment;
  const connected = connection?.state.state === "connected";
  const [list, setList] = useState<FunctionList>();
  const [error, setError] = useState<string>();
  const [search, setSearch] = useState("");
  const [selected, setSelected] = useState<string>();

  useEffect(() => {
    if (!connected) return;
    call("function_list")
      .then((l) => {
        setList(l);
        setError(undefined);
      })
      .catch((e) => setError(errorMessage(e)));
  }, [connected, deployment?.id]);

  const shown = (list?.functions ?? []).filter((f) => f.path.toLowerCase().includes(search.toLowerCase()));
  const byModule = new Map<string, FunctionInfo[]>();
  for (const f of shown) {
    const module = f.path.split(":")[0] ?? "";
    byModule.set(module, [...(byModule.get(module) ?? []), f]);
  }
  const fn = list?.functions.find((f) => f.path === selected);

  if (!deployment) {
    return (
      <section className="data-empty" data-testid="area-functions">
        <h2>No deployment connected</h2>
        <p className="muted">Open Connections (Alt+0) to choose one.</p>
      </section>
    );
  }

  return (
    <section className="functions-area" data-testid="area-functions">
      <aside className="table-list" aria-label="Functions">
        <input className="search" aria-label="Find a function" placeholder="Find a function" value={search} onChange={(e) => setSearch(e.target.value)} />
        {error && <div className="inline-error" role="alert">{error}</div>}
        <button className={selected === undefined ? "table-item active" : "table-item"} onClick={() => setSelected(undefined)} aria-current={selected === undefined}>
          <span className="table-name">Metrics overview</span>
        </button>
        {[...byModule].map(([module, fns]) => (
          <div key={module} className="fn-module">
            <div className="fn-module-name">{module}</div>
            <ul>
              {fns.map((f) => (
                <li key={f.path}>
                  <button className={f.path === selected ? "table-item active" : "table-item"} onClick={() => setSelected(f.path)} aria-current={f.path === selected}>
                    <span>
                      <span className={`log-type t-${f.kind}`}>{BADGE[f.kind] ?? "?"}</span> {f.path.split(":")[1]}
                    </span>
                    {f.visibility === "internal" && <span className="table-count">internal</span>}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        ))}
        {list && list.crons.length > 0 && (
          <div className="fn-module" data-testid="cron-jobs">
            <div className="fn-module-name">Cron jobs</div>
            <ul>
              {list.crons.map((c) => (
                <li key={c.name}>
                  <button className="table-item" title={`Runs ${c.function}`} onClick={() => setSelected(c.function)}>
                    <span>{c.name}</span>
                    <span className="table-count">{c.schedule}</span>
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
        {list && list.routes.length > 0 && (
          <div className="fn-module">
            <div className="fn-module-name">HTTP routes</div>
            <ul>
              {list.routes.map((r) => (
                <li key={`${r.method} ${r.path}`} className="fn-route">
                  <code>
                    {r.method} {r.path}
                  </code>
                </li>
              ))}
            </ul>
          </div>
        )}
      </aside>
      <div className="data-main">
        {fn ? (
          <Runner key={fn.path} fn={fn} deploymentId={deployment.id} confirmWrites={deployment.safe_mode === "confirm_writes"} />
        ) : (
          <>
            <p className="muted runner-hint">Choose a function to run it.</p>
            <MetricsPanel onPick={setSelected} />
          </>
        )}
      </div>
    </section>
  );
}

function Runner({ fn, deploymentId, confirmWrites }: { fn: FunctionInfo; deploymentId: string; confirmWrites: boolean }) {
  const fields = useMemo(() => fieldsOf(fn.args), [fn.args]);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [jsonMode, setJsonMode] = useState(fields === null);
  const [jsonText, setJsonText] = useState("{}");
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [actAs, setActAs] = useState(false);
  const [identity, setIdentity] = useState(DEFAULT_IDENTITY);
  const [result, setResult] = useState<RunResult>();
  const [dry, setDry] = useState<DryRunResult>();
  const [runError, setRunError] = useState<string>();
  const [running, setRunning] = useState(false);
  const key = historyKey(deploymentId, fn.path);
  const [history, setHistory] = useState<HistoryEntry[]>(() => loadHistory(key));
  const [watch, setWatch] = useState<number>();
  const [versions, setVersions] = useState<QueryVersion[]>([]);
  const [shownVersion, setShownVersion] = useState<number>();
  const watchRef = useRef<number | undefined>(undefined);
  // Updates can arrive before `watch_query` answers with their ID: held here until then.
  const early = useRef(new Map<number, QueryVersion[]>());
  const confirm = useQuestion<Confirmation, boolean>();

  const currentArgs = (): Record<string, Json> | null => {
    if (jsonMode || !fields) {
      try {
        const parsed = JSON.parse(jsonText) as Json;
        if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("the arguments must be an object");
        setRunError(undefined);
        return parsed as Record<string, Json>;
      } catch (e) {
        setRunError(`Arguments: ${(e as Error).message}`);
        return null;
      }
    }
    const built = buildArgs(fields, texts);
    setFieldErrors(built.errors);
    return Object.keys(built.errors).length ? null : built.args;
  };

  const identityOrNull = (): Record<string, unknown> | null | false => {
    if (!actAs) return null;
    try {
      return JSON.parse(identity) as Record<string, unknown>;
    } catch {
      setRunError("The user identity is not valid JSON.");
      return false;
    }
  };

  const dryRun = async () => {
    const args = currentArgs();
    const who = identityOrNull();
    if (!args || who === false) return;
    setRunning(true);
    setRunError(undefined);
    try {
      const r = await call("dry_run_function", { path: fn.path, kind: fn.kind, args, identity: who, confirmed: false });
      setDry(r);
      setResult(undefined);
    } catch (e) {
      setRunError(errorMessage(e));
    } finally {
      setRunning(false);
    }
  };

  const run = async () => {
    const args = currentArgs();
    if (!args) return;
    setDry(undefined);
    const who = identityOrNull();
    if (who === false) return;
    if (confirmWrites && fn.kind !== "query" && !(await confirm.ask({ title: `Run ${fn.path}`, message: "This connection asks before every write. Run it?", confirmLabel: "Run" }))) return;
    setRunning(true);
    setRunError(undefined);
    try {
      const r = await call("run_function", { path: fn.path, kind: fn.kind, args, identity: who, confirmed: confirmWrites });
      setResult(r);
      const next = [{ at: Date.now(), args, ok: r.ok }, ...history].slice(0, 25);
      setHistory(next);
      localStorage.setItem(key, JSON.stringify(next));
    } catch (e) {
      setRunError(errorMessage(e));
    } finally {
      setRunning(false);
    }
  };

  const stopWatch = useCallback(() => {
    if (watchRef.current !== undefined) void call("unwatch_query", { watch: watchRef.current }).catch(() => {});
    watchRef.current = undefined;
    setWatch(undefined);
  }, []);

  const startWatch = async () => {
    const args = currentArgs();
    const who = identityOrNull();
    if (!args || who === false) return;
    stopWatch();
    setVersions([]);
    setShownVersion(undefined);
    try {
      const w = await call("watch_query", { path: fn.path, args, identity: who });
      watchRef.current = w.watch;
      setWatch(w.watch);
      setVersions(early.current.get(w.watch) ?? []);
      early.current.clear();
    } catch (e) {
      setRunError(errorMessage(e));
    }
  };

  useEffect(
    () =>
      onStudioEvent((event) => {
        if (event.type !== "query_watch_update") return;
        if (event.update.watch === watchRef.current) setVersions((v) => [...v, event.update].slice(-100));
        else if (watchRef.current === undefined || event.update.watch > watchRef.current) {
          const held = early.current.get(event.update.watch) ?? [];
          early.current.set(event.update.watch, [...held, event.update].slice(-100));
        }
      }),
    [],
  );
  useEffect(() => stopWatch, [stopWatch]);

  const onKey = (e: React.KeyboardEvent) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void run();
    }
  };

  const restore = (entry: HistoryEntry) => {
    if (fields && !jsonMode) setTexts(textsOf(fields, entry.args));
    else setJsonText(JSON.stringify(entry.args, null, 2));
  };

  const shown = versions.find((v) => v.version === shownVersion) ?? versions.at(-1);
  const previous = shown ? versions.find((v) => v.version === shown.version - 1) : undefined;

  return (
    <div className="runner" onKeyDown={onKey} data-testid="runner">
      <div className="toolbar">
        <h2 className="table-title">
          <code>{fn.path}</code>
        </h2>
        <span className="deployment-kind">{fn.kind}</span>
        {fn.visibility === "internal" && <span className="deployment-kind">internal</span>}
        <div className="toolbar-spacer" />
        {fields && (
          <label className="toggle">
            <input
              type="checkbox"
              checked={jsonMode}
              onChange={(e) => {
                if (e.target.checked) setJsonText(JSON.stringify(buildArgs(fields, texts).args, null, 2));
                setJsonMode(e.target.checked);
              }}
            />{" "}
            Arguments as JSON
          </label>
        )}
      </div>

      <SourceView path={fn.path} />

      {!jsonMode && fields ? (
        <div className="args-form" role="group" aria-label="Arguments">
          {fields.length === 0 && <p className="muted">No arguments.</p>}
          {fields.map((field: ArgField) => (
            <label key={field.name} className="arg-field">
              <span className="arg-name">
                {field.name}
                {field.optional ? "?" : ""} <span className="muted">{typeLabel(field.validator)}</span>
              </span>
              {field.validator.type === "boolean" ? (
                <select aria-label={field.name} value={texts[field.name] ?? ""} onChange={(e) => setTexts({ ...texts, [field.name]: e.target.value })}>
                  {field.optional && <option value="">(unset)</option>}
                  <option value="true">true</option>
                  <option value="false">false</option>
                </select>
              ) : (
                <input
                  aria-label={field.name}
                  value={texts[field.name] ?? ""}
                  placeholder={field.validator.type === "bigint" ? "e.g. 12" : ["string", "id", "number"].includes(field.validator.type) ? "" : "JSON"}
                  onChange={(e) => setTexts({ ...texts, [field.name]: e.target.value })}
                />
              )}
              {fieldErrors[field.name] && <span className="inline-error">{fieldErrors[field.name]}</span>}
            </label>
          ))}
        </div>
      ) : (
        <JsonEditor value={jsonText} onChange={setJsonText} label="Arguments JSON" />
      )}

      <div className="run-bar">
        <label className="toggle">
          <input type="checkbox" checked={actAs} onChange={(e) => setActAs(e.target.checked)} /> Act as a user
        </label>
        <button className="primary" onClick={run} disabled={running} title="Ctrl+Enter">
          {running ? "Running…" : `Run ${fn.kind}`}
        </button>
        {fn.kind === "mutation" && (
          <button onClick={dryRun} disabled={running} title="Run it and roll it back: see what it would write">
            Dry run
          </button>
        )}
        {fn.kind === "query" &&
          (watch === undefined ? (
            <button onClick={startWatch}>Keep live</button>
          ) : (
            <button onClick={stopWatch}>Stop live</button>
          ))}
      </div>
      {actAs && <textarea className="identity" aria-label="User identity" value={identity} onChange={(e) => setIdentity(e.target.value)} rows={5} />}
      {runError && <div className="inline-error" role="alert">{runError}</div>}

      {result && (
        <div className={`run-result${result.ok ? "" : " failed"}`} data-testid="run-result">
          <div className="run-head">
            <strong>{result.ok ? "Result" : "Error"}</strong>
            <span className="muted">{result.duration_ms.toFixed(1)} ms</span>
          </div>
          {result.ok ? <pre data-testid="run-value">{JSON.stringify(result.value, null, 2)}</pre> : <pre className="error-text">{result.error}</pre>}
          {result.error_data !== null && (
            <>
              <div className="muted">ConvexError data</div>
              <pre data-testid="run-error-data">{JSON.stringify(result.error_data, null, 2)}</pre>
            </>
          )}
          {result.log_lines.length > 0 && (
            <>
              <div className="muted">Logs</div>
              <pre className="run-logs">{result.log_lines.join("\n")}</pre>
            </>
          )}
        </div>
      )}

      {dry && (
        <div className={`run-result${dry.run?.ok === false ? " failed" : ""}`} data-testid="dry-run">
          {!dry.available ? (
            <p className="muted">This deployment cannot dry-run mutations (Atrium's local engine can).</p>
          ) : (
            <>
              <div className="run-head">
                <strong>Dry run — nothing was saved</strong>
                <span className="muted">
                  {dry.writes.length} document{dry.writes.length === 1 ? "" : "s"} would change · {dry.run?.duration_ms.toFixed(1)} ms
                </span>
              </div>
              {dry.run?.ok ? <pre>{JSON.stringify(dry.run.value, null, 2)}</pre> : <pre className="error-text">{dry.run?.error}</pre>}
              {dry.writes.map((w) => (
                <div key={w.id} className="dry-write">
                  <div>
                    <strong>{w.before === null ? "insert" : w.after === null ? "delete" : "update"}</strong> <code>{w.table}</code>{" "}
                    <span className="muted">{w.id}</span>
                  </div>
                  <DiffView before={w.before} after={w.after} />
                </div>
              ))}
            </>
          )}
        </div>
      )}

      {watch !== undefined && (
        <div className="live-panel" data-testid="live-panel">
          <div className="run-head">
            <strong>Live</strong>
            <span className="muted">{versions.length} version{versions.length === 1 ? "" : "s"}</span>
          </div>
          <ol className="timeline">
            {versions.map((v) => (
              <li key={v.version}>
                <button className={v === shown ? "active" : ""} onClick={() => setShownVersion(v.version)}>
                  v{v.version} · {new Date(v.received_ms).toLocaleTimeString()}
                </button>
              </li>
            ))}
          </ol>
          {shown && (
            shown.error ? (
              <pre className="diff error-text" data-testid="live-diff">
                {shown.error}
              </pre>
            ) : (
              <DiffView before={previous ? previous.value : null} after={shown.value} testId="live-diff" />
            )
          )}
        </div>
      )}

      {confirm.pending && <ConfirmDialog request={confirm.pending} onAnswer={confirm.answer} />}

      <MetricsView fn={fn.path} />

      {history.length > 0 && (
        <details className="history-list">
          <summary>Run history ({history.length})</summary>
          <ol>
            {history.map((h) => (
              <li key={h.at}>
                <button onClick={() => restore(h)}>
                  {new Date(h.at).toLocaleTimeString()} {h.ok ? "ok" : "failed"} — <code>{JSON.stringify(h.args)}</code>
                </button>
              </li>
            ))}
          </ol>
        </details>
      )}
    </div>
  );
}

/** The function's metrics, computed when opened. */
function MetricsView({ fn }: { fn: string }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="metrics-view" onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>Metrics</summary>
      {open && <MetricsPanel fn={fn} />}
    </details>
  );
}

/** The function's module source, loaded when opened. */
function SourceView({ path }: { path: string }) {
  const [source, setSource] = useState<ModuleSource>();
  const [error, setError] = useState<string>();
  const load = () => {
    if (source) return;
    call("function_source", { module: path })
      .then(setSource)
      .catch((e) => setError(errorMessage(e)));
  };
  return (
    <details className="source-view" onToggle={(e) => (e.currentTarget as HTMLDetailsElement).open && load()}>
      <summary>Source{source?.available ? ` — ${source.path}` : ""}</summary>
      {error && <div className="inline-error">{error}</div>}
      {source && !source.available && <p className="muted">This deployment does not serve its source.</p>}
      {source?.available && <pre data-testid="function-source">{source.source}</pre>}
    </details>
  );
}

/** Two JSON values as a line diff (null: nothing there). */
function DiffView({ before, after, testId }: { before: unknown; after: unknown; testId?: string }) {
  const text = (v: unknown) => (v === null ? "" : JSON.stringify(v, null, 2));
  return (
    <pre className="diff" data-testid={testId}>
      {diffLines(text(before), text(after))
        .filter((l) => l.text !== "")
        .map((line, i) => (
          <div key={i} className={`diff-${line.kind}`}>
            {line.kind === "added" ? "+ " : line.kind === "removed" ? "- " : "  "}
            {line.text}
          </div>
        ))}
    </pre>
  );
}
