// Soak: many official `ConvexClient`s on loopback, each subscribed to one of a set of
// queries (`counters:get` of one key), while one writer sets the keys to the next number
// in turn at a steady rate, for a set time; then it stops by itself. Reports:
// - the engine's resident memory (RSS) over time, and its growth after the warm-up;
// - missed updates (a client that never reached a value it should have seen by the end)
//   and out-of-order ones (a number lower than one the client already saw); skipped
//   intermediate values are counted apart (a query result may legitimately jump);
// - update latency (mutation sent → client callback), p50/p99 per time window.
// Run by bench/soak.sh (which builds atrium-engine). Lives under tests/ to use its npm
// packages. Settings (environment): SOAK_CLIENTS (1000), SOAK_QUERIES (100), SOAK_SECONDS
// (600), SOAK_RATE mutations/s (20), SOAK_WARMUP seconds (60), SOAK_WINDOW seconds (30).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import WebSocket from "ws";

const REPO = new URL("../..", import.meta.url).pathname;
const BIN = process.env.ATRIUM_ENGINE_BIN;
const setting = (name, fallback) => Number(process.env[name] ?? fallback);
const CLIENTS = setting("SOAK_CLIENTS", 1000);
const QUERIES = setting("SOAK_QUERIES", 100);
const SECONDS = Math.min(setting("SOAK_SECONDS", 600), 3600);
const RATE = setting("SOAK_RATE", 20);
const WARMUP = setting("SOAK_WARMUP", 60);
const WINDOW = setting("SOAK_WINDOW", 30);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const rssMb = (pid) => {
  const kb = Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)[1]);
  return kb / 1024;
};

async function startEngine() {
  const data = mkdtempSync(join(tmpdir(), "atrium-soak-"));
  const project = join(REPO, "tests/fixtures/soak");
  const child = spawn(BIN, ["serve", project, "--port", "0", "--site-port", "0", "--data-dir", data], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  await new Promise((resolve, reject) => {
    child.on("exit", (code) => reject(new Error(`atrium-engine exited with ${code}`)));
    child.stdout.on("data", (c) => {
      out += c;
      if (/Admin key/.test(out)) resolve();
    });
  });
  const url = out.match(/Convex URL: (\S+)/)[1];
  return { url, pid: child.pid, stop: () => { child.kill("SIGTERM"); rmSync(data, { recursive: true, force: true }); } };
}

const engine = await startEngine();
const started = performance.now();
const elapsed = () => (performance.now() - started) / 1000;
const sentAt = Array.from({ length: QUERIES }, () => new Map()); // key → n → send time
const latest = new Array(QUERIES).fill(0); // the last number sent per key
const latencies = []; // [seconds since start, ms]
const clients = [];
const state = Array.from({ length: CLIENTS }, (_, i) => ({ key: i % QUERIES, last: 0, outOfOrder: 0, skipped: 0 }));
for (let i = 0; i < CLIENTS; i++) {
  const client = new ConvexClient(engine.url, { webSocketConstructor: WebSocket, unsavedChangesWarning: false });
  const s = state[i];
  client.onUpdate("counters:get", { key: s.key }, (n) => {
    const now = performance.now();
    if (n < s.last) s.outOfOrder++;
    else if (n > s.last + 1 && s.last > 0) s.skipped += n - s.last - 1;
    if (n > s.last) {
      const sent = sentAt[s.key].get(n);
      if (sent !== undefined) latencies.push([elapsed(), now - sent]);
      s.last = n;
    }
  });
  clients.push(client);
  if (i % 100 === 99) await sleep(50); // connect in waves
}
console.error(`${CLIENTS} clients on ${QUERIES} queries; writing ${RATE}/s for ${SECONDS} s`);

const writer = new ConvexHttpClient(engine.url);
const rss = [];
const sampler = setInterval(() => rss.push([elapsed(), rssMb(engine.pid)]), 5000);
let failures = 0;
let sent = 0;
const writeStart = performance.now();
const writeEnd = writeStart + SECONDS * 1000;
const inflight = new Set();
while (performance.now() < writeEnd) {
  const key = sent % QUERIES;
  const n = ++latest[key];
  sentAt[key].set(n, performance.now());
  sentAt[key].delete(n - 50); // keep the map small
  const p = writer.mutation("counters:set", { key, n }).catch(() => failures++);
  inflight.add(p);
  p.finally(() => inflight.delete(p));
  sent++;
  const next = writeStart + (sent * 1000) / RATE;
  await sleep(Math.max(0, next - performance.now()));
}
await Promise.all(inflight);
// Every client should now reach its key's last number.
const deadline = performance.now() + 30_000;
while (state.some((s) => s.last !== latest[s.key]) && performance.now() < deadline) await sleep(100);
clearInterval(sampler);
rss.push([elapsed(), rssMb(engine.pid)]);

const missed = state.filter((s) => s.last !== latest[s.key]).length;
const outOfOrder = state.reduce((a, s) => a + s.outOfOrder, 0);
const skipped = state.reduce((a, s) => a + s.skipped, 0);
console.log(`mutations sent: ${sent} (${failures} failed), updates received: ${latencies.length}`);
console.log(`missed (client short of its key's last value at the end): ${missed} of ${CLIENTS} clients`);
console.log(`out-of-order updates: ${outOfOrder}; skipped intermediate values: ${skipped}`);
const warm = rss.filter(([t]) => t >= WARMUP + (writeStart - started) / 1000);
if (warm.length >= 2) {
  const first = warm[0][1];
  const last = warm.at(-1)[1];
  const peak = Math.max(...warm.map(([, m]) => m));
  console.log(`engine RSS after warm-up: ${first.toFixed(1)} MB → ${last.toFixed(1)} MB (peak ${peak.toFixed(1)} MB), growth ${(((last - first) / first) * 100).toFixed(2)} %`);
} else {
  console.log(`engine RSS: ${rss.map(([, m]) => m.toFixed(1)).join(", ")} MB (run shorter than the warm-up)`);
}
console.log("window (s)   updates   p50 ms   p99 ms   engine RSS MB");
for (let t = 0; t < elapsed(); t += WINDOW) {
  const inWindow = latencies.filter(([at]) => at >= t && at < t + WINDOW).map(([, ms]) => ms).sort((a, b) => a - b);
  const mem = rss.filter(([at]) => at >= t && at < t + WINDOW).at(-1)?.[1];
  if (!inWindow.length) continue;
  console.log(
    `${String(t).padStart(5)}-${String(t + WINDOW).padEnd(6)} ${String(inWindow.length).padStart(8)} ${percentile(inWindow, 50).toFixed(1).padStart(8)} ${percentile(inWindow, 99).toFixed(1).padStart(8)} ${(mem ?? NaN).toFixed(1).padStart(14)}`,
  );
}
await Promise.all(clients.map((c) => c.close()));
engine.stop();
process.exit(missed === 0 && outOfOrder === 0 ? 0 : 1);
