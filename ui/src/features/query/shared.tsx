// Pieces both query panels use: saved queries, the run history list, and the Data grid
// for read-only results (no selection, no edits; IDs open the document panel).
import { useState } from "react";
import { PromptDialog } from "../../components/PromptDialog";
import { Grid } from "../data/Grid";
import type { Doc } from "../data/values";
import { forget, loadSaved, save, type SavedQuery } from "./queryHistory";

const NO_SELECTION: ReadonlyMap<string, Doc> = new Map();
const NO_STAGED = new Map<string, Record<string, never>>();

export function HistoryList({ history, onPick }: { history: string[]; onPick(text: string): void }) {
  if (history.length === 0) return null;
  return (
    <details className="history-list">
      <summary>History ({history.length})</summary>
      <ol>
        {history.map((h) => (
          <li key={h}>
            <button onClick={() => onPick(h)} title={h}>
              <code>{h.length > 60 ? `${h.slice(0, 60)}…` : h}</code>
            </button>
          </li>
        ))}
      </ol>
    </details>
  );
}

export function ResultGrid({
  columns,
  total,
  rowAt,
  onRange = () => {},
  onOpenDocument,
}: {
  columns: string[];
  total: number;
  rowAt(index: number): Doc | undefined;
  onRange?: (start: number, count: number) => void;
  onOpenDocument(id: string): void;
}) {
  return (
    <Grid
      columns={columns}
      total={total}
      rowAt={rowAt}
      onRange={onRange}
      onSort={() => {}}
      selected={NO_SELECTION}
      onSelect={() => {}}
      onOpenDocument={onOpenDocument}
      staged={NO_STAGED}
      editable={false}
      onCommitEdit={async () => "Query results are read-only."}
    />
  );
}

/** Saved queries of one language on one deployment: pick one to edit it, × to forget it,
 * and the dialog that names the current text. */
export function SavedQueries({
  deploymentId,
  language,
  text,
  onPick,
  naming,
  onNamed,
}: {
  deploymentId: string;
  language: string;
  text: string;
  onPick(text: string): void;
  naming: boolean;
  onNamed(): void;
}) {
  const [saved, setSaved] = useState<SavedQuery[]>(() => loadSaved(deploymentId, language));
  return (
    <>
      <div className="fn-module-name">Saved</div>
      {saved.length === 0 && <p className="muted small-note">Save a query to keep it here.</p>}
      {saved.map((s) => (
        <div key={s.name} className="saved-query">
          <button className="table-item" onClick={() => onPick(s.text)} title={s.text}>
            <span className="table-name">{s.name}</span>
          </button>
          <button className="icon-button" aria-label={`Forget ${s.name}`} onClick={() => setSaved(forget(deploymentId, language, s.name))}>
            ×
          </button>
        </div>
      ))}
      {naming && (
        <PromptDialog
          request={{ title: "Save query", label: "Name", submitLabel: "Save", placeholder: "Open tasks by priority" }}
          onAnswer={(name) => {
            onNamed();
            if (name?.trim()) setSaved(save(deploymentId, language, name.trim(), text));
          }}
        />
      )}
    </>
  );
}
