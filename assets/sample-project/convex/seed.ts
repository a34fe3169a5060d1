import { internal } from "./_generated/api";
import { internalMutation, mutation } from "./_generated/server";

const PROJECTS = [
  { name: "Website", color: "#0ea5e9" },
  { name: "Mobile app", color: "#22c55e" },
  { name: "Operations", color: "#f59e0b" },
];

const TASKS: [string, number, string | null, string[]][] = [
  ["Draft the launch announcement", 1, "Website", ["writing"]],
  ["Fix the signup form validation", 1, "Website", ["bug"]],
  ["Compress hero images", 3, "Website", ["performance"]],
  ["Add offline mode to the task list", 2, "Mobile app", ["feature"]],
  ["Crash on rotate in settings", 1, "Mobile app", ["bug"]],
  ["Rotate the API keys", 2, "Operations", ["security"]],
  ["Set up database backups", 1, "Operations", ["reliability"]],
  ["Write the on-call runbook", 3, "Operations", ["writing"]],
  ["Plan the team offsite", 3, null, []],
];

const TOPICS = ["cooking", "travel", "engineering"];

/** A deterministic 8-dimensional embedding: notes on one topic cluster together. */
function embedding(topic: number, i: number): number[] {
  return Array.from({ length: 8 }, (_, d) => (d % 3 === topic ? 1 : 0) + ((i * 7 + d * 3) % 10) / 50);
}

/** Fills an empty deployment with sample data; does nothing when there are tasks already. */
export const seed = internalMutation({
  args: {},
  handler: async (ctx) => {
    if ((await ctx.db.query("tasks").first()) !== null) return { seeded: false };
    const ids = new Map<string, string>();
    for (const p of PROJECTS) ids.set(p.name, await ctx.db.insert("projects", p));
    for (const [i, [text, priority, project, tags]] of TASKS.entries()) {
      await ctx.db.insert("tasks", {
        text,
        priority,
        done: i % 4 === 3,
        tags,
        project: project === null ? undefined : (ids.get(project) as never),
      });
    }
    for (let i = 0; i < 12; i++) {
      const topic = i % TOPICS.length;
      await ctx.db.insert("notes", {
        title: `${TOPICS[topic]} note ${i + 1}`,
        body: `Sample note ${i + 1} about ${TOPICS[topic]}.`,
        topic: TOPICS[topic],
        embedding: embedding(topic, i),
      });
    }
    return { seeded: true };
  },
});

/** The same, callable from the dashboard's function runner. */
export const seedNow = mutation({
  args: {},
  handler: async (ctx): Promise<{ seeded: boolean }> => ctx.runMutation(internal.seed.seed, {}),
});
