// File storage as Convex's docs use it, against `atrium-engine` serving the kitchen
// fixture: an upload URL from a mutation, a POST of the file from a page in Chromium and
// from curl, the ID saved by a mutation, `getUrl` serving the same bytes (and a Range),
// delete → 404 and the blob gone from disk; an HTTP action answering a multipart upload
// with `new Response(blob)`; `convex export --include-file-storage` → `convex import` into a
// fresh engine → the same IDs serve the same bytes.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { REPO } from "./lib/atrium.mjs";
import { launchChromium } from "./lib/chromium.mjs";
import { startEngine } from "./lib/engine.mjs";
import { blobFiles } from "./lib/files.mjs";

const PROJECT = join(REPO, "tests/fixtures/kitchen");
const CLI = join(PROJECT, "node_modules/.bin/convex");

describe("file storage end to end", () => {
  let engine;
  let data;
  let work;

  const call = async (kind, path, args = {}, url = engine.url) => {
    const response = await fetch(`${url}/api/${kind}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ path, args, format: "json" }),
    });
    const body = await response.json();
    assert.equal(body.status, "success", JSON.stringify(body));
    return body.value;
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "atrium-files-"));
    data = join(work, "data");
    engine = await startEngine(PROJECT, { data });
  });

  after(async () => {
    await engine?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test("a page in Chromium uploads to the upload URL and reads the file back, a range too", async () => {
    const { context, close } = await launchChromium();
    try {
      const page = await context.newPage();
      await page.goto(`${engine.url}/version`);
      const result = await page.evaluate(async (base) => {
        const call = async (kind, path, args) =>
          (await (await fetch(`${base}/api/${kind}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ path, args, format: "json" }) })).json()).value;
        const bytes = new Uint8Array(300_000).map((_, i) => (i * 13) % 256);
        const file = new File([bytes], "photo.png", { type: "image/png" });
        const postUrl = await call("mutation", "files:generateUploadUrl", {});
        const uploaded = await fetch(postUrl, { method: "POST", headers: { "Content-Type": file.type }, body: file });
        const { storageId } = await uploaded.json();
        await call("mutation", "files:saveFile", { storageId, name: "photo" });
        const listed = await call("query", "files:list", {});
        const url = listed.find((row) => row.storageId === storageId).url;
        const served = await fetch(url);
        const back = new Uint8Array(await served.arrayBuffer());
        const part = await fetch(url, { headers: { Range: "bytes=100-199" } });
        const partBytes = new Uint8Array(await part.arrayBuffer());
        return {
          storageId,
          url,
          status: served.status,
          type: served.headers.get("content-type"),
          same: back.length === bytes.length && back.every((b, i) => b === bytes[i]),
          partStatus: part.status,
          partRange: part.headers.get("content-range"),
          partSame: partBytes.length === 100 && partBytes.every((b, i) => b === bytes[100 + i]),
        };
      }, engine.url);
      assert.equal(result.status, 200);
      assert.equal(result.type, "image/png");
      assert.ok(result.same, "the served bytes are the uploaded ones");
      assert.equal(result.url, `${engine.url}/api/storage/${result.storageId}`);
      assert.deepEqual([result.partStatus, result.partRange, result.partSame], [206, "bytes 100-199/300000", true]);
    } finally {
      await close();
    }
  });

  test("curl uploads, downloads identical bytes and a range; delete gives 404 and collects the blob", async () => {
    const source = join(work, "notes.bin");
    const bytes = Buffer.from(Array.from({ length: 123_457 }, (_, i) => (i * 31 + 7) % 256));
    writeFileSync(source, bytes);
    const postUrl = await call("mutation", "files:generateUploadUrl");
    const answer = JSON.parse(
      execFileSync("curl", ["-sS", "-X", "POST", "-H", "Content-Type: application/octet-stream", "--data-binary", `@${source}`, postUrl]),
    );
    const storageId = answer.storageId;
    assert.match(storageId, /^kg2/);
    await call("mutation", "files:saveFile", { storageId, name: "notes" });
    const url = await call("query", "files:getUrl", { storageId });
    const downloaded = join(work, "downloaded.bin");
    execFileSync("curl", ["-sSf", "-o", downloaded, url]);
    assert.ok(execFileSync("cmp", [source, downloaded]).length === 0, "cmp found no difference");
    const range = execFileSync("curl", ["-sSf", "-r", "1000-1009", url]);
    assert.deepEqual(range, bytes.subarray(1000, 1010));
    const head = execFileSync("curl", ["-sSI", url]).toString();
    assert.match(head, /^content-length: 123457\r?$/im);
    assert.match(head, /^etag: "[0-9a-f]{64}"\r?$/im);

    const before = blobFiles(data).length;
    await call("mutation", "files:deleteFile", { storageId });
    const status = execFileSync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", url]).toString();
    assert.equal(status, "404");
    // Collection runs after the deleting commit; wait for it (no time limit asserted).
    while (blobFiles(data).length !== before - 1) await new Promise((r) => setTimeout(r, 20));
  });

  test("an HTTP action stores a multipart upload and answers new Response(blob)", async () => {
    const form = new FormData();
    const bytes = new Uint8Array(5000).map((_, i) => i % 199);
    form.append("note", "hello");
    form.append("file", new Blob([bytes], { type: "image/gif" }), "anim.gif");
    const response = await fetch(`${engine.siteUrl}/upload`, { method: "POST", body: form });
    assert.equal(response.status, 200, await response.clone().text());
    assert.equal(response.headers.get("content-type"), "image/gif");
    assert.equal(response.headers.get("x-note"), "hello");
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), bytes);
    const id = response.headers.get("x-storage-id");
    const row = await call("query", "files:systemGet", { storageId: id });
    assert.deepEqual([row.size, row.contentType], [5000, "image/gif"]);
  });

  test("export --include-file-storage, import into a fresh engine: same IDs, same bytes", async () => {
    const stored = await call("action", "files:storeInAction", { text: "snapshot me", type: "text/plain" });
    await call("mutation", "files:saveFile", { storageId: stored.id, name: "snap" });
    const env = (url, key) => ({
      ...process.env,
      CONVEX_SELF_HOSTED_URL: url,
      CONVEX_SELF_HOSTED_ADMIN_KEY: key,
      CONVEX_DEPLOYMENT: "",
      CONVEX_DEPLOY_KEY: "",
    });
    const run = (args, url, key) =>
      new Promise((resolve) => {
        const child = spawn(CLI, args, { cwd: PROJECT, env: env(url, key), stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout.on("data", (c) => (output += c));
        child.stderr.on("data", (c) => (output += c));
        child.on("exit", (code) => resolve({ code, output }));
      });
    const zip = join(work, "snapshot.zip");
    const exported = await run(["export", "--include-file-storage", "--path", zip], engine.url, engine.adminKey);
    assert.equal(exported.code, 0, exported.output);
    const listing = execFileSync("unzip", ["-l", zip]).toString();
    assert.match(listing, new RegExp(`_storage/${stored.id}\\.txt`));
    assert.match(listing, /_storage\/documents\.jsonl/);

    const empty = join(work, "empty");
    mkdirSync(empty);
    const fresh = await startEngine(empty);
    try {
      const imported = await run(["import", "-y", zip], fresh.url, fresh.adminKey);
      assert.equal(imported.code, 0, imported.output);
      const served = await fetch(`${fresh.url}/api/storage/${stored.id}`);
      assert.equal(served.status, 200);
      assert.equal(await served.text(), "snapshot me");
      const files = await call("query", "files:systemList", {});
      for (const file of files) {
        const again = await fetch(`${fresh.url}/api/storage/${file._id}`);
        const original = await fetch(`${engine.url}/api/storage/${file._id}`);
        assert.deepEqual(new Uint8Array(await again.arrayBuffer()), new Uint8Array(await original.arrayBuffer()), file._id);
      }
    } finally {
      await fresh.stop();
    }
  });
});
