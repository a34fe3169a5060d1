import { beforeEach, describe, expect, it } from "vitest";
import { costLine, tableColumns } from "./JsPanel";
import { forget, loadHistory, loadSaved, remember, save } from "./queryHistory";

describe("the JavaScript query's cost line and grid columns", () => {
  it("puts reads against Convex's limits and names the indexes", () => {
    const line = costLine({
      documentsRead: 2,
      documentsReadLimit: 32000,
      bytesRead: 3072,
      bytesReadLimit: 16 << 20,
      returned: 2,
      indexes: ["messages.by_author"],
      executionMs: 1.25,
    });
    expect(line).toBe("Read 2 documents (0.01% of the 32,000 limit), 3.0 KiB (0.02% of 16.0 MiB) · index messages.by_author · returned 2 · 1.3 ms");
    expect(costLine({ documentsRead: 1, documentsReadLimit: 32000, bytesRead: 10, bytesReadLimit: 100, returned: 0, indexes: [], executionMs: 0 })).toMatch(
      /^Read 1 document \(.*\), 10 B \(10% of 100 B\) · no index ·/,
    );
  });

  it("shows arrays of objects as a table, system fields first", () => {
    expect(tableColumns([{ b: 1, _id: "x" }, { a: 2, _creationTime: 3 }])).toEqual(["_id", "_creationTime", "b", "a"]);
    expect(tableColumns([1, 2])).toBeNull();
    expect(tableColumns({ a: 1 })).toBeNull();
    expect(tableColumns([])).toBeNull();
  });
});

describe("saved queries and history", () => {
  beforeEach(() => localStorage.clear());
  it("keep the newest first without repeats, per deployment and language", () => {
    remember("d1", "js", "a");
    remember("d1", "js", "b");
    expect(remember("d1", "js", "a")).toEqual(["a", "b"]);
    expect(loadHistory("d1", "sql")).toEqual([]);
    expect(loadHistory("d2", "js")).toEqual([]);
    save("d1", "js", "zeta", "z");
    expect(save("d1", "js", "alpha", "x").map((s) => s.name)).toEqual(["alpha", "zeta"]);
    expect(save("d1", "js", "alpha", "y")).toEqual([
      { name: "alpha", text: "y" },
      { name: "zeta", text: "z" },
    ]);
    expect(forget("d1", "js", "zeta")).toEqual([{ name: "alpha", text: "y" }]);
    expect(loadSaved("d1", "js")).toEqual([{ name: "alpha", text: "y" }]);
  });
});
