import { describe, expect, it } from "vitest";
import { filterTerms, parseFilterValue, parseVector } from "./vectorInput";

describe("parseVector", () => {
  it("reads JSON arrays and separated numbers", () => {
    expect(parseVector("[1, 2.5, -3]", 3)).toEqual({ vector: [1, 2.5, -3] });
    expect(parseVector("1, 2.5 -3", 3)).toEqual({ vector: [1, 2.5, -3] });
  });
  it("names what is wrong", () => {
    expect(parseVector("[1, 2]", 3).error).toBe("The index expects 3 dimensions; this vector has 2.");
    expect(parseVector("[1, \"a\", 3]", 3).error).toBe("Element 1 of the vector is not a finite number.");
    expect(parseVector("1, x, 3", 3).error).toBe("Element 1 of the vector is not a finite number.");
    expect(parseVector("[1,", 3).error).toMatch(/not valid JSON/);
    expect(parseVector("  ", 3).error).toMatch(/Paste a vector/);
  });
});

describe("filter values", () => {
  it("parses JSON and keeps other text as strings", () => {
    expect(parseFilterValue("true")).toBe(true);
    expect(parseFilterValue("3")).toBe(3);
    expect(parseFilterValue("cooking")).toBe("cooking");
    expect(parseFilterValue('"3"')).toBe("3");
  });
  it("splits alternatives on |", () => {
    expect(filterTerms({ topic: "cooking | travel", lang: "" })).toEqual([
      { field: "topic", value: "cooking" },
      { field: "topic", value: "travel" },
    ]);
  });
});
