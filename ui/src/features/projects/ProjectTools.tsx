// One running project's data and settings: snapshot export and import (Convex's ZIP, what
// `npx convex export`/`import` use), reset with confirmation, and environment variables.
import { useEffect, useState } from "react";
import type { AuthProviderList, EnvVar, ProjectInfo } from "../../generated/studio";
import { call, errorMessage } from "../../platform";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { formatBytes } from "../../components/formatBytes";
import { useExportProgress } from "../../state/useExportProgress";
import { describeProvider } from "../functions/tokens";

export function ProjectTools({ project, onChanged }: { project: ProjectInfo; onChanged(list: ProjectInfo[]): void }) {
  const [vars, setVars] = useState<EnvVar[]>([]);
  const [auth, setAuth] = useState<AuthProviderList>();
  const [name, setName] = useState("");
  const [value, setValue] = useState("");
  const [zip, setZip] = useState("");
  const [mode, setMode] = useState("requireEmpty");
  const [message, setMessage] = useState<{ text: string; error?: boolean }>();
  const [confirming, setConfirming] = useState(false);
  const [port, setPort] = useState(project.port ? String(project.port) : "");
  const running = project.state === "running";
  const exporting = useExportProgress();

  useEffect(() => {
    if (running) void call("project_env", { id: project.id }).then(setVars).catch(() => setVars([]));
  }, [project.id, running]);

  // The providers follow the variables: auth.config.ts is evaluated with them.
  useEffect(() => {
    if (running) void call("project_auth_providers", { id: project.id }).then(setAuth).catch(() => setAuth(undefined));
  }, [project.id, running, vars]);

  const run = async (work: () => Promise<string>) => {
    setMessage(undefined);
    try {
      setMessage({ text: await work() });
    } catch (e) {
      setMessage({ text: errorMessage(e), error: true });
    }
  };

  return (
    <div className="project-tools" data-testid="project-tools">
      {!running && <p className="muted">Start the project to export, import or change its variables.</p>}
      <div className="tool-row">
        <strong>Data</strong>
        <button disabled={!running} onClick={() => void run(async () => {
          const done = await call("project_export", { id: project.id });
          return `Saved a snapshot (${formatBytes(done.bytes)}) to ${done.path}`;
        })}>
          Export snapshot
        </button>
        <input aria-label="Snapshot to import" placeholder="/path/to/snapshot.zip" value={zip} onChange={(e) => setZip(e.target.value)} />
        <select aria-label="Import mode" value={mode} onChange={(e) => setMode(e.target.value)}>
          <option value="requireEmpty">Only into empty tables</option>
          <option value="append">Append</option>
          <option value="replaceAll">Replace all data</option>
        </select>
        <button disabled={!running || !zip.trim()} onClick={() => void run(async () => {
          const done = await call("project_import", { id: project.id, path: zip, mode });
          return `Imported ${done.documents.toLocaleString("en-US")} documents from ${done.path}`;
        })}>
          Import
        </button>
        <button className="danger" onClick={() => setConfirming(true)}>
          Reset data…
        </button>
      </div>
      <form
        className="tool-row"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const chosen = port.trim() ? Number(port) : null;
            onChanged(await call("project_set_port", { id: project.id, port: chosen }));
            return chosen ? `${project.name} is served on port ${chosen} (HTTP actions on ${chosen + 1}).` : `${project.name} is served on free ports.`;
          });
        }}
      >
        <strong>Port</strong>
        <input aria-label="Port" inputMode="numeric" pattern="[0-9]*" placeholder="free (e.g. 3210)" value={port} onChange={(e) => setPort(e.target.value)} />
        <button>Use port</button>
      </form>
      <div className="tool-row">
        <strong>Environment</strong>
        {vars.length === 0 && running && <span className="muted">No variables.</span>}
        {vars.map((v) => (
          <span key={v.name} className="env-var">
            <code>{v.name}</code>=<code>{v.value}</code>
            <button className="icon-button" aria-label={`Remove ${v.name}`} onClick={() => void run(async () => {
              setVars(await call("project_env_set", { id: project.id, name: v.name, value: null }));
              return `Removed ${v.name}.`;
            })}>
              ×
            </button>
          </span>
        ))}
      </div>
      <form
        className="tool-row"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            setVars(await call("project_env_set", { id: project.id, name, value }));
            setName("");
            setValue("");
            return `Set ${name}; functions see it now.`;
          });
        }}
      >
        <input aria-label="Variable name" placeholder="NAME" value={name} onChange={(e) => setName(e.target.value)} disabled={!running} />
        <input aria-label="Variable value" placeholder="value" value={value} onChange={(e) => setValue(e.target.value)} disabled={!running} />
        <button disabled={!running || !name.trim()}>Set variable</button>
      </form>
      {running && auth && (
        <div className="tool-row" data-testid="project-auth">
          <strong>Sign-in</strong>
          {auth.providers.length === 0 ? (
            <span className="muted">No auth providers (convex/auth.config.ts).</span>
          ) : (
            auth.providers.map((p, i) => (
              <code key={i} className="env-var">
                {describeProvider(p)}
              </code>
            ))
          )}
        </div>
      )}
      {exporting && (
        <div className="notice" role="status">
          {exporting}
        </div>
      )}
      {message && (
        <div className={message.error ? "inline-error" : "notice"} role={message.error ? "alert" : "status"} data-testid="tools-message">
          {message.text}
        </div>
      )}
      {confirming && (
        <ConfirmDialog
          request={{ title: `Reset ${project.name}?`, message: "Every document, log and pushed module of this project is deleted; its folder and code stay.", confirmLabel: "Reset data", danger: true }}
          onAnswer={(ok) => {
            setConfirming(false);
            if (ok)
              void run(async () => {
                onChanged(await call("project_reset", { id: project.id, confirmed: true }));
                return `${project.name}'s data was reset.`;
              });
          }}
        />
      )}
    </div>
  );
}
