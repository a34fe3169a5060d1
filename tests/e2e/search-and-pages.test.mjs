// The official clients (convex@1.48.0) against `atrium-engine` on the chat fixture: a live
// `withSearchIndex` subscription (ConvexClient) follows another client's writes in
// relevance order, and two consecutive live pages of a paginated query stay contiguous —
// no row lost or repeated — while another client inserts and deletes rows inside them
// (the query journal pins each page's end).
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import WebSocket from "ws";
import { REPO } from "./lib/atrium.mjs";
import { startEngine } from "./lib/engine.mjs";

/** A subscription's values, and a way to wait for one `predicate` accepts. */
function watch(client, path, args) {
  const seen = [];
  let waiters = [];
  const unsubscribe = client.onUpdate(path, args, (value) => {
    seen.push(value);
    waiters = waiters.filter((w) => !w(value));
  });
  const until = (predicate, ms = 10_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${path}: no matching update in ${ms} ms; last ${JSON.stringify(seen.at(-1))}`)), ms);
      const waiter = (value) => {
        if (!predicate(value)) return false;
        clearTimeout(timer);
        resolve(value);
        return true;
      };
      if (seen.length > 0 && waiter(seen.at(-1))) return;
      waiters.push(waiter);
    });
  return { seen, until, unsubscribe };
}

describe("search and live pages through the official clients", () => {
  let engine;
  let client;
  let other;

  before(async () => {
    engine = await startEngine(join(REPO, "tests/fixtures/chat"));
    client = new ConvexClient(engine.url, { webSocketConstructor: WebSocket, unsavedChangesWarning: false });
    other = new ConvexHttpClient(engine.url);
  });

  after(async () => {
    await client?.close();
    await engine?.stop();
  });

  test("a search subscription follows matching writes, most relevant first", async () => {
    const search = watch(client, "messages:search", { text: "zebra" });
    await search.until((v) => Array.isArray(v) && v.length === 0);
    await other.mutation("messages:send", { body: "a zebra crossing on a long and winding road", author: "ann" });
    await search.until((v) => v.length === 1);
    await other.mutation("messages:send", { body: "Zebra!", author: "bob" });
    const both = await search.until((v) => v.length === 2);
    assert.deepEqual(both.map((m) => m.body), ["Zebra!", "a zebra crossing on a long and winding road"]);
    // Prefix of the last term, and an author filter.
    assert.equal((await client.query("messages:search", { text: "zeb" })).length, 2);
    assert.deepEqual((await client.query("messages:search", { text: "zebra", author: "ann" })).map((m) => m.author), ["ann"]);
    search.unsubscribe();
  });

  test("consecutive live pages never lose or repeat a row under inserts and deletes", async () => {
    for (let i = 0; i < 9; i++) await other.mutation("messages:send", { body: `row ${i}`, author: "feed" });
    const first = watch(client, "messages:feed", { paginationOpts: { numItems: 4, cursor: null } });
    const page1 = await first.until((v) => v?.page?.length === 4);
    const second = watch(client, "messages:feed", { paginationOpts: { numItems: 4, cursor: page1.continueCursor } });
    await second.until((v) => v?.page?.length === 4);

    const check = async (what) => {
      const table = (await other.query("messages:list", {})).map((m) => m._id).reverse(); // newest first
      const pages = [...first.seen.at(-1).page, ...second.seen.at(-1).page].map((m) => m._id);
      assert.deepEqual(pages, table.slice(0, pages.length), `after ${what}: the pages are the table's first rows, in order`);
      assert.equal(new Set(pages).size, pages.length, `after ${what}: no row twice`);
    };
    await check("subscribing");

    // Inserted at the top of the first page: it grows, the second page keeps its rows.
    const before = first.seen.length;
    await other.mutation("messages:send", { body: "newest", author: "feed" });
    await first.until((v) => first.seen.length > before && v.page.length === 5);
    await check("an insert");

    // A row deleted from the middle of the first page, then one from the second page.
    const victim = first.seen.at(-1).page[2]._id;
    await other.mutation("messages:remove", { id: victim });
    await first.until((v) => !v.page.some((m) => m._id === victim));
    await check("a delete in the first page");
    const victim2 = second.seen.at(-1).page[1]._id;
    await other.mutation("messages:remove", { id: victim2 });
    await second.until((v) => !v.page.some((m) => m._id === victim2));
    await check("a delete in the second page");
    first.unsubscribe();
    second.unsubscribe();
  });
});
