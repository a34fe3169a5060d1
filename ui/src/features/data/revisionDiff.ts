// What changed between two revisions of a document, field by field, for the history list:
// each field of the newer one as same, changed or added, then the fields it no longer has.
import { type Doc, formatValue } from "./values";

export type FieldChange = "same" | "changed" | "added" | "removed";

export interface RevisionLine {
  field: string;
  text: string;
  change: FieldChange;
}

const SYSTEM = new Set(["_id", "_creationTime"]);

/** `newer` against `older` (null: the first revision, everything added; a deleted newer has no lines). */
export function revisionLines(newer: Doc | null, older: Doc | null): RevisionLine[] {
  if (!newer) return [];
  const lines: RevisionLine[] = [];
  for (const [field, value] of Object.entries(newer)) {
    if (SYSTEM.has(field)) continue;
    const change: FieldChange = !older ? "same" : !(field in older) ? "added" : JSON.stringify(older[field]) === JSON.stringify(value) ? "same" : "changed";
    lines.push({ field, text: `${field}: ${formatValue(value, 80)}`, change });
  }
  for (const [field, value] of Object.entries(older ?? {})) {
    if (!SYSTEM.has(field) && !(field in newer)) lines.push({ field, text: `${field}: ${formatValue(value, 80)}`, change: "removed" });
  }
  return lines;
}
