import { describe, expect, it } from "vitest";
import { describeRead, describeSearch, isDashboardQuery } from "./readSet";

describe("read sets in words", () => {
  it("names the table, the index and the range", () => {
    expect(describeRead({ index: "messages.by_author", start: "0a01", end: "0a02" })).toBe("table messages, index by_author, a range");
    expect(describeRead({ index: "messages.by_creation_time", start: "", end: null })).toBe("table messages, by creation time, all documents");
    expect(describeRead({ index: "tasks.by_id", start: "ff", end: null })).toBe("table tasks, by ID, a range");
    expect(describeRead({ index: "(table names)", start: "", end: null })).toBe("the list of tables");
  });

  it("names a search's index, text and filters", () => {
    const search = { index: "messages.search_body", terms: ["hello"], prefix: "wor", filters: [] as Array<[string, string]> };
    expect(describeSearch(search)).toBe('search messages.search_body for "hello wor…"');
    expect(describeSearch({ ...search, filters: [["author", '"ann"'], ["channel", "undefined"]] })).toBe(
      'search messages.search_body for "hello wor…" where author = "ann" and channel = undefined',
    );
    expect(describeSearch({ ...search, terms: [], prefix: null })).toBe('search messages.search_body for ""');
  });

  it("tells the dashboard's own queries from the app's", () => {
    expect(isDashboardQuery("_system/atrium/tableWindow:default")).toBe(true);
    expect(isDashboardQuery("messages:list")).toBe(false);
  });
});
