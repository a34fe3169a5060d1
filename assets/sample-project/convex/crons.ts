import { cronJobs } from "convex/server";
import { internal } from "./_generated/api";

const crons = cronJobs();

crons.daily("archive completed tasks", { hourUTC: 3, minuteUTC: 0 }, internal.tasks.archiveDone, {});

export default crons;
