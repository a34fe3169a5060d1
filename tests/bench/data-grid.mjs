// The Data area on a 1,000,000-document table, in Chromium against release builds:
// time to first rows and time to jump to row 900,000, beside the same reads made directly
// over HTTP (the baseline, measured in the same run), and the app's memory (the studio
// process's RSS and the page's JS heap) before and after.
//
// Run by bench/data.sh. Environment: ATRIUM_BIN, ATRIUM_ENGINE_BIN (release binaries),
// DOCS (default 1,000,000).
import { readFileSync } from "node:fs";
import { startBrowserMode } from "../e2e/lib/atrium.mjs";
import { launchChromium } from "../e2e/lib/chromium.mjs";
import { startEngine } from "../e2e/lib/engine.mjs";
import { writeProject } from "../e2e/lib/projects.mjs";

const DOCS = Number(process.env.DOCS ?? 1_000_000);
const TARGET = Math.min(900_000, DOCS - 1);
const BATCH = 4096;

function project() {
  return writeProject({
    "convex/schema.ts": `import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({ rows: defineTable({ n: v.number(), label: v.string(), group: v.string() }) });
`,
  });
}

async function admin(engine, kind, path, args) {
  const response = await fetch(`${engine.url}/api/${kind}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Convex ${engine.adminKey}` },
    body: JSON.stringify({ path, args, format: "json" }),
  });
  const body = await response.json();
  if (body.status !== "success") throw new Error(`${path}: ${body.errorMessage}`);
  return body.value;
}

const rss = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) / 1024;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (x) => `${x.toFixed(0)} MB`;
const ms = (x) => `${x.toFixed(0)} ms`;

const generated = project();
const engine = await startEngine(generated.dir);
let atrium;
let browser;
try {
  // 1. The table.
  let started = performance.now();
  for (let done = 0; done < DOCS; done += BATCH) {
    const writes = [];
    for (let i = done; i < Math.min(DOCS, done + BATCH); i++) {
      writes.push({ op: "insert", table: "rows", document: { n: i, label: `row ${i}`, group: `g${i % 10}` } });
    }
    await admin(engine, "mutation", "_system/atrium/applyWrites", { writes });
    if (done % 100_000 < BATCH) process.stderr.write(`filled ${done + writes.length}\n`);
  }
  const fillSeconds = (performance.now() - started) / 1000;

  // 2. Baseline: the same windows read directly over HTTP.
  const direct = async (offset) => {
    const t = performance.now();
    const w = await admin(engine, "query", "_system/atrium/tableWindow", { table: "rows", offset, numItems: 260, order: "asc" });
    if (w.page.length === 0) throw new Error("empty window");
    return performance.now() - t;
  };
  const seedCount = await direct(0); // the first read counts the table once; later ones remember
  const directFirstRuns = [];
  for (let i = 0; i < 5; i++) directFirstRuns.push(await direct(0));
  const directFirst = median(directFirstRuns);
  const directJump = [];
  for (let i = 0; i < 5; i++) directJump.push(await direct(TARGET - 100));

  // 3. Atrium in Chromium.
  atrium = await startBrowserMode({ env: { ATRIUM_SAMPLE_PROJECT: "" } });
  const rpc = atrium.rpc;
  const saved = await rpc("save_connection", { id: null, name: "Million", url: engine.url, colour: "#3b82f6", safe_mode: "normal", admin_key: engine.adminKey });
  await rpc("connect", { id: saved.connections[0].id });
  browser = await launchChromium();
  const page = await browser.context.newPage();
  const idleRss = rss(atrium.process.pid);

  // Trade the launch token for the cookie first, then time a fresh load of the table (the
  // whole app loading in a new page, then its first rows).
  await page.goto(atrium.url);
  await page.goto("about:blank");
  started = performance.now();
  await page.goto(`${atrium.origin}/#/data/rows`);
  const firstCell = page.locator('.grid-row[data-row="0"] [data-column="n"]').filter({ hasText: /^\d+$/ });
  await firstCell.waitFor({ timeout: 120_000 });
  const coldLoad = performance.now() - started;
  const afterOpenRss = rss(atrium.process.pid);

  // The rest is timed in the page, from the user's action to the frame that shows the row
  // (a MutationObserver sees the cell, then the next animation frame), so that the driver's
  // own round trips are not counted.
  const cellSelector = (row) => `.grid-row[data-row="${row}"] [data-column="n"]`;
  const timeInPage = (action, row, expected) =>
    page.evaluate(
      ([action, selector, expected]) =>
        new Promise((resolve, reject) => {
          const shown = () => {
            const text = document.querySelector(selector)?.textContent?.trim() ?? "";
            return expected === null ? /^\d+$/.test(text) : text === expected;
          };
          const t0 = performance.now();
          const observer = new MutationObserver(() => {
            if (!shown()) return;
            observer.disconnect();
            clearTimeout(timeout);
            requestAnimationFrame(() => resolve(performance.now() - t0));
          });
          const timeout = setTimeout(() => (observer.disconnect(), reject(new Error(`${selector} not shown`))), 120_000);
          observer.observe(document.body, { subtree: true, childList: true, characterData: true });
          if (action.hash) location.hash = action.hash;
          else {
            const input = document.querySelector('input[aria-label="Go to row"]');
            input.value = String(action.jump + 1);
            input.form.requestSubmit();
          }
        }),
      [action, cellSelector(row), expected],
    );

  // First rows with the app open: leave for another area, then open the table again, as a
  // user does from the sidebar (the route change, the view opened, the grid's render).
  const firstRowsRuns = [];
  for (let i = 0; i < 5; i++) {
    await page.evaluate(() => (location.hash = "#/functions"));
    await firstCell.waitFor({ state: "detached", timeout: 60_000 });
    firstRowsRuns.push(await timeInPage({ hash: "#/data/rows" }, 0, null));
  }
  const firstRows = median(firstRowsRuns);

  // Jumps: row 1,000 against row 900,000, interleaved with a jump to the middle so that no
  // jump starts where the last one of its kind left the grid. The view is newest first: row
  // r (0-based) shows n = DOCS - 1 - r.
  const NEAR = Math.min(1_000, DOCS - 1);
  const jumps = [];
  for (let rep = 0; rep < 4; rep++) {
    for (const row of [NEAR, Math.floor(DOCS / 2), TARGET]) {
      jumps.push({ row, ms: await timeInPage({ jump: row }, row, String(DOCS - 1 - row)) });
    }
  }
  const jumpMedian = (row) => median(jumps.filter((j) => j.row === row).map((j) => j.ms));
  const jumpTarget = jumpMedian(TARGET);
  const jumpNear = jumpMedian(NEAR);

  // Scrolling: 40 wheel steps, time until the last screen's rows are filled.
  const t = performance.now();
  for (let i = 0; i < 40; i++) await page.mouse.wheel(0, 600);
  await page.waitForFunction(() => document.querySelectorAll(".grid-cell.loading").length === 0, null, { timeout: 60_000 });
  const scroll = performance.now() - t;
  const heap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);
  const domRows = await page.locator(".grid-row").count();
  const endRss = rss(atrium.process.pid);
  const engineRss = rss(engine.process.pid);

  console.log(`\nData grid on ${DOCS.toLocaleString("en-US")} documents (release build)`);
  console.log(`  fill: ${fillSeconds.toFixed(1)} s (${Math.round(DOCS / fillSeconds).toLocaleString("en-US")} docs/s through applyWrites)`);
  console.log(`  first window read (counts the table once): ${ms(seedCount)}`);
  console.log(`  app loaded in a fresh page, then its first rows: ${ms(coldLoad)}`);
  console.log(`  first rows, app open (median of 5, action to frame): UI ${ms(firstRows)}   direct HTTP window ${ms(directFirst)}   (target: ≤ 100 ms)`);
  console.log(`  jump to row ${NEAR.toLocaleString("en-US")} (median of 4): UI ${ms(jumpNear)}`);
  console.log(`  jump to row ${TARGET.toLocaleString("en-US")} (median of 4): UI ${ms(jumpTarget)}   direct HTTP window ${ms(median(directJump))}`);
  console.log(`  ratio row ${TARGET.toLocaleString("en-US")} / row ${NEAR.toLocaleString("en-US")}: ${(jumpTarget / jumpNear).toFixed(2)}× (target: ≤ 2×)`);
  console.log(`  all jumps: ${jumps.map((j) => `${j.row}: ${ms(j.ms)}`).join(", ")}`);
  console.log(`  40 wheel steps then rows filled: ${ms(scroll)}; rows in the DOM: ${domRows}`);
  console.log(`  studio RSS: idle ${mb(idleRss)}, table open ${mb(afterOpenRss)}, after jumps and scrolling ${mb(endRss)} (${(endRss / idleRss).toFixed(2)}× idle)`);
  console.log(`  page JS heap: ${mb(heap / 1024 / 1024)}; engine RSS: ${mb(engineRss)}`);
} finally {
  await browser?.close();
  await atrium?.stop();
  await engine.stop();
  generated.remove();
}
