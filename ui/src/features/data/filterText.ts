// The filter as one line of text, and back: `author == "ann" or n > 3`. Operators:
// == != < <= > >=, in [..], not in [..], is <type>, contains, ~ (regex). Values are JSON
// (strings in double quotes), `12n` for an int64, a bare word for `is`. Clauses are
// joined by `and` (or `&&`) or by `or` (or `||`), not both in one filter.
import type { Clause, Filter, FilterOp } from "../../generated/studio";
import { encodeInt64, formatValue, type Json } from "./values";

const OPS: [string, FilterOp][] = [
  ["not in", "none_of"],
  ["contains", "contains"],
  ["==", "eq"],
  ["!=", "neq"],
  ["<=", "lte"],
  [">=", "gte"],
  ["<", "lt"],
  [">", "gt"],
  ["in", "any_of"],
  ["is", "type"],
  ["~", "regex"],
];

export const OP_LABELS: Record<FilterOp, string> = Object.fromEntries(OPS.map(([text, op]) => [op, text])) as Record<FilterOp, string>;

/** Compact JSON text that keeps -0 wherever it is (JSON.stringify writes it as 0). */
function jsonText(value: Json): string {
  if (Object.is(value, -0)) return "-0";
  if (Array.isArray(value)) return `[${value.map(jsonText).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v as Json)}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

function valueText(clause: Clause): string {
  const value = clause.value as Json;
  if (clause.op === "type" && typeof value === "string") return value;
  if (value && typeof value === "object" && !Array.isArray(value) && "$integer" in value) return formatValue(value);
  // A list reads better spaced; anything else stays compact (a space would end the value).
  if (Array.isArray(value)) return `[${value.map(jsonText).join(", ")}]`;
  return jsonText(value);
}

/** The filter as text (disabled clauses left out). */
export function filterToText(filter: Filter): string {
  const joiner = filter.combinator === "or" ? " or " : " and ";
  return filter.clauses
    .filter((c) => c.enabled)
    .map((c) => `${c.field} ${OP_LABELS[c.op]} ${valueText(c)}`)
    .join(joiner);
}

export class FilterSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} (at character ${position + 1})`);
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Whether every number in a parsed JSON value is finite (`1e999` parses as Infinity). */
function allFinite(value: Json): boolean {
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(allFinite);
  if (value && typeof value === "object") return Object.values(value).every((v) => allFinite(v as Json));
  return true;
}

/** Parses filter text; throws FilterSyntaxError naming the position. */
export function parseFilterText(text: string): Filter {
  let i = 0;
  const clauses: Clause[] = [];
  let combinator: "and" | "or" | undefined;
  const at = (n: number) => text[n] ?? "";
  const ws = () => {
    while (i < text.length && /\s/.test(at(i))) i++;
  };
  const fail = (message: string): never => {
    throw new FilterSyntaxError(message, i);
  };
  ws();
  if (i === text.length) return { combinator: "and", clauses: [] };
  for (;;) {
    ws();
    const fieldStart = i;
    while (i < text.length && /[A-Za-z0-9_.$]/.test(at(i))) i++;
    const field = text.slice(fieldStart, i);
    if (!field) fail("expected a field name");
    ws();
    const op = OPS.find(([t]) => text.startsWith(t, i) && (/[a-z]/.test(t) ? !/[A-Za-z]/.test(text[i + t.length] ?? "") : true));
    if (!op) fail(`expected an operator after ${field} (== != < <= > >= in, not in, is, contains, ~)`);
    i += op![0].length;
    ws();
    const valueStart = i;
    let raw: string;
    if (text[i] === '"' || text[i] === "[") {
      let depth = 0;
      let inString = false;
      for (; i < text.length; i++) {
        const ch = at(i);
        if (inString) {
          if (ch === "\\") i++;
          else if (ch === '"') inString = false;
        } else if (ch === '"') inString = true;
        else if (ch === "[") depth++;
        else if (ch === "]") depth--;
        if (!inString && depth === 0 && (ch === '"' || ch === "]")) {
          i++;
          break;
        }
      }
      raw = text.slice(valueStart, i);
    } else {
      while (i < text.length && !/\s/.test(at(i))) i++;
      raw = text.slice(valueStart, i);
    }
    if (!raw) fail(`expected a value after ${op![0]}`);
    let value: Json;
    if (op![1] === "type") value = raw;
    else if (/^-?\d+n$/.test(raw)) {
      const int = BigInt(raw.slice(0, -1));
      if (int < INT64_MIN || int > INT64_MAX) {
        i = valueStart;
        fail(`${raw} is out of the int64 range`);
      }
      value = encodeInt64(int);
    } else {
      try {
        value = JSON.parse(raw) as Json;
      } catch {
        i = valueStart;
        return fail(`${raw} is not a value (put text in double quotes)`);
      }
      if (!allFinite(value)) {
        i = valueStart;
        fail(`${raw} holds a number too large for a float64`);
      }
    }
    clauses.push({ field, op: op![1], value, enabled: true });
    ws();
    if (i >= text.length) break;
    const word = /^(?:(and|or)\b|(&&|\|\|))/i.exec(text.slice(i));
    if (!word) fail("expected `and`, `or`, `&&`, `||` or the end");
    const joiner = (word![1] ?? word![2] ?? "").toLowerCase();
    const next = joiner === "&&" ? "and" : joiner === "||" ? "or" : (joiner as "and" | "or");
    if (combinator && combinator !== next) fail("use either `and` or `or` between all clauses, not both");
    combinator = next;
    i += word![0].length;
  }
  return { combinator: combinator ?? "and", clauses };
}
