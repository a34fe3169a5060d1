// Recently opened documents, per deployment, in localStorage (newest first, at most 20):
// the Data area records each document it opens, the command palette offers them again.
// Recent queries are the Query area's own run history (../query/queryHistory).

export interface RecentDocument {
  id: string;
  table: string;
}

const LIMIT = 20;
const key = (deployment: string) => `atrium.recent.documents.${deployment}`;

export function loadRecentDocuments(deployment: string): RecentDocument[] {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(key(deployment)) ?? "[]");
    if (!Array.isArray(value)) return [];
    return value.filter((d): d is RecentDocument => typeof d?.id === "string" && typeof d?.table === "string");
  } catch {
    return [];
  }
}

/** Puts the document first (no repeats, at most LIMIT kept); the new list. */
export function rememberDocument(deployment: string, doc: RecentDocument): RecentDocument[] {
  const next = [doc, ...loadRecentDocuments(deployment).filter((d) => d.id !== doc.id)].slice(0, LIMIT);
  try {
    localStorage.setItem(key(deployment), JSON.stringify(next));
  } catch {
    // A full or refused storage only loses the list, never the document.
  }
  return next;
}
