import { paginationOptsValidator } from "convex/server";
import { ConvexError, v } from "convex/values";
import { internalMutation, mutation, query } from "./_generated/server";

export const list = query({
  args: { paginationOpts: paginationOptsValidator },
  handler: async (ctx, { paginationOpts }) => ctx.db.query("tasks").order("desc").paginate(paginationOpts),
});

export const open = query({
  args: { limit: v.optional(v.number()) },
  handler: async (ctx, { limit }) =>
    ctx.db
      .query("tasks")
      .withIndex("by_done", (q) => q.eq("done", false))
      .order("desc")
      .take(limit ?? 50),
});

export const inProject = query({
  args: { project: v.id("projects") },
  handler: async (ctx, { project }) =>
    ctx.db
      .query("tasks")
      .withIndex("by_project", (q) => q.eq("project", project))
      .collect(),
});

export const stats = query({
  args: {},
  handler: async (ctx) => {
    const tasks = await ctx.db.query("tasks").collect();
    const done = tasks.filter((t) => t.done).length;
    return { total: tasks.length, done, open: tasks.length - done };
  },
});

export const add = mutation({
  args: {
    text: v.string(),
    priority: v.optional(v.number()),
    project: v.optional(v.id("projects")),
    tags: v.optional(v.array(v.string())),
  },
  handler: async (ctx, { text, priority, project, tags }) => {
    if (text.trim() === "") throw new ConvexError({ code: "EMPTY_TEXT", message: "A task needs some text" });
    return await ctx.db.insert("tasks", { text, done: false, priority: priority ?? 2, project, tags: tags ?? [] });
  },
});

export const toggle = mutation({
  args: { id: v.id("tasks") },
  handler: async (ctx, { id }) => {
    const task = await ctx.db.get(id);
    if (task === null) throw new ConvexError({ code: "NOT_FOUND", message: "No such task" });
    await ctx.db.patch(id, { done: !task.done });
    return !task.done;
  },
});

export const remove = mutation({
  args: { id: v.id("tasks") },
  handler: async (ctx, { id }) => {
    await ctx.db.delete(id);
  },
});

/** Run daily by crons.ts: completed tasks older than a week go. */
export const archiveDone = internalMutation({
  args: {},
  handler: async (ctx) => {
    const weekAgo = Date.now() - 7 * 24 * 60 * 60 * 1000;
    const done = await ctx.db
      .query("tasks")
      .withIndex("by_done", (q) => q.eq("done", true))
      .filter((q) => q.lt(q.field("_creationTime"), weekAgo))
      .collect();
    for (const task of done) await ctx.db.delete(task._id);
    return done.length;
  },
});
