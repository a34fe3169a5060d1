// Words for the Schedules area: a cron's schedule (cronstrue for cron expressions, our
// own sentences for interval, hourly, daily, weekly and monthly, all in UTC), and times
// relative to now ("in 4 s", "2 min ago").
import cronstrue from "cronstrue";
import type { CronScheduleView } from "../../generated/studio";

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

function clock(hour: number, minute: number): string {
  return `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")} UTC`;
}

function ordinal(n: number): string {
  const suffix = n % 10 === 1 && n !== 11 ? "st" : n % 10 === 2 && n !== 12 ? "nd" : n % 10 === 3 && n !== 13 ? "rd" : "th";
  return `${n}${suffix}`;
}

/** A cron's schedule in words. */
export function describeSchedule(s: CronScheduleView): string {
  const minute = s.minute_utc ?? 0;
  const hour = s.hour_utc ?? 0;
  switch (s.kind) {
    case "interval": {
      const seconds = s.seconds ?? 0;
      if (seconds % 3600 === 0) return seconds === 3600 ? "Every hour" : `Every ${plural(seconds / 3600, "hour")}`;
      if (seconds % 60 === 0) return seconds === 60 ? "Every minute" : `Every ${plural(seconds / 60, "minute")}`;
      return seconds === 1 ? "Every second" : `Every ${plural(seconds, "second")}`;
    }
    case "hourly":
      return `Every hour at minute ${minute} (UTC)`;
    case "daily":
      return `Every day at ${clock(hour, minute)}`;
    case "weekly":
      return `Every ${DAYS[s.day_of_week ?? 0] ?? "week"} at ${clock(hour, minute)}`;
    case "monthly":
      return `On the ${ordinal(s.day ?? 1)} of every month at ${clock(hour, minute)}`;
    case "cron":
      try {
        return `${cronstrue.toString(s.cron ?? "", { use24HourTimeFormat: true, verbose: false })} (UTC)`;
      } catch {
        return `Cron ${s.cron ?? ""}`;
      }
    default:
      return s.kind;
  }
}

/** `ms` relative to `now`: "in 3 s", "12 min ago", "now". */
export function relativeTime(ms: number, now: number): string {
  const delta = ms - now;
  const abs = Math.abs(delta);
  if (abs < 1000) return "now";
  const [value, unit] =
    abs < 60_000 ? [abs / 1000, "s"] : abs < 3_600_000 ? [abs / 60_000, "min"] : abs < 86_400_000 ? [abs / 3_600_000, "h"] : [abs / 86_400_000, "d"];
  const n = Math.floor(value);
  return delta > 0 ? `in ${n} ${unit}` : `${n} ${unit} ago`;
}

/** `ms` as an absolute UTC time, to the second. */
export function absoluteTime(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

/** A duration in seconds, short. */
export function duration(seconds: number): string {
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
}

export const STATES = ["pending", "inProgress", "success", "failed", "canceled"] as const;

/** Whether a job in this state can still be cancelled. */
export function cancellable(state: string): boolean {
  return state === "pending" || state === "inProgress";
}
