// The runner of one function: arguments from a form built from its validator (or as JSON),
// run as admin or acting as a user (an identity written as JSON, or a pasted JWT the
// deployment verifies), dry-run (mutations) or kept live (queries); the last
// 25 runs are kept per deployment and function, in this browser or window.
import { useMemo, useState } from "react";
import { type Confirmation, ConfirmDialog } from "../../components/ConfirmDialog";
import { JsonEditor } from "../../components/JsonEditor";
import type { DryRunResult, FunctionInfo, RunResult } from "../../generated/studio";
import { useQuestion } from "../../lib/useQuestion";
import { call, errorMessage } from "../../platform";
import type { Json } from "../data/values";
import { ArgsForm } from "./ArgsForm";
import { buildArgs, fieldsOf, textsOf } from "./argsForm";
import { MetricsView, SourceView } from "./FunctionDetails";
import { TokenPanel } from "./TokenPanel";
import { useTokenCheck } from "./useTokenCheck";
import { DryRunView, LivePanel, RunResultView } from "./RunOutput";
import { isPaginated, type PageOpts } from "./pagination";
import { PaginationBar } from "./PaginationBar";
import { useQueryWatch } from "./useQueryWatch";

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

export function Runner({
  fn,
  component = "",
  deploymentId,
  confirmWrites,
}: {
  fn: FunctionInfo;
  /** The component instance `fn` belongs to (its path; `""` for the app). */
  component?: string;
  deploymentId: string;
  confirmWrites: boolean;
}) {
  const fields = useMemo(() => fieldsOf(fn.args), [fn.args]);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [jsonMode, setJsonMode] = useState(fields === null);
  const [jsonText, setJsonText] = useState("{}");
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [actAs, setActAs] = useState(false);
  const [identity, setIdentity] = useState(DEFAULT_IDENTITY);
  const [actAsToken, setActAsToken] = useState(false);
  const tokens = useTokenCheck(actAs && actAsToken);
  const [result, setResult] = useState<RunResult>();
  const [dry, setDry] = useState<DryRunResult>();
  const [runError, setRunError] = useState<string>();
  const [running, setRunning] = useState(false);
  const key = historyKey(deploymentId, component ? `${component}/${fn.path}` : fn.path);
  const [history, setHistory] = useState<HistoryEntry[]>(() => loadHistory(key));
  const live = useQueryWatch(fn.path);
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

  // The user to act as: none, the identity JSON, or the verified token's identity (a
  // refused token stops the run; the panel shows why).
  const identityOrNull = async (): Promise<Record<string, unknown> | null | false> => {
    if (!actAs) return null;
    if (actAsToken) {
      const verdict = await tokens.verify();
      if (!verdict?.ok || !verdict.identity) {
        // What ran before ran as someone else: not this token's result.
        setResult(undefined);
        setDry(undefined);
        setRunError("The token was refused: see why below the token.");
        return false;
      }
      return verdict.identity;
    }
    try {
      return JSON.parse(identity) as Record<string, unknown>;
    } catch {
      setRunError("The user identity is not valid JSON.");
      return false;
    }
  };

  const dryRun = async () => {
    const args = currentArgs();
    const who = await identityOrNull();
    if (!args || who === false) return;
    setRunning(true);
    setRunError(undefined);
    try {
      const r = await call("dry_run_function", { path: fn.path, component: null, kind: fn.kind, args, identity: who, confirmed: false });
      setDry(r);
      setResult(undefined);
    } catch (e) {
      setRunError(errorMessage(e));
    } finally {
      setRunning(false);
    }
  };

  const run = async (given?: Record<string, Json>) => {
    const args = given ?? currentArgs();
    if (!args) return;
    setDry(undefined);
    const who = await identityOrNull();
    if (who === false) return;
    if (confirmWrites && fn.kind !== "query" && !(await confirm.ask({ title: `Run ${fn.path}`, message: "This connection asks before every write. Run it?", confirmLabel: "Run" }))) return;
    setRunning(true);
    setRunError(undefined);
    try {
      const r = await call("run_function", { path: fn.path, component: component || null, kind: fn.kind, args, identity: who, confirmed: confirmWrites });
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

  // A page from the pagination helper: its options go into the arguments shown, then run.
  const runPage = (opts: PageOpts) => {
    if (jsonMode || !fields) {
      try {
        const args = { ...(JSON.parse(jsonText) as Record<string, Json>), paginationOpts: opts as unknown as Json };
        setJsonText(JSON.stringify(args, null, 2));
        void run(args);
      } catch (e) {
        setRunError(`Arguments: ${(e as Error).message}`);
      }
      return;
    }
    const next = { ...texts, paginationOpts: JSON.stringify(opts) };
    setTexts(next);
    const built = buildArgs(fields, next);
    setFieldErrors(built.errors);
    if (Object.keys(built.errors).length === 0) void run(built.args);
  };

  const startWatch = async () => {
    const args = currentArgs();
    const who = await identityOrNull();
    if (!args || who === false) return;
    await live.start(args, who, setRunError);
  };

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


  return (
    <div className="runner" onKeyDown={onKey} data-testid="runner">
      <div className="toolbar">
        <h2 className="table-title">
          {component && <span className="log-component">{component}</span>}
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

      {/* A component's function: its source, dry runs, live watches and metrics are the
          app's tools, so they show for the app's functions only. */}
      {!component && <SourceView path={fn.path} />}

      {!jsonMode && fields ? (
        <ArgsForm fields={fields} texts={texts} onTexts={setTexts} errors={fieldErrors} />
      ) : (
        <JsonEditor value={jsonText} onChange={setJsonText} label="Arguments JSON" />
      )}

      <div className="run-bar">
        {/* A component's functions never see the caller's identity. */}
        {!component && (
          <label className="toggle">
            <input type="checkbox" checked={actAs} onChange={(e) => setActAs(e.target.checked)} /> Act as a user
          </label>
        )}
        <button className="primary" onClick={() => void run()} disabled={running} title="Ctrl+Enter">
          {running ? "Running…" : `Run ${fn.kind}`}
        </button>
        {fn.kind === "mutation" && !component && (
          <button onClick={dryRun} disabled={running} title="Run it and roll it back: see what it would write">
            Dry run
          </button>
        )}
        {fn.kind === "query" &&
          !component &&
          (live.watch === undefined ? (
            <button onClick={startWatch}>Keep live</button>
          ) : (
            <button onClick={live.stop}>Stop live</button>
          ))}
      </div>
      {fn.kind === "query" && isPaginated(fields) && <PaginationBar result={result} running={running} onPage={runPage} />}
      {actAs && (
        <div className="act-as-mode" role="radiogroup" aria-label="Act as">
          <label className="toggle">
            <input type="radio" checked={!actAsToken} onChange={() => setActAsToken(false)} /> Identity (JSON)
          </label>
          <label className="toggle">
            <input type="radio" checked={actAsToken} onChange={() => setActAsToken(true)} /> Token (JWT)
          </label>
        </div>
      )}
      {actAs && !actAsToken && <textarea className="identity" aria-label="User identity" value={identity} onChange={(e) => setIdentity(e.target.value)} rows={5} />}
      {actAs && actAsToken && <TokenPanel tokens={tokens} />}
      {runError && <div className="inline-error" role="alert">{runError}</div>}

      {result && <RunResultView result={result} />}
      {dry && <DryRunView dry={dry} />}
      {live.watch !== undefined && <LivePanel live={live} />}

      {confirm.pending && <ConfirmDialog request={confirm.pending} onAnswer={confirm.answer} />}

      {!component && <MetricsView fn={fn.path} />}

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
