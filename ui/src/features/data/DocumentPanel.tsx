// The document side panel: every field, copy as JSON, edit the whole document, and its
// revision history (where the deployment keeps one), each revision marking what it changed
// from the one before, with restore.
import { useCallback, useEffect, useState } from "react";
import { JsonEditor } from "../../components/JsonEditor";
import type { DocumentDetail } from "../../generated/studio";
import { call, errorMessage } from "../../platform";
import { revisionLines } from "./revisionDiff";
import { type Doc, formatValue, type Json, looksLikeId } from "./values";

export function DocumentPanel({
  id,
  onClose,
  onOpen,
  canWrite,
  write,
  version,
}: {
  id: string;
  onClose(): void;
  onOpen(id: string): void;
  canWrite: boolean;
  /** Runs a write through the area (safe mode, staging); resolves to an error message or null. */
  write(kind: "replace" | "restore", payload: { document?: Json; ts?: number }): Promise<string | null>;
  /** Changes when the grid's data changed, to refresh. */
  version: number;
}) {
  const [detail, setDetail] = useState<DocumentDetail>();
  const [error, setError] = useState<string>();
  const [editing, setEditing] = useState<string>();
  const [editError, setEditError] = useState<string>();
  const [copied, setCopied] = useState(false);

  const load = useCallback(() => {
    call("data_document", { id })
      .then((d) => {
        setDetail(d);
        setError(undefined);
      })
      .catch((e) => setError(errorMessage(e)));
  }, [id]);
  useEffect(load, [load, version]);

  const document = detail?.document as Doc | null | undefined;
  const copy = async () => {
    await navigator.clipboard?.writeText(JSON.stringify(document, null, 2)).catch(() => {});
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };

  return (
    <aside className="doc-panel" aria-label="Document" data-testid="document-panel">
      <div className="doc-panel-head">
        <h2 title={id}>Document</h2>
        <button onClick={onClose} aria-label="Close document panel">
          ×
        </button>
      </div>
      <code className="doc-id">{id}</code>
      {error && <div className="inline-error" role="alert">{error}</div>}
      {document === null && <p className="muted">This document does not exist (deleted, or the ID belongs to another deployment).</p>}
      {document && editing === undefined && (
        <>
          <div className="doc-actions">
            <button onClick={copy}>{copied ? "Copied" : "Copy as JSON"}</button>
            <button disabled={!canWrite} onClick={() => setEditing(JSON.stringify(stripSystem(document), null, 2))}>
              Edit JSON
            </button>
          </div>
          <dl className="doc-fields">
            {Object.entries(document).map(([field, value]) => (
              <div key={field}>
                <dt>{field}</dt>
                <dd>
                  {looksLikeId(value) && field !== "_id" ? (
                    <button className="id-link" onClick={() => onOpen(value)}>
                      {value}
                    </button>
                  ) : field === "_creationTime" && typeof value === "number" ? (
                    `${new Date(value).toISOString().replace("T", " ").replace("Z", "")} (${value})`
                  ) : value !== null && typeof value === "object" ? (
                    <pre>{JSON.stringify(value, null, 2)}</pre>
                  ) : (
                    formatValue(value, 2000)
                  )}
                </dd>
              </div>
            ))}
          </dl>
        </>
      )}
      {editing !== undefined && (
        <div className="doc-edit">
          <JsonEditor value={editing} onChange={setEditing} label="Document JSON" />
          {editError && <div className="inline-error" role="alert">{editError}</div>}
          <div className="doc-actions">
            <button onClick={() => setEditing(undefined)}>Cancel</button>
            <button
              className="primary"
              onClick={async () => {
                let parsed: Json;
                try {
                  parsed = JSON.parse(editing) as Json;
                } catch (e) {
                  setEditError(`Not valid JSON: ${(e as Error).message}`);
                  return;
                }
                const problem = await write("replace", { document: parsed });
                if (problem) setEditError(problem);
                else {
                  setEditing(undefined);
                  setEditError(undefined);
                  load();
                }
              }}
            >
              Save document
            </button>
          </div>
        </div>
      )}
      <h3>History</h3>
      {detail && detail.history === null && <p className="muted">This deployment does not offer document history.</p>}
      {detail?.history && (
        <ol className="history" data-testid="history">
          {detail.history.map((revision, index) => (
            <li key={revision.ts}>
              <div className="history-head">
                <span>{new Date(revision.ts / 1e6).toLocaleString()}</span>
                {index === 0 ? (
                  <span className="muted">current</span>
                ) : revision.document === null ? (
                  <span className="muted">deleted</span>
                ) : (
                  <button
                    disabled={!canWrite}
                    onClick={async () => {
                      const problem = await write("restore", { ts: revision.ts });
                      if (problem) setError(problem);
                      else load();
                    }}
                  >
                    Restore
                  </button>
                )}
              </div>
              {revision.document !== null && (
                <pre>
                  {revisionLines(revision.document as Doc, (detail.history?.[index + 1]?.document ?? null) as Doc | null).map((line) => (
                    <div key={`${line.change}:${line.field}`} className={`rev-${line.change}`} data-change={line.change} title={CHANGE_TITLE[line.change]}>
                      {line.change === "added" ? "+ " : line.change === "removed" ? "− " : line.change === "changed" ? "~ " : "  "}
                      {line.text}
                    </div>
                  ))}
                </pre>
              )}
            </li>
          ))}
        </ol>
      )}
    </aside>
  );
}

function stripSystem(doc: Doc): Doc {
  return Object.fromEntries(Object.entries(doc).filter(([k]) => k !== "_id" && k !== "_creationTime"));
}

const CHANGE_TITLE = { same: "unchanged", changed: "changed in this revision", added: "added in this revision", removed: "removed in this revision" } as const;
