// The words for a promotion's steps, from `promote_progress` events: which step it is at
// and what the target says, with bytes for the snapshot's download and upload.
import { formatBytes } from "../../components/formatBytes";
import type { PromoteProgress } from "../../generated/studio";

/** The steps in the order they run (data steps only when the data is copied). */
export const STEPS: { step: string; label: string; data?: boolean }[] = [
  { step: "bundle", label: "Bundle the code (the project's Convex CLI)" },
  { step: "push", label: "Upload the functions (start_push)" },
  { step: "schema", label: "Check documents against the schema (wait_for_schema)" },
  { step: "finish", label: "Make the new code live (finish_push)" },
  { step: "export", label: "Export the project's snapshot", data: true },
  { step: "download", label: "Download the snapshot", data: true },
  { step: "upload", label: "Upload the snapshot to the target", data: true },
  { step: "import", label: "Import the snapshot on the target", data: true },
];

/** "Upload the snapshot: 3.0 MiB of 12.0 MiB (25%)", or the step's own words. */
export function describePromoteProgress(p: PromoteProgress): string {
  if ((p.step === "download" || p.step === "upload") && p.done > 0) {
    if (p.total === null || p.total === 0) return `${p.message}: ${formatBytes(p.done)}`;
    const percent = Math.min(100, Math.floor((p.done / p.total) * 100));
    return `${p.message}: ${formatBytes(p.done)} of ${formatBytes(p.total)} (${percent}%)`;
  }
  return p.message;
}

/** Where each step stands, given the step now running (or "done") and whether it failed. */
export function stepStates(current: string | undefined, failed: boolean, copyData: boolean): { step: string; label: string; state: "done" | "running" | "failed" | "waiting" }[] {
  const steps = STEPS.filter((s) => copyData || !s.data);
  const at = current === "done" ? steps.length : steps.findIndex((s) => s.step === current);
  return steps.map((s, i) => ({
    ...s,
    state: at < 0 ? "waiting" : i < at ? "done" : i === at ? (failed ? "failed" : "running") : "waiting",
  }));
}
