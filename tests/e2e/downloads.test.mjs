// Browser mode's exports reach the browser as downloads (issue 22): an export command's
// answer names a one-time URL on Atrium's own server, the page fetches it, and Chromium
// receives the file the studio wrote — byte for byte — without the user hunting for it on
// the server's disk. Against `atrium-engine` serving the chat fixture.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ConvexHttpClient } from "convex/browser";
import { ARTIFACTS, REPO, startBrowserMode } from "./lib/atrium.mjs";
import { launchChromium } from "./lib/chromium.mjs";
import { startEngine } from "./lib/engine.mjs";

describe("browser-mode exports are downloaded", () => {
  const exports = mkdtempSync(join(tmpdir(), "atrium-e2e-downloads-"));
  let engine;
  let atrium;
  let browser;
  let page;

  before(async () => {
    engine = await startEngine(join(REPO, "tests/fixtures/chat"));
    const client = new ConvexHttpClient(engine.url);
    for (const body of ["first, with a comma", "second \"quoted\""]) await client.mutation("messages:send", { author: "ann", body });
    atrium = await startBrowserMode({ env: { ATRIUM_SAMPLE_PROJECT: "", ATRIUM_EXPORT_DIR: exports } });
    const saved = await atrium.rpc("save_connection", { id: null, name: "Chat", url: engine.url, colour: "#3b82f6", safe_mode: "normal", admin_key: engine.adminKey });
    await atrium.rpc("connect", { id: saved.connections[0].id });
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.goto(atrium.url);
    await page.getByTestId("connection-state").filter({ hasText: "Connected" }).waitFor({ timeout: 30_000 });
  });

  after(async () => {
    await browser?.close();
    await atrium?.stop();
    await engine?.stop();
    rmSync(exports, { recursive: true, force: true });
  });

  test("an export's answer names a URL that serves the written file once", async () => {
    const text = '{"n":1}\n{"n":2}\n';
    const answer = await atrium.rpc("save_export", { file_name: "atrium-logs.jsonl", text });
    assert.ok(answer.path.startsWith(exports), JSON.stringify(answer));
    assert.match(answer.download, /^\/api\/download\/[0-9a-f]{64}$/);
    const get = (path, headers = { authorization: `Bearer ${atrium.token}` }) => fetch(atrium.origin + path, { headers });
    // Like every browser-mode route, not without Atrium's launch token.
    assert.equal((await get(answer.download, {})).status, 401);
    const first = await get(answer.download);
    assert.equal(first.status, 200);
    assert.match(first.headers.get("content-disposition"), /^attachment; filename="atrium-logs(-\d+)?\.jsonl"$/);
    assert.equal(await first.text(), text);
    const again = await get(answer.download);
    assert.equal(again.status, 404, "each download is served once");
    assert.match(await again.text(), /served once/);
    assert.equal((await get(`/api/download/${"0".repeat(64)}`)).status, 404);
    // A command that writes no file gets no download URL.
    assert.equal((await atrium.rpc("app_info")).download, undefined);
  });

  test("the Data area's export arrives in the browser as a download", async () => {
    await page.locator('nav [data-area="data"]').click();
    await page.getByTestId("count-messages").click();
    await page.getByTestId("view-count").filter({ hasText: "2 documents" }).waitFor({ timeout: 15_000 });
    const downloaded = page.waitForEvent("download");
    await page.getByLabel("Export view").selectOption("csv");
    const download = await downloaded;
    assert.match(download.suggestedFilename(), /^messages.*\.csv$/);
    const received = readFileSync(await download.path(), "utf8");
    const saved = page.getByRole("status").filter({ hasText: /^Saved 2 documents to / });
    await saved.waitFor({ timeout: 15_000 });
    const path = /to (\S+\.csv)/.exec(await saved.textContent())?.[1];
    assert.ok(path?.startsWith(exports), await saved.textContent());
    assert.equal(received, readFileSync(path, "utf8"), "the browser received the file the export wrote");
    assert.match(received, /"first, with a comma"/);
    assert.match(received, /second ""quoted""/);
    for (const scheme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(ARTIFACTS, `downloads-data-export-${scheme}.png`) });
    }
  });
});
