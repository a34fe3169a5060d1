// Promote a local project, in Chromium: a project made from the sample template runs on
// Atrium's engine; a second engine with no code, answering only what Convex does, stands
// in for the remote. "Promote…" (reached from the command palette, by keyboard) opens the
// dialog, whose preview lists what the push adds there; promoting with "copy the data"
// runs the steps with progress, the rows arrive on the remote (read back through its HTTP
// API), and the remote then lists the functions in the Functions area. A project whose
// schema the remote's documents do not match is refused at wait_for_schema: the dialog
// says so, and the remote keeps its data.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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

  test("a push the remote refuses stops at its step with the remote's words, and changes nothing", async () => {
    const dir = join(folders, "clash");
    const list = await atrium.rpc("project_create", { name: "Clash", template: "empty", dir });
    const clash = list.find((p) => p.name === "Clash");
    writeFileSync(
      join(dir, "convex/schema.ts"),
      'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n' +
        "export default defineSchema({ items: defineTable({ text: v.string() }), tasks: defineTable({ nope: v.number() }) });\n",
    );
    await atrium.rpc("project_start", { id: clash.id });
    const before = await tasksOf(remote.url, remote.adminKey);
    await page.locator('nav [data-area="project"]').click();
    const row = page.locator('tr[data-project="Clash"]');
    await row.getByTestId("project-state").filter({ hasText: "Running" }).waitFor({ timeout: 30_000 });
    await row.getByRole("button", { name: "Promote…" }).click();
    const removed = dialog().getByTestId("diff-functions").locator('[data-change="removed"] code');
    await removed.first().waitFor({ timeout: 60_000 });
    assert.ok((await removed.allTextContents()).includes("tasks:list"), "the preview says the push would remove the remote's functions");
    assert.deepEqual(await dialog().getByTestId("diff-tables").locator('[data-change="changed"] code').allTextContents(), ["tasks"]);
    await dialog().getByRole("button", { name: "Promote", exact: true }).click();
    const error = dialog().getByTestId("promote-error");
    await error.waitFor({ timeout: 120_000 });
    assert.match(await error.textContent(), /Promote stopped at wait_for_schema: schema validation failed; Staging is unchanged\. Document with ID .* in table "tasks" does not match the schema/);
    const states = await dialog().locator("[data-testid=promote-steps] li").evaluateAll((items) => items.map((li) => li.dataset.state));
    assert.deepEqual(states, ["done", "done", "failed", "waiting"]);
    await page.screenshot({ path: join(ARTIFACTS, "promote-refused.png") });
    assert.deepEqual(await tasksOf(remote.url, remote.adminKey), before, "the remote keeps its data and its tasks:list");
    await dialog().getByRole("button", { name: "Cancel" }).click();
  });
});
