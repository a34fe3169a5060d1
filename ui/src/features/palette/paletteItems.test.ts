import { describe, expect, it } from "vitest";
import type { ConnectionInfo } from "../../generated/studio";
import { AREAS } from "../../shell/areas";
import { idleItems, IDLE_LIMITS, type PaletteHandlers, paletteItems, type PaletteSources } from "./paletteItems";
import { isPaletteKey } from "./usePaletteShortcut";

const connection = (id: string, name: string): ConnectionInfo => ({ id, name, url: `http://${id}.example`, colour: "#000", safe_mode: "normal", has_admin_key: true, built_in: false });

function setup(extra: Partial<PaletteSources> = {}) {
  const done: string[] = [];
  const handlers: PaletteHandlers = {
    goArea: (id) => done.push(`area ${id}`),
    open: (hash) => done.push(`open ${hash}`),
    connect: async (c) => void done.push(`connect ${c.id}`),
    openQuery: (q) => done.push(`query ${q.language} ${q.text}`),
  };
  const sources: PaletteSources = {
    areas: AREAS,
    current: "data",
    actions: [{ id: "data.add", label: "Add documents", run: () => done.push("add") }],
    tables: [{ name: "messages", count: 1200 }, { name: "users", count: 1 }],
    functions: [{ path: "messages:list", kind: "query", visibility: "public", args: null, returns: null }],
    connections: [connection("prod", "Production"), connection("dev", "Dev")],
    active: "dev",
    documents: [{ id: "k57abc", table: "messages" }],
    queries: [{ language: "sql", text: "SELECT *\n  FROM messages" }],
    ...extra,
  };
  return { items: paletteItems(sources, handlers), done };
}

describe("paletteItems", () => {
  it("lists actions first, then the other areas, recents, tables, functions and deployments", () => {
    const { items } = setup();
    const groups = [...new Set(items.map((i) => i.group))];
    expect(groups).toEqual(["Actions", "Areas", "Recent documents", "Recent queries", "Tables", "Functions", "Deployments"]);
    expect(items.filter((i) => i.group === "Areas").map((i) => i.label)).not.toContain("Data");
    expect(new Set(items.map((i) => i.key)).size).toBe(items.length);
  });

  it("says what each item is", () => {
    const { items } = setup();
    const hint = (key: string) => items.find((i) => i.key === key)?.hint;
    expect(hint("table:messages")).toBe("1,200 documents");
    expect(hint("table:users")).toBe("1 document");
    expect(hint("function:messages:list")).toBe("query");
    expect(hint("deployment:dev")).toBe("connected");
    expect(hint("deployment:prod")).toBe("http://prod.example");
    expect(items.find((i) => i.key === "query:sql:0")?.label).toBe("SELECT * FROM messages");
  });

  it("turns each choice into the right move", () => {
    const { items, done } = setup();
    for (const key of ["action:data.add", "area:logs", "doc:k57abc", "query:sql:0", "table:messages", "function:messages:list", "deployment:prod", "deployment:dev"]) {
      void items.find((i) => i.key === key)?.perform();
    }
    expect(done).toEqual([
      "add",
      "area logs",
      "open #/data/messages?doc=k57abc",
      "query sql SELECT *\n  FROM messages",
      "open #/data/messages",
      "open #/functions/messages%3Alist",
      "connect prod",
    ]);
  });

  it("cuts each group to its idle limit when nothing is typed", () => {
    const tables = Array.from({ length: 30 }, (_, i) => ({ name: `t${i}`, count: i }));
    const { items } = setup({ tables });
    const idle = idleItems(items);
    expect(idle.filter((i) => i.group === "Tables")).toHaveLength(IDLE_LIMITS.Tables);
    expect(idle.filter((i) => i.group === "Areas")).toHaveLength(AREAS.length - 1);
  });
});

describe("isPaletteKey", () => {
  const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean }>) => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });
  it("is Ctrl+K or Cmd+K alone", () => {
    expect(isPaletteKey(key("k", { ctrlKey: true }))).toBe(true);
    expect(isPaletteKey(key("K", { metaKey: true }))).toBe(true);
    expect(isPaletteKey(key("k", {}))).toBe(false);
    expect(isPaletteKey(key("k", { ctrlKey: true, shiftKey: true }))).toBe(false);
    expect(isPaletteKey(key("k", { ctrlKey: true, altKey: true }))).toBe(false);
  });
});
