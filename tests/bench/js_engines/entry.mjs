// The `convex` library's own per-call work, run the same way in each JavaScript engine by
// bench/js_engines.sh (bundled by esbuild into one script): `invokeQuery` of an empty query,
// a stand-in with no library work (what the engine's own call costs), and `jsonToConvex` of
// a 5-field document. Time comes from `Date.now()` (the one clock every engine has) over
// enough calls for millisecond resolution. Results go to `globalThis.__out`, and
// `globalThis.__done` is set at the end, for hosts with no console.
import { queryGeneric } from "convex/server";
import { jsonToConvex } from "convex/values";

globalThis.Convex = { syscall: () => "{}", asyncSyscall: async () => "{}", jsSyscall: () => ({}) };
const empty = queryGeneric({ args: {}, handler: async () => null });
const standIn = Object.assign(() => null, { invokeQuery: async (_args) => "null" });
const doc = {
  _id: "j57a8rbn1c2hgqkq0x9q6f5y0d7b3nqs",
  _creationTime: 1764750000000.123,
  author: "bench",
  body: "message number 42",
  n: 42,
};
const docs = Array.from({ length: 100 }, () => JSON.parse(JSON.stringify(doc)));
const CALLS = 100000;
const CONVERSIONS = 2000; // of all 100 documents

async function perCall(f) {
  for (let i = 0; i < CALLS / 10; i++) await f.invokeQuery("[{}]");
  const started = Date.now();
  for (let i = 0; i < CALLS; i++) await f.invokeQuery("[{}]");
  return ((Date.now() - started) * 1000) / CALLS;
}

function perDocument() {
  let sink = 0;
  const started = Date.now();
  for (let i = 0; i < CONVERSIONS; i++) for (const d of docs) sink += jsonToConvex(d).n;
  if (sink === 0) throw new Error("nothing converted");
  return ((Date.now() - started) * 1000) / CONVERSIONS / docs.length;
}

globalThis.__out = "";
(async () => {
  for (let round = 0; round < 3; round++) {
    const query = await perCall(empty);
    const bare = await perCall(standIn);
    const convert = perDocument();
    globalThis.__out += `${query.toFixed(2)} ${bare.toFixed(2)} ${convert.toFixed(2)}\n`;
  }
})()
  .catch((e) => {
    globalThis.__out += `error ${e}\n`;
  })
  .finally(() => {
    globalThis.__done = true;
    if (typeof process !== "undefined") console.log(globalThis.__out.trimEnd());
  });
