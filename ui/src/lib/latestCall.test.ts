import { act, renderHook } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { latestCall } from "./latestCall";
import { useLatestCall } from "./useLatestCall";

/** A promise settled from outside, to answer calls in any order. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe("latestCall", () => {
  it("drops an older answer that arrives after a newer one", async () => {
    const latest = latestCall();
    const seen: string[] = [];
    const older = deferred<string>();
    const newer = deferred<string>();
    const first = latest.run(older.promise, (v) => seen.push(v));
    const second = latest.run(newer.promise, (v) => seen.push(v));
    newer.resolve("newer");
    await second;
    older.resolve("older");
    await first;
    expect(seen).toEqual(["newer"]);
  });

  it("drops an older answer even when it arrives first", async () => {
    const latest = latestCall();
    const seen: string[] = [];
    const older = deferred<string>();
    const newer = deferred<string>();
    const first = latest.run(older.promise, (v) => seen.push(v));
    const second = latest.run(newer.promise, (v) => seen.push(v));
    older.resolve("older");
    await first;
    newer.resolve("newer");
    await second;
    expect(seen).toEqual(["newer"]);
  });

  it("hands failures on only from the newest call", async () => {
    const latest = latestCall();
    const failures: unknown[] = [];
    const older = deferred<string>();
    const newer = deferred<string>();
    const first = latest.run(older.promise, () => {}, (e) => failures.push(e));
    const second = latest.run(newer.promise, () => {}, (e) => failures.push(e));
    older.reject("old failure");
    newer.reject("new failure");
    await Promise.all([first, second]);
    expect(failures).toEqual(["new failure"]);
  });

  it("drops every call in flight on drop(), and checks say so", async () => {
    const latest = latestCall();
    const seen: string[] = [];
    const answer = deferred<string>();
    const isNewest = latest.begin();
    const running = latest.run(answer.promise, (v) => seen.push(v));
    expect(isNewest()).toBe(false);
    latest.drop();
    answer.resolve("late");
    await running;
    expect(seen).toEqual([]);
    const after = latest.begin();
    expect(after()).toBe(true);
  });
});

describe("useLatestCall", () => {
  it("keeps one sequence across renders", async () => {
    const { result, rerender } = renderHook(() => useLatestCall());
    const seen: string[] = [];
    const older = deferred<string>();
    const newer = deferred<string>();
    const first = result.current.run(older.promise, (v) => seen.push(v));
    rerender();
    const second = result.current.run(newer.promise, (v) => seen.push(v));
    await act(async () => {
      newer.resolve("newer");
      await second;
      older.resolve("older");
      await first;
    });
    expect(seen).toEqual(["newer"]);
  });
});
