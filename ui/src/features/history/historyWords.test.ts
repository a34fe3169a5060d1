import { describe, expect, it } from "vitest";
import type { CodeChangeView, HistoryEvent } from "../../generated/studio";
import { codeSummary, eventKind, eventSummary, eventTitle, hasDetails, markLines, prettyJson } from "./historyWords";

function event(partial: Partial<HistoryEvent>): HistoryEvent {
  return { id: "e", time_ms: 0, action: "", member_id: null, message: null, code: [], variable: null, tables: [], tables_deleted: [], import_mode: null, requestor: null, details: "{}", ...partial };
}

function change(partial: Partial<CodeChangeView>): CodeChangeView {
  return { component: null, kind: "modify", has_functions: true, functions_added: [], functions_removed: [], functions_changed: [], modules_added: [], modules_removed: [], indexes_added: [], indexes_removed: [], schema_changed: false, schema_before: null, schema_after: null, ...partial };
}

describe("history words", () => {
  it("counts a push's changes over every component", () => {
    const changes = [change({ functions_added: ["a:x", "a:y"], indexes_added: ["t.by_a (a)"] }), change({ component: "c", functions_removed: ["c:z"], schema_changed: true })];
    expect(codeSummary(changes)).toBe("2 functions added, 1 function removed, 1 index added, schema changed");
    expect(codeSummary([change({})])).toBe("no changes");
  });

  it("falls back to modules when the deployment reports no functions (Convex)", () => {
    expect(codeSummary([change({ has_functions: false, modules_added: ["a.js"] })])).toBe("1 module added");
  });

  it("names each kind of event", () => {
    expect(eventKind("push_config_with_components")).toBe("code");
    expect(eventKind("create_environment_variable")).toBe("env");
    expect(eventKind("snapshot_import")).toBe("data");
    expect(eventTitle(event({ action: "snapshot_import", requestor: "snapshotRestore" }))).toBe("Snapshot restored");
    expect(eventTitle(event({ action: "push_config_with_components", message: "Pushed" }))).toBe("Code pushed");
    expect(eventTitle(event({ action: "push_config_with_components", message: "Loaded from the project folder" }))).toBe("Code loaded");
    expect(eventTitle(event({ action: "usage_limit_exceeded" }))).toBe("usage limit exceeded");
    expect(eventSummary(event({ action: "update_environment_variable", variable: "API_KEY" }))).toBe("API_KEY");
    expect(eventSummary(event({ action: "snapshot_import", import_mode: "Replace", tables: ["messages"], tables_deleted: ["old"] }))).toBe("Replace into messages; emptied old");
  });

  it("says what a local project's reset did, with no diff to open", () => {
    const reset = event({ action: "reset_deployment", requestor: "studio" });
    expect(eventKind("reset_deployment")).toBe("data");
    expect(eventTitle(reset)).toBe("Deployment reset");
    expect(eventSummary(reset)).toBe("Every document and file deleted; started again empty");
    expect(hasDetails(reset)).toBe(false);
  });
});

describe("schema diff lines", () => {
  it("pretty-prints JSON and marks the lines the other side lacks", () => {
    const before = prettyJson('{"indexes":["a"]}');
    const after = prettyJson('{"indexes":["a","b"]}');
    expect(after.split("\n")).toHaveLength(6);
    expect(markLines(after, before).filter((l) => l.changed).map((l) => l.text.trim())).toEqual(['"a",', '"b"']);
    expect(markLines(before, after).filter((l) => l.changed).map((l) => l.text.trim())).toEqual(['"a"']);
    expect(prettyJson("not json")).toBe("not json");
  });
});
