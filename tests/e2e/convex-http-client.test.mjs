// The official `ConvexHttpClient` (convex@1.48.0 from npm) against `atrium-engine` serving
// the chat fixture: queries, mutations, consistent queries, admin calls.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ConvexHttpClient } from "convex/browser";
import { REPO } from "./lib/atrium.mjs";
import { startEngine } from "./lib/engine.mjs";

describe("ConvexHttpClient against atrium-engine", () => {
  let engine;

  before(async () => {
    engine = await startEngine(join(REPO, "tests/fixtures/chat"));
  });

  after(async () => {
    await engine?.stop();
  });

  test("sends messages and lists them", async () => {
    const client = new ConvexHttpClient(engine.url);
    await client.mutation("messages:send", { body: "Hello!", author: "ada" });
    await client.mutation("messages:send", { body: "Hi Ada", author: "grace" });
    const messages = await client.query("messages:list", {});
    assert.deepEqual(
      messages.map((m) => [m.body, m.author]),
      [
        ["Hello!", "ada"],
        ["Hi Ada", "grace"],
      ],
    );
    assert.match(messages[0]._id, /^[0-9a-z]{31,37}$/);
    assert.equal(typeof messages[0]._creationTime, "number");
  });

  test("reads a consistent snapshot across queries", async () => {
    const client = new ConvexHttpClient(engine.url);
    const results = await Promise.all([client.consistentQuery("messages:list", {}), client.consistentQuery("messages:list", {})]);
    assert.deepEqual(results[0], results[1]);
  });

  test("reports function errors as the official client expects", async () => {
    const client = new ConvexHttpClient(engine.url);
    await assert.rejects(client.mutation("messages:send", { body: 42, author: "x" }), /ArgumentValidationError/);
    await assert.rejects(client.query("messages:missing", {}), /Could not find public function/);
  });

  test("admin auth runs any function", async () => {
    const client = new ConvexHttpClient(engine.url);
    client.setAdminAuth(engine.adminKey);
    const messages = await client.function("messages:list", undefined, {});
    assert.ok(messages.length >= 2);
    const bad = new ConvexHttpClient(engine.url);
    bad.setAdminAuth("chat|0000");
    await assert.rejects(bad.function("messages:list", undefined, {}), /BadAdminKey|401/);
  });
});
