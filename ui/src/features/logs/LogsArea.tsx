// The Logs area: the connected deployment's function executions as they happen, with
// filters (function, level, status, text, request ID), pause/resume, jump to the next
// error, and an execution's detail with its log lines, timing and reads/writes. Each
// execution in a component names its instance; the component selector filters by one.
import { useEffect, useEffectEvent, useMemo, useRef, useState } from "react";
import { ComponentSelect } from "../../components/ComponentSelect";
import { useComponents } from "../../lib/useComponents";
import type { ConnectionStatus, LogEntry } from "../../generated/studio";
import { call, errorMessage, onLinkChange, onStudioEvent } from "../../platform";
import { callerChain, entryText, exportText, functionFromHash, LEVELS, type LogFilter, matches } from "./logEntries";

const KEPT = 5000;
const SHOWN = 1000;
const time = (ms: number) => new Date(ms).toISOString().slice(11, 23);
const TYPE_BADGE: Record<string, string> = { Query: "Q", Mutation: "M", Action: "A", HttpAction: "H" };

export function LogsArea({ connection }: { connection?: ConnectionStatus }) {
  const [entries, setEntries] = useState<LogEntry[]>([]);
  const [error, setError] = useState<string>();
  const [paused, setPaused] = useState(false);
  const [held, setHeld] = useState<LogEntry[]>([]);
  // A link from elsewhere (`#/logs?fn=…`, e.g. a scheduled function's run) opens filtered.
  const [filter, setFilter] = useState<LogFilter>(() => ({ func: functionFromHash(window.location.hash), level: "any", status: "all", text: "" }));
  // The open entry is kept in the URL (`#/logs?entry=<id>`): a link opens it once it is in the tail.
  const [open, setOpen] = useState<string | undefined>(() => new URLSearchParams(window.location.hash.split("?")[1] ?? "").get("entry") ?? undefined);
  const [notice, setNotice] = useState<string>();
  // Archive mode: results of a search of the deployment's whole log store.
  const [archive, setArchive] = useState<{ entries: LogEntry[]; next: number | null; source: string }>();
  const list = useRef<HTMLDivElement>(null);
  const deploymentId = connection?.deployment?.id;
  const components = useComponents(deploymentId, connection?.state.state === "connected");

  // New entries are held while paused.
  const arrived = useEffectEvent((more: LogEntry[]) => {
    if (paused) setHeld((h) => [...h, ...more].slice(-KEPT));
    else setEntries((e) => [...e, ...more].slice(-KEPT));
  });

  useEffect(() => {
    let live = true;
    const load = () =>
      call("logs_recent")
        .then((recent) => live && (setEntries(recent.slice(-KEPT)), setError(undefined)))
        .catch((e) => live && setError(errorMessage(e)));
    void load();
    const stopEvents = onStudioEvent((event) => {
      if (event.type !== "log_entries") return;
      arrived(event.entries);
    });
    const stopLink = onLinkChange((state) => state === "up" && void load());
    return () => {
      live = false;
      stopEvents();
      stopLink();
    };
  }, [deploymentId]);

  const shown = useMemo(
    () => (archive ? archive.entries : entries.filter((e) => matches(e, filter)).slice(-SHOWN)),
    [entries, filter, archive],
  );

  const searchArchive = async (before: number | null) => {
    try {
      // An exact `module:function` narrows by function; otherwise it is searched as text.
      const exact = filter.func.includes(":");
      const text = [filter.text, exact ? "" : filter.func].filter(Boolean).join(" ").trim();
      const found = await call("search_logs", {
        text,
        function: exact ? filter.func : "",
        status: filter.status === "all" ? "" : filter.status,
        level: filter.level === "any" ? "" : filter.level,
        before,
      });
      const page = [...found.entries].reverse(); // shown oldest first, like the tail
      setArchive((a) => ({ entries: before !== null && a ? [...page, ...a.entries] : page, next: found.next, source: found.source }));
      setPaused(true);
    } catch (e) {
      setNotice(errorMessage(e));
    }
  };

  // In archive mode, a changed filter searches the archive again (once typing pauses).
  const inArchive = archive !== undefined;
  const searchAgain = useEffectEvent(() => void searchArchive(null));
  const searchedFilter = useRef(filter);
  useEffect(() => {
    if (!inArchive) {
      searchedFilter.current = filter;
      return;
    }
    if (searchedFilter.current === filter) return;
    searchedFilter.current = filter;
    const timer = setTimeout(searchAgain, 300);
    return () => clearTimeout(timer);
  }, [filter, inArchive]);

  useEffect(() => {
    if (!window.location.hash.startsWith("#/logs")) return;
    window.history.replaceState(null, "", open ? `#/logs?entry=${encodeURIComponent(open)}` : "#/logs");
  }, [open]);
  // A linked entry: the tail stops following and shows it.
  const [linkedEntry, setLinkedEntry] = useState(open);
  useEffect(() => {
    if (!linkedEntry || !shown.some((e) => e.id === linkedEntry)) return;
    setPaused(true);
    list.current?.querySelector(`[data-entry="${CSS.escape(linkedEntry)}"]`)?.scrollIntoView({ block: "center" });
    setLinkedEntry(undefined);
  }, [shown, linkedEntry]);

  // Follow the tail unless paused.
  useEffect(() => {
    if (!paused && list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [shown, paused]);

  const resume = () => {
    setArchive(undefined);
    setEntries((e) => [...e, ...held].slice(-KEPT));
    setHeld([]);
    setPaused(false);
  };

  const nextError = () => {
    const start = open ? shown.findIndex((e) => e.id === open) + 1 : 0;
    const next = shown.slice(start).find((e) => e.error) ?? shown.find((e) => e.error);
    if (!next) return;
    setPaused(true);
    setOpen(next.id);
    list.current?.querySelector(`[data-entry="${CSS.escape(next.id)}"]`)?.scrollIntoView({ block: "center" });
  };

  if (!connection?.deployment) {
    return (
      <section className="data-empty" data-testid="area-logs">
        <h2>No deployment connected</h2>
        <p className="muted">Open Connections (Alt+0) to choose one; its function logs stream in here.</p>
      </section>
    );
  }

  return (
    <section className="logs-area" data-testid="area-logs">
      <div className="toolbar">
        <ComponentSelect
          components={components}
          any="*"
          value={filter.component ?? "*"}
          onChange={(c) => setFilter({ ...filter, component: c === "*" ? undefined : c })}
        />
        <input aria-label="Function" placeholder="Function" value={filter.func} onChange={(e) => setFilter({ ...filter, func: e.target.value })} />
        <select aria-label="Level" value={filter.level} onChange={(e) => setFilter({ ...filter, level: e.target.value as LogFilter["level"] })}>
          {LEVELS.map((l) => (
            <option key={l} value={l}>
              {l === "any" ? "Any level" : l}
            </option>
          ))}
        </select>
        <select aria-label="Status" value={filter.status} onChange={(e) => setFilter({ ...filter, status: e.target.value as LogFilter["status"] })}>
          <option value="all">All</option>
          <option value="success">Succeeded</option>
          <option value="failure">Failed</option>
        </select>
        <input className="grow" aria-label="Search logs" placeholder="Text or request ID" value={filter.text} onChange={(e) => setFilter({ ...filter, text: e.target.value })} />
        <button onClick={nextError}>Next error</button>
        {archive ? (
          <button onClick={resume}>Back to live</button>
        ) : (
          <button onClick={() => void searchArchive(null)} title="Search everything the deployment kept, not only this tail">
            Search archive
          </button>
        )}
        {(["jsonl", "csv"] as const).map((format) => (
          <button
            key={format}
            disabled={shown.length === 0}
            title={`Save the ${shown.length} shown executions as ${format.toUpperCase()}`}
            onClick={() =>
              call("save_export", { file_name: `atrium-logs.${format}`, text: exportText(shown, format) })
                .then((saved) => setNotice(`Saved ${shown.length} executions to ${saved.path}`))
                .catch((e) => setNotice(errorMessage(e)))
            }
          >
            Export {format.toUpperCase()}
          </button>
        ))}
        {paused ? (
          <button className="primary" onClick={resume}>
            Resume{held.length ? ` (${held.length} new)` : ""}
          </button>
        ) : (
          <button onClick={() => setPaused(true)}>Pause</button>
        )}
        <span className={`live-pill ${paused ? "off" : "on"}`} data-testid="logs-live">
          <span className="state-dot" aria-hidden="true" />
          {paused ? "Paused" : "Live"}
        </span>
      </div>
      {error && <div className="inline-error" role="alert">{error}</div>}
      {notice && (
        <div className="notice" role="status" data-testid="logs-notice">
          {notice}
          <button onClick={() => setNotice(undefined)} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
      {archive && (
        <div className="notice" role="status" data-testid="archive-banner">
          Archive: {archive.entries.length} execution{archive.entries.length === 1 ? "" : "s"} found
          {archive.source === "recorded" ? " in the log archive Atrium recorded while connected (this deployment keeps none)" : " in the deployment's log archive"}
          {archive.next !== null && <button onClick={() => void searchArchive(archive.next)}>Older</button>}
        </div>
      )}
      <div className="log-list" ref={list} role="log" aria-label="Function logs" data-testid="log-list">
        {shown.length === 0 && <div className="grid-empty">No executions{entries.length ? " match the filter" : " yet"}.</div>}
        {shown.map((entry) => (
          <div key={entry.id} className={`log-entry${entry.error ? " failed" : ""}${open === entry.id ? " open" : ""}`} data-entry={entry.id}>
            <button className="log-row" onClick={() => setOpen(open === entry.id ? undefined : entry.id)} aria-expanded={open === entry.id}>
              <span className="log-time">{time(entry.timestamp)}</span>
              <span className={`log-type t-${entry.udf_type}`} title={entry.udf_type}>
                {TYPE_BADGE[entry.udf_type] ?? "?"}
              </span>
              <span className="log-function" title={entry.component ? `${entry.function} in the component ${entry.component}` : entry.function}>
                {entry.component && <span className="log-component">{entry.component}</span>}
                {entry.function}
              </span>
              <span className="log-status">{entry.kind === "progress" ? "…" : entry.error ? "failed" : "ok"}</span>
              <span className="log-duration" title={entry.cached ? `Answered from the query cache${entry.execution_ms != null ? ` in ${entry.execution_ms.toFixed(2)} ms` : ""}` : undefined}>
                {entry.cached ? <em>cached</em> : entry.execution_ms != null ? `${entry.execution_ms.toFixed(1)} ms` : ""}
              </span>
              <span className="log-first">{entry.error ?? entry.lines[0]?.text ?? ""}</span>
            </button>
            {open === entry.id && (
              <div className="log-detail">
                <pre>{entryText(entry)}</pre>
                <dl className="facts">
                  <dt>Request</dt>
                  <dd>{entry.request_id ?? "—"}</dd>
                  <dt>Component</dt>
                  <dd>{entry.component ?? "App"}</dd>
                  <dt>Caller</dt>
                  <dd>{entry.caller ?? "—"}</dd>
                  <dt>Documents read / written</dt>
                  <dd>
                    {entry.documents_read ?? "—"} / {entry.documents_written ?? "—"}
                  </dd>
                </dl>
                <CallerChain entry={entry} known={archive ? [...archive.entries, ...entries] : entries} onOpen={setOpen} />
                <button onClick={() => void navigator.clipboard?.writeText(entryText(entry)).catch(() => {})}>Copy</button>
              </div>
            )}
          </div>
        ))}
      </div>
    </section>
  );
}

function CallerChain({ entry, known, onOpen }: { entry: LogEntry; known: LogEntry[]; onOpen: (id: string) => void }) {
  const { parents, called } = callerChain(entry, known);
  if (parents.length === 0 && called.length === 0) return null;
  const link = (e: LogEntry | string) =>
    typeof e === "string" ? (
      <span className="muted">execution {e} (not in view; search the archive for it)</span>
    ) : (
      <button className="link-button" onClick={() => onOpen(e.id)}>
        {e.udf_type} {e.function} {e.error ? "failed" : "ok"}
        {e.execution_ms != null ? ` in ${e.execution_ms.toFixed(1)} ms` : ""}
      </button>
    );
  return (
    <div className="caller-chain" data-testid="caller-chain">
      {parents.length > 0 && (
        <>
          <div className="muted">Called by</div>
          <ul>
            {parents.map((p) => (
              <li key={typeof p === "string" ? p : p.id}>{link(p)}</li>
            ))}
          </ul>
        </>
      )}
      {called.length > 0 && (
        <>
          <div className="muted">Called</div>
          <ul>
            {called.map((c) => (
              <li key={c.id}>{link(c)}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
