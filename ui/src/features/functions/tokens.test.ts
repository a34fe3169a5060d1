import { describe, expect, it } from "vitest";
import { describeProvider, expiryOf } from "./tokens";

describe("token helpers", () => {
  it("describes both kinds of provider", () => {
    expect(describeProvider({ domain: "https://issuer.test", applicationID: "app" })).toBe("OIDC https://issuer.test (application app)");
    expect(describeProvider({ type: "customJwt", issuer: "https://c.test", algorithm: "ES256", applicationID: null })).toBe("Custom JWT https://c.test (ES256)");
  });

  it("reads the expiry in seconds", () => {
    expect(expiryOf({ exp: 1_700_000_000 })?.toISOString()).toBe("2023-11-14T22:13:20.000Z");
    expect(expiryOf({ exp: "soon" })).toBeNull();
    expect(expiryOf(null)).toBeNull();
  });
});
