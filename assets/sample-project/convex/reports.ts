import { api, internal } from "./_generated/api";
import { action } from "./_generated/server";

/** An action: reads through a query, writes through a mutation, logs what it did. */
export const weeklySummary = action({
  args: {},
  handler: async (ctx): Promise<string> => {
    const stats: { total: number; done: number; open: number } = await ctx.runQuery(api.tasks.stats, {});
    const archived: number = await ctx.runMutation(internal.tasks.archiveDone, {});
    const summary = `${stats.done} of ${stats.total} tasks done; ${archived} archived`;
    console.log(summary);
    return summary;
  },
});
