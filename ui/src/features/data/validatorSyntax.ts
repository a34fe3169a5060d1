// A declared validator (the engine's JSON of it) written as Convex's validator syntax, as in
// schema.ts: `v.object({ author: v.string(), tags: v.optional(v.array(v.string())) })`.
import type { Validator } from "./values";

type Field = { fieldType: Validator; optional?: boolean };

const SIMPLE: Record<string, string> = {
  any: "v.any()",
  string: "v.string()",
  number: "v.float64()",
  bigint: "v.int64()",
  boolean: "v.boolean()",
  null: "v.null()",
  bytes: "v.bytes()",
};

const PAD = "  ";
const fieldName = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name));

function field(f: Field, depth: number): string {
  const text = validatorSyntax(f.fieldType, depth);
  return f.optional ? `v.optional(${text})` : text;
}

/** The validator as source text, objects one field a line (indented by `depth`). */
export function validatorSyntax(validator: Validator, depth = 0): string {
  const simple = SIMPLE[validator.type];
  if (simple) return simple;
  switch (validator.type) {
    case "id":
      return `v.id(${JSON.stringify(validator.tableName ?? "")})`;
    case "literal":
      return `v.literal(${typeof validator.value === "object" && validator.value !== null && "$integer" in validator.value ? "…n" : JSON.stringify(validator.value)})`;
    case "array":
      return `v.array(${validatorSyntax(validator.value as Validator, depth)})`;
    case "record": {
      const values = validator.values as unknown as Field | Validator | undefined;
      const valueText = values && "fieldType" in values ? field(values, depth) : values ? validatorSyntax(values, depth) : "v.any()";
      return `v.record(${validatorSyntax(validator.keys ?? { type: "string" }, depth)}, ${valueText})`;
    }
    case "union":
      return `v.union(${((validator.value as Validator[]) ?? []).map((o) => validatorSyntax(o, depth)).join(", ")})`;
    case "object": {
      const fields = Object.entries((validator.value ?? {}) as Record<string, Field>);
      if (fields.length === 0) return "v.object({})";
      const inner = PAD.repeat(depth + 1);
      return `v.object({\n${fields.map(([name, f]) => `${inner}${fieldName(name)}: ${field(f, depth + 1)},`).join("\n")}\n${PAD.repeat(depth)}})`;
    }
    default:
      return `/* ${validator.type} */ v.any()`;
  }
}
