// The Files area in Chromium against `atrium-engine` (kitchen fixture): two PNG images
// dropped at once upload with a progress bar each, are listed newest first with
// thumbnails, one previews (the image decodes from its URL), one is deleted after a
// confirmation; the documents referring to a file are listed and one opens in Data; a file
// stored by another client appears without reload. Against a deployment that answers only
// what Convex's does (`--as-convex`), the area works and says the reference search is not
// offered. Screenshots in light and dark.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { after, before, describe, test } from "node:test";
import { ARTIFACTS, REPO, startBrowserMode } from "./lib/atrium.mjs";
import { launchChromium } from "./lib/chromium.mjs";
import { startEngine } from "./lib/engine.mjs";

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "latin1");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
};
/** A `size`×`size` PNG filled with one RGB colour. */
function png(size, [r, g, b]) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => [r, g, b]).flat())]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: size }, () => row)));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", header), chunk("IDAT", pixels), chunk("IEND", Buffer.alloc(0))]);
}

describe("the Files area", () => {
  let engine;
  let atrium;
  let browser;
  let page;
  const data = mkdtempSync(join(tmpdir(), "atrium-engine-files-area-"));

  before(async () => {
    engine = await startEngine(join(REPO, "tests/fixtures/kitchen"), { data });
    atrium = await startBrowserMode({ env: { ATRIUM_SAMPLE_PROJECT: "" } });
    const saved = await atrium.rpc("save_connection", { id: null, name: "Files", url: engine.url, colour: "#6366f1", safe_mode: "normal", admin_key: engine.adminKey });
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

  const rows = () => page.getByTestId("file-row");

  test("two dropped images upload with progress, are listed with previews, and one is deleted", async () => {
    await page.locator('nav [data-area="files"]').click();
    await page.getByTestId("area-files").waitFor();
    await page.getByTestId("no-files").waitFor();
    const images = [
      { name: "red.png", bytes: [...png(64, [220, 38, 38])] },
      { name: "blue.png", bytes: [...png(48, [37, 99, 235])] },
    ];
    await page.evaluate((images) => {
      const transfer = new DataTransfer();
      for (const image of images) transfer.items.add(new File([new Uint8Array(image.bytes)], image.name, { type: "image/png" }));
      document.querySelector('[data-testid="area-files"]').dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, images);
    const uploads = page.getByTestId("file-upload");
    await uploads.nth(1).waitFor();
    assert.equal(await uploads.locator("progress").count(), 2);
    await page.locator('[data-testid="file-upload"][data-state="done"]').nth(1).waitFor({ timeout: 10_000 });
    await rows().nth(1).waitFor({ timeout: 10_000 });
    assert.equal(await rows().count(), 2);
    assert.match(await page.getByTestId("file-count").textContent(), /2 shown of 2/);
    const types = await rows().locator("td:nth-child(3)").allTextContents();
    assert.deepEqual(types, ["image/png", "image/png"]);
    await page.waitForFunction(() => [...document.querySelectorAll(".file-thumb img")].filter((img) => img.complete && img.naturalWidth > 0).length === 2, null, { timeout: 10_000 });

    await rows().first().click();
    const preview = page.getByTestId("file-preview-image");
    await preview.waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="file-preview-image"]')?.naturalWidth > 0, null, { timeout: 10_000 });
    const width = await preview.evaluate((img) => img.naturalWidth);
    assert.ok(width === 64 || width === 48, `decoded width ${width}`);
    await page.screenshot({ path: join(ARTIFACTS, "files-light.png") });

    const doomed = await rows().first().getAttribute("data-id");
    await page.getByTestId("file-delete").click();
    const dialog = page.getByRole("alertdialog");
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /Delete this file\?/);
    await dialog.getByRole("button", { name: "Delete" }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="file-row"]').length === 1, null, { timeout: 10_000 });
    assert.notEqual(await rows().first().getAttribute("data-id"), doomed);
    assert.equal(await atrium.rpc("files_count", null), 1);
    const gone = await fetch(`${engine.url}/api/storage/${doomed}`);
    assert.equal(gone.status, 404);
  });

  test("the documents that refer to a file are listed, and one opens in Data", async () => {
    const kept = await rows().first().getAttribute("data-id");
    await rows().first().click();
    const references = page.getByTestId("file-references");
    await references.getByText("No document holds this ID").waitFor({ timeout: 10_000 });
    const answer = await fetch(`${engine.url}/api/mutation`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ path: "files:saveFile", args: { storageId: kept, name: "blue" }, format: "json" }),
    }).then((r) => r.json());
    assert.equal(answer.status, "success", JSON.stringify(answer));
    const docId = answer.value;
    await references.getByRole("button", { name: "Search again" }).click();
    const link = page.getByTestId("file-reference-link");
    await link.waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId("file-reference").count(), 1);
    assert.match(await page.getByTestId("file-reference").textContent(), new RegExp(`attachments · ${docId}.*storageId`));
    await page.screenshot({ path: join(ARTIFACTS, "files-references-light.png") });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
    await page.screenshot({ path: join(ARTIFACTS, "files-references-dark.png") });
    await page.emulateMedia({ colorScheme: "light" });

    await link.click();
    await page.getByTestId("area-data").waitFor();
    await page.getByTestId("document-panel").waitFor({ timeout: 10_000 });
    assert.equal(await page.locator(".doc-panel .doc-id").textContent(), docId);
    assert.equal(await page.locator(".table-item.active .table-name").textContent(), "attachments");
    await page.waitForFunction(() => document.querySelector(".doc-panel .doc-fields")?.textContent.includes("blue"), null, { timeout: 10_000 });
    await page.locator('nav [data-area="files"]').click();
    await page.getByTestId("area-files").waitFor();
  });

  test("a file stored by another client appears without reload and previews as JSON", async () => {
    const text = JSON.stringify({ hello: "files" });
    const { id } = await atrium.rpc("files_upload", { base64: Buffer.from(text).toString("base64"), path: null, content_type: "application/json", confirmed: false });
    const row = page.locator(`[data-testid="file-row"][data-id="${id}"]`);
    await row.waitFor({ timeout: 10_000 });
    assert.equal(await rows().first().getAttribute("data-id"), id, "newest first");
    await row.click();
    const pre = page.getByTestId("file-preview-text");
    await page.waitForFunction(() => document.querySelector('[data-testid="file-preview-text"]')?.textContent.includes('"hello": "files"'), null, { timeout: 10_000 });
    assert.match(await pre.textContent(), /"hello": "files"/);

    await page.getByTestId("filter-type").selectOption("image/");
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="file-row"]').length === 1);
    assert.notEqual(await rows().first().getAttribute("data-id"), id);
    await page.getByTestId("filter-type").selectOption("");
    await page.emulateMedia({ colorScheme: "dark" });
    await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
    await page.screenshot({ path: join(ARTIFACTS, "files-dark.png") });
    await page.emulateMedia({ colorScheme: "light" });
  });

  test("against a Convex-like deployment the area works and says what it does not offer", async () => {
    const convex = await startEngine(join(REPO, "tests/fixtures/kitchen"), { args: ["--as-convex"] });
    try {
      const saved = await atrium.rpc("save_connection", { id: null, name: "Convex-like", url: convex.url, colour: "#0ea5e9", safe_mode: "normal", admin_key: convex.adminKey });
      const id = saved.connections.find((c) => c.name === "Convex-like").id;
      await atrium.rpc("connect", { id });
      await page.getByTestId("deployment-name").filter({ hasText: "Convex-like" }).waitFor({ timeout: 30_000 });
      await page.getByTestId("connection-state").filter({ hasText: "Connected" }).waitFor({ timeout: 30_000 });
      await page.getByTestId("no-files").waitFor({ timeout: 10_000 });
      const text = "plain words";
      const { id: fileId } = await atrium.rpc("files_upload", { base64: Buffer.from(text).toString("base64"), path: null, content_type: "text/plain", confirmed: false });
      const row = page.locator(`[data-testid="file-row"][data-id="${fileId}"]`);
      await row.waitFor({ timeout: 10_000 });
      await row.click();
      await page.waitForFunction((t) => document.querySelector('[data-testid="file-preview-text"]')?.textContent === t, text, { timeout: 10_000 });
      const note = page.getByTestId("file-references-unavailable");
      await note.waitFor({ timeout: 10_000 });
      assert.match(await note.textContent(), /Convex-like cannot say which documents refer to a file/);
      await page.screenshot({ path: join(ARTIFACTS, "files-convex-like-light.png") });
      await page.getByTestId("file-delete").click();
      await page.getByRole("alertdialog").getByRole("button", { name: "Delete" }).click();
      await page.getByTestId("no-files").waitFor({ timeout: 10_000 });
      assert.equal(await atrium.rpc("files_count", null), 0);
    } finally {
      await convex.stop();
    }
  });
});
