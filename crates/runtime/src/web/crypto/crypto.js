// Web Crypto's JavaScript half, written for Atrium: `crypto.subtle` (a SubtleCrypto),
// `CryptoKey`, algorithm normalization, key usages and promises (returned to lazy.js,
// which installs them). The work is done by the
// host functions in `ops` (crypto/mod.rs); a CryptoKey holds only a handle to key
// material kept on the host side, in a slot script cannot reach.
((ops) => {
  const SEP = "\u0001";
  const rethrow = (e) => {
    if (e instanceof Error && typeof e.message === "string" && e.message.startsWith(SEP)) {
      const [, name, message] = e.message.split(SEP);
      return name === "Error" ? new Error(message) : new DOMException(message, name);
    }
    return e;
  };
  const call = (op, ...args) => {
    try {
      return ops[op](...args);
    } catch (e) {
      throw rethrow(e);
    }
  };
  const fail = (name, message) => new DOMException(message, name);

  const toBuffer = (data, what) => {
    if (data instanceof ArrayBuffer) return data.slice(0);
    if (ArrayBuffer.isView(data)) return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
    throw new TypeError(`${what} is not an ArrayBuffer or ArrayBufferView`);
  };
  const toArray = (data, what) => Array.from(new Uint8Array(toBuffer(data, what)));

  const HASHES = ["SHA-1", "SHA-256", "SHA-384", "SHA-512"];
  const SIGNERS = ["HMAC", "RSASSA-PKCS1-v1_5", "RSA-PSS", "ECDSA", "Ed25519"];
  const CIPHERS = ["AES-GCM", "AES-CBC", "AES-CTR", "RSA-OAEP"];
  const WRAPPERS = [...CIPHERS, "AES-KW"];
  const DERIVERS = ["PBKDF2", "HKDF", "ECDH", "X25519"];
  const SUPPORTED = {
    digest: HASHES,
    sign: SIGNERS,
    verify: SIGNERS,
    encrypt: CIPHERS,
    decrypt: CIPHERS,
    wrapKey: WRAPPERS,
    unwrapKey: WRAPPERS,
    importKey: [...SIGNERS, ...WRAPPERS, ...DERIVERS],
    generateKey: [...SIGNERS, ...WRAPPERS, "ECDH", "X25519"],
    deriveBits: DERIVERS,
  };
  const CANONICAL = new Map([...HASHES, ...SUPPORTED.importKey].map((n) => [n.toUpperCase(), n]));

  const PAIR = (priv, pub) => ({ private: priv, public: pub });
  const USAGES = {
    HMAC: { secret: ["sign", "verify"] },
    "RSASSA-PKCS1-v1_5": PAIR(["sign"], ["verify"]),
    "RSA-PSS": PAIR(["sign"], ["verify"]),
    ECDSA: PAIR(["sign"], ["verify"]),
    Ed25519: PAIR(["sign"], ["verify"]),
    "RSA-OAEP": PAIR(["decrypt", "unwrapKey"], ["encrypt", "wrapKey"]),
    "AES-GCM": { secret: ["encrypt", "decrypt", "wrapKey", "unwrapKey"] },
    "AES-CBC": { secret: ["encrypt", "decrypt", "wrapKey", "unwrapKey"] },
    "AES-CTR": { secret: ["encrypt", "decrypt", "wrapKey", "unwrapKey"] },
    "AES-KW": { secret: ["wrapKey", "unwrapKey"] },
    ECDH: PAIR(["deriveKey", "deriveBits"], []),
    X25519: PAIR(["deriveKey", "deriveBits"], []),
    PBKDF2: { secret: ["deriveKey", "deriveBits"] },
    HKDF: { secret: ["deriveKey", "deriveBits"] },
  };

  // The algorithm as the host reads it: canonical names, byte strings as arrays, a
  // CryptoKey (ECDH's `public`) as its handle.
  const normalize = (algorithm, op) => {
    const alg = typeof algorithm === "string" ? { name: algorithm } : algorithm;
    if (alg === null || typeof alg !== "object" || typeof alg.name !== "string") {
      throw new TypeError("The algorithm must be a string or an object with a `name`");
    }
    const name = CANONICAL.get(alg.name.toUpperCase());
    if (!name || !SUPPORTED[op].includes(name)) {
      throw fail("NotSupportedError", `Unrecognized algorithm name: ${alg.name} (for ${op})`);
    }
    const out = { name };
    if (alg.hash !== undefined) out.hash = normalize(alg.hash, "digest").name;
    for (const f of ["length", "modulusLength", "saltLength", "tagLength", "iterations"]) {
      if (alg[f] !== undefined && alg[f] !== null) out[f] = Number(alg[f]);
    }
    if (alg.namedCurve !== undefined) out.namedCurve = String(alg.namedCurve);
    for (const f of ["publicExponent", "iv", "counter", "additionalData", "label", "salt", "info"]) {
      if (alg[f] !== undefined) out[f] = toArray(alg[f], `${name}: ${f}`);
    }
    if (alg.public !== undefined) out.public = slot(alg.public).handle;
    return out;
  };

  const slots = new WeakMap();
  const slot = (key) => {
    const s = slots.get(key);
    if (!s) throw new TypeError("The key is not a CryptoKey");
    return s;
  };

  class CryptoKey {
    constructor() {
      throw new TypeError("Illegal constructor");
    }
    get type() { return slot(this).type; }
    get extractable() { return slot(this).extractable; }
    get algorithm() { return slot(this).algorithm; }
    get usages() { return slot(this).usages; }
  }
  Object.defineProperty(CryptoKey.prototype, Symbol.toStringTag, { value: "CryptoKey" });

  const makeKey = (info, extractable, usages) => {
    const key = Object.create(CryptoKey.prototype);
    const algorithm = { ...info.algorithm };
    if (algorithm.publicExponent) algorithm.publicExponent = new Uint8Array(algorithm.publicExponent);
    // `name` and `allowed` are the slot's own copies: script may mutate the objects the
    // getters return without changing what the key may do.
    slots.set(key, {
      handle: info.handle,
      type: info.type,
      extractable,
      algorithm,
      usages: [...usages],
      name: algorithm.name,
      allowed: Object.freeze([...usages]),
    });
    return key;
  };

  const checkUsages = (name, type, usages) => {
    const allowed = USAGES[name][type] ?? [];
    for (const u of usages) {
      if (!allowed.includes(u)) throw fail("SyntaxError", `A ${type} ${name} key cannot be used to ${u}`);
    }
    if ((type === "secret" || type === "private") && usages.length === 0) {
      throw fail("SyntaxError", "Usages cannot be empty when creating a key.");
    }
  };
  const usageList = (usages) => {
    if (!Array.isArray(usages)) throw new TypeError("The key usages must be an array");
    return [...new Set(usages.map(String))];
  };

  const useKey = (key, alg, usage) => {
    const s = slot(key);
    if (s.name !== alg.name) {
      throw fail("InvalidAccessError", `The key is a ${s.name} key, not ${alg.name}`);
    }
    if (!s.allowed.includes(usage)) {
      throw fail("InvalidAccessError", `The key does not support the '${usage}' operation`);
    }
    return s.handle;
  };

  const FORMATS = ["raw", "pkcs8", "spki", "jwk"];
  const JWK_USE = { sign: "sig", verify: "sig", encrypt: "enc", decrypt: "enc", wrapKey: "enc", unwrapKey: "enc" };
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  class SubtleCrypto {
    constructor() {
      throw new TypeError("Illegal constructor");
    }

    async digest(algorithm, data) {
      const alg = normalize(algorithm, "digest");
      return call("digest", alg.name, toBuffer(data, "data"));
    }

    async importKey(format, keyData, algorithm, extractable, keyUsages) {
      if (!FORMATS.includes(format)) throw new TypeError(`Unknown key format: ${format}`);
      const alg = normalize(algorithm, "importKey");
      const usages = usageList(keyUsages);
      if ((alg.name === "PBKDF2" || alg.name === "HKDF") && extractable) {
        throw fail("SyntaxError", `${alg.name} keys cannot be extractable`);
      }
      let info;
      if (format === "jwk") {
        if (keyData === null || typeof keyData !== "object" || ArrayBuffer.isView(keyData) || keyData instanceof ArrayBuffer) {
          throw new TypeError("A JWK must be an object");
        }
        if (keyData.ext === false && extractable) throw fail("DataError", "The JWK is not extractable (ext: false)");
        if (Array.isArray(keyData.key_ops) && usages.some((u) => !keyData.key_ops.includes(u))) {
          throw fail("DataError", "The key usages are not all in the JWK's key_ops");
        }
        if (keyData.use !== undefined && usages.some((u) => JWK_USE[u] && JWK_USE[u] !== keyData.use)) {
          throw fail("DataError", `The JWK's use "${keyData.use}" does not allow these usages`);
        }
        info = call("importKey", format, JSON.stringify(alg), undefined, JSON.stringify(keyData), Boolean(extractable));
      } else {
        const data = toBuffer(keyData, "keyData");
        info = call("importKey", format, JSON.stringify(alg), data, undefined, Boolean(extractable));
      }
      info = JSON.parse(info);
      checkUsages(alg.name, info.type, usages);
      return makeKey(info, Boolean(extractable), usages);
    }

    async exportKey(format, key) {
      if (!FORMATS.includes(format)) throw new TypeError(`Unknown key format: ${format}`);
      const s = slot(key);
      if (!s.extractable) throw fail("InvalidAccessError", "key is not extractable");
      const exported = call("exportKey", format, s.handle);
      if (format !== "jwk") return exported;
      return { ...JSON.parse(exported), key_ops: [...s.allowed], ext: s.extractable };
    }

    async generateKey(algorithm, extractable, keyUsages) {
      const alg = normalize(algorithm, "generateKey");
      const usages = usageList(keyUsages);
      const rules = USAGES[alg.name];
      const all = [...(rules.secret ?? []), ...(rules.private ?? []), ...(rules.public ?? [])];
      for (const u of usages) {
        if (!all.includes(u)) throw fail("SyntaxError", `A ${alg.name} key cannot be used to ${u}`);
      }
      if (usages.length === 0) throw fail("SyntaxError", "Usages cannot be empty when creating a key.");
      const info = JSON.parse(call("generateKey", JSON.stringify(alg), Boolean(extractable)));
      if (!info.publicKey) return makeKey(info, Boolean(extractable), usages);
      const privateUsages = usages.filter((u) => rules.private.includes(u));
      if (privateUsages.length === 0) throw fail("SyntaxError", "Usages cannot be empty when creating a key.");
      return {
        publicKey: makeKey(info.publicKey, true, usages.filter((u) => rules.public.includes(u))),
        privateKey: makeKey(info.privateKey, Boolean(extractable), privateUsages),
      };
    }

    async sign(algorithm, key, data) {
      const alg = normalize(algorithm, "sign");
      return call("sign", JSON.stringify(alg), useKey(key, alg, "sign"), toBuffer(data, "data"));
    }

    async verify(algorithm, key, signature, data) {
      const alg = normalize(algorithm, "verify");
      const handle = useKey(key, alg, "verify");
      return call("verify", JSON.stringify(alg), handle, toBuffer(signature, "signature"), toBuffer(data, "data"));
    }

    async encrypt(algorithm, key, data) {
      const alg = normalize(algorithm, "encrypt");
      return call("encrypt", JSON.stringify(alg), useKey(key, alg, "encrypt"), toBuffer(data, "data"));
    }

    async decrypt(algorithm, key, data) {
      const alg = normalize(algorithm, "decrypt");
      return call("decrypt", JSON.stringify(alg), useKey(key, alg, "decrypt"), toBuffer(data, "data"));
    }

    async deriveBits(algorithm, baseKey, length) {
      const alg = normalize(algorithm, "deriveBits");
      const handle = useKey(baseKey, alg, "deriveBits");
      return call("deriveBits", JSON.stringify(alg), handle, length ?? undefined);
    }

    async deriveKey(algorithm, baseKey, derivedKeyType, extractable, keyUsages) {
      const alg = normalize(algorithm, "deriveBits");
      const handle = useKey(baseKey, alg, "deriveKey");
      const target = normalize(derivedKeyType, "importKey");
      let length;
      if (target.name.startsWith("AES-")) {
        if (![128, 192, 256].includes(target.length)) {
          throw fail("OperationError", "The derived AES key's length must be 128, 192 or 256");
        }
        length = target.length;
      } else if (target.name === "HMAC") {
        if (!target.hash) throw new TypeError("HMAC: the algorithm needs a hash");
        length = target.length ?? (target.hash === "SHA-384" || target.hash === "SHA-512" ? 1024 : 512);
      } else if (target.name === "HKDF" || target.name === "PBKDF2") {
        length = undefined;
      } else {
        throw fail("NotSupportedError", `Keys of ${target.name} cannot be derived`);
      }
      const bits = call("deriveBits", JSON.stringify(alg), handle, length);
      return subtle.importKey("raw", bits, derivedKeyType, extractable, keyUsages);
    }

    async wrapKey(format, key, wrappingKey, wrapAlgorithm) {
      const alg = normalize(wrapAlgorithm, "wrapKey");
      const handle = useKey(wrappingKey, alg, "wrapKey");
      const exported = await subtle.exportKey(format, key);
      const bytes = format === "jwk" ? encoder.encode(JSON.stringify(exported)) : exported;
      return call("encrypt", JSON.stringify(alg), handle, toBuffer(bytes, "key"));
    }

    async unwrapKey(format, wrappedKey, unwrappingKey, unwrapAlgorithm, keyAlgorithm, extractable, keyUsages) {
      const alg = normalize(unwrapAlgorithm, "unwrapKey");
      const handle = useKey(unwrappingKey, alg, "unwrapKey");
      const bytes = call("decrypt", JSON.stringify(alg), handle, toBuffer(wrappedKey, "wrappedKey"));
      let keyData = bytes;
      if (format === "jwk") {
        try {
          keyData = JSON.parse(decoder.decode(bytes));
        } catch {
          throw fail("DataError", "The unwrapped key is not a JWK");
        }
      }
      return subtle.importKey(format, keyData, keyAlgorithm, extractable, keyUsages);
    }
  }
  Object.defineProperty(SubtleCrypto.prototype, Symbol.toStringTag, { value: "SubtleCrypto" });

  const subtle = Object.create(SubtleCrypto.prototype);
  return { subtle, CryptoKey, SubtleCrypto };
});
