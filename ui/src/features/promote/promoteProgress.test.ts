import { describe, expect, it } from "vitest";
import { describePromoteProgress, stepStates } from "./promoteProgress";

describe("promote progress", () => {
  it("counts bytes for the snapshot's transfer and keeps the target's words otherwise", () => {
    expect(describePromoteProgress({ step: "upload", message: "Uploading", done: 1024, total: 4096 })).toBe("Uploading: 1.0 KiB of 4.0 KiB (25%)");
    expect(describePromoteProgress({ step: "schema", message: "Backfilling indexes (1/2 ready)", done: 1, total: 2 })).toBe("Backfilling indexes (1/2 ready)");
  });

  it("marks the steps before the current one done and the failed one failed", () => {
    const states = stepStates("schema", true, false);
    expect(states.map((s) => s.state)).toEqual(["done", "done", "failed", "waiting"]);
    expect(stepStates("done", false, true).every((s) => s.state === "done")).toBe(true);
    expect(stepStates(undefined, false, true)).toHaveLength(8);
  });
});
