import { describe, expect, it } from "vitest";
import { describeRead, isDashboardQuery } from "./readSet";

describe("read sets in words", () => {
  it("names the table, the index and the range", () => {
    expect(describeRead({ index: "messages.by_author", start: "0a01", end: "0a02" })).toBe("table messages, index by_author, a range");
    expect(describeRead({ index: "messages.by_creation_time", start: "", end: null })).toBe("table messages, by creation time, all documents");
    expect(describeRead({ index: "tasks.by_id", start: "ff", end: null })).toBe("table tasks, by ID, a range");
    expect(describeRead({ index: "(table names)", start: "", end: null })).toBe("the list of tables");
  });

  it("tells the dashboard's own queries from the app's", () => {
    expect(isDashboardQuery("_system/atrium/tableWindow:default")).toBe(true);
    expect(isDashboardQuery("messages:list")).toBe(false);
  });
});
