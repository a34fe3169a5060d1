// Pure helpers of the Files area: sizes in words, the kind of preview a content type gets,
// and the content-type/size filter.

/** `1536` → `1.5 KB`. */
export function sizeWords(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export type PreviewKind = "image" | "text" | "pdf" | "audio" | "video" | "none";

/** How a file of this content type is previewed. */
export function previewKind(contentType: string | null | undefined): PreviewKind {
  const type = ((contentType ?? "").toLowerCase().split(";")[0] ?? "").trim();
  if (type.startsWith("image/")) return "image";
  if (type.startsWith("audio/")) return "audio";
  if (type.startsWith("video/")) return "video";
  if (type === "application/pdf") return "pdf";
  if (type.startsWith("text/") || type === "application/json" || type.endsWith("+json") || type.endsWith("+xml") || type === "application/xml" || type === "application/javascript")
    return "text";
  return "none";
}

export interface FileFilter {
  /** A prefix of the content type (`image/`), or empty for any. */
  type: string;
  /** Smallest and largest size in KB, or empty. */
  minKb: string;
  maxKb: string;
}

export const NO_FILTER: FileFilter = { type: "", minKb: "", maxKb: "" };

/** Whether a file passes the filter. */
export function matchesFilter(file: { content_type: string | null; size: number }, filter: FileFilter): boolean {
  const type = (file.content_type ?? "").toLowerCase();
  if (filter.type && !type.startsWith(filter.type.toLowerCase())) return false;
  const min = Number.parseFloat(filter.minKb);
  const max = Number.parseFloat(filter.maxKb);
  if (Number.isFinite(min) && file.size < min * 1024) return false;
  if (Number.isFinite(max) && file.size > max * 1024) return false;
  return true;
}

/** The content types present, by their top-level type (`image/`, `text/`, …). */
export function typeGroups(files: { content_type: string | null }[]): string[] {
  const groups = new Set<string>();
  for (const f of files) if (f.content_type) groups.add(`${f.content_type.split("/")[0]}/`);
  return [...groups].sort();
}
