// The Data area's search box in Chromium on the built-in sample project: the `tasks`
// table's search index `search_text` (searchField `text`, filterFields `done`) answers
// typed text in relevance order, a filter field narrows it, a task added meanwhile shows
// up, and the schema panel lists the search index as ready. Screenshots light and dark.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ARTIFACTS, startBrowserMode } from "./lib/atrium.mjs";
import { launchChromium } from "./lib/chromium.mjs";

const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `data-search-${name}.png`) });

describe("the Data area's search box", () => {
  let atrium;
  let browser;
  let page;

  before(async () => {
    atrium = await startBrowserMode();
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(atrium.url);
  });

  after(async () => {
    await browser?.close();
    await atrium?.stop();
  });

  const hits = () => page.getByTestId("search-hit").locator("td:nth-child(2)").allTextContents();

  test("searches a table's search index, most relevant first, with a filter field", async () => {
    await page.getByTestId("connection-state").filter({ hasText: "Connected" }).waitFor({ timeout: 60_000 });
    await page.getByTestId("count-tasks").waitFor({ timeout: 30_000 });
    await page.getByTestId("count-tasks").click();
    const search = page.getByLabel("Search text");
    await search.waitFor();
    await search.fill("rotate");
    await page.getByTestId("search-results").filter({ hasText: "2 most relevant first" }).waitFor();
    // The shorter text matches more densely: first.
    assert.deepEqual(await hits(), ["Rotate the API keys", "Crash on rotate in settings"]);

    await search.fill("the");
    await page.getByTestId("search-results").filter({ hasText: "6 most relevant first" }).waitFor();
    const all = await hits();
    assert.equal(all.length, 6, all.join(" | "));
    await page.getByLabel("Filter done").fill("false");
    await page.getByTestId("search-results").filter({ hasText: "4 most relevant first" }).waitFor();
    const open = await hits();
    assert.ok(!open.some((t) => /runbook|offline/.test(t)), open.join(" | "));
    await page.getByRole("button", { name: "Schema" }).click();
    const index = page.getByTestId("search-index");
    await index.waitFor();
    assert.match(await index.textContent(), /search_text search text · filters \[done\] ready/);
    await shot(page, "light");
    await page.emulateMedia({ colorScheme: "dark" });
    await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
    await shot(page, "dark");
    await page.emulateMedia({ colorScheme: "light" });
  });

  test("a prefix of the last word matches, and nothing matching says so", async () => {
    await page.getByLabel("Filter done").fill("");
    await page.getByLabel("Search text").fill("compr");
    await page.getByTestId("search-results").filter({ hasText: "1 most relevant first" }).waitFor();
    assert.deepEqual(await hits(), ["Compress hero images"]);
    await page.getByLabel("Search text").fill("xylophone");
    await page.getByTestId("search-results").filter({ hasText: "No documents match." }).waitFor();
  });
});
