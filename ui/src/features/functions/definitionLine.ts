// Where a function is defined in its module's source, for the Source view to open at it
// (no React here).

/** The exported name a function path names: `messages:send` → `send`, `messages` → `default`. */
export function exportName(path: string): string {
  const colon = path.lastIndexOf(":");
  return colon >= 0 ? path.slice(colon + 1) || "default" : "default";
}

/**
 * The 1-based line that defines `name` in `source` (`export const name =`, `export function
 * name(`, `export default`, or a `const name =` re-exported below), or undefined when none does.
 */
export function definitionLine(source: string, name: string): number | undefined {
  const lines = source.split("\n");
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const patterns =
    name === "default"
      ? [/^\s*export\s+default\b/]
      : [
          new RegExp(`^\\s*export\\s+(?:const|let|var|async\\s+function\\*?|function\\*?)\\s+${escaped}\\b`),
          new RegExp(`^\\s*(?:const|let|var|async\\s+function|function)\\s+${escaped}\\b`),
        ];
  for (const pattern of patterns) {
    const index = lines.findIndex((line) => pattern.test(line));
    if (index >= 0) return index + 1;
  }
  return undefined;
}
