// The Project area in Chromium: create a project from the sample template in a new folder,
// start it on its own engine, write the official CLI's variables into its .env.local (the
// file checked; the window never shows the admin key), run the official CLI's
// `convex dev --once` there against it, and open it in the Data area. Then hot reload: a
// function saved on disk is served without a restart; a syntax error shows with file and
// line while the previous version keeps answering.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ConvexHttpClient } from "convex/browser";
import { ARTIFACTS, startBrowserMode } from "./lib/atrium.mjs";
import { launchChromium } from "./lib/chromium.mjs";

describe("the Project area", () => {
  let atrium;
  let browser;
  let page;
  const folders = mkdtempSync(join(tmpdir(), "atrium-projects-"));

  before(async () => {
    atrium = await startBrowserMode({ env: { ATRIUM_SAMPLE_PROJECT: "" } });
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.goto(atrium.url);
    await page.locator('nav [data-area="project"]').click();
    await page.getByTestId("area-project").waitFor();
  });

  after(async () => {
    await browser?.close();
    await atrium?.stop();
    rmSync(folders, { recursive: true, force: true });
  });

  test("creates a project from the template, starts it, and opens its tables", async () => {
    const dir = join(folders, "todo-app");
    await page.getByLabel("Project name").fill("Todo app");
    await page.getByLabel("Template").selectOption("sample");
    await page.getByLabel("Project folder").fill(dir);
    await page.getByRole("button", { name: "Create" }).click();
    const row = page.locator('tr[data-project="Todo app"]');
    await row.waitFor({ timeout: 30_000 });
    assert.equal(await row.getByTestId("project-state").textContent(), "Stopped");

    await row.getByRole("button", { name: "Start" }).click();
    await row.getByTestId("project-state").filter({ hasText: "Running" }).waitFor({ timeout: 30_000 });
    const url = /CONVEX_SELF_HOSTED_URL=(http:\/\/127\.0\.0\.1:\d+)/.exec(await row.getByTestId("cli-env").textContent())?.[1];
    assert.ok(url, "the deployment URL for the CLI is shown");

    await row.getByRole("button", { name: "Write .env.local" }).click();
    await page.getByRole("status").filter({ hasText: ".env.local" }).waitFor();
    const written = readFileSync(join(dir, ".env.local"), "utf8");
    assert.match(written, new RegExp(`^CONVEX_SELF_HOSTED_URL=${url}$`, "m"));
    const key = /^CONVEX_SELF_HOSTED_ADMIN_KEY=(.+)$/m.exec(written)?.[1];
    assert.ok(key);
    assert.ok(!(await page.content()).includes(key), "the admin key is not in the window");
    await page.screenshot({ path: join(ARTIFACTS, "project-area.png") });

    // The official CLI, from the project's own node_modules, reads .env.local and pushes.
    const env = { ...process.env, CONVEX_DEPLOYMENT: "", CONVEX_DEPLOY_KEY: "" };
    delete env.CONVEX_SELF_HOSTED_URL;
    delete env.CONVEX_SELF_HOSTED_ADMIN_KEY;
    const dev = spawnSync(join(dir, "node_modules/.bin/convex"), ["dev", "--once"], { cwd: dir, env, encoding: "utf8", timeout: 120_000 });
    assert.equal(dev.status, 0, `${dev.stdout}\n${dev.stderr}`);
    assert.match(`${dev.stdout}${dev.stderr}`, /Convex functions ready/);

    await row.getByRole("button", { name: "Open in Data" }).click();
    await page.getByTestId("area-data").waitFor();
    await page.getByTestId("connection-state").filter({ hasText: "Connected" }).waitFor({ timeout: 30_000 });
    await page.getByTestId("count-tasks").waitFor({ timeout: 15_000 });
    assert.match(await page.getByTestId("deployment-name").textContent(), /Todo app/);
  });

  test("reloads a function saved on disk, and reports a syntax error while the old one serves", async () => {
    const dir = join(folders, "todo-app");
    await page.locator('nav [data-area="project"]').click();
    const row = page.locator('tr[data-project="Todo app"]');
    const url = /CONVEX_SELF_HOSTED_URL=(\S+?)Copy/.exec(await row.getByTestId("cli-env").textContent())?.[1];
    const client = new ConvexHttpClient(url);
    const source = (greeting) =>
      `import { query } from "./_generated/server";\nexport const hello = query({ args: {}, handler: async () => ${JSON.stringify(greeting)} });\n`;
    const answers = async (expected) => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const got = await client.query("extra:hello", {}).catch((e) => String(e));
        if (got === expected) return;
        assert.ok(Date.now() < deadline, `still ${got}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    writeFileSync(join(dir, "convex/extra.ts"), source("hello v1"));
    await answers("hello v1");
    writeFileSync(join(dir, "convex/extra.ts"), source("hello v2"));
    await answers("hello v2");
    await row.getByTestId("reloads").waitFor();

    writeFileSync(join(dir, "convex/extra.ts"), 'import { query } from "./_generated/server";\nexport const hello = query({ args: {}, handler: async () => ( });\n');
    const error = row.getByTestId("reload-error");
    await error.waitFor({ timeout: 15_000 });
    assert.match(await error.textContent(), /extra\.ts:2:/);
    assert.equal(await client.query("extra:hello", {}), "hello v2", "the previous version still answers");
    await page.screenshot({ path: join(ARTIFACTS, "project-reload-error.png") });
    writeFileSync(join(dir, "convex/extra.ts"), source("hello v3"));
    await answers("hello v3");
    await error.waitFor({ state: "detached" });
  });

  test("exports a snapshot, resets the data after confirming, and imports the snapshot back", async () => {
    const row = page.locator('tr[data-project="Todo app"]');
    const url = /CONVEX_SELF_HOSTED_URL=(\S+?)Copy/.exec(await row.getByTestId("cli-env").textContent())?.[1];
    const client = new ConvexHttpClient(url);
    await client.mutation("tasks:add", { text: "kept in the snapshot" });
    const total = async () => (await new ConvexHttpClient(/CONVEX_SELF_HOSTED_URL=(\S+?)Copy/.exec(await row.getByTestId("cli-env").textContent())[1]).query("tasks:stats", {})).total;
    const before = await total();

    await row.getByRole("button", { name: "Data & settings" }).click();
    const tools = row.getByTestId("project-tools");
    await tools.getByRole("button", { name: "Export snapshot" }).click();
    const message = tools.getByTestId("tools-message");
    await message.filter({ hasText: /^Saved a snapshot/ }).waitFor();
    const zip = /to (\S+\.zip)$/.exec(await message.textContent())?.[1];
    assert.ok(zip, await message.textContent());

    await tools.getByRole("button", { name: "Reset data…" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Reset data" }).click();
    await message.filter({ hasText: "data was reset" }).waitFor({ timeout: 30_000 });
    assert.equal(await total(), before - 1, "the added task is gone; the template's seed is back");

    await tools.getByLabel("Snapshot to import").fill(zip);
    await tools.getByLabel("Import mode").selectOption("replaceAll");
    await tools.getByRole("button", { name: "Import" }).click();
    await message.filter({ hasText: /^Imported \d+ documents/ }).waitFor();
    assert.equal(await total(), before, "the snapshot's tasks are back");
    await page.screenshot({ path: join(ARTIFACTS, "project-tools.png") });
  });
});
