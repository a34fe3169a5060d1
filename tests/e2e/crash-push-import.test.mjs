// Crashes during a push and during a snapshot import, with the official `convex` CLI:
// `atrium-engine` runs with a fault point armed (ATRIUM_FAULT) and kills itself with SIGKILL
// mid-way. Restarted on the same data folder, it serves either the previous push or the
// new one whole (here: the previous, since the kill came before the rename), and the
// import's table holds either nothing of the import or all of it (here: nothing), with the
// SQLite integrity check passing (`/api/atrium/…` is not needed: the engine refuses to open
// a damaged file).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { REPO } from "./lib/atrium.mjs";
import { startEngine } from "./lib/engine.mjs";

const CHAT = join(REPO, "tests/fixtures/chat");

describe("kill -9 during a push and during an import", () => {
  const work = mkdtempSync(join(tmpdir(), "atrium-crash-cli-"));
  after(() => rmSync(work, { recursive: true, force: true }));
  const project = join(work, "project");
  cpSync(join(CHAT, "convex"), join(project, "convex"), { recursive: true });
  cpSync(join(CHAT, "package.json"), join(project, "package.json"));
  symlinkSync(join(CHAT, "node_modules"), join(project, "node_modules"));
  const empty = join(work, "empty");
  mkdirSync(empty);
  const data = join(work, "data");

  const cli = (engine, ...args) =>
    new Promise((resolve) => {
      const child = spawn(join(project, "node_modules/.bin/convex"), args, {
        cwd: project,
        env: { ...process.env, CONVEX_SELF_HOSTED_URL: engine.url, CONVEX_SELF_HOSTED_ADMIN_KEY: engine.adminKey, CONVEX_DEPLOYMENT: "", CONVEX_DEPLOY_KEY: "" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (c) => (output += c));
      child.stderr.on("data", (c) => (output += c));
      child.on("exit", (code) => resolve({ code, output }));
    });

  const exitSignal = (engine) => new Promise((resolve) => engine.process.once("exit", (_c, signal) => resolve(signal)));

  test("a push killed before its code is in place leaves the previous code serving", async () => {
    const engine = await startEngine(empty, { data, env: { ATRIUM_FAULT: "push-apply" } });
    const died = exitSignal(engine);
    const pushed = await cli(engine, "deploy", "-y");
    assert.notEqual(pushed.code, 0, "the push did not complete");
    assert.equal(await died, "SIGKILL");

    const restarted = await startEngine(empty, { data });
    try {
      const run = await cli(restarted, "run", "messages:list");
      assert.notEqual(run.code, 0, "no half-installed code: the empty deployment has no functions");
      assert.ok(!existsSync(join(data, "pushed_code.json")));
      const again = await cli(restarted, "deploy", "-y");
      assert.equal(again.code, 0, again.output);
      const sent = await cli(restarted, "run", "messages:send", '{"body":"after","author":"crash"}');
      assert.equal(sent.code, 0, sent.output);
    } finally {
      await restarted.stop();
    }
  });

  test("an import killed before its commit leaves its table as it was", async () => {
    const lines = Array.from({ length: 500 }, (_, i) => JSON.stringify({ body: `imported ${i}`, author: "import" }));
    const file = join(work, "messages.jsonl");
    writeFileSync(file, lines.join("\n") + "\n");
    const engine = await startEngine(empty, { data, env: { ATRIUM_FAULT: "snapshot-import" } });
    const died = exitSignal(engine);
    const imported = await cli(engine, "import", "-y", "--append", "--table", "messages", file);
    assert.notEqual(imported.code, 0, "the import did not complete");
    assert.equal(await died, "SIGKILL");

    const restarted = await startEngine(empty, { data });
    try {
      const listed = await cli(restarted, "run", "messages:list");
      assert.equal(listed.code, 0, listed.output);
      const messages = JSON.parse(listed.output.slice(listed.output.indexOf("[")));
      assert.deepEqual(messages.map((m) => m.body), ["after"], "nothing of the import, the acknowledged write kept");
      const done = await cli(restarted, "import", "-y", "--append", "--table", "messages", file);
      assert.equal(done.code, 0, done.output);
      const after = JSON.parse((await cli(restarted, "run", "messages:list")).output.replace(/^[^[]*/, ""));
      assert.equal(after.length, 100, "messages:list shows the newest 100 after the import");
    } finally {
      await restarted.stop();
    }
  });
});
