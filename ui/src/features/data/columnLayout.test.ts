import { beforeEach, describe, expect, it } from "vitest";
import { EMPTY_LAYOUT, loadLayout, MAX_WIDTH, MIN_WIDTH, moved, ordered, resized, saveLayout, shownColumns, stepped, widthOf, withHidden } from "./columnLayout";

const columns = ["_id", "_creationTime", "name", "age", "city"];

describe("column layout", () => {
  it("keeps the natural order until the user changes it", () => {
    expect(shownColumns(EMPTY_LAYOUT, columns)).toEqual(columns);
    expect(widthOf(EMPTY_LAYOUT, "_id")).toBe(270);
    expect(widthOf(EMPTY_LAYOUT, "name")).toBe(180);
  });

  it("moves a column before another, or to the end, and keeps new columns after", () => {
    const layout = moved(EMPTY_LAYOUT, columns, "city", "name");
    expect(ordered(layout, columns)).toEqual(["_id", "_creationTime", "city", "name", "age"]);
    expect(ordered(moved(layout, columns, "_id", null), columns)).toEqual(["_creationTime", "city", "name", "age", "_id"]);
    expect(ordered(layout, [...columns, "email"])).toEqual(["_id", "_creationTime", "city", "name", "age", "email"]);
    expect(ordered(layout, ["_id", "name"])).toEqual(["_id", "name"]);
  });

  it("steps a column among the shown ones, stopping at the edges", () => {
    const hidden = withHidden(EMPTY_LAYOUT, "age", true);
    expect(shownColumns(stepped(hidden, columns, "city", -1), columns)).toEqual(["_id", "_creationTime", "city", "name"]);
    expect(shownColumns(stepped(hidden, columns, "name", 1), columns)).toEqual(["_id", "_creationTime", "city", "name"]);
    expect(stepped(hidden, columns, "city", 1)).toBe(hidden);
    expect(stepped(hidden, columns, "_id", -1)).toBe(hidden);
  });

  it("hides and shows columns, and clamps widths", () => {
    const layout = withHidden(withHidden(EMPTY_LAYOUT, "age", true), "city", true);
    expect(shownColumns(layout, columns)).toEqual(["_id", "_creationTime", "name"]);
    expect(shownColumns(withHidden(layout, "age", false), columns)).toEqual(["_id", "_creationTime", "name", "age"]);
    expect(widthOf(resized(EMPTY_LAYOUT, "name", 10), "name")).toBe(MIN_WIDTH);
    expect(widthOf(resized(EMPTY_LAYOUT, "name", 99_999), "name")).toBe(MAX_WIDTH);
    expect(widthOf(resized(EMPTY_LAYOUT, "name", 240.4), "name")).toBe(240);
  });
});

describe("saved layouts", () => {
  beforeEach(() => localStorage.clear());

  it("are kept per deployment and table", () => {
    const layout = resized(withHidden(moved(EMPTY_LAYOUT, columns, "city", "name"), "age", true), "name", 300);
    saveLayout("dep", "people", layout);
    expect(loadLayout("dep", "people")).toEqual(layout);
    expect(loadLayout("dep", "other")).toEqual(EMPTY_LAYOUT);
    expect(loadLayout("other", "people")).toEqual(EMPTY_LAYOUT);
  });

  it("read anything malformed as the default layout", () => {
    localStorage.setItem("atrium.grid.dep.bad", "{not json");
    expect(loadLayout("dep", "bad")).toEqual(EMPTY_LAYOUT);
    localStorage.setItem("atrium.grid.dep.odd", JSON.stringify({ widths: { a: "wide", b: 90 }, order: [1, "x"], hidden: "y" }));
    expect(loadLayout("dep", "odd")).toEqual({ widths: { b: 90 }, order: ["x"], hidden: [] });
  });
});
