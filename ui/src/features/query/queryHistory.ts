// Saved queries and run history, per deployment and language, in localStorage.

export interface SavedQuery {
  name: string;
  text: string;
}

const key = (deployment: string, language: string, kind: "history" | "saved") => `atrium.query.${kind}.${language}.${deployment}`;

function read<T>(k: string): T[] {
  try {
    const value = JSON.parse(localStorage.getItem(k) ?? "[]");
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

export function loadHistory(deployment: string, language: string): string[] {
  return read<string>(key(deployment, language, "history"));
}

/** Puts `text` first in the history (at most 30, no repeats); the new history. */
export function remember(deployment: string, language: string, text: string): string[] {
  const next = [text, ...loadHistory(deployment, language).filter((h) => h !== text)].slice(0, 30);
  localStorage.setItem(key(deployment, language, "history"), JSON.stringify(next));
  return next;
}

export function loadSaved(deployment: string, language: string): SavedQuery[] {
  return read<SavedQuery>(key(deployment, language, "saved"));
}

/** Saves `text` under `name` (replacing one of the same name); the saved list, by name. */
export function save(deployment: string, language: string, name: string, text: string): SavedQuery[] {
  const next = [...loadSaved(deployment, language).filter((s) => s.name !== name), { name, text }].sort((a, b) => a.name.localeCompare(b.name));
  localStorage.setItem(key(deployment, language, "saved"), JSON.stringify(next));
  return next;
}

export function forget(deployment: string, language: string, name: string): SavedQuery[] {
  const next = loadSaved(deployment, language).filter((s) => s.name !== name);
  localStorage.setItem(key(deployment, language, "saved"), JSON.stringify(next));
  return next;
}

/** A query another part of the dashboard asked the Query area to show (the command palette). */
let requested: { language: string; text: string } | undefined;

/** Asks the Query area to open `text` in `language`'s editor when it next mounts. */
export function requestQuery(language: "sql" | "js", text: string): void {
  requested = { language, text };
  localStorage.setItem("atrium.query.mode", language);
}

/** The text asked for in `language`, if any (it stays until `clearRequestedQuery`). */
export function requestedQuery(language: string): string | undefined {
  return requested?.language === language ? requested.text : undefined;
}

export function clearRequestedQuery(): void {
  requested = undefined;
}
