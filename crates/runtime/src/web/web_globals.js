// Small web globals user code expects, written for Atrium: TextEncoder/TextDecoder,
// atob/btoa, crypto.getRandomValues/randomUUID, URL/URLSearchParams, structuredClone.
// `randomBytes(n)` fills from the host (seeded in queries and mutations).
(({ randomBytes }) => {
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
  }

  class TextDecoder {
    constructor(label = "utf-8", options = {}) {
      if (!/^utf-?8$/i.test(label)) throw new RangeError(`TextDecoder: unsupported encoding "${label}"`);
      this.fatal = Boolean(options.fatal);
    }
    get encoding() {
      return "utf-8";
    }
    decode(input) {
      if (input === undefined) return "";
      const bytes =
        input instanceof Uint8Array
          ? input
          : ArrayBuffer.isView(input)
            ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
            : new Uint8Array(input);
      let out = "";
      for (let i = 0; i < bytes.length; ) {
        const b = bytes[i];
        const need = b < 0x80 ? 0 : b >= 0xf0 && b < 0xf8 ? 3 : b >= 0xe0 ? 2 : b >= 0xc2 && b < 0xe0 ? 1 : -1;
        let c = need === 0 ? b : need === 1 ? b & 31 : need === 2 ? b & 15 : b & 7;
        let ok = need >= 0 && i + need < bytes.length + (need === 0 ? 1 : 0);
        for (let k = 1; ok && k <= need; k++) {
          const cont = bytes[i + k];
          if (cont === undefined || (cont & 0xc0) !== 0x80) ok = false;
          else c = (c << 6) | (cont & 63);
        }
        if (!ok) {
          if (this.fatal) throw new TypeError("The encoded data was not valid UTF-8");
          out += "\ufffd";
          i++;
          continue;
        }
        out += String.fromCodePoint(c);
        i += need + 1;
      }
      return out;
    }
  }

  const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const btoa = (input) => {
    const s = String(input);
    let out = "";
    for (let i = 0; i < s.length; i += 3) {
      const a = s.charCodeAt(i), b = s.charCodeAt(i + 1), c = s.charCodeAt(i + 2);
      if (a > 255 || b > 255 || c > 255) throw new Error("btoa: the string contains characters outside Latin1");
      const n = (a << 16) | ((b || 0) << 8) | (c || 0);
      out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
      out += i + 1 < s.length ? B64[(n >> 6) & 63] : "=";
      out += i + 2 < s.length ? B64[n & 63] : "=";
    }
    return out;
  };
  const atob = (input) => {
    const s = String(input).replace(/[\t\n\f\r ]/g, "").replace(/=+$/, "");
    if (s.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(s)) throw new Error("atob: the string is not valid base64");
    let out = "";
    let bits = 0, value = 0;
    for (const ch of s) {
      value = (value << 6) | B64.indexOf(ch);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out += String.fromCharCode((value >> bits) & 255);
      }
    }
    return out;
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

  const encode = (s) =>
    encodeURIComponent(s).replace(/%20/g, "+").replace(/[!'()~]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
  const decode = (s) => decodeURIComponent(s.replace(/\+/g, " "));

  class URLSearchParams {
    constructor(init = "") {
      this._list = [];
      if (typeof init === "string") {
        for (const part of init.replace(/^\?/, "").split("&")) {
          if (!part) continue;
          const eq = part.indexOf("=");
          this._list.push(eq < 0 ? [decode(part), ""] : [decode(part.slice(0, eq)), decode(part.slice(eq + 1))]);
        }
      } else if (init && typeof init[Symbol.iterator] === "function") {
        for (const [k, v] of init) this._list.push([String(k), String(v)]);
      } else if (init && typeof init === "object") {
        for (const k of Object.keys(init)) this._list.push([k, String(init[k])]);
      }
    }
    append(k, v) { this._list.push([String(k), String(v)]); this._update?.(); }
    delete(k) { this._list = this._list.filter(([x]) => x !== k); this._update?.(); }
    get(k) { const e = this._list.find(([x]) => x === k); return e ? e[1] : null; }
    getAll(k) { return this._list.filter(([x]) => x === k).map(([, v]) => v); }
    has(k) { return this._list.some(([x]) => x === k); }
    set(k, v) {
      const i = this._list.findIndex(([x]) => x === k);
      if (i < 0) this._list.push([String(k), String(v)]);
      else { this._list[i][1] = String(v); this._list = this._list.filter(([x], j) => x !== k || j === i); }
      this._update?.();
    }
    sort() { this._list.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)); this._update?.(); }
    forEach(f, thisArg) { for (const [k, v] of this._list) f.call(thisArg, v, k, this); }
    keys() { return this._list.map(([k]) => k)[Symbol.iterator](); }
    values() { return this._list.map(([, v]) => v)[Symbol.iterator](); }
    entries() { return this._list.map(([k, v]) => [k, v])[Symbol.iterator](); }
    [Symbol.iterator]() { return this.entries(); }
    get size() { return this._list.length; }
    toString() { return this._list.map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&"); }
  }

  const DEFAULT_PORTS = { "http:": "80", "https:": "443", "ws:": "80", "wss:": "443" };
  class URL {
    constructor(url, base) {
      let s = String(url).trim();
      const m = /^([a-zA-Z][a-zA-Z0-9+.-]*:)(.*)$/.exec(s);
      if (!m) {
        if (base === undefined) throw new TypeError(`Invalid URL: ${s}`);
        const b = new URL(base);
        if (s.startsWith("//")) s = b.protocol + s;
        else if (s.startsWith("/")) s = b.origin + s;
        else if (s.startsWith("?")) s = b.origin + b.pathname + s;
        else if (s.startsWith("#")) s = b.origin + b.pathname + b.search + s;
        else s = b.origin + b.pathname.replace(/[^/]*$/, "") + s;
        return new URL(s);
      }
      this.protocol = m[1].toLowerCase();
      let rest = m[2];
      this.hash = "";
      this.username = "";
      this.password = "";
      this.hostname = "";
      this.port = "";
      const hashAt = rest.indexOf("#");
      if (hashAt >= 0) { this.hash = rest.slice(hashAt) === "#" ? "" : rest.slice(hashAt); rest = rest.slice(0, hashAt); }
      const queryAt = rest.indexOf("?");
      let search = "";
      if (queryAt >= 0) { search = rest.slice(queryAt); rest = rest.slice(0, queryAt); }
      if (rest.startsWith("//")) {
        rest = rest.slice(2);
        const slash = rest.indexOf("/");
        let authority = slash < 0 ? rest : rest.slice(0, slash);
        rest = slash < 0 ? "/" : rest.slice(slash);
        const at = authority.lastIndexOf("@");
        if (at >= 0) {
          const [user, pass = ""] = authority.slice(0, at).split(":");
          this.username = user;
          this.password = pass;
          authority = authority.slice(at + 1);
        }
        const portMatch = /:(\d*)$/.exec(authority);
        if (portMatch) { this.port = portMatch[1]; authority = authority.slice(0, portMatch.index); }
        if (!authority && this.protocol !== "file:") throw new TypeError(`Invalid URL: ${url}`);
        this.hostname = authority.toLowerCase();
        if (DEFAULT_PORTS[this.protocol] === this.port) this.port = "";
      }
      const segments = [];
      for (const seg of rest.split("/").slice(1)) {
        if (seg === "..") segments.pop();
        else if (seg !== ".") segments.push(seg);
      }
      this.pathname = rest.startsWith("/") || this.hostname ? "/" + segments.join("/") : rest;
      this.searchParams = new URLSearchParams(search);
      this.searchParams._update = () => {};
      this._search = search === "?" ? "" : search;
    }
    get search() {
      const q = this.searchParams.toString();
      return q ? `?${q}` : "";
    }
    set search(v) { this.searchParams = new URLSearchParams(String(v)); }
    get host() { return this.port ? `${this.hostname}:${this.port}` : this.hostname; }
    get origin() { return this.hostname ? `${this.protocol}//${this.host}` : "null"; }
    get href() {
      const auth = this.username ? `${this.username}${this.password ? ":" + this.password : ""}@` : "";
      const prefix = this.hostname || this.protocol === "file:" ? `${this.protocol}//${auth}${this.host}` : this.protocol;
      return `${prefix}${this.pathname}${this.search}${this.hash}`;
    }
    toString() { return this.href; }
    toJSON() { return this.href; }
  }

  const structuredClone = (value, seen = new Map()) => {
    if (typeof value !== "object" || value === null) {
      if (typeof value === "function" || typeof value === "symbol") {
        throw new Error(`structuredClone: ${typeof value} values could not be cloned`);
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
    } else if (value instanceof Error) copy = new Error(value.message);
    else {
      copy = {};
      seen.set(value, copy);
      for (const k of Object.keys(value)) copy[k] = structuredClone(value[k], seen);
    }
    return copy;
  };

  Object.assign(globalThis, { TextEncoder, TextDecoder, atob, btoa, crypto, URL, URLSearchParams, structuredClone });
});
