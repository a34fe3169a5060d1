// Convex projects written by tests into temporary folders, using the tests' own
// `node_modules` (convex from npm).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { REPO } from "./atrium.mjs";

/** Writes `files` ({"convex/schema.ts": "…"}) to a new folder; resolves { dir, remove }. */
export function writeProject(files) {
  const dir = mkdtempSync(join(tmpdir(), "atrium-project-"));
  symlinkSync(join(REPO, "tests/node_modules"), join(dir, "node_modules"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
