// A function's arguments as a form: one field per property of its `args` validator, the
// typed text turned back into Convex JSON (int64 as `12n` → {"$integer": …}), and line
// diffs between a live query's versions.
import { checkValue, encodeInt64, type Json, type Validator } from "../data/values";

export interface ArgField {
  name: string;
  optional: boolean;
  validator: Validator;
}

/** The form's fields, or null when the arguments are not a plain object (use JSON). */
export function fieldsOf(args: unknown): ArgField[] | null {
  const v = args as Validator | null;
  if (!v || v.type !== "object") return null;
  const fields = (v.value ?? {}) as Record<string, { fieldType: Validator; optional: boolean }>;
  return Object.entries(fields).map(([name, f]) => ({ name, optional: f.optional, validator: f.fieldType }));
}

/** A short type label: string, number, bigint, id<users>, array, … */
export function typeLabel(v: Validator): string {
  if (v.type === "id") return `id<${v.tableName ?? "?"}>`;
  if (v.type === "literal") return JSON.stringify(v.value);
  if (v.type === "union") return ((v.value as Validator[]) ?? []).map(typeLabel).join(" | ");
  if (v.type === "array") return `${typeLabel(v.value as Validator)}[]`;
  return v.type;
}

/** Parses one field's text; `omit` for an empty optional field. */
export function parseField(field: ArgField, text: string): { value?: Json; error?: string; omit?: boolean } {
  const t = field.validator.type;
  if (text.trim() === "" && field.optional) return { omit: true };
  let value: Json;
  if (t === "string" || t === "id") value = text;
  else if (t === "number") {
    const n = Number(text);
    if (text.trim() === "" || Number.isNaN(n)) return { error: `${field.name} must be a number` };
    value = n;
  } else if (t === "bigint") {
    const m = /^\s*(-?\d+)n?\s*$/.exec(text);
    if (!m?.[1]) return { error: `${field.name} must be a whole number (int64)` };
    value = encodeInt64(BigInt(m[1]));
  } else if (t === "boolean") {
    if (text !== "true" && text !== "false") return { error: `${field.name} must be true or false` };
    value = text === "true";
  } else {
    try {
      value = JSON.parse(text) as Json;
    } catch {
      return { error: `${field.name} is not valid JSON` };
    }
  }
  const problem = checkValue(field.validator, value, field.name);
  return problem ? { error: problem } : { value };
}

/** The arguments object from the form's texts, or the errors by field. */
export function buildArgs(fields: ArgField[], texts: Record<string, string>): { args: Record<string, Json>; errors: Record<string, string> } {
  const args: Record<string, Json> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const parsed = parseField(field, texts[field.name] ?? "");
    if (parsed.error) errors[field.name] = parsed.error;
    else if (!parsed.omit && parsed.value !== undefined) args[field.name] = parsed.value;
  }
  return { args, errors };
}

/** The form's texts for an arguments object (to restore a run from history). */
export function textsOf(fields: ArgField[], args: Record<string, Json>): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const field of fields) {
    const v = args[field.name];
    if (v === undefined) texts[field.name] = "";
    else if (typeof v === "string" && (field.validator.type === "string" || field.validator.type === "id")) texts[field.name] = v;
    else if (field.validator.type === "bigint" && v && typeof v === "object" && "$integer" in v) {
      const bytes = Uint8Array.from(atob(String((v as { $integer: string }).$integer)), (c) => c.charCodeAt(0));
      texts[field.name] = `${new DataView(bytes.buffer).getBigInt64(0, true)}`;
    } else texts[field.name] = JSON.stringify(v);
  }
  return texts;
}

export interface DiffLine {
  kind: "same" | "added" | "removed";
  text: string;
}

/** A line diff of two texts (longest common subsequence; fine for results of a few hundred lines). */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = before.split("\n");
  const b = after.split("\n");
  if (a.length * b.length > 400_000) {
    return [...a.map((text) => ({ kind: "removed" as const, text })), ...b.map((text) => ({ kind: "added" as const, text }))];
  }
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ kind: "same", text: a[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ kind: "removed", text: a[i++]! });
    else out.push({ kind: "added", text: b[j++]! });
  }
  while (i < a.length) out.push({ kind: "removed", text: a[i++]! });
  while (j < b.length) out.push({ kind: "added", text: b[j++]! });
  return out;
}
