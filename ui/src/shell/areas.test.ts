import { describe, expect, it } from "vitest";
import { AREAS, areaForShortcut, areaFromHash, hashForArea, shortcutDigit } from "./areas";

describe("areas", () => {
  it("lists the twelve areas in sidebar order", () => {
    expect(AREAS.map((a) => a.label)).toEqual([
      "Data",
      "Functions",
      "Logs",
      "Schedules",
      "Files",
      "Subscriptions",
      "Vector",
      "Query",
      "Health",
      "History",
      "Project",
      "Settings",
    ]);
  });

  it("round-trips areas through the location hash", () => {
    for (const area of AREAS) expect(areaFromHash(hashForArea(area.id))).toBe(area.id);
    expect(areaFromHash("")).toBe("data");
    expect(areaFromHash("#/nowhere")).toBe("data");
    expect(areaFromHash("#/logs?fn=x")).toBe("logs");
  });

  it("maps Alt+digit to areas and ignores other chords", () => {
    const key = (k: string, mods: Partial<{ altKey: boolean; ctrlKey: boolean; metaKey: boolean }> = {}) => ({
      altKey: false,
      ctrlKey: false,
      metaKey: false,
      key: k,
      code: `Digit${k}`,
      ...mods,
    });
    expect(areaForShortcut(key("1", { altKey: true }))).toBe("data");
    expect(areaForShortcut(key("4", { altKey: true }))).toBe("schedules");
    expect(areaForShortcut(key("5", { altKey: true }))).toBe("files");
    expect(areaForShortcut(key("9", { altKey: true }))).toBe("settings");
    expect(areaForShortcut(key("0", { altKey: true }))).toBeUndefined();
    expect(areaForShortcut(key("1"))).toBeUndefined();
    expect(areaForShortcut(key("1", { altKey: true, ctrlKey: true }))).toBeUndefined();
  });

  it("hints only the digits that select an area", () => {
    const hints = AREAS.map((_, i) => shortcutDigit(i));
    for (const [i, digit] of hints.entries()) {
      if (digit) expect(areaForShortcut({ altKey: true, ctrlKey: false, metaKey: false, key: digit, code: `Digit${digit}` })).toBe(AREAS[i]?.id);
    }
    expect(hints.filter(Boolean)).toHaveLength(9);
  });
});
