// DOM events and cancellation for user code, written for Atrium after the DOM standard:
// DOMException, Event, CustomEvent, EventTarget, AbortController and AbortSignal
// (`abort`, `timeout`, `any`, `throwIfAborted`). Timers come from the prelude (actions
// only: `AbortSignal.timeout` throws in queries and mutations, as setTimeout does).
(() => {
  const CODES = {
    IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4, InvalidCharacterError: 5,
    NoModificationAllowedError: 7, NotFoundError: 8, NotSupportedError: 9, InvalidStateError: 11,
    SyntaxError: 12, InvalidModificationError: 13, NamespaceError: 14, InvalidAccessError: 15,
    TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20, URLMismatchError: 21,
    QuotaExceededError: 22, TimeoutError: 23, InvalidNodeTypeError: 24, DataCloneError: 25,
  };

  class DOMException extends Error {
    constructor(message = "", options = "Error") {
      super(String(message));
      const name = typeof options === "object" && options !== null ? String(options.name ?? "Error") : String(options);
      if (typeof options === "object" && options !== null && "cause" in options) this.cause = options.cause;
      Object.defineProperty(this, "name", { value: name, configurable: true, writable: true });
    }
    get code() { return CODES[this.name] ?? 0; }
  }
  for (const [name, code] of Object.entries(CODES)) {
    const constant = name.replace(/Error$/, "").replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase() + "_ERR";
    Object.defineProperty(DOMException, constant, { value: code });
  }

  const STOP = Symbol("stop");
  const STOP_NOW = Symbol("stopImmediate");
  const CANCELED = Symbol("canceled");

  class Event {
    constructor(type, init = {}) {
      if (arguments.length === 0) throw new TypeError("Failed to construct 'Event': 1 argument required");
      this._type = String(type);
      this._bubbles = Boolean(init?.bubbles);
      this._cancelable = Boolean(init?.cancelable);
      this._composed = Boolean(init?.composed);
      this._target = null;
      this._current = null;
      this._phase = 0;
      this._timeStamp = typeof performance === "object" ? performance.now() : Date.now();
      this[STOP] = false;
      this[STOP_NOW] = false;
      this[CANCELED] = false;
      this._dispatching = false;
      this.isTrusted = false;
    }
    get type() { return this._type; }
    get bubbles() { return this._bubbles; }
    get cancelable() { return this._cancelable; }
    get composed() { return this._composed; }
    get target() { return this._target; }
    get srcElement() { return this._target; }
    get currentTarget() { return this._current; }
    get eventPhase() { return this._phase; }
    get timeStamp() { return this._timeStamp; }
    get defaultPrevented() { return this[CANCELED]; }
    get returnValue() { return !this[CANCELED]; }
    get cancelBubble() { return this[STOP]; }
    set cancelBubble(v) { if (v) this[STOP] = true; }
    composedPath() { return this._dispatching && this._current ? [this._current] : []; }
    preventDefault() { if (this._cancelable) this[CANCELED] = true; }
    stopPropagation() { this[STOP] = true; }
    stopImmediatePropagation() { this[STOP] = true; this[STOP_NOW] = true; }
  }
  Object.assign(Event, { NONE: 0, CAPTURING_PHASE: 1, AT_TARGET: 2, BUBBLING_PHASE: 3 });

  class CustomEvent extends Event {
    constructor(type, init = {}) {
      super(type, init);
      this._detail = init?.detail ?? null;
    }
    get detail() { return this._detail; }
  }

  const LISTENERS = Symbol("listeners");
  const listenersOf = (target) => {
    if (!target[LISTENERS]) Object.defineProperty(target, LISTENERS, { value: new Map() });
    return target[LISTENERS];
  };
  const flags = (options) =>
    typeof options === "boolean" || options === undefined || options === null
      ? { capture: Boolean(options), once: false, passive: false, signal: undefined }
      : { capture: Boolean(options.capture), once: Boolean(options.once), passive: Boolean(options.passive), signal: options.signal };

  class EventTarget {
    addEventListener(type, callback, options) {
      if (callback === null || callback === undefined) return;
      const { capture, once, passive, signal } = flags(options);
      if (signal?.aborted) return;
      const list = listenersOf(this).get(String(type)) ?? [];
      if (list.some((l) => l.callback === callback && l.capture === capture)) return;
      const listener = { callback, capture, once, passive, removed: false };
      list.push(listener);
      listenersOf(this).set(String(type), list);
      signal?.addEventListener("abort", () => this.removeEventListener(type, callback, { capture }));
    }
    removeEventListener(type, callback, options) {
      const { capture } = flags(options);
      const list = listenersOf(this).get(String(type));
      if (!list) return;
      const at = list.findIndex((l) => l.callback === callback && l.capture === capture);
      if (at >= 0) {
        list[at].removed = true;
        list.splice(at, 1);
      }
    }
    dispatchEvent(event) {
      if (!(event instanceof Event)) throw new TypeError("Failed to execute 'dispatchEvent': parameter 1 is not of type 'Event'");
      if (event._dispatching) throw new DOMException("The event is already being dispatched.", "InvalidStateError");
      event._dispatching = true;
      event._target = this;
      event._current = this;
      event._phase = 2;
      const list = [...(listenersOf(this).get(event.type) ?? [])];
      for (const listener of list) {
        if (listener.removed) continue;
        if (listener.once) this.removeEventListener(event.type, listener.callback, { capture: listener.capture });
        try {
          if (typeof listener.callback === "function") listener.callback.call(this, event);
          else if (typeof listener.callback?.handleEvent === "function") listener.callback.handleEvent(event);
        } catch (error) {
          reportError(error);
        }
        if (event[STOP_NOW]) break;
      }
      event._dispatching = false;
      event._current = null;
      event._phase = 0;
      event[STOP] = false;
      event[STOP_NOW] = false;
      return !event[CANCELED];
    }
  }

  // An error thrown by a listener does not stop the dispatch; it is logged, as a browser
  // reports it to the console.
  const reportError = (error) => {
    try {
      console.error(error);
    } catch {
      // Nothing to report to.
    }
  };

  const SECRET = Symbol("AbortSignal");
  class AbortSignal extends EventTarget {
    constructor(key) {
      if (key !== SECRET) throw new TypeError("Illegal constructor");
      super();
      this._aborted = false;
      this._reason = undefined;
      this.onabort = null;
      this._dependents = [];
    }
    get aborted() { return this._aborted; }
    get reason() { return this._reason; }
    throwIfAborted() { if (this._aborted) throw this._reason; }
    _abort(reason) {
      if (this._aborted) return;
      this._aborted = true;
      this._reason = reason === undefined ? new DOMException("This operation was aborted", "AbortError") : reason;
      const event = new Event("abort");
      if (typeof this.onabort === "function") {
        try {
          this.onabort.call(this, event);
        } catch (error) {
          reportError(error);
        }
      }
      this.dispatchEvent(event);
      for (const dependent of this._dependents) dependent._abort(this._reason);
    }
    static abort(reason) {
      const signal = new AbortSignal(SECRET);
      signal._abort(reason);
      return signal;
    }
    static timeout(ms) {
      const delay = Number(ms);
      if (!Number.isFinite(delay) || delay < 0) throw new TypeError(`AbortSignal.timeout: ${ms} is not a valid delay`);
      const signal = new AbortSignal(SECRET);
      setTimeout(() => signal._abort(new DOMException("The operation was aborted due to timeout", "TimeoutError")), delay);
      return signal;
    }
    static any(signals) {
      const signal = new AbortSignal(SECRET);
      for (const source of signals) {
        if (!(source instanceof AbortSignal)) throw new TypeError("AbortSignal.any takes AbortSignals");
        if (source.aborted) {
          signal._abort(source.reason);
          return signal;
        }
      }
      for (const source of signals) source._dependents.push(signal);
      return signal;
    }
  }

  class AbortController {
    constructor() { this._signal = new AbortSignal(SECRET); }
    get signal() { return this._signal; }
    abort(reason) { this._signal._abort(reason); }
  }

  Object.assign(globalThis, { DOMException, Event, CustomEvent, EventTarget, AbortController, AbortSignal, reportError });
});
