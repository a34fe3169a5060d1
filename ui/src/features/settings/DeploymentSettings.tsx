// Settings of the connected deployment — any deployment, remote or local: its URLs, its
// environment variables (list, add, edit, remove; asked first where the connection
// confirms writes, refused where it is read-only), snapshot export and import
// (SnapshotSettings) and its auth providers where the
// deployment lists them. Everything goes through the routes the official CLI uses.
import { useCallback, useEffect, useState } from "react";
import { type Confirmation, ConfirmDialog } from "../../components/ConfirmDialog";
import type { AuthProviderList, ConnectionStatus, EnvVar } from "../../generated/studio";
import { useQuestion } from "../../lib/useQuestion";
import { call, errorMessage } from "../../platform";
import { describeProvider } from "../functions/tokens";
import { SnapshotSettings } from "./SnapshotSettings";

/** The HTTP actions URL Convex cloud gives a deployment (`.convex.cloud` → `.convex.site`). */
export function httpActionsUrl(url: string): string | undefined {
  const match = /^(https:\/\/[^/]+)\.convex\.cloud\/?$/.exec(url);
  return match ? `${match[1]}.convex.site` : undefined;
}

export function DeploymentSettings({ connection }: { connection?: ConnectionStatus }) {
  const deployment = connection?.deployment;
  const connected = connection?.state.state === "connected";
  const [vars, setVars] = useState<EnvVar[]>();
  const [auth, setAuth] = useState<AuthProviderList>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [draft, setDraft] = useState<{ name: string; value: string; editing: boolean }>({ name: "", value: "", editing: false });
  const confirm = useQuestion<Confirmation, boolean>();
  const safeMode = deployment?.safe_mode ?? "normal";
  const readOnly = safeMode === "read_only";

  const load = useCallback(() => {
    call("deployment_env")
      .then((v) => (setVars(v), setError(undefined)))
      .catch((e) => setError(errorMessage(e)));
    call("auth_providers")
      .then(setAuth)
      .catch(() => setAuth(undefined));
  }, []);
  useEffect(() => {
    if (connected) load();
  }, [connected, deployment?.id, load]);

  const change = async (name: string, value: string | null) => {
    const removing = value === null;
    if (removing || safeMode === "confirm_writes") {
      const ok = await confirm.ask({
        title: removing ? "Remove environment variable" : "Set environment variable",
        message: `${removing ? "Remove" : "Set"} ${name} on ${deployment?.name}? Functions see the change at once.`,
        confirmLabel: removing ? "Remove" : "Set",
        danger: removing,
      });
      if (!ok) return;
    }
    try {
      setVars(await call("deployment_env_set", { name, value, confirmed: true }));
      setError(undefined);
      setNotice(removing ? `Removed ${name}.` : `Set ${name}.`);
      setDraft({ name: "", value: "", editing: false });
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  if (!deployment) {
    return (
      <div className="card" data-testid="deployment-settings">
        <h2>Deployment</h2>
        <p className="muted">No deployment is connected. Open Connections (Alt+0) to choose one.</p>
      </div>
    );
  }
  const site = httpActionsUrl(deployment.url);
  return (
    <div className="card" data-testid="deployment-settings">
      <h2>Deployment: {deployment.name}</h2>
      <dl className="facts">
        <dt>Deployment URL</dt>
        <dd>
          <code data-testid="deployment-url">{deployment.url}</code>
        </dd>
        <dt>HTTP actions URL</dt>
        <dd>{site ? <code>{site}</code> : <span className="muted">Not known from here (self-hosted and local deployments set it themselves).</span>}</dd>
      </dl>

      <h3>Environment variables</h3>
      {readOnly && <p className="hint">This connection is read-only: change that in Connections to edit variables.</p>}
      {vars && vars.length === 0 && <p className="muted">No environment variables.</p>}
      {vars && vars.length > 0 && (
        <table className="env-table" data-testid="env-vars">
          <tbody>
            {vars.map((v) => (
              <tr key={v.name} data-name={v.name}>
                <td>
                  <code>{v.name}</code>
                </td>
                <td className="env-value">
                  <code>{v.value}</code>
                </td>
                <td className="env-actions">
                  <button disabled={readOnly} onClick={() => setDraft({ name: v.name, value: v.value, editing: true })} aria-label={`Edit ${v.name}`}>
                    Edit
                  </button>
                  <button disabled={readOnly} className="danger" onClick={() => void change(v.name, null)} aria-label={`Remove ${v.name}`}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        className="tool-row"
        onSubmit={(e) => {
          e.preventDefault();
          void change(draft.name.trim(), draft.value);
        }}
      >
        <input aria-label="Variable name" placeholder="NAME" value={draft.name} readOnly={draft.editing} disabled={readOnly} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
        <input aria-label="Variable value" placeholder="value" value={draft.value} disabled={readOnly} onChange={(e) => setDraft({ ...draft, value: e.target.value })} />
        <button className="primary" disabled={readOnly || !draft.name.trim()}>
          {draft.editing ? `Save ${draft.name}` : "Add variable"}
        </button>
        {draft.editing && (
          <button type="button" onClick={() => setDraft({ name: "", value: "", editing: false })}>
            Cancel
          </button>
        )}
      </form>
      {notice && !error && (
        <p className="notice" role="status" data-testid="env-notice">
          {notice}
        </p>
      )}
      {error && (
        <p className="inline-error" role="alert" data-testid="env-error">
          {error}
        </p>
      )}

      <SnapshotSettings deployment={deployment} />

      <h3>Auth providers</h3>
      <div data-testid="auth-providers-settings">
        {!auth ? (
          <p className="muted">…</p>
        ) : !auth.available ? (
          <p className="muted">This deployment does not list its auth providers to the dashboard (see convex/auth.config.ts in its project).</p>
        ) : auth.providers.length === 0 ? (
          <p className="muted">No auth providers (convex/auth.config.ts).</p>
        ) : (
          <ul>
            {auth.providers.map((p, i) => (
              <li key={i}>
                <code>{describeProvider(p)}</code>
              </li>
            ))}
          </ul>
        )}
      </div>
      {confirm.pending && <ConfirmDialog request={confirm.pending} onAnswer={confirm.answer} />}
    </div>
  );
}
