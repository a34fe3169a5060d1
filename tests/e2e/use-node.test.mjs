// "use node" actions in Node.js through the engine: in folder mode, and pushed by the
// official CLI (`npx convex deploy`, which bundles them for Node.js with
// `environment: "node"`). The usenode fixture's actions use node:crypto, Buffer,
// fs/promises on a temp file, the `ws` package, and ctx back into the engine. A folder
// where one Node module throws at import serves the others, and the Functions area (in
// browser mode) lists that module with its error.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ARTIFACTS, REPO, startBrowserMode } from "./lib/atrium.mjs";
import { launchChromium } from "./lib/chromium.mjs";
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

describe("a folder where one Node module throws at import", () => {
  let engine;
  let project;
  let atrium;
  let browser;
  before(async () => {
    project = mkdtempSync(join(tmpdir(), "atrium-usenode-broken-"));
    cpSync(join(FIXTURE, "convex"), join(project, "convex"), { recursive: true });
    cpSync(join(FIXTURE, "package.json"), join(project, "package.json"));
    symlinkSync(join(FIXTURE, "node_modules"), join(project, "node_modules"));
    writeFileSync(
      join(project, "convex/broken.ts"),
      '"use node";\nimport { action } from "./_generated/server";\nthrow new Error("boom at import");\nexport const never = action({ args: {}, handler: async () => 1 });\n',
    );
    engine = await startEngine(project);
    atrium = await startBrowserMode({ env: { ATRIUM_SAMPLE_PROJECT: "" } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await atrium?.stop();
    await engine?.stop();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  test("serves the other modules, and the Functions area shows the module's error", async () => {
    await checkActions(engine);
    const missing = await runAction(engine, "broken:never", {});
    assert.equal(missing.status, "error", JSON.stringify(missing));

    const saved = await atrium.rpc("save_connection", { id: null, name: "Use node", url: engine.url, colour: "#3b82f6", safe_mode: "normal", admin_key: engine.adminKey });
    await atrium.rpc("connect", { id: saved.connections.find((c) => c.name === "Use node").id });
    for (let i = 0; i < 300 && (await atrium.rpc("connection_status", null)).state?.state !== "connected"; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const list = await atrium.rpc("function_list", { component: null });
    assert.deepEqual(list.module_errors, [{ module: "broken", message: "Uncaught Error: boom at import" }], JSON.stringify(list));
    assert.ok(list.functions.some((f) => f.path === "nodeOnly:hash"), JSON.stringify(list.functions));
    assert.ok(!list.functions.some((f) => f.path.startsWith("broken:")), JSON.stringify(list.functions));

    const page = await browser.context.newPage();
    await page.goto(atrium.url);
    await page.getByTestId("connection-state").filter({ hasText: "Connected" }).waitFor({ timeout: 30_000 });
    await page.locator('nav [data-area="functions"]').click();
    const failed = page.locator('[data-testid="module-error"][data-module="broken"]');
    await failed.waitFor({ timeout: 30_000 });
    assert.match(await failed.innerText(), /broken[\s\S]*failed to load[\s\S]*Uncaught Error: boom at import/);
    // The other modules are listed beside it, and run.
    await page.getByRole("button", { name: "A hash", exact: true }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "functions-module-error.png") });
    // Finding a function by name hides the failed module unless its name matches.
    await page.getByLabel("Find a function").fill("hash");
    await failed.waitFor({ state: "detached" });
    await page.getByLabel("Find a function").fill("brok");
    await failed.waitFor();
  });
});
