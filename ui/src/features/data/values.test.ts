import { describe, expect, it } from "vitest";
import { checkFields, columnsFor, decodeInt64, editText, encodeInt64, formatValue, looksLikeId, parseInput, typeOf, type Validator } from "./values";

const schema: Validator = {
  type: "object",
  value: {
    author: { fieldType: { type: "string" }, optional: false },
    n: { fieldType: { type: "bigint" }, optional: true },
    owner: { fieldType: { type: "id", tableName: "users" }, optional: true },
  },
};

describe("values", () => {
  it("formats and types Convex JSON", () => {
    expect(formatValue(encodeInt64(-42n))).toBe("-42n");
    expect(decodeInt64((encodeInt64(2n ** 40n) as { $integer: string }).$integer)).toBe(2n ** 40n);
    expect(formatValue({ a: [1, "x"], b: null })).toBe('{a: [1, "x"], b: null}');
    expect(formatValue({ $bytes: "AQID" })).toBe("bytes(3)");
    expect(typeOf(undefined)).toBe("unset");
    expect(typeOf("j57000820c20a1g7104gm2rc1m70ynr8")).toBe("id");
    expect(looksLikeId("hello")).toBe(false);
    expect(formatValue("x".repeat(300)).length).toBe(201);
  });

  it("parses edits by the field's type", () => {
    expect(parseInput("42", true)).toBe("42");
    expect(parseInput("42", false)).toBe(42);
    expect(parseInput("42n", false)).toEqual(encodeInt64(42n));
    expect(parseInput('{"a": 1}', false)).toEqual({ a: 1 });
    expect(parseInput("plain words", false)).toBe("plain words");
    expect(editText(encodeInt64(7n))).toBe("7n");
  });

  it("checks documents against the schema, naming the path", () => {
    expect(checkFields(schema, { author: "ann", n: encodeInt64(1n) })).toBeNull();
    expect(checkFields(schema, { author: 5 })).toBe("document.author must be a string, not number");
    expect(checkFields(schema, { n: encodeInt64(1n) })).toBe("document.author is required");
    expect(checkFields(schema, { author: "a", n: 3 })).toContain("bigint");
    expect(checkFields(schema, { author: "a", extra: 1 })).toContain("not in the schema");
  });

  it("orders columns: _id, schema, seen, _creationTime", () => {
    expect(columnsFor(schema, [{ _id: "x", zeta: 1, author: "a", _creationTime: 1 }])).toEqual(["_id", "author", "n", "owner", "zeta", "_creationTime"]);
  });
});
