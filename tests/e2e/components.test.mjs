// Components from npm (tests/fixtures/components: the newest @convex-dev/sharded-counter
// twice, rate-limiter, aggregate, migrations, workpool and presence, several installing
// batch-worker themselves) and a local component with its own cron and HTTP routes
// (convex/ticker) on `atrium-engine`: the project served from its folder (convex.config.ts
// read from disk), and the same project pushed by the official CLI (`npx convex deploy`,
// `npx convex dev --once`) to an empty engine. Each component runs its documented flow and
// the test asserts on the data it leaves. Then the dashboard in browser mode: the component
// selectors of the Data, Functions, Logs, Schedules and Files areas.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ConvexHttpClient } from "convex/browser";
import { ARTIFACTS, REPO, startBrowserMode } from "./lib/atrium.mjs";
import { launchChromium } from "./lib/chromium.mjs";
import { startEngine } from "./lib/engine.mjs";

const FIXTURE = join(REPO, "tests/fixtures/components");
const CLI = join(FIXTURE, "node_modules/.bin/convex");

/** Runs the official CLI in `cwd` against `engine`; resolves to { code, output }. */
function convex(engine, cwd, ...args) {
  return new Promise((resolve, reject) => {
    const env = {
      ...process.env,
      CONVEX_SELF_HOSTED_URL: engine.url,
      CONVEX_SELF_HOSTED_ADMIN_KEY: engine.adminKey,
      CONVEX_DEPLOYMENT: "",
      CONVEX_DEPLOY_KEY: "",
    };
    const child = spawn(CLI, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`convex ${args.join(" ")} did not finish:\n${output}`));
    }, 180_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Polls `read` until `done(value)` holds (background work: scheduler, work pool). */
async function eventually(read, done, what) {
  let last;
  for (let i = 0; i < 300; i++) {
    last = await read();
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what} never happened; last seen: ${JSON.stringify(last)}`);
}

/** Calls a function of the component instance `component` as an admin (`/api/function`). */
async function componentCall(engine, component, path, args) {
  const response = await fetch(`${engine.url}/api/function`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Convex ${engine.adminKey}` },
    body: JSON.stringify({ path, args, format: "json", componentPath: component }),
  });
  const body = await response.json();
  assert.equal(body.status, "success", JSON.stringify(body));
  return body.value;
}

/** The documented flows, asserted on data; `cli` runs the CLI against the same engine. */
function flows(context) {
  const client = () => new ConvexHttpClient(context().engine.url);

  test("a sharded counter sums concurrent increments; a second instance keeps its own count", async () => {
    const c = client();
    await Promise.all(Array.from({ length: 40 }, (_, i) => c.mutation("counter:inc", { key: "clicks", by: (i % 3) + 1 })));
    await c.mutation("counter:incOther", { key: "clicks" });
    // 40 increments of 1, 2, 3, 1, 2, 3, … = 14·1 + 13·2 + 13·3
    assert.deepEqual(await c.query("counter:count", { key: "clicks" }), { counter: 79, other: 1 });
  });

  test("a mutation that fails after calling a component rolls the component's write back", async () => {
    const c = client();
    await assert.rejects(c.mutation("counter:incThenFail", { key: "rollback" }), /after the increment/);
    assert.deepEqual(await c.query("counter:count", { key: "rollback" }), { counter: 0, other: 0 });
    // A failing component call caught by the caller undoes only the component's writes.
    await c.mutation("counter:incAndCatch", { key: "rollback" });
    assert.deepEqual(await c.query("counter:count", { key: "rollback" }), { counter: 1, other: 0 });
  });

  test("the rate limiter refuses over the limit, per key", async () => {
    const c = client();
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await c.mutation("limits:send", { user: "ada" }));
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, true, true, false],
    );
    assert.ok(results[3].retryAfter > 0, JSON.stringify(results[3]));
    assert.equal((await c.mutation("limits:send", { user: "grace" })).ok, true);
  });

  test("an aggregate counts, sums and ranks", async () => {
    const c = client();
    for (const [id, score] of [["p5", 5], ["p3", 3], ["p9", 9]]) await c.mutation("leaderboard:add", { id, score });
    assert.deepEqual(await c.query("leaderboard:stats", {}), { count: 3, sum: 17, max: 9, second: "p5" });
  });

  test("a migration runs to completion in batches", async () => {
    const c = client();
    await c.mutation("migrate:seed", { n: 10 });
    await c.mutation("migrate:runIt", {});
    const status = await eventually(
      () => c.query("migrate:status", {}),
      (s) => s[0]?.isDone === true,
      "the migration's completion",
    );
    assert.equal(status[0].state, "success");
    assert.equal(status[0].processed, 10);
    assert.deepEqual(await c.query("migrate:items", {}), { total: 10, migrated: 10, sum: 450 });
  });

  test("a work pool runs actions and calls back on completion", async () => {
    const c = client();
    await c.mutation("pool:enqueue", { numbers: [1, 2, 3, -4, 5] });
    const results = await eventually(
      () => c.query("pool:results", {}),
      (r) => r.length === 5,
      "five completion callbacks",
    );
    assert.deepEqual(results, ["pool -4: failed", "pool 1: ok 2", "pool 2: ok 4", "pool 3: ok 6", "pool 5: ok 10"]);
  });

  test("a function handle stored in a document runs the right function when called and scheduled", async () => {
    const c = client();
    const handle = await c.mutation("handles:store", { label: "h" });
    assert.match(handle, /^function:\/\//);
    await c.mutation("handles:callStored", {});
    await c.mutation("handles:scheduleStored", {});
    const calls = await eventually(
      () => c.query("handles:calls", {}),
      (list) => list.includes("scheduled h"),
      "the scheduled handle's run",
    );
    assert.ok(calls.includes("called h"), JSON.stringify(calls));
  });

  test("presence: heartbeats list users online; a disconnect and a missed heartbeat take them offline", async () => {
    const c = client();
    const room = `room-${Date.now()}`;
    // Ada's client beats every 30 s; Grace's every 400 ms, then stops (her tab closed
    // without a goodbye): after 2.5 intervals the component's worker times her out.
    const ada = await c.mutation("presence:heartbeat", { roomId: room, userId: "ada", sessionId: "s-ada", interval: 30_000 });
    await c.mutation("presence:heartbeat", { roomId: room, userId: "grace", sessionId: "s-grace", interval: 400 });
    const joan = await c.mutation("presence:heartbeat", { roomId: room, userId: "joan", sessionId: "s-joan", interval: 30_000 });
    const online = (list) => list.filter((u) => u.online).map((u) => u.userId).sort();
    assert.deepEqual(online(await c.query("presence:list", { roomToken: ada.roomToken })), ["ada", "grace", "joan"]);
    assert.equal(joan.roomToken, ada.roomToken);
    await c.mutation("presence:disconnect", { sessionToken: joan.sessionToken });
    const after = await eventually(
      () => c.query("presence:list", { roomToken: ada.roomToken }),
      (list) => online(list).join() === "ada",
      "grace's timeout and joan's disconnect",
    );
    const offline = after.filter((u) => !u.online);
    assert.deepEqual(offline.map((u) => u.userId).sort(), ["grace", "joan"]);
    assert.ok(offline.every((u) => u.lastDisconnected > 0), JSON.stringify(offline));
  });

  test("a component's own cron runs in the component, and its HTTP routes answer under their mount", async () => {
    const { engine } = context();
    const ticks = await eventually(
      () => componentCall(engine, "ticker", "ticks:count", {}),
      (n) => n >= 2,
      "two runs of the ticker component's cron",
    );
    assert.ok(ticks >= 2);
    const response = await fetch(`${engine.siteUrl}/ticker/count`);
    assert.equal(response.status, 200, await response.clone().text());
    const body = await response.json();
    assert.ok(body.ticks >= 2, JSON.stringify(body));
    assert.equal(body.path, "/ticker/count");
    // Not mounted elsewhere: the app has no /count route.
    assert.equal((await fetch(`${engine.siteUrl}/count`)).status, 404);
  });

  test("the CLI runs a component's function and lists its tables with --component", async () => {
    const { engine, cwd } = context();
    const run = await convex(engine, cwd, "run", "--component", "otherCounter", "public:count", '{"name":"clicks"}');
    assert.equal(run.code, 0, run.output);
    assert.equal(run.output.trim().split("\n").pop(), "1");
    const tables = await convex(engine, cwd, "data", "--component", "shardedCounter");
    assert.equal(tables.code, 0, tables.output);
    assert.match(tables.output, /^counters$/m);
    assert.doesNotMatch(tables.output, /items|rateLimits/);
    const missing = await convex(engine, cwd, "run", "--component", "nope", "public:count", '{"name":"x"}');
    assert.notEqual(missing.code, 0);
    assert.match(missing.output, /Component "nope" not found/);
  });
}

describe("components in folder mode", () => {
  let engine;
  before(async () => {
    engine = await startEngine(FIXTURE);
  });
  after(async () => {
    await engine?.stop();
  });
  flows(() => ({ engine, cwd: FIXTURE }));
});

describe("components pushed by the official CLI", () => {
  let engine;
  let project;
  before(async () => {
    // A copy of the project (the CLI writes codegen and .env.local into it) and an engine
    // on an empty folder: the code arrives only by push.
    project = mkdtempSync(join(tmpdir(), "atrium-components-"));
    cpSync(join(FIXTURE, "convex"), join(project, "convex"), { recursive: true });
    cpSync(join(FIXTURE, "package.json"), join(project, "package.json"));
    symlinkSync(join(FIXTURE, "node_modules"), join(project, "node_modules"));
    const empty = join(project, "empty-engine-folder");
    mkdirSync(empty);
    engine = await startEngine(empty);
    const deployed = await convex(engine, project, "deploy", "-y");
    assert.equal(deployed.code, 0, deployed.output);
    assert.match(deployed.output, /Deployed Convex functions to/);
  });
  after(async () => {
    await engine?.stop();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  test("convex dev --once pushes the same components again", async () => {
    const dev = await convex(engine, project, "dev", "--once");
    assert.equal(dev.code, 0, dev.output);
    assert.match(dev.output, /Convex functions ready/);
  });

  flows(() => ({ engine, cwd: project }));
});

describe("the dashboard's component selectors", () => {
  let engine;
  let atrium;
  let browser;
  let page;
  before(async () => {
    engine = await startEngine(FIXTURE);
    const c = new ConvexHttpClient(engine.url);
    await c.mutation("counter:inc", { key: "ui", by: 2 });
    await c.mutation("counter:incOther", { key: "ui" });
    atrium = await startBrowserMode();
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.goto(atrium.url);
  });
  after(async () => {
    await browser?.close();
    await atrium?.stop();
    await engine?.stop();
  });

  test("switching the component shows that instance's tables and documents", async () => {
    await page.getByTestId("connection-state").filter({ hasText: "Connected" }).waitFor({ timeout: 45_000 });
    await page.getByRole("button", { name: "Connections" }).click();
    const dialog = page.getByTestId("connections");
    await dialog.getByRole("button", { name: "+ Add connection" }).click();
    await dialog.getByLabel("Name").fill("Components");
    await dialog.getByLabel("Deployment URL").fill(engine.url);
    await dialog.getByLabel("Admin key").fill(engine.adminKey);
    await dialog.getByRole("button", { name: "Save and connect" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByTestId("deployment-name").filter({ hasText: "Components" }).waitFor({ timeout: 45_000 });
    const select = page.getByLabel("Component");
    await select.waitFor();
    const options = await select.locator("option").allTextContents();
    // Every instance's schema made its tables, so each is there, the app first.
    assert.deepEqual(options, [
      "App",
      "aggregate",
      "aggregate/batchWorker",
      "migrations",
      "otherCounter",
      "presence",
      "presence/batchWorker",
      "rateLimiter",
      "rateLimiter/batchWorker",
      "shardedCounter",
      "ticker",
      "workpool",
      "workpool/batchWorker",
    ]);
    // The app's tables: no component's among them.
    const tableNames = () => page.locator(".table-list .table-name").allTextContents();
    assert.ok(!(await tableNames()).includes("counters"), (await tableNames()).join(", "));

    for (const theme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme: theme });
      await select.selectOption("otherCounter");
      await page.getByTestId("count-otherCounter/counters").filter({ hasText: "1" }).waitFor();
      assert.deepEqual(await tableNames(), ["counters"]);
      await page.getByTestId("view-count").filter({ hasText: "1 document" }).waitFor();
      await page.screenshot({ path: join(ARTIFACTS, `components-selector-${theme}.png`) });
      await select.selectOption("shardedCounter");
      // Two increments of 1 each would be two shards at most; `by: 2` is one write.
      await page.getByTestId("count-shardedCounter/counters").filter({ hasText: "1" }).waitFor();
      await select.selectOption("");
    }
  });

  test("the Functions area runs a component's function; the Logs area names the component of each call", async () => {
    const base = atrium.url.replace(/#.*$/, "");
    await page.goto(`${base}#/functions`);
    const area = page.getByTestId("area-functions");
    const select = area.getByLabel("Component");
    await select.waitFor();
    await select.selectOption("ticker");
    // The component's own functions, not the app's.
    await area.getByRole("button", { name: /note/ }).waitFor();
    const names = await area.locator(".fn-module-name").allTextContents();
    assert.ok(names.includes("ticks"), names.join(", "));
    assert.ok(!names.includes("counter"), names.join(", "));
    await area.getByRole("button", { name: /note/ }).click();
    const runner = page.getByTestId("runner");
    await runner.getByLabel("text").fill("hello from the dashboard");
    await runner.getByRole("button", { name: "Run mutation" }).click();
    await page.getByTestId("run-value").filter({ hasText: "hello from the dashboard" }).waitFor();
    for (const theme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme: theme });
      await page.screenshot({ path: join(ARTIFACTS, `components-functions-${theme}.png`) });
    }

    await page.goto(`${base}#/logs`);
    const logs = page.getByTestId("area-logs");
    const entry = logs.locator(".log-entry").filter({ hasText: "ticks:note" }).first();
    await entry.waitFor({ timeout: 30_000 });
    assert.equal(await entry.locator(".log-component").textContent(), "ticker");
    assert.match(await entry.locator(".log-first").textContent(), /ticker note: hello from the dashboard/);
    // The selector keeps one component's executions: the ticker's cron runs, no app call.
    await logs.getByLabel("Component").selectOption("ticker");
    await logs.locator(".log-entry").filter({ hasText: "ticks:tick" }).first().waitFor();
    const tags = await logs.locator(".log-entry .log-component").allTextContents();
    const rows = await logs.locator(".log-entry").count();
    assert.equal(tags.length, rows);
    assert.ok(tags.every((t) => t === "ticker"), tags.join(", "));
    for (const theme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme: theme });
      await page.screenshot({ path: join(ARTIFACTS, `components-logs-${theme}.png`) });
    }
  });

  test("the Functions area tries a mounted component's HTTP route under its prefix", async () => {
    const base = atrium.url.replace(/#.*$/, "");
    await page.goto(`${base}#/functions`);
    const area = page.getByTestId("area-functions");
    await area.getByLabel("Component").selectOption("ticker");
    await area.getByRole("button", { name: "GET /ticker/count" }).waitFor();
  });

  test("the Schedules and Files areas show the selected component's own jobs, crons and files", async () => {
    await page.emulateMedia({ colorScheme: "light" });
    const job = await componentCall(engine, "ticker", "ticks:tickLater", {});
    const file = await componentCall(engine, "ticker", "ticks:storeText", { text: "a file of the ticker component" });
    const base = atrium.url.replace(/#.*$/, "");
    await page.goto(`${base}#/schedules`);
    const schedules = page.getByTestId("area-schedules");
    const jobRow = schedules.locator(`[data-testid="scheduled-job"][data-function="ticks:tick"]`);
    const tickCron = schedules.locator('[data-testid="cron-job"][data-name="tick"]');
    // The app's view: neither the ticker's job nor its cron.
    await schedules.getByTestId("job-count").waitFor();
    await schedules.locator('[data-testid="no-crons"], [data-testid="cron-jobs-list"]').first().waitFor();
    assert.equal(await jobRow.count(), 0);
    assert.equal(await tickCron.count(), 0);
    await schedules.getByLabel("Component").selectOption("ticker");
    await jobRow.filter({ has: page.locator('[data-testid="job-state"]', { hasText: "pending" }) }).waitFor();
    await tickCron.getByTestId("cron-run").first().waitFor();
    for (const theme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme: theme });
      await page.screenshot({ path: join(ARTIFACTS, `components-schedules-${theme}.png`) });
    }
    await page.emulateMedia({ colorScheme: "light" });
    // Cancel reaches the component's job.
    await jobRow.getByTestId("job-cancel").click();
    await schedules.locator(`[data-testid="scheduled-job"][data-state="canceled"][data-function="ticks:tick"]`).waitFor();
    const jobs = await componentCall(engine, "", "_system/atrium/scheduledFunctions", { componentId: "ticker", state: "canceled" });
    assert.deepEqual(jobs.map((j) => j._id), [job]);

    await page.goto(`${base}#/files`);
    const files = page.getByTestId("area-files");
    await files.getByTestId("file-count").filter({ hasText: "0 shown of 0" }).waitFor();
    await files.getByLabel("Component").selectOption("ticker");
    await files.getByTestId("file-count").filter({ hasText: "1 shown of 1" }).waitFor();
    await files.getByTestId("file-row").first().click();
    await page.getByTestId("file-preview").and(page.locator(`[data-id="${file}"]`)).waitFor();
    await page.getByTestId("file-preview-text").filter({ hasText: "a file of the ticker component" }).waitFor();
    await page.getByTestId("file-references").getByText(/No document holds this ID/).waitFor();
    for (const theme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme: theme });
      await page.screenshot({ path: join(ARTIFACTS, `components-files-${theme}.png`) });
    }
    await page.emulateMedia({ colorScheme: "light" });
    // An upload from the area goes to the selected component's storage.
    await files.getByTestId("file-picker").setInputFiles({ name: "note.txt", mimeType: "text/plain", buffer: Buffer.from("uploaded into the ticker") });
    await files.getByTestId("file-count").filter({ hasText: "2 shown of 2" }).waitFor();
    const counted = await componentCall(engine, "", "_system/frontend/fileStorageV2:numFiles", { componentId: "ticker" });
    assert.equal(counted, 2);
    assert.equal(await componentCall(engine, "", "_system/frontend/fileStorageV2:numFiles", {}), 0);
    // Deleting from the area removes it from the component's storage.
    await files.getByTestId("file-row").first().click();
    await page.getByTestId("file-delete").click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete" }).click();
    await files.getByTestId("file-count").filter({ hasText: "1 shown of 1" }).waitFor();
  });
});
