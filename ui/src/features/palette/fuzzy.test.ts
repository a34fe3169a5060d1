import { describe, expect, it } from "vitest";
import { rank, splitMatched } from "./fuzzy";

const items = [
  { label: "Data", keywords: "area go" },
  { label: "messages", keywords: "table" },
  { label: "messages:list", keywords: "function run query" },
  { label: "tasks:add", keywords: "function run mutation" },
  { label: "Production", keywords: "deployment switch connect" },
];

describe("rank", () => {
  it("keeps the given order for an empty query", () => {
    expect(rank(items, "  ").map((r) => r.item.label)).toEqual(items.map((i) => i.label));
    expect(rank(items, "", 2)).toHaveLength(2);
  });

  it("matches abbreviations as subsequences, with the label's matched characters", () => {
    const [first, ...rest] = rank(items, "msgl");
    expect(first?.item.label).toBe("messages:list");
    expect(rest).toHaveLength(0);
    expect(first?.matched).toEqual([0, 2, 5, 9]);
  });

  it("lets words match the keywords too", () => {
    expect(rank(items, "run list").map((r) => r.item.label)).toEqual(["messages:list"]);
    expect(rank(items, "switch prod").map((r) => r.item.label)).toEqual(["Production"]);
    expect(rank(items, "table mess").map((r) => r.item.label)).toEqual(["messages"]);
  });

  it("puts the closer match first and drops non-matches", () => {
    expect(rank(items, "messages").map((r) => r.item.label)).toEqual(["messages", "messages:list"]);
    expect(rank(items, "zzz")).toEqual([]);
  });
});

describe("splitMatched", () => {
  it("cuts a label into plain and matched runs", () => {
    expect(splitMatched("messages:list", [0, 1, 9])).toEqual([
      { text: "me", hit: true },
      { text: "ssages:", hit: false },
      { text: "l", hit: true },
      { text: "ist", hit: false },
    ]);
    expect(splitMatched("abc", [])).toEqual([{ text: "abc", hit: false }]);
  });
});
