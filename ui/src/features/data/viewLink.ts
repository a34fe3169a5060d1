// The Data area's place as a link: `#/data/<table>?filter=<text>&sort=<field>:<asc|desc>&doc=<id>`
// — the table, the filter line's text, the sort and the open document — read when the area
// opens (a deep link, or coming back to the area) and written as they change.
import type { Sort } from "../../generated/studio";

export interface DataLink {
  table?: string;
  filter?: string;
  sort?: Sort;
  doc?: string;
}

export function parseDataHash(hash: string): DataLink {
  const match = /^#\/data\/([^?]*)(?:\?(.*))?$/.exec(hash);
  if (!match) return {};
  const params = new URLSearchParams(match[2] ?? "");
  const link: DataLink = {};
  if (match[1]) link.table = decodeURIComponent(match[1]);
  const filter = params.get("filter");
  if (filter) link.filter = filter;
  const sort = /^(.+):(asc|desc)$/.exec(params.get("sort") ?? "");
  if (sort?.[1]) link.sort = { field: sort[1], descending: sort[2] === "desc" };
  const doc = params.get("doc");
  if (doc) link.doc = doc;
  return link;
}

export function dataHash(link: DataLink): string {
  if (!link.table) return "#/data";
  const params = new URLSearchParams();
  if (link.filter) params.set("filter", link.filter);
  if (link.sort) params.set("sort", `${link.sort.field}:${link.sort.descending ? "desc" : "asc"}`);
  if (link.doc) params.set("doc", link.doc);
  const query = params.toString();
  return `#/data/${encodeURIComponent(link.table)}${query ? `?${query}` : ""}`;
}
