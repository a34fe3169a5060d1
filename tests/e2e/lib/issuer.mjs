// A local OIDC issuer for end-to-end tests: discovery and a JWKS served on 127.0.0.1, RS256
// ID tokens signed with node:crypto.
import { createSign, generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";

const b64url = (data) => Buffer.from(data).toString("base64url");

/** Starts the issuer; resolves to { url, token(claims, { expiresIn }), stop }. */
export async function startIssuer() {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: "jwk" }), kid: "e2e", alg: "RS256", use: "sig" };
  let url;
  const server = createServer((req, res) => {
    const send = (body) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.url === "/.well-known/openid-configuration") {
      send({ issuer: url, jwks_uri: `${url}/jwks`, authorization_endpoint: `${url}/authorize`, response_types_supported: ["id_token"], subject_types_supported: ["public"], id_token_signing_alg_values_supported: ["RS256"] });
    } else if (req.url === "/jwks") {
      send({ keys: [jwk] });
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${server.address().port}`;
  /** An RS256 ID token for `claims` (iss, aud and times filled in). */
  const token = (claims, { expiresIn = 600, audience = "convex-test" } = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: "RS256", typ: "JWT", kid: "e2e" }));
    const payload = b64url(JSON.stringify({ iss: url, aud: audience, iat: now, exp: now + expiresIn, ...claims }));
    const signer = createSign("RSA-SHA256");
    signer.update(`${header}.${payload}`);
    return `${header}.${payload}.${signer.sign(privateKey).toString("base64url")}`;
  };
  return { url, token, stop: () => new Promise((r) => server.close(r)) };
}
