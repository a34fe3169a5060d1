// WHATWG Streams for user code, part two (part one, `streams.js`, says why they are
// written here): WritableStream, TransformStream, the queuing strategies,
// TextEncoderStream and TextDecoderStream. `shared` is what part one returned: its helpers
// and ReadableStream; this part sets `shared.WritableStream` for pipeTo.
((shared) => {
  const { deferred, call, sizeOf, hwmOf, ReadableStream } = shared;

  class WritableStreamDefaultController {
    constructor(stream) {
      this._stream = stream;
      this._abort = new AbortController();
    }
    get signal() { return this._abort.signal; }
    error(reason) { this._stream._error(reason); }
  }

  class WritableStreamDefaultWriter {
    constructor(stream) {
      if (!(stream instanceof WritableStream)) throw new TypeError("WritableStreamDefaultWriter needs a WritableStream");
      if (stream.locked) throw new TypeError("WritableStream is locked");
      this._stream = stream;
      stream._writer = this;
    }
    get closed() { return this._stream ? this._stream._closed.promise : Promise.reject(new TypeError("The writer has been released")); }
    get ready() { return this._stream ? this._stream._ready.promise : Promise.reject(new TypeError("The writer has been released")); }
    get desiredSize() {
      const stream = this._stream;
      if (!stream) throw new TypeError("The writer has been released");
      if (stream._state === "errored") return null;
      if (stream._state === "closed") return 0;
      return stream._hwm - stream._queueSize;
    }
    write(chunk) { return this._stream ? this._stream._write(chunk) : Promise.reject(new TypeError("The writer has been released")); }
    close() { return this._stream ? this._stream._closeWith() : Promise.reject(new TypeError("The writer has been released")); }
    abort(reason) { return this._stream ? this._stream._abortWith(reason) : Promise.reject(new TypeError("The writer has been released")); }
    releaseLock() {
      if (!this._stream) return;
      this._stream._writer = null;
      this._stream = null;
    }
  }

  class WritableStream {
    constructor(sink = {}, strategy = {}) {
      this._sink = sink;
      this._state = "writable";
      this._writer = null;
      this._hwm = hwmOf(strategy, 1);
      this._size = sizeOf(strategy);
      this._queue = [];
      this._queueSize = 0;
      this._closed = deferred();
      this._ready = deferred();
      this._ready.resolve();
      this._controller = new WritableStreamDefaultController(this);
      this._started = call(sink, "start", [this._controller]).catch((error) => this._error(error));
      this._chain = this._started;
    }
    get locked() { return this._writer !== null; }
    getWriter() { return new WritableStreamDefaultWriter(this); }
    close() { return this.locked ? Promise.reject(new TypeError("Cannot close a locked stream")) : this._closeWith(); }
    abort(reason) { return this.locked ? Promise.reject(new TypeError("Cannot abort a locked stream")) : this._abortWith(reason); }
    _backpressure() {
      const pressed = this._hwm - this._queueSize <= 0;
      if (pressed && this._ready.settled !== false) {
        this._ready = deferred();
        this._ready.settled = false;
      } else if (!pressed && this._ready.settled === false) {
        this._ready.settled = true;
        this._ready.resolve();
      }
    }
    _write(chunk) {
      if (this._state !== "writable") {
        return Promise.reject(this._state === "errored" ? this._storedError : new TypeError("The stream is closing or closed"));
      }
      let size;
      try {
        size = this._size(chunk);
      } catch (error) {
        this._error(error);
        return Promise.reject(error);
      }
      this._queueSize += size;
      this._backpressure();
      const run = this._chain.then(() => {
        if (this._state === "errored") throw this._storedError;
        return call(this._sink, "write", [chunk, this._controller]);
      });
      this._chain = run.then(
        () => {
          this._queueSize -= size;
          this._backpressure();
        },
        (error) => this._error(error),
      );
      return run;
    }
    _closeWith() {
      if (this._state !== "writable") return Promise.reject(new TypeError("The stream is closing or closed"));
      this._state = "closing";
      const run = this._chain.then(() => {
        if (this._state === "errored") throw this._storedError;
        return call(this._sink, "close", []);
      });
      return run.then(
        () => {
          this._state = "closed";
          this._closed.resolve();
        },
        (error) => {
          this._error(error);
          throw error;
        },
      );
    }
    _abortWith(reason) {
      if (this._state === "closed" || this._state === "errored") return Promise.resolve();
      this._controller._abort.abort(reason);
      this._error(reason);
      return call(this._sink, "abort", [reason]).then(() => undefined);
    }
    _error(reason) {
      if (this._state === "errored" || this._state === "closed") return;
      this._state = "errored";
      this._storedError = reason;
      this._closed.reject(reason);
      if (this._ready.settled === false) this._ready.reject(reason);
      else {
        this._ready = deferred();
        this._ready.reject(reason);
      }
    }
  }

  class TransformStreamDefaultController {
    constructor(stream) { this._stream = stream; }
    get desiredSize() { return this._stream._readableController.desiredSize; }
    enqueue(chunk) {
      const stream = this._stream;
      stream._readableController.enqueue(chunk);
      if (stream._readableController.desiredSize <= 0) stream._setBackpressure(true);
    }
    error(reason) { this._stream._fail(reason); }
    terminate() {
      const readable = this._stream._readableController;
      if (readable._stream._state === "readable" && !readable._closeRequested) readable.close();
      this._stream._writable._error(new TypeError("The transform stream has been terminated"));
    }
  }

  class TransformStream {
    constructor(transformer = {}, writableStrategy = {}, readableStrategy = {}) {
      const controller = new TransformStreamDefaultController(this);
      this._backpressure = true;
      this._change = deferred();
      const started = deferred();
      this._readable = new ReadableStream(
        {
          start: (c) => {
            this._readableController = c;
            return started.promise;
          },
          pull: () => {
            this._setBackpressure(false);
            return this._change.promise;
          },
          cancel: (reason) => {
            this._writable._error(reason);
            return call(transformer, "cancel", [reason]);
          },
        },
        { highWaterMark: hwmOf(readableStrategy, 0), size: readableStrategy?.size },
      );
      this._writable = new WritableStream(
        {
          start: () => started.promise,
          write: async (chunk) => {
            if (this._backpressure) await this._change.promise;
            if (typeof transformer.transform === "function") await transformer.transform(chunk, controller);
            else controller.enqueue(chunk);
          },
          close: async () => {
            await call(transformer, "flush", [controller]);
            const readable = this._readableController;
            if (readable._stream._state === "readable" && !readable._closeRequested) readable.close();
          },
          abort: (reason) => {
            this._readableController.error(reason);
            return call(transformer, "cancel", [reason]);
          },
        },
        { highWaterMark: hwmOf(writableStrategy, 1), size: writableStrategy?.size },
      );
      call(transformer, "start", [controller]).then(started.resolve, (error) => {
        started.reject(error);
        this._fail(error);
      });
    }
    get readable() { return this._readable; }
    get writable() { return this._writable; }
    _setBackpressure(on) {
      if (this._backpressure === on) return;
      this._backpressure = on;
      const change = this._change;
      this._change = deferred();
      change.resolve();
    }
    _fail(reason) {
      this._readableController?.error(reason);
      this._writable._error(reason);
      this._setBackpressure(false);
    }
  }

  class ByteLengthQueuingStrategy {
    constructor({ highWaterMark }) { this.highWaterMark = Number(highWaterMark); }
    get size() { return (chunk) => chunk.byteLength; }
  }
  class CountQueuingStrategy {
    constructor({ highWaterMark }) { this.highWaterMark = Number(highWaterMark); }
    get size() { return () => 1; }
  }

  class TextEncoderStream extends TransformStream {
    constructor() {
      const encoder = new TextEncoder();
      let high = "";
      super({
        transform(chunk, controller) {
          let text = high + String(chunk);
          high = "";
          const last = text.charCodeAt(text.length - 1);
          if (last >= 0xd800 && last <= 0xdbff) {
            high = text.slice(-1);
            text = text.slice(0, -1);
          }
          if (text) controller.enqueue(encoder.encode(text));
        },
        flush(controller) {
          if (high) controller.enqueue(new Uint8Array([0xef, 0xbf, 0xbd]));
        },
      });
    }
    get encoding() { return "utf-8"; }
  }

  class TextDecoderStream extends TransformStream {
    constructor(label = "utf-8", options = {}) {
      const decoder = new TextDecoder(label, options);
      super({
        transform(chunk, controller) {
          const text = decoder.decode(chunk, { stream: true });
          if (text) controller.enqueue(text);
        },
        flush(controller) {
          const text = decoder.decode();
          if (text) controller.enqueue(text);
        },
      });
      this._decoder = decoder;
    }
    get encoding() { return this._decoder.encoding; }
    get fatal() { return this._decoder.fatal; }
    get ignoreBOM() { return this._decoder.ignoreBOM; }
  }

  shared.WritableStream = WritableStream;
  Object.assign(globalThis, {
    WritableStream,
    WritableStreamDefaultWriter,
    WritableStreamDefaultController,
    TransformStream,
    TransformStreamDefaultController,
    ByteLengthQueuingStrategy,
    CountQueuingStrategy,
    TextEncoderStream,
    TextDecoderStream,
  });
});
