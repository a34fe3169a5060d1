// Promote a local project, in Chromium: a project made from the sample template runs on
// Atrium's engine; a second engine with no code, answering only what Convex does, stands
// in for the remote. "Promote…" (reached from the command palette, by keyboard) opens the
// dialog, whose preview lists what the push adds there; promoting with "copy the data"
// runs the steps with progress, the rows arrive on the remote (read back through its HTTP
// API), and the remote then lists the functions in the Functions area.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ARTIFACTS, startBrowserMode } from "./lib/atrium.mjs";
import { launchChromium } from "./lib/chromium.mjs";
import { startEngine } from "./lib/engine.mjs";

describe("Promote a local project", () => {
  let remote;
  let atrium;
  let browser;
  let page;
  let project;
  let remoteId;
  const folders = mkdtempSync(join(tmpdir(), "atrium-promote-"));

  const tasksOf = async (url, adminKey) => {
    const response = await fetch(`${url}/api/query`, {
      method: "POST",
      headers: { ...(adminKey ? { authorization: `Convex ${adminKey}` } : {}), "content-type": "application/json" },
      body: JSON.stringify({ path: "tasks:list", args: { paginationOpts: { numItems: 1000, cursor: null } }, format: "json" }),
    });
    const body = await response.json();
    assert.equal(body.status, "success", JSON.stringify(body));
    return body.value.page;
  };

  before(async () => {
    remote = await startEngine(mkdtempSync(join(folders, "remote-")), { args: ["--as-convex"] });
    atrium = await startBrowserMode({ env: { ATRIUM_SAMPLE_PROJECT: "" } });
    const saved = await atrium.rpc("save_connection", { id: null, name: "Staging", url: remote.url, colour: "#8b5cf6", safe_mode: "normal", admin_key: remote.adminKey });
    remoteId = saved.connections.find((c) => c.name === "Staging").id;
    const list = await atrium.rpc("project_create", { name: "Shop", template: "sample", dir: join(folders, "shop") });
    project = list.find((p) => p.name === "Shop");
    const started = await atrium.rpc("project_start", { id: project.id });
    project = started.find((p) => p.name === "Shop");
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(atrium.url);
    await page.locator('nav [data-area="project"]').click();
    await page.locator('tr[data-project="Shop"]').getByTestId("project-state").filter({ hasText: "Running" }).waitFor({ timeout: 30_000 });
  });

  after(async () => {
    await browser?.close();
    await atrium?.stop();
    await remote?.stop();
    rmSync(folders, { recursive: true, force: true });
  });

  const dialog = () => page.getByTestId("promote-dialog");

  test("the palette opens the dialog, whose preview lists what the push adds", async () => {
    await page.keyboard.press("Control+K");
    const palette = page.getByTestId("palette");
    await palette.waitFor();
    await page.keyboard.type("promote shop");
    await palette.locator('[role="option"][aria-selected="true"][data-key="action:project.promote.' + project.id + '"]').waitFor();
    await page.keyboard.press("Enter");
    await dialog().waitFor();
    assert.equal(await dialog().getByLabel("Target deployment").inputValue(), remoteId, "the only other deployment is chosen");
    const functions = dialog().getByTestId("diff-functions");
    await functions.waitFor({ timeout: 60_000 });
    const added = await functions.locator('[data-change="added"] code').allTextContents();
    assert.ok(added.includes("tasks:list") && added.includes("notes:list"), added.join(", "));
    assert.equal(await functions.locator('[data-change="removed"]').count(), 0);
    const tables = await dialog().getByTestId("diff-tables").locator('[data-change="added"] code').allTextContents();
    assert.deepEqual(tables.filter((t) => ["tasks", "projects", "notes"].includes(t)).sort(), ["notes", "projects", "tasks"]);
    assert.ok((await dialog().getByTestId("diff-indexes").locator('[data-change="added"]').count()) > 0, "indexes are new too");
    await page.screenshot({ path: join(ARTIFACTS, "promote-preview.png") });
  });

  test("promotes with the data: the steps run, rows arrive and the remote lists the functions", async () => {
    const before = await tasksOf(project.url, "");
    assert.ok(before.length > 0, "the sample project is seeded");
    await dialog().getByLabel("Copy the data too").check();
    await dialog().getByRole("button", { name: "Promote", exact: true }).click();
    await dialog().getByTestId("promote-steps").waitFor();
    const done = dialog().getByTestId("promote-done");
    await done.waitFor({ timeout: 120_000 });
    assert.match(await done.textContent(), /Promoted to Staging: \d+ modules added, 0 removed, [\d,]+ documents copied/);
    const states = await dialog().locator("[data-testid=promote-steps] li").evaluateAll((items) => items.map((li) => li.dataset.state));
    assert.deepEqual(states, Array(8).fill("done"));
    await page.screenshot({ path: join(ARTIFACTS, "promote-done.png") });

    const arrived = await tasksOf(remote.url, remote.adminKey);
    assert.equal(arrived.length, before.length);
    assert.deepEqual(arrived.map((t) => t._id).sort(), before.map((t) => t._id).sort());

    await dialog().getByRole("button", { name: "Close" }).click();
    await atrium.rpc("connect", { id: remoteId });
    await page.goto(atrium.url);
    await page.getByTestId("connection-state").filter({ hasText: "Connected" }).waitFor({ timeout: 30_000 });
    await page.locator('nav [data-area="functions"]').click();
    const aside = page.locator('aside[aria-label="Functions"]');
    await aside.locator(".fn-module-name", { hasText: /^tasks$/ }).waitFor({ timeout: 30_000 });
    assert.ok((await aside.getByRole("button", { name: /list$/ }).count()) >= 2, "tasks:list and notes:list are served");
  });
});
