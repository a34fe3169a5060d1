// A minimal DOMException (name, message, code), installed only when none exists, for the
// errors Web Crypto throws; written for Atrium. A fuller one may replace it.
(() => {
  if (typeof globalThis.DOMException === "function") return;
  const CODES = {
    IndexSizeError: 1, NotFoundError: 8, NotSupportedError: 9, InvalidStateError: 11, SyntaxError: 12,
    InvalidAccessError: 15, TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20,
    QuotaExceededError: 22, TimeoutError: 23, DataCloneError: 25,
  };
  class DOMException extends Error {
    constructor(message = "", name = "Error") {
      super(String(message));
      Object.defineProperty(this, "name", { value: String(name), writable: true, configurable: true });
    }
    get code() {
      return CODES[this.name] ?? 0;
    }
  }
  Object.defineProperty(DOMException.prototype, Symbol.toStringTag, { value: "DOMException" });
  globalThis.DOMException = DOMException;
});
