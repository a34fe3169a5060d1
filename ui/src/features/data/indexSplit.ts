// A line typed while an index is chosen, split into the index range (equalities on the
// index's first fields, then bounds on the next one) and the filter tested on what the
// range holds — so a filter and an index range go together.
import type { Clause, Filter, RangeClause } from "../../generated/studio";

const BOUNDS = ["lt", "lte", "gt", "gte"];

export function splitForIndex(parsed: Filter, fields: string[]): { range: RangeClause[]; rest: Filter } {
  const enabled = parsed.clauses.filter((c) => c.enabled);
  if (parsed.combinator === "or" && enabled.length > 1) return { range: [], rest: parsed };
  const taken = new Set<Clause>();
  const range: RangeClause[] = [];
  for (const field of fields) {
    const eq = enabled.find((c) => c.field === field && c.op === "eq" && !taken.has(c));
    if (eq) {
      taken.add(eq);
      range.push({ field, op: "eq", value: eq.value });
      continue;
    }
    const lower = enabled.find((c) => c.field === field && (c.op === "gt" || c.op === "gte"));
    const upper = enabled.find((c) => c.field === field && (c.op === "lt" || c.op === "lte"));
    for (const bound of [lower, upper]) {
      if (bound && BOUNDS.includes(bound.op)) {
        taken.add(bound);
        range.push({ field, op: bound.op, value: bound.value });
      }
    }
    break;
  }
  return { range, rest: { combinator: "and", clauses: parsed.clauses.filter((c) => !taken.has(c)) } };
}
