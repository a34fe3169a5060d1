// A module of the deployment that fails to load while the others serve (a local project
// folder being worked on), listed among the modules with its error, as Convex names it:
// its functions alone are unavailable until the module loads again.
import type { ModuleError } from "../../generated/studio";

export function ModuleLoadError({ error }: { error: ModuleError }) {
  return (
    <div className="fn-module fn-module-failed" data-testid="module-error" data-module={error.module}>
      <div className="fn-module-name">
        {error.module} <span className="fn-module-badge">failed to load</span>
      </div>
      <div className="fn-module-error" role="alert" title={`Failed to analyze ${error.module}.js: ${error.message}`}>
        <code>{error.message}</code>
        <div className="muted">This module&apos;s functions are unavailable; the others serve.</div>
      </div>
    </div>
  );
}
