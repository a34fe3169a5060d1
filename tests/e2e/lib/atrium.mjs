// Starting and stopping the real `atrium` binary for end-to-end tests.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const ARTIFACTS = join(REPO, "tests/artifacts");
mkdirSync(ARTIFACTS, { recursive: true });

/** The debug binary built by `make test` (or ATRIUM_BIN). */
export function atriumBinary() {
  const target = process.env.CARGO_TARGET_DIR ?? join(REPO, "target");
  const bin = process.env.ATRIUM_BIN ?? join(target, "debug/atrium");
  if (!existsSync(bin)) throw new Error(`${bin} does not exist: build it with \`cargo build -p atrium\``);
  return bin;
}

/** A fresh, empty config folder, removed by the returned function. */
export function freshConfigDir() {
  const dir = mkdtempSync(join(tmpdir(), "atrium-e2e-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Starts `atrium --browser` and waits for its `Atrium UI: …` line.
 * Resolves to { url, origin, token, process, stop }.
 */
export async function startBrowserMode({ args = [], env = {} } = {}) {
  const config = freshConfigDir();
  const child = spawn(atriumBinary(), ["--browser", ...args], {
    env: { ...process.env, ATRIUM_CONFIG_DIR: config.dir, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const url = await new Promise((resolveUrl, reject) => {
    let stdout = "";
    const timer = setTimeout(() => reject(new Error(`no URL line within 30 s; stderr:\n${stderr}`)), 30_000);
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const match = stdout.match(/^Atrium UI: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)$/m);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`atrium exited with ${code} before printing its URL; stderr:\n${stderr}`));
    });
  });
  const parsed = new URL(url);
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    config.remove();
  };
  const token = parsed.searchParams.get("token");
  /** Calls a studio command directly (as the UI would), resolving to its JSON answer. */
  const rpc = (command, payload = null) =>
    fetch(`${parsed.origin}/api/rpc/${command}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(payload),
    }).then((r) => r.json());
  return { url, origin: parsed.origin, token, process: child, stop, stderr: () => stderr, rpc };
}
