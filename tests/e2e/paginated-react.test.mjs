// `usePaginatedQuery` (convex@1.48.0's React client) in Chromium, in an app built here with
// Vite against `atrium-engine` on the chat fixture: three pages of the newest-first feed
// are loaded, then another client (ConvexHttpClient) inserts rows at the top and deletes
// rows inside the first and second pages. After each change the rendered rows — the
// pages concatenated — are exactly the table's newest rows in order: none lost, none
// repeated (each page's end is pinned by its query journal).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { createServer } from "node:http";
import { join, extname } from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { ConvexHttpClient } from "convex/browser";
import { ARTIFACTS, REPO } from "./lib/atrium.mjs";
import { launchChromium } from "./lib/chromium.mjs";
import { startEngine } from "./lib/engine.mjs";

const CHAT = join(REPO, "tests/fixtures/chat");
const UI_MODULES = join(REPO, "ui/node_modules");

const APP = `import { createElement as h, StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ConvexProvider, ConvexReactClient, usePaginatedQuery } from "convex/react";
import { makeFunctionReference } from "convex/server";

const feed = makeFunctionReference("messages:feed");
const client = new ConvexReactClient(new URLSearchParams(location.search).get("deployment"));

function Feed() {
  const { results, status, loadMore } = usePaginatedQuery(feed, {}, { initialNumItems: 5 });
  return h("div", null,
    h("p", { id: "status" }, status),
    h("ul", { id: "rows" }, results.map((m) => h("li", { key: m._id, "data-id": m._id }, m.body))),
    h("button", { id: "more", onClick: () => loadMore(5), disabled: status !== "CanLoadMore" }, "More"));
}

createRoot(document.getElementById("root")).render(h(StrictMode, null, h(ConvexProvider, { client }, h(Feed))));
`;

/** Builds the app with Vite (the UI's own copy) into `dir/dist`. */
async function buildApp(dir) {
  writeFileSync(join(dir, "index.html"), `<!doctype html><html><body><div id="root"></div><script type="module" src="./main.js"></script></body></html>`);
  writeFileSync(join(dir, "main.js"), APP);
  const { build } = await import(pathToFileURL(join(UI_MODULES, "vite/dist/node/index.js")).href);
  await build({
    root: dir,
    logLevel: "error",
    configFile: false,
    resolve: {
      alias: [
        { find: /^react$/, replacement: join(UI_MODULES, "react/index.js") },
        { find: /^react\/jsx-runtime$/, replacement: join(UI_MODULES, "react/jsx-runtime.js") },
        { find: /^react-dom\/client$/, replacement: join(UI_MODULES, "react-dom/client.js") },
        { find: /^react-dom$/, replacement: join(UI_MODULES, "react-dom/index.js") },
      ],
    },
    build: { outDir: join(dir, "dist"), emptyOutDir: true },
  });
}

/** Serves `dir` over HTTP on a free port. */
function serve(dir) {
  const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css" };
  const server = createServer((request, response) => {
    const path = join(dir, new URL(request.url, "http://x").pathname.replace(/^\/$/, "/index.html"));
    if (!path.startsWith(dir) || !existsSync(path)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" }).end(readFileSync(path));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() })));
}

describe("usePaginatedQuery under concurrent inserts and deletes", () => {
  let engine;
  let app;
  let site;
  let browser;
  let page;
  let other;

  before(async () => {
    // Inside the fixture, so `convex` resolves from its node_modules.
    app = mkdtempSync(join(CHAT, ".react-app-"));
    await buildApp(app);
    site = await serve(join(app, "dist"));
    engine = await startEngine(CHAT);
    other = new ConvexHttpClient(engine.url);
    for (let i = 0; i < 20; i++) await other.mutation("messages:send", { body: `row ${i}`, author: "feed" });
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.goto(`${site.url}/?deployment=${encodeURIComponent(engine.url)}`);
  });

  after(async () => {
    await browser?.close();
    site?.close();
    await engine?.stop();
    if (app) rmSync(app, { recursive: true, force: true });
  });

  const rendered = () => page.evaluate(() => [...document.querySelectorAll("#rows li")].map((li) => li.getAttribute("data-id")));

  /** The rendered rows are the table's newest rows, in order, each once. */
  async function check(what) {
    const rows = await rendered();
    assert.ok(rows.length >= 9 && rows.every(Boolean), `after ${what}: rows ${JSON.stringify(rows)}`);
    const table = (await other.query("messages:list", {})).map((m) => m._id).reverse();
    assert.equal(new Set(rows).size, rows.length, `after ${what}: a row shown twice`);
    assert.deepEqual(rows, table.slice(0, rows.length), `after ${what}: the pages are not the table's newest rows`);
  }

  test("three pages stay contiguous while rows come and go", async () => {
    await page.waitForFunction(() => document.querySelectorAll("#rows li").length === 5);
    for (const n of [10, 15]) {
      await page.locator("#more").click();
      await page.waitForFunction((n) => document.querySelectorAll("#rows li").length === n, n);
    }
    await check("loading three pages");

    for (let round = 0; round < 3; round++) {
      const body = `inserted ${round}`;
      await other.mutation("messages:send", { body, author: "other" });
      await page.locator("#rows li", { hasText: body }).waitFor();
      await check(`insert ${round}`);

      const ids = await rendered();
      for (const at of [1, 5, 9]) {
        const victim = ids[at];
        assert.ok(victim, `row ${at} of ${JSON.stringify(ids)}`);
        await other.mutation("messages:remove", { id: victim });
        await page.waitForFunction((id) => !document.querySelector(`#rows li[data-id="${id}"]`), victim);
        await check(`deleting row ${at} (round ${round})`);
      }
    }
    await page.screenshot({ path: join(ARTIFACTS, "paginated-react.png") });
  });
});
