// Convex values as the grid shows and edits them. Documents arrive as Convex-encoded JSON
// ({"$integer": base64} for int64, {"$bytes": …}, {"$float": …} for NaN/±Infinity/-0).

/** A Convex-encoded JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Doc = Record<string, Json>;

/** A validator as Convex exports it in the schema JSON. */
export interface Validator {
  type: string;
  value?: unknown;
  tableName?: string;
  keys?: Validator;
  values?: Validator;
}

const ID_PATTERN = /^[0-9a-hjkmnp-tv-z]{31,37}$/;

/** Whether a string has the shape of a Convex document ID. */
export function looksLikeId(value: unknown): value is string {
  return typeof value === "string" && ID_PATTERN.test(value);
}

function base64Bytes(text: string): Uint8Array {
  const raw = atob(text);
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

function bytesBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

/** Decodes {"$integer": base64 of 8 little-endian bytes}. */
export function decodeInt64(text: string): bigint {
  const bytes = base64Bytes(text);
  return new DataView(bytes.buffer).getBigInt64(0, true);
}

export function encodeInt64(value: bigint): Json {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, value, true);
  return { $integer: bytesBase64(bytes) };
}

function special(value: Json): { kind: "int64" | "bytes" | "float"; text: string } | undefined {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] !== undefined) {
      const inner = value[keys[0]];
      if (typeof inner === "string") {
        if (keys[0] === "$integer") return { kind: "int64", text: inner };
        if (keys[0] === "$bytes") return { kind: "bytes", text: inner };
        if (keys[0] === "$float") return { kind: "float", text: inner };
      }
    }
  }
  return undefined;
}

/** The Convex type name of a value ("unset" for a missing field). */
export function typeOf(value: Json | undefined): string {
  if (value === undefined) return "unset";
  if (value === null) return "null";
  const s = special(value);
  if (s) return s.kind === "int64" ? "bigint" : s.kind === "bytes" ? "bytes" : "number";
  if (Array.isArray(value)) return "array";
  if (typeof value === "object") return "object";
  if (typeof value === "string") return looksLikeId(value) ? "id" : "string";
  return typeof value; // number, boolean
}

function floatText(text: string): string {
  const view = new DataView(base64Bytes(text).buffer);
  const n = view.getFloat64(0, true);
  return Object.is(n, -0) ? "-0" : String(n);
}

/** A value as JavaScript-like source: `12n` for int64, `b"…"` for bytes. */
export function formatValue(value: Json | undefined, limit = 200): string {
  if (value === undefined) return "";
  const s = special(value);
  if (s) {
    if (s.kind === "int64") return `${decodeInt64(s.text)}n`;
    if (s.kind === "float") return floatText(s.text);
    return `bytes(${base64Bytes(s.text).length})`;
  }
  if (typeof value === "string") return value.length > limit ? `${value.slice(0, limit)}…` : value;
  if (value === null || typeof value !== "object") return String(value);
  const text = compact(value);
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

function compact(value: Json): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (special(value)) return formatValue(value);
  if (Array.isArray(value)) return `[${value.map(compact).join(", ")}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${k}: ${compact(v)}`)
    .join(", ")}}`;
}

/** A value as the text an editor starts with: raw for strings, JS-like otherwise. */
export function editText(value: Json | undefined): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  const s = special(value);
  if (s?.kind === "int64") return `${decodeInt64(s.text)}n`;
  return JSON.stringify(value);
}

/**
 * Parses what the user typed into a cell. `asString` (the field holds strings) takes the
 * text as it is; otherwise JSON, `123n` for int64, and bare words as strings.
 */
export function parseInput(text: string, asString: boolean): Json {
  if (asString) return text;
  const trimmed = text.trim();
  if (/^-?\d+n$/.test(trimmed)) return encodeInt64(BigInt(trimmed.slice(0, -1)));
  try {
    return JSON.parse(trimmed) as Json;
  } catch {
    return text;
  }
}

/** Why `value` does not match `validator` (a sentence naming the path), or null. */
export function checkValue(validator: Validator | undefined, value: Json | undefined, path = "value"): string | null {
  if (!validator) return null;
  const t = typeOf(value);
  const want = validator.type;
  const fail = (expected: string) => `${path} must be ${expected}, not ${t === "unset" ? "missing" : t}`;
  switch (want) {
    case "any":
      return null;
    case "string":
      return t === "string" || t === "id" ? null : fail("a string");
    case "number":
      return t === "number" ? null : fail("a number");
    case "bigint":
      return t === "bigint" ? null : fail("a bigint (write 12n)");
    case "boolean":
    case "null":
    case "bytes":
      return t === want ? null : fail(`${want === "null" ? "null" : `a ${want}`}`);
    case "id":
      return t === "id" ? null : fail(`an ID of table ${validator.tableName ?? "?"}`);
    case "literal":
      return JSON.stringify(value) === JSON.stringify(validator.value) ? null : `${path} must be ${JSON.stringify(validator.value)}`;
    case "array": {
      if (!Array.isArray(value)) return fail("an array");
      for (let i = 0; i < value.length; i++) {
        const problem = checkValue(validator.value as Validator, value[i], `${path}[${i}]`);
        if (problem) return problem;
      }
      return null;
    }
    case "object": {
      if (t !== "object") return fail("an object");
      return checkFields(validator, value as Doc, path);
    }
    case "record":
      return t === "object" ? null : fail("an object");
    case "union": {
      const options = (validator.value as Validator[]) ?? [];
      return options.some((o) => checkValue(o, value, path) === null) ? null : `${path} matches none of ${options.map((o) => o.type).join(" | ")}`;
    }
    default:
      return null;
  }
}

/** Checks an object's fields against an object validator (extra fields are refused). */
export function checkFields(validator: Validator, doc: Doc, path = "document"): string | null {
  const fields = (validator.value ?? {}) as Record<string, { fieldType: Validator; optional: boolean }>;
  for (const [name, field] of Object.entries(fields)) {
    const v = doc[name];
    if (v === undefined) {
      if (!field.optional) return `${path}.${name} is required`;
      continue;
    }
    const problem = checkValue(field.fieldType, v, `${path}.${name}`);
    if (problem) return problem;
  }
  for (const name of Object.keys(doc)) {
    if (!name.startsWith("_") && !(name in fields)) return `${path}.${name} is not in the schema`;
  }
  return null;
}

/** The declared field validator of a table's schema, if any. */
export function fieldValidator(documentType: Validator | undefined, field: string): Validator | undefined {
  if (!documentType || documentType.type !== "object") return undefined;
  const fields = documentType.value as Record<string, { fieldType: Validator }> | undefined;
  return fields?.[field]?.fieldType;
}

/** Columns: `_id`, the schema's fields, fields seen in rows, then `_creationTime`. */
export function columnsFor(documentType: Validator | undefined, rows: Doc[]): string[] {
  const seen = new Set<string>(["_id"]);
  const out = ["_id"];
  const add = (name: string) => {
    if (!seen.has(name) && name !== "_creationTime") {
      seen.add(name);
      out.push(name);
    }
  };
  if (documentType?.type === "object") Object.keys((documentType.value as object) ?? {}).forEach(add);
  for (const row of rows) Object.keys(row).forEach(add);
  out.push("_creationTime");
  return out;
}
