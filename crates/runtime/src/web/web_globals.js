// Small web globals user code expects, written for Atrium: TextEncoder, TextDecoder (its
// decoders the host's, `text.rs`), atob/btoa (host), crypto.getRandomValues/randomUUID,
// URL/URLSearchParams (parsed and serialized by the host, `url.rs`), structuredClone,
// queueMicrotask, performance, and console's timers, counters, assert and table.
// `randomBytes(n)` fills from the host (seeded in queries and mutations); `clock()` is the
// milliseconds since the execution began (frozen at 0 in queries and mutations).
(({ randomBytes, clock, host }) => {
  class TextEncoder {
    get encoding() {
      return "utf-8";
    }
    encode(input = "") {
      const s = String(input);
      const out = [];
      for (let i = 0; i < s.length; i++) {
        let c = s.codePointAt(i);
        if (c > 0xffff) i++;
        if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
        if (c < 0x80) out.push(c);
        else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
        else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
        else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      }
      return new Uint8Array(out);
    }
    encodeInto(source, destination) {
      if (!(destination instanceof Uint8Array)) throw new TypeError("encodeInto needs a Uint8Array destination");
      const s = String(source);
      let read = 0;
      let written = 0;
      for (let i = 0; i < s.length; ) {
        const c = s.codePointAt(i);
        const units = c > 0xffff ? 2 : 1;
        const bytes = this.encode(s.slice(i, i + units));
        if (written + bytes.length > destination.length) break;
        destination.set(bytes, written);
        written += bytes.length;
        read += units;
        i += units;
      }
      return { read, written };
    }
  }

  const bytesOf = (input) => {
    if (input === undefined || input === null) return new Uint8Array(0);
    if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    if (input instanceof ArrayBuffer || (typeof SharedArrayBuffer === "function" && input instanceof SharedArrayBuffer)) {
      return new Uint8Array(input);
    }
    throw new TypeError("The provided value is not of type '(ArrayBuffer or ArrayBufferView)'");
  };
  const ownBuffer = (bytes) =>
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
      ? bytes.buffer
      : bytes.slice().buffer;

  class TextDecoder {
    constructor(label = "utf-8", options = {}) {
      const name = host.textLabel(String(label));
      if (name == null) throw new RangeError(`The encoding label provided ('${label}') is invalid.`);
      this._encoding = name;
      this._fatal = Boolean(options?.fatal);
      this._ignoreBOM = Boolean(options?.ignoreBOM);
      this._id = null;
    }
    get encoding() { return this._encoding; }
    get fatal() { return this._fatal; }
    get ignoreBOM() { return this._ignoreBOM; }
    decode(input, options = {}) {
      const bytes = bytesOf(input);
      const stream = Boolean(options?.stream);
      if (this._id === null) this._id = host.textOpen(this._encoding, this._ignoreBOM);
      try {
        return host.textDecode(this._id, ownBuffer(bytes), this._fatal, !stream);
      } catch (error) {
        this._id = null;
        throw new TypeError(error?.message ?? String(error));
      } finally {
        if (!stream) this._id = null;
      }
    }
    get [Symbol.toStringTag]() { return "TextDecoder"; }
  }

  const btoa = (input) => {
    const text = String(input);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c > 255) throw new DOMException("The string to be encoded contains characters outside of the Latin1 range.", "InvalidCharacterError");
      bytes[i] = c;
    }
    return host.btoa(bytes.buffer);
  };
  const atob = (input) => {
    const decoded = host.atob(String(input));
    if (decoded == null) throw new DOMException("The string to be decoded is not correctly encoded.", "InvalidCharacterError");
    return decoded;
  };

  const crypto = {
    getRandomValues(array) {
      if (!ArrayBuffer.isView(array) || array instanceof Float32Array || array instanceof Float64Array) {
        throw new TypeError("crypto.getRandomValues takes an integer typed array");
      }
      if (array.byteLength > 65536) throw new RangeError("crypto.getRandomValues: at most 65536 bytes");
      const bytes = randomBytes(array.byteLength);
      new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(bytes);
      return array;
    },
    randomUUID() {
      const b = crypto.getRandomValues(new Uint8Array(16));
      b[6] = (b[6] & 0x0f) | 0x40;
      b[8] = (b[8] & 0x3f) | 0x80;
      const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    },
  };

  class URLSearchParams {
    constructor(init = "") {
      this._list = [];
      this._url = null;
      if (init instanceof URLSearchParams) this._list = init._list.map(([k, v]) => [k, v]);
      else if (init !== null && typeof init === "object" && typeof init[Symbol.iterator] === "function") {
        for (const pair of init) {
          const entry = [...pair];
          if (entry.length !== 2) throw new TypeError("URLSearchParams: each pair needs a name and a value");
          this._list.push([String(entry[0]), String(entry[1])]);
        }
      } else if (init !== null && typeof init === "object") {
        for (const k of Object.keys(init)) this._list.push([k, String(init[k])]);
      } else {
        const text = String(init ?? "");
        this._list = host.formParse(text.startsWith("?") ? text.slice(1) : text);
      }
    }
    _update() {
      if (this._url) this._url._set(host.urlSet(this._url.href, "search", this.toString()), true);
    }
    append(k, v) { this._list.push([String(k), String(v)]); this._update(); }
    delete(k, v) {
      const name = String(k);
      this._list = this._list.filter(([x, y]) => x !== name || (v !== undefined && y !== String(v)));
      this._update();
    }
    get(k) { const e = this._list.find(([x]) => x === String(k)); return e ? e[1] : null; }
    getAll(k) { return this._list.filter(([x]) => x === String(k)).map(([, v]) => v); }
    has(k, v) { return this._list.some(([x, y]) => x === String(k) && (v === undefined || y === String(v))); }
    set(k, v) {
      const name = String(k);
      const i = this._list.findIndex(([x]) => x === name);
      if (i < 0) this._list.push([name, String(v)]);
      else {
        this._list[i][1] = String(v);
        this._list = this._list.filter(([x], j) => x !== name || j === i);
      }
      this._update();
    }
    sort() {
      // Stable, by UTF-16 code units, as the standard says.
      this._list = this._list.map((e, i) => [e, i]).sort(([[a], i], [[b], j]) => (a < b ? -1 : a > b ? 1 : i - j)).map(([e]) => e);
      this._update();
    }
    forEach(f, thisArg) { for (const [k, v] of this._list) f.call(thisArg, v, k, this); }
    keys() { return this._list.map(([k]) => k)[Symbol.iterator](); }
    values() { return this._list.map(([, v]) => v)[Symbol.iterator](); }
    entries() { return this._list.map(([k, v]) => [k, v])[Symbol.iterator](); }
    [Symbol.iterator]() { return this.entries(); }
    get size() { return this._list.length; }
    toString() { return host.formSerialize(this._list); }
    get [Symbol.toStringTag]() { return "URLSearchParams"; }
  }

  const FIELDS = ["href", "origin", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash"];
  class URL {
    constructor(url, base) {
      if (arguments.length === 0) throw new TypeError("Failed to construct 'URL': 1 argument required");
      const parts = host.urlParse(String(url), base === undefined ? undefined : String(base));
      if (parts == null) throw new TypeError(`Invalid URL: ${String(url)}`);
      this._set(parts);
    }
    _set(parts, fromQuery) {
      this._parts = parts;
      if (!this._query) {
        this._query = new URLSearchParams(parts[9]);
        this._query._url = this;
      } else if (!fromQuery) this._query._list = host.formParse(parts[9].replace(/^\?/, ""));
    }
    static canParse(url, base) {
      return host.urlParse(String(url), base === undefined ? undefined : String(base)) != null;
    }
    static parse(url, base) {
      try {
        return new URL(url, base);
      } catch {
        return null;
      }
    }
    get searchParams() { return this._query; }
    toString() { return this._parts[0]; }
    toJSON() { return this._parts[0]; }
    get [Symbol.toStringTag]() { return "URL"; }
  }
  FIELDS.forEach((field, i) => {
    const descriptor = { get() { return this._parts[i]; }, enumerable: true, configurable: true };
    if (field !== "origin") {
      descriptor.set = function (value) {
        const parts = host.urlSet(this._parts[0], field, String(value));
        if (parts == null) {
          if (field === "href") throw new TypeError(`Invalid URL: ${String(value)}`);
          return;
        }
        this._set(parts);
      };
    }
    Object.defineProperty(URL.prototype, field, descriptor);
  });

  const structuredClone = (value, seen = new Map()) => {
    if (typeof value !== "object" || value === null) {
      if (typeof value === "function" || typeof value === "symbol") {
        throw new DOMException(`${typeof value === "function" ? String(value) : value.toString()} could not be cloned.`, "DataCloneError");
      }
      return value;
    }
    if (seen.has(value)) return seen.get(value);
    let copy;
    if (Array.isArray(value)) {
      copy = [];
      seen.set(value, copy);
      for (const item of value) copy.push(structuredClone(item, seen));
    } else if (value instanceof Date) copy = new Date(value.getTime());
    else if (value instanceof RegExp) copy = new RegExp(value.source, value.flags);
    else if (value instanceof ArrayBuffer) copy = value.slice(0);
    else if (ArrayBuffer.isView(value)) copy = new value.constructor(value);
    else if (value instanceof Map) {
      copy = new Map();
      seen.set(value, copy);
      for (const [k, v] of value) copy.set(structuredClone(k, seen), structuredClone(v, seen));
    } else if (value instanceof Set) {
      copy = new Set();
      seen.set(value, copy);
      for (const v of value) copy.add(structuredClone(v, seen));
    } else if (value instanceof Error) {
      const Kind = { EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError }[value.name] ?? Error;
      copy = new Kind(value.message);
      if ("cause" in value) copy.cause = structuredClone(value.cause, seen);
    } else if (value instanceof Boolean || value instanceof Number || value instanceof String) {
      copy = Object(value.valueOf());
    } else if (typeof value.then === "function" || value instanceof WeakMap || value instanceof WeakSet || value instanceof Promise) {
      throw new DOMException(`${Object.prototype.toString.call(value)} could not be cloned.`, "DataCloneError");
    } else {
      copy = {};
      seen.set(value, copy);
      for (const k of Object.keys(value)) copy[k] = structuredClone(value[k], seen);
    }
    return copy;
  };

  const queueMicrotask = (callback) => {
    if (typeof callback !== "function") throw new TypeError("queueMicrotask: the callback must be a function");
    Promise.resolve().then(() => callback());
  };

  const timeOrigin = Date.now();
  const marks = [];
  const performance = {
    timeOrigin,
    now: () => clock(),
    mark(name) {
      const entry = { name: String(name), entryType: "mark", startTime: clock(), duration: 0 };
      marks.push(entry);
      return entry;
    },
    measure(name, start, end) {
      const at = (m) => (m === undefined ? clock() : marks.findLast((e) => e.name === m)?.startTime ?? 0);
      const startTime = at(start);
      const entry = { name: String(name), entryType: "measure", startTime, duration: at(end) - startTime };
      marks.push(entry);
      return entry;
    },
    getEntriesByName: (name) => marks.filter((e) => e.name === name),
    getEntriesByType: (type) => marks.filter((e) => e.entryType === type),
    clearMarks: () => void marks.splice(0),
    toJSON: () => ({ timeOrigin }),
  };

  // console's timers, counters, assert, table and groups, over its log levels.
  const console = globalThis.console;
  const timers = new Map();
  const counts = new Map();
  const elapsed = (label) => `${label}: ${(clock() - timers.get(label)).toFixed(3)}ms`;
  Object.assign(console, {
    time(label = "default") {
      const key = String(label);
      if (timers.has(key)) console.warn(`Timer '${key}' already exists`);
      else timers.set(key, clock());
    },
    timeLog(label = "default", ...data) {
      const key = String(label);
      if (!timers.has(key)) console.warn(`Timer '${key}' does not exist`);
      else console.log(elapsed(key), ...data);
    },
    timeEnd(label = "default") {
      const key = String(label);
      if (!timers.has(key)) console.warn(`Timer '${key}' does not exist`);
      else {
        console.log(elapsed(key));
        timers.delete(key);
      }
    },
    count(label = "default") {
      const key = String(label);
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      console.log(`${key}: ${n}`);
    },
    countReset(label = "default") { counts.set(String(label), 0); },
    assert(condition, ...data) {
      if (condition) return;
      if (typeof data[0] === "string") data[0] = `Assertion failed: ${data[0]}`;
      else data.unshift("Assertion failed");
      console.error(...data);
    },
    table(data, columns) {
      if (data === null || typeof data !== "object") return console.log(data);
      const rows = data instanceof Map ? [...data.entries()].map(([k, v]) => [k, v]) : Object.entries(data);
      const keys = columns ?? [...new Set(rows.flatMap(([, v]) => (v !== null && typeof v === "object" ? Object.keys(v) : ["Values"])))];
      const cell = (v) => (v === undefined ? "" : typeof v === "string" ? `'${v}'` : String(typeof v === "object" && v !== null ? JSON.stringify(v) : v));
      const table = [["(index)", ...keys], ...rows.map(([k, v]) => [String(k), ...keys.map((c) => cell(v !== null && typeof v === "object" ? v[c] : c === "Values" ? v : undefined))])];
      const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)) + 2);
      const line = (l, m, r) => l + widths.map((w) => "─".repeat(w)).join(m) + r;
      const row = (r) => "│" + r.map((c, i) => c.padStart(Math.floor((widths[i] + c.length) / 2)).padEnd(widths[i])).join("│") + "│";
      console.log([line("┌", "┬", "┐"), row(table[0]), line("├", "┼", "┤"), ...table.slice(1).map(row), line("└", "┴", "┘")].join("\n"));
    },
    group: (...label) => label.length && console.log(...label),
    groupCollapsed: (...label) => label.length && console.log(...label),
    groupEnd: () => {},
    dir: (value) => console.log(value),
    dirxml: (...values) => console.log(...values),
  });

  Object.assign(globalThis, {
    TextEncoder,
    TextDecoder,
    atob,
    btoa,
    crypto,
    URL,
    URLSearchParams,
    structuredClone,
    queueMicrotask,
    performance,
  });
});
