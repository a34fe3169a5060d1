// The real desktop window under Xvfb, driven over WebDriver (WebKitWebDriver with
// TAURI_WEBVIEW_AUTOMATION=true): it starts, the sidebar clicks through, the header reads.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ARTIFACTS, atriumBinary, freshConfigDir } from "./lib/atrium.mjs";

const AREAS = ["Data", "Functions", "Logs", "Subscriptions", "Vector", "Query", "Project", "Settings"];

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, check, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ""}`);
}

/** A minimal W3C WebDriver client over fetch. */
class WebDriver {
  constructor(base) {
    this.base = base;
  }

  async send(method, path, body) {
    const response = await fetch(this.base + path, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json();
    if (!response.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`);
    return json.value;
  }

  async startSession(capabilities) {
    const value = await this.send("POST", "/session", { capabilities: { alwaysMatch: capabilities } });
    this.session = `/session/${value.sessionId}`;
  }

  async find(css) {
    const value = await this.send("POST", `${this.session}/element`, { using: "css selector", value: css });
    return Object.values(value)[0];
  }

  click(element) {
    return this.send("POST", `${this.session}/element/${element}/click`, {});
  }

  text(element) {
    return this.send("GET", `${this.session}/element/${element}/text`);
  }

  async textOf(css) {
    return this.text(await this.find(css));
  }

  title() {
    return this.send("GET", `${this.session}/title`);
  }

  screenshot() {
    return this.send("GET", `${this.session}/screenshot`);
  }

  endSession() {
    return this.send("DELETE", this.session);
  }
}

describe("desktop window", () => {
  const children = [];
  let driver;
  let display;
  let config;

  before(async () => {
    config = freshConfigDir();
    display = `:${90 + Math.floor(Math.random() * 100)}`;
    const xvfb = spawn("Xvfb", [display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"], { stdio: "ignore" });
    children.push(xvfb);
    await waitFor("Xvfb", () => existsSync(`/tmp/.X11-unix/X${display.slice(1)}`), 10_000);

    const port = await freePort();
    const env = {
      ...process.env,
      DISPLAY: display,
      TAURI_WEBVIEW_AUTOMATION: "true",
      ATRIUM_CONFIG_DIR: config.dir,
      WAYLAND_DISPLAY: "",
    };
    const webdriver = spawn("WebKitWebDriver", [`--port=${port}`], { env, stdio: ["ignore", "inherit", "inherit"] });
    children.push(webdriver);
    driver = new WebDriver(`http://127.0.0.1:${port}`);
    await waitFor("WebKitWebDriver", () => driver.send("GET", "/status").then((s) => s.ready !== undefined));
    await driver.startSession({ "webkitgtk:browserOptions": { binary: atriumBinary(), args: [] } });
  });

  after(async () => {
    await driver?.endSession().catch(() => {});
    for (const child of children.reverse()) child.kill("SIGTERM");
    config?.remove();
  });

  test("the window starts and shows the shell", async () => {
    assert.equal(await driver.title(), "Atrium");
    const nav = await waitFor("the sidebar", () => driver.textOf("nav[aria-label=Areas]"));
    for (const label of AREAS) assert.match(nav, new RegExp(label));
    // The built-in sample project starts in the background and is connected by default.
    const state = await waitFor("the connection state", async () => {
      const text = await driver.textOf("[data-testid=connection-state]");
      return text === "Connected" && text;
    });
    assert.equal(state, "Connected");
    assert.equal(await driver.textOf("[data-testid=deployment-name]"), "Sample project");
  });

  test("clicking through the sidebar changes the area and the header", async () => {
    for (const label of AREAS) {
      const id = label.toLowerCase();
      await driver.click(await driver.find(`nav [data-area=${id}]`));
      const title = await waitFor(`the ${label} header`, async () => {
        const text = await driver.textOf(".area-title");
        return text === label && text;
      });
      assert.equal(title, label);
      await driver.find(`[data-testid=area-${id}]`);
    }
    // Settings talks to the studio over Tauri IPC: it knows it runs in the desktop window.
    assert.equal(await waitFor("app info", () => driver.textOf("[data-testid=app-host]").then((t) => t !== "…" && t)), "Desktop window");
  });

  test("a screenshot of the window is saved", async () => {
    await driver.click(await driver.find("nav [data-area=data]"));
    await waitFor("the Data area", () => driver.find("[data-testid=area-data]"));
    const png = Buffer.from(await driver.screenshot(), "base64");
    assert.ok(png.length > 10_000, `screenshot is only ${png.length} bytes`);
    assert.equal(png.subarray(1, 4).toString(), "PNG");
    writeFileSync(join(ARTIFACTS, "desktop-window.png"), png);
    // The whole X display too, proving a real window is on screen.
    const shot = spawnSync("import", ["-display", display, "-window", "root", join(ARTIFACTS, "desktop-display.png")]);
    assert.equal(shot.status, 0, `import failed: ${shot.stderr}`);
  });
});
