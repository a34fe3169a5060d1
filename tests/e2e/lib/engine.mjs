// Starting the headless `atrium-engine` on a project for end-to-end tests.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "./atrium.mjs";

export function engineBinary() {
  const target = process.env.CARGO_TARGET_DIR ?? join(REPO, "target");
  const bin = process.env.ATRIUM_ENGINE_BIN ?? join(target, "debug/atrium-engine");
  if (!existsSync(bin)) throw new Error(`${bin} does not exist: build it with \`cargo build -p atrium-server\``);
  return bin;
}

/**
 * Starts `atrium-engine serve <project>` on free ports (or `port`); resolves to
 * { url, siteUrl, adminKey, stop }. With `data`, that data folder is used and kept; `args`
 * are more options (`["--as-convex"]`); `env`, more environment variables (`ATRIUM_FAULT`).
 */
export async function startEngine(project, { port = 0, data: keep, args = [], env = {} } = {}) {
  const data = keep ?? mkdtempSync(join(tmpdir(), "atrium-engine-"));
  const child = spawn(engineBinary(), ["serve", project, "--port", String(port), "--site-port", "0", "--data-dir", data, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const lines = await new Promise((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => reject(new Error(`atrium-engine printed no URLs within 60 s; stderr:\n${stderr}`)), 60_000);
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      if (/^Admin key: .+$/m.test(stdout)) {
        clearTimeout(timer);
        resolve(stdout);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`atrium-engine exited with ${code}; stderr:\n${stderr}`));
    });
  });
  const field = (name) => lines.match(new RegExp(`^${name}: (.+)$`, "m"))[1].trim();
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    if (!keep) rmSync(data, { recursive: true, force: true });
  };
  return { url: field("Convex URL"), siteUrl: field("Site URL"), adminKey: field("Admin key"), stop, process: child };
}
