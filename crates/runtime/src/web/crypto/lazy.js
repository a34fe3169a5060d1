// Web Crypto's globals, loaded on first use: reading `crypto.subtle`, `CryptoKey` or
// `SubtleCrypto` runs `load` (crypto.js and its host functions) once, then each becomes a
// plain property; functions that never touch Web Crypto do not pay for it.
((load) => {
  let loaded;
  const get = (name) => {
    if (!loaded) {
      loaded = load();
      for (const n of ["CryptoKey", "SubtleCrypto"]) {
        Object.defineProperty(globalThis, n, { value: loaded[n], writable: true, configurable: true });
      }
      Object.defineProperty(globalThis.crypto, "subtle", { value: loaded.subtle, enumerable: true, configurable: true });
    }
    return loaded[name];
  };
  for (const n of ["CryptoKey", "SubtleCrypto"]) {
    Object.defineProperty(globalThis, n, {
      get: () => get(n),
      set(value) {
        Object.defineProperty(globalThis, n, { value, writable: true, configurable: true });
      },
      configurable: true,
    });
  }
  Object.defineProperty(globalThis.crypto, "subtle", { get: () => get("subtle"), enumerable: true, configurable: true });
});
