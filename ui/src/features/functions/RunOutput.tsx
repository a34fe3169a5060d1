// What a run shows in the runner: the result (value, ConvexError data, log lines), a dry
// run's would-be writes, a live query's versions on a timeline, and line diffs of JSON.
import type { DryRunResult, RunResult } from "../../generated/studio";
import { diffLines } from "./argsForm";
import type { QueryWatch } from "./useQueryWatch";

export function RunResultView({ result }: { result: RunResult }) {
  return (
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
  );
}

export function DryRunView({ dry }: { dry: DryRunResult }) {
  return (
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
  );
}

export function LivePanel({ live }: { live: QueryWatch }) {
  const { versions, shown, previous } = live;
  return (
    <div className="live-panel" data-testid="live-panel">
      <div className="run-head">
        <strong>Live</strong>
        <span className="muted">{versions.length} version{versions.length === 1 ? "" : "s"}</span>
      </div>
      <ol className="timeline">
        {versions.map((v) => (
          <li key={v.version}>
            <button className={v === shown ? "active" : ""} onClick={() => live.show(v.version)}>
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
  );
}

/** Two JSON values as a line diff (null: nothing there). */
export function DiffView({ before, after, testId }: { before: unknown; after: unknown; testId?: string }) {
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
