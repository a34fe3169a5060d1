import { v } from "convex/values";
import { mutation, query } from "./_generated/server";

export const list = query({
  args: {},
  handler: async (ctx) => ctx.db.query("projects").withIndex("by_name").collect(),
});

export const create = mutation({
  args: { name: v.string(), color: v.optional(v.string()) },
  handler: async (ctx, { name, color }) => {
    const existing = await ctx.db
      .query("projects")
      .withIndex("by_name", (q) => q.eq("name", name))
      .unique();
    if (existing !== null) return existing._id;
    return await ctx.db.insert("projects", { name, color: color ?? "#5b50e8" });
  },
});
