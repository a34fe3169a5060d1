// Staged edits: with "Stage edits" on, writes collect in a list the user reviews and
// commits in one transaction (or discards) instead of being written one by one.
import { useMemo, useState } from "react";
import type { WriteRequest } from "../../generated/studio";
import type { Json } from "./values";
import type { RunWrites } from "./useWrites";

export interface Staged {
  write: WriteRequest;
  /** What the user sees in the review list. */
  label: string;
}

export interface Staging {
  /** Whether edits are staged rather than written. */
  on: boolean;
  setOn(on: boolean): void;
  staged: Staged[];
  error?: string;
  reviewing: boolean;
  toggleReview(): void;
  stage(items: Staged[]): void;
  discard(): void;
  /** Commits every staged write in one transaction. */
  commit(): Promise<void>;
  /** The fields each staged patch sets, by document ID (the grid marks them). */
  fields: Map<string, Record<string, Json>>;
}

export function useStaging(runWrites: RunWrites, notify: (notice: string, options?: { stay?: boolean }) => void): Staging {
  const [on, setOn] = useState(false);
  const [staged, setStaged] = useState<Staged[]>([]);
  const [error, setError] = useState<string>();
  const [reviewing, setReviewing] = useState(false);

  const fields = useMemo(() => {
    const map = new Map<string, Record<string, Json>>();
    for (const { write } of staged) {
      if (write.op === "patch") map.set(write.id, { ...(map.get(write.id) ?? {}), ...(write.fields as Record<string, Json>) });
    }
    return map;
  }, [staged]);

  const commit = async () => {
    const problem = await runWrites(
      staged.map((s) => s.write),
      `Commit ${staged.length} staged change${staged.length === 1 ? "" : "s"}`,
    );
    if (problem) setError(problem);
    else {
      notify(`Committed ${staged.length} change${staged.length === 1 ? "" : "s"} in one transaction.`);
      setStaged([]);
      setReviewing(false);
    }
  };

  return {
    on,
    setOn,
    staged,
    error,
    reviewing,
    toggleReview: () => setReviewing((r) => !r),
    stage: (items) => {
      setStaged((s) => [...s, ...items]);
      setError(undefined);
    },
    discard: () => {
      setStaged([]);
      setError(undefined);
    },
    commit,
    fields,
  };
}
