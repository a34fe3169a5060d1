// An HTTP route's request as the runner's form writes it (no React here): headers one a line
// as `Name: value`, and the route's key in the area's selection (`HTTP GET /stats`).

/** `Name: value` lines to pairs; blank lines skipped. Throws naming a line without a colon. */
export function parseHeaders(text: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (!line) continue;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new Error(`Header line ${i + 1} ("${line}") is not \`Name: value\`.`);
    pairs.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return pairs;
}

const PREFIX = "HTTP ";

/** The selection key of a route. */
export function routeKey(method: string, path: string): string {
  return `${PREFIX}${method} ${path}`;
}

/** The method and path a selection key names, or undefined for a function path. */
export function parseRouteKey(key: string | undefined): { method: string; path: string } | undefined {
  if (!key?.startsWith(PREFIX)) return undefined;
  const [method, ...path] = key.slice(PREFIX.length).split(" ");
  return method && path.length ? { method, path: path.join(" ") } : undefined;
}

/** Whether requests with this method usually carry a body (the form shows the body box). */
export function methodHasBody(method: string): boolean {
  return !["GET", "HEAD", "OPTIONS"].includes(method.toUpperCase());
}
