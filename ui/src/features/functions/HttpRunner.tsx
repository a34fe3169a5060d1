// Trying one of the deployment's HTTP action routes: method, path, headers and body sent to
// the deployment's site, and the status, headers and body that came back.
import { useState } from "react";
import type { HttpActionResult } from "../../generated/studio";
import { call, errorMessage } from "../../platform";
import { methodHasBody, parseHeaders } from "./httpRequest";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

export function HttpRunner({ method: routeMethod, path: routePath }: { method: string; path: string }) {
  const [method, setMethod] = useState(routeMethod);
  const [path, setPath] = useState(routePath);
  const [headers, setHeaders] = useState(methodHasBody(routeMethod) ? "content-type: application/json" : "");
  const [body, setBody] = useState("");
  const [result, setResult] = useState<HttpActionResult>();
  const [error, setError] = useState<string>();
  const [sending, setSending] = useState(false);

  const send = async () => {
    setSending(true);
    setError(undefined);
    try {
      const pairs = parseHeaders(headers);
      setResult(await call("http_action_request", { method, path, headers: pairs, body: methodHasBody(method) ? body : null }));
    } catch (e) {
      setResult(undefined);
      setError(errorMessage(e));
    } finally {
      setSending(false);
    }
  };

  return (
    <div className="runner http-runner" data-testid="http-runner">
      <div className="toolbar">
        <h2 className="table-title">
          <code>
            {routeMethod} {routePath}
          </code>
        </h2>
        <span className="deployment-kind">HTTP route</span>
      </div>
      <div className="http-request-line">
        <select aria-label="Method" value={method} onChange={(e) => setMethod(e.target.value)}>
          {[...new Set([routeMethod, ...METHODS])].map((m) => (
            <option key={m}>{m}</option>
          ))}
        </select>
        <input aria-label="Path" value={path} onChange={(e) => setPath(e.target.value)} spellCheck={false} />
        <button className="primary" onClick={() => void send()} disabled={sending}>
          Send request
        </button>
      </div>
      <label className="prompt-field">
        Headers (one a line, Name: value)
        <textarea aria-label="Headers" rows={3} value={headers} onChange={(e) => setHeaders(e.target.value)} spellCheck={false} />
      </label>
      {methodHasBody(method) && (
        <label className="prompt-field">
          Body
          <textarea aria-label="Body" rows={5} value={body} onChange={(e) => setBody(e.target.value)} spellCheck={false} />
        </label>
      )}
      {error && (
        <div className="inline-error" role="alert">
          {error}
        </div>
      )}
      {result && (
        <div className="http-response" data-testid="http-response">
          <div>
            <strong data-testid="http-status" className={result.status < 400 ? "ok" : "bad"}>
              {result.status}
            </strong>{" "}
            <span className="muted">
              {result.url} · {result.duration_ms} ms
            </span>
          </div>
          <table className="http-headers" data-testid="http-headers">
            <tbody>
              {result.headers.map(([name, value], i) => (
                <tr key={i}>
                  <th>{name}</th>
                  <td>{value}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <pre data-testid="http-body">{result.body}</pre>
        </div>
      )}
    </div>
  );
}
