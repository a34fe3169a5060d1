// What the command palette offers, built from what the dashboard knows: its areas, the
// current area's actions, the deployment's tables and functions, the saved deployments,
// recently opened documents and recent queries. Pure: the palette passes in the sources and
// what to do with a choice; nothing here reads the studio or the page.
import type { ConnectionInfo, FunctionInfo, TableSummary } from "../../generated/studio";
import { type Area, type AreaId } from "../../shell/areas";
import { dataHash } from "../data/viewLink";
import type { AreaAction } from "./areaActions";
import type { RecentDocument } from "./recents";

export type PaletteGroup = "Actions" | "Areas" | "Recent documents" | "Recent queries" | "Tables" | "Functions" | "Deployments";

export interface PaletteItem {
  /** Unique among the items (`table:messages`). */
  key: string;
  group: PaletteGroup;
  label: string;
  /** Shown after the label, dimmed. */
  hint?: string;
  keywords?: string;
  perform(): void | Promise<void>;
}

export interface RecentQuery {
  language: "sql" | "js";
  text: string;
}

export interface PaletteSources {
  areas: readonly Area[];
  current: AreaId;
  actions: readonly AreaAction[];
  tables: readonly TableSummary[];
  functions: readonly FunctionInfo[];
  connections: readonly ConnectionInfo[];
  active: string | null;
  documents: readonly RecentDocument[];
  queries: readonly RecentQuery[];
}

export interface PaletteHandlers {
  goArea(id: AreaId): void;
  /** Opens a place given as a location hash (`#/data/messages`). */
  open(hash: string): void;
  connect(connection: ConnectionInfo): Promise<void>;
  openQuery(query: RecentQuery): void;
}

/** How many of a group show before anything is typed (all of them match a query). */
export const IDLE_LIMITS: Record<PaletteGroup, number> = {
  Actions: 12,
  Areas: 12,
  "Recent documents": 5,
  "Recent queries": 5,
  Tables: 8,
  Functions: 8,
  Deployments: 8,
};

/** One line of a query, for a label. */
function oneLine(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function paletteItems(s: PaletteSources, h: PaletteHandlers): PaletteItem[] {
  const items: PaletteItem[] = [];
  for (const action of s.actions) {
    items.push({ key: `action:${action.id}`, group: "Actions", label: action.label, keywords: `action ${action.keywords ?? ""}`, perform: action.run });
  }
  for (const area of s.areas) {
    if (area.id === s.current) continue;
    items.push({ key: `area:${area.id}`, group: "Areas", label: area.label, hint: area.purpose, keywords: "area go to open", perform: () => h.goArea(area.id) });
  }
  for (const doc of s.documents) {
    items.push({ key: `doc:${doc.id}`, group: "Recent documents", label: doc.id, hint: doc.table, keywords: `document ${doc.table}`, perform: () => h.open(dataHash({ table: doc.table, doc: doc.id })) });
  }
  for (const [i, query] of s.queries.entries()) {
    const language = query.language === "sql" ? "SQL" : "JavaScript";
    items.push({ key: `query:${query.language}:${i}`, group: "Recent queries", label: oneLine(query.text), hint: language, keywords: `query ${language}`, perform: () => h.openQuery(query) });
  }
  for (const table of s.tables) {
    const count = `${table.count.toLocaleString("en-US")} document${table.count === 1 ? "" : "s"}`;
    items.push({ key: `table:${table.name}`, group: "Tables", label: table.name, hint: count, keywords: "table open browse", perform: () => h.open(dataHash({ table: table.name })) });
  }
  for (const fn of s.functions) {
    items.push({
      key: `function:${fn.path}`,
      group: "Functions",
      label: fn.path,
      hint: fn.visibility === "internal" ? `internal ${fn.kind}` : fn.kind,
      keywords: `function run ${fn.kind}`,
      perform: () => h.open(`#/functions/${encodeURIComponent(fn.path)}`),
    });
  }
  for (const connection of s.connections) {
    const active = connection.id === s.active;
    items.push({
      key: `deployment:${connection.id}`,
      group: "Deployments",
      label: connection.name,
      hint: active ? "connected" : connection.url,
      keywords: "deployment switch connect",
      perform: () => (active ? undefined : h.connect(connection)),
    });
  }
  return items;
}

/** The items shown before anything is typed: each group cut to its idle limit, in order. */
export function idleItems(items: readonly PaletteItem[]): PaletteItem[] {
  const seen = new Map<PaletteGroup, number>();
  return items.filter((item) => {
    const n = (seen.get(item.group) ?? 0) + 1;
    seen.set(item.group, n);
    return n <= IDLE_LIMITS[item.group];
  });
}
