import { describe, expect, it } from "vitest";
import { duration, failureLevel, lagLevel, overallRate, percent } from "./healthWords";

describe("health words", () => {
  it("writes rates and durations readably", () => {
    expect(percent(0)).toBe("0%");
    expect(percent(0.0004)).toBe("<0.1%");
    expect(percent(0.025)).toBe("2.5%");
    expect(percent(0.5)).toBe("50%");
    expect(duration(0.5)).toBe("0.50 ms");
    expect(duration(12.4)).toBe("12 ms");
    expect(duration(2500)).toBe("2.5 s");
    expect(duration(180_000)).toBe("3 min");
    expect(duration(5_400_000)).toBe("1.5 h");
  });

  it("grades failures and lag", () => {
    expect(failureLevel(0)).toBe("ok");
    expect(failureLevel(0.01)).toBe("warn");
    expect(failureLevel(0.2)).toBe("bad");
    expect(lagLevel(100)).toBe("ok");
    expect(lagLevel(10_000)).toBe("warn");
    expect(lagLevel(120_000)).toBe("bad");
    expect(overallRate(0, 0)).toBeNull();
    expect(overallRate(10, 1)).toBe(0.1);
  });
});
