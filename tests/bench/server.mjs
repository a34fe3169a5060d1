// Server benchmarks, each beside a bare baseline measured in the same run:
// 1. mutation → update latency for 100 subscribed ConvexClients, beside a bare WebSocket
//    broadcast to 100 sockets (p50/p99);
// 2. empty-query HTTP requests/s, beside a bare Node HTTP server answering JSON;
// 3. fan-out: one mutation reaching 10,000 sync sockets subscribed to one query (time until
//    the last has its update), beside a bare WebSocket broadcast to as many sockets, and the
//    engine's resident memory per idle subscribed socket (the bare server runs in its own
//    process, `bare_broadcast.mjs`, as the engine does).
// Run by bench/server.sh (which builds atrium-engine in release). Lives under tests/ to use
// its npm packages.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import WebSocket, { WebSocketServer } from "ws";

const REPO = new URL("../..", import.meta.url).pathname;
const BIN = process.env.ATRIUM_ENGINE_BIN;
const SUBSCRIBERS = 100;
const ROUNDS = 30;
const FANOUT = Number(process.env.ATRIUM_BENCH_FANOUT ?? 10_000);
const FANOUT_ROUNDS = 3;

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function startEngine(project) {
  const data = mkdtempSync(join(tmpdir(), "atrium-bench-"));
  const child = spawn(BIN, ["serve", project, "--port", "0", "--site-port", "0", "--data-dir", data], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  await new Promise((resolve) => child.stdout.on("data", (c) => { out += c; if (/Admin key/.test(out)) resolve(); }));
  const url = out.match(/Convex URL: (\S+)/)[1];
  return { url, pid: child.pid, stop: async () => {
    // The data folder goes once the engine has exited (it still writes while it stops).
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
    rmSync(data, { recursive: true, force: true });
  } };
}

// Two times per subscriber and round: when the Transition frame reached the client's socket
// (what the bare broadcast measures too) and when the ConvexClient handed the update to its
// callback (that adds the client library's own work, 100 clients in this one process).
async function subscriptionLatency() {
  const engine = await startEngine(join(REPO, "tests/fixtures/chat"));
  const clients = [];
  const seen = [];
  const framesAt = [];
  for (let i = 0; i < SUBSCRIBERS; i++) {
    seen.push(new Map());
    framesAt.push(0);
    // Listens before the client does, so the time is taken before the client parses.
    class TimedSocket extends WebSocket {
      constructor(...args) {
        super(...args);
        this.on("message", () => { framesAt[i] = performance.now(); });
      }
    }
    const client = new ConvexClient(engine.url, { webSocketConstructor: TimedSocket, unsavedChangesWarning: false });
    client.onUpdate("messages:list", {}, (messages) => {
      const now = performance.now();
      for (const m of messages) if (!seen[i].has(m.body)) seen[i].set(m.body, { now, frame: framesAt[i] });
    });
    clients.push(client);
  }
  await sleep(2000);
  const writer = new ConvexHttpClient(engine.url);
  const latencies = [];
  const frames = [];
  for (let round = 0; round < ROUNDS; round++) {
    const body = `round ${round}`;
    const start = performance.now();
    await writer.mutation("messages:send", { body, author: "bench" });
    const deadline = Date.now() + 10_000;
    while (seen.some((s) => !s.has(body)) && Date.now() < deadline) await sleep(1);
    for (const s of seen) {
      if (!s.has(body)) continue;
      latencies.push(s.get(body).now - start);
      frames.push(s.get(body).frame - start);
    }
  }
  await Promise.all(clients.map((c) => c.close()));
  await engine.stop();
  return { latencies, frames };
}

async function bareWebSocketLatency() {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((r) => server.on("listening", r));
  const url = `ws://127.0.0.1:${server.address().port}`;
  const arrivals = new Map();
  const sockets = [];
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const ws = new WebSocket(url);
    await new Promise((r) => ws.on("open", r));
    ws.on("message", (data) => {
      const key = String(data);
      if (!arrivals.has(key)) arrivals.set(key, []);
      arrivals.get(key).push(performance.now());
    });
    sockets.push(ws);
  }
  const latencies = [];
  for (let round = 0; round < ROUNDS; round++) {
    const key = `round ${round}`;
    const start = performance.now();
    // The "mutation": a request to the server, which then pushes to every subscriber.
    for (const client of server.clients) client.send(key);
    const deadline = Date.now() + 5000;
    while ((arrivals.get(key)?.length ?? 0) < SUBSCRIBERS && Date.now() < deadline) await sleep(1);
    for (const t of arrivals.get(key) ?? []) latencies.push(t - start);
  }
  sockets.forEach((s) => s.close());
  server.close();
  return latencies;
}

// Requests/s over `seconds`, after a one-second warm-up that is not counted (both servers
// get it: it takes connection setup and first-call work out of the figure).
async function requestsPerSecond(url, body, seconds = 5, concurrency = 8) {
  const run = async (seconds) => {
    let count = 0;
    const end = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < end) {
          const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
          await response.text();
          count += 1;
        }
      }),
    );
    return count / seconds;
  };
  await run(1);
  return run(seconds);
}

async function emptyQueryRate() {
  const engine = await startEngine(join(REPO, "tests/fixtures/kitchen"));
  const rate = await requestsPerSecond(`${engine.url}/api/query`, JSON.stringify({ path: "bench:empty", args: {} }));
  await engine.stop();
  const bare = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      res.end('{"status":"success","value":null}');
    });
  });
  await new Promise((r) => bare.listen(0, "127.0.0.1", r));
  const bareRate = await requestsPerSecond(`http://127.0.0.1:${bare.address().port}/`, "{}");
  bare.close();
  return { rate, bareRate };
}

const residentBytes = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) * 1024;

// Opens `n` sockets, `batch` at a time; `open(i)` resolves once socket i is ready.
async function openAll(n, open, batch = 250) {
  const sockets = [];
  for (let i = 0; i < n; i += batch) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(batch, n - i) }, (_, k) => open(i + k)))));
  }
  return sockets;
}

// Raw sync sockets (no ConvexClient: 10,000 of those would measure Node), each subscribed
// to `messages:list`; the time from a mutation's start until the last socket's Transition
// carries the new message.
async function fanOut() {
  const engine = await startEngine(join(REPO, "tests/fixtures/chat"));
  const syncUrl = `${engine.url.replace(/^http/, "ws")}/api/sync`;
  const before = residentBytes(engine.pid);
  let waiting = null;
  const sockets = await openAll(FANOUT, (i) => new Promise((resolve, reject) => {
    const ws = new WebSocket(syncUrl);
    ws.on("error", (e) => reject(new Error(`sync socket ${i}: ${e.message}`)));
    ws.on("open", () => {
      ws.send(JSON.stringify({ type: "Connect", sessionId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, connectionCount: 0, lastCloseReason: "InitialConnect", clientTs: Date.now() }));
      ws.send(JSON.stringify({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "messages:list", args: [{}] }] }));
    });
    let ready = false;
    ws.on("message", (data) => {
      if (!ready) {
        ready = true;
        resolve(ws);
      } else if (waiting !== null && data.includes(waiting.body)) {
        waiting.arrived += 1;
        waiting.last = performance.now();
        if (waiting.arrived === FANOUT) waiting.done();
      }
    });
  }));
  await sleep(2000);
  const perSocket = (residentBytes(engine.pid) - before) / FANOUT;
  const times = [];
  for (let round = 0; round < FANOUT_ROUNDS; round++) {
    const body = `fanout ${round}`;
    const all = new Promise((done) => { waiting = { body, arrived: 0, last: 0, done }; });
    const start = performance.now();
    await fetch(`${engine.url}/api/mutation`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ path: "messages:send", args: { body, author: "bench" } }) });
    await Promise.race([all, sleep(30_000)]);
    times.push({ ms: waiting.last - start, arrived: waiting.arrived });
    await sleep(500);
  }
  sockets.forEach((s) => s.terminate());
  await engine.stop();
  return { times, perSocket };
}

async function bareFanOut() {
  const child = spawn(process.execPath, [join(REPO, "tests/bench/bare_broadcast.mjs")], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise((resolve) => child.stdout.on("data", (c) => { const m = /port (\d+)/.exec(String(c)); if (m) resolve(m[1]); }));
  const url = `ws://127.0.0.1:${port}`;
  let waiting = null;
  const sockets = await openAll(FANOUT, (i) => new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on("error", (e) => reject(new Error(`bare socket ${i}: ${e.message}`)));
    ws.on("open", () => resolve(ws));
    ws.on("message", (data) => {
      if (waiting !== null && data.includes(waiting.body)) {
        waiting.arrived += 1;
        waiting.last = performance.now();
        if (waiting.arrived === FANOUT) waiting.done();
      }
    });
  }));
  await sleep(500);
  const times = [];
  for (let round = 0; round < FANOUT_ROUNDS; round++) {
    const body = `fanout ${round}`;
    const all = new Promise((done) => { waiting = { body, arrived: 0, last: 0, done }; });
    const start = performance.now();
    // The "mutation": a request to the server, which then pushes to every subscriber.
    await fetch(`http://127.0.0.1:${port}/send`, { method: "POST", body });
    await Promise.race([all, sleep(30_000)]);
    times.push({ ms: waiting.last - start, arrived: waiting.arrived });
    await sleep(500);
  }
  sockets.forEach((s) => s.terminate());
  child.kill("SIGTERM");
  return times;
}

const median = (times) => percentile(times.map((t) => t.ms), 50);
const fan = await fanOut();
const bareFan = await bareFanOut();
if (process.env.ATRIUM_BENCH_ONLY_FANOUT) {
  console.log(fan, bareFan);
  process.exit(0);
}
const { latencies: engineLatency, frames: engineFrames } = await subscriptionLatency();
const bareLatency = await bareWebSocketLatency();
const { rate, bareRate } = await emptyQueryRate();
const row = (name, values) => `${name.padEnd(34)} p50 ${percentile(values, 50).toFixed(2).padStart(8)} ms   p99 ${percentile(values, 99).toFixed(2).padStart(8)} ms   (n=${values.length})`;
console.log(`mutation → update, ${SUBSCRIBERS} subscribers, ${ROUNDS} rounds`);
const ratios = (values) => `ratio p50 ${(percentile(values, 50) / percentile(bareLatency, 50)).toFixed(1)}x, p99 ${(percentile(values, 99) / percentile(bareLatency, 99)).toFixed(1)}x`;
console.log(row("  atrium-engine, frame at the socket", engineFrames));
console.log(row("  atrium-engine, ConvexClient update", engineLatency));
console.log(row("  bare WebSocket broadcast", bareLatency));
console.log(`  frame ${ratios(engineFrames)} (target p50 ≤ 2x, p99 ≤ 3x); client update ${ratios(engineLatency)}`);
console.log("empty query over HTTP (8 concurrent clients, 5 s after a 1 s warm-up)");
console.log(`  atrium-engine  ${rate.toFixed(0).padStart(8)} requests/s`);
console.log(`  bare node HTTP ${bareRate.toFixed(0).padStart(8)} requests/s   ratio ${(rate / bareRate).toFixed(3)}x`);
console.log(`fan-out: one mutation → ${FANOUT} sockets subscribed to one query, ${FANOUT_ROUNDS} rounds (last socket updated)`);
console.log(`  atrium-engine  ${fan.times.map((t) => `${t.ms.toFixed(1)} ms (${t.arrived})`).join(", ")}`);
console.log(`  bare broadcast ${bareFan.map((t) => `${t.ms.toFixed(1)} ms (${t.arrived})`).join(", ")}`);
console.log(`  median ${median(fan.times).toFixed(1)} ms vs ${median(bareFan).toFixed(1)} ms, ratio ${(median(fan.times) / median(bareFan)).toFixed(1)}x (target: last ≤ 200 ms)`);
console.log(`idle memory per subscribed socket: ${(fan.perSocket / 1024).toFixed(1)} KiB (engine RSS growth / ${FANOUT})`);
process.exit(0);
