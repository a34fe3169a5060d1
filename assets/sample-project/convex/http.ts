import { httpRouter } from "convex/server";
import { api } from "./_generated/api";
import { httpAction } from "./_generated/server";

const http = httpRouter();

// GET /stats → the task counts as JSON.
http.route({
  path: "/stats",
  method: "GET",
  handler: httpAction(async (ctx) => {
    const stats = await ctx.runQuery(api.tasks.stats, {});
    return new Response(JSON.stringify(stats), { status: 200, headers: { "content-type": "application/json" } });
  }),
});

export default http;
