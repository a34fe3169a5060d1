// Pure helpers for running as a token's user: how a provider reads in one line, and the
// date a token's `exp` claim names.

/** A provider of `auth.config.ts` in one line. */
export function describeProvider(provider: Record<string, unknown>): string {
  const app = typeof provider.applicationID === "string" ? provider.applicationID : null;
  if (provider.type === "customJwt") {
    return `Custom JWT ${String(provider.issuer)} (${String(provider.algorithm)}${app ? `, application ${app}` : ""})`;
  }
  return `OIDC ${String(provider.domain)}${app ? ` (application ${app})` : ""}`;
}

/** When the token expires, from its claims (`exp` in seconds), or null. */
export function expiryOf(claims: Record<string, unknown> | null): Date | null {
  const exp = claims?.exp;
  return typeof exp === "number" && Number.isFinite(exp) ? new Date(exp * 1000) : null;
}
