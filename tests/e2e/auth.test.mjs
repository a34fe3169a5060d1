// Signed-in users against `atrium-engine` with the official CLI and clients: a project whose
// auth.config.ts and a module read environment variables at load deploys once `npx convex
// env set` provides them; `ConvexHttpClient.setAuth(token)` and `ConvexClient.setAuth(fetch)`
// with RS256 tokens from a local OIDC issuer see the user's identity, and the client recovers
// from an expired token by fetching a fresh one; the Functions runner in Chromium (browser
// mode) runs as a pasted JWT's user, showing its claims, or the deployment's reason for
// refusing it.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import WebSocket from "ws";
import { ARTIFACTS, REPO, startBrowserMode } from "./lib/atrium.mjs";
import { launchChromium } from "./lib/chromium.mjs";
import { startEngine } from "./lib/engine.mjs";
import { startIssuer } from "./lib/issuer.mjs";

const FIXTURE = join(REPO, "tests/fixtures/auth");

// A module that refuses to load without GREETING, as apps guard their API keys.
const NEEDS_ENV = `import { query } from "./_generated/server";
if (!process.env.GREETING) throw new Error("GREETING is not set");
const greeting = process.env.GREETING;
export const greet = query({ args: {}, handler: async () => greeting });
`;

describe("signed-in users on atrium-engine", () => {
  let engine;
  let issuer;
  let project;

  const cli = (...args) =>
    new Promise((resolve, reject) => {
      const child = spawn(join(project, "node_modules/.bin/convex"), args, {
        cwd: project,
        env: { ...process.env, CONVEX_SELF_HOSTED_URL: engine.url, CONVEX_SELF_HOSTED_ADMIN_KEY: engine.adminKey, CONVEX_DEPLOYMENT: "", CONVEX_DEPLOY_KEY: "" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (c) => (output += c));
      child.stderr.on("data", (c) => (output += c));
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error(`convex ${args.join(" ")} timed out:\n${output}`));
      }, 120_000);
      child.on("exit", (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });

  before(async () => {
    issuer = await startIssuer();
    project = mkdtempSync(join(tmpdir(), "atrium-auth-"));
    cpSync(join(FIXTURE, "convex"), join(project, "convex"), { recursive: true });
    cpSync(join(FIXTURE, "package.json"), join(project, "package.json"));
    writeFileSync(join(project, "convex/needsEnv.ts"), NEEDS_ENV);
    symlinkSync(join(FIXTURE, "node_modules"), join(project, "node_modules"));
    const empty = join(project, "empty-engine-folder");
    mkdirSync(empty);
    engine = await startEngine(empty);
  });

  after(async () => {
    await engine?.stop();
    await issuer?.stop();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  test("code that reads variables at load deploys once `convex env set` provides them", async () => {
    const refused = await cli("deploy", "-y");
    assert.notEqual(refused.code, 0, refused.output);
    assert.match(refused.output, /GREETING is not set|OIDC_ISSUER/);

    const customJwks = `data:application/json;base64,${Buffer.from(JSON.stringify({ keys: [] })).toString("base64")}`;
    for (const [name, value] of [["GREETING", "hello from the environment"], ["OIDC_ISSUER", issuer.url], ["CUSTOM_JWKS", customJwks]]) {
      const set = await cli("env", "set", name, value);
      assert.equal(set.code, 0, set.output);
    }
    const deployed = await cli("deploy", "-y");
    assert.equal(deployed.code, 0, deployed.output);
    const greeted = await cli("run", "needsEnv:greet");
    assert.equal(greeted.code, 0, greeted.output);
    assert.match(greeted.output, /hello from the environment/);
    // Functions see the engine's own URLs.
    const urls = await cli("run", "identity:urls");
    assert.equal(JSON.parse(urls.output.slice(urls.output.indexOf("{"))).site, engine.siteUrl);
    const dev = await cli("dev", "--once");
    assert.equal(dev.code, 0, dev.output);
  });

  test("ConvexHttpClient.setAuth: queries see the user's identity", async () => {
    const client = new ConvexHttpClient(engine.url);
    assert.equal(await client.query("identity:whoami", {}), null);
    client.setAuth(issuer.token({ sub: "user-http", email: "ada@example.com", org: "acme" }));
    const identity = await client.query("identity:whoami", {});
    assert.equal(identity.tokenIdentifier, `${issuer.url}|user-http`);
    assert.equal(identity.email, "ada@example.com");
    assert.equal(identity.org, "acme");
    assert.equal(await client.mutation("identity:note", {}), `${issuer.url}|user-http`);

    const stranger = new ConvexHttpClient(engine.url);
    stranger.setAuth(issuer.token({ sub: "u" }, { audience: "another-app" }));
    await assert.rejects(stranger.query("identity:whoami", {}), /No auth provider found matching the given token/);
  });

  test("ConvexClient.setAuth: an expired token is replaced and queries re-run as the user", async () => {
    const client = new ConvexClient(engine.url, { webSocketConstructor: WebSocket, unsavedChangesWarning: false });
    const fetches = [];
    const fetchToken = async ({ forceRefreshToken }) => {
      fetches.push(forceRefreshToken);
      // The first token has expired; the client must ask again.
      return fetches.length === 1
        ? issuer.token({ sub: "user-ws", email: "grace@example.com", org: "navy" }, { expiresIn: -600 })
        : issuer.token({ sub: "user-ws", email: "grace@example.com", org: "navy" });
    };
    const authStates = [];
    client.setAuth(fetchToken, (isAuthenticated) => authStates.push(isAuthenticated));
    try {
      const identity = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no identity within 20 s; token fetches ${JSON.stringify(fetches)}`)), 20_000);
        client.onUpdate("identity:whoami", {}, (value) => {
          if (value?.subject === "user-ws") {
            clearTimeout(timer);
            resolve(value);
          }
        });
      });
      assert.equal(identity.tokenIdentifier, `${issuer.url}|user-ws`);
      assert.equal(identity.email, "grace@example.com");
      assert.equal(identity.org, "navy");
      assert.ok(fetches.length >= 2, `the client fetched a fresh token after the AuthError: ${JSON.stringify(fetches)}`);
      assert.equal(authStates.at(-1), true);
    } finally {
      await client.close();
    }
  });

  test("the runner runs as a pasted JWT's user, and says why a token is refused", async () => {
    const atrium = await startBrowserMode({ env: { ATRIUM_SAMPLE_PROJECT: "" } });
    const browser = await launchChromium();
    try {
      const saved = await atrium.rpc("save_connection", { id: null, name: "Auth", url: engine.url, colour: "#3b82f6", safe_mode: "normal", admin_key: engine.adminKey });
      await atrium.rpc("connect", { id: saved.connections[0].id });
      const page = await browser.context.newPage();
      await page.goto(atrium.url);
      await page.getByTestId("connection-state").filter({ hasText: "Connected" }).waitFor({ timeout: 30_000 });
      await page.locator('nav [data-area="functions"]').click();
      await page.getByLabel("Find a function").fill("identity:whoami");
      await page.getByRole("button", { name: /\bwhoami$/ }).first().click();
      const runner = page.getByTestId("runner");
      await runner.locator("code").filter({ hasText: "identity:whoami" }).waitFor();
      await runner.getByLabel("Act as a user").check();
      await runner.getByLabel("Token (JWT)").check();
      await runner.getByTestId("auth-providers").filter({ hasText: issuer.url }).waitFor();

      await runner.getByLabel("User token (JWT)").fill(issuer.token({ sub: "runner-user", email: "lin@example.com", org: "atrium" }));
      await runner.getByRole("button", { name: "Check token" }).click();
      const claims = JSON.parse(await runner.getByTestId("token-claims").textContent());
      assert.equal(claims.sub, "runner-user");
      assert.equal(claims.email, "lin@example.com");
      const identity = JSON.parse(await runner.getByTestId("token-identity").textContent());
      assert.equal(identity.tokenIdentifier, `${issuer.url}|runner-user`);
      await runner.getByRole("button", { name: "Run query" }).click();
      const value = JSON.parse(await runner.getByTestId("run-value").textContent());
      assert.equal(value.tokenIdentifier, `${issuer.url}|runner-user`);
      assert.equal(value.org, "atrium");
      for (const scheme of ["light", "dark"]) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.screenshot({ path: join(ARTIFACTS, `runner-jwt-accepted-${scheme}.png`) });
      }

      await runner.getByLabel("User token (JWT)").fill(issuer.token({ sub: "late" }, { expiresIn: -600 }));
      await runner.getByRole("button", { name: "Check token" }).click();
      const refused = runner.getByTestId("token-refused");
      await refused.waitFor();
      assert.match(await refused.textContent(), /Unauthenticated.*the token hasn't expired.*Cause: the token has expired/s);
      await runner.getByLabel("User token (JWT)").fill(issuer.token({ sub: "u" }, { audience: "another-app" }));
      await runner.getByRole("button", { name: "Run query" }).click();
      await refused.filter({ hasText: "NoAuthProvider" }).waitFor();
      assert.match(await refused.textContent(), /Check that your JWT's issuer and audience match one of your configured providers/);
      assert.match(await runner.getByRole("alert").textContent(), /The token was refused/);
      for (const scheme of ["light", "dark"]) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.screenshot({ path: join(ARTIFACTS, `runner-jwt-refused-${scheme}.png`) });
      }
    } finally {
      await browser.close();
      await atrium.stop();
    }
  });
});
