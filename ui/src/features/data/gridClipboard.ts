// Copy and paste in the grid, as text: TSV for spreadsheets (a cell as `editText` writes
// it, so pasting it back gives the same value) and Convex JSON for code. Pure functions,
// and `writeClipboard`, the one that touches the clipboard.
import { type Doc, editText, type Json } from "./values";

/** One TSV field: quoted (quotes doubled) when it holds a tab or a newline, or starts with a quote. */
function field(text: string): string {
  return /[\t\n\r]|^"/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows as TSV: a header line of the columns, then one line per document. */
export function rowsToTsv(columns: readonly string[], docs: readonly Doc[]): string {
  const lines = [columns.map(field).join("\t"), ...docs.map((doc) => columns.map((c) => field(editText(doc[c]))).join("\t"))];
  return lines.join("\n");
}

/** Rows as JSON: the documents' shown columns (unset fields left out), an array when more than one. */
export function rowsToJson(columns: readonly string[], docs: readonly Doc[]): string {
  const picked = docs.map((doc) => Object.fromEntries(columns.filter((c) => doc[c] !== undefined).map((c) => [c, doc[c]])));
  return JSON.stringify(picked.length === 1 ? picked[0] : picked, null, 2);
}

export function cellToTsv(value: Json | undefined): string {
  return editText(value);
}

export function cellToJson(value: Json | undefined): string {
  return value === undefined ? "" : JSON.stringify(value);
}

/** TSV text as rows of fields (quoted fields may hold tabs, newlines and doubled quotes). */
export function parseTsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  let i = 0;
  const body = text.replace(/\r\n?/g, "\n").replace(/\n$/, "");
  while (i < body.length) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === "") quoted = true;
    else if (c === "\t") {
      row.push(cell);
      cell = "";
    } else if (c === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
    i++;
  }
  if (body.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** Pasted rows without a leading header line naming `columns` (copied rows carry one). */
export function withoutHeader(rows: string[][], columns: readonly string[]): string[][] {
  const [first, ...rest] = rows;
  return first && first.length > 1 && first.every((name) => columns.includes(name)) ? rest : rows;
}

/**
 * What Ctrl+C copies: the selected rows when there are any, else the active cell (`cell`
 * is absent when its row is not loaded); as JSON or TSV.
 */
export function copyText(json: boolean, columns: readonly string[], selected: readonly Doc[], cell?: { value: Json | undefined }): string | undefined {
  if (selected.length) return json ? rowsToJson(columns, selected) : rowsToTsv(columns, selected);
  if (!cell) return undefined;
  return json ? cellToJson(cell.value) : cellToTsv(cell.value);
}

/** A pasted field bound for a cell. */
export interface PastedCell {
  doc: Doc;
  column: string;
  text: string;
}

/**
 * Pasted TSV laid over the grid from the active cell rightwards and down: fields that fall
 * on a loaded row and a shown user column (not `_id`/`_creationTime`) become cells.
 */
export function pastedCells(text: string, columns: readonly string[], active: { row: number; column: string }, rowAt: (row: number) => Doc | undefined): PastedCell[] {
  const rows = withoutHeader(parseTsv(text), columns);
  const first = columns.indexOf(active.column);
  if (first < 0) return [];
  const cells: PastedCell[] = [];
  rows.forEach((fields, r) => {
    const doc = rowAt(active.row + r);
    if (!doc) return;
    fields.forEach((field, c) => {
      const column = columns[first + c];
      if (column && !column.startsWith("_")) cells.push({ doc, column, text: field });
    });
  });
  return cells;
}

/**
 * Puts `text` on the clipboard: through the Clipboard API, or where a host refuses it, by
 * copying from a hidden text field (focus then returns to `restore`).
 */
export async function writeClipboard(text: string, restore: HTMLElement | null): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const field = document.createElement("textarea");
    field.value = text;
    field.style.position = "fixed";
    field.style.opacity = "0";
    document.body.append(field);
    field.select();
    document.execCommand("copy");
    field.remove();
    restore?.focus();
  }
}
