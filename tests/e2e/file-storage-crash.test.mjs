// Crash safety of file storage: `atrium-engine` is killed with SIGKILL while 100 uploads
// are in flight. After a restart on the same data folder every upload that was answered
// with a storage ID serves exactly its bytes, and no file is left that no `_storage` row
// refers to (nor half a file in the temporary folder).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, describe, test } from "node:test";
import { REPO } from "./lib/atrium.mjs";
import { startEngine } from "./lib/engine.mjs";
import { blobFiles, tempFiles } from "./lib/files.mjs";

const PROJECT = join(REPO, "tests/fixtures/kitchen");

const call = async (url, kind, path, args = {}) => {
  const response = await fetch(`${url}/api/${kind}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ path, args, format: "json" }),
  });
  const body = await response.json();
  assert.equal(body.status, "success", JSON.stringify(body));
  return body.value;
};

describe("file storage survives kill -9", () => {
  const work = mkdtempSync(join(tmpdir(), "atrium-files-crash-"));
  after(() => rmSync(work, { recursive: true, force: true }));

  test("every acknowledged upload is readable and nothing unreferenced remains", async () => {
    const data = join(work, "data");
    const engine = await startEngine(PROJECT, { data });
    const urls = [];
    for (let i = 0; i < 100; i++) urls.push(await call(engine.url, "mutation", "files:generateUploadUrl"));
    const payload = (i) => Buffer.alloc(256 * 1024 + i * 997, `upload ${i} `);
    const acknowledged = [];
    const uploads = urls.map(async (url, i) => {
      // A body that trickles in, so the kill finds uploads half written.
      const bytes = payload(i);
      const body = new ReadableStream({
        async pull(controller) {
          const at = controller.sent ?? 0;
          if (at >= bytes.length) return controller.close();
          controller.enqueue(bytes.subarray(at, at + 64 * 1024));
          controller.sent = at + 64 * 1024;
          await new Promise((r) => setTimeout(r, 5 + (i % 7) * 5));
        },
      });
      try {
        const response = await fetch(url, { method: "POST", body, duplex: "half", headers: { "content-type": "text/plain" } });
        const { storageId } = await response.json();
        acknowledged.push({ storageId, i });
      } catch {
        // Cut off by the kill: not acknowledged.
      }
    });
    // Kill once some have been answered and others are mid-body.
    while (acknowledged.length < 20) await new Promise((r) => setTimeout(r, 5));
    engine.process.kill("SIGKILL");
    await Promise.all(uploads);
    assert.ok(acknowledged.length < 100, `the kill came while uploads were in flight (${acknowledged.length} answered)`);

    const restarted = await startEngine(PROJECT, { data });
    try {
      for (const { storageId, i } of acknowledged) {
        const served = await fetch(`${restarted.url}/api/storage/${storageId}`);
        assert.equal(served.status, 200, storageId);
        assert.ok(Buffer.from(await served.arrayBuffer()).equals(payload(i)), `upload ${i} serves its bytes`);
      }
      const rows = await call(restarted.url, "query", "files:systemList");
      const referenced = new Set(rows.map((r) => Buffer.from(r.sha256, "base64").toString("hex")));
      const onDisk = blobFiles(data).map((f) => basename(f));
      assert.deepEqual(onDisk.filter((h) => !referenced.has(h)), [], "no unreferenced blob");
      assert.deepEqual(tempFiles(data), [], "no partial upload");
      for (const { i } of acknowledged) {
        assert.ok(referenced.has(createHash("sha256").update(payload(i)).digest("hex")));
      }
      console.log(`kill -9 with ${acknowledged.length} of 100 uploads answered; ${onDisk.length} blobs after restart`);
    } finally {
      await restarted.stop();
    }
  });
});
