// The Query area in Chromium against the built-in sample project. SQL: a JOIN with a
// GROUP BY shown in the grid, an error placed at its line and column, the result exported
// to CSV (the file checked), and the result refreshed after a mutation from the official
// ConvexHttpClient changes a table it used. JavaScript: a query through an index with its
// result and cost line, then kept live and updated by another client's mutation.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ARTIFACTS, startBrowserMode } from "./lib/atrium.mjs";
import { launchChromium } from "./lib/chromium.mjs";

describe("the Query area's SQL", () => {
  let atrium;
  let browser;
  let page;
  const exports = mkdtempSync(join(tmpdir(), "atrium-sql-exports-"));

  before(async () => {
    atrium = await startBrowserMode({ env: { ATRIUM_EXPORT_DIR: exports } });
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.goto(atrium.url);
    await page.getByTestId("connection-state").filter({ hasText: "Connected" }).waitFor({ timeout: 30_000 });
    await page.locator('nav [data-area="query"]').click();
    await page.getByTestId("area-query").locator('[data-table="tasks"]').waitFor();
  });

  after(async () => {
    await browser?.close();
    await atrium?.stop();
    rmSync(exports, { recursive: true, force: true });
  });

  const editor = () => page.getByLabel("SQL", { exact: true });
  const write = async (sql) => {
    await editor().click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText(sql);
  };
  const cells = async (column) =>
    page.locator(`.grid-row [data-column="${column}"]`).allTextContents();

  test("runs a JOIN with a GROUP BY and shows it in the grid; errors say where", async () => {
    await write(
      "SELECT p.name AS project, count(*) AS tasks, sum(CASE WHEN t.done THEN 1 ELSE 0 END) AS done\n" +
        "FROM tasks t JOIN projects p ON t.project = p._id\nGROUP BY p.name ORDER BY p.name",
    );
    await page.keyboard.press("Control+Enter");
    const status = page.getByTestId("sql-status");
    await status.filter({ hasText: /rows? ·/ }).waitFor({ timeout: 30_000 });
    assert.match(await status.textContent(), /tasks \(\d+ documents/);
    const projects = await cells("project");
    assert.ok(projects.length >= 1, "one row per project");
    assert.deepEqual([...projects].sort(), projects, "ordered by name");
    const counts = (await cells("tasks")).map(Number);
    assert.ok(counts.every((n) => n >= 1), `counts: ${counts}`);
    await page.screenshot({ path: join(ARTIFACTS, "query-sql.png") });

    await write("SELECT text\nFROM tasks WHERE");
    await page.getByRole("button", { name: "Run SQL" }).click();
    const error = page.getByTestId("sql-error");
    await error.waitFor();
    assert.match(await error.textContent(), /^Line 2, column 17: /);
    // The editor marks the place, and the JOIN's result no longer stands below as if current.
    const marked = page.locator(".cm-error-line");
    await marked.waitFor();
    assert.equal(await marked.textContent(), "FROM tasks WHERE");
    assert.match(await marked.getAttribute("title"), /Expected: an expression/, "the message shows on the marked line");
    assert.equal(await page.getByTestId("sql-status").count(), 0, "no result is shown for a failed statement");
    assert.equal(await page.locator(".grid-row").count(), 0);
    await page.screenshot({ path: join(ARTIFACTS, "query-sql-error.png") });
  });

  test("names a count(*) column count(*)", async () => {
    await write("SELECT count(*) FROM tasks");
    await page.keyboard.press("Control+Enter");
    await page.getByTestId("sql-status").filter({ hasText: /1 row ·/ }).waitFor({ timeout: 30_000 });
    const headers = await page.getByRole("columnheader").allTextContents();
    assert.ok(headers.includes("count(*)"), `headers: ${headers}`);
    assert.ok(!headers.includes("len"), `headers: ${headers}`);
    assert.equal(await page.locator(".cm-error-line").count(), 0, "a statement that ran clears the marker");
  });

  test("exports the result to CSV, and runs it again when a used table changes", async () => {
    const status = page.getByTestId("sql-status");
    const previous = await status.textContent();
    await write("SELECT text, priority, tags FROM tasks WHERE priority >= 1 ORDER BY text");
    await page.keyboard.press("Control+Enter");
    await page.waitForFunction((old) => document.querySelector('[data-testid="sql-status"]')?.textContent !== old, previous);
    await page.locator('.grid-row [data-column="tags"]').first().waitFor();
    const rows = Number(/^([\d,]+) rows?/.exec(await status.textContent())[1].replace(/,/g, ""));

    await page.getByRole("button", { name: "Export CSV" }).click();
    const notice = page.getByTestId("sql-notice");
    await notice.filter({ hasText: /^Saved/ }).waitFor();
    const path = /to (\S+\.csv)/.exec(await notice.textContent())?.[1];
    assert.ok(path?.startsWith(exports), await notice.textContent());
    const lines = readFileSync(path, "utf8").trim().split("\n");
    assert.equal(lines[0], "text,priority,tags");
    assert.equal(lines.length, rows + 1, `a header and one line per row: ${lines.join("\n")}`);
    // Lists are written as JSON text in CSV.
    assert.match(lines.slice(1).join("\n"), /"\[.*\]"/);

    // A mutation from the official client: the loaded table reloads and the query re-runs.
    const { ConvexHttpClient } = await import("convex/browser");
    const info = await atrium.rpc("connection_status", null);
    const http = new ConvexHttpClient(info.deployment.url);
    await http.mutation("tasks:add", { text: "AAA from SQL test", priority: 3 });
    await notice.filter({ hasText: "Updated: tasks changed" }).waitFor({ timeout: 15_000 });
    await status.filter({ hasText: `${(rows + 1).toLocaleString("en-US")} row` }).waitFor();
    assert.equal((await cells("text"))[0], "AAA from SQL test");
  });

  test("runs a JavaScript query with its cost, then keeps it live", async () => {
    await page.getByRole("tab", { name: "JavaScript" }).click();
    const editor = page.getByLabel("JavaScript query", { exact: true });
    await editor.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText(
      'async (ctx) => {\nconst open = await ctx.db.query("tasks").withIndex("by_done", (q) => q.eq("done", false)).collect();\n' +
        'console.log("open tasks", open.length);\nreturn open.map((t) => ({ text: t.text, priority: t.priority }));\n}',
    );
    await page.keyboard.press("Control+Enter");
    const cost = page.getByTestId("js-cost");
    await cost.waitFor({ timeout: 15_000 });
    const line = await cost.textContent();
    assert.match(line, /^Read (\d+) documents? \(.*of the 32,000 limit\).* · index tasks\.by_done · returned (\d+) ·/);
    const [, read, returned] = /^Read (\d+).* returned (\d+)/.exec(line);
    assert.equal(read, returned, "the index range read only the open tasks");
    const open = Number(returned);
    assert.equal((await cells("text")).length, Math.min(open, 20), "one grid row per open task (as far as shown)");
    assert.match(await page.locator(".run-logs").textContent(), /open tasks \d+/);
    await page.screenshot({ path: join(ARTIFACTS, "query-js.png") });

    await page.getByRole("button", { name: "Keep live" }).click();
    const live = page.getByTestId("js-live");
    await live.filter({ hasText: "version 1" }).waitFor({ timeout: 10_000 });
    const { ConvexHttpClient } = await import("convex/browser");
    const info = await atrium.rpc("connection_status", null);
    await new ConvexHttpClient(info.deployment.url).mutation("tasks:add", { text: "live JS", priority: 1 });
    await live.filter({ hasText: "version 2" }).waitFor({ timeout: 10_000 });
    await cost.filter({ hasText: `returned ${open + 1} ·` }).waitFor();
    await page.getByRole("button", { name: "Stop live" }).click();
  });
});
