import { describe, expect, it } from "vitest";
import { validatorSyntax } from "./validatorSyntax";
import type { Validator } from "./values";

describe("validator syntax", () => {
  it("writes a declared document type as schema.ts would, optional fields marked", () => {
    const documentType = {
      type: "object",
      value: {
        author: { fieldType: { type: "string" }, optional: false },
        tags: { fieldType: { type: "array", value: { type: "string" } }, optional: true },
        owner: { fieldType: { type: "id", tableName: "users" }, optional: false },
        status: { fieldType: { type: "union", value: [{ type: "literal", value: "open" }, { type: "literal", value: "done" }] }, optional: false },
        meta: { fieldType: { type: "object", value: { n: { fieldType: { type: "bigint" }, optional: true } } }, optional: false },
        scores: { fieldType: { type: "record", keys: { type: "string" }, values: { fieldType: { type: "number" }, optional: false } }, optional: false },
        "odd-name": { fieldType: { type: "null" }, optional: false },
      },
    } as unknown as Validator;
    expect(validatorSyntax(documentType)).toBe(
      [
        "v.object({",
        "  author: v.string(),",
        "  tags: v.optional(v.array(v.string())),",
        '  owner: v.id("users"),',
        '  status: v.union(v.literal("open"), v.literal("done")),',
        "  meta: v.object({",
        "    n: v.optional(v.int64()),",
        "  }),",
        "  scores: v.record(v.string(), v.float64()),",
        '  "odd-name": v.null(),',
        "})",
      ].join("\n"),
    );
  });
});
