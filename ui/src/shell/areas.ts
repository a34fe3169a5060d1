// The dashboard's areas: what each is for, in sidebar order, and how to reach it.

export type AreaId =
  | "data"
  | "functions"
  | "logs"
  | "schedules"
  | "files"
  | "subscriptions"
  | "vector"
  | "query"
  | "health"
  | "history"
  | "project"
  | "settings";

export interface Area {
  id: AreaId;
  label: string;
  /** One sentence: what the user comes here to do. */
  purpose: string;
}

export const AREAS: readonly Area[] = [
  {
    id: "data",
    label: "Data",
    purpose: "Browse and edit tables, documents, schema and indexes.",
  },
  {
    id: "functions",
    label: "Functions",
    purpose: "Run any query, mutation or action and see what it did.",
  },
  {
    id: "logs",
    label: "Logs",
    purpose: "Watch function logs stream in, and search the archive.",
  },
  {
    id: "schedules",
    label: "Schedules",
    purpose: "Scheduled functions and cron jobs: when they run, how they went.",
  },
  {
    id: "files",
    label: "Files",
    purpose: "Stored files: preview, upload, download and delete them.",
  },
  {
    id: "subscriptions",
    label: "Subscriptions",
    purpose: "See live query subscriptions and why each one re-ran.",
  },
  {
    id: "vector",
    label: "Vector",
    purpose: "Look inside vector indexes: contents, search, recall.",
  },
  {
    id: "query",
    label: "Query",
    purpose: "Ask questions of your data in SQL or JavaScript.",
  },
  {
    id: "health",
    label: "Health",
    purpose: "Failure rate, slow functions, scheduler lag, subscriptions and storage at a glance.",
  },
  {
    id: "history",
    label: "History",
    purpose: "What changed in the deployment: pushes, indexes, schema, environment variables, imports.",
  },
  {
    id: "project",
    label: "Project",
    purpose: "Open a project folder and run it on the local engine, offline.",
  },
  {
    id: "settings",
    label: "Settings",
    purpose: "The deployment's environment variables, URLs and sign-in; appearance; where Atrium keeps its files.",
  },
];

export const DEFAULT_AREA: AreaId = "data";

/** The area a location hash names (`#/logs`), or the default area. */
export function areaFromHash(hash: string): AreaId {
  const id = hash.replace(/^#\/?/, "").split(/[/?]/)[0];
  return AREAS.find((area) => area.id === id)?.id ?? DEFAULT_AREA;
}

export function hashForArea(id: AreaId): string {
  return `#/${id}`;
}

export function areaById(id: AreaId): Area {
  const area = AREAS.find((a) => a.id === id);
  if (!area) throw new Error(`unknown area ${id}`);
  return area;
}

/** Alt+1 … Alt+8 select the areas in sidebar order; Alt+9 the last one (Settings), as browsers do with tabs. */
export function areaForShortcut(event: { altKey: boolean; ctrlKey: boolean; metaKey: boolean; key: string; code?: string }): AreaId | undefined {
  if (!event.altKey || event.ctrlKey || event.metaKey) return undefined;
  const digit = event.code?.startsWith("Digit") ? event.code.slice(5) : event.key;
  const index = Number.parseInt(digit, 10) - 1;
  if (!Number.isInteger(index) || index < 0) return undefined;
  return (index === 8 ? AREAS[AREAS.length - 1] : AREAS[index])?.id;
}

/** The digit that selects the area at `index` with Alt (see areaForShortcut), if any. */
export function shortcutDigit(index: number): string | undefined {
  if (index === AREAS.length - 1) return "9";
  return index < 8 ? String(index + 1) : undefined;
}
