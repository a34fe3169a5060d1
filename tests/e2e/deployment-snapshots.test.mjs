// Snapshots in Settings for any deployment, in Chromium: a local engine deployment
// (`atrium-engine serve`) exports a snapshot through the CLI's routes, with progress, into
// the export folder; the ZIP is then imported into a second engine that answers only what
// Convex does, asked first, and its documents arrive (read back through the HTTP API).
import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ARTIFACTS, REPO, startBrowserMode } from "./lib/atrium.mjs";
import { launchChromium } from "./lib/chromium.mjs";
import { startEngine } from "./lib/engine.mjs";

describe("Snapshots in Settings", () => {
  let source;
  let target;
  let atrium;
  let browser;
  let page;
  let ids;

  const call = async (engine, kind, path, args) => {
    const response = await fetch(`${engine.url}/api/${kind}`, {
      method: "POST",
      headers: { authorization: `Convex ${engine.adminKey}`, "content-type": "application/json" },
      body: JSON.stringify({ path, args, format: "json" }),
    });
    const body = await response.json();
    assert.equal(body.status, "success", JSON.stringify(body));
    return body.value;
  };
  const answer = async (label) => {
    const dialog = page.getByRole("alertdialog");
    await dialog.waitFor();
    await dialog.getByRole("button", { name: label, exact: true }).click();
    await dialog.waitFor({ state: "detached" });
  };
  const openSettingsOf = async (id) => {
    await atrium.rpc("connect", { id });
    await page.goto(atrium.url);
    await page.getByTestId("connection-state").filter({ hasText: "Connected" }).waitFor({ timeout: 30_000 });
    await page.locator('nav [data-area="settings"]').click();
    await page.getByTestId("snapshot-settings").waitFor();
  };

  before(async () => {
    source = await startEngine(join(REPO, "tests/fixtures/chat"));
    target = await startEngine(join(REPO, "tests/fixtures/chat"), { args: ["--as-convex"] });
    for (let i = 0; i < 25; i++) await call(source, "mutation", "messages:send", { body: `message ${i}`, author: i % 2 ? "ada" : "bob" });
    atrium = await startBrowserMode({ env: { ATRIUM_SAMPLE_PROJECT: "" } });
    const first = await atrium.rpc("save_connection", { id: null, name: "Local source", url: source.url, colour: "#0ea5e9", safe_mode: "normal", admin_key: source.adminKey });
    const second = await atrium.rpc("save_connection", { id: null, name: "Convex-shaped target", url: target.url, colour: "#8b5cf6", safe_mode: "confirm_writes", admin_key: target.adminKey });
    const byName = Object.fromEntries(second.connections.map((c) => [c.name, c.id]));
    ids = { source: byName["Local source"] ?? first.connections[0].id, target: byName["Convex-shaped target"] };
    browser = await launchChromium();
    page = await browser.context.newPage();
  });

  after(async () => {
    await browser?.close();
    await atrium?.stop();
    await source?.stop();
    await target?.stop();
  });

  let zip;
  test("exports a snapshot of a local engine deployment into the export folder", async () => {
    await openSettingsOf(ids.source);
    await page.getByRole("button", { name: "Export snapshot" }).click();
    const notice = page.getByTestId("snapshot-notice");
    await notice.waitFor({ timeout: 60_000 });
    zip = (await page.getByTestId("snapshot-exported").textContent()).trim();
    assert.match(await notice.textContent(), /Saved a snapshot \(.+\) to /);
    assert.ok(existsSync(zip) && statSync(zip).size > 0, zip);
  });

  test("imports it into another deployment after asking, and the documents arrive", async () => {
    await openSettingsOf(ids.target);
    assert.deepEqual(await call(target, "query", "messages:list", {}), []);
    await page.getByLabel("Snapshot to import").fill(zip);
    await page.getByRole("button", { name: "Import…" }).click();
    // Cancelled at the first question: nothing is uploaded.
    await answer("Cancel");
    assert.deepEqual(await call(target, "query", "messages:list", {}), []);

    await page.getByRole("button", { name: "Import…" }).click();
    const dialog = page.getByRole("alertdialog");
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /Import .*snapshot.*zip into Convex-shaped target/);
    await page.screenshot({ path: join(ARTIFACTS, "settings-snapshot-confirm.png") });
    await answer("Import");
    // A deployment that summarises the import first asks again with its summary.
    const done = page.getByTestId("snapshot-notice").or(page.getByTestId("confirm-detail"));
    await done.first().waitFor({ timeout: 60_000 });
    if (await page.getByTestId("confirm-detail").isVisible()) await answer("Perform import");
    const notice = page.getByTestId("snapshot-notice");
    await notice.filter({ hasText: "Imported" }).waitFor({ timeout: 60_000 });
    assert.match(await notice.textContent(), /Imported 25 documents into Convex-shaped target/);
    await page.screenshot({ path: join(ARTIFACTS, "settings-snapshot.png") });
    const arrived = await call(target, "query", "messages:list", {});
    assert.equal(arrived.length, 25);
    assert.deepEqual(arrived.map((m) => m.body).sort(), (await call(source, "query", "messages:list", {})).map((m) => m.body).sort());
  });

  test("refuses an import into tables that are not empty and says so", async () => {
    await page.getByRole("button", { name: "Import…" }).click();
    await answer("Import");
    const error = page.getByTestId("snapshot-error");
    await error.waitFor({ timeout: 60_000 });
    assert.match(await error.textContent(), /not empty/);
    assert.equal((await call(target, "query", "messages:list", {})).length, 25);
  });
});
