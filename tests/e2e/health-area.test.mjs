// The Health area in Chromium against `atrium-engine` (chat fixture): calls that succeed
// and one that fails, a live subscription held by the official client, then the overview —
// failure rate, the failing function first in its list linking to the Logs filtered to it,
// the slowest functions, the subscription count with invalidations per minute measured
// between two reads, table sizes linking to Data; then a Convex-shaped engine
// (`--as-convex`), where the subscription figure says plainly it is not offered.
// Screenshots in light and dark.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { ARTIFACTS, REPO } from "./lib/atrium.mjs";
import { openConnected, screenshotsLightAndDark } from "./lib/connected.mjs";
import { startEngine } from "./lib/engine.mjs";

/** Sends three messages and removes one twice (the second removal fails). */
async function traffic(engine) {
  const http = new ConvexHttpClient(engine.url);
  for (const body of ["a", "b", "c"]) await http.mutation("messages:send", { body, author: "ann" });
  const [first] = await http.query("messages:list", {});
  await http.mutation("messages:remove", { id: first._id });
  await assert.rejects(http.mutation("messages:remove", { id: first._id }));
}

describe("the Health area", () => {
  let engine;
  let ui;
  let page;
  let live;

  before(async () => {
    engine = await startEngine(join(REPO, "tests/fixtures/chat"));
    await traffic(engine);
    live = new ConvexClient(engine.url);
    await new Promise((resolve) => live.onUpdate("messages:list", {}, resolve));
    ui = await openConnected(engine, { name: "Local chat" });
    page = ui.page;
  });

  after(async () => {
    await live?.close();
    await ui?.stop();
    await engine?.stop();
  });

  test("shows the failure rate, the failing and slowest functions, subscriptions and tables", async () => {
    await page.locator('nav [data-area="health"]').click();
    await page.getByTestId("area-health").waitFor();
    const failure = page.getByTestId("tile-failure");
    await failure.filter({ hasText: /1 of \d+ calls/ }).waitFor({ timeout: 15_000 });
    const failing = page.getByTestId("top-failing").locator("tbody tr");
    assert.equal(await failing.count(), 1);
    assert.match(await failing.first().textContent(), /^messages:remove/);
    assert.ok((await page.getByTestId("top-slowest").locator("tbody tr").count()) >= 3);
    await page.getByTestId("tile-subscriptions").filter({ hasText: /^Live subscriptions[1-9]/ }).waitFor({ timeout: 10_000 });
    // A write re-runs the live query; the next read measures it.
    await new ConvexHttpClient(engine.url).mutation("messages:send", { body: "d", author: "bob" });
    await page.getByTestId("tile-subscriptions").filter({ hasText: /[1-9][\d.]* invalidations per minute/ }).waitFor({ timeout: 20_000 });
    const messages = page.getByTestId("table-sizes").locator("a", { hasText: "messages" });
    assert.equal(await messages.getAttribute("href"), "#/data/messages");
    await page.getByTestId("tile-storage").filter({ hasText: /3 documents/ }).waitFor({ timeout: 10_000 });
    await screenshotsLightAndDark(page, "health");
  });

  test("a failing function links to the Logs filtered to it", async () => {
    await page.getByTestId("top-failing").getByRole("link", { name: "Logs" }).click();
    await page.getByTestId("area-logs").waitFor();
    assert.equal(await page.getByTestId("area-logs").getByLabel("Function", { exact: true }).inputValue(), "messages:remove");
  });

  test("the palette reaches Health", async () => {
    await page.keyboard.press("Control+K");
    const palette = page.getByTestId("palette");
    await palette.waitFor();
    await page.keyboard.type("Health");
    await page.screenshot({ path: join(ARTIFACTS, "health-palette.png") });
    await palette.locator('[role="option"][aria-selected="true"][data-key="area:health"]').waitFor({ timeout: 5000 });
    await page.keyboard.press("Enter");
    await page.getByTestId("area-health").waitFor();
  });
});

describe("Health of a Convex-shaped deployment", () => {
  let engine;
  let ui;

  before(async () => {
    engine = await startEngine(join(REPO, "tests/fixtures/chat"), { args: ["--as-convex"] });
    await traffic(engine);
    ui = await openConnected(engine, { name: "Convex-shaped" });
  });

  after(async () => {
    await ui?.stop();
    await engine?.stop();
  });

  test("says the subscription figures are not offered; the rest still shows", async () => {
    const { page } = ui;
    await page.locator('nav [data-area="health"]').click();
    await page.getByTestId("tile-subscriptions").filter({ hasText: "not offered" }).waitFor({ timeout: 15_000 });
    await page.getByTestId("tile-storage").filter({ hasText: /documents/ }).waitFor();
    assert.equal(await page.getByText("Reading the deployment's health…").count(), 0, "no endless wait");
  });
});
