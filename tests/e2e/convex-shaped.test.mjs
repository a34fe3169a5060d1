// Every area of the studio, in Chromium, against a "Convex-shaped" deployment: the local
// engine with its extensions off (`atrium-engine serve --as-convex`) running the sample
// project (tables with data, indexes, a search and a vector index, queries, mutations,
// actions, a cron and an HTTP route) plus a pending scheduled function and a stored file.
// The areas are read from the sidebar, so areas added later are walked too. Each must
// settle (no "Loading…" left), raise no page or console error, and either show its main
// content ("works") or say plainly that the deployment does not offer it ("not offered").
// The record goes to tests/artifacts/convex-shaped-walk.md (and stdout); a screenshot of
// each area (light; two in dark) goes next to it. A command palette command is run there too.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { after, before, describe, test } from "node:test";
import { ARTIFACTS, REPO } from "./lib/atrium.mjs";
import { gotoConnected, openConvexShaped } from "./lib/convexShaped.mjs";
import { writeProject } from "./lib/projects.mjs";

/** The sample project's files plus a module that stores a file and schedules a job. */
function sampleProject() {
  const root = join(REPO, "assets/sample-project");
  const files = {};
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(root, path)] = readFileSync(path, "utf8");
    }
  };
  walk(join(root, "convex"));
  files["package.json"] = readFileSync(join(root, "package.json"), "utf8");
  files["convex/walk.ts"] = `
import { internal } from "./_generated/api";
import { mutation } from "./_generated/server";

export const generateUploadUrl = mutation({ args: {}, handler: async (ctx) => await ctx.storage.generateUploadUrl() });

/** Archives done tasks in an hour: a job that stays pending while the test runs. */
export const later = mutation({
  args: {},
  handler: async (ctx) => {
    console.log("scheduling the archive in an hour");
    return await ctx.scheduler.runAfter(3_600_000, internal.tasks.archiveDone, {});
  },
});
`;
  return writeProject(files);
}

/** Text that says plainly the deployment does not offer something. */
const NOT_OFFERED = /does not (offer|list|keep|support|record|expose|serve)|doesn't (offer|list|serve)|cannot (run|say|dry-run)|offer no|not offered|keep that to themselves/i;
/** Text that says an area is still waiting for something. */
const BUSY = /Loading…|Connecting( to .*)?…|Waiting for the (deployment|connection)…|Running…|Starting…|Checking…|Searching the tables…|Exporting .*…/;
const SETTLE_MS = 30_000;

/**
 * What shows an area's main content worked, by area id: resolves to a short description of
 * what is there, or null. Areas without an entry (added later) count as working when they
 * rendered anything beyond a heading.
 */
const PROBES = {
  data: async (page) => {
    const rows = await page.locator(".grid-row").count();
    return rows > 0 ? `${rows} rows of ${(await page.locator(".table-item.active .table-name").first().textContent())?.trim()}` : null;
  },
  functions: async (page, { call }) => {
    const fns = await page.locator(".fn-module li").count();
    return fns > 0 ? `${fns} functions, crons and routes listed` : null;
  },
  logs: async (page, { call }) => {
    await call("query", "tasks:stats");
    const rows = page.locator('[data-testid="log-list"] .log-row');
    await rows.first().waitFor({ timeout: 20_000 }).catch(() => {});
    const n = await rows.count();
    return n > 0 ? `${n} executions streamed` : null;
  },
  schedules: async (page) => {
    const jobs = await page.getByTestId("scheduled-job").count();
    const crons = await page.getByTestId("cron-job").count();
    return jobs + crons > 0 ? `${jobs} scheduled job(s), ${crons} cron job(s)` : null;
  },
  files: async (page) => {
    const files = await page.getByTestId("file-row").count();
    return files > 0 ? `${files} stored file(s)` : null;
  },
  subscriptions: async (page) => ((await page.getByTestId("subscription-count").count()) > 0 ? (await page.getByTestId("subscription-count").textContent()).trim() : null),
  vector: async (page) => {
    const count = page.getByTestId("vector-count");
    await count.waitFor({ timeout: 10_000 }).catch(() => {});
    return (await count.count()) > 0 ? `${(await page.getByTestId("vector-details").textContent()).trim()}; ${await count.textContent()} vectors` : null;
  },
  query: async (page) => {
    const editor = page.getByLabel("SQL", { exact: true });
    if ((await editor.count()) === 0) return null;
    await editor.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText("SELECT count(*) AS n FROM tasks");
    await page.keyboard.press("Control+Enter");
    const status = page.getByTestId("sql-status").filter({ hasText: /row/ });
    await status.waitFor({ timeout: 30_000 }).catch(() => {});
    return (await status.count()) > 0 ? `SQL: ${(await status.textContent()).trim()}` : null;
  },
  project: async (page) => ((await page.getByRole("form", { name: "Create a project" }).count()) > 0 ? "local projects: create or open one" : null),
  settings: async (page) => ((await page.getByTestId("deployment-url").count()) > 0 ? `deployment URL ${(await page.getByTestId("deployment-url").textContent()).trim()}` : null),
};

const clip = (text) => text.replace(/\s+/g, " ").trim().slice(0, 120);

/** The texts in `scope` that say the deployment does not offer something. */
const notOfferedIn = async (scope) =>
  [...new Set(await scope.locator("p, div, span, li, h2, h3, td").evaluateAll(
    (nodes, source) => nodes.filter((n) => n.children.length === 0 || n.tagName === "P").map((n) => n.textContent.replace(/\s+/g, " ").trim()).filter((t) => new RegExp(source, "i").test(t)),
    NOT_OFFERED.source,
  ))];

/**
 * Waits (within a bound) until `works` shows, or `scope` says plainly the deployment does not
 * offer the feature; otherwise the feature "breaks" (it spun, or showed something else).
 */
async function outcome(page, scope, works, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if ((await works.count()) > 0) return { status: "works", detail: clip(await works.first().innerText()) };
    const said = await notOfferedIn(scope);
    if (said.length > 0) return { status: "not offered", detail: said[0] };
    const alert = scope.locator('[role="alert"]');
    if ((await alert.count()) > 0) return { status: "breaks", detail: clip(await alert.first().innerText()) };
    await page.waitForTimeout(400);
  }
  return { status: "breaks", detail: clip(await scope.innerText().catch(() => "(gone)")) };
}

/** The features inside an area, by area id: each resolves to [feature, outcome]. */
const FEATURES = {
  data: async (page) => {
    await page.locator(".table-item", { hasText: "tasks" }).click();
    await page.locator(".grid-row .id-link").first().click();
    const panel = page.getByTestId("document-panel");
    await panel.waitFor();
    const opened = [
      ["open a document", await outcome(page, panel, panel.locator("pre, .json, code, table").first())],
      ["document history", await outcome(page, panel, panel.getByTestId("history"))],
    ];
    await page.getByRole("button", { name: "Close document panel" }).click();
    const area = page.getByTestId("area-data");
    await page.getByLabel("Search text").fill("launch");
    const search = await outcome(page, page.getByTestId("search-box"), page.getByTestId("search-hit"));
    await page.screenshot({ path: join(ARTIFACTS, "convex-shaped-data-search.png") });
    await page.getByLabel("Search text").fill("");
    await page.getByRole("button", { name: "Schema" }).click();
    const schema = await outcome(page, area, page.getByTestId("search-index"));
    await page.getByRole("button", { name: "Schema" }).click();
    const filterBox = page.getByPlaceholder(/^Filter, e\.g\./);
    await filterBox.fill("done == true");
    await filterBox.press("Enter");
    const filter = await outcome(page, area, page.getByTestId("view-count").filter({ hasText: /^2 matching/ }));
    await filterBox.fill("");
    await filterBox.press("Enter");
    return [...opened, ["full-text search (tasks.search_text)", search], ["schema and indexes", schema], ["filter documents", filter]];
  },
  functions: async (page, { call }) => {
    const area = page.getByTestId("area-functions");
    const metrics = [await outcome(page, area, page.getByTestId("metrics-panel"))];
    await page.locator(".fn-module", { has: page.locator(".fn-module-name", { hasText: /^tasks$/ }) }).getByRole("button", { name: /^Q\s*stats$/ }).click();
    await page.getByRole("button", { name: "Run query" }).click();
    const run = await outcome(page, area, page.getByTestId("run-value"));
    await page.getByRole("button", { name: "Keep live" }).click();
    const livePanel = page.getByTestId("live-panel");
    await livePanel.filter({ hasText: /1 version/ }).waitFor({ timeout: 20_000 });
    await call("mutation", "tasks:add", { text: "Added while a query is kept live" });
    const live = await outcome(page, livePanel, livePanel.filter({ hasText: /2 versions/ }));
    await page.getByRole("button", { name: "Stop live" }).click();
    await page.getByRole("checkbox", { name: "Act as a user" }).check();
    await page.getByRole("radio", { name: "Token (JWT)" }).check();
    const actAs = await outcome(page, page.getByTestId("token-panel"), page.getByTestId("auth-providers"));
    await page.getByRole("checkbox", { name: "Act as a user" }).uncheck();
    await area.locator("summary", { hasText: "Source" }).click();
    const source = await outcome(page, area, page.getByTestId("function-source"));
    await page.locator(".fn-module", { has: page.locator(".fn-module-name", { hasText: /^seed$/ }) }).getByRole("button", { name: /seedNow/ }).click();
    await page.getByRole("button", { name: "Dry run" }).click();
    const dry = page.getByTestId("dry-run");
    const dryRun = await outcome(page, area, dry.filter({ hasText: "nothing was saved" }));
    await area.locator(".fn-route button", { hasText: "/stats" }).click();
    await page.getByTestId("http-runner").getByRole("button", { name: /^Send/ }).click();
    const http = await outcome(page, area, page.getByTestId("http-status"));
    return [["metrics overview", metrics[0]], ["run a query", run], ["keep a query live", live], ["act as a user with a token (auth providers)", actAs], ["function source", source], ["dry-run a mutation", dryRun], ["try an HTTP route", http]];
  },
  logs: async (page) => {
    const area = page.getByTestId("area-logs");
    await page.locator(".log-row").first().click();
    const detail = await outcome(page, area, page.locator(".log-detail"));
    await page.getByRole("button", { name: "Search archive" }).click();
    return [["an execution's detail", detail], ["search the log archive", await outcome(page, area, page.getByTestId("archive-banner"))]];
  },
  schedules: async (page) => {
    const area = page.getByTestId("area-schedules");
    await page.getByTestId("scheduled-job").first().getByTestId("job-cancel").click();
    return [["cancel a scheduled job", await outcome(page, area, page.getByTestId("no-jobs").or(page.getByTestId("job-state").filter({ hasText: /cancel/i })))]];
  },
  files: async (page) => {
    const area = page.getByTestId("area-files");
    await page.getByTestId("file-row").first().click();
    return [
      ["preview a file", await outcome(page, page.locator(".file-text"), page.getByTestId("file-preview-text").filter({ hasText: "a file stored on a Convex-shaped deployment" }))],
      ["documents referring to a file", await outcome(page, area, page.getByTestId("file-reference"))],
    ];
  },
  vector: async (page) => {
    const area = page.getByTestId("area-vector");
    return [
      ["index definitions", await outcome(page, area, page.getByTestId("vector-details").filter({ hasText: "8 dimensions" }))],
      ["vector search, map and recall", await outcome(page, area, page.getByTestId("vector-search"))],
    ];
  },
  query: async (page) => {
    const area = page.getByTestId("area-query");
    await page.getByRole("tab", { name: "JavaScript" }).click();
    await page.getByRole("button", { name: "Run query" }).click();
    const js = await outcome(page, area, page.getByTestId("js-value"));
    await page.getByRole("tab", { name: "SQL" }).click();
    return [["JavaScript queries", js]];
  },
  settings: async (page) => [
    ["environment variables", await outcome(page, page.getByTestId("deployment-settings"), page.getByText("No environment variables."))],
    ["auth providers", await outcome(page, page.getByTestId("auth-providers-settings"), page.getByTestId("auth-providers-settings").locator("li"))],
    await (async () => {
      await page.getByRole("button", { name: "Export snapshot" }).click();
      return ["export a snapshot", await outcome(page, page.getByTestId("snapshot-settings"), page.getByTestId("snapshot-notice").filter({ hasText: /Saved a snapshot/ }), 60_000)];
    })(),
  ],
};

async function genericProbe(page, area) {
  const text = (await area.innerText()).trim();
  return text.split("\n").filter((l) => l.trim()).length > 1 ? `${text.length} characters of content` : null;
}

describe("every area against a Convex-shaped deployment", () => {
  let project;
  let env;
  let page;
  const errors = [];
  const record = [];
  const features = [];

  before(async () => {
    project = sampleProject();
    env = await openConvexShaped(project.dir);
    page = env.page;
    page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(`console error: ${message.text()} (${message.location().url})`);
    });
    await env.call("mutation", "seed:seedNow");
    await env.call("mutation", "walk:later");
    const uploadUrl = await env.call("mutation", "walk:generateUploadUrl");
    const upload = await fetch(uploadUrl, { method: "POST", headers: { "content-type": "text/plain" }, body: "a file stored on a Convex-shaped deployment\n" });
    assert.equal(upload.status, 200, await upload.text());
    await gotoConnected(page, env.atrium.url);
    await page.evaluate(() => localStorage.setItem("atrium.query.mode", "sql"));
  });

  after(async () => {
    const cell = (text) => String(text ?? "").replace(/\|/g, "\\|");
    const table = [
      "| Area | Status | What showed | Said not offered |",
      "| --- | --- | --- | --- |",
      ...record.map((r) => `| ${r.label} | ${r.status} | ${cell(r.evidence)} | ${r.notOffered.map(cell).join("<br>")} |`),
    ].join("\n");
    const featureTable = [
      "| Area | Feature | Status | What showed or was said |",
      "| --- | --- | --- | --- |",
      ...features.map((f) => `| ${f.label} | ${f.feature} | ${f.status} | ${cell(f.detail)} |`),
    ].join("\n");
    const text = `# Areas on a Convex-shaped deployment (atrium-engine --as-convex)\n\n${table}\n\n## Features inside the areas\n\n${featureTable}\n`;
    writeFileSync(join(ARTIFACTS, "convex-shaped-walk.md"), text);
    console.log(text);
    await env?.stop();
    project?.remove();
  });

  /** Waits until the area shows nothing busy and its text stops changing; false if it never does (it spins). */
  const settle = async (area) => {
    const deadline = Date.now() + SETTLE_MS;
    let last = null;
    while (Date.now() < deadline) {
      // Digits masked: a ticking clock ("in 59 min") or a growing count is not a spinner.
      const text = (await area.innerText().catch(() => "")).replace(/\d+/g, "#");
      const loadingCells = await page.locator("main .grid-cell.loading").count();
      if (!BUSY.test(text) && loadingCells === 0 && text === last) return true;
      last = text;
      await page.waitForTimeout(750);
    }
    return false;
  };

  test("visits every area in the sidebar; each works or says what it does not offer", async (t) => {
    const areas = await page.locator("nav [data-area]").evaluateAll((nodes) => nodes.map((n) => ({ id: n.dataset.area, label: n.textContent.replace(/\d+$/, "").trim() })));
    assert.ok(areas.length >= 10, `areas: ${areas.map((a) => a.id)}`);
    for (const { id, label } of areas) {
      await t.test(label, async () => {
        const before = errors.length;
        await page.locator(`nav [data-area="${id}"]`).click();
        await page.locator("nav .nav-item.active").and(page.locator(`[data-area="${id}"]`)).waitFor();
        const area = page.locator("main#content > *").first();
        await area.waitFor();
        const settled = await settle(area);
        const probe = PROBES[id] ?? ((p) => genericProbe(p, area));
        const evidence = settled ? await probe(page, env) : null;
        if (evidence) await settle(area);
        const notOffered = await notOfferedIn(area);
        try {
          for (const [feature, result] of settled && FEATURES[id] ? await FEATURES[id](page, env) : []) features.push({ label, feature, ...result });
        } catch (error) {
          features.push({ label, feature: "(walking its features)", status: "breaks", detail: clip(error.message) });
        }
        const alerts = (await area.locator('[role="alert"]').allTextContents()).filter((a) => !NOT_OFFERED.test(a));
        const status = !settled ? "spins" : evidence ? "works" : notOffered.length > 0 ? "not offered" : "empty";
        record.push({ id, label, status, evidence, notOffered });
        await page.screenshot({ path: join(ARTIFACTS, `convex-shaped-${id}.png`) });
        assert.equal(await page.locator(".shell nav").count(), 1, "the shell is still there");
        assert.deepEqual(errors.slice(before), [], `${label}: no page or console errors`);
        assert.deepEqual(alerts, [], `${label}: no error shown`);
        assert.ok(status === "works" || status === "not offered", `${label}: ${status}`);
        const broken = features.filter((f) => f.label === label && f.status === "breaks");
        assert.deepEqual(broken, [], `${label}: every feature works or says it is not offered`);
      });
    }
    assert.equal(record.length, areas.length);
    assert.ok(record.every((r) => r.status === "works" || r.status === "not offered"), JSON.stringify(record, null, 1));
  });

  test("the command palette switches the theme; two areas in dark", async () => {
    const before = errors.length;
    const palette = page.getByTestId("palette");
    const choose = async (words, key) => {
      await page.keyboard.press("Control+K");
      await palette.waitFor();
      await page.keyboard.type(words);
      await palette.locator('[role="option"][aria-selected="true"]').and(palette.locator(`[data-key="${key}"]`)).waitFor();
      await page.keyboard.press("Enter");
      await palette.waitFor({ state: "detached" });
    };
    await choose("theme dark", "action:app.theme.dark");
    await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
    for (const id of ["data", "files"]) {
      await choose(`go ${id}`, `area:${id}`);
      await page.getByTestId(`area-${id}`).waitFor();
      await settle(page.getByTestId(`area-${id}`));
      await page.screenshot({ path: join(ARTIFACTS, `convex-shaped-${id}-dark.png`) });
    }
    await choose("theme light", "action:app.theme.light");
    await page.waitForFunction(() => document.documentElement.dataset.theme === "light");
    assert.deepEqual(errors.slice(before), []);
  });
});
