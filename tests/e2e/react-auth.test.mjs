// A signed-in React app in Chromium whose tokens expire: the `reactauth` fixture's app
// (ConvexReactClient inside ConvexProviderWithAuth, bundled here with the fixture's esbuild)
// gets RS256 tokens from the test's OIDC issuer through `window.atriumFetchToken`. Every
// token lives four seconds and says it was issued an hour ago, so the client never refreshes
// it on its own timer: it expires, and the engine refuses the expired identity the next time
// the session needs it, as Convex does (an AuthError the client answers by fetching a fresh
// token with `forceRefreshToken`). Each token carries a counter claim `n`, so a query
// re-run as the fresh token's user is observable.
//   1. Another user's note re-runs the app's notes query after the token expired: the app
//      re-authenticates and both queries show the user with the new token's counter.
//   2. A click adds a note after the next token expired: the mutation is refused, the app
//      re-authenticates, the mutation runs as the user (signed with the newest counter).
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ConvexHttpClient } from "convex/browser";
import { REPO } from "./lib/atrium.mjs";
import { launchChromium } from "./lib/chromium.mjs";
import { startEngine } from "./lib/engine.mjs";
import { startIssuer } from "./lib/issuer.mjs";

const FIXTURE = join(REPO, "tests/fixtures/reactauth");
const LIFETIME = 4;

/** Bundles the fixture's app with its own esbuild into `out`; resolves to a server for it. */
async function serveApp(out) {
  const { build } = createRequire(join(FIXTURE, "package.json"))("esbuild");
  await build({
    entryPoints: [join(FIXTURE, "app/main.jsx")],
    bundle: true,
    format: "esm",
    jsx: "automatic",
    outfile: join(out, "main.js"),
    define: { "process.env.NODE_ENV": '"development"' },
    logLevel: "warning",
  });
  const files = { "/": ["text/html", readFileSync(join(FIXTURE, "app/index.html"))], "/main.js": ["text/javascript", readFileSync(join(out, "main.js"))] };
  const server = createServer((req, res) => {
    const file = files[new URL(req.url, "http://x").pathname];
    if (!file) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { "content-type": file[0] });
    res.end(file[1]);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}/`, stop: () => new Promise((r) => server.close(r)) };
}

describe("a ConvexReactClient in Chromium whose token expires", () => {
  let engine;
  let issuer;
  let project;
  let app;
  let browser;
  let page;
  const logs = [];
  /** Every token handed to the app: { forceRefreshToken, n, exp }. */
  const fetches = [];

  before(async () => {
    issuer = await startIssuer();
    project = mkdtempSync(join(tmpdir(), "atrium-reactauth-"));
    cpSync(join(FIXTURE, "convex"), join(project, "convex"), { recursive: true });
    symlinkSync(join(FIXTURE, "node_modules"), join(project, "node_modules"));
    // auth.config.ts needs OIDC_ISSUER: the folder loads once it is set.
    engine = await startEngine(project);
    const set = await fetch(`${engine.url}/api/update_environment_variables`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Convex ${engine.adminKey}` },
      body: JSON.stringify({ changes: [{ name: "OIDC_ISSUER", value: issuer.url }] }),
    });
    assert.equal(set.status, 200, await set.text());

    app = await serveApp(join(project, "app-build"));
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on("console", (message) => logs.push(`${message.type()}: ${message.text()}`));
    await page.exposeFunction("atriumFetchToken", ({ forceRefreshToken }) => {
      const now = Math.floor(Date.now() / 1000);
      const n = fetches.length + 1;
      fetches.push({ forceRefreshToken, n, exp: now + LIFETIME });
      return issuer.token({ sub: "react-user", email: "ada@example.com", n, iat: now - 3600 }, { expiresIn: LIFETIME });
    });
    await page.goto(`${app.url}?convex=${encodeURIComponent(engine.url)}`);
  });

  after(async () => {
    await browser?.close();
    await app?.stop();
    await engine?.stop();
    await issuer?.stop();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  /** The JSON a test id shows, once `ready(value)` holds (30 s at most). */
  const shown = async (testId, ready) => {
    const locator = page.getByTestId(testId);
    let last;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(100)) {
      const text = await locator.textContent();
      last = text;
      if (text !== "loading" && ready(JSON.parse(text))) return JSON.parse(text);
    }
    throw new Error(`${testId} never got there: ${last}\ntokens: ${JSON.stringify(fetches)}\nconsole:\n${logs.slice(-30).join("\n")}`);
  };

  /** Waits until the newest token has expired by the engine's clock (whole seconds). */
  const untilExpired = async () => {
    const { exp } = fetches.at(-1);
    await sleep(Math.max(0, (exp + 1) * 1000 - Date.now()) + 100);
  };

  test("another user's write re-runs the queries as the user with a fresh token", async () => {
    const first = await shown("identity", (identity) => identity?.n === fetches.length);
    assert.equal(first.tokenIdentifier, `${issuer.url}|react-user`);
    assert.equal(first.email, "ada@example.com");
    await shown("notes", (list) => list.viewer?.n === first.n);
    const before = fetches.length;

    await untilExpired();
    const other = new ConvexHttpClient(engine.url);
    other.setAuth(issuer.token({ sub: "other-user", n: 0 }));
    await other.mutation("identity:addNote", { text: "from another user" });

    const list = await shown("notes", (list) => list.notes.length === 1 && list.viewer?.n > first.n);
    assert.deepEqual(list.notes, [{ text: "from another user", author: `${issuer.url}|other-user`, n: 0 }]);
    const identity = await shown("identity", (identity) => identity?.n === list.viewer.n);
    assert.equal(identity.tokenIdentifier, `${issuer.url}|react-user`);
    assert.ok(fetches.length > before, `a fresh token was fetched: ${JSON.stringify(fetches)}`);
    assert.equal(fetches.at(-1).forceRefreshToken, true, JSON.stringify(fetches));
    assert.equal(identity.n, fetches.at(-1).n, "the queries run as the newest token");
    assert.match(await page.getByTestId("auth").textContent(), /^signed in$/);
  });

  test("a mutation sent after the token expired runs as the user once a fresh token is in", async () => {
    const before = fetches.length;
    await untilExpired();
    await page.getByRole("button", { name: "Add note" }).click();

    await page.getByTestId("mutations").filter({ hasText: "1 of 1 added" }).waitFor({ timeout: 30_000 });
    const list = await shown("notes", (list) => list.notes.length === 2);
    assert.ok(fetches.length > before, `a fresh token was fetched: ${JSON.stringify(fetches)}`);
    const newest = fetches.at(-1);
    assert.equal(newest.forceRefreshToken, true);
    assert.deepEqual(list.notes[0], { text: "from the browser 1", author: `${issuer.url}|react-user`, n: newest.n });
    const identity = await shown("identity", (identity) => identity?.n === newest.n);
    assert.equal(identity.subject, "react-user");
  });
});
