// "Promote…" for a running local project: pick another saved deployment, see what the
// push changes there (a preview the studio works out from both deployments), optionally
// copy the data (Convex's snapshot ZIP, with files), then push through the CLI's routes.
// Each step's progress comes from `promote_progress` events; the first error stops it and
// says which step failed and what the target answered.
import { useEffect, useState } from "react";
import { useDialog } from "../../components/useDialog";
import type { ConnectionInfo, ProjectInfo, PromoteDone, PromotePreview } from "../../generated/studio";
import { call, errorMessage, onStudioEvent } from "../../platform";
import { IMPORT_MODES } from "../settings/snapshotProgress";
import { describePromoteProgress, stepStates } from "./promoteProgress";
import { PushDiffView } from "./PushDiffView";

const MARKS = { done: "✓", running: "…", failed: "✗", waiting: "·" } as const;

export function PromoteDialog({ project, onClose }: { project: ProjectInfo; onClose(): void }) {
  const dialog = useDialog<HTMLDivElement>(onClose);
  const [targets, setTargets] = useState<ConnectionInfo[]>([]);
  const [target, setTarget] = useState("");
  const [preview, setPreview] = useState<PromotePreview>();
  const [loading, setLoading] = useState(false);
  const [copyData, setCopyData] = useState(false);
  const [mode, setMode] = useState("requireEmpty");
  const [confirmed, setConfirmed] = useState(false);
  const [running, setRunning] = useState(false);
  const [step, setStep] = useState<string>();
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<PromoteDone>();

  useEffect(() => {
    call("list_connections")
      .then((list) => {
        // Any saved deployment but the project's own.
        const others = list.connections.filter((c) => c.url.replace(/\/$/, "") !== project.url?.replace(/\/$/, ""));
        setTargets(others);
        setTarget((t) => t || (others[0]?.id ?? ""));
      })
      .catch((e) => setError(errorMessage(e)));
  }, [project.url]);

  useEffect(
    () =>
      onStudioEvent((event) => {
        if (event.type !== "promote_progress") return;
        setStep(event.progress.step);
        setMessage(describePromoteProgress(event.progress));
      }),
    [],
  );

  // A new preview for each target chosen.
  useEffect(() => {
    if (!target) return;
    let current = true;
    setPreview(undefined);
    setError(undefined);
    setDone(undefined);
    setConfirmed(false);
    setLoading(true);
    call("promote_preview", { project: project.id, target })
      .then((p) => current && setPreview(p))
      .catch((e) => current && setError(errorMessage(e)))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [project.id, target]);

  const promote = async () => {
    setRunning(true);
    setError(undefined);
    setDone(undefined);
    setStep(undefined);
    try {
      setDone(await call("promote", { project: project.id, target, copy_data: copyData, data_mode: copyData ? mode : null, confirmed }));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setRunning(false);
    }
  };

  const readOnly = preview?.safe_mode === "read_only";
  const needsConfirm = preview?.safe_mode === "confirm_writes";
  const started = running || done !== undefined || (error !== undefined && step !== undefined);
  const canPromote = preview !== undefined && !running && !readOnly && (!needsConfirm || confirmed);

  return (
    <div className="modal-backdrop">
      <div ref={dialog} tabIndex={-1} className="modal wide promote-dialog" role="dialog" aria-modal="true" aria-labelledby="promote-title" data-testid="promote-dialog">
        <h2 id="promote-title">Promote {project.name}</h2>
        <p className="hint">Push this project's code to another deployment through the routes `npx convex deploy` uses, and optionally copy its data.</p>
        {targets.length === 0 ? (
          <p className="muted">No other saved deployment: add one in Connections (Convex cloud, self-hosted, or another local engine).</p>
        ) : (
          <label className="tool-row">
            To
            <select aria-label="Target deployment" value={target} disabled={running} onChange={(e) => setTarget(e.target.value)}>
              {targets.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} — {c.url}
                </option>
              ))}
            </select>
          </label>
        )}
        {loading && (
          <p className="muted" role="status" data-testid="promote-previewing">
            Working out what the push changes…
          </p>
        )}
        {preview && !started && <PushDiffView diff={preview.diff} targetName={preview.target_name} />}
        {preview && !started && (
          <div className="tool-row">
            <label>
              <input type="checkbox" checked={copyData} onChange={(e) => setCopyData(e.target.checked)} /> Copy the data too (snapshot with files)
            </label>
            {copyData && (
              <select aria-label="Data import mode" value={mode} onChange={(e) => setMode(e.target.value)}>
                {IMPORT_MODES.filter((m) => m.value !== "replaceAll").map((m) => (
                  <option key={m.value} value={m.value}>
                    {m.label}
                  </option>
                ))}
              </select>
            )}
          </div>
        )}
        {preview && needsConfirm && !started && (
          <label className="tool-row">
            <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} /> {preview.target_name} asks before writes: I confirm this push
          </label>
        )}
        {readOnly && <p className="hint">{preview?.target_name} is read-only in Atrium: change its safe mode in Connections to promote to it.</p>}
        {started && (
          <ol className="promote-steps" data-testid="promote-steps" aria-label="Promotion steps">
            {stepStates(done ? "done" : step, error !== undefined, copyData).map((s) => (
              <li key={s.step} data-state={s.state}>
                <span className="step-mark" aria-hidden>
                  {MARKS[s.state]}
                </span>{" "}
                {s.label}
                {s.state === "running" && message && <div className="muted">{message}</div>}
              </li>
            ))}
          </ol>
        )}
        {error && (
          <div className="inline-error" role="alert" data-testid="promote-error">
            {error}
          </div>
        )}
        {done && (
          <div className="notice" role="status" data-testid="promote-done">
            Promoted to {done.target_name}: {done.modules_added.length} module{done.modules_added.length === 1 ? "" : "s"} added, {done.modules_removed.length} removed
            {done.documents !== null && `, ${done.documents.toLocaleString("en-US")} documents copied`}.
          </div>
        )}
        <div className="modal-actions">
          <button onClick={onClose} disabled={running}>
            {done ? "Close" : "Cancel"}
          </button>
          {!done && (
            <button className="primary" disabled={!canPromote} onClick={() => void promote()}>
              {running ? "Promoting…" : "Promote"}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}
