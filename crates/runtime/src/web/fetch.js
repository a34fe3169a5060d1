// The fetch API for user code, written for Atrium: Headers, Request, Response (bodies as
// bytes or ReadableStreams), and (in actions) fetch itself. `io.start` hands a request to
// the host, which runs many at once; the host's event loop reports each one's head, body
// chunks, end or failure through `__atrium_io_event`, and `io.abort` stops one.
(({ io }) => {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  const toBytes = (body) => {
    if (body === undefined || body === null) return null;
    if (typeof body === "string") return encoder.encode(body);
    if (body instanceof ArrayBuffer) return new Uint8Array(body);
    if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    if (body instanceof URLSearchParams) return encoder.encode(body.toString());
    return encoder.encode(String(body));
  };
  const concat = (chunks) => {
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  };
  const chunkBytes = (chunk) => {
    if (chunk instanceof Uint8Array) return chunk;
    if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
    throw new TypeError("A body stream's chunks must be Uint8Arrays");
  };
  const readAll = async (stream) => {
    const reader = stream.getReader();
    const chunks = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return concat(chunks);
      chunks.push(chunkBytes(value));
    }
  };
  const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
  const headerName = (name) => {
    const key = String(name);
    if (!HEADER_NAME.test(key)) throw new TypeError(`Invalid header name: "${key}"`);
    return key.toLowerCase();
  };
  const headerValue = (value) => {
    const text = String(value).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
    if (/[\0\r\n]/.test(text)) throw new TypeError(`Invalid header value: "${text}"`);
    return text;
  };

  class Headers {
    constructor(init) {
      this._map = new Map();
      this._cookies = [];
      if (init instanceof Headers) init.forEach((v, k) => this.append(k, v));
      else if (init && typeof init[Symbol.iterator] === "function") {
        for (const pair of init) {
          const [k, v, ...rest] = pair;
          if (rest.length || pair.length !== 2) throw new TypeError("Headers: each pair needs a name and a value");
          this.append(k, v);
        }
      } else if (init && typeof init === "object") for (const k of Object.keys(init)) this.append(k, init[k]);
    }
    append(name, value) {
      const key = headerName(name);
      const text = headerValue(value);
      if (key === "set-cookie") this._cookies.push(text);
      const existing = this._map.get(key);
      this._map.set(key, existing === undefined ? text : `${existing}, ${text}`);
    }
    set(name, value) {
      const key = headerName(name);
      const text = headerValue(value);
      if (key === "set-cookie") this._cookies = [text];
      this._map.set(key, text);
    }
    get(name) { const v = this._map.get(headerName(name)); return v === undefined ? null : v; }
    getSetCookie() { return [...this._cookies]; }
    has(name) { return this._map.has(headerName(name)); }
    delete(name) {
      const key = headerName(name);
      if (key === "set-cookie") this._cookies = [];
      this._map.delete(key);
    }
    forEach(f, thisArg) { for (const [k, v] of this.entries()) f.call(thisArg, v, k, this); }
    *entries() {
      const sorted = [...this._map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [k, v] of sorted) {
        if (k === "set-cookie") for (const cookie of this._cookies) yield [k, cookie];
        else yield [k, v];
      }
    }
    *keys() { for (const [k] of this.entries()) yield k; }
    *values() { for (const [, v] of this.entries()) yield v; }
    [Symbol.iterator]() { return this.entries(); }
    get [Symbol.toStringTag]() { return "Headers"; }
  }

  // A body is bytes (`_bytes`) or a stream (`_stream`); `body` is always a stream (or null).
  class Body {
    _init(body, headers) {
      this._bytes = null;
      this._stream = null;
      this._used = false;
      if (body === undefined || body === null) return;
      if (body instanceof ReadableStream) {
        if (body.locked || body._disturbed) throw new TypeError("The body stream is locked or already read");
        this._stream = body;
        return;
      }
      let contentType = null;
      if (typeof FormData === "function" && body instanceof FormData) {
        const encoded = globalThis.__atrium_form_data.encode(body);
        contentType = encoded.contentType;
        body = encoded.bytes;
      } else if (typeof Blob === "function" && body instanceof Blob) {
        contentType = body.type || null;
        body = body._bytes;
      } else if (body instanceof URLSearchParams) {
        contentType = "application/x-www-form-urlencoded;charset=UTF-8";
      } else if (typeof body === "string") {
        contentType = "text/plain;charset=UTF-8";
      }
      this._bytes = toBytes(body);
      if (contentType && !headers.has("content-type")) headers.set("content-type", contentType);
    }
    get body() {
      if (this._stream === null && this._bytes !== null) {
        const bytes = this._bytes;
        this._stream = new ReadableStream({
          start(controller) {
            if (bytes.byteLength) controller.enqueue(bytes.slice());
            controller.close();
          },
        });
      }
      return this._stream;
    }
    get bodyUsed() { return this._used || Boolean(this._stream?._disturbed); }
    async _consume() {
      if (this.bodyUsed) throw new TypeError("Body has already been used");
      this._used = true;
      if (this._stream !== null) return readAll(this._stream);
      return this._bytes ?? new Uint8Array(0);
    }
    // A copy for clone(): bytes are shared (immutable), a stream is teed.
    _cloneBody() {
      if (this.bodyUsed) throw new TypeError("Body has already been used");
      if (this._stream === null) return this._bytes;
      const [a, b] = this._stream.tee();
      this._stream = a;
      return b;
    }
    async arrayBuffer() { const b = await this._consume(); return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength); }
    async bytes() { return new Uint8Array(await this.arrayBuffer()); }
    async text() { return decoder.decode(await this._consume()); }
    async json() { return JSON.parse(await this.text()); }
    async blob() { return new Blob([await this._consume()], { type: this.headers.get("content-type") ?? "" }); }
    async formData() { return globalThis.__atrium_form_data.decode(await this._consume(), this.headers.get("content-type")); }
  }

  const REDIRECTS = ["follow", "manual", "error"];

  class Request extends Body {
    constructor(input, init = {}) {
      super();
      init = init ?? {};
      const from = input instanceof Request ? input : null;
      this.url = from ? from.url : new URL(String(input)).href;
      this.method = String(init.method ?? from?.method ?? "GET").toUpperCase();
      this.headers = new Headers(init.headers ?? from?.headers);
      this.redirect = String(init.redirect ?? from?.redirect ?? "follow");
      if (!REDIRECTS.includes(this.redirect)) throw new TypeError(`Invalid redirect mode: ${this.redirect}`);
      this.signal = init.signal ?? from?.signal ?? new AbortController().signal;
      for (const key of ["credentials", "mode", "cache", "referrer", "referrerPolicy", "integrity", "keepalive"]) {
        this[key] = init[key] ?? from?.[key];
      }
      this.credentials ??= "same-origin";
      this.mode ??= "cors";
      this.cache ??= "default";
      const body = init.body !== undefined ? init.body : from ? from._cloneBody() : null;
      if (body !== null && body !== undefined && (this.method === "GET" || this.method === "HEAD")) {
        throw new TypeError("Request with GET/HEAD method cannot have body");
      }
      this._init(body, this.headers);
    }
    clone() {
      return new Request(this.url, { method: this.method, headers: this.headers, body: this._cloneBody(), redirect: this.redirect, signal: this.signal });
    }
    get [Symbol.toStringTag]() { return "Request"; }
  }

  class Response extends Body {
    constructor(body = null, init = {}) {
      super();
      init = init ?? {};
      this.status = init.status ?? 200;
      if (this.status < 200 || this.status > 599) throw new RangeError(`Invalid response status ${this.status}`);
      this.statusText = init.statusText ?? "";
      this.headers = new Headers(init.headers);
      this.url = init.url ?? "";
      this.redirected = false;
      this.type = "default";
      if (body !== null && [101, 204, 205, 304].includes(this.status)) {
        throw new TypeError(`Response with null body status ${this.status} cannot have body`);
      }
      this._init(body, this.headers);
    }
    get ok() { return this.status >= 200 && this.status < 300; }
    clone() {
      const copy = new Response(this._cloneBody(), { status: this.status, statusText: this.statusText, headers: this.headers, url: this.url });
      copy.redirected = this.redirected;
      copy.type = this.type;
      return copy;
    }
    static json(data, init = {}) {
      const headers = new Headers(init?.headers);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
      return new Response(JSON.stringify(data), { ...init, headers });
    }
    static error() { const r = new Response(null, { status: 200 }); r.status = 0; r.type = "error"; return r; }
    static redirect(url, status = 302) {
      if (![301, 302, 303, 307, 308].includes(status)) throw new RangeError(`Invalid redirect status ${status}`);
      return new Response(null, { status, headers: { location: new URL(String(url)).href } });
    }
    get [Symbol.toStringTag]() { return "Response"; }
  }

  Object.assign(globalThis, { Headers, Request, Response });

  // Bytes <-> base64 for the host's HTTP action JSON.
  globalThis.__atrium_to_base64 = (bytes) => {
    let text = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(text);
  };
  globalThis.__atrium_from_base64 = (base64) => {
    const text = atob(base64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes;
  };
  // Every chunk of a response's body stream, handed to `each` as it comes (HTTP actions
  // that answer with a stream).
  globalThis.__atrium_pump = async (stream, each) => {
    const reader = stream.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const bytes = chunkBytes(value);
      each(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    }
  };

  if (!io) return;

  // Requests in flight, by the host's id: what to do with each event.
  const inFlight = new Map();
  globalThis.__atrium_io_event = (id, kind, data) => inFlight.get(id)?.(kind, data);
  // Whether a request is still in flight (a warm isolate with one is not reused).
  globalThis.__atrium_io_busy = () => inFlight.size > 0;

  const failed = (message) => {
    const error = new TypeError("fetch failed");
    error.cause = new Error(message);
    return error;
  };

  globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const signal = request.signal;
    signal.throwIfAborted();
    const body = request._stream !== null ? await readAll(request._stream) : request._bytes;
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      let id;
      try {
        id = io.start(
          request.url,
          request.method,
          [...request.headers.entries()],
          body === null ? null : body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength),
          request.redirect,
        );
      } catch (error) {
        reject(new TypeError(error?.message ?? String(error)));
        return;
      }
      let controller = null;
      let response = null;
      const finish = () => {
        inFlight.delete(id);
        signal.removeEventListener("abort", onAbort);
      };
      const onAbort = () => {
        io.abort(id);
        finish();
        if (response === null) reject(signal.reason);
        else if (controller) controller.error(signal.reason);
      };
      signal.addEventListener("abort", onAbort);
      inFlight.set(id, (kind, data) => {
        if (kind === "head") {
          const nullBody = request.method === "HEAD" || [101, 204, 205, 304].includes(data.status);
          const stream = nullBody
            ? null
            : new ReadableStream({
                start: (c) => void (controller = c),
                cancel: () => {
                  io.abort(id);
                  finish();
                },
              });
          response = new Response(null, { status: 200, headers: data.headers, url: data.url });
          response.status = data.status;
          response.statusText = data.statusText;
          response._stream = stream;
          response.redirected = data.url !== request.url;
          response.type = "basic";
          resolve(response);
        } else if (kind === "chunk") {
          controller?.enqueue(new Uint8Array(data));
        } else if (kind === "end") {
          finish();
          controller?.close();
        } else if (kind === "error") {
          finish();
          if (response === null) reject(failed(data));
          else controller?.error(new TypeError(`fetch failed while reading the body: ${data}`));
        }
      });
    });
  };
});
