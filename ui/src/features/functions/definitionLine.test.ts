import { describe, expect, it } from "vitest";
import { definitionLine, exportName } from "./definitionLine";

const source = [
  'import { query, mutation } from "./_generated/server";',
  "",
  "export const list = query({",
  "  handler: async (ctx) => ctx.db.query(\"messages\").collect(),",
  "});",
  "",
  "export const listAll = query({ handler: async () => [] });",
  "const helper = 1;",
  "export async function plain() {}",
  "export default mutation({ handler: async () => null });",
].join("\n");

describe("definitionLine", () => {
  it("finds an exported const by its exact name, not a longer one", () => {
    expect(definitionLine(source, "list")).toBe(3);
    expect(definitionLine(source, "listAll")).toBe(7);
  });
  it("finds functions, the default export, and plain declarations", () => {
    expect(definitionLine(source, "plain")).toBe(9);
    expect(definitionLine(source, "default")).toBe(10);
    expect(definitionLine(source, "helper")).toBe(8);
  });
  it("gives undefined for a name the source does not define", () => {
    expect(definitionLine(source, "missing")).toBeUndefined();
  });
  it("reads the export name from a function path", () => {
    expect(exportName("messages:send")).toBe("send");
    expect(exportName("dir/messages:list")).toBe("list");
    expect(exportName("messages")).toBe("default");
  });
});
