// The Logs and Subscriptions areas in Chromium against `atrium-engine` (chat fixture): a
// mutation from the official ConvexHttpClient shows up in the live log tail; filters by
// function and status; the inspector lists a query the official ConvexClient keeps live
// and names the mutation that re-ran it.
import assert from "node:assert/strict";
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

  before(async () => {
    engine = await startEngine(join(REPO, "tests/fixtures/chat"));
    atrium = await startBrowserMode({ env: { ATRIUM_SAMPLE_PROJECT: "" } });
    const rpc = (command, payload) =>
      fetch(`${atrium.origin}/api/rpc/${command}`, {
        method: "POST",
        headers: { authorization: `Bearer ${atrium.token}`, "content-type": "application/json" },
        body: JSON.stringify(payload),
      }).then((r) => r.json());
    const saved = await rpc("save_connection", { id: null, name: "Chat", url: engine.url, colour: "#3b82f6", safe_mode: "normal", admin_key: engine.adminKey });
    await rpc("connect", { id: saved.connections[0].id });
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

    await page.getByLabel("Function", { exact: true }).fill("send");
    assert.equal(await page.getByTestId("log-list").locator(".log-entry").filter({ hasText: "messages:list" }).count(), 0);
    assert.ok((await row.count()) >= 1);
    await page.getByLabel("Status").selectOption("failure");
    assert.equal(await row.count(), 0, "the send succeeded");
    await page.getByLabel("Status").selectOption("all");
    await row.first().getByRole("button").first().click();
    assert.match(await page.locator(".log-detail pre").first().textContent(), /Mutation messages:send ok/);
    await page.screenshot({ path: join(ARTIFACTS, "logs-tail.png") });
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

    await new ConvexHttpClient(engine.url).mutation("messages:send", { author: "ann", body: "re-run it" });
    await row.filter({ hasText: "messages:send wrote messages" }).waitFor({ timeout: 10_000 });
    assert.match(await row.textContent(), /\{"author":"ann"\}/);
    assert.match(await row.textContent(), /messages\.by_author/);
    assert.ok(updates >= 2, "the client saw the new result");
    await page.screenshot({ path: join(ARTIFACTS, "subscriptions-inspector.png") });
  });
});
