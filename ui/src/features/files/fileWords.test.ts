import { describe, expect, it } from "vitest";
import { matchesFilter, NO_FILTER, previewKind, sizeWords, typeGroups } from "./fileWords";

describe("fileWords", () => {
  it("words sizes", () => {
    expect(sizeWords(12)).toBe("12 B");
    expect(sizeWords(1536)).toBe("1.5 KB");
    expect(sizeWords(200 * 1024 * 1024)).toBe("200 MB");
  });

  it("picks a preview by content type", () => {
    expect(previewKind("image/png")).toBe("image");
    expect(previewKind("application/json; charset=utf-8")).toBe("text");
    expect(previewKind("text/plain")).toBe("text");
    expect(previewKind("application/pdf")).toBe("pdf");
    expect(previewKind("video/mp4")).toBe("video");
    expect(previewKind("audio/ogg")).toBe("audio");
    expect(previewKind("application/octet-stream")).toBe("none");
    expect(previewKind(null)).toBe("none");
  });

  it("filters by content type and size", () => {
    const png = { content_type: "image/png", size: 4096 };
    const none = { content_type: null, size: 10 };
    expect(matchesFilter(png, NO_FILTER)).toBe(true);
    expect(matchesFilter(png, { ...NO_FILTER, type: "image/" })).toBe(true);
    expect(matchesFilter(none, { ...NO_FILTER, type: "image/" })).toBe(false);
    expect(matchesFilter(png, { ...NO_FILTER, minKb: "5" })).toBe(false);
    expect(matchesFilter(png, { ...NO_FILTER, maxKb: "3" })).toBe(false);
    expect(matchesFilter(png, { ...NO_FILTER, minKb: "1", maxKb: "4" })).toBe(true);
    expect(typeGroups([png, none, { content_type: "text/plain" }])).toEqual(["image/", "text/"]);
  });
});
