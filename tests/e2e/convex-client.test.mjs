// The official `ConvexClient` (convex@1.48.0) over the sync WebSocket against
// `atrium-engine`: a live subscription sees a mutation made by another client, and a
// mutation replayed after a dropped connection is applied once.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import WebSocket from "ws";
import { REPO } from "./lib/atrium.mjs";
import { startEngine } from "./lib/engine.mjs";

/** Resolves with the first value `predicate` accepts, or rejects after `ms`. */
function waitFor(values, predicate, ms = 10_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching update within ${ms} ms; saw ${JSON.stringify(values.seen)}`)), ms);
    values.waiters.push((value) => {
      if (predicate(value)) {
        clearTimeout(timer);
        resolve(value);
        return true;
      }
      return false;
    });
    for (const value of values.seen) if (values.waiters.at(-1)?.(value)) break;
  });
}

describe("ConvexClient over the sync WebSocket", () => {
  let engine;
  let client;

  before(async () => {
    engine = await startEngine(join(REPO, "tests/fixtures/chat"));
    client = new ConvexClient(engine.url, { webSocketConstructor: WebSocket, unsavedChangesWarning: false });
  });

  after(async () => {
    await client?.close();
    await engine?.stop();
  });

  test("a subscription receives the new list after another client's mutation", async () => {
    const updates = { seen: [], waiters: [] };
    const unsubscribe = client.onUpdate("messages:list", {}, (messages) => {
      updates.seen.push(messages);
      updates.waiters = updates.waiters.filter((w) => !w(messages));
    });
    await waitFor(updates, (messages) => Array.isArray(messages));

    const other = new ConvexHttpClient(engine.url);
    await other.mutation("messages:send", { body: "from the HTTP client", author: "grace" });
    const after = await waitFor(updates, (messages) => messages.some((m) => m.body === "from the HTTP client"));
    assert.equal(after.at(-1).author, "grace");
    unsubscribe();
  });

  test("mutations over the socket resolve and are visible to queries", async () => {
    await client.mutation("messages:send", { body: "over the socket", author: "ada" });
    const messages = await client.query("messages:list", {});
    assert.ok(messages.some((m) => m.body === "over the socket"));
    await assert.rejects(client.mutation("messages:send", { body: 1, author: "x" }), /ArgumentValidationError/);
  });

  test("a mutation replayed after a forced reconnect is applied once", async () => {
    // A socket that drops the connection just after the first Mutation leaves it, so the
    // client reconnects and replays it (the engine may still be running the original; the
    // client's random backoff decides, and crates/server/tests/sync.rs pins that case).
    let sockets = 0;
    let dropped = false;
    class DroppingSocket extends WebSocket {
      constructor(...args) {
        super(...args);
        sockets += 1;
      }
      send(data) {
        super.send(data);
        if (!dropped && JSON.parse(data).type === "Mutation") {
          dropped = true;
          setTimeout(() => this.terminate(), 20);
        }
      }
    }
    const flaky = new ConvexClient(engine.url, { webSocketConstructor: DroppingSocket, unsavedChangesWarning: false });
    try {
      await flaky.mutation("messages:sendSlowly", { body: "replayed once", author: "lin", spin: 4_000_000 });
      assert.ok(dropped && sockets >= 2, `the connection was dropped and reopened (${sockets} sockets)`);
      const messages = await flaky.query("messages:list", {});
      assert.equal(messages.filter((m) => m.body === "replayed once").length, 1);
    } finally {
      await flaky.close();
    }
  });
});
