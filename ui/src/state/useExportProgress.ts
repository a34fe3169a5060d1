// The export being written, from the studio's `export_progress` events.
import { useEffect, useState } from "react";
import { onStudioEvent } from "../platform";

/** The latest `export_progress` as "Writing rows 50,000 of 120,000 to …" (undefined when none). */
export function useExportProgress(): string | undefined {
  const [progress, setProgress] = useState<string>();
  useEffect(
    () =>
      onStudioEvent((event) => {
        if (event.type !== "export_progress") return;
        const { written, total, path } = event.progress;
        setProgress(written >= total ? undefined : `Writing ${written.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} rows to ${path}…`);
      }),
    [],
  );
  return progress;
}
