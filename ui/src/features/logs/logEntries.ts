// Log entries as the Logs area filters, exports, copies and links them (no React here).
import type { LogEntry } from "../../generated/studio";

export const LEVELS = ["any", "DEBUG", "LOG", "INFO", "WARN", "ERROR"] as const;

export interface LogFilter {
  func: string;
  level: (typeof LEVELS)[number];
  status: "all" | "success" | "failure";
  text: string;
  /** Only executions in this component instance (`""`: the app's); all when absent. */
  component?: string;
}

/** Whether an entry passes the filter. */
export function matches(entry: LogEntry, filter: LogFilter): boolean {
  if (filter.component !== undefined && (entry.component ?? "") !== filter.component) return false;
  if (filter.func && !entry.function.toLowerCase().includes(filter.func.toLowerCase())) return false;
  if (filter.status === "success" && entry.error) return false;
  if (filter.status === "failure" && !entry.error) return false;
  if (filter.level !== "any") {
    const wantError = filter.level === "ERROR" && entry.error;
    if (!wantError && !entry.lines.some((l) => l.level === filter.level)) return false;
  }
  if (filter.text) {
    const needle = filter.text.toLowerCase();
    const haystack = [entry.component ?? "", entry.function, entry.error ?? "", entry.request_id ?? "", ...entry.lines.map((l) => l.text)].join("\n").toLowerCase();
    if (!haystack.includes(needle)) return false;
  }
  return true;
}

function csvCell(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Entries as CSV (one row per execution; log lines joined) or JSONL (one entry a line). */
export function exportText(entries: LogEntry[], format: "csv" | "jsonl"): string {
  if (format === "jsonl") return entries.map((e) => JSON.stringify(e)).join("\n") + (entries.length ? "\n" : "");
  const header = "time,function,type,status,duration_ms,request_id,error,log_lines";
  const rows = entries.map((e) =>
    [
      new Date(e.timestamp).toISOString(),
      e.function,
      e.udf_type,
      e.error ? "failed" : "ok",
      e.execution_ms?.toFixed(3) ?? "",
      e.request_id ?? "",
      e.error ?? "",
      e.lines.map((l) => `[${l.level}] ${l.text}`).join("\n"),
    ]
      .map(csvCell)
      .join(","),
  );
  return [header, ...rows].join("\n") + "\n";
}

/** An execution as plain text, for copying: one line per log line. */
export function entryText(entry: LogEntry): string {
  const head = `${new Date(entry.timestamp).toISOString()} ${entry.udf_type} ${entry.component ? `[${entry.component}] ` : ""}${entry.function} ${entry.error ? "failed" : "ok"}${entry.execution_ms != null ? ` in ${entry.execution_ms.toFixed(1)} ms` : ""}${entry.cached ? " (cached)" : ""}${entry.request_id ? ` [request ${entry.request_id}]` : ""}`;
  const lines = entry.lines.map((l) => `  [${l.level}] ${l.text}`);
  return [head, ...lines, ...(entry.error ? [`  Error: ${entry.error}`] : [])].join("\n");
}

/** Who called an execution (the actions it ran for, outermost first) and what it called,
 * from the entries at hand; a parent not among them is given by its ID. */
export function callerChain(entry: LogEntry, known: LogEntry[]): { parents: (LogEntry | string)[]; called: LogEntry[] } {
  const byId = new Map(known.map((e) => [e.id, e]));
  const parents: (LogEntry | string)[] = [];
  for (let id = entry.parent_id; id && parents.length < 20; ) {
    const parent = byId.get(id);
    parents.unshift(parent ?? id);
    id = parent?.parent_id ?? null;
  }
  return { parents, called: known.filter((e) => e.parent_id === entry.id) };
}

/** The location of the Logs area filtered to one function (`#/logs?fn=module:fn`). */
export function logsLink(fn: string): string {
  return `#/logs?fn=${encodeURIComponent(fn)}`;
}

/** The function a Logs link filters to (`""` when none). */
export function functionFromHash(hash: string): string {
  const match = /[?&]fn=([^&]*)/.exec(hash);
  return match?.[1] ? decodeURIComponent(match[1]) : "";
}
