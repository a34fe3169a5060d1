import { describe, expect, it } from "vitest";
import { isPaginated, pageOf } from "./pagination";

describe("the runner's pagination helper", () => {
  it("knows a paginated query by its paginationOpts argument", () => {
    expect(isPaginated([{ name: "paginationOpts", optional: false, validator: { type: "object", value: {} } }])).toBe(true);
    expect(isPaginated([{ name: "limit", optional: true, validator: { type: "number" } }])).toBe(false);
    expect(isPaginated(null)).toBe(false);
  });

  it("reads the page, the next cursor and whether it was the last", () => {
    expect(pageOf({ page: [{ a: 1 }, { a: 2 }], continueCursor: "c2", isDone: false })).toEqual({ count: 2, next: "c2", isDone: false });
    expect(pageOf({ page: [], continueCursor: "end", isDone: true })).toEqual({ count: 0, next: "end", isDone: true });
    expect(pageOf([1, 2])).toBeNull();
    expect(pageOf({ page: [] })).toBeNull();
  });
});
