// The History area in Chromium against `atrium-engine` serving a project folder: the
// folder's first load, an environment variable added and changed (names only: the value
// appears nowhere), and an edit adding a function and an index made while the engine was
// stopped, recorded when it starts again on the same data — newest first, each opening onto its diff with links into Functions; then the same
// deployment-event function read from a Convex-shaped engine (`--as-convex`), which Convex
// itself answers too. Screenshots in light and dark.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ARTIFACTS, REPO } from "./lib/atrium.mjs";
import { openConnected, screenshotsLightAndDark } from "./lib/connected.mjs";
import { startEngine } from "./lib/engine.mjs";

const SECRET = "hist-s3cret-value";

/** A copy of the chat fixture's `convex/` folder, using the fixture's `node_modules`. */
function chatCopy() {
  const dir = mkdtempSync(join(tmpdir(), "atrium-history-"));
  cpSync(join(REPO, "tests/fixtures/chat/convex"), join(dir, "convex"), { recursive: true });
  symlinkSync(join(REPO, "tests/fixtures/chat/node_modules"), join(dir, "node_modules"));
  return dir;
}

async function setEnv(engine, name, value) {
  const response = await fetch(`${engine.url}/api/update_environment_variables`, {
    method: "POST",
    headers: { authorization: `Convex ${engine.adminKey}`, "content-type": "application/json" },
    body: JSON.stringify({ changes: [{ name, value }] }),
  });
  assert.equal(response.status, 200, await response.text());
}

describe("the History area", () => {
  let engine;
  let ui;
  let page;
  const project = chatCopy();
  const data = mkdtempSync(join(tmpdir(), "atrium-history-data-"));

  before(async () => {
    const first = await startEngine(project, { data });
    await setEnv(first, "API_TOKEN", SECRET);
    await setEnv(first, "API_TOKEN", `${SECRET}-2`);
    await first.stop();
    const messages = join(project, "convex/messages.ts");
    writeFileSync(messages, readFileSync(messages, "utf8") + `\nexport const count = query({ args: {}, handler: async (ctx) => (await ctx.db.query("messages").collect()).length });\n`);
    const schema = join(project, "convex/schema.ts");
    writeFileSync(schema, readFileSync(schema, "utf8").replace('.index("by_author", ["author"])', '.index("by_author", ["author"])\n    .index("by_body", ["body"])'));
    engine = await startEngine(project, { data });
    ui = await openConnected(engine, { name: "Local chat" });
    page = ui.page;
  });

  after(async () => {
    await ui?.stop();
    await engine?.stop();
    rmSync(project, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  });

  const events = () => page.getByTestId("history-event");

  test("lists the first load, environment changes and a code edit, newest first", async () => {
    await page.locator('nav [data-area="history"]').click();
    await page.getByTestId("area-history").waitFor();
    await events().nth(3).waitFor({ timeout: 15_000 });
    const actions = await events().evaluateAll((rows) => rows.map((r) => r.getAttribute("data-action")));
    assert.deepEqual(actions, ["push_config_with_components", "update_environment_variable", "create_environment_variable", "push_config_with_components"]);
    assert.equal(await events().nth(1).getByTestId("history-summary").textContent(), "API_TOKEN");
    assert.match(await events().last().getByTestId("history-summary").textContent(), /^\d+ functions added, 2 indexes added, schema changed$/);
    // The edit: one function added, the others of its module changed, one index added.
    assert.match(await events().first().getByTestId("history-summary").textContent(), /^1 function added, \d+ functions changed, 1 index added, schema changed$/);
    const text = await page.locator("body").textContent();
    assert.ok(!text.includes(SECRET), "a variable's value reached the screen");
  });

  test("a push opens onto its diff: the function links into Functions, the index and schema shown", async () => {
    await events().first().locator("button.history-head").click();
    const diff = events().first().getByTestId("event-diff");
    await diff.waitFor();
    const added = diff.locator(".diff-added a", { hasText: "messages:count" });
    assert.equal(await added.getAttribute("href"), "#/functions/messages%3Acount");
    await diff.locator(".diff-added", { hasText: "messages.by_body (body)" }).waitFor();
    assert.match(await diff.getByTestId("schema-after").textContent(), /by_body/);
    assert.doesNotMatch(await diff.getByTestId("schema-before").textContent(), /by_body/);
    await screenshotsLightAndDark(page, "history");

    await added.click();
    await page.getByTestId("area-functions").waitFor();
    assert.equal(new URL(page.url()).hash, "#/functions/messages%3Acount");
  });

  test("the Code filter and the palette reach History", async () => {
    await page.keyboard.press("Control+K");
    const palette = page.getByTestId("palette");
    await palette.waitFor();
    await page.keyboard.type("History");
    await page.screenshot({ path: join(ARTIFACTS, "history-palette.png") });
    await palette.locator('[role="option"][aria-selected="true"][data-key="area:history"]').waitFor({ timeout: 5000 });
    await page.keyboard.press("Enter");
    await page.getByTestId("area-history").waitFor();
    await page.getByLabel("Events").selectOption("env");
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="history-event"]')].every((r) => r.getAttribute("data-action").endsWith("_environment_variable")), null, { timeout: 10_000 });
    assert.equal(await events().count(), 2);
  });
});

describe("History of a Convex-shaped deployment", () => {
  let engine;
  let ui;

  before(async () => {
    engine = await startEngine(join(REPO, "tests/fixtures/chat"), { args: ["--as-convex"] });
    ui = await openConnected(engine, { name: "Convex-shaped" });
  });

  after(async () => {
    await ui?.stop();
    await engine?.stop();
  });

  test("reads the events through Convex's own function, or says plainly there are none to read", async () => {
    const { page } = ui;
    await page.locator('nav [data-area="history"]').click();
    await page.getByTestId("area-history").waitFor();
    // Convex deployments answer paginatedDeploymentEvents; so does the engine as Convex.
    await page.getByTestId("history-event").first().waitFor({ timeout: 15_000 });
    assert.equal(await page.getByTestId("history-unavailable").count(), 0);
    assert.equal(await page.getByText("Reading the deployment's events…").count(), 0, "no endless wait");
  });
});
