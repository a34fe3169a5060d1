import { describe, expect, it } from "vitest";
import type { Clause, Filter } from "../../generated/studio";
import { splitForIndex } from "./indexSplit";

const c = (field: string, op: Clause["op"], value: unknown): Clause => ({ field, op, value, enabled: true });

describe("splitForIndex", () => {
  it("takes equalities on the first fields and bounds on the next into the range", () => {
    const parsed: Filter = { combinator: "and", clauses: [c("body", "contains", "hi"), c("n", "gte", 2), c("author", "eq", "ada"), c("n", "lt", 9), c("x", "eq", 1)] };
    const { range, rest } = splitForIndex(parsed, ["author", "n", "_creationTime"]);
    expect(range).toEqual([
      { field: "author", op: "eq", value: "ada" },
      { field: "n", op: "gte", value: 2 },
      { field: "n", op: "lt", value: 9 },
    ]);
    expect(rest.clauses.map((r) => r.field)).toEqual(["body", "x"]);
  });

  it("stops at the first field without an equality and keeps OR filters whole", () => {
    const { range, rest } = splitForIndex({ combinator: "and", clauses: [c("n", "eq", 2)] }, ["author", "n"]);
    expect(range).toEqual([]);
    expect(rest.clauses).toHaveLength(1);
    const or: Filter = { combinator: "or", clauses: [c("author", "eq", "a"), c("author", "eq", "b")] };
    expect(splitForIndex(or, ["author"])).toEqual({ range: [], rest: or });
  });
});
