// The Schedules area in Chromium against `atrium-engine` (schedules fixture): pending jobs
// counting down, a cancel, a run-now, cancel-all after a confirmation, and the every-second
// cron's history filling live; screenshots in light and dark.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ConvexHttpClient } from "convex/browser";
import { ARTIFACTS, REPO, startBrowserMode } from "./lib/atrium.mjs";
import { launchChromium } from "./lib/chromium.mjs";
import { startEngine } from "./lib/engine.mjs";

describe("the Schedules area", () => {
  let engine;
  let atrium;
  let browser;
  let page;
  const data = mkdtempSync(join(tmpdir(), "atrium-engine-schedules-"));

  before(async () => {
    engine = await startEngine(join(REPO, "tests/fixtures/schedules"), { data });
    atrium = await startBrowserMode({ env: { ATRIUM_SAMPLE_PROJECT: "" } });
    const saved = await atrium.rpc("save_connection", { id: null, name: "Schedules", url: engine.url, colour: "#10b981", safe_mode: "normal", admin_key: engine.adminKey });
    await atrium.rpc("connect", { id: saved.connections[0].id });
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(atrium.url);
    await page.getByTestId("connection-state").filter({ hasText: "Connected" }).waitFor({ timeout: 30_000 });
  });

  after(async () => {
    await browser?.close();
    await atrium?.stop();
    await engine?.stop();
    rmSync(data, { recursive: true, force: true });
  });

  const rows = (state) => page.locator(`[data-testid="scheduled-job"][data-state="${state}"]`);

  test("pending jobs count down; one is cancelled, one runs now", async () => {
    await new ConvexHttpClient(engine.url).mutation("schedules:scheduleMany", { count: 3 });
    await page.locator('nav [data-area="schedules"]').click();
    await page.getByTestId("area-schedules").waitFor();
    await rows("pending").nth(2).waitFor({ timeout: 10_000 });
    const when = rows("pending").first().getByTestId("job-when");
    const first = await when.textContent();
    assert.match(first, /^in \d+ s$/);
    await page.waitForFunction((text) => document.querySelector('[data-state="pending"] [data-testid="job-when"]')?.textContent !== text, first, { timeout: 5000 });
    await page.screenshot({ path: join(ARTIFACTS, "schedules-light.png") });

    await rows("pending").first().getByTestId("job-cancel").click();
    await rows("canceled").first().waitFor({ timeout: 5000 });
    await rows("pending").first().getByTestId("job-run-now").click();
    await rows("success").first().waitFor({ timeout: 5000 });
    assert.equal(await rows("pending").count(), 1);
  });

  test("cancel all matching asks first, then cancels", async () => {
    await page.getByLabel("Function", { exact: true }).fill("schedules:tick");
    await page.getByTestId("cancel-all").click();
    const dialog = page.getByRole("alertdialog");
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /Cancel every scheduled run of schedules:tick/);
    await dialog.getByRole("button", { name: "Cancel all" }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="scheduled-job"][data-state="pending"]').length === 0, null, { timeout: 5000 });
    assert.equal(await rows("canceled").count(), 2);
    await page.getByLabel("Function", { exact: true }).fill("");
  });

  test("the every-second cron's history fills live, in words, and runs now", async () => {
    const counter = page.locator('[data-testid="cron-job"][data-name="counter"]');
    await counter.waitFor();
    assert.equal(await counter.getByTestId("cron-schedule").textContent(), "Every second");
    const midnight = page.locator('[data-testid="cron-job"][data-name="midnight"]');
    assert.equal(await midnight.getByTestId("cron-schedule").textContent(), "Every day at 00:00 UTC");
    const runs = counter.getByTestId("cron-run");
    await runs.nth(1).waitFor({ timeout: 10_000 });
    const newest = await runs.first().getAttribute("data-status");
    assert.equal(newest, "success");
    const firstText = await counter.getByTestId("cron-runs").textContent();
    await page.waitForFunction((text) => document.querySelector('[data-name="counter"] [data-testid="cron-runs"]')?.textContent !== text, firstText, { timeout: 5000 });

    await midnight.getByTestId("cron-run-now").click();
    await midnight.getByTestId("cron-run").first().waitFor({ timeout: 10_000 });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
    await page.screenshot({ path: join(ARTIFACTS, "schedules-dark.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "light" });
  });
});
