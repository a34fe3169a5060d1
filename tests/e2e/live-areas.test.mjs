// The Logs and Subscriptions areas in Chromium against `atrium-engine` (chat fixture): a
// mutation from the official ConvexHttpClient shows up in the live log tail, and a repeated
// query as answered from the query cache; filters by function and status; the inspector lists
// a query the official ConvexClient keeps live and names the mutation that re-ran it.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { ARTIFACTS, REPO, startBrowserMode } from "./lib/atrium.mjs";
import { launchChromium } from "./lib/chromium.mjs";
import { startEngine } from "./lib/engine.mjs";

describe("the Logs and Subscriptions areas", () => {
  let engine;
  let atrium;
  let browser;
  let page;
  let live;
  let rpc;
  let connectionId;
  const data = mkdtempSync(join(tmpdir(), "atrium-engine-logs-"));
  const exports = mkdtempSync(join(tmpdir(), "atrium-exports-"));

  before(async () => {
    engine = await startEngine(join(REPO, "tests/fixtures/chat"), { data });
    atrium = await startBrowserMode({ env: { ATRIUM_SAMPLE_PROJECT: "", ATRIUM_EXPORT_DIR: exports } });
    rpc = atrium.rpc;
    const saved = await rpc("save_connection", { id: null, name: "Chat", url: engine.url, colour: "#3b82f6", safe_mode: "normal", admin_key: engine.adminKey });
    connectionId = saved.connections[0].id;
    await rpc("connect", { id: connectionId });
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.goto(atrium.url);
    await page.getByTestId("connection-state").filter({ hasText: "Connected" }).waitFor({ timeout: 30_000 });
  });

  after(async () => {
    await live?.close();
    await browser?.close();
    await atrium?.stop();
    await engine?.stop();
    rmSync(data, { recursive: true, force: true });
    rmSync(exports, { recursive: true, force: true });
  });

  test("a mutation appears in the live tail, and filters narrow it", async () => {
    await page.locator('nav [data-area="logs"]').click();
    await page.getByTestId("logs-live").filter({ hasText: "Live" }).waitFor();
    const http = new ConvexHttpClient(engine.url);
    const sent = Date.now();
    await http.mutation("messages:send", { author: "ann", body: "hello logs" });
    const row = page.getByTestId("log-list").locator(".log-entry").filter({ hasText: "messages:send" });
    await row.first().waitFor({ timeout: 10_000 });
    console.log(`# the mutation reached the log tail ${Date.now() - sent} ms after it was sent`);
    await http.query("messages:list", {});
    await page.getByTestId("log-list").locator(".log-entry").filter({ hasText: "messages:list" }).first().waitFor();
    // Asked again with nothing changed: answered from the query cache, as Convex answers.
    await http.query("messages:list", {});
    const cached = page.getByTestId("log-list").locator(".log-entry").filter({ hasText: "messages:list" })
      .filter({ has: page.locator(".log-duration em", { hasText: "cached" }) });
    await cached.first().waitFor({ timeout: 10_000 });
    assert.match(await cached.first().locator(".log-duration").getAttribute("title"), /^Answered from the query cache in \d/);
    await page.screenshot({ path: join(ARTIFACTS, "logs-cached.png") });

    await page.getByLabel("Function", { exact: true }).fill("send");
    assert.equal(await page.getByTestId("log-list").locator(".log-entry").filter({ hasText: "messages:list" }).count(), 0);
    assert.ok((await row.count()) >= 1);
    await page.getByLabel("Status").selectOption("failure");
    assert.equal(await row.count(), 0, "the send succeeded");
    await page.getByLabel("Status").selectOption("all");
    await row.first().getByRole("button").first().click();
    assert.match(await page.locator(".log-detail pre").first().textContent(), /Mutation messages:send ok/);
    await page.screenshot({ path: join(ARTIFACTS, "logs-tail.png") });
    // The filtered view exported as JSONL.
    await page.getByRole("button", { name: "Export JSONL" }).click();
    const notice = await page.getByTestId("logs-notice").textContent();
    const path = /to (\S+\.jsonl)/.exec(notice)?.[1];
    assert.ok(path?.startsWith(exports), notice);
    const lines = readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.ok(lines.length >= 1 && lines.every((l) => l.function === "messages:send"), JSON.stringify(lines));
    await page.getByLabel("Function", { exact: true }).fill("");
  });

  test("the inspector lists another client's live query and the mutation that re-ran it", async () => {
    live = new ConvexClient(engine.url);
    let updates = 0;
    live.onUpdate("messages:byAuthor", { author: "ann" }, () => (updates += 1));
    await page.locator('nav [data-area="subscriptions"]').click();
    const row = page.getByTestId("inspector").locator('tr[data-function="messages:byAuthor"]');
    await row.waitFor({ timeout: 10_000 });
    assert.match(await row.textContent(), /first run/);

    const wrote = Date.now();
    await new ConvexHttpClient(engine.url).mutation("messages:send", { author: "ann", body: "re-run it" });
    await row.filter({ hasText: "messages:send wrote messages" }).waitFor({ timeout: 10_000 });
    // A figure for the notes, not a timed assert: how soon the write shows as the re-run's cause.
    console.log(`inspector: "last re-run by" shown ${Date.now() - wrote} ms after the write was sent`);
    assert.match(await row.textContent(), /\{"author":"ann"\}/);
    assert.match(await row.textContent(), /table messages, index by_author, a range/);
    assert.ok(updates >= 2, "the client saw the new result");
    // A live search shows its index, text and filters, as a range shows its index.
    live.onUpdate("messages:search", { text: "Hello wor", author: "ann" }, () => {});
    const search = page.getByTestId("inspector").locator('tr[data-function="messages:search"]');
    await search.waitFor({ timeout: 10_000 });
    assert.equal(
      await search.getByTestId("search-read").textContent(),
      'search messages.search_body for "hello wor…" where author = "ann"',
    );
    for (const scheme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(ARTIFACTS, `subscriptions-inspector-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: null });
  });

  test("after the engine restarts, the earlier logs are still there", async () => {
    await live?.close();
    live = undefined;
    const port = new URL(engine.url).port;
    await engine.stop();
    engine = await startEngine(join(REPO, "tests/fixtures/chat"), { port, data });
    await page.getByTestId("connection-state").filter({ hasText: "Connected" }).waitFor({ timeout: 30_000 });
    // Connecting again forgets what the studio held: what shows now comes from the
    // engine's own log store, which outlived the restart.
    await rpc("connect", { id: connectionId });
    await page.locator('nav [data-area="logs"]').click();
    await page.getByLabel("Search logs").fill("");
    const earlier = page.getByTestId("log-list").locator(".log-entry").filter({ hasText: "messages:send" });
    await earlier.first().waitFor({ timeout: 10_000 });
    assert.ok((await earlier.count()) >= 2, "both sends from before the restart");
    // The archive search reaches the engine's log store directly.
    await page.getByLabel("Function", { exact: true }).fill("messages:send");
    await page.getByRole("button", { name: "Search archive" }).click();
    const banner = page.getByTestId("archive-banner");
    await banner.waitFor();
    const found = Number(/(\d+) execution/.exec(await banner.textContent())?.[1]);
    assert.ok(found >= 2, await banner.textContent());
    await page.getByRole("button", { name: "Back to live" }).click();
    await page.getByLabel("Function", { exact: true }).fill("");
  });
});

describe("the Functions area on the sample project", () => {
  let atrium;
  let browser;
  let page;

  before(async () => {
    atrium = await startBrowserMode();
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.goto(atrium.url);
    await page.getByTestId("connection-state").filter({ hasText: "Connected" }).waitFor({ timeout: 30_000 });
    await page.locator('nav [data-area="functions"]').click();
  });

  after(async () => {
    await browser?.close();
    await atrium?.stop();
  });

  const pick = async (module, name) => {
    await page.getByLabel("Find a function").fill(`${module}:${name}`);
    await page.getByRole("button", { name: new RegExp(`\\b${name}$`) }).first().click();
    await page.getByTestId("runner").locator("code").filter({ hasText: `${module}:${name}` }).waitFor();
  };

  test("runs a mutation from its generated form, and shows ConvexError data", async () => {
    await pick("tasks", "add");
    const runner = page.getByTestId("runner");
    await runner.getByLabel("text", { exact: true }).fill("Write the runner docs");
    await runner.getByLabel("priority", { exact: true }).fill("high");
    await runner.getByRole("button", { name: "Run mutation" }).click();
    assert.equal(await runner.locator(".arg-field .inline-error").textContent(), "priority must be a number");
    await runner.getByLabel("priority", { exact: true }).fill("1");
    await runner.getByRole("button", { name: "Run mutation" }).click();
    await page.getByTestId("run-value").filter({ hasText: /"[0-9a-z]{31,37}"/ }).waitFor();

    await runner.getByLabel("text", { exact: true }).fill("   ");
    await runner.getByRole("button", { name: "Run mutation" }).click();
    await page.getByTestId("run-error-data").waitFor();
    assert.deepEqual(JSON.parse(await page.getByTestId("run-error-data").textContent()), { code: "EMPTY_TEXT", message: "A task needs some text" });
    await page.screenshot({ path: join(ARTIFACTS, "functions-error-data.png") });
  });

  test("dry-runs a mutation: its write set shows, the data does not change", async () => {
    const rpc = atrium.rpc;
    const stats = () => rpc("run_function", { path: "tasks:stats", kind: "query", args: {}, identity: null, confirmed: false });
    const before = (await stats()).value;
    await pick("tasks", "add");
    const runner = page.getByTestId("runner");
    await runner.getByLabel("text", { exact: true }).fill("Only a rehearsal");
    await runner.getByRole("button", { name: "Dry run" }).click();
    const dry = page.getByTestId("dry-run");
    await dry.getByText("1 document would change").waitFor();
    assert.match(await dry.textContent(), /insert\s*tasks/);
    assert.match(await dry.locator(".diff-added").allTextContents().then((t) => t.join("\n")), /"text": "Only a rehearsal"/);
    assert.deepEqual((await stats()).value, before, "nothing was saved");
    await page.screenshot({ path: join(ARTIFACTS, "functions-dry-run.png") });
  });

  test("lists the project's cron jobs", async () => {
    await page.getByLabel("Find a function").fill("");
    const crons = page.getByTestId("cron-jobs");
    await crons.getByText("archive completed tasks").waitFor();
    assert.match(await crons.textContent(), /daily at 03:00 UTC/);
  });

  test("runs an action and shows its result, and its module's source", async () => {
    await pick("reports", "weeklySummary");
    await page.getByTestId("runner").getByText("Source").click();
    const source = page.getByTestId("function-source");
    await source.filter({ hasText: "export const weeklySummary = action(" }).waitFor();
    // Opened at the function: its definition line is tinted and in view, and the code is highlighted.
    const definition = source.getByTestId("editor-highlight-line");
    assert.match(await definition.textContent(), /^export const weeklySummary = action\(/);
    const [line, box] = [await definition.boundingBox(), await source.boundingBox()];
    assert.ok(line.y >= box.y && line.y + line.height <= box.y + box.height, `definition line ${JSON.stringify(line)} inside ${JSON.stringify(box)}`);
    const keyword = definition.locator("span", { hasText: /^export$/ }).first();
    assert.notEqual(await keyword.evaluate((e) => getComputedStyle(e).color), await definition.evaluate((e) => getComputedStyle(e).color), "keywords coloured apart from plain text");
    assert.equal(await source.locator(".cm-content").getAttribute("aria-readonly"), "true");
    for (const scheme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(ARTIFACTS, `functions-source-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: null });
    await page.getByTestId("runner").getByRole("button", { name: "Run action" }).click();
    await page.getByTestId("run-value").filter({ hasText: /tasks done/ }).waitFor();
  });

  test("tries an HTTP route: method, path and headers to the site, status, headers and body back", async () => {
    await page.getByLabel("Find a function").fill("");
    await page.locator('aside[aria-label="Functions"]').getByRole("button", { name: "GET /stats" }).click();
    const runner = page.getByTestId("http-runner");
    await runner.getByRole("button", { name: "Send request" }).click();
    const response = runner.getByTestId("http-response");
    await response.getByTestId("http-status").filter({ hasText: "200" }).waitFor();
    assert.match(await response.getByTestId("http-headers").textContent(), /content-typeapplication\/json/);
    const body = JSON.parse(await response.getByTestId("http-body").textContent());
    assert.equal(typeof body.total, "number", JSON.stringify(body));
    assert.match(await response.textContent(), /http:\/\/127\.0\.0\.1:\d+\/http\/stats/);
    for (const scheme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(ARTIFACTS, `functions-http-route-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: null });
    // Another method on the same path: the router's own answer, shown as is.
    await runner.getByLabel("Method").selectOption("POST");
    await runner.getByLabel("Body").fill('{"x":1}');
    await runner.getByRole("button", { name: "Send request" }).click();
    await response.getByTestId("http-status").filter({ hasText: /^4\d\d$/ }).waitFor();
    // A header line that is not `Name: value` is refused before sending, naming the line.
    await runner.getByLabel("Headers").fill("content-type: application/json\nbroken");
    await runner.getByRole("button", { name: "Send request" }).click();
    await runner.getByRole("alert").filter({ hasText: 'Header line 2 ("broken")' }).waitFor();
  });

  test("keeps a query live and shows each new version with a diff", async () => {
    await pick("tasks", "stats");
    const runner = page.getByTestId("runner");
    await runner.getByRole("button", { name: "Run query" }).click();
    const before = JSON.parse(await page.getByTestId("run-value").textContent());
    await runner.getByRole("button", { name: "Keep live" }).click();
    const panel = page.getByTestId("live-panel");
    await panel.getByText("1 version").waitFor();
    // A write from elsewhere: the official ConvexHttpClient, against the sample project.
    const status = await atrium.rpc("connection_status", null);
    await new ConvexHttpClient(status.deployment.url).mutation("tasks:add", { text: "live one" });
    await panel.getByText("2 versions").waitFor({ timeout: 10_000 });
    const diff = await page.getByTestId("live-diff").textContent();
    assert.match(diff, new RegExp(`-\\s+"total": ${before.total}\\b`));
    assert.match(diff, new RegExp(`\\+\\s+"total": ${before.total + 1}\\b`));
    await page.screenshot({ path: join(ARTIFACTS, "functions-live.png") });
  });

  test("shows per-function metrics with charts, and what an action called in its log detail", async () => {
    await page.getByRole("button", { name: "Metrics overview" }).click();
    const panel = page.getByTestId("metrics-panel");
    // The earlier tests ran tasks:add through the runner and from the official client.
    const row = panel.locator('tr[data-function="tasks:add"]');
    await row.waitFor({ timeout: 10_000 });
    const cells = (await row.locator("td").allTextContents()).map((t) => t.trim());
    assert.ok(Number(cells[1]) >= 1, `calls: ${cells}`);
    assert.ok(Number(cells[3]) > 0 && Number(cells[5]) >= Number(cells[3]), `p50 and p99: ${cells}`);
    assert.match(await page.getByTestId("metrics-source").textContent(), /from the deployment's log archive/);
    // Two charts drawn on canvases, with the series named in their legends.
    for (const chart of ["chart-calls", "chart-latency"]) {
      const canvas = page.getByTestId(chart).locator("canvas");
      await canvas.waitFor();
      const box = await canvas.boundingBox();
      assert.ok(box.width > 200 && box.height > 100, `${chart}: ${JSON.stringify(box)}`);
    }
    assert.match(await page.getByTestId("chart-latency").textContent(), /p50.*p95.*p99/s);
    await panel.getByRole("button", { name: "15 min" }).click();
    await row.waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "functions-metrics.png") });
    // One function's metrics under its runner.
    await row.getByRole("button", { name: "tasks:add" }).click();
    await page.getByTestId("runner").getByText("Metrics", { exact: true }).click();
    await page.getByTestId("runner").getByTestId("chart-calls").locator("canvas").waitFor();

    // The action's execution lists the query and mutation it called; they name it back.
    await page.locator('nav [data-area="logs"]').click();
    const action = page.getByTestId("log-list").locator(".log-entry").filter({ hasText: "reports:weeklySummary" }).last();
    await action.getByRole("button").first().click();
    const chain = action.getByTestId("caller-chain");
    await chain.waitFor();
    assert.match(await chain.textContent(), /Called.*Query tasks:stats ok.*Mutation tasks:archiveDone ok/s);
    await page.screenshot({ path: join(ARTIFACTS, "logs-caller-chain.png") });
    await chain.getByRole("button", { name: /tasks:stats/ }).click();
    const query = page.getByTestId("log-list").locator(".log-entry.open");
    assert.match(await query.getByTestId("caller-chain").textContent(), /Called by.*Action reports:weeklySummary/s);

    // Filter by level: the action logged a LOG line, tasks:add logged nothing.
    const entries = page.getByTestId("log-list").locator(".log-entry");
    await page.getByLabel("Level").selectOption("LOG");
    await entries.filter({ hasText: "reports:weeklySummary" }).first().waitFor();
    assert.equal(await entries.filter({ hasText: "tasks:add" }).count(), 0);
    await page.getByLabel("Level").selectOption("WARN");
    assert.equal(await entries.filter({ hasText: "reports:weeklySummary" }).count(), 0);
    await page.getByLabel("Level").selectOption("any");
  });
});
