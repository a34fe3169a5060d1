// Atrium in browser mode connected to one engine, with a Chromium page on it: what the
// area suites share. Resolves { atrium, browser, page, stop }.
import { ARTIFACTS, startBrowserMode } from "./atrium.mjs";
import { launchChromium } from "./chromium.mjs";
import { join } from "node:path";

export async function openConnected(engine, { name, colour = "#0ea5e9", safeMode = "normal", width = 1400, height = 900 }) {
  const atrium = await startBrowserMode({ env: { ATRIUM_SAMPLE_PROJECT: "" } });
  const saved = await atrium.rpc("save_connection", { id: null, name, url: engine.url, colour, safe_mode: safeMode, admin_key: engine.adminKey });
  await atrium.rpc("connect", { id: saved.connections[0].id });
  const browser = await launchChromium();
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height });
  await page.goto(atrium.url);
  await page.getByTestId("connection-state").filter({ hasText: "Connected" }).waitFor({ timeout: 30_000 });
  const stop = async () => {
    await browser.close();
    await atrium.stop();
  };
  return { atrium, browser, page, stop };
}

/** Screenshots of the page in light, then dark (`<name>-light.png`, `<name>-dark.png`). */
export async function screenshotsLightAndDark(page, name) {
  await page.emulateMedia({ colorScheme: "light" });
  await page.waitForFunction(() => document.documentElement.dataset.theme !== "dark");
  await page.screenshot({ path: join(ARTIFACTS, `${name}-light.png`), fullPage: true });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
  await page.screenshot({ path: join(ARTIFACTS, `${name}-dark.png`), fullPage: true });
  await page.emulateMedia({ colorScheme: "light" });
}
