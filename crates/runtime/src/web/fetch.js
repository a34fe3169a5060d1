// The fetch API for user code, written for Atrium: Headers, Request, Response, and (in
// actions) fetch itself, which hands the request to the host (`send`).
(({ send }) => {
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

  class Headers {
    constructor(init) {
      this._map = new Map();
      if (init instanceof Headers) init.forEach((v, k) => this.append(k, v));
      else if (Array.isArray(init)) for (const [k, v] of init) this.append(k, v);
      else if (init && typeof init === "object") for (const k of Object.keys(init)) this.append(k, init[k]);
    }
    append(name, value) {
      const key = String(name).toLowerCase();
      const existing = this._map.get(key);
      this._map.set(key, existing === undefined ? String(value) : `${existing}, ${value}`);
    }
    set(name, value) { this._map.set(String(name).toLowerCase(), String(value)); }
    get(name) { const v = this._map.get(String(name).toLowerCase()); return v === undefined ? null : v; }
    has(name) { return this._map.has(String(name).toLowerCase()); }
    delete(name) { this._map.delete(String(name).toLowerCase()); }
    forEach(f, thisArg) { for (const [k, v] of this.entries()) f.call(thisArg, v, k, this); }
    *entries() { yield* [...this._map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)); }
    *keys() { for (const [k] of this.entries()) yield k; }
    *values() { for (const [, v] of this.entries()) yield v; }
    [Symbol.iterator]() { return this.entries(); }
  }

  class Body {
    _init(body, headers) {
      if (typeof FormData === "function" && body instanceof FormData) {
        const encoded = globalThis.__atrium_form_data.encode(body);
        if (!headers.has("content-type")) headers.set("content-type", encoded.contentType);
        body = encoded.bytes;
      } else if (typeof Blob === "function" && body instanceof Blob) {
        if (body.type && !headers.has("content-type")) headers.set("content-type", body.type);
        body = body._bytes;
      }
      this._bytes = toBytes(body);
      this.bodyUsed = false;
      if (typeof body === "string" && !headers.has("content-type")) headers.set("content-type", "text/plain;charset=UTF-8");
      if (body instanceof URLSearchParams && !headers.has("content-type")) {
        headers.set("content-type", "application/x-www-form-urlencoded;charset=UTF-8");
      }
    }
    _consume() {
      if (this.bodyUsed) throw new TypeError("Body has already been used");
      this.bodyUsed = true;
      return this._bytes ?? new Uint8Array(0);
    }
    get body() { return this._bytes; }
    async arrayBuffer() { const b = this._consume(); return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength); }
    async bytes() { return new Uint8Array(await this.arrayBuffer()); }
    async text() { return decoder.decode(this._consume()); }
    async json() { return JSON.parse(await this.text()); }
    async blob() { return new Blob([this._consume()], { type: this.headers.get("content-type") ?? "" }); }
    async formData() { return globalThis.__atrium_form_data.decode(this._consume(), this.headers.get("content-type")); }
  }

  class Request extends Body {
    constructor(input, init = {}) {
      super();
      const from = input instanceof Request ? input : null;
      this.url = from ? from.url : new URL(String(input)).href;
      this.method = String(init.method ?? from?.method ?? "GET").toUpperCase();
      this.headers = new Headers(init.headers ?? from?.headers);
      this._init(init.body ?? (from ? from._bytes : null), this.headers);
      if (this._bytes && (this.method === "GET" || this.method === "HEAD")) {
        throw new TypeError("Request with GET/HEAD method cannot have body");
      }
    }
    clone() { return new Request(this.url, { method: this.method, headers: this.headers, body: this._bytes }); }
  }

  class Response extends Body {
    constructor(body = null, init = {}) {
      super();
      this.status = init.status ?? 200;
      if (this.status < 200 || this.status > 599) throw new RangeError(`Invalid response status ${this.status}`);
      this.statusText = init.statusText ?? "";
      this.headers = new Headers(init.headers);
      this.url = init.url ?? "";
      this.redirected = false;
      this.type = "default";
      this._init(body, this.headers);
    }
    get ok() { return this.status >= 200 && this.status < 300; }
    clone() { return new Response(this._bytes, { status: this.status, statusText: this.statusText, headers: this.headers, url: this.url }); }
    static json(data, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
      return new Response(JSON.stringify(data), { ...init, headers });
    }
    static error() { const r = new Response(null, { status: 200 }); r.status = 0; r.type = "error"; return r; }
    static redirect(url, status = 302) { return new Response(null, { status, headers: { location: String(url) } }); }
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

  if (send) {
    globalThis.fetch = async (input, init) => {
      const request = new Request(input, init);
      const body = request._bytes;
      const reply = send(
        request.url,
        request.method,
        [...request.headers.entries()],
        body === null ? null : body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength),
      );
      if (reply.error !== undefined) throw new TypeError(`fetch failed: ${reply.error}`);
      const response = new Response(reply.status === 204 || reply.status === 304 ? null : new Uint8Array(reply.body), {
        status: reply.status,
        statusText: reply.statusText,
        headers: reply.headers,
        url: reply.url,
      });
      response.redirected = reply.url !== request.url;
      return response;
    };
  }
});
