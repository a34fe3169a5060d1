// Only src/platform/ may import @tauri-apps/*: every other module reaches the host
// through the platform module, so the UI runs the same in a browser and in the window.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(__dirname, "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

describe("platform boundary", () => {
  it("finds the source files", () => {
    expect(sourceFiles(SRC).length).toBeGreaterThan(10);
  });

  it("keeps @tauri-apps imports inside src/platform", () => {
    const offenders = sourceFiles(SRC)
      .map((path) => relative(SRC, path))
      .filter((path) => !path.startsWith("platform/"))
      .filter((path) => /from\s+["']@tauri-apps\/|import\(\s*["']@tauri-apps\//.test(readFileSync(join(SRC, path), "utf8")));
    expect(offenders).toEqual([]);
  });
});
