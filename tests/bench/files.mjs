// File storage benchmarks, each beside a plain file copy on the same disk in the same run:
// 1. one 200 MB file: upload (curl streaming it to the upload URL) and download (curl to a
//    file), beside `cp` of the same file (synced, as the engine syncs an upload);
// 2. 10,000 small files (1 KiB): upload and download with 16 requests in flight, beside
//    copying 10,000 files with 16 copies in flight;
// 3. the engine's RSS during the 200 MB upload, above its idle RSS (sampled every 10 ms).
// Run by bench/files.sh (release build). `--small N` and `--big-mb N` change the sizes.
import { execFileSync, spawn } from "node:child_process";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync } from "node:fs";
import { join } from "node:path";

const REPO = new URL("../..", import.meta.url).pathname;
const BIN = process.env.ATRIUM_ENGINE_BIN;
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const SMALL = arg("--small", 10_000);
const BIG_MB = arg("--big-mb", 200);
const PARALLEL = 16;
// Beside the data, on the same disk.
const work = mkdtempSync(join(REPO, "tests/.bench-files-"));

async function startEngine() {
  const data = join(work, "data");
  const child = spawn(BIN, ["serve", join(REPO, "tests/fixtures/kitchen"), "--port", "0", "--site-port", "0", "--data-dir", data], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  await new Promise((resolve) => child.stdout.on("data", (c) => { out += c; if (/Admin key/.test(out)) resolve(); }));
  return { url: out.match(/Convex URL: (\S+)/)[1], pid: child.pid, stop: () => child.kill("SIGTERM") };
}

const rssKb = (pid) => Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)[1]);
const seconds = (start) => (performance.now() - start) / 1000;
const mbps = (bytes, s) => `${(bytes / 1e6 / s).toFixed(0)} MB/s`;

async function call(url, kind, path, args) {
  const r = await fetch(`${url}/api/${kind}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ path, args, format: "json" }) });
  const body = await r.json();
  if (body.status !== "success") throw new Error(JSON.stringify(body));
  return body.value;
}

async function pool(items, f) {
  let next = 0;
  await Promise.all(Array.from({ length: PARALLEL }, async () => {
    while (next < items.length) {
      const i = next++;
      await f(items[i], i);
    }
  }));
}

const engine = await startEngine();
try {
  // 1. One big file.
  const big = join(work, "big.bin");
  const chunk = Buffer.alloc(1 << 20);
  const fd = openSync(big, "w");
  for (let i = 0; i < BIG_MB; i++) {
    for (let j = 0; j < chunk.length; j += 4) chunk.writeUInt32LE((i * 2654435761 + j * 40503) >>> 0, j);
    writeSync(fd, chunk);
  }
  closeSync(fd);
  const size = statSync(big).size;

  let start = performance.now();
  execFileSync("cp", [big, join(work, "big.copy")]);
  execFileSync("sync", [join(work, "big.copy")]);
  const copyS = seconds(start);

  const idle = rssKb(engine.pid);
  let peak = idle;
  const sampler = setInterval(() => { peak = Math.max(peak, rssKb(engine.pid)); }, 10);
  const url = await call(engine.url, "mutation", "files:generateUploadUrl", {});
  start = performance.now();
  const answer = JSON.parse(execFileSync("curl", ["-sS", "-X", "POST", "-H", "Content-Type: application/octet-stream", "-T", big, url]));
  const uploadS = seconds(start);
  clearInterval(sampler);
  peak = Math.max(peak, rssKb(engine.pid));

  const fileUrl = await call(engine.url, "query", "files:getUrl", { storageId: answer.storageId });
  start = performance.now();
  execFileSync("curl", ["-sSf", "-o", join(work, "big.down"), fileUrl]);
  const downloadS = seconds(start);
  execFileSync("cmp", [big, join(work, "big.down")]);

  console.log(`${BIG_MB} MB file: upload ${uploadS.toFixed(2)} s (${mbps(size, uploadS)}), download ${downloadS.toFixed(2)} s (${mbps(size, downloadS)}), cp+sync ${copyS.toFixed(2)} s (${mbps(size, copyS)})`);
  console.log(`  upload ÷ copy = ${(uploadS / copyS).toFixed(2)}×, download ÷ copy = ${(downloadS / copyS).toFixed(2)}×`);
  console.log(`RSS during the upload: idle ${(idle / 1024).toFixed(1)} MB, peak ${(peak / 1024).toFixed(1)} MB, +${((peak - idle) / 1024).toFixed(1)} MB (limit +64 MB)`);

  // 2. Many small files.
  const small = Array.from({ length: SMALL }, (_, i) => Buffer.alloc(1024, `small file ${i} `));
  const source = join(work, "small");
  const target = join(work, "small.copy");
  await mkdir(source);
  await mkdir(target);
  await pool(small, (bytes, i) => writeFile(join(source, String(i)), bytes));
  start = performance.now();
  await pool(small, (_, i) => copyFile(join(source, String(i)), join(target, String(i))));
  const smallCopyS = seconds(start);
  start = performance.now();
  await pool(small, (_, i) => readFile(join(target, String(i))));
  const smallReadS = seconds(start);

  const urls = [];
  while (urls.length < SMALL) urls.push(...(await call(engine.url, "mutation", "files:generateUploadUrls", { count: Math.min(500, SMALL - urls.length) })));
  const ids = new Array(SMALL);
  start = performance.now();
  await pool(small, async (bytes, i) => {
    const r = await fetch(urls[i], { method: "POST", body: bytes, headers: { "content-type": "text/plain" } });
    ids[i] = (await r.json()).storageId;
  });
  const smallUpS = seconds(start);
  start = performance.now();
  await pool(ids, async (id, i) => {
    const r = await fetch(`${engine.url}/api/storage/${id}`);
    const back = Buffer.from(await r.arrayBuffer());
    if (!back.equals(small[i])) throw new Error(`file ${i} came back different`);
  });
  const smallDownS = seconds(start);
  const rate = (s) => `${(SMALL / s).toFixed(0)}/s`;
  console.log(`${SMALL} × 1 KiB: upload ${smallUpS.toFixed(2)} s (${rate(smallUpS)}), download ${smallDownS.toFixed(2)} s (${rate(smallDownS)}); copy ${smallCopyS.toFixed(2)} s (${rate(smallCopyS)}), read ${smallReadS.toFixed(2)} s (${rate(smallReadS)})`);
  console.log(`  upload ÷ copy = ${(smallUpS / smallCopyS).toFixed(1)}×, download ÷ read = ${(smallDownS / smallReadS).toFixed(1)}×`);
} finally {
  engine.stop();
  rmSync(work, { recursive: true, force: true });
}
