// History in words: an event's title and one-line summary, from the studio's plain view of
// a deployment event (Convex's action names). Pure, so it is tested without a screen.
import type { CodeChangeView, HistoryEvent } from "../../generated/studio";

const TITLES: Record<string, string> = {
  push_config_with_components: "Code pushed",
  push_config: "Code pushed",
  create_environment_variable: "Environment variable added",
  update_environment_variable: "Environment variable changed",
  delete_environment_variable: "Environment variable deleted",
  replace_environment_variable: "Environment variable renamed",
  snapshot_import: "Snapshot imported",
  clear_tables: "Table cleared",
  build_indexes: "Indexes built",
  create_table: "Table created",
  delete_tables: "Tables deleted",
  add_documents: "Documents added",
  update_documents: "Documents edited",
  delete_documents: "Documents deleted",
  delete_files: "Files deleted",
  cancel_scheduled_function: "Scheduled function cancelled",
  cancel_all_scheduled_functions: "Scheduled functions cancelled",
  pause_deployment: "Deployment paused",
  unpause_deployment: "Deployment resumed",
  request_export: "Export requested",
  reset_deployment: "Deployment reset",
};

/** What kind of change: code, environment, data or other (for colour and the filter). */
export type EventKind = "code" | "env" | "data" | "other";

export function eventKind(action: string): EventKind {
  if (action.startsWith("push_config") || action === "build_indexes") return "code";
  if (action.endsWith("_environment_variable")) return "env";
  if (["snapshot_import", "reset_deployment", "clear_tables", "create_table", "delete_tables", "add_documents", "update_documents", "delete_documents", "delete_files"].includes(action)) return "data";
  return "other";
}

export function eventTitle(event: HistoryEvent): string {
  if (event.action === "snapshot_import" && event.requestor === "snapshotRestore") return "Snapshot restored";
  if (event.action.startsWith("push_config") && event.message && !event.message.startsWith("Pushed")) return "Code loaded";
  return TITLES[event.action] ?? event.action.replace(/_/g, " ");
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Counts of a push's changes across its components: "2 functions added, 1 index added". */
export function codeSummary(changes: readonly CodeChangeView[]): string {
  const sum = (pick: (c: CodeChangeView) => readonly unknown[]) => changes.reduce((n, c) => n + pick(c).length, 0);
  const parts: string[] = [];
  const fa = sum((c) => c.functions_added);
  const fr = sum((c) => c.functions_removed);
  const fc = sum((c) => c.functions_changed);
  if (fa) parts.push(`${count(fa, "function")} added`);
  if (fr) parts.push(`${count(fr, "function")} removed`);
  if (fc) parts.push(`${count(fc, "function")} changed`);
  if (!changes.some((c) => c.has_functions)) {
    const ma = sum((c) => c.modules_added);
    const mr = sum((c) => c.modules_removed);
    if (ma) parts.push(`${count(ma, "module")} added`);
    if (mr) parts.push(`${count(mr, "module")} removed`);
  }
  const ia = sum((c) => c.indexes_added);
  const ir = sum((c) => c.indexes_removed);
  if (ia) parts.push(`${count(ia, "index", "indexes")} added`);
  if (ir) parts.push(`${count(ir, "index", "indexes")} removed`);
  if (changes.some((c) => c.schema_changed)) parts.push("schema changed");
  return parts.length ? parts.join(", ") : "no changes";
}

export function eventSummary(event: HistoryEvent): string {
  switch (eventKind(event.action)) {
    case "code":
      return codeSummary(event.code);
    case "env":
      return event.variable ?? "";
    case "data":
      if (event.action === "snapshot_import") {
        const deleted = event.tables_deleted.length ? `; emptied ${event.tables_deleted.join(", ")}` : "";
        return `${event.import_mode ?? ""} into ${event.tables.join(", ") || "no tables"}${deleted}`.trim();
      }
      if (event.action === "reset_deployment") return "Every document and file deleted; started again empty";
      return event.tables.join(", ");
    default:
      return "";
  }
}

/** Whether the event has a diff worth opening. */
export function hasDetails(event: HistoryEvent): boolean {
  return eventKind(event.action) !== "env" && event.action !== "reset_deployment";
}

/** JSON text pretty-printed (2 spaces); other text as it is. */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export interface DiffLine {
  text: string;
  /** Whether the line is missing from the other side. */
  changed: boolean;
}

/**
 * The lines of `text`, each marked when the other side lacks it (a count-aware multiset
 * comparison, enough to point at what a schema gained or lost).
 */
export function markLines(text: string, other: string): DiffLine[] {
  const left = new Map<string, number>();
  for (const line of other.split("\n")) left.set(line, (left.get(line) ?? 0) + 1);
  return text.split("\n").map((line) => {
    const n = left.get(line) ?? 0;
    if (n > 0) left.set(line, n - 1);
    return { text: line, changed: n === 0 };
  });
}
