// Settings for any deployment, in Chromium, against `atrium-engine serve --as-convex` (a
// deployment that answers only what Convex does) saved as a connection that confirms
// writes: its URL; an environment variable added, edited (one edit cancelled at the
// confirmation), refused when the deployment refuses its name, and removed — each change
// checked on the deployment through the CLI's own query; auth providers said plainly to be
// unlisted.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ARTIFACTS, REPO } from "./lib/atrium.mjs";
import { gotoConnected, openConvexShaped } from "./lib/convexShaped.mjs";

describe("Settings of a Convex-shaped deployment", () => {
  let env;
  let engine;
  let page;

  /** The deployment's variables as the CLI's `env list` reads them. */
  const stored = async () => {
    const value = await env.call("query", "_system/cli/queryEnvironmentVariables:default");
    return Object.fromEntries(value.map((v) => [v.name, v.value]));
  };
  const row = (name) => page.getByTestId("env-vars").locator(`tr[data-name="${name}"]`);
  const answer = async (label) => {
    const dialog = page.getByRole("alertdialog");
    await dialog.waitFor();
    await dialog.getByRole("button", { name: label, exact: true }).click();
    await dialog.waitFor({ state: "detached" });
  };

  before(async () => {
    env = await openConvexShaped(join(REPO, "tests/fixtures/chat"), { safeMode: "confirm_writes" });
    ({ engine, page } = env);
    await gotoConnected(page, env.atrium.url);
    await page.locator('nav [data-area="settings"]').click();
    await page.getByTestId("deployment-settings").waitFor();
  });

  after(async () => {
    await env?.stop();
  });

  test("shows the deployment's URL and says its auth providers are not listed", async () => {
    assert.equal(await page.getByTestId("deployment-url").textContent(), engine.url);
    await page.getByTestId("auth-providers-settings").filter({ hasText: "does not list its auth providers" }).waitFor();
    await page.getByText("No environment variables.").waitFor();
  });

  test("adds, edits and removes an environment variable, asking first", async () => {
    await page.getByLabel("Variable name").fill("GREETING");
    await page.getByLabel("Variable value").fill("hello");
    await page.getByRole("button", { name: "Add variable" }).click();
    await answer("Set");
    await row("GREETING").filter({ hasText: "hello" }).waitFor();
    assert.deepEqual(await stored(), { GREETING: "hello" });

    await page.getByRole("button", { name: "Edit GREETING" }).click();
    await page.getByLabel("Variable value").fill("hi");
    await page.getByRole("button", { name: "Save GREETING" }).click();
    await answer("Set");
    await row("GREETING").filter({ hasText: "hi" }).waitFor();
    assert.deepEqual(await stored(), { GREETING: "hi" });
    await page.screenshot({ path: join(ARTIFACTS, "settings-env.png") });

    // Cancelled at the confirmation: nothing changes.
    await page.getByRole("button", { name: "Edit GREETING" }).click();
    await page.getByLabel("Variable value").fill("nope");
    await page.getByRole("button", { name: "Save GREETING" }).click();
    await answer("Cancel");
    assert.deepEqual(await stored(), { GREETING: "hi" });
    await page.getByRole("button", { name: "Cancel", exact: true }).click();

    await page.getByRole("button", { name: "Remove GREETING" }).click();
    await answer("Remove");
    await row("GREETING").waitFor({ state: "detached" });
    assert.deepEqual(await stored(), {});
  });

  test("shows the deployment's refusal of a bad name and stores nothing", async () => {
    await page.getByLabel("Variable name").fill("1 BAD NAME");
    await page.getByLabel("Variable value").fill("x");
    await page.getByRole("button", { name: "Add variable" }).click();
    await answer("Set");
    const error = page.getByTestId("env-error");
    await error.waitFor();
    assert.match(await error.textContent(), /1 BAD NAME|name/i);
    assert.deepEqual(await stored(), {});
  });
});
