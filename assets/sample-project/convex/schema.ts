import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  projects: defineTable({
    name: v.string(),
    color: v.string(),
  }).index("by_name", ["name"]),

  tasks: defineTable({
    text: v.string(),
    done: v.boolean(),
    priority: v.number(),
    project: v.optional(v.id("projects")),
    tags: v.array(v.string()),
  })
    .index("by_done", ["done", "priority"])
    .index("by_project", ["project"])
    .searchIndex("search_text", { searchField: "text", filterFields: ["done"] }),

  notes: defineTable({
    title: v.string(),
    body: v.string(),
    topic: v.string(),
    embedding: v.array(v.float64()),
  }).vectorIndex("by_embedding", { vectorField: "embedding", dimensions: 8, filterFields: ["topic"] }),
});
