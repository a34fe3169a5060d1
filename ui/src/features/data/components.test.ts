import { describe, expect, it } from "vitest";
import { APP, componentsOf, splitTable, tablesIn } from "./components";

describe("component tables", () => {
  it("splits a table name into its instance and its own name", () => {
    expect(splitTable("messages")).toEqual({ component: APP, table: "messages" });
    expect(splitTable("shardedCounter/counters")).toEqual({ component: "shardedCounter", table: "counters" });
    expect(splitTable("pool/worker/jobs")).toEqual({ component: "pool/worker", table: "jobs" });
  });

  it("lists the app first, then each instance with tables", () => {
    expect(componentsOf(["z/t", "messages", "a/t", "a/u"])).toEqual([APP, "a", "z"]);
    expect(componentsOf([])).toEqual([APP]);
  });

  it("keeps one instance's tables apart from another's of the same name", () => {
    const tables = [{ name: "counters" }, { name: "one/counters" }, { name: "two/counters" }];
    expect(tablesIn(tables, "one")).toEqual([{ name: "one/counters" }]);
    expect(tablesIn(tables, APP)).toEqual([{ name: "counters" }]);
  });
});
