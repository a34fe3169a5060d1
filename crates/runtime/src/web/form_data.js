// FormData for user code, written for Atrium: ordered entries of strings and Files; its
// multipart/form-data encoding (a `fetch` or Response body); and the decoding of bodies
// (`Request.formData()`), whose multipart parser is the host's (`parse`, multer).
(({ parse }) => {
  const encoder = new TextEncoder();

  class FormData {
    constructor(form) {
      if (form !== undefined) throw new TypeError("FormData(form) is not supported: there are no HTML forms here");
      this._entries = [];
    }
    static _entry(name, value, filename, count) {
      if (count < 2) throw new TypeError(`2 arguments required, but only ${count} present.`);
      if (value instanceof Blob) {
        const name2 = filename !== undefined ? String(filename) : value instanceof File ? value.name : "blob";
        const file = value instanceof File && filename === undefined
          ? value
          : new File([value], name2, { type: value.type, lastModified: value.lastModified });
        return [String(name), file];
      }
      return [String(name), String(value)];
    }
    append(name, value, filename) { this._entries.push(FormData._entry(name, value, filename, arguments.length)); }
    set(name, value, filename) {
      const entry = FormData._entry(name, value, filename, arguments.length);
      const at = this._entries.findIndex(([n]) => n === entry[0]);
      if (at === -1) {
        this._entries.push(entry);
        return;
      }
      // Only entries after `at` go, so `at` still points at the first one.
      this._entries = this._entries.filter(([n], i) => n !== entry[0] || i === at);
      this._entries[at] = entry;
    }
    get(name) { const e = this._entries.find(([n]) => n === String(name)); return e ? e[1] : null; }
    getAll(name) { return this._entries.filter(([n]) => n === String(name)).map(([, v]) => v); }
    has(name) { return this._entries.some(([n]) => n === String(name)); }
    delete(name) { this._entries = this._entries.filter(([n]) => n !== String(name)); }
    *entries() { yield* this._entries.map(([n, v]) => [n, v]); }
    *keys() { for (const [n] of this._entries) yield n; }
    *values() { for (const [, v] of this._entries) yield v; }
    forEach(f, thisArg) { for (const [n, v] of this._entries) f.call(thisArg, v, n, this); }
    [Symbol.iterator]() { return this.entries(); }
    get [Symbol.toStringTag]() { return "FormData"; }
  }

  const escape = (text) => text.replace(/\n/g, "%0A").replace(/\r/g, "%0D").replace(/"/g, "%22");

  // The multipart/form-data body of `form` and its content type.
  const encode = (form) => {
    const random = new Uint8Array(12);
    crypto.getRandomValues(random);
    const boundary = `----AtriumFormBoundary${[...random].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
    const parts = [];
    for (const [name, value] of form._entries) {
      let head = `--${boundary}\r\nContent-Disposition: form-data; name="${escape(name)}"`;
      if (value instanceof File) {
        head += `; filename="${escape(value.name)}"\r\nContent-Type: ${value.type || "application/octet-stream"}`;
        parts.push(encoder.encode(`${head}\r\n\r\n`), value._bytes, encoder.encode("\r\n"));
      } else {
        parts.push(encoder.encode(`${head}\r\n\r\n${value.replace(/\r?\n|\r/g, "\r\n")}\r\n`));
      }
    }
    parts.push(encoder.encode(`--${boundary}--\r\n`));
    return { bytes: new Blob(parts)._bytes, contentType: `multipart/form-data; boundary=${boundary}` };
  };

  // A FormData read from a body of type `contentType`.
  const decode = (bytes, contentType) => {
    const type = (contentType ?? "").split(";")[0].trim().toLowerCase();
    const form = new FormData();
    if (type === "multipart/form-data") {
      const copy = bytes.slice();
      const parts = parse(contentType, copy.buffer);
      if (typeof parts === "string") throw new TypeError(`Could not parse content as FormData: ${parts}`);
      for (const part of parts) {
        if (part.filename === undefined || part.filename === null) {
          form.append(part.name, new TextDecoder().decode(new Uint8Array(part.data)));
        } else {
          form.append(part.name, new File([part.data], part.filename, { type: part.contentType ?? "" }));
        }
      }
      return form;
    }
    if (type === "application/x-www-form-urlencoded") {
      for (const [name, value] of new URLSearchParams(new TextDecoder().decode(bytes))) form.append(name, value);
      return form;
    }
    throw new TypeError("Could not parse content as FormData.");
  };

  globalThis.FormData = FormData;
  globalThis.__atrium_form_data = { encode, decode };
});
