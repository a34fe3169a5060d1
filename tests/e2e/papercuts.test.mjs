// What a new user tripped over (issue 22), in Chromium against two `atrium-engine`s serving
// the chat fixture: a live query in the runner ends when the deployment changes; the table
// list's counts follow writes to tables not open; primary buttons stay solid once clicked;
// dialogs take focus, close on Escape and give focus back; "Save and connect" does not keep
// a URL that fails its test; Logs' "Back to live" resumes the tail and a changed filter
// searches the archive again; Subscriptions keeps the dashboard's own queries apart;
// Home/End/Ctrl+End move in the grid; routine notices fade; each area's place is kept per
// deployment and in the URL (a table view, a document, a function, a log entry).
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ConvexHttpClient } from "convex/browser";
import { ARTIFACTS, REPO, startBrowserMode } from "./lib/atrium.mjs";
import { launchChromium } from "./lib/chromium.mjs";
import { startEngine } from "./lib/engine.mjs";

describe("issue 22's papercuts", () => {
  let first;
  let second;
  let atrium;
  let browser;
  let page;
  let ids;

  before(async () => {
    [first, second] = await Promise.all([startEngine(join(REPO, "tests/fixtures/chat")), startEngine(join(REPO, "tests/fixtures/chat"))]);
    await new ConvexHttpClient(first.url).mutation("messages:send", { author: "ann", body: "on the first" });
    for (const body of ["one", "two"]) await new ConvexHttpClient(second.url).mutation("messages:send", { author: "bob", body });
    atrium = await startBrowserMode({ env: { ATRIUM_SAMPLE_PROJECT: "" } });
    const save = (name, engine) => atrium.rpc("save_connection", { id: null, name, url: engine.url, colour: "#3b82f6", safe_mode: "normal", admin_key: engine.adminKey });
    await save("First", first);
    const saved = await save("Second", second);
    ids = Object.fromEntries(saved.connections.map((c) => [c.name, c.id]));
    await atrium.rpc("connect", { id: ids.First });
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.goto(atrium.url);
    await page.getByTestId("connection-state").filter({ hasText: "Connected" }).waitFor({ timeout: 30_000 });
  });

  after(async () => {
    await browser?.close();
    await atrium?.stop();
    await first?.stop();
    await second?.stop();
  });

  const connected = (name) => page.getByTestId("deployment-name").filter({ hasText: name }).waitFor();
  /** Each test after the first starts from a freshly loaded page (one failure does not leave a dialog open for the next), on the second deployment. */
  const fresh = async (area) => {
    await page.goto(atrium.url);
    await connected("Second");
    await page.getByTestId("connection-state").filter({ hasText: "Connected" }).waitFor({ timeout: 30_000 });
    await page.locator(`nav [data-area="${area}"]`).click();
  };

  test("a live query in the runner ends when the deployment changes", async () => {
    await page.locator('nav [data-area="functions"]').click();
    await page.locator('aside[aria-label="Functions"]').getByRole("button", { name: /list$/ }).click();
    await page.getByRole("button", { name: "Keep live" }).click();
    const live = page.getByTestId("live-panel");
    await live.filter({ hasText: "on the first" }).waitFor();
    await page.getByRole("button", { name: "Run query" }).click();
    await page.getByTestId("run-value").waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "papercuts-runner-live.png") });

    await atrium.rpc("connect", { id: ids.Second });
    await connected("Second");
    await live.waitFor({ state: "detached" });
    assert.equal(await page.getByRole("button", { name: "Stop live" }).count(), 0, "nothing says live any more");
    assert.equal(await page.getByText("on the first").count(), 0, "no row of the first deployment is shown under the second's name");
    await page.screenshot({ path: join(ARTIFACTS, "papercuts-runner-switched.png") });
  });

  test("a primary button just clicked (hovered and focused) stays solid, not the pale hover tint", async () => {
    await fresh("functions");
    await page.locator('aside[aria-label="Functions"]').getByRole("button", { name: /list$/ }).click();
    const run = page.getByRole("button", { name: "Run query" });
    await run.click();
    await page.getByTestId("run-value").waitFor();
    await run.focus();
    assert.ok(await run.evaluate((b) => b.matches(":hover") && b === document.activeElement), "the mouse is still over it, and it has focus");
    const background = await run.evaluate((b) => getComputedStyle(b).backgroundColor);
    assert.ok(!/rgba\(.*, 0?\.\d+\)$/.test(background), `a clicked primary button is opaque, not ${background}`);
  });

  test("the table list's counts follow writes to a table not open", async () => {
    await fresh("data");
    const count = page.getByTestId("count-messages");
    await count.filter({ hasText: /^2$/ }).waitFor();
    await page.getByRole("button", { name: "+ New table" }).click();
    const prompt = page.getByRole("dialog", { name: "New table" });
    assert.ok(await prompt.evaluate((d) => d.contains(document.activeElement)), "focus moves into the dialog");
    await page.keyboard.insertText("notes");
    await prompt.getByRole("button", { name: "Create table" }).click();
    await page.locator(".table-item.active", { hasText: "notes" }).waitFor();
    await new ConvexHttpClient(second.url).mutation("messages:send", { author: "bob", body: "three" });
    await count.filter({ hasText: /^3$/ }).waitFor({ timeout: 10_000 });
  });

  test("dialogs take focus, close on Escape and give it back", async () => {
    await fresh("data");
    await page.locator(".table-item", { hasText: "notes" }).click();
    // Add documents (on the open `notes` table), and the notice of a routine add fades.
    const add = page.getByRole("button", { name: "Add documents" });
    await add.click();
    const dialog = page.getByRole("dialog", { name: /Add documents/ });
    await dialog.waitFor();
    assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), "focus is in the dialog");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    assert.ok(await add.evaluate((b) => b === document.activeElement), "focus is back on Add documents");
    await add.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.insertText('{"text": "hello"}');
    await dialog.getByRole("button", { name: "Add", exact: true }).click();
    const notice = page.getByTestId("data-notice").filter({ hasText: "Added 1 document." });
    await notice.waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "papercuts-data-notice.png") });
    await notice.waitFor({ state: "detached", timeout: 15_000 });

    // Connections, opened from the header.
    const opener = page.getByRole("button", { name: "Connections" });
    await opener.click();
    const connections = page.getByTestId("connections");
    await connections.waitFor();
    assert.ok(await connections.evaluate((d) => d.contains(document.activeElement)), "focus is in Connections");
    await page.keyboard.press("Escape");
    await connections.waitFor({ state: "detached" });
    assert.ok(await opener.evaluate((b) => b === document.activeElement), "focus is back on the header's button");

    // "Save and connect" with a URL nothing answers: neither saved nor switched to.
    await opener.click();
    await connections.getByRole("button", { name: "+ Add connection" }).click();
    await connections.getByLabel("Name").fill("Nowhere");
    await connections.getByLabel("Deployment URL").fill("http://127.0.0.1:9");
    await connections.getByLabel("Admin key").fill("nobody|0000");
    await connections.getByRole("button", { name: "Save and connect" }).click();
    await connections.getByTestId("test-result").filter({ hasText: /^Not saved: / }).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(ARTIFACTS, "papercuts-connections-refused.png") });
    const list = await atrium.rpc("list_connections");
    assert.deepEqual(list.connections.map((c) => c.name).sort(), ["First", "Second"]);
    assert.equal(list.active, ids.Second);
    await page.keyboard.press("Escape");
    await connections.waitFor({ state: "detached" });
  });

  test("the grid's Home, End, Ctrl+Home and Ctrl+End", async () => {
    await fresh("data");
    await page.getByRole("button", { name: /^messages/ }).click();
    const cell = (row, column) => page.locator(`.grid-row[data-row="${row}"] [data-column="${column}"]`);
    await cell(0, "body").click();
    const active = () => page.locator(".grid-cell.active").evaluate((c) => [c.closest(".grid-row").dataset.row, c.dataset.column]);
    const columns = await page.locator(".grid-row[data-row='0'] [data-column]").evaluateAll((cells) => cells.map((c) => c.dataset.column));
    await page.keyboard.press("End");
    assert.deepEqual(await active(), ["0", columns.at(-1)]);
    await page.keyboard.press("Home");
    assert.deepEqual(await active(), ["0", columns[0]]);
    await page.keyboard.press("Control+End");
    assert.deepEqual(await active(), ["2", columns.at(-1)]);
    await page.keyboard.press("Control+Home");
    assert.deepEqual(await active(), ["0", columns[0]]);
  });

  test("Subscriptions keeps the dashboard's own queries apart and names read sets in words", async () => {
    await fresh("subscriptions");
    const { ConvexClient } = await import("convex/browser");
    const live = new ConvexClient(second.url);
    // A query the dashboard itself keeps live (a JavaScript query, run through `_system/atrium/…`).
    const own = await atrium.rpc("watch_js_query", { source: 'async (ctx) => await ctx.db.query("messages").take(1)' });
    try {
      await new Promise((resolve) => live.onUpdate("messages:byAuthor", { author: "bob" }, resolve));
      const inspector = page.getByTestId("inspector");
      const row = inspector.locator('tr[data-function="messages:byAuthor"]');
      await row.waitFor();
      assert.match(await row.textContent(), /table messages, index by_author, a range/);
      assert.equal(await inspector.locator('tr[data-function^="_system/"]').count(), 0, "the dashboard's own queries are hidden");
      const toggle = page.getByLabel(/Show Atrium's own queries/);
      await toggle.check();
      await inspector.locator('tr[data-function^="_system/"]').first().waitFor();
      await page.screenshot({ path: join(ARTIFACTS, "papercuts-subscriptions.png") });
      await toggle.uncheck();
    } finally {
      await live.close();
      await atrium.rpc("unwatch_query", { watch: own.watch });
    }
  });

  test("Logs: a changed filter searches the archive again, and Back to live resumes the tail", async () => {
    await fresh("logs");
    await page.getByTestId("logs-live").filter({ hasText: "Live" }).waitFor();
    const http = new ConvexHttpClient(second.url);
    await http.mutation("messages:send", { author: "cy", body: "before the archive" });
    await http.query("messages:list", {});
    await page.getByTestId("log-list").locator(".log-entry").filter({ hasText: "messages:list" }).first().waitFor();
    await page.getByRole("button", { name: "Search archive" }).click();
    const banner = page.getByTestId("archive-banner");
    await banner.waitFor();
    const all = await banner.textContent();
    await page.getByLabel("Function", { exact: true }).fill("messages:list");
    await page.waitForFunction((old) => document.querySelector('[data-testid="archive-banner"]')?.textContent !== old, all, { timeout: 10_000 });
    const entries = await page.getByTestId("log-list").locator(".log-function").allTextContents();
    assert.ok(entries.length >= 1 && entries.every((f) => f.includes("messages:list")), `archive entries: ${entries}`);
    await page.screenshot({ path: join(ARTIFACTS, "papercuts-logs-archive.png") });

    await page.getByRole("button", { name: "Back to live" }).click();
    await page.getByTestId("logs-live").filter({ hasText: "Live" }).waitFor();
    await page.getByLabel("Function", { exact: true }).fill("");
    await http.mutation("messages:send", { author: "cy", body: "after the archive" });
    await page.getByTestId("log-list").locator(".log-entry").filter({ hasText: "messages:send" }).last().waitFor({ timeout: 10_000 });
  });

  test("each area's place is kept per deployment while Atrium runs, and in the URL", async () => {
    const http = new ConvexHttpClient(second.url);
    for (const body of ["y", "x", "z"]) await http.mutation("messages:send", { author: "dee", body });
    await fresh("data");
    await page.locator(".table-item", { hasText: "messages" }).click();
    const filter = page.getByLabel("Filter", { exact: true });
    await filter.fill('author == "dee" && body != "z"');
    await filter.press("Enter");
    await page.getByRole("columnheader", { name: "body" }).getByRole("button").click();
    const bodies = () => page.locator('.grid-row [data-column="body"]').allTextContents();
    await page.waitForFunction(() => document.querySelectorAll(".grid-row").length === 2);
    assert.deepEqual(await bodies(), ["x", "y"]);
    await page.locator('.grid-row[data-row="0"] [data-column="_id"] .id-link').click();
    await page.getByTestId("document-panel").waitFor();
    const url = page.url();
    assert.match(url, /#\/data\/messages\?filter=.+&sort=body%3Aasc&doc=/);

    // Away and back: the same table, filter, sort and document.
    await page.locator('nav [data-area="logs"]').click();
    await page.locator('nav [data-area="data"]').click();
    await page.getByTestId("document-panel").waitFor();
    assert.equal(await page.locator(".table-item.active .table-name").textContent(), "messages");
    assert.equal(await filter.inputValue(), 'author == "dee" and body != "z"');
    assert.equal(await page.getByRole("columnheader", { name: "body" }).getAttribute("aria-sort"), "ascending");
    assert.equal(page.url(), url);

    // Another deployment has its own place; coming back to this one restores it.
    await atrium.rpc("connect", { id: ids.First });
    await connected("First");
    await page.getByTestId("grid-body").waitFor();
    assert.equal(await filter.inputValue(), "");
    assert.equal(await page.getByTestId("document-panel").count(), 0);
    await atrium.rpc("connect", { id: ids.Second });
    await connected("Second");
    await page.getByTestId("document-panel").waitFor();
    assert.equal(await filter.inputValue(), 'author == "dee" and body != "z"');
    await page.screenshot({ path: join(ARTIFACTS, "papercuts-data-place.png") });

    // Deep links, in a new page: a table view with a document, a function, a log entry.
    const other = await browser.context.newPage();
    try {
      await other.goto(url);
      await other.getByTestId("document-panel").waitFor();
      assert.equal(await other.getByLabel("Filter", { exact: true }).inputValue(), 'author == "dee" and body != "z"');
      await other.waitForFunction(() => document.querySelectorAll(".grid-row").length === 2);

      await other.goto(url.replace(/#.*$/, "#/functions/messages:byAuthor"));
      await other.getByTestId("runner").locator("code", { hasText: "messages:byAuthor" }).waitFor();

      await other.locator('nav [data-area="logs"]').click();
      await new ConvexHttpClient(second.url).query("messages:list", {});
      const entry = other.getByTestId("log-list").locator(".log-entry").filter({ hasText: "messages:list" }).last();
      await entry.getByRole("button").first().click();
      assert.match(other.url(), /#\/logs\?entry=/);
      const logLink = other.url();
      await other.goto("about:blank");
      await other.goto(logLink);
      await other.locator('.log-entry.open').filter({ hasText: "messages:list" }).waitFor();
    } finally {
      await other.close();
    }
  });
});
