// The words for a snapshot moving to or from a deployment, from `snapshot_progress` events.
import { formatBytes } from "../../components/formatBytes";
import type { SnapshotProgress } from "../../generated/studio";

const STAGES: Record<string, string> = {
  export: "The deployment is writing the snapshot",
  download: "Downloading",
  upload: "Uploading",
  import: "The deployment is importing",
};

/** "Downloading 3.0 MiB of 12.0 MiB (25%)", or the deployment's own words where it gives them. */
export function describeSnapshotProgress(p: SnapshotProgress): string {
  const stage = STAGES[p.stage] ?? p.stage;
  if (p.stage === "download" || p.stage === "upload") {
    if (p.total === null || p.total === 0) return `${stage} ${formatBytes(p.done)}…`;
    const percent = Math.min(100, Math.floor((p.done / p.total) * 100));
    return `${stage} ${formatBytes(p.done)} of ${formatBytes(p.total)} (${percent}%)…`;
  }
  return p.message ? `${stage}: ${p.message}…` : `${stage}…`;
}

/** Import modes as Convex names them, with what each does. */
export const IMPORT_MODES: { value: string; label: string }[] = [
  { value: "requireEmpty", label: "Only into empty tables" },
  { value: "append", label: "Append to the tables" },
  { value: "replace", label: "Replace the tables in the snapshot" },
  { value: "replaceAll", label: "Replace all data" },
];
