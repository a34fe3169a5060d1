import { describe, expect, it } from "vitest";
import type { LogEntry } from "../../generated/studio";
import { callerChain, entryText, exportText, matches } from "./logEntries";

const entry = (over: Partial<LogEntry>): LogEntry => ({
  id: "e",
  kind: "completion",
  function: "messages:send",
  component: null,
  udf_type: "Mutation",
  timestamp: Date.UTC(2026, 10, 24, 12, 0, 0),
  error: null,
  execution_ms: 12.5,
  cached: false,
  request_id: "abc123",
  caller: "HttpApi",
  parent_id: null,
  documents_read: 1,
  documents_written: 1,
  lines: [{ level: "INFO", text: "sent 'hi'", timestamp: 0 }],
  ...over,
});

const all = { func: "", level: "any" as const, status: "all" as const, text: "" };

describe("log filters", () => {
  it("filter by function, level, status and text", () => {
    const ok = entry({});
    const failed = entry({ function: "messages:list", udf_type: "Query", error: "boom", lines: [] });
    expect(matches(ok, { ...all, func: "SEND" })).toBe(true);
    expect(matches(failed, { ...all, func: "send" })).toBe(false);
    expect(matches(ok, { ...all, level: "INFO" })).toBe(true);
    expect(matches(ok, { ...all, level: "WARN" })).toBe(false);
    expect(matches(failed, { ...all, level: "ERROR" })).toBe(true);
    expect(matches(failed, { ...all, status: "failure" })).toBe(true);
    expect(matches(ok, { ...all, status: "failure" })).toBe(false);
    expect(matches(ok, { ...all, text: "abc123" })).toBe(true);
    expect(matches(ok, { ...all, text: "'HI'" })).toBe(true);
    expect(matches(failed, { ...all, text: "hi" })).toBe(false);
  });

  it("exports CSV with quoted cells and JSONL with one entry a line", () => {
    const e = entry({ error: 'bad "quote", here', lines: [{ level: "LOG", text: "a", timestamp: 0 }, { level: "WARN", text: "b", timestamp: 0 }] });
    const csv = exportText([e], "csv").split("\n");
    expect(csv[0]).toBe("time,function,type,status,duration_ms,request_id,error,log_lines");
    expect(csv[1]).toBe('2026-11-24T12:00:00.000Z,messages:send,Mutation,failed,12.500,abc123,"bad ""quote"", here","[LOG] a');
    expect(csv[2]).toBe('[WARN] b"');
    const jsonl = exportText([e, entry({ id: "f" })], "jsonl").trimEnd().split("\n");
    expect(jsonl.map((l) => JSON.parse(l).id)).toEqual(["e", "f"]);
  });

  it("copies an execution as clean lines", () => {
    expect(entryText(entry({ error: "boom" }))).toBe(
      "2026-11-24T12:00:00.000Z Mutation messages:send failed in 12.5 ms [request abc123]\n  [INFO] sent 'hi'\n  Error: boom",
    );
    const cached = entry({ function: "messages:list", udf_type: "Query", execution_ms: 0.02, cached: true, lines: [] });
    expect(entryText(cached)).toBe("2026-11-24T12:00:00.000Z Query messages:list ok in 0.0 ms (cached) [request abc123]");
  });
});

describe("callerChain", () => {
  it("walks parents up and lists what an execution called", () => {
    const action = entry({ id: "a", function: "calls:viaAction", udf_type: "Action" });
    const mutation = entry({ id: "m", function: "calls:addNote", parent_id: "a" });
    const query = entry({ id: "q", function: "calls:countNotes", parent_id: "a" });
    const nested = entry({ id: "n", function: "inner:q", parent_id: "m" });
    const known = [action, mutation, query, nested];
    expect(callerChain(nested, known).parents.map((p) => (typeof p === "string" ? p : p.id))).toEqual(["a", "m"]);
    expect(callerChain(action, known).called.map((c) => c.id)).toEqual(["m", "q"]);
    // A parent that is not at hand is named by its ID.
    expect(callerChain(entry({ id: "x", parent_id: "gone" }), known).parents).toEqual(["gone"]);
  });
});

describe("links into the Logs area", () => {
  it("carry a function filter through the location hash", async () => {
    const { functionFromHash, logsLink } = await import("./logEntries");
    expect(logsLink("jobs:record")).toBe("#/logs?fn=jobs%3Arecord");
    expect(functionFromHash(logsLink("jobs:record"))).toBe("jobs:record");
    expect(functionFromHash("#/logs")).toBe("");
  });
});

describe("executions in components", () => {
  it("are filtered by component and name it when copied", () => {
    const base = { func: "", level: "any" as const, status: "all" as const, text: "" };
    const app = entry({});
    const ticker = entry({ id: "t", component: "ticker", function: "ticks:note" });
    expect([app, ticker].filter((e) => matches(e, base))).toEqual([app, ticker]);
    expect([app, ticker].filter((e) => matches(e, { ...base, component: "ticker" }))).toEqual([ticker]);
    expect([app, ticker].filter((e) => matches(e, { ...base, component: "" }))).toEqual([app]);
    expect(matches(ticker, { ...base, text: "ticker" })).toBe(true);
    expect(entryText(ticker).split("\n")[0]).toContain("[ticker] ticks:note");
  });
});
