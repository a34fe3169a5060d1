import { describe, expect, it } from "vitest";
import { revisionLines } from "./revisionDiff";

describe("a revision against the one before", () => {
  it("marks changed, added and removed fields", () => {
    const older = { _id: "a", _creationTime: 1, name: "Ann", age: 30, city: "Oslo" };
    const newer = { _id: "a", _creationTime: 1, name: "Ann", age: 31, email: "ann@example.com" };
    expect(revisionLines(newer, older)).toEqual([
      { field: "name", text: "name: Ann", change: "same" },
      { field: "age", text: "age: 31", change: "changed" },
      { field: "email", text: "email: ann@example.com", change: "added" },
      { field: "city", text: "city: Oslo", change: "removed" },
    ]);
  });

  it("shows the first revision plainly, and a deletion as nothing", () => {
    expect(revisionLines({ _id: "a", n: 1 }, null)).toEqual([{ field: "n", text: "n: 1", change: "same" }]);
    expect(revisionLines(null, { _id: "a", n: 1 })).toEqual([]);
  });
});
