// Component instances as the Data area sees them: a component's table arrives named
// `<instance path>/<table>` (`shardedCounter/counters`, `pool/worker/jobs`), the app's
// tables bare. Pure functions, so the selector's logic is tested without a screen.

/** The app's own tables: the selector's first entry. */
export const APP = "";

/** The instance a table belongs to (`""` for the app) and its own name. */
export function splitTable(name: string): { component: string; table: string } {
  const at = name.lastIndexOf("/");
  return at < 0 ? { component: APP, table: name } : { component: name.slice(0, at), table: name.slice(at + 1) };
}

/** Every instance that has tables, the app first, then by path. */
export function componentsOf(names: string[]): string[] {
  const found = new Set(names.map((n) => splitTable(n).component));
  found.add(APP);
  return [...found].sort((a, b) => (a === APP ? -1 : b === APP ? 1 : a.localeCompare(b)));
}

/** The tables of one instance. */
export function tablesIn<T extends { name: string }>(tables: T[], component: string): T[] {
  return tables.filter((t) => splitTable(t.name).component === component);
}
