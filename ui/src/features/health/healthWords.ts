// Health in words and numbers: percentages, durations, and the status of each figure
// (ok, warn, bad) by simple thresholds. Pure, so it is tested without a screen.
export function percent(rate: number): string {
  if (rate === 0) return "0%";
  if (rate < 0.001) return "<0.1%";
  return `${(rate * 100).toFixed(rate < 0.1 ? 1 : 0)}%`;
}

export function duration(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export type Level = "ok" | "warn" | "bad";

/** Failure rate: over 5% bad, any failure a warning. */
export function failureLevel(rate: number): Level {
  return rate > 0.05 ? "bad" : rate > 0 ? "warn" : "ok";
}

/** Scheduler lag: a minute late is bad, a few seconds a warning. */
export function lagLevel(ms: number): Level {
  return ms > 60_000 ? "bad" : ms > 5_000 ? "warn" : "ok";
}

/** The failure rate over a whole window (`null` without calls). */
export function overallRate(executions: number, errors: number): number | null {
  return executions ? errors / executions : null;
}
