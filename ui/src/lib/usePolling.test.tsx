import { act, cleanup, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { usePolling } from "./usePolling";

afterEach(cleanup);

describe("usePolling", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("reads at once, again after each interval, at once on reload and on a new key; not without a key", async () => {
    const read = vi.fn((key: string) => Promise.resolve(`${key}:${read.mock.calls.length}`));
    const { result, rerender } = renderHook(({ key }: { key: string | null }) => usePolling(key, () => read(key ?? ""), 1000), {
      initialProps: { key: null as string | null },
    });
    expect(read).not.toHaveBeenCalled();

    rerender({ key: "a" });
    await act(async () => {});
    expect(read).toHaveBeenCalledTimes(1);
    expect(result.current.value).toBe("a:1");

    await act(async () => {
      vi.advanceTimersByTime(1000);
    });
    expect(read).toHaveBeenCalledTimes(2);

    await act(async () => result.current.reload());
    expect(read).toHaveBeenCalledTimes(3);

    rerender({ key: "b" });
    await act(async () => {});
    expect(read).toHaveBeenCalledTimes(4);
    expect(read).toHaveBeenLastCalledWith("b");
    expect(result.current.value).toBe("b:4");
  });

  it("keeps the last answer and reports a failure", async () => {
    let fail = false;
    const read = vi.fn(() => (fail ? Promise.reject(new Error("down")) : Promise.resolve(1)));
    const { result } = renderHook(() => usePolling("k", read, 1000));
    await act(async () => {});
    fail = true;
    await act(async () => {
      vi.advanceTimersByTime(1000);
    });
    expect(result.current.value).toBe(1);
    expect(result.current.error).toContain("down");
  });
});
