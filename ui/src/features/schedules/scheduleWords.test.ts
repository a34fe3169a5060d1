import { describe, expect, it } from "vitest";
import { absoluteTime, describeSchedule, duration, relativeTime } from "./scheduleWords";

const base = { seconds: null, minute_utc: null, hour_utc: null, day_of_week: null, day: null, cron: null };

describe("schedule words", () => {
  it("says intervals and calendar schedules in our words, UTC", () => {
    expect(describeSchedule({ ...base, kind: "interval", seconds: 1 })).toBe("Every second");
    expect(describeSchedule({ ...base, kind: "interval", seconds: 300 })).toBe("Every 5 minutes");
    expect(describeSchedule({ ...base, kind: "interval", seconds: 7200 })).toBe("Every 2 hours");
    expect(describeSchedule({ ...base, kind: "daily", hour_utc: 0 })).toBe("Every day at 00:00 UTC");
    expect(describeSchedule({ ...base, kind: "weekly", day_of_week: 2, hour_utc: 17, minute_utc: 5 })).toBe("Every Tuesday at 17:05 UTC");
    expect(describeSchedule({ ...base, kind: "monthly", day: 2, hour_utc: 9 })).toBe("On the 2nd of every month at 09:00 UTC");
  });

  it("says cron expressions with cronstrue", () => {
    expect(describeSchedule({ ...base, kind: "cron", cron: "30 6 * * *" })).toBe("At 06:30 (UTC)");
  });

  it("says times relative to now and absolutely", () => {
    expect(relativeTime(10_500, 0)).toBe("in 10 s");
    expect(relativeTime(0, 180_000)).toBe("3 min ago");
    expect(relativeTime(100, 0)).toBe("now");
    expect(absoluteTime(Date.UTC(2026, 11, 3))).toBe("2026-12-03 00:00:00 UTC");
    expect(duration(0.0123)).toBe("12 ms");
  });
});
