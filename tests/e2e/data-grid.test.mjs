// The Data area's grid in Chromium against the built-in sample project: columns resized by
// dragging, moved by drag and drop and by the keyboard, hidden from the Columns menu, all
// kept for the table across a reload and reset; rows selected as a range with Shift; rows
// and a cell copied as TSV and JSON; TSV pasted into staged edits and committed.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ConvexHttpClient } from "convex/browser";
import { ARTIFACTS, startBrowserMode } from "./lib/atrium.mjs";
import { launchChromium } from "./lib/chromium.mjs";

describe("the data grid", () => {
  let atrium;
  let browser;
  let page;
  let client;

  const headers = () => page.locator('.grid-head [role="columnheader"][data-column]').evaluateAll((nodes) => nodes.map((n) => n.dataset.column));
  const header = (column) => page.locator(`.grid-head [role="columnheader"][data-column="${column}"]`);
  const widthOf = async (locator) => (await locator.boundingBox()).width;
  const openTasks = async () => {
    await page.getByTestId("count-tasks").click();
    await page.locator('.grid-row[data-row="0"] [data-column="text"]').waitFor();
  };
  /** What the grid writes for a copy (Ctrl+C, or Ctrl+Shift+C for JSON), read from the clipboard. */
  const copied = async (keys) => {
    await page.evaluate(() => navigator.clipboard.writeText(""));
    await page.keyboard.press(keys);
    return page.evaluate(() => navigator.clipboard.readText());
  };

  before(async () => {
    atrium = await startBrowserMode();
    browser = await launchChromium();
    await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(atrium.url).origin });
    page = await browser.context.newPage();
    await page.goto(atrium.url);
    await page.getByTestId("connection-state").filter({ hasText: "Connected" }).waitFor({ timeout: 30_000 });
    const info = await atrium.rpc("connection_status", null);
    client = new ConvexHttpClient(info.deployment.url);
    await openTasks();
  });

  after(async () => {
    await browser?.close();
    await atrium?.stop();
  });

  test("resizes, moves and hides columns, keeps that for the table, and resets it", async () => {
    const natural = await headers();
    assert.deepEqual(natural.slice(0, 4), ["_id", "text", "done", "priority"]);

    // Resize "text" by dragging its right edge.
    const before = await widthOf(header("text"));
    const handle = page.getByRole("separator", { name: "Resize text" });
    const box = await handle.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 60, box.y + box.height / 2, { steps: 4 });
    await page.mouse.move(box.x + 120, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    const after = await widthOf(header("text"));
    assert.ok(after > before + 80 && after < before + 160, `width ${before} → ${after}`);
    assert.equal(Math.round(await widthOf(page.locator('.grid-row[data-row="0"] [data-column="text"]'))), Math.round(after), "the cells follow the header");

    // Move "done" before "text" by drag and drop, then "priority" one left with the keyboard.
    await header("done").dragTo(header("text"));
    assert.deepEqual((await headers()).slice(0, 4), ["_id", "done", "text", "priority"]);
    await header("priority").getByRole("button").focus();
    await page.keyboard.press("Alt+Shift+ArrowLeft");
    assert.deepEqual((await headers()).slice(0, 4), ["_id", "done", "priority", "text"]);

    // Hide "tags" from the Columns menu.
    await page.getByRole("button", { name: "Columns" }).click();
    const menu = page.getByRole("dialog", { name: "Columns" });
    await menu.getByLabel("tags").uncheck();
    assert.ok(!(await headers()).includes("tags"));
    assert.equal(await page.locator('.grid-row [data-column="tags"]').count(), 0, "no tags cells");
    await page.screenshot({ path: join(ARTIFACTS, "grid-columns.png") });
    await page.keyboard.press("Escape");
    await menu.waitFor({ state: "detached" });
    const arranged = await headers();

    // Kept for this table across a reload; another table has its own layout.
    await page.reload();
    await page.locator('.grid-row[data-row="0"] [data-column="text"]').waitFor({ timeout: 30_000 });
    assert.deepEqual(await headers(), arranged);
    assert.ok(Math.abs((await widthOf(header("text"))) - after) < 2, "the width is kept");
    await page.getByTestId("count-projects").click();
    await page.locator('.grid-row[data-row="0"] [data-column="name"]').waitFor();
    assert.deepEqual((await headers()).slice(0, 2), ["_id", "name"]);
    await openTasks();
    assert.deepEqual(await headers(), arranged);

    // Reset.
    await page.getByRole("button", { name: "Columns" }).click();
    await page.getByRole("button", { name: /^Reset widths/ }).click();
    assert.deepEqual(await headers(), natural);
    assert.ok(Math.abs((await widthOf(header("text"))) - before) < 2);
  });

  test("selects a range of rows with Shift, and copies rows and cells as TSV and JSON", async () => {
    await page.getByLabel("Select row 2").click();
    await page.getByLabel("Select row 5").click({ modifiers: ["Shift"] });
    assert.equal(await page.locator(".grid-row.selected").count(), 4);
    await page.getByRole("button", { name: "Delete (4)" }).waitFor();
    const texts = [];
    for (const row of [1, 2, 3, 4]) texts.push(await page.locator(`.grid-row[data-row="${row}"] [data-column="text"]`).textContent());

    await page.getByTestId("grid-body").focus();
    const tsv = (await copied("Control+C")).split("\n");
    assert.equal(tsv.length, 5, "a header and four rows");
    const columns = tsv[0].split("\t");
    assert.deepEqual(columns.slice(0, 3), ["_id", "text", "done"]);
    assert.deepEqual(tsv.slice(1).map((line) => line.split("\t")[1]).sort(), [...texts].sort());
    const json = JSON.parse(await copied("Control+Shift+C"));
    assert.equal(json.length, 4);
    assert.deepEqual(json.map((d) => d.text).sort(), [...texts].sort());
    assert.ok(json.every((d) => typeof d.done === "boolean" && Array.isArray(d.tags)), "values keep their types");

    // Shift+↓ extends the selection from the active row; unselecting leaves the cell to copy.
    await page.getByLabel("Select row 2").click();
    await page.getByLabel("Select row 5").click({ modifiers: ["Shift"] });
    assert.equal(await page.locator(".grid-row.selected").count(), 0);
    await page.locator('.grid-row[data-row="0"] [data-column="tags"]').click();
    await page.keyboard.press("Shift+ArrowDown");
    assert.equal(await page.locator(".grid-row.selected").count(), 2);
    await page.getByLabel("Select row 1").click();
    await page.getByLabel("Select row 2").click();
    await page.locator('.grid-row[data-row="0"] [data-column="tags"]').click();
    const tags = await copied("Control+Shift+C");
    assert.ok(Array.isArray(JSON.parse(tags)), tags);
    const text = await page.locator('.grid-row[data-row="0"] [data-column="text"]').textContent();
    await page.locator('.grid-row[data-row="0"] [data-column="text"]').click();
    assert.equal(await copied("Control+C"), text);
  });

  test("pastes TSV from the active cell into staged edits, committed together", async () => {
    const ids = [];
    for (const row of [0, 1]) ids.push(await page.locator(`.grid-row[data-row="${row}"] [data-column="_id"]`).textContent());
    await page.locator('.grid-row[data-row="0"] [data-column="text"]').click();
    await page.evaluate(() => navigator.clipboard.writeText("Pasted A\ttrue\nPasted B\tfalse\n"));
    await page.keyboard.press("Control+V");
    await page.getByTestId("staged-count").filter({ hasText: "4 staged changes" }).waitFor();
    assert.equal(await page.locator('.grid-row[data-row="0"] [data-column="text"]').textContent(), "Pasted A");
    assert.equal(await page.locator('.grid-row[data-row="1"] [data-column="done"]').textContent(), "false");
    assert.equal(await page.locator(".grid-cell.staged").count(), 4);
    await page.screenshot({ path: join(ARTIFACTS, "grid-pasted.png") });

    // Nothing is written before the commit.
    const stored = async () => (await client.query("tasks:list", { paginationOpts: { numItems: 500, cursor: null } })).page;
    assert.ok(!(await stored()).some((t) => t.text.startsWith("Pasted")));
    await page.getByRole("button", { name: "Commit", exact: true }).click();
    await page.getByTestId("staged-count").waitFor({ state: "detached" });
    const tasks = await stored();
    const byId = new Map(tasks.map((t) => [t._id, t]));
    assert.equal(byId.get(ids[0]).text, "Pasted A");
    assert.equal(byId.get(ids[0]).done, true);
    assert.equal(byId.get(ids[1]).text, "Pasted B");
    assert.equal(byId.get(ids[1]).done, false);

    // A field the schema refuses stages nothing and says why.
    await page.locator('.grid-row[data-row="0"] [data-column="priority"]').click();
    await page.evaluate(() => navigator.clipboard.writeText("not a number"));
    await page.keyboard.press("Control+V");
    await page.getByTestId("data-notice").filter({ hasText: /^Nothing pasted: / }).waitFor();
    assert.equal(await page.getByTestId("staged-count").count(), 0);
  });
});
