// Snapshot export and import for the connected deployment — any deployment — through the
// routes the official CLI uses (`npx convex export` / `import`): the export is saved to the
// export folder; an import asks first, and again with the deployment's own summary of what
// it changes when the deployment offers one. Progress comes from `snapshot_progress` events.
import { useEffect, useState } from "react";
import { type Confirmation, ConfirmDialog } from "../../components/ConfirmDialog";
import { formatBytes } from "../../components/formatBytes";
import type { DeploymentSummary } from "../../generated/studio";
import { useQuestion } from "../../lib/useQuestion";
import { call, errorMessage, onStudioEvent } from "../../platform";
import { describeSnapshotProgress, IMPORT_MODES } from "./snapshotProgress";
import "./settings.css";

export function SnapshotSettings({ deployment }: { deployment: DeploymentSummary }) {
  const [includeStorage, setIncludeStorage] = useState(true);
  const [path, setPath] = useState("");
  const [mode, setMode] = useState("requireEmpty");
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<string>();
  const [result, setResult] = useState<{ text: string; error?: boolean }>();
  const [exported, setExported] = useState<string>();
  const confirm = useQuestion<Confirmation, boolean>();
  const readOnly = deployment.safe_mode === "read_only";

  useEffect(
    () =>
      onStudioEvent((event) => {
        if (event.type === "snapshot_progress") setProgress(describeSnapshotProgress(event.progress));
      }),
    [],
  );

  const run = async (work: () => Promise<string | undefined>) => {
    setBusy(true);
    setResult(undefined);
    try {
      const text = await work();
      if (text) setResult({ text });
    } catch (e) {
      setResult({ text: errorMessage(e), error: true });
    } finally {
      setBusy(false);
      setProgress(undefined);
    }
  };

  const exportSnapshot = () =>
    run(async () => {
      const done = await call("deployment_export", { include_storage: includeStorage });
      setExported(done.path);
      return `Saved a snapshot (${formatBytes(done.bytes)}) to ${done.path}`;
    });

  const importSnapshot = () =>
    run(async () => {
      const file = path.trim();
      const label = IMPORT_MODES.find((m) => m.value === mode)?.label.toLowerCase() ?? mode;
      const ok = await confirm.ask({
        title: "Import snapshot",
        message: `Import ${file} into ${deployment.name} (${label})? Functions see the data at once.`,
        confirmLabel: "Import",
        danger: mode === "replace" || mode === "replaceAll",
      });
      if (!ok) return undefined;
      let outcome = await call("deployment_import", { path: file, mode, confirmed: true });
      if (outcome.state === "waiting_for_confirmation") {
        const go = await confirm.ask({
          title: "Confirm the import",
          message: `${deployment.name} summarises what the import changes:`,
          detail: outcome.message_to_confirm ?? "(no summary given)",
          confirmLabel: "Perform import",
          danger: true,
        });
        if (!go) return `Import cancelled; ${deployment.name} was not changed.`;
        outcome = await call("deployment_import_confirm", { import_id: outcome.import_id, confirmed: true });
      }
      return `Imported ${(outcome.documents ?? 0).toLocaleString("en-US")} documents into ${deployment.name}.`;
    });

  return (
    <div data-testid="snapshot-settings">
      <h3>Snapshots</h3>
      <p className="hint">Convex's snapshot ZIP, as `npx convex export` and `npx convex import` move it.</p>
      <div className="tool-row snapshot-row">
        <span className="snapshot-label">Export</span>
        <button disabled={busy} onClick={() => void exportSnapshot()}>
          Export snapshot
        </button>
        <label>
          <input type="checkbox" checked={includeStorage} onChange={(e) => setIncludeStorage(e.target.checked)} /> Include stored files
        </label>
        {exported && (
          <code className="muted" data-testid="snapshot-exported">
            {exported}
          </code>
        )}
      </div>
      <form
        className="tool-row snapshot-row"
        onSubmit={(e) => {
          e.preventDefault();
          void importSnapshot();
        }}
      >
        <span className="snapshot-label">Import</span>
        <input className="snapshot-path" aria-label="Snapshot to import" placeholder="/path/to/snapshot.zip" value={path} disabled={readOnly} onChange={(e) => setPath(e.target.value)} />
        <select aria-label="Import mode" value={mode} disabled={readOnly} onChange={(e) => setMode(e.target.value)}>
          {IMPORT_MODES.map((m) => (
            <option key={m.value} value={m.value}>
              {m.label}
            </option>
          ))}
        </select>
        <button className="primary" disabled={busy || readOnly || !path.trim()}>
          Import…
        </button>
      </form>
      {readOnly && <p className="hint">This connection is read-only: change that in Connections to import data.</p>}
      {busy && progress && (
        <p className="muted" role="status" data-testid="snapshot-progress">
          {progress}
        </p>
      )}
      {result && (
        <p className={result.error ? "inline-error" : "notice"} role={result.error ? "alert" : "status"} data-testid={result.error ? "snapshot-error" : "snapshot-notice"}>
          {result.text}
        </p>
      )}
      {confirm.pending && <ConfirmDialog request={confirm.pending} onAnswer={confirm.answer} />}
    </div>
  );
}
