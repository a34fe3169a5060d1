// The Data area: tables with counts, a live grid of the chosen table with filters and
// sorting, edits (immediate or staged and committed in one transaction), documents in a
// side panel with history, and the table's schema and indexes. The state lives in hooks
// (tables, filter, staging, schema, writes); the parts of the screen are components.
import { useEffect, useMemo, useRef, useState } from "react";
import { type Confirmation, ConfirmDialog } from "../../components/ConfirmDialog";
import { type Prompt, PromptDialog } from "../../components/PromptDialog";
import type { ConnectionStatus, WriteRequest } from "../../generated/studio";
import { useNotice } from "../../lib/useNotice";
import { useQuestion } from "../../lib/useQuestion";
import { call, errorMessage } from "../../platform";
import { useExportProgress } from "../../state/useExportProgress";
import { useAreaActions } from "../palette/areaActions";
import { rememberDocument } from "../palette/recents";
import { AddDocumentsDialog } from "./AddDocumentsDialog";
import { DataToolbar } from "./DataToolbar";
import { DataUnavailable, NoDeployment } from "./DataUnavailable";
import { DocumentPanel } from "./DocumentPanel";
import { FilterBar } from "./FilterBar";
import { FilterBuilder } from "./FilterBuilder";
import { cellWrite } from "./cellWrite";
import { Grid } from "./Grid";
import type { PastedCell } from "./gridClipboard";
import { filterToText } from "./filterText";
import { documentTemplate } from "./schema";
import { SchemaPanel } from "./SchemaPanel";
import { SearchBox } from "./SearchBox";
import { StagingBar } from "./StagingBar";
import { TableList } from "./TableList";
import { useDataView } from "./useDataView";
import { useFilterState } from "./useFilterState";
import { useStaging } from "./useStaging";
import { useTables } from "./useTables";
import { useTableSchema } from "./useTableSchema";
import { dataHash, parseDataHash } from "./viewLink";
import { useWrites } from "./useWrites";
import { checkFields, columnsFor, type Doc, formatValue, type Json } from "./values";


export function DataArea({ connection }: { connection?: ConnectionStatus }) {
  const deployment = connection?.deployment ?? undefined;
  const connected = connection?.state.state === "connected";
  const safeMode = deployment?.safe_mode ?? "normal";
  const canWrite = safeMode !== "read_only";

  // The view a link (or the last visit, see shell/useArea) asked for, used once.
  const [link] = useState(() => parseDataHash(window.location.hash));
  const linked = useRef(link);
  const [table, setTable] = useState<string | undefined>(link.table);
  const [selected, setSelected] = useState<Map<string, Doc>>(new Map());
  const [panel, setPanel] = useState<string>();
  const [adding, setAdding] = useState<string>();
  const [showSchema, setShowSchema] = useState(false);
  const [notice, setNotice] = useNotice();
  const [jump, setJump] = useState<{ row: number; nonce: number }>();
  const exporting = useExportProgress();
  const confirm = useQuestion<Confirmation, boolean>();
  const prompt = useQuestion<Prompt, string | null>();
  const ask = confirm.ask;

  const { tables, error: tablesError, reload: loadTables, version, changed } = useTables(connected, deployment?.id);
  const { schema, declared, documentType } = useTableSchema(table, connected, deployment?.id);
  const filters = useFilterState(table, connected, schema?.indexes);
  const runWrites = useWrites(deployment, ask, changed);
  const staging = useStaging(runWrites, setNotice);
  const view = useDataView(filters.spec);
  const columns = useMemo(() => columnsFor(documentType, view.loaded), [documentType, view.loaded]);

  // The first table opens if none is chosen (or the chosen one is gone).
  useEffect(() => {
    const firstTable = tables?.[0];
    if (firstTable && (!table || !tables.some((t) => t.name === table))) setTable(firstTable.name);
  }, [tables, table]);
  const { clear: clearFilters, restore: restoreFilters } = filters;
  useEffect(() => {
    setSelected(new Map());
    const link = linked.current;
    linked.current = {};
    if (table && link.table === table && (link.filter || link.sort)) restoreFilters(link.filter ?? "", link.sort ?? null);
    else clearFilters();
    setPanel(link.table === table ? link.doc : undefined);
  }, [table, clearFilters, restoreFilters]);
  // The place is kept in the URL: table, filter, sort and open document.
  const appliedFilter = filters.filter.clauses.length ? filterToText(filters.filter) : "";
  useEffect(() => {
    // (Not over another area's hash; the bare page's empty hash shows Data too.)
    if (table && (window.location.hash.startsWith("#/data") || !window.location.hash.startsWith("#/"))) {
      window.history.replaceState(null, "", dataHash({ table, filter: appliedFilter, sort: filters.sort ?? undefined, doc: panel }));
    }
  }, [table, appliedFilter, filters.sort, panel]);

  const commitEdit = async (doc: Doc, column: string, text: string): Promise<string | null> => {
    const cell = cellWrite(documentType, table!, doc, column, text);
    if (!cell.ok) return cell.problem;
    if (staging.on) {
      staging.stage([cell]);
      return null;
    }
    return runWrites([cell.write], `Set ${column} of one document`);
  };

  // Pasted cells are staged (turning staging on), to be reviewed and committed as one.
  const pasteCells = (cells: PastedCell[]) => {
    const writes = cells.map(({ doc, column, text }) => cellWrite(documentType, table!, doc, column, text));
    const bad = writes.find((w) => !w.ok);
    if (bad && !bad.ok) return setNotice(`Nothing pasted: ${bad.problem}`, { stay: true });
    staging.setOn(true);
    staging.stage(writes.flatMap((w) => (w.ok ? [w] : [])));
    setNotice(`Staged ${writes.length} pasted cell${writes.length === 1 ? "" : "s"}: review and commit them.`);
  };

  const deleteSelected = async () => {
    const ids = [...selected.keys()];
    const ok = await ask({
      title: "Delete documents",
      message: `Delete ${ids.length} document${ids.length === 1 ? "" : "s"} from ${table}?${staging.on ? " (staged until you commit)" : ""}`,
      confirmLabel: `Delete ${ids.length}`,
      danger: true,
    });
    if (!ok) return;
    const writes: WriteRequest[] = ids.map((id) => ({ op: "delete", id }));
    if (staging.on) {
      staging.stage(writes.map((write) => ({ write, label: `delete ${(write as { id: string }).id}` })));
      setSelected(new Map());
      return;
    }
    const problem = await runWrites(writes, `Delete ${ids.length} documents`);
    if (problem) setNotice(problem, { stay: true });
    else {
      setNotice(`Deleted ${ids.length} document${ids.length === 1 ? "" : "s"}.`);
      setSelected(new Map());
    }
  };

  const addDocuments = async (docs: Json[]): Promise<string | null> => {
    const writes: WriteRequest[] = docs.map((document) => ({ op: "insert", table: table!, document }));
    if (staging.on) {
      staging.stage(writes.map((write) => ({ write, label: `insert ${formatValue((write as { document: Json }).document, 60)}` })));
      return null;
    }
    const problem = await runWrites(writes, `Add ${docs.length} document${docs.length === 1 ? "" : "s"}`);
    if (!problem) setNotice(`Added ${docs.length} document${docs.length === 1 ? "" : "s"}.`);
    return problem;
  };

  const clearTable = async () => {
    const count = tables?.find((t) => t.name === table)?.count ?? 0;
    const ok = await ask({ title: "Clear table", message: `Delete all ${count} documents of ${table}? This cannot be undone from here.`, confirmLabel: "Clear table", danger: true });
    if (!ok) return;
    try {
      const result = await call("data_clear_table", { table: table!, confirmed: true });
      setNotice(`Deleted ${result.deleted} documents.`);
      void loadTables();
    } catch (e) {
      setNotice(errorMessage(e), { stay: true });
    }
  };

  const createTable = async () => {
    const name = await prompt.ask({ title: "New table", label: "Table name", submitLabel: "Create table", placeholder: "e.g. messages" });
    if (!name) return;
    try {
      await call("data_create_table", { table: name, confirmed: safeMode === "confirm_writes" });
      // The list must hold the new table before it is chosen (or the first one wins).
      await loadTables();
      setTable(name);
    } catch (e) {
      setNotice(errorMessage(e), { stay: true });
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
      if (staging.on) {
        staging.stage([{ write, label: `replace ${panel}` }]);
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

  // A row of this table opened (not a reference to another table's): the palette offers it again.
  const openDocument = (id: string, ofTable = view.loaded.some((d) => d._id === id)) => {
    setPanel(id);
    if (deployment && table && ofTable) rememberDocument(deployment.id, { id, table });
  };
  useAreaActions([
    ...(canWrite && table ? [{ id: "data.add", label: "Add documents", keywords: `insert new ${table}`, run: () => setAdding(documentTemplate(documentType)) }] : []),
    ...(canWrite ? [{ id: "data.table", label: "Create table", keywords: "new", run: () => void createTable() }] : []),
    { id: "data.schema", label: showSchema ? "Hide schema and indexes" : "Show schema and indexes", keywords: "validator", run: () => setShowSchema((s) => !s) },
    ...(canWrite ? [{ id: "data.staging", label: staging.on ? "Stop staging edits" : "Stage edits", keywords: "transaction commit", run: () => staging.setOn(!staging.on) }] : []),
    ...(appliedFilter || filters.sort ? [{ id: "data.clear", label: "Clear filter and sort", keywords: "reset", run: clearFilters }] : []),
  ]);

  if (!deployment) return <NoDeployment />;
  const info = view.info;
  if (!connected && !info && connection) return <DataUnavailable connection={connection} />;

  return (
    <section className="data-area" data-testid="area-data">
      <TableList tables={tables} error={tablesError} table={table} onChoose={setTable} canWrite={canWrite} onCreate={createTable} />

      <div className="data-main">
        <DataToolbar
          table={table}
          info={info}
          connected={connected}
          canWrite={canWrite}
          staging={staging.on}
          onStaging={staging.setOn}
          onAdd={() => setAdding(documentTemplate(documentType))}
          selectedCount={selected.size}
          onDelete={deleteSelected}
          onClear={clearTable}
          showSchema={showSchema}
          onToggleSchema={() => setShowSchema((s) => !s)}
          notify={setNotice}
        />
        <FilterBar filters={filters} schema={schema} onJump={(row) => setJump({ row, nonce: Date.now() })} />
        {table && schema && <SearchBox table={table} indexes={schema.indexes} version={version} onOpenDocument={(id) => openDocument(id, true)} />}
        {filters.error && <div className="inline-error" role="alert">{filters.error}</div>}
        {filters.showBuilder && <FilterBuilder filter={filters.filter} columns={columns} onChange={filters.setClauses} />}

        <StagingBar staging={staging} />
        {exporting && (
          <div className="notice" role="status">
            {exporting}
          </div>
        )}
        {notice && (
          <div className="notice" role="status" data-testid="data-notice">
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
              sort={filters.sort ?? undefined}
              onSort={filters.sortBy}
              selected={selected}
              onSelect={(docs, on) =>
                setSelected((s) => {
                  const next = new Map(s);
                  for (const doc of docs) {
                    if (on) next.set(doc._id as string, doc);
                    else next.delete(doc._id as string);
                  }
                  return next;
                })
              }
              saveLayoutAs={table ? { deployment: deployment.id, table } : undefined}
              onPaste={pasteCells}
              onOpenDocument={openDocument}
              staged={staging.fields}
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
        <AddDocumentsDialog table={table} initial={adding} staging={staging.on} documentType={documentType} onSubmit={addDocuments} onClose={() => setAdding(undefined)} />
      )}
      {prompt.pending && <PromptDialog request={prompt.pending} onAnswer={prompt.answer} />}
      {confirm.pending && <ConfirmDialog request={confirm.pending} onAnswer={confirm.answer} />}
    </section>
  );
}
