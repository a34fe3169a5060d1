// Fuzzy ranking of palette items, over `fuzzysort` (Sublime-like subsequence matching,
// maintained, no dependencies): a query's words may match anywhere in the label or the
// item's keywords ("run list" finds messages:list), best score first; the label's matched
// characters come back for highlighting. An empty query keeps the given order.

import fuzzysort from "fuzzysort";

export interface Searchable {
  label: string;
  /** Words that find the item but are not shown (its kind, synonyms). */
  keywords?: string;
}

export interface Ranked<T> {
  item: T;
  /** Indexes of the label's characters that matched (empty for an empty query). */
  matched: readonly number[];
}

export function rank<T extends Searchable>(items: readonly T[], query: string, limit = 60): Ranked<T>[] {
  if (!query.trim()) return items.slice(0, limit).map((item) => ({ item, matched: [] }));
  const results = fuzzysort.go(query.trim(), items, { keys: ["label", (item: T) => item.keywords ?? ""], limit, threshold: 0 });
  return results.map((result) => ({ item: result.obj, matched: result[0]?.indexes ?? [] }));
}

/** The label cut into plain and matched runs, for highlighting. */
export function splitMatched(label: string, matched: readonly number[]): { text: string; hit: boolean }[] {
  const hits = new Set(matched);
  const parts: { text: string; hit: boolean }[] = [];
  for (let i = 0; i < label.length; i++) {
    const hit = hits.has(i);
    const last = parts.at(-1);
    if (last && last.hit === hit) last.text += label[i];
    else parts.push({ text: label[i] ?? "", hit });
  }
  return parts;
}
