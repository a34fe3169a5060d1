import { describe, expect, it } from "vitest";
import { StudioError, toStudioError } from "./types";

describe("toStudioError", () => {
  it("keeps the studio's code and message", () => {
    const e = toStudioError({ code: "bad_request", message: "Bad request for `x`." });
    expect(e).toBeInstanceOf(StudioError);
    expect(e.code).toBe("bad_request");
    expect(e.message).toBe("Bad request for `x`.");
  });

  it("turns anything else into an internal error with its text", () => {
    expect(toStudioError(new Error("boom")).code).toBe("internal");
    expect(toStudioError("plain").message).toBe("plain");
  });
});
