// Connections: the saved deployments (and the built-in sample project) to connect to, and
// a form to add or change one — name, URL, admin key, colour, safe mode — with "Test
// connection". Admin keys go to the studio's key store; this UI never reads them back.
import { useCallback, useEffect, useRef, useState } from "react";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { useDialog } from "../../components/useDialog";
import type { ConnectionDraft, ConnectionInfo, ConnectionList, SafeMode } from "../../generated/studio";
import { call, errorMessage } from "../../platform";

const SAFE_MODES: { value: SafeMode; label: string; hint: string }[] = [
  { value: "normal", label: "Normal", hint: "Edits apply when made." },
  { value: "confirm_writes", label: "Confirm writes", hint: "Every write asks first." },
  { value: "read_only", label: "Read-only", hint: "No writes from Atrium." },
];


function emptyDraft(): ConnectionDraft {
  return { id: null, name: "", url: "", colour: "#3b82f6", safe_mode: "normal", admin_key: "" };
}

export function ConnectionsDialog({ onClose }: { onClose(): void }) {
  const [list, setList] = useState<ConnectionList>();
  const [error, setError] = useState<string>();
  const [draft, setDraft] = useState<ConnectionDraft>();
  const [formError, setFormError] = useState<string>();
  const [test, setTest] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState(false);
  const [removing, setRemoving] = useState<ConnectionInfo>();
  const first = useRef<HTMLButtonElement>(null);
  const dialog = useDialog<HTMLDivElement>(onClose);

  const load = useCallback(() => {
    call("list_connections")
      .then(setList)
      .catch((e) => setError(errorMessage(e)));
  }, []);
  useEffect(load, [load]);
  const loaded = list !== undefined;
  useEffect(() => first.current?.focus(), [loaded]);

  const connect = async (c: ConnectionInfo) => {
    try {
      await call("connect", { id: c.id });
      onClose();
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const runTest = async () => {
    if (!draft) return;
    setTest(undefined);
    setBusy(true);
    try {
      const result = await call("test_connection", { url: draft.url, admin_key: draft.admin_key, id: draft.id });
      setTest({ ok: true, text: `Connected to ${result.url}: the key may ${result.read_only ? "only read" : "read and write"}.` });
    } catch (e) {
      setTest({ ok: false, text: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  const save = async (andConnect: boolean) => {
    if (!draft) return;
    setBusy(true);
    try {
      if (andConnect) {
        // A URL or key that fails its test is neither saved nor switched to: the form stays
        // open with the reason, and "Save" keeps it anyway if that is what is wanted.
        try {
          await call("test_connection", { url: draft.url, admin_key: draft.admin_key, id: draft.id });
        } catch (e) {
          setTest({ ok: false, text: `Not saved: ${errorMessage(e)}` });
          return;
        }
      }
      const next = await call("save_connection", draft);
      setList(next);
      const saved = draft.id ? next.connections.find((c) => c.id === draft.id) : next.connections.filter((c) => !c.built_in).at(-1);
      setDraft(undefined);
      setFormError(undefined);
      setTest(undefined);
      if (andConnect && saved) await connect(saved);
    } catch (e) {
      setFormError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (c: ConnectionInfo) => {
    try {
      setList(await call("remove_connection", { id: c.id }));
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <div className="modal-backdrop">
      <div ref={dialog} tabIndex={-1} className="modal wide connections" role="dialog" aria-modal="true" aria-labelledby="connections-title" data-testid="connections">
        <div className="modal-head">
          <h2 id="connections-title">Connections</h2>
          <button onClick={onClose} aria-label="Close connections">
            ×
          </button>
        </div>
        {error && <div className="inline-error" role="alert">{error}</div>}
        <ul className="connection-list">
          {list?.connections.map((c, i) => (
            <li key={c.id} className={list.active === c.id ? "active" : ""}>
              <span className="colour-chip" style={{ background: c.colour }} aria-hidden="true" />
              <div className="connection-text">
                <strong>{c.name}</strong>
                <span className="muted">
                  {c.url} · {SAFE_MODES.find((m) => m.value === c.safe_mode)?.label}
                  {!c.has_admin_key && " · no admin key"}
                </span>
              </div>
              {list.active === c.id ? (
                <span className="muted">connected</span>
              ) : (
                <button ref={i === 0 ? first : undefined} className="primary" onClick={() => connect(c)}>
                  Connect
                </button>
              )}
              {!c.built_in && (
                <>
                  <button
                    onClick={() => {
                      setDraft({ id: c.id, name: c.name, url: c.url, colour: c.colour, safe_mode: c.safe_mode, admin_key: "" });
                      setTest(undefined);
                      setFormError(undefined);
                    }}
                  >
                    Edit
                  </button>
                  <button onClick={() => setRemoving(c)}>Remove</button>
                </>
              )}
            </li>
          ))}
        </ul>
        {removing && (
          <ConfirmDialog
            request={{ title: "Remove connection", message: `Forget ${removing.name} and its admin key?`, confirmLabel: "Remove", danger: true }}
            onAnswer={(ok) => {
              if (ok) void remove(removing);
              setRemoving(undefined);
            }}
          />
        )}
        {!draft && (
          <button
            onClick={() => {
              setDraft(emptyDraft());
              setTest(undefined);
            }}
          >
            + Add connection
          </button>
        )}
        {draft && (
          <form
            className="connection-form"
            onSubmit={(e) => {
              e.preventDefault();
              void save(true);
            }}
          >
            <h3>{draft.id ? "Edit connection" : "New connection"}</h3>
            <label>
              Name
              <input autoFocus value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} placeholder="Production" />
            </label>
            <label>
              Deployment URL
              <input value={draft.url} onChange={(e) => setDraft({ ...draft, url: e.target.value })} placeholder="https://happy-otter-123.convex.cloud" />
            </label>
            <label>
              Admin key
              <input
                type="password"
                autoComplete="off"
                value={draft.admin_key ?? ""}
                onChange={(e) => setDraft({ ...draft, admin_key: e.target.value })}
                placeholder={draft.id ? "(unchanged)" : "from the dashboard or `npx convex deploy-key`"}
              />
            </label>
            <div className="form-row">
              <label>
                Colour
                <input type="color" value={draft.colour} onChange={(e) => setDraft({ ...draft, colour: e.target.value })} />
              </label>
              <label>
                Safe mode
                <select value={draft.safe_mode} onChange={(e) => setDraft({ ...draft, safe_mode: e.target.value as SafeMode })}>
                  {SAFE_MODES.map((m) => (
                    <option key={m.value} value={m.value}>
                      {m.label} — {m.hint}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <p className="hint">Admin keys are kept in {list?.key_store === "keychain" ? "the system keychain" : "a file only you can read (no keychain service is running)"}.</p>
            {test && (
              <div className={test.ok ? "test-ok" : "inline-error"} role="status" data-testid="test-result">
                {test.text}
              </div>
            )}
            {formError && <div className="inline-error" role="alert">{formError}</div>}
            <div className="modal-actions">
              <button type="button" onClick={() => setDraft(undefined)}>
                Cancel
              </button>
              <button type="button" onClick={runTest} disabled={busy}>
                Test connection
              </button>
              <button type="button" onClick={() => save(false)} disabled={busy}>
                Save
              </button>
              <button type="submit" className="primary" disabled={busy}>
                Save and connect
              </button>
            </div>
          </form>
        )}
      </div>
    </div>
  );
}
