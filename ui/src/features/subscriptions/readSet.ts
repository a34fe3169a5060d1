// A query's read set in words: which table, through which index, and how much of it.
import type { LiveSearchRead, ReadRange } from "../../generated/studio";

/** Whether a live query is one the dashboard itself holds (Atrium's or Convex's system functions). */
export function isDashboardQuery(fn: string): boolean {
  return fn.startsWith("_system/");
}

const INDEX_WORDS: Record<string, string> = {
  by_id: "by ID",
  by_creation_time: "by creation time",
};

/** `messages.by_author` from `0a…` to the end → "table messages, index by_author, a range". */
export function describeRead(read: ReadRange): string {
  if (read.index === "(table names)") return "the list of tables";
  const dot = read.index.indexOf(".");
  if (dot < 0) return read.index;
  const table = read.index.slice(0, dot);
  const index = read.index.slice(dot + 1);
  const how = INDEX_WORDS[index] ?? `index ${index}`;
  const whole = read.start === "" && (read.end === null || read.end === undefined);
  return `table ${table}, ${how}, ${whole ? "all documents" : "a range"}`;
}

/** A full-text search in words: `messages.search_body` for "hello wor" by author "ann" →
 * `search messages.search_body for "hello wor…" where author = "ann"` (the last term also
 * matches as a prefix, hence the ellipsis). */
export function describeSearch(read: LiveSearchRead): string {
  const words = [...read.terms, ...(read.prefix === null ? [] : [`${read.prefix}…`])].join(" ");
  const filters = read.filters.map(([field, value]) => `${field} = ${value}`).join(" and ");
  return `search ${read.index} for "${words}"${filters ? ` where ${filters}` : ""}`;
}
