import { describe, expect, it } from "vitest";
import { methodHasBody, parseHeaders, parseRouteKey, routeKey } from "./httpRequest";

describe("parseHeaders", () => {
  it("reads Name: value lines, keeping colons in values and skipping blank lines", () => {
    expect(parseHeaders("content-type: application/json\n\nx-at: 12:30 \n")).toEqual([
      ["content-type", "application/json"],
      ["x-at", "12:30"],
    ]);
  });
  it("names the line that is not a header", () => {
    expect(() => parseHeaders("a: 1\nnonsense")).toThrow(/line 2 \("nonsense"\)/);
    expect(() => parseHeaders(": empty")).toThrow(/line 1/);
  });
});

describe("route keys", () => {
  it("round-trip a method and path, and are not function paths", () => {
    expect(parseRouteKey(routeKey("POST", "/send message"))).toEqual({ method: "POST", path: "/send message" });
    expect(parseRouteKey("messages:send")).toBeUndefined();
    expect(parseRouteKey(undefined)).toBeUndefined();
  });
  it("knows which methods carry a body", () => {
    expect(methodHasBody("post")).toBe(true);
    expect(methodHasBody("GET")).toBe(false);
  });
});
