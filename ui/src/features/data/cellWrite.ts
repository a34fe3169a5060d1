// A cell's new text as a write: parsed as the field's validator (or current value) asks —
// text stays text for string fields, anything else is read as JSON or `123n` — and checked
// against the validator. Shared by inline edits and pasted cells.
import type { WriteRequest } from "../../generated/studio";
import { checkValue, type Doc, fieldValidator, formatValue, parseInput, type Validator } from "./values";

export type CellWrite = { ok: true; write: WriteRequest; label: string } | { ok: false; problem: string };

export function cellWrite(documentType: Validator | undefined, table: string, doc: Doc, column: string, text: string): CellWrite {
  const validator = fieldValidator(documentType, column);
  const asString = validator ? validator.type === "string" : typeof doc[column] === "string";
  const value = parseInput(text, asString);
  const problem = checkValue(validator, value, column);
  if (problem) return { ok: false, problem };
  return {
    ok: true,
    write: { op: "patch", table, id: doc._id as string, fields: { [column]: value } },
    label: `${column}: ${formatValue(doc[column], 40) || "unset"} → ${formatValue(value, 40)}`,
  };
}
