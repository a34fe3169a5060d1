import { describe, expect, it } from "vitest";
import { describeSnapshotProgress } from "./snapshotProgress";

describe("describeSnapshotProgress", () => {
  it("gives bytes and a percentage while moving a file", () => {
    expect(describeSnapshotProgress({ stage: "download", done: 3 << 20, total: 12 << 20, message: null })).toBe("Downloading 3.0 MiB of 12.0 MiB (25%)…");
    expect(describeSnapshotProgress({ stage: "upload", done: 512, total: null, message: null })).toBe("Uploading 512 B…");
  });

  it("uses the deployment's words while it works", () => {
    expect(describeSnapshotProgress({ stage: "import", done: 0, total: null, message: "Importing messages (3/7)" })).toBe(
      "The deployment is importing: Importing messages (3/7)…",
    );
    expect(describeSnapshotProgress({ stage: "export", done: 0, total: null, message: null })).toBe("The deployment is writing the snapshot…");
  });
});
