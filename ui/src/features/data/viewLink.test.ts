import { describe, expect, it } from "vitest";
import { dataHash, parseDataHash } from "./viewLink";

describe("the Data area's link", () => {
  it("round-trips a table, filter, sort and document", () => {
    const link = { table: "my table", filter: 'author == "ann" && n > 3', sort: { field: "n", descending: true }, doc: "k57abc" };
    const hash = dataHash(link);
    expect(hash.startsWith("#/data/my%20table?")).toBe(true);
    expect(parseDataHash(hash)).toEqual(link);
  });

  it("reads the links made before (a table, a document) and none", () => {
    expect(parseDataHash("#/data/messages?doc=abc")).toEqual({ table: "messages", doc: "abc" });
    expect(parseDataHash("#/data")).toEqual({});
    expect(parseDataHash("#/logs")).toEqual({});
    expect(dataHash({})).toBe("#/data");
    expect(dataHash({ table: "t" })).toBe("#/data/t");
  });
});
