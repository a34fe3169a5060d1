// Exactly once across an engine crash, with the official `ConvexClient` (convex@1.48.0):
// `atrium-engine` runs with the fault point `sync-mutation-committed` armed
// (ATRIUM_FAULT), so it kills itself with SIGKILL after the mutation's commit and before
// its reply. Restarted on the same port and data folder, it gets the client's replay of
// that mutation and answers with the stored result; the scheduled job the mutation made
// exists once, under the ID the client was given.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { ConvexClient } from "convex/browser";
import WebSocket from "ws";
import { REPO } from "./lib/atrium.mjs";
import { startEngine } from "./lib/engine.mjs";

const PROJECT = join(REPO, "tests/fixtures/kitchen");

describe("a mutation replayed after kill -9 between commit and reply", () => {
  const work = mkdtempSync(join(tmpdir(), "atrium-restart-"));
  after(() => rmSync(work, { recursive: true, force: true }));

  test("gets its original result and ran once", async () => {
    const data = join(work, "data");
    const first = await startEngine(PROJECT, { data, env: { ATRIUM_FAULT: "sync-mutation-committed" } });
    let stderr = "";
    first.process.stderr.on("data", (chunk) => (stderr += chunk));
    const killed = new Promise((resolve) => first.process.once("exit", (_code, signal) => resolve(signal)));

    // Every frame the client receives, by socket, to show the first never got a reply.
    const received = [];
    class RecordingSocket extends WebSocket {
      constructor(...args) {
        super(...args);
        const frames = [];
        received.push(frames);
        this.addEventListener("message", (event) => frames.push(JSON.parse(event.data).type));
      }
    }
    const client = new ConvexClient(first.url, { webSocketConstructor: RecordingSocket, unsavedChangesWarning: false });
    try {
      const label = `restart ${process.pid}`;
      const answer = client.mutation("jobs:later", { label, delayMs: 3_600_000 });
      assert.equal(await killed, "SIGKILL", "the engine died at the fault point");
      assert.match(stderr, /ATRIUM_FAULT: killing the process at `sync-mutation-committed`/);
      assert.ok(!received[0].includes("MutationResponse"), `no reply before the kill: ${received[0]}`);

      const port = Number(new URL(first.url).port);
      const restarted = await startEngine(PROJECT, { data, port });
      try {
        const id = await answer;
        assert.equal(typeof id, "string", "the replay resolved with the scheduled job's ID");
        assert.ok(received.length >= 2, "the client reconnected");
        const jobs = await client.query("jobs:list", {});
        const mine = jobs.filter((job) => JSON.stringify(job.args).includes(label));
        assert.equal(mine.length, 1, `the mutation ran once: ${JSON.stringify(mine)}`);
        assert.equal(mine[0]._id, id, "the stored result names the job the first run made");
        console.log(`replayed after restart on port ${port}: ${id}, ${received.length} sockets`);
      } finally {
        await client.close();
        await restarted.stop();
      }
    } finally {
      await client.close();
    }
  });
});
