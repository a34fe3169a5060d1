// A component selector, as in Convex's dashboard: the app ("") or one component instance
// by its path. Shown only when the deployment has components.
import type { ComponentSummary } from "../generated/studio";

export function ComponentSelect({
  components,
  value,
  onChange,
  any,
}: {
  components: ComponentSummary[];
  value: string;
  onChange: (path: string) => void;
  /** A first entry meaning "every instance" (its value), for filters. */
  any?: string;
}) {
  if (components.length === 0) return null;
  return (
    <select className="component-select" aria-label="Component" value={value} onChange={(e) => onChange(e.target.value)}>
      {any !== undefined && <option value={any}>All components</option>}
      <option value="">App</option>
      {components.map((c) => (
        <option key={c.path} value={c.path} title={c.package ? `${c.package} ${c.version ?? ""}` : undefined}>
          {c.path}
        </option>
      ))}
    </select>
  );
}
