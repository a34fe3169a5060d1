// A "Convex-shaped" deployment for end-to-end tests: the local engine with its extensions
// off (`atrium-engine serve --as-convex`, answering only what Convex does), saved in a fresh
// browser-mode studio as a connection and connected, with Chromium open on the studio.
import { startBrowserMode } from "./atrium.mjs";
import { launchChromium } from "./chromium.mjs";
import { startEngine } from "./engine.mjs";

/**
 * Starts the engine on `project` with `--as-convex`, saves and connects it in `atrium
 * --browser` (no sample project) and opens a page on it, waiting until it is connected.
 * Resolves to { engine, atrium, browser, page, call, stop }; `call(kind, path, args)` runs a
 * function on the deployment as admin through Convex's HTTP API and resolves to its value.
 */
export async function openConvexShaped(project, { name = "Convex-shaped", safeMode = "normal", colour = "#8b5cf6", engineOptions = {} } = {}) {
  const engine = await startEngine(project, { ...engineOptions, args: ["--as-convex", ...(engineOptions.args ?? [])] });
  let atrium;
  let browser;
  const stop = async () => {
    await browser?.close();
    await atrium?.stop();
    await engine.stop();
  };
  try {
    atrium = await startBrowserMode({ env: { ATRIUM_SAMPLE_PROJECT: "" } });
    const saved = await atrium.rpc("save_connection", { id: null, name, url: engine.url, colour, safe_mode: safeMode, admin_key: engine.adminKey });
    await atrium.rpc("connect", { id: saved.connections.find((c) => c.name === name).id });
    browser = await launchChromium();
    const page = await browser.context.newPage();
    const call = async (kind, path, args = {}) => {
      const response = await fetch(`${engine.url}/api/${kind}`, {
        method: "POST",
        headers: { authorization: `Convex ${engine.adminKey}`, "content-type": "application/json" },
        body: JSON.stringify({ path, args, format: "json" }),
      });
      const body = await response.json();
      if (body.status !== "success") throw new Error(`${path}: ${JSON.stringify(body)}`);
      return body.value;
    };
    return { engine, atrium, browser, page, call, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Opens the studio in `page` and waits until the deployment is connected. */
export async function gotoConnected(page, url) {
  await page.goto(url);
  await page.getByTestId("connection-state").filter({ hasText: "Connected" }).waitFor({ timeout: 30_000 });
}
