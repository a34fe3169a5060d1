// The command palette (Ctrl/Cmd+K) in Chromium against the built-in sample project, driven
// by the keyboard: areas, tables and functions reached by fuzzy words; the current area's
// actions; a recently opened document and a recent query opened again; a switch to a second
// deployment (an atrium-engine on the chat fixture) and back.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ARTIFACTS, REPO, startBrowserMode } from "./lib/atrium.mjs";
import { launchChromium } from "./lib/chromium.mjs";
import { startEngine } from "./lib/engine.mjs";

describe("the command palette", () => {
  let atrium;
  let engine;
  let browser;
  let page;

  before(async () => {
    atrium = await startBrowserMode();
    engine = await startEngine(join(REPO, "tests/fixtures/chat"));
    await atrium.rpc("save_connection", { id: null, name: "Chat engine", url: engine.url, colour: "#f59e0b", safe_mode: "normal", admin_key: engine.adminKey });
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.goto(atrium.url);
    await page.getByTestId("connection-state").filter({ hasText: "Connected" }).waitFor({ timeout: 30_000 });
    await page.getByTestId("count-tasks").waitFor({ timeout: 30_000 });
  });

  after(async () => {
    await browser?.close();
    await atrium?.stop();
    await engine?.stop();
  });

  const palette = () => page.getByTestId("palette");
  const option = (key) => palette().locator(`[role="option"][data-key="${key}"]`);
  const active = () => palette().locator('[role="option"][aria-selected="true"]');
  const openPalette = async () => {
    await page.keyboard.press("Control+K");
    await palette().waitFor();
  };
  /** Types `words` and waits until `key` is the chosen option. */
  const search = async (words, key) => {
    await page.keyboard.type(words);
    await active().and(palette().locator(`[data-key="${key}"]`)).waitFor();
  };
  const closed = () => palette().waitFor({ state: "detached" });

  test("opens with Ctrl+K over everything it can reach, and closes with Escape or Ctrl+K", async () => {
    await openPalette();
    await option("table:tasks").waitFor();
    for (const key of ["area:functions", "area:settings", "table:projects", "action:data.add", "action:app.connections"]) {
      assert.equal(await option(key).count(), 1, `${key} is offered`);
    }
    assert.ok((await palette().locator('[data-key^="function:"]').count()) > 0, "functions are offered");
    assert.equal(await option("area:data").count(), 0, "the current area is not offered");
    const groups = await palette().locator(".palette-group").allTextContents();
    assert.deepEqual(groups, ["Actions", "Areas", "Tables", "Functions", "Deployments"]);
    assert.equal(await palette().locator('[data-key^="deployment:"] .palette-hint').filter({ hasText: /^connected$/ }).count(), 1, "the connected deployment says so");
    assert.equal(await active().getAttribute("data-key"), "action:data.add", "the first item is chosen");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("role")), "combobox", "typing goes to the search box");
    await page.screenshot({ path: join(ARTIFACTS, "palette-idle.png") });
    await page.keyboard.press("Escape");
    await closed();
    await openPalette();
    await page.keyboard.press("Control+K");
    await closed();
  });

  test("goes to an area, a table and a function by fuzzy words and Enter", async () => {
    await openPalette();
    await search("lgs", "area:logs");
    await page.keyboard.press("Enter");
    await closed();
    await page.getByTestId("area-logs").waitFor();

    await openPalette();
    await search("table proj", "table:projects");
    await page.keyboard.press("Enter");
    await closed();
    await page.getByTestId("area-data").waitFor();
    await page.waitForFunction(() => window.location.hash.startsWith("#/data/projects"));
    await page.getByTestId("view-count").waitFor();

    await openPalette();
    await search("run tsk add", "function:tasks:add");
    // The matched letters are marked in the label.
    assert.deepEqual(await active().locator("mark").allTextContents(), ["t", "sk", "add"]);
    await page.screenshot({ path: join(ARTIFACTS, "palette-search.png") });
    await page.keyboard.press("Enter");
    await closed();
    await page.getByTestId("runner").locator("code").filter({ hasText: "tasks:add" }).waitFor();
    assert.equal(await page.evaluate(() => window.location.hash), "#/functions/tasks%3Aadd");
  });

  test("moves through the results with the arrow keys, wrapping around", async () => {
    await openPalette();
    await page.keyboard.type("tasks:");
    await option("function:tasks:list").waitFor();
    const keys = await palette().locator('[role="option"]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-key")));
    assert.ok(keys.length >= 5, `tasks' functions: ${keys}`);
    assert.equal(await active().getAttribute("data-key"), keys[0]);
    await page.keyboard.press("ArrowDown");
    assert.equal(await active().getAttribute("data-key"), keys[1]);
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowUp");
    assert.equal(await active().getAttribute("data-key"), keys.at(-1), "up from the first wraps to the last");
    await page.keyboard.press("ArrowDown");
    assert.equal(await active().getAttribute("data-key"), keys[0], "down from the last wraps to the first");
    await page.keyboard.press("PageDown");
    assert.equal(await active().getAttribute("data-key"), keys[Math.min(8, keys.length - 1)], "a page down");
    await page.keyboard.press("Escape");
    await closed();
  });

  test("runs the current area's actions", async () => {
    await page.locator('nav [data-area="data"]').click();
    await page.getByTestId("view-count").waitFor();
    await openPalette();
    await search("add docs", "action:data.add");
    await page.keyboard.press("Enter");
    await closed();
    const dialog = page.getByRole("dialog", { name: /Add documents/ });
    await dialog.waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });

    await openPalette();
    await search("show schema", "action:data.schema");
    await page.keyboard.press("Enter");
    await closed();
    await openPalette();
    await option("action:data.schema").filter({ hasText: "Hide schema" }).waitFor();
    await page.keyboard.press("Escape");
  });

  test("opens a recently opened document and a recent query again", async () => {
    await page.locator('nav [data-area="data"]').click();
    await page.getByTestId("count-tasks").click();
    const link = page.locator('.grid-row[data-row="0"] .id-link').first();
    await link.waitFor();
    const id = (await link.textContent()).trim();
    await link.click();
    await page.getByTestId("document-panel").waitFor();

    await page.locator('nav [data-area="query"]').click();
    const editor = page.getByLabel("SQL", { exact: true });
    await editor.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText("SELECT count(*) AS n FROM projects");
    await page.keyboard.press("Control+Enter");
    await page.getByTestId("sql-status").filter({ hasText: /1 row ·/ }).waitFor({ timeout: 60_000 });
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText("SELECT 1");

    await page.locator('nav [data-area="logs"]').click();
    await openPalette();
    await option(`doc:${id}`).waitFor();
    assert.match(await option(`doc:${id}`).textContent(), /tasks/);
    await search(id.slice(0, 12), `doc:${id}`);
    await page.keyboard.press("Enter");
    await closed();
    await page.getByTestId("document-panel").waitFor();
    assert.equal(await page.evaluate(() => new URLSearchParams(window.location.hash.split("?")[1]).get("doc")), id);

    // From inside an editor too: Ctrl+K is the palette's, not the editor's.
    await page.locator('nav [data-area="query"]').click();
    await editor.click();
    await openPalette();
    await search("count projects", "query:sql:0");
    await page.keyboard.press("Enter");
    await closed();
    await page.getByTestId("area-query").waitFor();
    await editor.filter({ hasText: "SELECT count(*) AS n FROM projects" }).waitFor();
  });

  test("switches to another deployment and back", async () => {
    await openPalette();
    const chat = palette().locator('[data-key^="deployment:"]').filter({ hasText: "Chat engine" });
    await chat.waitFor();
    await search("switch chat", await chat.getAttribute("data-key"));
    await page.keyboard.press("Enter");
    await closed();
    await page.getByTestId("deployment-name").filter({ hasText: "Chat engine" }).waitFor();
    await page.getByTestId("connection-state").filter({ hasText: "Connected" }).waitFor({ timeout: 30_000 });

    await openPalette();
    await option("function:messages:list").waitFor();
    assert.equal(await option("function:tasks:add").count(), 0, "the other deployment's functions are gone");
    const sample = palette().locator('[data-key^="deployment:"]').filter({ hasNotText: "Chat engine" }).first();
    const sampleName = (await sample.locator(".palette-label").textContent()).trim();
    await page.keyboard.type(sampleName);
    await page.keyboard.press("Enter");
    await closed();
    await page.getByTestId("deployment-name").filter({ hasText: sampleName }).waitFor();
    await page.getByTestId("connection-state").filter({ hasText: "Connected" }).waitFor({ timeout: 30_000 });
  });
});
