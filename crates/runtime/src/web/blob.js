// Blob and File for user code, written for Atrium: immutable bytes (a Uint8Array) with a
// MIME type. `ctx.storage.store(blob)` and `get(id)`, `Request.blob()` and
// `new Response(blob)` build on them.
(() => {
  const encoder = new TextEncoder();
  const bytesOf = (part) => {
    if (part instanceof Blob) return part._bytes;
    if (part instanceof ArrayBuffer) return new Uint8Array(part);
    if (ArrayBuffer.isView(part)) return new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
    return encoder.encode(String(part));
  };
  const relative = (index, size) => (index < 0 ? Math.max(size + index, 0) : Math.min(index, size));

  class Blob {
    constructor(parts = [], options = {}) {
      if (parts === null || typeof parts !== "object" || typeof parts[Symbol.iterator] !== "function") {
        throw new TypeError("Failed to construct 'Blob': The provided value cannot be converted to a sequence.");
      }
      const chunks = [...parts].map(bytesOf);
      const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
      let at = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, at);
        at += chunk.byteLength;
      }
      this._bytes = bytes;
      const type = options?.type === undefined ? "" : String(options.type);
      this._type = /^[\x20-\x7e]*$/.test(type) ? type.toLowerCase() : "";
    }
    get size() { return this._bytes.byteLength; }
    get type() { return this._type; }
    slice(start = 0, end = this.size, contentType = "") {
      const from = relative(Math.trunc(start), this.size);
      const to = Math.max(relative(Math.trunc(end), this.size), from);
      return new Blob([this._bytes.subarray(from, to)], { type: contentType });
    }
    async arrayBuffer() { return this._bytes.slice().buffer; }
    async bytes() { return this._bytes.slice(); }
    async text() { return new TextDecoder().decode(this._bytes); }
    stream() {
      if (typeof ReadableStream !== "function") throw new TypeError("Blob.stream() needs ReadableStream, which this runtime lacks");
      const bytes = this._bytes.slice();
      return new ReadableStream({ start(controller) { controller.enqueue(bytes); controller.close(); } });
    }
    get [Symbol.toStringTag]() { return "Blob"; }
  }

  class File extends Blob {
    constructor(parts, name, options = {}) {
      if (arguments.length < 2) {
        throw new TypeError(`Failed to construct 'File': 2 arguments required, but only ${arguments.length} present.`);
      }
      super(parts, options);
      this._name = String(name);
      this._lastModified = options?.lastModified === undefined ? Date.now() : Number(options.lastModified);
    }
    get name() { return this._name; }
    get lastModified() { return this._lastModified; }
    get [Symbol.toStringTag]() { return "File"; }
  }

  Object.assign(globalThis, { Blob, File });
});
