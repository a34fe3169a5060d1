// A deployment that issues its own tokens, as Convex Auth does: the `selfauth` fixture's
// action signs an RS256 JWT with jose on crypto.subtle (the PKCS8 key in JWT_PRIVATE_KEY,
// made here by node:crypto), an HTTP action serves the JWKS at
// `<site URL>/.well-known/jwks.json`, and auth.config.ts trusts that URL as a customJwt
// provider. The token is accepted by the official ConvexHttpClient (Authorization: Bearer)
// and ConvexClient (sync Authenticate): the query sees the identity. Verifying the token
// fetches the JWKS from the same engine that is verifying the request.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import WebSocket from "ws";
import { REPO } from "./lib/atrium.mjs";
import { startEngine } from "./lib/engine.mjs";

const FIXTURE = join(REPO, "tests/fixtures/selfauth");

describe("a deployment that issues its own tokens", () => {
  let engine;

  before(async () => {
    engine = await startEngine(FIXTURE);
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = { ...publicKey.export({ format: "jwk" }), kid: "self", alg: "RS256", use: "sig" };
    const response = await fetch(`${engine.url}/api/update_environment_variables`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Convex ${engine.adminKey}` },
      body: JSON.stringify({
        changes: [
          { name: "JWT_PRIVATE_KEY", value: privateKey.export({ type: "pkcs8", format: "pem" }) },
          { name: "JWKS", value: JSON.stringify({ keys: [jwk] }) },
        ],
      }),
    });
    assert.equal(response.status, 200, await response.text());
  });

  after(async () => {
    await engine?.stop();
  });

  test("the JWKS is served by the deployment's HTTP action", async () => {
    const response = await fetch(`${engine.siteUrl}/.well-known/jwks.json`);
    assert.equal(response.status, 200);
    const { keys } = await response.json();
    assert.deepEqual(keys.map((k) => [k.kid, k.kty, k.alg]), [["self", "RSA", "RS256"]]);

    // A token the deployment refuses does not refuse an HTTP action that never asks who the
    // caller is (the header may be the app's own scheme), as in Convex.
    const withBadToken = await fetch(`${engine.siteUrl}/.well-known/jwks.json`, { headers: { authorization: "Bearer not-a-jwt" } });
    assert.equal(withBadToken.status, 200);
  });

  test("ConvexHttpClient: a token the deployment signed makes the caller its user", async () => {
    const client = new ConvexHttpClient(engine.url);
    const token = await client.action("tokens:issue", { subject: "user-http", email: "ada@example.com" });
    assert.equal(token.split(".").length, 3, token);
    assert.equal(await client.query("tokens:whoami", {}), null);
    client.setAuth(token);
    const identity = await client.query("tokens:whoami", {});
    assert.equal(identity.tokenIdentifier, `${engine.siteUrl}|user-http`);
    assert.equal(identity.issuer, engine.siteUrl);
    assert.equal(identity.email, "ada@example.com");
    assert.equal(identity.role, "member");

    // The same claims with another signature are refused, in Convex's words.
    const forged = `${token.split(".").slice(0, 2).join(".")}.${Buffer.from("not the signature").toString("base64url")}`;
    const stranger = new ConvexHttpClient(engine.url);
    stranger.setAuth(forged);
    await assert.rejects(stranger.query("tokens:whoami", {}), /InvalidAuthHeader.*Could not decode token/);
  });

  test("ConvexClient: sync Authenticate with a self-issued token, the query sees the user", async () => {
    const issuer = new ConvexHttpClient(engine.url);
    const client = new ConvexClient(engine.url, { webSocketConstructor: WebSocket, unsavedChangesWarning: false });
    const fetchToken = () => issuer.action("tokens:issue", { subject: "user-ws", email: "grace@example.com" });
    const authStates = [];
    client.setAuth(fetchToken, (isAuthenticated) => authStates.push(isAuthenticated));
    try {
      const identity = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no identity within 20 s; auth states ${JSON.stringify(authStates)}`)), 20_000);
        client.onUpdate("tokens:whoami", {}, (value) => {
          if (value?.subject === "user-ws") {
            clearTimeout(timer);
            resolve(value);
          }
        });
      });
      assert.equal(identity.tokenIdentifier, `${engine.siteUrl}|user-ws`);
      assert.equal(identity.email, "grace@example.com");
      assert.equal(authStates.at(-1), true);
    } finally {
      await client.close();
    }
  });
});
