// Server benchmarks, each beside a bare baseline measured in the same run:
// 1. mutation → update latency at 100 subscribed sync sockets (p50/p99), beside a bare
//    WebSocket broadcast of frames as long to 100 sockets; and, for reference, when 100
//    ConvexClients in this process hand the update to their callbacks;
// 2. empty-query HTTP requests/s, beside a bare Node HTTP server answering JSON;
// 3. fan-out: one mutation reaching 10,000 sync sockets subscribed to one query (time until
//    the last has its update), beside a bare WebSocket broadcast to as many sockets, and the
//    engine's resident memory per idle subscribed socket.
// The bare servers run in their own process (`bare_broadcast.mjs`), as the engine does, and
// broadcast after a request, as the engine does after a mutation.
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
const FANOUT_ROUNDS = 5;

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

// One raw sync socket (no ConvexClient) subscribed to `messages:list`; resolves once its
// first Transition arrived. `onFrame(data)` sees every later frame.
function syncSocket(syncUrl, i, onFrame) {
  return new Promise((resolve, reject) => {
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
      } else onFrame(data);
    });
  });
}

// A bare WebSocket server in its own process (`bare_broadcast.mjs`, as the engine is one):
// `send(body, bytes)` is its "mutation", a request after which it sends `body`, padded to
// `bytes`, to every socket.
async function startBare() {
  const child = spawn(process.execPath, [join(REPO, "tests/bench/bare_broadcast.mjs")], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise((resolve) => child.stdout.on("data", (c) => { const m = /port (\d+)/.exec(String(c)); if (m) resolve(m[1]); }));
  return {
    url: `ws://127.0.0.1:${port}`,
    send: (body, bytes = 0) => fetch(`http://127.0.0.1:${port}/send?bytes=${bytes}`, { method: "POST", body }).then((r) => r.text()),
    stop: () => child.kill("SIGTERM"),
  };
}

// One socket of the bare server; `onFrame(data)` sees every frame.
function bareSocket(url, i, onFrame) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on("error", (e) => reject(new Error(`bare socket ${i}: ${e.message}`)));
    ws.on("open", () => resolve(ws));
    ws.on("message", onFrame);
  });
}

// Rounds of one "mutation" reaching `count` subscribers, after `settle` ms: `listen(i,
// onFrame)` opens subscriber i, `mutate(body, round)` starts a round (`round` is the kept
// round's index, or null for the warm-up round, which runs first when `warmUp` is set).
// Each kept round: every arrival's time after its start, the largest frame's length and
// when the mutation replied; a round gives up after `timeout` ms and pauses `pause` ms.
async function rounds({ count, kept, warmUp = false, settle, pause, timeout, listen, mutate }) {
  let waiting = null;
  const sockets = await openAll(count, (i) => listen(i, (data) => {
    if (waiting !== null && data.includes(waiting.body)) {
      waiting.arrivals.push(performance.now() - waiting.start);
      waiting.bytes = Math.max(waiting.bytes, data.length);
      if (waiting.arrivals.length === count) waiting.done();
    }
  }));
  await sleep(settle);
  const results = [];
  for (let round = warmUp ? -1 : 0; round < kept; round++) {
    const body = `round ${round}`;
    const all = new Promise((done) => { waiting = { body, arrivals: [], bytes: 0, start: performance.now(), done }; });
    await mutate(body, round < 0 ? null : round);
    const replied = performance.now() - waiting.start;
    await Promise.race([all, sleep(timeout)]);
    if (round >= 0) results.push({ arrivals: waiting.arrivals, bytes: waiting.bytes, replied });
    waiting = null;
    await sleep(pause);
  }
  sockets.forEach((s) => s.terminate());
  return results;
}

// The 100-subscriber rounds: every arrival's latency, and each round's frame length.
const latencyRounds = async (listen, mutate) => {
  const results = await rounds({ count: SUBSCRIBERS, kept: ROUNDS, settle: 1000, pause: 20, timeout: 10_000, listen, mutate });
  return { latencies: results.flatMap((r) => r.arrivals), bytes: results.map((r) => r.bytes) };
};

// Mutation → Transition at 100 raw sync sockets (the frame's arrival, as the bare broadcast
// is timed: a socket's own time, not that of 100 clients parsing in one thread).
async function syncLatency() {
  const engine = await startEngine(join(REPO, "tests/fixtures/chat"));
  const syncUrl = `${engine.url.replace(/^http/, "ws")}/api/sync`;
  const writer = new ConvexHttpClient(engine.url);
  const result = await latencyRounds((i, onFrame) => syncSocket(syncUrl, i, onFrame),
    (body) => writer.mutation("messages:send", { body, author: "bench" }));
  await engine.stop();
  return result;
}

// The same rounds with 100 ConvexClients: when each client handed the update to its callback
// (the client library's work included, 100 clients in this one process).
async function clientLatency() {
  const engine = await startEngine(join(REPO, "tests/fixtures/chat"));
  const clients = [];
  const seen = Array.from({ length: SUBSCRIBERS }, () => new Set());
  let waiting = null;
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const client = new ConvexClient(engine.url, { unsavedChangesWarning: false });
    client.onUpdate("messages:list", {}, (messages) => {
      if (waiting === null || seen[i].has(waiting.body) || !messages.some((m) => m.body === waiting.body)) return;
      seen[i].add(waiting.body);
      waiting.arrivals.push(performance.now() - waiting.start);
      if (waiting.arrivals.length === SUBSCRIBERS) waiting.done();
    });
    clients.push(client);
  }
  await sleep(2000);
  const writer = new ConvexHttpClient(engine.url);
  const latencies = [];
  for (let round = 0; round < ROUNDS; round++) {
    const body = `round ${round}`;
    const all = new Promise((done) => { waiting = { body, arrivals: [], start: performance.now(), done }; });
    await writer.mutation("messages:send", { body, author: "bench" });
    await Promise.race([all, sleep(10_000)]);
    latencies.push(...waiting.arrivals);
    waiting = null;
    await sleep(20);
  }
  await Promise.all(clients.map((c) => c.close()));
  await engine.stop();
  return latencies;
}

// The floor: the bare server's broadcast after a request, each round's frame as long as the
// engine's was in the same round.
async function bareLatency(frameBytes) {
  const bare = await startBare();
  const result = await latencyRounds((i, onFrame) => bareSocket(bare.url, i, onFrame),
    (body, round) => bare.send(body, frameBytes[round]));
  bare.stop();
  return result.latencies;
}

// Requests/s over `seconds`, after a one-second warm-up that is not counted (both servers
// get it: it takes connection setup and first-call work out of the figure).
async function requestsPerSecond(url, body, seconds = 5, concurrency = 8) {
  let sent = 0;
  const run = async (seconds) => {
    let count = 0;
    const end = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < end) {
          const text = typeof body === "function" ? body(sent++) : body;
          const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: text });
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

// The same empty query each time (after the first, the query cache answers it, as Convex's
// does), and with new arguments each time (each request runs it).
async function emptyQueryRate() {
  const engine = await startEngine(join(REPO, "tests/fixtures/kitchen"));
  const rate = await requestsPerSecond(`${engine.url}/api/query`, JSON.stringify({ path: "bench:empty", args: {} }));
  const runRate = await requestsPerSecond(`${engine.url}/api/query`, (n) => JSON.stringify({ path: "bench:emptyWithArg", args: { n } }));
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
  return { rate, runRate, bareRate };
}

// User and system CPU time of process `pid` so far, in milliseconds (at the clock tick's
// 10 ms resolution).
const cpuMillis = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
const residentBytes = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) * 1024;

// Opens `n` sockets, `batch` at a time; `open(i)` resolves once socket i is ready.
async function openAll(n, open, batch = 250) {
  const sockets = [];
  for (let i = 0; i < n; i += batch) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(batch, n - i) }, (_, k) => open(i + k)))));
  }
  return sockets;
}

// Fan-out: one mutation, FANOUT raw sync sockets (10,000 ConvexClients would measure Node)
// subscribed to `messages:list`; the time from the mutation's start until the last socket's
// Transition carries the new message. Also the engine's resident memory per idle socket.
async function fanOut() {
  const engine = await startEngine(join(REPO, "tests/fixtures/chat"));
  const syncUrl = `${engine.url.replace(/^http/, "ws")}/api/sync`;
  const before = residentBytes(engine.pid);
  let perSocket = 0;
  let cpu = 0;
  const { times, bytes } = await fanOutRounds((i, onFrame) => syncSocket(syncUrl, i, onFrame), (body, round) => {
    // Taken here, once every socket is open and subscribed.
    perSocket ||= (residentBytes(engine.pid) - before) / FANOUT;
    if (round === 0) cpu = cpuMillis(engine.pid);
    return fetch(`${engine.url}/api/mutation`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ path: "messages:send", args: { body, author: "bench" } }) });
  });
  // The rounds' CPU time, with the pause after each (where background work such as the
  // search index's publishing lands).
  const cpuPerRound = (cpuMillis(engine.pid) - cpu) / FANOUT_ROUNDS;
  await engine.stop();
  return { times, bytes, perSocket, cpuPerRound };
}

// FANOUT_ROUNDS rounds over FANOUT sockets after a warm-up round (the first mutation and
// query re-run of a fresh server): per round, the last arrival (how many arrived), the
// first, and the mutation's reply.
async function fanOutRounds(listen, mutate) {
  const results = await rounds({ count: FANOUT, kept: FANOUT_ROUNDS, warmUp: true, settle: 2000, pause: 500, timeout: 30_000, listen, mutate });
  const times = results.map(({ arrivals, replied }) => ({
    ms: Math.max(0, ...arrivals),
    arrived: arrivals.length,
    first: Math.min(...arrivals),
    replied,
  }));
  return { times, bytes: results.map((r) => r.bytes) };
}

async function bareFanOut(frameBytes) {
  const bare = await startBare();
  const { times } = await fanOutRounds((i, onFrame) => bareSocket(bare.url, i, onFrame),
    (body, round) => bare.send(body, frameBytes[round ?? 0]));
  bare.stop();
  return times;
}

const median = (times) => percentile(times.map((t) => t.ms), 50);
const fan = await fanOut();
const bareFan = await bareFanOut(fan.bytes);
if (process.env.ATRIUM_BENCH_ONLY_FANOUT) {
  console.log(fan, bareFan);
  process.exit(0);
}
const engineFrames = await syncLatency();
const bareFrames = await bareLatency(engineFrames.bytes);
const clientUpdates = await clientLatency();
const { rate, runRate, bareRate } = await emptyQueryRate();
const row = (name, values) => `${name.padEnd(44)} p50 ${percentile(values, 50).toFixed(2).padStart(8)} ms   p99 ${percentile(values, 99).toFixed(2).padStart(8)} ms   (n=${values.length})`;
const ratio = (values, p) => (percentile(values, p) / percentile(bareFrames, p)).toFixed(1);
const frameSizes = `${Math.min(...engineFrames.bytes)}–${Math.max(...engineFrames.bytes)} bytes`;
console.log(`mutation → update, ${SUBSCRIBERS} subscribers, ${ROUNDS} rounds (frames ${frameSizes})`);
console.log(row("  atrium-engine, Transition at a sync socket", engineFrames.latencies));
console.log(row("  bare broadcast after a request, same sizes", bareFrames));
console.log(`  ratio p50 ${ratio(engineFrames.latencies, 50)}x, p99 ${ratio(engineFrames.latencies, 99)}x (target p50 ≤ 2x, p99 ≤ 3x)`);
console.log(row("  100 ConvexClients in one process, callback", clientUpdates));
console.log("empty query over HTTP (8 concurrent clients, 5 s after a 1 s warm-up)");
console.log(`  bare node HTTP                      ${bareRate.toFixed(0).padStart(8)} requests/s`);
console.log(`  atrium-engine, same arguments       ${rate.toFixed(0).padStart(8)} requests/s   ratio ${(rate / bareRate).toFixed(3)}x (answered by the query cache)`);
console.log(`  atrium-engine, new arguments each   ${runRate.toFixed(0).padStart(8)} requests/s   ratio ${(runRate / bareRate).toFixed(3)}x (a run each; target ≥ 0.7x)`);
console.log(`fan-out: one mutation → ${FANOUT} sockets subscribed to one query, ${FANOUT_ROUNDS} rounds after a warm-up round (last socket updated)`);
// Per round: the last socket's update (how many arrived), the first's, and the mutation's reply.
const roundsText = (times) => times.map((t) => `${t.ms.toFixed(1)} ms (${t.arrived}; first ${t.first.toFixed(1)}, reply ${t.replied.toFixed(1)})`).join(", ");
console.log(`  atrium-engine  ${roundsText(fan.times)}`);
console.log(`  bare broadcast ${roundsText(bareFan)}`);
console.log(`  median ${median(fan.times).toFixed(1)} ms vs ${median(bareFan).toFixed(1)} ms, ratio ${(median(fan.times) / median(bareFan)).toFixed(1)}x (target: last ≤ 200 ms)`);
console.log(`  engine CPU per round: ${fan.cpuPerRound.toFixed(0)} ms (user + system, all threads, with the 500 ms pause after it)`);
console.log(`idle memory per subscribed socket: ${(fan.perSocket / 1024).toFixed(1)} KiB (engine RSS growth / ${FANOUT})`);
process.exit(0);
