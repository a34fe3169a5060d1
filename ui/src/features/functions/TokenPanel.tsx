// "Run as a token's user" in the runner: the deployment's auth providers, the pasted JWT,
// and the deployment's verdict — the identity functions would see and the claims, or
// Convex's refusal with its precise cause.
import { describeProvider, expiryOf } from "./tokens";
import type { TokenCheckState } from "./useTokenCheck";

function Providers({ tokens }: { tokens: TokenCheckState }) {
  const list = tokens.providers;
  if (!list) return null;
  if (!list.available) return <p className="muted">This deployment does not list its auth providers.</p>;
  if (list.providers.length === 0) return <p className="muted" data-testid="auth-providers">No auth providers: add them in convex/auth.config.ts.</p>;
  return (
    <div className="muted" data-testid="auth-providers">
      Accepts tokens from
      <ul className="provider-list">
        {list.providers.map((p, i) => (
          <li key={i}>
            <code>{describeProvider(p)}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Verdict({ tokens }: { tokens: TokenCheckState }) {
  const check = tokens.check;
  if (tokens.error) return <div className="inline-error" role="alert">{tokens.error}</div>;
  if (!check) return null;
  if (!check.ok) {
    return (
      <div className="run-result failed" data-testid="token-refused">
        <div className="run-head">
          <strong>Token refused</strong>
          <code>{check.code}</code>
        </div>
        <pre className="error-text">{check.message}</pre>
        {check.detail && <p className="token-cause">Cause: {check.detail}</p>}
      </div>
    );
  }
  const identity = check.identity ?? {};
  const expiry = expiryOf(check.claims);
  return (
    <div className="run-result" data-testid="token-accepted">
      <div className="run-head">
        <strong>Token accepted</strong>
        <span className="muted">
          runs as <code>{String(identity.tokenIdentifier)}</code>
          {expiry && <> · expires {expiry.toLocaleString()}</>}
        </span>
      </div>
      <div className="muted">Identity functions see</div>
      <pre data-testid="token-identity">{JSON.stringify(identity, null, 2)}</pre>
      <div className="muted">Claims</div>
      <pre data-testid="token-claims">{JSON.stringify(check.claims, null, 2)}</pre>
    </div>
  );
}

export function TokenPanel({ tokens }: { tokens: TokenCheckState }) {
  return (
    <div className="token-panel" data-testid="token-panel">
      <Providers tokens={tokens} />
      <textarea
        className="identity"
        aria-label="User token (JWT)"
        placeholder="Paste a JWT (an ID token from your auth provider)"
        value={tokens.token}
        onChange={(e) => tokens.setToken(e.target.value)}
        rows={4}
      />
      <div className="run-bar">
        <button onClick={() => void tokens.verify()} disabled={!tokens.token.trim()}>
          Check token
        </button>
      </div>
      <Verdict tokens={tokens} />
    </div>
  );
}
