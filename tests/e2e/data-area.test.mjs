// The Data area in Chromium against `atrium-engine` serving a project generated here: add
// the connection through the UI, filter (AND, OR), sort by a column without an index,
// read an index range (with a filter over it),
// edit a cell (and see a schema error inline), stage two edits and commit them, delete
// with confirmation, and watch a document inserted by the official ConvexHttpClient
// appear without a reload. Then the header's states for a wrong key, an unreachable URL
// and a dropped connection that comes back.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ConvexHttpClient } from "convex/browser";
import { ARTIFACTS, startBrowserMode } from "./lib/atrium.mjs";
import { launchChromium } from "./lib/chromium.mjs";
import { startEngine } from "./lib/engine.mjs";
import { writeProject } from "./lib/projects.mjs";

const CITIES = ["Oslo", "Rome", "Lima", "Pune"];
const PEOPLE = Array.from({ length: 40 }, (_, i) => ({
  name: `P${String(i).padStart(2, "0")}`,
  age: ((i * 7) % 50) + 10,
  city: CITIES[i % 4],
}));

/** A Convex project with a `people` table, written to a temporary folder. */
function generateProject() {
  return writeProject({
    "convex/schema.ts": `import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  people: defineTable({ name: v.string(), age: v.number(), city: v.string() }).index("by_city", ["city"]),
});
`,
    "convex/people.ts": `import { mutationGeneric as mutation, queryGeneric as query } from "convex/server";
import { v } from "convex/values";
export const add = mutation({
  args: { people: v.array(v.object({ name: v.string(), age: v.number(), city: v.string() })) },
  handler: async (ctx, { people }) => {
    for (const p of people) await ctx.db.insert("people", p);
  },
});
export const list = query({ args: {}, handler: (ctx) => ctx.db.query("people").collect() });
`,
  });
}

const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `data-${name}.png`) });

async function addConnection(page, { name, url, key }) {
  await page.getByRole("button", { name: "Connections" }).click();
  const dialog = page.getByTestId("connections");
  await dialog.getByRole("button", { name: "+ Add connection" }).click();
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Deployment URL").fill(url);
  await dialog.getByLabel("Admin key").fill(key);
  return dialog;
}

async function waitForState(page, label, atrium) {
  try {
    await page.getByTestId("connection-state").filter({ hasText: label }).waitFor({ timeout: 45_000 });
  } catch (e) {
    // Say what the header showed instead, and what Atrium printed.
    const state = await page.getByTestId("connection-state").textContent().catch(() => "?");
    const detail = await page.getByTestId("deployment").getAttribute("title").catch(() => "?");
    await shot(page, `state-timeout-${label.replace(/\W+/g, "-")}`);
    throw new Error(`header never said ${label}; it said ${state} (${detail})\n${atrium?.stderr() ?? ""}`, { cause: e });
  }
}

/** The text of one column in the rendered rows, top to bottom. */
async function column(page, name) {
  return page.locator(`.grid-row [data-column="${name}"]`).allTextContents();
}

describe("the Data area", () => {
  let project;
  let engine;
  let atrium;
  let browser;
  let page;
  let client;

  const exports = mkdtempSync(join(tmpdir(), "atrium-data-exports-"));

  before(async () => {
    project = generateProject();
    engine = await startEngine(project.dir);
    client = new ConvexHttpClient(engine.url);
    await client.mutation("people:add", { people: PEOPLE });
    atrium = await startBrowserMode({ env: { ATRIUM_EXPORT_DIR: exports } });
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.goto(atrium.url);
  });

  after(async () => {
    await browser?.close();
    await atrium?.stop();
    await engine?.stop();
    project?.remove();
    rmSync(exports, { recursive: true, force: true });
  });

  test("connects through the Connections dialog", async () => {
    // The built-in sample project is connected by default.
    await waitForState(page, "Connected", atrium);
    assert.equal(await page.getByTestId("deployment-name").textContent(), "Sample project");
    const dialog = await addConnection(page, { name: "People", url: engine.url, key: engine.adminKey });
    await dialog.getByRole("button", { name: "Test connection" }).click();
    assert.match(await dialog.getByTestId("test-result").textContent(), /Connected to http:\/\/127\.0\.0\.1:\d+: the key may read and write/);
    await shot(page, "connection-form");
    await dialog.getByRole("button", { name: "Save and connect" }).click();
    await dialog.waitFor({ state: "detached" });
    await waitForState(page, "Connected", atrium);
    assert.equal(await page.getByTestId("deployment-name").textContent(), "People");
    await page.getByTestId("count-people").filter({ hasText: "40" }).waitFor();
    await page.getByTestId("view-count").filter({ hasText: "40 documents" }).waitFor();
    assert.equal(await page.getByTestId("live-indicator").textContent(), "Live");
    // Columns in the schema's declared order, not alphabetical.
    const headers = await page.getByRole("columnheader").allTextContents();
    assert.deepEqual(headers.slice(2, 6), ["_id", "name", "age", "city"]);
    // Newest first: the last inserted person is on top.
    assert.equal((await column(page, "name"))[0], "P39");
    await shot(page, "table");
  });

  test("filters with AND and with OR", async () => {
    const filter = page.getByLabel("Filter", { exact: true });
    await filter.fill('city == "Oslo" and age > 30');
    await filter.press("Enter");
    const and = PEOPLE.filter((p) => p.city === "Oslo" && p.age > 30);
    await page.getByTestId("view-count").filter({ hasText: `${and.length} matching` }).waitFor();
    assert.deepEqual((await column(page, "name")).sort(), and.map((p) => p.name).sort());
    await shot(page, "filter-and");

    await filter.fill('city == "Oslo" or city == "Rome"');
    await filter.press("Enter");
    await page.getByTestId("view-count").filter({ hasText: "20 matching · scanned 40 (all)" }).waitFor();
    const cities = new Set(await column(page, "city"));
    assert.deepEqual([...cities].sort(), ["Oslo", "Rome"]);
    await shot(page, "filter-or");
    // The filtered view exported as it stands.
    await page.getByLabel("Export view").selectOption("csv");
    const saved = page.getByRole("status").filter({ hasText: /^Saved 20 documents to / });
    await saved.waitFor({ timeout: 15_000 });
    const path = /to (\S+\.csv)/.exec(await saved.textContent())?.[1];
    assert.ok(path?.startsWith(exports), await saved.textContent());
    const [header, ...lines] = readFileSync(path, "utf8").trim().split("\n");
    const city = header.split(",").indexOf("city");
    assert.ok(city >= 0, header);
    assert.equal(lines.length, 20);
    assert.ok(lines.every((l) => ["Oslo", "Rome"].includes(l.split(",")[city])), lines.join("\n"));
    await page.getByRole("button", { name: "Reset" }).click();
    await page.getByTestId("view-count").filter({ hasText: "40 documents" }).waitFor();
  });

  test("sorts by a column without an index", async () => {
    await page.getByRole("columnheader", { name: "age" }).getByRole("button").click();
    await page.getByTestId("view-count").filter({ hasText: "scanned 40" }).waitFor();
    assert.equal(await page.getByRole("columnheader", { name: "age" }).getAttribute("aria-sort"), "ascending");
    const ages = (await column(page, "age")).map(Number);
    const sorted = [...ages].sort((a, b) => a - b);
    assert.deepEqual(ages, sorted);
    assert.equal(ages[0], Math.min(...PEOPLE.map((p) => p.age)));
    await shot(page, "sorted");
    await page.getByRole("button", { name: "Reset" }).click();
    await page.getByTestId("view-count").filter({ hasText: "40 documents" }).waitFor();
  });

  test("reads a range of an index, and sorts by an indexed column in index order", async () => {
    await page.getByLabel("Index", { exact: true }).selectOption("by_city");
    const range = page.getByLabel("Index range");
    await range.fill('city == "Rome"');
    await range.press("Enter");
    await page.getByTestId("view-count").filter({ hasText: "10 documents · index by_city" }).waitFor();
    assert.deepEqual([...new Set(await column(page, "city"))], ["Rome"]);
    await shot(page, "index-range");
    // A filter with the range: the deployment reads the range, the rest filters what it holds.
    await range.fill('city == "Rome" and age > 30');
    await range.press("Enter");
    const expected = PEOPLE.filter((p) => p.city === "Rome" && p.age > 30).length;
    await page.getByTestId("view-count").filter({ hasText: `${expected} matching · scanned 10 (all)` }).waitFor();
    assert.deepEqual([...new Set(await column(page, "city"))], ["Rome"]);
    assert.ok((await column(page, "age")).every((age) => Number(age) > 30));
    await shot(page, "index-range-filter");
    await page.getByRole("button", { name: "Reset" }).click();
    await page.getByTestId("view-count").filter({ hasText: /^40 documents$/ }).waitFor();
    // city has an index: sorting by it is a window in index order, not a scan.
    await page.getByRole("columnheader", { name: "city" }).getByRole("button").click();
    await page.getByTestId("view-count").filter({ hasText: "40 documents · index by_city" }).waitFor();
    const cities = await column(page, "city");
    assert.deepEqual(cities, [...cities].sort());
    await page.getByRole("button", { name: "Reset" }).click();
    await page.getByTestId("view-count").filter({ hasText: /^40 documents$/ }).waitFor();
  });

  test("edits a cell, and shows a schema error inline", async () => {
    const cell = page.locator('.grid-row[data-row="0"] [data-column="name"]');
    await cell.dblclick();
    await page.getByLabel("Edit name").fill("Renamed");
    await page.getByLabel("Edit name").press("Enter");
    await cell.filter({ hasText: "Renamed" }).waitFor();
    const stored = await client.query("people:list", {});
    assert.ok(stored.some((p) => p.name === "Renamed"));

    const age = page.locator('.grid-row[data-row="0"] [data-column="age"]');
    await age.dblclick();
    await page.getByLabel("Edit age").fill("forty");
    await page.getByLabel("Edit age").press("Enter");
    const error = page.locator(".cell-error");
    await error.waitFor();
    assert.equal(await error.textContent(), "age must be a number, not string");
    await shot(page, "cell-error");
    await page.getByLabel("Edit age").press("Escape");
  });

  test("stages two edits and commits them together", async () => {
    await page.getByLabel("Stage edits").check();
    for (const [row, name] of [
      [1, "Staged A"],
      [2, "Staged B"],
    ]) {
      await page.locator(`.grid-row[data-row="${row}"] [data-column="name"]`).dblclick();
      await page.getByLabel("Edit name").fill(name);
      await page.getByLabel("Edit name").press("Enter");
    }
    assert.equal(await page.getByTestId("staged-count").textContent(), "2 staged changes");
    await page.getByRole("button", { name: "Review" }).click();
    assert.equal(await page.locator(".staged-list li").count(), 2);
    let stored = await client.query("people:list", {});
    assert.ok(!stored.some((p) => p.name.startsWith("Staged")), "nothing is written before Commit");
    await shot(page, "staged");
    await page.getByRole("button", { name: "Commit", exact: true }).click();
    await page.getByTestId("staged-count").waitFor({ state: "detached" });
    stored = await client.query("people:list", {});
    assert.deepEqual(stored.filter((p) => p.name.startsWith("Staged")).map((p) => p.name).sort(), ["Staged A", "Staged B"]);
    await page.locator('.grid-row[data-row="2"] [data-column="name"]').filter({ hasText: "Staged B" }).waitFor();
    await page.getByLabel("Stage edits").uncheck();
  });

  test("deletes selected documents after confirming the count", async () => {
    const names = await column(page, "name");
    await page.getByLabel("Select row 4").check();
    await page.getByLabel("Select row 5").check();
    await page.getByRole("button", { name: "Delete (2)" }).click();
    const dialog = page.getByRole("alertdialog");
    assert.equal(await dialog.locator("#confirm-message").textContent(), "Delete 2 documents from people?");
    await shot(page, "delete-confirm");
    await dialog.getByRole("button", { name: "Delete 2" }).click();
    await page.getByTestId("view-count").filter({ hasText: "38 documents" }).waitFor();
    const left = await client.query("people:list", {});
    assert.equal(left.length, 38);
    for (const gone of names.slice(3, 5)) assert.ok(!left.some((p) => p.name === gone), `${gone} deleted`);
  });

  test("shows a document inserted by another client without a reload", async () => {
    await client.mutation("people:add", { people: [{ name: "Live Person", age: 33, city: "Lima" }] });
    await page.locator('.grid-row[data-row="0"] [data-column="name"]').filter({ hasText: "Live Person" }).waitFor({ timeout: 5_000 });
    await page.getByTestId("view-count").filter({ hasText: "39 documents" }).waitFor();
    await page.getByTestId("count-people").filter({ hasText: "39" }).waitFor();
    await shot(page, "live-insert");
  });

  test("creates a table", async () => {
    await page.getByRole("button", { name: "+ New table" }).click();
    const dialog = page.getByRole("dialog", { name: "New table" });
    await dialog.getByLabel("Table name").fill("empty_things");
    await dialog.getByRole("button", { name: "Create table" }).click();
    await page.getByTestId("count-empty_things").filter({ hasText: "0" }).waitFor();
    await page.getByText("No documents.").waitFor();
    await page.getByRole("button", { name: /^people/ }).click();
    await page.getByTestId("view-count").filter({ hasText: "39 documents" }).waitFor();
  });

  test("opens a document with its history", async () => {
    await page.locator('.grid-row[data-row="1"] [data-column="_id"] .id-link').click();
    const panel = page.getByTestId("document-panel");
    await panel.waitFor();
    // Row 1 was edited once (Staged A): two revisions (the panel loads them after opening).
    await panel.getByTestId("history").locator("li").nth(1).waitFor();
    assert.equal(await panel.getByTestId("history").locator("li").count(), 2);
    // The newest revision marks the one field the edit changed.
    const changed = panel.getByTestId("history").locator("li").first().locator('[data-change="changed"]');
    assert.equal(await changed.count(), 1);
    assert.match(await changed.textContent(), /^~ name: /);
    assert.equal(await panel.getByTestId("history").locator("li").first().locator('[data-change="same"]').count(), 2);
    await shot(page, "document-panel");
    await panel.getByRole("button", { name: "Close document panel" }).click();
  });

  test("shows the declared schema in Convex's validator syntax", async () => {
    await page.getByRole("button", { name: "Schema", exact: true }).click();
    const declared = page.getByTestId("declared-schema");
    assert.equal(await declared.textContent(), "v.object({\n  name: v.string(),\n  age: v.float64(),\n  city: v.string(),\n})");
    await shot(page, "schema-panel");
    await page.getByRole("button", { name: "Schema", exact: true }).click();
  });
});

describe("the header's connection states", () => {
  let project;
  let engine;
  let atrium;
  let browser;
  let page;

  before(async () => {
    project = generateProject();
    atrium = await startBrowserMode({ env: { ATRIUM_SAMPLE_PROJECT: "" } });
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.goto(atrium.url);
  });

  after(async () => {
    await browser?.close();
    await atrium?.stop();
    await engine?.stop();
    project?.remove();
  });

  test("a wrong key, an unreachable URL, and a dropped connection that comes back", async () => {
    const data = mkdtempSync(join(tmpdir(), "atrium-engine-keep-"));
    engine = await startEngine(project.dir, { data });
    const port = new URL(engine.url).port;

    // "Save and connect" keeps neither a wrong key nor a URL nothing answers: "Save" keeps
    // them anyway, and connecting from the list shows the header's state.
    const saveAnywayAndConnect = async (dialog, name) => {
      await dialog.getByRole("button", { name: "Save and connect" }).click();
      await dialog.getByTestId("test-result").filter({ hasText: /^Not saved: / }).waitFor({ timeout: 15_000 });
      await dialog.getByRole("button", { name: "Save", exact: true }).click();
      await dialog.locator("li", { hasText: name }).getByRole("button", { name: "Connect" }).click();
    };
    let dialog = await addConnection(page, { name: "Wrong key", url: engine.url, key: "local|00ff" });
    await saveAnywayAndConnect(dialog, "Wrong key");
    await waitForState(page, "Admin key refused", atrium);
    assert.match(await page.getByTestId("connection-detail").textContent(), /admin key/);
    await shot(page, "state-refused");

    dialog = await addConnection(page, { name: "Nowhere", url: "http://127.0.0.1:9", key: "k" });
    await saveAnywayAndConnect(dialog, "Nowhere");
    await waitForState(page, "Unreachable", atrium);
    await shot(page, "state-unreachable");

    dialog = await addConnection(page, { name: "Flaky", url: engine.url, key: engine.adminKey });
    await dialog.getByRole("button", { name: "Save and connect" }).click();
    await waitForState(page, "Connected", atrium);
    await engine.stop();
    await waitForState(page, "Connection lost", atrium);
    await shot(page, "state-lost");
    engine = await startEngine(project.dir, { port, data });
    await waitForState(page, "Connected", atrium);
    await page.getByTestId("live-indicator").filter({ hasText: "Live" }).waitFor({ timeout: 20_000 });
    rmSync(data, { recursive: true, force: true });
  });
});
