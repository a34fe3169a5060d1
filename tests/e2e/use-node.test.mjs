// "use node" actions in Node.js through the engine: in folder mode, and pushed by the
// official CLI (`npx convex deploy`, which bundles them for Node.js with
// `environment: "node"`). The usenode fixture's actions use node:crypto, Buffer,
// fs/promises on a temp file, the `ws` package, and ctx back into the engine.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { REPO } from "./lib/atrium.mjs";
import { startEngine } from "./lib/engine.mjs";

const FIXTURE = join(REPO, "tests/fixtures/usenode");

/** Calls an action over Convex's HTTP API; resolves to the parsed answer. */
async function runAction(engine, path, args) {
  const response = await fetch(`${engine.url}/api/action`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Convex ${engine.adminKey}` },
    body: JSON.stringify({ path, args, format: "json" }),
  });
  return response.json();
}

async function checkActions(engine) {
  const hash = await runAction(engine, "nodeOnly:hash", { text: "hi" });
  assert.equal(hash.status, "success", JSON.stringify(hash));
  assert.equal(hash.value, "8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4");
  const file = await runAction(engine, "nodeOnly:tempFile", { text: "héllo" });
  assert.equal(file.status, "success", JSON.stringify(file));
  assert.deepEqual(file.value, { text: "héllo", base64: "aMOpbGxv", isBuffer: true, random: 8 });
  const echoed = await runAction(engine, "nodeOnly:echoOverWebSocket", { text: "ping" });
  assert.equal(echoed.value, "echo:ping", JSON.stringify(echoed));
  const round = await runAction(engine, "nodeOnly:roundTrip", { body: "from node" });
  assert.equal(round.status, "success", JSON.stringify(round));
  assert.deepEqual(round.value.bodies, ["from node"]);
  assert.equal(round.value.stored, "from node");
  assert.ok(round.logLines.some((line) => line.includes("storing from node")), JSON.stringify(round.logLines));
}

describe('"use node" actions in folder mode', () => {
  let engine;
  before(async () => {
    engine = await startEngine(FIXTURE);
  });
  after(async () => {
    await engine?.stop();
  });

  test("run in Node.js with Node's built-ins, Buffer, files, ws and ctx", async () => {
    await checkActions(engine);
  });
});

describe('"use node" actions pushed by `npx convex deploy`', () => {
  let engine;
  let project;
  const cli = (...args) =>
    new Promise((resolve, reject) => {
      const child = spawn(join(project, "node_modules/.bin/convex"), args, {
        cwd: project,
        env: {
          ...process.env,
          CONVEX_SELF_HOSTED_URL: engine.url,
          CONVEX_SELF_HOSTED_ADMIN_KEY: engine.adminKey,
          CONVEX_DEPLOYMENT: "",
          CONVEX_DEPLOY_KEY: "",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (c) => (output += c));
      child.stderr.on("data", (c) => (output += c));
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error(`convex ${args.join(" ")} timed out:\n${output}`));
      }, 120_000);
      child.on("exit", (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });

  before(async () => {
    project = mkdtempSync(join(tmpdir(), "atrium-usenode-push-"));
    cpSync(join(FIXTURE, "convex"), join(project, "convex"), { recursive: true });
    cpSync(join(FIXTURE, "package.json"), join(project, "package.json"));
    symlinkSync(join(FIXTURE, "node_modules"), join(project, "node_modules"));
    const empty = join(project, "empty-engine-folder");
    mkdirSync(empty);
    engine = await startEngine(empty);
  });
  after(async () => {
    await engine?.stop();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  test("deploys, and the node actions run in Node.js", async () => {
    const deployed = await cli("deploy", "-y", "--typecheck", "disable", "--codegen", "disable");
    assert.equal(deployed.code, 0, deployed.output);
    await checkActions(engine);
  });
});
