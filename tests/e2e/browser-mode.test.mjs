// The UI in browser mode: the real `atrium --browser` binary, driven in Debian's Chromium.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { join } from "node:path";
import { ARTIFACTS, startBrowserMode } from "./lib/atrium.mjs";
import { launchChromium } from "./lib/chromium.mjs";

const AREAS = [
  ["data", "Data"],
  ["functions", "Functions"],
  ["logs", "Logs"],
  ["schedules", "Schedules"],
  ["subscriptions", "Subscriptions"],
  ["vector", "Vector"],
  ["query", "Query"],
  ["project", "Project"],
  ["settings", "Settings"],
];

describe("browser mode", () => {
  let atrium;
  let browser;

  before(async () => {
    atrium = await startBrowserMode();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await atrium?.stop();
  });

  test("refuses requests without the launch token", async () => {
    for (const path of ["/", "/index.html", "/?token=0000"]) {
      const response = await fetch(atrium.origin + path, { redirect: "manual" });
      assert.equal(response.status, 401, path);
    }
    const rpc = await fetch(`${atrium.origin}/api/rpc/app_info`, { method: "POST" });
    assert.equal(rpc.status, 401);
    const withToken = await fetch(`${atrium.origin}/api/rpc/app_info`, {
      method: "POST",
      headers: { authorization: `Bearer ${atrium.token}` },
    });
    assert.equal(withToken.status, 200);
    assert.equal((await withToken.json()).host, "browser");
  });

  test("opens from the printed URL and shows the shell", async () => {
    const page = await browser.context.newPage();
    await page.goto(atrium.url);
    // The token is traded for a cookie and dropped from the address bar.
    assert.equal(new URL(page.url()).search, "");
    await page.getByRole("navigation", { name: "Areas" }).waitFor();
    // The built-in sample project is connected by default.
    const state = page.getByTestId("connection-state");
    await state.filter({ hasText: "Connected" }).waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId("deployment-name").textContent(), "Sample project");
    await page.screenshot({ path: join(ARTIFACTS, "browser-shell.png") });
    await page.close();
  });

  test("every area is reachable from the sidebar and says what it shows", async () => {
    const page = await browser.context.newPage();
    await page.goto(atrium.url);
    for (const [id, label] of AREAS) {
      await page.locator(`nav [data-area="${id}"]`).click();
      await page.getByTestId(`area-${id}`).waitFor();
      assert.equal(await page.locator(".area-title").textContent(), label);
      assert.equal(await page.locator(`nav [data-area="${id}"]`).getAttribute("aria-current"), "page");
      // The area, and maybe its place in it (`#/data/<table>` once a table shows).
      assert.match(new URL(page.url()).hash, new RegExp(`^#/${id}($|/|\\?)`));
      const text = await page.getByTestId(`area-${id}`).textContent();
      if (id === "data") {
        // The sample project's tables, with counts.
        await page.getByTestId("count-tasks").waitFor();
        assert.match(await page.getByTestId("area-data").textContent(), /tasks/);
      } else if (id === "vector") {
        // The sample project's vector index.
        await page.getByRole("button", { name: /notes\.by_embedding/ }).waitFor();
      } else if (id === "settings") {
        assert.match(text, /Version/);
        assert.equal(await page.getByTestId("app-host").textContent(), "Browser mode");
        assert.match(await page.getByTestId("app-version").textContent(), /^\d+\.\d+\.\d+/);
      } else {
        // Built: they show the sample project's logs, functions, live queries and projects.
        assert.ok(text.length > 0, `${id} shows something`);
      }
    }
    await page.close();
  });

  test("areas are reachable from the keyboard and survive a reload", async () => {
    const page = await browser.context.newPage();
    await page.goto(atrium.url);
    await page.getByTestId("area-data").waitFor();
    await page.keyboard.press("Alt+3");
    await page.getByTestId("area-logs").waitFor();
    assert.equal(await page.locator(".area-title").textContent(), "Logs");
    await page.reload();
    await page.getByTestId("area-logs").waitFor();
    await page.keyboard.press("Alt+9");
    await page.getByTestId("area-settings").waitFor();
    await page.close();
  });

  test("the theme follows the OS, can be chosen, is saved, and reaches other tabs", async () => {
    const page = await browser.context.newPage();
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto(`${atrium.origin}/#/settings`);
    await page.getByTestId("area-settings").waitFor();
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
    assert.equal(await theme(), "dark", "System follows the OS (dark)");
    await page.emulateMedia({ colorScheme: "light" });
    await page.waitForFunction(() => document.documentElement.dataset.theme === "light");

    const other = await browser.context.newPage();
    await other.goto(`${atrium.origin}/#/data`);
    await other.getByTestId("area-data").waitFor();

    await page.getByRole("radio", { name: "Dark" }).check();
    await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
    // The other tab hears about it through the event stream.
    await other.waitForFunction(() => document.documentElement.dataset.theme === "dark", null, { timeout: 5000 });
    await page.screenshot({ path: join(ARTIFACTS, "browser-settings-dark.png") });

    await page.reload();
    await page.getByTestId("area-settings").waitFor();
    await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
    assert.equal(await page.getByRole("radio", { name: "Dark" }).isChecked(), true);

    await page.getByRole("radio", { name: "System" }).check();
    await page.waitForFunction(() => document.documentElement.dataset.theme === "light");
    await page.close();
    await other.close();
  });

  test("the built-in sample project is listed in the Project area while it runs", async () => {
    const page = await browser.context.newPage();
    await page.goto(atrium.url);
    await page.locator('nav [data-area="project"]').click();
    const row = page.locator('tr[data-project="Sample project"]');
    await row.waitFor();
    assert.equal(await row.getByTestId("project-state").textContent(), "Running");
    assert.match(await row.textContent(), /built in/);
    assert.match(await row.getByTestId("cli-env").textContent(), /CONVEX_SELF_HOSTED_URL=http:\/\/127\.0\.0\.1:\d+/);
    assert.equal(await row.getByRole("button", { name: "Remove" }).count(), 0, "Atrium's own project is not removed from here");
    assert.equal(await row.getByRole("button", { name: "Stop" }).count(), 0);
    await page.screenshot({ path: join(ARTIFACTS, "project-area-sample.png") });
    await row.getByRole("button", { name: "Open in Data" }).click();
    await page.getByTestId("count-tasks").waitFor();
    await page.close();
  });

  test("the runner pages through a paginated query", async () => {
    const page = await browser.context.newPage();
    await page.goto(atrium.url);
    await page.locator('nav [data-area="data"]').click();
    const total = Number(await page.getByTestId("count-tasks").textContent());
    await page.goto(atrium.url.replace(/#.*$/, "") + "#/functions/tasks:list");
    const bar = page.getByTestId("pagination");
    await bar.getByLabel("Page size").fill("4");
    await bar.getByRole("button", { name: "First page" }).click();
    const status = bar.getByTestId("page-status");
    const seen = new Set();
    for (let n = 1; ; n++) {
      await status.filter({ hasText: `Page ${n}:` }).waitFor();
      const value = JSON.parse(await page.getByTestId("run-value").textContent());
      for (const task of value.page) seen.add(task._id);
      if ((await status.textContent()).includes("the last page")) break;
      assert.equal(value.page.length, 4);
      assert.ok(n < 10, "the pages end");
      await bar.getByRole("button", { name: "Next page" }).click();
    }
    assert.equal(seen.size, total, "every task once, over the pages");
    assert.ok(await bar.getByRole("button", { name: "Next page" }).isDisabled());
    await page.screenshot({ path: join(ARTIFACTS, "functions-pagination.png") });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
    await page.screenshot({ path: join(ARTIFACTS, "functions-pagination-dark.png") });
    await page.emulateMedia({ colorScheme: "light" });
    await page.close();
  });

  test("the header says so when Atrium stops answering", async () => {
    const page = await browser.context.newPage();
    await page.goto(atrium.url);
    await page.getByTestId("area-data").waitFor();
    await atrium.stop();
    await page.getByTestId("connection-state").filter({ hasText: "Atrium unreachable" }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(ARTIFACTS, "browser-unreachable.png") });
    await page.close();
  });
});
