// The Vector area in Chromium against the built-in sample project's `notes.by_embedding`
// (12 notes, 8 dimensions, filter field `topic`): the index's state, the 2D map (hover
// shows a document), "more like this" from a map point with scored results, a topic
// filter, a wrong-length pasted vector, the recall check and its chart, and a result's
// link opening the document in the Data area.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ARTIFACTS, startBrowserMode } from "./lib/atrium.mjs";
import { launchChromium } from "./lib/chromium.mjs";

describe("the Vector area", () => {
  let atrium;
  let browser;
  let page;

  before(async () => {
    atrium = await startBrowserMode();
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.setViewportSize({ width: 1400, height: 1500 });
    await page.goto(atrium.url);
    await page.getByTestId("connection-state").filter({ hasText: "Connected" }).waitFor({ timeout: 30_000 });
    await page.locator('nav [data-area="vector"]').click();
    await page.getByTestId("area-vector").waitFor();
  });

  after(async () => {
    await browser?.close();
    await atrium?.stop();
  });

  const scores = async () =>
    (await page.locator('[data-testid="vector-results"] td.score').allTextContents()).map(Number);
  const resultIds = async () =>
    page.locator('[data-testid="vector-results"] tbody tr td:nth-child(3)').allTextContents();

  test("shows the index, maps it, and searches more like a point", async () => {
    await page.getByRole("button", { name: /notes\.by_embedding/ }).waitFor();
    const details = page.getByTestId("vector-details");
    assert.match(await details.textContent(), /embedding · 8 dimensions · cosine similarity/);
    assert.equal(await page.getByTestId("vector-count").textContent(), "12");
    assert.match(await page.getByTestId("vector-mode").textContent(), /Exact scan/);

    // The map: 12 points in three colours, one per topic.
    const points = page.locator('[data-testid="map-plot"] circle');
    await page.getByTestId("map-summary").waitFor();
    assert.equal(await points.count(), 12);
    assert.match(await page.getByTestId("map-summary").textContent(), /12 of 12 vectors/);
    const fills = new Set(await points.evaluateAll((els) => els.map((e) => e.getAttribute("fill"))));
    assert.equal(fills.size, 3, "coloured by topic");
    const legend = await page.locator(".map-legend li").allTextContents();
    assert.deepEqual(legend.map((t) => t.trim()), ["cooking", "engineering", "travel"]);

    // Hover shows the document; click searches from it.
    const point = points.nth(4);
    const id = await point.getAttribute("data-id");
    await point.hover();
    const tooltip = page.getByTestId("map-tooltip");
    await tooltip.filter({ hasText: /title: \w+ note \d+/ }).waitFor();
    assert.match(await tooltip.textContent(), new RegExp(id));
    await page.getByTestId("vector-map").screenshot({ path: join(ARTIFACTS, "vector-map.png") });
    await point.click();
    await page.getByTestId("vector-results").waitFor();
    const ids = await resultIds();
    assert.equal(ids.length, 10);
    assert.equal(ids[0], id, "a document is most like itself");
    const found = await scores();
    assert.ok(Math.abs(found[0] - 1) < 1e-3, `first score ${found[0]}`);
    assert.deepEqual([...found].sort((a, b) => b - a), found, "best first");
    assert.match(await page.getByTestId("vector-result-summary").textContent(), /10 results of 12 candidate vectors · exact scan/);
    await page.screenshot({ path: join(ARTIFACTS, "vector-area.png"), fullPage: true });

    // A second point, clicked with the map scrolled into view below the results: the new
    // results (above the map) are brought into view, their summary line on screen.
    const other = points.nth(0);
    const otherId = await other.getAttribute("data-id");
    await page.getByTestId("vector-map").evaluate((map) => map.scrollIntoView({ block: "start" }));
    const onScreen = () =>
      page.evaluate(() => {
        const box = document.querySelector('[data-testid="vector-result-summary"]').getBoundingClientRect();
        return box.top >= 0 && box.bottom <= window.innerHeight;
      });
    assert.equal(await onScreen(), false, "the map is far enough below the results for this to test something");
    await other.click();
    await page.waitForFunction((id) => document.querySelector('[data-testid="vector-results"] tbody tr')?.textContent.includes(id), otherId);
    await page.waitForFunction(() => {
      const box = document.querySelector('[data-testid="vector-result-summary"]').getBoundingClientRect();
      return box.top >= 0 && box.bottom <= window.innerHeight;
    }, null, { timeout: 5_000 });
    await page.screenshot({ path: join(ARTIFACTS, "vector-map-pick.png") });
  });

  test("filters by topic and names a wrong-length vector", async () => {
    await page.getByLabel("Filter topic").fill("cooking");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.getByTestId("vector-result-summary").filter({ hasText: "4 results of 4 candidate" }).waitFor();
    const previews = await page.locator('[data-testid="vector-results"] tbody td:nth-child(4)').allTextContents();
    assert.equal(previews.length, 4);
    assert.ok(previews.every((p) => p.includes("topic: cooking")), previews.join("\n"));

    await page.getByRole("tab", { name: "A vector" }).click();
    await page.getByLabel("Vector", { exact: true }).fill("[1, 0.5]");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.getByRole("alert").filter({ hasText: "The index expects 8 dimensions; this vector has 2." }).waitFor();
    await page.getByLabel("Vector", { exact: true }).fill("1, 0, 0, 1, 0, 0, 1, 0");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.getByTestId("vector-result-summary").filter({ hasText: "4 results" }).waitFor();
    await page.getByLabel("Filter topic").fill("");
  });

  test("runs the recall check and charts it", async () => {
    await page.getByRole("button", { name: "Run recall check" }).click();
    const summary = page.getByTestId("recall-summary");
    await summary.waitFor({ timeout: 30_000 });
    const text = await summary.textContent();
    const match = /recall@10 = (\d\.\d{3}) over (\d+) queries/.exec(text);
    assert.ok(match, text);
    const recall = Number(match[1]);
    assert.ok(recall > 0 && recall <= 1, text);
    assert.equal(Number(match[2]), 12, "every vector once (fewer than the 100 asked)");
    assert.equal(await page.locator('[data-testid="recall-chart"] rect').count(), 12);
    assert.match(await page.getByTestId("vector-recall").textContent(), /graph built over them for this check/);
    await page.getByTestId("vector-recall").screenshot({ path: join(ARTIFACTS, "vector-recall.png") });
  });

  test("a result's link opens the document in the Data area", async () => {
    const first = page.locator('[data-testid="vector-results"] tbody tr').first();
    const id = (await first.locator("td:nth-child(3)").textContent()).trim();
    await first.locator("a.id-link").click();
    await page.getByTestId("area-data").waitFor();
    await page.locator(".doc-panel").filter({ hasText: id }).waitFor();
    assert.match(new URL(page.url()).hash, /^#\/data\/notes/);
  });
});
