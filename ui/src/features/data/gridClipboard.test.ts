import { describe, expect, it } from "vitest";
import { cellToJson, cellToTsv, copyText, parseTsv, pastedCells, rowsToJson, rowsToTsv, withoutHeader } from "./gridClipboard";
import { type Doc, parseInput } from "./values";

const docs: Doc[] = [
  { _id: "a1", name: "Ada", tags: ["x", "y"], note: 'says "hi"\tthen\nleaves' },
  { _id: "b2", name: "Bo", n: { $integer: "AQAAAAAAAAA=" } },
];

describe("copy", () => {
  it("writes rows as TSV with a header, quoting what needs it", () => {
    expect(rowsToTsv(["_id", "name", "tags", "note"], docs)).toBe(
      '_id\tname\ttags\tnote\na1\tAda\t["x","y"]\t"says ""hi""\tthen\nleaves"\nb2\tBo\t\t',
    );
  });

  it("writes rows as JSON: one object, or an array, of the shown columns", () => {
    expect(JSON.parse(rowsToJson(["_id", "name"], docs.slice(0, 1)))).toEqual({ _id: "a1", name: "Ada" });
    expect(JSON.parse(rowsToJson(["name", "tags"], docs))).toEqual([{ name: "Ada", tags: ["x", "y"] }, { name: "Bo" }]);
  });

  it("writes a cell as its edit text or as JSON", () => {
    expect(cellToTsv("plain")).toBe("plain");
    expect(cellToTsv({ $integer: "AQAAAAAAAAA=" })).toBe("1n");
    expect(cellToTsv(undefined)).toBe("");
    expect(cellToJson("plain")).toBe('"plain"');
    expect(cellToJson([1, 2])).toBe("[1,2]");
  });
});

describe("paste", () => {
  it("reads back what copy wrote", () => {
    const text = rowsToTsv(["_id", "name", "tags", "note"], docs);
    const rows = parseTsv(text);
    expect(rows).toEqual([
      ["_id", "name", "tags", "note"],
      ["a1", "Ada", '["x","y"]', 'says "hi"\tthen\nleaves'],
      ["b2", "Bo", "", ""],
    ]);
    expect(parseInput(rows[1]![2]!, false)).toEqual(["x", "y"]);
  });

  it("reads spreadsheet text: CRLF lines, a trailing newline, one cell", () => {
    expect(parseTsv("1\t2\r\n3\t4\r\n")).toEqual([
      ["1", "2"],
      ["3", "4"],
    ]);
    expect(parseTsv("solo")).toEqual([["solo"]]);
    expect(parseTsv("")).toEqual([]);
  });

  it("drops a header line that names the columns", () => {
    expect(withoutHeader([["name", "age"], ["Ada", "36"]], ["_id", "name", "age"])).toEqual([["Ada", "36"]]);
    expect(withoutHeader([["Ada", "36"]], ["_id", "name", "age"])).toEqual([["Ada", "36"]]);
    expect(withoutHeader([["name"]], ["name"])).toEqual([["name"]]);
  });
});

describe("copyText", () => {
  it("copies the selected rows, else the active cell", () => {
    expect(copyText(false, ["name"], docs, { value: "x" })).toBe("name\nAda\nBo");
    expect(copyText(true, ["name"], docs.slice(1))).toBe('{\n  "name": "Bo"\n}');
    expect(copyText(false, ["name"], [], { value: ["a"] })).toBe('["a"]');
    expect(copyText(true, ["name"], [], { value: "a" })).toBe('"a"');
    expect(copyText(false, ["name"], [])).toBeUndefined();
  });
});

describe("pastedCells", () => {
  const rows = [{ _id: "r0", a: 1 }, { _id: "r1", a: 2 }];
  const rowAt = (i: number) => rows[i];
  it("lays fields from the active cell rightwards and down, past system columns and loaded rows", () => {
    const cells = pastedCells("1\t2\t3\n4\t5\t6\n7\t8\t9", ["_id", "a", "b"], { row: 0, column: "a" }, rowAt);
    expect(cells.map((c) => `${c.doc._id}.${c.column}=${c.text}`)).toEqual(["r0.a=1", "r0.b=2", "r1.a=4", "r1.b=5"]);
    expect(pastedCells("x", ["_id", "a"], { row: 0, column: "_id" }, rowAt)).toEqual([]);
    expect(pastedCells("a\tb\nx\ty", ["_id", "a", "b"], { row: 1, column: "a" }, rowAt).map((c) => c.text)).toEqual(["x", "y"]);
  });
});
