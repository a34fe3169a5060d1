// WHATWG Streams for user code, written for Atrium after the Streams standard (compact,
// not vendored: the reference implementation is BSD but large, and SDKs need only the
// observable behaviour), part one: ReadableStream (default and BYOB readers, tee, pipeTo,
// pipeThrough, async iteration, `from`). `streams_write.js` is part two (WritableStream,
// TransformStream, the queuing strategies, the text streams); this file returns the
// helpers both share, and part two puts its WritableStream there for pipeTo. Promises
// settle through the job queue, as the standard's do.
(() => {
  const deferred = () => {
    let resolve, reject;
    const promise = new Promise((res, rej) => ((resolve = res), (reject = rej)));
    promise.catch(() => {});
    return { promise, resolve, reject };
  };
  const call = (object, method, args) => {
    try {
      const f = object?.[method];
      return Promise.resolve(typeof f === "function" ? f.apply(object, args) : undefined);
    } catch (error) {
      return Promise.reject(error);
    }
  };
  const sizeOf = (strategy) => {
    const size = strategy?.size;
    if (size !== undefined && typeof size !== "function") throw new TypeError("strategy.size must be a function");
    return size ?? (() => 1);
  };
  const hwmOf = (strategy, fallback) => {
    const hwm = strategy?.highWaterMark === undefined ? fallback : Number(strategy.highWaterMark);
    if (Number.isNaN(hwm) || hwm < 0) throw new RangeError("highWaterMark must be a non-negative number");
    return hwm;
  };

  class ReadableStreamDefaultController {
    constructor(stream, source, hwm, size) {
      Object.assign(this, { _stream: stream, _source: source, _hwm: hwm, _size: size });
      this._queue = [];
      this._queueSize = 0;
      this._closeRequested = false;
      this._started = false;
      this._pulling = false;
      this._pullAgain = false;
    }
    get desiredSize() {
      const state = this._stream._state;
      if (state === "errored") return null;
      if (state === "closed") return 0;
      return this._hwm - this._queueSize;
    }
    get byobRequest() { return null; }
    enqueue(chunk) {
      if (this._closeRequested || this._stream._state !== "readable") {
        throw new TypeError("Cannot enqueue a chunk into a closed or errored stream");
      }
      const stream = this._stream;
      if (stream._reader?._requests?.length) {
        stream._reader._requests.shift().resolve({ value: chunk, done: false });
      } else {
        let size;
        try {
          size = this._size(chunk);
        } catch (error) {
          this.error(error);
          throw error;
        }
        this._queue.push({ chunk, size });
        this._queueSize += size;
      }
      this._pullIfNeeded();
    }
    close() {
      if (this._closeRequested || this._stream._state !== "readable") throw new TypeError("The stream is not readable");
      this._closeRequested = true;
      if (this._queue.length === 0) this._stream._close();
    }
    error(reason) {
      if (this._stream._state !== "readable") return;
      this._queue = [];
      this._queueSize = 0;
      this._stream._error(reason);
    }
    _pullIfNeeded() {
      const stream = this._stream;
      if (!this._started || this._closeRequested || stream._state !== "readable") return;
      const wanted = (stream._reader?._requests?.length ?? 0) > 0 || this.desiredSize > 0;
      if (!wanted) return;
      if (this._pulling) {
        this._pullAgain = true;
        return;
      }
      this._pulling = true;
      call(this._source, "pull", [this]).then(
        () => {
          this._pulling = false;
          if (this._pullAgain) {
            this._pullAgain = false;
            this._pullIfNeeded();
          }
        },
        (error) => this.error(error),
      );
    }
    _take() {
      const { chunk, size } = this._queue.shift();
      this._queueSize -= size;
      if (this._closeRequested && this._queue.length === 0) this._stream._close();
      else this._pullIfNeeded();
      return chunk;
    }
  }

  class ReadableStreamDefaultReader {
    constructor(stream) {
      if (!(stream instanceof ReadableStream)) throw new TypeError("ReadableStreamDefaultReader needs a ReadableStream");
      if (stream.locked) throw new TypeError("ReadableStream is locked");
      this._stream = stream;
      this._requests = [];
      this._closed = deferred();
      stream._reader = this;
      if (stream._state === "closed") this._closed.resolve();
      if (stream._state === "errored") this._closed.reject(stream._storedError);
    }
    get closed() { return this._closed.promise; }
    read() {
      const stream = this._stream;
      if (!stream) return Promise.reject(new TypeError("The reader has been released"));
      stream._disturbed = true;
      if (stream._state === "closed") return Promise.resolve({ value: undefined, done: true });
      if (stream._state === "errored") return Promise.reject(stream._storedError);
      const controller = stream._controller;
      if (controller._queue.length > 0) return Promise.resolve({ value: controller._take(), done: false });
      const request = deferred();
      this._requests.push(request);
      controller._pullIfNeeded();
      return request.promise;
    }
    cancel(reason) {
      if (!this._stream) return Promise.reject(new TypeError("The reader has been released"));
      return this._stream._cancel(reason);
    }
    releaseLock() {
      const stream = this._stream;
      if (!stream) return;
      const error = new TypeError("The reader has been released");
      for (const request of this._requests.splice(0)) request.reject(error);
      if (stream._state === "readable") this._closed.reject(error);
      else {
        this._closed = deferred();
        this._closed.reject(error);
      }
      stream._reader = null;
      this._stream = null;
    }
  }

  // A BYOB reader over the same queue: each read fills the caller's view from the next
  // chunk (bytes), keeping what does not fit for the next read.
  class ReadableStreamBYOBReader extends ReadableStreamDefaultReader {
    async read(view) {
      if (!ArrayBuffer.isView(view) || view.byteLength === 0) throw new TypeError("read() needs a non-empty ArrayBufferView");
      const target = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
      const controller = this._stream?._controller;
      const { value, done } = await super.read();
      if (done) return { value: new view.constructor(view.buffer, view.byteOffset, 0), done: true };
      const bytes = value instanceof Uint8Array ? value : new Uint8Array(value.buffer ?? value, value.byteOffset ?? 0, value.byteLength);
      const n = Math.min(bytes.byteLength, target.byteLength);
      target.set(bytes.subarray(0, n));
      if (n < bytes.byteLength && controller) {
        controller._queue.unshift({ chunk: bytes.subarray(n), size: 1 });
        controller._queueSize += 1;
      }
      const per = view.BYTES_PER_ELEMENT ?? 1;
      return { value: new view.constructor(view.buffer, view.byteOffset, Math.floor(n / per)), done: false };
    }
  }

  class ReadableStream {
    constructor(source = {}, strategy = {}) {
      this._state = "readable";
      this._reader = null;
      this._storedError = undefined;
      this._disturbed = false;
      const bytes = source?.type === "bytes";
      const controller = new ReadableStreamDefaultController(this, source, hwmOf(strategy, bytes ? 0 : 1), bytes ? (c) => c.byteLength ?? 1 : sizeOf(strategy));
      this._controller = controller;
      call(source, "start", [controller]).then(
        () => {
          controller._started = true;
          controller._pullIfNeeded();
        },
        (error) => controller.error(error),
      );
    }
    get locked() { return this._reader !== null; }
    getReader(options = {}) {
      return options?.mode === "byob" ? new ReadableStreamBYOBReader(this) : new ReadableStreamDefaultReader(this);
    }
    cancel(reason) {
      if (this.locked) return Promise.reject(new TypeError("Cannot cancel a locked stream"));
      return this._cancel(reason);
    }
    _cancel(reason) {
      this._disturbed = true;
      if (this._state === "closed") return Promise.resolve();
      if (this._state === "errored") return Promise.reject(this._storedError);
      this._controller._queue = [];
      this._close();
      return call(this._controller._source, "cancel", [reason]).then(() => undefined);
    }
    _close() {
      if (this._state !== "readable") return;
      this._state = "closed";
      const reader = this._reader;
      if (!reader) return;
      for (const request of reader._requests.splice(0)) request.resolve({ value: undefined, done: true });
      reader._closed.resolve();
    }
    _error(reason) {
      if (this._state !== "readable") return;
      this._state = "errored";
      this._storedError = reason;
      const reader = this._reader;
      if (!reader) return;
      for (const request of reader._requests.splice(0)) request.reject(reason);
      reader._closed.reject(reason);
    }
    tee() {
      const reader = this.getReader();
      const controllers = [];
      let canceled = 0;
      const reasons = [];
      const cancelled = deferred();
      let reading = false;
      const pull = () => {
        if (reading) return Promise.resolve();
        reading = true;
        return reader.read().then(
          ({ value, done }) => {
            reading = false;
            for (const c of controllers) {
              if (c._stream._state !== "readable" || c._closeRequested) continue;
              if (done) c.close();
              else c.enqueue(value);
            }
          },
          (error) => {
            reading = false;
            for (const c of controllers) c.error(error);
          },
        );
      };
      const branch = (i) =>
        new ReadableStream({
          start: (c) => void (controllers[i] = c),
          pull,
          cancel: (reason) => {
            reasons[i] = reason;
            if (++canceled === 2) reader.cancel(reasons).then(cancelled.resolve, cancelled.reject);
            return cancelled.promise;
          },
        });
      return [branch(0), branch(1)];
    }
    pipeTo(destination, options = {}) {
      if (!(destination instanceof shared.WritableStream)) return Promise.reject(new TypeError("pipeTo needs a WritableStream"));
      if (this.locked || destination.locked) return Promise.reject(new TypeError("Cannot pipe a locked stream"));
      const { preventClose = false, preventAbort = false, preventCancel = false, signal } = options ?? {};
      const reader = this.getReader();
      const writer = destination.getWriter();
      return new Promise((resolve, reject) => {
        let done = false;
        const finish = (error, failed) => {
          if (done) return;
          done = true;
          signal?.removeEventListener?.("abort", onAbort);
          reader.releaseLock();
          writer.releaseLock();
          if (failed) reject(error);
          else resolve();
        };
        const onAbort = () => {
          const reason = signal.reason;
          const actions = [];
          if (!preventAbort) actions.push(writer.abort(reason).catch(() => {}));
          if (!preventCancel) actions.push(reader.cancel(reason).catch(() => {}));
          Promise.all(actions).then(() => finish(reason, true));
        };
        if (signal?.aborted) return onAbort();
        signal?.addEventListener?.("abort", onAbort);
        const step = () => {
          if (done) return;
          writer.ready
            .then(() => reader.read())
            .then(({ value, done: end }) => {
              if (done) return;
              if (end) {
                if (preventClose) return finish();
                return writer.close().then(() => finish(), (e) => finish(e, true));
              }
              writer.write(value).catch(() => {});
              step();
            })
            .catch((error) => {
              if (done) return;
              if (this._state === "errored") {
                if (!preventAbort) writer.abort(error).catch(() => {});
              } else if (!preventCancel) reader.cancel(error).catch(() => {});
              finish(error, true);
            });
        };
        writer.closed.catch((error) => {
          if (!preventCancel) reader.cancel(error).catch(() => {});
          finish(error, true);
        });
        step();
      });
    }
    pipeThrough(transform, options) {
      if (!(transform?.writable instanceof shared.WritableStream) || !(transform?.readable instanceof ReadableStream)) {
        throw new TypeError("pipeThrough needs a { writable, readable } pair");
      }
      this.pipeTo(transform.writable, options).catch(() => {});
      return transform.readable;
    }
    values(options = {}) {
      const reader = this.getReader();
      const preventCancel = Boolean(options?.preventCancel);
      return {
        next: () =>
          reader.read().then((result) => {
            if (result.done) reader.releaseLock();
            return result;
          }),
        return: async (value) => {
          if (!preventCancel) await reader.cancel(value);
          reader.releaseLock();
          return { value, done: true };
        },
        [Symbol.asyncIterator]() { return this; },
      };
    }
    [Symbol.asyncIterator](options) { return this.values(options); }
    static from(iterable) {
      if (iterable instanceof ReadableStream) return iterable;
      const iterator = iterable?.[Symbol.asyncIterator]?.() ?? iterable?.[Symbol.iterator]?.();
      if (!iterator) throw new TypeError("ReadableStream.from needs an iterable");
      return new ReadableStream(
        {
          async pull(controller) {
            const { value, done } = await iterator.next();
            if (done) controller.close();
            else controller.enqueue(await value);
          },
          async cancel(reason) { await iterator.return?.(reason); },
        },
        { highWaterMark: 0 },
      );
    }
  }

  Object.assign(globalThis, {
    ReadableStream,
    ReadableStreamDefaultReader,
    ReadableStreamBYOBReader,
    ReadableStreamDefaultController,
  });
  const shared = { deferred, call, sizeOf, hwmOf, ReadableStream, WritableStream: null };
  return shared;
});
