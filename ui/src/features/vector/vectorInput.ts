// Parsing what the Vector area's inputs hold: a pasted vector and filter values.

/** A vector pasted as a JSON array or as numbers separated by commas or spaces. */
export function parseVector(text: string, dimensions: number): { vector?: number[]; error?: string } {
  const trimmed = text.trim();
  if (!trimmed) return { error: "Paste a vector: a JSON array or numbers separated by commas." };
  let items: unknown[];
  if (trimmed.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (!Array.isArray(parsed)) return { error: "The vector must be an array of numbers." };
      items = parsed;
    } catch (e) {
      return { error: `The vector is not valid JSON: ${(e as Error).message}` };
    }
  } else {
    items = trimmed.split(/[\s,]+/).map((part) => (part === "" ? NaN : Number(part)));
  }
  const bad = items.findIndex((x) => typeof x !== "number" || !Number.isFinite(x));
  if (bad >= 0) return { error: `Element ${bad} of the vector is not a finite number.` };
  if (items.length !== dimensions) {
    return { error: `The index expects ${dimensions} dimensions; this vector has ${items.length}.` };
  }
  return { vector: items as number[] };
}

/**
 * A filter value as typed: JSON when it parses (`true`, `3`, `"x"`, `null`), otherwise
 * the text itself as a string. Numbers become float64, as Convex stores JS numbers.
 */
export function parseFilterValue(text: string): unknown {
  const trimmed = text.trim();
  try {
    return JSON.parse(trimmed);
  } catch {
    return trimmed;
  }
}

/** Filter terms from per-field inputs (each may list values separated by `|`). */
export function filterTerms(values: Record<string, string>): { field: string; value: unknown }[] {
  const terms: { field: string; value: unknown }[] = [];
  for (const [field, text] of Object.entries(values)) {
    for (const part of text.split("|")) {
      if (part.trim() !== "") terms.push({ field, value: parseFilterValue(part) });
    }
  }
  return terms;
}
