// The Data area: tables with counts, a live grid of the chosen table with filters and
// sorting, edits (immediate or staged and committed in one transaction), documents in a
// side panel with history, and the table's schema and indexes.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { type Confirmation, ConfirmDialog } from "../../components/ConfirmDialog";
import { JsonEditor } from "../../components/JsonEditor";
import { type Prompt, PromptDialog } from "../../components/PromptDialog";
import type { ConnectionStatus, ExportFormat, Filter, FilterOp, IndexRange, Sort, TableSchemaInfo, TableSummary, ViewSpec, WriteRequest } from "../../generated/studio";
import { call, errorMessage, onStudioEvent } from "../../platform";
import { useExportProgress } from "../../state/useExportProgress";
import { DocumentPanel } from "./DocumentPanel";
import { filterToText, OP_LABELS, parseFilterText } from "./filterText";
import { Grid } from "./Grid";
import { useDataView } from "./useDataView";
import { checkFields, checkValue, columnsFor, type Doc, fieldValidator, formatValue, type Json, parseInput, typeOf, type Validator } from "./values";


interface Staged {
  write: WriteRequest;
  /** What the user sees in the review list. */
  label: string;
}

function tableFromHash(): string | undefined {
  const match = /^#\/data\/([^?]+)/.exec(window.location.hash);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

/** The document a link asked to open (`#/data/<table>?doc=<id>`). */
function documentFromHash(): string | undefined {
  const match = /[?&]doc=([^&]+)/.exec(window.location.hash);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

export function DataArea({ connection }: { connection?: ConnectionStatus }) {
  const deployment = connection?.deployment;
  const connected = connection?.state.state === "connected";
  const safeMode = deployment?.safe_mode ?? "normal";
  const canWrite = safeMode !== "read_only";

  const [tables, setTables] = useState<TableSummary[]>();
  const [tablesError, setTablesError] = useState<string>();
  const [tableQuery, setTableQuery] = useState("");
  const [table, setTable] = useState<string | undefined>(tableFromHash);
  const [filter, setFilter] = useState<Filter>({ combinator: "and", clauses: [] });
  const [filterText, setFilterText] = useState("");
  const [filterError, setFilterError] = useState<string>();
  const [showBuilder, setShowBuilder] = useState(false);
  const [sort, setSort] = useState<Sort | null>(null);
  const [indexName, setIndexName] = useState("");
  const [indexRange, setIndexRange] = useState<IndexRange | null>(null);
  const [staging, setStaging] = useState(false);
  const [staged, setStaged] = useState<Staged[]>([]);
  const [stagedError, setStagedError] = useState<string>();
  const [reviewing, setReviewing] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [panel, setPanel] = useState<string>();
  const [confirm, setConfirm] = useState<{ request: Confirmation; resolve(ok: boolean): void }>();
  const [prompt, setPrompt] = useState<{ request: Prompt; resolve(value: string | null): void }>();
  const [adding, setAdding] = useState<string>();
  const [addError, setAddError] = useState<string>();
  const [schema, setSchema] = useState<TableSchemaInfo>();
  const [showSchema, setShowSchema] = useState(false);
  const [notice, setNotice] = useState<string>();
  const exporting = useExportProgress();
  const [jump, setJump] = useState<{ row: number; nonce: number }>();
  const [version, setVersion] = useState(0);
  const jumpInput = useRef<HTMLInputElement>(null);

  const ask = (request: Confirmation) => new Promise<boolean>((resolve) => setConfirm({ request, resolve }));
  const askText = (request: Prompt) => new Promise<string | null>((resolve) => setPrompt({ request, resolve }));

  const tablesRequest = useRef(0);
  const loadTables = useCallback(() => {
    const seq = ++tablesRequest.current; // only the newest answer counts
    return call("data_tables")
      .then((list) => {
        if (seq !== tablesRequest.current) return;
        setTables(list);
        setTablesError(undefined);
      })
      .catch((e) => seq === tablesRequest.current && setTablesError(errorMessage(e)));
  }, []);

  // Tables load when a deployment is connected; the first one opens if none is chosen.
  useEffect(() => {
    if (!connected) return;
    loadTables();
  }, [connected, deployment?.id, loadTables]);
  useEffect(() => {
    const firstTable = tables?.[0];
    if (firstTable && (!table || !tables!.some((t) => t.name === table))) setTable(firstTable.name);
  }, [tables, table]);
  const linkedDocument = useRef(documentFromHash());
  useEffect(() => {
    if (table) window.history.replaceState(null, "", `#/data/${encodeURIComponent(table)}`);
    setSelected(new Set());
    setFilter({ combinator: "and", clauses: [] });
    setFilterText("");
    setSort(null);
    setIndexName("");
    setIndexRange(null);
    setPanel(linkedDocument.current);
    linkedDocument.current = undefined;
  }, [table]);

  // Counts follow changes (at most once a second).
  useEffect(() => {
    let pending: ReturnType<typeof setTimeout> | undefined;
    const stop = onStudioEvent((event) => {
      if (event.type !== "data_view_changed") return;
      setVersion((v) => v + 1);
      if (!pending) pending = setTimeout(() => ((pending = undefined), loadTables()), 1000);
    });
    return () => {
      stop();
      clearTimeout(pending);
    };
  }, [loadTables]);

  useEffect(() => {
    if (!table || !connected) return;
    let current = true; // an answer for a table no longer shown is dropped
    setSchema(undefined);
    call("data_schema", { table, confirmed: false })
      .then((info) => current && setSchema(info))
      .catch(() => current && setSchema(undefined));
    return () => {
      current = false;
    };
  }, [table, connected, deployment?.id]);

  const spec: ViewSpec | undefined = useMemo(
    () =>
      table && connected
        ? indexRange
          ? { table, filter: null, sort: null, index: indexRange }
          : { table, filter: filter.clauses.length ? filter : null, sort, index: null }
        : undefined,
    [table, connected, filter, sort, indexRange],
  );
  const view = useDataView(spec);
  // Parsed here (not in Rust) so the fields keep the order the schema declares them in.
  const declared = useMemo(() => declaredTable(schema, table), [schema, table]);
  const documentType = declared?.documentType ?? undefined;
  const columns = useMemo(() => columnsFor(documentType, view.loaded), [documentType, view.loaded]);

  const stagedFields = useMemo(() => {
    const map = new Map<string, Record<string, Json>>();
    for (const { write } of staged) {
      if (write.op === "patch") map.set(write.id, { ...(map.get(write.id) ?? {}), ...(write.fields as Record<string, Json>) });
    }
    return map;
  }, [staged]);

  /** Commits writes, asking first when the connection's safe mode says so. */
  const runWrites = async (writes: WriteRequest[], what: string): Promise<string | null> => {
    if (!canWrite) return `${deployment?.name ?? "This deployment"} is read-only in Atrium.`;
    let confirmed = false;
    if (safeMode === "confirm_writes") {
      confirmed = await ask({ title: "Confirm write", message: `${what} on ${deployment?.name}?`, confirmLabel: "Write" });
      if (!confirmed) return "Cancelled.";
    }
    try {
      await call("data_apply", { writes, confirmed });
      loadTables();
      setVersion((v) => v + 1);
      return null;
    } catch (e) {
      return errorMessage(e);
    }
  };

  const stage = (items: Staged[]) => {
    setStaged((s) => [...s, ...items]);
    setStagedError(undefined);
  };

  const commitEdit = async (doc: Doc, column: string, text: string): Promise<string | null> => {
    const validator = fieldValidator(documentType, column);
    const asString = validator ? validator.type === "string" : typeof doc[column] === "string";
    const value = parseInput(text, asString);
    const problem = checkValue(validator, value, column);
    if (problem) return problem;
    const write: WriteRequest = { op: "patch", table: table!, id: doc._id as string, fields: { [column]: value } };
    if (staging) {
      stage([{ write, label: `${column}: ${formatValue(doc[column], 40) || "unset"} → ${formatValue(value, 40)}` }]);
      return null;
    }
    return runWrites([write], `Set ${column} of one document`);
  };

  const applyFilterText = (text: string) => {
    try {
      const parsed = parseFilterText(text);
      if (indexName) {
        if (parsed.clauses.length > 1 && parsed.combinator === "or") throw new Error("An index range joins its clauses with `and`.");
        const bad = parsed.clauses.find((c) => !["eq", "lt", "lte", "gt", "gte"].includes(c.op));
        if (bad) throw new Error(`An index range takes == < <= > >= only, not \`${OP_LABELS[bad.op]}\` on ${bad.field}.`);
        setIndexRange({ name: indexName, clauses: parsed.clauses.map(({ field, op, value }) => ({ field, op, value })), descending: false });
      } else setFilter(parsed);
      setFilterError(undefined);
    } catch (e) {
      setFilterError((e as Error).message);
    }
  };

  const setClauses = (next: Filter) => {
    setFilter(next);
    setFilterText(filterToText(next));
  };

  const onSort = (column: string) => {
    setIndexRange(null);
    setIndexName("");
    setSort((current) => {
      if (column === "_creationTime") {
        const descending = current === null || current.field !== "_creationTime" ? false : !current.descending;
        return descending ? null : { field: column, descending: false };
      }
      if (current?.field === column) return current.descending ? null : { field: column, descending: true };
      return { field: column, descending: false };
    });
  };

  const deleteSelected = async () => {
    const ids = [...selected];
    const ok = await ask({
      title: "Delete documents",
      message: `Delete ${ids.length} document${ids.length === 1 ? "" : "s"} from ${table}?${staging ? " (staged until you commit)" : ""}`,
      confirmLabel: `Delete ${ids.length}`,
      danger: true,
    });
    if (!ok) return;
    const writes: WriteRequest[] = ids.map((id) => ({ op: "delete", id }));
    if (staging) {
      stage(writes.map((write) => ({ write, label: `delete ${(write as { id: string }).id}` })));
      setSelected(new Set());
      return;
    }
    const problem = await runWrites(writes, `Delete ${ids.length} documents`);
    if (problem) setNotice(problem);
    else {
      setNotice(`Deleted ${ids.length} document${ids.length === 1 ? "" : "s"}.`);
      setSelected(new Set());
    }
  };

  const commitStaged = async () => {
    const problem = await runWrites(
      staged.map((s) => s.write),
      `Commit ${staged.length} staged change${staged.length === 1 ? "" : "s"}`,
    );
    if (problem) setStagedError(problem);
    else {
      setNotice(`Committed ${staged.length} change${staged.length === 1 ? "" : "s"} in one transaction.`);
      setStaged([]);
      setReviewing(false);
    }
  };

  const addDocuments = async () => {
    let parsed: Json;
    try {
      parsed = JSON.parse(adding ?? "") as Json;
    } catch (e) {
      setAddError(`Not valid JSON: ${(e as Error).message}`);
      return;
    }
    const docs = (Array.isArray(parsed) ? parsed : [parsed]) as Json[];
    for (let i = 0; i < docs.length; i++) {
      if (typeOf(docs[i]) !== "object") return setAddError(`Document ${i + 1} is not an object.`);
      const problem = documentType ? checkFields(documentType, docs[i] as Doc, `document ${i + 1}`) : null;
      if (problem) return setAddError(problem);
    }
    const writes: WriteRequest[] = docs.map((document) => ({ op: "insert", table: table!, document }));
    if (staging) {
      stage(writes.map((write) => ({ write, label: `insert ${formatValue((write as { document: Json }).document, 60)}` })));
      setAdding(undefined);
      return;
    }
    const problem = await runWrites(writes, `Add ${docs.length} document${docs.length === 1 ? "" : "s"}`);
    if (problem) setAddError(problem);
    else {
      setAdding(undefined);
      setAddError(undefined);
      setNotice(`Added ${docs.length} document${docs.length === 1 ? "" : "s"}.`);
    }
  };

  const clearTable = async () => {
    const count = tables?.find((t) => t.name === table)?.count ?? 0;
    const ok = await ask({ title: "Clear table", message: `Delete all ${count} documents of ${table}? This cannot be undone from here.`, confirmLabel: "Clear table", danger: true });
    if (!ok) return;
    try {
      const result = await call("data_clear_table", { table: table!, confirmed: true });
      setNotice(`Deleted ${result.deleted} documents.`);
      loadTables();
    } catch (e) {
      setNotice(errorMessage(e));
    }
  };

  const createTable = async () => {
    const name = await askText({ title: "New table", label: "Table name", submitLabel: "Create table", placeholder: "e.g. messages" });
    if (!name) return;
    try {
      await call("data_create_table", { table: name, confirmed: safeMode === "confirm_writes" });
      // The list must hold the new table before it is chosen (or the first one wins).
      await loadTables();
      setTable(name);
    } catch (e) {
      setNotice(errorMessage(e));
    }
  };

  const panelWrite = async (kind: "replace" | "restore", payload: { document?: Json; ts?: number }) => {
    if (!panel) return "No document.";
    if (kind === "replace") {
      if (documentType) {
        const problem = checkFields(documentType, payload.document as Doc);
        if (problem) return problem;
      }
      const write: WriteRequest = { op: "replace", id: panel, document: payload.document };
      if (staging) {
        stage([{ write, label: `replace ${panel}` }]);
        return null;
      }
      return runWrites([write], "Replace one document");
    }
    try {
      if (safeMode === "confirm_writes" && !(await ask({ title: "Restore revision", message: "Put the document back as it was?", confirmLabel: "Restore" }))) return "Cancelled.";
      await call("data_restore", { id: panel, ts: payload.ts!, confirmed: true });
      return null;
    } catch (e) {
      return errorMessage(e);
    }
  };

  if (!deployment) {
    return (
      <section className="data-empty" data-testid="area-data">
        <h2>No deployment connected</h2>
        <p className="muted">Open Connections (the deployment name in the header, or Alt+0) to add or choose one.</p>
      </section>
    );
  }

  const info = view.info;
  if (!connected && !info) {
    const state = connection?.state;
    const why =
      state?.state === "refused"
        ? `${deployment.name} refused the admin key. Open Connections (Alt+0), edit the connection and paste the deployment's admin key.`
        : state?.state === "reconnecting"
          ? `Atrium cannot reach ${deployment.url} (${state.reason}). It keeps trying; check the URL in Connections (Alt+0) if this persists.`
          : `Connecting to ${deployment.url}…`;
    return (
      <section className="data-empty" data-testid="area-data">
        <h2>{state?.state === "connecting" ? "Connecting…" : "No data to show"}</h2>
        <p className="muted" data-testid="data-unavailable">
          {why}
        </p>
      </section>
    );
  }
  const visibleTables = (tables ?? []).filter((t) => t.name.toLowerCase().includes(tableQuery.toLowerCase()));
  const live = connected && info && !info.error;

  return (
    <section className="data-area" data-testid="area-data">
      <aside className="table-list" aria-label="Tables">
        <input className="search" placeholder="Filter tables" aria-label="Filter tables" value={tableQuery} onChange={(e) => setTableQuery(e.target.value)} />
        {tablesError && <div className="inline-error" role="alert">{tablesError}</div>}
        <ul>
          {visibleTables.map((t) => (
            <li key={t.name}>
              <button className={t.name === table ? "table-item active" : "table-item"} onClick={() => setTable(t.name)} aria-current={t.name === table}>
                <span className="table-name">{t.name}</span>
                <span className="table-count" data-testid={`count-${t.name}`}>
                  {t.count.toLocaleString("en-US")}
                </span>
              </button>
            </li>
          ))}
          {tables && tables.length === 0 && <li className="muted">No tables yet.</li>}
        </ul>
        <button className="link-button" disabled={!canWrite} onClick={createTable}>
          + New table
        </button>
      </aside>

      <div className="data-main">
        <div className="toolbar">
          <h2 className="table-title">{table ?? "—"}</h2>
          {info && (
            <span className="view-count" data-testid="view-count">
              {info.mode === "scan"
                ? `${info.total.toLocaleString("en-US")} matching · scanned ${info.scanned.toLocaleString("en-US")}${info.complete ? " (all)" : ` (stopped at the scan limit)`}`
                : `${info.total.toLocaleString("en-US")} documents${info.index ? ` · index ${info.index}` : ""}`}
            </span>
          )}
          <span className={`live-pill ${live ? "on" : "off"}`} data-testid="live-indicator" title={info?.error ?? (connected ? "Rows update as documents change" : "Waiting for the connection")}>
            <span className="state-dot" aria-hidden="true" />
            {live ? "Live" : info?.error || (info && !connected) ? "Paused" : "…"}
          </span>
          <div className="toolbar-spacer" />
          <label className="toggle">
            <input type="checkbox" checked={staging} onChange={(e) => setStaging(e.target.checked)} disabled={!canWrite} /> Stage edits
          </label>
          <button disabled={!canWrite} onClick={() => setAdding(documentTemplate(documentType))}>
            Add documents
          </button>
          <button className="danger" disabled={!canWrite || selected.size === 0} onClick={deleteSelected}>
            Delete{selected.size ? ` (${selected.size})` : ""}
          </button>
          <button disabled={!canWrite} onClick={clearTable}>
            Clear table
          </button>
          <button aria-pressed={showSchema} onClick={() => setShowSchema((s) => !s)}>
            Schema
          </button>
          <select
            aria-label="Export view"
            value=""
            disabled={!info}
            title="Save this view as it stands (filters, sort, range) as a file"
            onChange={(e) => {
              const format = e.target.value as ExportFormat;
              if (!info || !format) return;
              setNotice(`Exporting ${table} as ${format.toUpperCase()}…`);
              call("data_export", { view: info.view, format })
                .then((done) => setNotice(`Saved ${done.rows.toLocaleString("en-US")} documents to ${done.path}`))
                .catch((err) => setNotice(errorMessage(err)));
            }}
          >
            <option value="">Export…</option>
            <option value="csv">CSV</option>
            <option value="jsonl">JSON Lines</option>
            <option value="parquet">Parquet</option>
          </select>
        </div>

        <div className="filter-bar">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              applyFilterText(filterText);
            }}
          >
            <input
              className="filter-text"
              aria-label={indexName ? "Index range" : "Filter"}
              placeholder={
                indexName
                  ? `Range of ${indexName}: equalities on its first fields, then bounds — Enter to apply`
                  : 'Filter, e.g. author == "ann" or n > 3 — Enter to apply'
              }
              value={filterText}
              onChange={(e) => setFilterText(e.target.value)}
            />
          </form>
          <select
            aria-label="Index"
            value={indexName}
            title="Read a range of an index instead of filtering (fast on large tables)"
            onChange={(e) => {
              setIndexName(e.target.value);
              setIndexRange(e.target.value ? { name: e.target.value, clauses: [], descending: false } : null);
              setFilterText("");
              setFilter({ combinator: "and", clauses: [] });
              setFilterError(undefined);
            }}
          >
            <option value="">No index</option>
            {schema?.indexes
              .filter((i) => i.name !== "by_creation_time")
              .map((i) => (
                <option key={i.name} value={i.name}>
                  {i.name} [{i.fields.join(", ")}]
                </option>
              ))}
          </select>
          <button onClick={() => setShowBuilder((b) => !b)} aria-expanded={showBuilder} disabled={!!indexName}>
            {showBuilder ? "Hide builder" : "Builder"}
          </button>
          {(filter.clauses.length > 0 || sort || indexRange) && (
            <button
              onClick={() => {
                setClauses({ combinator: "and", clauses: [] });
                setSort(null);
                setIndexName("");
                setIndexRange(null);
              }}
            >
              Reset
            </button>
          )}
          {sort && <span className="muted">sorted by {sort.field} {sort.descending ? "↓" : "↑"}</span>}
          <form
            className="jump"
            onSubmit={(e) => {
              e.preventDefault();
              const row = Number.parseInt(jumpInput.current?.value ?? "", 10);
              if (Number.isFinite(row) && row >= 1) setJump({ row: row - 1, nonce: Date.now() });
            }}
          >
            <input ref={jumpInput} aria-label="Go to row" placeholder="Row #" inputMode="numeric" />
          </form>
        </div>
        {filterError && <div className="inline-error" role="alert">{filterError}</div>}
        {showBuilder && <FilterBuilder filter={filter} columns={columns} onChange={setClauses} />}

        {staged.length > 0 && (
          <div className="staging-bar" role="region" aria-label="Staged changes">
            <strong data-testid="staged-count">{staged.length} staged change{staged.length === 1 ? "" : "s"}</strong>
            <button onClick={() => setReviewing((r) => !r)}>{reviewing ? "Hide" : "Review"}</button>
            <button className="primary" onClick={commitStaged}>
              Commit
            </button>
            <button
              onClick={() => {
                setStaged([]);
                setStagedError(undefined);
              }}
            >
              Discard
            </button>
            {stagedError && <span className="inline-error" role="alert">{stagedError}</span>}
            {reviewing && (
              <ol className="staged-list">
                {staged.map((s, i) => (
                  <li key={i}>
                    <code>{s.write.op === "insert" ? "insert" : (s.write as { id: string }).id.slice(0, 10)}</code> {s.label}
                  </li>
                ))}
              </ol>
            )}
          </div>
        )}
        {exporting && (
          <div className="notice" role="status">
            {exporting}
          </div>
        )}
        {notice && (
          <div className="notice" role="status">
            {notice}
            <button onClick={() => setNotice(undefined)} aria-label="Dismiss">
              ×
            </button>
          </div>
        )}
        {view.error && <div className="inline-error" role="alert">{view.error}</div>}

        <div className="grid-wrap">
          {showSchema && <SchemaPanel schema={schema} declared={declared} rows={view.loaded} />}
          {info ? (
            <Grid
              columns={columns}
              total={info.total}
              rowAt={view.rowAt}
              onRange={view.showRange}
              sort={sort ?? undefined}
              onSort={onSort}
              selected={selected}
              onToggleSelect={(id, on) =>
                setSelected((s) => {
                  const next = new Set(s);
                  if (on) next.add(id);
                  else next.delete(id);
                  return next;
                })
              }
              onOpenDocument={setPanel}
              staged={stagedFields}
              editable={canWrite}
              onCommitEdit={commitEdit}
              jumpTo={jump}
            />
          ) : (
            <div className="grid-loading">{view.loading ? "Loading…" : connected ? "" : "Waiting for the deployment…"}</div>
          )}
        </div>
      </div>

      {panel && <DocumentPanel id={panel} onClose={() => setPanel(undefined)} onOpen={setPanel} canWrite={canWrite} write={panelWrite} version={version} />}

      {adding !== undefined && (
        <div className="modal-backdrop" onKeyDown={(e) => e.key === "Escape" && setAdding(undefined)}>
          <div className="modal wide" role="dialog" aria-modal="true" aria-labelledby="add-title">
            <h2 id="add-title">Add documents to {table}</h2>
            <p className="muted">One JSON object, or an array of them. Use {"{\"$integer\": …}"} or write int64 values as strings and convert later.</p>
            <JsonEditor value={adding} onChange={setAdding} label="Documents JSON" />
            {addError && <div className="inline-error" role="alert">{addError}</div>}
            <div className="modal-actions">
              <button onClick={() => setAdding(undefined)}>Cancel</button>
              <button className="primary" onClick={addDocuments}>
                {staging ? "Stage" : "Add"}
              </button>
            </div>
          </div>
        </div>
      )}

      {prompt && (
        <PromptDialog
          request={prompt.request}
          onAnswer={(value) => {
            prompt.resolve(value);
            setPrompt(undefined);
          }}
        />
      )}

      {confirm && (
        <ConfirmDialog
          request={confirm.request}
          onAnswer={(ok) => {
            confirm.resolve(ok);
            setConfirm(undefined);
          }}
        />
      )}
    </section>
  );
}

const OPS = Object.keys(OP_LABELS) as FilterOp[];

function FilterBuilder({ filter, columns, onChange }: { filter: Filter; columns: string[]; onChange(f: Filter): void }) {
  const update = (i: number, patch: Partial<Filter["clauses"][number]>) =>
    onChange({ ...filter, clauses: filter.clauses.map((c, j) => (j === i ? { ...c, ...patch } : c)) });
  return (
    <div className="filter-builder" role="group" aria-label="Filter builder">
      <label>
        Match{" "}
        <select aria-label="Combine clauses with" value={filter.combinator} onChange={(e) => onChange({ ...filter, combinator: e.target.value as Filter["combinator"] })}>
          <option value="and">all clauses (AND)</option>
          <option value="or">any clause (OR)</option>
        </select>
      </label>
      {filter.clauses.map((clause, i) => (
        <div className="clause" key={i}>
          <input type="checkbox" aria-label={`Clause ${i + 1} enabled`} checked={clause.enabled} onChange={(e) => update(i, { enabled: e.target.checked })} />
          <input list="filter-fields" aria-label={`Clause ${i + 1} field`} value={clause.field} onChange={(e) => update(i, { field: e.target.value })} />
          <select aria-label={`Clause ${i + 1} operator`} value={clause.op} onChange={(e) => update(i, { op: e.target.value as FilterOp })}>
            {OPS.map((op) => (
              <option key={op} value={op}>
                {OP_LABELS[op]}
              </option>
            ))}
          </select>
          <input
            aria-label={`Clause ${i + 1} value`}
            defaultValue={clause.op === "type" ? String(clause.value) : JSON.stringify(clause.value)}
            onBlur={(e) => update(i, { value: clause.op === "type" ? e.target.value : parseInput(e.target.value, false) })}
          />
          <button aria-label={`Remove clause ${i + 1}`} onClick={() => onChange({ ...filter, clauses: filter.clauses.filter((_, j) => j !== i) })}>
            ×
          </button>
        </div>
      ))}
      <datalist id="filter-fields">
        {columns.map((c) => (
          <option key={c} value={c} />
        ))}
      </datalist>
      <button onClick={() => onChange({ ...filter, clauses: [...filter.clauses, { field: columns[1] ?? "_id", op: "eq", value: "", enabled: true }] })}>+ Clause</button>
    </div>
  );
}

function SchemaPanel({ schema, declared, rows }: { schema?: TableSchemaInfo; declared?: DeclaredTable; rows: Doc[] }) {
  const inferred = new Map<string, Set<string>>();
  for (const row of rows) for (const [k, v] of Object.entries(row)) inferred.set(k, (inferred.get(k) ?? new Set()).add(typeOf(v)));
  return (
    <div className="schema-panel" data-testid="schema-panel">
      <div>
        <h3>Declared</h3>
        {declared ? (
          <pre>{JSON.stringify(declared.documentType ?? null, null, 2)}</pre>
        ) : (
          <p className="muted">The schema does not declare this table.</p>
        )}
        <p className="muted">Schema validation {schema?.schema_validation ? "on" : "off"}.</p>
      </div>
      <div>
        <h3>Inferred from loaded rows</h3>
        <ul>
          {[...inferred].map(([field, types]) => (
            <li key={field}>
              <code>{field}</code>: {[...types].join(" | ")}
            </li>
          ))}
        </ul>
      </div>
      <div>
        <h3>Indexes</h3>
        <ul>
          {schema?.indexes.map((index) => (
            <li key={index.name}>
              <code>{index.name}</code> [{index.fields.join(", ")}] {index.backfill === "done" ? "" : <span className="tone-warn">{index.backfill}</span>}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

interface DeclaredTable {
  tableName: string;
  documentType?: Validator | null;
}

/** The table's entry in the schema text, if the schema declares it. */
function declaredTable(schema: TableSchemaInfo | undefined, table: string | undefined): DeclaredTable | undefined {
  if (!schema?.schema_text || !table) return undefined;
  try {
    const parsed = JSON.parse(schema.schema_text) as { tables?: DeclaredTable[] };
    return parsed.tables?.find((t) => t.tableName === table);
  } catch {
    return undefined;
  }
}

/** A starting document for the add dialog: the schema's fields with empty values. */
function documentTemplate(documentType: Validator | undefined): string {
  if (documentType?.type !== "object") return "{\n  \n}";
  const fields = documentType.value as Record<string, { fieldType: Validator; optional: boolean }>;
  const example = (v: Validator): Json => {
    switch (v.type) {
      case "string":
        return "";
      case "number":
        return 0;
      case "boolean":
        return false;
      case "array":
        return [];
      case "object":
        return {};
      default:
        return null;
    }
  };
  const doc = Object.fromEntries(Object.entries(fields).filter(([, f]) => !f.optional).map(([k, f]) => [k, example(f.fieldType)]));
  return JSON.stringify(doc, null, 2);
}
