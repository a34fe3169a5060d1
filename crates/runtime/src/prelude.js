// Atrium's JavaScript prelude, run in every function's context before user modules load.
// `host` is the native half (`__syscall`, `__async`, `__log`); this file builds the
// `Convex` global the `convex` library expects, console, and the determinism rules.
// It defines `__atrium_begin_call(seed, now)`, which the host calls before every call a warm
// context runs: a fresh seed for `Math.random` and the frozen clock (queries and mutations).
(({ host, describe, deterministic, seed, now }) => {
  let state = seed >>> 0;
  globalThis.Convex = {
    syscall: (op, args) => host.__syscall(op, args),
    asyncSyscall: (op, args) => {
      try {
        return Promise.resolve(host.__async(op, args));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    // HTTP actions: the host's request/response JSON is `{url, method, headers: [[k, v]],
    // body: base64 | null}` and `{status, statusText, headers, body}`.
    jsSyscall: (op, args) => {
      if (op === "requestFromConvexJson") {
        const { url, method, headers, body } = args.convexJson;
        return new Request(url, { method, headers, body: body === null ? null : globalThis.__atrium_from_base64(body) });
      }
      if (op === "convexJsonFromResponse") {
        const response = args.response;
        if (!(response instanceof Response)) throw new Error("HTTP actions must return a Response");
        if (response.bodyUsed) throw new TypeError("The HTTP action's Response body has already been read");
        // A stream body is pumped by the host after this returns (`__atrium_response_stream`).
        const stream = response._stream;
        globalThis.__atrium_response_stream = stream;
        const bytes = stream === null ? response._bytes : null;
        return {
          status: response.status,
          statusText: response.statusText,
          headers: [...response.headers.entries()],
          body: bytes === null ? null : globalThis.__atrium_to_base64(bytes),
          streamed: stream !== null,
        };
      }
      // Actions' `ctx.storage.store/get`: the same ops as the library's mutation path.
      if (op === "storage/storeBlob") {
        const { requestId, version, blob, options } = args;
        if (!(blob instanceof Blob)) {
          throw new Error(
            "store() expects a Blob. If you are trying to store a Request, `await request.blob()` will give you the correct input.",
          );
        }
        return blob.arrayBuffer().then((buffer) =>
          globalThis.Convex.asyncSyscall(
            "1.0/storageStore",
            JSON.stringify({
              requestId,
              version,
              blob: globalThis.__atrium_to_base64(new Uint8Array(buffer)),
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
        return globalThis.Convex.asyncSyscall("1.0/storageGet", JSON.stringify({ requestId, version, storageId }))
          .then(JSON.parse)
          .then((result) =>
            result === null
              ? null
              : new Blob([globalThis.__atrium_from_base64(result.blob)], { type: result.contentType ?? "" }),
          );
      }
      throw new Error(`Unknown JS syscall: ${op}`);
    },
  };

  const format = (value) => {
    if (typeof value === "string") return value;
    if (typeof value === "bigint") return `${value}n`;
    if (value instanceof Error) return value.stack ? `${value}\n${value.stack}` : String(value);
    try {
      const text = JSON.stringify(value, (_, v) => (typeof v === "bigint" ? `${v}n` : v));
      return text === undefined ? String(value) : text;
    } catch {
      return String(value);
    }
  };
  const log = (level) => (...args) => host.__log(level, args.map(format).join(" "));
  globalThis.console = {
    log: log("LOG"),
    info: log("INFO"),
    warn: log("WARN"),
    error: log("ERROR"),
    debug: log("DEBUG"),
    trace: log("LOG"),
  };

  if (deterministic) {
    // Seeded randomness (mulberry32) and a frozen clock, as Convex gives queries and mutations.
    Math.random = () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const RealDate = Date;
    globalThis.Date = class Date extends RealDate {
      constructor(...args) {
        if (args.length === 0) super(now);
        else super(...args);
      }
      static now() {
        return now;
      }
    };
    const forbidden = (name) => () => {
      throw new Error(`Can't use ${name} in queries and mutations. Please consider using an action.`);
    };
    globalThis.setTimeout = forbidden("setTimeout");
    globalThis.setInterval = forbidden("setInterval");
    globalThis.fetch = forbidden("fetch");
  }

  if (!deterministic) {
    // Timers for actions: the host runs the earliest one whenever the job queue is empty.
    const timers = new Map();
    let nextId = 1;
    const add = (callback, ms, args, repeat) => {
      if (typeof callback !== "function") throw new TypeError("The callback must be a function");
      const id = nextId++;
      const delay = Math.max(0, Number(ms) || 0);
      timers.set(id, { at: Date.now() + delay, callback, args, repeat: repeat ? delay : null });
      return id;
    };
    globalThis.setTimeout = (callback, ms, ...args) => add(callback, ms, args, false);
    globalThis.setInterval = (callback, ms, ...args) => add(callback, ms, args, true);
    globalThis.clearTimeout = (id) => void timers.delete(id);
    globalThis.clearInterval = globalThis.clearTimeout;
    const earliest = () => {
      let best = null;
      for (const [id, t] of timers) if (best === null || t.at < best[1].at) best = [id, t];
      return best;
    };
    globalThis.__atrium_next_timer = () => {
      const next = earliest();
      return next === null ? -1 : Math.max(0, next[1].at - Date.now());
    };
    globalThis.__atrium_fire_timer = () => {
      const next = earliest();
      if (next === null) return;
      const [id, t] = next;
      if (t.repeat === null) timers.delete(id);
      else t.at = Date.now() + t.repeat;
      t.callback(...t.args);
    };
  }

  // How the host reads a thrown value (`describe_error.js`, shared with the Node executor).
  globalThis.__atrium_describe = (error) => JSON.stringify(describe(error));

  Object.defineProperty(globalThis, "__atrium_begin_call", {
    value: (nextSeed, nextNow) => {
      state = nextSeed >>> 0;
      now = nextNow;
    },
    enumerable: false,
    writable: false,
    configurable: false,
  });
});
