// The official `convex` CLI (1.48.0, self-hosted mode) against `atrium-engine` serving the
// chat fixture: run, data, env set/list, logs.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { REPO } from "./lib/atrium.mjs";
import { startEngine } from "./lib/engine.mjs";

const PROJECT = join(REPO, "tests/fixtures/chat");
const CLI = join(PROJECT, "node_modules/.bin/convex");

describe("the official convex CLI against atrium-engine", () => {
  let engine;
  const env = () => ({
    ...process.env,
    CONVEX_SELF_HOSTED_URL: engine.url,
    CONVEX_SELF_HOSTED_ADMIN_KEY: engine.adminKey,
    CONVEX_DEPLOYMENT: "",
    CONVEX_DEPLOY_KEY: "",
  });

  /** Runs the CLI to completion; resolves to { code, stdout, stderr }. */
  const convex = (...args) =>
    new Promise((resolve, reject) => {
      const child = spawn(CLI, args, { cwd: PROJECT, env: env(), stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c) => (stdout += c));
      child.stderr.on("data", (c) => (stderr += c));
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error(`convex ${args.join(" ")} timed out; stderr:\n${stderr}`));
      }, 60_000);
      child.on("exit", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });

  before(async () => {
    engine = await startEngine(PROJECT);
  });

  after(async () => {
    await engine?.stop();
  });

  test("convex run sends and lists", async () => {
    const sent = await convex("run", "messages:send", '{"body":"hi","author":"a"}');
    assert.equal(sent.code, 0, sent.stderr);
    const listed = await convex("run", "messages:list");
    assert.equal(listed.code, 0, listed.stderr);
    const messages = JSON.parse(listed.stdout);
    assert.deepEqual(messages.map((m) => [m.body, m.author]), [["hi", "a"]]);
  });

  test("convex run names a missing function", async () => {
    const missing = await convex("run", "messages:nope");
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr + missing.stdout, /Could not find function/);
  });

  test("convex data lists tables and documents", async () => {
    const tables = await convex("data");
    assert.equal(tables.code, 0, tables.stderr);
    assert.match(tables.stdout, /messages/);
    const rows = await convex("data", "messages");
    assert.equal(rows.code, 0, rows.stderr);
    assert.match(rows.stdout, /"hi"/);
  });

  test("convex env set and list", async () => {
    const set = await convex("env", "set", "FOO", "bar");
    assert.equal(set.code, 0, set.stderr);
    const list = await convex("env", "list");
    assert.match(list.stdout, /^FOO=bar$/m);
    const get = await convex("env", "get", "FOO");
    assert.match(get.stdout, /bar/);
  });

  test("convex export, then convex import into a fresh engine, gives the same documents", async () => {
    const { mkdtempSync, mkdirSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const work = mkdtempSync(join(tmpdir(), "atrium-snapshot-"));
    const zip = join(work, "snapshot.zip");
    const exported = await convex("export", "--path", zip);
    assert.equal(exported.code, 0, exported.stderr);
    const before = JSON.parse((await convex("run", "messages:list")).stdout);

    const emptyFolder = join(work, "empty");
    mkdirSync(emptyFolder);
    const fresh = await startEngine(emptyFolder);
    try {
      const into = (...args) =>
        new Promise((resolve) => {
          const child = spawn(CLI, args, {
            cwd: PROJECT,
            env: { ...env(), CONVEX_SELF_HOSTED_URL: fresh.url, CONVEX_SELF_HOSTED_ADMIN_KEY: fresh.adminKey },
            stdio: ["ignore", "pipe", "pipe"],
          });
          let output = "";
          child.stdout.on("data", (c) => (output += c));
          child.stderr.on("data", (c) => (output += c));
          child.on("exit", (code) => resolve({ code, output }));
        });
      const imported = await into("import", "-y", zip);
      assert.equal(imported.code, 0, imported.output);
      assert.match(imported.output, new RegExp(`Added ${before.length} documents`));
      const response = await fetch(`${fresh.url}/api/query`, {
        method: "POST",
        headers: { authorization: `Convex ${fresh.adminKey}`, "content-type": "application/json" },
        body: JSON.stringify({ path: "_system/cli/tableData:default", args: { table: "messages", paginationOpts: { cursor: null, numItems: 1000 } } }),
      });
      const after = (await response.json()).value.page;
      const key = (docs) => docs.map((d) => [d._id, d._creationTime, d.body, d.author]).sort();
      assert.deepEqual(key(after), key(before), "same IDs, creation times and fields");
    } finally {
      await fresh.stop();
      rmSync(work, { recursive: true, force: true });
    }
  });

  test("convex logs sees a run", async () => {
    const child = spawn(CLI, ["logs", "--success"], { cwd: PROJECT, env: env(), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    try {
      await new Promise((r) => setTimeout(r, 3000));
      await convex("run", "messages:send", '{"body":"logged","author":"b"}');
      const deadline = Date.now() + 20_000;
      while (!/\[CONVEX M\(messages:send\)\] Function executed/.test(output)) {
        if (Date.now() > deadline) throw new Error(`convex logs printed no execution:\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      child.kill();
    }
  });
});

describe("pushing code with the official CLI", () => {
  let engine;
  let project;
  let empty;

  const cli = (...args) =>
    new Promise((resolve, reject) => {
      const child = spawn(join(project, "node_modules/.bin/convex"), args, {
        cwd: project,
        env: { ...process.env, CONVEX_SELF_HOSTED_URL: engine.url, CONVEX_SELF_HOSTED_ADMIN_KEY: engine.adminKey, CONVEX_DEPLOYMENT: "", CONVEX_DEPLOY_KEY: "" },
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
    // A copy of the chat project (the CLI writes codegen and .env.local into it) and an
    // engine started on an empty folder: the code arrives only by push.
    const { cpSync, mkdtempSync, mkdirSync, symlinkSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    project = mkdtempSync(join(tmpdir(), "atrium-push-"));
    cpSync(join(PROJECT, "convex"), join(project, "convex"), { recursive: true });
    cpSync(join(PROJECT, "package.json"), join(project, "package.json"));
    symlinkSync(join(PROJECT, "node_modules"), join(project, "node_modules"));
    empty = join(project, "empty-engine-folder");
    mkdirSync(empty);
    engine = await startEngine(empty);
  });

  after(async () => {
    await engine?.stop();
    const { rmSync } = await import("node:fs");
    if (project) rmSync(project, { recursive: true, force: true });
  });

  test("convex deploy makes the functions runnable", async () => {
    const deployed = await cli("deploy", "-y");
    assert.equal(deployed.code, 0, deployed.output);
    assert.match(deployed.output, /Deployed Convex functions to/);
    const sent = await cli("run", "messages:send", '{"body":"deployed","author":"cli"}');
    assert.equal(sent.code, 0, sent.output);
    const listed = await cli("run", "messages:list");
    assert.match(listed.output, /"deployed"/);
  });

  test("convex dev --once pushes and writes the deployment URLs", async () => {
    const dev = await cli("dev", "--once");
    assert.equal(dev.code, 0, dev.output);
    assert.match(dev.output, /Convex functions ready/);
    const { readFileSync } = await import("node:fs");
    assert.match(readFileSync(join(project, ".env.local"), "utf8"), new RegExp(`CONVEX_URL=${engine.url}`));
  });
});
