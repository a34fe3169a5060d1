import { describe, expect, it } from "vitest";
import { buildArgs, diffLines, fieldsOf, textsOf, typeLabel } from "./argsForm";

const validator = {
  type: "object",
  value: {
    text: { fieldType: { type: "string" }, optional: false },
    priority: { fieldType: { type: "number" }, optional: true },
    count: { fieldType: { type: "bigint" }, optional: true },
    project: { fieldType: { type: "id", tableName: "projects" }, optional: true },
    tags: { fieldType: { type: "array", value: { type: "string" } }, optional: true },
  },
};

describe("args form", () => {
  it("has a field per property, in order, with type labels", () => {
    const fields = fieldsOf(validator)!;
    expect(fields.map((f) => [f.name, typeLabel(f.validator), f.optional])).toEqual([
      ["text", "string", false],
      ["priority", "number", true],
      ["count", "bigint", true],
      ["project", "id<projects>", true],
      ["tags", "string[]", true],
    ]);
    expect(fieldsOf({ type: "any" })).toBeNull();
  });

  it("builds Convex JSON, leaves out empty optional fields, and names errors", () => {
    const fields = fieldsOf(validator)!;
    expect(buildArgs(fields, { text: "hi", priority: "2", count: "5", tags: '["a"]' })).toEqual({
      args: { text: "hi", priority: 2, count: { $integer: "BQAAAAAAAAA=" }, tags: ["a"] },
      errors: {},
    });
    const bad = buildArgs(fields, { text: "", priority: "high", tags: "[1]" });
    expect(bad.errors).toEqual({ priority: "priority must be a number", tags: "tags[0] must be a string, not number" });
    expect(buildArgs(fields, {}).errors).toEqual({});
    expect(textsOf(fields, { text: "hi", count: { $integer: "BQAAAAAAAAA=" }, tags: ["a"] })).toEqual({
      text: "hi",
      priority: "",
      count: "5",
      project: "",
      tags: '["a"]',
    });
  });

  it("diffs lines", () => {
    expect(diffLines("a\nb\nc", "a\nc\nd")).toEqual([
      { kind: "same", text: "a" },
      { kind: "removed", text: "b" },
      { kind: "same", text: "c" },
      { kind: "added", text: "d" },
    ]);
  });
});
