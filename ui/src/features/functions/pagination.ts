// Paginated queries in the runner: a function whose arguments hold `paginationOpts` gets a
// page size and first/next page controls; the next page's cursor is read from the result.
import type { Json } from "../data/values";
import type { ArgField } from "./argsForm";

export interface PageOpts {
  numItems: number;
  cursor: string | null;
}

/** Whether the runner shows the pagination helper for these argument fields. */
export function isPaginated(fields: ArgField[] | null): boolean {
  return !!fields?.some((f) => f.name === "paginationOpts" && f.validator.type === "object");
}

/** A paginate() result's page: its length, the next cursor and whether it was the last. */
export function pageOf(value: Json | undefined): { count: number; next: string; isDone: boolean } | null {
  if (!value || typeof value !== "object" || Array.isArray(value)) return null;
  const { page, continueCursor, isDone } = value as Record<string, Json>;
  if (!Array.isArray(page) || typeof continueCursor !== "string" || typeof isDone !== "boolean") return null;
  return { count: page.length, next: continueCursor, isDone };
}
