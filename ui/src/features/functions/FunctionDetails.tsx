// A function's details in the runner, each loaded when its section is opened: the module's
// source (highlighted, opened at the function's definition) and the function's metrics.
import { useState } from "react";
import { CodeEditor } from "../../components/CodeEditor";
import type { ModuleSource } from "../../generated/studio";
import { call, errorMessage } from "../../platform";
import { definitionLine, exportName } from "./definitionLine";
import { MetricsPanel } from "./MetricsPanel";

/** The function's metrics, computed when opened. */
export function MetricsView({ fn }: { fn: string }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="metrics-view" onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>Metrics</summary>
      {open && <MetricsPanel fn={fn} />}
    </details>
  );
}

/** The function's module source, loaded when opened, scrolled to the function's definition. */
export function SourceView({ path }: { path: string }) {
  const [source, setSource] = useState<ModuleSource>();
  const [error, setError] = useState<string>();
  const load = () => {
    if (source) return;
    call("function_source", { module: path })
      .then(setSource)
      .catch((e) => setError(errorMessage(e)));
  };
  return (
    <details className="source-view" onToggle={(e) => (e.currentTarget as HTMLDetailsElement).open && load()}>
      <summary>Source{source?.available ? ` — ${source.path}` : ""}</summary>
      {error && <div className="inline-error">{error}</div>}
      {source && !source.available && <p className="muted">This deployment does not serve its source.</p>}
      {source?.available && (
        <div className="source-code" data-testid="function-source">
          <CodeEditor
            value={source.source}
            label={`Source of ${source.path}`}
            language="javascript"
            readOnly
            highlightLine={definitionLine(source.source, exportName(path))}
          />
        </div>
      )}
    </details>
  );
}
