// Atrium's Node.js executor: runs the actions of a project's "use node" modules for the
// engine, which starts it as a child process (`node executor.mjs hooks.mjs init.json`).
//
// Requests arrive as JSON lines on stdin: `analyze` (what a module exports), `run` (one
// action) and `reply` (a syscall's answer). Messages go out as JSON lines on stdout behind
// a marker: `syscall` (the `Convex` host interface, answered by the engine: runQuery,
// runMutation, runAction, the scheduler, storage, auth, vector search), `log` (console
// output, tagged with its call) and `done`. Calls run concurrently; each one's syscalls and
// logs are told apart by an AsyncLocalStorage holding its request ID.
import { createRequire, register } from "node:module";
import { AsyncLocalStorage } from "node:async_hooks";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { format } from "node:util";

const [hooks, initFile] = process.argv.slice(2);
const init = JSON.parse(readFileSync(initFile, "utf8"));
register(pathToFileURL(hooks).href, { data: { sources: init.sources } });
// The CLI bundles Node modules as ES modules whose bundled CommonJS code calls `require`
// for Node's built-ins (and external packages, from the modules' folder): give them one.
if (init.globalRequire) globalThis.require = createRequire(join(process.cwd(), "executor.cjs"));

const MARK = "\u0001atrium\u0001";
const write = process.stdout.write.bind(process.stdout);
const send = (message) => write(`${MARK}${JSON.stringify(message)}\n`);
const current = new AsyncLocalStorage();

// Console output belongs to the call that printed it; output outside any call goes to stderr.
const emit = (level, message) => {
  const id = current.getStore();
  if (id === undefined) process.stderr.write(`${message}\n`);
  else send({ type: "log", id, level, message });
};
const logger = (level) => (...args) => emit(level, format(...args));
console.log = logger("LOG");
console.info = logger("INFO");
console.warn = logger("WARN");
console.error = logger("ERROR");
console.debug = logger("DEBUG");
console.trace = logger("LOG");
// Whatever user code writes to stdout directly is a log line too: stdout is the protocol's.
process.stdout.write = (chunk, encoding, callback) => {
  emit("LOG", String(chunk).replace(/\n$/, ""));
  if (typeof encoding === "function") encoding();
  else if (typeof callback === "function") callback();
  return true;
};

const waiting = new Map();
let nextCall = 1;
const asyncSyscall = (op, args) => {
  const id = current.getStore();
  if (id === undefined) {
    return Promise.reject(new Error(`${op} is only available while a function runs, not at import time`));
  }
  const call = nextCall++;
  return new Promise((resolve, reject) => {
    waiting.set(call, { resolve, reject });
    send({ type: "syscall", id, call, op, args });
  });
};

globalThis.Convex = {
  syscall: (op) => {
    throw new Error(`Synchronous syscall ${op} is not available in Node.js actions`);
  },
  asyncSyscall,
  // Actions' `ctx.storage.store/get`, as in the engine's own prelude.
  jsSyscall: (op, args) => {
    if (op === "storage/storeBlob") {
      const { requestId, version, blob, options } = args;
      if (!(blob instanceof Blob)) {
        throw new Error(
          "store() expects a Blob. If you are trying to store a Request, `await request.blob()` will give you the correct input.",
        );
      }
      return blob.arrayBuffer().then((buffer) =>
        asyncSyscall(
          "1.0/storageStore",
          JSON.stringify({
            requestId,
            version,
            blob: Buffer.from(buffer).toString("base64"),
            contentType: blob.type,
            sha256: options?.sha256,
          }),
        ).then(JSON.parse),
      );
    }
    if (op === "storage/getBlob") {
      const { requestId, version, storageId } = args;
      if (typeof storageId !== "string") {
        throw new Error(`storage.get requires a string storageId but received ${storageId}`);
      }
      return asyncSyscall("1.0/storageGet", JSON.stringify({ requestId, version, storageId }))
        .then(JSON.parse)
        .then((result) =>
          result === null
            ? null
            : new Blob([Buffer.from(result.blob, "base64")], { type: result.contentType ?? "" }),
        );
    }
    throw new Error(`Unknown JS syscall: ${op}`);
  },
};

// An error as the engine reports it: `describe_error.js`, which the isolate's prelude uses
// too (written beside this file).
const describe = (0, eval)(readFileSync(new URL("./describe_error.js", import.meta.url), "utf8"));

const flag = (object, key) => object[key] === true;
const exported = (object, method) => (typeof object[method] === "function" ? (object[method]() ?? null) : null);

const analyze = async ({ file }) => {
  const namespace = await import(pathToFileURL(file).href);
  const exports = [];
  for (const name of Object.keys(namespace).sort()) {
    const value = namespace[name];
    if (value === null || (typeof value !== "object" && typeof value !== "function")) continue;
    const marks = ["isQuery", "isMutation", "isAction", "isPublic", "isInternal", "isRouter", "isCrons"];
    if (!marks.some((m) => flag(value, m))) continue;
    exports.push({
      name,
      ...Object.fromEntries(marks.map((m) => [m, flag(value, m)])),
      args: exported(value, "exportArgs"),
      returns: exported(value, "exportReturns"),
    });
  }
  return exports;
};

const run = async ({ file, export: name, args }) => {
  const namespace = await import(pathToFileURL(file).href);
  const action = namespace[name];
  if (action === undefined || action === null || typeof action.invokeAction !== "function") {
    throw new Error(`the module has no action named \`${name}\``);
  }
  return action.invokeAction("", args);
};

const handle = (message) => {
  if (message.type === "reply") {
    const pending = waiting.get(message.call);
    waiting.delete(message.call);
    if (pending === undefined) return;
    if (message.error === undefined) pending.resolve(message.ok);
    else {
      const error = new Error(message.error);
      if (message.data !== undefined && message.data !== null) error.data = message.data;
      pending.reject(error);
    }
    return;
  }
  const work = { analyze, run }[message.type];
  if (work === undefined) return;
  current.run(message.id, () =>
    Promise.resolve()
      .then(() => work(message))
      .then(
        (ok) => send({ type: "done", id: message.id, ok }),
        (error) => send({ type: "done", id: message.id, error: describe(error) }),
      ),
  );
};

// A stray rejection or exception must not take every other call down with it.
process.on("unhandledRejection", (reason) => emit("ERROR", `Unhandled rejection: ${format(reason)}`));
process.on("uncaughtException", (error) => emit("ERROR", `Uncaught exception: ${format(error)}`));

createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() === "") return;
  handle(JSON.parse(line));
});
process.stdin.on("end", () => process.exit(0));
send({ type: "ready", version: process.version });
