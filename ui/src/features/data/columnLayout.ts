// A table's column layout in the grid — widths, order and hidden columns — kept per
// deployment and table in localStorage. Pure functions over the layout; the grid's header
// (GridHeader) changes it, useColumnLayout keeps it.

export interface ColumnLayout {
  /** Widths in pixels of the columns the user resized. */
  widths: Record<string, number>;
  /** The user's order; columns not in it follow in their natural order. */
  order: string[];
  hidden: string[];
}

export const EMPTY_LAYOUT: ColumnLayout = { widths: {}, order: [], hidden: [] };
export const MIN_WIDTH = 60;
export const MAX_WIDTH = 1200;

export function defaultWidth(column: string): number {
  return column === "_id" ? 270 : column === "_creationTime" ? 190 : 180;
}

export function widthOf(layout: ColumnLayout, column: string): number {
  return layout.widths[column] ?? defaultWidth(column);
}

/** All of `columns` in the user's order (new ones after the ordered ones, as given). */
export function ordered(layout: ColumnLayout, columns: readonly string[]): string[] {
  const known = layout.order.filter((c) => columns.includes(c));
  return [...known, ...columns.filter((c) => !known.includes(c))];
}

/** The columns shown, in order. */
export function shownColumns(layout: ColumnLayout, columns: readonly string[]): string[] {
  return ordered(layout, columns).filter((c) => !layout.hidden.includes(c));
}

export function resized(layout: ColumnLayout, column: string, width: number): ColumnLayout {
  const clamped = Math.round(Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, width)));
  return { ...layout, widths: { ...layout.widths, [column]: clamped } };
}

/** `column` moved to just before `before` (or to the end when null). */
export function moved(layout: ColumnLayout, columns: readonly string[], column: string, before: string | null): ColumnLayout {
  if (column === before) return layout;
  const rest = ordered(layout, columns).filter((c) => c !== column);
  const at = before === null ? rest.length : rest.indexOf(before);
  rest.splice(at < 0 ? rest.length : at, 0, column);
  return { ...layout, order: rest };
}

/** `column` one place left (-1) or right (+1) among the shown columns. */
export function stepped(layout: ColumnLayout, columns: readonly string[], column: string, by: -1 | 1): ColumnLayout {
  const shown = shownColumns(layout, columns);
  const index = shown.indexOf(column);
  const target = index + by;
  if (index < 0 || target < 0 || target >= shown.length) return layout;
  const before = by < 0 ? shown[target]! : (shown[target + 1] ?? null);
  return moved(layout, columns, column, before);
}

export function withHidden(layout: ColumnLayout, column: string, hide: boolean): ColumnLayout {
  const hidden = layout.hidden.filter((c) => c !== column);
  return { ...layout, hidden: hide ? [...hidden, column] : hidden };
}

const key = (deployment: string, table: string) => `atrium.grid.${deployment}.${table}`;

export function loadLayout(deployment: string, table: string): ColumnLayout {
  try {
    const value = JSON.parse(localStorage.getItem(key(deployment, table)) ?? "null") as Partial<ColumnLayout> | null;
    if (!value || typeof value !== "object") return EMPTY_LAYOUT;
    const strings = (list: unknown) => (Array.isArray(list) ? list.filter((c): c is string => typeof c === "string") : []);
    const widths = Object.fromEntries(Object.entries(value.widths ?? {}).filter(([, w]) => typeof w === "number" && Number.isFinite(w)));
    return { widths, order: strings(value.order), hidden: strings(value.hidden) };
  } catch {
    return EMPTY_LAYOUT;
  }
}

export function saveLayout(deployment: string, table: string, layout: ColumnLayout): void {
  try {
    localStorage.setItem(key(deployment, table), JSON.stringify(layout));
  } catch {
    // Storage full or refused: the layout lasts for this visit only.
  }
}
