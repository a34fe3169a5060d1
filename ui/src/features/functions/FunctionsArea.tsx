// The Functions area: the deployment's functions by module, and a runner — a form built
// from the function's argument validator (or the arguments as JSON), run as admin or
// acting as a user, with the result, log lines, duration and ConvexError data; queries can
// be kept live, each new version on a timeline with a diff from the one before; the last
// 25 runs of each function are kept (per deployment, in this browser or window). HTTP routes
// can be tried (HttpRunner). The component selector scopes the list and the runs to one
// component instance. A module that fails to load is listed with its error (ModuleLoadError).
import { useEffect, useState } from "react";
import { ComponentSelect } from "../../components/ComponentSelect";
import { useComponents } from "../../lib/useComponents";
import { MetricsPanel } from "./MetricsPanel";
import type { ConnectionStatus, FunctionInfo, FunctionList } from "../../generated/studio";
import { call, errorMessage } from "../../platform";
import { HttpRunner } from "./HttpRunner";
import { ModuleLoadError } from "./ModuleLoadError";
import { parseRouteKey, routeKey } from "./httpRequest";
import { Runner } from "./Runner";

const BADGE: Record<string, string> = { query: "Q", mutation: "M", action: "A" };

/** The function a link names: `#/functions/<path>`. */
function functionFromHash(): string | undefined {
  const match = /^#\/functions\/(.+)$/.exec(window.location.hash);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

export function FunctionsArea({ connection }: { connection?: ConnectionStatus }) {
  const deployment = connection?.deployment;
  const connected = connection?.state.state === "connected";
  const [list, setList] = useState<FunctionList>();
  const [error, setError] = useState<string>();
  const [search, setSearch] = useState("");
  const [selected, setSelected] = useState<string | undefined>(functionFromHash);
  const components = useComponents(deployment?.id, connected);
  const [component, setComponent] = useState("");
  // The chosen function is kept in the URL (a link to it, and the place coming back).
  useEffect(() => {
    if (!window.location.hash.startsWith("#/functions")) return;
    window.history.replaceState(null, "", selected ? `#/functions/${encodeURIComponent(selected)}` : "#/functions");
  }, [selected]);

  // Another deployment's functions are not shown under this one's name while its list loads.
  const [listFor, setListFor] = useState(deployment?.id);
  if (listFor !== deployment?.id) {
    setListFor(deployment?.id);
    setList(undefined);
    setComponent("");
  }
  const chooseComponent = (path: string) => {
    setComponent(path);
    setList(undefined);
    setSelected(undefined);
  };

  useEffect(() => {
    if (!connected) return;
    let current = true;
    call("function_list", { component: component || null })
      .then((l) => {
        if (!current) return;
        setList(l);
        setError(undefined);
      })
      .catch((e) => current && setError(errorMessage(e)));
    return () => {
      current = false;
    };
  }, [connected, deployment?.id, component]);

  const shown = (list?.functions ?? []).filter((f) => f.path.toLowerCase().includes(search.toLowerCase()));
  const byModule = new Map<string, FunctionInfo[]>();
  for (const f of shown) {
    const module = f.path.split(":")[0] ?? "";
    byModule.set(module, [...(byModule.get(module) ?? []), f]);
  }
  const failed = (list?.module_errors ?? []).filter((e) => e.module.toLowerCase().includes(search.toLowerCase()));
  const modules = [...new Set([...byModule.keys(), ...failed.map((e) => e.module)])].sort();
  const fn = list?.functions.find((f) => f.path === selected);
  const route = parseRouteKey(selected);

  if (!deployment) {
    return (
      <section className="data-empty" data-testid="area-functions">
        <h2>No deployment connected</h2>
        <p className="muted">Open Connections (Alt+0) to choose one.</p>
      </section>
    );
  }

  return (
    <section className="functions-area" data-testid="area-functions">
      <aside className="table-list" aria-label="Functions">
        <ComponentSelect components={components} value={component} onChange={chooseComponent} />
        <input className="search" aria-label="Find a function" placeholder="Find a function" value={search} onChange={(e) => setSearch(e.target.value)} />
        {error && <div className="inline-error" role="alert">{error}</div>}
        <button className={selected === undefined ? "table-item active" : "table-item"} onClick={() => setSelected(undefined)} aria-current={selected === undefined}>
          <span className="table-name">Metrics overview</span>
        </button>
        {modules.map((module) => {
          const error = failed.find((e) => e.module === module);
          if (error) return <ModuleLoadError key={module} error={error} />;
          return (
            <div key={module} className="fn-module">
              <div className="fn-module-name">{module}</div>
              <ul>
                {(byModule.get(module) ?? []).map((f) => (
                  <li key={f.path}>
                    <button className={f.path === selected ? "table-item active" : "table-item"} onClick={() => setSelected(f.path)} aria-current={f.path === selected}>
                      <span>
                        <span className={`log-type t-${f.kind}`}>{BADGE[f.kind] ?? "?"}</span> {f.path.split(":")[1]}
                      </span>
                      {f.visibility === "internal" && <span className="table-count">internal</span>}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
        {list && list.crons.length > 0 && (
          <div className="fn-module" data-testid="cron-jobs">
            <div className="fn-module-name">Cron jobs</div>
            <ul>
              {list.crons.map((c) => (
                <li key={c.name}>
                  <button className="table-item" title={`Runs ${c.function}`} onClick={() => setSelected(c.function)}>
                    <span>{c.name}</span>
                    <span className="table-count">{c.schedule}</span>
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
        {list && list.routes.length > 0 && (
          <div className="fn-module">
            <div className="fn-module-name">HTTP routes</div>
            <ul>
              {list.routes.map((r) => (
                <li key={`${r.method} ${r.path}`} className="fn-route">
                  <button
                    className={routeKey(r.method, r.path) === selected ? "table-item active" : "table-item"}
                    onClick={() => setSelected(routeKey(r.method, r.path))}
                    aria-current={routeKey(r.method, r.path) === selected}
                    title="Try this route"
                  >
                    <code>
                      {r.method} {r.path}
                    </code>
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
      </aside>
      <div className="data-main">
        {fn ? (
          // One runner per deployment and function: switching deployment ends its live query
          // and drops the results it showed, which belonged to the other deployment.
          <Runner
            key={`${deployment.id}\n${component}\n${fn.path}`}
            fn={fn}
            component={component}
            deploymentId={deployment.id}
            confirmWrites={deployment.safe_mode === "confirm_writes"}
          />
        ) : route ? (
          <HttpRunner key={`${deployment.id}\n${selected}`} method={route.method} path={route.path} />
        ) : (
          <>
            <p className="muted runner-hint">Choose a function to run it.</p>
            <MetricsPanel onPick={setSelected} />
          </>
        )}
      </div>
    </section>
  );
}
