import { v } from "convex/values";
import { action, mutation, query } from "./_generated/server";

export const list = query({
  args: { topic: v.optional(v.string()) },
  handler: async (ctx, { topic }) => {
    const notes = await ctx.db.query("notes").collect();
    return topic === undefined ? notes : notes.filter((n) => n.topic === topic);
  },
});

export const add = mutation({
  args: { title: v.string(), body: v.string(), topic: v.string(), embedding: v.array(v.float64()) },
  handler: async (ctx, note) => {
    if (note.embedding.length !== 8) {
      throw new Error(`embedding has ${note.embedding.length} dimensions; the index expects 8`);
    }
    return await ctx.db.insert("notes", note);
  },
});

/** The notes nearest a vector (cosine similarity), optionally on one topic. */
export const similar = action({
  args: { vector: v.array(v.float64()), topic: v.optional(v.string()), limit: v.optional(v.number()) },
  handler: async (ctx, { vector, topic, limit }) => {
    return await ctx.vectorSearch("notes", "by_embedding", {
      vector,
      limit: limit ?? 5,
      filter: topic === undefined ? undefined : (q) => q.eq("topic", topic),
    });
  },
});
