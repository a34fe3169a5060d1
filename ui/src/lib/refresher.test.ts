import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startRefresher } from "./refresher";

/** A read whose answers the test hands out one by one. */
function reads() {
  const pending: ((v: boolean) => void)[] = [];
  const read = vi.fn(() => new Promise<boolean>((resolve) => pending.push(resolve)));
  const answer = async (available = true) => {
    pending.shift()!(available);
    await Promise.resolve();
    await Promise.resolve();
  };
  return { read, answer };
}

describe("startRefresher", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("reads at once when poked, before the poll interval has passed", async () => {
    const { read, answer } = reads();
    const r = startRefresher({ read, answered: (v) => v, failed: () => {}, everyMs: 60_000, retryMs: 60_000 });
    expect(read).toHaveBeenCalledTimes(1);
    await answer();
    r.poke();
    expect(read).toHaveBeenCalledTimes(2);
    r.stop();
  });

  it("never reads twice at once; pokes during a read make exactly one more", async () => {
    const { read, answer } = reads();
    const r = startRefresher({ read, answered: (v) => v, failed: () => {}, everyMs: 60_000, retryMs: 60_000 });
    r.poke();
    r.poke();
    expect(read).toHaveBeenCalledTimes(1);
    await answer();
    expect(read).toHaveBeenCalledTimes(2);
    await answer();
    expect(read).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(60_000);
    expect(read).toHaveBeenCalledTimes(3);
    r.stop();
  });

  it("stops polling and ignores pokes once an answer says so, and after stop()", async () => {
    const { read, answer } = reads();
    const r = startRefresher({ read, answered: (v) => v, failed: () => {}, everyMs: 10, retryMs: 10 });
    await answer(false);
    r.poke();
    vi.advanceTimersByTime(1_000);
    expect(read).toHaveBeenCalledTimes(1);
    r.stop();

    const second = reads();
    const s = startRefresher({ read: second.read, answered: (v) => v, failed: () => {}, everyMs: 10, retryMs: 10 });
    s.stop();
    await second.answer();
    s.poke();
    vi.advanceTimersByTime(1_000);
    expect(second.read).toHaveBeenCalledTimes(1);
  });

  it("retries after a failed read", async () => {
    const failed = vi.fn();
    let fail = true;
    const read = vi.fn(() => (fail ? Promise.reject(new Error("down")) : Promise.resolve(true)));
    const r = startRefresher({ read, answered: (v) => v, failed, everyMs: 60_000, retryMs: 100 });
    await Promise.resolve();
    await Promise.resolve();
    expect(failed).toHaveBeenCalledTimes(1);
    fail = false;
    vi.advanceTimersByTime(100);
    expect(read).toHaveBeenCalledTimes(2);
    r.stop();
  });
});
