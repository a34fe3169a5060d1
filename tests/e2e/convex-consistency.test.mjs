// Read-your-writes with the official `ConvexClient` (convex@1.48.0) against
// `atrium-engine` (Issue 17): after `await client.mutation("messages:send", …)` resolves,
// the result the client holds for `messages:list` through `onUpdate` already contains the
// new message — 1,000 rounds while three other clients write to the same table. The
// rounds' count can be lowered with CONSISTENCY_ROUNDS.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ConvexClient } from "convex/browser";
import WebSocket from "ws";
import { REPO } from "./lib/atrium.mjs";
import { startEngine } from "./lib/engine.mjs";

const ROUNDS = Number(process.env.CONSISTENCY_ROUNDS ?? 1000);
const WRITERS = 3;

const newClient = (url) => new ConvexClient(url, { webSocketConstructor: WebSocket, unsavedChangesWarning: false });

describe("ConvexClient read-your-writes", () => {
  let engine;
  const clients = [];

  before(async () => {
    engine = await startEngine(join(REPO, "tests/fixtures/chat"));
  });

  after(async () => {
    for (const client of clients) await client.close();
    await engine?.stop();
  });

  test(`${ROUNDS} mutate-then-check rounds with ${WRITERS} other writers: none stale`, async () => {
    let stop = false;
    let written = 0;
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      const writer = newClient(engine.url);
      clients.push(writer);
      writer.onUpdate("messages:list", {}, () => {});
      for (let n = 0; !stop; n++) {
        await writer.mutation("messages:send", { body: `w${w}-${n}`, author: "writer" });
        written++;
      }
    });

    const client = newClient(engine.url);
    clients.push(client);
    let held;
    let first;
    const ready = new Promise((resolve) => (first = resolve));
    client.onUpdate("messages:list", {}, (messages) => {
      held = messages;
      first();
    });
    await ready;

    const started = performance.now();
    const stale = [];
    for (let round = 0; round < ROUNDS; round++) {
      const body = `round-${round}`;
      await client.mutation("messages:send", { body, author: "checker" });
      if (!held.some((m) => m.body === body)) stale.push(round);
    }
    const seconds = (performance.now() - started) / 1000;
    stop = true;
    await Promise.all(writers);
    console.log(`ConvexClient: ${ROUNDS} rounds in ${seconds.toFixed(1)} s, ${written} concurrent writes, ${stale.length} stale`);
    assert.ok(written > 0, "the other clients wrote meanwhile");
    assert.deepEqual(stale, [], `${stale.length} of ${ROUNDS} rounds read stale`);
  });
});
